"""app_uninstalled / tokens_revoked: the workspace pauses and its tokens are deleted, once per event.

Only the first delivery deletes tokens: a redelivery arriving after the workspace installed again must not
delete the new ones. An org-wide install (Enterprise Grid) is stored without a team and serves every workspace of
the org: its removal pauses all of them, whichever workspace Slack names in the event.
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
        now, org_wide, reason = services.clock.now(), context.is_enterprise_install, body["event"]["type"]
        with services.sessions.begin() as session:
            if not first_delivery(session, f"event:{body.get('event_id')}", now):
                return False
            if pause and org_wide:
                workspaces.pause_enterprise(session, enterprise_id=context.enterprise_id, reason=reason, now=now)
            elif pause:
                workspaces.pause(session, team_id=context.team_id or context.enterprise_id or body.get("team_id"),
                                 enterprise_id=context.enterprise_id, reason=reason, now=now)
        return True

    def installation(context: BoltContext) -> BoltContext:
        return BoltContext(enterprise_id=context.enterprise_id, team_id=None) if context.is_enterprise_install \
            else context

    def forget_gateways(context: BoltContext) -> None:
        # Dropped only once the tokens are gone, so that no gateway is built again from the old token.
        if services.workspaces is not None:
            services.workspaces.forget(context.team_id, context.enterprise_id, org_wide=context.is_enterprise_install)

    def pause_uninstalled_workspace(ack: Ack, body: dict, context: BoltContext) -> None:
        ack()
        try:
            if first_time(body, context, pause=True) and revocation is not None:
                revocation.handle_app_uninstalled_events(installation(context))
                forget_gateways(context)
        except Exception as error:
            apology(error)

    def forget_revoked_tokens(ack: Ack, body: dict, event: dict, context: BoltContext) -> None:
        ack()
        bot = bool(event.get("tokens", {}).get("bot"))
        try:
            if first_time(body, context, pause=bot) and revocation is not None:
                revocation.handle_tokens_revoked_events(event, installation(context))
                if bot:
                    forget_gateways(context)
        except Exception as error:
            apology(error)

    app.event("app_uninstalled")(pause_uninstalled_workspace)
    app.event("tokens_revoked")(forget_revoked_tokens)
