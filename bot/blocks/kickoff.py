"""The kickoff card (the working agreement pinned in the client channel), its preview and its change notes."""
from __future__ import annotations

from bot import ids
from bot.blocks.calendar import closed_days_section
from bot.blocks.format import button, context, date_token, instant_token, section
from bot.domain.posts import KickoffCard, KickoffChange, KickoffPreview, MilestoneAdded
from bot.domain.schedule import WEEKDAY_NAMES, WEEKDAYS, zone
from bot.mrkdwn import Markup, channel_link, code, fmt, user_mention

FIELD_LABELS = {
    "scope_include": "Included", "scope_exclude": "Not included", "respond_within": "Response time",
    "cadence_weekday": "Update day", "cadence_time": "Update time", "tz": "Time zone", "owner_id": "Your contact",
    "business_days": "Business days", "business_start": "Business hours start", "business_end": "Business hours end",
    "channel_id": "Channel", "name": "Project name", "client_name": "Client", "holidays": "Public holidays",
}
TO_BE_AGREED = Markup("_to be agreed_")


def respond_words(respond_within: str) -> str:
    amount, unit = int(respond_within[:-1]), respond_within[-1]
    noun = "business hour" if unit == "h" else "business day"
    return f"{amount} {noun}{'s' if amount != 1 else ''}"


def days_words(days: str) -> str:
    names = [WEEKDAYS[int(d) - 1].title() for d in sorted(days)]
    contiguous = len(days) > 2 and all(int(b) - int(a) == 1 for a, b in zip(sorted(days), sorted(days)[1:]))
    return f"{names[0]}–{names[-1]}" if contiguous else ", ".join(names)


def change_value(field: str, value) -> Markup:
    if field == "holidays":
        return fmt("those of {code}", code=value) if value else Markup("not observed")
    if value in (None, ""):
        return Markup("_not set_")
    if field == "cadence_weekday":
        return fmt("{day}", day=WEEKDAY_NAMES[int(value)])
    if field == "respond_within":
        return fmt("{words}", words=respond_words(str(value)))
    if field == "business_days":
        return fmt("{words}", words=days_words(str(value)))
    if field == "owner_id":
        return user_mention(str(value))
    if field == "channel_id":
        return channel_link(str(value))
    return fmt("“{value}”", value=value)


def kickoff_card(card: KickoffCard) -> dict:
    """The card's text and blocks, as the client will see them."""
    tz = zone(card.tz)
    who = fmt(" for {client}", client=card.client_name) if card.client_name else ""
    lead = (fmt("{contact} answers for {owner}, who is away", contact=user_mention(card.contact),
                owner=user_mention(card.owner_id)) if card.contact and card.contact != card.owner_id
            else fmt("{owner} leads the project for us", owner=user_mention(card.owner_id)))
    reach = fmt("*How to reach us*\nPost here in {channel} — anyone on our side may answer, and {lead}.",
                channel=channel_link(card.channel_id), lead=lead)
    cadence = fmt("*Updates*\nEvery {day} at {time} ({tz} time), here in this channel.",
                  day=WEEKDAY_NAMES[card.cadence_weekday], time=card.cadence_time, tz=card.tz)
    if card.next_update_at:
        cadence += fmt(" The next one: {at}.", at=instant_token(card.next_update_at))
    replies = fmt("*Response time*\nWe answer within {within}. Business hours: {days} {start}–{end} ({tz}).",
                  within=respond_words(card.respond_within), days=days_words(card.business_days),
                  start=card.business_start, end=card.business_end, tz=card.tz)
    rows = [fmt("• #{number} *{title}* — {due}{done}", number=m.number, title=m.title, due=date_token(m.due_date, tz),
                done=" ✓ delivered" if m.state == "done" else "") for m in card.milestones[:25]]
    milestones = Markup("*Milestones and deliverables*\n") + (
        Markup("\n").join(rows) or Markup("_Dates to follow; we'll add them here._"))
    scope = fmt("*Scope*\n:white_check_mark: Included: {include}\n:no_entry_sign: Not included: {exclude}",
                include=card.scope_include or TO_BE_AGREED, exclude=card.scope_exclude or TO_BE_AGREED)
    blocks = [
        section(fmt(":handshake: *Our working agreement — {name}{who}*", name=card.name, who=who)),
        section(reach), section(cadence), section(replies),
        *([section(closed_days_section(card.closed_days, tz))] if card.closed_days else []),
        section(milestones), section(scope),
        context("Pinned for reference. When any of this changes, we say what changed in this thread."),
    ]
    return {"text": f"Our working agreement — {card.name}", "blocks": blocks}


def kickoff_preview(post: KickoffPreview) -> dict:
    """What the owner sees before the card goes to the client: the card itself and an Approve button."""
    card = kickoff_card(post.card)
    channel = channel_link(post.card.channel_id)
    if post.posted:
        intro = section(fmt("This is the working agreement pinned in {channel}. Changes to its terms are posted in "
                            "its thread.", channel=channel))
        return {"text": card["text"], "blocks": [intro, {"type": "divider"}, *card["blocks"]]}
    intro = section(fmt(":eyes: *Preview:* this kickoff card for *{name}* will be posted and pinned in {channel} when "
                        "you approve it. Set the scope first with {example}.", name=post.card.name, channel=channel,
                        example=code(f'/expect scope {post.slug} include="…" exclude="…"')))
    actions = {"type": "actions", "elements": [
        button("Approve and post", ids.KICKOFF_APPROVE, str(post.project_id), style="primary")]}
    return {"text": f"Preview: kickoff card for {post.card.name}",
            "blocks": [intro, {"type": "divider"}, *card["blocks"], {"type": "divider"}, actions]}


def change_note(post: KickoffChange) -> dict:
    """A short "what changed" post for the card's thread."""
    lines = [fmt("• {label}: {old} → {new}", label=FIELD_LABELS.get(field, field.replace("_", " ").capitalize()),
                 old=change_value(field, old), new=change_value(field, new))
             for field, (old, new) in post.changes.items()]
    text = Markup("*What changed in our working agreement*\n") + Markup("\n").join(lines)
    return {"text": text, "blocks": [section(text), context("The pinned card above is up to date.")]}


def milestone_note(post: MilestoneAdded) -> dict:
    text = fmt("*What changed in our working agreement*\n• New milestone: *{title}*, due {due}", title=post.title,
               due=date_token(post.due_date, zone(post.tz)))
    return {"text": text, "blocks": [section(text), context("The pinned card above is up to date.")]}


def approved_note(channel_id: str, by: str) -> Markup:
    return fmt(":white_check_mark: {who} approved the kickoff card; it is being posted and pinned in {channel}.",
               who=user_mention(by), channel=channel_link(channel_id))
