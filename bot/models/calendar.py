"""The team's own closed days: closures of a project, and time off of a person (with who stands in)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class Closure(Base):
    """Days (inclusive, in the project's zone) when the team is closed for one project."""

    __tablename__ = "closure"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class TimeOff(Base):
    """A team member away from `start_date` to `end_date` (inclusive); `backup_id` receives what they would."""

    __tablename__ = "time_off"
    __table_args__ = (Index("ix_time_off_user", "team_id", "user_id", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date]
    end_date: Mapped[date]
    backup_id: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
