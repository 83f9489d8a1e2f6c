"""User text made safe for a client channel, and Slack's size limits."""
from __future__ import annotations

import hashlib
import re
import unicodedata

from bot.domain.errors import UserError

SECTION_LIMIT = 3000
BROADCASTS = re.compile(r"<!(channel|here|everyone)(\|[^>]*)?>|(?<![\w`])@(channel|here|everyone)\b", re.I)
SPECIAL_MENTION = re.compile(r"<!subteam\^[A-Z0-9]+(\|[^>]*)?>")


def neutralise(text: str) -> str:
    """Defuse @channel/@here/@everyone and user-group pings so user text can never page a whole channel."""
    def quiet(match: re.Match) -> str:
        word = match.group(1) or match.group(3)
        return f"@\u200b{word.lower()}"

    text = BROADCASTS.sub(quiet, text)
    return SPECIAL_MENTION.sub(lambda m: (m.group(1) or "|group")[1:].join(["@\u200b", ""]), text)


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as control characters in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clean_user_text(text: str, *, field: str, limit: int = SECTION_LIMIT, example: str | None = None) -> str:
    """Trimmed, neutralised text within `limit` characters, or a UserError naming the field."""
    text = neutralise(text.strip())
    if len(text) > limit:
        raise UserError(
            f"The {field} is {len(text):,} characters long; Slack allows at most {limit:,}. Please shorten it.",
            example,
        )
    return text


def slugify(name: str) -> str:
    """`Müller Website` → `muller-website`; a name with no Latin letters gets a stable `project-…` slug."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80].strip("-")
    if slug:
        return slug
    return "project-" + hashlib.sha1(name.strip().lower().encode()).hexdigest()[:8]
