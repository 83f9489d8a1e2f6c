"""The one error handler: log the traceback with an id, tell the user, never answer Slack with a 500."""
from __future__ import annotations

from slack_bolt import App, BoltRequest, BoltResponse

from bot.inbound import VERIFIED
from bot.listeners.common import apology, log
from bot.services import Services


def register(app: App, services: Services) -> None:
    def report_unexpected_error(error: Exception, body: dict, request: BoltRequest) -> BoltResponse:
        _, text = apology(error)
        # Only Slack may tell us where to answer: a body we did not verify names no URL we would post to.
        trusted = request.mode == "socket_mode" or request.context.get(VERIFIED) is True
        response_url = _response_url(body) if trusted else None
        if response_url:
            try:
                services.gateway.respond(response_url, text=text, response_type="ephemeral")
            except Exception:
                log.exception("could not tell the user about the error")
        return BoltResponse(status=200, body="")

    app.error(report_unexpected_error)


def _response_url(body) -> str | None:
    if not isinstance(body, dict):
        return None
    urls = [body.get("response_url")] + [u.get("response_url") for u in body.get("response_urls") or []
                                         if isinstance(u, dict)]
    return next((u for u in urls if isinstance(u, str) and u), None)
