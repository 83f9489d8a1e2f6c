"""Latency of `/expect status` and `/expect list` through POST /slack/events of a running `expect web`.

    python bench/bench_commands.py --db sqlite
    BENCH_DATABASE_URL=postgresql://… python bench/bench_commands.py --db postgres

Fills the database with 10,000 projects and 100,000 milestones, starts a fake Slack and `expect web` as
subprocesses, sends signed slash commands one at a time and prints p50/p99/max per command (target: p99 ≤ 50 ms);
then from --clients concurrent clients, taking turns with the bare Bolt peer (bench/bare_bolt.py) served the same
way, and prints p99 as ratios to the peer's. Last, a mix of reads and add-milestone writes from the same clients,
after which the rows are checked: every write answered, none lost, no number given twice.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from bare_bolt import free_port, start_bare, wait_healthy
from sqlalchemy import create_engine, delete, func, insert, select, text

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
    wait_healthy(process, base, "expect web")
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
        if answer.status != 200 or "went wrong" in answer.body or "There is no project" in answer.body \
                or (command.startswith("add-milestone") and "Added" not in answer.body):
            raise SystemExit(f"/expect {command} answered {answer.status}: {answer.body[:300]}")
    return timings


def interleaved(rounds: dict[str, tuple[str, list[str]]], clients: int, slices: int) -> dict[str, list[float]]:
    """Each round's commands cut into `slices`, the rounds taking turns slice by slice: expect and the peer meet
    the same load on a shared machine."""
    timings: dict[str, list[float]] = {name: [] for name in rounds}
    for k in range(slices):
        for name, (url, commands) in rounds.items():
            timings[name] += concurrently(url, commands[k::slices], clients)
    return timings


def mixed_commands(count: int, projects: int) -> tuple[list[str], dict[str, int]]:
    """Reads with every WRITE_EVERY-th command an add-milestone on one of WRITE_PROJECTS projects (a read, then a
    write of the next number: what a lost update would break); also how many each project is sent."""
    rnd, commands, sent = random.Random(13), [], {}
    for i in range(count):
        if i % WRITE_EVERY == 0:
            slug = f"project-{i // WRITE_EVERY % WRITE_PROJECTS + 1:05d}"
            sent[slug] = sent.get(slug, 0) + 1
            commands.append(f'add-milestone {slug} "Bench write {i}" due=2027-06-01')
        else:
            commands.append("list" if i % 2 else f"status project-{rnd.randint(1, projects):05d}")
    return commands, sent


def check_writes(url: str, sent: dict[str, int], per_project: int) -> str:
    """Every add-milestone left exactly one row, numbered on from the filled ones without a gap or a repeat."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(Project.slug, Milestone.number).join(Milestone.project)
                                  .where(Milestone.title.like("Bench write %"))).all()
    engine.dispose()
    numbers: dict[str, list[int]] = {}
    for slug, number in rows:
        numbers.setdefault(slug, []).append(number)
    wrong = [slug for slug, count in sent.items()
             if sorted(numbers.get(slug, [])) != list(range(per_project + 1, per_project + count + 1))]
    verdict = "ok" if not wrong and len(rows) == sum(sent.values()) else f"WRONG on {', '.join(wrong) or 'count'}"
    return (f"writes mixed in: {sum(sent.values())} add-milestone answered 'Added', {len(rows)} rows, numbered "
            f"without gaps or repeats on {len(sent) - len(wrong)}/{len(sent)} projects ({verdict})")


PARALLEL_TARGETS = {"sqlite": (100, 150), "postgres": (80, 120)}
SLICES = 5
WRITE_EVERY, WRITE_PROJECTS = 8, 4


def percentile99(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(round(0.99 * len(ordered))) - 1)]


def report(name: str, timings: list[float], target: float | None = 50, note: str = "peer") -> str:
    ordered = sorted(timings)
    p99 = percentile99(timings)
    verdict = note if target is None else "ok" if p99 <= target else f"OVER the {target} ms target"
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
        n, targets, load = args.clients, PARALLEL_TARGETS[args.db], os.getloadavg()[0]
        timings = interleaved({
            "status": (f"{base}/slack/events", [f"status project-{rnd.randint(1, args.projects):05d}"
                                                for _ in range(args.requests)]),
            "list": (f"{base}/slack/events", ["list"] * args.requests),
            "bare Bolt": (f"{bare_base}/slack/events", ["list"] * args.requests),
        }, n, SLICES)
        statuses, lists, peer = timings["status"], timings["list"], timings["bare Bolt"]
        print(report(f"{n} clients status", statuses, target=targets[0]))
        print(report(f"{n} clients list", lists, target=targets[1]))
        print(report(f"{n} clients bare Bolt", peer, target=None))
        commands, sent = mixed_commands(args.requests, args.projects)
        mixed = interleaved({"mixed": (f"{base}/slack/events", commands)}, n, 1)["mixed"]
        print(report(f"{n} clients mixed", mixed, target=None, note=f"1 in {WRITE_EVERY} a write"))
        print(check_writes(url, sent, max(1, args.milestones // args.projects)))
        p99 = {name: percentile99(values) for name, values in timings.items()}
        p50 = {name: statistics.median(values) for name, values in timings.items()}
        print(f"ack p99 with {n} clients on {args.db}: status {p99['status']:.0f} ms ({p99['status'] / p99['bare Bolt']:.1f}x "
              f"the peer), list {p99['list']:.0f} ms ({p99['list'] / p99['bare Bolt']:.1f}x), bare Bolt "
              f"{p99['bare Bolt']:.0f} ms; p50 {p50['status']:.0f}/{p50['list']:.0f}/{p50['bare Bolt']:.0f} ms; "
              f"targets {targets[0]}/{targets[1]} ms; load average {load:.1f}-{os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores")
    finally:
        for process in (web, fake, bare):
            if process:
                process.terminate()
                process.wait(timeout=10)
        folder.cleanup()


if __name__ == "__main__":
    main()
