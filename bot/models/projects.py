"""Projects, their milestones and every move of a milestone's date."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base
from bot.models.calendar import Closure

RECHECK = datetime(1970, 1, 1, tzinfo=timezone.utc)


class Project(Base):
    __tablename__ = "project"
    __table_args__ = (
        UniqueConstraint("team_id", "slug"),
        Index("ix_project_due", "status", "next_update_at"),
        Index("ix_project_preview_due", "status", "next_preview_at"),
        Index("ix_project_listed", "team_id", "status", "slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    enterprise_id: Mapped[str | None] = mapped_column(String(32))  # an Enterprise Grid's, when installed there
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    client_name: Mapped[str | None] = mapped_column(String(200))
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    internal_channel_id: Mapped[str | None] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(32))
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    lang: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    cadence_weekday: Mapped[int] = mapped_column(default=0)
    cadence_time: Mapped[str] = mapped_column(String(5), default="10:00")
    respond_within: Mapped[str] = mapped_column(String(8), default="1d")
    approval_mode: Mapped[str] = mapped_column(String(16), default="auto")
    preview_lead_hours: Mapped[int] = mapped_column(default=24)
    business_days: Mapped[str] = mapped_column(String(7), default="12345")
    business_start: Mapped[str] = mapped_column(String(5), default="09:00")
    business_end: Mapped[str] = mapped_column(String(5), default="18:00")
    weekly_budget: Mapped[int] = mapped_column(default=3)
    health_override: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="active")
    attention: Mapped[str | None] = mapped_column(Text)
    auto_ack: Mapped[bool] = mapped_column(default=True)
    scope_include: Mapped[str | None] = mapped_column(Text)
    scope_exclude: Mapped[str | None] = mapped_column(Text)
    holidays: Mapped[str | None] = mapped_column(String(16))
    highlight_emoji: Mapped[str] = mapped_column(String(64), default="star", server_default="star")
    chart: Mapped[bool] = mapped_column(default=False, server_default=false())
    chart_file_id: Mapped[str | None] = mapped_column(String(32))
    chart_at: Mapped[datetime | None]
    next_update_at: Mapped[datetime | None]
    next_preview_at: Mapped[datetime | None]
    last_update_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]

    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project", order_by="Milestone.number", cascade="all, delete-orphan"
    )
    closures: Mapped[list[Closure]] = relationship(
        order_by="(Closure.start_date, Closure.id)", cascade="all, delete-orphan", lazy="selectin"
    )


class Milestone(Base):
    __tablename__ = "milestone"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        Index("ix_milestone_open_due", "state", "due_date"),
        Index("ix_milestone_check", "state", "check_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date]
    due_date: Mapped[date]
    baseline_due_date: Mapped[date]
    progress: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(16), default="open")
    risk_note: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    check_at: Mapped[datetime] = mapped_column(default=RECHECK, server_default="1970-01-01 00:00:00")

    project: Mapped[Project] = relationship(back_populates="milestones")
    moves: Mapped[list[MilestoneMove]] = relationship(
        back_populates="milestone", order_by="MilestoneMove.id", cascade="all, delete-orphan"
    )


class MilestoneMove(Base):
    __tablename__ = "milestone_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id", ondelete="CASCADE"), index=True)
    old_date: Mapped[date]
    new_date: Mapped[date]
    reason: Mapped[str | None] = mapped_column(Text)
    impact: Mapped[str | None] = mapped_column(Text)
    client_notified: Mapped[bool] = mapped_column(default=False)
    lead_days: Mapped[int | None]
    moved_by: Mapped[str] = mapped_column(String(32))
    moved_at: Mapped[datetime]

    milestone: Mapped[Milestone] = relationship(back_populates="moves")


RECHECK_FIELDS = ("state", "progress", "start_date", "due_date", "risk_note")


def _recheck(milestone: Milestone, *_) -> None:
    """A change to anything its delay state depends on: delay detection looks at it again on the next tick."""
    milestone.check_at = RECHECK


for _field in RECHECK_FIELDS:
    event.listen(getattr(Milestone, _field), "set", _recheck)
