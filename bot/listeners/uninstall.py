"""app_uninstalled / tokens_revoked: the workspace pauses and its tokens are deleted, once per event.

Only the first delivery deletes tokens: a redelivery arriving after the workspace installed again must not
delete the new ones.
"""
from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_bolt.listener.builtins import TokenRevocationListeners

from bot.domain import workspaces
from bot.listeners.common import apology, first_delivery
from bot.services import Services


def register(app: App, services: Services) -> None:
    store = services.installations
    revocation = TokenRevocationListeners(store) if store is not None else None

    def first_time(body: dict, context: BoltContext, *, pause: bool) -> bool:
        now = services.clock.now()
        with services.sessions.begin() as session:
            if not first_delivery(session, f"event:{body.get('event_id')}", now):
                return False
            if pause:
                workspaces.pause(session, team_id=context.team_id or context.enterprise_id or body.get("team_id"),
                                 enterprise_id=context.enterprise_id, reason=body["event"]["type"], now=now)
        return True

    def pause_uninstalled_workspace(ack: Ack, body: dict, context: BoltContext) -> None:
        ack()
        try:
            if first_time(body, context, pause=True) and revocation is not None:
                revocation.handle_app_uninstalled_events(context)
        except Exception as error:
            apology(error)

    def forget_revoked_tokens(ack: Ack, body: dict, event: dict, context: BoltContext) -> None:
        ack()
        try:
            if first_time(body, context, pause=bool(event.get("tokens", {}).get("bot"))) and revocation is not None:
                revocation.handle_tokens_revoked_events(event, context)
        except Exception as error:
            apology(error)

    app.event("app_uninstalled")(pause_uninstalled_workspace)
    app.event("tokens_revoked")(forget_revoked_tokens)
