"""How fast Slack hears back from `expect web` when Slack's Web API is slow, beside a bare Bolt app.

    python bench/bench_ack.py [--requests 40] [--concurrency 8]

Starts a fake Slack, a running `expect web` and the bare Bolt peer (bench/bare_bolt.py --users-info: its
`/expect` listener calls users.info before it acks, with a WebClient that honours Retry-After as slack_sdk's
retry handler does). Each scenario makes the fake answer users.info normally, slowly (4 s), with a 429
`Retry-After: 5`, or not at all (stalled for 30 s), and sends signed `/expect list` commands from users neither
app has seen before. Prints ack p50/p99 per app and as ratios: expect against the
bare app, and each against Slack's 3 s deadline. Asserts nothing about time.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from bare_bolt import start_bare
from bench_commands import start_web
from common import FakeSlackProcess, percentile

from bot.db import upgrade
from bot.devtools.signed import SHARED, SlackClient

DEADLINE_MS = 3000
SCENARIOS = {  # name -> fake Slack set-up for users.info, given how many calls the round will make
    "normal": lambda fake, n: fake.control("slow_down", method="users.info", seconds=0),
    "slow 4 s": lambda fake, n: fake.control("slow_down", method="users.info", seconds=4),
    "429 Retry-After 5": lambda fake, n: (fake.control("slow_down", method="users.info", seconds=0),
                                          fake.control("fail_next", method="users.info", retry_after=5, times=n)),
    "stalled": lambda fake, n: fake.control("slow_down", method="users.info", seconds=30),
}


class Fake(FakeSlackProcess):
    def control(self, endpoint: str, **payload) -> None:
        request = urllib.request.Request(self.base + "_fake/" + endpoint, data=json.dumps(payload).encode(),
                                         method="POST")
        urllib.request.urlopen(request, timeout=10).read()


def measure(client: SlackClient, users: list[str], concurrency: int) -> tuple[list[float], Counter]:
    """Milliseconds until each answer, and the answers' HTTP statuses."""
    statuses = Counter()

    def one(user: str) -> float:
        started = time.perf_counter()
        statuses[client.command("list", user=user).status] += 1
        return (time.perf_counter() - started) * 1000
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, users)), statuses


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="per app and scenario")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    folder = tempfile.TemporaryDirectory(prefix="expect-bench-")
    url = f"sqlite:///{folder.name}/bench.db"
    upgrade(url)
    processes = []
    with Fake() as fake:
        fake.control("add_channel", channel_id=SHARED, name="acme-shared")
        try:
            web, web_base = start_web(url, fake.api_url)
            processes.append(web)
            bare, bare_base = start_bare(fake.api_url, users_info=True)
            processes.append(bare)
            apps = {"expect": SlackClient(f"{web_base}/slack/events"),
                    "bare Bolt": SlackClient(f"{bare_base}/slack/events")}
            fake.control("add_user", user_id="U0WARMUP01", name="warm")
            for client in apps.values():
                measure(client, ["U0WARMUP01"] * 20, args.concurrency)
            print(f"{args.requests} signed /expect commands per app and scenario, {args.concurrency} at a time; "
                  "users.info as the fake Slack answers it")
            print(f"{'scenario':<19} {'expect p50/p99 ms':>18} {'bare p50/p99 ms':>17} {'p99 ratio':>10} "
                  f"{'expect p99/3 s':>15} {'bare p99/3 s':>13}")
            for round_, (name, arrange) in enumerate(SCENARIOS.items()):
                figures = {}
                for app_name, client in apps.items():
                    users = [f"U{round_}{app_name[0].upper()}{n:07d}" for n in range(args.requests)]
                    for user in users:
                        fake.control("add_user", user_id=user, name=user.lower())
                    arrange(fake, args.requests)
                    timings, statuses = measure(client, users, args.concurrency)
                    figures[app_name] = (percentile(timings, 0.5), percentile(timings, 0.99), statuses)
                (e50, e99, e_status), (b50, b99, b_status) = figures["expect"], figures["bare Bolt"]
                print(f"{name:<19} {e50:>8.0f}/{e99:<9.0f} {b50:>7.0f}/{b99:<9.0f} {e99 / b99:>9.2f}x "
                      f"{e99 / DEADLINE_MS:>14.2f}x {b99 / DEADLINE_MS:>12.2f}x   HTTP expect {dict(e_status)}, "
                      f"bare {dict(b_status)}")
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=10)
            folder.cleanup()


if __name__ == "__main__":
    main()
