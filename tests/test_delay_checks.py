from datetime import date, datetime, timezone

import pytest
from sqlalchemy import event, select

import jobs
from bot.domain.projects import NewProject, create_project
from bot.models import Milestone
from bot.models.delays import DelayAlert
from jobs import JobContext
from tests.slackreq import ALICE, HOME, INTERNAL, SHARED

UTC = timezone.utc


def at(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def tick(services, clock, instant):
    clock.set(instant)
    return jobs.run_tick(services, instant)["delays"]


def alerts(services):
    with services.sessions() as session:
        return [(a.kind, a.state) for a in session.scalars(select(DelayAlert).order_by(DelayAlert.id))]


@pytest.fixture
def project(slack):
    slack.command('add-project "Acme Website" <#C07SHARED01|proj-acme-partner> internal=<#C07INTERN01|acme-team>')
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')


def statements_of(services, step, instant):
    seen = []

    def record(_conn, _cursor, statement, *_):
        seen.append(statement.lstrip().split()[0].upper())

    event.listen(services.engine, "before_cursor_execute", record)
    try:
        step(JobContext(services.sessions, services.gateway, instant))
    finally:
        event.remove(services.engine, "before_cursor_execute", record)
    return [s for s in seen if s in ("SELECT", "INSERT", "UPDATE", "DELETE")]


def test_idle_tick_reads_a_constant_few_rows_however_many_milestones(services, clock):
    with services.sessions.begin() as session:
        for n in range(40):
            new = NewProject(name=f"Project {n}", channel_id=f"C0PROJ{n:05d}", owner_id=ALICE, tz="Europe/Berlin")
            project = create_project(session, team_id=HOME, new=new, created_by=ALICE, now=clock.now())
            for number, due in enumerate((date(2026, 11, 2), date(2026, 12, 4), date(2027, 2, 1)), start=1):
                session.add(Milestone(project=project, number=number, title=f"M{number}", start_date=date(2026, 10, 1),
                                      due_date=due, baseline_due_date=due, progress=60, created_at=clock.now()))
    assert tick(services, clock, at(11, 25, 13)) == {"overdue": 40}
    jobs.load_all()
    delays_job, expectations_job = jobs.JOBS["delays"], jobs.JOBS["expectations"]
    assert statements_of(services, delays_job, at(11, 25, 13, 1)) == ["SELECT"] * 5
    assert statements_of(services, expectations_job, at(11, 25, 13, 2)) == ["SELECT"] * 4


def test_progress_drop_is_noticed_on_the_next_tick(project, slack, services, clock):
    slack.command("progress acme-website Launch 80%")
    assert tick(services, clock, at(12, 1, 10)) == {}
    slack.command("progress acme-website Launch 10%")
    assert tick(services, clock, at(12, 1, 10, 1)) == {"at_risk": 1}
    assert alerts(services) == [("at_risk", "open")]


def test_overdue_is_alerted_on_the_first_tick_after_local_midnight(project, slack, services, clock):
    slack.command("progress acme-website Launch 100%")
    assert tick(services, clock, at(11, 24, 9)) == {}
    assert tick(services, clock, at(12, 4, 22, 59)) == {}
    assert tick(services, clock, at(12, 4, 23)) == {"overdue": 1}
    assert tick(services, clock, at(12, 4, 23, 1)) == {}
    assert alerts(services) == [("overdue", "open")]


def test_a_new_time_zone_moves_the_midnight_it_waits_for(project, slack, services, clock):
    slack.command("settings acme-website tz=America/New_York")
    slack.command("progress acme-website Launch 100%")
    assert tick(services, clock, at(11, 24, 9)) == {}
    slack.command("settings acme-website tz=Asia/Tokyo")
    assert tick(services, clock, at(12, 4, 14, 59)) == {}
    assert tick(services, clock, at(12, 4, 15)) == {"overdue": 1}


def test_a_done_milestone_is_not_looked_at_again(project, slack, services, clock, fake_slack):
    assert tick(services, clock, at(12, 4, 23)) == {"overdue": 1}
    slack.command("done acme-website Launch")
    assert tick(services, clock, at(12, 4, 23, 1)) == {}
    assert alerts(services) == [("overdue", "resolved")]
    with services.sessions() as session:
        assert session.scalar(select(Milestone.check_at)).year == 9999
    assert [m for m in fake_slack.messages(SHARED) if "Overdue" in m.get("text", "")] == []
    assert [m for m in fake_slack.messages(INTERNAL) if "Overdue" in m.get("text", "")] != []
