"""Pacing benchmark: expect against a fake Slack that enforces a workspace cap and a per-channel limit, and
expect's tick → posts rate against a bare slack_sdk posting loop on the same uncapped fake, in the same run.

python bench/bench_pacing.py [--db sqlite|postgres] [--cap 10] [--posts 600] [--channels 40] [--uncapped 5000]
Prints the share of the cap used, 429s per 100 delivered posts and the ratio to the bare loop; asserts nothing
about time. Exits 1 if a post was lost or sent twice.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from bench_delivery import burst, run_worker
from common import FakeSlackProcess, ROOT, bulk_posts, bulk_projects, channel_for, database_url, update_payload
from slack_sdk import WebClient
from sqlalchemy import create_engine, select

from bot.models import OutboxMessage

DUE_AT = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
TARGETS = {"cap_share": 0.95, "per_100": 2, "ratio": 0.6}


class CappedFake(FakeSlackProcess):
    def __init__(self, cap: float, channel_cap: float):
        command = [sys.executable, "-m", "bot.devtools.fakeslack", "--port", "0", "--channels-auto",
                   "--workspace-cap", str(cap), "--channel-cap", str(channel_cap)]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        self.api_url = line.rsplit(" ", 1)[1].strip()
        self.base = self.api_url.removesuffix("api/")


def capped(db: str, cap: float, posts: int, channels: int) -> dict:
    db_url = database_url(db)
    engine = create_engine(db_url)
    project_ids = bulk_projects(engine, posts, now=DUE_AT - timedelta(days=7), next_update_at=DUE_AT + timedelta(days=30))
    bulk_posts(engine, project_ids, now=DUE_AT, created_at=DUE_AT, channels=channels)
    pacing = {"workspace_rate": cap, "workspace_burst": max(1, int(cap // 2)), "channel_rate": 1.0, "channel_burst": 2}
    with CappedFake(cap, 1.0) as fake:
        result = run_worker(db_url, fake, DUE_AT, "dispatch", None, ["--pacing", json.dumps(pacing)])
        stats = fake.stats()
    with engine.connect() as connection:
        states = Counter(connection.scalars(select(OutboxMessage.state)))
    engine.dispose()
    by_id = stats["posts_by_outbox_id"]
    delivered = sum(by_id.values())
    limited = stats["calls"].get("rate_limited", 0)
    allowed = cap * result["elapsed"] + cap  # the fake's bucket starts full: one second's worth at once
    return {"delivered": delivered, "elapsed": result["elapsed"], "cap_share": delivered / allowed,
            "per_100": 100 * limited / max(delivered, 1), "limited": limited, "states": dict(states),
            "duplicates": sum(1 for n in by_id.values() if n > 1), "lost": posts - len(by_id)}


def bare_loop(posts: int, threads: int) -> tuple[float, float]:
    """chat.postMessage as fast as a thread pool of slack_sdk clients can, same payloads: posts per second and
    this process's CPU milliseconds per post."""
    with FakeSlackProcess() as fake:
        clients = [WebClient(token="xoxb-test-token", base_url=fake.api_url) for _ in range(threads)]

        def send(index: int) -> None:
            payload = update_payload(index)
            clients[index % threads].chat_postMessage(channel=channel_for(index), text=payload["text"],
                                                      blocks=payload["blocks"], unfurl_links=False)

        started, cpu_started = time.perf_counter(), time.process_time()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(send, range(posts)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return posts / elapsed, 1000 * cpu / posts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--cap", type=float, default=10.0, help="the fake's workspace cap, posts per second")
    parser.add_argument("--posts", type=int, default=600, help="posts against the cap")
    parser.add_argument("--channels", type=int, default=40, help="channels those posts go to (1/s each)")
    parser.add_argument("--uncapped", type=int, default=5000, help="projects due in the uncapped tick")
    parser.add_argument("--threads", type=int, default=64, help="bare loop threads (expect's dispatcher default)")
    parser.add_argument("--skip-capped", action="store_true", help="only the uncapped tick against the bare loop")
    parser.add_argument("--profile", help="cProfile the uncapped tick's worker into this file")
    args = parser.parse_args()
    print(f"== pacing benchmark on {args.db}", flush=True)
    r = {"lost": 0, "duplicates": 0} if args.skip_capped else capped(args.db, args.cap, args.posts, args.channels)
    if not args.skip_capped:
        print(f"capped {args.db}: cap {args.cap:g}/s per workspace, 1/s per channel over {args.channels} channels: "
              f"{r['delivered']} posts in {r['elapsed']:.1f} s = {r['cap_share']:.3f} of the cap "
              f"(target >= {TARGETS['cap_share']}); {r['per_100']:.2f} 429s per 100 posts ({r['limited']} in all, "
              f"target <= {TARGETS['per_100']}); lost {r['lost']} duplicates {r['duplicates']} states {r['states']}",
              flush=True)
    bare, bare_cpu = bare_loop(args.uncapped, args.threads)
    tick = burst(args.db, args.uncapped, 0.0, None, args.profile, False)
    cpu = 1000 * (tick["jobs_cpu_s"] + tick["delivery_cpu_s"]) / max(tick["posted"], 1)
    print(f"uncapped {args.db}: expect tick → {tick['posted']} posts at {tick['posts_per_s']:.0f}/s "
          f"[jobs {tick['jobs_s']} s + delivery {tick['delivery_s']} s], bare slack_sdk loop ({args.threads} threads) "
          f"{bare:.0f}/s: ratio {tick['posts_per_s'] / bare:.2f} (target >= {TARGETS['ratio']}); "
          f"CPU per post: expect's worker {cpu:.2f} ms, bare loop {bare_cpu:.2f} ms (ratio {bare_cpu / cpu:.2f}); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; duplicates {tick['duplicates']}",
          flush=True)
    return 1 if r["lost"] or r["duplicates"] or tick["duplicates"] else 0


if __name__ == "__main__":
    sys.exit(main())
