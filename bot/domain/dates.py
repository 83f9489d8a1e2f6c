"""Due dates typed by people, resolved in the project's time zone."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import dateparser

from bot.domain.errors import UserError

DATE_FORMS = "`2026-12-04`, `fri`, `next friday`, `dec 4`, `in 2 weeks`, `tomorrow`"
_SETTINGS = {"PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": False, "DATE_ORDER": "YMD"}
_OUT_OF_RANGE = re.compile(r"\b(3[2-9]|[4-9]\d|\d{3}|\d{5,})\b")
EARLIEST = date(2000, 1, 1)
HORIZON = timedelta(days=3652)


def parse_due_date(text: str, *, today: date) -> date:
    """A date from `text`, relative to `today` (the project's local date)."""
    text = text.strip().lower()
    if not text:
        raise UserError(f"Give a due date. These forms work: {DATE_FORMS}.")
    try:
        return within_range(date.fromisoformat(text), today=today)
    except ValueError:
        pass
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text) or _OUT_OF_RANGE.search(text):
        raise UserError(f"I couldn't read `{text}` as a date. These forms work: {DATE_FORMS}.")
    settings = dict(_SETTINGS, RELATIVE_BASE=datetime.combine(today, datetime.min.time()).replace(hour=12))
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    if parsed is None:
        raise UserError(f"I couldn't read `{text}` as a date. These forms work: {DATE_FORMS}.")
    return within_range(parsed.date(), today=today)


def within_range(day: date, *, today: date) -> date:
    """`day` if it lies between 2000 and ten years after `today`; a UserError otherwise.

    Every date people give goes through here: a far-off date would overflow the schedule's arithmetic.
    """
    latest = today + HORIZON
    if not EARLIEST <= day <= latest:
        raise UserError(f"{day.isoformat()} is out of range: pick a date between {EARLIEST.isoformat()} and "
                        f"{latest.isoformat()}.", f"due={(today + timedelta(days=14)).isoformat()}")
    return day
