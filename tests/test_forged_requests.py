import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.models import Base
from bot.web import make_server, stop_server
from tests.expectations_support import ADD
from tests.slackreq import ALICE, HOME, SECRET, SHARED, SlackClient, sign


def database_state(services):
    with services.sessions() as session:
        return {t.name: sorted(map(repr, session.execute(select(t)).all())) for t in Base.metadata.sorted_tables}


def post(url, body, headers):
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def legit_bodies(response_url):
    command = urllib.parse.urlencode({
        "command": "/expect", "text": 'add-milestone acme-website "Launch" due=2026-12-04', "user_id": ALICE,
        "team_id": HOME, "channel_id": SHARED, "response_url": response_url, "trigger_id": "1.2.abc"})
    button = {"type": "block_actions", "user": {"id": ALICE, "team_id": HOME}, "team": {"id": HOME},
              "response_url": response_url, "actions": [{"action_id": "nope", "value": "1", "type": "button"}]}
    event = {"type": "event_callback", "team_id": HOME, "event_id": "Ev0FORGED01",
             "event": {"type": "message", "channel": SHARED, "user": ALICE, "text": "hi", "ts": "1.2"}}
    return {
        "command": (command.encode(), "application/x-www-form-urlencoded"),
        "button": (urllib.parse.urlencode({"payload": json.dumps(button)}).encode(), "application/x-www-form-urlencoded"),
        "event": (json.dumps(event).encode(), "application/json"),
    }


def forgeries(body):
    now = str(int(time.time()))
    good = sign(SECRET, now, body)
    flipped = body[:-1] + bytes([body[-1] ^ 1])
    return {
        "no headers": (body, {}),
        "no signature": (body, {"X-Slack-Request-Timestamp": now}),
        "wrong secret": (body, {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": sign("guess", now, body)}),
        "one byte changed": (flipped, {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": good}),
        "stale": (body, {"X-Slack-Request-Timestamp": str(int(now) - 330),
                         "X-Slack-Signature": sign(SECRET, str(int(now) - 330), body)}),
        "from the future": (body, {"X-Slack-Request-Timestamp": str(int(now) + 330),
                                   "X-Slack-Signature": sign(SECRET, str(int(now) + 330), body)}),
        "word timestamp": (body, {"X-Slack-Request-Timestamp": "now", "X-Slack-Signature": good}),
        "empty timestamp": (body, {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": sign(SECRET, "", body)}),
        "float timestamp": (body, {"X-Slack-Request-Timestamp": now + ".5",
                                   "X-Slack-Signature": sign(SECRET, now + ".5", body)}),
        "superscript timestamp": (body, {"X-Slack-Request-Timestamp": "²", "X-Slack-Signature": good}),
        "huge timestamp": (body, {"X-Slack-Request-Timestamp": "9" * 400, "X-Slack-Signature": good}),
        "v1 scheme": (body, {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": good.replace("v0=", "v1=")}),
        "upper-case hex": (body, {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": good.upper()}),
    }


@pytest.fixture
def silent_host():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.setblocking(False)
    yield listener
    listener.close()


def connections(listener):
    count = 0
    while True:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def test_forged_requests_are_refused_without_effect(slack, server, services, fake_slack, silent_host):
    slack.command(ADD)
    services.dispatcher.run_once()
    before, calls_before = database_state(services), len(fake_slack.calls)
    silent_url = "http://127.0.0.1:%d/hook" % silent_host.getsockname()[1]
    tried = 0
    for response_url in (fake_slack.response_url("forged"), silent_url, "https://hooks.slack.com/commands/T/1/x"):
        for kind, (body, content_type) in legit_bodies(response_url).items():
            for name, (sent, headers) in forgeries(body).items():
                status = post(f"{server}/slack/events", sent, {"Content-Type": content_type, **headers})
                assert status == 401, (kind, name)
                tried += 1
    assert tried == 117
    assert len(fake_slack.calls) == calls_before
    assert connections(silent_host) == 0
    assert database_state(services) == before


def test_signed_twin_of_a_forgery_goes_through(slack, server, services, fake_slack):
    slack.command(ADD)
    body, content_type = legit_bodies(fake_slack.response_url("real"))["command"]
    now = str(int(time.time()))
    status = post(f"{server}/slack/events", body, {"Content-Type": content_type, "X-Slack-Request-Timestamp": now,
                                                   "X-Slack-Signature": sign(SECRET, now, body)})
    assert status == 200
    assert database_state(services)["milestone"] != []


def test_oversized_body_is_refused_before_it_is_read(server, fake_slack):
    body = b"payload=" + b"x" * (300 * 1024)
    now = str(int(time.time()))
    status = post(f"{server}/slack/events", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                   "X-Slack-Request-Timestamp": now,
                                                   "X-Slack-Signature": sign(SECRET, now, body)})
    assert status == 413
    assert fake_slack.calls == []


def test_declared_size_over_the_cap_is_refused_without_waiting_for_the_body(server):
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 1048576\r\n\r\n{")
        assert connection.recv(64).startswith(b"HTTP/1.1 413")


def test_unsigned_bodies_do_not_reach_the_log(server, caplog):
    caplog.set_level(logging.DEBUG)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Signature": "v0=" + "0" * 64,
               "X-Slack-Request-Timestamp": str(int(time.time()))}
    assert post(f"{server}/slack/events", b"payload=" + b"A" * 200 * 1024, headers) == 401
    try:
        status = post(f"{server}/slack/events", b"payload=" + b"A" * 1024 * 1024, headers)
    except urllib.error.URLError:
        status = "closed while sending"
    assert status in (413, "closed while sending")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "AAAA" not in logged
    assert len(logged) < 2000


@pytest.fixture
def raising_server(services):
    app = create_app(services)

    @app.action("test-raise")
    def explode(ack):
        ack()
        raise RuntimeError("boom")

    http = make_server(app, services, host="127.0.0.1", port=0)
    thread = threading.Thread(target=http.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.effective_port}/slack/events"
    stop_server(http)
    thread.join(timeout=5)


def test_error_in_a_signed_request_apologises_through_slack(raising_server, fake_slack):
    SlackClient(raising_server, response_url=fake_slack.response_url("oops")).button("test-raise", "1")
    [apology] = fake_slack.calls_to("response_url")
    assert "nothing was changed" in apology["text"]


def test_error_handler_never_posts_to_a_host_slack_did_not_name(raising_server, fake_slack, silent_host):
    silent_url = "http://127.0.0.1:%d/hook" % silent_host.getsockname()[1]
    for url in (silent_url, "https://evil.example/hook", "https://hooks.slack.com.evil.example/x",
                "https://hooks.slack.com:8443/x", "file:///etc/passwd", "http://[::1"):
        answer = SlackClient(raising_server, response_url=url).button("test-raise", "1")
        assert answer.status == 200
    assert connections(silent_host) == 0
    assert fake_slack.calls_to("response_url") == []


def test_unsigned_request_naming_a_silent_host_is_refused_at_once(server, fake_slack, silent_host):
    silent_url = "http://127.0.0.1:%d/hook" % silent_host.getsockname()[1]
    payload = {"type": "block_actions", "user": {"id": ALICE}, "response_url": silent_url, "actions": []}
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    for _ in range(16):
        status = post(f"{server}/slack/events", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                       "X-Slack-Request-Timestamp": "soon",
                                                       "X-Slack-Signature": "v0=whatever"})
        assert status == 401
    assert connections(silent_host) == 0
    assert fake_slack.calls == []
