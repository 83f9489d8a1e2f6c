"""The one error handler: log the traceback with an id, tell the user, never answer Slack with a 500."""
from __future__ import annotations

from slack_bolt import App, BoltResponse

from bot.listeners.common import apology, log
from bot.services import Services


def register(app: App, services: Services) -> None:
    def report_unexpected_error(error: Exception, body: dict) -> BoltResponse:
        _, text = apology(error)
        response_url = (body or {}).get("response_url") or next(
            (u.get("response_url") for u in (body or {}).get("response_urls", []) if u.get("response_url")), None)
        if response_url:
            try:
                services.gateway.respond(response_url, text=text, response_type="ephemeral")
            except Exception:
                log.exception("could not tell the user about the error")
        return BoltResponse(status=200, body="")

    app.error(report_unexpected_error)

