"""The weekly update's due work: previews, posts and approval reminders that are due, and the post recorded.

A WeeklyUpdate row per (project, period) records the owner's decision: scheduled → approved / skipped /
awaiting (approval required, past due) → queued (in the outbox) → posted; or missed when its time passed
by more than the grace period (it then folds into the next update, never a late burst).
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from bot.db import insert_rows, update_rows
from bot.domain import history, outbox, update_items, update_parts
from bot.domain.content import dump
from bot.domain.isolation import RETRY_FAILED, each_isolated
from bot.domain.posts import ApprovalReminder, ProjectFacts, UpdateExpired, UpdateFacts
from bot.domain.projects import next_instants, reschedule
from bot.domain.schedule import period_key, zone
from bot.domain.update_content import UpdateContent, compose, payload_of, preview_post
from bot.models import OutboxMessage, Project, WeeklyUpdate

GRACE = timedelta(hours=12)
REMIND_EVERY = timedelta(hours=4)
UNDECIDED = ("scheduled", "approved")


def _due(session: Session, column, now: datetime, limit: int, *also) -> list[Project]:
    return list(session.scalars(
        select(Project).where(Project.status == "active", column <= now, *also).order_by(column).limit(limit)
        .with_for_update(skip_locked=True, key_share=True, of=Project)
        .options(selectinload(Project.milestones))
    ))


def updates_for(session: Session, projects: list[Project], now: datetime) -> dict[int, WeeklyUpdate]:
    """This period's WeeklyUpdate for each project (created when missing), in one query."""
    found = _existing_updates(session, projects)
    for project in projects:
        if project.id not in found:
            found[project.id] = _new_update(project, now)
            session.add(found[project.id])
    session.flush()
    return found


def _existing_updates(session: Session, projects: list[Project]) -> dict[int, WeeklyUpdate]:
    """This period's WeeklyUpdate of the projects that have one already, in one query."""
    keys = {p.id: period_key(p.next_update_at, zone(p.tz)) for p in projects}
    due = {p.id: p.next_update_at for p in projects}
    found = {}
    for update in session.scalars(select(WeeklyUpdate).where(
            WeeklyUpdate.project_id.in_(keys), WeeklyUpdate.period_key.in_(set(keys.values())))):
        if keys[update.project_id] == update.period_key:
            if update.state in UNDECIDED:
                update.scheduled_for = due[update.project_id]
            found[update.project_id] = update
    return found


def _new_update(project: Project, now: datetime) -> WeeklyUpdate:
    """This period's update, not yet in the session: it is inserted once decided, in its final state."""
    return WeeklyUpdate(project_id=project.id, period_key=period_key(project.next_update_at, zone(project.tz)),
                        scheduled_for=project.next_update_at, created_at=now)


def _insert_updates(session: Session, updates: list[WeeklyUpdate]) -> None:
    """New updates with one INSERT (no flush, so their history is recorded here); each is given its id."""
    if not updates:
        return
    table = WeeklyUpdate.__table__
    rows = [{column.key: getattr(update, column.key) for column in table.columns if column.key != "id"}
            for update in updates]
    insert_rows(session, table, rows)
    for update, row in zip(updates, rows):
        update.id = row["id"]
    history.inserted(session, WeeklyUpdate, rows)


def _save(session: Session, update: WeeklyUpdate) -> None:
    if update.id is None:
        session.add(update)
        session.flush()


def _previous_snapshots(session: Session, project_ids: list[int]) -> dict[int, dict]:
    latest = (
        select(WeeklyUpdate.project_id, func.max(WeeklyUpdate.scheduled_for).label("at"))
        .where(WeeklyUpdate.project_id.in_(project_ids), WeeklyUpdate.state == "posted")
        .group_by(WeeklyUpdate.project_id).subquery()
    )
    rows = session.execute(select(WeeklyUpdate.project_id, WeeklyUpdate.snapshot).join(
        latest, and_(WeeklyUpdate.project_id == latest.c.project_id, WeeklyUpdate.scheduled_for == latest.c.at)))
    return {project_id: snapshot for project_id, snapshot in rows}


def previous_snapshot(session: Session, project: Project) -> dict | None:
    """The snapshot of the project's last posted update (what a quiet week is compared with)."""
    return _previous_snapshots(session, [project.id]).get(project.id)


