"""Registering and tracking projects and milestones."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.orm import Session, lazyload

from bot.blocks.calendar import holidays_sentence
from bot.blocks.format import instant_token, reply, section
from bot.blocks.modals import add_project_modal
from bot.blocks.projects import COUNT_LIMIT, MAX_LIST_ROWS, project_list, project_status
from bot.commands import COMMANDS, Args, CommandContext, command
from bot.commands.parse import channel_id, percent, user_id
from bot.domain import signals
from bot.domain.calendar import parse_region
from bot.domain.dates import parse_due_date
from bot.domain.errors import UserError
from bot.domain.projects import (
    NewProject, language_name, parse_language, active_projects, add_milestone, count_active_projects, create_project, find_milestone, find_project,
    local_today, mark_done, milestone_rows, open_milestones, set_progress,
)
from bot.domain.trackers import linked_progress_refusal
from bot.domain.schedule import WEEKDAY_NAMES, parse_cadence, parse_respond_within, zone
from bot.domain.text import slugify
from bot.models import Project
from bot.mrkdwn import Markup, channel_link, code, fmt, user_mention
from bot.slack.gateway import SlackError, SlackGateway


@dataclass(frozen=True, eq=False)
class StatusLine:
    """A line another feature adds to `/expect status`: `text(session, project, now, facts)`, or None for no line.

    `facts` are what the line needs to know, as labelled expressions on the project (correlated scalar subqueries).
    They are read in the one query that finds the project, with the values of their bind parameters from
    `params(now)`, and reach `text` as that query's row.
    """
    text: Callable[[Session, Project, datetime, Row], str | None]
    facts: tuple = ()
    params: Callable[[datetime], dict] = lambda now: {}


STATUS_LINES: list[StatusLine] = []
DATED_STATUS_LINES: list[StatusLine] = []  # after STATUS_LINES
ADD_PROJECT = '/expect add-project "Acme Website" #acme-shared client="Acme Corp" tz=Europe/Berlin cadence="mon 10:00"'


@command("help", usage="/expect help", summary="this help", public=True, read_only=True)
def show_help(ctx: CommandContext, args: Args) -> dict:
    lines = [fmt("• {usage} — {summary}", usage=code(c.usage), summary=c.summary)
             for c in COMMANDS.values() if c.name != "help"]
    text = (Markup("*expect keeps your clients informed before they have to ask.*\n") + Markup("\n").join(lines) +
            Markup("\nNames and titles with spaces go in double quotes. Dates: `2026-12-04`, `fri`, `next friday`, "
                   "`dec 4`, `in 2 weeks`."))
    return reply("expect: commands", [section(text)])


def check_channel(gateway: SlackGateway, channel: str) -> None:
    """The bot must be in the channel, and the channel must be open, before anything is registered for it."""
    try:
        info = gateway.channel_info(channel)
    except SlackError as error:
        if error.code in ("channel_not_found", "not_in_channel"):
            raise UserError(fmt("I can't see {channel}. Invite me there first: `/invite @expect`.",
                                channel=channel_link(channel))) from error
        raise
    if info.is_archived:
        raise UserError(fmt("{channel} is archived. Pick an open channel.", channel=channel_link(channel)))
    if not info.is_member:
        raise UserError(fmt("I'm not in {channel} yet. Invite me there first: `/invite @expect`.",
                            channel=channel_link(channel)))


def new_project_from_args(ctx: CommandContext, args: Args) -> NewProject:
    channels = [w for w in args.words if w.startswith("<#")]
    names = [w for w in args.words if not w.startswith("<")]
    if not names:
        raise UserError("Give the project a name.", ADD_PROJECT)
    if len(names) > 1:
        raise UserError("Put a name with spaces in double quotes.", ADD_PROJECT)
    if not channels:
        raise UserError("Say which channel the client reads (usually the shared Slack Connect channel).", ADD_PROJECT)
    owner = user_id(args.option("owner")) if args.option("owner") else ctx.user_id
    internal = channel_id(args.option("internal")) if args.option("internal") else None
    weekday, at = parse_cadence(args.option("cadence", "mon 10:00"))
    tz = args.option("tz") or owner_zone(ctx.gateway, owner)
    zone(tz)
    if args.option("holidays"):
        parse_region(args.option("holidays"))
    return NewProject(
        name=names[0], channel_id=channel_id(channels[0]), owner_id=owner, tz=tz,
        client_name=args.option("client"), cadence_weekday=weekday, cadence_time=at,
        internal_channel_id=internal, respond_within=parse_respond_within(args.option("respond-within", "1d")),
        holidays=args.option("holidays"),
        lang=parse_language(args.option("lang")) if args.option("lang") is not None else None,
    )


def owner_zone(gateway: SlackGateway, owner: str) -> str:
    try:
        tz = gateway.user_info(owner).tz
    except SlackError:
        return "UTC"
    return tz if tz and "/" in tz else "UTC"


def register_project(ctx: CommandContext, new: NewProject) -> Project:
    check_channel(ctx.gateway, new.channel_id)
    if new.internal_channel_id:
        check_channel(ctx.gateway, new.internal_channel_id)
    return save_project(ctx, new)


def save_project(ctx: CommandContext, new: NewProject) -> Project:
    project = create_project(ctx.session, team_id=ctx.team_id, new=new, created_by=ctx.user_id, now=ctx.now,
                             enterprise_id=ctx.enterprise_id)
    signals.project_created.send(session=ctx.session, project=project, now=ctx.now)
    return project


@command("add-project", usage='add-project "<name>" #channel [client="…"] [tz=Area/City] [cadence="mon 10:00"] '
         '[owner=@user] [internal=#channel] [respond-within=4h|1d] [holidays=ES-CT|off] [lang=en|uk|ru|fa|ca|hu]',
         summary="register a client project", example=ADD_PROJECT)
def add_project(ctx: CommandContext, args: Args) -> dict | None:
    if not args.words and not args.options:
        ctx.gateway.open_view(ctx.trigger_id, add_project_modal())
        return None
    project = register_project(ctx, new_project_from_args(ctx, args))
    return reply(f"Registered {project.name}", [section(registered_text(project))])


def registered_text(project: Project) -> Markup:
    return fmt(":white_check_mark: Registered *{name}* ({slug}) for {channel}, owner {owner}.\nUpdates go out {day}s "
               "at {time} {tz} in {lang}; the first one {first}.\n{holidays}\nNext: {example}", name=project.name,
               slug=code(project.slug), lang=language_name(project.lang),
               channel=channel_link(project.channel_id), owner=user_mention(project.owner_id),
               day=WEEKDAY_NAMES[project.cadence_weekday], time=project.cadence_time, tz=project.tz,
               first=instant_token(project.next_update_at), holidays=holidays_sentence(project),
               example=code(f'/expect add-milestone {project.slug} "Design sign-off" due=fri'))


@command("add-milestone", usage='add-milestone <project> "<title>" due=<date>', summary="add a milestone",
         example='/expect add-milestone acme-website "Design sign-off" due=fri')
def add_milestone_command(ctx: CommandContext, args: Args) -> dict:
    example = '/expect add-milestone acme-website "Design sign-off" due=fri'
    if len(args.words) != 2 or not args.option("due"):
        raise UserError("Give the project, the milestone title in quotes, and a due date.", example)
    project = find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])
    due = parse_due_date(args.option("due"), today=local_today(project, ctx.now))
    milestone, warning = add_milestone(ctx.session, project=project, title=args.words[1], due=due, now=ctx.now)
    signals.milestone_added.send(session=ctx.session, project=project, milestone=milestone, now=ctx.now)
    text = fmt(":white_check_mark: Added #{number} *{title}* to *{name}*, due {due:%a %-d %b %Y}.",
               number=milestone.number, title=milestone.title, name=project.name, due=due)
    if warning:
        text += Markup("\n:warning: ") + warning
    return reply(f"Added {milestone.title}", [section(text)])


@command("list", usage="list", summary="active projects with health and next milestone", read_only=True)
def list_projects(ctx: CommandContext, args: Args) -> dict:
    projects = active_projects(ctx.session, ctx.team_id, limit=MAX_LIST_ROWS)
    total = len(projects)
    if total == MAX_LIST_ROWS:
        total = count_active_projects(ctx.session, ctx.team_id, up_to=COUNT_LIMIT + 1)
    milestones = open_milestones(ctx.session, [p.id for p in projects])
    return reply("Active projects", project_list(projects, lambda p: local_today(p, ctx.now), total, milestones))


@command("status", usage="status <project>", summary="milestones, dates, progress and state", read_only=True)
def status(ctx: CommandContext, args: Args) -> dict:
    if len(args.words) != 1:
        raise UserError("Say which project.", "/expect status acme-website")
    lines = (*STATUS_LINES, *DATED_STATUS_LINES)
    params = {"team_id": ctx.team_id, "slug": slugify(args.words[0].strip())}
    for line in lines:
        params.update(line.params(ctx.now))
    facts = ctx.session.execute(status_query(lines), params).first()
    if facts is None:  # not a slug: the project by name, or a UserError naming the closest ones
        project = find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])
        facts = ctx.session.execute(status_query(lines), {**params, "slug": project.slug}).first()
    project = facts[0]
    extra = [text for text in (line.text(ctx.session, project, ctx.now, facts) for line in lines) if text]
    return reply(f"Status of {project.name}", project_status(project, local_today(project, ctx.now), extra,
                                                             milestone_rows(ctx.session, project.id)))


@lru_cache(maxsize=8)
def status_query(lines: tuple[StatusLine, ...]) -> Select:
    """A project by `team_id` and `slug` with every line's facts. Built once, since building a statement this size
    and its cache key costs more than running it; closures load only for a line that needs them."""
    return (select(Project, *(fact for line in lines for fact in line.facts))
            .where(Project.team_id == bindparam("team_id"), Project.slug == bindparam("slug"))
            .options(lazyload(Project.closures)))


@command("progress", usage="progress <project> <milestone> <0-100>%", summary="record progress on a milestone")
def progress(ctx: CommandContext, args: Args) -> dict:
    if len(args.words) != 3:
        raise UserError("Give the project, the milestone and a percentage.", "/expect progress acme-website #2 60%")
    project = find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])
    milestone = find_milestone(project, args.words[1])
    linked_progress_refusal(ctx.session, milestone, ctx.now)
    set_progress(milestone, percent(args.words[2]))
    return reply("Progress recorded", [section(fmt("*{title}* is now at {progress}%.", title=milestone.title,
                                                   progress=milestone.progress))])


@command("done", usage="done <project> <milestone>", summary="mark a milestone delivered")
def done(ctx: CommandContext, args: Args) -> dict:
    if len(args.words) != 2:
        raise UserError("Give the project and the milestone.", '/expect done acme-website "Design sign-off"')
    project = find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])
    milestone = find_milestone(project, args.words[1])
    mark_done(milestone, by=ctx.user_id, now=ctx.now)
    signals.milestone_done.send(session=ctx.session, project=project, milestone=milestone, by=ctx.user_id, now=ctx.now)
    return reply("Marked done", [section(fmt(":tada: *{title}* is done.", title=milestone.title))])
