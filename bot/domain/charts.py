"""Timeline pictures waiting to be drawn: asked for by `/expect report`, or due before a chart=on weekly update."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from bot.domain.timeline import Timeline, timeline_of
from bot.models import Milestone, Project
from bot.models.charts import ChartRequest

UPDATE_LEAD = timedelta(hours=3)   # drawn this long before a chart=on update, so it is ready in its slot
STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 3


def request_chart(session: Session, *, project: Project, user_id: str, now: datetime) -> ChartRequest:
    """Ask the worker for `project`'s timeline in `user_id`'s DM."""
    row = ChartRequest(project_id=project.id, user_id=user_id, created_at=now)
    session.add(row)
    session.flush()
    session.info["chart_requested"] = True
    return row


def requested_in(session: Session) -> bool:
    return bool(session.info.pop("chart_requested", False))


def waiting_requests(session: Session, *, now: datetime, limit: int) -> list[int]:
    return list(session.scalars(select(ChartRequest.id).where(_claimable(now)).order_by(ChartRequest.id).limit(limit)))


def _claimable(now: datetime):
    """Waiting, or taken by a worker so long ago that it must have stopped drawing."""
    return or_(ChartRequest.state == "waiting",
               (ChartRequest.state == "drawing") & (ChartRequest.claimed_at < now - STALE_CLAIM))


def claim(session: Session, request_id: int, *, now: datetime) -> tuple[ChartRequest, Timeline] | None:
    """Take one request for this worker (None when another has it) with the timeline it draws."""
    taken = session.execute(update(ChartRequest).where(
        ChartRequest.id == request_id, ChartRequest.attempts < MAX_ATTEMPTS, _claimable(now),
    ).values(state="drawing", claimed_at=now, attempts=ChartRequest.attempts + 1)).rowcount
    if not taken:
        return None
    row = session.get(ChartRequest, request_id)
    return row, timeline_of(_loaded(session, row.project_id), now)


def finish(session: Session, request_id: int, *, file_id: str | None, error: str | None, now: datetime) -> None:
    row = session.get(ChartRequest, request_id)
    if row is None:
        return
    if file_id:
        row.state, row.file_id, row.done_at = "done", file_id, now
    else:
        row.state, row.error = ("failed" if row.attempts >= MAX_ATTEMPTS else "waiting"), error


def due_for_updates(session: Session, *, now: datetime, limit: int) -> list[tuple[int, Timeline]]:
    """chart=on projects whose next update is near and whose picture is older than this update's lead."""
    projects = session.scalars(select(Project).where(
        Project.status == "active", Project.chart.is_(True), Project.next_update_at <= now + UPDATE_LEAD,
    ).options(selectinload(Project.milestones).selectinload(Milestone.moves)).order_by(Project.id).limit(limit))
    return [(p.id, timeline_of(p, now)) for p in projects
            if p.chart_at is None or p.chart_at < p.next_update_at - UPDATE_LEAD]


def record_update_chart(session: Session, project_id: int, *, file_id: str, now: datetime) -> None:
    project = session.get(Project, project_id)
    if project is not None:
        project.chart_file_id, project.chart_at = file_id, now


def _loaded(session: Session, project_id: int) -> Project:
    return session.scalar(select(Project).where(Project.id == project_id)
                          .options(selectinload(Project.milestones).selectinload(Milestone.moves)))
