"""A benchmark worker process: one tick, one delivery pass, or a run of idle ticks; prints JSON figures.

python bench/worker.py --database-url URL --api-url URL --at ISO --mode tick|dispatch|idle [--threads N]
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from common import percentile, settings, utc

from bot.clock import FixedClock
from bot.services import build_services


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--at", required=True)
    parser.add_argument("--mode", choices=["tick", "dispatch", "idle", "alldue"], required=True)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--ticks", type=int, default=50)
    parser.add_argument("--max-seconds", type=float, default=120, help="stop idle ticking after this long")
    parser.add_argument("--profile", help="write a cProfile of the timed part to this file")
    parser.add_argument("--no-delivery", action="store_true", help="alldue: stop after the jobs")
    parser.add_argument("--pacing", default="{}", help="JSON of Settings' pacing fields (default: unpaced)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    at = utc(args.at)
    options = {"dispatcher_threads": args.threads} if args.threads else {}
    services = build_services(settings(args.database_url, args.api_url, **json.loads(args.pacing)),
                              clock=FixedClock(at), **options)
    import jobs
    from bot.cli import freeze_startup_objects

    jobs.load_all()
    freeze_startup_objects()  # as `expect worker` and `expect tick` do once started
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile(time.thread_time)  # this thread's CPU: waits and other load do not count
        profiler.enable()
    try:
        result = {"idle": idle, "tick": tick, "dispatch": dispatch, "alldue": all_due}[args.mode](services, at, args)
    finally:
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        services.close()
    result["threads"] = services.dispatcher.threads
    result["maxrss_mb"] = peak_rss_mb()
    print(json.dumps(result), flush=True)


def peak_rss_mb() -> float:
    """This process's own peak resident set (VmHWM); ru_maxrss would include the launcher's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def tick(services, at, args) -> dict:
    """What jobs.run_tick does, with the jobs and the delivery pass timed apart."""
    import jobs

    context = jobs.JobContext(services.sessions, services.gateway, at)
    started, cpu_started = time.perf_counter(), time.process_time()
    counts = {name: fn(context) for name, fn in jobs.JOBS.items()}
    jobs_done, cpu_jobs_done = time.perf_counter(), time.process_time()
    counts["delivery"] = dict(services.dispatcher.run_once())
    finished = time.perf_counter()
    return {"elapsed": finished - started, "jobs_s": round(jobs_done - started, 2),
            "delivery_s": round(finished - jobs_done, 2), "counts": counts,
            "jobs_cpu_s": round(cpu_jobs_done - cpu_started, 2),
            "delivery_cpu_s": round(time.process_time() - cpu_jobs_done, 2)}


def all_due(services, at, args) -> dict:
    """Tick passes (the jobs, as the scheduler runs them each minute) until nothing is left due, then delivery."""
    import jobs

    context = jobs.JobContext(services.sessions, services.gateway, at)
    passes, queued, by_job = [], 0, dict.fromkeys(jobs.JOBS, 0.0)
    started, cpu_started = time.perf_counter(), time.process_time()
    while True:
        began, counts = time.perf_counter(), {}
        for name, fn in jobs.JOBS.items():
            job_started = time.perf_counter()
            counts[name] = fn(context)
            by_job[name] += time.perf_counter() - job_started
        passes.append(round(time.perf_counter() - began, 2))
        queued += counts.get("updates", {}).get("queued", 0)
        if not counts.get("updates", {}).get("left_for_next_tick"):
            break
    jobs_done, cpu_jobs_done = time.perf_counter(), time.process_time()
    delivery = {} if args.no_delivery else dict(services.dispatcher.run_once())
    finished = time.perf_counter()
    return {"elapsed": finished - started, "jobs_s": round(jobs_done - started, 2), "passes": passes,
            "jobs_cpu_s": round(cpu_jobs_done - cpu_started, 2),
            "by_job_s": {name: round(seconds, 1) for name, seconds in by_job.items() if seconds >= 0.05},
            "queued": queued, "delivery_s": round(finished - jobs_done, 2), "counts": {"delivery": delivery}}


def dispatch(services, at, args) -> dict:
    started = time.perf_counter()
    counts = services.dispatcher.run_once()
    return {"elapsed": time.perf_counter() - started, "counts": {"delivery": dict(counts)}}


def idle(services, at, args) -> dict:
    import jobs

    context = jobs.JobContext(services.sessions, services.gateway, at)
    totals, parts = [], {name: [] for name in [*jobs.JOBS, "delivery"]}
    for _ in range(3):
        jobs.run_tick(services, at)
    stop_at = time.perf_counter() + args.max_seconds
    for _ in range(args.ticks):
        if totals and time.perf_counter() > stop_at:
            break
        started = time.perf_counter()
        counts = jobs.run_tick(services, at)
        totals.append(time.perf_counter() - started)
        if any(isinstance(value, dict) and any(value.values()) for value in counts.values()):
            print(f"warning: an idle tick did work: {counts}", file=sys.stderr)
    for _ in range(max(3, len(totals) // 5)):
        for name, fn in jobs.JOBS.items():
            started = time.perf_counter()
            fn(context)
            parts[name].append(time.perf_counter() - started)
        started = time.perf_counter()
        services.dispatcher.run_once()
        parts["delivery"].append(time.perf_counter() - started)
    ms = lambda seconds: round(seconds * 1000, 2)  # noqa: E731
    return {"p50_ms": ms(percentile(totals, 0.5)), "p99_ms": ms(percentile(totals, 0.99)),
            "max_ms": ms(max(totals)), "ticks": len(totals),
            "jobs_p50_ms": {name: ms(percentile(values, 0.5)) for name, values in parts.items()}}


if __name__ == "__main__":
    main()
