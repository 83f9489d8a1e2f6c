"""`/expect settings`: a project's cadence, zone, approval, business hours, budget and health, validated whole."""
from __future__ import annotations

import re
from datetime import datetime

from bot.domain.calendar import parse_region, region_for_zone
from bot.domain.errors import UserError
from bot.domain.projects import parse_language, reschedule
from bot.domain.schedule import WEEKDAYS, parse_business_days, parse_cadence, parse_clock_time, zone
from bot.models import Project
from bot.mrkdwn import Markup, code, fmt

EXAMPLE = '/expect settings acme-website cadence="fri 16:00" tz=Europe/Berlin approval=required'
HEALTH_CHOICES = {"on_track": "on_track", "at_risk": "at_risk", "off_track": "off_track", "auto": None}
RESCHEDULING = {"cadence_weekday", "cadence_time", "tz", "preview_lead_hours", "holidays", "business_days"}
MAX_BUDGET = 20
MAX_PREVIEW_HOURS = 72


def _cadence(value: str) -> dict:
    weekday, at = parse_cadence(value)
    return {"cadence_weekday": weekday, "cadence_time": at}


def _tz(value: str) -> dict:
    zone(value)
    return {"tz": value}


def _approval(value: str) -> dict:
    if value.lower() not in ("auto", "required"):
        raise UserError(f"`approval={value}`: choose `auto` (posts unless skipped) or `required`.", "approval=required")
    return {"approval_mode": value.lower()}


def _hours(value: str) -> dict:
    parts = value.replace("–", "-").split("-")
    if len(parts) != 2:
        raise UserError(f"`hours={value}` is not a span of business hours.", "hours=09:00-18:00")
    start, end = (parse_clock_time(p, field="business hour") for p in parts)
    if start >= end:
        raise UserError(f"`hours={value}`: the opening must come before the closing.", "hours=09:00-18:00")
    return {"business_start": start, "business_end": end}


def _days(value: str) -> dict:
    return {"business_days": parse_business_days(value)}


def _number(value: str, *, key: str, low: int, high: int, example: str, suffix: str = "") -> int:
    match = re.fullmatch(rf"(\d{{1,3}})\s*{suffix}?", value.strip().lower())
    if not match or not low <= int(match.group(1)) <= high:
        raise UserError(f"`{key}={value}` must be a whole number from {low} to {high}.", example)
    return int(match.group(1))


def _holidays(value: str) -> dict:
    return {"holidays": parse_region(value)}


def _budget(value: str) -> dict:
    return {"weekly_budget": _number(value, key="budget", low=1, high=MAX_BUDGET, example="budget=3")}


def _preview(value: str) -> dict:
    hours = _number(value, key="preview", low=1, high=MAX_PREVIEW_HOURS, example="preview=24h", suffix="h")
    return {"preview_lead_hours": hours}


def _health(value: str) -> dict:
    key = value.lower().replace("-", "_").replace(" ", "_")
    if key not in HEALTH_CHOICES:
        raise UserError(f"`health={value}`: choose on_track, at_risk, off_track or auto.", "health=at_risk")
    return {"health_override": HEALTH_CHOICES[key]}


def _auto_ack(value: str) -> dict:
    if value.lower() not in ("on", "off"):
        raise UserError(f"`auto-ack={value}`: choose `on` or `off`.", "auto-ack=off")
    return {"auto_ack": value.lower() == "on"}


def _lang(value: str) -> dict:
    return {"lang": parse_language(value)}


def _highlight(value: str) -> dict:
    name = value.strip().strip(":").lower()
    if not re.fullmatch(r"[a-z0-9_+'-]{1,60}", name):
        raise UserError(f"`highlight={value[:60]}`: give an emoji name, such as `star` or `:trophy:`.", "highlight=star")
    return {"highlight_emoji": name}


def _chart(value: str) -> dict:
    if value.lower() not in ("on", "off"):
        raise UserError(f"`chart={value}`: choose `on` (the timeline picture in each weekly update) or `off`.",
                        "chart=on")
    return {"chart": value.lower() == "on"}


PARSERS = {"cadence": _cadence, "tz": _tz, "approval": _approval, "hours": _hours, "days": _days,
           "budget": _budget, "preview": _preview, "health": _health, "auto-ack": _auto_ack,
           "holidays": _holidays, "lang": _lang, "highlight": _highlight, "chart": _chart}


def parse_settings(options: dict[str, str]) -> dict:
    """key=value options → project field values; a UserError on the first bad or unknown one."""
    values: dict = {}
    for key, value in options.items():
        parser = PARSERS.get(key)
        if parser is None:
            known = ", ".join(f"`{k}`" for k in [*PARSERS, "channel"])
            raise UserError(f"I don't know the setting `{key}`. Settings: {known}.", EXAMPLE)
        values.update(parser(value))
    return values


def apply_settings(project: Project, values: dict, *, now: datetime) -> dict[str, tuple]:
    """Set the values that differ; reschedule after a cadence, zone or preview change. Returns the changes.

    Holidays that came from the old zone's country follow the zone to its new country.
    """
    if "tz" in values and "holidays" not in values and project.holidays == region_for_zone(project.tz):
        values = {**values, "holidays": region_for_zone(values["tz"])}
    changes = {field: (getattr(project, field), value) for field, value in values.items()
               if getattr(project, field) != value}
    for field, (_, value) in changes.items():
        setattr(project, field, value)
    if RESCHEDULING & changes.keys():
        reschedule(project, now=now)
    return changes


def describe(project: Project) -> Markup:
    day_names = ",".join(WEEKDAYS[int(d) - 1] for d in project.business_days)
    override = project.health_override or "auto"
    return fmt("updates {cadence} in {tz} · approval {approval} · preview {preview} before · business hours {hours} "
               "on {days} · budget {budget} posts a week · health {health} · auto-ack {ack} · "
               "holidays {holidays} · client language {lang} · highlights starred with :{emoji}: · chart {chart}",
               cadence=code(f"{WEEKDAYS[project.cadence_weekday]} {project.cadence_time}"), tz=code(project.tz),
               approval=code(project.approval_mode), preview=code(f"{project.preview_lead_hours}h"),
               hours=code(f"{project.business_start}-{project.business_end}"), days=day_names,
               budget=code(str(project.weekly_budget)), health=code(override),
               ack=code("on" if project.auto_ack else "off"), holidays=code(project.holidays or "off"),
               lang=code(project.lang), emoji=project.highlight_emoji,
               chart=code("on" if project.chart else "off"))
