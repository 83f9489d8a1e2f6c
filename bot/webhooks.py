"""POST /webhooks/<tracker>: a signed delivery about a milestone or an issue updates the links that follow it.

WEBHOOKS maps each path to its handler (environ, services) -> (status, text); a handler raises Refused(401)
before it acts on anything its sender did not sign."""
from __future__ import annotations

import json
import logging

from bot.domain import outbox, trackers
from bot.inbound import Refused, read_github_body, read_jira_body, read_linear_body
from bot.listeners.common import first_delivery
from bot.services import Services
from bot.settings import missing_tracker_settings
from bot.trackers import KINDS, linear
from bot.trackers.github import issue_of, snapshot_of
from bot.trackers.jira import issue_refs

log = logging.getLogger("expect.webhooks")
GITHUB_PATH = "/webhooks/github"
LINEAR_PATH = "/webhooks/linear"
EVENTS = ("milestone", "issues")
JIRA_PATH = "/webhooks/jira"
JIRA_ISSUE_EVENTS = ("jira:issue_created", "jira:issue_updated", "jira:issue_deleted")
JIRA_VERSION_EVENTS = ("jira:version_updated", "jira:version_released", "jira:version_unreleased",
                       "jira:version_deleted")


def github_delivery(environ: dict, services: Services) -> tuple[int, str]:
    """(status, text) for one delivery: 401 before anything is read unless GitHub signed it; once per delivery id."""
    body = read_github_body(environ, services.settings.github_webhook_secret)
    event, delivery = environ.get("HTTP_X_GITHUB_EVENT", ""), environ.get("HTTP_X_GITHUB_DELIVERY", "")
    if not delivery:
        raise Refused(400, "GitHub delivery without X-GitHub-Delivery")
    try:
        data = json.loads(body)
        changed, reopened = _change(event, data), _reopened(event, data)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise Refused(400, f"unreadable GitHub {event[:40]} delivery ({type(error).__name__})") from None
    if changed is None and reopened is None:
        return 200, "ignored"
    now = services.clock.now()
    with services.sessions.begin() as session:
        if not first_delivery(session, f"github:{delivery}", now):
            return 200, "already handled"
        touched = trackers.on_webhook(session, kind="github", target=changed[0], snapshot=changed[1],
                                      issues=changed[2], now=now) if changed else 0
        if reopened:
            trackers.on_reopened(session, kind="github", target=reopened[0], refs=[reopened[1]], now=now)
        queued = outbox.enqueued_in(session)
    if queued:
        services.dispatcher.kick()
    return 200, f"{touched} link(s) updated"


def _change(event: str, data: dict):
    if event not in EVENTS or not isinstance(data, dict):
        return None
    item = data["milestone"] if event == "milestone" else data["issue"].get("milestone")
    if not item:
        return None
    issue = issue_of(data["issue"]) if event == "issues" and data.get("action") == "closed" else None
    return data["repository"]["full_name"].lower(), snapshot_of(item), [issue] if issue else []


def _reopened(event: str, data: dict) -> tuple[str, str] | None:
    """(repo, issue number) of a reopened issue (not a pull request), with or without a milestone."""
    if event != "issues" or not isinstance(data, dict) or data.get("action") != "reopened" \
            or "pull_request" in data["issue"]:
        return None
    return data["repository"]["full_name"].lower(), str(data["issue"]["number"])


def jira_delivery(environ: dict, services: Services) -> tuple[int, str]:
    """(status, text) for one admin-webhook delivery: 401 before anything is read unless signed under
    JIRA_WEBHOOK_SECRET; once per X-Atlassian-Webhook-Identifier (the same on Jira's retries). The links that follow
    the issue's versions or epic (or the version) are read again from Jira at once."""
    body = read_jira_body(environ, services.settings.jira_webhook_secret)
    delivery = environ.get("HTTP_X_ATLASSIAN_WEBHOOK_IDENTIFIER", "")
    if not delivery:
        raise Refused(400, "Jira delivery without X-Atlassian-Webhook-Identifier")
    try:
        data = json.loads(body)
        refs = _jira_refs(data)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise Refused(400, f"unreadable Jira delivery ({type(error).__name__})") from None
    if not refs:
        return 200, "ignored"
    now = services.clock.now()
    ready = not missing_tracker_settings(services.settings, "jira")
    client = KINDS["jira"].client(services.settings) if ready else None
    try:
        with services.sessions.begin() as session:
            if not first_delivery(session, f"jira:{delivery}", now):
                return 200, "already handled"
            touched = trackers.resync(session, kind="jira", refs=refs, client=client, now=now)
            queued = outbox.enqueued_in(session)
    finally:
        if client is not None:
            client.close()
    if queued:
        services.dispatcher.kick()
    return 200, f"{touched} link(s) updated"


def linear_delivery(environ: dict, services: Services) -> tuple[int, str]:
    """(status, text): 401 unless Linear signed it within the last minute; once per Linear-Delivery."""
    now = services.clock.now()
    payload = read_linear_body(environ, services.settings.linear_webhook_secret, now)
    delivery = environ.get("HTTP_LINEAR_DELIVERY", "")
    if not delivery:
        raise Refused(400, "Linear delivery without Linear-Delivery")
    try:
        changes = linear.webhook_changes(payload)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise Refused(400, f"unreadable Linear delivery ({type(error).__name__})") from None
    if not changes.snapshots:
        return 200, "ignored"
    with services.sessions.begin() as session:
        if not first_delivery(session, f"linear:{delivery}", now):
            return 200, "already handled"
        touched = sum(trackers.on_webhook(session, kind="linear", target=None, snapshot=snapshot,
                                          issues=changes.issues, now=now) for snapshot in changes.snapshots)
        if changes.reopened:
            trackers.on_reopened_in(session, kind="linear", link_refs=[s.ref for s in changes.snapshots],
                                    ref=changes.reopened, now=now)
        queued = outbox.enqueued_in(session)
    if queued:
        services.dispatcher.kick()
    return 200, f"{touched} link(s) updated"


def _jira_refs(data: dict) -> set[str]:
    event = data.get("webhookEvent") if isinstance(data, dict) else None
    if event in JIRA_VERSION_EVENTS:
        return {f"version:{int(data['version']['id'])}"}
    if event in JIRA_ISSUE_EVENTS:
        return issue_refs(data["issue"], data.get("changelog"))
    return set()


WEBHOOKS = {GITHUB_PATH: github_delivery, JIRA_PATH: jira_delivery, LINEAR_PATH: linear_delivery}
