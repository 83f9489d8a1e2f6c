import csv
import io
import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.models import Base, OutboxMessage, Project
from bot.models.history import HistoryEvent
from jobs import run_tick
from tests.expectations_support import send_event
from tests.slackreq import ALICE, BOB, PARTNER, SHARED
from tests.test_home import opened, shown

ADD = 'add-project "Acme Website" <#C07SHARED01|proj-acme-partner> client="Acme Corp"'


def tick(services, clock, delta):
    clock.advance(delta)
    return run_tick(services, clock.now())


def events(services):
    with services.sessions() as session:
        return list(session.scalars(select(HistoryEvent).order_by(HistoryEvent.occurred_at, HistoryEvent.id)))


def started(slack, services, clock, title="Design sign-off"):
    assert slack.command(ADD).status == 200
    assert "Added" in slack.command(f'add-milestone acme-website "{title}" due=2026-12-11').text
    tick(services, clock, timedelta(hours=2))


def partner_message(fake_slack, text, user=BOB, **extra):
    stored = fake_slack.add_message(SHARED, text, user=user)
    team = PARTNER if user == BOB else "T0HOME0001"
    return {"type": "message", "channel": SHARED, "user": user, "text": text, "ts": stored["ts"], "team": team,
            "user_team": team, "channel_type": "channel", "event_ts": stored["ts"], **extra}


def busy(slack, services, clock, fake_slack):
    started(slack, services, clock)
    assert "moves from" in slack.command('delay acme-website #1 to=2026-12-18 reason="Sandbox down"').text
    assert "Logo files" in slack.command('owe acme-website "Logo files" due=2026-11-25').text
    question = partner_message(fake_slack, "Could you send the staging link?")
    send_event(slack, services, question, ext_shared=True)
    clock.advance(timedelta(minutes=5))
    send_event(slack, services, partner_message(fake_slack, "Here: staging.acme.test", user=ALICE,
                                                thread_ts=question["ts"]))
    tick(services, clock, timedelta(minutes=15))


