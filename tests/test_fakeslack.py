import json
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.devtools.fakeslack import FakeSlack

pytestmark = pytest.mark.filterwarnings("ignore:The top-level `text` argument:UserWarning")


@pytest.fixture
def fake():
    with FakeSlack(scopes=None) as f:
        f.add_channel("C0GENERAL01", "general")
        yield f


@pytest.fixture
def client(fake):
    return WebClient(token=fake.token, base_url=fake.base_url, retry_handlers=[])


BUTTON = {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": "go", "value": "1"}


def error_of(call):
    with pytest.raises(SlackApiError) as e:
        call()
    return e.value.response


def test_auth_test_identifies_bot(client, fake):
    r = client.auth_test()
    assert (r["team_id"], r["user_id"], r["bot_id"]) == (fake.team_id, fake.bot_user_id, fake.bot_id)


def test_wrong_token_is_invalid_auth(fake):
    bad = WebClient(token="xoxb-nope", base_url=fake.base_url, retry_handlers=[])
    assert error_of(bad.auth_test)["error"] == "invalid_auth"


def test_missing_token_is_not_authed(fake):
    anon = WebClient(base_url=fake.base_url, retry_handlers=[])
    assert error_of(anon.auth_test)["error"] == "not_authed"


def test_unknown_method(client):
    assert error_of(lambda: client.api_call("nope.nothing"))["error"] == "unknown_method"


def test_post_message_is_stored_and_listed_newest_first(client, fake):
    first = client.chat_postMessage(channel="C0GENERAL01", text="one")
    second = client.chat_postMessage(channel="C0GENERAL01", text="two")
    assert float(second["ts"]) > float(first["ts"])
    assert second["message"]["bot_id"] == fake.bot_id
    history = client.conversations_history(channel="C0GENERAL01")
    assert [m["text"] for m in history["messages"]] == ["two", "one"]
    assert [m["text"] for m in fake.messages("C0GENERAL01")] == ["one", "two"]


def test_history_includes_metadata_only_when_asked(client):
    metadata = {"event_type": "expect_update", "event_payload": {"outbox_id": "ob-1"}}
    client.chat_postMessage(channel="C0GENERAL01", text="hi", metadata=metadata)
    plain = client.conversations_history(channel="C0GENERAL01")["messages"][0]
    full = client.conversations_history(channel="C0GENERAL01", include_all_metadata=True)["messages"][0]
    assert "metadata" not in plain
    assert full["metadata"] == metadata


def test_blocks_arrive_decoded_from_json_and_form(client, fake):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}]
    client.chat_postMessage(channel="C0GENERAL01", blocks=blocks)
    client.api_call("chat.postMessage", params={"channel": "C0GENERAL01", "blocks": json.dumps(blocks)})
    assert [a["blocks"] for a in fake.calls_to("chat.postMessage")] == [blocks, blocks]
    assert "*hello*" in fake.transcript()


def test_history_paginates_with_cursor(client):
    for i in range(5):
        client.chat_postMessage(channel="C0GENERAL01", text=str(i))
    page1 = client.conversations_history(channel="C0GENERAL01", limit=2)
    page2 = client.conversations_history(channel="C0GENERAL01", limit=2, cursor=page1["response_metadata"]["next_cursor"])
    page3 = client.conversations_history(channel="C0GENERAL01", limit=2, cursor=page2["response_metadata"]["next_cursor"])
    texts = [m["text"] for p in (page1, page2, page3) for m in p["messages"]]
    assert texts == ["4", "3", "2", "1", "0"]
    assert page1["has_more"] and not page3["has_more"]


