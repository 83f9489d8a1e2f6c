"""Highlights picked in Slack: a team member's star (the project's emoji) on a message in the internal channel.

The highlight stays while any team member's star remains on the message, follows the message's edits (unless the
owner reworded it) and goes when the message is deleted.
"""
from __future__ import annotations

from datetime import datetime, timezone

from slack_bolt import App

from bot.domain import update_items
from bot.domain.errors import NotAllowed
from bot.listeners.common import ensure_team_member
from bot.listeners.events import MESSAGE_HANDLERS, REACTION_HANDLERS, REACTION_REMOVED_HANDLERS
from bot.mrkdwn import unescape
from bot.services import Services


def _team_member(services: Services, user_id: str, team_id: str | None = None) -> bool:
    try:
        ensure_team_member(services, user_id=user_id, team_id=team_id)
    except NotAllowed:
        return False
    return True


def _starred(services: Services, session, event: dict) -> tuple[list, str, str] | None:
    """(projects, channel, ts) when a team member's reaction is a project's highlight emoji in its internal channel."""
    item = event.get("item") or {}
    channel, ts = item.get("channel", ""), item.get("ts", "")
    if item.get("type") != "message" or not channel or not ts:
        return None
    projects = update_items.projects_watching(session, channel, event.get("reaction", ""))
    if not projects or not _team_member(services, event.get("user", ""), event.get("user_team")):
        return None
    return projects, channel, ts


def _still_starred(services: Services, message: dict | None, emoji: str, *, but: str) -> bool:
    """Whether a team member other than `but` (whose star was just taken back) still has `emoji` on the message."""
    users = {user for reaction in (message or {}).get("reactions", [])
             if reaction.get("name", "").split("::")[0] == emoji for user in reaction.get("users", [])}
    return any(_team_member(services, user) for user in sorted(users - {but}))


def add_starred_highlight(*, services: Services, session, event: dict, now: datetime, **_) -> None:
    found = _starred(services, session, event)
    if found is None:
        return
    projects, channel, ts = found
    text = update_items.highlight_text(unescape(services.gateway.message_text(channel, ts) or ""))
    if not text:
        return
    at = datetime.fromtimestamp(float(ts), tz=timezone.utc)
    for project in projects:
        update_items.add_highlight(session, project=project, key=update_items.slack_key(channel, ts), text=text,
                                   at=at, now=now)


def remove_starred_highlight(*, services: Services, session, event: dict, now: datetime, **_) -> None:
    found = _starred(services, session, event)
    if found is None:
        return
    projects, channel, ts = found
    message = services.gateway.message(channel, ts)
    for project in projects:
        if not _still_starred(services, message, project.highlight_emoji, but=event.get("user", "")):
            update_items.remove_highlight(session, project=project, key=update_items.slack_key(channel, ts), now=now)


def follow_starred_message(*, session, event: dict, now: datetime, **_) -> None:
    """message_changed / message_deleted in a channel: a highlight of that message follows it."""
    subtype, channel = event.get("subtype"), event.get("channel", "")
    if subtype == "message_changed" and isinstance(event.get("message"), dict):
        message = event["message"]
        text = update_items.highlight_text(unescape(message.get("text") or ""))
        update_items.follow_message(session, channel=channel, ts=message.get("ts", ""), text=text, now=now)
    elif subtype == "message_deleted" and event.get("deleted_ts"):
        update_items.follow_message(session, channel=channel, ts=event["deleted_ts"], text=None, now=now)


def register(app: App, services: Services) -> None:
    if add_starred_highlight not in REACTION_HANDLERS:
        REACTION_HANDLERS.append(add_starred_highlight)
        REACTION_REMOVED_HANDLERS.append(remove_starred_highlight)
        MESSAGE_HANDLERS.append(follow_starred_message)
