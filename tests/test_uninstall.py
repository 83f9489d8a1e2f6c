import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.models import Base, HistoryEvent, OutboxMessage, Project, SendBudget, WeeklyUpdate, WorkspacePause
from jobs import run_tick
from bot.slack.delivery import SETTLE
from tests.expectations_support import FIXTURES, deliver, eventually, rows, tick
from tests.slackreq import ALICE, HOME, SHARED
from tests.test_cli import TOKENS, run
from tests.test_updates import UPDATE_AT, WEEK

ADD = ('add-project "Acme Website" <#C07SHARED01|proj-acme-partner> client="Acme Corp" tz=Europe/Berlin '
       'cadence="wed 10:00"')


def envelope(name):
    return json.loads((FIXTURES / name).read_text())


def uninstall(slack, name="event_app_uninstalled.json", **kwargs):
    body = envelope(name)
    answer = slack.event(body["event"], event_id=body["event_id"], team=body["team_id"], **kwargs)
    assert answer.status == 200
    return answer


def update_queued(services, clock):
    clock.set(UPDATE_AT)
    run_tick(services, UPDATE_AT, deliver=False)
    [row] = rows(services, OutboxMessage, OutboxMessage.kind == "update")
    assert row.state == "pending"
    return row


def pauses(services):
    with services.sessions() as session:
        return list(session.scalars(select(WorkspacePause).order_by(WorkspacePause.team_id)))


def paused_history(services):
    with services.sessions() as session:
        return session.scalar(select(func.count()).where(HistoryEvent.kind == "project.paused"))


def test_uninstall_pauses_and_nothing_more_is_posted(slack, services, fake_slack, clock):
    slack.command(ADD)
    deliver(services)
    update_queued(services, clock)
    fake_slack.reset_calls()
    uninstall(slack)
    [project] = rows(services, Project)
    [paused] = pauses(services)
    [held] = rows(services, OutboxMessage, OutboxMessage.kind == "update")
    assert project.status == "paused" and held.state == "paused"
    assert (paused.team_id, paused.reason, paused.paused_at) == (HOME, "app_uninstalled", UPDATE_AT)
    for day in range(1, 15):
        tick(services, clock, UPDATE_AT + timedelta(days=day))
    assert fake_slack.calls_to("chat.postMessage") == []
    assert [row.state for row in rows(services, OutboxMessage, OutboxMessage.kind == "update")] == ["paused"]


def test_redelivered_and_repeated_events_pause_once(slack, services, clock):
    slack.command(ADD)
    deliver(services)
    uninstall(slack)
    clock.advance(timedelta(minutes=5))
    uninstall(slack, retry_num=1)
    uninstall(slack, "event_tokens_revoked.json")
    [paused] = pauses(services)
    assert (paused.reason, paused.paused_at) == ("app_uninstalled", clock.now() - timedelta(minutes=5))
    assert paused_history(services) == 1


def test_revoked_bot_token_pauses(slack, services):
    slack.command(ADD)
    uninstall(slack, "event_tokens_revoked.json")
    [paused] = pauses(services)
    assert paused.reason == "tokens_revoked"
    assert rows(services, Project)[0].status == "paused"


def test_revoked_user_tokens_alone_pause_nothing(slack, services, fake_slack, clock):
    slack.command(ADD)
    deliver(services)
    body = envelope("event_tokens_revoked.json")
    body["event"]["tokens"]["bot"] = []
    assert slack.event(body["event"]).status == 200
    assert pauses(services) == []
    assert rows(services, Project)[0].status == "active"
    tick(services, clock, UPDATE_AT)
    assert any(m.get("metadata", {}).get("event_payload", {}).get("kind") == "update"
               for m in fake_slack.messages(SHARED))


def test_unsigned_uninstall_changes_nothing(slack, services):
    slack.command(ADD)
    body = envelope("event_app_uninstalled.json")
    answer = slack.send(json.dumps(body).encode(), "application/json", signature="v0=" + "0" * 64)
    assert answer.status == 401
    assert pauses(services) == []
    assert rows(services, Project)[0].status == "active"


def build_workspace(slack, services, clock):
    for text in (ADD, 'add-milestone acme-website "Design" due=2026-12-04',
                 'add-milestone acme-website "Launch" due=2026-12-18',
                 'delay acme-website Design to=2026-12-09 reason="Fonts late"',
                 'risk acme-website Launch "Keys missing"', 'owe acme-website "Logo files" due=2026-12-01',
                 "closed acme-website from=2026-12-24 to=2026-12-31", f"away <@{ALICE}> from=2026-12-07 to=2026-12-08",
                 "done acme-website Design"):
        answer = slack.command(text)
        assert answer.status == 200 and "For example" not in answer.text, (text, answer.text)
    deliver(services)
    update_queued(services, clock)
    with services.sessions.begin() as session:
        session.add_all([SendBudget(key=HOME, tat=1.0), SendBudget(key=f"{HOME}:{SHARED}", tat=1.0),
                         SendBudget(key="T0ELSEWHR1", tat=1.0)])


