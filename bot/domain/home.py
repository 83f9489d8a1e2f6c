"""What one person's App Home shows: the projects they own, worst scorecard first, then the rest of the workspace."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.domain.scorecard import DEFAULT_WEEKS, Period, Scorecard, by_attention, scorecards, team_summary
from bot.models import Project

MINE_LIMIT = 20
OTHERS_LIMIT = 25
SCORED_LIMIT = 2000  # projects whose scorecards feed the ordering and the team-wide summary


@dataclass
class HomeProjects:
    mine: list[Project]
    mine_total: int
    others: list[Project]
    others_total: int
    cards: dict[int, Scorecard] = field(default_factory=dict)
    team: Scorecard | None = None
    scored: int = 0
    weeks: int = DEFAULT_WEEKS


def home_projects(session: Session, *, team_id: str, user_id: str, now: datetime | None = None) -> HomeProjects:
    """The active projects `user_id` owns (worst scorecard first) and a first page of the others, with their
    milestones loaded; with `now`, the scorecards of the last weeks and the team-wide summary."""
    active = (Project.team_id == team_id) & (Project.status == "active")

    def count(condition) -> int:
        return session.scalar(select(func.count()).select_from(Project).where(active, condition)) or 0

    def loaded(ids: list[int]) -> dict[int, Project]:
        return {p.id: p for p in session.scalars(
            select(Project).where(Project.id.in_(ids)).options(selectinload(Project.milestones)))}

    others = list(session.scalars(select(Project).where(active, Project.owner_id != user_id)
                                  .options(selectinload(Project.milestones)).order_by(Project.name).limit(OTHERS_LIMIT)))
    if now is None:
        mine = list(session.scalars(select(Project).where(active, Project.owner_id == user_id)
                                    .options(selectinload(Project.milestones)).order_by(Project.name).limit(MINE_LIMIT)))
        return HomeProjects(mine, count(Project.owner_id == user_id), others, count(Project.owner_id != user_id))
    scored = list(session.scalars(select(Project).where(active).order_by(Project.id).limit(SCORED_LIMIT)))
    cards = scorecards(session, scored, Period.weeks_before(now), now=now)
    worst = [p.id for p in by_attention([p for p in scored if p.owner_id == user_id], cards)[:MINE_LIMIT]]
    by_id = loaded(worst)
    return HomeProjects([by_id[i] for i in worst], count(Project.owner_id == user_id), others,
                        count(Project.owner_id != user_id), cards, team_summary(list(cards.values())), len(scored))
