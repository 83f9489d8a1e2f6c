"""Milestones linked to a tracker: progress, finished work and date moves read from where the team works.

A link is synced every POLL_EVERY (a conditional request: unchanged costs one free 304) or at once by a webhook.
Progress replaces the typed value; issues closed since the last update become items of the next update's
preview (and leave it when reopened before it goes out); a moved due date raises the internal delay alert, never
a client post. A tracker that fails keeps the last values; after STALE_AFTER without a good sync the project is
marked as needing attention.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.domain import delays, update_items
from bot.domain.errors import UserError
from bot.domain.isolation import RETRY_FAILED, each_isolated
from bot.domain.projects import local_today
from bot.models import Milestone, Project
from bot.models.trackers import TrackerLink, UpdateItem
from bot.mrkdwn import Markup, fmt

log = logging.getLogger("expect.trackers")

POLL_EVERY = timedelta(minutes=15)
STALE_AFTER = timedelta(days=1)
FIRST_LOOK_BACK = timedelta(days=7)
ALL = "all"
DEFAULT_LABEL = "client-visible"
NAMES = {"github": "GitHub", "jira": "Jira", "linear": "Linear"}
STALE_MARK = "has not synced since"


class TrackerError(Exception):
    """The tracker refused or did not answer; `message` is its own words, `wait` seconds it asked us to wait."""

    def __init__(self, message: str, *, permanent: bool = False, wait: int | None = None):
        super().__init__(message)
        self.message, self.permanent, self.wait = message, permanent, wait


@dataclass(frozen=True)
class MilestoneSnapshot:
    ref: str
    title: str
    open: int
    closed: int
    due: date | None
    etag: str | None = None
    url: str | None = None
    points_done: float | None = None
    points_total: float | None = None

    @property
    def progress(self) -> int | None:
        """Story points done ÷ all points when the tracker has them, else closed ÷ all issues."""
        if self.points_total:
            return round(100 * (self.points_done or 0) / self.points_total)
        total = self.open + self.closed
        return round(100 * self.closed / total) if total else None


@dataclass(frozen=True)
class Issue:
    ref: str
    title: str
    closed_at: datetime
    labels: tuple[str, ...] = ()


class TrackerClient(Protocol):
    """What every tracker's client answers about a link's target (repo, project key...) and ref (its milestone).

    `snapshot` returns None when nothing changed since `etag` (whatever marker the client keeps there)."""

    def snapshot(self, target: str, ref: str, etag: str | None = None) -> MilestoneSnapshot | None: ...
    def closed_issues(self, target: str, ref: str, since: datetime) -> list[Issue]: ...
    def close(self) -> None: ...


def noun(link: TrackerLink) -> str:
    """What the linked thing is called in its tracker: a ref written `<noun>:<id>` says so, else a milestone."""
    what, colon, _ = link.ref.partition(":")
    return what if colon else "milestone"


def link_for(session: Session, milestone_id: int) -> TrackerLink | None:
    return session.scalar(select(TrackerLink).where(TrackerLink.milestone_id == milestone_id))


def links_fact():
    """Whether the project of the enclosing query has linked milestones (labelled `tracker_links`)."""
    return select(TrackerLink.id).where(TrackerLink.project_id == Project.id).exists().label("tracker_links")


def links_of(session: Session, project_id: int) -> list[TrackerLink]:
    return list(session.scalars(select(TrackerLink).where(TrackerLink.project_id == project_id)
                                .order_by(TrackerLink.id)))


def link(session: Session, *, milestone: Milestone, kind: str, target: str, snapshot: MilestoneSnapshot,
         eligible: str, by: str, now: datetime) -> TrackerLink:
    """Link (or re-link) the milestone to a tracker milestone that was just read, and take its values now."""
    if milestone.state == "done":
        raise UserError(fmt("“{title}” is already done.", title=milestone.title))
    found = link_for(session, milestone.id)
    if found is None:
        found = TrackerLink(project_id=milestone.project_id, milestone_id=milestone.id, created_by=by, created_at=now)
        session.add(found)
    found.kind, found.target, found.ref, found.ref_title = kind, target, snapshot.ref, snapshot.title[:300]
    found.eligible, found.remote_due, found.etag, found.last_error = eligible, snapshot.due, None, None
    found.milestone = milestone
    _take_progress(milestone, snapshot)
    found.last_synced_at = found.last_ok_at = now
    found.next_sync_at = now  # the first poll picks up what was finished since the last update
    return found


def unlink(session: Session, *, milestone: Milestone) -> TrackerLink:
    found = link_for(session, milestone.id)
    if found is None:
        raise UserError(fmt("“{title}” is not linked to a tracker.", title=milestone.title))
    session.delete(found)
    return found


def apply(session: Session, link: TrackerLink, snapshot: MilestoneSnapshot, issues: list[Issue], now: datetime) -> None:
    """Take what the tracker says now: progress, finished issues, and a moved due date (an internal alert)."""
    milestone = link.milestone
    if milestone.state != "done":
        _take_progress(milestone, snapshot)
        if snapshot.due and link.remote_due and snapshot.due != link.remote_due and snapshot.due != milestone.due_date:
            _date_moved(session, link, snapshot.due, now)
    link.remote_due = snapshot.due or link.remote_due
    link.ref_title = snapshot.title[:300]
    add_finished(session, link, issues, now)


def _take_progress(milestone: Milestone, snapshot: MilestoneSnapshot) -> None:
    if snapshot.progress is not None and milestone.progress != snapshot.progress:
        milestone.progress = snapshot.progress


def _date_moved(session: Session, link: TrackerLink, new_due: date, now: datetime) -> None:
    milestone = link.milestone
    old = link.remote_due
    why = (f"The {NAMES[link.kind]} {noun(link)} “{link.ref_title}” in {link.target} now ends {delays.short_date(new_due)} "
           f"(it said {delays.short_date(old)}; expect has {delays.short_date(milestone.due_date)}).")
    proposal = f"Move the date to {delays.short_date(new_due)}, quietly or telling the client."
    milestone.risk_note = why
    alert = delays.raise_alert(session, milestone=milestone, kind="at_risk", reason=why, now=now, proposal=proposal,
                               source="tracker")
    if alert is None:
        for open_alert in delays.open_alerts(session, milestone_id=milestone.id):
            delays.note(open_alert, "flagged", now=now, detail=why[:200])


def since_for(project: Project, now: datetime) -> datetime:
    """Finished work counts from the last update that went out."""
    return project.last_update_at or now - FIRST_LOOK_BACK


def eligible(link: TrackerLink, issue: Issue) -> bool:
    return link.eligible == ALL or link.eligible.lower() in (label.lower() for label in issue.labels)


def item_key(kind: str, target: str, ref: str) -> str:
    """The update item of one tracker issue (one per project)."""
    return f"{kind}:{target}#{ref}"


def finished(link: TrackerLink, issues: list[Issue], now: datetime) -> dict[str, Issue]:
    """The eligible issues closed since the last update, by item key."""
    since = since_for(link.milestone.project, now)
    return {item_key(link.kind, link.target, issue.ref): issue for issue in issues
            if issue.closed_at > since and eligible(link, issue)}


def add_finished(session: Session, link: TrackerLink, issues: list[Issue], now: datetime) -> int:
    """Eligible issues closed since the last update become items of the next update (once each)."""
    wanted = finished(link, issues, now)
    if not wanted:
        return 0
    known = set(session.scalars(select(UpdateItem.key).where(UpdateItem.project_id == link.project_id,
                                                             UpdateItem.key.in_(wanted))))
    for key, issue in wanted.items():
        if key not in known:
            session.add(UpdateItem(project_id=link.project_id, source=link.kind, key=key, text=issue.title[:3000],
                                   happened_at=issue.closed_at, created_at=now, link_id=link.id))
    return len(set(wanted) - known)


@dataclass
class Fetched:
    snapshot: MilestoneSnapshot | None = None
    issues: list[Issue] | None = None
    error: TrackerError | None = None


def fetch(client: TrackerClient, link: TrackerLink, now: datetime) -> Fetched:
    """Ask the tracker about one link (no database work): unchanged, new values, or its refusal."""
    try:
        snapshot = client.snapshot(link.target, link.ref, etag=link.etag)
        if snapshot is None:
            return Fetched()
        issues = client.closed_issues(link.target, link.ref, since_for(link.milestone.project, now))
        return Fetched(snapshot, issues)
    except TrackerError as error:
        return Fetched(error=error)
    except Exception as error:  # a malformed answer is the tracker's failure, not the tick's
        log.exception("tracker link %s: unexpected answer", link.id)
        return Fetched(error=TrackerError(f"{NAMES[link.kind]} sent something I could not read ({type(error).__name__})."))


def sync_due(session: Session, *, clients: dict[str, TrackerClient], now: datetime, limit: int) -> Counter:
    """Poll every link whose time has come, one request per unchanged link; failures stay with their project."""
    links = list(session.scalars(
        select(TrackerLink).join(Project, Project.id == TrackerLink.project_id)
        .where(TrackerLink.next_sync_at <= now, TrackerLink.kind.in_(list(clients)), Project.status == "active")
        .order_by(TrackerLink.next_sync_at).limit(limit).with_for_update(skip_locked=True, of=TrackerLink)
        .options(selectinload(TrackerLink.milestone).selectinload(Milestone.project))))
    counts = Counter(due=len(links))
    fetched = {link.id: fetch(clients[link.kind], link, now) for link in links}

    def settle(link: TrackerLink) -> str:
        return record(session, link, fetched[link.id], now)

    for _, outcome in each_isolated(session, links, settle, counts, step="tracker sync",
                                    project_id=lambda link: link.project_id,
                                    later=lambda link: setattr(link, "next_sync_at", now + RETRY_FAILED)):
        counts[outcome] += 1
    return counts


def record(session: Session, link: TrackerLink, fetched: Fetched, now: datetime) -> str:
    """Apply one fetch: 'unchanged', 'changed' or 'failed_remote' (the last values stay, with their age)."""
    link.last_synced_at, link.next_sync_at = now, now + POLL_EVERY
    project = link.milestone.project
    if fetched.error is not None:
        link.last_error = fetched.error.message[:500]
        if fetched.error.wait:
            link.next_sync_at = max(link.next_sync_at, now + timedelta(seconds=fetched.error.wait))
        if link.last_ok_at is None or now - link.last_ok_at >= STALE_AFTER:
            project.attention = stale_note(link)
        return "failed_remote"
    link.last_ok_at, link.last_error = now, None
    if project.attention and STALE_MARK in project.attention:
        project.attention = None
    if fetched.snapshot is None:
        return "unchanged"
    apply(session, link, fetched.snapshot, fetched.issues or [], now)
    update_items.keep_only(session, project_id=link.project_id, link_id=link.id, since=since_for(project, now),
                           keys=set(finished(link, fetched.issues or [], now)), now=now)
    link.etag = fetched.snapshot.etag
    return "changed"


def stale_note(link: TrackerLink) -> str:
    """The project's "needs attention" note (mrkdwn) for a link that has not synced for a day."""
    since = link.last_ok_at.strftime("%a %-d %b %H:%M UTC") if link.last_ok_at else "it was linked"
    return str(fmt("{tracker} ({target}) {mark} {since}: {error}", tracker=NAMES[link.kind], target=link.target,
                   mark=STALE_MARK, since=since, error=link.last_error or "no answer"))


