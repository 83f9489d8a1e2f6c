"""Shared set-up for the benchmarks: a fake Slack subprocess, a fresh database, bulk projects and posts."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy.engine import Engine

from bot.db import upgrade
from bot.models import Base, Milestone, OutboxMessage, Project
from bot.settings import Settings, normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
OWNER = "U0BENCHOWN1"
TEAM = "T0HOME0001"
CHUNK = 2000


class FakeSlackProcess:
    """`python -m bot.devtools.fakeslack --port 0 --channels-auto` in a subprocess."""

    def __init__(self, latency: float = 0.0):
        command = [sys.executable, "-m", "bot.devtools.fakeslack", "--port", "0", "--channels-auto"]
        if latency:
            command += ["--latency", str(latency)]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if "listening on" not in line:
            self.process.kill()
            raise RuntimeError(f"fakeslack did not start: {line!r}")
        self.api_url = line.rsplit(" ", 1)[1].strip()
        self.base = self.api_url.removesuffix("api/")

    def stats(self) -> dict:
        with urllib.request.urlopen(self.base + "_fake/stats", timeout=30) as response:
            return json.load(response)

    def posts_by_outbox_id(self) -> dict[int, int]:
        return {int(k): v for k, v in self.stats()["posts_by_outbox_id"].items()}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def __enter__(self) -> FakeSlackProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def database_url(kind: str) -> str:
    """A fresh, migrated, empty database: a temp SQLite file or BENCH_DATABASE_URL (truncated)."""
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="expect-bench-")) / "bench.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        return url
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        raise SystemExit("set BENCH_DATABASE_URL to a PostgreSQL URL for --db postgres")
    url = normalise_database_url(url)
    upgrade(url)
    engine = create_engine(url)
    existing = set(inspect(engine).get_table_names())
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name in existing)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


def settings(db_url: str, api_url: str, **pacing) -> Settings:
    """Unpaced unless `pacing` (Settings' workspace_rate, workspace_burst, channel_rate, channel_burst) says so."""
    pacing = {"workspace_rate": 0.0, **pacing}
    return Settings(bot_token="xoxb-test-token", signing_secret="x", api_url=api_url, database_url=db_url, port=0,
                    **pacing)


def channel_for(index: int) -> str:
    return f"CB{index:08d}"


def bulk_projects(engine: Engine, count: int, *, now: datetime, next_update_at: datetime,
                  tz: str = "Europe/Berlin", cadence_weekday: int = 0, cadence_time: str = "10:00") -> list[int]:
    """`count` active projects, each in its own channel, all due at `next_update_at`; returns their ids."""
    rows = [{
        "team_id": TEAM, "slug": f"bench-{i}", "name": f"Bench {i}", "client_name": f"Client {i}",
        "channel_id": channel_for(i), "owner_id": OWNER, "tz": tz, "cadence_weekday": cadence_weekday,
        "cadence_time": cadence_time, "next_update_at": next_update_at,
        "next_preview_at": next_update_at - timedelta(hours=24), "created_by": OWNER, "created_at": now,
    } for i in range(count)]
    _insert(engine, Project, rows)
    with engine.connect() as connection:
        return list(connection.scalars(select(Project.id).order_by(Project.id)))


def bulk_milestones(engine: Engine, project_ids: list[int], per_project: int, *, today: date,
                    created_at: datetime) -> int:
    """`per_project` future milestones for each project, a little ahead of schedule so nothing is late."""
    rng = random.Random(7)
    rows = []
    for project_id in project_ids:
        for number in range(1, per_project + 1):
            due = today + timedelta(days=14 * number + rng.randint(0, 6))
            rows.append({
                "project_id": project_id, "number": number, "title": f"Milestone {number}", "start_date": today,
                "due_date": due, "baseline_due_date": due, "progress": 5 if number == 1 else 0,
                "created_at": created_at,
            })
    _insert(engine, Milestone, rows)
    return len(rows)


def update_payload(index: int) -> dict:
    """About the size of a real weekly update: header, health, progress, next milestones, footer."""
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": f"Weekly update: Bench {index}"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "Hi Client, here is where things stand."}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Health*\n:large_green_circle: On track"},
                                       {"type": "mrkdwn", "text": "*Next*\nMilestone 2"}]},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*In progress*\nMilestone 1 ▓▓▓▓░░ 40%"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Coming up*\n• Milestone 2 — "
                                                               "<!date^1800000000^{date_short}|Jan 15>"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Next update Monday 10:00."}]},
    ]
    return {"text": f"Weekly update: Bench {index} is on track", "blocks": blocks}


def bulk_posts(engine: Engine, project_ids: list[int], *, now: datetime, created_at: datetime | None = None,
               kind: str = "update", period_key: str = "bench", client_visible: bool = True,
               channels: int | None = None) -> list[int]:
    """One ready outbox row per project, to its own channel (or spread over `channels`); returns the outbox ids."""
    rows = [{
        "project_id": project_id, "kind": kind, "period_key": period_key,
        "channel_id": channel_for(index % channels if channels else index),
        "payload": update_payload(index), "client_visible": client_visible, "top_level": True, "urgent": False,
        "state": "pending", "not_before": now, "attempts": 0, "created_at": created_at or now,
    } for index, project_id in enumerate(project_ids)]
    _insert(engine, OutboxMessage, rows)
    with engine.connect() as connection:
        return list(connection.scalars(select(OutboxMessage.id).where(OutboxMessage.period_key == period_key)))


def _insert(engine: Engine, model, rows: list[dict]) -> None:
    with engine.begin() as connection:
        for start in range(0, len(rows), CHUNK):
            connection.execute(insert(model), rows[start:start + CHUNK])


def updates_job_ready() -> bool:
    """Whether the weekly-update job exists yet (jobs/updates.py registers "updates")."""
    import jobs

    jobs.load_all()
    return "updates" in jobs.JOBS


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def utc(text_value: str) -> datetime:
    return datetime.fromisoformat(text_value.replace("Z", "+00:00")).astimezone(timezone.utc)


def worker_command(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "bench" / "worker.py"), *args]
