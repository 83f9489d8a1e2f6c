"""The weekly update: what is due, the owner's preview and decisions, and the post itself.

A WeeklyUpdate row per (project, period) records the owner's decision: scheduled → approved / skipped /
awaiting (approval required, past due) → queued (in the outbox) → posted; or missed when its time passed
by more than the grace period (it then folds into the next update, never a late burst).
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from bot.db import insert_rows, update_rows
from bot.domain import history, outbox, tenancy, update_items, update_parts
from bot.domain.content import dump
from bot.domain.errors import UserError
from bot.domain.posts import (
    ApprovalReminder, ClosedDays, MilestoneFacts, ProjectFacts, UpdateExpired, UpdateFacts, UpdatePreview, WeeklyUpdatePost,
)
from bot.domain.posts import ChartImage
from bot.domain.timeline import chart_for_update
from bot.domain.closures import closure_around
from bot.domain.isolation import RETRY_FAILED, each_isolated
from bot.domain.projects import business_hours, health, local_today, next_instants, next_update_slot, reschedule
from bot.domain.schedule import period_key, zone
from bot.domain.text import clean_user_text
from bot.models import OutboxMessage, Project, WeeklyUpdate
from bot.models.trackers import UpdateItem

log = logging.getLogger(__name__)

GRACE = timedelta(hours=12)
REMIND_EVERY = timedelta(hours=4)
FIRST_LOOK_BACK = timedelta(days=7)
NOTE_LIMIT = 2000
UPCOMING = 3
UNDECIDED = ("scheduled", "approved")
GONE = "This update has already gone to the client."
PASSED = "This update's time has passed; the next update covers everything since the last one."


@dataclass
class UpdateContent:
    project: Project
    post: WeeklyUpdatePost
    snapshot: dict
    hidden: list = field(default_factory=list)


@dataclass
class Preview:
    project: Project
    update: WeeklyUpdate
    content: UpdateContent

    @property
    def post(self) -> UpdatePreview:
        """What the owner's preview shows, to render."""
        return preview_post(self.content, self.update)


def preview_post(content: UpdateContent, update: WeeklyUpdate) -> UpdatePreview:
    return UpdatePreview(UpdateFacts.of(update), content.project.approval_mode, content.post, content.hidden)


def snapshot_of(project: Project) -> dict:
    """What a quiet week is compared on: each milestone's progress, due date and state."""
    return {str(m.id): [m.progress, m.due_date.isoformat(), m.state] for m in project.milestones}


def _provided(providers: list, **kwargs) -> list[list[str]]:
    results = []
    for provider in providers:
        try:
            results.append(list(provider(**kwargs) or []))
        except Exception:
            log.exception("update part %s failed for project %s", provider, kwargs["project"].id)
    return results


def compose(session: Session, *, project: Project, update: WeeklyUpdate, previous: dict | None,
            now: datetime) -> UpdateContent:
    """Everything this week's update says, as of `now`; `previous` is the last posted update's snapshot."""
    since = project.last_update_at or now - FIRST_LOOK_BACK
    done = [m for m in project.milestones if m.state == "done" and m.done_at and m.done_at > since]
    open_ones = sorted((m for m in project.milestones if m.state != "done"), key=lambda m: (m.due_date, m.number))
    parts = {"session": session, "project": project, "now": now}
    with session.no_autoflush:  # the providers only read; flushing here would cost an UPDATE per project
        needs = [line for lines in _provided(update_parts.NEEDS_FROM_CLIENT, **parts) for line in lines]
        extras = [lines for lines in _provided(update_parts.EXTRA_SECTIONS, **parts) if lines]
        finished, highlights, hidden = update_items.facts(update_items.waiting(session, project))
    state = health(project, local_today(project, now))
    snapshot = snapshot_of(project)
    quiet = (previous is not None and previous == snapshot and state == "on_track"
             and not (done or needs or extras or update.note or finished or highlights))
    next_at = next_update_slot(project, after=update.scheduled_for)
    closure = closure_around(project, local_today(project, now), next_at.astimezone(zone(project.tz)).date())
    closed = ClosedDays(closure.start_date, closure.end_date, closure.reason) if closure else None
    facts = [MilestoneFacts.of(m) for m in done], [MilestoneFacts.of(m) for m in open_ones]
    post = WeeklyUpdatePost(ProjectFacts.of(project), state, facts[0], [m for m in facts[1] if m.progress > 0],
                            facts[1][:UPCOMING], needs, extras, update.note, next_at, quiet and not closed,
                            bool(project.milestones), closed, finished, highlights,
                            _chart(project, now))
    return UpdateContent(project, post, snapshot, hidden)


