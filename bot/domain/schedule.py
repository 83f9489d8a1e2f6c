"""Cadences and business hours in a project's IANA time zone (DST-correct)."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.domain.errors import UserError

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ZONE_NAME_LIMIT = 64
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or a UserError with an example."""
    if len(name or "") > ZONE_NAME_LIMIT:
        raise UserError(f"`{name[:40]}…` is too long for a time zone name.", "tz=Europe/Berlin")
    try:
        if name and "/" in name or name == "UTC":
            return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
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
            days = [(first + n) % 7 for n in range((last - first) % 7 + 1)]  # sat-wed wraps over the week's end
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
