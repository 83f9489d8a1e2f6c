"""The owner's decisions from an update's preview: approve, skip, post now, a note for the client, items hidden or
reworded. A queued update that has not started sending is rewritten when they change what it says."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import outbox, tenancy, update_items
from bot.domain.errors import UserError
from bot.domain.text import clean_user_text
from bot.domain.update_content import Preview, UpdateContent, compose, payload_of
from bot.domain.updates import GRACE, previous_snapshot, queue_now, updates_for
from bot.models import OutboxMessage, Project, WeeklyUpdate
from bot.models.trackers import UpdateItem

NOTE_LIMIT = 2000
GONE = "This update has already gone to the client."
PASSED = "This update's time has passed; the next update covers everything since the last one."


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
                                            previous=previous_snapshot(session, project), now=now))


def current_preview(session: Session, *, project: Project, now: datetime) -> Preview:
    """The preview of the update waiting for approval, else of the next one."""
    session.refresh(project, with_for_update={"key_share": True})
    update = session.scalar(select(WeeklyUpdate).where(
        WeeklyUpdate.project_id == project.id, WeeklyUpdate.state == "awaiting",
    ).order_by(WeeklyUpdate.scheduled_for.desc()).limit(1))
    if update is None or now - update.scheduled_for >= GRACE:
        update = updates_for(session, [project], now)[project.id]
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
        queue_now(session, project=project, update=update, previous=previous_snapshot(session, project), now=now)
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
    row.payload = payload_of(content)
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
