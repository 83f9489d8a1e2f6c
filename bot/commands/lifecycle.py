"""`history`, `export`, `archive`, `unarchive` and `forget`: the record of a project and its end."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import sessionmaker

from bot.blocks.format import reply, section
from bot.blocks.lifecycle import forget_question, history_list
from bot.commands import Args, CommandContext, command
from bot.domain import history, lifecycle
from bot.domain.dates import parse_due_date
from bot.domain.errors import UserError
from bot.domain.projects import find_project, local_today
from bot.domain.schedule import zone
from bot.mrkdwn import code, fmt
from jobs.exports import send_export

EXPORT = "/expect export acme-website from=2026-09-01 to=2026-11-30 format=csv"


def _project(ctx: CommandContext, args: Args, example: str):
    if len(args.words) != 1:
        raise UserError("Say which project.", example)
    return find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])


@command("history", usage="history <project>", summary="the last 20 things that happened", read_only=True,
         example="/expect history acme-website")
def show_history(ctx: CommandContext, args: Args) -> dict:
    project = _project(ctx, args, "/expect history acme-website")
    events = history.events_of(ctx.session, project_id=project.id, newest_first=True, limit=history.SHOWN)
    return history_list(project.name, events)


def _day(project, text: str | None, today, *, end: bool) -> datetime | None:
    if not text:
        return None
    day = parse_due_date(text, today=today)
    return datetime.combine(day + timedelta(days=1) if end else day, time(), zone(project.tz))


@command("export", usage="export <project> [from=<date>] [to=<date>] [format=csv|json]",
         summary="the whole history as a file, sent to you in a DM", read_only=True, example=EXPORT)
def export_history(ctx: CommandContext, args: Args) -> dict:
    project = _project(ctx, args, EXPORT)
    kind = (args.option("format") or "csv").lower()
    if kind not in ("csv", "json"):
        raise UserError(fmt("I can export as {csv} or {json}.", csv=code("format=csv"), json=code("format=json")),
                        EXPORT)
    today = local_today(project, ctx.now)
    since = _day(project, args.option("from"), today, end=False)
    until = _day(project, args.option("to"), today, end=True)
    if since and until and since >= until:
        raise UserError("`from=` must come before `to=`.", EXPORT)
    sessions, gateway = sessionmaker(bind=ctx.session.get_bind()), ctx.gateway
    project_id, user, now = project.id, ctx.user_id, ctx.now
    gateway.after_answer(lambda: send_export(sessions, gateway, project_id=project_id, user_id=user,
                                             since=since, until=until, kind=kind, now=now))
    return reply("Export on its way", [section(fmt(":outbox_tray: The history of *{name}* is on its way to your "
                                                   "DM as a {kind} file.", name=project.name, kind=kind.upper()))])


@command("archive", usage="archive <project>", summary="stop every post for a finished project; keep its data",
         example="/expect archive acme-website")
def archive_project(ctx: CommandContext, args: Args) -> dict:
    project = _project(ctx, args, "/expect archive acme-website")
    lifecycle.archive(ctx.session, project=project, by=ctx.user_id, now=ctx.now)
    return reply(f"Archived {project.name}", [section(fmt(
        ":file_cabinet: *{name}* is archived: no more updates, previews, reminders, alerts or check-ins. The client "
        "channel is told once. Its data stays; {unarchive} brings it back.", name=project.name,
        unarchive=code(f"/expect unarchive {project.slug}")))])


@command("unarchive", usage="unarchive <project>", summary="bring an archived project back",
         example="/expect unarchive acme-website")
def unarchive_project(ctx: CommandContext, args: Args) -> dict:
    project = _project(ctx, args, "/expect unarchive acme-website")
    lifecycle.unarchive(ctx.session, project=project, by=ctx.user_id, now=ctx.now)
    return reply(f"{project.name} is back", [section(fmt(":arrow_forward: *{name}* is active again.",
                                                         name=project.name))])


@command("forget", usage="forget <project>", summary="delete a project and every record of it (asks first)",
         read_only=True, example="/expect forget acme-website")
def forget_project(ctx: CommandContext, args: Args) -> dict:
    project = _project(ctx, args, "/expect forget acme-website")
    return forget_question(project.name, project.id)
