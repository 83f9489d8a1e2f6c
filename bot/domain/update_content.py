"""What a weekly update says: its content as of now, composed from the project, its milestones and what other
features contribute (update_parts), and the owner's preview of it."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain import update_items, update_parts
from bot.domain.closures import closure_around
from bot.domain.content import dump
from bot.domain.posts import (
    ChartImage, ClosedDays, MilestoneFacts, ProjectFacts, UpdateFacts, UpdatePreview, WeeklyUpdatePost,
)
from bot.domain.projects import health, local_today, next_update_slot
from bot.domain.schedule import zone
from bot.domain.timeline import chart_for_update
from bot.models import Project, WeeklyUpdate

log = logging.getLogger(__name__)

FIRST_LOOK_BACK = timedelta(days=7)
UPCOMING = 3


@dataclass
class UpdateContent:
    project: Project
    post: WeeklyUpdatePost
    snapshot: dict
    hidden: list = field(default_factory=list)


@dataclass
class Preview:
    project: Project
    update: WeeklyUpdate
    content: UpdateContent

    @property
    def post(self) -> UpdatePreview:
        """What the owner's preview shows, to render."""
        return preview_post(self.content, self.update)


def preview_post(content: UpdateContent, update: WeeklyUpdate) -> UpdatePreview:
    return UpdatePreview(UpdateFacts.of(update), content.project.approval_mode, content.post, content.hidden)


def snapshot_of(project: Project) -> dict:
    """What a quiet week is compared on: each milestone's progress, due date and state."""
    return {str(m.id): [m.progress, m.due_date.isoformat(), m.state] for m in project.milestones}


def _provided(providers: list, **kwargs) -> list[list[str]]:
    results = []
    for provider in providers:
        try:
            results.append(list(provider(**kwargs) or []))
        except Exception:
            log.exception("update part %s failed for project %s", provider, kwargs["project"].id)
    return results


def compose(session: Session, *, project: Project, update: WeeklyUpdate, previous: dict | None,
            now: datetime) -> UpdateContent:
    """Everything this week's update says, as of `now`; `previous` is the last posted update's snapshot."""
    since = project.last_update_at or now - FIRST_LOOK_BACK
    done = [m for m in project.milestones if m.state == "done" and m.done_at and m.done_at > since]
    open_ones = sorted((m for m in project.milestones if m.state != "done"), key=lambda m: (m.due_date, m.number))
    parts = {"session": session, "project": project, "now": now}
    with session.no_autoflush:  # the providers only read; flushing here would cost an UPDATE per project
        needs = [line for lines in _provided(update_parts.NEEDS_FROM_CLIENT, **parts) for line in lines]
        extras = [lines for lines in _provided(update_parts.EXTRA_SECTIONS, **parts) if lines]
        finished, highlights, hidden = update_items.facts(update_items.waiting(session, project))
    state = health(project, local_today(project, now))
    snapshot = snapshot_of(project)
    quiet = (previous is not None and previous == snapshot and state == "on_track"
             and not (done or needs or extras or update.note or finished or highlights))
    next_at = next_update_slot(project, after=update.scheduled_for)
    closure = closure_around(project, local_today(project, now), next_at.astimezone(zone(project.tz)).date())
    closed = ClosedDays(closure.start_date, closure.end_date, closure.reason) if closure else None
    facts = [MilestoneFacts.of(m) for m in done], [MilestoneFacts.of(m) for m in open_ones]
    post = WeeklyUpdatePost(ProjectFacts.of(project), state, facts[0], [m for m in facts[1] if m.progress > 0],
                            facts[1][:UPCOMING], needs, extras, update.note, next_at, quiet and not closed,
                            bool(project.milestones), closed, finished, highlights,
                            _chart(project, now))
    return UpdateContent(project, post, snapshot, hidden)


def _chart(project: Project, now: datetime) -> ChartImage | None:
    found = chart_for_update(project, now)
    return ChartImage(*found) if found else None


def payload_of(content: UpdateContent) -> dict:
    """The outbox payload that posts `content`."""
    return {"content": dump(content.post)}
