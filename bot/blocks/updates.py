"""The weekly update the client reads, and the owner's preview of it (pure Block Kit builders)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot import ids
from bot.blocks.format import (
    HEALTH_EMOJI, HEALTH_WORDS, button, context, date_token, instant_token, progress_bar, section,
)
from bot.blocks.owed import owed_line
from bot.blocks.timeline import in_words
from bot.domain.posts import (
    ApprovalReminder, MilestoneFacts, OwedNeed, ProjectFacts, UpdateExpired, UpdateFacts, UpdatePreview, WeeklyUpdatePost,
)
from bot.domain.schedule import zone
from bot.domain.update_items import HIGHLIGHT_LIMIT
from bot.i18n import TN_, N_, T_, _, _n, T_plain, for_client, plain
from bot.mrkdwn import Markup, channel_link, fmt, quote, user_mention

if TYPE_CHECKING:
    from bot.models import Project, WeeklyUpdate

MAX_LINES = 15
STATUS_LINES = {
    "approved": TN_(":white_check_mark: Approved by {who}."),
    "skipped": TN_(":fast_forward: Skipped by {who}: nothing goes to the client this week."),
    "queued": TN_(":outbox_tray: On its way to the client."),
    "posted": TN_(":outbox_tray: Posted to the client."),
    "awaiting": TN_(":hourglass: Waiting for your approval: nothing has gone to the client."),
    "missed": TN_(":zzz: Its time passed; the next update covers it."),
}
SENT_BY = {
    "queued": TN_(":outbox_tray: On its way to the client (sent by {who})."),
    "posted": TN_(":outbox_tray: Posted to the client (sent by {who})."),
}


def _greeting(project: ProjectFacts) -> Markup:
    # Translators: {client} is the client company's name as the team typed it; :wave: is an emoji code, keep it.
    return _("Hello {client} :wave:", client=project.client_name) if project.client_name else _("Hello :wave:")


def _due(milestone: MilestoneFacts, project: ProjectFacts) -> Markup:
    tz = zone(project.tz)
    if milestone.due_date != milestone.baseline_due_date:
        return _("due {due} (moved: {old} → {new})", due=date_token(milestone.due_date, tz),
                 old=date_token(milestone.baseline_due_date, tz), new=date_token(milestone.due_date, tz))
    return _("due {due}", due=date_token(milestone.due_date, tz))


def _listed(title: str, lines: list[Markup]) -> dict:
    shown = lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        shown.append(_n("…and {n} more", "…and {n} more", len(lines) - MAX_LINES))
    return section(fmt("*{title}*\n", title=title) + Markup("\n").join(shown))


def update_text(post: WeeklyUpdatePost) -> str:
    """The notification fallback of the update."""
    return _("Weekly update: {name} — {health}", name=post.project.name, health=_(HEALTH_WORDS[post.health]))


def _next_update(post: WeeklyUpdatePost) -> dict:
    if not post.closed:
        return context(_("Next update {at}.", at=instant_token(post.next_at)))
    tz = zone(post.project.tz)
    first, last, at = date_token(post.closed.first, tz), date_token(post.closed.last, tz), instant_token(post.next_at)
    if post.closed.name:
        closed = _("*We're closed {first} – {last} ({reason}).* There are no updates meanwhile; the next one comes "
                   "{at}.", first=first, last=last, reason=post.closed.name, at=at)
    else:
        closed = _("*We're closed {first} – {last}.* There are no updates meanwhile; the next one comes {at}.",
                   first=first, last=last, at=at)
    return section(Markup(":palm_tree: ") + closed)


def update_blocks(post: WeeklyUpdatePost) -> list[dict]:
    """The client-facing weekly update (or the short one for a quiet week)."""
    project = post.project
    emoji, words = HEALTH_EMOJI[post.health], _(HEALTH_WORDS[post.health])
    next_update = _next_update(post)
    if post.quiet:
        upcoming = post.upcoming[0] if post.upcoming else None
        quiet = (_("{hello} No change on *{name}* this week: {emoji} on track for *{title}*, {due}.",
                   hello=_greeting(project), name=project.name, emoji=Markup(emoji), title=upcoming.title,
                   due=_due(upcoming, project)) if upcoming else
                 _("{hello} No change on *{name}* this week: {emoji} on track.", hello=_greeting(project),
                   name=project.name, emoji=Markup(emoji)))
        return [section(quiet), *_chart(post), next_update]
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": plain("{name}: weekly update", name=project.name)[:150]}},
        section(_("{hello} Here is where *{name}* stands.\n{emoji} *{words}*", hello=_greeting(project),
                  name=project.name, emoji=Markup(emoji), words=words)),
    ]
    if post.done:
        blocks.append(_listed(_("Done since the last update"),
                              [fmt(":white_check_mark: {title}", title=m.title) for m in post.done]))
    if post.finished:
        blocks.append(_listed(_("This week we finished"), [fmt("• {text}", text=item.text) for item in post.finished]))
    if post.highlights:
        blocks.append(_listed(_("Highlights"), [fmt(":star: {text}", text=item.text) for item in post.highlights]))
    if post.in_progress:
        blocks.append(_listed(_("In progress"), [fmt("*{title}*  {bar}", title=m.title, bar=progress_bar(m.progress))
                                              for m in post.in_progress]))
    if post.upcoming:
        blocks.append(_listed(_("Next milestones"), [fmt("• *{title}* — {due}", title=m.title, due=_due(m, project))
                                                  for m in post.upcoming]))
    if not post.has_milestones:
        blocks.append(section(_("No milestones are set yet.")))
    if post.needs:
        blocks.append(_listed(_("What we need from you"), [
            Markup("• ") + (owed_line(need, project.tz) if isinstance(need, OwedNeed) else need) for need in post.needs]))
    blocks.extend(section("\n".join(lines)) for lines in post.extras)
    if post.note:
        blocks.append(section(_("*A note from {owner}*", owner=user_mention(project.owner_id)) + Markup("\n")
                              + quote(post.note)))
    blocks.extend(_chart(post))
    blocks.append(next_update)
    return blocks


def _chart(post: WeeklyUpdatePost) -> list[dict]:
    if post.chart is None:
        return []
    return [{"type": "image", "slack_file": {"id": post.chart.file_id}, "alt_text": in_words(post.chart.timeline),
             "title": {"type": "plain_text", "text": plain("Timeline")}}]


def update_message(post: WeeklyUpdatePost) -> dict:
    return {"text": update_text(post), "blocks": update_blocks(post)}


def update_actions(update: UpdateFacts) -> dict:
    value = str(update.id)
    return {"type": "actions", "block_id": ids.UPDATE_PREVIEW_ACTIONS, "elements": [
        button(T_plain("Approve"), ids.UPDATE_APPROVE, value, style="primary"),
        button(T_plain("Add a note"), ids.UPDATE_NOTE, value),
        button(T_plain("Skip this week"), ids.UPDATE_SKIP, value, style="danger"),
        button(T_plain("Post now"), ids.UPDATE_POST_NOW, value),
    ]}


def preview_blocks(preview: UpdatePreview) -> list[dict]:
    """The owner's preview: what the client will see, and the buttons that decide it."""
    project, update = preview.post.project, preview.update
    mode = (T_("It posts only once you approve it.") if preview.approval_mode == "required"
            else T_("It posts automatically unless you skip it."))
    blocks = [section(T_(":eyes: *Preview* of the weekly update for *{name}*, going to {channel} {at}. {mode}",
                         name=project.name, channel=channel_link(project.channel_id),
                         at=instant_token(update.scheduled_for), mode=mode))]
    status = (SENT_BY.get(update.state) if update.decided_by else None) or STATUS_LINES.get(update.state)
    if status:
        blocks.append(context(T_(status, who=user_mention(update.decided_by or project.owner_id))))
    blocks.append({"type": "divider"})
    with for_client():
        blocks.extend(update_blocks(preview.post))
    blocks.append({"type": "divider"})
    if update.state not in ("posted", "missed"):
        blocks.extend(_item_controls(preview))
    if update.state not in ("queued", "posted", "missed"):
        blocks.append(update_actions(update))
    return blocks


