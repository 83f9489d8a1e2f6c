"""What the client owes: listed in every weekly update, reminded politely, and a late one may move a milestone."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import outbox, tenancy, update_parts
from bot.domain.content import dump
from bot.domain.errors import UserError
from bot.domain.posts import OwedNeed, OwedReceived, OwedReminder, ProjectFacts
from bot.domain.isolation import RETRY_FAILED, each_isolated
from bot.domain.projects import business_hours, local_today
from bot.domain.schedule import local_instant
from bot.domain.text import clean_user_text
from bot.i18n import _
from bot.models import Milestone, OutboxMessage, Project
from bot.models.expectations import OwedItem

REMIND_EVERY_BUSINESS_DAYS = 3
PRELOADED = "expect.owed.open_items"
EXAMPLE = '/expect owe acme-website "Brand assets" due=fri blocks="Design sign-off"'


def add_item(session: Session, *, project: Project, title: str, due: date, blocks: Milestone | None, by: str,
             now: datetime) -> OwedItem:
    """Record something the client owes; the first reminder goes out when business opens on the due date."""
    title = clean_user_text(title, field="item", limit=200, example=EXAMPLE)
    if not title:
        raise UserError("Say what the client owes, in quotes.", EXAMPLE)
    hours = business_hours(project)
    item = OwedItem(
        project_id=project.id, title=title, due_date=due, blocks_milestone_id=blocks.id if blocks else None,
        next_reminder_at=hours.next_open(max(now, local_instant(due, project.business_start, hours.tz))),
        created_by=by, created_at=now,
    )
    session.add(item)
    session.flush()
    return item


def open_items_fact():
    """Whether the project of the enclosing query waits on open items (labelled `owed_open`)."""
    return (select(OwedItem.id).where(OwedItem.project_id == Project.id, OwedItem.state == "open")
            .exists().label("owed_open"))


def open_items(session: Session, *, project_id: int) -> list[OwedItem]:
    return list(session.scalars(select(OwedItem).where(OwedItem.project_id == project_id, OwedItem.state == "open")
                                .order_by(OwedItem.due_date, OwedItem.id)))


def preload_open_items(session: Session, projects: list[Project]) -> None:
    """The open items of many projects in one query, each used once by needs_from_client."""
    found: dict[int, list[OwedItem]] = {project.id: [] for project in projects}
    for item in session.scalars(select(OwedItem).where(OwedItem.project_id.in_(found), OwedItem.state == "open")
                                .order_by(OwedItem.due_date, OwedItem.id)):
        found[item.project_id].append(item)
    session.info.setdefault(PRELOADED, {}).update(found)


def needs_from_client(*, session: Session, project: Project, now: datetime, **_) -> list[OwedNeed]:
    """Lines for the weekly update's "What we need from you"."""
    today = local_today(project, now)
    items = session.info.get(PRELOADED, {}).pop(project.id, None)
    if items is None:
        items = open_items(session, project_id=project.id)
    return [_need(item, today, _blocked(session, item)) for item in items]


def _need(item: OwedItem, today: date, blocked: Milestone | None) -> OwedNeed:
    return OwedNeed(item.title, item.due_date, today, blocked.title if blocked is not None else None)


def _blocked(session: Session, item: OwedItem) -> Milestone | None:
    milestone = session.get(Milestone, item.blocks_milestone_id) if item.blocks_milestone_id else None
    return milestone if milestone is not None and milestone.state != "done" else None


def send_reminders(session: Session, *, now: datetime, counts: Counter | None = None) -> int:
    """A polite reminder on the due date, then at most every 3 business days while the item is still open.

    An item whose reminder fails is counted in `counts["failed"]` and tried again later.
    """
    counts = Counter() if counts is None else counts
    due = select(OwedItem).where(OwedItem.state == "open", OwedItem.next_reminder_at <= now)
    items = session.scalars(due.order_by(OwedItem.next_reminder_at).with_for_update(skip_locked=True)).all()
    done = each_isolated(session, items, partial(_remind, session, now=now), counts, step="owed reminder",
                         project_id=lambda item: item.project_id,
                         later=lambda item: setattr(item, "next_reminder_at", now + RETRY_FAILED))
    return sum(result for _, result in done)


def _remind(session: Session, item: OwedItem, *, now: datetime) -> int:
    project = session.get(Project, item.project_id)
    if project.status != "active":
        return 0
    hours = business_hours(project)
    if not hours.is_open(now):
        item.next_reminder_at = hours.next_open(now)
        return 0
    item.reminders += 1
    item.last_reminded_at = now
    item.next_reminder_at = hours.add_days(now, REMIND_EVERY_BUSINESS_DAYS)
    outbox.enqueue(session, project=project, kind="owed-reminder", period_key=f"{item.id}:{item.reminders}",
                   payload={"content": dump(OwedReminder(ProjectFacts.of(project), item.id, _need(
                       item, local_today(project, now), _blocked(session, item))))}, now=now)
    return 1


def mark_received(session: Session, *, item_id: int, by: str, who: str | None, by_client: bool, now: datetime,
                  posted_in: str | None = None) -> OwedItem:
    """The item is in. Told to the team when the client says so; a late one blocking a milestone raises a delay.

    `who` is the client's name as Slack gives it (None for the team, shown as a mention of `by`).
    With `posted_in` (the channel of the reminder whose button was pressed), an item of another channel is refused.
    """
    item = tenancy.owned(session, OwedItem, item_id)
    if item is None:
        raise UserError(_("That item no longer exists."))
    if posted_in is not None and not _reminded_in(session, item, posted_in):
        raise UserError(_("That button doesn't belong to a reminder in this channel. Nothing was changed."))
    if item.state != "open":
        raise UserError(_("*{title}* is already marked received. Thank you!", title=item.title))
    project = session.get(Project, item.project_id)
    item.state, item.received_at, item.received_by = "received", now, by
    item.received_via = "client" if by_client else "team"
    if by_client:
        outbox.enqueue(session, project=project, kind="owed-received", period_key=str(item.id),
                       channel_id=project.internal_channel_id or project.owner_id,
                       payload={"content": dump(OwedReceived(ProjectFacts.of(project), item.title, True, who, by))},
                       client_visible=False, now=now)
    days_late = (local_today(project, now) - item.due_date).days
    blocked = _blocked(session, item)
    if days_late > 0 and blocked is not None:
        _raise_delay(session, milestone=blocked, item=item, days_late=days_late, now=now)
    return item


def _reminded_in(session: Session, item: OwedItem, channel_id: str) -> bool:
    if session.get(Project, item.project_id).channel_id == channel_id:
        return True
    return session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.project_id == item.project_id, OutboxMessage.kind == "owed-reminder",
        OutboxMessage.period_key.startswith(f"{item.id}:"), OutboxMessage.posted_channel_id == channel_id,
    ).limit(1)) is not None


def _raise_delay(session: Session, *, milestone: Milestone, item: OwedItem, days_late: int, now: datetime) -> None:
    from bot.domain.delays import raise_alert

    days = f"{days_late} day{'s' if days_late != 1 else ''}"
    raise_alert(session, milestone=milestone, kind="at_risk", now=now,
                reason=f"{item.title} arrived {days} late (it was due {item.due_date:%a %-d %b}).",
                proposal=f"{item.title} arrived {days} late → delivery moves {days}")


if needs_from_client not in update_parts.NEEDS_FROM_CLIENT:
    update_parts.NEEDS_FROM_CLIENT.append(needs_from_client)
    update_parts.PRELOADS.append(preload_open_items)
