"""`expect demo`: a scripted session against a local fake Slack, printed as it happens. Needs no credentials.

Everything is real except Slack: the Bolt app behind the HTTP server, signed requests, a SQLite database,
the jobs and the outbox. The clock stands still until the script moves it.
"""
from __future__ import annotations

import logging
import re
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from bot import ids
from bot.app import create_app
from bot.clock import FixedClock
from bot.commands import COMMANDS
from bot.db import upgrade
from bot.devtools.fakeslack import FakeSlack
from bot.devtools.signed import ALICE, BOB, HOME, INTERNAL, PARTNER, SECRET, SHARED, SlackClient
from bot.models import OutboxMessage, Project, SeenDelivery
from bot.mrkdwn import unescape
from bot.services import Services, build_services
from bot.settings import Settings
from bot.web import make_server, stop_server
from jobs import run_tick

DEMO_START = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
SLUG = "acme-website"
_WHO = {ALICE: "alice", BOB: "bob (client)"}
_CHANNELS = {SHARED: "acme-shared", INTERNAL: "acme-team"}
Step = Callable[["Demo"], None]


class Demo:
    """One scripted session: types commands, plays events, moves the clock and shows what happened."""

    def __init__(self, out: Callable[[str], None], slack: SlackClient, fake: FakeSlack, services: Services,
                 clock: FixedClock):
        self.out, self.slack, self.fake, self.services, self.clock = out, slack, fake, services, clock
        self._events = 0

    def say(self, text: str) -> None:
        self.out(f"\n--- {text}")

    def command(self, text: str, *, user: str = ALICE, team: str = HOME) -> str:
        """Type `/expect <text>` as `user`; print and return the bot's ephemeral answer."""
        self.out(f"\n{_WHO[user]}> /expect {text}")
        answer = self.slack.command(text, user=user, team=team)
        shown = _readable(answer.json) if answer.status == 200 else f"HTTP {answer.status} {answer.body[:200]}"
        self.out(textwrap.indent(shown or "(no reply)", "    "))
        self.deliver()
        return shown

    def client_says(self, text: str) -> None:
        """Bob, on the client's side of the Slack Connect channel, posts a message."""
        self.out(f"\nbob (client) in #acme-shared> {text}")
        message = self.fake.add_message(SHARED, text, user=BOB)
        self._events += 1
        event_id = f"EvDEMO{self._events:06d}"
        event = {"type": "message", "text": text, "user": BOB, "ts": message["ts"], "team": PARTNER,
                 "user_team": PARTNER, "source_team": PARTNER, "channel": SHARED, "event_ts": message["ts"],
                 "channel_type": "channel"}
        self.slack.event(event, event_id=event_id, ext_shared=True)
        self.wait_handled(f"event:{event_id}")
        self.deliver()

    def wait_handled(self, key: str, timeout: float = 10.0) -> None:
        """Wait until the event with this delivery key has been handled and committed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.services.sessions() as session:
                if session.get(SeenDelivery, key):
                    return
            time.sleep(0.02)

    def tick(self, at: datetime, why: str) -> None:
        """Move the clock and run every scheduled job once, as `expect tick --at` does."""
        self.clock.set(at)
        self.say(f"{why}: expect tick --at {at.isoformat().replace('+00:00', 'Z')}")
        results = run_tick(self.services, at)
        done = {name: counts for name, counts in results.items() if counts}
        self.out(f"    jobs: {done or 'nothing to do'}")

    def press(self, channel: str, action_id: str, *, user: str = ALICE, team: str = HOME) -> None:
        """Click the newest `action_id` button on expect's messages in `channel` (a user id: their DM)."""
        found = [(m, b) for m in self.fake.messages(channel) for b in _buttons(m) if b.get("action_id") == action_id]
        if not found:
            self.out(f"    (no {action_id} button in {channel})")
            return
        message, button = found[-1]
        where = "the DM" if channel[0] in "UW" else "#" + _CHANNELS.get(channel, channel)
        self.out(f"\n{_WHO[user]} clicks [{button['text']['text']}] on expect's message in {where}")
        conversation = self.services.gateway.dm_channel(channel) if channel[0] in "UW" else channel
        seen = len(self.fake.calls_to("response_url"))
        answer = self.slack.button(action_id, button.get("value", ""), user=user, team=team, channel=conversation,
                                   message_ts=message["ts"], message=message)
        if answer.status != 200:
            self.out(f"    HTTP {answer.status} {answer.body[:200]}")
        for response in self.fake.calls_to("response_url")[seen:]:
            self.out(textwrap.indent(_readable(response), "    "))
        self.deliver()

    def drain(self) -> None:
        """Move the clock to each queued post's time and run the tick, until nothing is waiting."""
        for _ in range(5):
            with self.services.sessions() as session:
                due = session.scalar(select(func.min(OutboxMessage.not_before)).where(OutboxMessage.state == "pending"))
            if due is None:
                return
            self.tick(max(due, self.clock.now()), "Queued posts are due")

    def deliver(self, timeout: float = 10.0) -> None:
        """Send what is ready, and wait for background sends, so that moving the clock never overtakes them."""
        self.services.dispatcher.run_once()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.services.sessions() as session:
                if not session.scalar(select(func.count()).where(OutboxMessage.state == "sending")):
                    return
            time.sleep(0.02)

    def client_channel(self) -> str:
        """Every post in the client channel in full, as the client reads it."""
        lines = []
        for message in self.fake.messages(SHARED):
            who = "expect" if message.get("bot_id") else _WHO.get(message.get("user"), message.get("user"))
            thread = "  ↳ " if message.get("thread_ts") not in (None, message["ts"]) else ""
            body = _readable(message) if message.get("blocks") else message.get("text", "")
            lines.append(f"{thread}{who}: " + textwrap.indent(body, " " * (len(thread) + len(who) + 2)).lstrip())
        return "\n\n".join(lines)

    def project(self) -> Project | None:
        with self.services.sessions() as session:
            return session.scalar(select(Project).where(Project.slug == SLUG))


