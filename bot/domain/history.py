"""The record of a project: what was posted, moved, promised, owed and voted, and by whom.

Rows are written by one flush observer that watches the tables where these things happen, so no code path
that posts, moves a date or answers a promise can forget to record it; the few bulk writes that bypass the
flush (sends recorded in one UPDATE, updates queued in one INSERT) call `posts_sent` / `inserted` with the same
recorders. Rows are never changed; `forget` in `bot.domain.lifecycle` is the only thing that deletes them.
"""
from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from bot.db import append_rows
from bot.domain.projects import local_today
from bot.models import Milestone, MilestoneMove, OutboxMessage, Project, WeeklyUpdate
from bot.models.delays import DelayNotice
from bot.models.expectations import Checkin, KickoffCard, OwedItem, ResponsePromise, SurveyVote
from bot.models.history import HistoryEvent

SHOWN = 20


def _changed(row, key: str) -> bool:
    return inspect(row).attrs[key].history.has_changes()


def _was(row, key: str):
    deleted = inspect(row).attrs[key].history.deleted
    return deleted[0] if deleted else None


def _event(project_id: int, kind: str, at: datetime, actor: str | None = None, subject: int | None = None,
           **detail) -> dict:
    return {"project_id": project_id, "kind": kind, "occurred_at": at, "actor_id": actor, "subject_id": subject,
            "detail": {key: _plain(value) for key, value in detail.items()}}


