"""The team's own closures: days a project (or every project of the workspace) is closed, like a winter break."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.domain.errors import UserError
from bot.domain.projects import business_hours, local_today, reschedule
from bot.domain.text import clean_user_text
from bot.models import Closure, Project
from bot.mrkdwn import code, fmt

EXAMPLE = '/expect closed acme-website from=2026-12-24 to=2027-01-06 reason="Winter break"'
MAX_DAYS = 366
UPCOMING_DAYS = 90


def check_span(first: date, last: date, *, example: str = EXAMPLE) -> None:
    if last < first:
        raise UserError(f"The closure ends ({last:%a %-d %b %Y}) before it starts ({first:%a %-d %b %Y}).", example)
    if (last - first).days >= MAX_DAYS:
        raise UserError("A closure can last a year at most.", example)


def add_closure(session: Session, *, project: Project, first: date, last: date, reason: str | None, by: str,
                now: datetime) -> Closure:
    """Close the project from `first` to `last` (inclusive, its own zone); its next update moves if it must."""
    check_span(first, last)
    text = clean_user_text(reason, field="reason", limit=200, example=EXAMPLE) if reason else None
    closure = Closure(start_date=first, end_date=last, reason=text or None, created_by=by, created_at=now)
    project.closures.append(closure)
    project.closures.sort(key=lambda c: (c.start_date, c.id or 0))
    session.flush()
    reschedule(project, now=now)
    return closure


def closures_ahead_fact():
    """Whether the project of the enclosing query may have closures not over yet (labelled `closures_ahead`): one
    ending on the date `closures_ahead_params` gives or later; `active_closures` applies the project's own today."""
    return (select(Closure.id).where(Closure.project_id == Project.id, Closure.end_date >= bindparam("closures_from"))
            .exists().label("closures_ahead"))


def closures_ahead_params(now: datetime) -> dict:
    """Yesterday in UTC: no zone's today is earlier."""
    return {"closures_from": (now - timedelta(days=1)).date()}


def active_closures(project: Project, today: date) -> list[Closure]:
    """Closures not over yet, in order: the numbers `remove=<n>` uses."""
    return [c for c in project.closures if c.end_date >= today]


def remove_closure(session: Session, *, project: Project, number: int, now: datetime) -> Closure:
    listed = active_closures(project, local_today(project, now))
    if not 1 <= number <= len(listed):
        raise UserError(fmt("*{name}* has no closure number {number}; {listing} lists them.", name=project.name,
                            number=number, listing=code(f"/expect closed {project.slug}")),
                        f"/expect closed {project.slug} remove=1")
    closure = listed[number - 1]
    project.closures.remove(closure)
    session.flush()
    reschedule(project, now=now)
    return closure


def workspace_projects(session: Session, team_id: str) -> list[Project]:
    return list(session.scalars(select(Project).where(Project.team_id == team_id, Project.status == "active")
                                .order_by(Project.slug)))


def closed_days_ahead(project: Project, today: date,
                      days: int = UPCOMING_DAYS) -> list[tuple[date, date, str | None, str | None]]:
    """Public holidays and closures from `today` for `days` days: (first, last, holiday name or closure reason,
    the holiday's region so it can be named in the reader's language)."""
    last = today + timedelta(days=days)
    calendar = business_hours(project)
    found = [(day, day, name, calendar.region) for day, name in calendar.holidays_between(today, last)]
    found += [(c.start_date, c.end_date, c.reason, None) for c in project.closures
              if c.end_date >= today and c.start_date <= last]
    return sorted(found, key=lambda item: (item[0], item[1]))


def closure_around(project: Project, first: date, last: date) -> Closure | None:
    """The first closure that starts after `first` and no later than `last`: the team is away before then."""
    return next((c for c in project.closures if first < c.start_date <= last), None)


def current_closure(project: Project, today: date) -> Closure | None:
    return next((c for c in project.closures if c.start_date <= today <= c.end_date), None)
