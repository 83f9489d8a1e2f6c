"""Catalogs and locale-aware formatting: what a template says in the language being rendered.

Message ids are whole English sentences with named placeholders. `_`/`_n` give mrkdwn (`Markup`, params
escaped), `plain`/`plain_n` plain text (button labels, modal titles). The language is not passed in: the one
rendering step (`bot.blocks.render`) sets it from the project (`speaking`), and anything rendered outside it
speaks the team's language. Catalogs are the `.po` files in `bot/locale`, compiled in memory on first use.

Numbers, percentages, dates and times in plain text are formatted by Babel for the language. In a
right-to-left language every inserted value that is one line (a Latin name, a date, a number, a mention) is
wrapped in Unicode bidi isolates, so it cannot reorder the sentence around it.
"""
from __future__ import annotations

import gettext as _gettext
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timezone
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime, format_skeleton, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from bot.mrkdwn import Markup, fmt

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "expect"
TEAM_DOMAIN = "team"
LANGUAGES = {"en": "English", "uk": "українська", "ru": "русский", "fa": "فارسی", "ca": "català", "hu": "magyar"}
SUPPORTED = tuple(LANGUAGES)
# pybabel extract ... --no-default-keywords -k _ -k _n:1,2 -k plain -k plain_n:1,2 -k N_ (see babel.cfg)
KEYWORDS = {"_": None, "_n": (1, 2), "plain": None, "plain_n": (1, 2), "N_": None}
TEAM_KEYWORDS = {"T_": None, "T_n": (1, 2), "T_plain": None, "TN_": None}
FSI, PDI = "\u2068", "\u2069"
EMOJI = re.compile(r":[a-z0-9_+'-]+:")
DIGITS = {"arabext": "۰۱۲۳۴۵۶۷۸۹", "arab": "٠١٢٣٤٥٦٧٨٩"}

_settings = {"team": "en", "default": "en"}
_active: ContextVar[str | None] = ContextVar("expect_language", default=None)
_client: ContextVar[str | None] = ContextVar("expect_client_language", default=None)


def configure(*, team: str = "en", default: str = "en") -> None:
    """The team's language (`EXPECT_TEAM_LANG`) and new projects' default (`EXPECT_DEFAULT_LANG`)."""
    _settings.update(team=team, default=default)


def team_language() -> str:
    return _settings["team"]


def default_language() -> str:
    return _settings["default"]


def normalise(code: str | None) -> str | None:
    """`code` as one of SUPPORTED (case and `_`/`-` blind), or None."""
    wanted = (code or "").strip().replace("_", "-").lower()
    return next((lang for lang in SUPPORTED if lang.lower() == wanted), None)


def current() -> str:
    """The language being rendered: the client's inside a client post, else the team's."""
    return _active.get() or _settings["team"]


@contextmanager
def speaking(language: str | None, *, client: str | None = None) -> Iterator[None]:
    """Render in `language` (None: the team's) within the block; `client` is what `for_client` switches to."""
    token = _active.set(language or _settings["team"])
    client_token = _client.set(client or _client.get())
    try:
        yield
    finally:
        _client.reset(client_token)
        _active.reset(token)


@contextmanager
def for_client() -> Iterator[None]:
    """Inside a team post (a preview), the part the client will see, in the client's language."""
    with speaking(_client.get() or current()):
        yield


