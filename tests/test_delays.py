import json
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

import jobs
from bot import ids
from bot.domain import delays
from bot.models import Milestone, MilestoneMove, OutboxMessage, SeenDelivery
from bot.models.delays import DelayAlert, DelayNotice
from tests.slackreq import ALICE, BOB, CAROL, HOME, INTERNAL, PARTNER, SHARED

UTC = timezone.utc
ALICE_DM = "D" + ALICE[1:]
INTERNAL_BUTTONS = (ids.DELAY_ALERT_NOTIFY, ids.DELAY_ALERT_MOVE, ids.DELAY_ALERT_DONE, ids.DELAY_ALERT_SNOOZE)


def at(day, hour, minute=0):
    return datetime(2026, 11 if day > 20 else 12, day, hour, minute, tzinfo=UTC)


def rows(services, model, *where):
    with services.sessions() as session:
        return list(session.scalars(select(model).where(*where).order_by(*model.__table__.primary_key)))


def posts(fake_slack, channel, kind):
    return [m for m in fake_slack.messages(channel)
            if m.get("metadata", {}).get("event_payload", {}).get("kind") == kind]


def text_of(message):
    parts = [message.get("text", "")]
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        parts.extend(e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str))
    return "\n".join(parts)


def action_ids(message):
    return [e["action_id"] for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def deliver(services):
    deadline = time.monotonic() + 5
    while True:
        services.dispatcher.run_once()
        busy = rows(services, OutboxMessage, OutboxMessage.state.in_(("pending", "sending")),
                    OutboxMessage.not_before <= services.clock.now())
        if not busy or time.monotonic() > deadline:
            return
        time.sleep(0.02)


def handled(services, event_id):
    deadline = time.monotonic() + 5
    while not rows(services, SeenDelivery, SeenDelivery.key == f"event:{event_id}"):
        assert time.monotonic() < deadline, f"{event_id} was not handled"
        time.sleep(0.01)


def tick(services, clock, instant):
    clock.set(instant)
    return jobs.run_tick(services, instant)["delays"]


def click_payload(action_id, value, *, user=ALICE, team=HOME, channel=INTERNAL, ts="1.000001"):
    return {
        "type": "block_actions", "user": {"id": user, "username": "someone", "team_id": team},
        "api_app_id": "A07EXPECT01", "token": "gIkuvaNzQIHg97ATvDxqgjtO", "trigger_id": "1334.8534564800.6f8ab1f5",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
        "team": {"id": team, "domain": "x"}, "channel": {"id": channel, "name": "c"}, "enterprise": None,
        "is_enterprise_install": False, "message": {"type": "message", "ts": ts, "text": "", "blocks": []},
        "response_url": "", "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value,
                                         "action_ts": f"{time.time():.6f}"}],
    }


def click(slack, action_id, alert_or_notice, *, user=ALICE, team=HOME, channel=INTERNAL):
    payload = click_payload(action_id, str(alert_or_notice.id), user=user, team=team, channel=channel,
                            ts=getattr(alert_or_notice, "ts", None) or "1.000001")
    payload["response_url"] = slack.response_url
    return payload, slack.interaction(payload)


def replies(fake_slack):
    return [c.get("text", "") for c in fake_slack.calls_to("response_url")]


@pytest.fixture
def project(slack):
    slack.command('add-project "Acme Website" <#C07SHARED01|proj-acme-partner> internal=<#C07INTERN01|acme-team>')
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')


@pytest.fixture
def flagged(project, slack, services):
    answer = slack.command('risk acme-website Launch "The client\'s API keys have not arrived"')
    assert "flagged at risk" in answer.text
    services.dispatcher.run_once()
    [alert] = rows(services, DelayAlert)
    return alert


