"""The `expect` command: start, web, worker, serve, tick, db upgrade, purge, demo, keys new|rotate."""
from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import signal
import sys
from datetime import datetime

from dotenv import find_dotenv, load_dotenv

from bot.clock import FixedClock
from bot.db import DatabaseNotReady, ensure_up_to_date, upgrade_or_explain
from bot.settings import Settings, SettingsError, database_url_setting, encryption_keys_setting, load_settings

YOUNG_COLLECTION_EVERY = 50_000  # allocations (CPython's default is 700)


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        sys.exit(f"expect: {error}")


def _services(settings: Settings, clock=None):
    from bot.services import build_services

    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        if settings.database_url.startswith("sqlite"):
            upgrade_or_explain(settings.database_url)
        ensure_up_to_date(settings.database_url)
    except DatabaseNotReady as error:
        sys.exit(f"expect: {error}")
    services = build_services(settings, clock=clock)
    _check_trackers(services)
    _resume_reinstalled(services)
    return services


def _resume_reinstalled(services) -> None:
    """Single-workspace mode: a paused workspace whose token Slack accepts again has installed expect again."""
    from bot.domain import workspaces
    from bot.slack.gateway import OutcomeUnknown, RateLimited, SlackError

    if not services.settings.bot_token:
        return
    with services.sessions() as session:
        if not workspaces.any_paused(session):
            return
    try:
        team_id = services.team_id
    except (SlackError, OutcomeUnknown, RateLimited) as error:
        logging.getLogger("expect").warning("expect: the workspace stays paused: auth.test failed (%s)", error)
        return
    with services.sessions.begin() as session:
        workspaces.resume(session, team_id=team_id, now=services.clock.now())


def _check_trackers(services) -> None:
    """Name the tracker credentials that linked milestones need and that are missing (they then do not sync)."""
    from bot.trackers import missing_settings

    with services.sessions() as session:
        for problem in missing_settings(session, services.settings):
            logging.getLogger("expect").warning("expect: %s (see .env.example)", problem)


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
    freeze_startup_objects()
    logging.getLogger("expect").info("expect web listening on port %s", settings.port)
    server.run()


