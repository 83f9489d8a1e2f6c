"""Small text pieces shared by the builders."""
from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.i18n import N_, _, _n, date_text, instant_text, plain
from bot.i18n import percent as percent_text
from bot.mrkdwn import Markup, escape

HEALTH_EMOJI = {"on_track": ":large_green_circle:", "at_risk": ":large_yellow_circle:", "off_track": ":red_circle:"}
HEALTH_WORDS = {"on_track": N_("On track"), "at_risk": N_("At risk"), "off_track": N_("Off track")}
STATE_EMOJI = {"done": ":white_check_mark:", "overdue": ":red_circle:", "at_risk": ":large_yellow_circle:",
               "on_track": ":large_green_circle:"}
TEXT_LIMIT, MAX_BLOCKS = 3000, 50
_TOKEN = re.compile(r"<[^<>\n]*>|&(?:amp|lt|gt);")


def date_token(day: date, tz: ZoneInfo) -> Markup:
    """A due date every reader sees in their own locale; noon local avoids a day shift across zones."""
    stamp = int(datetime.combine(day, time(12), tzinfo=tz).timestamp())
    return Markup(f"<!date^{stamp}^{{date_short_pretty}}|{escape(date_text(day))}>")


def instant_token(at: datetime) -> Markup:
    """An instant shown in each reader's own time zone."""
    # Translators: the format of a Slack date token: Slack puts the date and the time in the reader's own
    # locale. Keep {date} and {time} as they are.
    shown = plain("{date} at {time}", date="{date_short_pretty}", time="{time}")
    return Markup(f"<!date^{int(at.timestamp())}^{escape(shown)}|{escape(instant_text(at))}>")


def progress_bar(percent: int, width: int = 10) -> str:
    """Progress as a bar and a percentage in the language being rendered."""
    filled = round(width * max(0, min(100, percent)) / 100)
    return "▰" * filled + "▱" * (width - filled) + f" {percent_text(percent)}"


def section(text: str) -> dict:
    """A mrkdwn section; plain `str` is escaped. Longer than Slack allows, it is split by `fit`."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": str(escape(text))}}


def context(text: str) -> dict:
    """A mrkdwn context line; plain `str` is escaped."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": str(escape(text))}]}


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """mrkdwn in pieces of at most `limit` characters, cut at a newline (else a space) and never inside a
    `<…>` token or an `&…;` entity."""
    pieces = []
    while len(text) > limit:
        inside = set()
        for match in _TOKEN.finditer(text):
            if match.start() >= limit:
                break
            inside.update(range(match.start() + 1, match.end()))
        safe = [at for at in range(limit, 0, -1) if at not in inside]
        late = [at for at in safe if at > limit // 2]
        cut = next((at for at in late if text[at - 1] == "\n"), None) \
            or next((at for at in late if text[at - 1] == " "), None) or (safe[0] if safe else limit)
        pieces.append(text[:cut].rstrip("\n"))
        text = text[cut:]
    return [*pieces, text]


def shorten(text: str, limit: int = TEXT_LIMIT) -> str:
    """mrkdwn cut to `limit` characters at a safe point, with an ellipsis when anything was cut."""
    if len(text) <= limit:
        return text
    return split_text(text, limit - 1)[0] + "…"


def _flowed(block: dict) -> list[dict]:
    if block.get("type") == "section" and "fields" not in block and "accessory" not in block \
            and len(block["text"]["text"]) > TEXT_LIMIT:
        return [{**block, "text": {**block["text"], "text": piece}} for piece in split_text(block["text"]["text"])]
    if block.get("type") == "context" and any(len(e.get("text", "")) > TEXT_LIMIT for e in block["elements"]):
        return [{"type": "context", "elements": [{"type": "mrkdwn", "text": piece}]}
                for e in block["elements"] for piece in split_text(e.get("text", ""))]
    return [block]


def fit(blocks: list[dict], limit: int = MAX_BLOCKS) -> list[dict]:
    """Blocks within Slack's limits: long text flows into more blocks; past `limit` blocks, text blocks are
    dropped from the end (buttons and headers stay) and a last line says so."""
    flowed = [piece for block in blocks for piece in _flowed(block)]
    if len(flowed) <= limit:
        return flowed
    keep = {"actions", "header", "input"}
    room = limit - 1 - sum(1 for b in flowed if b.get("type") in keep)
    kept, dropped = [], 0
    for block in flowed:
        if block.get("type") in keep or room > 0:
            room -= block.get("type") not in keep
            kept.append(block)
        else:
            dropped += 1
    return [*kept, context(_n("…and {n} more part, left out to fit Slack's limits.",
                              "…and {n} more parts, left out to fit Slack's limits.", dropped))]


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    element = {"type": "button", "text": {"type": "plain_text", "text": text, "emoji": True},
               "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def reply(text: str, blocks: list | None = None) -> dict:
    """An ephemeral answer to a slash command; plain `str` is escaped."""
    body = {"response_type": "ephemeral", "text": Markup(shorten(escape(text)))}
    if blocks:
        body["blocks"] = fit(blocks)
    return body
