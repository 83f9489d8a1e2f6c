"""Expectations, each tick: promise alerts, reminders of what the client owes, and check-ins that are due."""
from __future__ import annotations

from collections import Counter

import bot.slack.expectations  # noqa: F401  (pins and records the posts these jobs queue)
from bot.domain import checkins, owed, promises
from jobs import JobContext, job


@job("expectations")
def run_expectations(ctx: JobContext) -> dict:
    counts, failures = {}, Counter()
    for name, step in (("promise_alerts", promises.send_alerts), ("owed_reminders", owed.send_reminders),
                       ("checkins", checkins.send_due)):
        with ctx.sessions.begin() as session:
            counts[name] = step(session, now=ctx.now, counts=failures)
    return {**counts, **failures}
