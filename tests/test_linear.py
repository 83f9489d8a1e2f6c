import dataclasses
import json
import logging
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import ids
from bot.cli import _check_trackers
from bot.devtools.fakelinear import FakeLinear, deliver, sign_delivery
from bot.models import OutboxMessage, Project, SeenDelivery, WeeklyUpdate
from bot.models.delays import DelayAlert
from bot.models.trackers import TrackerLink, UpdateItem
from bot.services import build_services
from bot.settings import Settings
from tests.expectations_support import buttons, of_kind, rendered, rows, tick
from tests.slackreq import ALICE, INTERNAL, SECRET, SHARED
from tests.trackers_support import PREVIEW_AT, UPDATE_AT, milestone, one, project  # noqa: F401  (fixtures)

UTC = timezone.utc
LINKED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LONG_AGO = datetime(2026, 10, 1, tzinfo=UTC)
QUARTER = timedelta(minutes=15)
HOOK_SECRET = "lin_wh_5f0c2e9a"
DUE = date(2026, 12, 4)


@pytest.fixture
def fake_linear():
    fake = FakeLinear().start()
    yield fake
    fake.stop()


@pytest.fixture
def services(database_url, fake_slack, clock, fake_linear):
    settings = Settings(bot_token="xoxb-test-token", signing_secret=SECRET, api_url=fake_slack.base_url,
                        database_url=database_url, port=0, linear_api_key=fake_linear.api_key,
                        linear_api_url=fake_linear.api_url, linear_webhook_secret=HOOK_SECRET)
    built = build_services(settings, clock=clock, dispatcher_threads=4)
    built.dispatcher.pacer = built.gateway.pacer = None
    yield built
    built.close()


def estimated_project(fake):
    found = fake.add_project("Website redesign", target_date=DUE)
    fake.add_issue(found, "Done long ago", estimate=3, completed_at=LONG_AGO)
    fake.add_issue(found, "Payment flow", estimate=5)
    dropped = fake.add_issue(found, "Dropped idea", estimate=2)
    fake.cancel(dropped, LONG_AGO)
    return found


def counted_milestone(fake):
    project_id = fake.add_project("Website redesign", target_date=date(2026, 12, 18))
    found = fake.add_milestone(project_id, "Beta", target_date=DUE)
    fake.add_issue(project_id, "Done long ago", milestone=found, completed_at=LONG_AGO)
    for n in range(3):
        fake.add_issue(project_id, f"Open task {n}", milestone=found)
    fake.cancel(fake.add_issue(project_id, "Dropped idea", milestone=found), LONG_AGO)
    fake.add_issue(project_id, "Elsewhere in the project", estimate=8)
    return found


def link(slack, value, extra=""):
    return slack.command(f"link acme-website Build linear={value}{extra}").text


def hook(server, payload, **kwargs):
    return deliver(f"{server}/webhooks/linear", payload, **{"secret": HOOK_SECRET, **kwargs})


def test_a_linked_project_takes_progress_from_story_points(slack, services, fake_linear, clock, project):
    website = estimated_project(fake_linear)
    assert "25%" in slack.command("progress acme-website Build 25%").text
    slug = fake_linear.projects[website].slug_id
    answer = link(slack, fake_linear.projects[website].url)
    assert f"now follows `{slug}` project “Website redesign”: 38% (3 of 8 story points done)" in answer
    refusal = slack.command("progress acme-website Build 60%").text
    assert f"linked to Linear {slug}" in refusal and "Nothing was changed" in refusal
    assert milestone(services).progress == 38
    assert one(services, TrackerLink).ref == f"project:{website}"
    payment = next(i for i in fake_linear.issues.values() if i.title == "Payment flow")
    fake_linear.complete(payment.id, LINKED_AT + timedelta(minutes=5))
    result = tick(services, clock, LINKED_AT + QUARTER)
    assert result["trackers"]["changed"] == 1 and milestone(services).progress == 100
    status = slack.command("status acme-website").text
    assert f"*Build* ← Linear {slug} project “Website redesign”: progress 100%, synced just now" in status


def test_a_linked_milestone_counts_issues_and_is_found_by_id_or_url(slack, services, fake_linear, project):
    beta = counted_milestone(fake_linear)
    answer = link(slack, beta)
    assert "milestone “Website redesign › Beta”: 25% (1 of 4 issues closed)" in answer
    assert one(services, TrackerLink).ref == f"milestone:{beta}" and milestone(services).progress == 25
    assert "Unlinked" in slack.command("unlink acme-website Build").text
    url = fake_linear.projects[fake_linear.milestones[beta].project_id].url + f"/overview?milestone={beta}"
    assert "“Website redesign › Beta”: 25%" in link(slack, url)
    assert one(services, TrackerLink).remote_due == DUE


