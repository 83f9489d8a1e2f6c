import dataclasses
import json
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from bot import ids
from bot.devtools.fakegithub import FakeGitHub
from bot.models import OutboxMessage, Project, SeenDelivery, WeeklyUpdate
from bot.models.delays import DelayAlert
from bot.models.trackers import TrackerLink, UpdateItem
from tests.expectations_support import buttons, of_kind, rendered, rows, tick
from tests.slackreq import ALICE, BOB, INTERNAL, PARTNER, SHARED
from tests.trackers_support import (  # noqa: F401  (fixtures)
    LINK, PREVIEW_AT, REPO, UPDATE_AT, deliver, fake_github, github_milestone, milestone, one, project, services,
)

UTC = timezone.utc
LINKED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
QUARTER = timedelta(minutes=15)


def test_link_takes_progress_from_github_and_refuses_typed_progress(slack, services, fake_github, clock, project):
    github_milestone(fake_github, closed=1, open_=3)
    assert "25%" in slack.command("progress acme-website Build 25%").text
    answer = slack.command(LINK)
    assert "now follows `acme/website` milestone “v1.0”: 25% (1 of 4 issues closed)" in answer.text
    refusal = slack.command("progress acme-website Build 60%").text
    assert "linked to GitHub acme/website" in refusal and "Nothing was changed" in refusal
    assert milestone(services).progress == 25
    fake_github.close_issue(REPO, 1, LINKED_AT + timedelta(minutes=5))
    fake_github.close_issue(REPO, 2, LINKED_AT + timedelta(minutes=6))
    result = tick(services, clock, LINKED_AT + QUARTER)
    assert result["trackers"]["changed"] == 1
    assert milestone(services).progress == 75
    status = slack.command("status acme-website").text
    assert "*Build* ← GitHub acme/website milestone “v1.0”: progress 75%, synced just now" in status
    assert "Unlinked" in slack.command("unlink acme-website Build").text
    assert rows(services, TrackerLink) == []
    assert "60%" in slack.command("progress acme-website Build 60%").text


def test_bad_links_get_githubs_own_words_and_store_nothing(slack, services, fake_github, project):
    github_milestone(fake_github)
    assert "GitHub said 404: Not Found" in slack.command(LINK.replace("acme/website", "acme/nowhere")).text
    assert "has no milestone called “v9”" in slack.command(LINK.replace('"v1.0"', '"v9"')).text
    assert "GitHub said 404" in slack.command(LINK.replace('"v1.0"', "7")).text
    assert "is not a repository" in slack.command(LINK.replace("acme/website", "\"acme website\"")).text
    assert "where the work is tracked: `github=" in slack.command("link acme-website Build").text
    assert "one tracker at a time, not GitHub and Jira" in slack.command(LINK + " jira=ACME").text
    assert "I don't know `jira_key=`" in slack.command(LINK + " jira_key=ACME").text
    assert "`version=` does not go with `github=`" in slack.command(LINK + " version=v1").text
    fake_github.token = "ghp_other"
    assert "GitHub said 401: Bad credentials" in slack.command(LINK).text
    services.settings = dataclasses.replace(services.settings, github_token=None)
    assert "`GITHUB_TOKEN` is not set" in slack.command(LINK).text
    assert rows(services, TrackerLink) == [] and milestone(services).progress == 0