def test_at_risk_and_overdue_detected_at_the_right_instants(project, slack, services, clock, fake_slack):
    assert tick(services, clock, at(30, 22, 59)) == {}
    assert tick(services, clock, at(30, 23)) == {"at_risk": 1}
    assert tick(services, clock, at(1, 9)) == {}
    [risk] = posts(fake_slack, INTERNAL, "delay_alert")
    assert "At risk" in text_of(risk) and "Launch" in text_of(risk) and "3 business days left" in text_of(risk)
    assert action_ids(risk) == list(INTERNAL_BUTTONS)
    slack.command("progress acme-website Launch 80%")
    assert tick(services, clock, at(1, 10)) == {"cleared": 1}
    assert "Back on track" in text_of(fake_slack.wait_for("chat.update")[0])
    assert tick(services, clock, at(1, 22, 59)) == {}
    assert tick(services, clock, at(1, 23)) == {"at_risk": 1}
    assert tick(services, clock, at(4, 22, 59)) == {"escalated": 1}
    assert tick(services, clock, at(4, 23)) == {"superseded": 1, "overdue": 1}
    assert tick(services, clock, at(5, 8)) == {}
    alerts = rows(services, DelayAlert)
    assert [(a.kind, a.resolution) for a in alerts] == [
        ("at_risk", "cleared"), ("at_risk", "superseded"), ("overdue", None)]
    messages = posts(fake_slack, INTERNAL, "delay_alert")
    assert len(messages) == 3 and "Overdue" in text_of(messages[2]) and "1 day late" in text_of(messages[2])
    assert action_ids(messages[1]) == [] and "Now overdue" in text_of(messages[1])
    assert posts(fake_slack, SHARED, "delay_alert") == []


def test_alert_goes_to_owner_dm_without_internal_channel(slack, services, clock, fake_slack):
    slack.command('add-project "Acme Website" <#C07SHARED01|proj-acme-partner>')
    slack.command('add-milestone acme-website "Launch" due=2026-12-04')
    assert tick(services, clock, at(4, 23)) == {"overdue": 1}
    [alert] = posts(fake_slack, ALICE, "delay_alert")
    assert "Overdue" in text_of(alert)
    assert rows(services, DelayAlert)[0].channel_id == ALICE_DM


def test_reaction_acknowledges_and_stops_escalation(project, slack, services, clock, fake_slack):
    tick(services, clock, at(4, 23))
    [alert] = rows(services, DelayAlert)
    event = {"type": "reaction_added", "user": ALICE, "reaction": "eyes", "item_user": "U07BOTUSER1",
             "item": {"type": "message", "channel": INTERNAL, "ts": alert.ts}, "event_ts": "1718000700.000600"}
    assert slack.event(dict(event, user=BOB), event_id="Ev0DELAYBOB").status == 200
    handled(services, "Ev0DELAYBOB")
    assert rows(services, DelayAlert)[0].acknowledged_at is None
    assert slack.event(event, event_id="Ev0DELAYACK").status == 200
    handled(services, "Ev0DELAYACK")
    assert slack.event(event, event_id="Ev0DELAYACK", retry_num=1).status == 200
    [alert] = rows(services, DelayAlert)
    assert (alert.acknowledged_by, alert.state) == (ALICE, "open")
    assert [e["what"] for e in alert.history] == ["acknowledged"]
    updates = fake_slack.wait_for("chat.update", where=lambda a: a["ts"] == alert.ts)
    assert len(updates) == 1 and "Acknowledged by <@U0HOMEUSR1> (:eyes:)" in text_of(updates[0])
    assert tick(services, clock, at(9, 18)) == {}
    assert posts(fake_slack, ALICE, "delay_reminder") == [] and posts(fake_slack, INTERNAL, "delay_escalation") == []


def test_escalation_after_4_then_24_business_hours(project, services, clock, fake_slack):
    tick(services, clock, at(4, 23))
    assert tick(services, clock, at(7, 11, 59)) == {}
    assert tick(services, clock, at(7, 12)) == {"reminded": 1}
    [reminder] = posts(fake_slack, ALICE, "delay_reminder")
    assert "no answer for 4 business hours" in text_of(reminder) and "<#C07INTERN01>" in text_of(reminder)
    assert tick(services, clock, at(9, 13, 59)) == {}
    assert tick(services, clock, at(9, 14)) == {"escalated": 1}
    assert tick(services, clock, at(10, 14)) == {}
    [escalation] = posts(fake_slack, INTERNAL, "delay_escalation")
    assert "<@U0HOMEUSR1>" in text_of(escalation) and "24 business hours" in text_of(escalation)
    [alert] = rows(services, DelayAlert)
    assert (alert.escalation_level, alert.reminded_at, alert.escalated_at) == (2, at(7, 12), at(9, 14))
    assert len(posts(fake_slack, ALICE, "delay_reminder")) == 1


