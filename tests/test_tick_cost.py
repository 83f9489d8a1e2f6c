from datetime import date, datetime, timezone

import pytest
from sqlalchemy import event, func, select

import jobs.updates
from bot.domain import outbox
from bot.domain.owed import add_item
from bot.domain.projects import NewProject, create_project
from bot.domain.updates import record_sent
from bot.models import Milestone, OutboxMessage, Project, WeeklyUpdate
from bot.models.history import HistoryEvent
from jobs import JobContext, run_tick
from jobs.updates import weekly_updates
from tests.slackreq import ALICE, HOME

PREVIEW_AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
UPDATE_AT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def make_projects(services, clock, count, fake_slack):
    with services.sessions.begin() as session:
        for n in range(count):
            fake_slack.add_channel(f"C0000{n:05d}", f"client-{n}")
            new = NewProject(name=f"P{n}", channel_id=f"C0000{n:05d}", owner_id=ALICE, tz="Europe/Berlin",
                             cadence_weekday=2)
            project = create_project(session, team_id=HOME, new=new, created_by=ALICE, now=clock.now())
            session.add(Milestone(project=project, number=1, title="M", start_date=date(2026, 11, 1),
                                  due_date=date(2026, 12, 1), baseline_due_date=date(2026, 12, 1),
                                  created_at=clock.now()))
            session.flush()
            add_item(session, project=project, title=f"Logo {n}", due=date(2026, 11, 30), blocks=None, by=ALICE,
                     now=clock.now())


def statements_during(services, work):
    seen = []

    def record(*args):
        seen.append(args[2].lstrip().split()[0].upper())

    event.listen(services.engine, "before_cursor_execute", record)
    try:
        result = work()
    finally:
        event.remove(services.engine, "before_cursor_execute", record)
    return result, seen


@pytest.mark.parametrize("count", [6, 30])
def test_due_tick_costs_the_same_few_statements_for_any_number_of_projects(services, clock, fake_slack, count):
    make_projects(services, clock, count, fake_slack)
    weekly_updates(JobContext(services.sessions, services.gateway, PREVIEW_AT))
    result, seen = statements_during(
        services, lambda: weekly_updates(JobContext(services.sessions, services.gateway, UPDATE_AT)))
    assert result["queued"] == count
    assert seen.count("SELECT") <= 11 and seen.count("UPDATE") <= 3


def test_recording_a_batch_of_sent_updates_is_two_statements(services, clock, fake_slack):
    make_projects(services, clock, 12, fake_slack)
    weekly_updates(JobContext(services.sessions, services.gateway, UPDATE_AT))
    with services.sessions.begin() as session:
        sent = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "update")))
        projects = list(session.scalars(select(Project)))
        with session.no_autoflush:
            _, seen = statements_during(services, lambda: record_sent(session, sent, UPDATE_AT))
    assert seen == ["UPDATE", "UPDATE"] and len(projects) == 12
    with services.sessions() as session:
        assert set(session.scalars(select(WeeklyUpdate.state))) == {"posted"}
        assert session.scalar(select(func.count()).where(Project.last_update_at == UPDATE_AT)) == 12


def test_what_the_budget_leaves_goes_out_on_the_next_tick(services, clock, fake_slack, monkeypatch):
    make_projects(services, clock, 5, fake_slack)
    monkeypatch.setattr(jobs.updates, "CHUNK", 2)
    monkeypatch.setattr(jobs.updates, "BUDGET_SECONDS", 0)
    clock.set(UPDATE_AT)
    queued = [run_tick(services, UPDATE_AT)["updates"].get("queued", 0) for _ in range(4)]
    assert queued == [2, 2, 1, 0]
    with services.sessions() as session:
        assert session.scalar(select(func.count()).where(OutboxMessage.kind == "update",
                                                         OutboxMessage.state == "sent")) == 5


def test_updates_queued_in_bulk_are_in_the_history_once_each(services, clock, fake_slack):
    make_projects(services, clock, 4, fake_slack)
    assert run_tick(services, UPDATE_AT, deliver=False)["updates"]["queued"] == 4
    with services.sessions() as session:
        posts = list(session.scalars(select(OutboxMessage).where(OutboxMessage.client_visible.is_(True))))
        updates = list(session.scalars(select(WeeklyUpdate)))
        found = list(session.scalars(select(HistoryEvent).where(
            HistoryEvent.kind.in_(("post.queued", "update.scheduled")))))
    expected = {("post.queued", row.id): (row.project_id, row.created_at, {
        "post": row.kind, "period_key": row.period_key, "channel_id": row.channel_id,
        "not_before": row.not_before.isoformat()}) for row in posts}
    expected.update({("update.scheduled", row.id): (row.project_id, row.created_at, {
        "scheduled_for": row.scheduled_for.isoformat(), "period_key": row.period_key}) for row in updates})
    assert len(updates) == 4 and {row.state for row in updates} == {"queued"}
    assert sorted((e.kind, e.subject_id) for e in found) == sorted(expected)
    assert all((e.project_id, e.occurred_at, e.detail) == expected[e.kind, e.subject_id] and e.team_id == HOME
               for e in found)


def test_a_post_another_worker_queued_meanwhile_stays_one_row(services, clock, fake_slack, monkeypatch):
    make_projects(services, clock, 2, fake_slack)
    route = outbox.timeoff.route
    with services.sessions.begin() as session:
        posts = [{"project": project, "kind": "update", "period_key": "w1", "payload": {"text": f"Hi {project.id}"}}
                 for project in session.scalars(select(Project).order_by(Project.id))]

        def meanwhile(session_, unsent, now):
            monkeypatch.setattr(outbox.timeoff, "route", route)
            outbox.enqueue(session, now=now, **posts[0])
            session.flush()
            route(session_, unsent, now)

        monkeypatch.setattr(outbox.timeoff, "route", meanwhile)
        ids = outbox.enqueue_many(session, posts, now=clock.now())
    with services.sessions() as session:
        rows = {row.id: row.project_id for row in session.scalars(
            select(OutboxMessage).where(OutboxMessage.period_key == "w1"))}
    assert len(rows) == 2 and [rows[row_id] for row_id in ids] == [post["project"].id for post in posts]