def test_bad_links_get_linears_own_words_and_store_nothing(slack, services, fake_linear, project):
    estimated_project(fake_linear)
    assert "Linear said: Entity not found: Project" in link(slack, "0123456789ab")
    missing = "0b7e4f3a-5c6d-4e8f-9a0b-1c2d3e4f5a6b"
    assert "Linear said: Entity not found: ProjectMilestone" in link(slack, missing)
    assert [r["operation"] for r in fake_linear.requests[-2:]] == ["ExpectProjectIssues", "ExpectProjectMilestoneIssues"]
    assert "`ACME` is not a Linear project or project milestone" in link(slack, "ACME")
    assert "`milestone=` does not go with `linear=`" in link(slack, missing, ' milestone="Beta"')
    fake_linear.api_key = "lin_api_other"
    assert "Linear said 401: Authentication required, not authenticated" in link(slack, missing)
    services.settings = dataclasses.replace(services.settings, linear_api_key=None)
    assert "`LINEAR_API_KEY` is not set" in link(slack, missing)
    assert rows(services, TrackerLink) == [] and milestone(services).progress == 0


def test_the_start_up_check_names_a_missing_linear_key(slack, services, fake_linear, project, caplog):
    link(slack, estimated_project(fake_linear))
    services.settings = dataclasses.replace(services.settings, linear_api_key=None)
    with caplog.at_level(logging.WARNING, logger="expect"):
        _check_trackers(services)
    assert "LINEAR_API_KEY is not set, so 1 milestone link(s) to Linear will not sync" in caplog.text


def test_completed_issues_reach_the_preview_and_only_unhidden_ones_the_client(slack, services, fake_linear,
                                                                             fake_slack, clock, project):
    website = estimated_project(fake_linear)
    link(slack, website)
    fake_linear.add_issue(website, "Checkout page", labels=("client-visible",), completed_at=LINKED_AT)
    fake_linear.add_issue(website, "Refactor CI", completed_at=LINKED_AT)
    fake_linear.add_issue(website, "Card <form> & wallet", labels=("Client-Visible",), completed_at=LINKED_AT)
    fake_linear.cancel(fake_linear.add_issue(website, "Abandoned", labels=("client-visible",)), LINKED_AT)
    tick(services, clock, LINKED_AT + QUARTER)
    tick(services, clock, PREVIEW_AT)
    [preview] = of_kind(fake_slack, ALICE, "preview")
    text = rendered(preview)
    assert "*This week we finished*\n• Checkout page\n• Card &lt;form&gt; &amp; wallet" in text
    assert "Refactor CI" not in text and "Abandoned" not in text and "Done long ago" not in text
    hide = [value for action, value in _buttons(preview) if action == ids.UPDATE_ITEM_HIDE]
    assert slack.button(ids.UPDATE_ITEM_HIDE, hide[1]).status == 200
    assert one(services, UpdateItem, UpdateItem.text.startswith("Card")).hidden
    tick(services, clock, UPDATE_AT)
    [post] = of_kind(fake_slack, SHARED, "update")
    assert "This week we finished*\n• Checkout page" in rendered(post) and "wallet" not in rendered(post)
    assert one(services, WeeklyUpdate).state == "posted"


@pytest.mark.parametrize("follows", ["project", "milestone"])
def test_a_moved_target_date_alerts_the_team_and_tells_the_client_nothing(slack, services, fake_linear, fake_slack,
                                                                          clock, project, follows):
    linked = estimated_project(fake_linear) if follows == "project" else counted_milestone(fake_linear)
    link(slack, linked)
    tick(services, clock, LINKED_AT + QUARTER)
    assert rows(services, DelayAlert) == []
    fake_linear.set_target(linked, date(2026, 12, 11), LINKED_AT + timedelta(minutes=20))
    tick(services, clock, LINKED_AT + 2 * QUARTER)
    [alert] = rows(services, DelayAlert)
    assert alert.source == "tracker" and alert.kind == "at_risk"
    [message] = of_kind(fake_slack, INTERNAL, "delay_alert")
    assert f"The Linear {follows} “" in rendered(message)
    assert "now ends Fri 11 Dec 2026 (it said Fri 4 Dec 2026" in rendered(message)
    assert {ids.DELAY_ALERT_NOTIFY, ids.DELAY_ALERT_MOVE} <= set(buttons(message))
    assert milestone(services).due_date == DUE
    assert fake_slack.messages(SHARED) == []
    assert not [r for r in rows(services, OutboxMessage) if r.client_visible]
    tick(services, clock, LINKED_AT + 3 * QUARTER)
    assert len(rows(services, DelayAlert)) == 1


