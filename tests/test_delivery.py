import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.domain.content import dump
from bot.domain.outbox import enqueue
from bot.domain.posts import PromiseReply
from bot.domain.projects import NewProject, create_project
from bot.models import OutboxMessage, Project
from bot.services import build_services
from bot.slack.delivery import SETTLE, Dispatcher
from bot.slack.pacing import LocalBudget, Pacer, Rate
from tests.slackreq import ALICE, HOME, OTHER, SHARED

SATURDAY_NOON = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
NEXT_MONDAY_OPENING = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)


SETTLED = SETTLE + timedelta(seconds=1)


def new_project(services, clock, channel=SHARED, name="Acme Website"):
    with services.sessions.begin() as session:
        project = create_project(
            session, team_id=HOME, created_by=ALICE, now=clock.now(),
            new=NewProject(name=name, channel_id=channel, owner_id=ALICE, tz="Europe/Berlin"),
        )
    return project.id


def post(services, clock, project_id, key="k1", kind="notice", text="Hello", **options):
    with services.sessions.begin() as session:
        project = session.get(Project, project_id)
        row = enqueue(session, project=project, kind=kind, period_key=key, payload={"text": text},
                      now=clock.now(), **options)
        session.flush()
        return row.id


def row(services, outbox_id):
    with services.sessions() as session:
        return session.get(OutboxMessage, outbox_id)


def all_rows(services):
    with services.sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def at_slack_time(clock):
    clock.set(datetime.now(timezone.utc))


def posts(fake_slack):
    return fake_slack.stats()["posts_by_outbox_id"]


def bot_messages(fake_slack, channel):
    return [m for m in fake_slack.messages(channel) if m.get("bot_id")]


@pytest.fixture
def project_id(services, clock):
    return new_project(services, clock)


def test_post_lands_once_with_outbox_metadata(services, clock, fake_slack, project_id):
    outbox_id = post(services, clock, project_id, text="Weekly news")
    assert services.dispatcher.run_once()["sent"] == 1
    [message] = fake_slack.messages(SHARED)
    assert message["text"] == "Weekly news"
    assert message["metadata"]["event_type"] == "expect_post"
    assert message["metadata"]["event_payload"]["outbox_id"] == outbox_id
    sent = row(services, outbox_id)
    assert (sent.state, sent.ts, sent.posted_channel_id, sent.sent_at) == ("sent", message["ts"], SHARED, clock.now())


def test_same_key_twice_is_one_row_and_one_post(services, clock, fake_slack, project_id):
    first = post(services, clock, project_id, key="2026-W48")
    second = post(services, clock, project_id, key="2026-W48", text="Changed my mind")
    services.dispatcher.run_once()
    assert first == second
    assert len(all_rows(services)) == 1
    assert posts(fake_slack) == {str(first): 1}
    assert fake_slack.messages(SHARED)[0]["text"] == "Hello"


def test_second_pass_posts_nothing_more(services, clock, fake_slack, project_id):
    outbox_id = post(services, clock, project_id)
    services.dispatcher.run_once()
    assert services.dispatcher.run_once() == {}
    clock.advance(timedelta(hours=1))
    services.dispatcher.run_once()
    assert posts(fake_slack) == {str(outbox_id): 1}
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_rate_limit_waits_for_retry_after(services, clock, fake_slack, project_id):
    outbox_id = post(services, clock, project_id)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=30)
    assert services.dispatcher.run_once()["rate_limited"] == 1
    waiting = row(services, outbox_id)
    assert (waiting.state, waiting.not_before, waiting.attempts) == ("pending", clock.now() + timedelta(seconds=30), 0)
    assert fake_slack.messages(SHARED) == []
    clock.advance(timedelta(seconds=29))
    services.dispatcher.run_once()
    assert fake_slack.messages(SHARED) == []
    clock.advance(timedelta(seconds=1))
    services.dispatcher.run_once()
    assert posts(fake_slack) == {str(outbox_id): 1}
    assert row(services, outbox_id).state == "sent"


