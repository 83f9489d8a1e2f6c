"""A workspace that took expect away: paused (nothing is posted, its data is kept), resumed when it installs
again, and purged once it has stayed away longer than the retention period.

Posts still waiting when the workspace left are held (`paused`). On reinstall, those whose time passed more than
the weekly update's grace period ago are news no more and are cancelled (a weekly update that missed its slot
folds into the next one, as it does after any outage); the rest go out. A send that was in doubt goes back to
being settled from the channel's history, so it is never posted twice.
"""
from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.domain import history, lifecycle, tenancy
from bot.domain.projects import business_hours
from bot.domain.updates import GRACE
from bot.models import Base, OutboxMessage, Project, SendBudget, WeeklyUpdate, WorkspacePause

log = logging.getLogger(__name__)

PAUSED = "paused"
HELD = "workspace paused"
HELD_IN_DOUBT = "workspace paused while in doubt"
STALE = "stale after the workspace came back"
REASONS = ("app_uninstalled", "tokens_revoked")


def pause(session: Session, *, team_id: str, enterprise_id: str | None = None, reason: str, now: datetime) -> bool:
    """Stop all posting for the workspace and keep its data; False if it was already paused (nothing changes)."""
    if session.get(WorkspacePause, team_id) is not None:
        return False
    session.add(WorkspacePause(team_id=team_id, enterprise_id=enterprise_id, reason=reason, paused_at=now))
    for project in session.scalars(select(Project).where(Project.team_id == team_id, Project.status == "active")):
        project.status = PAUSED
        history.record(session, project=project, kind="project.paused", at=now, reason=reason)
    session.execute(update(OutboxMessage).where(OutboxMessage.project_id.in_(_projects_of(team_id)),
                                                OutboxMessage.state == "pending")
                    .values(state=PAUSED, error=HELD))
    log.info("workspace %s paused (%s)", team_id, reason)
    return True


def pause_enterprise(session: Session, *, enterprise_id: str, reason: str, now: datetime) -> list[str]:
    """The Grid org took away its org-wide install: every workspace of the org with projects pauses (as `pause`
    does); returns the workspaces newly paused."""
    with tenancy.serving(None):  # the org's event reaches all its workspaces, whichever one Slack names in it
        teams = list(session.scalars(select(Project.team_id).where(Project.enterprise_id == enterprise_id)
                                     .distinct().order_by(Project.team_id)))
        return [team for team in teams
                if pause(session, team_id=team, enterprise_id=enterprise_id, reason=reason, now=now)]


def hold(row: OutboxMessage) -> None:
    """Keep a post of a paused workspace from going out (the Dispatcher calls this instead of sending)."""
    row.error = HELD if row.state == "pending" else HELD_IN_DOUBT
    row.state = PAUSED


def is_paused(session: Session, team_id: str) -> bool:
    return session.get(WorkspacePause, team_id) is not None


def any_paused(session: Session) -> bool:
    return session.scalar(select(WorkspacePause.team_id).limit(1)) is not None


def resume(session: Session, *, team_id: str, now: datetime) -> Counter | None:
    """The workspace installed expect again: its projects go on. None if it was not paused."""
    paused = session.get(WorkspacePause, team_id)
    if paused is None:
        return None
    session.delete(paused)
    counts = Counter()
    projects = {p.id: p for p in session.scalars(select(Project).where(Project.team_id == team_id))}
    for project in projects.values():
        if project.status == PAUSED:
            project.status = "active"
            history.record(session, project=project, kind="project.resumed", at=now,
                           paused_at=paused.paused_at, reason=paused.reason)
            counts["projects"] += 1
    held = session.scalars(select(OutboxMessage).where(OutboxMessage.project_id.in_(projects),
                                                       OutboxMessage.state == PAUSED))
    for row in held:
        counts[_release(session, row, projects[row.project_id], now)] += 1
    log.info("workspace %s resumed after a pause since %s: %s", team_id, paused.paused_at.isoformat(), dict(counts))
    return counts


def resume_enterprise(session: Session, *, enterprise_id: str, now: datetime) -> Counter | None:
    """The Grid org installed expect org-wide again: every paused workspace of the org goes on. None if none was."""
    teams = list(session.scalars(select(WorkspacePause.team_id).where(WorkspacePause.enterprise_id == enterprise_id)))
    if not teams:
        return None
    return sum((resume(session, team_id=team, now=now) for team in teams), Counter())


def _release(session: Session, row: OutboxMessage, project: Project, now: datetime) -> str:
    if row.error == HELD_IN_DOUBT:
        row.state, row.error = "unknown", None
        return "in_doubt"
    if row.not_before < now - GRACE:
        row.state, row.error = "cancelled", STALE
        session.execute(update(WeeklyUpdate).where(WeeklyUpdate.outbox_id == row.id, WeeklyUpdate.state == "queued")
                        .values(state="missed"))
        return "stale"
    ready = max(row.not_before, now)
    row.state, row.error = "pending", None
    row.not_before = business_hours(project).next_open(ready) if row.client_visible and not row.urgent else ready
    return "requeued"


def expired(session: Session, *, now: datetime, retention: timedelta) -> list[WorkspacePause]:
    """Workspaces paused for longer than `retention`: their data is due to be purged."""
    return list(session.scalars(select(WorkspacePause).where(WorkspacePause.paused_at <= now - retention)
                                .order_by(WorkspacePause.paused_at)))


def purge(session: Session, *, team_id: str) -> Counter:
    """Delete every row of the workspace: projects and all that hangs off them, then each team-keyed table."""
    counts = Counter()
    for project_id in list(session.scalars(_projects_of(team_id))):
        lifecycle.forget(session, project_id=project_id, team_id=team_id, by="retention")
        counts["projects"] += 1
    for table in reversed(Base.metadata.sorted_tables):
        if "team_id" in table.c:
            counts[table.name] += session.execute(delete(table).where(table.c.team_id == team_id)).rowcount
    counts["send_budget"] += session.execute(delete(SendBudget).where(
        or_(SendBudget.key == team_id, SendBudget.key.startswith(f"{team_id}:", autoescape=True)))).rowcount
    log.info("purged workspace %s after its retention period: %s", team_id, dict(counts))
    return +counts


def _projects_of(team_id: str):
    return select(Project.id).where(Project.team_id == team_id)
