"""A project's calendar: business days and hours, public holidays and the team's closures, in its time zone.

Every rule that speaks of business time asks it: is it open, when does it next open, what is N business hours
or days from now. Holiday sets come from the `holidays` package, cached per (region, year).
"""
from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays as holiday_data

from bot.domain.errors import UserError
from bot.domain.schedule import local_instant

OFF = "off"
EXAMPLES = "`holidays=UA`, `holidays=ES-CT`, `holidays=DE-BY`, `holidays=US-NY`, `holidays=IR` or `holidays=off`"
MAX_DAYS = 3660  # ten years: a calendar with no open day at all has no next opening


@lru_cache(maxsize=4096)
def holiday_names(region: str, year: int, language: str | None = None) -> MappingProxyType:
    """{date: name} of the public holidays of `region` ("ES-CT", "UA") in `year`, named in `language` (a
    `holidays` package code such as "uk" or "fa_IR"; the package's default when None)."""
    country, _, subdivision = region.partition("-")
    found = holiday_data.country_holidays(country, subdiv=subdivision or None, years=year, language=language)
    return MappingProxyType(dict(found.items()))


HOLIDAY_LANGUAGES = {"en": "en_US", "fa": "fa_IR"}


def holiday_name(region: str, day: date, language: str) -> str | None:
    """The holiday on `day` named in `language` (one of ours), or None when the package has no names in it."""
    country = region.partition("-")[0]
    wanted = HOLIDAY_LANGUAGES.get(language, language)
    supported = getattr(holiday_data.country_holidays(country, years=day.year), "supported_languages", ())
    if wanted not in supported:
        return None
    return holiday_names(region, day.year, wanted).get(day)


@lru_cache(maxsize=1)
def _supported() -> dict[str, tuple[str, ...]]:
    return {code: tuple(subdivisions) for code, subdivisions in holiday_data.list_supported_countries().items()}


def parse_region(text: str) -> str | None:
    """`es-ct` → "ES-CT"; `off` → None; a UserError with examples for anything the holidays package lacks."""
    value = text.strip().upper()
    if value == OFF.upper():
        return None
    country, _, subdivision = value.partition("-")
    known = _supported()
    if country not in known:
        raise UserError(f"`holidays={text}`: I don't know the country `{country}`. Use an ISO 3166 code, "
                        f"optionally with a subdivision: {EXAMPLES}.", "holidays=ES-CT")
    if subdivision and subdivision not in known[country]:
        some = ", ".join(f"`{country}-{s}`" for s in known[country][:6]) or "none"
        raise UserError(f"`holidays={text}`: `{country}` has no subdivision `{subdivision}`. Some it has: {some}.",
                        f"holidays={country}")
    return value


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    table = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    rows = (line.split("\t") for line in table.splitlines() if line and not line.startswith("#"))
    return {row[2]: row[0] for row in rows if len(row) >= 3}


def region_for_zone(tz_name: str) -> str | None:
    """The country of an IANA zone that belongs to one country (`Europe/Kyiv` → "UA"), if holidays knows it."""
    country = _zone_countries().get(tz_name)
    return country if country in _supported() else None


def _hm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class Calendar:
    days: str
    start: str
    end: str
    tz: ZoneInfo
    region: str | None = None
    closures: tuple[tuple[date, date], ...] = ()

    def holiday(self, day: date) -> str | None:
        """The name of the public holiday on `day`, if any."""
        return holiday_names(self.region, day.year).get(day) if self.region else None

    def closure_end(self, day: date) -> date | None:
        """The last day of the closure that `day` falls in, if any (overlapping closures run together)."""
        last = None
        for first, end in self.closures:
            if first <= (last + timedelta(days=1) if last else day) <= end:
                last = max(last or end, end)
        return last

    def is_open_day(self, day: date) -> bool:
        return str(day.isoweekday()) in self.days and not self.holiday(day) and self.closure_end(day) is None

    def open_day_from(self, day: date) -> date:
        """`day` itself when it is a business day, else the next one, past closures of any length."""
        for _ in range(MAX_DAYS):
            end = self.closure_end(day)
            if end is not None:
                day = end + timedelta(days=1)
            elif self.is_open_day(day):
                return day
            else:
                day += timedelta(days=1)
        raise ValueError("no business days configured")

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if not self.is_open_day(day):
            return None
        return local_instant(day, self.start, self.tz), local_instant(day, self.end, self.tz)

    def is_open(self, at: datetime) -> bool:
        window = self._window(at.astimezone(self.tz).date())
        return bool(window and window[0] <= at < window[1])

    def next_open(self, at: datetime) -> datetime:
        """`at` itself when open, else the next opening."""
        day = self.open_day_from(at.astimezone(self.tz).date())
        window = self._window(day)
        if at < window[1]:
            return max(at, window[0])
        day = self.open_day_from(day + timedelta(days=1))
        return local_instant(day, self.start, self.tz)

    def add_hours(self, start: datetime, hours: float) -> datetime:
        """The instant `hours` business hours after `start`."""
        remaining = timedelta(hours=hours)
        at = self.next_open(start)
        while True:
            window_end = self._window(at.astimezone(self.tz).date())[1]
            if at + remaining <= window_end:
                return at + remaining
            remaining -= window_end - at
            at = self.next_open(window_end)

    def hours_between(self, start: datetime, end: datetime) -> float:
        """Business hours from `start` to `end` (0 when `end` is not later)."""
        total, at = timedelta(0), self.next_open(start)
        while at < end:
            window_end = self._window(at.astimezone(self.tz).date())[1]
            total += min(end, window_end) - at
            at = self.next_open(window_end)
        return total.total_seconds() / 3600

    def add_days(self, start: datetime, days: int) -> datetime:
        """Same local time `days` business days later (from the next opening if closed)."""
        at = self.next_open(start)
        local = at.astimezone(self.tz)
        day = local.date()
        for _ in range(days):
            day = self.open_day_from(day + timedelta(days=1))
        return datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=self.tz).astimezone(timezone.utc)

    def deadline(self, start: datetime, respond_within: str) -> datetime:
        amount, unit = int(respond_within[:-1]), respond_within[-1]
        return self.add_hours(start, amount) if unit == "h" else self.add_days(start, amount)

    def holidays_between(self, first: date, last: date) -> list[tuple[date, str]]:
        """Public holidays from `first` to `last` inclusive that fall on business days."""
        if not self.region:
            return []
        found = []
        for year in range(first.year, last.year + 1):
            found += [(day, name) for day, name in holiday_names(self.region, year).items()
                      if first <= day <= last and str(day.isoweekday()) in self.days]
        return sorted(found)
