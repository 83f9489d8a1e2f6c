"""The `expect` command: start, web, worker, serve, tick, db upgrade, demo."""
from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
from datetime import datetime

from dotenv import find_dotenv, load_dotenv

from bot.clock import FixedClock
from bot.db import upgrade
from bot.settings import Settings, SettingsError, database_url_setting, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        sys.exit(f"expect: {error}")


def _services(settings: Settings, clock=None):
    from bot.services import build_services

    if settings.database_url.startswith("sqlite"):
        upgrade(settings.database_url)
    return build_services(settings, clock=clock)


def cmd_web(args, services=None) -> None:
    services = services or _services(_settings())
    settings = services.settings
    from bot.app import create_app

    app = create_app(services)
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        SocketModeHandler(app, settings.app_token).start()
        return
    from bot.web import make_server

    server = make_server(app, services)
    _freeze_startup_objects()
    logging.getLogger("expect").info("expect web listening on port %s", settings.port)
    server.run()


def _freeze_startup_objects() -> None:
    # The ~100k objects of the loaded libraries never die; left in the collector's view, every full collection
    # walks them all and stalls a request for tens of milliseconds.
    gc.collect()
    gc.freeze()


def cmd_worker(args) -> None:
    from jobs.scheduler import build_scheduler

    services = _services(_settings())
    build_scheduler(services, blocking=True).start()


def cmd_serve(args) -> None:
    from jobs.scheduler import build_scheduler

    services = _services(_settings())
    build_scheduler(services, blocking=False).start()
    cmd_web(args, services)


def cmd_tick(args) -> None:
    try:
        at = datetime.fromisoformat(args.at.replace("Z", "+00:00"))
    except ValueError:
        sys.exit(f"expect: --at {args.at!r} is not an ISO-8601 instant such as 2026-11-30T09:00:00+00:00")
    if at.tzinfo is None:
        sys.exit("expect: --at needs a UTC offset, such as 2026-11-30T09:00:00Z")
    from jobs import run_tick

    services = _services(_settings(), clock=FixedClock(at))
    try:
        print(json.dumps(run_tick(services, at), sort_keys=True))
    finally:
        services.close()


def cmd_db(args) -> None:
    upgrade(database_url_setting())
    print("database is up to date")


def cmd_demo(args) -> None:
    from bot.demo import run_demo

    run_demo()


def cmd_start(args) -> None:
    load_dotenv(find_dotenv(usecwd=True), override=False)
    if os.environ.get("SLACK_BOT_TOKEN", "").strip():
        cmd_serve(args)
        return
    print("No Slack credentials found (.env) — running the demo against a local fake Slack instead.", flush=True)
    cmd_demo(args)


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(prog="expect", description="Keeps clients informed before they have to ask.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("start", help="serve (web + worker) with Slack credentials from .env; otherwise the demo")
    sub.add_parser("web", help="serve Slack requests (HTTP on $PORT, or Socket Mode with SLACK_APP_TOKEN)")
    sub.add_parser("worker", help="run the scheduler: updates, alerts, reminders, delivery")
    sub.add_parser("serve", help="web and worker in one process, for one small machine")
    tick = sub.add_parser("tick", help="run every scheduled job once as of an instant, then exit")
    tick.add_argument("--at", required=True, help="ISO-8601 instant, e.g. 2026-11-30T09:00:00Z")
    db = sub.add_parser("db", help="database commands")
    db.add_argument("action", choices=["upgrade"])
    sub.add_parser("demo", help="a scripted session against a local fake Slack; needs no credentials")
    args = parser.parse_args(argv)
    handlers = {"start": cmd_start, "web": cmd_web, "worker": cmd_worker, "serve": cmd_serve, "tick": cmd_tick, "db": cmd_db,
                "demo": cmd_demo}
    handlers[args.command](args)