def _chart(project: Project, now: datetime) -> ChartImage | None:
    found = chart_for_update(project, now)
    return ChartImage(*found) if found else None


def _due(session: Session, column, now: datetime, limit: int, *also) -> list[Project]:
    return list(session.scalars(
        select(Project).where(Project.status == "active", column <= now, *also).order_by(column).limit(limit)
        .with_for_update(skip_locked=True, key_share=True, of=Project)
        .options(selectinload(Project.milestones))
    ))


def _updates_for(session: Session, projects: list[Project], now: datetime) -> dict[int, WeeklyUpdate]:
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


def _previous(session: Session, project: Project) -> dict | None:
    return _previous_snapshots(session, [project.id]).get(project.id)


def _payload(content: UpdateContent) -> dict:
    return {"content": dump(content.post)}


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


def _queue(session: Session, *, project: Project, update: WeeklyUpdate, previous: dict | None, now: datetime) -> None:
    content = compose(session, project=project, update=update, previous=previous, now=now)
    _queue_all(session, [(update, content, _payload(content))], now)


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
    updates = _updates_for(session, projects, now)
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
        item = (update, content, _payload(content))
    return item


def _carry_note(session: Session, project: Project, note: str, now: datetime) -> None:
    following = _updates_for(session, [project], now)[project.id]
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


def _load(session: Session, update_id: int) -> tuple[Project, WeeklyUpdate]:
    project_id = session.scalar(select(WeeklyUpdate.project_id).where(WeeklyUpdate.id == update_id))
    if project_id is None or tenancy.owned(session, Project, project_id) is None:
        raise UserError("That update no longer exists.")
    project = session.scalar(select(Project).where(Project.id == project_id)
                             .with_for_update(key_share=True).execution_options(populate_existing=True))
    update = session.scalar(select(WeeklyUpdate).where(WeeklyUpdate.id == update_id)
                            .execution_options(populate_existing=True))
    return project, update


def find_update(session: Session, update_id: int) -> tuple[WeeklyUpdate, Project]:
    update = tenancy.owned(session, WeeklyUpdate, update_id)
    if update is None:
        raise UserError("That update no longer exists.")
    return update, session.get(Project, update.project_id)


def _check_open(update: WeeklyUpdate, now: datetime) -> None:
    if update.state in ("queued", "posted"):
        raise UserError(GONE)
    if update.state == "missed" or now - update.scheduled_for >= GRACE:
        raise UserError(PASSED)


def preview_of(session: Session, project: Project, update: WeeklyUpdate, now: datetime) -> Preview:
    return Preview(project, update, compose(session, project=project, update=update,
                                            previous=_previous(session, project), now=now))


def current_preview(session: Session, *, project: Project, now: datetime) -> Preview:
    """The preview of the update waiting for approval, else of the next one."""
    session.refresh(project, with_for_update={"key_share": True})
    update = session.scalar(select(WeeklyUpdate).where(
        WeeklyUpdate.project_id == project.id, WeeklyUpdate.state == "awaiting",
    ).order_by(WeeklyUpdate.scheduled_for.desc()).limit(1))
    if update is None or now - update.scheduled_for >= GRACE:
        update = _updates_for(session, [project], now)[project.id]
    return preview_of(session, project, update, now)


def decide(session: Session, *, update_id: int, action: str, by: str, now: datetime) -> Preview:
    """The owner's choice from the preview: approve, skip or post_now."""
    project, update = _load(session, update_id)
    if action == "skip":
        _skip(session, update)
    else:
        _check_open(update, now)
    update.decided_by, update.decided_at = by, now
    if action == "skip":
        update.state = "skipped"
    elif action == "approve":
        update.state = "approved"
    if action == "post_now" or (action == "approve" and now >= update.scheduled_for):
        _queue(session, project=project, update=update, previous=_previous(session, project), now=now)
    return preview_of(session, project, update, now)


