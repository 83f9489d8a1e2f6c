import time

import pytest

from bot import ids
from bot.models import Project
from bot.models.delays import DelayAlert
from tests.expectations_support import deliver, of_kind
from tests.slackreq import ALICE, INTERNAL, SHARED
from tests.test_delays import click, flagged, project, replies, rows, text_of  # noqa: F401 -- fixtures
from tests.test_expectations_kickoff import approve, start

ADD = 'add-project "Acme Website" <#C07SHARED01|proj-acme-partner>'


def eventually(check, guard=5.0):
    stop = time.monotonic() + guard
    while not check():
        assert time.monotonic() < stop, "never happened"
        time.sleep(0.01)


def test_command_answers_while_slack_holds_users_info(slack, fake_slack, services):
    held = fake_slack.stall("users.info")
    answer = slack.command(ADD)
    assert answer.status == 200 and not held.is_set()
    assert "Slack was too slow" in answer.text and "Please try again" in answer.text
    assert len(fake_slack.calls_to("users.info")) == 1
    assert rows(services, Project) == []


def test_retry_after_is_not_waited_out_inside_a_request(slack, fake_slack, services):
    fake_slack.fail_next("users.info", retry_after=5)
    answer = slack.command(ADD)
    assert "Slack was too slow" in answer.text
    assert len(fake_slack.calls_to("users.info")) == 1
    assert rows(services, Project) == []
    assert "Acme Website" in slack.command(ADD).text
    assert [p.name for p in rows(services, Project)] == ["Acme Website"]


def test_slow_channel_lookup_leaves_nothing_registered(slack, fake_slack, services):
    slack.command("list")
    held = fake_slack.stall("conversations.info")
    answer = slack.command(ADD)
    assert "Slack was too slow" in answer.text and not held.is_set()
    assert rows(services, Project) == []


def test_click_answers_before_the_alert_is_edited(flagged, slack, services, fake_slack, caplog):  # noqa: F811
    held = fake_slack.stall("chat.update")
    _, answer = click(slack, ids.DELAY_ALERT_SNOOZE, flagged)
    assert answer.status == 200 and not held.is_set()
    [alert] = rows(services, DelayAlert)
    assert alert.snoozed_until is not None
    fake_slack.wait_for("chat.update")
    held.set()

    def edited():
        return [m for m in fake_slack.messages(INTERNAL) if m["ts"] == flagged.ts and m.get("edited")]
    eventually(edited)
    assert "Snoozed for a day" in text_of(edited()[0])
    assert "could not update" not in caplog.text


def test_modal_slack_is_too_slow_to_open_is_explained(slack, fake_slack):
    held = fake_slack.stall("views.open")
    answer = slack.command("add-project")
    assert "too slow to open the form" in answer.text and not held.is_set()
    assert "went wrong on our side" not in answer.text


@pytest.mark.parametrize("code, advice", [
    ("expired_trigger_id", "please try again"), ("token_revoked", "reinstall expect"),
    ("invalid_arguments", "`invalid_arguments`"),
])
def test_modal_slack_refuses_is_explained_to_the_clicker(flagged, slack, fake_slack, code, advice):  # noqa: F811
    fake_slack.fail_next("views.open", code)
    _, answer = click(slack, ids.DELAY_ALERT_NOTIFY, flagged)
    assert answer.status == 200
    [reply] = replies(fake_slack)
    assert advice in reply and "went wrong on our side" not in reply


def test_revoked_token_is_not_called_an_outsider(slack, fake_slack, services):
    fake_slack.fail_next("users.info", "token_revoked")
    answer = slack.command(ADD)
    assert "`token_revoked`" in answer.text and "reinstall expect" in answer.text
    assert "Only members" not in answer.text
    assert rows(services, Project) == []


def test_card_slack_will_not_pin_is_reported_to_the_owner_once(slack, services, fake_slack):
    preview = start(slack, services, fake_slack)
    fake_slack.fail_next("pins.add", "not_pinnable")
    approve(slack, services, fake_slack, preview)
    deliver(services)
    deliver(services)
    [card] = of_kind(fake_slack, SHARED, "kickoff")
    notes = [m["text"] for m in fake_slack.messages(ALICE) if "pin it by hand" in m["text"]]
    assert len(notes) == 1 and f"<#{SHARED}>" in notes[0] and "`not_pinnable`" in notes[0]
    assert fake_slack.calls_to("pins.add") == [{"channel": SHARED, "timestamp": card["ts"]}]
