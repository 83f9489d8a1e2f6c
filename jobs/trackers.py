"""Tracker links: poll the ones whose time has come (every 15 minutes each; conditional, so idle links are cheap)."""
from __future__ import annotations

import time
from collections import Counter

from bot.domain import trackers
from bot.trackers import clients_for
from jobs import JobContext, job

CHUNK = 200
BUDGET_SECONDS = 30.0


@job("trackers")
def sync_trackers(context: JobContext) -> dict:
    """Sync due links a chunk per transaction, until none is due or the tick's budget is spent."""
    clients = clients_for(context.settings) if context.settings else {}
    if not clients:
        return {}
    totals: Counter = Counter()
    stop_at = time.monotonic() + BUDGET_SECONDS
    try:
        while time.monotonic() < stop_at:
            with context.sessions.begin() as session:
                counts = trackers.sync_due(session, clients=clients, now=context.now, limit=CHUNK)
            totals.update(counts)
            if counts["due"] < CHUNK:
                break
    finally:
        for client in clients.values():
            client.close()
    return dict(totals)
