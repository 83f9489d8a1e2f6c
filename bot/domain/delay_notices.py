"""Delay notices: telling the client a date moved, why, what it changes, and what we need from them.

Notices for one project within a few minutes of each other become one post: the first waits MERGE_WINDOW
in the outbox (and for the client's business hours) and later moves are folded into it while no worker has
started sending it; an urgent one sends at once, taking any waiting moves with it.
Every notified move records its lead time: days between telling the client and the date they knew.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain import outbox, tenancy
from bot.domain.content import dump
from bot.domain.delays import alert_channel, check_new_date, note, open_alerts, resolve
from bot.domain.errors import UserError
from bot.domain.posts import DelayNoticePost, DelayQuestion, NoticeFacts, ProjectFacts
from bot.domain.projects import local_today
from bot.domain.text import clean_user_text
from bot.domain.timeoff import contact
from bot.i18n import _
from bot.models import Milestone, MilestoneMove, OutboxMessage, Project
from bot.models.delays import DelayAlert, DelayNotice

NOTICE_KIND, QUESTION_KIND = "delay_notice", "delay_question"
MERGE_WINDOW = timedelta(minutes=10)
REASON_LIMIT, DETAIL_LIMIT, QUESTION_LIMIT = 1200, 500, 2000


def notice_post(notice: DelayNotice, project: Project, who: str | None = None) -> dict:
    """The notice's outbox payload: its content as it stands; `who` is the person the client should ask."""
    return {"content": dump(DelayNoticePost(NoticeFacts.of(notice), ProjectFacts.of(project), who))}


@dataclass(frozen=True)
class NoticeDraft:
    new_date: date
    reason: str
    impact: str | None = None
    needs: str | None = None
    urgent: bool = False


class FieldError(UserError):
    """Bad input in one field of a form: `field` is one of date, reason, impact, needs."""

    def __init__(self, field: str, message: str, example: str | None = None):
        super().__init__(message, example)
        self.field = field


def _optional(text: str | None, field: str, example: str | None) -> str | None:
    try:
        cleaned = clean_user_text(text or "", field=field, limit=DETAIL_LIMIT, example=example)
    except UserError as error:
        raise FieldError(field.split()[0], error.message, example) from None
    return cleaned or None


def check_draft(milestone: Milestone, draft: NoticeDraft, today: date, *, example: str | None = None) -> NoticeDraft:
    """The draft with its text cleaned, or a FieldError naming what is wrong."""
    try:
        check_new_date(milestone, draft.new_date, today, example=example)
    except UserError as error:
        raise FieldError("date", error.message, example) from None
    try:
        reason = clean_user_text(draft.reason or "", field="reason", limit=REASON_LIMIT, example=example)
    except UserError as error:
        raise FieldError("reason", error.message, example) from None
    if not reason:
        raise FieldError("reason", "Say why the date moved, in plain words.", example)
    return replace(draft, reason=reason, impact=_optional(draft.impact, "impact", example),
                   needs=_optional(draft.needs, "needs", example))


def draft_item(milestone: Milestone, draft: NoticeDraft, move_ids: list[int] | None = None) -> dict:
    return {"milestone_id": milestone.id, "title": milestone.title, "old": milestone.due_date.isoformat(),
            "new": draft.new_date.isoformat(), "reason": draft.reason, "impact": draft.impact,
            "needs": draft.needs, "move_ids": move_ids or []}


def preview(milestone: Milestone, draft: NoticeDraft) -> DelayNotice:
    """An unsaved notice holding just this draft, for showing before it is sent."""
    return DelayNotice(items=[draft_item(milestone, draft)], urgent=draft.urgent)


def notify_client(session: Session, *, milestone: Milestone, draft: NoticeDraft, by: str, now: datetime,
                  example: str | None = None) -> DelayNotice:
    """Move the milestone's date, queue (or extend) the client's notice and close the milestone's open alerts."""
    project = milestone.project
    draft = check_draft(milestone, draft, local_today(project, now), example=example)
    item = draft_item(milestone, draft)
    move = MilestoneMove(milestone=milestone, old_date=milestone.due_date, new_date=draft.new_date,
                         reason=draft.reason, impact=draft.impact, client_notified=True, moved_by=by, moved_at=now)
    session.add(move)
    milestone.due_date, milestone.risk_note = draft.new_date, None
    session.flush()
    item["move_ids"] = [move.id]
    notice, row = _pending_notice(session, project)
    who = contact(session, project, now)
    if notice is None:
        notice = DelayNotice(project_id=project.id, urgent=draft.urgent, items=[item], created_by=by, created_at=now)
        session.add(notice)
        session.flush()
        row = outbox.enqueue(session, project=project, kind=NOTICE_KIND, period_key=f"notice:{notice.id}",
                             payload=notice_post(notice, project, who), now=now, urgent=draft.urgent,
                             not_before=None if draft.urgent else now + MERGE_WINDOW)
        notice.outbox_id = row.id
    else:
        notice.items = _fold(notice.items, item)
        row.payload = notice_post(notice, project, who)
        if draft.urgent:
            notice.urgent, row.urgent, row.not_before = True, True, now
    _set_lead_days(session, notice, project, row.not_before)
    detail = f"{item['old']} → {item['new']}"
    for alert in open_alerts(session, milestone_id=milestone.id):
        resolve(alert, "notified", now=now, by=by, detail=detail)
        alert.notice_id = notice.id
    return notice


def _pending_notice(session: Session, project: Project) -> tuple[DelayNotice | None, OutboxMessage | None]:
    latest = session.scalar(
        select(DelayNotice).where(DelayNotice.project_id == project.id, DelayNotice.sent_at.is_(None))
        .order_by(DelayNotice.id.desc()).limit(1)
    )
    row = outbox.pending_for_update(session, row_id=latest.outbox_id) if latest and latest.outbox_id else None
    return (latest, row) if row else (None, None)


