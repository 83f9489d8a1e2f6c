"""Every post expect sends through the outbox, as typed content (see `bot.domain.content`).

Field names follow the models they snapshot, so a template reads `alert.milestone.title` whether it was given
the row or its facts. Text fields hold what people typed; `bot.blocks.render` escapes it.
"""
from __future__ import annotations

import re
from dataclasses import field
from datetime import date, datetime

from bot.domain.content import content
from bot.domain.timeline import Timeline


@content
class ProjectFacts:
    id: int
    name: str
    slug: str
    tz: str
    channel_id: str
    owner_id: str
    client_name: str | None = None
    internal_channel_id: str | None = None

    @classmethod
    def of(cls, project) -> ProjectFacts:
        return cls(project.id, project.name, project.slug, project.tz, project.channel_id, project.owner_id,
                   project.client_name, project.internal_channel_id)


@content
class MilestoneFacts:
    id: int
    number: int
    title: str
    due_date: date
    baseline_due_date: date
    progress: int
    state: str

    @classmethod
    def of(cls, milestone) -> MilestoneFacts:
        return cls(milestone.id, milestone.number, milestone.title, milestone.due_date, milestone.baseline_due_date,
                   milestone.progress, milestone.state)


# Delays
FLAGGED = re.compile(r"Flagged by <@([UW][A-Z0-9]+)>: (.*)", re.S)


@content
class AlertFacts:
    """`flagged_by` is the team member who flagged the milestone at risk (their words are the reason)."""
    id: int
    kind: str
    state: str
    due_date: date
    reason: str
    proposal: str | None
    snoozed_until: datetime | None
    acknowledged_at: datetime | None
    history: list[dict]
    milestone: MilestoneFacts
    project: ProjectFacts
    flagged_by: str | None = None

    @classmethod
    def of(cls, alert) -> AlertFacts:
        flagged = FLAGGED.fullmatch(alert.reason) if alert.source == "owner" else None
        reason, by = (flagged.group(2), flagged.group(1)) if flagged else (alert.reason, None)
        return cls(alert.id, alert.kind, alert.state, alert.due_date, reason, alert.proposal,
                   alert.snoozed_until, alert.acknowledged_at, list(alert.history),
                   MilestoneFacts.of(alert.milestone), ProjectFacts.of(alert.project), by)


@content
class DelayAlertPost:
    alert: AlertFacts
    today: date


@content
class DelayReminder:
    alert: AlertFacts
    hours: int


@content
class DelayEscalation:
    alert: AlertFacts
    hours: int


@content
class SnoozeOver:
    alert: AlertFacts


@content
class NoticeFacts:
    id: int
    items: list[dict]
    client_ack_by: str | None = None
    client_ack_at: datetime | None = None

    @classmethod
    def of(cls, notice) -> NoticeFacts:
        return cls(notice.id, list(notice.items), notice.client_ack_by, notice.client_ack_at)


@content
class DelayNoticePost:
    """`contact` is who the client should ask: the owner, or their backup while they are away."""
    notice: NoticeFacts
    project: ProjectFacts
    contact: str | None = None


@content
class DelayQuestion:
    notice: NoticeFacts
    project: ProjectFacts
    by: str
    text: str


# What the client owes
@content
class OwedNeed:
    """One line of "What we need from you"."""
    title: str
    due_date: date
    today: date
    blocked_title: str | None = None


@content
class OwedReminder:
    project: ProjectFacts
    item_id: int
    need: OwedNeed


@content
class OwedReceived:
    """`who` is the client's name as Slack gives it; without one, `by` is mentioned."""
    project: ProjectFacts
    title: str
    by_client: bool
    who: str | None
    by: str


@content
class OwedSent:
    """The reminder after its Sent ✓ click: `who` is the client's name, else `by` (a team member) is mentioned."""
    title: str
    who: str | None
    by: str


# Delivery, check-ins and the wrap-up
@content
class DeliveredNote:
    title: str
    tz: str
    baseline_due_date: date
    delivered_on: date
    checkin_on: date


@content
class MilestoneCheckin:
    title: str
    tz: str
    delivered_on: date | None
    checkin_id: int
    names: list[str]


@content
class CommentModal:
    """The modal a client writes a check-in comment in."""
    checkin_id: int


@content
class MoveFacts:
    old_date: date
    new_date: date
    reason: str | None


