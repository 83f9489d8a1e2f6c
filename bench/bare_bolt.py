"""The peer every ack benchmark runs beside expect: a bare Bolt app as its docs show it (process_before_response=True),
served by waitress with the same 8 threads as `expect web`.

    python bench/bare_bolt.py --port N --api-url URL [--users-info]

It acks `/expect` with a fixed reply; with --users-info its listener first asks the fake Slack for the user
(users.info, through a WebClient that honours Retry-After as slack_sdk's retry handler does), as bench_ack.py wants.
"""
from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
import urllib.request

from bot.devtools.signed import SECRET


def serve_bare(port: int, api_url: str, *, users_info: bool = False) -> None:
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
    from waitress import serve

    client = WebClient(token="xoxb-test-token", base_url=api_url, timeout=10, retry_handlers=[
        ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(max_retry_count=1)])
    app = App(signing_secret=SECRET, client=client, token_verification_enabled=False, process_before_response=True)

    @app.command("/expect")
    def answer(ack, command):
        if users_info:
            user = client.users_info(user=command["user_id"])["user"]
            ack(text=f"Hello {user['name']}")
        else:
            ack(text="ok")

    slack = SlackRequestHandler(app)

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return slack(environ, start_response)

    serve(wsgi, host="127.0.0.1", port=port, threads=8, ident="bare")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(process: subprocess.Popen, base: str, name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{name} did not answer /healthz within 60 s")


def start_bare(api_url: str, *, users_info: bool = False) -> tuple[subprocess.Popen, str]:
    """The peer as a subprocess; returns it and its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--port", str(port), "--api-url", api_url]
                               + (["--users-info"] if users_info else []),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(process, base, "the bare Bolt app")
    return process, base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True, help="the fake Slack the WebClient talks to")
    parser.add_argument("--users-info", action="store_true", help="call users.info before acking")
    args = parser.parse_args()
    serve_bare(args.port, args.api_url, users_info=args.users_info)


if __name__ == "__main__":
    main()
