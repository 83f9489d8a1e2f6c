import io
import json
from datetime import timedelta

from PIL import Image
from sqlalchemy import event, select

from bot import ids
from bot.chart import render_png, size_for
from bot.domain import charts
from bot.domain.timeline import timeline_of
from bot.domain.projects import NewProject, create_project
from bot.models import MilestoneMove, Project
from bot.models.charts import ChartRequest
from jobs.charts import wait_idle
from bot.models.expectations import ResponsePromise
from tests.expectations_support import buttons, deliver, of_kind, press, rows, send_event, tick, utc
from tests.slackreq import ALICE, BOB, HOME, PARTNER, SHARED
from tests.test_home import opened, shown

ADD = ('add-project "Acme Website" <#C07SHARED01|proj-acme-partner> client="Acme Corp" tz=Europe/Berlin '
       'cadence="wed 10:00" respond-within=4h internal=<#C07INTERN01|acme-team>')
UPDATE_AT = utc(2026, 11, 25, 9)
DANA = "U0PARTUSR2"


def message(fake_slack, text, user):
    stored = fake_slack.add_message(SHARED, text, user=user)
    team = PARTNER if user == BOB else "T0HOME0001"
    return {"type": "message", "channel": SHARED, "user": user, "text": text, "ts": stored["ts"], "team": team,
            "user_team": team, "channel_type": "channel", "event_ts": stored["ts"]}


def live_week(slack, services, fake_slack, clock):
    """A kept and a missed promise, a delay told 10 days ahead, an update on time; a calm second project."""
    slack.command(ADD)
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')
    slack.command('add-project "Zebra Shop" <#C07INTERN01|zebra> tz=Europe/Berlin cadence="wed 10:00"')
    clock.set(utc(2026, 11, 23, 10))
    question = message(fake_slack, "Could you send the staging link?", BOB)
    send_event(slack, services, question, ext_shared=True)
    clock.set(utc(2026, 11, 23, 11))
    send_event(slack, services, {**message(fake_slack, "Here: staging.acme.test", ALICE), "thread_ts": question["ts"]})
    clock.set(utc(2026, 11, 23, 12))
    send_event(slack, services, message(fake_slack, "And the invoice?", BOB), ext_shared=True)
    clock.set(utc(2026, 11, 24, 8))
    slack.command('delay acme-website Launch to=2026-12-11 reason="Payment sandbox down"')
    tick(services, clock, utc(2026, 11, 24, 8, 15))
    tick(services, clock, UPDATE_AT)
    deliver(services)


def home_text(slack, fake_slack, clock):
    clock.set(UPDATE_AT + timedelta(hours=1))
    slack.event(opened(ALICE))
    [call] = fake_slack.wait_for("views.publish")
    assert len(call["view"]["blocks"]) <= 100
    return shown(call)


def test_home_scorecard_from_real_events_worst_first(slack, services, fake_slack, clock):
    live_week(slack, services, fake_slack, clock)
    assert [p.state for p in rows(services, ResponsePromise)] == ["kept", "open"]
    assert [m.lead_days for m in rows(services, MilestoneMove)] == [10]
    assert len(of_kind(fake_slack, SHARED, "update")) == 1
    text = home_text(slack, fake_slack, clock)
    acme = text[text.index("*Acme Website*"):text.index("*Zebra Shop*")]
    assert "Updates on time 1/1 (100%)" in acme
    assert "Promises kept 1/2 (50%) · first answer in 1.0 business h (median)" in acme
    assert "*Delays announced ahead 1/1 (100%)* · median lead +10 days" in acme
    assert "Owed by the client, overdue now 0" in acme and "Satisfaction — (no votes)" in acme
    assert "Needs attention: 1 answer promise missed" in acme
    zebra = text[text.index("*Zebra Shop*"):]
    assert "Updates on time 1/1 (100%)" in zebra and "Needs attention" not in zebra
    summary = text[text.index("Team-wide, last 12 weeks"):text.index("*Acme Website*")]
    assert "(2 projects)" in summary and "Updates on time 2/2 (100%)" in summary
    assert "Promises kept 1/2 (50%)" in summary


def test_home_orders_by_name_when_all_is_well(slack, services, fake_slack, clock):
    slack.command('add-project "Zebra Shop" <#C07INTERN01|zebra>')
    slack.command('add-project "Acme Website" <#C07SHARED01|acme>')
    text = home_text(slack, fake_slack, clock)
    assert text.index("*Acme Website*") < text.index("*Zebra Shop*")
    assert "Updates on time —" in text and "Delays announced ahead — (no moved dates)" in text


