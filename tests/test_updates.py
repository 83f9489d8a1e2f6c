import json
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import event, select

from bot import ids
from bot.domain import update_parts
from bot.domain.projects import NewProject, create_project
from bot.models import Milestone, OutboxMessage, Project, WeeklyUpdate
from jobs import JobContext
from jobs.updates import weekly_updates
from tests.expectations_support import rendered, tick
from tests.slackreq import ALICE, BOB, HOME, PARTNER, SHARED

ADD = ('add-project "Acme Website" <#C07SHARED01|proj-acme-partner> client="Acme Corp" tz=Europe/Berlin '
       'cadence="wed 10:00"')
PREVIEW_AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
UPDATE_AT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
WEEK = timedelta(days=7)


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def updates_in(fake_slack, channel=SHARED, kinds=("update",)):
    return [m for m in fake_slack.messages(channel)
            if m.get("metadata", {}).get("event_payload", {}).get("kind") in kinds]


def posts(fake_slack):
    return [rendered(m) for m in updates_in(fake_slack)]


def dms(fake_slack, user=ALICE):
    return updates_in(fake_slack, user, ("preview", "approval-reminder", "attention"))


def one(services, model):
    with services.sessions() as session:
        return session.scalars(select(model).order_by(model.id)).first()


def rows(services, model):
    with services.sessions() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def settle(services, state="posted"):
    deadline = time.monotonic() + 5
    while one(services, WeeklyUpdate).state != state and time.monotonic() < deadline:
        time.sleep(0.01)


def buttons(message):
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def responses(fake_slack, count=1):
    return fake_slack.wait_for("response_url", count)


@pytest.fixture
def project(slack, services):
    assert "Registered" in slack.command(ADD).text
    return one(services, Project)


def setup_milestones(slack, services, clock):
    slack.command('add-milestone acme-website "Design sign-off" due=2026-11-24')
    slack.command('add-milestone acme-website "Build" due=2026-12-04')
    slack.command('add-milestone acme-website "Launch" due=2026-12-18')
    slack.command("progress acme-website Build 40%")
    slack.command('done acme-website "Design sign-off"')
    with services.sessions.begin() as session:
        launch = session.scalar(select(Milestone).where(Milestone.title == "Launch"))
        launch.due_date = date(2027, 1, 8)


def test_update_posts_at_the_cadence_instant_once(slack, services, fake_slack, clock, project):
    setup_milestones(slack, services, clock)
    tick(services, clock, UPDATE_AT - timedelta(minutes=1))
    assert posts(fake_slack) == []
    tick(services, clock, UPDATE_AT)
    tick(services, clock, UPDATE_AT)
    tick(services, clock, UPDATE_AT + timedelta(minutes=1))
    [post] = posts(fake_slack)
    assert "Hello Acme Corp" in post and ":large_green_circle: *On track*" in post
    assert ":white_check_mark: Design sign-off" in post
    assert "*Build*  ▰▰▰▰▱▱▱▱▱▱ 40%" in post
    assert "*Launch* — due <!date^" in post and "(moved: <!date^" in post and "Sat 19 Dec 2026" not in post
    assert "Fri 18 Dec 2026> → <!date^" in post and "Fri 8 Jan 2027>" in post
    assert f"Next update <!date^{int((UPDATE_AT + WEEK).timestamp())}^" in post
    assert "What we need from you" not in post and "A note from" not in post
    update, proj = one(services, WeeklyUpdate), one(services, Project)
    assert (update.period_key, update.state) == ("2026-11-25", "posted")
    assert proj.last_update_at == UPDATE_AT
    assert proj.next_update_at == UPDATE_AT + WEEK


