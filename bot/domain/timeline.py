"""A project's timeline as facts: baseline and current dates, moves and their reasons, done or open.

The picture (bot/chart.py) and its words (bot/blocks/timeline.py) are drawn from the same facts, so the alt text
says what the picture shows.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.domain.content import content
from bot.domain.projects import local_today
from bot.models import Project

FRESH = timedelta(days=7)


@content
class Move:
    old: date
    new: date
    reason: str | None
    announced: bool


@content
class Bar:
    title: str
    start: date
    baseline: date
    due: date
    done: date | None
    moves: tuple[Move, ...]


@content
class Timeline:
    name: str
    today: date
    bars: tuple[Bar, ...]


def timeline_of(project: Project, now: datetime) -> Timeline:
    """The facts of `project`'s timeline as of `now` (its milestones and their moves loaded)."""
    zone_today = local_today(project, now)
    bars = tuple(
        Bar(m.title, m.start_date, m.baseline_due_date, m.due_date,
            local_today(project, m.done_at) if m.state == "done" and m.done_at else None,
            tuple(Move(mv.old_date, mv.new_date, mv.reason, mv.client_notified) for mv in m.moves))
        for m in sorted(project.milestones, key=lambda m: (m.due_date, m.number))
    )
    return Timeline(project.name, zone_today, bars)


def chart_for_update(project: Project, now: datetime) -> tuple[str, Timeline] | None:
    """(file id, timeline) of the project's uploaded picture for its weekly update, when chart=on and fresh."""
    if not project.chart or not project.chart_file_id or not project.chart_at or now - project.chart_at > FRESH:
        return None
    return project.chart_file_id, timeline_of(project, now)
