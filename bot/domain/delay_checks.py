"""Delay detection that reads only the milestones whose state may have changed since it last looked.

By time alone a milestone's state changes only at a local midnight: it turns at risk on the first day its
straight-line test fails, and overdue the day after its due date. Each look stores that next instant in
`Milestone.check_at`; anything else that could change the state (progress, dates, a risk flag, done, an alert
resolved, the project's zone, business days or status) resets it to RECHECK, so the next tick looks again.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.domain.calendar import Calendar
from bot.domain.delays import (NEVER, _business_days_left, _ending, at_risk_reason, overdue_reason, raise_alert,
                               resolve)
from bot.domain.isolation import RETRY_FAILED, each_isolated, failed
from bot.domain.projects import business_hours, local_today, milestone_state
from bot.domain.schedule import local_instant, zone
from bot.models import Milestone, Project
from bot.models.delays import DelayAlert

CHUNK, MAX_CHUNKS = 1000, 50
RETRY = timedelta(seconds=1)
STRAIGHT_LINE_DAYS = 28
SCREENED = (Milestone.id, Milestone.project_id, Milestone.state, Milestone.start_date, Milestone.due_date,
            Milestone.progress, Milestone.risk_note, Project.tz, Project.business_days, Project.business_start, Project.business_end,
            Project.status)


def detect(session: Session, *, now: datetime, touched: list[DelayAlert] | None = None) -> Counter:
    """Look at the milestones whose check time has come: raise, supersede or clear alerts, once per change of
    state, and note when each one's state could next change by time alone.

    One pass looks at no more than MAX_CHUNKS × CHUNK milestones of each state, so a backlog (such as every
    milestone after the migration that added check times) is worked off over a few ticks.
    """
    touched = touched if touched is not None else []
    counts: Counter = Counter()
    for state in ("done", "open"):
        due = (select(*SCREENED).join(Project, Milestone.project_id == Project.id)
               .where(Milestone.state == state, Milestone.check_at <= now)
               .order_by(Milestone.check_at).limit(CHUNK))
        for _ in range(MAX_CHUNKS):
            rows = session.execute(due).all()
            if not rows:
                break
            _look(session, rows, now, counts, touched)
    return counts


def _look(session: Session, rows: list, now: datetime, counts: Counter, touched: list[DelayAlert]) -> None:
    """Quiet milestones (no open alert, on track or not ours to watch) only get their next check time."""
    alerted = set(session.scalars(select(DelayAlert.milestone_id).where(
        DelayAlert.milestone_id.in_([row.id for row in rows]), DelayAlert.state == "open")))
    quiet, busy = [], []
    for row in rows:
        if row.id in alerted:
            busy.append(row.id)
        elif row.state == "done" or row.status != "active":
            quiet.append({"id": row.id, "check_at": NEVER})
        else:
            try:
                today, hours = local_today(row, now), business_hours(row)
                on_track = milestone_state(row, today, hours) == "on_track"
                check_at = _midnight(row.tz, _first_change(row, today, hours)) if on_track else None
            except Exception:
                failed("delay check", row.project_id, counts)
                quiet.append({"id": row.id, "check_at": now + RETRY_FAILED})
                continue
            if on_track:
                quiet.append({"id": row.id, "check_at": check_at})
            else:
                busy.append(row.id)
    if quiet:
        session.execute(update(Milestone), quiet)
    if busy:
        _act(session, busy, now, counts, touched)


def _act(session: Session, ids: list[int], now: datetime, counts: Counter, touched: list[DelayAlert]) -> None:
    pairs = session.execute(select(Milestone, Project).join(Project, Milestone.project_id == Project.id)
                            .where(Milestone.id.in_(ids)).order_by(Milestone.id)).all()
    by_milestone: dict[int, list[DelayAlert]] = defaultdict(list)
    for alert in session.scalars(select(DelayAlert).where(DelayAlert.milestone_id.in_(ids),
                                                          DelayAlert.state == "open").order_by(DelayAlert.id)):
        by_milestone[alert.milestone_id].append(alert)

    def act(pair: tuple[Milestone, Project]) -> tuple[Counter, list[DelayAlert]]:
        milestone, project = pair
        unit, changed = Counter(), []
        alerts = list(by_milestone[milestone.id])
        milestone.check_at = _next_check(session, milestone, project, alerts, now, unit, changed)
        return unit, changed

    for _, (unit, changed) in each_isolated(session, pairs, act, counts, step="delay check",
                                            project_id=lambda pair: pair[1].id,
                                            later=lambda pair: setattr(pair[0], "check_at", now + RETRY_FAILED)):
        counts.update(unit)
        touched.extend(changed)
    session.flush()


def _next_check(session: Session, milestone: Milestone, project: Project, alerts: list[DelayAlert], now: datetime,
                counts: Counter, touched: list[DelayAlert]) -> datetime:
    if milestone.state == "done":
        for alert in alerts:
            resolve(alert, "done", now=now, by=milestone.done_by)
            touched.append(alert)
        return NEVER
    if project.status != "active":
        return NEVER
    return _check(session, milestone, project, alerts, now, counts, touched)


def _check(session: Session, milestone: Milestone, project: Project, alerts: list[DelayAlert], now: datetime,
           counts: Counter, touched: list[DelayAlert]) -> datetime:
    """Act on one open milestone's state; returns when to look at it again."""
    today, hours = local_today(project, now), business_hours(project)
    state = milestone_state(milestone, today, hours)
    for alert in list(alerts):
        ending = _ending(alert, state)
        if ending:
            resolve(alert, ending, now=now)
            alerts.remove(alert)
            touched.append(alert)
            counts[ending] += 1
    if state == "on_track":
        return _midnight(project.tz, _first_change(milestone, today, hours))
    if not _covered(alerts, state):
        if state == "overdue":
            reason, source = overdue_reason(milestone, today), "schedule"
        else:
            reason = at_risk_reason(milestone, today, _business_days_left(today, milestone.due_date, hours.days))
            source = "owner" if milestone.risk_note else "schedule"
        raised = raise_alert(session, milestone=milestone, kind=state, reason=reason, now=now, source=source)
        if raised is None:
            return now + RETRY
        counts[state] += 1
    return NEVER if state == "overdue" else _midnight(project.tz, milestone.due_date + timedelta(days=1))


def _covered(alerts: list[DelayAlert], state: str) -> bool:
    """Whether an open alert already says so (an overdue alert covers at risk too)."""
    return any(alert.kind in (state, "overdue") for alert in alerts)


def _first_change(milestone, today: date, hours: Calendar) -> date:
    """The first day after `today` on which an on-track milestone is no longer on track.

    The straight-line test only ever turns at risk as days pass (the expected share grows, business days left
    shrink) and cannot while four weeks or more remain; the day after the due date it is overdue. So bisect.
    """
    on_track = max(today, milestone.due_date - timedelta(days=STRAIGHT_LINE_DAYS)) if hours.days else today
    changed = max(milestone.due_date + timedelta(days=1), today + timedelta(days=1))
    while (changed - on_track).days > 1:
        middle = on_track + timedelta(days=(changed - on_track).days // 2)
        if milestone_state(milestone, middle, hours) == "on_track":
            on_track = middle
        else:
            changed = middle
    return changed


def _midnight(tz: str, day: date) -> datetime:
    return local_instant(day, "00:00", zone(tz))
