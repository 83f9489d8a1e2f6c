"""APScheduler 3 wiring: a tick every minute and a delivery pass every few seconds."""
from __future__ import annotations

from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from jobs import load_all, run_tick

TICK_SECONDS = 60
DELIVER_SECONDS = 5


def tick(services) -> None:
    run_tick(services, services.clock.now())


def deliver(services) -> None:
    services.dispatcher.run_once()


def build_scheduler(services, *, blocking: bool):
    """Triggers run on the wall clock (the first tick at once); the jobs read time from services.clock."""
    load_all()
    scheduler = BlockingScheduler(timezone="UTC") if blocking else BackgroundScheduler(timezone="UTC")
    common = {"max_instances": 1, "coalesce": True, "replace_existing": True, "misfire_grace_time": 30}
    scheduler.add_job(tick, "interval", seconds=TICK_SECONDS, id="tick", args=[services],
                      next_run_time=datetime.now(timezone.utc), **common)
    scheduler.add_job(deliver, "interval", seconds=DELIVER_SECONDS, id="deliver", args=[services], **common)
    return scheduler
