"""The text after `/expect`, split into words, quoted phrases, key=value options, channels and users."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.errors import UserError

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
_TOKEN = re.compile(r'([\w-]+)=("([^"]*)"|\'([^\']*)\'|(\S+))|"([^"]*)"|(\S+)')
CHANNEL = re.compile(r"^<#([CG][A-Z0-9]{2,31})(\|[^>]*)?>$")
USER = re.compile(r"^<@([UW][A-Z0-9]{2,31})(\|[^>]*)?>$")


@dataclass
class Args:
    sub: str
    words: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def option(self, name: str, default: str | None = None) -> str | None:
        return self.options.get(name, default)


def split(text: str, *, flag_words: frozenset[str] = frozenset({"urgent"})) -> Args:
    """`add-project "Acme Web" <#C1|acme> tz=Europe/Berlin` → Args(sub, words, options)."""
    text = (text or "").translate(_QUOTES).strip()
    if text.count('"') % 2:
        raise UserError("A double quote is missing its partner.", '/expect add-milestone acme "Design sign-off" due=fri')
    words, options, flags = [], {}, set()
    for match in _TOKEN.finditer(text):
        key, _, dq, sq, bare, quoted, word = match.groups()
        if key:
            options[key.lower()] = next(v for v in (dq, sq, bare) if v is not None)
        elif quoted is not None:
            words.append(quoted)
        elif word.lower() in flag_words:
            flags.add(word.lower())
        else:
            words.append(word)
    sub = words.pop(0).lower() if words else ""
    return Args(sub=sub, words=words, options=options, flags=flags)


def channel_id(token: str, *, field_name: str = "channel") -> str:
    match = CHANNEL.match(token.strip())
    if not match:
        raise UserError(f"`{token[:80]}` is not a channel. Pick one with `#` so Slack links it.", "#acme-project")
    return match.group(1)


def user_id(token: str) -> str:
    match = USER.match(token.strip())
    if not match:
        raise UserError(f"`{token[:80]}` is not a person. Mention them with `@`.", "owner=@alice")
    return match.group(1)


def percent(token: str) -> int:
    match = re.fullmatch(r"(\d{1,3})\s*%?", token.strip())
    if not match:
        raise UserError(f"`{token}` is not a percentage.", "/expect progress acme-website #1 60%")
    return int(match.group(1))
