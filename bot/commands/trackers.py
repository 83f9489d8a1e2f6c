"""`/expect link` and `/expect unlink`: a milestone's progress, finished work and dates from GitHub, Jira or Linear."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row
from sqlalchemy.orm import Session

from bot.blocks.format import reply, section
from bot.commands import Args, CommandContext, command
from bot.commands.core import DATED_STATUS_LINES, StatusLine
from bot.domain import trackers
from bot.domain.errors import UserError
from bot.domain.projects import find_milestone, find_project
from bot.domain.trackers import NAMES, TrackerError
from bot.models import Project
from bot.mrkdwn import Markup, code, fmt
from bot.settings import missing_tracker_settings
from bot.trackers import KINDS

LINK_EXAMPLE = '/expect link acme-website #2 github=acme/website milestone="v1.0"'
UNLINK_EXAMPLE = "/expect unlink acme-website #2"
FORMS = ('github=<owner>/<repo> milestone="<title or number>"',
         'jira=<PROJECTKEY> version="<fixVersion name>"', "jira=<PROJECTKEY> epic=<KEY-123>",
         "linear=<project or milestone id or URL>")
TRACKERS = ("github", "jira", "linear")
SHARED_OPTIONS = ("label",)


@command("link", usage=f"link <project> <milestone> {' | '.join(FORMS)} [label=client-visible|all]",
         summary="take a milestone's progress, finished work and dates from GitHub, Jira or Linear",
         example=LINK_EXAMPLE)
def link_milestone(ctx: CommandContext, args: Args) -> dict:
    kind, found = _chosen_kind(args)
    project = find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])
    milestone = find_milestone(project, args.words[1])
    options = {key: value for key, value in args.options.items() if key not in TRACKERS}
    target, wanted = found.parse(args.option(kind), options)
    missing = missing_tracker_settings(ctx.settings, kind)
    if missing:
        names = Markup(" and ").join(code(name) for name in missing)
        raise UserError(fmt("{names} {verb} not set, so I can't read {tracker}. Set {it} where expect runs{hint}, "
                            "restart, and link again. Nothing was linked.", names=names, tracker=found.name,
                            verb="are" if len(missing) > 1 else "is", it="them" if len(missing) > 1 else "it",
                            hint=found.setup_hint))
    label = (args.option("label") or trackers.DEFAULT_LABEL).strip()[:100] or trackers.DEFAULT_LABEL
    client = found.client(ctx.settings)
    try:
        snapshot = found.find(client, target, wanted)
    except TrackerError as error:
        raise UserError(fmt("I could not link it: {error} Nothing was linked.", error=error.message),
                        found.example) from None
    finally:
        client.close()
    link = trackers.link(ctx.session, milestone=milestone, kind=kind, target=target, snapshot=snapshot,
                         eligible=label, by=ctx.user_id, now=ctx.now)
    which = "every closed issue" if label == trackers.ALL else fmt("closed issues labelled {label}", label=code(label))
    if snapshot.points_total:
        measure = fmt("{done:g} of {total:g} story points done", done=snapshot.points_done or 0,
                      total=snapshot.points_total)
    else:
        measure = fmt("{closed} of {total} issues closed", closed=snapshot.closed, total=snapshot.open + snapshot.closed)
    text = fmt(":link: *{title}* now follows {target} {noun} “{remote}”: {progress}% ({measure}). Its progress comes "
               "from {tracker} from now on; {which} go into the update's preview, and a moved due date alerts the "
               "team.", title=milestone.title, target=code(target), noun=trackers.noun(link), remote=snapshot.title,
               progress=milestone.progress, measure=measure, tracker=found.name, which=which)
    return reply(f"Linked {milestone.title}", [section(text)])


def _chosen_kind(args: Args):
    given = [kind for kind in TRACKERS if args.option(kind) is not None]
    if len(args.words) != 2 or not given:
        raise UserError("Give the project, its milestone, and where the work is tracked: "
                        + "; ".join(f"`{form}`" for form in FORMS) + ".", LINK_EXAMPLE)
    if len(given) > 1:
        raise UserError(fmt("Link a milestone to one tracker at a time, not {both}. Nothing was linked.",
                            both=" and ".join(NAMES[kind] for kind in given)), LINK_EXAMPLE)
    kind = given[0]
    found = KINDS.get(kind)
    if found is None:
        raise UserError(f"expect can't read {NAMES[kind]} yet. Nothing was linked.", LINK_EXAMPLE)
    stray = sorted(set(args.options) - {kind, *found.options, *SHARED_OPTIONS})
    if stray:
        raise UserError(fmt("{option} does not go with {kind}. Nothing was linked.", option=code(f"{stray[0]}="),
                            kind=code(f"{kind}=")), found.example)
    return kind, found


@command("unlink", usage="unlink <project> <milestone>", summary="stop following a milestone's tracker",
         example=UNLINK_EXAMPLE)
def unlink_milestone(ctx: CommandContext, args: Args) -> dict:
    if len(args.words) != 2:
        raise UserError("Give the project and the milestone.", UNLINK_EXAMPLE)
    project = find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])
    milestone = find_milestone(project, args.words[1])
    gone = trackers.unlink(ctx.session, milestone=milestone)
    text = fmt(":broken_chain: *{title}* no longer follows {repo}; it keeps {progress}%, and `/expect progress` sets "
               "it by hand again.", title=milestone.title, repo=code(gone.target), progress=milestone.progress)
    return reply(f"Unlinked {milestone.title}", [section(text)])


def links_status_line(session: Session, project: Project, now: datetime, facts: Row) -> Markup | None:
    return trackers.status_lines(session, project, now) if facts.tracker_links else None


LINKS_LINE = StatusLine(links_status_line, (trackers.links_fact(),))
if LINKS_LINE not in DATED_STATUS_LINES:
    DATED_STATUS_LINES.append(LINKS_LINE)
