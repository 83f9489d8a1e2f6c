"""Response-time promises: a client's new message gets a deadline in business hours; the team keeps it."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain import outbox
from bot.domain.isolation import RETRY_FAILED, each_isolated
from bot.domain.projects import business_hours, local_today
from bot.domain.content import dump
from bot.domain.posts import PromiseAlert, PromiseReply
from bot.domain.text import clean_user_text
from bot.models import Project
from bot.mrkdwn import unescape
from bot.models.expectations import ResponsePromise

WARN_SHARE = 0.75
KEEPING_REACTIONS = frozenset({"white_check_mark", "heavy_check_mark", "ballot_box_with_check"})
COUNTED_SUBTYPES = (None, "file_share", "thread_broadcast")
_EMOJI = re.compile(r":[a-z0-9_+'-]+:|[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]", re.I)
_MENTION = re.compile(r"<[@!#][^>]*>")
_ACK_WORDS = frozenset(
    "thanks thank you thx ty tysm cheers ok okay k kk cool great perfect noted got it sounds good awesome nice "
    "much many a lot lots will do sure yes yep great super brilliant lovely ta appreciated appreciate".split())


@dataclass(frozen=True)
class Inbound:
    """A message event worth a look: a person's message in some channel, top-level or in a thread."""
    channel: str
    ts: str
    thread_ts: str | None
    user: str
    team: str | None
    text: str
    first_name: str | None


def inbound(event: dict, *, bot_user_id: str | None = None) -> Inbound | None:
    """The message, unless it is a bot's, an edit, a join or any other non-message event."""
    if event.get("type") != "message" or event.get("bot_id") or event.get("subtype") not in COUNTED_SUBTYPES:
        return None
    if not event.get("user") or event.get("user") == bot_user_id or not event.get("channel") or not event.get("ts"):
        return None
    thread_ts = event.get("thread_ts")
    profile = event.get("user_profile") or {}
    return Inbound(
        channel=event["channel"], ts=event["ts"], thread_ts=thread_ts if thread_ts not in (None, event["ts"]) else None,
        user=event["user"], team=event.get("user_team") or event.get("team"), text=unescape(event.get("text") or ""),
        first_name=profile.get("first_name") or profile.get("display_name") or None,
    )


def is_small_talk(text: str) -> bool:
    """Emoji-only messages and thanks/ok messages need no answer."""
    bare = _EMOJI.sub(" ", _MENTION.sub(" ", text.lower()))
    words = re.findall(r"[a-z']+", bare)
    if not words:
        return not re.search(r"\d", bare)
    return len(words) <= 6 and all(word.strip("'") in _ACK_WORDS for word in words)


def project_for_channel(session: Session, channel_id: str) -> Project | None:
    return session.scalar(
        select(Project).where(Project.channel_id == channel_id, Project.status == "active").order_by(Project.id).limit(1)
    )


def open_promise(session: Session, *, project: Project, message: Inbound, name: str, now: datetime) -> ResponsePromise | None:
    """Track a new question from the client's side and, unless switched off, tell them when to expect an answer."""
    if session.scalar(select(ResponsePromise.id).where(
            ResponsePromise.channel_id == message.channel, ResponsePromise.message_ts == message.ts)):
        return None
    hours = business_hours(project)
    deadline = hours.deadline(now, project.respond_within)
    amount, unit = int(project.respond_within[:-1]), project.respond_within[-1]
    window_hours = amount if unit == "h" else amount * _day_hours(project)
    warn_at = hours.add_hours(now, WARN_SHARE * window_hours)
    promise = ResponsePromise(
        project_id=project.id, channel_id=message.channel, message_ts=message.ts, user_id=message.user,
        user_name=name[:200], excerpt=clean_user_text(message.text[:280], field="message", limit=400),
        acknowledged=project.auto_ack, received_at=now, deadline=deadline,
        warn_at=warn_at, alert_at=min(warn_at, deadline), state="open",
    )
    session.add(promise)
    session.flush()
    if project.auto_ack:
        outbox.enqueue(session, project=project, kind="promise-ack", period_key=message.ts,
                       payload={"content": dump(PromiseReply(name, deadline, _back_on(project, hours, now), project.tz))},
                       thread_ts=message.ts, urgent=True, now=now)
    return promise