def test_mark_done_closes_the_alert_once(flagged, slack, services, fake_slack):
    payload, answer = click(slack, ids.DELAY_ALERT_DONE, flagged)
    assert answer.status == 200
    assert slack.interaction(payload).status == 200
    [milestone] = rows(services, Milestone)
    [alert] = rows(services, DelayAlert)
    assert (milestone.state, milestone.done_by, alert.state, alert.resolution) == ("done", ALICE, "resolved", "done")
    assert [e["what"] for e in alert.history] == ["done"]
    [update] = fake_slack.wait_for("chat.update")
    assert "Marked done by <@U0HOMEUSR1>" in text_of(update) and action_ids(update) == []
    assert replies(fake_slack) == []
    click(slack, ids.DELAY_ALERT_SNOOZE, flagged)
    assert "already answered" in fake_slack.wait_for("response_url")[0]["text"]


def test_snooze_holds_reminders_for_a_day(flagged, slack, services, clock, fake_slack):
    click(slack, ids.DELAY_ALERT_SNOOZE, flagged)
    [alert] = rows(services, DelayAlert)
    assert alert.snoozed_until == at(23, 8) + timedelta(days=1)
    assert "Snoozed for a day by <@U0HOMEUSR1>" in text_of(fake_slack.wait_for("chat.update")[0])
    assert tick(services, clock, at(23, 12)) == {}
    assert tick(services, clock, at(24, 7, 59)) == {}
    assert tick(services, clock, at(24, 8)) == {"woken": 1}
    [wake] = posts(fake_slack, INTERNAL, "delay_wake")
    assert wake["thread_ts"] == alert.ts and "snooze is over" in text_of(wake)
    assert tick(services, clock, at(24, 11, 59)) == {}
    assert tick(services, clock, at(24, 12)) == {"reminded": 1}


def test_move_date_quietly(flagged, slack, services, fake_slack):
    click(slack, ids.DELAY_ALERT_MOVE, flagged)
    [opened] = fake_slack.wait_for("views.open")
    assert (opened["view"]["callback_id"], opened["view"]["private_metadata"]) == (ids.DELAY_MOVE_VIEW, str(flagged.id))
    past = {ids.DELAY_MOVE_DATE: {ids.DELAY_MOVE_DATE: {"type": "datepicker", "selected_date": "2026-11-20"}}}
    answer = slack.view_submission(ids.DELAY_MOVE_VIEW, past, private_metadata=str(flagged.id))
    assert answer.json["response_action"] == "errors" and "in the past" in answer.json["errors"][ids.DELAY_MOVE_DATE]
    assert rows(services, MilestoneMove) == []
    values = {ids.DELAY_MOVE_DATE: {ids.DELAY_MOVE_DATE: {"type": "datepicker", "selected_date": "2026-12-18"}},
              ids.DELAY_MOVE_NOTE: {ids.DELAY_MOVE_NOTE: {"type": "plain_text_input", "value": "Typo in the plan"}}}
    answer = slack.view_submission(ids.DELAY_MOVE_VIEW, values, private_metadata=str(flagged.id))
    assert answer.status == 200 and answer.body == ""
    [milestone], [move], [alert] = rows(services, Milestone), rows(services, MilestoneMove), rows(services, DelayAlert)
    assert (milestone.due_date, milestone.baseline_due_date, milestone.risk_note) == (
        date(2026, 12, 18), date(2026, 12, 18), None)
    assert (move.old_date, move.new_date, move.client_notified, move.reason) == (
        date(2026, 12, 4), date(2026, 12, 18), False, "Typo in the plan")
    assert (alert.state, alert.resolution) == ("resolved", "moved")
    assert "Date moved quietly by <@U0HOMEUSR1>" in text_of(fake_slack.wait_for("chat.update")[0])
    deliver(services)
    assert [m for m in fake_slack.messages(SHARED) if "Schedule change" in text_of(m)] == []


def compose_values(new_date="2026-12-11", reason="The payment provider's test system was down for three days.",
                   impact="No change to cost or scope.", needs="Production API keys by Wednesday.", urgent=False):
    def text(block, value):
        return {block: {block: {"type": "plain_text_input", "value": value}}}
    return {
        ids.DELAY_NOTIFY_DATE: {ids.DELAY_NOTIFY_DATE: {"type": "datepicker", "selected_date": new_date}},
        **text(ids.DELAY_NOTIFY_REASON, reason), **text(ids.DELAY_NOTIFY_IMPACT, impact),
        **text(ids.DELAY_NOTIFY_NEEDS, needs),
        ids.DELAY_NOTIFY_URGENT: {ids.DELAY_NOTIFY_URGENT: {
            "type": "checkboxes", "selected_options": [{"value": "urgent"}] if urgent else []}},
    }


