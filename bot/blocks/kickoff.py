"""The kickoff card (the working agreement pinned in the client channel), its preview and its change notes."""
from __future__ import annotations

from bot import ids
from bot.blocks.calendar import closed_days_section
from bot.blocks.format import button, context, date_token, instant_token, section
from bot.domain.posts import KickoffCard, KickoffChange, KickoffPreview, MilestoneAdded
from bot.domain.schedule import zone
from bot.i18n import N_, T_, _, _n, T_plain, clock, for_client, weekday
from bot.mrkdwn import Markup, channel_link, code, fmt, user_mention

FIELD_LABELS = {
    "scope_include": N_("Included"), "scope_exclude": N_("Not included"), "respond_within": N_("Response time"),
    "cadence_weekday": N_("Update day"), "cadence_time": N_("Update time"), "tz": N_("Time zone"),
    "owner_id": N_("Your contact"), "business_days": N_("Business days"),
    "business_start": N_("Business hours start"), "business_end": N_("Business hours end"),
    "channel_id": N_("Channel"), "name": N_("Project name"), "client_name": N_("Client"),
    "holidays": N_("Public holidays"),
}
# Translators: the weekday is in the sentence so that each language can decline it; {time} is HH:MM,
# {tz} an IANA zone such as Europe/Kyiv.
CADENCES = [
    N_("*Updates*\nEvery Monday at {time} ({tz} time), here in this channel."),
    N_("*Updates*\nEvery Tuesday at {time} ({tz} time), here in this channel."),
    N_("*Updates*\nEvery Wednesday at {time} ({tz} time), here in this channel."),
    N_("*Updates*\nEvery Thursday at {time} ({tz} time), here in this channel."),
    N_("*Updates*\nEvery Friday at {time} ({tz} time), here in this channel."),
    N_("*Updates*\nEvery Saturday at {time} ({tz} time), here in this channel."),
    N_("*Updates*\nEvery Sunday at {time} ({tz} time), here in this channel."),
]


def respond_words(respond_within: str) -> Markup:
    amount, unit = int(respond_within[:-1]), respond_within[-1]
    if unit == "h":
        return _n("{n} business hour", "{n} business hours", amount)
    return _n("{n} business day", "{n} business days", amount)


def days_words(days: str) -> str:
    names = [weekday(int(d) - 1, "abbreviated") for d in sorted(days)]
    contiguous = len(days) > 2 and all(int(b) - int(a) == 1 for a, b in zip(sorted(days), sorted(days)[1:]))
    return f"{names[0]}–{names[-1]}" if contiguous else ", ".join(names)


def change_value(field: str, value) -> Markup:
    if field == "holidays":
        return _("those of {code}", code=value) if value else _("not observed")
    if value in (None, ""):
        # Translators: underscores make the words italic in Slack; keep them.
        return _("_not set_")
    if field == "cadence_weekday":
        return fmt("{day}", day=weekday(int(value)))
    if field in ("cadence_time", "business_start", "business_end"):
        return _("“{value}”", value=clock(str(value)))
    if field == "respond_within":
        return respond_words(str(value))
    if field == "business_days":
        return fmt("{words}", words=days_words(str(value)))
    if field == "owner_id":
        return user_mention(str(value))
    if field == "channel_id":
        return channel_link(str(value))
    # Translators: a changed value (a name, the scope, a time) quoted; use your language's quotation marks.
    return _("“{value}”", value=value)


