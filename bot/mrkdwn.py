"""Slack mrkdwn that says only what a template meant: user text is escaped, structure comes from `Markup`.

`Markup` is mrkdwn written by our templates (trusted). Anything else is user text and goes through `escape`
before it is joined to Markup: `fmt`, `Markup.format`, `Markup.join` and `+` escape every plain `str` they are
given, and the Block Kit helpers in `bot.blocks.format` escape a plain `str` too, so forgetting is not possible.
Mentions, broadcasts, links and date tokens exist only as Markup made by the helpers below.
"""
from __future__ import annotations

import re
import string
from functools import lru_cache

# Slack has no escape for *, _, ~ and `; a zero-width space beside them is a known way to *force* formatting
# mid-word, so it cannot be trusted to stop it. A look-alike glyph can never open or close formatting and
# reads the same, so a user's `*bold*` shows its stars without ever bolding or closing the template's bold.
LOOKALIKES = {"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"}
_FORMATTING = re.compile(r"[*_~`]")
USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,20}")


class Markup(str):
    """mrkdwn the templates wrote: passed through as is; whatever is combined with it is escaped."""

    __slots__ = ()

    def __add__(self, other: str) -> Markup:
        return Markup(str.__add__(self, escape(other)))

    def __radd__(self, other: str) -> Markup:
        return Markup(str.__add__(escape(other), self))

    def join(self, parts) -> Markup:
        return Markup(str.join(self, (escape(part) for part in parts)))

    def format(self, *args, **kwargs) -> Markup:
        fields = None if args else _named_fields(str(self))
        if fields is None:
            return Markup(_EscapingFormatter().vformat(self, args, kwargs))
        out = []
        for literal, name, spec in fields:
            out.append(literal)
            if name is not None:
                out.append(_escaped_field(kwargs[name], spec))
        return Markup("".join(out))


@lru_cache(maxsize=4096)
def _named_fields(template: str) -> tuple | None:
    """`template` cut once into (literal, name, spec) triples; None when a field needs string.Formatter (positional,
    dotted, indexed, converted, or with a nested spec)."""
    fields = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if name is not None and (conversion or not name.isidentifier() or "{" in spec):
            return None
        fields.append((literal, name, spec))
    return tuple(fields)


def _escaped_field(value, spec: str) -> str:
    if isinstance(value, Markup):
        return format(str(value), spec)
    return escape(format(value, spec))


class _EscapingFormatter(string.Formatter):
    def format_field(self, value, format_spec: str) -> str:
        return _escaped_field(value, format_spec)


def _swap(match: re.Match) -> str:
    text, at = match.string, match.start()
    before = text[at - 1] if at else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    # Inside a word (snake_case, a*b) Slack never formats, so the character is kept as typed.
    return match.group() if before.isalnum() and after.isalnum() else LOOKALIKES[match.group()]


def escape(text) -> Markup:
    """User text as mrkdwn that shows it literally: `&`, `<`, `>` escaped, formatting characters disarmed."""
    if isinstance(text, Markup):
        return text
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Markup(_FORMATTING.sub(_swap, text))


def unescape(text: str) -> str:
    """Text as Slack sends it (slash commands, message events: `&`, `<`, `>` arrive escaped) back to what was
    typed, once, so that rendering escapes it exactly once."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape_tokens(text: str) -> Markup:
    """Our own wording around a person's input, shown only to them: `&`, `<`, `>` escaped, formatting kept."""
    return Markup(str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def fmt(template: str, /, **params) -> Markup:
    """`template` (our own mrkdwn) with each param escaped unless it is already Markup."""
    return Markup(template).format(**params)


def code(text: str) -> Markup:
    """`text` in a code span; `&`, `<`, `>` are escaped there too, since Slack parses them even inside backticks."""
    inner = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "\u02cb")
    return Markup(f"`{inner}`")


def user_mention(user_id: str) -> Markup:
    """`<@U…>` for a user id we hold; anything not shaped like an id is shown as escaped text."""
    return Markup(f"<@{user_id}>") if USER_ID.fullmatch(user_id or "") else escape(user_id or "")


def channel_link(channel_id: str) -> Markup:
    """`<#C…>` for a channel id we hold; anything not shaped like an id is shown as escaped text."""
    return Markup(f"<#{channel_id}>") if CHANNEL_ID.fullmatch(channel_id or "") else escape(channel_id or "")


def quote(text: str, max_lines: int | None = None) -> Markup:
    """User text as a block quote, each line escaped."""
    lines = str(text).splitlines()[:max_lines]
    return Markup("\n").join(Markup("> ") + line for line in lines)
