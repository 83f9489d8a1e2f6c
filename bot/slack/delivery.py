"""Sends the outbox to Slack exactly once in effect.

chat.postMessage has no idempotency key, so every post carries our outbox id in its message metadata; a send
whose outcome is unknown (crash, timeout, 5xx) is settled by looking for that id in the channel's history
before anything is posted again.
"""
from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, defer, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from bot.blocks.render import render_payload
from bot.clock import Clock
from bot.db import update_rows
from bot.domain import history, outbox, workspaces
from bot.domain.lifecycle import ARCHIVED_KIND, is_archived
from bot.models import OutboxMessage, Project
from bot.mrkdwn import Markup, channel_link, fmt, user_mention
from bot.mrkdwn import code as bare_code
from bot.slack.gateway import OutcomeUnknown, Posted, RateLimited, SlackError, SlackGateway
from bot.slack.pacing import Held, Pacer

log = logging.getLogger(__name__)

SentHook = Callable[[Session, OutboxMessage, datetime], None]
SentBatchHook = Callable[[Session, list[OutboxMessage], datetime], None]
PostedHook = Callable[[SlackGateway, OutboxMessage, Posted, dict], None]
SENT_HOOKS: dict[str, SentHook] = {}
SENT_BATCH_HOOKS: dict[str, SentBatchHook] = {}
POSTED_HOOKS: dict[str, PostedHook] = {}
# Slack has been seen to store a message 25 s after the request timed out; history is trusted only after this.
SETTLE = timedelta(seconds=60)
BUDGET_EXEMPT = frozenset({"update", "kickoff"})
HISTORY_MARGIN = timedelta(minutes=5)
RATE_LIMIT_RETRIES = 3
LEASE_MARGIN = timedelta(seconds=20)
# What claiming and rendering read of a project (status, workspace, language, budget); the rest loads if asked.
CLAIM_COLUMNS = (Project.id, Project.team_id, Project.enterprise_id, Project.status, Project.lang,
                 Project.weekly_budget)
RECORD_WAIT = 0.2  # seconds a batch of outcomes may gather before it is written (fewer, larger transactions)
# The longest a claimed row waits for its workspace's budget: a team held longer (a 429's Retry-After) is not
# claimed, and its claimed rows go back to the outbox instead of keeping a thread waiting.
PATIENCE = 5.0


class LeaseRunningOut(Exception):
    """The pacer kept a claimed row waiting so long that another worker may soon take it over: don't post it."""


def on_sent(kind: str) -> Callable[[SentHook], SentHook]:
    """Register what to record, in the same transaction, once a post of `kind` is known to be in Slack.

    Hooks of a batch of sends run with autoflush off and are written in one flush at commit.
    """
    def register(hook: SentHook) -> SentHook:
        SENT_HOOKS[kind] = hook
        return hook
    return register


def on_sent_batch(kind: str) -> Callable[[SentBatchHook], SentBatchHook]:
    """Like on_sent, once for all the posts of `kind` recorded together (one query for many)."""
    def register(hook: SentBatchHook) -> SentBatchHook:
        SENT_BATCH_HOOKS[kind] = hook
        return hook
    return register


def on_posted(kind: str) -> Callable[[PostedHook], PostedHook]:
    """Register a Slack follow-up (a pin, say) right after a post of `kind` lands."""
    def register(hook: PostedHook) -> PostedHook:
        POSTED_HOOKS[kind] = hook
        return hook
    return register


class OwnerMustKnow(Exception):
    """An after-post step that Slack refused for good; its message goes to the project's owner, once."""


@dataclass
class Claim:
    row: OutboxMessage
    in_doubt: bool
    message: dict | None = None
    team_id: str = ""
    enterprise_id: str | None = None


