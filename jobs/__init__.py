"""Scheduled work as plain functions: (context) -> counts. The database, not the scheduler, knows what is due."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.slack.gateway import SlackGateway
from bot.slack.workspaces import Workspaces

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    sessions: sessionmaker[Session]
    gateway: SlackGateway
    now: datetime
    settings: Settings | None = None
    workspaces: Workspaces | None = None  # distribution mode: each team's own gateway

    def gateway_for(self, team_id: str, enterprise_id: str | None = None) -> SlackGateway:
        """The gateway of the team that owns the work (the one gateway in single-workspace mode)."""
        if self.workspaces is None:
            return self.gateway
        return self.workspaces.get(team_id, enterprise_id).gateway


Job = Callable[[JobContext], dict]
JOBS: dict[str, Job] = {}


def job(name: str) -> Callable[[Job], Job]:
    """Register a job that `expect tick` and the worker run on every pass."""
    def register(fn: Job) -> Job:
        JOBS[name] = fn
        return fn
    return register


def load_all() -> None:
    import jobs.charts  # noqa: F401  (before updates: a chart=on update finds its picture)
    import jobs.delays  # noqa: F401
    import jobs.expectations  # noqa: F401
    import jobs.retention  # noqa: F401
    import jobs.trackers  # noqa: F401
    import jobs.updates  # noqa: F401


def run_tick(services, now: datetime, *, deliver: bool = True) -> dict:
    """One pass as of `now`: every job, then (unless `deliver` is False) delivery of whatever became due."""
    load_all()
    context = JobContext(services.sessions, services.gateway, now, services.settings, services.workspaces)
    results: dict = {}
    for name, fn in JOBS.items():
        try:
            results[name] = fn(context)
        except Exception:
            log.exception("job %s failed", name)
            results[name] = {"error": 1}
    failing = {name: result.get("failed", 0) + result.get("error", 0) for name, result in results.items()}
    if any(failing.values()):
        log.warning("tick %s: failures by job %s (tracebacks above name the projects)", now.isoformat(),
                    {name: count for name, count in failing.items() if count})
    if deliver:
        results["delivery"] = dict(services.dispatcher.run_once())
    return results
