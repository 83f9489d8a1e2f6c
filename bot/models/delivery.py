"""The outbox every bot post goes through, weekly update records, and seen deliveries."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("project_id", "kind", "period_key"),
        Index("ix_outbox_ready", "state", "not_before"),
        Index("ix_outbox_channel_sent", "channel_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    period_key: Mapped[str] = mapped_column(String(80))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_of_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JSON)
    client_visible: Mapped[bool] = mapped_column(default=False)
    top_level: Mapped[bool] = mapped_column(default=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    not_before: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    ts: Mapped[str | None] = mapped_column(String(32))
    posted_channel_id: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class WeeklyUpdate(Base):
    __tablename__ = "weekly_update"
    __table_args__ = (
        UniqueConstraint("project_id", "period_key"),
        Index("ix_weekly_update_waiting", "state", "reminded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    period_key: Mapped[str] = mapped_column(String(32))
    scheduled_for: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="scheduled")
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime]


class SeenDelivery(Base):
    """A Slack event id or interaction key already handled: redeliveries stop here."""

    __tablename__ = "seen_delivery"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)


class SendBudget(Base):
    """One rate bucket (a workspace, or a channel of one) shared by every worker: see bot/slack/pacing.py."""

    __tablename__ = "send_budget"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    tat: Mapped[float] = mapped_column(Float)
