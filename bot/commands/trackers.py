"""`/expect link` and `/expect unlink`: a milestone's progress, finished work and dates from GitHub."""
from __future__ import annotations

from bot.blocks.format import reply, section
from bot.commands import Args, CommandContext, command
from bot.commands.core import DATED_STATUS_LINES
from bot.domain import trackers
from bot.domain.errors import UserError
from bot.domain.projects import find_milestone, find_project
from bot.domain.trackers import TrackerError
from bot.mrkdwn import code, fmt
from bot.settings import missing_tracker_setting
from bot.trackers.github import from_settings, repo_name

LINK_EXAMPLE = '/expect link acme-website #2 github=acme/website milestone="v1.0"'
UNLINK_EXAMPLE = "/expect unlink acme-website #2"


@command("link", usage='link <project> <milestone> github=<owner>/<repo> milestone="<title or number>" '
         "[label=client-visible|all]", summary="take a milestone's progress, finished work and dates from GitHub",
         example=LINK_EXAMPLE)
def link_milestone(ctx: CommandContext, args: Args) -> dict:
    if len(args.words) != 2 or not args.option("github") or not args.option("milestone"):
        raise UserError("Give the project, its milestone, the repository (github=owner/repo) and the GitHub "
                        "milestone (milestone=\"title\" or its number).", LINK_EXAMPLE)
    project = find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])
    milestone = find_milestone(project, args.words[1])
    missing = missing_tracker_setting(ctx.settings, "github")
    if missing:
        raise UserError(fmt("{name} is not set, so I can't read GitHub. Set it where expect runs (and "
                            "GITHUB_API_URL for GitHub Enterprise Server), restart, and link again. Nothing was linked.",
                            name=code(missing)))
    repo = repo_name(args.option("github"))
    if not repo:
        raise UserError(fmt("{repo} is not a repository. Write it as owner/repo.", repo=code(args.option("github")[:100])),
                        LINK_EXAMPLE)
    label = (args.option("label") or trackers.DEFAULT_LABEL).strip()[:100] or trackers.DEFAULT_LABEL
    client = from_settings(ctx.settings)
    try:
        snapshot = client.find_milestone(repo, args.option("milestone"))
    except TrackerError as error:
        raise UserError(fmt("I could not link it: {error} Nothing was linked.", error=error.message), LINK_EXAMPLE) from None
    finally:
        client.close()
    link = trackers.link(ctx.session, milestone=milestone, kind="github", target=repo, snapshot=snapshot,
                         eligible=label, by=ctx.user_id, now=ctx.now)
    which = "every closed issue" if label == trackers.ALL else fmt("closed issues labelled {label}", label=code(label))
    text = fmt(":link: *{title}* now follows {repo} milestone “{remote}”: {progress}% ({closed} of {total} issues "
               "closed). Its progress comes from GitHub from now on; {which} go into the update's preview, and a "
               "moved due date alerts the team.", title=milestone.title, repo=code(repo), remote=snapshot.title,
               progress=milestone.progress, closed=snapshot.closed, total=snapshot.open + snapshot.closed,
               which=which)
    return reply(f"Linked {milestone.title}", [section(text)])


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


if trackers.status_lines not in DATED_STATUS_LINES:
    DATED_STATUS_LINES.append(trackers.status_lines)