def test_lost_response_is_settled_from_history_without_posting_again(services, clock, fake_slack, project_id):
    at_slack_time(clock)
    outbox_id = post(services, clock, project_id, urgent=True)
    fake_slack.fail_next("chat.postMessage", drop_response=True)
    assert services.dispatcher.run_once()["unknown"] == 1
    assert row(services, outbox_id).state == "unknown"
    services.dispatcher.run_once()
    assert fake_slack.calls_to("conversations.history") == []
    clock.advance(SETTLED)
    assert services.dispatcher.run_once()["recovered"] == 1
    [message] = fake_slack.messages(SHARED)
    settled = row(services, outbox_id)
    assert (settled.state, settled.ts) == ("sent", message["ts"])
    assert posts(fake_slack) == {str(outbox_id): 1}
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert fake_slack.calls_to("conversations.history")[0]["include_all_metadata"] in (True, "true", "1")


def test_post_stored_late_by_slack_is_not_posted_again(services, clock, fake_slack, project_id):
    at_slack_time(clock)
    outbox_id = post(services, clock, project_id, urgent=True)
    fake_slack.fail_next("chat.postMessage", store_late=True)
    assert services.dispatcher.run_once()["unknown"] == 1
    clock.advance(timedelta(seconds=22))
    assert services.dispatcher.run_once() == {}
    assert fake_slack.messages(SHARED) == []
    assert fake_slack.store_late_calls() == 1
    clock.advance(SETTLED - timedelta(seconds=22))
    assert services.dispatcher.run_once() == {"recovered": 1}
    assert posts(fake_slack) == {str(outbox_id): 1}
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_server_error_not_found_in_history_is_posted_once(services, clock, fake_slack, project_id):
    at_slack_time(clock)
    outbox_id = post(services, clock, project_id, urgent=True)
    fake_slack.fail_next("chat.postMessage", status=503)
    assert services.dispatcher.run_once()["unknown"] == 1
    assert fake_slack.messages(SHARED) == []
    clock.advance(SETTLED)
    assert services.dispatcher.run_once()["sent"] == 1
    assert len(fake_slack.calls_to("conversations.history")) == 1
    assert posts(fake_slack) == {str(outbox_id): 1}
    clock.advance(timedelta(minutes=5))
    services.dispatcher.run_once()
    assert len(fake_slack.messages(SHARED)) == 1


def test_lost_thread_reply_is_found_in_its_thread(services, clock, fake_slack, project_id):
    at_slack_time(clock)
    parent_id = post(services, clock, project_id, key="parent", urgent=True)
    services.dispatcher.run_once()
    with services.sessions.begin() as session:
        parent = session.get(OutboxMessage, parent_id)
        reply = enqueue(session, project=session.get(Project, project_id), kind="notice", period_key="reply",
                        payload={"text": "A follow-up"}, now=clock.now(), thread_of=parent, urgent=True)
        session.flush()
        reply_id = reply.id
    fake_slack.fail_next("chat.postMessage", drop_response=True)
    services.dispatcher.run_once()
    clock.advance(SETTLED)
    assert services.dispatcher.run_once()["recovered"] == 1
    assert posts(fake_slack) == {str(parent_id): 1, str(reply_id): 1}
    assert row(services, reply_id).thread_ts == row(services, parent_id).ts


@pytest.mark.parametrize("channel, code, fix", [
    (OTHER, "not_in_channel", "/invite @expect"),
    ("C0NOPE0001", "channel_not_found", "still exists"),
    ("C07ARCHIVE1", "is_archived", "unarchive"),
    (SHARED, "invalid_auth", "reinstall"),
    (SHARED, "account_inactive", "reinstall"),
    (SHARED, "token_revoked", "reinstall"),
])
def test_permanent_error_stops_and_tells_the_owner_once(services, clock, fake_slack, channel, code, fix):
    project_id = new_project(services, clock, channel=channel)
    if channel == SHARED:
        fake_slack.fail_next("chat.postMessage", code)
    outbox_id = post(services, clock, project_id)
    services.dispatcher.run_once()
    for _ in range(3):
        clock.advance(timedelta(minutes=10))
        services.dispatcher.run_once()
    failed = row(services, outbox_id)
    assert (failed.state, failed.error) == ("failed", code)
    assert str(outbox_id) not in posts(fake_slack)
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    with services.sessions() as session:
        assert code in session.get(Project, project_id).attention
    [dm] = bot_messages(fake_slack, ALICE)
    assert code in dm["text"] and "Acme Website" in dm["text"] and fix in dm["text"]
    assert "stopped trying" in dm["text"]


