"""The internal delay alert (and its reminders) and the client's delay notice: pure Block Kit builders."""
from __future__ import annotations

from datetime import date, datetime

from bot import ids
from bot.blocks.format import button, context, date_token, instant_token, section
from bot.domain.delays import HISTORY_WORDS, short_date
from bot.domain.posts import (
    AlertFacts, DelayAlertPost, DelayEscalation, DelayNoticePost, DelayQuestion, DelayReminder, SnoozeOver,
)
from bot.domain.schedule import zone
from bot.i18n import TN_, T_, _, T_n, T_plain, date_text, plain, separator
from bot.mrkdwn import Markup, channel_link, fmt, quote, user_mention

KIND_HEADS = {"overdue": TN_(":red_circle: *Overdue*"), "at_risk": TN_(":large_yellow_circle: *At risk*")}
KIND_WORDS = {"overdue": TN_("Overdue"), "at_risk": TN_("At risk")}
REMINDERS = {
    ("overdue", True): TN_(":bell: Reminder: the overdue alert for *{title}* ({name}) has had no answer for {hours} "
                           "business hours. Decide in {channel}: notify the client, move the date quietly, mark it "
                           "done, or react to acknowledge."),
    ("overdue", False): TN_(":bell: Reminder: the overdue alert for *{title}* ({name}) has had no answer for {hours} "
                            "business hours. Decide above: notify the client, move the date quietly, mark it done, "
                            "or react to acknowledge."),
    ("at_risk", True): TN_(":bell: Reminder: the at risk alert for *{title}* ({name}) has had no answer for {hours} "
                           "business hours. Decide in {channel}: notify the client, move the date quietly, mark it "
                           "done, or react to acknowledge."),
    ("at_risk", False): TN_(":bell: Reminder: the at risk alert for *{title}* ({name}) has had no answer for {hours} "
                            "business hours. Decide above: notify the client, move the date quietly, mark it done, "
                            "or react to acknowledge."),
}
ESCALATIONS = {
    "overdue": TN_(":rotating_light: {owner} *{title}* ({name}) is overdue and its alert has had no answer for {hours} "
                   "business hours. The client has not been told. Anyone on the team can answer the alert."),
    "at_risk": TN_(":rotating_light: {owner} *{title}* ({name}) is at risk and its alert has had no answer for {hours} "
                   "business hours. The client has not been told. Anyone on the team can answer the alert."),
}
SNOOZES_OVER = {
    "overdue": TN_(":alarm_clock: {owner} The snooze is over: *{title}* is still overdue."),
    "at_risk": TN_(":alarm_clock: {owner} The snooze is over: *{title}* is still at risk."),
}
MAX_HISTORY = 12


def _when(alert: AlertFacts, today: date) -> Markup:
    days = (today - alert.due_date).days
    if alert.kind == "overdue" and days > 0:
        return T_n("{n} day late", "{n} days late", days)
    left = (alert.due_date - today).days
    return T_("due today") if left == 0 else T_n("due in {n} day", "due in {n} days", left)


def _history(alert: AlertFacts) -> list[Markup]:
    lines = []
    for entry in alert.history[-MAX_HISTORY:]:
        words = T_(HISTORY_WORDS[entry["what"]]) if entry["what"] in HISTORY_WORDS else entry["what"]
        at, who, detail = instant_token(datetime.fromisoformat(entry["at"])), entry.get("by"), entry.get("detail")
        if who and detail:
            line = T_("{words} by {who} ({detail}) · {at}", words=words, who=user_mention(who), detail=detail, at=at)
        elif who:
            line = T_("{words} by {who} · {at}", words=words, who=user_mention(who), at=at)
        elif detail:
            line = T_("{words} ({detail}) · {at}", words=words, detail=detail, at=at)
        else:
            line = T_("{words} · {at}", words=words, at=at)
        lines.append(line)
    return lines


def alert_actions(alert: AlertFacts) -> dict:
    value = str(alert.id)
    return {"type": "actions", "block_id": f"delay-alert-{alert.id}", "elements": [
        button(T_plain("Notify client"), ids.DELAY_ALERT_NOTIFY, value, style="primary"),
        button(T_plain("Move date quietly"), ids.DELAY_ALERT_MOVE, value),
        button(T_plain("Mark done"), ids.DELAY_ALERT_DONE, value),
        button(T_plain("Snooze 1 day"), ids.DELAY_ALERT_SNOOZE, value),
    ]}