def exported(slack, fake_slack, text):
    answer = slack.command(text)
    assert "on its way" in answer.text, answer.text
    [done] = fake_slack.wait_for("files.completeUploadExternal")
    file_id = json.loads(done["files"])[0]["id"]
    assert [c["method"] for c in fake_slack.calls if c["method"].startswith(("files.", "upload"))] == [
        "files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    return fake_slack.uploaded(file_id)


def test_history_records_posts_and_shows_latest(slack, services, clock, fake_slack):
    started(slack, services, clock)
    kinds = [e.kind for e in events(services)]
    assert "post.queued" in kinds and "post.sent" in kinds and "update.scheduled" in kinds
    answer = slack.command("history acme-website")
    assert answer.json["response_type"] == "ephemeral"
    assert "History of Acme Website" in answer.text and "`post.sent`" in answer.text


def test_history_records_moves_promises_and_owed(slack, services, clock, fake_slack):
    busy(slack, services, clock, fake_slack)
    found = {e.kind: e for e in events(services)}
    moved, told = found["date.moved"], found["date.announced"]
    assert (moved.actor_id, moved.detail["old"], moved.detail["new"]) == (ALICE, "2026-12-11", "2026-12-18")
    assert (moved.detail["reason"], moved.detail["announced"]) == ("Sandbox down", True)
    assert [(m["old"], m["lead_days"]) for m in told.detail["moves"]] == [("2026-12-11", 18)]
    assert (found["promise.asked"].actor_id, found["promise.kept"].actor_id) == (BOB, ALICE)
    assert (found["owed.asked"].detail["item"], found["owed.asked"].actor_id) == ("Logo files", ALICE)
    assert {e.team_id for e in events(services)} == {"T0HOME0001"}
    sent = [e.detail["post"] for e in events(services) if e.kind == "post.sent"]
    assert "delay_notice" in sent, sent


def test_export_rows_match_history(slack, services, clock, fake_slack):
    started(slack, services, clock)
    upload = exported(slack, fake_slack, "export acme-website")
    assert upload["content"].startswith(b"\xef\xbb\xbf") and upload["filename"].endswith(".csv")
    assert upload["channels"] == ["D0HOMEUSR1"]
    table = list(csv.DictReader(io.StringIO(upload["content"].decode("utf-8-sig"))))
    recorded = events(services)
    assert len(table) == len(recorded) >= 3
    for row, event in zip(table, recorded):
        assert row["occurred_at"] == event.occurred_at.isoformat().replace("+00:00", "Z")
        assert (row["kind"], row["subject_id"]) == (event.kind, str(event.subject_id or ""))


def test_export_json_and_period(slack, services, clock, fake_slack):
    started(slack, services, clock)
    upload = exported(slack, fake_slack, "export acme-website from=2026-09-01 to=2026-11-23 format=json")
    records = json.loads(upload["content"])
    assert [(r["id"], r["kind"]) for r in records] == [(e.id, e.kind) for e in events(services)]
    assert upload["filename"] == "acme-website-history-2026-11-23.json"
    fake_slack.reset_calls()
    upload = exported(slack, fake_slack, "export acme-website from=2026-11-24 format=json")
    assert json.loads(upload["content"]) == []


def test_export_refuses_bad_options(slack, services, fake_slack):
    assert slack.command(ADD).status == 200
    for text, expected in {"export acme-website format=xls": "format=csv",
                           "export acme-website when=today": "I don't know `when=`",
                           "export acme-website from=2026-12-01 to=2026-11-01": "before"}.items():
        assert expected in slack.command(text).text
    assert fake_slack.calls_to("files.getUploadURLExternal") == []


def test_formula_injection_neutralised(slack, services, clock, fake_slack):
    started(slack, services, clock, title="=HYPERLINK(1)")
    assert "done" in slack.command('done acme-website "=HYPERLINK(1)"').text
    upload = exported(slack, fake_slack, "export acme-website")
    [row] = [r for r in csv.DictReader(io.StringIO(upload["content"].decode("utf-8-sig")))
             if r["kind"] == "milestone.done"]
    assert row["milestone"] == "'=HYPERLINK(1)"


def test_archived_project_posts_nothing_more(slack, services, clock, fake_slack):
    started(slack, services, clock)
    assert "Logo files" in slack.command('owe acme-website "Logo files" due=2026-11-24').text
    assert "done" in slack.command('done acme-website "Design sign-off"').text
    send_event(slack, services, partner_message(fake_slack, "Could you send the staging link?"), ext_shared=True)
    assert "Added" in slack.command('add-milestone acme-website "Launch" due=2026-12-18').text
    assert "moves from" in slack.command('delay acme-website Launch to=2026-12-23 reason="Sandbox down"').text
    assert "is archived" in slack.command("archive acme-website").text
    tick(services, clock, timedelta(minutes=1))
    notes = [m for m in fake_slack.messages(SHARED) if m["text"] == "Acme Website is archived"]
    assert len(notes) == 1
    assert "No projects yet" in slack.command("list").text
    fake_slack.reset_calls()
    for _ in range(8):
        tick(services, clock, timedelta(days=1))
    assert fake_slack.calls_to("chat.postMessage") == []
    with services.sessions() as session:
        assert session.scalar(select(func.count()).where(OutboxMessage.state == "pending")) == 0
        [notice] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "delay_notice"))
        assert (notice.state, notice.error) == ("cancelled", "archived")
    slack.event(opened(ALICE))
    [home] = fake_slack.wait_for("views.publish")
    assert "Archived" in shown(home) and "Acme Website `acme-website`" in shown(home)
    assert "already archived" in slack.command("archive acme-website").text
    assert "active again" in slack.command("unarchive acme-website").text
    assert "acme-website" in slack.command("list").text


def test_forget_leaves_no_rows(slack, services, clock, fake_slack):
    busy(slack, services, clock, fake_slack)
    with services.sessions() as session:
        project_id = session.scalar(select(Project.id))
    question = slack.command("forget acme-website")
    assert "Posts already in Slack stay" in question.text
    assert events(services)
    slack.button("project-forget-confirm", str(project_id), user="U0PARTUSR1", team="T0PARTNR01")
    assert events(services)
    slack.button("project-forget-confirm", str(project_id))
    [done] = fake_slack.wait_for("response_url", where=lambda a: "forgotten" in a.get("text", ""))
    assert done["replace_original"] is True
    with services.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            count = connection.scalar(select(func.count()).select_from(table))
            if "project_id" in table.c or table.name in ("project", "milestone_move", "survey_vote"):
                assert count == 0, table.name


def test_archive_notice_speaks_the_clients_language(slack, services, clock, fake_slack):
    assert "Registered" in slack.command(ADD + " lang=ca").text
    assert "is archived" in slack.command("archive acme-website").text
    tick(services, clock, timedelta(minutes=1))
    assert [m["text"] for m in fake_slack.messages(SHARED)][-1] == "Acme Website s'ha arxivat"
