"""What the client owes: the polite reminder with its "Sent ✓" button, lists and notes."""
from __future__ import annotations

from datetime import date

from bot import ids
from bot.blocks.format import button, context, date_token, section
from bot.domain.posts import OwedNeed, OwedReceived, OwedReminder, OwedSent
from bot.domain.schedule import zone
from bot.i18n import T_, _, _n, T_plain, plain
from bot.mrkdwn import Markup, code, fmt, user_mention
from bot.models import Project
from bot.models.expectations import OwedItem


def owed_line(need: OwedNeed, tz: str) -> Markup:
    """One line for "What we need from you"."""
    due, late = date_token(need.due_date, zone(tz)), (need.today - need.due_date).days
    if late > 0 and need.blocked_title is not None:
        return _n("*{title}* — due {due} (overdue, {n} day ago) · needed for *{blocked}*",
                  "*{title}* — due {due} (overdue, {n} days ago) · needed for *{blocked}*", late,
                  title=need.title, due=due, blocked=need.blocked_title)
    if late > 0:
        return _n("*{title}* — due {due} (overdue, {n} day ago)", "*{title}* — due {due} (overdue, {n} days ago)",
                  late, title=need.title, due=due)
    if need.blocked_title is not None:
        return _("*{title}* — due {due} · needed for *{blocked}*", title=need.title, due=due,
                 blocked=need.blocked_title)
    return _("*{title}* — due {due}", title=need.title, due=due)


def owed_reminder(post: OwedReminder) -> dict:
    project, need = post.project, post.need
    hello = _("Hi {client} team!", client=project.client_name) if project.client_name else _("Hi!")
    due, late = date_token(need.due_date, zone(project.tz)), (need.today - need.due_date).days
    if late > 0:
        ask = _n("A friendly reminder: we need *{title}* from you — it was due {n} day ago ({due}).",
                 "A friendly reminder: we need *{title}* from you — it was due {n} days ago ({due}).", late,
                 title=need.title, due=due)
    else:
        ask = _("A friendly reminder: we need *{title}* from you — it is due today ({due}).", title=need.title, due=due)
    body = fmt(":wave: {hello} {ask}", hello=hello, ask=ask)
    if need.blocked_title is not None:
        body += Markup(" ") + _("It's what *{title}* is waiting on.", title=need.blocked_title)
    actions = {"type": "actions", "elements": [
        # Translators: a button the client presses once they have sent what we asked for; keep it short.
        button(plain("Sent ✓"), ids.OWED_SENT, str(post.item_id), style="primary")]}
    return {"text": _("Reminder: we need {title} from you", title=need.title), "blocks": [
        section(body), actions, context(_("Press *Sent ✓* once it's on its way, and we'll take it from there."))]}


def owed_sent(post: OwedSent) -> dict:
    """The reminder once its Sent ✓ button was pressed."""
    who = post.who if post.who is not None else user_mention(post.by)
    body = fmt(":white_check_mark: {line}", line=_("*{title}* — marked sent by {who}. Thank you!", title=post.title,
                                                     who=who))
    return {"text": body, "blocks": [section(body)]}


def owed_list(project: Project, items: list[OwedItem], today: date) -> list[dict]:
    """The team's view: each open item with its Received button."""
    if not items:
        return [section(T_("*{name}*: the client owes us nothing right now. Add an item with {example}.",
                           name=project.name, example=code(f'/expect owe {project.slug} "Brand assets" due=fri')))]
    blocks = [section(T_("*What {client} owes us for {name}*", client=project.client_name, name=project.name)
                      if project.client_name else T_("*What the client owes us for {name}*", name=project.name))]
    for item in items[:20]:
        line = owed_line(OwedNeed(item.title, item.due_date, today), project.tz)
        blocks.append({**section(Markup("• ") + line),
                       "accessory": button(T_plain("Received"), ids.OWED_RECEIVED, str(item.id))})
    return blocks


def owed_received_note(post: OwedReceived) -> dict:
    who = post.who if post.who is not None else user_mention(post.by)
    text = (T_(":inbox_tray: *{name}*: *{title}* is in — {who} marked it sent.", name=post.project.name,
               title=post.title, who=who) if post.by_client else
            T_(":inbox_tray: *{name}*: *{title}* is in — {who} marked it received.", name=post.project.name,
               title=post.title, who=who))
    return {"text": text, "blocks": [section(text)]}
