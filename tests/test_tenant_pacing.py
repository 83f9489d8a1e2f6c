from datetime import timedelta

from bot.domain import outbox
from bot.models import OutboxMessage, Project
from bot.slack.pacing import LocalBudget, Pacer, Rate
from tests.expectations_support import deliver, rows
from tests.slackreq import INTERNAL, SHARED
from tests.test_tenancy import BETA, HOME, TOKENS, register_both, tenants  # noqa: F401  (the fixture)

BETA_CHANNELS = [f"C0BETAQ{i:03d}" for i in range(8)]


def fake_time_pacer():
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    return Pacer(LocalBudget(clock=lambda: now[0]), workspace=Rate(50, 5), channel=Rate(0, 1), sleep=sleep), now


def queue_posts(services, clock):
    with services.sessions.begin() as session:
        projects = {p.team_id: p for p in session.query(Project).filter(Project.slug == "acme-website")}
        wanted = [(BETA, channel, clock.now() - timedelta(hours=1)) for channel in BETA_CHANNELS]
        wanted += [(HOME, channel, clock.now()) for channel in (SHARED, INTERNAL, "C07THIRD01")]
        for number, (team, channel, when) in enumerate(wanted):
            outbox.enqueue(session, project=projects[team], kind="note", period_key=f"n{number}", channel_id=channel,
                           payload={"text": f"note {number} for {team}"}, client_visible=False, now=when,
                           not_before=when)


def posts_of(services, team):
    with services.sessions() as session:
        mine = {p.id for p in session.query(Project).filter(Project.team_id == team)}
    return [r for r in rows(services, OutboxMessage, OutboxMessage.kind == "note") if r.project_id in mine]


def test_a_held_workspace_holds_up_no_other(tenants, fake_slack, clock):
    services, slack = tenants
    register_both(slack)
    deliver(services)
    for number, channel in enumerate(BETA_CHANNELS):
        fake_slack.add_channel(channel, f"beta-{number}", team_id=BETA)
    fake_slack.add_channel("C07THIRD01", "acme-third")
    queue_posts(services, clock)
    pacer, monotonic = fake_time_pacer()
    services.dispatcher.pacer, services.dispatcher.batch = pacer, 6
    fake_slack.reset_calls()
    fake_slack.fail_next("chat.postMessage", retry_after=30, token=TOKENS[BETA], times=len(BETA_CHANNELS))

    services.dispatcher.run_once(max_rounds=1)
    assert [r.state for r in posts_of(services, HOME)] == ["sent"] * 3
    assert len(fake_slack.calls_to("chat.postMessage", token=TOKENS[HOME])) == 3
    beta_calls = fake_slack.calls_to("chat.postMessage", token=TOKENS[BETA])
    assert 1 <= len(beta_calls) <= 3
    assert len({call["channel"] for call in beta_calls}) == len(beta_calls)
    held = posts_of(services, BETA)
    assert [r.state for r in held] == ["pending"] * 8
    assert sorted(r.not_before >= clock.now() + timedelta(seconds=29) for r in held) == [False] * 5 + [True] * 3
    assert all(fake_slack.messages(channel, team_id=BETA) == [] for channel in BETA_CHANNELS)

    services.dispatcher.run_once()
    assert len(fake_slack.calls_to("chat.postMessage", token=TOKENS[BETA])) == len(beta_calls)
    assert [r.state for r in posts_of(services, BETA)] == ["pending"] * 8

    fake_slack.reset()
    clock.advance(timedelta(seconds=31))
    monotonic[0] += 31
    services.dispatcher.run_once()
    sent = posts_of(services, BETA)
    assert [r.state for r in sent] == ["sent"] * 8
    for row in sent:
        [message] = fake_slack.messages(row.channel_id, team_id=BETA)
        assert message["metadata"]["event_payload"]["outbox_id"] == row.id
    assert {call["token"] for call in fake_slack.calls if call["method"] == "chat.postMessage"} == {TOKENS[BETA]}