def _buttons(message: dict) -> list[dict]:
    elements = []
    for block in message.get("blocks") or []:
        elements += block.get("elements", []) if block.get("type") == "actions" else [block.get("accessory") or {}]
    return [e for e in elements if e.get("type") == "button"]


def _readable(reply: dict) -> str:
    """What a person reads in a reply or message: its section and context texts, with Slack's tokens resolved."""
    texts = []
    for block in reply.get("blocks") or []:
        texts += [block["text"]["text"]] if isinstance(block.get("text"), dict) else []
        texts += [e["text"] for e in block.get("elements", []) if isinstance(e, dict) and isinstance(e.get("text"), str)]
    text = "\n".join(texts) or reply.get("text", "")
    text = re.sub(r"<!date\^[^|>]*\|([^>]*)>", r"\1", text)
    text = re.sub(r"<#([CG]\w+)(\|[^>]*)?>", lambda m: "#" + _CHANNELS.get(m.group(1), m.group(1)), text)
    text = re.sub(r"<@([UW]\w+)(\|[^>]*)?>", lambda m: "@" + _WHO.get(m.group(1), m.group(1)).split()[0], text)
    return unescape(text)


def registration(demo: Demo) -> None:
    demo.say("A team member registers a client project and its milestones")
    demo.command("help")
    demo.command('add-project "Acme Website" <#C07SHARED01|acme-shared> client="Acme Corp" '
                 'internal=<#C07INTERN01|acme-team> cadence="mon 10:00"')
    demo.command(f'add-milestone {SLUG} "Design sign-off" due=fri')
    demo.command(f'add-milestone {SLUG} "Launch" due="in 3 weeks"')
    demo.command(f"progress {SLUG} #1 60%")
    demo.command("list")
    demo.command(f"status {SLUG}")