@pytest.mark.parametrize("tz, created, first, second", [
    ("Europe/Berlin", "2027-03-20T12:00", "2027-03-22T09:00", "2027-03-29T08:00"),
    ("America/New_York", "2026-10-24T12:00", "2026-10-26T14:00", "2026-11-02T15:00"),
])
def test_cadence_keeps_local_time_across_dst(slack, services, fake_slack, clock, tz, created, first, second):
    clock.set(utc(created))
    slack.command(f'add-project "Acme" <#C07SHARED01|x> tz={tz} cadence="mon 10:00" holidays=off')
    tick(services, clock, utc(first) - timedelta(minutes=1))
    assert posts(fake_slack) == []
    tick(services, clock, utc(first))
    assert len(posts(fake_slack)) == 1
    assert one(services, Project).next_update_at == utc(second)
    tick(services, clock, utc(second) - timedelta(minutes=1))
    assert len(posts(fake_slack)) == 1
    tick(services, clock, utc(second))
    assert len(posts(fake_slack)) == 2
    assert [u.period_key for u in rows(services, WeeklyUpdate)] == [first[:10], second[:10]]


def test_preview_dm_a_day_before_with_buttons(services, fake_slack, clock, project):
    tick(services, clock, PREVIEW_AT - timedelta(minutes=1))
    assert dms(fake_slack) == []
    tick(services, clock, PREVIEW_AT)
    tick(services, clock, PREVIEW_AT + timedelta(minutes=5))
    [preview] = dms(fake_slack)
    assert "*Preview* of the weekly update for *Acme Website*" in rendered(preview)
    assert "posts automatically unless you skip it" in rendered(preview)
    assert buttons(preview) == [ids.UPDATE_APPROVE, ids.UPDATE_NOTE, ids.UPDATE_SKIP, ids.UPDATE_POST_NOW]
    assert posts(fake_slack) == []


def test_required_approval_holds_until_approved(slack, services, fake_slack, clock, project):
    assert "approval `required`" in slack.command("settings acme-website approval=required").text
    tick(services, clock, PREVIEW_AT)
    assert "posts only once you approve it" in rendered(dms(fake_slack)[0])
    tick(services, clock, UPDATE_AT)
    tick(services, clock, UPDATE_AT + timedelta(hours=1))
    tick(services, clock, UPDATE_AT + timedelta(hours=4))
    assert posts(fake_slack) == []
    reminders = [m for m in dms(fake_slack) if "waiting for your approval" in rendered(m)]
    assert len(reminders) == 2 and ids.UPDATE_APPROVE in buttons(reminders[0])
    update = one(services, WeeklyUpdate)
    assert update.state == "awaiting"
    answer = slack.button(ids.UPDATE_APPROVE, str(update.id))
    assert answer.status == 200
    settle(services)
    services.dispatcher.run_once()
    assert len(posts(fake_slack)) == 1
    [response] = responses(fake_slack)
    assert response["replace_original"] is True
    assert "On its way to the client (sent by <@U0HOMEUSR1>)" in json.dumps(response)
    assert one(services, WeeklyUpdate).state == "posted"


def test_unapproved_update_expires_without_posting(slack, services, fake_slack, clock, project):
    slack.command("settings acme-website approval=required")
    for hours in (0, 4, 8, 12, 16):
        tick(services, clock, UPDATE_AT + timedelta(hours=hours))
    assert posts(fake_slack) == []
    texts = [rendered(m) for m in dms(fake_slack)]
    assert sum("waiting for your approval" in t for t in texts) == 3
    assert sum("never approved, so I skipped it" in t for t in texts) == 1
    slack.button(ids.UPDATE_APPROVE, str(one(services, WeeklyUpdate).id))
    assert "time has passed" in responses(fake_slack)[-1]["text"]
    assert one(services, WeeklyUpdate).state == "missed"
    assert posts(fake_slack) == []


def test_skip_posts_nothing_that_week(slack, services, fake_slack, clock, project):
    tick(services, clock, PREVIEW_AT)
    update = one(services, WeeklyUpdate)
    slack.button(ids.UPDATE_SKIP, str(update.id))
    assert "Skipped by <@U0HOMEUSR1>" in json.dumps(responses(fake_slack)[-1])
    tick(services, clock, UPDATE_AT)
    assert posts(fake_slack) == []
    assert one(services, WeeklyUpdate).state == "skipped"
    tick(services, clock, UPDATE_AT + WEEK)
    assert len(posts(fake_slack)) == 1


