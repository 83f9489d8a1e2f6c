"""Modals for registering projects."""
from __future__ import annotations

from bot import ids
from bot.domain.schedule import WEEKDAY_NAMES
from bot.i18n import LANGUAGES, default_language

COMMON_ZONES = [
    "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam",
    "Europe/Madrid", "Europe/Rome", "Europe/Stockholm", "Europe/Warsaw", "Europe/Athens", "Europe/Helsinki",
    "Europe/Istanbul", "Africa/Lagos", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Dubai", "Asia/Kolkata",
    "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Perth", "Australia/Sydney",
    "Pacific/Auckland", "America/St_Johns", "America/Halifax", "America/New_York", "America/Chicago",
    "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
    "America/Mexico_City", "America/Bogota", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
]
RESPOND_CHOICES = [("2h", "2 business hours"), ("4h", "4 business hours"), ("1d", "1 business day"),
                   ("2d", "2 business days")]


def _option(value: str, text: str) -> dict:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def _input(block_id: str, label: str, element: dict, optional: bool = False, hint: str | None = None) -> dict:
    block = {"type": "input", "block_id": block_id, "label": {"type": "plain_text", "text": label},
             "element": {**element, "action_id": block_id}, "optional": optional}
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _language_option(code: str) -> dict:
    return _option(code, f"{LANGUAGES[code]} ({code})")


def add_project_modal(owner_tz: str | None = None) -> dict:
    zones = COMMON_ZONES if not owner_tz or owner_tz in COMMON_ZONES else [owner_tz, *COMMON_ZONES]
    tz_initial = _option(owner_tz, owner_tz) if owner_tz else _option("UTC", "UTC")
    return {
        "type": "modal",
        "callback_id": ids.ADD_PROJECT_VIEW,
        "title": {"type": "plain_text", "text": "New client project"},
        "submit": {"type": "plain_text", "text": "Register"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _input(ids.ADD_PROJECT_NAME, "Project name", {"type": "plain_text_input", "max_length": 200,
                   "placeholder": {"type": "plain_text", "text": "Acme Website"}}),
            _input(ids.ADD_PROJECT_CHANNEL, "Client channel", {"type": "conversations_select",
                   "filter": {"include": ["public", "private"], "exclude_bot_users": True}},
                   hint="Usually the shared Slack Connect channel. Invite @expect there first."),
            _input(ids.ADD_PROJECT_CLIENT, "Client's name", {"type": "plain_text_input", "max_length": 200},
                   optional=True),
            _input(ids.ADD_PROJECT_TZ, "Client's time zone", {"type": "static_select", "initial_option": tz_initial,
                   "options": [_option(z, z) for z in zones][:100]}),
            _input(ids.ADD_PROJECT_WEEKDAY, "Weekly update day", {"type": "static_select",
                   "initial_option": _option("0", WEEKDAY_NAMES[0]),
                   "options": [_option(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)]}),
            _input(ids.ADD_PROJECT_TIME, "Weekly update time (client's zone)",
                   {"type": "timepicker", "initial_time": "10:00"}),
            _input(ids.ADD_PROJECT_OWNER, "Owner", {"type": "users_select"}, optional=True,
                   hint="Defaults to you."),
            _input(ids.ADD_PROJECT_INTERNAL, "Internal team channel", {"type": "conversations_select",
                   "filter": {"include": ["public", "private"], "exclude_bot_users": True}}, optional=True),
            _input(ids.ADD_PROJECT_RESPOND, "We answer client messages within", {"type": "static_select",
                   "initial_option": _option("1d", "1 business day"),
                   "options": [_option(v, t) for v, t in RESPOND_CHOICES]}),
            _input(ids.ADD_PROJECT_HOLIDAYS, "Public holidays", {"type": "plain_text_input", "max_length": 16,
                   "placeholder": {"type": "plain_text", "text": "ES-CT, UA, US-NY or off"}}, optional=True,
                   hint="A country code, optionally with a region. Empty: the country of the time zone."),
            _input(ids.ADD_PROJECT_LANG, "Language of the client's posts", {"type": "static_select",
                   "initial_option": _language_option(default_language()),
                   "options": [_language_option(code) for code in LANGUAGES]}),
        ],
    }
