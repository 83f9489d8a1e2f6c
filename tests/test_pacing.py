import os
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.models import OutboxMessage
from bot.slack.gateway import RateLimited, SlackGateway
from bot.slack.pacing import LocalBudget, Pacer, Rate, SharedBudget, pacer_for
from tests.slackreq import SHARED
from tests.test_delivery import new_project, post, posts

WORKSPACE = Rate(per_second=2, burst=3)
CHANNEL = Rate(per_second=1, burst=1)


class FakeTime:
    def __init__(self):
        self.now, self.slept = 1000.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def budget(fake_time):
    return LocalBudget(clock=fake_time)


def takes(budget, key, rate, count):
    return [budget.take(key, rate) for _ in range(count)]


def test_burst_then_one_per_interval(budget, fake_time):
    assert takes(budget, "T1", WORKSPACE, 4) == [0, 0, 0, 0.5]
    fake_time.now += 0.5
    assert takes(budget, "T1", WORKSPACE, 2) == [0, 0.5]


def test_one_workspace_never_waits_for_another(budget, fake_time):
    takes(budget, "T1", WORKSPACE, 3)
    budget.pause("T1", 30, WORKSPACE)
    assert budget.take("T1", WORKSPACE) > 29
    assert takes(budget, "T2", WORKSPACE, 3) == [0, 0, 0]
    assert budget.take("T2:C1", CHANNEL) == 0


def test_pause_then_resume_at_the_rate_without_a_burst(budget, fake_time):
    budget.pause("T1", 5, WORKSPACE)
    assert budget.take("T1", WORKSPACE) == pytest.approx(5)
    fake_time.now += 5
    assert takes(budget, "T1", WORKSPACE, 2) == [0, pytest.approx(0.5)]


def test_pacer_waits_for_channel_and_workspace(budget, fake_time):
    pacer = Pacer(budget, workspace=WORKSPACE, channel=CHANNEL, sleep=fake_time.sleep)
    granted = []
    for channel in ["C1", "C1", "C2", "C3", "C4"]:
        pacer.acquire("T1", channel)
        granted.append(fake_time.now - 1000)
    assert granted == [0, 1, 1, 1, 1.5]


def test_pacer_holds_the_workspace_after_a_429(budget, fake_time):
    pacer = Pacer(budget, workspace=WORKSPACE, channel=CHANNEL, sleep=fake_time.sleep)
    pacer.acquire("T1", "C1")
    pacer.rate_limited("T1", 10)
    pacer.acquire("T1", "C2")
    assert fake_time.now - 1000 == pytest.approx(10)
    pacer.acquire("T2", "C3")
    assert fake_time.now - 1000 == pytest.approx(10)
    pacer.acquire("T1", "C4")
    assert fake_time.now - 1000 == pytest.approx(10.5)


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="the shared budget lives in PostgreSQL")
def test_workers_share_one_budget_through_the_database(services):
    first, second = SharedBudget(services.engine), SharedBudget(services.engine)
    slow = Rate(per_second=0.01, burst=2)
    assert [first.take("T1", slow), second.take("T1", slow)] == [0, 0]
    assert second.take("T1", slow) > 90
    assert first.take("T2", slow) == 0
    second.pause("T2", 300, slow)
    assert first.take("T2", slow) > 290


def test_capped_workspace_gets_every_post_once_with_hardly_a_429(services, clock, fake_slack):
    channels = [f"C0CAP{n:05d}" for n in range(12)]
    for channel in channels:
        fake_slack.add_channel(channel, channel.lower())
    project_id = new_project(services, clock)
    ids = [post(services, clock, project_id, key=f"k{n}", channel_id=channels[n % 12], client_visible=False)
           for n in range(48)]
    fake_slack.set_rate_limits(workspace=24, channel=4, workspace_burst=24, channel_burst=4)
    services.dispatcher.pacer = pacer_for(services.engine, workspace=Rate(24, 4), channel=Rate(4, 2))
    counts = services.dispatcher.run_once()
    assert posts(fake_slack) == {str(i): 1 for i in ids}
    assert counts["sent"] == 48
    assert fake_slack.stats()["calls"].get("rate_limited", 0) <= 1


def test_rate_limited_post_waits_and_goes_in_the_same_pass(services, clock, fake_slack):
    project_id = new_project(services, clock)
    services.dispatcher.pacer = pacer_for(services.engine, workspace=Rate(50, 5), channel=Rate(50, 5))
    ids = [post(services, clock, project_id, key=f"k{n}", client_visible=False) for n in range(3)]
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    assert services.dispatcher.run_once() == Counter(sent=3)
    assert posts(fake_slack) == {str(i): 1 for i in ids}
    assert fake_slack.stats()["calls"]["chat.postMessage"] == 4
    with services.sessions() as session:
        assert set(session.scalars(select(OutboxMessage.state))) == {"sent"}


def test_unpaced_fake_slack_answers_429_past_its_cap(fake_slack):
    fake_slack.set_rate_limits(workspace=None, channel=1, channel_burst=1)
    gateway = SlackGateway("xoxb-test-token", base_url=fake_slack.base_url)
    gateway.post(SHARED, text="one")
    with pytest.raises(RateLimited) as limited:
        gateway.post(SHARED, text="two")
    assert limited.value.retry_after >= 1


def test_post_held_past_its_lease_is_released_not_sent(services, clock, fake_slack, fake_time):
    project_id = new_project(services, clock)

    def slow_sleep(seconds):
        if not fake_time.slept:
            clock.advance(timedelta(minutes=3))
        fake_time.sleep(seconds)

    services.dispatcher.pacer = Pacer(LocalBudget(clock=fake_time), workspace=Rate(1, 1), channel=Rate(100, 100),
                                      sleep=slow_sleep)
    ids = [post(services, clock, project_id, key=f"k{n}", client_visible=False) for n in range(2)]
    assert services.dispatcher.run_once() == Counter(sent=2, released=1)
    assert posts(fake_slack) == {str(i): 1 for i in ids}
    assert fake_slack.stats()["calls"]["chat.postMessage"] == 2