def test_closed_issues_reach_the_preview_and_only_unhidden_ones_the_client(slack, services, fake_github, fake_slack,
                                                                           clock, project):
    number = github_milestone(fake_github)
    slack.command(LINK)
    fake_github.add_issue(REPO, "Checkout page", milestone=number, labels=("client-visible",), closed_at=LINKED_AT)
    fake_github.add_issue(REPO, "Refactor CI", milestone=number, closed_at=LINKED_AT)
    fake_github.add_issue(REPO, "Card <form> & wallet", milestone=number, labels=("Client-Visible",),
                          closed_at=LINKED_AT)
    fake_github.add_issue(REPO, "Bump deps PR", milestone=number, labels=("client-visible",), closed_at=LINKED_AT,
                          pull_request=True)
    tick(services, clock, LINKED_AT + QUARTER)
    tick(services, clock, PREVIEW_AT)
    [preview] = of_kind(fake_slack, ALICE, "preview")
    text = rendered(preview)
    assert "*This week we finished*\n• Card &lt;form&gt; &amp; wallet\n• Checkout page" in text
    assert "Refactor CI" not in text and "Bump deps" not in text and "Done long ago" not in text
    hide = [value for action, value in _buttons(preview) if action == ids.UPDATE_ITEM_HIDE]
    assert len(hide) == 2
    assert slack.button(ids.UPDATE_ITEM_HIDE, hide[0], user=BOB, team=PARTNER).status == 200
    assert not one(services, UpdateItem, UpdateItem.text.startswith("Card")).hidden
    assert slack.button(ids.UPDATE_ITEM_HIDE, hide[0]).status == 200
    response = fake_slack.wait_for("response_url", 2)[-1]
    assert response["replace_original"] is True and "~Card &lt;form&gt; &amp; wallet~ _(hidden)_" in json.dumps(response)
    tick(services, clock, UPDATE_AT)
    [post] = of_kind(fake_slack, SHARED, "update")
    assert "This week we finished*\n• Checkout page" in rendered(post) and "wallet" not in rendered(post)
    assert one(services, WeeklyUpdate).state == "posted"
    tick(services, clock, PREVIEW_AT + timedelta(days=7))
    assert "Checkout page" not in rendered(of_kind(fake_slack, ALICE, "preview")[-1])


def test_label_all_takes_every_closed_issue(slack, services, fake_github, fake_slack, clock, project):
    number = github_milestone(fake_github)
    slack.command(LINK + " label=all")
    fake_github.add_issue(REPO, "Refactor CI", milestone=number, closed_at=LINKED_AT)
    tick(services, clock, LINKED_AT + QUARTER)
    tick(services, clock, PREVIEW_AT)
    assert "• Refactor CI" in rendered(of_kind(fake_slack, ALICE, "preview")[0])


def test_a_moved_github_date_alerts_the_team_and_tells_the_client_nothing(slack, services, fake_github, fake_slack,
                                                                          clock, project):
    number = github_milestone(fake_github)
    slack.command(LINK)
    tick(services, clock, LINKED_AT + QUARTER)
    assert rows(services, DelayAlert) == []
    fake_github.set_due(REPO, number, date(2026, 12, 11))
    tick(services, clock, LINKED_AT + 2 * QUARTER)
    [alert] = rows(services, DelayAlert)
    assert alert.source == "tracker" and alert.kind == "at_risk"
    [message] = of_kind(fake_slack, INTERNAL, "delay_alert")
    assert "now ends Fri 11 Dec 2026 (it said Fri 4 Dec 2026" in rendered(message)
    assert {ids.DELAY_ALERT_NOTIFY, ids.DELAY_ALERT_MOVE} <= set(buttons(message))
    assert milestone(services).due_date == date(2026, 12, 4)
    assert fake_slack.messages(SHARED) == []
    assert not [r for r in rows(services, OutboxMessage) if r.client_visible]
    tick(services, clock, LINKED_AT + 3 * QUARTER)
    assert len(rows(services, DelayAlert)) == 1


def test_idle_links_cost_one_free_conditional_request_per_poll(slack, services, fake_github, clock, project):
    github_milestone(fake_github)
    slack.command(LINK)
    tick(services, clock, LINKED_AT + QUARTER)
    spent = fake_github.limit - fake_github.remaining
    fake_github.requests.clear()
    for n in range(2, 6):
        tick(services, clock, LINKED_AT + n * QUARTER)
        tick(services, clock, LINKED_AT + n * QUARTER + timedelta(minutes=1))
    assert [(r["path"], r["status"]) for r in fake_github.requests] == [(f"/repos/{REPO}/milestones/1", 304)] * 4
    assert all(r["if_none_match"] for r in fake_github.requests)
    assert fake_github.limit - fake_github.remaining == spent