def notify_through_modals(slack, alert, **values):
    answer = slack.view_submission(ids.DELAY_NOTIFY_VIEW, compose_values(**values), private_metadata=str(alert.id))
    assert answer.json.get("response_action") == "push", answer.body
    preview = answer.json["view"]
    sent = slack.view_submission(ids.DELAY_PREVIEW_VIEW, {}, private_metadata=preview["private_metadata"])
    return preview, sent


def test_date_pickers_refuse_far_off_dates(flagged, slack, services):
    far = {ids.DELAY_MOVE_DATE: {ids.DELAY_MOVE_DATE: {"type": "datepicker", "selected_date": "9999-12-31"}}}
    answer = slack.view_submission(ids.DELAY_MOVE_VIEW, far, private_metadata=str(flagged.id))
    assert "9999-12-31 is out of range" in answer.json["errors"][ids.DELAY_MOVE_DATE]
    answer = slack.view_submission(ids.DELAY_NOTIFY_VIEW, compose_values(new_date="9999-12-31"),
                                   private_metadata=str(flagged.id))
    assert "9999-12-31 is out of range" in answer.json["errors"][ids.DELAY_NOTIFY_DATE]
    assert rows(services, MilestoneMove) == [] and rows(services, Milestone)[0].due_date == date(2026, 12, 4)


def test_notify_client_preview_then_notice(flagged, slack, services, clock, fake_slack):
    click(slack, ids.DELAY_ALERT_NOTIFY, flagged)
    [opened] = fake_slack.wait_for("views.open")
    assert opened["view"]["callback_id"] == ids.DELAY_NOTIFY_VIEW
    preview, sent = notify_through_modals(slack, flagged)
    assert preview["callback_id"] == ids.DELAY_PREVIEW_VIEW
    shown = "\n".join(b["text"]["text"] for b in preview["blocks"] if b.get("text"))
    assert "Fri 4 Dec 2026" in shown and "Fri 11 Dec 2026" in shown and "test system was down" in shown
    assert sent.json == {"response_action": "clear"}
    [alert] = rows(services, DelayAlert)
    assert (alert.state, alert.resolution, alert.notice_id) == ("resolved", "notified", 1)
    [milestone] = rows(services, Milestone)
    assert (milestone.due_date, milestone.baseline_due_date) == (date(2026, 12, 11), date(2026, 12, 4))
    deliver(services)
    assert posts(fake_slack, SHARED, "delay_notice") == []
    tick(services, clock, at(23, 8, 10))
    [notice] = posts(fake_slack, SHARED, "delay_notice")
    body = text_of(notice)
    for expected in ("Fri 4 Dec 2026", "Fri 11 Dec 2026", "test system was down", "No change to cost or scope",
                     "Production API keys by Wednesday", "Ask <@U0HOMEUSR1>"):
        assert expected in body, expected
    assert action_ids(notice) == [ids.DELAY_NOTICE_ACK, ids.DELAY_NOTICE_ASK]
    [move] = rows(services, MilestoneMove)
    assert (move.client_notified, move.lead_days, move.old_date) == (True, 11, date(2026, 12, 4))
    assert "Client notified by <@U0HOMEUSR1>" in text_of(fake_slack.wait_for("chat.update")[0])


def test_notify_compose_errors_change_nothing(flagged, slack, services):
    cases = [({"reason": "  "}, ids.DELAY_NOTIFY_REASON, "Say why"),
             ({"new_date": "2026-11-20"}, ids.DELAY_NOTIFY_DATE, "in the past"),
             ({"new_date": "2026-12-04"}, ids.DELAY_NOTIFY_DATE, "already due")]
    for values, block, expected in cases:
        answer = slack.view_submission(ids.DELAY_NOTIFY_VIEW, compose_values(**values),
                                       private_metadata=str(flagged.id))
        assert answer.json["response_action"] == "errors" and expected in answer.json["errors"][block], answer.body
    assert rows(services, MilestoneMove) == [] and rows(services, DelayNotice) == []
    assert rows(services, DelayAlert)[0].state == "open"


