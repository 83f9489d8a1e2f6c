"""Items the next weekly update may mention: work finished in a tracker, messages the team starred in Slack.

They wait until an update that carries them is posted; the owner can hide any of them in the preview (a hidden one
stays out of the client's post, and can be shown again) and reword a highlight. Work reopened in its tracker, a star
taken back by the last team member who gave one, and a deleted message take their item out again; a queued update
that has not started sending is rewritten to match.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.domain import tenancy, update_parts
from bot.domain.errors import UserError
from bot.domain.posts import UpdateItemFacts
from bot.models import Project, WeeklyUpdate
from bot.models.trackers import UpdateItem

PRELOADED = "update_items"
SLACK = "slack"
HIGHLIGHT_LIMIT = 1000


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
    item = tenancy.owned(session, UpdateItem, item_id)
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


def slack_key(channel: str, ts: str) -> str:
    return f"{SLACK}:{channel}:{ts}"


def highlight_text(text: str | None) -> str:
    """A message's text as a highlight: trimmed to HIGHLIGHT_LIMIT (the caller has unescaped Slack's &lt;)."""
    return (text or "").strip()[:HIGHLIGHT_LIMIT].strip()


def projects_watching(session: Session, channel: str, emoji: str) -> list[Project]:
    """Active projects whose internal channel is `channel` and whose highlight emoji is `emoji` (skin tones aside)."""
    return list(session.scalars(select(Project).where(
        Project.internal_channel_id == channel, Project.status == "active",
        Project.highlight_emoji == emoji.split("::")[0])))


def remove_highlight(session: Session, *, project: Project, key: str, now: datetime) -> bool:
    """The last counting star was taken back: the highlight goes, unless an update already told the client."""
    return bool(_drop(session, list(session.scalars(_open([project.id]).where(UpdateItem.key == key))), now))


def edit_text(session: Session, *, project_id: int, item_id: int, text: str, by: str) -> UpdateItem:
    """The owner rewords a highlight; what the message said stays in `original_text`."""
    item = tenancy.owned(session, UpdateItem, item_id)
    if item is None or item.project_id != project_id:
        raise UserError("That highlight is no longer waiting for the update. Nothing was changed.")
    if item.source != SLACK:
        raise UserError("Only highlights starred in Slack can be reworded; hide this item instead.")
    text = (text or "").strip()
    if not text:
        raise UserError("Write the highlight as the client should read it (say, “Shipped the new checkout”), "
                        "or hide it instead. Nothing was changed.")
    if len(text) > HIGHLIGHT_LIMIT:
        raise UserError(f"A highlight can be at most {HIGHLIGHT_LIMIT:,} characters; this one has {len(text):,}. "
                        "Please shorten it. Nothing was changed.")
    if text != item.text:
        item.original_text = item.original_text if item.original_text is not None else item.text
        item.text, item.edited_by = text, by
    return item


def follow_message(session: Session, *, channel: str, ts: str, text: str | None, now: datetime) -> int:
    """A starred message was edited (`text`) or deleted (None) in Slack: its waiting highlights follow it, except
    the words the owner chose for one. Returns how many changed."""
    projects = select(Project.id).where(Project.internal_channel_id == channel)
    items = list(session.scalars(_open(projects).where(UpdateItem.key == slack_key(channel, ts))))
    if text is None:
        return _drop(session, items, now)
    changed = [item for item in items if item.original_text is None and text and item.text != text]
    for item in changed:
        item.text = text
    _rewrite_queued(session, {item.update_id for item in changed}, now)
    return len(changed)


def withdraw(session: Session, *, project_ids: list[int], keys: list[str], now: datetime) -> int:
    """Work reopened in its tracker leaves the next update: the waiting items with these keys go (an update already
    posted keeps what it said). Returns how many went."""
    if not keys or not project_ids:
        return 0
    return _drop(session, list(session.scalars(_open(project_ids).where(UpdateItem.key.in_(keys)))), now)


def keep_only(session: Session, *, project_id: int, link_id: int, keys: set[str], since: datetime,
              now: datetime) -> int:
    """A poll's eligible work closed after `since` is the truth for its link: the link's waiting items from that
    window missing from `keys` were reopened (or lost their label) and go. Returns how many went."""
    found = session.scalars(_open([project_id]).where(UpdateItem.link_id == link_id, UpdateItem.happened_at > since))
    return _drop(session, [item for item in found if item.key not in keys], now)


def _drop(session: Session, items: list[UpdateItem], now: datetime) -> int:
    for item in items:
        session.delete(item)
    _rewrite_queued(session, {item.update_id for item in items}, now)
    return len(items)


def _rewrite_queued(session: Session, update_ids: set[int | None], now: datetime) -> None:
    update_ids.discard(None)
    if update_ids:
        session.flush()
        from bot.domain.update_decisions import rewrite_queued  # it builds on this module

        rewrite_queued(session, update_ids=update_ids, now=now)


if preload not in update_parts.PRELOADS:
    update_parts.PRELOADS.append(preload)
