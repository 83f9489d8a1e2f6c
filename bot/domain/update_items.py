"""Items the next weekly update may mention: work finished in a tracker, messages the team starred in Slack.

They wait until an update that carries them is posted; the owner can hide any of them in the preview (a hidden one
stays out of the client's post, and can be shown again).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.domain import update_parts
from bot.domain.errors import UserError
from bot.domain.posts import UpdateItemFacts
from bot.models import Project, WeeklyUpdate
from bot.models.trackers import UpdateItem

PRELOADED = "update_items"
SLACK = "slack"


def _open(project_ids) -> select:
    return (select(UpdateItem).outerjoin(WeeklyUpdate, UpdateItem.update_id == WeeklyUpdate.id)
            .where(UpdateItem.project_id.in_(project_ids),
                   or_(UpdateItem.update_id.is_(None), WeeklyUpdate.state != "posted"))
            .order_by(UpdateItem.happened_at, UpdateItem.id))


def preload(session: Session, projects: list[Project]) -> None:
    """The waiting items of many projects in one query."""
    found: dict[int, list[UpdateItem]] = {project.id: [] for project in projects}
    for item in session.scalars(_open(list(found))):
        found[item.project_id].append(item)
    session.info.setdefault(PRELOADED, {}).update(found)


def waiting(session: Session, project: Project) -> list[UpdateItem]:
    """Items not yet told to the client, oldest first."""
    items = session.info.get(PRELOADED, {}).pop(project.id, None)
    return list(session.scalars(_open([project.id]))) if items is None else items


def facts(items: list[UpdateItem]) -> tuple[list[UpdateItemFacts], list[UpdateItemFacts], list[UpdateItemFacts]]:
    """(finished, highlights, hidden) as content."""
    shown = [i for i in items if not i.hidden]
    return ([UpdateItemFacts.of(i) for i in shown if i.source != SLACK],
            [UpdateItemFacts.of(i) for i in shown if i.source == SLACK],
            [UpdateItemFacts.of(i) for i in items if i.hidden])


def carried_by(session: Session, update_id: int, item_ids: list[int]) -> None:
    """These items went into the update that was just queued."""
    if item_ids:
        session.execute(update(UpdateItem).where(UpdateItem.id.in_(item_ids)).values(update_id=update_id))


def set_hidden(session: Session, *, project_id: int, item_id: int, hidden: bool) -> UpdateItem:
    """The owner hides an item from the client's update (or shows it again)."""
    item = session.get(UpdateItem, item_id)
    if item is None or item.project_id != project_id:
        raise UserError("That item is no longer waiting for the update.")
    item.hidden = hidden
    return item


def add_highlight(session: Session, *, project: Project, key: str, text: str, at: datetime, now: datetime) -> bool:
    """A starred message becomes a highlight of the next update (once)."""
    if session.scalar(select(UpdateItem.id).where(UpdateItem.project_id == project.id, UpdateItem.key == key)):
        return False
    session.add(UpdateItem(project_id=project.id, source=SLACK, key=key, text=text, happened_at=at, created_at=now))
    return True


def projects_watching(session: Session, channel: str, emoji: str) -> list[Project]:
    """Active projects whose internal channel is `channel` and whose highlight emoji is `emoji` (skin tones aside)."""
    return list(session.scalars(select(Project).where(
        Project.internal_channel_id == channel, Project.status == "active",
        Project.highlight_emoji == emoji.split("::")[0])))


def remove_highlight(session: Session, *, project: Project, key: str) -> bool:
    """The star was taken back: the highlight goes, unless an update already told the client."""
    for item in session.scalars(_open([project.id]).where(UpdateItem.key == key)):
        session.delete(item)
        return True
    return False


if preload not in update_parts.PRELOADS:
    update_parts.PRELOADS.append(preload)