@content
class WrapUpItem:
    title: str
    baseline_due_date: date
    done_on: date | None
    moves: list[MoveFacts]


@content
class WrapUp:
    project_name: str
    tz: str
    items: list[WrapUpItem]
    checkin_id: int
    names: list[str]


@content
class LowScoreAlert:
    project_name: str
    subject: str
    who: str
    score: int
    comment: str | None


@content
class CheckinComment:
    project_name: str
    subject: str
    who: str
    score: int | None
    comment: str


# Promises to answer the client
@content
class PromiseReply:
    """`back_on`: the day the team is back, when the message came on a holiday or during a closure."""
    name: str
    deadline: datetime
    back_on: date | None = None
    tz: str | None = None


@content
class PromiseAlert:
    """`overdue` to the owner at the deadline, else the team's warning at `now`."""
    project_name: str
    user_name: str
    channel_id: str
    deadline: datetime
    excerpt: str | None
    now: datetime
    overdue: bool


# Business time
@content
class ClosedDays:
    """A public holiday (one day, its name, its region) or a closure (its reason), dates in the project's zone."""
    first: date
    last: date
    name: str | None = None
    region: str | None = None


@content
class ClosureChange:
    """A closure added to (or removed from) the working agreement, for the kickoff card's thread."""
    first: date
    last: date
    reason: str | None
    tz: str
    removed: bool = False


# The kickoff card
@content
class KickoffCard:
    name: str
    client_name: str | None
    channel_id: str
    owner_id: str
    cadence_weekday: int
    cadence_time: str
    tz: str
    next_update_at: datetime | None
    respond_within: str
    business_days: str
    business_start: str
    business_end: str
    scope_include: str | None
    scope_exclude: str | None
    milestones: list[MilestoneFacts]
    closed_days: list[ClosedDays] = ()
    contact: str | None = None

    @classmethod
    def of(cls, project, closed_days=(), contact: str | None = None) -> KickoffCard:
        """`closed_days`: the holidays and closures ahead; `contact`: who answers while the owner is away."""
        return cls(project.name, project.client_name, project.channel_id, project.owner_id, project.cadence_weekday,
                   project.cadence_time, project.tz, project.next_update_at, project.respond_within,
                   project.business_days, project.business_start, project.business_end, project.scope_include,
                   project.scope_exclude, [MilestoneFacts.of(m) for m in project.milestones[:25]],
                   list(closed_days), contact)


@content
class KickoffPreview:
    project_id: int
    slug: str
    card: KickoffCard
    posted: bool


@content
class KickoffChange:
    """Changed fields of the working agreement: field -> [old, new]."""
    changes: dict[str, list]


@content
class MilestoneAdded:
    title: str
    due_date: date
    tz: str


# The weekly update
@content
class UpdateItemFacts:
    """Work finished in a tracker, or a message the team starred in Slack (text as written)."""
    id: int
    source: str
    text: str

    @classmethod
    def of(cls, item) -> UpdateItemFacts:
        return cls(item.id, item.source, item.text)


@content
class ChartImage:
    """An uploaded timeline picture (Slack file id) and the facts it shows (put into words on render)."""
    file_id: str
    timeline: Timeline


@content
class WeeklyUpdatePost:
    project: ProjectFacts
    health: str
    done: list[MilestoneFacts]
    in_progress: list[MilestoneFacts]
    upcoming: list[MilestoneFacts]
    needs: list[OwedNeed | str]
    extras: list[list[str]]
    note: str | None
    next_at: datetime
    quiet: bool
    has_milestones: bool
    closed: ClosedDays | None = None
    finished: list[UpdateItemFacts] = field(default_factory=list)
    highlights: list[UpdateItemFacts] = field(default_factory=list)
    chart: ChartImage | None = None


@content
class UpdateFacts:
    id: int
    state: str
    scheduled_for: datetime
    decided_by: str | None

    @classmethod
    def of(cls, update) -> UpdateFacts:
        return cls(update.id, update.state, update.scheduled_for, update.decided_by)


@content
class UpdatePreview:
    update: UpdateFacts
    approval_mode: str
    post: WeeklyUpdatePost
    hidden: list[UpdateItemFacts] = field(default_factory=list)


@content
class ApprovalReminder:
    project: ProjectFacts
    update: UpdateFacts


@content
class UpdateExpired:
    project_name: str


# The end of a project
@content
class ProjectArchived:
    project: ProjectFacts
