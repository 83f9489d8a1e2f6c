import dataclasses
import json
import urllib.error
import urllib.request
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import ids
from bot.devtools.fakejira import FakeJira, sign_delivery
from bot.models import OutboxMessage, Project, SeenDelivery, WeeklyUpdate
from bot.models.delays import DelayAlert
from bot.models.trackers import TrackerLink, UpdateItem
from bot.services import build_services
from bot.settings import Settings
from bot.trackers import missing_settings
from tests.expectations_support import buttons, of_kind, rendered, rows, tick
from tests.slackreq import ALICE, BOB, INTERNAL, PARTNER, SECRET, SHARED
from tests.trackers_support import PREVIEW_AT, UPDATE_AT, milestone, one, project  # noqa: F401  (fixtures)

UTC = timezone.utc
LINKED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LONG_AGO = datetime(2026, 10, 1, tzinfo=UTC)
QUARTER = timedelta(minutes=15)
HOOK_SECRET = "jira-hook-5e1f"
LINK = 'link acme-website Build jira=ACME version="Release 1.0"'
EPIC_LINK = "link acme-website Build jira=acme epic=ACME-1"


@pytest.fixture
def fake_jira(clock):
    fake = FakeJira(time_zone="America/New_York", clock=clock.now).start()
    yield fake
    fake.stop()


@pytest.fixture
def services(database_url, fake_slack, clock, fake_jira):
    settings = Settings(bot_token="xoxb-test-token", signing_secret=SECRET, api_url=fake_slack.base_url,
                        database_url=database_url, port=0, jira_base_url=fake_jira.base_url,
                        jira_email=fake_jira.email, jira_api_token=fake_jira.token, jira_webhook_secret=HOOK_SECRET)
    built = build_services(settings, clock=clock, dispatcher_threads=4)
    built.dispatcher.pacer = built.gateway.pacer = None
    yield built
    built.close()


def version_with_points(fake):
    version = fake.add_version("ACME", "Release 1.0", release_date=date(2026, 12, 4))
    fake.add_issue("ACME", "Design", version=version, points=3, done_at=LONG_AGO)
    fake.add_issue("ACME", "Checkout page", version=version, points=5, labels=("client-visible",))
    fake.add_issue("ACME", "Wallet", version=version, points=2, at=LONG_AGO)
    fake.add_issue("ACME", "Unestimated chore", version=version, at=LONG_AGO)
    return version


def epic_with_issues(fake):
    epic = fake.add_issue("ACME", "Checkout", type="Epic", due=date(2026, 12, 4), at=LONG_AGO)
    fake.add_issue("ACME", "Done long ago", parent=epic, done_at=LONG_AGO)
    for n in range(3):
        fake.add_issue("ACME", f"Open task {n}", parent=epic, at=LONG_AGO)
    return epic


