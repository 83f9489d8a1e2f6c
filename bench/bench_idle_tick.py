"""Idle-tick benchmark: 10,000 projects and 100,000 milestones, ticks a minute apart where nothing is due.

python bench/bench_idle_tick.py --db sqlite|postgres [--projects 10000] [--milestones 10] [--ticks 50]
Milestones run from 60 days in the past (mostly done; the rest overdue with alerts already raised) to 120 days
ahead; some are at risk with alerts open. Catch-up ticks first (a fresh database has every milestone to look at
once; on PostgreSQL then VACUUM ANALYZE, as autovacuum would shortly), then timed ticks a minute apart.
Prints p50/p99 per job and for the whole tick; asserts nothing. --db postgres needs BENCH_DATABASE_URL.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from common import OWNER, TEAM, FakeSlackProcess, _insert, channel_for, database_url, percentile, settings
from sqlalchemy import create_engine, select, text

from bot.clock import FixedClock
from bot.domain.projects import business_hours, local_today, milestone_state
from bot.domain.schedule import next_cadence, zone
from bot.models import Milestone, OutboxMessage, Project
from bot.models.delays import DelayAlert
from bot.models.expectations import Checkin, OwedItem, ResponsePromise
from bot.services import build_services

AT = datetime(2026, 11, 25, 13, 0, tzinfo=timezone.utc)
ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Kolkata", "UTC"]


def build(db_url: str, projects: int, per_project: int) -> dict:
    rng = random.Random(11)
    engine = create_engine(db_url)
    project_rows = []
    for i in range(projects):
        tz, weekday = ZONES[i % len(ZONES)], rng.choice([0, 1, 4])
        at = next_cadence(weekday, "10:00", zone(tz), after=AT)
        project_rows.append({
            "team_id": TEAM, "slug": f"idle-{i}", "name": f"Idle {i}", "client_name": f"Client {i}",
            "channel_id": channel_for(i), "internal_channel_id": f"CI{i:08d}", "owner_id": OWNER, "tz": tz,
            "cadence_weekday": weekday, "cadence_time": "10:00", "next_update_at": at,
            "next_preview_at": at - timedelta(hours=24), "last_update_at": at - timedelta(days=7),
            "created_by": OWNER, "created_at": AT - timedelta(days=90),
        })
    _insert(engine, Project, project_rows)
    with engine.connect() as connection:
        projects_by_id = {row.id: row for row in connection.execute(select(Project)).all()}
    milestones, outbox = [], []
    for project_id, project in projects_by_id.items():
        today = local_today(project, AT)
        start = today - timedelta(days=75)
        for number in range(1, per_project + 1):
            due = today - timedelta(days=60) + timedelta(days=18 * (number - 1) + rng.randint(0, 17))
            row = {"project_id": project_id, "number": number, "title": f"Milestone {number}", "start_date": start,
                   "due_date": due, "baseline_due_date": due, "progress": 0, "state": "open",
                   "done_at": None, "done_by": None, "created_at": AT - timedelta(days=90)}
            if due < today and rng.random() < 0.93:
                row.update(state="done", progress=100, done_at=datetime.combine(due, datetime.min.time(),
                                                                                timezone.utc), done_by=OWNER)
            elif due >= today:
                span = max((due - start).days, 1)
                on_line = 100 * (today - start).days / span
                row["progress"] = max(0, min(99, int(on_line + rng.choice([5, 10, 15, 20, -10]))))
            milestones.append(row)
            start = due
        for n in range(5):
            outbox.append({"project_id": project_id, "kind": "update", "period_key": f"w{n}",
                           "channel_id": project.channel_id, "payload": {"text": "old update"},
                           "client_visible": True, "top_level": True, "urgent": False, "state": "sent",
                           "not_before": AT - timedelta(days=7 * (n + 1)), "attempts": 1,
                           "ts": f"17000{n}.{project_id}",
                           "posted_channel_id": project.channel_id, "created_at": AT - timedelta(days=7 * (n + 1)),
                           "sent_at": AT - timedelta(days=7 * (n + 1))})
    _insert(engine, Milestone, milestones)
    _insert(engine, OutboxMessage, outbox)
    with engine.connect() as connection:
        open_ones = connection.execute(select(Milestone).where(Milestone.state == "open")).all()
    alerts = []
    for m in open_ones:
        project = projects_by_id[m.project_id]
        state = milestone_state(SimpleNamespace(**m._mapping), local_today(project, AT), business_hours(project))
        if state in ("overdue", "at_risk"):
            opened = AT - timedelta(days=rng.randint(2, 20))
            acked = rng.random() < 0.5
            alerts.append({
                "project_id": m.project_id, "milestone_id": m.id, "key": f"{state}:{m.due_date}:1", "kind": state,
                "source": "schedule", "state": "open", "reason": "bench", "due_date": m.due_date,
                "opened_at": opened, "channel_id": project.internal_channel_id, "ts": f"1700.{m.id}",
                "acknowledged_by": OWNER if acked else None, "acknowledged_at": opened if acked else None,
                "escalation_level": 0 if acked else 2, "escalate_from": opened,
                "escalated_at": None if acked else opened + timedelta(days=2), "history": [],
            })
    _insert(engine, DelayAlert, alerts)
    promises, owed, checkins = [], [], []
    for project_id in projects_by_id:
        for n in range(3):
            received = AT - timedelta(days=rng.randint(1, 60))
            answered = rng.random() < 0.9
            promises.append({
                "project_id": project_id, "channel_id": channel_for(project_id), "message_ts": f"1600.{project_id}{n}",
                "user_id": "U0CLIENT01", "user_name": "Client", "excerpt": "When?", "acknowledged": True,
                "received_at": received, "warn_at": received + timedelta(hours=6),
                "deadline": received + timedelta(hours=8), "state": "kept" if answered else "open",
                "warned_at": None if answered else received + timedelta(hours=6),
                "overdue_alerted_at": None if answered else received + timedelta(hours=8),
                "answered_at": received + timedelta(hours=1) if answered else None,
                "answered_by": OWNER if answered else None,
            })
        waiting = rng.random() < 0.2
        owed.append({"project_id": project_id, "title": "Brand assets", "due_date": (AT + timedelta(days=5)).date(),
                     "state": "open" if waiting else "received", "next_reminder_at": AT + timedelta(days=5, hours=8),
                     "created_by": OWNER, "created_at": AT - timedelta(days=10)})
        scheduled = rng.random() < 0.1
        checkins.append({"project_id": project_id, "subject": "milestone:1", "kind": "milestone",
                         "due_at": AT + timedelta(days=2) if scheduled else AT - timedelta(days=30),
                         "state": "scheduled" if scheduled else "sent", "created_at": AT - timedelta(days=32)})
    _insert(engine, ResponsePromise, promises)
    _insert(engine, OwedItem, owed)
    _insert(engine, Checkin, checkins)
    engine.dispose()
    return {"projects": len(project_rows), "milestones": len(milestones), "open_milestones": len(open_ones),
            "open_alerts": len(alerts)}


def timed_tick(services, at: datetime) -> tuple[dict, dict]:
    """jobs.run_tick with each job (and delivery) timed on its own."""
    import jobs

    context = jobs.JobContext(services.sessions, services.gateway, at)
    times, counts = {}, {}
    for name, fn in jobs.JOBS.items():
        started = time.perf_counter()
        counts[name] = fn(context)
        times[name] = time.perf_counter() - started
    started = time.perf_counter()
    counts["delivery"] = dict(services.dispatcher.run_once())
    times["delivery"] = time.perf_counter() - started
    return times, counts


def settle(engine) -> None:
    """What autovacuum does a minute after a bulk load or the catch-up: fresh statistics, dead rows gone."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def busy(counts: dict) -> bool:
    return any(isinstance(value, dict) and any(value.values()) for value in counts.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--projects", type=int, default=10000)
    parser.add_argument("--milestones", type=int, default=10)
    parser.add_argument("--ticks", type=int, default=50)
    parser.add_argument("--profile", help="write a cProfile of the timed ticks to this file")
    parser.add_argument("--no-vacuum", action="store_true", help="on PostgreSQL, time the ticks without VACUUM ANALYZE "
                        "after the catch-up (statistics as stale as right after a bulk load)")
    args = parser.parse_args()
    db_url = database_url(args.db)
    started = time.perf_counter()
    shape = build(db_url, args.projects, args.milestones)
    shape["build_s"] = round(time.perf_counter() - started, 1)
    import jobs

    jobs.load_all()
    with FakeSlackProcess() as fake:
        services = build_services(settings(db_url, fake.api_url), clock=FixedClock(AT), dispatcher_threads=4)
        try:
            warm = []
            for minute in range(55):
                started = time.perf_counter()
                _, counts = timed_tick(services, AT - timedelta(minutes=60 - minute))
                warm.append(time.perf_counter() - started)
                if busy(counts):
                    print(f"warning: a catch-up tick did work: {counts}", file=sys.stderr)
                if len(warm) >= 3 and warm[-1] < 0.2:
                    break
            shape["catch_up"] = {"ticks": len(warm), "total_s": round(sum(warm), 1), "max_s": round(max(warm), 2)}
            if args.db == "postgres" and not args.no_vacuum:
                settle(services.engine)
            profiler = None
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            parts: dict[str, list[float]] = {}
            for minute in range(args.ticks):
                times, counts = timed_tick(services, AT + timedelta(minutes=minute))
                if busy(counts):
                    print(f"warning: an idle tick did work: {counts}", file=sys.stderr)
                times["total"] = sum(times.values())
                for name, seconds in times.items():
                    parts.setdefault(name, []).append(seconds)
            if profiler:
                profiler.disable()
                profiler.dump_stats(args.profile)
        finally:
            services.close()
    ms = lambda seconds: round(seconds * 1000, 2)  # noqa: E731
    figures = {name: {"p50_ms": ms(percentile(v, 0.5)), "p99_ms": ms(percentile(v, 0.99))} for name, v in parts.items()}
    print(json.dumps({"db": args.db, **shape}))
    print(f"idle-tick {args.db} {shape['projects']} projects/{shape['milestones']} milestones "
          f"({shape['open_milestones']} open, {shape['open_alerts']} open alerts), {args.ticks} ticks: "
          + "; ".join(f"{name} p50 {f['p50_ms']} ms p99 {f['p99_ms']} ms" for name, f in figures.items()))


if __name__ == "__main__":
    main()
