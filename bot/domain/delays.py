"""Delay alerts: noticing a slipping milestone before the client does, and the team's answers to it.

An alert is opened once per change of a milestone's state (on track → at risk → overdue); it is internal,
posted to the project's team channel or the owner's DM, and escalates while nobody acknowledges it.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import outbox, signals, tenancy
from bot.domain.content import dump
from bot.domain.dates import within_range
from bot.domain.errors import UserError
from bot.domain.isolation import RETRY_FAILED, each_isolated
from bot.domain.projects import business_hours, expected_progress, local_today, mark_done
from bot.i18n import TN_
from bot.mrkdwn import Markup, fmt, user_mention
from bot.domain.posts import AlertFacts, DelayAlertPost, DelayEscalation, DelayReminder, SnoozeOver
from bot.models import Milestone, MilestoneMove, OutboxMessage, Project
from bot.models.delays import DelayAlert
from bot.models.projects import RECHECK

KINDS = ("overdue", "at_risk")
ALERT_KIND, REMINDER_KIND = "delay_alert", "delay_reminder"
ESCALATION_KIND, WAKE_KIND = "delay_escalation", "delay_wake"
REMIND_AFTER_HOURS = 4
ESCALATE_AFTER_HOURS = 24
SNOOZE = timedelta(days=1)
REASON_LIMIT = 1500
NEVER = datetime(9999, 1, 1, tzinfo=timezone.utc)
HISTORY_WORDS = {
    "acknowledged": TN_(":eyes: Acknowledged"),
    "snoozed": TN_(":zzz: Snoozed for a day"),
    "snooze_over": TN_(":alarm_clock: Snooze over"),
    "reminded": TN_(":bell: Reminded the owner"),
    "escalated": TN_(":rotating_light: Escalated to the team"),
    "notified": TN_(":mega: Client notified"),
    "moved": TN_(":calendar: Date moved quietly"),
    "done": TN_(":white_check_mark: Marked done"),
    "cleared": TN_(":large_green_circle: Back on track"),
    "superseded": TN_(":red_circle: Now overdue (see the new alert)"),
    "flagged": TN_(":triangular_flag_on_post: Flagged again"),
    "client_acknowledged": TN_(":handshake: Client acknowledged the notice"),
    "question": TN_(":speech_balloon: Client asked a question (in the thread)"),
}


def flagged_reason(by: str, why: str) -> str:
    """The stored reason of an owner's flag; `posts.AlertFacts` reads the flagger back out to mention them."""
    return f"Flagged by <@{by}>: {why}"


def short_date(day: date) -> str:
    return day.strftime("%a %-d %b %Y")


def alert_post(alert: DelayAlert, now: datetime) -> dict:
    """The alert message's content as of `now`, ready for the outbox or a refresh."""
    return dump(DelayAlertPost(AlertFacts.of(alert), local_today(alert.project, now)))


def alert_channel(project: Project) -> str:
    """Where the team hears about delays: the internal channel, else the owner's DM."""
    return project.internal_channel_id or project.owner_id


def note(alert: DelayAlert, what: str, *, now: datetime, by: str | None = None, detail: str | None = None) -> None:
    """Add a line to the alert's history (shown on the alert message)."""
    alert.history = [*alert.history, {"at": now.isoformat(), "by": by, "what": what, "detail": detail}]


def open_alerts(session: Session, *, milestone_id: int) -> list[DelayAlert]:
    return list(session.scalars(
        select(DelayAlert).where(DelayAlert.milestone_id == milestone_id, DelayAlert.state == "open")
        .order_by(DelayAlert.id)
    ))


