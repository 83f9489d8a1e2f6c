"""The working agreement: previewed to the owner, posted and pinned on approval, its changes noted in its thread."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import outbox, signals, tenancy, timeoff
from bot.domain.closures import closed_days_ahead
from bot.domain.content import dump
from bot.domain.errors import UserError
from bot.domain.projects import local_today
from bot.domain.posts import KickoffCard as CardContent
from bot.domain.posts import ClosedDays, KickoffChange, KickoffPreview, MilestoneAdded
from bot.mrkdwn import fmt, user_mention
from bot.models import Milestone, OutboxMessage, Project
from bot.models.expectations import KickoffCard

CARD_FIELDS = frozenset({
    "scope_include", "scope_exclude", "respond_within", "cadence_weekday", "cadence_time", "tz", "owner_id",
    "business_days", "business_start", "business_end", "channel_id", "name", "client_name", "holidays",
})


def card_of(session: Session, project: Project, now: datetime) -> CardContent:
    """The card as of `now`: with the days we're closed in the next 90 days and who to ask."""
    closed = [ClosedDays(*days) for days in closed_days_ahead(project, local_today(project, now))]
    return CardContent.of(project, closed,
                          timeoff.contact(session, project, now))


def card_content(session: Session, project: Project, now: datetime) -> dict:
    return dump(card_of(session, project, now))


def card_for(session: Session, project: Project, now: datetime) -> KickoffCard:
    """The project's card, created as a draft the first time it is asked for."""
    card = session.scalar(select(KickoffCard).where(KickoffCard.project_id == project.id))
    if card is None:
        card = KickoffCard(project_id=project.id, created_at=now)
        session.add(card)
        session.flush()
    return card


def preview(session: Session, *, project: Project, now: datetime) -> dict:
    """The card as the owner sees it before (or after) it goes out, with the Approve button while it is a draft."""
    card = card_for(session, project, now)
    return {"content": dump(KickoffPreview(project.id, project.slug, card_of(session, project, now),
                                           posted=card.state != "draft"))}


def send_preview(session: Session, *, project: Project, now: datetime) -> OutboxMessage:
    """DM the owner the card with an Approve button."""
    card = card_for(session, project, now)
    card.previews += 1
    return outbox.enqueue(
        session, project=project, kind="kickoff-preview", period_key=f"{card.id}:{card.previews}",
        channel_id=project.owner_id, payload=preview(session, project=project, now=now), client_visible=False, now=now,
    )


def approve(session: Session, *, project_id: int, by: str, now: datetime) -> Project:
    """Queue the card for the client channel; it is pinned once it lands."""
    project = tenancy.owned(session, Project, project_id)
    if project is None:
        raise UserError("That project no longer exists.")
    card = card_for(session, project, now)
    if card.state != "draft":
        raise UserError(fmt("The kickoff card for *{name}* was already approved by {who}.", name=project.name,
                            who=user_mention(card.approved_by)))
    row = outbox.enqueue(session, project=project, kind="kickoff", period_key=f"{card.id}:{card.revision}",
                         payload={"content": card_content(session, project, now)}, now=now)
    card.state, card.approved_by, card.approved_at, card.outbox_id = "approved", by, now, row.id
    return project


def record_posted(session: Session, row: OutboxMessage, now: datetime) -> None:
    """The card is in Slack: remember where, so changes can thread under it and update it."""
    card = session.scalar(select(KickoffCard).where(KickoffCard.outbox_id == row.id))
    if card is not None:
        card.state, card.channel_id, card.ts, card.posted_at = "posted", row.posted_channel_id, row.ts, now


def note_change(session: Session, *, project: Project, note: dict, now: datetime) -> OutboxMessage | None:
    """Post `note` in the card's thread; the new card rides along so the pinned one can be updated after it."""
    card = session.scalar(select(KickoffCard).where(KickoffCard.project_id == project.id))
    if card is None or card.state == "draft" or card.outbox_id is None:
        return None
    fresh = card_content(session, project, now)
    if card.state == "approved":
        unsent = outbox.pending_for_update(session, row_id=card.outbox_id)
        if unsent is not None:
            unsent.payload = {"content": fresh}
            return None
    parent = session.get(OutboxMessage, card.outbox_id)
    card.revision += 1
    return outbox.enqueue(
        session, project=project, kind="kickoff-change", period_key=f"{card.id}:{card.revision}",
        payload={"content": note, "card": fresh}, thread_of=parent, now=now,
    )


def pinned(session: Session, *, project: Project, now: datetime) -> tuple[str, str, dict] | None:
    """Where the posted card is (channel, ts) and what it says now, to re-render it in place; None before it is
    posted (a card waiting in the outbox is rendered when it is sent)."""
    card = session.scalar(select(KickoffCard).where(KickoffCard.project_id == project.id))
    if card is None or card.state != "posted" or not (card.channel_id and card.ts):
        return None
    return card.channel_id, card.ts, {"content": card_content(session, project, now)}


def on_project_created(*, session: Session, project: Project, now: datetime, **_) -> None:
    send_preview(session, project=project, now=now)


def on_project_changed(*, session: Session, project: Project, changes: dict, now: datetime, **_) -> None:
    changes = {field: pair for field, pair in changes.items() if field in CARD_FIELDS and pair[0] != pair[1]}
    if "channel_id" in changes:
        start_over(session, project=project, now=now)
    elif changes:
        note_change(session, project=project, note=dump(KickoffChange(changes)), now=now)


def start_over(session: Session, *, project: Project, now: datetime) -> None:
    """The project moved to another channel: the card there needs the owner's approval again."""
    card = card_for(session, project, now)
    if card.state != "draft":
        unsent = outbox.pending_for_update(session, row_id=card.outbox_id) if card.outbox_id else None
        if unsent is not None:
            outbox.cancel(unsent)
        card.revision += 1
        card.state, card.outbox_id, card.channel_id, card.ts = "draft", None, None, None
        card.approved_by = card.approved_at = card.posted_at = None
    send_preview(session, project=project, now=now)


def on_milestone_added(*, session: Session, project: Project, milestone: Milestone, now: datetime, **_) -> None:
    note_change(session, project=project, note=dump(MilestoneAdded(milestone.title, milestone.due_date, project.tz)),
                now=now)


signals.project_created.connect(on_project_created)
signals.project_changed.connect(on_project_changed)
signals.milestone_added.connect(on_milestone_added)