def test_an_outage_keeps_the_last_values_then_asks_for_attention(slack, services, fake_github, fake_slack, clock,
                                                                 project):
    github_milestone(fake_github)
    slack.command(LINK)
    fake_github.down = True
    fake_github.close_issue(REPO, 1, LINKED_AT)
    result = tick(services, clock, LINKED_AT + QUARTER)
    assert result["trackers"]["failed_remote"] == 1 and "error" not in result["trackers"]
    assert milestone(services).progress == 25
    status = slack.command("status acme-website").text
    assert "synced 15 min ago :warning: last try just now: GitHub said 503" in status
    assert one(services, Project).attention is None
    result = tick(services, clock, UPDATE_AT)
    assert result["updates"]["queued"] == 1 and result["trackers"]["failed_remote"] == 1
    assert "has not synced since Mon 23 Nov 08:00 UTC" in one(services, Project).attention
    assert "Needs attention: GitHub (acme/website) has not synced" in slack.command("status acme-website").text
    fake_github.down = False
    tick(services, clock, UPDATE_AT + QUARTER)
    assert one(services, Project).attention is None and milestone(services).progress == 50


def test_rate_limit_waits_until_githubs_reset(slack, services, fake_github, clock, project):
    github_milestone(fake_github)
    slack.command(LINK)
    fake_github.remaining = 0
    fake_github.reset_at = int(datetime.now(UTC).timestamp()) + 1800
    assert tick(services, clock, LINKED_AT + QUARTER)["trackers"]["failed_remote"] == 1
    link = one(services, TrackerLink)
    assert "rate limit exceeded" in link.last_error
    assert link.next_sync_at >= LINKED_AT + QUARTER + timedelta(minutes=29)
    calls = len(fake_github.requests)
    tick(services, clock, LINKED_AT + 2 * QUARTER)
    assert len(fake_github.requests) == calls


def test_webhook_needs_githubs_signature_and_acts_once(slack, server, services, fake_github, clock, project):
    number = github_milestone(fake_github)
    slack.command(LINK)
    fake_github.add_issue(REPO, "Checkout page", milestone=number, labels=("client-visible",))
    fake_github.close_issue(REPO, 5, LINKED_AT)
    payload = {"action": "closed", "issue": fake_github.issue_json(fake_github.issues[(REPO, 5)]),
               "repository": {"full_name": "Acme/Website"}, "sender": {"login": "octocat"}}
    assert deliver(server, "issues", payload, signature=False)[0] == 401
    assert deliver(server, "issues", payload, secret="guessed")[0] == 401
    assert deliver(server, "issues", payload, signature="sha256=" + "0" * 64)[0] == 401
    assert milestone(services).progress == 25 and rows(services, UpdateItem) == []
    assert _seen(services) == []
    assert deliver(server, "issues", payload, delivery="d-1") == (200, "1 link(s) updated")
    assert deliver(server, "issues", payload, delivery="d-1") == (200, "already handled")
    assert milestone(services).progress == 40
    [item] = rows(services, UpdateItem)
    assert item.text == "Checkout page"
    moved = {"action": "edited", "milestone": {**fake_github.milestone_json(fake_github.milestones[(REPO, number)]),
                                               "due_on": "2026-12-18T08:00:00Z"},
             "repository": {"full_name": REPO}}
    assert deliver(server, "milestone", moved)[0] == 200
    assert [a.source for a in rows(services, DelayAlert)] == ["tracker"]
    assert deliver(server, "ping", {"zen": "Keep it logically awesome."})[0] == 200
    assert deliver(server, "issues", b"{not json")[0] == 400


def _seen(services):
    with services.sessions() as session:
        return list(session.scalars(select(SeenDelivery.key).where(SeenDelivery.key.startswith("github:"))))


def _buttons(message):
    return [(e["action_id"], e["value"]) for block in message.get("blocks", [])
            for e in [*block.get("elements", []), block.get("accessory") or {}] if e.get("type") == "button"]