def png_of(fake_slack, file_id):
    uploaded = fake_slack.uploaded(file_id)
    return uploaded, Image.open(io.BytesIO(uploaded["content"]))


def test_report_for_a_period_and_timeline_in_dm(slack, services, fake_slack, clock):
    live_week(slack, services, fake_slack, clock)
    clock.set(UPDATE_AT + timedelta(hours=2))
    answer = slack.command("report acme-website from=2026-11-24 to=2026-11-30")
    assert "*Acme Website* `acme-website` · 2026-11-24 to 2026-11-30" in answer.text
    assert "Promises kept —" in answer.text and "Updates on time 1/1 (100%)" in answer.text
    assert "*Delays announced ahead 1/1 (100%)* · median lead +10 days" in answer.text
    assert "Promises kept 1/2 (50%)" in slack.command("report acme-website").text
    [complete] = fake_slack.wait_for("files.completeUploadExternal", 2)[:1]
    [asked] = fake_slack.calls_to("files.getUploadURLExternal")[:1]
    assert asked["filename"].endswith(".png") and "Launch: open, due Fri 11 Dec 2026" in asked["alt_txt"]
    assert complete["channel_id"] == "D" + ALICE[1:]
    file_id = json.loads(complete["files"])[0]["id"]
    uploaded, image = png_of(fake_slack, file_id)
    assert image.format == "PNG" and image.size == size_for(1) and int(asked["length"]) == len(uploaded["content"])
    assert uploaded["channels"] == ["D" + ALICE[1:]]
    assert wait_idle(services)
    tick(services, clock, UPDATE_AT + timedelta(hours=3))
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 2
    assert [(r.state, r.file_id is not None) for r in rows(services, ChartRequest)] == [("done", True)] * 2
    assert wait_idle(services)


def test_report_bad_input_changes_nothing(slack, services):
    slack.command(ADD)
    for text, says in [("report", "Say which project"), ("report acme-website from=someday", "`from=someday`"),
                       ("report acme-website from=2026-11-20 to=2026-11-01", "starts (2026-11-20) after it ends"),
                       ("report acme-website period=3w", "period"), ("report nope", "nope")]:
        answer = slack.command(text)
        assert says in answer.text and "/expect report" in answer.text or says == "nope", text
    assert rows(services, ChartRequest) == []


def test_chart_on_puts_the_timeline_in_the_weekly_update(slack, services, fake_slack, clock):
    slack.command(ADD)
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')
    assert "chart `on`" in slack.command("settings acme-website chart=on").text
    assert "choose `on`" in slack.command("settings acme-website chart=maybe").text
    tick(services, clock, UPDATE_AT - timedelta(hours=4))
    assert fake_slack.calls_to("files.completeUploadExternal") == []
    tick(services, clock, UPDATE_AT - timedelta(hours=3))
    [complete] = fake_slack.calls_to("files.completeUploadExternal")
    assert complete.get("channel_id") in (None, "")
    file_id = json.loads(complete["files"])[0]["id"]
    _, image = png_of(fake_slack, file_id)
    assert image.size == size_for(1)
    tick(services, clock, UPDATE_AT)
    [update] = of_kind(fake_slack, SHARED, "update")
    [picture] = [b for b in update["blocks"] if b["type"] == "image"]
    assert picture["slack_file"] == {"id": file_id}
    assert "Timeline of Acme Website" in picture["alt_text"] and "Launch: open, due Fri 4 Dec 2026" in picture["alt_text"]
    tick(services, clock, UPDATE_AT + timedelta(hours=1))
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1
    [project] = rows(services, Project)
    assert project.chart_file_id == file_id


def test_chart_off_by_default_uploads_nothing(slack, services, fake_slack, clock):
    slack.command(ADD)
    tick(services, clock, UPDATE_AT)
    [update] = of_kind(fake_slack, SHARED, "update")
    assert all(b["type"] != "image" for b in update["blocks"])
    assert fake_slack.calls_to("files.getUploadURLExternal") == []


