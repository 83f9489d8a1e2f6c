"""Workspaces that took expect away (uninstalled, or revoked its bot token): their data waits out the retention."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class WorkspacePause(Base):
    """One paused workspace: nothing is posted for it; reinstalling resumes it, the retention's end purges it."""

    __tablename__ = "workspace_pause"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    paused_at: Mapped[datetime] = mapped_column(index=True)
