"""Sending at Slack's pace: a token bucket per workspace and per channel, shared by every sender.

Each bucket is kept as one instant (GCRA, the "theoretical arrival time"): a send is allowed when
`tat - burst_window <= now`, and moves `tat` one interval on. A 429 pushes `tat` past the pause, so every sender
to that workspace waits out Retry-After and then resumes one interval at a time. In one process the buckets live
in memory (`LocalBudget`); several processes on PostgreSQL share one row per bucket (`SharedBudget`).
A workspace's key is its team id; a channel's is `team:channel`.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class Rate:
    """`per_second` sends on average, `burst` of them at once after a quiet spell."""

    per_second: float
    burst: int

    @property
    def interval(self) -> float:
        return 1.0 / self.per_second

    @property
    def window(self) -> float:
        return (max(self.burst, 1) - 1) * self.interval


class LocalBudget:
    """Buckets in this process's memory, on an injectable monotonic clock."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()

    def take(self, key: str, rate: Rate) -> float:
        """Take one send from `key`'s bucket: 0.0 if taken, else the seconds to wait before asking again."""
        with self._lock:
            now = self.clock()
            tat = self._tat.get(key, now)
            wait = tat - rate.window - now
            if wait > 0:
                return wait
            self._tat[key] = max(tat, now) + rate.interval
            return 0.0

    def pause(self, key: str, seconds: float, rate: Rate) -> None:
        """Nothing from `key` for `seconds`; then one send per interval."""
        with self._lock:
            now = self.clock()
            self._tat[key] = max(self._tat.get(key, now), now + seconds + rate.window)

    def held(self, rate: Rate, longer_than: float) -> set[str]:
        """The workspaces whose next send is more than `longer_than` seconds away."""
        with self._lock:
            now = self.clock()
            return {key for key, tat in self._tat.items() if ":" not in key and tat - rate.window - now > longer_than}


class SharedBudget:
    """Buckets as rows of `send_budget`, on the database's clock, so every worker draws on the same budget."""

    _TAKE = text("""
        WITH now AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t),
        took AS (
            UPDATE send_budget SET tat = greatest(tat, (SELECT t FROM now)) + :interval
            WHERE key = :key AND tat - :window <= (SELECT t FROM now) RETURNING key)
        SELECT (SELECT count(*) FROM took), tat - :window - (SELECT t FROM now) FROM send_budget WHERE key = :key
    """)
    _PAUSE = text("UPDATE send_budget SET tat = greatest(tat, extract(epoch FROM clock_timestamp())::float8 "
                  "+ :seconds + :window) WHERE key = :key")
    _CREATE = text("INSERT INTO send_budget (key, tat) VALUES (:key, 0) ON CONFLICT (key) DO NOTHING")
    _HELD = text("SELECT key FROM send_budget WHERE strpos(key, ':') = 0 "
                 "AND tat - :window - extract(epoch FROM clock_timestamp())::float8 > :longer")

    def __init__(self, engine: Engine):
        self.engine = engine
        self._known: set[str] = set()

    def _ensure(self, connection, key: str) -> None:
        if key not in self._known:
            connection.execute(self._CREATE, {"key": key})
            self._known.add(key)

    def take(self, key: str, rate: Rate) -> float:
        """As LocalBudget.take, in one statement against the shared row."""
        with self.engine.begin() as connection:
            self._ensure(connection, key)
            took, wait = connection.execute(self._TAKE, {"key": key, "interval": rate.interval,
                                                         "window": rate.window}).one()
        return 0.0 if took else max(wait, 0.001)

    def pause(self, key: str, seconds: float, rate: Rate) -> None:
        with self.engine.begin() as connection:
            self._ensure(connection, key)
            connection.execute(self._PAUSE, {"key": key, "seconds": seconds, "window": rate.window})

    def held(self, rate: Rate, longer_than: float) -> set[str]:
        with self.engine.connect() as connection:
            return set(connection.scalars(self._HELD, {"window": rate.window, "longer": longer_than}))


class Held(Exception):
    """The workspace cannot send for longer than the sender is willing to wait (a 429's Retry-After, say)."""

    def __init__(self, seconds: float):
        super().__init__(f"workspace held for {seconds:.1f} s")
        self.seconds = seconds


class Pacer:
    """Blocks a sender until both its channel's and its workspace's buckets allow one more post.

    Senders queue per bucket in this process, so only one of them at a time asks the budget (and the database).
    """

    def __init__(self, budget: LocalBudget | SharedBudget, *, workspace: Rate, channel: Rate,
                 sleep: Callable[[float], None] = time.sleep):
        self.budget, self.workspace, self.channel, self.sleep = budget, workspace, channel, sleep
        self._queues: dict[str, threading.Lock] = {}
        self._queues_lock = threading.Lock()

    def acquire(self, team_id: str, channel_id: str, *, patience: float | None = None) -> None:
        """Wait for a post to `channel_id` of workspace `team_id`; raise Held rather than wait more than
        `patience` seconds for the workspace."""
        if self.channel.per_second > 0:
            self._wait(f"{team_id}:{channel_id}", self.channel)
        self._wait(team_id, self.workspace, patience)

    def held(self, patience: float) -> set[str]:
        """The workspaces that cannot send within `patience` seconds (held by a 429, or out of budget)."""
        return self.budget.held(self.workspace, patience)

    def rate_limited(self, team_id: str, retry_after: float) -> None:
        """Slack answered 429: hold every post to the workspace for `retry_after` seconds."""
        self.budget.pause(team_id, retry_after, self.workspace)

    def _wait(self, key: str, rate: Rate, patience: float | None = None) -> None:
        with self._queue(key):
            while (wait := self.budget.take(key, rate)) > 0:
                if patience is not None and wait > patience:
                    raise Held(wait)
                self.sleep(wait)

    def _queue(self, key: str) -> threading.Lock:
        with self._queues_lock:
            return self._queues.setdefault(key, threading.Lock())


def pacer_for(engine: Engine, *, workspace: Rate, channel: Rate) -> Pacer | None:
    """The pacer a dispatcher on `engine` uses: shared through PostgreSQL, else in memory; None when unlimited."""
    if workspace.per_second <= 0:
        return None
    budget = SharedBudget(engine) if engine.dialect.name == "postgresql" else LocalBudget()
    return Pacer(budget, workspace=workspace, channel=channel)
