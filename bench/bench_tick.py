"""All-due tick benchmark: N projects whose weekly update is due at the same instant (a huge Monday).

python bench/bench_tick.py [--db postgres] [--projects 1000 10000 50000] [--milestones 3]
Every milestone has been looked at once before, as a week of ticks would have (--unsettled leaves that backlog to
the tick). The jobs run in passes as the scheduler runs them (each pass stops at the updates job's budget, so
alerts and promises keep their minute); then one delivery pass to an uncapped fake Slack. Prints the time to work
through all of them, the longest pass, the time by job, the worker's CPU seconds and the machine's load (the
figures are wall-clock), and the delivery; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta

from bench_delivery import DUE_AT, run_worker
from common import FakeSlackProcess, bulk_milestones, bulk_projects, database_url
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from bot.domain import delay_checks
from bot.models import Milestone

TARGET_S = 60


def settle_checks(engine, at) -> None:
    """Look at every milestone once, as the ticks of the week before would have: on the Monday only those whose
    state may change by then are looked at again, as in a running installation."""
    with Session(engine) as session, session.begin():
        while session.scalar(select(func.count()).where(Milestone.check_at <= at)):
            delay_checks.detect(session, now=at)


def all_due(db: str, projects: int, milestones: int, deliver: bool, settle: bool = True,
            profile: str | None = None) -> dict:
    db_url = database_url(db)
    engine = create_engine(db_url)
    ids = bulk_projects(engine, projects, now=DUE_AT - timedelta(days=7), next_update_at=DUE_AT)
    bulk_milestones(engine, ids, milestones, today=DUE_AT.date(), created_at=DUE_AT - timedelta(days=7))
    if settle:
        settle_checks(engine, DUE_AT - timedelta(hours=12))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    with FakeSlackProcess() as fake:
        extra = ([] if deliver else ["--no-delivery"]) + (["--profile", profile] if profile else [])
        result = run_worker(db_url, fake, DUE_AT, "alldue", None, extra)
        posted = sum(fake.posts_by_outbox_id().values())
    return {**result, "posted": posted}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--projects", type=int, nargs="*", default=[1000, 10_000, 50_000])
    parser.add_argument("--milestones", type=int, default=3, help="milestones per project")
    parser.add_argument("--deliver-up-to", type=int, default=10_000, help="skip the delivery pass above this size")
    parser.add_argument("--unsettled", action="store_true",
                        help="leave every milestone unchecked, so the tick also works off that backlog")
    parser.add_argument("--profile", help="cProfile the worker of the last size into this file")
    args = parser.parse_args()
    for count in args.projects:
        r = all_due(args.db, count, args.milestones, count <= args.deliver_up_to, not args.unsettled,
                    args.profile if count == args.projects[-1] else None)
        per_ms = 1000 * r["jobs_s"] / max(count, 1)
        print(f"all-due {args.db} {count} projects: jobs {r['jobs_s']} s ({per_ms:.2f} ms per project; "
              f"target <= {TARGET_S} s at 50k = {1000 * TARGET_S / 50000:.1f} ms) in {len(r['passes'])} passes, "
              f"longest {max(r['passes'])} s, by job {r['by_job_s']}; worker CPU {r['jobs_cpu_s']} s; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; queued {r['queued']}; "
              f"delivery {r['delivery_s']} s, {r['posted']} posted; worker RSS {r['maxrss_mb']} MB", flush=True)


if __name__ == "__main__":
    sys.exit(main())
