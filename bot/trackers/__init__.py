"""Clients of the trackers teams already work in (GitHub); the rules that use them live in bot/domain/trackers.py."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models.trackers import TrackerLink
from bot.settings import Settings, missing_tracker_setting


def missing_settings(session: Session, settings: Settings) -> list[str]:
    """One sentence per tracker that has links but lacks its credentials (the start-up check prints them)."""
    problems = []
    for kind, count in session.execute(select(TrackerLink.kind, func.count()).group_by(TrackerLink.kind)):
        missing = missing_tracker_setting(settings, kind)
        if missing:
            problems.append(f"{missing} is not set, so {count} milestone link(s) to {kind} will not sync")
    return problems


def clients_for(settings: Settings) -> dict:
    """A client for every tracker whose credentials are set."""
    from bot.trackers.github import from_settings
    return {"github": from_settings(settings)} if settings.github_token else {}
