"""HTTP: Bolt at POST /slack/events, the trackers' deliveries at POST /webhooks/<tracker> (bot.webhooks.WEBHOOKS),
a health check at GET /healthz and, in distribution mode, the install flow at GET /slack/install and
/slack/oauth_redirect; served by waitress."""
from __future__ import annotations

import io
import logging

from slack_bolt import App
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.oauth import OAuthFlow
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier
from waitress import create_server, wasyncore

from bot.db import database_answers
from bot.inbound import MAX_BODY_BYTES, VERIFIED, Refused, check_shape, parse, read_verified_body
from bot.services import Services
from bot.slack.oauth import INSTALL_PATH, REDIRECT_PATH, failed_response
from bot.webhooks import WEBHOOKS

log = logging.getLogger("expect.web")
EVENTS_PATH = "/slack/events"


def make_wsgi(app: App, services: Services):
    secret = services.settings.signing_secret
    verifier = SignatureVerifier(secret) if secret else None

    def wsgi(environ, start_response):
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz" and method in ("GET", "HEAD"):
            healthy = database_answers(services.engine)
            start_response("200 OK" if healthy else "503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"ok\n" if healthy else b"database unavailable\n"]
        if path in WEBHOOKS and method == "POST":
            return _webhook(start_response, environ, services, path)
        if app.oauth_flow and method == "GET" and path in (INSTALL_PATH, REDIRECT_PATH):
            return _oauth(start_response, app.oauth_flow, WsgiHttpRequest(environ), path)
        if path != EVENTS_PATH or method != "POST":
            return _plain(start_response, 404, "Not Found")
        try:
            body = read_verified_body(environ, verifier)
            check_shape(parse(body, environ.get("CONTENT_TYPE", "")))
        except Refused as refused:
            log.warning("%s %s: %s", refused.status, EVENTS_PATH, refused.reason)
            return _plain(start_response, refused.status, "" if refused.status == 200 else refused.reason)
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        response = _dispatch(app, WsgiHttpRequest(environ))
        start_response(response.status, response.get_headers())
        return response.get_body()

    return wsgi


def _dispatch(app: App, request: WsgiHttpRequest) -> WsgiHttpResponse:
    # Only a request whose signature we checked carries VERIFIED, so the error handler may trust its response_url.
    try:
        bolt = app.dispatch(BoltRequest(body=request.get_body(), query=request.query_string,
                                        headers=request.get_headers(), context={VERIFIED: True}))
    except Exception:
        log.exception("a signed request that Bolt could not handle")
        return WsgiHttpResponse(status=400, headers={"content-type": ["text/plain"]}, body="malformed request")
    if bolt.status == 404:
        log.warning("no listener for a signed request; answered 200")
        return WsgiHttpResponse(status=200, headers={"content-type": ["text/plain"]}, body="")
    return WsgiHttpResponse(status=bolt.status, headers=bolt.headers, body=bolt.body)


def _oauth(start_response, flow: OAuthFlow, request: WsgiHttpRequest, path: str):
    bolt = BoltRequest(body="", query=request.query_string, headers=request.get_headers())
    try:
        answer = flow.handle_installation(bolt) if path == INSTALL_PATH else flow.handle_callback(bolt)
    except Exception:
        log.exception("the installation could not be completed")
        answer = failed_response(flow.settings)
    response = WsgiHttpResponse(status=answer.status, headers=answer.headers, body=answer.body)
    start_response(response.status, response.get_headers())
    return response.get_body()


def _webhook(start_response, environ, services: Services, path: str):
    try:
        status, text = WEBHOOKS[path](environ, services)
    except Refused as refused:
        log.warning("%s %s: %s", refused.status, path, refused.reason)
        return _plain(start_response, refused.status, refused.reason if refused.status != 401 else "")
    except Exception:
        log.exception("a signed delivery to %s that could not be handled", path)
        return _plain(start_response, 500, "")
    return _plain(start_response, status, text)


def _plain(start_response, status: int, text: str):
    reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 413: "Payload Too Large",
              500: "Internal Server Error"}
    start_response(f"{status} {reason[status]}", [("Content-Type", "text/plain")])
    return [text.encode()]


def make_server(app: App, services: Services, *, host: str = "0.0.0.0", port: int | None = None, threads: int = 8):
    """A waitress server; call `.run()` to serve and `.close()` to stop. Port 0 picks a free one."""
    return create_server(make_wsgi(app, services), host=host, port=services.settings.port if port is None else port,
                         threads=threads, ident="expect", max_request_body_size=MAX_BODY_BYTES)


def stop_server(server) -> None:
    """Stop a server started with `.run()` in another thread, from inside its own loop (no select on a closed fd)."""
    def close_everything():
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)

    try:
        server.trigger.pull_trigger(close_everything)
    except OSError:
        # The loop's wake-up pipe is already closed, so nothing can wake the loop: close everything from here.
        close_everything()
