"""What one person's App Home shows: the projects they own first, then the rest of the workspace."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.models import Project

MINE_LIMIT = 20
OTHERS_LIMIT = 25


@dataclass
class HomeProjects:
    mine: list[Project]
    mine_total: int
    others: list[Project]
    others_total: int


def home_projects(session: Session, *, team_id: str, user_id: str) -> HomeProjects:
    """The active projects `user_id` owns and a first page of the others, with their milestones loaded."""
    active = (Project.team_id == team_id) & (Project.status == "active")

    def page(condition, limit: int) -> tuple[list[Project], int]:
        rows = session.scalars(select(Project).where(active, condition).options(selectinload(Project.milestones))
                               .order_by(Project.name).limit(limit))
        total = session.scalar(select(func.count()).select_from(Project).where(active, condition))
        return list(rows), total or 0

    mine, mine_total = page(Project.owner_id == user_id, MINE_LIMIT)
    others, others_total = page(Project.owner_id != user_id, OTHERS_LIMIT)
    return HomeProjects(mine, mine_total, others, others_total)
