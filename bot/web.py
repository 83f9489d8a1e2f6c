"""HTTP: Bolt at POST /slack/events and a health check at GET /healthz, served by waitress."""
from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import create_server, wasyncore

from bot.db import database_answers
from bot.services import Services


def make_wsgi(app: App, services: Services):
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy = database_answers(services.engine)
            start_response("200 OK" if healthy else "503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"ok\n" if healthy else b"database unavailable\n"]
        return slack(environ, start_response)

    return wsgi


def make_server(app: App, services: Services, *, host: str = "0.0.0.0", port: int | None = None, threads: int = 8):
    """A waitress server; call `.run()` to serve and `.close()` to stop. Port 0 picks a free one."""
    return create_server(make_wsgi(app, services), host=host, port=services.settings.port if port is None else port,
                         threads=threads, ident="expect")


def stop_server(server) -> None:
    """Stop a server started with `.run()` in another thread, from inside its own loop (no select on a closed fd)."""
    def close_everything():
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)

    server.trigger.pull_trigger(close_everything)
