#!/usr/bin/env bash
# Every benchmark on SQLite and, when BENCH_DATABASE_URL is set, on PostgreSQL; a short summary at the end.
#   bash bench/run_all.sh            BENCH_DATABASE_URL=postgresql://… bash bench/run_all.sh
# Knobs: BENCH_PROJECTS (10000), BENCH_TICKS (50), BENCH_IDLE_SECONDS (60), BENCH_CRASH_ROUNDS (20),
# BENCH_TICK_PROJECTS ("1000 10000 50000", PostgreSQL only).
# Prints figures; asserts nothing about time. Exits 1 if a benchmark fails or the crash test loses or repeats a post.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
PROJECTS=${BENCH_PROJECTS:-10000}
dbs=(sqlite)
[ -n "${BENCH_DATABASE_URL:-}" ] && dbs+=(postgres)
log=$(mktemp)
status=0
started=$SECONDS

run() {
    printf '\n$ %s\n' "$*"
    "$PY" "$@" 2>&1 | tee -a "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "FAILED: $*" | tee -a "$log"; status=1; }
}

for db in "${dbs[@]}"; do
    echo "DATABASE $db" >>"$log"
    run bench/bench_delivery.py --db "$db" --projects "$PROJECTS" --ticks "${BENCH_TICKS:-50}" \
        --idle-seconds "${BENCH_IDLE_SECONDS:-60}"
    run bench/crash_test.py --db "$db" --rounds "${BENCH_CRASH_ROUNDS:-20}"
    if [ -f bench/bench_commands.py ]; then
        run bench/bench_commands.py --db "$db" --projects "$PROJECTS"
    fi
    run bench/bench_pacing.py --db "$db"
    run bench/bench_trackers.py --db "$db" --links "${BENCH_TRACKER_LINKS:-1000}"
    if [ "$db" = postgres ]; then
        run bench/bench_tick.py --db postgres --projects ${BENCH_TICK_PROJECTS:-1000 10000 50000}
    fi
done
run bench/bench_ack.py

printf '\n== summary (%ss)\n' "$((SECONDS - started))"
grep -E '^(DATABASE|burst|idle|crash|FAILED|/expect|scenario|normal|slow|429|stalled|ack|writes|capped|uncapped|all-due|trackers)' "$log" | cut -c1-400
rm -f "$log"
exit $status