def test_client_acknowledges_notice(flagged, slack, services, clock, fake_slack):
    notify_through_modals(slack, flagged, urgent=True)
    deliver(services)
    [notice] = rows(services, DelayNotice)
    [post] = posts(fake_slack, SHARED, "delay_notice")
    click(slack, ids.DELAY_NOTICE_ACK, notice, user=CAROL, channel=SHARED)
    assert "for the client" in fake_slack.wait_for("response_url")[0]["text"]
    assert rows(services, DelayNotice)[0].client_ack_by is None
    payload, answer = click(slack, ids.DELAY_NOTICE_ACK, notice, user=BOB, team=PARTNER, channel=SHARED)
    assert answer.status == 200 and slack.interaction(payload).status == 200
    [notice] = rows(services, DelayNotice)
    assert (notice.client_ack_by, notice.client_ack_at) == (BOB, at(23, 8))
    [alert] = rows(services, DelayAlert)
    assert [e["what"] for e in alert.history] == ["notified", "client_acknowledged"]
    updates = fake_slack.wait_for("chat.update", 3)
    on_alert = [u for u in updates if u["ts"] == alert.ts]
    on_notice = [u for u in updates if u["ts"] == post["ts"]]
    assert "Client acknowledged the notice by <@U0PARTUSR1>" in text_of(on_alert[-1])
    assert len(on_notice) == 1 and "Acknowledged by <@U0PARTUSR1>" in text_of(on_notice[0])
    assert len(replies(fake_slack)) == 1


def test_client_question_reaches_the_alert_thread(flagged, slack, services, fake_slack):
    notify_through_modals(slack, flagged, urgent=True)
    deliver(services)
    [notice] = rows(services, DelayNotice)
    click(slack, ids.DELAY_NOTICE_ASK, notice, user=BOB, team=PARTNER, channel=SHARED)
    [opened] = fake_slack.wait_for("views.open")
    assert opened["view"]["callback_id"] == ids.DELAY_QUESTION_VIEW
    empty = {ids.DELAY_QUESTION_TEXT: {ids.DELAY_QUESTION_TEXT: {"type": "plain_text_input", "value": " "}}}
    answer = slack.view_submission(ids.DELAY_QUESTION_VIEW, empty, user=BOB, team=PARTNER,
                                   private_metadata=opened["view"]["private_metadata"])
    assert answer.json["response_action"] == "errors"
    values = {ids.DELAY_QUESTION_TEXT: {ids.DELAY_QUESTION_TEXT: {
        "type": "plain_text_input", "value": "Does this move the go-live party? @channel"}}}
    answer = slack.view_submission(ids.DELAY_QUESTION_VIEW, values, user=BOB, team=PARTNER,
                                   private_metadata=opened["view"]["private_metadata"])
    assert answer.json["response_action"] == "update" and "went to the team" in json.dumps(answer.json["view"])
    deliver(services)
    [question] = posts(fake_slack, INTERNAL, "delay_question")
    assert question["thread_ts"] == flagged.ts
    assert "go-live party" in text_of(question) and "<@U0PARTUSR1>" in text_of(question)
    assert "<!channel>" not in text_of(question) and "party? @channel" in text_of(question)


def test_partners_refused_on_internal_buttons(flagged, slack, services, fake_slack):
    for action_id in INTERNAL_BUTTONS:
        for team in (PARTNER, HOME):
            _, answer = click(slack, action_id, flagged, user=BOB, team=team)
            assert answer.status == 200
    refusals = fake_slack.wait_for("response_url", 8)
    assert all("Only members of the team" in r["text"] for r in refusals)
    sent = slack.view_submission(ids.DELAY_PREVIEW_VIEW, {}, user=BOB, team=PARTNER, private_metadata=json.dumps(
        {"alert": flagged.id, "date": "2026-12-11", "reason": "x", "impact": None, "needs": None, "urgent": True}))
    assert sent.json["response_action"] == "update"
    assert fake_slack.calls_to("views.open") == [] and fake_slack.calls_to("chat.update") == []
    [milestone], [alert] = rows(services, Milestone), rows(services, DelayAlert)
    assert (milestone.state, milestone.due_date, alert.state, alert.snoozed_until, alert.history) == (
        "open", date(2026, 12, 4), "open", None, [])
    assert rows(services, MilestoneMove) == [] and rows(services, DelayNotice) == []
    assert rows(services, SeenDelivery, SeenDelivery.key.like("click:%")) == []