class Dispatcher:
    def __init__(self, sessions: sessionmaker[Session], gateway: SlackGateway, clock: Clock, *,
                 worker_id: str | None = None, lease: timedelta = timedelta(minutes=2), batch: int = 500,
                 threads: int = 16, pacer: Pacer | None = None, per_channel: int = 5, settle: timedelta = SETTLE,
                 workspaces=None):
        """`workspaces` (distribution mode): each row goes out with its own project's team's token."""
        self.sessions, self.gateway, self.clock, self.workspaces = sessions, gateway, clock, workspaces
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        # A send of unknown outcome is looked up in history (and re-posted if absent) only after `settle`.
        self.settle, self.lease = settle, max(lease, settle)
        self.batch, self.threads = batch, threads
        self.pacer, self.per_channel = pacer, per_channel
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="deliver")
        self._kick_lock = threading.Lock()
        self._run_lock = threading.Lock()
        self._closed = threading.Event()

    def close(self, wait: float = 30.0) -> None:
        """Stop: no new pass starts, a background pass finishes the sends it has claimed, then the threads end."""
        self._closed.set()
        if self._kick_lock.acquire(timeout=wait):
            self._kick_lock.release()
        self._pool.shutdown(wait=True)

    def kick(self) -> None:
        """Deliver now, in the background, without waiting for the next tick."""
        if not self._closed.is_set() and self._kick_lock.acquire(blocking=False):
            def run():
                try:
                    self.run_once()
                except Exception:
                    log.exception("background delivery failed")
                finally:
                    self._kick_lock.release()
            threading.Thread(target=run, name="deliver-kick", daemon=True).start()

    def run_once(self, max_rounds: int = 1000) -> Counter:
        """Send everything that is ready now; returns counts by outcome. One pass at a time per dispatcher."""
        totals: Counter = Counter()
        with self._run_lock:
            for _ in range(max_rounds):
                if self._closed.is_set():
                    break
                claims = self._claim()
                if not claims:
                    break
                totals += self._send(claims)
        return totals

    def _claim(self) -> list[Claim]:
        now = self.clock.now()
        ready = or_(
            and_(OutboxMessage.state == "pending", OutboxMessage.not_before <= now),
            and_(OutboxMessage.state.in_(("sending", "unknown")), OutboxMessage.lease_until < now),
        )
        with self.sessions.begin() as session, session.no_autoflush:
            rows = list(session.scalars(self._ready_rows(ready)))
            # One query for the columns of the batch's projects that the checks and rendering read (no ORM objects).
            projects = {p.id: p for p in session.execute(
                select(*CLAIM_COLUMNS).where(Project.id.in_({row.project_id for row in rows})))} if rows else {}
            claims, per_channel, budget_used, top_in_flight = [], Counter(), {}, set()
            for row in rows:
                project = projects.get(row.project_id)
                if project is not None and project.status == workspaces.PAUSED:
                    workspaces.hold(row)
                    continue
                if row.kind != ARCHIVED_KIND and row.state == "pending" and is_archived(project):
                    row.state, row.error = "cancelled", "archived"
                    continue
                if per_channel[row.channel_id] >= self.per_channel or not self._thread_ready(session, row, now):
                    continue
                if not self._within_budget(session, row, project, now, budget_used, top_in_flight):
                    continue
                if row.client_visible and row.top_level:
                    top_in_flight.add(row.channel_id)
                per_channel[row.channel_id] += 1
                claims.append(Claim(row=row, in_doubt=row.state in ("sending", "unknown"),
                                    message=self._render(row, project), team_id=project.team_id if project else "",
                                    enterprise_id=project.enterprise_id if project else None))
            if claims:
                self._lease(session, [claim.row for claim in claims], now)
        return claims

    def _ready_rows(self, ready):
        """The rows to claim, oldest first. With a pacer, rows of workspaces held past PATIENCE stay out; with
        several workspaces, each gets at most what its budget sends in PATIENCE, taken in turns (each team's
        oldest first), so one team's backlog never fills a claim."""
        query = select(OutboxMessage).where(ready)
        held = self.pacer.held(PATIENCE) if self.pacer else set()
        if held:
            query = query.where(OutboxMessage.project_id.not_in(select(Project.id).where(Project.team_id.in_(held))))
        if not (self.pacer and self.workspaces is not None):
            order = (OutboxMessage.not_before, OutboxMessage.id)
            return query.order_by(*order).limit(self._claim_size()).with_for_update(skip_locked=True)
        turn = func.row_number().over(partition_by=Project.team_id, order_by=(OutboxMessage.not_before,
                                                                              OutboxMessage.id))
        turns = (select(OutboxMessage.id, turn.label("turn")).join(Project, Project.id == OutboxMessage.project_id)
                 .where(ready).subquery())
        share = self.pacer.workspace.burst + int(self.pacer.workspace.per_second * PATIENCE)
        return (query.join(turns, turns.c.id == OutboxMessage.id).where(turns.c.turn <= share)
                .order_by(turns.c.turn, OutboxMessage.not_before, OutboxMessage.id)
                .limit(self._claim_size()).with_for_update(of=OutboxMessage, skip_locked=True))

    def _lease(self, session: Session, rows: list[OutboxMessage], now: datetime) -> None:
        """Take the rows in one UPDATE; the objects are told the same values, so the flush does not repeat it."""
        table, lease_until = OutboxMessage.__table__, now + self.lease
        session.execute(update(table).where(table.c.id.in_([row.id for row in rows])).values(
            state="sending", lease_owner=self.worker_id, lease_until=lease_until, attempts=table.c.attempts + 1))
        for row in rows:
            for key, value in (("state", "sending"), ("lease_owner", self.worker_id), ("lease_until", lease_until),
                               ("attempts", row.attempts + 1)):
                set_committed_value(row, key, value)

    def _render(self, row: OutboxMessage, project: Project | None) -> dict | None:
        """The row's message, rendered now (so it speaks the project's language as it is at send time)."""
        try:
            return render_payload(row.payload, project=project)
        except Exception:
            log.exception("outbox %s could not be rendered", row.id)
            return None

    def _claim_size(self) -> int:
        """No more than the pacer lets through in half a lease, so claims don't outlive their lease waiting."""
        if not self.pacer:
            return self.batch
        return max(1, min(self.batch, int(self.pacer.workspace.per_second * self.lease.total_seconds() / 2)))

    def _thread_ready(self, session: Session, row: OutboxMessage, now: datetime) -> bool:
        if row.thread_of_id is None or row.thread_ts:
            return True
        parent = session.get(OutboxMessage, row.thread_of_id)
        if parent is not None and parent.ts:
            row.thread_ts = parent.ts
            return True
        if parent is None or parent.state in ("failed", "cancelled"):
            row.thread_of_id, row.top_level = None, True
            return True
        row.not_before = now + timedelta(seconds=30)
        return False

    def _within_budget(self, session: Session, row: OutboxMessage, project, now: datetime, used: dict,
                       in_flight: set[str]) -> bool:
        """Top-level client posts beyond the channel's weekly budget go in the thread of the latest one.

        While a top-level post to the channel is in this batch, the reply waits a round for it to land.
        """
        if not (row.client_visible and row.top_level) or row.kind in BUDGET_EXEMPT or row.state != "pending":
            return True
        if row.channel_id not in used:
            used[row.channel_id] = outbox.top_level_posts_this_week(session, channel_id=row.channel_id, now=now)
        budget = project.weekly_budget
        if used[row.channel_id] < budget:
            used[row.channel_id] += 1
            return True
        if row.channel_id in in_flight:
            return False
        parent = session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.channel_id == row.channel_id, OutboxMessage.state == "sent",
                OutboxMessage.top_level.is_(True), OutboxMessage.client_visible.is_(True),
            ).order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc()).limit(1)
        )
        row.top_level = False
        row.thread_of_id, row.thread_ts = (parent.id, parent.ts) if parent else (None, None)
        return True

    def _send(self, claims: list[Claim]) -> Counter:
        by_channel: dict[str, list[Claim]] = defaultdict(list)
        for claim in claims:
            by_channel[(claim.team_id, claim.row.channel_id)].append(claim)
        results: queue.Queue = queue.Queue()
        futures = [self._pool.submit(self._send_channel, group, results) for group in _in_turns(by_channel)]
        counts: Counter = Counter()
        pending, finished = len(claims), 0
        while finished < pending:
            batch = [results.get()]
            gather_until = time.monotonic() + RECORD_WAIT
            while finished + len(batch) < pending and len(batch) < self.batch:
                try:
                    batch.append(results.get(timeout=max(0.0, gather_until - time.monotonic())))
                except queue.Empty:
                    break
            finished += len(batch)
            counts.update(outcome for outcome, *_ in batch)
            self._record(batch)
        for future in futures:
            future.result()
        return counts

    def _send_channel(self, group: list[Claim], results: queue.Queue) -> None:
        for index, claim in enumerate(group):
            try:
                outcome = self._deliver(claim)
            except Exception as error:
                log.exception("delivery of outbox %s failed unexpectedly", claim.row.id)
                outcome = ("unknown", claim, repr(error))
            results.put(outcome)
            if outcome[0] == "rate_limited" and not self.pacer:
                for rest in group[index + 1:]:
                    results.put(("rate_limited", rest, outcome[2]))
                return

    def _gateway(self, claim: Claim) -> SlackGateway:
        """The gateway of the claim's own team (the one gateway in single-workspace mode)."""
        if self.workspaces is None:
            return self.gateway
        return self.workspaces.get(claim.team_id, claim.enterprise_id).gateway

    def _deliver(self, claim: Claim) -> tuple:
        row = claim.row
        try:
            gateway = self._gateway(claim)
            channel = gateway.dm_channel(row.channel_id) if row.channel_id[0] in "UW" else row.channel_id
            if claim.in_doubt:
                oldest = (row.created_at - HISTORY_MARGIN).timestamp()
                ts = gateway.find_posted(channel, event_type=outbox.EVENT_TYPE, outbox_id=row.id, oldest=oldest,
                                         thread_ts=row.thread_ts)
                if ts:
                    return ("recovered", claim, Posted(channel=channel, ts=ts))
            if claim.message is None:
                return ("failed", claim, "render_failed", True)
            posted = self._post(claim, channel, gateway)
        except RateLimited as limited:
            return ("rate_limited", claim, limited.retry_after)
        except Held as held:
            return ("rate_limited", claim, held.seconds)
        except LeaseRunningOut:
            return ("released", claim)
        except OutcomeUnknown as unknown:
            return ("unknown", claim, str(unknown))
        except SlackError as error:
            if self.workspaces is not None:
                self.workspaces.refused(claim.team_id, claim.enterprise_id, error)
            return ("failed", claim, error.code, error.permanent)
        hook = POSTED_HOOKS.get(row.kind)
        if hook:
            try:
                hook(gateway, row, posted, claim.message)
            except OwnerMustKnow as refused:
                return ("sent", claim, posted, str(refused))
            except Exception:
                log.exception("after-post step for outbox %s failed", row.id)
        return ("sent", claim, posted)

    def _post(self, claim: Claim, channel: str, gateway: SlackGateway) -> Posted:
        """chat.postMessage when the pacer allows; after a 429 the whole workspace waits, then this post retries."""
        row = claim.row
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            if self.pacer:
                self.pacer.acquire(claim.team_id, row.channel_id, patience=PATIENCE)
                if self.clock.now() >= row.lease_until - LEASE_MARGIN:
                    raise LeaseRunningOut()
            try:
                return gateway.post(
                    channel, text=claim.message.get("text", ""), blocks=claim.message.get("blocks"),
                    thread_ts=row.thread_ts, metadata=outbox.metadata_for(row),
                )
            except RateLimited as limited:
                if not self.pacer or attempt == RATE_LIMIT_RETRIES:
                    raise
                self.pacer.rate_limited(claim.team_id, limited.retry_after)
        raise AssertionError("unreachable")

    def _record(self, batch: list[tuple]) -> None:
        """Write a batch of outcomes in one transaction: plain sends with one UPDATE, the rest row by row."""
        now = self.clock.now()
        with self.sessions.begin() as session:
            mine = set(session.scalars(select(OutboxMessage.id).where(
                OutboxMessage.id.in_([item[1].row.id for item in batch]), OutboxMessage.state == "sending",
                OutboxMessage.lease_owner == self.worker_id).with_for_update()))
            batch = [item for item in batch if item[1].row.id in mine]
            plain = [item for item in batch if item[0] in ("sent", "recovered") and len(item) == 3
                     and item[1].row.kind not in SENT_HOOKS]
            if plain:
                update_rows(session, OutboxMessage.__table__, [
                    {"id": claim.row.id, "ts": posted.ts, "posted_channel_id": posted.channel}
                    for _, claim, posted in plain], match=("id",), state="sent", sent_at=now, error=None,
                    lease_owner=None)
                history.posts_sent(session, [claim.row for _, claim, _posted in plain], now)
            sent: dict[str, list] = defaultdict(list)
            for _, claim, _posted in plain:
                sent[claim.row.kind].append(claim.row)
            recorded = {id(item) for item in plain}
            rest = [item for item in batch if id(item) not in recorded]
            if rest:
                for row in self._record_rows(session, rest, now):
                    sent[row.kind].append(row)
            with session.no_autoflush:
                for kind, rows_of_kind in sent.items():
                    if kind in SENT_BATCH_HOOKS:
                        SENT_BATCH_HOOKS[kind](session, rows_of_kind, now)

    def _record_rows(self, session: Session, batch: list[tuple], now: datetime) -> list[OutboxMessage]:
        """Outcomes that need the rows: failures, deferrals, sends with a hook or a word for the owner."""
        rows = {row.id: row for row in session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_([item[1].row.id for item in batch]))
            .options(defer(OutboxMessage.payload))
        )}
        projects = list(session.scalars(  # noqa: F841 -- held in the identity map for the hooks' session.get
            select(Project).where(Project.id.in_({row.project_id for row in rows.values()}))))
        sent = []
        with session.no_autoflush:
            for outcome, claim, *detail in batch:
                row = rows[claim.row.id]
                row.lease_owner = None
                if outcome in ("sent", "recovered"):
                    self._mark_sent(session, row, detail[0], now)
                    if len(detail) > 1:
                        self._tell_owner(session, row, detail[1], now)
                    sent.append(row)
                elif outcome == "released":
                    row.state, row.lease_until = ("unknown" if claim.in_doubt else "pending"), now
                    row.attempts -= 1
                elif outcome == "rate_limited":
                    row.state, row.not_before = "pending", now + timedelta(seconds=detail[0])
                    row.attempts -= 1
                elif outcome == "unknown":
                    row.state, row.lease_until, row.error = "unknown", now + self.settle, detail[0]
                else:
                    self._mark_failed(session, row, code=detail[0], permanent=detail[1], now=now)
        return sent

    def _mark_sent(self, session: Session, row: OutboxMessage, posted: Posted, now: datetime) -> None:
        row.state, row.ts, row.posted_channel_id, row.sent_at, row.error = "sent", posted.ts, posted.channel, now, None
        hook = SENT_HOOKS.get(row.kind)
        if hook:
            hook(session, row, now)

    def _tell_owner(self, session: Session, row: OutboxMessage, text: str, now: datetime) -> None:
        project = session.get(Project, row.project_id)
        outbox.enqueue(session, project=project, kind="attention", period_key=f"after-post:{row.id}",
                       channel_id=project.owner_id, payload={"text": text}, client_visible=False, now=now)

    def _mark_failed(self, session: Session, row: OutboxMessage, *, code: str, permanent: bool, now: datetime) -> None:
        row.state, row.error = "failed", code
        if not permanent or row.kind == "attention":
            return
        project = session.get(Project, row.project_id)
        project.attention = attention_note(row.channel_id, code)
        outbox.enqueue(
            session, project=project, kind="attention", period_key=f"{code}:{row.id}", channel_id=project.owner_id,
            payload={"text": attention_text(project, row.channel_id, code)}, client_visible=False, now=now,
        )