def _plain(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _outbox(row: OutboxMessage, new: bool) -> list[dict]:
    if not row.client_visible:
        return []
    facts = {"post": row.kind, "period_key": row.period_key, "channel_id": row.channel_id}
    if new:
        return [_event(row.project_id, "post.queued", row.created_at, subject=row.id, not_before=row.not_before,
                       **facts)]
    if _changed(row, "state") and row.state == "sent" and row.sent_at:
        return [_sent(row, row.sent_at)]
    return []


def _sent(row: OutboxMessage, at: datetime) -> dict:
    return _event(row.project_id, "post.sent", at, subject=row.id, queued_at=row.created_at,
                  not_before=row.not_before, post=row.kind, period_key=row.period_key, channel_id=row.channel_id)


def posts_sent(session: Session, rows: list[OutboxMessage], at: datetime) -> None:
    """Record sends written without the flush (the dispatcher marks a batch sent in one UPDATE)."""
    events = [_sent(row, at) for row in rows if row.client_visible]
    if events:
        _write(session, events)


def _update(row: WeeklyUpdate, new: bool) -> list[dict]:
    if new:
        return [_event(row.project_id, "update.scheduled", row.created_at, subject=row.id,
                       scheduled_for=row.scheduled_for, period_key=row.period_key)]
    if _changed(row, "decided_at") and row.decided_at and row.state in ("approved", "skipped"):
        return [_event(row.project_id, f"update.{row.state}", row.decided_at, row.decided_by, row.id,
                       scheduled_for=row.scheduled_for, period_key=row.period_key)]
    return []


def _kickoff(row: KickoffCard, new: bool) -> list[dict]:
    if not new and _changed(row, "approved_at") and row.approved_at:
        return [_event(row.project_id, "kickoff.approved", row.approved_at, row.approved_by, row.id)]
    return []


def _move(session: Session, row: MilestoneMove, new: bool) -> list[dict]:
    if not new:
        return []
    milestone = row.milestone or session.get(Milestone, row.milestone_id)
    return [_event(milestone.project_id, "date.moved", row.moved_at, row.moved_by, milestone.id,
                   milestone=milestone.title, old=row.old_date, new=row.new_date, reason=row.reason,
                   announced=row.client_notified)]


def _notice(session: Session, row: DelayNotice, new: bool) -> list[dict]:
    if new or not _changed(row, "sent_at") or row.sent_at is None:
        return []
    told = local_today(session.get(Project, row.project_id), row.sent_at)
    moves = [{"milestone": item.get("title"), "old": item["old"], "new": item["new"], "reason": item.get("reason"),
              "lead_days": (date.fromisoformat(item["old"]) - told).days} for item in row.items]
    return [_event(row.project_id, "date.announced", row.sent_at, row.created_by, row.id, moves=moves)]


def _promise(row: ResponsePromise, new: bool) -> list[dict]:
    who = {"client": row.user_name, "deadline": row.deadline}
    if new:
        return [_event(row.project_id, "promise.asked", row.received_at, row.user_id, row.id, **who)]
    events = []
    if _changed(row, "overdue_alerted_at") and row.overdue_alerted_at and row.state == "open":
        events.append(_event(row.project_id, "promise.missed", row.overdue_alerted_at, None, row.id, **who))
    if _changed(row, "answered_at") and row.answered_at:
        events.append(_event(row.project_id, f"promise.{'kept' if row.state == 'kept' else 'answered_late'}",
                             row.answered_at, row.answered_by, row.id, asked_at=row.received_at, **who))
    return events


def _owed(row: OwedItem, new: bool) -> list[dict]:
    facts = {"item": row.title, "due": row.due_date}
    if new:
        return [_event(row.project_id, "owed.asked", row.created_at, row.created_by, row.id, **facts)]
    events = []
    if _changed(row, "last_reminded_at") and row.last_reminded_at:
        events.append(_event(row.project_id, "owed.reminded", row.last_reminded_at, None, row.id,
                             reminder=row.reminders, **facts))
    if _changed(row, "received_at") and row.received_at:
        events.append(_event(row.project_id, "owed.received", row.received_at, row.received_by, row.id,
                             via=row.received_via, **facts))
    return events


def _vote(session: Session, row: SurveyVote, new: bool) -> list[dict]:
    if not (new or _changed(row, "score")) or row.score is None:
        return []
    checkin = session.get(Checkin, row.checkin_id)
    at = row.voted_at if new else (row.changed_at or row.voted_at)
    return [_event(checkin.project_id, "survey.vote", at, row.user_id, checkin.id, score=row.score,
                   previous=None if new else _was(row, "score"), about=checkin.subject, client=row.user_name)]


def _milestone(row: Milestone, new: bool) -> list[dict]:
    if not new and _changed(row, "state") and row.state == "done" and row.done_at:
        return [_event(row.project_id, "milestone.done", row.done_at, row.done_by, row.id, milestone=row.title,
                       due=row.due_date, baseline=row.baseline_due_date)]
    return []


WATCHED = {
    OutboxMessage: lambda session, row, new: _outbox(row, new),
    WeeklyUpdate: lambda session, row, new: _update(row, new),
    KickoffCard: lambda session, row, new: _kickoff(row, new),
    MilestoneMove: _move,
    DelayNotice: _notice,
    ResponsePromise: lambda session, row, new: _promise(row, new),
    OwedItem: lambda session, row, new: _owed(row, new),
    SurveyVote: _vote,
    Milestone: lambda session, row, new: _milestone(row, new),
}


@event.listens_for(Session, "after_flush")
def _observe(session: Session, _context) -> None:
    """After a flush (ids known, attribute history still there): write one history row per thing that happened."""
    touched = [(row, True) for row in session.new] + [(row, False) for row in session.dirty]
    found: list[dict] = []
    with session.no_autoflush:
        for row, new in touched:
            recorder = WATCHED.get(type(row))
            if recorder is not None:
                found += recorder(session, row, new)
        if found:
            _write(session, found)


def inserted(session: Session, model: type, rows: list[dict]) -> None:
    """Record rows written by a bulk INSERT, which no flush sees, as the observer records new rows of `model`:
    each dict holds a row's columns as inserted, with its id."""
    recorder = WATCHED[model]
    events = [item for row in rows for item in recorder(session, SimpleNamespace(**row), True)]
    if events:
        _write(session, events)


def _write(session: Session, events: list[dict]) -> None:
    project_ids = {item["project_id"] for item in events}
    # Only projects already in the session: loading a missing one would cost a query (and its closures) each.
    loaded = (session.identity_map.get(session.identity_key(Project, pid)) for pid in project_ids)
    teams = {p.id: p.team_id for p in loaded if p is not None}
    missing = project_ids - set(teams)
    if missing:
        teams.update(session.execute(select(Project.id, Project.team_id).where(Project.id.in_(missing))).all())
    rows = [{**item, "team_id": teams[item["project_id"]]} for item in events if item["project_id"] in teams]
    if rows:
        append_rows(session, HistoryEvent.__table__, rows)


def record(session: Session, *, project: Project, kind: str, at: datetime, actor: str | None = None, **detail) -> None:
    """Record something no watched table shows (an archive, say)."""
    session.add(HistoryEvent(team_id=project.team_id, project_id=project.id, occurred_at=at, kind=kind,
                             actor_id=actor, detail={key: _plain(value) for key, value in detail.items()}))


def events_of(session: Session, *, project_id: int, since: datetime | None = None, until: datetime | None = None,
              newest_first: bool = False, limit: int | None = None) -> list[HistoryEvent]:
    """A project's events, oldest first (or the newest `limit` of them, newest first)."""
    query = select(HistoryEvent).where(HistoryEvent.project_id == project_id)
    if since is not None:
        query = query.where(HistoryEvent.occurred_at >= since)
    if until is not None:
        query = query.where(HistoryEvent.occurred_at < until)
    order = (HistoryEvent.occurred_at.desc(), HistoryEvent.id.desc()) if newest_first else (
        HistoryEvent.occurred_at, HistoryEvent.id)
    return list(session.scalars(query.order_by(*order).limit(limit)))
