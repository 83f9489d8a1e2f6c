"""Expectations: the kickoff card, response-time promises, what the client owes, check-ins and their votes."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class KickoffCard(Base):
    """The working agreement pinned in the client channel: one per project."""

    __tablename__ = "kickoff_card"
    __table_args__ = (UniqueConstraint("project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="draft")
    previews: Mapped[int] = mapped_column(default=0)
    revision: Mapped[int] = mapped_column(default=0)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    approved_by: Mapped[str | None] = mapped_column(String(32))
    approved_at: Mapped[datetime | None]
    posted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ResponsePromise(Base):
    """An answer promised to someone on the client's side, by a deadline in business hours."""

    __tablename__ = "response_promise"
    __table_args__ = (
        UniqueConstraint("channel_id", "message_ts"),
        Index("ix_response_promise_open", "state", "warn_at"),
        Index("ix_response_promise_alert_at", "alert_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    user_name: Mapped[str] = mapped_column(String(200))
    excerpt: Mapped[str] = mapped_column(Text, default="")
    acknowledged: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime]
    warn_at: Mapped[datetime]
    deadline: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="open")
    warned_at: Mapped[datetime | None]
    overdue_alerted_at: Mapped[datetime | None]
    alert_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(32))


class OwedItem(Base):
    """Something the client owes us (content, access, a decision), with its due date."""

    __tablename__ = "owed_item"
    __table_args__ = (Index("ix_owed_item_remind", "state", "next_reminder_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date]
    blocks_milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default="open")
    next_reminder_at: Mapped[datetime]
    reminders: Mapped[int] = mapped_column(default=0)
    last_reminded_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    received_by: Mapped[str | None] = mapped_column(String(32))
    received_via: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class Checkin(Base):
    """A post-delivery "how did it go?" for one milestone, or the wrap-up for the whole project."""

    __tablename__ = "checkin"
    __table_args__ = (
        UniqueConstraint("project_id", "subject"),
        Index("ix_checkin_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16), default="milestone")
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="scheduled")
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class SurveyVote(Base):
    """One person's answer to a check-in: a score from 1 (😞) to 4 (😍) and maybe a comment."""

    __tablename__ = "survey_vote"
    __table_args__ = (UniqueConstraint("checkin_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkin.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    user_name: Mapped[str] = mapped_column(String(200))
    score: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    voted_at: Mapped[datetime]
    changed_at: Mapped[datetime | None]
