"""app_uninstalled / tokens_revoked: the workspace's tokens are deleted and its projects pause, once per event."""
from __future__ import annotations

from functools import partial

from slack_bolt import Ack, App, BoltContext
from slack_bolt.listener.builtins import TokenRevocationListeners

from bot.domain import workspaces
from bot.listeners.events import handle_once
from bot.services import Services


def _pause(*, session, now, event, team_id: str, enterprise_id: str | None, **_) -> None:
    workspaces.pause(session, team_id=team_id, enterprise_id=enterprise_id, reason=event["type"], now=now)


def register(app: App, services: Services) -> None:
    store = getattr(services, "installation_store", None)
    revocation = TokenRevocationListeners(store) if store is not None else None

    def pause_workspace(body: dict, context: BoltContext) -> None:
        team = context.team_id or context.enterprise_id or body.get("team_id", "")
        handle_once(services, body, [partial(_pause, team_id=team, enterprise_id=context.enterprise_id)])

    def delete_tokens_and_pause(ack: Ack, body: dict, context: BoltContext) -> None:
        ack()
        if revocation is not None:
            revocation.handle_app_uninstalled_events(context)
        pause_workspace(body, context)

    def delete_revoked_tokens(ack: Ack, body: dict, event: dict, context: BoltContext) -> None:
        ack()
        if revocation is not None:
            revocation.handle_tokens_revoked_events(event, context)
        if event.get("tokens", {}).get("bot"):
            pause_workspace(body, context)

    app.event("app_uninstalled")(delete_tokens_and_pause)
    app.event("tokens_revoked")(delete_revoked_tokens)
