from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot.domain import signals
from bot.models import Project
from tests.slackreq import SHARED

ADD = 'add-project "Acme Website" <#C07SHARED01|x> tz=Europe/Berlin cadence="wed 10:00"'


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def one(services):
    with services.sessions() as session:
        return session.scalar(select(Project))


@pytest.fixture
def project(slack, services):
    assert "Registered" in slack.command(ADD).text
    return one(services)


SETTINGS_ERRORS = {
    'cadence="someday 10:00"': "not a cadence",
    "tz=Mars/Olympus": "not an IANA time zone",
    "approval=sometimes": "choose `auto`",
    "hours=18:00-09:00": "opening must come before",
    "hours=9-5": "HH:MM",
    "days=funday": "not a set of weekdays",
    "budget=0": "from 1 to 20",
    "budget=lots": "from 1 to 20",
    "preview=200h": "from 1 to 72",
    "health=great": "on_track, at_risk",
    "auto-ack=maybe": "`on` or `off`",
    "colour=blue": "I don't know `colour=`",
    "approval=required budget=0": "from 1 to 20",
    "channel=<#C07ARCHIVE1|old-project>": "archived",
}


def settings_fields(services):
    project = one(services)
    return tuple(getattr(project, f) for f in (
        "cadence_weekday", "cadence_time", "tz", "approval_mode", "business_start", "business_end",
        "business_days", "weekly_budget", "preview_lead_hours", "health_override", "auto_ack", "channel_id",
        "next_update_at", "next_preview_at"))


def test_settings_validation_changes_nothing(slack, services, project):
    before = settings_fields(services)
    for options, expected in SETTINGS_ERRORS.items():
        answer = slack.command(f"settings acme-website {options}")
        assert answer.status == 200 and answer.json["response_type"] == "ephemeral"
        assert expected in answer.text, (options, answer.text)
        assert "For example" in answer.text or "archived" in answer.text
    assert "Say which project" in slack.command("settings").text
    assert "There is no project" in slack.command("settings nope approval=auto").text
    assert settings_fields(services) == before


def test_settings_change_and_reschedule(slack, services, monkeypatch, project):
    seen = []
    monkeypatch.setattr(signals.project_changed, "_receivers",
                        [*signals.project_changed._receivers, lambda **kw: seen.append(kw["changes"])])
    answer = slack.command('settings acme-website cadence="fri 16:00" tz=America/New_York approval=required '
                           "hours=08:00-17:00 days=mon-thu budget=5 preview=12h health=off-track auto-ack=off")
    assert "Updated *Acme Website*" in answer.text
    assert settings_fields(services) == (
        4, "16:00", "America/New_York", "required", "08:00", "17:00", "1234", 5, 12, "off_track", False, SHARED,
        utc("2026-11-30T13:00"), utc("2026-11-30T01:00"))
    [changes] = seen
    assert changes["cadence_weekday"] == (2, 4) and changes["tz"] == ("Europe/Berlin", "America/New_York")
    assert changes["auto_ack"] == (True, False) and changes["holidays"] == ("DE", "US") and len(changes) == 12
    slack.command("settings acme-website health=auto budget=5")
    assert one(services).health_override is None
    assert seen[1] == {"health_override": ("off_track", None)}
