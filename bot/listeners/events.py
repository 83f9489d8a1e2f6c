"""Events API: each event is handled once, however often Slack redelivers it.

Features add handlers to MESSAGE_HANDLERS / REACTION_HANDLERS / REACTION_REMOVED_HANDLERS instead of registering their own Bolt
listeners (Bolt runs only the first listener that matches an event).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_bolt import Ack, App, BoltContext

from bot.domain import outbox
from bot.listeners.common import apology, first_delivery, served
from bot.services import Services

EventHandler = Callable[..., None]   # (services=, session=, event=, body=, now=) -> None
MESSAGE_HANDLERS: list[EventHandler] = []
REACTION_HANDLERS: list[EventHandler] = []
REACTION_REMOVED_HANDLERS: list[EventHandler] = []


def handle_once(services: Services, body: dict, handlers: list[EventHandler]) -> None:
    event = body.get("event", {})
    key = f"event:{body.get('event_id') or event.get('event_ts')}"
    now: datetime = services.clock.now()
    try:
        with services.sessions.begin() as session:
            if not first_delivery(session, key, now):
                return
            for handler in handlers:
                handler(services=services, session=session, event=event, body=body, now=now)
            queued = outbox.enqueued_in(session)
    except Exception as error:
        apology(error)
        return
    if queued:
        services.dispatcher.kick()


def register(app: App, services: Services) -> None:
    def handle_message_event(ack: Ack, body: dict, context: BoltContext) -> None:
        ack()
        handle_once(served(context), body, MESSAGE_HANDLERS)

    def handle_reaction_added(ack: Ack, body: dict, context: BoltContext) -> None:
        ack()
        handle_once(served(context), body, REACTION_HANDLERS)

    def handle_reaction_removed(ack: Ack, body: dict, context: BoltContext) -> None:
        ack()
        handle_once(served(context), body, REACTION_REMOVED_HANDLERS)

    app.event("message")(handle_message_event)
    app.event("reaction_added")(handle_reaction_added)
    app.event("reaction_removed")(handle_reaction_removed)


