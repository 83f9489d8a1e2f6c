"""After delivery: a short "delivered" note, a check-in N business days later with a 1-click survey, a wrap-up."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import outbox, signals, tenancy
from bot.domain.content import dump
from bot.domain.errors import UserError
from bot.domain.posts import (
    CheckinComment, DeliveredNote, LowScoreAlert, MilestoneCheckin, MoveFacts, WrapUp, WrapUpItem,
)
from bot.domain.isolation import RETRY_FAILED, each_isolated
from bot.domain.projects import business_hours
from bot.domain.text import clean_user_text
from bot.i18n import _
from bot.models import Milestone, OutboxMessage, Project
from bot.models.expectations import Checkin, SurveyVote

CHECKIN_BUSINESS_DAYS = 2
LOW_SCORES = (1, 2)
COMMENT_LIMIT = 2000


def _local_date(project: Project, at: datetime | None) -> date | None:
    return at.astimezone(business_hours(project).tz).date() if at else None


def on_milestone_done(*, session: Session, project: Project, milestone: Milestone, now: datetime, **_) -> None:
    """Tell the client it was delivered and schedule the check-in; after the last milestone, the wrap-up."""
    last = all(m.state == "done" for m in project.milestones)
    subject = "project" if last else f"milestone:{milestone.id}"
    due_at = business_hours(project).add_days(now, CHECKIN_BUSINESS_DAYS)
    outbox.enqueue(session, project=project, kind="delivered", period_key=str(milestone.id), now=now,
                   payload={"content": dump(DeliveredNote(milestone.title, project.tz, milestone.baseline_due_date,
                                                            _local_date(project, now), _local_date(project, due_at)))})
    if session.scalar(select(Checkin.id).where(Checkin.project_id == project.id, Checkin.subject == subject)):
        return
    session.add(Checkin(project_id=project.id, milestone_id=milestone.id, subject=subject,
                        kind="wrap_up" if last else "milestone", due_at=due_at, created_at=now))
    session.flush()


def message_for(session: Session, checkin: Checkin) -> dict:
    """The check-in's outbox payload as it stands: the survey, and who has answered so far."""
    project = session.get(Project, checkin.project_id)
    names = list(session.scalars(select(SurveyVote.user_name).where(SurveyVote.checkin_id == checkin.id)
                                 .order_by(SurveyVote.voted_at, SurveyVote.id)))
    if checkin.kind == "wrap_up" or checkin.milestone_id is None:
        items = [WrapUpItem(m.title, m.baseline_due_date, _local_date(project, m.done_at) if m.state == "done" else None,
                            [MoveFacts(mv.old_date, mv.new_date, mv.reason) for mv in m.moves if mv.client_notified])
                 for m in project.milestones]
        return {"content": dump(WrapUp(project.name, project.tz, items, checkin.id, names))}
    milestone = session.get(Milestone, checkin.milestone_id)
    return {"content": dump(MilestoneCheckin(milestone.title, project.tz, _local_date(project, milestone.done_at),
                                             checkin.id, names))}


def project_of(session: Session, checkin_id: int) -> Project | None:
    checkin = tenancy.owned(session, Checkin, checkin_id)
    return session.get(Project, checkin.project_id) if checkin is not None else None


def subject_of(session: Session, checkin: Checkin) -> str:
    if checkin.kind == "wrap_up" or checkin.milestone_id is None:
        return f"the whole of {session.get(Project, checkin.project_id).name}"
    return session.get(Milestone, checkin.milestone_id).title


def send_due(session: Session, *, now: datetime, counts: Counter | None = None) -> int:
    """Queue every check-in whose time has come; one that fails is counted in `counts["failed"]`, tried later."""
    counts = Counter() if counts is None else counts
    due = (select(Checkin).join(Project, Project.id == Checkin.project_id)
           .where(Checkin.state == "scheduled", Checkin.due_at <= now, Project.status == "active"))
    checkins = session.scalars(due.order_by(Checkin.due_at).with_for_update(skip_locked=True, of=Checkin)).all()
    return len(each_isolated(session, checkins, partial(_queue, session, now=now), counts, step="check-in",
                             project_id=lambda checkin: checkin.project_id,
                             later=lambda checkin: setattr(checkin, "due_at", now + RETRY_FAILED)))