def test_thread_replies_stay_out_of_history(client):
    parent = client.chat_postMessage(channel="C0GENERAL01", text="parent")["ts"]
    client.chat_postMessage(channel="C0GENERAL01", text="reply", thread_ts=parent)
    history = client.conversations_history(channel="C0GENERAL01")["messages"]
    assert [m["text"] for m in history] == ["parent"]
    assert history[0]["reply_count"] == 1
    replies = client.conversations_replies(channel="C0GENERAL01", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["parent", "reply"]


@pytest.mark.parametrize(
    "setup, error",
    [
        (lambda f: None, "channel_not_found"),
        (lambda f: f.add_channel("C0TARGET001", "outside", is_member=False), "not_in_channel"),
        (lambda f: f.add_channel("C0TARGET001", "old", is_archived=True), "is_archived"),
    ],
)
def test_post_message_channel_errors(client, fake, setup, error):
    setup(fake)
    response = error_of(lambda: client.chat_postMessage(channel="C0TARGET001", text="x"))
    assert response["error"] == error
    assert fake.messages("C0TARGET001") == []


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({}, "no_text"),
        ({"text": "x" * 40001}, "msg_too_long"),
        ({"blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        ({"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]}, "invalid_blocks"),
        ({"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]}, "invalid_blocks"),
        ({"blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}]}, "invalid_blocks"),
        ({"blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}]}, "invalid_blocks"),
        ({"blocks": [{"type": "actions", "elements": [BUTTON | {"text": {"type": "plain_text", "text": "b" * 76}}]}]},
         "invalid_blocks"),
        ({"blocks": [{"type": "actions", "elements": [BUTTON | {"action_id": "a" * 256}]}]}, "invalid_blocks"),
        ({"blocks": [{"type": "actions", "elements": [BUTTON | {"value": "v" * 2001}]}]}, "invalid_blocks"),
        ({"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "colour": "red"}]}, "invalid_blocks"),
        ({"blocks": [{"type": "carousel"}]}, "invalid_blocks"),
    ],
)
def test_post_message_content_errors(client, kwargs, error):
    assert error_of(lambda: client.chat_postMessage(channel="C0GENERAL01", **kwargs))["error"] == error


def test_history_not_in_channel(client, fake):
    fake.add_channel("C0OUTSIDE01", "outside", is_member=False)
    assert error_of(lambda: client.conversations_history(channel="C0OUTSIDE01"))["error"] == "not_in_channel"


def test_rate_limit_is_429_with_retry_after(client, fake):
    fake.fail_next("chat.postMessage", status=429, retry_after=7)
    response = error_of(lambda: client.chat_postMessage(channel="C0GENERAL01", text="x"))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response["error"] == "ratelimited"
    assert client.chat_postMessage(channel="C0GENERAL01", text="x")["ok"]


def test_injected_error_and_server_error(client, fake):
    fake.fail_next("chat.postMessage", "fatal_error")
    fake.fail_next("chat.postMessage", status=503)
    assert error_of(lambda: client.chat_postMessage(channel="C0GENERAL01", text="x"))["error"] == "fatal_error"
    assert error_of(lambda: client.chat_postMessage(channel="C0GENERAL01", text="x")).status_code == 503
    assert fake.messages("C0GENERAL01") == []


def test_dropped_response_is_connection_error_but_message_stored(client, fake):
    fake.fail_next("chat.postMessage", drop_response=True)
    with pytest.raises((URLError, ConnectionError)):
        client.chat_postMessage(channel="C0GENERAL01", text="maybe")
    assert [m["text"] for m in fake.messages("C0GENERAL01")] == ["maybe"]


def test_stats_count_posts_per_outbox_id(client, fake):
    metadata = {"event_type": "expect_update", "event_payload": {"outbox_id": 42}}
    for _ in range(2):
        client.chat_postMessage(channel="C0GENERAL01", text="dup", metadata=metadata)
    with urllib.request.urlopen(fake.base_url.replace("/api/", "/_fake/stats")) as r:
        stats = json.load(r)
    assert stats == {"calls": {"chat.postMessage": 2}, "posts_by_outbox_id": {"42": 2}}


def test_users_info_for_external_user(client, fake):
    fake.add_user("U0PARTUSR1", "bob", real_name="Bob Partner", team_id="T0PARTNR01")
    user = client.users_info(user="U0PARTUSR1")["user"]
    assert user["team_id"] == "T0PARTNR01"
    assert user["profile"]["display_name"] == "bob"
    assert user["tz"] == "Europe/Berlin"
    assert error_of(lambda: client.users_info(user="U0MISSING01"))["error"] == "user_not_found"


def test_conversations_info_for_ext_shared_channel(client, fake):
    fake.add_channel("C07SHARED01", "proj-acme-partner", ext_shared_with="T0PARTNR01")
    channel = client.conversations_info(channel="C07SHARED01")["channel"]
    assert channel["is_ext_shared"] and channel["is_member"]
    assert channel["connected_team_ids"] == ["T0HOME0001", "T0PARTNR01"]
    assert channel["conversation_host_id"] == "T0HOME0001"


def test_response_url_posts_are_recorded(fake):
    WebhookClient(fake.response_url("standup")).send(text="done", response_type="ephemeral")
    assert fake.wait_for("response_url")[0] == {"text": "done", "response_type": "ephemeral", "_name": "standup"}


def test_post_to_user_id_goes_to_stable_dm(client, fake):
    fake.add_user("U0ALICE0001", "alice")
    posted = client.chat_postMessage(channel="U0ALICE0001", text="psst")
    opened = client.conversations_open(users="U0ALICE0001")
    assert posted["channel"].startswith("D")
    assert opened["channel"]["id"] == posted["channel"]
    assert [m["text"] for m in fake.messages(posted["channel"])] == ["psst"]


def test_update_delete_permalink_pins_and_reactions(client):
    ts = client.chat_postMessage(channel="C0GENERAL01", text="v1")["ts"]
    assert client.chat_update(channel="C0GENERAL01", ts=ts, text="v2")["text"] == "v2"
    assert client.chat_getPermalink(channel="C0GENERAL01", message_ts=ts)["permalink"].endswith(ts.replace(".", ""))
    client.pins_add(channel="C0GENERAL01", timestamp=ts)
    assert error_of(lambda: client.pins_add(channel="C0GENERAL01", timestamp=ts))["error"] == "already_pinned"
    client.reactions_add(channel="C0GENERAL01", timestamp=ts, name="eyes")
    assert error_of(lambda: client.reactions_add(channel="C0GENERAL01", timestamp=ts, name="eyes"))["error"] == "already_reacted"
    client.chat_delete(channel="C0GENERAL01", ts=ts)
    assert error_of(lambda: client.chat_update(channel="C0GENERAL01", ts=ts, text="v3"))["error"] == "message_not_found"


def test_cannot_update_human_message(client, fake):
    fake.add_user("U0ALICE0001", "alice")
    ts = fake.add_message("C0GENERAL01", "mine", user="U0ALICE0001")["ts"]
    assert error_of(lambda: client.chat_update(channel="C0GENERAL01", ts=ts, text="x"))["error"] == "cant_update_message"


def test_views_open_and_update(client):
    view = {"type": "modal", "title": {"type": "plain_text", "text": "New"}, "blocks": [{"type": "divider"}],
            "external_id": "ext-1"}
    opened = client.views_open(trigger_id="123.456", view=view)["view"]
    assert opened["id"].startswith("V") and opened["hash"]
    updated = client.views_update(external_id="ext-1", view={**view, "blocks": [{"type": "divider"}]})["view"]
    assert updated["id"] == opened["id"]
    assert error_of(lambda: client.api_call("views.open", json={"view": view}))["error"] == "invalid_arguments"


def test_latency_delays_answers(client, fake):
    fake.set_latency(0.2)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.2


def test_wait_for_waits_for_concurrent_calls(client, fake):
    threading.Timer(0.1, lambda: client.chat_postMessage(channel="C0GENERAL01", text="later")).start()
    assert fake.wait_for("chat.postMessage", where=lambda a: a["text"] == "later")[0]["channel"] == "C0GENERAL01"


def test_wait_for_times_out_with_recent_calls(client, fake):
    client.auth_test()
    with pytest.raises(AssertionError, match="auth.test"):
        fake.wait_for("chat.postMessage", timeout=0.1)


def test_auto_channels_and_ts_are_unique_under_concurrency():
    with FakeSlack(auto_channels=True) as f:
        c = WebClient(token=f.token, base_url=f.base_url, retry_handlers=[])

        def post(i):
            c.chat_postMessage(channel=f"C0AUTO{i % 4:05d}", text=str(i))

        threads = [threading.Thread(target=post, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ts = [m["ts"] for i in range(4) for m in f.messages(f"C0AUTO{i:05d}")]
        assert len(ts) == len(set(ts)) == 40


def test_views_publish_keeps_one_home_view_per_user(client):
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    first = client.views_publish(user_id="U0ALICE0001", view=home)["view"]
    second = client.views_publish(user_id="U0ALICE0001", view=home)["view"]
    assert first["id"] == second["id"] and first["hash"] != second["hash"]


def test_join_makes_bot_a_member(client, fake):
    fake.add_channel("C0OUTSIDE01", "outside", is_member=False)
    client.conversations_join(channel="C0OUTSIDE01")
    assert client.chat_postMessage(channel="C0OUTSIDE01", text="hello")["ok"]


def test_control_endpoints_over_http(client, fake):
    root = fake.base_url.replace("/api/", "/_fake/")

    def control(path, body=None):
        data = None if body is None else json.dumps(body).encode()
        with urllib.request.urlopen(urllib.request.Request(root + path, data=data)) as r:
            return json.load(r)

    client.chat_postMessage(channel="C0GENERAL01", text="hi")
    assert control("calls?method=chat.postMessage") == [{"channel": "C0GENERAL01", "text": "hi"}]
    assert [m["text"] for m in control("messages?channel=C0GENERAL01")] == ["hi"]
    control("fail_next", {"method": "auth.test", "error": "account_inactive"})
    assert error_of(client.auth_test)["error"] == "account_inactive"
    control("slow_down", {"method": "users.info", "seconds": 7})
    assert fake._slow["users.info"] == 7
    control("reset", {})
    assert fake._slow == {}
    assert control("stats") == {"calls": {}, "posts_by_outbox_id": {}}
    assert fake.messages("C0GENERAL01") == []


def test_command_line_server_answers():
    proc = subprocess.Popen([sys.executable, "-m", "bot.devtools.fakeslack", "--port", "0", "--channels-auto"],
                            stdout=subprocess.PIPE, text=True)
    try:
        base_url = proc.stdout.readline().split()[-1]
        client = WebClient(token="xoxb-test-token", base_url=base_url, retry_handlers=[])
        assert client.chat_postMessage(channel="C0ANYWHERE1", text="hi")["channel"] == "C0ANYWHERE1"
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_invalid_blocks_say_where_as_slack_does(client):
    blocks = [{"type": "divider"}, {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    response = error_of(lambda: client.chat_postMessage(channel="C0GENERAL01", text="x", blocks=blocks))
    [message] = response["response_metadata"]["messages"]
    assert message.startswith("[ERROR]") and message.endswith("[json-pointer:/blocks/1]")


def test_blocks_within_limits_are_accepted(client, fake):
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
              {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3000}, "accessory": BUTTON},
              {"type": "actions", "elements": [BUTTON | {"action_id": "a" * 255, "value": "v" * 2000}]},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10}]
    client.chat_postMessage(channel="C0GENERAL01", text="x", blocks=blocks + [{"type": "divider"}] * 46)
    assert len(fake.messages("C0GENERAL01")[0]["blocks"]) == 50


@pytest.mark.parametrize("change", [
    {"title": {"type": "plain_text", "text": "t" * 25}},
    {"title": {"type": "mrkdwn", "text": "Title"}},
    {"blocks": [{"type": "divider"}] * 101},
    {"blocks": [{"type": "input", "label": {"type": "plain_text", "text": "L"}}]},
])
def test_views_refused_as_slack_refuses_them(client, change):
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Fine"}, "blocks": [{"type": "divider"}]}
    response = error_of(lambda: client.views_open(trigger_id="1.2", view={**view, **change}))
    assert response["error"] == "invalid_arguments"
    assert response["response_metadata"]["messages"][0].startswith("[ERROR]")


def test_scopes_come_from_the_manifest():
    with FakeSlack(scopes=Path(__file__).resolve().parent.parent / "manifest.yml") as fake:
        fake.add_channel("C0GENERAL01", "general")
        client = WebClient(token=fake.token, base_url=fake.base_url, retry_handlers=[])
        ts = client.chat_postMessage(channel="C0GENERAL01", text="x")["ts"]
        response = error_of(lambda: client.reactions_add(channel="C0GENERAL01", timestamp=ts, name="eyes"))
        assert (response["error"], response["needed"]) == ("missing_scope", "reactions:write")
        assert "chat:write" in response["provided"].split(",")
        assert fake.messages("C0GENERAL01")[0].get("reactions") is None


def test_missing_scope_depends_on_the_conversation_kind():
    with FakeSlack(scopes={"channels:history", "chat:write", "im:write"}) as fake:
        fake.add_user("U0ALICE0001", "alice")
        fake.add_channel("C0GENERAL01", "general")
        fake.add_channel("C0PRIVATE01", "secret", is_private=True)
        client = WebClient(token=fake.token, base_url=fake.base_url, retry_handlers=[])
        dm = client.conversations_open(users="U0ALICE0001")["channel"]["id"]
        assert client.conversations_history(channel="C0GENERAL01")["ok"]
        assert error_of(lambda: client.conversations_history(channel="C0PRIVATE01"))["needed"] == "groups:history"
        assert error_of(lambda: client.conversations_history(channel=dm))["needed"] == "im:history"


def test_slow_down_delays_one_method_only(client, fake):
    fake.slow_down("users.info", 2)
    fake.add_user("U0ALICE0001", "alice")
    started = threading.Thread(target=client.users_info, kwargs={"user": "U0ALICE0001"})
    started.start()
    fake.wait_for("users.info")
    assert started.is_alive()
    client.auth_test()
    assert started.is_alive()
    started.join(timeout=5)
    assert not started.is_alive()


def test_stall_holds_calls_until_released(client, fake):
    release = fake.stall("chat.postMessage")
    answers = []
    caller = threading.Thread(target=lambda: answers.append(client.chat_postMessage(channel="C0GENERAL01", text="x")))
    caller.start()
    fake.wait_for("chat.postMessage")
    caller.join(timeout=0.2)
    assert answers == [] and caller.is_alive()
    release.set()
    caller.join(timeout=5)
    assert answers[0]["ok"]
