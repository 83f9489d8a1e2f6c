"""The end of the retention period: a workspace paused for longer than EXPECT_RETENTION_DAYS is deleted, every row.

Registered as a job, so the worker checks on every tick (one indexed query when nothing is due) and purges a
workspace on the first tick after its period ends; `expect purge` runs the same function by hand.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.domain import workspaces
from bot.settings import Settings
from jobs import JobContext, job

log = logging.getLogger(__name__)

ForgetInstallation = Callable[[str | None, str], None]   # (enterprise_id, team_id) -> None


def purge_expired(sessions: sessionmaker[Session], *, now: datetime, retention_days: int,
                  forget_installation: ForgetInstallation | None = None) -> dict:
    """Purge every workspace paused more than `retention_days` before `now`, each in its own transaction."""
    with sessions() as session:
        due = [(p.team_id, p.enterprise_id) for p in
               workspaces.expired(session, now=now, retention=timedelta(days=retention_days))]
    totals: Counter = Counter()
    for team_id, enterprise_id in due:
        try:
            with sessions.begin() as session:
                totals.update(workspaces.purge(session, team_id=team_id))
            if forget_installation is not None:
                forget_installation(enterprise_id, team_id)
            totals["workspaces"] += 1
        except Exception:
            log.exception("purging workspace %s failed; the next pass tries again", team_id)
            totals["failed"] += 1
    return dict(totals)


def retention_days(settings: Settings | None) -> int:
    return settings.retention_days if settings else Settings.retention_days


@job("retention")
def purge_workspaces(context: JobContext) -> dict:
    """Delete the data of workspaces that have stayed away longer than the retention period."""
    return purge_expired(context.sessions, now=context.now, retention_days=retention_days(context.settings))
