"""Posts waiting to go to Slack: one row per (project, kind, period key), so a post is never queued twice."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import insert_rows
from bot.domain import history, timeoff
from bot.domain.projects import business_hours
from bot.models import OutboxMessage, Project

WEEK = timedelta(days=7)
EVENT_TYPE = "expect_post"
ENQUEUED = "expect.outbox.enqueued"


def enqueue(
    session: Session,
    *,
    project: Project,
    kind: str,
    period_key: str,
    payload: dict,
    now: datetime,
    channel_id: str | None = None,
    client_visible: bool = True,
    top_level: bool = True,
    urgent: bool = False,
    not_before: datetime | None = None,
    thread_of: OutboxMessage | None = None,
    thread_ts: str | None = None,
) -> OutboxMessage:
    """Queue a post once; asking again for the same (project, kind, period key) returns the first row.

    Client-visible posts wait for the client's business hours unless urgent. `thread_ts` replies in the thread
    of a message that is not ours (a client's question, say). What would go to someone away goes to their backup.
    """
    existing = find(session, project_id=project.id, kind=kind, period_key=period_key)
    if existing:
        return existing
    routed = {"project": project, "channel_id": channel_id, "client_visible": client_visible}
    timeoff.route(session, [routed], now)
    channel_id = routed["channel_id"]
    row = _new_row(project=project, kind=kind, period_key=period_key, payload=payload, now=now, channel_id=channel_id,
                   client_visible=client_visible, top_level=top_level, urgent=urgent, not_before=not_before,
                   thread_of=thread_of, thread_ts=thread_ts)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return find(session, project_id=project.id, kind=kind, period_key=period_key)
    session.info[ENQUEUED] = True
    return row


def enqueued_in(session: Session) -> bool:
    """Whether this session queued a post, so the caller can start delivery once it commits."""
    return bool(session.info.get(ENQUEUED))


def _new_row(**post) -> OutboxMessage:
    return OutboxMessage(**_values(**post))


def _values(*, project: Project, kind: str, period_key: str, payload: dict, now: datetime,
            channel_id: str | None = None, client_visible: bool = True, top_level: bool = True, urgent: bool = False,
            not_before: datetime | None = None, thread_of: OutboxMessage | None = None,
            thread_ts: str | None = None) -> dict:
    ready_at = max(not_before or now, now)
    if client_visible and not urgent:
        ready_at = business_hours(project).next_open(ready_at)
    return {
        "project_id": project.id, "kind": kind, "period_key": period_key, "channel_id": channel_id or project.channel_id,
        "payload": payload, "client_visible": client_visible,
        "top_level": top_level and thread_of is None and thread_ts is None, "urgent": urgent, "not_before": ready_at,
        "thread_of_id": thread_of.id if thread_of else None, "thread_ts": thread_of.ts if thread_of else thread_ts,
        "state": "pending", "attempts": 0, "created_at": now,
    }


def enqueue_many(session: Session, posts: list[dict], *, now: datetime, revive: bool = False) -> list[int]:
    """enqueue() for many posts (each a dict of its keyword arguments) with one query and one INSERT.

    Returns the rows' ids in the order asked: a post queued before keeps its row (with `revive`, a cancelled one is
    queued again with the new payload). If another worker queued one meanwhile, falls back to one by one.
    """
    def key(post: dict) -> tuple:
        return post["project"].id, post["kind"], post["period_key"]

    wanted = {key(post) for post in posts}
    if not wanted:
        return []
    found = {(r.project_id, r.kind, r.period_key): r for r in session.scalars(select(OutboxMessage).where(
        OutboxMessage.project_id.in_({k[0] for k in wanted}), OutboxMessage.kind.in_({k[1] for k in wanted}),
        OutboxMessage.period_key.in_({k[2] for k in wanted}),
    ))}
    unsent = [dict(post) for post in posts if key(post) not in found]
    timeoff.route(session, unsent, now)
    fresh = {key(post): _values(now=now, **post) for post in unsent}
    try:
        with session.begin_nested():
            insert_rows(session, OutboxMessage.__table__, list(fresh.values()))
    except IntegrityError:
        found, fresh = {key(post): enqueue(session, now=now, **post) for post in posts}, {}
    history.inserted(session, OutboxMessage, list(fresh.values()))
    for post in posts:
        row = found.get(key(post))
        if revive and row is not None and row.state == "cancelled":
            row.state, row.payload, row.not_before = "pending", post["payload"], _values(now=now, **post)["not_before"]
    return [found[key(post)].id if key(post) in found else fresh[key(post)]["id"] for post in posts]


def find(session: Session, *, project_id: int, kind: str, period_key: str) -> OutboxMessage | None:
    return session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.project_id == project_id, OutboxMessage.kind == kind, OutboxMessage.period_key == period_key
        )
    )


def pending_for_update(session: Session, *, row_id: int) -> OutboxMessage | None:
    """The row, locked, while no worker has started sending it (so its payload may still change); else None."""
    return session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == row_id, OutboxMessage.state == "pending")
        .with_for_update().execution_options(populate_existing=True)
    )


def cancel(row: OutboxMessage) -> bool:
    """Withdraw a post that has not started sending."""
    if row.state == "pending":
        row.state = "cancelled"
        return True
    return False


def top_level_posts_this_week(session: Session, *, channel_id: str, now: datetime) -> int:
    return session.scalar(
        select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.channel_id == channel_id, OutboxMessage.sent_at >= now - WEEK,
            OutboxMessage.client_visible.is_(True), OutboxMessage.top_level.is_(True), OutboxMessage.state == "sent",
        )
    )


def latest_update_post(session: Session, *, project_id: int) -> OutboxMessage | None:
    return session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.project_id == project_id, OutboxMessage.kind == "update", OutboxMessage.state == "sent")
        .order_by(OutboxMessage.sent_at.desc())
        .limit(1)
    )


def metadata_for(row: OutboxMessage) -> dict:
    return {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": row.id, "kind": row.kind}}
