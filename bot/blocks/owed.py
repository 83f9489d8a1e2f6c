"""What the client owes: the polite reminder with its "Sent ✓" button, lists and notes."""
from __future__ import annotations

from datetime import date

from bot import ids
from bot.blocks.format import button, context, date_token, section
from bot.domain.posts import OwedNeed, OwedReceived, OwedReminder
from bot.domain.schedule import zone
from bot.mrkdwn import Markup, code, fmt, user_mention
from bot.models import Project
from bot.models.expectations import OwedItem


def _lateness(due_date: date, today: date) -> str:
    days = (today - due_date).days
    if days <= 0:
        return "today" if days == 0 else ""
    return f"{days} day{'s' if days != 1 else ''} ago"


def owed_line(need: OwedNeed, tz: str) -> Markup:
    """One line for "What we need from you"."""
    line = fmt("*{title}* — due {due}", title=need.title, due=date_token(need.due_date, zone(tz)))
    if need.due_date < need.today:
        line += fmt(" (overdue, {late})", late=_lateness(need.due_date, need.today))
    if need.blocked_title is not None:
        line += fmt(" · needed for *{title}*", title=need.blocked_title)
    return line


def owed_reminder(post: OwedReminder) -> dict:
    project, need = post.project, post.need
    hello = fmt("Hi {client} team! ", client=project.client_name) if project.client_name else Markup("Hi! ")
    when = "was due " + _lateness(need.due_date, need.today) if need.due_date < need.today else "is due today"
    text = fmt(":wave: {hello}A friendly reminder: we need *{title}* from you — it {when} ({due}).", hello=hello,
               title=need.title, when=when, due=date_token(need.due_date, zone(project.tz)))
    if need.blocked_title is not None:
        text += fmt(" It's what *{title}* is waiting on.", title=need.blocked_title)
    actions = {"type": "actions", "elements": [button("Sent ✓", ids.OWED_SENT, str(post.item_id), style="primary")]}
    return {"text": f"Reminder: we need {need.title} from you", "blocks": [
        section(text), actions, context(Markup("Press *Sent ✓* once it's on its way, and we'll take it from there."))]}


def owed_sent(item: OwedItem, who: str) -> dict:
    text = fmt(":white_check_mark: *{title}* — marked sent by {who}. Thank you!", title=item.title, who=who)
    return {"text": text, "blocks": [section(text)]}


def owed_list(project: Project, items: list[OwedItem], today: date) -> list[dict]:
    """The team's view: each open item with its Received button."""
    if not items:
        return [section(fmt("*{name}*: the client owes us nothing right now. Add an item with {example}.",
                            name=project.name, example=code(f'/expect owe {project.slug} "Brand assets" due=fri')))]
    blocks = [section(fmt("*What {client} owes us for {name}*", client=project.client_name or "the client",
                          name=project.name))]
    for item in items[:20]:
        line = owed_line(OwedNeed(item.title, item.due_date, today), project.tz)
        blocks.append({**section(Markup("• ") + line), "accessory": button("Received", ids.OWED_RECEIVED, str(item.id))})
    return blocks


def owed_received_note(post: OwedReceived) -> dict:
    who = post.who if post.who is not None else user_mention(post.by)
    how = fmt("{who} marked it sent" if post.by_client else "{who} marked it received", who=who)
    text = fmt(":inbox_tray: *{name}*: *{title}* is in — {how}.", name=post.project.name, title=post.title, how=how)
    return {"text": text, "blocks": [section(text)]}