def on_webhook(session: Session, *, kind: str, target: str | None, snapshot: MilestoneSnapshot, issues: list[Issue],
               now: datetime) -> int:
    """A tracker told us about a change: apply it to every link of that milestone (any target when None); the count
    of links touched. A snapshot without counts leaves progress alone."""
    where = [TrackerLink.kind == kind, TrackerLink.ref == snapshot.ref]
    if target is not None:
        where.append(TrackerLink.target == target)
    found = list(session.scalars(select(TrackerLink).where(*where)))
    for item in found:
        apply(session, item, snapshot, issues, now)
        item.last_synced_at = item.last_ok_at = now
        item.last_error = None
        if snapshot.progress is None:
            item.next_sync_at = now  # the next tick reads the progress
    return len(found)


def resync(session: Session, *, kind: str, refs: set[str], client: TrackerClient | None, now: datetime) -> int:
    """A tracker said these refs changed: read their links again in full now, as a poll would (without a client,
    at the next tick); the count of links."""
    found = list(session.scalars(
        select(TrackerLink).join(Project, Project.id == TrackerLink.project_id)
        .where(TrackerLink.kind == kind, TrackerLink.ref.in_(sorted(refs)), Project.status == "active")
        .order_by(TrackerLink.id).with_for_update(of=TrackerLink)
        .options(selectinload(TrackerLink.milestone).selectinload(Milestone.project))))
    for item in found:
        item.etag, item.next_sync_at = None, now
        if client is not None:
            record(session, item, fetch(client, item, now), now)
    return len(found)


