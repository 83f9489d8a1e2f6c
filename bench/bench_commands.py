"""Latency of `/expect status` and `/expect list` through POST /slack/events of a running `expect web`.

    python bench/bench_commands.py --db sqlite
    BENCH_DATABASE_URL=postgresql://… python bench/bench_commands.py --db postgres

Fills the database with 10,000 projects and 100,000 milestones, starts a fake Slack and `expect web` as
subprocesses, sends signed slash commands one at a time and prints p50/p99/max per command (target: p99 ≤ 50 ms);
then from --clients concurrent clients, beside a bare Bolt app (bench/bare_bolt.py) served the same way.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, delete, insert, text

from bot.db import upgrade
from bot.devtools.signed import ALICE, SECRET, SHARED, SlackClient
from bot.models import Milestone, Project
from bot.settings import normalise_database_url

TEAM = "T0HOME0001"
ZONES = ["Europe/Berlin", "America/New_York", "UTC", "Asia/Tokyo"]


def fill(url: str, projects: int, per_project: int) -> None:
    """Bulk-insert projects and milestones with SQLAlchemy Core (replacing what is there).

    On PostgreSQL the tables are analysed afterwards, as autovacuum would soon do, so the planner knows their size.
    """
    engine = create_engine(url)
    now, today = datetime.now(timezone.utc), date.today()
    rnd = random.Random(7)
    with engine.begin() as connection:
        connection.execute(delete(Milestone))
        connection.execute(delete(Project))
        connection.execute(insert(Project), [{
            "id": n, "team_id": TEAM, "slug": f"project-{n:05d}", "name": f"Project {n:05d}",
            "client_name": f"Client {n}", "channel_id": f"C{n:010d}", "owner_id": ALICE, "tz": ZONES[n % 4],
            "cadence_weekday": n % 5, "cadence_time": "10:00", "created_by": ALICE, "created_at": now,
            "next_update_at": now + timedelta(days=n % 7), "next_preview_at": now + timedelta(days=n % 7),
        } for n in range(1, projects + 1)])
        rows = []
        for n in range(1, projects + 1):
            for m in range(1, per_project + 1):
                due = today + timedelta(days=rnd.randint(-20, 90))
                done = rnd.random() < 0.3
                rows.append({
                    "project_id": n, "number": m, "title": f"Milestone {m}", "start_date": due - timedelta(days=30),
                    "due_date": due, "baseline_due_date": due, "progress": 100 if done else rnd.randint(0, 90),
                    "state": "done" if done else "open", "created_at": now,
                })
        for start in range(0, len(rows), 20_000):
            connection.execute(insert(Milestone), rows[start:start + 20_000])
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE project, milestone"))
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_fake_slack() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "bot.devtools.fakeslack", "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    url = process.stdout.readline().split()[-1]
    control = url.replace("/api/", "/_fake/")
    for name, payload in (("add_user", {"user_id": ALICE, "name": "alice", "tz": "Europe/Berlin"}),
                          ("add_channel", {"channel_id": SHARED, "name": "acme-shared"})):
        request = urllib.request.Request(control + name, data=json.dumps(payload).encode(), method="POST")
        urllib.request.urlopen(request, timeout=5).read()
    return process, url


def start_web(database_url: str, api_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": api_url, "DATABASE_URL": database_url, "PORT": str(port)}
    env.pop("SLACK_APP_TOKEN", None)
    expect = Path(sys.executable).with_name("expect")
    process = subprocess.Popen([str(expect), "web"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("expect web did not answer /healthz within 60 s")


def wait_healthy(process: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{base} did not answer /healthz within 60 s")


def start_bare(api_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("bare_bolt.py")), "--port", str(port),
                                "--secret", SECRET, "--api-url", api_url],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(process, base)
    return process, base


def concurrently(url: str, commands: list[str], clients: int) -> list[float]:
    """`commands` shared among `clients` threads, each with its own connection; every latency in ms."""
    shares = [commands[i::clients] for i in range(clients)]
    with ThreadPoolExecutor(max_workers=clients) as pool:
        return [t for timings in pool.map(lambda share: measure(SlackClient(url), share), shares) for t in timings]


def measure(client: SlackClient, commands: list[str]) -> list[float]:
    timings = []
    for command in commands:
        started = time.perf_counter()
        answer = client.command(command)
        timings.append((time.perf_counter() - started) * 1000)
        if answer.status != 200 or "went wrong" in answer.body or "There is no project" in answer.body:
            raise SystemExit(f"/expect {command} answered {answer.status}: {answer.body[:300]}")
    return timings


PARALLEL_TARGETS = {"sqlite": (100, 150), "postgres": (80, 120)}


def percentile99(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(round(0.99 * len(ordered))) - 1)]


def report(name: str, timings: list[float], target: float | None = 50) -> str:
    ordered = sorted(timings)
    p99 = percentile99(timings)
    verdict = "peer" if target is None else "ok" if p99 <= target else f"OVER the {target} ms target"
    return (f"{name:<22} n={len(ordered):>4}  p50={statistics.median(ordered):6.1f} ms  p99={p99:6.1f} ms  "
            f"max={ordered[-1]:6.1f} ms  ({verdict})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--milestones", type=int, default=100_000, help="spread evenly over the projects")
    parser.add_argument("--requests", type=int, default=500, help="per command")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for the second round")
    args = parser.parse_args(argv)
    folder = tempfile.TemporaryDirectory(prefix="expect-bench-")
    if args.db == "postgres":
        url = os.environ.get("BENCH_DATABASE_URL") or sys.exit("--db postgres needs BENCH_DATABASE_URL")
        url = normalise_database_url(url)
    else:
        url = f"sqlite:///{folder.name}/bench.db"
    started = time.perf_counter()
    upgrade(url)
    fill(url, args.projects, max(1, args.milestones // args.projects))
    print(f"database: {args.db}, {args.projects:,} projects, {args.milestones:,} milestones "
          f"(filled in {time.perf_counter() - started:.1f} s)")
    fake, api_url = start_fake_slack()
    web = bare = None
    try:
        web, base = start_web(url, api_url)
        client = SlackClient(f"{base}/slack/events")
        rnd = random.Random(11)
        measure(client, ["list", "status project-00001"] * 10)
        statuses = measure(client, [f"status project-{rnd.randint(1, args.projects):05d}"
                                    for _ in range(args.requests)])
        lists = measure(client, ["list"] * args.requests)
        print(report("/expect status <slug>", statuses))
        print(report("/expect list", lists))
        bare, bare_base = start_bare(api_url)
        n = args.clients
        statuses = concurrently(f"{base}/slack/events", [f"status project-{rnd.randint(1, args.projects):05d}"
                                                          for _ in range(args.requests)], n)
        lists = concurrently(f"{base}/slack/events", ["list"] * args.requests, n)
        peer = concurrently(f"{bare_base}/slack/events", ["list"] * args.requests, n)
        print(report(f"{n} clients status", statuses, target=PARALLEL_TARGETS[args.db][0]))
        print(report(f"{n} clients list", lists, target=PARALLEL_TARGETS[args.db][1]))
        print(report(f"{n} clients bare Bolt", peer, target=None))
        print(f"ack p99 with {n} clients on {args.db}: status {percentile99(statuses):.0f} ms, list "
              f"{percentile99(lists):.0f} ms, bare Bolt {percentile99(peer):.0f} ms "
              f"(ratios {percentile99(statuses) / percentile99(peer):.1f}x / {percentile99(lists) / percentile99(peer):.1f}x; "
              f"targets {PARALLEL_TARGETS[args.db][0]}/{PARALLEL_TARGETS[args.db][1]} ms)")
    finally:
        for process in (web, fake, bare):
            if process:
                process.terminate()
                process.wait(timeout=10)
        folder.cleanup()


if __name__ == "__main__":
    main()
