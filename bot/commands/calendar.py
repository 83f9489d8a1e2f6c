"""`/expect closed` (the team's closures) and `/expect away` / `/expect back` (time off)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Row
from sqlalchemy.orm import Session

from bot.blocks.calendar import (
    away_reply, away_set, back_reply, closure_added, closure_removed, closure_status_line, closures_reply,
)
from bot.blocks.format import reply
from bot.commands import Args, CommandContext, command
from bot.commands.core import DATED_STATUS_LINES, StatusLine, owner_zone
from bot.commands.parse import user_id
from bot.domain import closures, kickoff, timeoff
from bot.domain.content import dump
from bot.domain.dates import parse_due_date
from bot.domain.errors import UserError
from bot.domain.posts import ClosureChange
from bot.domain.projects import find_project, local_today
from bot.domain.schedule import zone
from bot.models import Project


def _dates(args: Args, today: date, example: str) -> tuple[date, date]:
    if not args.option("from") or not args.option("to"):
        raise UserError("Give both the first and the last day: `from=` and `to=`.", example)
    try:
        return parse_due_date(args.option("from"), today=today), parse_due_date(args.option("to"), today=today)
    except UserError as error:
        raise UserError(error.message, example) from None


def _note(ctx: CommandContext, project: Project, first: date, last: date, reason: str | None, **kwargs) -> None:
    kickoff.note_change(ctx.session, project=project,
                        note=dump(ClosureChange(first, last, reason, project.tz, **kwargs)), now=ctx.now)


@command("closed", usage='closed <project>|all from=<date> to=<date> [reason="…"] · closed <project> [remove=<n>]',
         summary="the team's closures (a winter break): no update, reminder or deadline counts those days",
         example=closures.EXAMPLE)
def closed(ctx: CommandContext, args: Args) -> dict:
    if len(args.words) != 1:
        raise UserError("Say which project, or `all` for every project.", closures.EXAMPLE)
    everyone = args.words[0].lower() == "all"
    if everyone and not args.option("from"):
        raise UserError("`all` needs the days: `from=` and `to=`.", closures.EXAMPLE)
    projects = (closures.workspace_projects(ctx.session, ctx.team_id) if everyone
                else [find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])])
    if not projects:
        raise UserError("There are no active projects yet.")
    if args.option("remove") is not None:
        return _remove(ctx, projects[0], args.option("remove"))
    if not args.options:
        project = projects[0]
        listed = closures.active_closures(project, local_today(project, ctx.now))
        return reply(f"Closures of {project.name}", closures_reply(project, listed, zone(project.tz)))
    first = last = None
    for project in projects:
        first, last = _dates(args, local_today(project, ctx.now), closures.EXAMPLE)
        closure = closures.add_closure(ctx.session, project=project, first=first, last=last,
                                       reason=args.option("reason"), by=ctx.user_id, now=ctx.now)
        _note(ctx, project, first, last, closure.reason)
    return reply("Closure added", closure_added(projects, first, last, closure.reason))


def _remove(ctx: CommandContext, project: Project, value: str) -> dict:
    example = f"/expect closed {project.slug} remove=1"
    if not value.strip().isdigit():
        raise UserError(f"`remove={value}`: give the closure's number from the list.", example)
    closure = closures.remove_closure(ctx.session, project=project, number=int(value), now=ctx.now)
    _note(ctx, project, closure.start_date, closure.end_date, closure.reason, removed=True)
    return reply("Closure removed", closure_removed(project, closure))


@command("away", usage="away @user from=<date> to=<date> [backup=@user] · away",
         summary="time off: what expect would send them goes to the backup (or the internal channel)",
         example=timeoff.EXAMPLE)
def away(ctx: CommandContext, args: Args) -> dict:
    today = _today(ctx)
    if not args.words and not args.options:
        return reply("Who is away", away_reply(timeoff.away_list(ctx.session, team_id=ctx.team_id, today=today)))
    if len(args.words) != 1:
        raise UserError("Say who is away, with `@`, and from when to when.", timeoff.EXAMPLE)
    person = user_id(args.words[0])
    first, last = _dates(args, today, timeoff.EXAMPLE)
    backup = user_id(args.option("backup")) if args.option("backup") else None
    entry = timeoff.set_away(ctx.session, team_id=ctx.team_id, user_id=person, first=first, last=last,
                             backup_id=backup, by=ctx.user_id, now=ctx.now)
    return reply("Time off recorded", away_set(entry))


@command("back", usage="back @user", summary="end someone's time off now", example="/expect back @alice")
def back(ctx: CommandContext, args: Args) -> dict:
    if len(args.words) != 1:
        raise UserError("Say who is back, with `@`.", "/expect back @alice")
    person = user_id(args.words[0])
    changed = timeoff.come_back(ctx.session, team_id=ctx.team_id, user_id=person, today=_today(ctx))
    return reply("Welcome back", back_reply(person, changed))


def _today(ctx: CommandContext) -> date:
    """Today where the person typing is: their dates mean their days."""
    return ctx.now.astimezone(zone(owner_zone(ctx.gateway, ctx.user_id))).date()


def closures_status_line(session: Session, project: Project, now: datetime, facts: Row) -> str | None:
    if not facts.closures_ahead:
        return None
    return closure_status_line(closures.active_closures(project, local_today(project, now)), zone(project.tz))


CLOSURES_LINE = StatusLine(closures_status_line, (closures.closures_ahead_fact(),), closures.closures_ahead_params)
if CLOSURES_LINE not in DATED_STATUS_LINES:
    DATED_STATUS_LINES.append(CLOSURES_LINE)
