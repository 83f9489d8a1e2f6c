"""After-post steps for expectations: pin the kickoff card, update it after a change, remember where posts landed."""
from __future__ import annotations

from bot.domain import checkins, kickoff
from bot.models import OutboxMessage
from bot.mrkdwn import channel_link, code, fmt
from bot.slack.delivery import OwnerMustKnow, on_posted, on_sent
from bot.slack.gateway import Posted, SlackError, SlackGateway

PIN_REFUSALS = frozenset({"too_many_pins", "not_pinnable", "message_not_found", "restricted_action"})


@on_posted("kickoff")
def pin_kickoff_card(gateway: SlackGateway, row: OutboxMessage, posted: Posted, message: dict) -> None:
    """Pin the card; if Slack refuses for good, the owner hears it (an unpinned card is easy to miss)."""
    try:
        gateway.pin(posted.channel, posted.ts)
    except SlackError as error:
        if not (error.permanent or error.code in PIN_REFUSALS):
            raise
        raise OwnerMustKnow(fmt(
            ":warning: The kickoff card is posted in {where}, but Slack would not let me pin it ({code}). "
            "Please pin it by hand: hover over the card, open ⋮ and choose *Pin to channel*.",
            where=channel_link(posted.channel), code=code(error.code))) from error


@on_posted("kickoff-change")
def update_pinned_card(gateway: SlackGateway, row: OutboxMessage, posted: Posted, message: dict) -> None:
    card = message.get("card")
    if card and row.thread_ts:
        gateway.update(posted.channel, row.thread_ts, text=card["text"], blocks=card["blocks"])


on_sent("kickoff")(kickoff.record_posted)
on_sent("checkin")(checkins.record_posted)