def test_delay_command_notice_and_lead_time_in_status(project, slack, services, clock, fake_slack):
    slack.command('add-milestone acme-website "Design" due=2026-12-01')
    answer = slack.command('delay acme-website Launch to=2026-12-11 reason="Payment sandbox down" impact="None"')
    assert "moves from Fri 4 Dec 2026 to Fri 11 Dec 2026" in answer.text
    clock.set(at(23, 8, 5))
    answer = slack.command('delay acme-website #2 to="dec 8" reason="Waiting for brand assets"')
    assert "<#C07SHARED01>" in answer.text
    tick(services, clock, at(23, 8, 10))
    [notice] = posts(fake_slack, SHARED, "delay_notice")
    body = text_of(notice)
    assert "Payment sandbox down" in body and "Waiting for brand assets" in body and "Schedule changes" in body
    assert [(m.lead_days, m.client_notified) for m in rows(services, MilestoneMove)] == [(11, True), (8, True)]
    status = slack.command("status acme-website").text
    assert "Delay lead time" in status and "last +8 days, average +9.5 days over 2" in status


def test_urgent_notice_goes_now_with_the_waiting_one(project, slack, services, clock, fake_slack):
    tick(services, clock, at(5, 10))
    clock.set(at(6, 10))
    slack.command('delay acme-website Launch to=2026-12-09 reason="Hosting migration failed"')
    tick(services, clock, at(6, 10, 30))
    assert posts(fake_slack, SHARED, "delay_notice") == []
    slack.command('delay acme-website Launch to=2026-12-10 reason="Second try needed" urgent')
    deliver(services)
    [urgent] = posts(fake_slack, SHARED, "delay_notice")
    assert "Fri 4 Dec 2026" in text_of(urgent) and "Thu 10 Dec 2026" in text_of(urgent)
    assert "Second try needed" in text_of(urgent) and "Wed 9 Dec" not in text_of(urgent)
    tick(services, clock, at(7, 8))
    assert len(posts(fake_slack, SHARED, "delay_notice")) == 1
    assert [m.lead_days for m in rows(services, MilestoneMove)] == [-2, -2]
    [alert] = rows(services, DelayAlert, DelayAlert.kind == "overdue")
    assert alert.resolution == "notified"


def test_delay_command_bad_input_changes_nothing(project, slack, services):
    cases = {
        'delay acme-website "Lunch" to=2026-12-11 reason="x"': "no milestone `Lunch`",
        'delay acme-website Launch to=someday reason="x"': "couldn't read `someday`",
        'delay acme-website Launch to=2026-12-11': "the reason",
        'delay acme-website Launch to=2026-11-01 reason="x"': "in the past",
        'delay acme-website Launch to=2026-12-11 reson="x"': "I don't know `reson=`",
        'delay acme-websit Launch to=2026-12-11 reason="x"': "Did you mean `acme-website`",
    }
    for text, expected in cases.items():
        answer = slack.command(text)
        assert answer.status == 200 and answer.json["response_type"] == "ephemeral"
        assert expected in answer.text, (text, answer.text)
        if "websit " not in text:
            assert "For example: `/expect delay acme-website #2 to=" in answer.text
    [milestone] = rows(services, Milestone)
    assert milestone.due_date == date(2026, 12, 4)
    assert rows(services, MilestoneMove) == [] and rows(services, DelayNotice) == []
    assert rows(services, OutboxMessage, OutboxMessage.kind == "delay_notice") == []


def test_risk_command_bad_input(project, slack, services):
    for text, expected in {"risk acme-website Launch": "why it is at risk",
                           'risk acme-website "Lunch" "late"': "no milestone `Lunch`"}.items():
        answer = slack.command(text)
        assert expected in answer.text and "For example: `/expect risk acme-website #2" in answer.text
    assert rows(services, DelayAlert) == [] and rows(services, Milestone)[0].risk_note is None


def test_raise_alert_once_per_open_state(project, services, clock):
    with services.sessions.begin() as session:
        milestone = session.scalar(select(Milestone))
        first = delays.raise_alert(session, milestone=milestone, kind="at_risk", reason="Owed logo is late",
                                   now=clock.now(), proposal="Move to Dec 11")
        again = delays.raise_alert(session, milestone=milestone, kind="at_risk", reason="Still late", now=clock.now())
    assert first is not None and again is None
    [alert] = rows(services, DelayAlert)
    assert (alert.source, alert.proposal) == ("raised", "Move to Dec 11")
    assert tick(services, clock, at(23, 9)) == {}
    assert rows(services, DelayAlert)[0].state == "open"