def _in_turns(by_channel: dict[tuple[str, str], list[Claim]]) -> list[list[Claim]]:
    """The channels' groups with the teams taking turns, so no team's channels queue ahead of all others'."""
    by_team: dict[str, list[list[Claim]]] = defaultdict(list)
    for (team, _channel), group in by_channel.items():
        by_team[team].append(group)
    teams = list(by_team.values())
    return [groups[i] for i in range(max(map(len, teams), default=0)) for groups in teams if i < len(groups)]


FIXES = {
    "not_in_channel": "invite me with `/invite @expect` in {where}",
    "channel_not_found": "check that {where} still exists and invite me with `/invite @expect`",
    "is_archived": "unarchive {where} or move the project with {settings}",
}


def _where(channel: str) -> Markup:
    return user_mention(channel) if channel[:1] in ("U", "W") else channel_link(channel)


def attention_note(channel: str, code: str) -> Markup:
    """What `project.attention` says after a refused post (template text: shown as is)."""
    return fmt("Slack refused a post to {where}: {code}", where=_where(channel), code=bare_code(code))


def attention_text(project: Project, channel: str, code: str) -> Markup:
    fix = fmt(FIXES.get(code, "reinstall the app or ask a workspace admin to check its token"), where=_where(channel),
              settings=bare_code(f"/expect settings {project.slug} channel=#new-channel"))
    return fmt(":warning: I couldn't post to {where} for *{name}*: Slack said {code}. I've stopped trying. "
               "To fix it, {fix}.", where=_where(channel), name=project.name, code=bare_code(code), fix=fix)