def _back_on(project: Project, calendar, now: datetime):
    """The day the team is back, when today is a public holiday or within a closure; else None."""
    today = local_today(project, now)
    if calendar.is_open_day(today) or not (calendar.holiday(today) or calendar.closure_end(today)):
        return None
    return calendar.open_day_from(today)


def _day_hours(project: Project) -> float:
    start_h, start_m = map(int, project.business_start.split(":"))
    end_h, end_m = map(int, project.business_end.split(":"))
    return ((end_h * 60 + end_m) - (start_h * 60 + start_m)) / 60


def keep(session: Session, *, channel_id: str, message_ts: str, by: str, now: datetime) -> ResponsePromise | None:
    """A team member answered (or ticked) the client's message: the promise is kept, or kept late."""
    promise = session.scalar(select(ResponsePromise).where(
        ResponsePromise.channel_id == channel_id, ResponsePromise.message_ts == message_ts,
        ResponsePromise.state == "open"))
    if promise is None:
        return None
    promise.answered_at, promise.answered_by, promise.alert_at = now, by, None
    promise.state = "kept" if now <= promise.deadline else "late"
    return promise


def send_alerts(session: Session, *, now: datetime, counts: Counter | None = None) -> int:
    """At 75 % of the window alert the team; at the deadline, the owner. Returns how many alerts were queued.

    Only open promises have an `alert_at` (their next alert), so an idle pass reads nothing. A promise whose
    alert fails is counted in `counts["failed"]` and looked at again later.
    """
    counts = Counter() if counts is None else counts
    sent = 0
    due = (select(ResponsePromise).join(Project, Project.id == ResponsePromise.project_id)
           .where(ResponsePromise.alert_at <= now, Project.status == "active")
           .order_by(ResponsePromise.alert_at, ResponsePromise.id).with_for_update(skip_locked=True, of=ResponsePromise))
    overdue = due.where(ResponsePromise.deadline <= now, ResponsePromise.overdue_alerted_at.is_(None))
    warn = due.where(ResponsePromise.warn_at <= now, ResponsePromise.warned_at.is_(None))
    for query, alert in ((overdue, _alert_overdue), (warn, _warn)):
        sent += len(each_isolated(session, session.scalars(query).all(), partial(alert, session, now=now), counts,
                                  step="promise alert", project_id=lambda promise: promise.project_id,
                                  later=lambda promise: setattr(promise, "alert_at", now + RETRY_FAILED)))
    return sent


def _alert_overdue(session: Session, promise: ResponsePromise, *, now: datetime) -> None:
    project = session.get(Project, promise.project_id)
    promise.overdue_alerted_at, promise.warned_at, promise.alert_at = now, promise.warned_at or now, None
    outbox.enqueue(session, project=project, kind="promise-overdue", period_key=str(promise.id),
                   channel_id=project.owner_id, payload=_alert(project, promise, now, overdue=True),
                   client_visible=False, now=now)


def _warn(session: Session, promise: ResponsePromise, *, now: datetime) -> None:
    project = session.get(Project, promise.project_id)
    promise.warned_at, promise.alert_at = now, promise.deadline
    outbox.enqueue(session, project=project, kind="promise-warning", period_key=str(promise.id),
                   channel_id=project.internal_channel_id or project.owner_id,
                   payload=_alert(project, promise, now, overdue=False), client_visible=False, now=now)


def _alert(project: Project, promise: ResponsePromise, now: datetime, *, overdue: bool) -> dict:
    return {"content": dump(PromiseAlert(project.name, promise.user_name, promise.channel_id, promise.deadline,
                                         promise.excerpt, now, overdue))}


def kept_share_facts() -> tuple:
    """`promises_kept` out of `promises_decided` (answered, or already past their deadline) for the project of the
    enclosing query, as labelled scalar subqueries."""
    decided = select(func.count()).where(
        ResponsePromise.project_id == Project.id,
        (ResponsePromise.state != "open") | ResponsePromise.overdue_alerted_at.is_not(None),
    )
    return (decided.where(ResponsePromise.state == "kept").scalar_subquery().label("promises_kept"),
            decided.scalar_subquery().label("promises_decided"))