def deliver(server, payload, *, secret=HOOK_SECRET, delivery=None, signature=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "X-Atlassian-Webhook-Identifier": delivery or str(uuid.uuid4()),
               "User-Agent": "Atlassian Webhook HTTP Client"}
    if signature is not False:
        headers["X-Hub-Signature"] = signature or sign_delivery(secret, body)
    request = urllib.request.Request(f"{server}/webhooks/jira", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_version_progress_comes_from_story_points(slack, services, fake_jira, clock, project):
    version = version_with_points(fake_jira)
    assert "25%" in slack.command("progress acme-website Build 25%").text
    answer = slack.command(LINK)
    assert "now follows `ACME` version “Release 1.0”: 30% (3 of 10 story points done)" in answer.text
    refusal = slack.command("progress acme-website Build 60%").text
    assert "linked to Jira ACME" in refusal and "Nothing was changed" in refusal
    fake_jira.transition("ACME-2", "Done", LINKED_AT + timedelta(minutes=5))
    assert tick(services, clock, LINKED_AT + QUARTER)["trackers"]["changed"] == 1
    assert milestone(services).progress == 80
    status = slack.command("status acme-website").text
    assert "*Build* ← Jira ACME version “Release 1.0”: progress 80%, synced just now" in status
    assert (one(services, TrackerLink).ref, one(services, TrackerLink).target) == (f"version:{version}", "ACME")


def test_epic_progress_counts_issues_without_points(slack, services, fake_jira, clock, project):
    epic_with_issues(fake_jira)
    answer = slack.command(EPIC_LINK)
    assert "now follows `ACME` epic “ACME-1 Checkout”: 25% (1 of 4 issues closed)" in answer.text
    fake_jira.transition("ACME-3", "In Progress", LINKED_AT + timedelta(minutes=3))
    fake_jira.transition("ACME-4", "Done", LINKED_AT + timedelta(minutes=4))
    tick(services, clock, LINKED_AT + QUARTER)
    assert milestone(services).progress == 50
    assert "Jira ACME epic “ACME-1 Checkout”: progress 50%" in slack.command("status acme-website").text


def test_bad_links_get_jiras_own_words_and_store_nothing(slack, services, fake_jira, project):
    version_with_points(fake_jira)
    fake_jira.add_issue("ACME", "Not an epic")
    said = lambda command: slack.command(command).text  # noqa: E731
    assert "Jira said 404: No project could be found with key 'NOPE'." in said(LINK.replace("ACME", "NOPE"))
    assert "ACME has no version called “Release 9”" in said(LINK.replace("1.0", "9"))
    assert "Jira said 404: Issue does not exist or you do not have permission to see it." in said(
        EPIC_LINK.replace("ACME-1", "ACME-99"))
    assert "ACME-5 is a Task, not an epic" in said(EPIC_LINK.replace("ACME-1", "ACME-5"))
    assert "not a Jira project key" in said(LINK.replace("jira=ACME", 'jira="acme corp"'))
    assert "one of the two" in said(LINK + " epic=ACME-1")
    assert "not an issue key" in said(EPIC_LINK.replace("ACME-1", "checkout"))
    assert "`milestone=` does not go with `jira=`" in said(LINK + " milestone=v1")
    fake_jira.token = "rotated"
    assert "Jira said 401: Client must be authenticated to access this resource." in said(LINK)
    services.settings = dataclasses.replace(services.settings, jira_email=None, jira_api_token=None)
    assert "`JIRA_EMAIL` and `JIRA_API_TOKEN` are not set, so I can't read Jira" in said(LINK)
    assert rows(services, TrackerLink) == [] and milestone(services).progress == 0


def test_closed_issues_reach_the_preview_and_only_unhidden_ones_the_client(slack, services, fake_jira, fake_slack,
                                                                           clock, project):
    version = version_with_points(fake_jira)
    slack.command(LINK)
    fake_jira.add_issue("ACME", "Card <form> & wallet", version=version, labels=("Client-Visible",), done_at=LINKED_AT)
    fake_jira.add_issue("ACME", "Refactor CI", version=version, done_at=LINKED_AT)
    fake_jira.transition("ACME-2", "Done", LINKED_AT + timedelta(minutes=1))
    tick(services, clock, LINKED_AT + QUARTER)
    tick(services, clock, PREVIEW_AT)
    [preview] = of_kind(fake_slack, ALICE, "preview")
    text = rendered(preview)
    assert "*This week we finished*\n• Card &lt;form&gt; &amp; wallet\n• Checkout page" in text
    assert "Refactor CI" not in text and "Design" not in text
    hide = [e["value"] for block in preview["blocks"] for e in [*block.get("elements", []), block.get("accessory") or {}]
            if e.get("action_id") == ids.UPDATE_ITEM_HIDE]
    assert len(hide) == 2
    assert slack.button(ids.UPDATE_ITEM_HIDE, hide[0], user=BOB, team=PARTNER).status == 200
    assert not one(services, UpdateItem, UpdateItem.text.startswith("Card")).hidden
    assert slack.button(ids.UPDATE_ITEM_HIDE, hide[0]).status == 200
    assert one(services, UpdateItem, UpdateItem.text.startswith("Card")).hidden
    tick(services, clock, UPDATE_AT)
    [post] = of_kind(fake_slack, SHARED, "update")
    assert "This week we finished*\n• Checkout page" in rendered(post) and "wallet" not in rendered(post)
    assert one(services, WeeklyUpdate).state == "posted"
    assert {item.key for item in rows(services, UpdateItem)} == {"jira:ACME#ACME-2", "jira:ACME#ACME-5"}


def test_a_moved_release_date_alerts_the_team_and_tells_the_client_nothing(slack, services, fake_jira, fake_slack,
                                                                           clock, project):
    version = version_with_points(fake_jira)
    slack.command(LINK)
    tick(services, clock, LINKED_AT + QUARTER)
    assert rows(services, DelayAlert) == []
    fake_jira.set_release_date(version, date(2026, 12, 11))
    tick(services, clock, LINKED_AT + 2 * QUARTER)
    [alert] = rows(services, DelayAlert)
    assert alert.source == "tracker" and alert.kind == "at_risk"
    [message] = of_kind(fake_slack, INTERNAL, "delay_alert")
    assert "The Jira version “Release 1.0” in ACME now ends Fri 11 Dec 2026 (it said Fri 4 Dec 2026" in rendered(message)
    assert {ids.DELAY_ALERT_NOTIFY, ids.DELAY_ALERT_MOVE} <= set(buttons(message))
    assert milestone(services).due_date == date(2026, 12, 4)
    assert fake_slack.messages(SHARED) == []
    assert not [r for r in rows(services, OutboxMessage) if r.client_visible]
    tick(services, clock, LINKED_AT + 3 * QUARTER)
    assert len(rows(services, DelayAlert)) == 1


def test_a_moved_epic_due_date_alerts_the_team(slack, services, fake_jira, fake_slack, clock, project):
    epic = epic_with_issues(fake_jira)
    slack.command(EPIC_LINK)
    tick(services, clock, LINKED_AT + QUARTER)
    fake_jira.edit_issue(epic, due=date(2026, 12, 18))
    tick(services, clock, LINKED_AT + 2 * QUARTER)
    assert [a.source for a in rows(services, DelayAlert)] == ["tracker"]
    assert "epic “ACME-1 Checkout” in ACME now ends Fri 18 Dec 2026" in rendered(
        of_kind(fake_slack, INTERNAL, "delay_alert")[0])


def test_idle_polls_cost_two_small_requests_and_see_changes_in_the_users_zone(slack, services, fake_jira, clock,
                                                                              project):
    version = version_with_points(fake_jira)
    slack.command(LINK)
    tick(services, clock, LINKED_AT + QUARTER)
    fake_jira.requests.clear()
    for n in range(2, 6):
        tick(services, clock, LINKED_AT + n * QUARTER)
        tick(services, clock, LINKED_AT + n * QUARTER + timedelta(minutes=1))
    assert [r["path"] for r in fake_jira.requests] == [f"/rest/api/3/version/{version}", "/rest/api/3/myself",
                                                       "/rest/api/3/search/jql"] + \
        [f"/rest/api/3/version/{version}", "/rest/api/3/search/jql"] * 3
    probe = fake_jira.requests[2]["query"]
    assert probe["maxResults"] == "1" and probe["fields"] == "id"
    assert probe["jql"].endswith('AND updated >= "2026-11-23 03:10"')  # 08:15 UTC less 5 minutes, in New York
    fake_jira.edit_issue("ACME-3", at=LINKED_AT + 6 * QUARTER - timedelta(minutes=5), points=8)
    assert tick(services, clock, LINKED_AT + 6 * QUARTER)["trackers"]["changed"] == 1
    assert milestone(services).progress == 19


def test_a_rate_limited_jira_is_left_alone_for_retry_after(slack, services, fake_jira, clock, project):
    version_with_points(fake_jira)
    slack.command(LINK)
    fake_jira.retry_after = 1800
    assert tick(services, clock, LINKED_AT + QUARTER)["trackers"]["failed_remote"] == 1
    link = one(services, TrackerLink)
    assert link.last_error == "Jira said 429: Rate limit exceeded."
    assert link.next_sync_at >= LINKED_AT + QUARTER + timedelta(minutes=30)
    calls = len(fake_jira.requests)
    tick(services, clock, LINKED_AT + 2 * QUARTER)
    assert len(fake_jira.requests) == calls


def test_an_outage_keeps_the_last_values_then_asks_for_attention(slack, services, fake_jira, clock, project):
    version_with_points(fake_jira)
    slack.command(LINK)
    fake_jira.down = True
    fake_jira.transition("ACME-2", "Done", LINKED_AT)
    result = tick(services, clock, LINKED_AT + QUARTER)
    assert result["trackers"]["failed_remote"] == 1 and "error" not in result["trackers"]
    assert milestone(services).progress == 30
    assert "synced 15 min ago :warning: last try just now: Jira said 503" in slack.command("status acme-website").text
    result = tick(services, clock, UPDATE_AT)
    assert result["updates"]["queued"] == 1 and result["trackers"]["failed_remote"] == 1
    assert "Jira (ACME) has not synced since Mon 23 Nov 08:00 UTC" in one(services, Project).attention
    fake_jira.down = False
    tick(services, clock, UPDATE_AT + QUARTER)
    assert one(services, Project).attention is None and milestone(services).progress == 80


def test_webhook_needs_jiras_signature_and_acts_once(slack, server, services, fake_jira, clock, project):
    version = version_with_points(fake_jira)
    slack.command(LINK)
    fake_jira.transition("ACME-2", "Done", LINKED_AT)
    payload = fake_jira.issue_event("ACME-2", changelog=[
        {"field": "status", "fieldtype": "jira", "from": "10000", "fromString": "To Do", "to": "10001",
         "toString": "Done"}])
    calls = len(fake_jira.requests)
    assert deliver(server, payload, signature=False)[0] == 401
    assert deliver(server, payload, secret="guessed")[0] == 401
    assert deliver(server, payload, signature="sha256=" + "0" * 64)[0] == 401
    assert len(fake_jira.requests) == calls and _seen(services) == []
    assert milestone(services).progress == 30 and rows(services, UpdateItem) == []
    assert deliver(server, payload, delivery="w-1") == (200, "1 link(s) updated")
    calls = len(fake_jira.requests)
    assert deliver(server, payload, delivery="w-1") == (200, "already handled")
    assert len(fake_jira.requests) == calls
    assert milestone(services).progress == 80
    assert [item.text for item in rows(services, UpdateItem)] == ["Checkout page"]
    fake_jira.set_release_date(version, date(2026, 12, 18))
    assert deliver(server, fake_jira.version_event(version)) == (200, "1 link(s) updated")
    assert [a.source for a in rows(services, DelayAlert)] == ["tracker"]
    assert deliver(server, {"webhookEvent": "comment_created", "comment": {}}) == (200, "ignored")
    assert deliver(server, b"{not json")[0] == 400


def test_an_issue_moved_out_of_the_version_resyncs_it_by_webhook(slack, server, services, fake_jira, clock, project):
    version = version_with_points(fake_jira)
    other = fake_jira.add_version("ACME", "Release 2.0")
    slack.command(LINK)
    fake_jira.edit_issue("ACME-2", versions=[other])
    payload = fake_jira.issue_event("ACME-2", changelog=[
        {"field": "Fix Version", "fieldtype": "jira", "from": str(version), "fromString": "Release 1.0",
         "to": str(other), "toString": "Release 2.0"}])
    assert deliver(server, payload) == (200, "1 link(s) updated")
    assert milestone(services).progress == 60


def test_startup_names_the_missing_jira_settings(slack, services, fake_jira, project):
    version_with_points(fake_jira)
    slack.command(LINK)
    settings = dataclasses.replace(services.settings, jira_base_url=None, jira_api_token=None)
    with services.sessions() as session:
        assert missing_settings(session, settings) == [
            "JIRA_BASE_URL and JIRA_API_TOKEN are not set, so 1 milestone link(s) to Jira will not sync"]
        assert missing_settings(session, services.settings) == []


def _seen(services):
    with services.sessions() as session:
        return list(session.scalars(select(SeenDelivery.key).where(SeenDelivery.key.startswith("jira:"))))


def test_jira_settings_are_checked_at_start_up():
    from bot.settings import SettingsError, load_settings

    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "JIRA_BASE_URL": "https://acme.atlassian.net/",
           "JIRA_EMAIL": "bot@acme.test", "JIRA_API_TOKEN": "t"}
    settings = load_settings(env, dotenv=False)
    assert (settings.jira_base_url, settings.jira_points_field) == ("https://acme.atlassian.net", "customfield_10016")
    assert load_settings({**env, "JIRA_STORY_POINTS_FIELD": "customfield_10028"}, dotenv=False).jira_points_field \
        == "customfield_10028"
    with pytest.raises(SettingsError, match="JIRA_STORY_POINTS_FIELD"):
        load_settings({**env, "JIRA_STORY_POINTS_FIELD": "Story Points"}, dotenv=False)
    with pytest.raises(SettingsError, match="JIRA_BASE_URL"):
        load_settings({**env, "JIRA_BASE_URL": "acme.atlassian.net"}, dotenv=False)