def raise_alert(session: Session, *, milestone: Milestone, kind: str, reason: str, now: datetime,
                proposal: str | None = None, source: str = "raised") -> DelayAlert | None:
    """Open an alert for the milestone's new state and queue its post; None when one is already open.

    An open overdue alert covers at-risk too, and a done milestone gets none. Safe to call from concurrent
    ticks: the alert's key (kind, due date, count) is unique per milestone, and so is its post.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown alert kind {kind!r}")
    if milestone.state == "done":
        return None
    if any(a.kind in (kind, "overdue") for a in open_alerts(session, milestone_id=milestone.id)):
        return None
    earlier = session.scalar(select(func.count()).select_from(DelayAlert).where(
        DelayAlert.milestone_id == milestone.id, DelayAlert.kind == kind, DelayAlert.due_date == milestone.due_date))
    key = f"{kind}:{milestone.due_date.isoformat()}:{earlier + 1}"
    alert = DelayAlert(
        project_id=milestone.project_id, milestone_id=milestone.id, key=key, kind=kind, source=source,
        reason=reason.strip()[:REASON_LIMIT] or "—",
        proposal=proposal.strip()[:REASON_LIMIT] if proposal else None,
        due_date=milestone.due_date, opened_at=now, escalate_from=now, history=[],
    )
    try:
        with session.begin_nested():
            session.add(alert)
    except IntegrityError:
        return None
    project = alert.project
    alert.escalate_at = escalation_time(alert, project)
    milestone.check_at = RECHECK
    row = outbox.enqueue(
        session, project=project, kind=ALERT_KIND, period_key=f"m{milestone.id}:{key}",
        channel_id=alert_channel(project), payload={"content": alert_post(alert, now)},
        client_visible=False, now=now,
    )
    alert.outbox_id = row.id
    return alert


def overdue_reason(milestone: Milestone, today: date) -> str:
    days = (today - milestone.due_date).days
    return (f"It was due {days} day{'s' if days != 1 else ''} ago and is not marked done "
            f"({milestone.progress}% complete). The client has not been told.")


def at_risk_reason(milestone: Milestone, today: date, business_days_left: int) -> str:
    if milestone.risk_note:
        return milestone.risk_note
    return (f"Progress is {milestone.progress}%; a straight line from its start puts it at "
            f"{expected_progress(milestone, today)}% today, with {business_days_left} business "
            f"day{'s' if business_days_left != 1 else ''} left.")


def _business_days_left(today: date, due: date, days: str) -> int:
    return sum(1 for n in range(1, (due - today).days + 1) if str((today + timedelta(days=n)).isoweekday()) in days)


def resolve(alert: DelayAlert, resolution: str, *, now: datetime, by: str | None = None,
            detail: str | None = None) -> None:
    alert.state, alert.resolution, alert.resolved_by, alert.resolved_at = "resolved", resolution, by, now
    alert.escalate_at, alert.milestone.check_at = None, RECHECK
    note(alert, resolution, now=now, by=by, detail=detail)


def _ending(alert: DelayAlert, state: str) -> str | None:
    """How an open alert ends when its milestone is now in `state` (None: it stays open).

    At-risk alerts raised by other features (source "raised") stay until answered or overdue.
    """
    if alert.kind == "at_risk" and state == "overdue":
        return "superseded"
    if alert.kind == "overdue" and state != "overdue":
        return "cleared"
    if alert.kind == "at_risk" and state == "on_track" and alert.source != "raised":
        return "cleared"
    return None


def escalation_time(alert: DelayAlert, project: Project | None = None) -> datetime | None:
    """When `escalate` should next look at the alert: the end of its snooze, its reminder or its escalation."""
    if alert.state != "open" or alert.acknowledged_at:
        return None
    if alert.snoozed_until:
        return alert.snoozed_until
    if alert.escalation_level >= 2:
        return None
    after = REMIND_AFTER_HOURS if alert.escalation_level == 0 else ESCALATE_AFTER_HOURS
    return business_hours(project or alert.project).add_hours(alert.escalate_from, after)


def escalate(session: Session, *, now: datetime, touched: list[DelayAlert] | None = None) -> Counter:
    """Unanswered alerts: wake snoozed ones, remind the owner after 4 business hours, tell the team after 24."""
    touched = touched if touched is not None else []
    counts: Counter = Counter()
    waiting = session.scalars(select(DelayAlert).where(DelayAlert.state == "open", DelayAlert.escalate_at <= now)
                              .order_by(DelayAlert.escalate_at, DelayAlert.id)).all()

    def escalate_one(alert: DelayAlert) -> tuple[Counter, list[DelayAlert]]:
        unit, changed = Counter(), []
        _escalate_one(session, alert, now, unit, changed)
        return unit, changed

    for _, (unit, changed) in each_isolated(session, waiting, escalate_one, counts, step="delay escalation",
                                            project_id=lambda alert: alert.project_id,
                                            later=lambda alert: setattr(alert, "escalate_at", now + RETRY_FAILED)):
        counts.update(unit)
        touched.extend(changed)
    return counts


def _escalate_one(session: Session, alert: DelayAlert, now: datetime, counts: Counter,
                  touched: list[DelayAlert]) -> None:
    project = alert.project
    if project.status != "active" or alert.acknowledged_at:
        alert.escalate_at = None if alert.acknowledged_at else NEVER
        return
    if alert.snoozed_until:
        if now >= alert.snoozed_until:
            _wake(session, alert, now)
            touched.append(alert)
            counts["woken"] += 1
        alert.escalate_at = escalation_time(alert, project)
        return
    hours = business_hours(project)
    stamp = int(alert.escalate_from.timestamp())
    if now >= hours.add_hours(alert.escalate_from, ESCALATE_AFTER_HOURS):
        alert.escalation_level, alert.escalated_at = 2, now
        note(alert, "escalated", now=now)
        outbox.enqueue(session, project=project, kind=ESCALATION_KIND, period_key=f"a{alert.id}:{stamp}",
                       channel_id=alert_channel(project), client_visible=False, now=now,
                       payload={"content": dump(DelayEscalation(AlertFacts.of(alert), ESCALATE_AFTER_HOURS))})
        counts["escalated"] += 1
        touched.append(alert)
    elif alert.escalation_level == 0 and now >= hours.add_hours(alert.escalate_from, REMIND_AFTER_HOURS):
        alert.escalation_level, alert.reminded_at = 1, now
        note(alert, "reminded", now=now)
        outbox.enqueue(session, project=project, kind=REMINDER_KIND, period_key=f"a{alert.id}:{stamp}",
                       channel_id=project.owner_id, client_visible=False, now=now,
                       payload={"content": dump(DelayReminder(AlertFacts.of(alert), REMIND_AFTER_HOURS))})
        counts["reminded"] += 1
        touched.append(alert)
    alert.escalate_at = escalation_time(alert, project)


def _wake(session: Session, alert: DelayAlert, now: datetime) -> None:
    parent = session.get(OutboxMessage, alert.outbox_id) if alert.outbox_id else None
    outbox.enqueue(session, project=alert.project, kind=WAKE_KIND,
                   period_key=f"a{alert.id}:{int(alert.snoozed_until.timestamp())}",
                   channel_id=parent.channel_id if parent else alert_channel(alert.project), thread_of=parent,
                   client_visible=False, now=now, payload={"content": dump(SnoozeOver(AlertFacts.of(alert)))})
    alert.snoozed_until, alert.escalation_level, alert.escalate_from = None, 0, now
    note(alert, "snooze_over", now=now)


def open_alert(session: Session, alert_id: int) -> DelayAlert:
    """The alert a button belongs to, while it still waits for an answer."""
    alert = tenancy.owned(session, DelayAlert, alert_id)
    if alert is None:
        raise UserError("I can't find that alert any more.")
    if alert.state != "open":
        last = alert.history[-1] if alert.history else {}
        by = fmt(" by {who}", who=user_mention(last["by"])) if last.get("by") else ""
        words = Markup(HISTORY_WORDS.get(alert.resolution or "", "")) or alert.resolution or "handled"
        raise UserError(fmt("This alert was already answered ({words}{by}). Nothing was changed.", words=words, by=by))
    return alert


def acknowledge(alert: DelayAlert, *, by: str, now: datetime, reaction: str | None = None) -> bool:
    """Someone on the team has seen it: no more reminders."""
    if alert.state != "open" or alert.acknowledged_at:
        return False
    alert.acknowledged_by, alert.acknowledged_at, alert.escalate_at = by, now, None
    note(alert, "acknowledged", now=now, by=by, detail=f":{reaction}:" if reaction else None)
    return True


def alert_for_message(session: Session, *, channel: str, ts: str) -> DelayAlert | None:
    return session.scalar(select(DelayAlert).where(DelayAlert.channel_id == channel, DelayAlert.ts == ts))


def snooze(alert: DelayAlert, *, by: str, now: datetime) -> None:
    alert.snoozed_until = now + SNOOZE
    alert.escalate_at = escalation_time(alert)
    note(alert, "snoozed", now=now, by=by)


def check_new_date(milestone: Milestone, new_date: date, today: date, *, example: str | None = None) -> None:
    if milestone.state == "done":
        raise UserError(fmt("“{title}” is already done.", title=milestone.title), example)
    if new_date == milestone.due_date:
        raise UserError(fmt("“{title}” is already due {day}. Pick another date.", title=milestone.title,
                            day=short_date(new_date)), example)
    if new_date < today:
        raise UserError(f"{short_date(new_date)} is in the past. Pick today or a later date.", example)
    within_range(new_date, today=today)


def move_quietly(session: Session, *, alert: DelayAlert, new_date: date, why: str | None, by: str,
                 now: datetime) -> MilestoneMove:
    """Correct a wrong date without telling the client.

    A date that was simply wrong corrects the baseline too, so the weekly update doesn't show the client a move
    nobody announced; a date the client was already told about keeps its baseline.
    """
    milestone = alert.milestone
    check_new_date(milestone, new_date, local_today(alert.project, now))
    old = milestone.due_date
    move = MilestoneMove(milestone=milestone, old_date=old, new_date=new_date,
                         reason=why.strip()[:REASON_LIMIT] if why and why.strip() else None,
                         client_notified=False, moved_by=by, moved_at=now)
    session.add(move)
    if milestone.baseline_due_date == old:
        milestone.baseline_due_date = new_date
    milestone.due_date, milestone.risk_note = new_date, None
    detail = f"{short_date(old)} → {short_date(new_date)}"
    for other in open_alerts(session, milestone_id=milestone.id):
        resolve(other, "moved", now=now, by=by, detail=detail)
    return move


def mark_alert_done(session: Session, *, alert: DelayAlert, by: str, now: datetime) -> None:
    milestone = alert.milestone
    mark_done(milestone, by=by, now=now)
    signals.milestone_done.send(session=session, project=alert.project, milestone=milestone, by=by, now=now)


def close_on_done(*, session: Session, project: Project, milestone: Milestone, by: str, now: datetime) -> None:
    """A milestone marked done anywhere closes its open alerts."""
    for alert in open_alerts(session, milestone_id=milestone.id):
        resolve(alert, "done", now=now, by=by)


def flag_risk(session: Session, *, milestone: Milestone, why: str, by: str, now: datetime) -> DelayAlert:
    """The owner says a milestone is at risk: record why and alert the team now (or note it on the open alert)."""
    if milestone.state == "done":
        raise UserError(fmt("“{title}” is already done.", title=milestone.title))
    milestone.risk_note = why
    alert = raise_alert(session, milestone=milestone, kind="at_risk", reason=flagged_reason(by, why), now=now,
                        source="owner")
    if alert is None:
        alert = open_alerts(session, milestone_id=milestone.id)[0]
        note(alert, "flagged", now=now, by=by, detail=why[:200])
    return alert


def record_alert_sent(session: Session, row: OutboxMessage, now: datetime) -> None:
    """Delivery hook: remember where the alert landed, so reactions and buttons find it."""
    alert = session.scalar(select(DelayAlert).where(DelayAlert.outbox_id == row.id))
    if alert is not None:
        alert.channel_id, alert.ts = row.posted_channel_id, row.ts


def sync_sent(session: Session) -> int:
    """Fill in the place of alerts whose delivery hook did not run (a process without it registered)."""
    missing = session.execute(
        select(DelayAlert, OutboxMessage).join(OutboxMessage, DelayAlert.outbox_id == OutboxMessage.id)
        .where(DelayAlert.ts.is_(None), OutboxMessage.ts.is_not(None))
    ).all()
    for alert, row in missing:
        alert.channel_id, alert.ts = row.posted_channel_id, row.ts
    return len(missing)


signals.milestone_done.connect(close_on_done)
