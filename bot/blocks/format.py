"""Small text pieces shared by the builders."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

HEALTH_EMOJI = {"on_track": ":large_green_circle:", "at_risk": ":large_yellow_circle:", "off_track": ":red_circle:"}
HEALTH_WORDS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}
STATE_EMOJI = {"done": ":white_check_mark:", "overdue": ":red_circle:", "at_risk": ":large_yellow_circle:",
               "on_track": ":large_green_circle:"}


def date_token(day: date, tz: ZoneInfo) -> str:
    """A due date every reader sees in their own locale; noon local avoids a day shift across zones."""
    stamp = int(datetime.combine(day, time(12), tzinfo=tz).timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}}|{day.strftime('%a %-d %b %Y')}>"


def instant_token(at: datetime) -> str:
    """An instant shown in each reader's own time zone."""
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} at {{time}}|{at.strftime('%Y-%m-%d %H:%M UTC')}>"


def progress_bar(percent: int, width: int = 10) -> str:
    filled = round(width * max(0, min(100, percent)) / 100)
    return "▰" * filled + "▱" * (width - filled) + f" {percent}%"


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    element = {"type": "button", "text": {"type": "plain_text", "text": text, "emoji": True},
               "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def reply(text: str, blocks: list | None = None) -> dict:
    """An ephemeral answer to a slash command."""
    body = {"response_type": "ephemeral", "text": text}
    if blocks:
        body["blocks"] = blocks
    return body
