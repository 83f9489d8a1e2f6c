"""User text within Slack's size limits (it is escaped when rendered, see bot.mrkdwn), and slugs."""
from __future__ import annotations

import hashlib
import re
import unicodedata

from bot.domain.errors import UserError

SECTION_LIMIT = 3000


def clean_user_text(text: str, *, field: str, limit: int = SECTION_LIMIT, example: str | None = None) -> str:
    """Trimmed text within `limit` characters, or a UserError naming the field."""
    text = text.strip()
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