def _fold(items: list[dict], item: dict) -> list[dict]:
    """Add a move to a waiting notice; a second move of the same milestone keeps the date the client knew."""
    for index, existing in enumerate(items):
        if existing["milestone_id"] == item["milestone_id"]:
            merged = {**item, "old": existing["old"], "move_ids": existing["move_ids"] + item["move_ids"]}
            return [*items[:index], merged, *items[index + 1:]]
    return [*items, item]


def _set_lead_days(session: Session, notice: DelayNotice, project: Project, told_at: datetime) -> None:
    told = local_today(project, told_at)
    for item in notice.items:
        lead = (date.fromisoformat(item["old"]) - told).days
        for move_id in item["move_ids"]:
            move = session.get(MilestoneMove, move_id)
            if move is not None:
                move.lead_days = lead


def record_notice_sent(session: Session, row: OutboxMessage, now: datetime) -> None:
    """Delivery hook: the client has been told now, which fixes each move's lead time."""
    notice = session.scalar(select(DelayNotice).where(DelayNotice.outbox_id == row.id))
    if notice is not None and notice.sent_at is None:
        notice.sent_at = row.sent_at or now
        _set_lead_days(session, notice, notice.project, notice.sent_at)


def sync_sent(session: Session) -> int:
    """Finish notices whose delivery hook did not run."""
    missing = session.execute(
        select(DelayNotice, OutboxMessage).join(OutboxMessage, DelayNotice.outbox_id == OutboxMessage.id)
        .where(DelayNotice.sent_at.is_(None), OutboxMessage.state == "sent")
    ).all()
    for notice, row in missing:
        record_notice_sent(session, row, row.sent_at)
    return len(missing)


def linked_alerts(session: Session, notice: DelayNotice) -> list[DelayAlert]:
    return list(session.scalars(select(DelayAlert).where(DelayAlert.notice_id == notice.id).order_by(DelayAlert.id)))


def get_notice(session: Session, notice_id: int) -> DelayNotice:
    notice = tenancy.owned(session, DelayNotice, notice_id)
    if notice is None:
        raise UserError(_("I can't find that notice any more."))
    return notice


def check_posted_in(session: Session, *, notice: DelayNotice, channel_id: str | None) -> None:
    """A client's button counts only in the channel its notice went to; another project's notice is refused."""
    row = session.get(OutboxMessage, notice.outbox_id) if notice.outbox_id else None
    if not channel_id or channel_id not in (notice.project.channel_id, row.posted_channel_id if row else None):
        raise UserError(_("That button doesn't belong to a notice in this channel. Nothing was changed."))


def client_acknowledge(session: Session, *, notice: DelayNotice, by: str, now: datetime) -> bool:
    """The client has read the notice; the first acknowledgement is recorded and shown on the team's alert."""
    if notice.client_ack_by:
        return False
    notice.client_ack_by, notice.client_ack_at = by, now
    for alert in linked_alerts(session, notice):
        note(alert, "client_acknowledged", now=now, by=by)
    return True


def ask_question(session: Session, *, notice: DelayNotice, by: str, text: str, now: datetime,
                 key: str) -> OutboxMessage:
    """The client's question goes to the team, in the thread of the alert the notice answered."""
    text = clean_user_text(text or "", field="question", limit=QUESTION_LIMIT)
    if not text:
        raise FieldError("question", _("Write your question first."))
    project = notice.project
    alerts = linked_alerts(session, notice)
    parent = session.get(OutboxMessage, alerts[0].outbox_id) if alerts and alerts[0].outbox_id else None
    notice.questions += 1
    for alert in alerts:
        note(alert, "question", now=now, by=by)
    return outbox.enqueue(
        session, project=project, kind=QUESTION_KIND, period_key=f"q:{key}"[:80],
        channel_id=parent.channel_id if parent else alert_channel(project), thread_of=parent,
        client_visible=False, now=now, payload={"content": dump(DelayQuestion(NoticeFacts.of(notice), ProjectFacts.of(project), by, text))},
    )


def lead_time_facts() -> tuple:
    """The notified moves of the project of the enclosing query, as labelled scalar subqueries: how many
    (`lead_moves`), their lead days in all (`lead_days_total`) and the latest one's (`lead_days_last`)."""
    moves = (select(func.count()).select_from(MilestoneMove).join(Milestone, MilestoneMove.milestone_id == Milestone.id)
             .where(Milestone.project_id == Project.id, MilestoneMove.client_notified.is_(True),
                    MilestoneMove.lead_days.is_not(None)))
    return (moves.scalar_subquery().label("lead_moves"),
            moves.with_only_columns(func.sum(MilestoneMove.lead_days)).scalar_subquery().label("lead_days_total"),
            moves.with_only_columns(MilestoneMove.lead_days).order_by(MilestoneMove.moved_at.desc(),
                                                                      MilestoneMove.id.desc())
            .limit(1).scalar_subquery().label("lead_days_last"))


def lead_time_line(moves: int, total: int | None, last: int | None) -> str | None:
    """`/expect status`: how far ahead the client heard about moved dates (last and average), from `lead_time_facts`."""
    if not moves:
        return None
    return (f":stopwatch: Delay lead time (days the client was told before the old date; negative = after): "
            f"last {_signed(last)}, average {_signed(total / moves)} over {moves} "
            f"moved date{'s' if moves != 1 else ''}.")


def _signed(days: float) -> str:
    return f"{days:+.1f}".removesuffix(".0") + (" day" if abs(days) == 1 else " days")
