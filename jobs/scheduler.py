"""APScheduler 3 wiring: a tick every minute and a delivery pass every few seconds."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from jobs import load_all, run_tick

TICK_SECONDS = 60
DELIVER_SECONDS = 5
log = logging.getLogger("expect.worker")


def tick(services) -> None:
    """The jobs, then delivery in the background: paced posts may take minutes, the next tick may not wait."""
    now = services.clock.now()
    log.info("tick %s: %s", now.isoformat(timespec="seconds"), summary(run_tick(services, now, deliver=False)))
    services.dispatcher.kick()


def summary(results: dict) -> str:
    """`run_tick`'s counts on one line, zeros left out: `updates queued=2, delivery sent=2`."""
    parts = []
    for job, counts in results.items():
        shown = " ".join(f"{key}={value}" for key, value in counts.items() if value) \
            if isinstance(counts, dict) else str(counts)
        if shown:
            parts.append(f"{job} {shown}")
    return ", ".join(parts) or "nothing due"


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
