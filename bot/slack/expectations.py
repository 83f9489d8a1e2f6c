"""After-post steps for expectations: pin the kickoff card, update it after a change, remember where posts landed."""
from __future__ import annotations

from bot.domain import checkins, kickoff
from bot.models import OutboxMessage
from bot.slack.delivery import on_posted, on_sent
from bot.slack.gateway import Posted, SlackGateway


@on_posted("kickoff")
def pin_kickoff_card(gateway: SlackGateway, row: OutboxMessage, posted: Posted, message: dict) -> None:
    gateway.pin(posted.channel, posted.ts)


@on_posted("kickoff-change")
def update_pinned_card(gateway: SlackGateway, row: OutboxMessage, posted: Posted, message: dict) -> None:
    card = message.get("card")
    if card and row.thread_ts:
        gateway.update(posted.channel, row.thread_ts, text=card["text"], blocks=card["blocks"])


on_sent("kickoff")(kickoff.record_posted)
on_sent("checkin")(checkins.record_posted)
