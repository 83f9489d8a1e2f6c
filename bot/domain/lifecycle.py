"""The end of a project: archive (nothing more is sent, the data stays), unarchive, and forget (every row goes)."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.domain import history, outbox, tenancy
from bot.domain.content import dump
from bot.domain.errors import UserError
from bot.domain.posts import ProjectArchived, ProjectFacts
from bot.models import Base, Milestone, MilestoneMove, OutboxMessage, Project
from bot.models.expectations import Checkin, SurveyVote
from bot.models.history import HistoryEvent
from bot.mrkdwn import code, fmt

ARCHIVED_KIND = "archived"
log = logging.getLogger(__name__)


def archive(session: Session, *, project: Project, by: str, now: datetime) -> OutboxMessage:
    """Stop everything for the project: pending posts are cancelled, jobs skip it; the client is told once."""
    if project.status == "archived":
        raise UserError(fmt("*{name}* is already archived. {unarchive} brings it back.", name=project.name,
                            unarchive=code(f"/expect unarchive {project.slug}")))
    project.status = "archived"
    session.execute(update(OutboxMessage).where(OutboxMessage.project_id == project.id,
                                                OutboxMessage.state == "pending").values(state="cancelled",
                                                                                          error="archived"))
    times = session.scalar(select(func.count()).where(HistoryEvent.project_id == project.id,
                                                       HistoryEvent.kind == "project.archived")) or 0
    history.record(session, project=project, kind="project.archived", at=now, actor=by)
    return outbox.enqueue(session, project=project, kind=ARCHIVED_KIND, period_key=f"archive:{times + 1}",
                          payload={"content": dump(ProjectArchived(ProjectFacts.of(project)))}, now=now, urgent=True)


def unarchive(session: Session, *, project: Project, by: str, now: datetime) -> None:
    """Bring an archived project back: its jobs and posts start again from now."""
    if project.status != "archived":
        raise UserError(fmt("*{name}* is not archived.", name=project.name))
    project.status = "active"
    history.record(session, project=project, kind="project.unarchived", at=now, actor=by)


def is_archived(project) -> bool:
    """Whether posts for this project (a Project or a row with its status; None if gone) must no longer go out
    (its archive notice aside)."""
    return project is not None and project.status == "archived"


def archived_projects(session: Session, team_id: str) -> list[Project]:
    return list(session.scalars(select(Project).where(Project.team_id == team_id, Project.status == "archived")
                                .order_by(Project.slug)))


def forget(session: Session, *, project_id: int, team_id: str, by: str) -> str | None:
    """Delete the project and every row about it; returns its name (None if it was already gone)."""
    project = session.scalar(select(Project).where(Project.id == project_id, Project.team_id == team_id))
    if project is None:
        return None
    name = project.name
    milestones = select(Milestone.id).where(Milestone.project_id == project_id).scalar_subquery()
    checkins = select(Checkin.id).where(Checkin.project_id == project_id).scalar_subquery()
    posts = select(OutboxMessage.id).where(OutboxMessage.project_id == project_id).scalar_subquery()
    session.execute(delete(MilestoneMove).where(MilestoneMove.milestone_id.in_(milestones)))
    session.execute(delete(SurveyVote).where(SurveyVote.checkin_id.in_(checkins)))
    session.execute(update(OutboxMessage).where(OutboxMessage.thread_of_id.in_(posts)).values(thread_of_id=None))
    models = tenancy.tenant_mappers()  # ORM deletes: the tenant guard filters them, it refuses Core ones
    for table in reversed(Base.metadata.sorted_tables):
        if "project_id" in table.c:
            model = models[table].class_
            session.execute(delete(model).where(model.project_id == project_id))
    session.expunge(project)
    session.execute(delete(Project).where(Project.id == project_id))
    log.info("forgot project %s (%s) of team %s at the request of %s", project_id, name, team_id, by)
    return name
