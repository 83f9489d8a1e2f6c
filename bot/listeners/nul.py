"""NUL characters are dropped from every verified request before any listener sees it.

Slack passes them through from what people type or paste; PostgreSQL cannot store them, and nobody means them.
Dropping them in one place treats commands, modals, events and names alike.
"""
from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App


def _clean(value):
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _clean(item)
    elif isinstance(value, list):
        value[:] = [_clean(item) for item in value]
    return value


def drop_nul_characters(body: dict, next: Callable[[], None]) -> None:  # noqa: A002 (Bolt's argument name)
    _clean(body)
    next()


def register(app: App, services=None) -> None:
    app.use(drop_nul_characters)
