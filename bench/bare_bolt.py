"""A bare Bolt app that acks `/expect` with a fixed reply, served by waitress as `expect web` is: the peer for
bench_commands.py.  python bench/bare_bolt.py --port N --secret S --api-url URL
"""
from __future__ import annotations

import argparse

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress import serve


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--api-url", required=True, help="the fake Slack Bolt asks auth.test of")
    args = parser.parse_args()
    app = App(token="xoxb-test-token", signing_secret=args.secret, token_verification_enabled=False,
              client=WebClient(token="xoxb-test-token", base_url=args.api_url), process_before_response=True)
    app.command("/expect")(lambda ack: ack(text="ok"))
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return slack(environ, start_response)

    serve(wsgi, host="127.0.0.1", port=args.port, threads=8, ident="bare")


if __name__ == "__main__":
    main()