def test_client_post_waits_for_business_hours(services, clock, fake_slack, project_id):
    clock.set(SATURDAY_NOON)
    outbox_id = post(services, clock, project_id)
    assert row(services, outbox_id).not_before == NEXT_MONDAY_OPENING
    services.dispatcher.run_once()
    clock.set(NEXT_MONDAY_OPENING - timedelta(minutes=1))
    services.dispatcher.run_once()
    assert fake_slack.messages(SHARED) == []
    clock.set(NEXT_MONDAY_OPENING)
    services.dispatcher.run_once()
    assert posts(fake_slack) == {str(outbox_id): 1}


def test_evening_post_waits_for_next_morning(services, clock, project_id):
    clock.set(datetime(2026, 11, 24, 17, 30, tzinfo=timezone.utc))
    outbox_id = post(services, clock, project_id)
    assert row(services, outbox_id).not_before == datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)


def test_urgent_and_internal_posts_ignore_business_hours(services, clock, fake_slack, project_id):
    clock.set(SATURDAY_NOON)
    urgent = post(services, clock, project_id, key="urgent", urgent=True)
    internal = post(services, clock, project_id, key="internal", client_visible=False, channel_id=ALICE)
    services.dispatcher.run_once()
    assert posts(fake_slack) == {str(urgent): 1, str(internal): 1}


def test_posts_past_weekly_budget_go_in_the_latest_thread(services, clock, fake_slack, project_id):
    earlier = []
    for key in ("a", "b", "c"):
        earlier.append(post(services, clock, project_id, key=key))
        services.dispatcher.run_once()
        clock.advance(timedelta(minutes=5))
    extra = post(services, clock, project_id, key="d")
    update = post(services, clock, project_id, key="2026-11-23", kind="update")
    services.dispatcher.run_once()
    top = [m for m in fake_slack.messages(SHARED) if "thread_ts" not in m]
    assert [m["metadata"]["event_payload"]["outbox_id"] for m in top] == [*earlier, update]
    assert row(services, extra).thread_ts == row(services, earlier[-1]).ts
    assert (row(services, extra).top_level, row(services, update).top_level) == (False, True)


def test_budget_holds_within_one_batch(services, clock, fake_slack, project_id):
    ids = [post(services, clock, project_id, key=key) for key in "abcde"]
    services.dispatcher.run_once()
    assert posts(fake_slack) == {str(i): 1 for i in ids}
    messages = fake_slack.messages(SHARED)
    top = [m for m in messages if "thread_ts" not in m]
    assert len(top) == 3
    assert all(m.get("thread_ts") == top[-1]["ts"] for m in messages if m not in top)


def test_posts_to_one_channel_are_paced(services, clock, fake_slack, project_id):
    waits = []
    services.dispatcher.pacer = Pacer(LocalBudget(clock=lambda: sum(waits)), workspace=Rate(100, 100),
                                      channel=Rate(1, 2), sleep=waits.append)
    ids = [post(services, clock, project_id, key=f"k{n}", client_visible=False) for n in range(5)]
    services.dispatcher.run_once()
    assert posts(fake_slack) == {str(i): 1 for i in ids}
    assert waits == [1, 1, 1]


def test_crashed_workers_lease_is_settled_from_history(services, clock, fake_slack, project_id):
    at_slack_time(clock)
    posted_id = post(services, clock, project_id, key="posted", urgent=True)
    unposted_id = post(services, clock, project_id, key="unposted", channel_id=ALICE, client_visible=False)
    crashed = Dispatcher(services.sessions, services.gateway, clock, worker_id="dead-worker")
    claims = crashed._claim()
    crashed._deliver(next(c for c in claims if c.row.id == posted_id))
    crashed.close()
    services.dispatcher.run_once()
    assert row(services, posted_id).state == "sending"
    clock.advance(crashed.lease + timedelta(seconds=1))
    assert services.dispatcher.run_once() == {"recovered": 1, "sent": 1}
    assert posts(fake_slack) == {str(posted_id): 1, str(unposted_id): 1}
    assert [r.state for r in all_rows(services)] == ["sent", "sent"]
    assert row(services, posted_id).ts == fake_slack.messages(SHARED)[0]["ts"]


