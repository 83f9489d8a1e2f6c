"""How proactive the team has been on each project over a period: updates, promises, delays, owed items, votes.

Everything is computed from the rows the features already keep, for many projects at once: one query per
measure, whatever the number of projects (App Home shows hundreds).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.projects import business_hours, local_today
from bot.models import Milestone, MilestoneMove, OutboxMessage, Project, WeeklyUpdate
from bot.models.expectations import Checkin, OwedItem, ResponsePromise, SurveyVote

DEFAULT_WEEKS = 12
SLOT_TOLERANCE = timedelta(hours=1)  # the tick and delivery take a moment after the slot
LOW_SCORE = 2


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime

    @classmethod
    def weeks_before(cls, now: datetime, weeks: int = DEFAULT_WEEKS) -> Period:
        return cls(now - timedelta(weeks=weeks), now)

    def previous(self) -> Period:
        return Period(self.since - (self.until - self.since), self.since)


@dataclass(frozen=True)
class LowScore:
    user_name: str
    score: int
    comment: str | None
    voted_at: datetime


@dataclass
class Scorecard:
    project_id: int
    updates_due: int = 0
    updates_on_time: int = 0
    updates_skipped: int = 0
    promises_kept: int = 0
    promises_missed: int = 0
    answer_hours: list[float] = field(default_factory=list)
    leads: list[int] = field(default_factory=list)
    quiet_moves: int = 0
    owed_overdue_now: int = 0
    owed_late_days: list[int] = field(default_factory=list)
    votes: list[int] = field(default_factory=list)
    previous_votes: list[int] = field(default_factory=list)
    low_scores: list[LowScore] = field(default_factory=list)

    @property
    def on_time_share(self) -> float | None:
        return self.updates_on_time / self.updates_due if self.updates_due else None

    @property
    def kept_share(self) -> float | None:
        total = self.promises_kept + self.promises_missed
        return self.promises_kept / total if total else None

    @property
    def median_answer_hours(self) -> float | None:
        return median(self.answer_hours) if self.answer_hours else None

    @property
    def median_lead_days(self) -> float | None:
        return median(self.leads) if self.leads else None

    @property
    def announced_ahead_share(self) -> float | None:
        return sum(1 for lead in self.leads if lead > 0) / len(self.leads) if self.leads else None

    @property
    def owed_average_delay(self) -> float | None:
        return sum(self.owed_late_days) / len(self.owed_late_days) if self.owed_late_days else None

    @property
    def satisfaction(self) -> float | None:
        return sum(self.votes) / len(self.votes) if self.votes else None

    @property
    def satisfaction_trend(self) -> float | None:
        if not self.votes or not self.previous_votes:
            return None
        return self.satisfaction - sum(self.previous_votes) / len(self.previous_votes)

    def concerns(self) -> list[tuple[float, str]]:
        """What is poor, as (weight, plain words), the worst first."""
        found = []
        if self.on_time_share is not None and self.on_time_share < 0.8:
            found.append((1 - self.on_time_share, f"{self.updates_due - self.updates_on_time} of "
                                                  f"{self.updates_due} weekly updates late or missed"))
        if self.kept_share is not None and self.kept_share < 0.8:
            found.append((1 - self.kept_share, f"{self.promises_missed} answer promise"
                                               f"{'s' if self.promises_missed != 1 else ''} missed"))
        if self.announced_ahead_share is not None and self.announced_ahead_share < 0.5:
            late = sum(1 for lead in self.leads if lead <= 0)
            found.append((1 - self.announced_ahead_share, f"{late} delay{'s' if late != 1 else ''} announced "
                                                          "on or after the old date"))
        if self.owed_overdue_now:
            found.append((min(1.0, 0.3 * self.owed_overdue_now), f"{self.owed_overdue_now} owed item"
                          f"{'s' if self.owed_overdue_now != 1 else ''} overdue from the client"))
        if self.satisfaction is not None and self.satisfaction < 2.5:
            found.append(((2.5 - self.satisfaction) / 1.5 + 0.2, f"client satisfaction {self.satisfaction:.1f} of 4"))
        elif self.satisfaction_trend is not None and self.satisfaction_trend <= -0.5:
            found.append((-self.satisfaction_trend / 3, f"satisfaction down {-self.satisfaction_trend:.1f}"))
        return sorted(found, key=lambda item: -item[0])

    @property
    def attention(self) -> float:
        """0 when nothing is poor; higher needs attention sooner."""
        return sum(weight for weight, _ in self.concerns())

    @property
    def reason(self) -> str | None:
        concerns = self.concerns()
        return concerns[0][1] if concerns else None


def scorecards(session: Session, projects: list[Project], period: Period, *, now: datetime) -> dict[int, Scorecard]:
    """The scorecard of each project over `period`, as of `now`: a handful of queries for all of them."""
    cards = {p.id: Scorecard(p.id) for p in projects}
    if not cards:
        return cards
    by_id = {p.id: p for p in projects}
    calendars = {p.id: business_hours(p) for p in projects}
    _updates(session, cards, calendars, period, now)
    _promises(session, cards, calendars, period, now)
    _moves(session, cards, period)
    _owed(session, cards, by_id, period, now)
    _votes(session, cards, period)
    return cards


def _updates(session, cards, calendars, period, now) -> None:
    rows = session.execute(
        select(WeeklyUpdate.project_id, WeeklyUpdate.state, WeeklyUpdate.scheduled_for, OutboxMessage.sent_at)
        .outerjoin(OutboxMessage, WeeklyUpdate.outbox_id == OutboxMessage.id)
        .where(WeeklyUpdate.project_id.in_(cards), WeeklyUpdate.scheduled_for >= period.since,
               WeeklyUpdate.scheduled_for < period.until, WeeklyUpdate.scheduled_for <= now - SLOT_TOLERANCE)
    )
    for project_id, state, scheduled_for, sent_at in rows:
        card = cards[project_id]
        if state == "skipped":
            card.updates_skipped += 1
            continue
        card.updates_due += 1
        slot = calendars[project_id].next_open(scheduled_for)
        if state == "posted" and sent_at is not None and sent_at <= slot + SLOT_TOLERANCE:
            card.updates_on_time += 1


def _promises(session, cards, calendars, period, now) -> None:
    rows = session.execute(
        select(ResponsePromise.project_id, ResponsePromise.state, ResponsePromise.received_at,
               ResponsePromise.deadline, ResponsePromise.answered_at)
        .where(ResponsePromise.project_id.in_(cards), ResponsePromise.received_at >= period.since,
               ResponsePromise.received_at < period.until)
    )
    for project_id, state, received_at, deadline, answered_at in rows:
        card = cards[project_id]
        if state == "kept":
            card.promises_kept += 1
        elif state == "late" or (state == "open" and deadline < now):
            card.promises_missed += 1
        if answered_at is not None:
            card.answer_hours.append(calendars[project_id].hours_between(received_at, answered_at))


def _moves(session, cards, period) -> None:
    rows = session.execute(
        select(Milestone.project_id, MilestoneMove.client_notified, MilestoneMove.lead_days)
        .join(Milestone, MilestoneMove.milestone_id == Milestone.id)
        .where(Milestone.project_id.in_(cards), MilestoneMove.moved_at >= period.since,
               MilestoneMove.moved_at < period.until)
    )
    for project_id, notified, lead in rows:
        if notified and lead is not None:
            cards[project_id].leads.append(lead)
        elif not notified:
            cards[project_id].quiet_moves += 1


def _owed(session, cards, by_id, period, now) -> None:
    rows = session.execute(
        select(OwedItem.project_id, OwedItem.state, OwedItem.due_date, OwedItem.received_at)
        .where(OwedItem.project_id.in_(cards), OwedItem.state.in_(("open", "received")))
    )
    for project_id, state, due, received_at in rows:
        project, card = by_id[project_id], cards[project_id]
        today = local_today(project, now)
        if state == "open" and due < today:
            card.owed_overdue_now += 1
        if not _in_period(due, project, period):
            continue
        done = local_today(project, received_at) if received_at else today
        if done > due:
            card.owed_late_days.append((done - due).days)


def _in_period(day: date, project: Project, period: Period) -> bool:
    return local_today(project, period.since) <= day <= local_today(project, period.until)


def _votes(session, cards, period) -> None:
    earlier = period.previous()
    rows = session.execute(
        select(Checkin.project_id, SurveyVote.score, SurveyVote.user_name, SurveyVote.comment, SurveyVote.voted_at)
        .join(Checkin, SurveyVote.checkin_id == Checkin.id)
        .where(Checkin.project_id.in_(cards), SurveyVote.score.is_not(None), SurveyVote.voted_at >= earlier.since,
               SurveyVote.voted_at < period.until)
        .order_by(SurveyVote.voted_at)
    )
    for project_id, score, name, comment, voted_at in rows:
        card = cards[project_id]
        if voted_at < period.since:
            card.previous_votes.append(score)
            continue
        card.votes.append(score)
        if score <= LOW_SCORE:
            card.low_scores.append(LowScore(name, score, comment, voted_at))


def team_summary(cards: list[Scorecard]) -> Scorecard:
    """All projects' measures pooled into one card (shares over all events, not an average of shares)."""
    total = Scorecard(0)
    for card in cards:
        for name in ("updates_due", "updates_on_time", "updates_skipped", "promises_kept", "promises_missed",
                     "quiet_moves", "owed_overdue_now"):
            setattr(total, name, getattr(total, name) + getattr(card, name))
        for name in ("answer_hours", "leads", "owed_late_days", "votes", "previous_votes", "low_scores"):
            getattr(total, name).extend(getattr(card, name))
    return total


def by_attention(projects: list[Project], cards: dict[int, Scorecard]) -> list[Project]:
    """Worst scorecard first; ties by name."""
    return sorted(projects, key=lambda p: (-cards[p.id].attention, p.name.lower()))

