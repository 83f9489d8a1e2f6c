"""The Bolt app, built by a factory from the services."""
from __future__ import annotations

from slack_bolt import App

from bot.commands import load_all
from bot.listeners import register_listeners
from bot.services import Services


def create_app(services: Services) -> App:
    load_all()
    app = App(
        token=services.settings.bot_token,
        signing_secret=services.settings.signing_secret or "socket-mode",
        client=services.gateway.bolt_client,
        token_verification_enabled=False,
        request_verification_enabled=not services.settings.socket_mode,
        # Listeners ack and finish in the request's own thread: no thread hand-off, and no 10 ms ack polling.
        process_before_response=True,
    )
    register_listeners(app, services)
    return app