def test_report_lists_low_scores_and_overdue_owed_items(slack, services, fake_slack, clock):
    fake_slack.add_user(DANA, "dana", real_name="Dana Partner", tz="America/Chicago", team_id=PARTNER)
    slack.command(ADD)
    slack.command('add-milestone acme-website "Design sign-off" due=2026-11-27')
    slack.command('done acme-website "Design sign-off"')
    slack.command('owe acme-website "Brand assets" due=2026-11-24')
    tick(services, clock, utc(2026, 11, 25, 8))
    [post] = of_kind(fake_slack, SHARED, "checkin")
    for user, score in ((BOB, 1), (DANA, 3)):
        action = f"{ids.CHECKIN_VOTE}-{score}"
        press(slack, fake_slack, action, buttons(post)[action], user=user, team=PARTNER, message_ts=post["ts"],
              answer_by="chat.update")
    text = slack.command("report acme-website").text
    assert "Satisfaction 2.0/4 from 2 votes" in text and "*Low scores*\n• Bob gave 1/4" in text
    assert "Dana" not in text
    assert "Owed by the client, overdue now 1 · average delay 1 day" in text
    assert "Needs attention: client satisfaction 2.0 of 4" in text
    fake_slack.wait_for("files.completeUploadExternal")
    assert wait_idle(services)


def test_archived_projects_only_under_archived(slack, services, fake_slack, clock):
    slack.command('add-project "Zebra Shop" <#C07INTERN01|zebra>')
    slack.command('add-project "Acme Website" <#C07SHARED01|acme>')
    slack.command("archive zebra-shop")
    text = home_text(slack, fake_slack, clock)
    assert "(1 project)" in text
    assert text.index("*Acme Website*") < text.index("Archived") < text.index("Zebra Shop `zebra-shop`")
    assert "Zebra Shop* `zebra-shop` —" not in text


def add_projects(services, clock, first, count):
    with services.sessions.begin() as session:
        for n in range(first, first + count):
            new = NewProject(name=f"P{n:03d}", channel_id=f"C0000{n:05d}", owner_id=ALICE, tz="Europe/Berlin")
            create_project(session, team_id=HOME, new=new, created_by=ALICE, now=clock.now())


def test_home_queries_do_not_grow_with_projects(slack, services, fake_slack, clock):
    def selects_for_home(event_id):
        statements = []
        listener = lambda *a: statements.append(a[2])  # noqa: E731
        event.listen(services.engine, "before_cursor_execute", listener)
        slack.event(opened(ALICE), event_id=event_id)
        fake_slack.wait_for("views.publish")
        event.remove(services.engine, "before_cursor_execute", listener)
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    add_projects(services, clock, 0, 3)
    few = selects_for_home("Ev0HOMEFEW1")
    fake_slack.reset_calls()
    add_projects(services, clock, 3, 60)
    many = selects_for_home("Ev0HOMEMANY")
    assert few == many, (few, many)


def test_the_timeline_in_a_ukrainian_update_is_drawn_and_described_in_ukrainian(slack, services, fake_slack, clock):
    slack.command(ADD + " lang=uk")
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')
    slack.command("settings acme-website chart=on")
    tick(services, clock, UPDATE_AT - timedelta(hours=3))
    tick(services, clock, UPDATE_AT)
    [update] = of_kind(fake_slack, SHARED, "update")
    [picture] = [b for b in update["blocks"] if b["type"] == "image"]
    assert picture["title"]["text"] == "Графік"
    assert picture["alt_text"].startswith("Графік проєкту Acme Website станом на ")
    assert "Launch: у роботі, термін — " in picture["alt_text"]
    assert not {"Timeline", "open", "due", "Moved"} & set(picture["alt_text"].replace(".", " ").split())
    with services.sessions() as session:
        drawn = timeline_of(session.scalars(select(Project)).one(), UPDATE_AT - timedelta(hours=3))
    uploaded = fake_slack.uploaded(picture["slack_file"]["id"])["content"]
    assert uploaded == render_png(drawn, language="uk") != render_png(drawn)


def test_a_picture_being_drawn_is_not_taken_again_until_its_claim_is_stale(slack, services, clock):
    slack.command(ADD)
    asked_at = utc(2026, 11, 23, 9)
    with services.sessions.begin() as session:
        project = session.scalars(select(Project)).one()
        request_id = charts.request_chart(session, project=project, user_id=ALICE, now=asked_at).id
    taken_at = asked_at + timedelta(minutes=30)
    with services.sessions.begin() as session:
        assert charts.claim(session, request_id, now=taken_at) is not None
    for later, expected in [(timedelta(minutes=1), []), (timedelta(minutes=9), []),
                            (timedelta(minutes=11), [request_id])]:
        with services.sessions.begin() as session:
            assert charts.waiting_requests(session, now=taken_at + later, limit=5) == expected
            assert (charts.claim(session, request_id, now=taken_at + later) is not None) == bool(expected)
    [row] = rows(services, ChartRequest)
    assert (row.state, row.attempts, row.claimed_at) == ("drawing", 2, taken_at + timedelta(minutes=11))