def kickoff_and_owed(demo: Demo) -> None:
    if "owe" not in COMMANDS:
        return
    demo.say("The owner approves the kickoff card, and notes what the client owes")
    demo.press(ALICE, ids.KICKOFF_APPROVE)
    demo.command(f'owe {SLUG} "Brand assets and logo files" due=wed blocks=#1')


def mistakes(demo: Demo) -> None:
    demo.say("Mistakes get a plain answer, and nothing changes")
    demo.command('add-milestone acme-websit "QA pass" due=fri')
    demo.command(f'add-milestone {SLUG} "QA pass" due=someday')
    demo.command('add-project "Sneaky" <#C07SHARED01|acme-shared>', user=BOB, team=PARTNER)


def weekly_update(demo: Demo) -> None:
    project = demo.project()
    if project and project.next_update_at:
        demo.tick(project.next_update_at, "The weekly update is due")


def client_message(demo: Demo) -> None:
    demo.say("The client asks something in the shared channel")
    demo.client_says("Hi! Could we see the new homepage before Friday?")
    demo.tick(demo.clock.now() + timedelta(hours=1), "An hour later")


def slipping_date(demo: Demo) -> None:
    if "delay" not in COMMANDS:
        return
    demo.say("A date slips: the team is warned, then the client is told early")
    demo.command(f'risk {SLUG} #1 "Still waiting for the brand assets"')
    demo.command(f'delay {SLUG} #1 to=2026-12-02 reason="The brand assets arrived a week late" '
                 'impact="The launch date does not change"')
    demo.drain()
    demo.press(SHARED, ids.DELAY_NOTICE_ACK, user=BOB, team=PARTNER)
    demo.command(f"status {SLUG}")


SCRIPT: list[Step] = [registration, kickoff_and_owed, mistakes, weekly_update, client_message, slipping_date]


def _workspace(fake: FakeSlack) -> None:
    fake.add_user(ALICE, "alice", real_name="Alice Home", tz="Europe/Berlin")
    fake.add_user(BOB, "bob", real_name="Bob Partner", tz="America/Chicago", team_id=PARTNER)
    for channel, name in _CHANNELS.items():
        fake.add_channel(channel, name, ext_shared_with=PARTNER if channel == SHARED else None)


def run_demo(out: Callable[[str], None] = print) -> None:
    """Play the scripted session and print the Slack transcript at the end."""
    logging.getLogger().setLevel(logging.ERROR)
    with ExitStack() as stack:
        fake = stack.enter_context(FakeSlack())
        _workspace(fake)
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="expect-demo-"))
        url = f"sqlite:///{folder}/demo.db"
        upgrade(url)
        clock = FixedClock(DEMO_START)
        settings = Settings(bot_token=fake.token, signing_secret=SECRET, api_url=fake.base_url, database_url=url,
                            port=0)
        services = build_services(settings, clock=clock, dispatcher_threads=2)
        stack.callback(services.close)
        services.dispatcher.pace_seconds = 0
        server = make_server(create_app(services), services, host="127.0.0.1", port=0)
        thread = threading.Thread(target=server.run, name="demo-web", daemon=True)
        thread.start()
        stack.callback(thread.join, 5)
        stack.callback(stop_server, server)
        slack = SlackClient(f"http://127.0.0.1:{server.effective_port}/slack/events",
                            response_url=fake.response_url("demo"))
        demo = Demo(out, slack, fake, services, clock)
        out(f"expect demo: a fake Slack workspace at {fake.base_url}, expect at {slack.url}, "
            f"the clock at {DEMO_START:%a %Y-%m-%d %H:%M} UTC.")
        for step in SCRIPT:
            try:
                step(demo)
            except Exception as error:
                out(f"    (this step failed: {error!r})")
        demo.deliver()
        out("\n=== The client channel #acme-shared, as the client reads it ===")
        out(demo.client_channel())
        out("\n=== What Slack saw (the client channel, the team's channel and DMs) ===")
        out(fake.transcript())
