"""Highlights picked in Slack: a team member's star (the project's emoji) on a message in the internal channel."""
from __future__ import annotations

from datetime import datetime, timezone

from slack_bolt import App

from bot.domain import update_items
from bot.domain.errors import NotAllowed
from bot.listeners.common import ensure_team_member
from bot.listeners.events import REACTION_HANDLERS, REACTION_REMOVED_HANDLERS
from bot.mrkdwn import unescape
from bot.services import Services

HIGHLIGHT_LIMIT = 1000


def _starred(services: Services, session, event: dict) -> tuple[list, str, str] | None:
    """(projects, channel, ts) when a team member's reaction is a project's highlight emoji in its internal channel."""
    item = event.get("item") or {}
    channel, ts = item.get("channel", ""), item.get("ts", "")
    if item.get("type") != "message" or not channel or not ts:
        return None
    projects = update_items.projects_watching(session, channel, event.get("reaction", ""))
    if not projects:
        return None
    try:
        ensure_team_member(services, user_id=event.get("user", ""), team_id=event.get("user_team"))
    except NotAllowed:
        return None
    return projects, channel, ts


def add_starred_highlight(*, services: Services, session, event: dict, now: datetime, **_) -> None:
    found = _starred(services, session, event)
    if found is None:
        return
    projects, channel, ts = found
    text = unescape(services.gateway.message_text(channel, ts) or "").strip()[:HIGHLIGHT_LIMIT].strip()
    if not text:
        return
    at = datetime.fromtimestamp(float(ts), tz=timezone.utc)
    for project in projects:
        update_items.add_highlight(session, project=project, key=f"slack:{channel}:{ts}", text=text, at=at, now=now)


def remove_starred_highlight(*, services: Services, session, event: dict, **_) -> None:
    found = _starred(services, session, event)
    if found is None:
        return
    projects, channel, ts = found
    for project in projects:
        update_items.remove_highlight(session, project=project, key=f"slack:{channel}:{ts}")


def register(app: App, services: Services) -> None:
    if add_starred_highlight not in REACTION_HANDLERS:
        REACTION_HANDLERS.append(add_starred_highlight)
        REACTION_REMOVED_HANDLERS.append(remove_starred_highlight)