def test_note_from_the_modal_goes_in_the_post(slack, services, fake_slack, clock, project):
    tick(services, clock, PREVIEW_AT)
    update = one(services, WeeklyUpdate)
    slack.button(ids.UPDATE_NOTE, str(update.id))
    [opened] = fake_slack.wait_for("views.open")
    view = opened["view"]
    assert view["callback_id"] == ids.UPDATE_NOTE_VIEW
    state = {ids.UPDATE_NOTE_INPUT: {ids.UPDATE_NOTE_INPUT: {"type": "plain_text_input",
                                                             "value": "Great week, thanks! <!channel> see you"}}}
    answer = slack.view_submission(ids.UPDATE_NOTE_VIEW, state, private_metadata=view["private_metadata"])
    assert answer.status == 200 and answer.body in ("", "{}")
    assert "Great week, thanks!" in json.dumps(responses(fake_slack)[-1])
    tick(services, clock, UPDATE_AT)
    [post] = posts(fake_slack)
    assert "*A note from <@U0HOMEUSR1>*\n> Great week, thanks! &lt;!channel&gt; see you" in post
    assert "<!channel>" not in post


def test_note_too_long_is_refused_in_the_modal(slack, services, clock, project):
    tick(services, clock, PREVIEW_AT)
    update = one(services, WeeklyUpdate)
    state = {ids.UPDATE_NOTE_INPUT: {ids.UPDATE_NOTE_INPUT: {"type": "plain_text_input", "value": "x" * 2500}}}
    answer = slack.view_submission(ids.UPDATE_NOTE_VIEW, state, private_metadata=json.dumps({"update": update.id}))
    assert answer.json["response_action"] == "errors"
    assert "at most 2,000" in answer.json["errors"][ids.UPDATE_NOTE_INPUT]
    assert one(services, WeeklyUpdate).note is None


def test_business_hours_hold_the_post(slack, services, fake_slack, clock):
    slack.command('add-project "Acme" <#C07SHARED01|x> tz=Europe/Berlin cadence="sat 10:00"')
    saturday = utc("2026-11-28T09:00")
    assert one(services, Project).next_update_at == utc("2026-11-30T08:00")
    tick(services, clock, saturday)
    tick(services, clock, utc("2026-11-30T07:59"))
    assert posts(fake_slack) == []
    tick(services, clock, utc("2026-11-30T08:00"))
    assert len(posts(fake_slack)) == 1
    assert one(services, Project).next_update_at == utc("2026-11-30T08:00") + WEEK


def test_late_tick_within_grace_posts_once(services, fake_slack, clock, project):
    tick(services, clock, UPDATE_AT + timedelta(hours=3))
    tick(services, clock, UPDATE_AT + timedelta(hours=3, minutes=1))
    assert len(posts(fake_slack)) == 1


def test_stale_update_is_skipped_and_folded_into_the_next(slack, services, fake_slack, clock, project):
    tick(services, clock, UPDATE_AT)
    clock.set(UPDATE_AT + timedelta(days=1))
    slack.command('add-milestone acme-website "Design sign-off" due=2026-12-20')
    slack.command('done acme-website "Design sign-off"')
    slack.command("update acme-website")
    note = {ids.UPDATE_NOTE_INPUT: {ids.UPDATE_NOTE_INPUT: {"type": "plain_text_input", "value": "Happy holidays"}}}
    missed_id = rows(services, WeeklyUpdate)[1].id
    slack.view_submission(ids.UPDATE_NOTE_VIEW, note, private_metadata=json.dumps({"update": missed_id}))
    tick(services, clock, UPDATE_AT + WEEK + timedelta(hours=13))
    assert len(posts(fake_slack)) == 1
    missed = rows(services, WeeklyUpdate)[1]
    assert (missed.period_key, missed.state) == ("2026-12-02", "missed")
    tick(services, clock, UPDATE_AT + 2 * WEEK)
    assert len(posts(fake_slack)) == 2
    assert ":white_check_mark: Design sign-off" in posts(fake_slack)[1]
    assert "> Happy holidays" in posts(fake_slack)[1]


