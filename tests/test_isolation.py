import logging
from datetime import date, datetime, timezone

from sqlalchemy import select, update

from bot.models import Milestone, Project
from bot.models.expectations import OwedItem
from bot.models.projects import RECHECK
from tests.expectations_support import of_kind, rows, tick, utc
from tests.slackreq import INTERNAL

BETA = "C07BETA0001"


def two_projects(slack, fake_slack):
    fake_slack.add_channel(BETA, "proj-beta")
    slack.command('add-project "Acme Website" <#C07SHARED01|proj-acme-partner> internal=<#C07INTERN01|acme-team>')
    slack.command('add-milestone acme-website "Someday" due=2026-12-31')
    slack.command('add-project "Beta App" <#C07BETA0001|proj-beta> internal=<#C07INTERN01|acme-team>')
    slack.command('add-milestone beta-app "Launch" due=2026-11-20')


def poison(services, **values):
    with services.sessions.begin() as session:
        acme = session.scalars(select(Project).where(Project.slug == "acme-website")).one()
        session.execute(update(Milestone).where(Milestone.project_id == acme.id).values(**values))
        return acme.id


def test_a_poisoned_milestone_does_not_stop_another_projects_alert(slack, services, fake_slack, clock, caplog):
    two_projects(slack, fake_slack)
    acme_id = poison(services, due_date=date(9999, 12, 31), check_at=RECHECK)
    with caplog.at_level(logging.WARNING):
        result = tick(services, clock, utc(2026, 11, 24, 9))
    assert result["delays"] == {"overdue": 1, "failed": 1}
    [alert] = of_kind(fake_slack, INTERNAL, "delay_alert")
    assert "Launch" in alert["text"]
    assert any(f"for project {acme_id}" in r.getMessage() for r in caplog.records)
    assert any("failures by job {'delays': 1}" in r.getMessage() for r in caplog.records)
    assert tick(services, clock, utc(2026, 11, 24, 9, 1))["delays"] == {}


def test_a_failing_open_alert_is_isolated_too(slack, services, fake_slack, clock):
    two_projects(slack, fake_slack)
    slack.command('risk acme-website Someday "Waiting for keys"')
    poison(services, due_date=date(9999, 12, 31), check_at=RECHECK, risk_note=None)
    result = tick(services, clock, utc(2026, 11, 24, 9))
    assert result["delays"]["overdue"] == 1 and result["delays"]["failed"] == 1
    assert [a["text"] for a in of_kind(fake_slack, INTERNAL, "delay_alert") if "Launch" in a["text"]]


def test_a_failing_reminder_does_not_stop_the_others(slack, services, fake_slack, clock):
    two_projects(slack, fake_slack)
    slack.command('owe acme-website "Keys" due=2026-11-23')
    slack.command('owe beta-app "Copy" due=2026-11-23')
    with services.sessions.begin() as session:
        session.execute(update(Project).where(Project.slug == "acme-website").values(business_days="9"))
    result = tick(services, clock, utc(2026, 11, 24, 9))
    assert result["expectations"]["owed_reminders"] == 1 and result["expectations"]["failed"] == 1
    assert len(of_kind(fake_slack, BETA, "owed-reminder")) == 1
    keys = [item for item in rows(services, OwedItem) if item.title == "Keys"][0]
    assert keys.next_reminder_at == datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)