def test_two_racing_workers_post_every_row_once(services, clock, fake_slack, project_id):
    channels = [f"C0RACE{n:04d}" for n in range(60)]
    for channel in channels:
        fake_slack.add_channel(channel, channel.lower())
    ids = [post(services, clock, project_id, key=f"k{n}", channel_id=channels[n % 60], client_visible=False)
           for n in range(300)]
    other = build_services(services.settings, clock=clock, dispatcher_threads=4)
    workers = [services.dispatcher, other.dispatcher]
    totals, start = [], threading.Barrier(2)
    for worker in workers:
        worker.pace_seconds, worker.batch = 0, 10

    def run(worker):
        start.wait()
        totals.append(worker.run_once())

    try:
        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        other.close()
    assert posts(fake_slack) == {str(i): 1 for i in ids}
    assert sum(t["sent"] for t in totals) == 300
    assert {r.state for r in all_rows(services)} == {"sent"}


def test_refused_dm_names_the_person_not_a_channel(services, clock, fake_slack, project_id):
    fake_slack.fail_next("chat.postMessage", "missing_scope")
    post(services, clock, project_id, kind="preview", channel_id=ALICE, client_visible=False)
    services.dispatcher.run_once()
    with services.sessions() as session:
        assert session.get(Project, project_id).attention == f"Slack refused a post to <@{ALICE}>: `missing_scope`"
    [dm] = bot_messages(fake_slack, ALICE)
    assert f"I couldn't post to <@{ALICE}>" in dm["text"] and "<#U" not in dm["text"]


def test_content_renders_at_send_time_and_a_bad_row_fails_alone(services, clock, fake_slack, project_id):
    at_slack_time(clock)
    with services.sessions.begin() as session:
        project = session.get(Project, project_id)
        good = enqueue(session, project=project, kind="promise-ack", period_key="good", urgent=True, now=clock.now(),
                       payload={"content": dump(PromiseReply("<!here> Bob", clock.now()))})
        bad = enqueue(session, project=project, kind="notice", period_key="bad", urgent=True, now=clock.now(),
                      payload={"content": {"type": "NoSuchPost"}})
        good_id, bad_id = good.id, bad.id
    services.dispatcher.run_once()
    assert (row(services, good_id).state, row(services, bad_id).state) == ("sent", "failed")
    assert row(services, bad_id).error == "render_failed"
    [message] = bot_messages(fake_slack, SHARED)
    assert message["text"].startswith("Thanks, &lt;!here&gt; Bob — we'll get back to you by <!date^")


def test_closing_lets_a_background_pass_finish_what_it_claimed_and_start_no_other(services, clock, fake_slack,
                                                                                  project_id):
    channels = [f"C0SHUT{n:04d}" for n in range(12)]
    for channel in channels:
        fake_slack.add_channel(channel, channel.lower())
    ids = [post(services, clock, project_id, key=f"k{n}", channel_id=channels[n], client_visible=False)
           for n in range(12)]
    services.dispatcher.batch = 4
    fake_slack.set_latency(0.3)
    services.dispatcher.kick()
    fake_slack.wait_for("chat.postMessage")
    services.dispatcher.close()
    assert not [t for t in threading.enumerate() if t.name == "deliver-kick"]
    fake_slack.set_latency(0)
    states = {r.id: r.state for r in all_rows(services)}
    sent = sorted(i for i in ids if states[i] == "sent")
    assert 0 < len(sent) < 12 and {states[i] for i in ids} - {"sent"} == {"pending"}
    assert posts(fake_slack) == {str(i): 1 for i in sent}
    services.dispatcher.kick()
    assert not [t for t in threading.enumerate() if t.name == "deliver-kick"]
