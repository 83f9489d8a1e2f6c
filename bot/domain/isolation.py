"""Scheduled work one project at a time: a failure stays with its project, is logged and counted, and the rest
of the pass goes on."""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy.orm import Session

log = logging.getLogger("expect.jobs")

RETRY_FAILED = timedelta(hours=1)


@contextmanager
def isolated(session: Session, counts: Counter, *, project_id: int | None, step: str,
             later: Callable[[], None] | None = None) -> Iterator[None]:
    """Run the block in a savepoint. An error rolls back only the block, is logged with the project id and adds
    one to `counts["failed"]`; `later` then pushes the row's next look back, so it is not retried at once."""
    try:
        with session.begin_nested():
            yield
    except Exception:
        log.exception("%s failed for project %s", step, project_id)
        counts["failed"] += 1
        if later is not None:
            later()


def failed(step: str, project_id: int | None, counts: Counter) -> None:
    """Log and count a failure of work that touched nothing yet (pure computation on a row)."""
    log.exception("%s failed for project %s", step, project_id)
    counts["failed"] += 1


def each_isolated(session: Session, items: list, work: Callable, counts: Counter, *, step: str,
                  project_id: Callable[[object], int | None], later: Callable[[object], None]) -> list[tuple]:
    """`work(item)` for every item, as (item, result) pairs for those that succeeded.

    The whole batch runs in one savepoint first, so the usual pass costs no more than before; only when something
    fails is the batch rolled back and run again one savepoint per item, so that just the failing ones are lost.
    `work` must keep its effects in the session and in what it returns.
    """
    if not items:
        return []
    try:
        with session.begin_nested():
            return [(item, work(item)) for item in items]
    except Exception:
        log.info("%s: a batch of %d failed; retrying one by one", step, len(items))
    done = []
    for item in items:
        with isolated(session, counts, project_id=project_id(item), step=step, later=lambda item=item: later(item)):
            done.append((item, work(item)))
    return done