def test_weeks_of_downtime_do_not_burst(services, fake_slack, clock, project):
    tick(services, clock, UPDATE_AT + 3 * WEEK + timedelta(hours=13))
    assert posts(fake_slack) == []
    assert one(services, Project).next_update_at == UPDATE_AT + 4 * WEEK
    tick(services, clock, UPDATE_AT + 4 * WEEK)
    assert len(posts(fake_slack)) == 1


def test_worker_back_just_after_this_weeks_slot_still_posts_it_once(services, fake_slack, clock, project):
    tick(services, clock, UPDATE_AT + 3 * WEEK + timedelta(minutes=1))
    tick(services, clock, UPDATE_AT + 3 * WEEK + timedelta(minutes=2))
    assert len(posts(fake_slack)) == 1
    assert [u.state for u in rows(services, WeeklyUpdate)] == ["missed", "posted"]
    assert one(services, Project).next_update_at == UPDATE_AT + 4 * WEEK
    tick(services, clock, UPDATE_AT + 4 * WEEK)
    assert len(posts(fake_slack)) == 2


def test_partner_cannot_approve(slack, services, fake_slack, clock, project):
    slack.command("settings acme-website approval=required")
    tick(services, clock, UPDATE_AT)
    update = one(services, WeeklyUpdate)
    for team in (PARTNER, HOME):
        slack.button(ids.UPDATE_APPROVE, str(update.id), user=BOB, team=team)
    refusals = responses(fake_slack, 2)
    assert len(refusals) == 2 and all("Only members of the team" in r["text"] for r in refusals)
    assert all(r["replace_original"] is False for r in refusals)
    services.dispatcher.run_once()
    assert one(services, WeeklyUpdate).state == "awaiting"
    assert posts(fake_slack) == []


def test_permanent_slack_error_needs_attention_and_tells_owner_once(services, fake_slack, clock, project):
    tick(services, clock, PREVIEW_AT)
    fake_slack.fail_next("chat.postMessage", "not_in_channel")
    tick(services, clock, UPDATE_AT)
    tick(services, clock, UPDATE_AT + timedelta(minutes=1))
    assert posts(fake_slack) == []
    alerts = [m for m in dms(fake_slack) if "not_in_channel" in rendered(m)]
    assert len(alerts) == 1 and "/invite @expect" in rendered(alerts[0])
    assert "not_in_channel" in one(services, Project).attention
    assert one(services, WeeklyUpdate).state == "queued"


def test_post_now_posts_once_for_the_period(slack, services, fake_slack, clock, project):
    tick(services, clock, PREVIEW_AT)
    update = one(services, WeeklyUpdate)
    clock.set(PREVIEW_AT + timedelta(hours=1))
    slack.button(ids.UPDATE_POST_NOW, str(update.id))
    settle(services)
    services.dispatcher.run_once()
    again = slack.button(ids.UPDATE_POST_NOW, str(update.id))
    assert again.status == 200
    assert "already gone to the client" in responses(fake_slack, 2)[-1]["text"]
    tick(services, clock, UPDATE_AT)
    assert len(posts(fake_slack)) == 1
    assert one(services, WeeklyUpdate).state == "posted"
    assert one(services, Project).next_update_at == UPDATE_AT + WEEK


def test_redelivered_click_is_ignored(slack, services, clock, project):
    tick(services, clock, PREVIEW_AT)
    value = str(one(services, WeeklyUpdate).id)
    approve = click(ids.UPDATE_APPROVE, value, slack.response_url)
    slack.interaction(approve)
    slack.interaction(click(ids.UPDATE_SKIP, value, slack.response_url))
    slack.interaction(approve)
    assert one(services, WeeklyUpdate).state == "skipped"