def _queue(session: Session, checkin: Checkin, *, now: datetime) -> None:
    project = session.get(Project, checkin.project_id)
    row = outbox.enqueue(session, project=project, kind="checkin", period_key=str(checkin.id),
                         payload=message_for(session, checkin), now=now)
    checkin.state, checkin.outbox_id = "queued", row.id


def record_posted(session: Session, row: OutboxMessage, now: datetime) -> None:
    checkin = session.scalar(select(Checkin).where(Checkin.outbox_id == row.id))
    if checkin is not None:
        checkin.state, checkin.channel_id, checkin.ts, checkin.sent_at = "sent", row.posted_channel_id, row.ts, now


def _checkin(session: Session, checkin_id: int, posted_in: str | None = None) -> Checkin:
    checkin = tenancy.owned(session, Checkin, checkin_id)
    if checkin is None or checkin.state == "scheduled":
        raise UserError(_("That check-in is no longer open."))
    posted = (checkin.channel_id, session.get(Project, checkin.project_id).channel_id)
    if posted_in is not None and posted_in not in posted:
        raise UserError(_("That button doesn't belong to a check-in in this channel. Nothing was changed."))
    return checkin


def open_checkin(session: Session, *, checkin_id: int, posted_in: str) -> Checkin:
    """The check-in a client's button points at, if that button was pressed in the channel it was posted to."""
    return _checkin(session, checkin_id, posted_in)


def _vote_row(session: Session, checkin: Checkin, user_id: str, name: str, now: datetime) -> SurveyVote:
    query = select(SurveyVote).where(SurveyVote.checkin_id == checkin.id, SurveyVote.user_id == user_id)
    vote = session.scalar(query.with_for_update())
    if vote is not None:
        return vote
    try:
        with session.begin_nested():
            vote = SurveyVote(checkin_id=checkin.id, user_id=user_id, user_name=name[:200], voted_at=now)
            session.add(vote)
    except IntegrityError:
        vote = session.scalar(query.with_for_update().execution_options(populate_existing=True))
    return vote


def vote(session: Session, *, checkin_id: int, user_id: str, name: str, score: int, now: datetime,
         posted_in: str | None = None) -> Checkin:
    """Record one person's answer (a later click replaces it); a low one alerts the owner.

    With `posted_in` (the channel of the pressed button), a check-in posted elsewhere is refused.
    """
    if score not in (1, 2, 3, 4):
        raise UserError(_("That is not one of the four answers."))
    checkin = _checkin(session, checkin_id, posted_in)
    row = _vote_row(session, checkin, user_id, name, now)
    if row.score is not None and row.score != score:
        row.changed_at = now
    row.score = score
    if score in LOW_SCORES:
        project = session.get(Project, checkin.project_id)
        outbox.enqueue(session, project=project, kind="checkin-low", period_key=f"{checkin.id}:{user_id}:{score}",
                       channel_id=project.owner_id, client_visible=False, now=now,
                       payload={"content": dump(LowScoreAlert(project.name, subject_of(session, checkin), name, score,
                                                               row.comment))})
    return checkin


def comment(session: Session, *, checkin_id: int, user_id: str, name: str, text: str, now: datetime,
            posted_in: str | None = None) -> Checkin:
    """Keep a person's comment with their answer and pass it to the owner.

    With `posted_in` (the channel of the button that opened the comment form), a check-in posted elsewhere is
    refused.
    """
    text = clean_user_text(text or "", field="comment", limit=COMMENT_LIMIT)
    if not text:
        raise UserError(_("Write a comment first, or close this window."))
    checkin = _checkin(session, checkin_id, posted_in)
    row = _vote_row(session, checkin, user_id, name, now)
    row.comment = text
    project = session.get(Project, checkin.project_id)
    outbox.enqueue(session, project=project, kind="checkin-comment", period_key=f"{row.id}:{now.isoformat()}",
                   channel_id=project.owner_id, client_visible=False, now=now,
                   payload={"content": dump(CheckinComment(project.name, subject_of(session, checkin), name, row.score, text))})
    return checkin


signals.milestone_done.connect(on_milestone_done)