def _item_controls(preview: UpdatePreview) -> list[dict]:
    """One line per finished item or highlight, with the button that hides it from the client (or shows it)."""
    shown = [(item, False) for item in preview.post.finished + preview.post.highlights]
    items = (shown + [(item, True) for item in preview.hidden])[:MAX_LINES]
    if not items:
        return []
    blocks = [context("Hide anything the client should not read; hidden items stay out of the post. "
                      "Highlights can be reworded from their menu.")]
    for item, hidden in items:
        text = fmt("~{text}~ _(hidden)_", text=item.text[:2900]) if hidden else fmt("{text}", text=item.text[:2900])
        label, action = ("Show", ids.UPDATE_ITEM_SHOW) if hidden else ("Hide", ids.UPDATE_ITEM_HIDE)
        block = section(text)
        ref = f"{preview.update.id}:{item.id}"
        block["accessory"] = (_highlight_menu(label, action, ref) if item.source == "slack"
                              else button(label, action, ref))
        blocks.append(block)
    return blocks


def _highlight_menu(label: str, action: str, ref: str) -> dict:
    """Hide (or show) and Edit for a highlight: a section holds one accessory, so the two share a menu."""
    return {"type": "overflow", "action_id": ids.UPDATE_ITEM_MENU, "options": [
        {"text": {"type": "plain_text", "text": label}, "value": f"{action}:{ref}"},
        {"text": {"type": "plain_text", "text": "Edit"}, "value": f"{ids.UPDATE_ITEM_EDIT}:{ref}"},
    ]}