def on_reopened(session: Session, *, kind: str, target: str, refs: list[str], now: datetime) -> int:
    """Issues reopened in a tracker are not finished: they leave the next update of every project linked to that
    target (whatever milestone they are in now). Returns the items that went."""
    return _withdraw_reopened(session, kind, refs, now, TrackerLink.target == target)


def on_reopened_in(session: Session, *, kind: str, link_refs: list[str], ref: str, now: datetime) -> int:
    """An issue reopened in a tracker whose links are known by remote milestone (`link_refs`), whatever target they
    were typed as: it leaves the next update of every project following one of them; returns the items that went."""
    return _withdraw_reopened(session, kind, [ref], now, TrackerLink.ref.in_(link_refs))


def _withdraw_reopened(session: Session, kind: str, refs: list[str], now: datetime, *where) -> int:
    found = session.execute(select(TrackerLink.project_id, TrackerLink.target).distinct()
                            .where(TrackerLink.kind == kind, *where)).all()
    return update_items.withdraw(session, project_ids=sorted({project_id for project_id, _ in found}),
                                 keys=sorted({item_key(kind, target, ref) for _, target in found for ref in refs}),
                                 now=now)


def describe(link: TrackerLink, now: datetime) -> Markup:
    """One line of `/expect status` for a link (mrkdwn)."""
    where = fmt("{tracker} {target} {noun} “{title}”", tracker=NAMES[link.kind], target=link.target,
                noun=noun(link), title=link.ref_title)
    synced = _age(now - link.last_ok_at) if link.last_ok_at else "never"
    line = fmt(":link: #{number} *{milestone}* ← {where}: progress {progress}%, synced {synced}", where=where,
               number=link.milestone.number, milestone=link.milestone.title, progress=link.milestone.progress,
               synced=synced)
    if link.last_error:
        line += fmt(" :warning: last try {age}: {error}", age=_age(now - link.last_synced_at), error=link.last_error)
    return line


def _age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // 1440} days ago"


def status_lines(session: Session, project: Project, now: datetime) -> Markup | None:
    """`/expect status`: each link and when it last synced."""
    found = links_of(session, project.id)
    return Markup("\n").join(describe(item, now) for item in found) if found else None


def linked_progress_refusal(session: Session, milestone: Milestone, now: datetime) -> None:
    """`/expect progress` on a linked milestone: say where its progress comes from, and change nothing."""
    found = link_for(session, milestone.id)
    if found is None:
        return
    synced = _age(now - found.last_ok_at) if found.last_ok_at else "not yet"
    raise UserError(fmt("*{title}* is linked to {tracker} {target} (“{remote}”): its progress comes from there "
                        "({progress}%, synced {synced}). Nothing was changed. To type it by hand, unlink it first.",
                        title=milestone.title, tracker=NAMES[found.kind], target=found.target, remote=found.ref_title,
                        progress=milestone.progress, synced=synced),
                    f"/expect unlink {milestone.project.slug} #{milestone.number}")