def test_an_idle_link_costs_one_small_query_per_poll(slack, services, fake_linear, clock, project):
    link(slack, estimated_project(fake_linear))
    tick(services, clock, LINKED_AT + QUARTER)
    mark = one(services, TrackerLink).etag
    fake_linear.requests.clear()
    for n in range(2, 6):
        tick(services, clock, LINKED_AT + n * QUARTER)
        tick(services, clock, LINKED_AT + n * QUARTER + timedelta(minutes=1))
    assert [r["operation"] for r in fake_linear.requests] == ["ExpectProjectChanges"] * 4
    assert {r["variables"]["since"] for r in fake_linear.requests} == {mark}


def test_issues_are_read_a_cursor_page_at_a_time(slack, services, fake_linear, project):
    website = fake_linear.add_project("Big launch", target_date=DUE)
    for n in range(230):
        fake_linear.add_issue(website, f"Task {n}", completed_at=LONG_AGO if n % 2 else None)
    assert "50% (115 of 230 issues closed)" in link(slack, website)
    pages = fake_linear.calls("ExpectProjectIssues")
    assert len(pages) == 3 and pages[0]["variables"]["after"] is None
    ids_in_order = [i.id for i in fake_linear.issues.values()]
    assert [p["variables"]["after"] for p in pages[1:]] == [ids_in_order[99], ids_in_order[199]]


def test_an_outage_keeps_the_last_values_then_asks_for_attention(slack, services, fake_linear, clock, project):
    website = estimated_project(fake_linear)
    link(slack, website)
    fake_linear.down = True
    result = tick(services, clock, LINKED_AT + QUARTER)
    assert result["trackers"]["failed_remote"] == 1 and "error" not in result["trackers"]
    assert milestone(services).progress == 38
    assert "synced 15 min ago :warning: last try just now: Linear said 503" in slack.command("status acme-website").text
    assert one(services, Project).attention is None
    result = tick(services, clock, UPDATE_AT)
    assert result["updates"]["queued"] == 1 and result["trackers"]["failed_remote"] == 1
    assert "Linear (" in one(services, Project).attention and "has not synced since Mon 23 Nov 08:00 UTC" in \
        one(services, Project).attention
    fake_linear.down = False
    payment = next(i for i in fake_linear.issues.values() if i.title == "Payment flow")
    fake_linear.complete(payment.id, LINKED_AT)
    tick(services, clock, UPDATE_AT + QUARTER)
    assert one(services, Project).attention is None and milestone(services).progress == 100


@pytest.mark.parametrize("status", [400, 429])
def test_the_rate_limit_waits_for_linears_reset(slack, services, fake_linear, clock, project, status):
    link(slack, estimated_project(fake_linear))
    fake_linear.remaining, fake_linear.rate_limit_status = 0, status
    fake_linear.reset_at_ms = int((datetime.now(UTC) + timedelta(minutes=30)).timestamp() * 1000)
    assert tick(services, clock, LINKED_AT + QUARTER)["trackers"]["failed_remote"] == 1
    found = one(services, TrackerLink)
    assert "rate limit" in found.last_error and "Rate limit exceeded" in found.last_error
    assert found.next_sync_at >= LINKED_AT + QUARTER + timedelta(minutes=29)
    calls = len(fake_linear.requests)
    tick(services, clock, LINKED_AT + 2 * QUARTER)
    assert len(fake_linear.requests) == calls