@cache
def catalog(language: str, domain: str = DOMAIN) -> _gettext.NullTranslations:
    """The compiled catalog of `language` (English, or a team catalog not written yet: the message ids)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"
    if language == "en" or not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as source:
        messages = read_po(source, locale=language, domain=domain)
    compiled = BytesIO()
    write_mo(compiled, messages, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def N_(msgid: str) -> str:
    """Marks a message id kept in a table; it is translated where it is shown (`_(value)`)."""
    return msgid


def TN_(msgid: str) -> str:  # noqa: N802
    """Marks a team message id kept in a table; translated where it is shown (`T_(value)`)."""
    return msgid


def T_(msgid: str, /, **params) -> Markup:  # noqa: N802
    """Team text (the `team` catalog, `EXPECT_TEAM_LANG`) as mrkdwn: `fmt` semantics, params escaped."""
    language = team_language()
    return fmt(catalog(language, TEAM_DOMAIN).gettext(msgid), **_isolated(params, language))


def T_n(singular: str, plural: str, n: int, /, **params) -> Markup:  # noqa: N802
    language = team_language()
    template = catalog(language, TEAM_DOMAIN).ngettext(singular, plural, n)
    return fmt(template, **_isolated({"n": n, **params}, language))


def T_plain(msgid: str, /, **params) -> str:  # noqa: N802
    """Team text as plain text (button labels, modal titles)."""
    return catalog(team_language(), TEAM_DOMAIN).gettext(msgid).format(**params)


def _isolated(params: dict, language: str) -> dict:
    if not is_rtl(language):
        return params
    return {key: isolate(value) if str(value) and "\n" not in str(value) and not EMOJI.fullmatch(str(value))
            else value for key, value in params.items()}


def separator(*, strong: bool = False) -> Markup:
    """What separates the items of a list in the language being rendered (`, ` / `، `); `strong`: `; ` / `؛ `."""
    middle = _locale(current()).list_patterns["standard"]["middle"]
    comma = middle.replace("{0}", "").replace("{1}", "")
    return Markup(comma.replace(",", ";").replace("،", "؛") if strong else comma)


def is_rtl(language: str | None = None) -> bool:
    return _right_to_left(language or current())


@cache
def _right_to_left(language: str) -> bool:
    return _locale(language).character_order == "right-to-left"


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(_babel(language))


def _babel(language: str) -> str:
    return language.replace("-", "_")


def _digits(text: str, language: str) -> str:
    system = _locale(language).default_numbering_system
    native = DIGITS.get(system)
    return text.translate(str.maketrans("0123456789", native)) if native else text


def isolate(value) -> Markup:
    """`value` (escaped unless Markup) between bidi isolates: a run that keeps its own direction."""
    return Markup(FSI) + value + Markup(PDI)


def _param(value, language: str, rtl: bool):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        value = number(value)
    elif isinstance(value, datetime):
        value = instant_text(value)
    elif isinstance(value, date):
        value = date_text(value)
    if rtl and str(value) and "\n" not in str(value) and not EMOJI.fullmatch(str(value)):
        return isolate(value)
    return value


def _format(template: str, params: dict) -> Markup:
    language = current()
    rtl = is_rtl(language)
    return fmt(template, **{key: _param(value, language, rtl) for key, value in params.items()})


def _(msgid: str, /, **params) -> Markup:
    """`msgid` translated, as mrkdwn: params escaped unless Markup, numbers and dates formatted for the language."""
    return _format(catalog(current()).gettext(msgid), params)


def _n(singular: str, plural: str, n: int, /, **params) -> Markup:
    """The plural form for `n` in the language's own rules; `{n}` is `n` formatted for the language."""
    return _format(catalog(current()).ngettext(singular, plural, n), {"n": n, **params})


def plain(msgid: str, /, **params) -> str:
    """`msgid` translated, as plain text (for plain_text fields): nothing escaped."""
    return _format_plain(catalog(current()).gettext(msgid), params)


def plain_n(singular: str, plural: str, n: int, /, **params) -> str:
    return _format_plain(catalog(current()).ngettext(singular, plural, n), {"n": n, **params})


def _format_plain(template: str, params: dict) -> str:
    language = current()
    rtl = is_rtl(language)
    values = {}
    for key, value in params.items():
        value = _param(value, language, False)
        values[key] = f"{FSI}{value}{PDI}" if rtl and str(value) else value
    return template.format(**values)


def number(value: int | float) -> str:
    """A number in the language's digits and separators."""
    language = current()
    if language == "en":
        return str(value)
    return _digits(format_decimal(value, locale=_babel(language)), language)


def percent(value: int) -> str:
    """`value` (0-100) as a percentage in the language's own form."""
    language = current()
    if language == "en":
        return f"{value}%"
    locale = _locale(language)
    symbol = locale.number_symbols[locale.default_numbering_system]["percentSign"]
    return _digits(format_percent(value / 100, locale=locale).replace("%", symbol), language)


def date_text(day: date) -> str:
    """A date as plain text: weekday, day, month and year, in the language's own order."""
    language = current()
    if language == "en":
        return day.strftime("%a %-d %b %Y")
    return _digits(format_skeleton("yMMMEd", day, locale=_babel(language)), language)


def day_month(day: date) -> str:
    """A short date, day and month, in the language's own order (a chart's axis)."""
    language = current()
    if language == "en":
        return day.strftime("%-d %b")
    return _digits(format_skeleton("MMMd", day, locale=_babel(language)), language)


def instant_text(at: datetime) -> str:
    """An instant as plain text, in UTC."""
    language = current()
    if language == "en":
        return at.strftime("%Y-%m-%d %H:%M UTC")
    stamp = format_datetime(at, "short", tzinfo=timezone.utc, locale=_babel(language))
    return _digits(f"{stamp} UTC", language)


def clock(hhmm: str) -> str:
    """A 24-hour HH:MM time in the language's digits."""
    language = current()
    if language == "en":
        return hhmm
    hour, minute = map(int, hhmm.split(":"))
    return _digits(time(hour, minute).strftime("%H:%M"), language)


def weekday(index: int, width: str = "wide") -> str:
    """The name of weekday `index` (0 = Monday) on its own, as in a list or a table."""
    return get_day_names(width, context="stand-alone", locale=_babel(current()))[index]
