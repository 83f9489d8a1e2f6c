"""Crash test: `kill -9` the worker at random moments of a 2,000-post dispatch, restart it, count by the fake's log.

python bench/crash_test.py [--db sqlite|postgres] [--posts 2000] [--rounds 20] [--channels N] [--latency 0.2]

Each round starts `expect tick --at <instant>` (or bench/worker.py with --runner worker), waits for it to start
posting, kills it with SIGKILL 0.05–1.5 s later and moves the instant past the dispatcher's lease, so the next
worker finds the dead one's claims in doubt and settles them from conversations.history. After the rounds a
worker runs to the end. Lost = an outbox id the fake never received; duplicate = one it received twice.
Exits 1 if any post was lost or duplicated.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from common import ROOT, FakeSlackProcess, bulk_posts, bulk_projects, database_url, worker_command
from sqlalchemy import create_engine, select

from bot.models import OutboxMessage
from bot.slack.delivery import SETTLE, Dispatcher

LEASE = inspect.signature(Dispatcher).parameters["lease"].default
STEP = LEASE + SETTLE + timedelta(seconds=30)
UNSETTLED = ("pending", "sending", "unknown")


class Worker:
    def __init__(self, runner: str, db_url: str, api_url: str, workdir: Path, rate: float = 0):
        self.runner, self.db_url, self.api_url, self.workdir, self.rate = runner, db_url, api_url, workdir, rate
        self.log = open(workdir / "worker.log", "a")

    def start(self, at: datetime) -> subprocess.Popen:
        if self.runner == "expect":
            command = [str(Path(sys.executable).parent / "expect"), "tick", "--at", at.isoformat()]
        else:
            command = worker_command("--database-url", self.db_url, "--api-url", self.api_url,
                                     "--at", at.isoformat(), "--mode", "dispatch")
        env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": "x",
               "SLACK_API_URL": self.api_url, "DATABASE_URL": self.db_url, "EXPECT_WORKSPACE_RATE": str(self.rate),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "bench"), os.environ.get("PYTHONPATH")]))}
        env.pop("SLACK_APP_TOKEN", None)
        return subprocess.Popen(command, cwd=self.workdir, env=env, stdout=subprocess.PIPE, stderr=self.log, text=True)


def total_posts(fake: FakeSlackProcess) -> int:
    return sum(fake.stats()["posts_by_outbox_id"].values())


def unsettled(engine) -> int:
    with engine.connect() as connection:
        return len(connection.execute(select(OutboxMessage.id).where(OutboxMessage.state.in_(UNSETTLED))).all())


def kill_round(worker: Worker, fake: FakeSlackProcess, at: datetime, rng: random.Random) -> tuple[bool, float, int]:
    """Start a worker, wait until it posts, SIGKILL it a random moment later; returns (killed, delay, posts)."""
    before = total_posts(fake)
    process = worker.start(at)
    deadline = time.monotonic() + 120
    while process.poll() is None and total_posts(fake) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    delay = rng.uniform(0.05, 1.5)
    try:
        process.wait(timeout=delay)
        killed = False
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        killed = True
    return killed, delay, total_posts(fake) - before


def finish(worker: Worker, engine, at: datetime) -> tuple[list[dict], datetime]:
    outputs = []
    for _ in range(5):
        if not unsettled(engine):
            break
        process = worker.start(at)
        out, _ = process.communicate(timeout=1800)
        outputs.append(json.loads(out.strip().splitlines()[-1]) if out.strip() else {"exit": process.returncode})
        at += STEP
    return outputs, at


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--channels", type=int, default=0, help="spread the posts over N channels (default: one each)")
    parser.add_argument("--latency", type=float, default=0.2, help="fake Slack latency per call, seconds")
    parser.add_argument("--runner", choices=["expect", "worker"], default="expect")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--workspace-rate", type=float, default=0, help="pace the workers (posts/s; 0: unpaced)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    rng = random.Random(seed)
    started = time.monotonic()
    real_now = datetime.now(timezone.utc).replace(microsecond=0)
    db_url = database_url(args.db)
    engine = create_engine(db_url)
    project_ids = bulk_projects(engine, args.posts, now=real_now - timedelta(days=1),
                                next_update_at=real_now + timedelta(days=30))
    queued_at = real_now - timedelta(minutes=1)
    ids = bulk_posts(engine, project_ids, now=queued_at, created_at=queued_at, kind="crash", period_key="crash",
                     client_visible=False, channels=args.channels or None)
    workdir = Path(tempfile.mkdtemp(prefix="expect-crash-"))
    print(f"== crash test on {args.db}: {len(ids)} posts over {args.channels or len(ids)} channels, "
          f"fake latency {args.latency}s, "
          f"{args.rounds} kill -9 rounds of `{args.runner}`, seed {seed}", flush=True)
    at, kills = real_now, 0
    with FakeSlackProcess(args.latency) as fake:
        worker = Worker(args.runner, db_url, fake.api_url, workdir, args.workspace_rate)
        for number in range(1, args.rounds + 1):
            killed, delay, posts = kill_round(worker, fake, at, rng)
            kills += killed
            print(f"  round {number:2d}: {posts:4d} posts, " + (f"killed after {delay:.2f}s" if killed
                  else "finished on its own"), flush=True)
            at += STEP
            if not killed and not unsettled(engine):
                break
        outputs, at = finish(worker, engine, at)
        by_id = fake.posts_by_outbox_id()
        calls = fake.stats()["calls"]
    with engine.connect() as connection:
        states = Counter(connection.execute(select(OutboxMessage.state)).scalars())
    engine.dispose()
    lost = [i for i in ids if by_id.get(i, 0) == 0]
    duplicates = [i for i in ids if by_id.get(i, 0) > 1]
    recovered = sum(o.get("delivery", o.get("counts", {}).get("delivery", {})).get("recovered", 0) for o in outputs)
    print(f"crash  {args.db}: {len(ids)} posts, {kills} kills; fake log: {len(by_id)} ids posted, "
          f"lost {len(lost)}, duplicates {len(duplicates)}; outbox states {dict(states)}; "
          f"history lookups {calls.get('conversations.history', 0)}, "
          f"settled from history in the final run {recovered}; "
          f"{time.monotonic() - started:.0f} s (log {workdir / 'worker.log'})", flush=True)
    if lost or duplicates:
        print(f"lost ids {lost[:20]} duplicate ids {duplicates[:20]}", flush=True)
    return 1 if lost or duplicates else 0


if __name__ == "__main__":
    sys.exit(main())
