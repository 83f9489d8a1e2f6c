"""Links from milestones to the trackers the team works in, and the items an update may mention."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base
from bot.models.projects import Milestone


class TrackerLink(Base):
    """A milestone whose progress, finished work and date come from a tracker (one link per milestone)."""

    __tablename__ = "tracker_link"
    __table_args__ = (
        UniqueConstraint("milestone_id"),
        Index("ix_tracker_link_due", "next_sync_at"),
        Index("ix_tracker_link_target", "kind", "target", "ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(200))
    ref: Mapped[str] = mapped_column(String(200))
    ref_title: Mapped[str] = mapped_column(String(300))
    eligible: Mapped[str] = mapped_column(String(100), default="client-visible")
    etag: Mapped[str | None] = mapped_column(String(200))
    remote_due: Mapped[date | None]
    next_sync_at: Mapped[datetime]
    last_synced_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]

    milestone: Mapped[Milestone] = relationship()


class UpdateItem(Base):
    """Something finished (from a tracker) or highlighted (starred in Slack) for the next weekly update.

    `update_id` is the update that carried it; it counts as told once that update is posted. `original_text` is
    what it said before the owner edited it; `link_id` the tracker link it came from."""

    __tablename__ = "update_item"
    __table_args__ = (
        UniqueConstraint("project_id", "key"),
        Index("ix_update_item_open", "project_id", "update_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    original_text: Mapped[str | None] = mapped_column(Text)
    edited_by: Mapped[str | None] = mapped_column(String(32))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("tracker_link.id", ondelete="SET NULL"))
    happened_at: Mapped[datetime]
    hidden: Mapped[bool] = mapped_column(default=False)
    update_id: Mapped[int | None] = mapped_column(ForeignKey("weekly_update.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