def counts(services):
    with services.sessions() as session:
        return {table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def test_purge_after_retention_deletes_every_row_of_the_workspace(slack, services, clock):
    build_workspace(slack, services, clock)
    uninstall(slack)
    before = counts(services)
    held = {"project", "milestone", "milestone_move", "outbox", "weekly_update", "history_event", "time_off",
            "closure", "owed_item", "delay_alert", "checkin", "workspace_pause"}
    assert all(before[name] for name in held), before
    assert tick(services, clock, UPDATE_AT + timedelta(days=30) - timedelta(minutes=1))["retention"] == {}
    assert counts(services) == before
    assert tick(services, clock, UPDATE_AT + timedelta(days=30))["retention"]["workspaces"] == 1
    after = counts(services)
    assert {name: n for name, n in after.items() if n} == {"send_budget": 1, "seen_delivery": before["seen_delivery"]}


def test_purge_command_uses_the_retention_setting(slack, services, clock, database_url, fake_slack, tmp_path):
    build_workspace(slack, services, clock)
    uninstall(slack)
    fake_slack.revoke("xoxb-test-token")
    env = {**TOKENS, "DATABASE_URL": database_url,
           "SLACK_API_URL": fake_slack.base_url, "EXPECT_RETENTION_DAYS": "7"}
    early = run(tmp_path, "purge", "--at", (UPDATE_AT + timedelta(days=6)).isoformat(), **env)
    assert (early.returncode, json.loads(early.stdout)) == (0, {})
    assert counts(services)["project"] == 1
    done = run(tmp_path, "purge", "--at", (UPDATE_AT + timedelta(days=7)).isoformat(), **env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["workspaces"] == 1, done.stderr[-3000:]
    assert counts(services)["project"] == 0 and counts(services)["workspace_pause"] == 0
    refused = run(tmp_path, "purge", **{**env, "EXPECT_RETENTION_DAYS": "a month"})
    assert refused.returncode != 0 and refused.stderr.strip() == (
        "expect: EXPECT_RETENTION_DAYS must be a whole number of days from 1 to 3650, such as 30, not 'a month' "
        "(see .env.example)")


def cli_tick(tmp_path, database_url, fake_slack, at, token="xoxb-test-token"):
    env = {**TOKENS, "SLACK_BOT_TOKEN": token, "DATABASE_URL": database_url, "SLACK_API_URL": fake_slack.base_url}
    result = run(tmp_path, "tick", "--at", at.isoformat(), **env)
    assert result.returncode == 0, result.stderr
    return result


def reinstalled(fake_slack):
    fake_slack.revoke("xoxb-test-token")
    fake_slack.add_workspace(HOME, "Acme Eng", token="xoxb-reinstalled", bot_user_id="U07BOTUSER1")
    return "xoxb-reinstalled"


def updates_posted(fake_slack):
    return [m for m in fake_slack.messages(SHARED) if m.get("metadata", {}).get("event_payload", {}).get("kind")
            == "update"]


def test_working_token_after_a_short_pause_resumes_and_sends_what_waited(slack, services, fake_slack, clock,
                                                                         database_url, tmp_path):
    slack.command(ADD)
    deliver(services)
    update_queued(services, clock)
    uninstall(slack)
    cli_tick(tmp_path, database_url, fake_slack, UPDATE_AT + timedelta(hours=2), token=reinstalled(fake_slack))
    assert rows(services, Project)[0].status == "active" and pauses(services) == []
    [row] = rows(services, OutboxMessage, OutboxMessage.kind == "update")
    assert row.state == "sent" and len(updates_posted(fake_slack)) == 1
    with services.sessions() as session:
        assert session.scalar(select(func.count()).where(HistoryEvent.kind == "project.resumed")) == 1


def test_working_token_after_a_long_pause_drops_stale_posts_and_reschedules(slack, services, fake_slack, clock,
                                                                            database_url, tmp_path):
    slack.command(ADD)
    deliver(services)
    update_queued(services, clock)
    uninstall(slack)
    token = reinstalled(fake_slack)
    back = UPDATE_AT + timedelta(days=5)
    cli_tick(tmp_path, database_url, fake_slack, back, token=token)
    [project] = rows(services, Project)
    [row] = rows(services, OutboxMessage, OutboxMessage.kind == "update")
    [update] = rows(services, WeeklyUpdate)
    assert (project.status, row.state, update.state) == ("active", "cancelled", "missed")
    assert project.next_update_at == UPDATE_AT + WEEK and updates_posted(fake_slack) == []
    cli_tick(tmp_path, database_url, fake_slack, UPDATE_AT + WEEK, token=token)
    assert len(updates_posted(fake_slack)) == 1


def test_refused_token_keeps_the_workspace_paused(slack, services, fake_slack, clock, database_url, tmp_path):
    slack.command(ADD)
    deliver(services)
    update_queued(services, clock)
    uninstall(slack)
    fake_slack.revoke("xoxb-test-token")
    result = cli_tick(tmp_path, database_url, fake_slack, UPDATE_AT + timedelta(hours=2))
    assert "stays paused" in result.stderr and "token_revoked" in result.stderr
    assert rows(services, Project)[0].status == "paused" and len(pauses(services)) == 1
    assert updates_posted(fake_slack) == []


def test_send_in_doubt_is_held_then_settled_from_history_not_posted_again(slack, services, fake_slack, clock,
                                                                          database_url, tmp_path):
    fake_slack.fail_next("chat.postMessage", drop_response=True)
    slack.command(ADD)
    eventually(lambda: rows(services, OutboxMessage, OutboxMessage.state == "unknown"))
    uninstall(slack)
    clock.advance(SETTLE + timedelta(seconds=1))
    services.dispatcher.run_once()
    [row] = rows(services, OutboxMessage)
    assert (row.state, row.error) == ("paused", "workspace paused while in doubt")
    assert fake_slack.calls_to("conversations.history") == []
    cli_tick(tmp_path, database_url, fake_slack, clock.now() + timedelta(minutes=1), token=reinstalled(fake_slack))
    [row] = rows(services, OutboxMessage)
    assert row.state == "sent" and row.ts
    assert len(fake_slack.calls_to("conversations.history")) >= 1
    assert fake_slack.stats()["posts_by_outbox_id"] == {str(row.id): 1}