def _skip(session: Session, update: WeeklyUpdate) -> None:
    if update.state == "missed":
        raise UserError("There is nothing to skip: this update's time has already passed.")
    if update.state == "posted":
        raise UserError(GONE)
    if update.state == "queued":
        row = outbox.pending_for_update(session, row_id=update.outbox_id)
        if row is None:
            raise UserError(GONE)
        outbox.cancel(row)


def set_note(session: Session, *, update_id: int, text: str, now: datetime) -> Preview:
    """The owner's note for the client; a queued update that has not started sending is rewritten."""
    note = clean_user_text(text or "", field="note", limit=NOTE_LIMIT) or None
    project, update = _load(session, update_id)
    if update.state == "posted" or update.state == "missed":
        raise UserError(GONE if update.state == "posted" else PASSED)
    row = outbox.pending_for_update(session, row_id=update.outbox_id) if update.state == "queued" else None
    if update.state == "queued" and row is None:
        raise UserError(GONE)
    update.note = note
    preview = preview_of(session, project, update, now)
    if row is not None:
        _rewrite(session, row, update, preview.content)
    return preview


def set_item_hidden(session: Session, *, update_id: int, item_id: int, hidden: bool, now: datetime) -> Preview:
    """The owner hides an item of the preview from the client (or shows it again); a queued update that has not
    started sending is rewritten."""
    return _change_item(session, update_id, now, lambda project: update_items.set_hidden(
        session, project_id=project.id, item_id=item_id, hidden=hidden))


def set_item_text(session: Session, *, update_id: int, item_id: int, text: str, by: str, now: datetime) -> Preview:
    """The owner rewords a highlight of the preview; a queued update that has not started sending is rewritten."""
    return _change_item(session, update_id, now, lambda project: update_items.edit_text(
        session, project_id=project.id, item_id=item_id, text=text, by=by))


def editable_item(session: Session, *, update_id: int, item_id: int) -> UpdateItem:
    """The highlight the owner asked to reword, while its update can still change."""
    project, update = _load(session, update_id)
    _still_changeable(session, update)
    item = tenancy.owned(session, UpdateItem, item_id)
    if item is None or item.project_id != project.id or item.source != update_items.SLACK:
        raise UserError("That highlight is no longer waiting for the update. Nothing was changed.")
    return item


def _still_changeable(session: Session, update: WeeklyUpdate) -> OutboxMessage | None:
    if update.state in ("posted", "missed"):
        raise UserError(GONE if update.state == "posted" else PASSED)
    row = outbox.pending_for_update(session, row_id=update.outbox_id) if update.state == "queued" else None
    if update.state == "queued" and row is None:
        raise UserError(GONE)
    return row


def _change_item(session: Session, update_id: int, now: datetime, change) -> Preview:
    project, update = _load(session, update_id)
    row = _still_changeable(session, update)
    change(project)
    session.flush()
    preview = preview_of(session, project, update, now)
    if row is not None:
        _rewrite(session, row, update, preview.content)
    return preview


def _rewrite(session: Session, row: OutboxMessage, update: WeeklyUpdate, content: UpdateContent) -> None:
    """A queued update's row says `content` now, and carries the items it tells."""
    row.payload = _payload(content)
    told = content.post.finished + content.post.highlights + content.hidden
    update_items.carried_by(session, update.id, [item.id for item in told])


def rewrite_queued(session: Session, *, update_ids: set[int], now: datetime) -> None:
    """Queued updates that have not started sending say what their items say now (one went, or was reworded)."""
    for update in session.scalars(select(WeeklyUpdate).where(WeeklyUpdate.id.in_(update_ids),
                                                             WeeklyUpdate.state == "queued")):
        row = outbox.pending_for_update(session, row_id=update.outbox_id)
        if row is not None:
            project = session.get(Project, update.project_id)
            _rewrite(session, row, update, preview_of(session, project, update, now).content)
