"""The internal delay alert (and its reminders) and the client's delay notice: pure Block Kit builders."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from bot import ids
from bot.blocks.format import button, context, date_token, instant_token, section
from bot.domain.schedule import zone

if TYPE_CHECKING:
    from bot.models import Project
    from bot.models.delays import DelayAlert, DelayNotice

KIND_HEADS = {"overdue": ":red_circle: *Overdue*", "at_risk": ":large_yellow_circle: *At risk*"}
KIND_WORDS = {"overdue": "Overdue", "at_risk": "At risk"}
HISTORY_WORDS = {
    "acknowledged": ":eyes: Acknowledged",
    "snoozed": ":zzz: Snoozed for a day",
    "snooze_over": ":alarm_clock: Snooze over",
    "reminded": ":bell: Reminded the owner",
    "escalated": ":rotating_light: Escalated to the team",
    "notified": ":mega: Client notified",
    "moved": ":calendar: Date moved quietly",
    "done": ":white_check_mark: Marked done",
    "cleared": ":large_green_circle: Back on track",
    "superseded": ":red_circle: Now overdue (see the new alert)",
    "flagged": ":triangular_flag_on_post: Flagged again",
    "client_acknowledged": ":handshake: Client acknowledged the notice",
    "question": ":speech_balloon: Client asked a question (in the thread)",
}
MAX_HISTORY = 12


def short_date(day: date) -> str:
    return day.strftime("%a %-d %b %Y")


def _when(alert: DelayAlert, today: date) -> str:
    days = (today - alert.due_date).days
    if alert.kind == "overdue" and days > 0:
        return f"{days} day{'s' if days != 1 else ''} late"
    left = (alert.due_date - today).days
    return "due today" if left == 0 else f"due in {left} day{'s' if left != 1 else ''}"


def _history(alert: DelayAlert) -> list[str]:
    lines = []
    for entry in alert.history[-MAX_HISTORY:]:
        words = HISTORY_WORDS.get(entry["what"], entry["what"])
        by = f" by <@{entry['by']}>" if entry.get("by") else ""
        detail = f" ({entry['detail']})" if entry.get("detail") else ""
        at = datetime.fromisoformat(entry["at"])
        lines.append(f"{words}{by}{detail} · {instant_token(at)}")
    return lines


def alert_actions(alert: DelayAlert) -> dict:
    value = str(alert.id)
    return {"type": "actions", "block_id": f"delay-alert-{alert.id}", "elements": [
        button("Notify client", ids.DELAY_ALERT_NOTIFY, value, style="primary"),
        button("Move date quietly", ids.DELAY_ALERT_MOVE, value),
        button("Mark done", ids.DELAY_ALERT_DONE, value),
        button("Snooze 1 day", ids.DELAY_ALERT_SNOOZE, value),
    ]}


def alert_message(alert: DelayAlert, today: date) -> dict:
    """The alert in the team's channel (or the owner's DM): what slipped, and one-click answers while it is open."""
    milestone, project = alert.milestone, alert.project
    tz = zone(project.tz)
    head = (f"{KIND_HEADS[alert.kind]}: *#{milestone.number} {milestone.title}* · {project.name}\n"
            f"Due {date_token(alert.due_date, tz)} ({_when(alert, today)}) · progress {milestone.progress}% · "
            f"owner <@{project.owner_id}> · client channel <#{project.channel_id}>")
    blocks = [section(head), section(f"*Why:* {alert.reason}")]
    if alert.proposal:
        blocks.append(section(f"*Suggestion:* {alert.proposal}"))
    if alert.state == "open":
        blocks.append(alert_actions(alert))
        if alert.snoozed_until:
            blocks.append(context(f":zzz: Snoozed until {instant_token(alert.snoozed_until)}."))
        elif not alert.acknowledged_at:
            blocks.append(context("React with any emoji to acknowledge; otherwise I remind the owner, "
                                  "then the team."))
    history = _history(alert)
    if history:
        blocks.append(context("\n".join(history)))
    text = f"{KIND_WORDS[alert.kind]}: {milestone.title} ({project.name}), due {short_date(alert.due_date)}"
    return {"text": text, "blocks": blocks}


def reminder_message(alert: DelayAlert, hours: int) -> dict:
    milestone, project = alert.milestone, alert.project
    where = f" in <#{alert.project.internal_channel_id}>" if project.internal_channel_id else " above"
    text = (f":bell: Reminder: the {KIND_WORDS[alert.kind].lower()} alert for *{milestone.title}* ({project.name}) "
            f"has had no answer for {hours} business hours. Decide{where}: notify the client, move the date "
            f"quietly, mark it done, or react to acknowledge.")
    return {"text": text, "blocks": [section(text)]}


def escalation_message(alert: DelayAlert, hours: int) -> dict:
    milestone, project = alert.milestone, alert.project
    text = (f":rotating_light: <@{project.owner_id}> *{milestone.title}* ({project.name}) is "
            f"{KIND_WORDS[alert.kind].lower()} and its alert has had no answer for {hours} business hours. "
            f"The client has not been told. Anyone on the team can answer the alert.")
    return {"text": text, "blocks": [section(text)]}


def snooze_over_message(alert: DelayAlert) -> dict:
    text = (f":alarm_clock: <@{alert.project.owner_id}> The snooze is over: *{alert.milestone.title}* is still "
            f"{KIND_WORDS[alert.kind].lower()}.")
    return {"text": text, "blocks": [section(text)]}


def _notice_item(item: dict, tz) -> str:
    old, new = date.fromisoformat(item["old"]), date.fromisoformat(item["new"])
    lines = [f"*{item['title']}*: ~{date_token(old, tz)}~ → *{date_token(new, tz)}*", f"*Why:* {item['reason']}"]
    if item.get("impact"):
        lines.append(f"*Impact:* {item['impact']}")
    if item.get("needs"):
        lines.append(f"*What we need from you:* {item['needs']}")
    return "\n".join(lines)


def notice_body(notice: DelayNotice, project: Project) -> list[dict]:
    """What the client reads: each moved date, why, the impact, what we need, and who to ask."""
    tz = zone(project.tz)
    several = len(notice.items) > 1
    head = (f":calendar: *Schedule change{'s' if several else ''} on {project.name}*\n"
            f"We're telling you as soon as we know: {'these dates have' if several else 'a date has'} moved.")
    blocks = [section(head)]
    blocks.extend(section(_notice_item(item, tz)) for item in notice.items[:40])
    blocks.append(context(f"Questions? Ask <@{project.owner_id}>, reply here, or press *Ask a question*."))
    return blocks


def notice_message(notice: DelayNotice, project: Project) -> dict:
    value = str(notice.id)
    blocks = notice_body(notice, project)
    blocks.append({"type": "actions", "block_id": f"delay-notice-{notice.id}", "elements": [
        button("Acknowledge", ids.DELAY_NOTICE_ACK, value, style="primary"),
        button("Ask a question", ids.DELAY_NOTICE_ASK, value),
    ]})
    if notice.client_ack_by:
        blocks.append(context(f":white_check_mark: Acknowledged by <@{notice.client_ack_by}> · "
                              f"{instant_token(notice.client_ack_at)}"))
    moves = "; ".join(f"{i['title']} moves from {short_date(date.fromisoformat(i['old']))} to "
                      f"{short_date(date.fromisoformat(i['new']))} ({i['reason']})" for i in notice.items)
    return {"text": f"Schedule change on {project.name}: {moves}"[:3000], "blocks": blocks[:50]}


def question_message(notice: DelayNotice, project: Project, by: str, text: str) -> dict:
    titles = ", ".join(item["title"] for item in notice.items)
    quoted = "\n".join(f"> {line}" for line in text.splitlines())
    body = (f":speech_balloon: <@{project.owner_id}> <@{by}> asked about the delay notice for *{titles}* "
            f"in <#{project.channel_id}>:\n{quoted}")
    return {"text": f"Question from the client about {titles}", "blocks": [section(body)]}