def test_webhooks_need_linears_fresh_signature_and_act_once(slack, server, services, fake_linear, clock, project):
    website = estimated_project(fake_linear)
    link(slack, website)
    tick(services, clock, LINKED_AT)
    assert one(services, TrackerLink).next_sync_at == LINKED_AT + QUARTER
    checkout = fake_linear.add_issue(website, "Checkout page", estimate=2, labels=("client-visible",), at=LINKED_AT)
    fake_linear.complete(checkout, LINKED_AT)
    data = fake_linear.issue_data(fake_linear.issues[checkout])
    payload = fake_linear.webhook("Issue", data, at=LINKED_AT, updated_from={"completedAt": None})
    stale = fake_linear.webhook("Issue", data, at=LINKED_AT - timedelta(minutes=2))
    body = json.dumps(payload).encode()
    assert hook(server, payload, secret=None)[0] == 401
    assert hook(server, payload, secret="guessed")[0] == 401
    assert hook(server, payload, signature="0" * 64)[0] == 401
    assert hook(server, body + b" ", signature=sign_delivery(HOOK_SECRET, body))[0] == 401
    assert hook(server, stale)[0] == 401
    assert hook(server, b"{not json")[0] == 401
    assert rows(services, UpdateItem) == [] and _seen(services) == []
    assert hook(server, payload, delivery="d-1") == (200, "1 link(s) updated")
    assert hook(server, payload, delivery="d-1") == (200, "already handled")
    [item] = rows(services, UpdateItem)
    assert item.text == "Checkout page" and item.source == "linear"
    assert one(services, TrackerLink).next_sync_at == LINKED_AT
    assert tick(services, clock, LINKED_AT + timedelta(minutes=1))["trackers"]["changed"] == 1
    assert milestone(services).progress == 50
    fake_linear.set_target(website, date(2026, 12, 18), LINKED_AT + timedelta(minutes=1))
    moved = fake_linear.webhook("Project", fake_linear.project_data(fake_linear.projects[website]),
                                at=LINKED_AT + timedelta(minutes=1), updated_from={"targetDate": DUE.isoformat()})
    assert hook(server, moved) == (200, "1 link(s) updated")
    assert [a.source for a in rows(services, DelayAlert)] == ["tracker"]
    comment = {**payload, "type": "Comment", "data": {"id": "c-1", "body": "Looks good"}}
    assert hook(server, comment) == (200, "ignored")


def test_an_issue_reopened_in_linear_leaves_the_update(slack, server, services, fake_linear, fake_slack, clock,
                                                      project):
    website = estimated_project(fake_linear)
    link(slack, fake_linear.projects[website].url)
    checkout = fake_linear.add_issue(website, "Checkout page", labels=("client-visible",), completed_at=LINKED_AT)
    fake_linear.add_issue(website, "Search", labels=("client-visible",), completed_at=LINKED_AT)
    tick(services, clock, LINKED_AT + QUARTER)
    tick(services, clock, PREVIEW_AT)
    assert "• Checkout page\n• Search" in rendered(of_kind(fake_slack, ALICE, "preview")[0])
    fake_linear.reopen(checkout, PREVIEW_AT)
    reopened = fake_linear.webhook("Issue", fake_linear.issue_data(fake_linear.issues[checkout]), at=PREVIEW_AT,
                                   updated_from={"completedAt": "2026-11-23T08:00:00.000Z", "stateId": "done"})
    assert hook(server, reopened, delivery="r-1") == (200, "1 link(s) updated")
    assert sorted(item.text for item in rows(services, UpdateItem)) == ["Search"]
    tick(services, clock, UPDATE_AT)
    [post] = of_kind(fake_slack, SHARED, "update")
    assert "This week we finished*\n• Search" in rendered(post) and "Checkout" not in rendered(post)


def test_a_milestone_date_moved_reaches_us_in_its_projects_webhook(slack, server, services, fake_linear, clock,
                                                                   project):
    beta = counted_milestone(fake_linear)
    link(slack, beta)
    tick(services, clock, LINKED_AT + QUARTER)
    fake_linear.set_target(beta, date(2026, 12, 11), LINKED_AT + QUARTER)
    parent = fake_linear.projects[fake_linear.milestones[beta].project_id]
    moved = fake_linear.webhook("Project", fake_linear.project_data(parent), at=LINKED_AT + QUARTER,
                                updated_from={"updatedAt": "2026-11-23T08:00:00.000Z"})
    assert hook(server, moved) == (200, "1 link(s) updated")
    [alert] = rows(services, DelayAlert)
    assert alert.source == "tracker" and alert.kind == "at_risk"
    assert hook(server, {**moved, "webhookTimestamp": moved["webhookTimestamp"] + 1}) == (200, "1 link(s) updated")
    assert len(rows(services, DelayAlert)) == 1


def _seen(services):
    with services.sessions() as session:
        return list(session.scalars(select(SeenDelivery.key).where(SeenDelivery.key.startswith("linear:"))))


def _buttons(message):
    return [(e["action_id"], e["value"]) for block in message.get("blocks", [])
            for e in [*block.get("elements", []), block.get("accessory") or {}] if e.get("type") == "button"]
