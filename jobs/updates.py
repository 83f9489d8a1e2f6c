"""Weekly updates: previews, posts and approval reminders that are due, found with indexed queries."""
from __future__ import annotations

import time
from collections import Counter

from bot.domain import updates
from bot.slack.delivery import on_sent_batch
from jobs import JobContext, job

CHUNK = 500
MAX_ROUNDS = 200
BUDGET_SECONDS = 40.0  # what is still due after this waits for the next tick, so the other jobs keep their minute
FOUND = ("preview_due", "update_due", "waiting")

on_sent_batch("update")(updates.record_sent)


@job("updates")
def weekly_updates(context: JobContext) -> dict:
    """Previews due, updates due, reminders due: a chunk of each per transaction until none is left or the
    tick's budget is spent (the rest stays due for the next tick)."""
    totals: Counter = Counter()
    stop_at = time.monotonic() + BUDGET_SECONDS
    for _ in range(MAX_ROUNDS):
        with context.sessions.begin() as session:
            counts = updates.send_previews(session=session, now=context.now, limit=CHUNK)
            counts.update(updates.post_due_updates(session=session, now=context.now, limit=CHUNK))
            counts.update(updates.remind_waiting(session=session, now=context.now, limit=CHUNK))
        totals.update(counts)
        if all(counts[key] < CHUNK for key in FOUND):
            break
        if time.monotonic() >= stop_at:
            totals["left_for_next_tick"] = 1
            break
    return {key: value for key, value in totals.items() if value}
