"""Thin adapters from Slack's requests to the product; one register(app, services) per kind."""
from __future__ import annotations

from slack_bolt import App

from bot.services import Services


def register_listeners(app: App, services: Services) -> None:
    from bot.listeners import (
        commands, delays, errors, events, expectations, highlights, home, lifecycle, uninstall, updates, views,
    )

    for module in (commands, views, events, home, updates, delays, expectations, lifecycle, highlights, uninstall,
                   errors):
        module.register(app, services)
