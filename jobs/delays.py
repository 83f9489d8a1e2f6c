"""Delay alerts on the clock: notice state changes, escalate unanswered alerts, refresh what changed."""
from __future__ import annotations

from collections import Counter

from bot.domain import delay_checks, delay_notices, delays
from bot.slack import delays as delay_messages
from jobs import JobContext, job


@job("delays")
def delay_alerts(context: JobContext) -> dict:
    """One pass: alerts for milestones that became at risk or overdue, then reminders and escalations."""
    touched: list = []
    with context.sessions.begin() as session:
        counts = Counter(synced=delays.sync_sent(session) + delay_notices.sync_sent(session))
        counts += delay_checks.detect(session, now=context.now, touched=touched)
        counts += delays.escalate(session, now=context.now, touched=touched)
        refreshes = delay_messages.alert_refreshes(touched, context.now)
    delay_messages.apply_by_team(context.gateway_for, refreshes)
    return dict(counts)