def kickoff_card(card: KickoffCard) -> dict:
    """The card's text and blocks, as the client will see them."""
    tz = zone(card.tz)
    title = (_("*Our working agreement — {name} for {client}*", name=card.name, client=card.client_name)
             if card.client_name else _("*Our working agreement — {name}*", name=card.name))
    if card.contact and card.contact != card.owner_id:
        reach = _("*How to reach us*\nPost here in {channel} — anyone on our side may answer, and {contact} answers "
                  "for {owner}, who is away.", channel=channel_link(card.channel_id), contact=user_mention(card.contact),
                  owner=user_mention(card.owner_id))
    else:
        reach = _("*How to reach us*\nPost here in {channel} — anyone on our side may answer, and {owner} leads the "
                  "project for us.", channel=channel_link(card.channel_id), owner=user_mention(card.owner_id))
    cadence = _(CADENCES[card.cadence_weekday], time=clock(card.cadence_time), tz=card.tz)
    if card.next_update_at:
        cadence += Markup(" ") + _("The next one: {at}.", at=instant_token(card.next_update_at))
    amount, unit = int(card.respond_within[:-1]), card.respond_within[-1]
    hours = dict(days=days_words(card.business_days), start=clock(card.business_start), end=clock(card.business_end),
                 tz=card.tz)
    replies = (_n("*Response time*\nWe answer within {n} business hour. Business hours: {days} {start}–{end} ({tz}).",
                  "*Response time*\nWe answer within {n} business hours. Business hours: {days} {start}–{end} ({tz}).",
                  amount, **hours) if unit == "h" else
               _n("*Response time*\nWe answer within {n} business day. Business hours: {days} {start}–{end} ({tz}).",
                  "*Response time*\nWe answer within {n} business days. Business hours: {days} {start}–{end} ({tz}).",
                  amount, **hours))
    rows = [(_("• #{number} *{title}* — {due} ✓ delivered", number=m.number, title=m.title,
               due=date_token(m.due_date, tz)) if m.state == "done" else
             _("• #{number} *{title}* — {due}", number=m.number, title=m.title, due=date_token(m.due_date, tz)))
            for m in card.milestones[:25]]
    milestones = _("*Milestones and deliverables*") + Markup("\n") + (
        Markup("\n").join(rows) or _("_Dates to follow; we'll add them here._"))
    scope = _("*Scope*\n:white_check_mark: Included: {include}\n:no_entry_sign: Not included: {exclude}",
              include=card.scope_include or _("_to be agreed_"), exclude=card.scope_exclude or _("_to be agreed_"))
    blocks = [
        section(Markup(":handshake: ") + title),
        section(reach), section(cadence), section(replies),
        *([section(closed_days_section(card.closed_days, tz))] if card.closed_days else []),
        section(milestones), section(scope),
        context(_("Pinned for reference. When any of this changes, we say what changed in this thread.")),
    ]
    return {"text": _("Our working agreement — {name}", name=card.name), "blocks": blocks}


def kickoff_preview(post: KickoffPreview) -> dict:
    """What the owner sees before the card goes to the client: the card itself and an Approve button."""
    with for_client():
        card = kickoff_card(post.card)
    channel = channel_link(post.card.channel_id)
    if post.posted:
        intro = section(T_("This is the working agreement pinned in {channel}. Changes to its terms are posted in "
                           "its thread.", channel=channel))
        return {"text": card["text"], "blocks": [intro, {"type": "divider"}, *card["blocks"]]}
    intro = section(T_(":eyes: *Preview:* this kickoff card for *{name}* will be posted and pinned in {channel} when "
                       "you approve it. Set the scope first with {example}.", name=post.card.name, channel=channel,
                       example=code(f'/expect scope {post.slug} include="…" exclude="…"')))
    actions = {"type": "actions", "elements": [
        button(T_plain("Approve and post"), ids.KICKOFF_APPROVE, str(post.project_id), style="primary")]}
    return {"text": T_("Preview: kickoff card for {name}", name=post.card.name),
            "blocks": [intro, {"type": "divider"}, *card["blocks"], {"type": "divider"}, actions]}


def change_note(post: KickoffChange) -> dict:
    """A short "what changed" post for the card's thread."""
    lines = [fmt("• {label}: {old} → {new}", label=_label(field), old=change_value(field, old),
                 new=change_value(field, new)) for field, (old, new) in post.changes.items()]
    body = _("*What changed in our working agreement*") + Markup("\n") + Markup("\n").join(lines)
    return {"text": body, "blocks": [section(body), context(_("The pinned card above is up to date."))]}


def _label(field: str) -> Markup:
    return _(FIELD_LABELS[field]) if field in FIELD_LABELS else fmt("{f}", f=field.replace("_", " ").capitalize())


def milestone_note(post: MilestoneAdded) -> dict:
    body = _("*What changed in our working agreement*") + Markup("\n• ") + _(
        "New milestone: *{title}*, due {due}", title=post.title, due=date_token(post.due_date, zone(post.tz)))
    return {"text": body, "blocks": [section(body), context(_("The pinned card above is up to date."))]}


def approved_note(channel_id: str, by: str) -> Markup:
    return T_(":white_check_mark: {who} approved the kickoff card; it is being posted and pinned in {channel}.",
              who=user_mention(by), channel=channel_link(channel_id))
