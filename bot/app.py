"""The Bolt app, built by a factory from the services."""
from __future__ import annotations

import logging

from slack_bolt import App, BoltRequest, BoltResponse

from bot.commands import load_all
from bot.domain import tenancy
from bot.listeners import nul, register_listeners
from bot.listeners.common import serve_workspace
from bot.services import Services
from bot.slack.oauth import oauth_flow


class _SameTokenNotice(logging.Filter):
    # Bolt falls back to $SLACK_BOT_TOKEN on its own, then warns that our client's token (the same one) wins.
    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


class ExpectApp(App):
    """Bolt's App, with every request's Slack calls held to the time Slack gives us to answer."""

    def __init__(self, *, services: Services, **kwargs):
        self._services = services
        super().__init__(**kwargs)

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        # In distribution mode a request sees no rows until serve_workspace names its workspace.
        unnamed = tenancy.NOBODY if self._services.workspaces is not None else None
        with self._services.gateway.serving_request(), tenancy.serving(unnamed):
            return super().dispatch(req)


def _distribution(services: Services) -> dict:
    # Handing Bolt the store itself (not only through the flow's settings) makes its token rotation use our
    # client, so refreshes go to SLACK_API_URL like every other call.
    if not services.settings.distribution:
        return {}
    return {"oauth_flow": oauth_flow(services), "installation_store": services.installations}


def create_app(services: Services) -> App:
    load_all()
    bolt_log = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _SameTokenNotice) for f in bolt_log.filters):
        bolt_log.addFilter(_SameTokenNotice())
    app = ExpectApp(
        services=services,
        signing_secret=services.settings.signing_secret or "socket-mode",
        client=services.gateway.bolt_client,
        token_verification_enabled=False,
        request_verification_enabled=not services.settings.socket_mode,
        # Listeners ack and finish in the request's own thread: no thread hand-off, and no 10 ms ack polling.
        process_before_response=True,
        **_distribution(services),
    )
    nul.register(app)
    app.use(serve_workspace(services))
    register_listeners(app, services)
    return app