def _queue_all(session: Session, items: list[tuple[WeeklyUpdate, UpdateContent, dict]], now: datetime) -> None:
    """Queue the posts, then write each update as queued: new ones inserted so, in one statement."""
    ids = outbox.enqueue_many(session, [
        {"project": content.project, "kind": "update", "period_key": update.period_key, "payload": payload}
        for update, content, payload in items
    ], now=now, revive=True)
    for (update, content, _), row_id in zip(items, ids):
        update.state, update.outbox_id, update.snapshot = "queued", row_id, content.snapshot
    _insert_updates(session, [update for update, _, _ in items if update.id is None])
    for update, content, _ in items:
        told = content.post.finished + content.post.highlights + content.hidden
        update_items.carried_by(session, update.id, [item.id for item in told])


def queue_now(session: Session, *, project: Project, update: WeeklyUpdate, previous: dict | None,
              now: datetime) -> None:
    """Compose the update as of now and queue it (the owner approved it past its time, or chose Post now)."""
    content = compose(session, project=project, update=update, previous=previous, now=now)
    _queue_all(session, [(update, content, payload_of(content))], now)


def _remind(session: Session, project: Project, update: WeeklyUpdate, now: datetime) -> None:
    update.reminded_at = now
    slot = int((now - update.scheduled_for) / REMIND_EVERY)
    outbox.enqueue(
        session, project=project, kind="approval-reminder", period_key=f"{update.period_key}:{slot}",
        channel_id=project.owner_id, client_visible=False, now=now,
        payload={"content": dump(ApprovalReminder(ProjectFacts.of(project), UpdateFacts.of(update)))},
    )


def send_previews(session: Session, *, now: datetime, limit: int) -> Counter:
    """DM each owner whose preview is due a preview of the coming update, with the buttons that decide it."""
    # A project whose update is itself due gets no preview: post_due_updates reschedules both instants.
    projects = _due(session, Project.next_preview_at, now, limit, Project.next_update_at > now)
    counts = Counter(preview_due=len(projects))
    if not projects:
        return counts
    updates = updates_for(session, projects, now)
    previous = _previous_snapshots(session, [p.id for p in projects])
    update_parts.preload(session, projects)

    def preview(project: Project) -> dict | None:
        update = updates[project.id]
        project.next_preview_at = None
        if update.state not in UNDECIDED:
            return None
        content = compose(session, project=project, update=update, previous=previous.get(project.id), now=now)
        return {"project": project, "kind": "preview", "period_key": update.period_key,
                "channel_id": project.owner_id, "client_visible": False,
                "payload": {"content": dump(preview_post(content, update))}}

    done = each_isolated(session, projects, preview, counts, step="update preview", project_id=_id,
                         later=lambda project: setattr(project, "next_preview_at", now + RETRY_FAILED))
    previews = [item for _, item in done if item]
    outbox.enqueue_many(session, previews, now=now)
    counts["previews"] = len(previews)
    return counts


def post_due_updates(session: Session, *, now: datetime, limit: int) -> Counter:
    """Queue every update whose instant has come, as the owner decided; then schedule the next one."""
    projects = _due(session, Project.next_update_at, now, limit)
    counts = Counter(update_due=len(projects))
    if not projects:
        return counts
    updates = _existing_updates(session, projects)
    previous = _previous_snapshots(session, [p.id for p in projects])
    update_parts.preload(session, projects)

    def decide(project: Project) -> tuple:
        unit = Counter()
        update = updates.get(project.id) or _new_update(project, now)  # a retry starts from a fresh one
        item = _decide_due(session, project, update, previous.get(project.id), now, unit)
        return update, item, unit, None if unit["missed"] else next_instants(project, now=now)

    queued: list[tuple[WeeklyUpdate, UpdateContent, dict]] = []
    unsaved: list[WeeklyUpdate] = []
    moves: list[tuple[Project, tuple[datetime, datetime]]] = []
    caught_up = 0
    for project, (update, item, unit, instants) in each_isolated(session, projects, decide, counts,
                                                                 step="weekly update", project_id=_id,
                                                                 later=lambda project: _retry_later(project, now)):
        counts.update(unit)
        if instants:
            moves.append((project, instants))
        if item:
            queued.append(item)
            continue
        if update.id is None:
            unsaved.append(update)
        if unit["missed"]:
            caught_up += project.next_update_at <= now
    _reschedule_all(session, moves)
    _insert_updates(session, unsaved)
    _queue_all(session, queued, now)
    counts["queued"] = len(queued)
    if caught_up:
        counts.update(post_due_updates(session, now=now, limit=limit))
    return counts


