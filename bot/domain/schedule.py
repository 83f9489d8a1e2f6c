"""Cadences and business hours in a project's IANA time zone (DST-correct)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.domain.errors import UserError

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or a UserError with an example."""
    try:
        if name and "/" in name or name == "UTC":
            return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    close = sorted(z for z in available_timezones() if name and name.lower() in z.lower())[:3]
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise UserError(f"`{name}` is not an IANA time zone.{hint}", "tz=Europe/Berlin")


def parse_clock_time(text: str, *, field: str = "time") -> str:
    match = _TIME.match(text.strip())
    if not match:
        raise UserError(f"`{text}` is not a {field} in 24-hour HH:MM form.", "10:00")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_cadence(text: str) -> tuple[int, str]:
    """`mon 10:00` → (0, "10:00")."""
    parts = text.lower().split()
    if len(parts) != 2 or parts[0][:3] not in WEEKDAYS:
        raise UserError(f"`{text}` is not a cadence: give a weekday and a time.", 'cadence="mon 10:00"')
    return WEEKDAYS.index(parts[0][:3]), parse_clock_time(parts[1], field="cadence time")


def parse_respond_within(text: str) -> str:
    match = re.fullmatch(r"(\d{1,3})\s*([hd])", text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise UserError(f"`{text}` is not a response time: use hours or business days.", "respond-within=4h")
    return f"{int(match.group(1))}{match.group(2)}"


def parse_business_days(text: str) -> str:
    """`mon-fri` or `mon,tue,thu` → ISO weekday digits such as "12345"."""
    text = text.lower().strip()
    try:
        if "-" in text:
            first, last = (WEEKDAYS.index(p[:3]) for p in text.split("-"))
            days = range(first, last + 1)
        else:
            days = [WEEKDAYS.index(p.strip()[:3]) for p in text.split(",")]
    except ValueError:
        raise UserError(f"`{text}` is not a set of weekdays.", "days=mon-fri") from None
    if not days:
        raise UserError(f"`{text}` is not a set of weekdays.", "days=mon-fri")
    return "".join(str(d + 1) for d in sorted(set(days)))


def _hm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def local_instant(day: date, at: str, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `tz`."""
    return datetime.combine(day, _hm(at), tzinfo=tz).astimezone(timezone.utc)


def next_cadence(weekday: int, at: str, tz: ZoneInfo, *, after: datetime) -> datetime:
    """The first instant strictly after `after` that is `weekday` at `at`, local time."""
    local_day = after.astimezone(tz).date()
    day = local_day + timedelta(days=(weekday - local_day.weekday()) % 7)
    candidate = local_instant(day, at, tz)
    if candidate <= after:
        candidate = local_instant(day + timedelta(days=7), at, tz)
    return candidate


def period_key(instant: datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).date().isoformat()


@dataclass(frozen=True)
class BusinessHours:
    days: str
    start: str
    end: str
    tz: ZoneInfo

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if str(day.isoweekday()) not in self.days:
            return None
        return local_instant(day, self.start, self.tz), local_instant(day, self.end, self.tz)

    def is_open(self, at: datetime) -> bool:
        window = self._window(at.astimezone(self.tz).date())
        return bool(window and window[0] <= at < window[1])

    def next_open(self, at: datetime) -> datetime:
        """`at` itself when open, else the next opening."""
        day = at.astimezone(self.tz).date()
        for offset in range(15):
            window = self._window(day + timedelta(days=offset))
            if window and at < window[1]:
                return max(at, window[0])
        raise ValueError("no business hours configured")

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

    def add_days(self, start: datetime, days: int) -> datetime:
        """Same local time `days` business days later (from the next opening if closed)."""
        at = self.next_open(start)
        local = at.astimezone(self.tz)
        day = local.date()
        while days:
            day += timedelta(days=1)
            if str(day.isoweekday()) in self.days:
                days -= 1
        return datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=self.tz).astimezone(timezone.utc)

    def deadline(self, start: datetime, respond_within: str) -> datetime:
        amount, unit = int(respond_within[:-1]), respond_within[-1]
        return self.add_hours(start, amount) if unit == "h" else self.add_days(start, amount)
