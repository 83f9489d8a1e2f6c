"""What the client owes: the polite reminder with its "Sent ✓" button, lists and notes."""
from __future__ import annotations

from datetime import date

from bot import ids
from bot.blocks.format import button, context, date_token, section
from bot.domain.schedule import zone
from bot.models import Milestone, Project
from bot.models.expectations import OwedItem


def _lateness(item: OwedItem, today: date) -> str:
    days = (today - item.due_date).days
    if days <= 0:
        return "today" if days == 0 else ""
    return f"{days} day{'s' if days != 1 else ''} ago"


def owed_line(project: Project, item: OwedItem, today: date, blocked: Milestone | None) -> str:
    """One line for "What we need from you"."""
    line = f"*{item.title}* — due {date_token(item.due_date, zone(project.tz))}"
    if item.due_date < today:
        line += f" (overdue, {_lateness(item, today)})"
    if blocked is not None:
        line += f" · needed for *{blocked.title}*"
    return line


def owed_reminder(project: Project, item: OwedItem, today: date, blocked: Milestone | None) -> dict:
    hello = f"Hi {project.client_name} team! " if project.client_name else "Hi! "
    when = "was due " + _lateness(item, today) if item.due_date < today else "is due today"
    text = (f":wave: {hello}A friendly reminder: we need *{item.title}* from you — it {when} "
            f"({date_token(item.due_date, zone(project.tz))}).")
    if blocked is not None:
        text += f" It's what *{blocked.title}* is waiting on."
    actions = {"type": "actions", "elements": [button("Sent ✓", ids.OWED_SENT, str(item.id), style="primary")]}
    return {"text": f"Reminder: we need {item.title} from you", "blocks": [
        section(text), actions, context("Press *Sent ✓* once it's on its way, and we'll take it from there.")]}


def owed_sent(item: OwedItem, who: str) -> dict:
    text = f":white_check_mark: *{item.title}* — marked sent by {who}. Thank you!"
    return {"text": text, "blocks": [section(text)]}


def owed_list(project: Project, items: list[OwedItem], today: date) -> list[dict]:
    """The team's view: each open item with its Received button."""
    if not items:
        return [section(f"*{project.name}*: the client owes us nothing right now. Add an item with "
                        f"`/expect owe {project.slug} \"Brand assets\" due=fri`.")]
    blocks = [section(f"*What {project.client_name or 'the client'} owes us for {project.name}*")]
    for item in items[:20]:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "• " + owed_line(project, item, today, None)},
                       "accessory": button("Received", ids.OWED_RECEIVED, str(item.id))})
    return blocks


def owed_received_note(project: Project, item: OwedItem, by_client: bool, who: str) -> dict:
    how = f"{who} marked it sent" if by_client else f"{who} marked it received"
    text = f":inbox_tray: *{project.name}*: *{item.title}* is in — {how}."
    return {"text": text, "blocks": [section(text)]}
