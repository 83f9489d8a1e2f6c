"""Delivery benchmark: N projects due in one tick posted to the fake Slack, idle-tick cost, worker peak RSS.

python bench/bench_delivery.py [--db sqlite|postgres] [--projects 10000] [--latency 0 0.1] [--threads N]
Prints figures; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

from common import (
    FakeSlackProcess,
    bulk_milestones,
    bulk_posts,
    bulk_projects,
    database_url,
    updates_job_ready,
    worker_command,
)
from sqlalchemy import create_engine

from bot.models import OutboxMessage

DUE_AT = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
IDLE_AT = datetime(2026, 12, 1, 13, 0, tzinfo=timezone.utc)
TARGETS = {"posts_per_s": 300, "latency_s": 60, "idle_ms": 20, "rss_mb": 200}


def run_worker(db_url: str, fake: FakeSlackProcess, at: datetime, mode: str, threads: int | None,
               extra: list[str] = ()) -> dict:
    args = ["--database-url", db_url, "--api-url", fake.api_url, "--at", at.isoformat(), "--mode", mode, *extra]
    if threads:
        args += ["--threads", str(threads)]
    done = subprocess.run(worker_command(*args), capture_output=True, text=True, timeout=1800)
    if done.returncode:
        raise SystemExit(f"worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def burst(db: str, projects: int, latency: float, threads: int | None, profile: str | None, direct: bool) -> dict:
    db_url = database_url(db)
    engine = create_engine(db_url)
    via_job = not direct and updates_job_ready()
    project_ids = bulk_projects(engine, projects, now=DUE_AT - timedelta(days=7), next_update_at=DUE_AT)
    if not via_job:
        bulk_posts(engine, project_ids, now=DUE_AT, created_at=DUE_AT - timedelta(minutes=1))
    with FakeSlackProcess(latency) as fake:
        extra = ["--profile", profile] if profile else []
        result = run_worker(db_url, fake, DUE_AT, "tick" if via_job else "dispatch", threads, extra)
        by_id = fake.posts_by_outbox_id()
    with engine.connect() as connection:
        states = Counter(connection.execute(
            OutboxMessage.__table__.select().with_only_columns(OutboxMessage.state)).scalars())
    engine.dispose()
    posted = sum(by_id.values())
    return {**result, "via": "jobs.run_tick (updates job)" if via_job else "outbox rows enqueued, dispatcher.run_once",
            "posted": posted, "distinct": len(by_id), "duplicates": sum(1 for n in by_id.values() if n > 1),
            "states": dict(states), "posts_per_s": round(posted / result["elapsed"], 1)}


def idle(db: str, projects: int, milestones_each: int, ticks: int, max_seconds: float) -> dict:
    db_url = database_url(db)
    engine = create_engine(db_url)
    created = IDLE_AT - timedelta(days=1)
    project_ids = bulk_projects(engine, projects, now=created, next_update_at=DUE_AT + timedelta(days=7))
    milestones = bulk_milestones(engine, project_ids, milestones_each, today=created.date(), created_at=created)
    engine.dispose()
    with FakeSlackProcess() as fake:
        result = run_worker(db_url, fake, IDLE_AT, "idle", None,
                            ["--ticks", str(ticks), "--max-seconds", str(max_seconds)])
        result["slack_calls"] = fake.stats()["calls"]
    return {**result, "projects": projects, "milestones": milestones}


def split(result: dict) -> str:
    if "jobs_s" not in result:
        return ""
    return f" [jobs {result['jobs_s']} s + delivery {result['delivery_s']} s]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--milestones", type=int, default=10, help="milestones per project for the idle tick")
    parser.add_argument("--latency", type=float, nargs="*", default=[0.0, 0.1])
    parser.add_argument("--threads", type=int, default=None, help="dispatcher threads (default: bot.services')")
    parser.add_argument("--ticks", type=int, default=50)
    parser.add_argument("--idle-seconds", type=float, default=120, help="cap on the time spent on idle ticks")
    parser.add_argument("--skip-idle", action="store_true")
    parser.add_argument("--direct", action="store_true", help="enqueue the update rows directly, skip the updates job")
    parser.add_argument("--profile", help="cProfile the burst worker into this file")
    args = parser.parse_args()
    print(f"== delivery benchmark on {args.db}, {args.projects} projects", flush=True)
    for latency in args.latency:
        r = burst(args.db, args.projects, latency, args.threads, args.profile, args.direct)
        goal = (f"target >= {TARGETS['posts_per_s']}/s" if not latency
                else f"target {args.projects} in <= {TARGETS['latency_s']} s")
        print(f"burst  latency={latency:.3f}s threads={r['threads']}: {r['posted']} posts in {r['elapsed']:.1f} s "
              f"= {r['posts_per_s']} posts/s ({goal}){split(r)}; distinct={r['distinct']} duplicates={r['duplicates']} "
              f"states={r['states']} worker RSS {r['maxrss_mb']} MB; via {r['via']}", flush=True)
    if not args.skip_idle:
        r = idle(args.db, args.projects, args.milestones, args.ticks, args.idle_seconds)
        print(f"idle   {r['projects']} projects/{r['milestones']} milestones: tick p50 {r['p50_ms']} ms "
              f"p99 {r['p99_ms']} ms max {r['max_ms']} ms over {r['ticks']} ticks (target <= {TARGETS['idle_ms']} ms); "
              f"per job p50 {r['jobs_p50_ms']}; worker RSS {r['maxrss_mb']} MB (target <= {TARGETS['rss_mb']} MB); "
              f"slack calls {r['slack_calls'] or 'none'}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