def preview_message(preview: UpdatePreview) -> dict:
    return {"text": preview_text(preview.post.project), "blocks": preview_blocks(preview)}


def preview_text(project: ProjectFacts) -> str:
    return T_("Preview of this week's update for {name}", name=project.name)


def reminder_message(post: ApprovalReminder) -> dict:
    """Asks the owner, again, to approve an update that is waiting."""
    project, update = post.project, post.update
    return {"text": T_("The weekly update for {name} is waiting for your approval.", name=project.name), "blocks": [
        section(T_(":hourglass: The weekly update for *{name}* was due {at} and is waiting for your approval. "
                   "Nothing has gone to {channel} yet.", name=project.name, at=instant_token(update.scheduled_for),
                   channel=channel_link(project.channel_id))),
        update_actions(update),
    ]}


def expired_message(post: UpdateExpired) -> dict:
    return {"text": T_(":zzz: The weekly update for *{name}* was never approved, so I skipped it. "
                       "The next update will cover everything since the last one.", name=post.project_name)}


def note_modal(update: WeeklyUpdate, project: Project, private_metadata: str) -> dict:
    """Asks the owner for a note to add to the client's update."""
    element = {"type": "plain_text_input", "action_id": ids.UPDATE_NOTE_INPUT, "multiline": True, "max_length": 2000}
    if update.note:
        element["initial_value"] = update.note
    return {
        "type": "modal", "callback_id": ids.UPDATE_NOTE_VIEW, "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": T_plain("Note for the client")},
        "submit": {"type": "plain_text", "text": T_plain("Save note")},
        "close": {"type": "plain_text", "text": T_plain("Cancel")},
        "blocks": [{"type": "input", "block_id": ids.UPDATE_NOTE_INPUT, "element": element, "label": {
            "type": "plain_text", "text": T_plain("Your note for the client of {name}", name=project.name)[:2000]}}],
    }


def highlight_modal(text: str, private_metadata: str) -> dict:
    """Asks the owner for a highlight's words as the client should read them (the current ones prefilled)."""
    element = {"type": "plain_text_input", "action_id": ids.UPDATE_ITEM_TEXT, "multiline": True,
               "max_length": HIGHLIGHT_LIMIT, "initial_value": text[:HIGHLIGHT_LIMIT]}
    return {
        "type": "modal", "callback_id": ids.UPDATE_ITEM_EDIT_VIEW, "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": T_plain("Edit the highlight")},
        "submit": {"type": "plain_text", "text": T_plain("Save")},
        "close": {"type": "plain_text", "text": T_plain("Cancel")},
        "blocks": [{"type": "input", "block_id": ids.UPDATE_ITEM_TEXT, "element": element, "label": {
            "type": "plain_text", "text": T_plain("The highlight as the client will read it")}}],
    }
