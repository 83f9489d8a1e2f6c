"""A project's timeline as facts (baseline and current dates, moves and their reasons, done or open) and in words.

The picture is drawn from the same facts (bot/chart.py), so the alt text says what the picture shows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.projects import local_today
from bot.models import Project

WORDS_LIMIT = 1900  # Slack's alt_text allows 2000 characters
FRESH = timedelta(days=7)


@dataclass(frozen=True)
class Move:
    old: date
    new: date
    reason: str | None
    announced: bool


@dataclass(frozen=True)
class Bar:
    title: str
    start: date
    baseline: date
    due: date
    done: date | None
    moves: tuple[Move, ...]


@dataclass(frozen=True)
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


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def in_words(timeline: Timeline) -> str:
    """What the picture shows, for people who cannot see it (an image block's alt text)."""
    parts = [f"Timeline of {timeline.name} on {_day(timeline.today)}."]
    if not timeline.bars:
        parts.append("No milestones yet.")
    for bar in timeline.bars:
        state = f"done on {_day(bar.done)}" if bar.done else (
            f"open, due {_day(bar.due)}" + (" (overdue)" if bar.due < timeline.today else ""))
        line = f"{bar.title}: {state}"
        if bar.baseline != bar.due:
            line += f", first planned for {_day(bar.baseline)}"
        for move in bar.moves:
            line += f"; moved {_day(move.old)} to {_day(move.new)}" + (f" ({move.reason})" if move.reason else "")
        parts.append(line + ".")
    text = " ".join(parts)
    return text if len(text) <= WORDS_LIMIT else text[:WORDS_LIMIT - 1] + "…"


def chart_for_update(project: Project, now: datetime) -> tuple[str, str] | None:
    """(file id, alt text) of the project's uploaded timeline for its weekly update, when chart=on and fresh."""
    if not project.chart or not project.chart_file_id or not project.chart_at or now - project.chart_at > FRESH:
        return None
    return project.chart_file_id, in_words(timeline_of(project, now))
