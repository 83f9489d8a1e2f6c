"""The weekly update the client reads, and the owner's preview of it (pure Block Kit builders)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot import ids
from bot.blocks.format import (
    HEALTH_EMOJI, HEALTH_WORDS, button, context, date_token, instant_token, progress_bar, section,
)
from bot.domain.schedule import zone
from bot.domain.text import neutralise

if TYPE_CHECKING:
    from bot.domain.updates import UpdateContent
    from bot.models import Milestone, Project, WeeklyUpdate

MAX_LINES = 15
STATUS_LINES = {
    "approved": ":white_check_mark: Approved by <@{who}>.",
    "skipped": ":fast_forward: Skipped by <@{who}>: nothing goes to the client this week.",
    "queued": ":outbox_tray: On its way to the client{by}.",
    "posted": ":outbox_tray: Posted to the client{by}.",
    "awaiting": ":hourglass: Waiting for your approval: nothing has gone to the client.",
    "missed": ":zzz: Its time passed; the next update covers it.",
}


def _greeting(project: Project) -> str:
    return f"Hello {project.client_name} :wave:" if project.client_name else "Hello :wave:"


def _due(milestone: Milestone, project: Project) -> str:
    tz = zone(project.tz)
    text = f"due {date_token(milestone.due_date, tz)}"
    if milestone.due_date != milestone.baseline_due_date:
        text += f" (moved: {date_token(milestone.baseline_due_date, tz)} → {date_token(milestone.due_date, tz)})"
    return text


def _listed(title: str, lines: list[str]) -> dict:
    shown = lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        shown.append(f"…and {len(lines) - MAX_LINES} more")
    return section(f"*{title}*\n" + "\n".join(shown))


def update_text(content: UpdateContent) -> str:
    """The notification fallback of the update."""
    return f"Weekly update: {content.project.name} — {HEALTH_WORDS[content.health]}"


def update_blocks(content: UpdateContent) -> list[dict]:
    """The client-facing weekly update (or the short one for a quiet week)."""
    project = content.project
    emoji, words = HEALTH_EMOJI[content.health], HEALTH_WORDS[content.health]
    next_update = context(f"Next update {instant_token(content.next_at)}.")
    if content.quiet:
        upcoming = content.upcoming[0] if content.upcoming else None
        target = f" for *{upcoming.title}*, {_due(upcoming, project)}" if upcoming else ""
        return [section(f"{_greeting(project)} No change on *{project.name}* this week: {emoji} on track{target}."),
                next_update]
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": f"{project.name}: weekly update"[:150]}},
        section(f"{_greeting(project)} Here is where *{project.name}* stands.\n{emoji} *{words}*"),
    ]
    if content.done:
        blocks.append(_listed("Done since the last update", [f":white_check_mark: {m.title}" for m in content.done]))
    if content.in_progress:
        blocks.append(_listed("In progress", [f"*{m.title}*  {progress_bar(m.progress)}" for m in content.in_progress]))
    if content.upcoming:
        blocks.append(_listed("Next milestones", [f"• *{m.title}* — {_due(m, project)}" for m in content.upcoming]))
    if not project.milestones:
        blocks.append(section("No milestones are set yet."))
    if content.needs:
        blocks.append(_listed("What we need from you", [f"• {line}" for line in content.needs]))
    blocks.extend(section("\n".join(lines)) for lines in content.extras)
    if content.note:
        quoted = "\n".join(f"> {line}" for line in neutralise(content.note).splitlines())
        blocks.append(section(f"*A note from <@{project.owner_id}>*\n{quoted}"))
    blocks.append(next_update)
    return blocks[:45]


def update_actions(update: WeeklyUpdate) -> dict:
    value = str(update.id)
    return {"type": "actions", "block_id": ids.UPDATE_PREVIEW_ACTIONS, "elements": [
        button("Approve", ids.UPDATE_APPROVE, value, style="primary"),
        button("Add a note", ids.UPDATE_NOTE, value),
        button("Skip this week", ids.UPDATE_SKIP, value, style="danger"),
        button("Post now", ids.UPDATE_POST_NOW, value),
    ]}


def preview_blocks(content: UpdateContent, update: WeeklyUpdate) -> list[dict]:
    """The owner's preview: what the client will see, and the buttons that decide it."""
    project = content.project
    mode = ("It posts only once you approve it." if project.approval_mode == "required"
            else "It posts automatically unless you skip it.")
    blocks = [section(f":eyes: *Preview* of the weekly update for *{project.name}*, going to <#{project.channel_id}> "
                      f"{instant_token(update.scheduled_for)}. {mode}")]
    status = STATUS_LINES.get(update.state)
    if status:
        by = f" (sent by <@{update.decided_by}>)" if update.decided_by else ""
        blocks.append(context(status.format(who=update.decided_by or project.owner_id, by=by)))
    blocks.append({"type": "divider"})
    blocks.extend(update_blocks(content))
    blocks.append({"type": "divider"})
    if update.state not in ("queued", "posted", "missed"):
        blocks.append(update_actions(update))
    return blocks[:50]


def preview_text(project: Project) -> str:
    return f"Preview of this week's update for {project.name}"


def reminder_blocks(project: Project, update: WeeklyUpdate) -> list[dict]:
    """Asks the owner, again, to approve an update that is waiting."""
    return [
        section(f":hourglass: The weekly update for *{project.name}* was due {instant_token(update.scheduled_for)} "
                f"and is waiting for your approval. Nothing has gone to <#{project.channel_id}> yet."),
        update_actions(update),
    ]


def expired_text(project: Project) -> str:
    return (f":zzz: The weekly update for *{project.name}* was never approved, so I skipped it. "
            "The next update will cover everything since the last one.")


def note_modal(update: WeeklyUpdate, project: Project, private_metadata: str) -> dict:
    """Asks the owner for a note to add to the client's update."""
    element = {"type": "plain_text_input", "action_id": ids.UPDATE_NOTE_INPUT, "multiline": True, "max_length": 2000}
    if update.note:
        element["initial_value"] = update.note
    return {
        "type": "modal", "callback_id": ids.UPDATE_NOTE_VIEW, "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": "Note for the client"},
        "submit": {"type": "plain_text", "text": "Save note"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [{"type": "input", "block_id": ids.UPDATE_NOTE_INPUT, "element": element,
                    "label": {"type": "plain_text", "text": f"Your note for the client of {project.name}"[:2000]}}],
    }
