"""The kickoff card (the working agreement pinned in the client channel), its preview and its change notes."""
from __future__ import annotations

from bot import ids
from bot.blocks.format import button, context, date_token, instant_token, section
from bot.domain.schedule import WEEKDAY_NAMES, WEEKDAYS, zone
from bot.models import Project

FIELD_LABELS = {
    "scope_include": "Included", "scope_exclude": "Not included", "respond_within": "Response time",
    "cadence_weekday": "Update day", "cadence_time": "Update time", "tz": "Time zone", "owner_id": "Your contact",
    "business_days": "Business days", "business_start": "Business hours start", "business_end": "Business hours end",
    "channel_id": "Channel", "name": "Project name", "client_name": "Client",
}


def respond_words(respond_within: str) -> str:
    amount, unit = int(respond_within[:-1]), respond_within[-1]
    noun = "business hour" if unit == "h" else "business day"
    return f"{amount} {noun}{'s' if amount != 1 else ''}"


def days_words(days: str) -> str:
    names = [WEEKDAYS[int(d) - 1].title() for d in sorted(days)]
    contiguous = len(days) > 2 and all(int(b) - int(a) == 1 for a, b in zip(sorted(days), sorted(days)[1:]))
    return f"{names[0]}–{names[-1]}" if contiguous else ", ".join(names)


def change_value(field: str, value) -> str:
    if value in (None, ""):
        return "_not set_"
    if field == "cadence_weekday":
        return WEEKDAY_NAMES[int(value)]
    if field == "respond_within":
        return respond_words(str(value))
    if field == "business_days":
        return days_words(str(value))
    if field == "owner_id":
        return f"<@{value}>"
    if field == "channel_id":
        return f"<#{value}>"
    return f"“{value}”"


def kickoff_card(project: Project) -> dict:
    """The card's text and blocks, as the client will see them."""
    tz = zone(project.tz)
    who = f" for {project.client_name}" if project.client_name else ""
    reach = (f"*How to reach us*\nPost here in <#{project.channel_id}> — anyone on our side may answer, and "
             f"<@{project.owner_id}> leads the project for us.")
    cadence = (f"*Updates*\nEvery {WEEKDAY_NAMES[project.cadence_weekday]} at {project.cadence_time} "
               f"({project.tz} time), here in this channel.")
    if project.next_update_at:
        cadence += f" The next one: {instant_token(project.next_update_at)}."
    replies = (f"*Response time*\nWe answer within {respond_words(project.respond_within)}. Business hours: "
               f"{days_words(project.business_days)} {project.business_start}–{project.business_end} ({project.tz}).")
    rows = [f"• #{m.number} *{m.title}* — {date_token(m.due_date, tz)}{' ✓ delivered' if m.state == 'done' else ''}"
            for m in project.milestones[:25]]
    milestones = "*Milestones and deliverables*\n" + ("\n".join(rows) or "_Dates to follow; we'll add them here._")
    scope = (f"*Scope*\n:white_check_mark: Included: {project.scope_include or '_to be agreed_'}\n"
             f":no_entry_sign: Not included: {project.scope_exclude or '_to be agreed_'}")
    blocks = [
        section(f":handshake: *Our working agreement — {project.name}{who}*"),
        section(reach), section(cadence), section(replies), section(milestones), section(scope),
        context("Pinned for reference. When any of this changes, we say what changed in this thread."),
    ]
    return {"text": f"Our working agreement — {project.name}", "blocks": blocks}


def kickoff_preview(project: Project, card: dict, *, posted: bool) -> dict:
    """What the owner sees before the card goes to the client: the card itself and an Approve button."""
    if posted:
        intro = section(f"This is the working agreement pinned in <#{project.channel_id}>. "
                        "Changes to its terms are posted in its thread.")
        return {"text": card["text"], "blocks": [intro, {"type": "divider"}, *card["blocks"]]}
    intro = section(f":eyes: *Preview:* this kickoff card for *{project.name}* will be posted and pinned in "
                    f"<#{project.channel_id}> when you approve it. Set the scope first with "
                    f"`/expect scope {project.slug} include=\"…\" exclude=\"…\"`.")
    actions = {"type": "actions", "elements": [
        button("Approve and post", ids.KICKOFF_APPROVE, str(project.id), style="primary")]}
    return {"text": f"Preview: kickoff card for {project.name}",
            "blocks": [intro, {"type": "divider"}, *card["blocks"], {"type": "divider"}, actions]}


def change_note(changes: dict[str, tuple]) -> dict:
    """A short "what changed" post for the card's thread."""
    lines = [f"• {FIELD_LABELS.get(field, field.replace('_', ' ').capitalize())}: "
             f"{change_value(field, old)} → {change_value(field, new)}" for field, (old, new) in changes.items()]
    text = "*What changed in our working agreement*\n" + "\n".join(lines)
    return {"text": text[:3000], "blocks": [section(text), context("The pinned card above is up to date.")]}


def milestone_note(title: str, due, tz_name: str) -> dict:
    text = f"*What changed in our working agreement*\n• New milestone: *{title}*, due {date_token(due, zone(tz_name))}"
    return {"text": text, "blocks": [section(text), context("The pinned card above is up to date.")]}


def approved_note(project: Project, by: str) -> str:
    return f":white_check_mark: <@{by}> approved the kickoff card; it is being posted and pinned in <#{project.channel_id}>."