def click(action_id, value, response_url):
    return {
        "type": "block_actions", "user": {"id": ALICE, "username": "alice", "team_id": HOME},
        "team": {"id": HOME, "domain": "x"}, "api_app_id": "A07EXPECT01", "trigger_id": "1.2.abc",
        "container": {"type": "message", "message_ts": "1718000000.000100", "channel_id": "D0HOMEUSR1"},
        "channel": {"id": "D0HOMEUSR1", "name": "directmessage"}, "response_url": response_url,
        "message": {"type": "message", "ts": "1718000000.000100", "text": "", "blocks": []},
        "actions": [{"action_id": action_id, "block_id": ids.UPDATE_PREVIEW_ACTIONS, "type": "button",
                     "value": value, "action_ts": f"{time.time():.6f}"}],
    }


def test_quiet_week_gets_a_short_post(slack, services, fake_slack, clock, project):
    slack.command('add-milestone acme-website "Launch" due=2027-02-26')
    tick(services, clock, UPDATE_AT)
    tick(services, clock, UPDATE_AT + WEEK)
    first, quiet = posts(fake_slack)
    assert "*Next milestones*" in first and "No change" not in first
    assert "No change on *Acme Website* this week: :large_green_circle: on track for *Launch*, due <!date^" in quiet
    assert len(updates_in(fake_slack)[1]["blocks"]) == 2


def test_needs_from_client_and_health_override(slack, services, fake_slack, clock, project, monkeypatch):
    monkeypatch.setattr(update_parts, "NEEDS_FROM_CLIENT", [lambda **kw: [f"Logo files for {kw['project'].name}"]])
    slack.command("settings acme-website health=at_risk")
    tick(services, clock, UPDATE_AT)
    [post] = posts(fake_slack)
    assert "*What we need from you*\n• Logo files for Acme Website" in post
    assert ":large_yellow_circle: *At risk*" in post


def test_update_command_shows_the_preview(slack, services, fake_slack, project):
    answer = slack.command("update acme-website")
    assert answer.json["response_type"] == "ephemeral"
    assert "*Preview* of the weekly update for *Acme Website*" in answer.text
    actions = [b for b in answer.json["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[0]["elements"]][0] == ids.UPDATE_APPROVE
    assert "There is no project `nope`" in slack.command("update nope").text
    assert posts(fake_slack) == []


def test_idle_tick_is_three_queries_and_milestones_load_in_one(services, clock, monkeypatch):
    with services.sessions.begin() as session:
        for n in range(30):
            new = NewProject(name=f"P{n}", channel_id=f"C0000{n:05d}", owner_id=ALICE, tz="Europe/Berlin",
                             cadence_weekday=2)
            project = create_project(session, team_id=HOME, new=new, created_by=ALICE, now=clock.now())
            session.add(Milestone(project=project, number=1, title="M", start_date=date(2026, 11, 1),
                                  due_date=date(2026, 12, 1), baseline_due_date=date(2026, 12, 1),
                                  created_at=clock.now()))
    statements = []
    event.listen(services.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    weekly_updates(JobContext(services.sessions, services.gateway, utc("2026-11-23T12:00")))
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 3
    weekly_updates(JobContext(services.sessions, services.gateway, PREVIEW_AT))
    statements.clear()
    result = weekly_updates(JobContext(services.sessions, services.gateway, UPDATE_AT))
    assert result["update_due"] == 30 and result["queued"] == 30
    assert len([s for s in statements if "FROM milestone" in s]) == 1


def test_expect_tick_command_posts_the_update(slack, services, fake_slack, database_url, project, tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": "x",
           "SLACK_API_URL": fake_slack.base_url, "DATABASE_URL": database_url}
    expect = str(Path(sys.executable).with_name("expect"))
    result = subprocess.run([expect, "tick", "--at", "2026-11-25T09:00:00Z"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["updates"]["queued"] == 1
    [post] = posts(fake_slack)
    assert "Hello Acme Corp" in post