def freeze_startup_objects() -> None:
    """Once start-up has loaded what the process keeps, take it out of the garbage collector's view.

    The ~100k objects of the loaded libraries never die; left in view, every full collection walks them all: that
    stalls a request for tens of milliseconds, and a busy tick runs several full collections. The youngest
    generation is also collected less often: a tick's rows and dicts die young, before a collection would find them.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])


def cmd_worker(args) -> None:
    from jobs.scheduler import build_scheduler

    services = _services(_settings())
    scheduler = build_scheduler(services, blocking=True)
    freeze_startup_objects()

    def stop(signum, _frame) -> None:
        logging.getLogger("expect").info("expect worker stopping (%s)", signal.Signals(signum).name)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    scheduler.start()
    services.close()


def cmd_serve(args) -> None:
    from jobs.scheduler import build_scheduler

    services = _services(_settings())
    build_scheduler(services, blocking=False).start()
    cmd_web(args, services)


def _instant(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        sys.exit(f"expect: --at {text!r} is not an ISO-8601 instant such as 2026-11-30T09:00:00+00:00")
    if at.tzinfo is None:
        sys.exit("expect: --at needs a UTC offset, such as 2026-11-30T09:00:00Z")
    return at


def cmd_tick(args) -> None:
    at = _instant(args.at)
    from jobs import load_all, run_tick

    services = _services(_settings(), clock=FixedClock(at))
    load_all()
    freeze_startup_objects()
    try:
        print(json.dumps(run_tick(services, at), sort_keys=True))
    finally:
        services.close()


def cmd_db(args) -> None:
    try:
        upgrade_or_explain(database_url_setting())
    except DatabaseNotReady as error:
        sys.exit(f"expect: {error}")
    print("database is up to date")


def cmd_keys(args) -> None:
    from bot.secrets import InvalidSecret, Sealer, new_key

    if args.action == "new":
        print(new_key())
        return
    from bot.db import make_engine
    from bot.slack.installations import reseal_all

    sealer, url = Sealer(encryption_keys_setting()), database_url_setting()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        ensure_up_to_date(url)
    except DatabaseNotReady as error:
        sys.exit(f"expect: {error}")
    engine = make_engine(url)
    try:
        count = reseal_all(engine, sealer)
    except InvalidSecret as error:
        sys.exit(f"expect: {error}; nothing was changed. Put the key they were sealed with back in the list.")
    finally:
        engine.dispose()
    print(f"{count} stored secrets are now sealed with the first key of EXPECT_ENCRYPTION_KEY")


def cmd_purge(args) -> None:
    from jobs.retention import purge_expired

    services = _services(_settings(), clock=FixedClock(_instant(args.at)) if args.at else None)
    try:
        print(json.dumps(purge_expired(services.sessions, now=services.clock.now(),
                                       retention_days=services.settings.retention_days), sort_keys=True))
    finally:
        services.close()


def cmd_demo(args) -> None:
    from bot.demo import run_demo

    run_demo()


def cmd_start(args) -> None:
    load_dotenv(find_dotenv(usecwd=True), override=False)
    if any(os.environ.get(name, "").strip() for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID")):
        cmd_serve(args)
        return
    print("No Slack credentials found (.env) — running the demo against a local fake Slack instead.", flush=True)
    cmd_demo(args)


SLACK_SETTINGS = ("SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode), SLACK_API_URL; "
                  "in distribution mode SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET and "
                  "EXPECT_ENCRYPTION_KEY instead of SLACK_BOT_TOKEN")
SUBCOMMANDS = {
    "start": ("Serve (web + worker) with the Slack credentials in .env; without them, play the demo",
              f"Reads: {SLACK_SETTINGS}, DATABASE_URL, PORT. With neither SLACK_BOT_TOKEN nor SLACK_CLIENT_ID it runs "
              "`expect demo`."),
    "web": ("Answer Slack: POST /slack/events and GET /healthz over HTTP, or Socket Mode",
            f"Reads: {SLACK_SETTINGS}, DATABASE_URL, PORT. Refuses to start on a database that needs "
            "`expect db upgrade` (SQLite is upgraded in place)."),
    "worker": ("Run the scheduler: a tick every minute (updates, alerts, reminders), delivery every 5 s",
               f"Reads: {SLACK_SETTINGS}, DATABASE_URL. Logs one line per tick with its counts; Ctrl-C or SIGTERM "
               "stops it after the running tick."),
    "serve": ("web and worker in one process, for one small machine",
              f"Reads: {SLACK_SETTINGS}, DATABASE_URL, PORT."),
    "tick": ("Run every scheduled job once as of an instant, deliver what is due, print the counts as JSON",
             f"Reads: {SLACK_SETTINGS}, DATABASE_URL."),
    "db": ("Database commands: `expect db upgrade` applies migrations (safe to repeat)",
           "Reads: DATABASE_URL only. On Heroku-style platforms this is the release-phase command."),
    "purge": ("Delete every row of the workspaces that uninstalled expect more than EXPECT_RETENTION_DAYS ago",
              f"Reads: {SLACK_SETTINGS}, DATABASE_URL, EXPECT_RETENTION_DAYS (default 30). The worker does the same "
              "once a workspace's period is over; prints the counts of what was deleted as JSON."),
    "demo": ("A scripted session against a local fake Slack; needs no credentials and no settings",
             "Reads nothing: it uses a temporary SQLite database and prints what Slack would have shown."),
    "keys": ("Encryption keys of the stored tokens: `keys new` prints a fresh key, `keys rotate` re-encrypts "
             "every stored token with the first key of EXPECT_ENCRYPTION_KEY",
             "Reads: EXPECT_ENCRYPTION_KEY (comma-separated; the first encrypts, all decrypt) and DATABASE_URL "
             "(rotate only). To change keys: put a new key first, restart, run `expect keys rotate`, then drop "
             "the old key."),
}


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(prog="expect", description="Keeps clients informed before they have to ask.",
                                     epilog="Settings come from the environment and .env; see .env.example.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, (summary, details) in SUBCOMMANDS.items():
        sub.add_parser(name, help=summary, description=f"{summary}.\n\n{details}",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    sub.choices["tick"].add_argument("--at", required=True, help="ISO-8601 instant with offset, e.g. 2026-11-30T09:00:00Z")
    sub.choices["purge"].add_argument("--at", help="as of this ISO-8601 instant instead of now, e.g. 2026-12-30T00:00:00Z")
    sub.choices["db"].add_argument("action", choices=["upgrade"], help="upgrade: apply every migration not yet applied")
    sub.choices["keys"].add_argument("action", choices=["new", "rotate"],
                                     help="new: print a fresh key; rotate: re-encrypt stored tokens with the first key")
    args = parser.parse_args(argv)
    handlers = {"start": cmd_start, "web": cmd_web, "worker": cmd_worker, "serve": cmd_serve, "tick": cmd_tick, "db": cmd_db,
                "purge": cmd_purge, "demo": cmd_demo, "keys": cmd_keys}
    handlers[args.command](args)
