"""Time off: who is away, who stands in for them, and where what expect would send them goes meanwhile."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.domain.errors import UserError
from bot.domain.projects import local_today
from bot.models import Project, TimeOff

EXAMPLE = "/expect away @alice from=2026-12-21 to=2027-01-04 backup=@bob"
MAX_DAYS = 366


def set_away(session: Session, *, team_id: str, user_id: str, first: date, last: date, backup_id: str | None,
             by: str, now: datetime) -> TimeOff:
    """Record time off; it replaces any time off of the same person that overlaps it."""
    if last < first:
        raise UserError(f"The time off ends ({last:%a %-d %b %Y}) before it starts ({first:%a %-d %b %Y}).", EXAMPLE)
    if (last - first).days >= MAX_DAYS:
        raise UserError("Time off can last a year at most.", EXAMPLE)
    if backup_id == user_id:
        raise UserError("Someone can't be their own backup. Pick a colleague, or leave `backup=` out.", EXAMPLE)
    session.execute(delete(TimeOff).where(TimeOff.team_id == team_id, TimeOff.user_id == user_id,
                                          TimeOff.start_date <= last, TimeOff.end_date >= first))
    entry = TimeOff(team_id=team_id, user_id=user_id, start_date=first, end_date=last, backup_id=backup_id,
                    created_by=by, created_at=now)
    session.add(entry)
    session.flush()
    return entry


def come_back(session: Session, *, team_id: str, user_id: str, today: date) -> int:
    """End today's time off and drop future time off; returns how many entries changed."""
    entries = list(session.scalars(select(TimeOff).where(
        TimeOff.team_id == team_id, TimeOff.user_id == user_id, TimeOff.end_date >= today)))
    for entry in entries:
        if entry.start_date >= today:
            session.delete(entry)
        else:
            entry.end_date = today - timedelta(days=1)
    session.flush()
    return len(entries)


def away_list(session: Session, *, team_id: str, today: date) -> list[TimeOff]:
    """Time off that is not over, soonest first."""
    return list(session.scalars(select(TimeOff).where(TimeOff.team_id == team_id, TimeOff.end_date >= today)
                                .order_by(TimeOff.start_date, TimeOff.user_id)))


def _around(session: Session, team_ids: set[str], user_ids: set[str], now: datetime) -> list[TimeOff]:
    # every zone's today is within a day of UTC's: the exact day is checked per project
    day = now.date()
    return list(session.scalars(select(TimeOff).where(
        TimeOff.team_id.in_(team_ids), TimeOff.user_id.in_(user_ids),
        TimeOff.start_date <= day + timedelta(days=1), TimeOff.end_date >= day - timedelta(days=1))))


def _away(entries: list[TimeOff], project: Project, user_id: str, now: datetime) -> TimeOff | None:
    today = local_today(project, now)
    return next((e for e in entries if e.team_id == project.team_id and e.user_id == user_id
                 and e.start_date <= today <= e.end_date), None)


def is_person(channel_id: str | None) -> bool:
    return bool(channel_id) and channel_id[0] in "UW"


def route(session: Session, posts: list[dict], now: datetime) -> None:
    """Send what would go to someone away to their backup, else to the project's internal channel.

    `posts` are enqueue() keyword dicts; their `channel_id` is changed in place.
    """
    wanted = [p for p in posts if not p.get("client_visible", True) and is_person(p.get("channel_id"))]
    if not wanted:
        return
    entries = _around(session, {p["project"].team_id for p in wanted}, {p["channel_id"] for p in wanted}, now)
    for post in wanted:
        entry = _away(entries, post["project"], post["channel_id"], now)
        if entry is not None:
            post["channel_id"] = entry.backup_id or post["project"].internal_channel_id or post["channel_id"]


def contact(session: Session, project: Project, now: datetime) -> str:
    """Who the client should ask: the owner, or their backup while they are away."""
    entry = _away(_around(session, {project.team_id}, {project.owner_id}, now), project, project.owner_id, now)
    return entry.backup_id if entry and entry.backup_id else project.owner_id
