"""Keeping delay alerts and notices in Slack in step with the database.

Importing this module registers the delivery hooks (the web process and the worker both import it), so an
alert's channel and ts are known as soon as it lands and a notice's lead time is fixed when it is sent.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.blocks.render import render_payload
from bot.domain import delay_notices, delays
from bot.models import OutboxMessage
from bot.models.delays import DelayAlert, DelayNotice
from bot.slack.delivery import on_sent
from bot.slack.gateway import OutcomeUnknown, RateLimited, SlackError, SlackGateway

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refresh:
    channel: str
    ts: str
    payload: dict
    team: tuple[str, str | None] = ("", None)  # the project's team and Grid: whose token edits the message


def alert_refreshes(alerts: list[DelayAlert], now: datetime) -> list[Refresh]:
    """New contents for alert messages already in Slack (built while the session is open)."""
    seen, out = set(), []
    for alert in alerts:
        if alert.id in seen or not (alert.channel_id and alert.ts):
            continue
        seen.add(alert.id)
        out.append(Refresh(alert.channel_id, alert.ts, render_payload({"content": delays.alert_post(alert, now)},
                                                                      project=alert.project),
                           (alert.project.team_id, alert.project.enterprise_id)))
    return out


def notice_refresh(session: Session, notice: DelayNotice) -> list[Refresh]:
    row = session.get(OutboxMessage, notice.outbox_id) if notice.outbox_id else None
    if row is None or not row.ts:
        return []
    who = (row.payload.get("content") or {}).get("contact")
    message = render_payload(delay_notices.notice_post(notice, notice.project, who), project=notice.project)
    return [Refresh(row.posted_channel_id or row.channel_id, row.ts, message,
                    (notice.project.team_id, notice.project.enterprise_id))]


def apply_by_team(gateway_for: Callable[[str, str | None], SlackGateway], refreshes: list[Refresh]) -> None:
    """apply() with each team's own gateway; a team Slack no longer lets us in is skipped (logged)."""
    teams: dict[tuple[str, str | None], list[Refresh]] = {}
    for item in refreshes:
        teams.setdefault(item.team, []).append(item)
    for team, some in teams.items():
        try:
            gateway = gateway_for(*team)
        except SlackError as error:
            log.warning("could not update %d message(s) of team %s: %s", len(some), team[0], error)
            continue
        apply(gateway, some)


def apply(gateway: SlackGateway, refreshes: list[Refresh]) -> None:
    """chat.update each message; a failure is logged, since the database already holds the truth."""
    for item in refreshes:
        try:
            gateway.update(item.channel, item.ts, text=item.payload["text"], blocks=item.payload["blocks"])
        except (SlackError, RateLimited, OutcomeUnknown) as error:
            log.warning("could not update %s/%s: %s", item.channel, item.ts, error)


on_sent(delays.ALERT_KIND)(delays.record_alert_sent)
on_sent(delay_notices.NOTICE_KIND)(delay_notices.record_notice_sent)