def test_fake_github_pages_with_link_headers(fake_github):
    import httpx

    number = fake_github.add_milestone(REPO, "v1.0")
    for n in range(5):
        fake_github.add_issue(REPO, f"Issue {n}", milestone=number, closed_at=LINKED_AT)
    headers = {"Authorization": f"Bearer {fake_github.token}"}
    first = httpx.get(f"{fake_github.base_url}/repos/{REPO}/issues",
                      params={"milestone": number, "state": "all", "per_page": 2}, headers=headers)
    assert first.links["next"]["url"].endswith("page=2") and first.links["last"]["url"].endswith("page=3")
    assert [i["number"] for i in first.json()] == [5, 4]
    assert FakeGitHub is type(fake_github)


def test_an_archived_project_is_not_synced(slack, services, fake_github, clock, project):
    github_milestone(fake_github)
    slack.command(LINK)
    assert one(services, Project).status == "active"
    slack.command("archive acme-website")
    assert one(services, Project).status != "active"
    fake_github.requests.clear()
    assert tick(services, clock, LINKED_AT + QUARTER).get("trackers", {}).get("due", 0) == 0
    assert fake_github.requests == []


def _reopened(fake_github, number):
    return {"action": "reopened", "issue": fake_github.issue_json(fake_github.issues[(REPO, number)]),
            "repository": {"full_name": "Acme/Website"}, "sender": {"login": "octocat"}}


def _titles(services):
    return sorted(item.text for item in rows(services, UpdateItem))


def test_an_issue_reopened_by_webhook_leaves_the_update(slack, server, services, fake_github, fake_slack, clock,
                                                        project):
    number = github_milestone(fake_github)
    slack.command(LINK)
    checkout = fake_github.add_issue(REPO, "Checkout page", milestone=number, labels=("client-visible",),
                                     closed_at=LINKED_AT)
    fake_github.add_issue(REPO, "Search", milestone=number, labels=("client-visible",), closed_at=LINKED_AT)
    tick(services, clock, LINKED_AT + QUARTER)
    tick(services, clock, PREVIEW_AT)
    preview = rendered(of_kind(fake_slack, ALICE, "preview")[0])
    assert "• Checkout page" in preview and "• Search" in preview
    fake_github.reopen_issue(REPO, checkout, PREVIEW_AT)
    assert deliver(server, "issues", _reopened(fake_github, checkout), delivery="r-1") == (200, "1 link(s) updated")
    assert deliver(server, "issues", _reopened(fake_github, checkout), delivery="r-1") == (200, "already handled")
    assert _titles(services) == ["Search"]
    assert milestone(services).progress == 33
    tick(services, clock, UPDATE_AT)
    [post] = of_kind(fake_slack, SHARED, "update")
    assert "This week we finished*\n• Search" in rendered(post) and "Checkout" not in rendered(post)


def test_an_issue_reopened_before_the_next_poll_leaves_the_update(slack, services, fake_github, fake_slack, clock,
                                                                  project):
    number = github_milestone(fake_github)
    slack.command(LINK)
    other = fake_github.add_milestone(REPO, "v2.0", due_on=date(2027, 1, 15))
    fake_github.add_issue(REPO, "Open later", milestone=other)
    slack.command('add-milestone acme-website "Launch" due=2027-01-15')
    slack.command('link acme-website Launch github=acme/website milestone="v2.0"')
    checkout = fake_github.add_issue(REPO, "Checkout page", milestone=number, labels=("client-visible",),
                                     closed_at=LINKED_AT)
    fake_github.add_issue(REPO, "Search", milestone=number, labels=("client-visible",), closed_at=LINKED_AT)
    fake_github.add_issue(REPO, "Launch checklist", milestone=other, labels=("client-visible",), closed_at=LINKED_AT)
    tick(services, clock, LINKED_AT + QUARTER)
    assert _titles(services) == ["Checkout page", "Launch checklist", "Search"]
    fake_github.reopen_issue(REPO, checkout, LINKED_AT + QUARTER + timedelta(minutes=1))
    tick(services, clock, LINKED_AT + 2 * QUARTER)
    assert _titles(services) == ["Launch checklist", "Search"]
    tick(services, clock, UPDATE_AT)
    text = rendered(of_kind(fake_slack, SHARED, "update")[0])
    assert "• Launch checklist" in text and "• Search" in text and "Checkout" not in text