def _reschedule_all(session: Session, moves: list[tuple[Project, tuple[datetime, datetime]]]) -> None:
    """Each project's next update and preview instants, written in one statement; the loaded projects are told the
    same values as committed, so the flush has no project left to walk."""
    update_rows(session, Project.__table__, [{"id": project.id, "next_update_at": at, "next_preview_at": preview_at}
                                              for project, (at, preview_at) in moves], match=("id",))
    for project, (at, preview_at) in moves:
        set_committed_value(project, "next_update_at", at)
        set_committed_value(project, "next_preview_at", preview_at)


def _retry_later(project: Project, now: datetime) -> None:
    project.next_update_at, project.next_preview_at = now + RETRY_FAILED, None


def _id(project: Project) -> int:
    return project.id


def _decide_due(session: Session, project: Project, update: WeeklyUpdate, previous: dict | None, now: datetime,
                counts: Counter) -> tuple[WeeklyUpdate, UpdateContent, dict] | None:
    """What one project's due update becomes: missed, awaiting approval, or (returned) ready to queue.

    A missed update reschedules the project here; otherwise the caller moves it on, with the others of the batch.
    """
    item = None
    if now - project.next_update_at >= GRACE:
        counts["missed"] += 1
        note = update.note if update.state in UNDECIDED else None
        if update.state in UNDECIDED:
            update.state = "missed"
        # The latest slot still within grace (a worker back just after it) goes out on this pass, once.
        reschedule(project, now=now - GRACE)
        if note:
            _carry_note(session, project, note, now)
        return None
    if update.state in UNDECIDED and project.approval_mode == "required" and update.state != "approved":
        update.state = "awaiting"
        _save(session, update)  # the reminder's buttons name it
        _remind(session, project, update, now)
        counts["awaiting"] += 1
    elif update.state in UNDECIDED:
        content = compose(session, project=project, update=update, previous=previous, now=now)
        item = (update, content, payload_of(content))
    return item


def _carry_note(session: Session, project: Project, note: str, now: datetime) -> None:
    following = updates_for(session, [project], now)[project.id]
    following.note = following.note or note


def remind_waiting(session: Session, *, now: datetime, limit: int) -> Counter:
    """Remind owners of updates waiting for approval; past the grace period, give up and say so."""
    waiting = list(session.scalars(
        select(WeeklyUpdate).where(
            WeeklyUpdate.state == "awaiting",
            or_(WeeklyUpdate.reminded_at <= now - REMIND_EVERY, WeeklyUpdate.scheduled_for <= now - GRACE),
        ).order_by(WeeklyUpdate.id).limit(limit).with_for_update(skip_locked=True, of=WeeklyUpdate)
    ))
    counts = Counter(waiting=len(waiting))
    if not waiting:
        return counts
    owners = {u.project_id for u in waiting}
    projects = {p.id: p for p in session.scalars(select(Project).where(Project.id.in_(owners)))}

    def remind_or_expire(update: WeeklyUpdate) -> Counter:
        unit = Counter()
        _remind_or_expire(session, projects[update.project_id], update, now, unit)
        return unit

    for _, unit in each_isolated(session, waiting, remind_or_expire, counts, step="approval reminder",
                                 project_id=lambda update: update.project_id,
                                 later=lambda update: setattr(update, "reminded_at", now)):
        counts.update(unit)
    return counts


def _remind_or_expire(session: Session, project: Project, update: WeeklyUpdate, now: datetime,
                      counts: Counter) -> None:
    if now - update.scheduled_for < GRACE:
        _remind(session, project, update, now)
        counts["reminders"] += 1
        return
    update.state = "missed"
    outbox.enqueue(session, project=project, kind="approval-reminder", period_key=f"{update.period_key}:expired",
                   channel_id=project.owner_id, client_visible=False, now=now,
                   payload={"content": dump(UpdateExpired(project.name))})
    counts["expired"] += 1


def record_sent(session: Session, rows: list[OutboxMessage], now: datetime) -> None:
    """on_sent_batch("update"): these updates are in their channels (two statements for all of them)."""
    if not rows:
        return
    update_rows(session, WeeklyUpdate.__table__, [
        {"project_id": row.project_id, "period_key": row.period_key, "outbox_id": row.id} for row in rows],
        match=("project_id", "period_key"), state="posted")
    projects = Project.__table__
    session.connection().execute(update(projects).where(projects.c.id.in_({row.project_id for row in rows}))
                                 .values(last_update_at=now))
