"""POST /webhooks/<tracker>: a signed delivery about a milestone or an issue updates the links that follow it.

WEBHOOKS maps each path to its handler (environ, services) -> (status, text); a handler raises Refused(401)
before it acts on anything its sender did not sign."""
from __future__ import annotations

import json
import logging

from bot.domain import outbox, trackers
from bot.inbound import Refused, read_github_body
from bot.listeners.common import first_delivery
from bot.services import Services
from bot.trackers.github import issue_of, snapshot_of

log = logging.getLogger("expect.webhooks")
GITHUB_PATH = "/webhooks/github"
EVENTS = ("milestone", "issues")


def github_delivery(environ: dict, services: Services) -> tuple[int, str]:
    """(status, text) for one delivery: 401 before anything is read unless GitHub signed it; once per delivery id."""
    body = read_github_body(environ, services.settings.github_webhook_secret)
    event, delivery = environ.get("HTTP_X_GITHUB_EVENT", ""), environ.get("HTTP_X_GITHUB_DELIVERY", "")
    if not delivery:
        raise Refused(400, "GitHub delivery without X-GitHub-Delivery")
    try:
        data = json.loads(body)
        changed = _change(event, data)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise Refused(400, f"unreadable GitHub {event[:40]} delivery ({type(error).__name__})") from None
    if changed is None:
        return 200, "ignored"
    target, snapshot, issues = changed
    now = services.clock.now()
    with services.sessions.begin() as session:
        if not first_delivery(session, f"github:{delivery}", now):
            return 200, "already handled"
        touched = trackers.on_webhook(session, kind="github", target=target, snapshot=snapshot, issues=issues, now=now)
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


WEBHOOKS = {GITHUB_PATH: github_delivery}