def alert_message(post: DelayAlertPost) -> dict:
    """The alert in the team's channel (or the owner's DM): what slipped, and one-click answers while it is open."""
    alert, today = post.alert, post.today
    milestone, project = alert.milestone, alert.project
    tz = zone(project.tz)
    head = T_("{head}: *#{number} {title}* · {name}\nDue {due} ({when}) · progress {progress}% · "
              "owner {owner} · client channel {channel}", head=T_(KIND_HEADS[alert.kind]),
               number=milestone.number, title=milestone.title, name=project.name, due=date_token(alert.due_date, tz),
               when=_when(alert, today), progress=milestone.progress, owner=user_mention(project.owner_id),
               channel=channel_link(project.channel_id))
    why = T_("Flagged by {who}: {reason}", who=user_mention(alert.flagged_by), reason=alert.reason) \
        if alert.flagged_by else alert.reason
    blocks = [section(head), section(T_("*Why:* {reason}", reason=why))]
    if alert.proposal:
        blocks.append(section(T_("*Suggestion:* {proposal}", proposal=alert.proposal)))
    if alert.state == "open":
        blocks.append(alert_actions(alert))
        if alert.snoozed_until:
            blocks.append(context(T_(":zzz: Snoozed until {at}.", at=instant_token(alert.snoozed_until))))
        elif not alert.acknowledged_at:
            blocks.append(context(T_("React with any emoji to acknowledge; otherwise I remind the owner, "
                                     "then the team.")))
    history = _history(alert)
    if history:
        blocks.append(context(Markup("\n").join(history)))
    text = T_("{kind}: {title} ({name}), due {due}", kind=T_(KIND_WORDS[alert.kind]), title=milestone.title,
              name=project.name, due=short_date(alert.due_date))
    return {"text": text, "blocks": blocks}


def reminder_message(post: DelayReminder) -> dict:
    alert = post.alert
    milestone, project = alert.milestone, alert.project
    template = REMINDERS[alert.kind, bool(project.internal_channel_id)]
    text = T_(template, title=milestone.title, name=project.name, hours=post.hours,
              channel=channel_link(project.internal_channel_id or ""))
    return {"text": text, "blocks": [section(text)]}


def escalation_message(post: DelayEscalation) -> dict:
    alert = post.alert
    milestone, project = alert.milestone, alert.project
    text = T_(ESCALATIONS[alert.kind], owner=user_mention(project.owner_id), title=milestone.title, name=project.name,
              hours=post.hours)
    return {"text": text, "blocks": [section(text)]}


def snooze_over_message(post: SnoozeOver) -> dict:
    alert = post.alert
    text = T_(SNOOZES_OVER[alert.kind], owner=user_mention(alert.project.owner_id), title=alert.milestone.title)
    return {"text": text, "blocks": [section(text)]}


def _notice_item(item: dict, tz) -> Markup:
    old, new = date.fromisoformat(item["old"]), date.fromisoformat(item["new"])
    lines = [fmt("*{title}*: ~{old}~ → *{new}*", title=item["title"], old=date_token(old, tz), new=date_token(new, tz)),
             _("*Why:* {reason}", reason=item["reason"])]
    if item.get("impact"):
        lines.append(_("*Impact:* {impact}", impact=item["impact"]))
    if item.get("needs"):
        lines.append(_("*What we need from you:* {needs}", needs=item["needs"]))
    return Markup("\n").join(lines)


def notice_body(notice, project, contact: str | None = None) -> list[dict]:
    """What the client reads: each moved date, why, the impact, what we need, and who to ask.

    `notice` and `project` are rows or their facts (the owner's preview renders an unsaved notice)."""
    tz = zone(project.tz)
    head = (_("*Schedule changes on {name}*\nWe're telling you as soon as we know: these dates have moved.",
              name=project.name) if len(notice.items) > 1 else
            _("*Schedule change on {name}*\nWe're telling you as soon as we know: a date has moved.", name=project.name))
    blocks = [section(Markup(":calendar: ") + head)]
    blocks.extend(section(_notice_item(item, tz)) for item in notice.items[:40])
    blocks.append(context(_("Questions? Ask {owner}, reply here, or press *Ask a question*.",
                            owner=user_mention(contact or project.owner_id))))
    return blocks


def notice_message(post: DelayNoticePost) -> dict:
    notice, project = post.notice, post.project
    value = str(notice.id)
    blocks = notice_body(notice, project, post.contact)
    blocks.append({"type": "actions", "block_id": f"delay-notice-{notice.id}", "elements": [
        # Translators: buttons under the delay notice: the client says they have read it, or asks a question.
        button(plain("Acknowledge"), ids.DELAY_NOTICE_ACK, value, style="primary"),
        button(plain("Ask a question"), ids.DELAY_NOTICE_ASK, value),
    ]})
    if notice.client_ack_by:
        blocks.append(context(Markup(":white_check_mark: ") + _("Acknowledged by {who} · {at}",
                              who=user_mention(notice.client_ack_by), at=instant_token(notice.client_ack_at))))
    moves = separator(strong=True).join(_("{title} moves from {old} to {new} ({reason})", title=i["title"],
                                old=date_text(date.fromisoformat(i["old"])), new=date_text(date.fromisoformat(i["new"])),
                                reason=i["reason"]) for i in notice.items)
    return {"text": _("Schedule change on {name}: {moves}", name=project.name, moves=moves), "blocks": blocks}


def question_message(post: DelayQuestion) -> dict:
    notice, project = post.notice, post.project
    titles = ", ".join(item["title"] for item in notice.items)
    body = T_(":speech_balloon: {owner} {by} asked about the delay notice for *{titles}* in {channel}:\n{quoted}",
              owner=user_mention(project.owner_id), by=user_mention(post.by), titles=titles,
              channel=channel_link(project.channel_id), quoted=quote(post.text))
    return {"text": T_("Question from the client about {titles}", titles=titles), "blocks": [section(body)]}
