import json
import urllib.parse

from tests.expectations_support import ADD
from tests.slackreq import ALICE, BOB, HOME, PARTNER, SHARED

FORM, JSON = "application/x-www-form-urlencoded", "application/json"


def form(payload):
    return urllib.parse.urlencode({"payload": payload if isinstance(payload, str) else json.dumps(payload)}).encode()


def interaction(kind, url, **fields):
    return {"type": kind, "user": {"id": ALICE, "team_id": HOME}, "team": {"id": HOME}, "response_url": url,
            "trigger_id": "1.2.abc", **fields}


def cases(url):
    view = {"id": "V1", "type": "modal", "callback_id": "expect-add-project", "state": {"values": {}}, "private_metadata": ""}
    return [
        (b"payload=%7Bbad", FORM), (b"payload=[]", FORM), (b"payload=null", FORM), (b"payload=", FORM),
        (b"payload=%22text%22", FORM), (b"payload=1e999", FORM), (b"payload=%7B%7D", FORM), (b"payload", FORM),
        (form(interaction("block_actions", url, actions=[])), FORM),
        (form(interaction("block_actions", url, actions={})), FORM),
        (form(interaction("block_actions", url, actions=[None])), FORM),
        (form(interaction("block_actions", url, actions=[{"value": "1"}])), FORM),
        (form(interaction("block_actions", url, actions=[{"action_id": 7}])), FORM),
        (form(interaction("block_actions", url, actions=[{"action_id": "x"}], user="U1")), FORM),
        (form(interaction("block_actions", url, actions=[{"action_id": "unknown-action"}])), FORM),
        (form(interaction("interactive_message", url, callback_id="x", actions=[{"name": "a"}])), FORM),
        (form(interaction("workflow_step_edit", url, callback_id="x")), FORM),
        (form(interaction("shortcut", url, callback_id="x")), FORM),
        (form(interaction("message_action", url, callback_id="x")), FORM),
        (form(interaction("block_suggestion", url, action_id="x", value="a")), FORM),
        (form(interaction("dialog_submission", url, callback_id="x")), FORM),
        (form(interaction(None, url)), FORM), (form(interaction(["block_actions"], url)), FORM),
        (form(interaction("view_submission", url)), FORM),
        (form(interaction("view_submission", url, view=[])), FORM),
        (form(interaction("view_submission", url, view={"id": "V1"})), FORM),
        (form(interaction("view_submission", url, view={"id": "V1", "callback_id": "expect-add-project"})), FORM),
        (form(interaction("view_submission", url, view={**view, "callback_id": "nobody-listens"})), FORM),
        (form(interaction("view_closed", url, view={"id": "V1"})), FORM),
        (form({**interaction("view_submission", url, view=view), "user": None}), FORM),
        (b'{"type": "event_callback", ', JSON), (b"[1, 2]", JSON), (b"null", JSON), (b"", JSON), (b"{}", JSON),
        (b'{"type": "event_callback", "team_id": "T0HOME0001"}', JSON),
        (b'{"type": "event_callback", "team_id": "T0HOME0001", "event": "message"}', JSON),
        (b'{"type": "event_callback", "team_id": "T0HOME0001", "event": {"type": 5}}', JSON),
        (b'{"type": "event_callback", "team_id": "T0HOME0001", "event": {"type": "file_shared"}}', JSON),
        (b'{"type": "url_verification"}', JSON), (b'{"type": "app_rate_limited"}', JSON),
        (b'{"type": "event_callback", "event": {"type": "message"', JSON),
        (b"payload=%FF%FE", FORM), (b"payload=%7B%22type%22%3A%22%ED%A0%80%22%7D", FORM),
        (b"command=%2Fexpect", FORM), (b"command=%2Fexpect&user_id=&team_id=T&channel_id=C", FORM),
        (b"text=list&user_id=U0HOMEUSR1", FORM), (b"&&&===", FORM), (b"a=%ZZ", FORM),
        (urllib.parse.urlencode({"command": "/expect", "text": "list", "user_id": ALICE, "team_id": HOME,
                                 "channel_id": SHARED, "response_url": url, "trigger_id": "1.2.a",
                                 "payload": "{}"}).encode(), FORM),
        (form({**interaction("block_actions", url, actions=[{"action_id": "checkin-vote-3", "value": "x"}]),
               "user": {"id": BOB, "team_id": PARTNER}, "team": {"id": PARTNER}}), FORM),
    ]


def apologies(fake_slack):
    return [c for c in fake_slack.calls_to("response_url") if "nothing was changed" in c.get("text", "")]


def test_malformed_bodies_never_get_a_5xx_or_an_apology(slack, services, fake_slack):
    slack.command(ADD)
    services.dispatcher.run_once()
    fake_slack.reset_calls()
    url = fake_slack.response_url("fuzz")
    statuses = []
    for body, content_type in cases(url):
        statuses.append(slack.send(body, content_type).status)
        statuses.append(slack.send(body, content_type, signature="v0=" + "0" * 64).status)
    for body in (b"\xff\xfe\x00\x01payload", b'{"type": "\xff"}'):
        assert slack.send(body, JSON).status == 401
    assert len(statuses) == 102
    assert [s for s in statuses if s >= 500] == []
    assert set(statuses[::2]) <= {200, 400}
    assert set(statuses[1::2]) == {401}
    assert apologies(fake_slack) == []
