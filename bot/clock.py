"""Injected time: every `now()` in the product comes from a Clock."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stands still until moved; for tests, ticks and demos."""

    def __init__(self, at: datetime):
        self._at = to_utc(at)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = to_utc(at)

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._at += delta


def to_utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime: give a time zone")
    return at.astimezone(timezone.utc)
