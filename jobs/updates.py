"""Weekly updates: previews, posts and approval reminders that are due, found with indexed queries."""
from __future__ import annotations

from collections import Counter

from bot.domain import updates
from bot.slack.delivery import on_sent
from jobs import JobContext, job

CHUNK = 500
MAX_ROUNDS = 200
FOUND = ("preview_due", "update_due", "waiting")

on_sent("update")(updates.record_sent)


@job("updates")
def weekly_updates(context: JobContext) -> dict:
    """Previews due, updates due, reminders due: a chunk of each per transaction until none is left."""
    totals: Counter = Counter()
    for _ in range(MAX_ROUNDS):
        with context.sessions.begin() as session:
            counts = updates.send_previews(session=session, now=context.now, limit=CHUNK)
            counts.update(updates.post_due_updates(session=session, now=context.now, limit=CHUNK))
            counts.update(updates.remind_waiting(session=session, now=context.now, limit=CHUNK))
        totals.update(counts)
        if all(counts[key] < CHUNK for key in FOUND):
            break
    return {key: value for key, value in totals.items() if value}
