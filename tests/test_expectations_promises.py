from bot.models.expectations import ResponsePromise
from tests.expectations_support import (
    ADD, deliver, fixture_event, of_kind, rendered, rows, send_event, set_project, tick, utc,
)
from tests.slackreq import ALICE, BOB, CAROL, INTERNAL, PARTNER, SHARED

FRIDAY_5PM_BERLIN = utc(2026, 11, 27, 16)
MONDAY_NOON_BERLIN = utc(2026, 11, 30, 11)


def start(slack, clock, when=FRIDAY_5PM_BERLIN):
    slack.command(ADD + " respond-within=4h internal=<#C07INTERN01|acme-team>")
    clock.set(when)


def partner_message(fake_slack, text="Could you send the staging link?", user=BOB):
    stored = fake_slack.add_message(SHARED, text, user=user)
    team = PARTNER if user == BOB else "T0HOME0001"
    return {"type": "message", "channel": SHARED, "user": user, "text": text, "ts": stored["ts"], "team": team,
            "user_team": team, "channel_type": "channel", "event_ts": stored["ts"]}


def replies(fake_slack):
    return of_kind(fake_slack, SHARED, "promise-ack")


def test_partner_message_gets_promise_in_thread(slack, services, fake_slack, clock):
    start(slack, clock)
    event = fixture_event("event_message_ext_shared_partner_user.json")
    send_event(slack, services, event, ext_shared=True)
    deliver(services)
    [reply] = replies(fake_slack)
    assert reply["thread_ts"] == event["ts"]
    stamp = int(MONDAY_NOON_BERLIN.timestamp())
    assert rendered(reply).startswith(f"Thanks, Bob — we'll get back to you by <!date^{stamp}^")
    assert rendered(reply).endswith(" your time.")
    [promise] = rows(services, ResponsePromise)
    assert (promise.deadline, promise.warn_at) == (MONDAY_NOON_BERLIN, utc(2026, 11, 30, 10))
    assert (promise.user_id, promise.state, promise.acknowledged) == (BOB, "open", True)


def test_silence_alerts_team_at_75_percent_then_owner_at_deadline(slack, services, fake_slack, clock):
    start(slack, clock)
    send_event(slack, services, partner_message(fake_slack), ext_shared=True)
    deliver(services)
    tick(services, clock, utc(2026, 11, 30, 9, 59))
    assert of_kind(fake_slack, INTERNAL, "promise-warning") == []
    tick(services, clock, utc(2026, 11, 30, 10))
    [warning] = of_kind(fake_slack, INTERNAL, "promise-warning")
    assert "Bob is waiting for an answer" in rendered(warning) and "staging link" in rendered(warning)
    assert of_kind(fake_slack, ALICE, "promise-overdue") == []
    tick(services, clock, MONDAY_NOON_BERLIN)
    [overdue] = of_kind(fake_slack, ALICE, "promise-overdue")
    assert "is overdue" in rendered(overdue)
    tick(services, clock, utc(2026, 11, 30, 12))
    assert len(of_kind(fake_slack, INTERNAL, "promise-warning")) == 1
    assert len(of_kind(fake_slack, ALICE, "promise-overdue")) == 1


def test_team_reply_in_thread_keeps_promise(slack, services, fake_slack, clock):
    start(slack, clock)
    question = partner_message(fake_slack)
    send_event(slack, services, question, ext_shared=True)
    clock.set(utc(2026, 11, 30, 8, 30))
    answer = partner_message(fake_slack, "Here it is: staging.acme.test", user=ALICE)
    send_event(slack, services, {**answer, "thread_ts": question["ts"]})
    [promise] = rows(services, ResponsePromise)
    assert (promise.state, promise.answered_by) == ("kept", ALICE)
    tick(services, clock, MONDAY_NOON_BERLIN)
    assert of_kind(fake_slack, INTERNAL, "promise-warning") == [] and of_kind(fake_slack, ALICE, "promise-overdue") == []


def test_check_reaction_by_team_keeps_promise_but_partners_does_not(slack, services, fake_slack, clock):
    start(slack, clock)
    question = partner_message(fake_slack)
    send_event(slack, services, question, ext_shared=True)
    reaction = fixture_event("event_reaction_added.json")
    reaction = {**reaction, "item": {**reaction["item"], "ts": question["ts"]}}
    send_event(slack, services, reaction, ext_shared=True)
    assert rows(services, ResponsePromise)[0].state == "open"
    send_event(slack, services, {**reaction, "user": CAROL}, ext_shared=True)
    [promise] = rows(services, ResponsePromise)
    assert (promise.state, promise.answered_by) == ("kept", CAROL)


