"""Delay alerts the team answers, and the delay notices the client reads."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event, inspect, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from bot.models.base import Base
from bot.models.projects import RECHECK, Milestone, Project


class DelayNotice(Base):
    """One client post announcing one or more moved dates (moves close together are folded into one)."""

    __tablename__ = "delay_notice"
    __table_args__ = (Index("ix_delay_notice_sent_at", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    urgent: Mapped[bool] = mapped_column(default=False)
    items: Mapped[list] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    client_ack_by: Mapped[str | None] = mapped_column(String(32))
    client_ack_at: Mapped[datetime | None]
    questions: Mapped[int] = mapped_column(default=0)

    project: Mapped[Project] = relationship()


class DelayAlert(Base):
    """An internal alert about one milestone's change of state: overdue or at risk."""

    __tablename__ = "delay_alert"
    __table_args__ = (
        UniqueConstraint("milestone_id", "key"),
        Index("ix_delay_alert_open", "state", "acknowledged_at"),
        Index("ix_delay_alert_message", "channel_id", "ts"),
        Index("ix_delay_alert_escalate", "state", "escalate_at"),
        Index("ix_delay_alert_ts", "ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16), default="schedule")
    state: Mapped[str] = mapped_column(String(16), default="open")
    reason: Mapped[str] = mapped_column(Text)
    proposal: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date]
    opened_at: Mapped[datetime]
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]
    escalation_level: Mapped[int] = mapped_column(default=0)
    escalate_from: Mapped[datetime]
    escalate_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None]
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("delay_notice.id"), index=True)
    history: Mapped[list] = mapped_column(JSON)

    project: Mapped[Project] = relationship()
    milestone: Mapped[Milestone] = relationship()
    notice: Mapped[DelayNotice | None] = relationship()


HOURS_FIELDS = ("tz", "business_days", "business_start", "business_end", "status")


def _hours_changed(project: Project) -> bool:
    state = inspect(project)
    touched = [key for key in HOURS_FIELDS if key in state.committed_state]  # only attributes set since load
    return any(state.attrs[key].history.has_changes() for key in touched)


@event.listens_for(Session, "before_flush")
def _recheck_projects(session: Session, _context, _instances) -> None:
    """A project's zone, business hours or status changed: look again at its milestones and waiting alerts."""
    changed = [project.id for project in session.dirty if isinstance(project, Project) and project.id is not None
               and _hours_changed(project)]
    if not changed:
        return
    connection = session.connection()
    milestones, alerts = Milestone.__table__, DelayAlert.__table__
    connection.execute(update(milestones).where(milestones.c.project_id.in_(changed), milestones.c.state == "open")
                       .values(check_at=RECHECK))
    connection.execute(update(alerts).where(alerts.c.project_id.in_(changed), alerts.c.state == "open",
                                            alerts.c.escalate_at.is_not(None))
                       .values(escalate_at=alerts.c.escalate_from))