def test_late_answer_counts_against_promises_kept(slack, services, fake_slack, clock):
    start(slack, clock)
    first, second = partner_message(fake_slack), partner_message(fake_slack, "And the invoice?")
    send_event(slack, services, first, ext_shared=True)
    send_event(slack, services, second, ext_shared=True)
    send_event(slack, services, {**partner_message(fake_slack, "sure", user=ALICE), "thread_ts": first["ts"]})
    clock.set(utc(2026, 11, 30, 15))
    send_event(slack, services, {**partner_message(fake_slack, "attached", user=ALICE), "thread_ts": second["ts"]})
    assert [p.state for p in rows(services, ResponsePromise)] == ["kept", "late"]
    assert "Promises kept: 50 % (1 of 2 answered in time)" in slack.command("status acme-website").text


def test_auto_ack_off_still_tracks(slack, services, fake_slack, clock):
    start(slack, clock)
    set_project(services, auto_ack=False)
    send_event(slack, services, partner_message(fake_slack), ext_shared=True)
    deliver(services)
    assert replies(fake_slack) == []
    [promise] = rows(services, ResponsePromise)
    assert (promise.acknowledged, promise.deadline) == (False, MONDAY_NOON_BERLIN)
    tick(services, clock, MONDAY_NOON_BERLIN)
    assert len(of_kind(fake_slack, ALICE, "promise-overdue")) == 1


def test_noise_is_ignored(slack, services, fake_slack, clock):
    start(slack, clock)
    base = partner_message(fake_slack)
    own = {**base, "bot_id": "B07EXPECT01", "subtype": "bot_message", "user": "U07BOTUSER1"}
    send_event(slack, services, own, ext_shared=True, wait=False)
    noise = [
        {**base, "subtype": "bot_message", "bot_id": "B0OTHERBOT1", "user": None},
        {**base, "subtype": "message_changed", "message": {"text": "edited"}},
        {**base, "subtype": "channel_join", "text": "<@U0PARTUSR1> has joined the channel"},
        {**base, "text": ":tada: :+1:"},
        {**base, "text": "👍🙏"},
        {**base, "text": "thanks!"},
        {**base, "text": "Ok, thank you <@U0HOMEUSR1>"},
        {**base, "thread_ts": "1718000000.000100", "text": "one more question about this?"},
        partner_message(fake_slack, "deploy-42 is out, shall I tell the client?", user=ALICE),
        {**partner_message(fake_slack), "channel": INTERNAL},
    ]
    for event in noise:
        send_event(slack, services, event, ext_shared=True)
    deliver(services)
    assert rows(services, ResponsePromise) == [] and replies(fake_slack) == []


def test_guest_counts_as_client_side(slack, services, fake_slack, clock):
    start(slack, clock)
    event = partner_message(fake_slack, "Is the demo still on?", user="U0GUESTUS1")
    send_event(slack, services, event)
    deliver(services)
    [reply] = replies(fake_slack)
    assert rendered(reply).startswith("Thanks, Gus —")


def test_a_bots_check_reaction_keeps_no_promise(slack, services, fake_slack, clock):
    start(slack, clock)
    fake_slack.add_user("U0HOMEBOT01", "deploybot", real_name="Deploy Bot", is_bot=True)
    question = partner_message(fake_slack)
    send_event(slack, services, question, ext_shared=True)
    reaction = fixture_event("event_reaction_added.json")
    reaction = {**reaction, "item": {**reaction["item"], "ts": question["ts"]}, "user_team": "T0HOME0001"}
    send_event(slack, services, {**reaction, "user": "U0HOMEBOT01"}, ext_shared=True)
    assert rows(services, ResponsePromise)[0].state == "open"


def test_a_partner_without_a_name_is_thanked_without_one(slack, services, fake_slack, clock):
    fake_slack.add_user("U0NONAME01", "", real_name="", team_id=PARTNER)
    start(slack, clock)
    send_event(slack, services, partner_message(fake_slack, user="U0NONAME01") | {"team": PARTNER,
                                                                                "user_team": PARTNER},
               ext_shared=True)
    deliver(services)
    [reply] = replies(fake_slack)
    assert rendered(reply).startswith("Thanks — we'll get back to you by <!date^")
    assert "there" not in rendered(reply)
