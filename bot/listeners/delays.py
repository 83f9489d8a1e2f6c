"""Delay alerts: the team's buttons and modals, the client's notice buttons, and reactions that acknowledge."""
from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date

from slack_bolt import Ack, App, BoltContext, Respond

from bot import ids
from bot.blocks import delay_modals as modals
from bot.blocks.render import client_language
from bot.domain import delay_notices as notices
from bot.domain import delays
from bot.domain.errors import NotAllowed, UserError
from bot.domain.projects import local_today
from bot.listeners.common import (
    answer_language, ensure_internal_actor, ensure_team_member, first_delivery, in_transaction, interaction_key,
    is_client_side, served,
)
from bot.i18n import _
from bot.listeners.events import REACTION_HANDLERS
from bot.listeners.metadata import seal, unseal
from bot.services import Services
from bot.slack import delays as delay_messages

FIELD_BLOCKS = {"date": ids.DELAY_NOTIFY_DATE, "reason": ids.DELAY_NOTIFY_REASON, "impact": ids.DELAY_NOTIFY_IMPACT,
                "needs": ids.DELAY_NOTIFY_NEEDS}
METADATA_LIMIT = 3000


@dataclass
class Outcome:
    view: dict | None = None
    refresh: list = field(default_factory=list)
    channel: str | None = None
    sealed: dict | None = None


def _values(view: dict) -> dict:
    """Each input block's answer: text, a picked date, or the chosen checkbox values."""
    out = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        element = actions.get(block_id, {})
        out[block_id] = element.get("value") or element.get("selected_date") or [
            option["value"] for option in element.get("selected_options") or []] or None
    return out


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def draft_from_view(view: dict) -> notices.NoticeDraft:
    values = _values(view)
    new_date = _date(values.get(ids.DELAY_NOTIFY_DATE))
    if new_date is None:
        raise notices.FieldError("date", "Pick the new date.")
    return notices.NoticeDraft(new_date=new_date, reason=values.get(ids.DELAY_NOTIFY_REASON) or "",
                               impact=values.get(ids.DELAY_NOTIFY_IMPACT), needs=values.get(ids.DELAY_NOTIFY_NEEDS),
                               urgent="urgent" in (values.get(ids.DELAY_NOTIFY_URGENT) or []))


def _message_view(title: str, text: str) -> dict:
    return {"type": "modal", "title": {"type": "plain_text", "text": title},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}]}


def _channel(body: dict) -> str | None:
    return (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")


def _on_the_team(services: Services, body: dict) -> bool:
    try:
        ensure_internal_actor(services, body)
    except NotAllowed:
        return False
    return True


def acknowledge_by_reaction(*, services: Services, session, event: dict, body: dict, now) -> None:
    """Any emoji a team member adds to an alert acknowledges it."""
    item = event.get("item") or {}
    alert = delays.alert_for_message(session, channel=item.get("channel", ""), ts=item.get("ts", ""))
    if alert is None:
        return
    try:
        ensure_team_member(services, user_id=event.get("user", ""), team_id=event.get("user_team"))
    except NotAllowed:
        return
    if delays.acknowledge(alert, by=event["user"], now=now, reaction=event.get("reaction")):
        delay_messages.apply(services.gateway, delay_messages.alert_refreshes([alert], now))


def open_notify_modal(session, alert_id: int, user: str, now, outcome: Outcome) -> None:
    alert = delays.open_alert(session, alert_id)
    outcome.view = modals.notify_modal(alert.id, alert.milestone, alert.project)


def open_move_modal(session, alert_id: int, user: str, now, outcome: Outcome) -> None:
    alert = delays.open_alert(session, alert_id)
    outcome.view = modals.move_modal(alert.id, alert.milestone, alert.project)


def mark_done(session, alert_id: int, user: str, now, outcome: Outcome) -> None:
    alert = delays.open_alert(session, alert_id)
    delays.mark_alert_done(session, alert=alert, by=user, now=now)
    outcome.refresh = delay_messages.alert_refreshes([alert], now)


def snooze(session, alert_id: int, user: str, now, outcome: Outcome) -> None:
    alert = delays.open_alert(session, alert_id)
    delays.snooze(alert, by=user, now=now)
    outcome.refresh = delay_messages.alert_refreshes([alert], now)


def client_acknowledge(session, notice_id: int, user: str, now, outcome: Outcome) -> None:
    notice = notices.get_notice(session, notice_id)
    if notices.client_acknowledge(session, notice=notice, by=user, now=now):
        outcome.refresh = [*delay_messages.alert_refreshes(notices.linked_alerts(session, notice), now),
                           *delay_messages.notice_refresh(session, notice)]


def open_question_modal(session, notice_id: int, user: str, now, outcome: Outcome) -> None:
    notice = notices.get_notice(session, notice_id)
    outcome.view = modals.question_modal(notice.id, notice.project)
    outcome.sealed = {"notice": notice.id, "channel": outcome.channel}


BUTTONS = {  # action id -> (what a click does, who may click: "team", "client" or "anyone")
    ids.DELAY_ALERT_NOTIFY: (open_notify_modal, "team"), ids.DELAY_ALERT_MOVE: (open_move_modal, "team"),
    ids.DELAY_ALERT_DONE: (mark_done, "team"), ids.DELAY_ALERT_SNOOZE: (snooze, "team"),
    ids.DELAY_NOTICE_ACK: (client_acknowledge, "client"), ids.DELAY_NOTICE_ASK: (open_question_modal, "anyone"),
}


def register(app: App, services: Services) -> None:
    if acknowledge_by_reaction not in REACTION_HANDLERS:
        REACTION_HANDLERS.append(acknowledge_by_reaction)

    def click(ack: Ack, body: dict, respond: Respond, act: Callable, *, who: str, here: Services) -> None:
        """Run `act(session, value, user, now, outcome)` once per click; refusals and errors go to the clicker.

        Slack hears back once the decision is recorded (well within its 3 s); Slack calls follow.
        """
        now, outcome, user = services.clock.now(), Outcome(channel=_channel(body)), body["user"]["id"]
        client = who != "team" and not _on_the_team(here, body)

        def work(session):
            if who == "team":
                ensure_internal_actor(here, body)
            elif who == "client" and not client:
                raise UserError(_("That button is for the client, to say they have read the notice. Nothing was changed."))
            notice = notices.get_notice(session, int(body["actions"][0]["value"])) if who != "team" else None
            with client_language(notice.project) if client else nullcontext():
                if notice is not None:
                    notices.check_posted_in(session, notice=notice, channel_id=_channel(body))
                if first_delivery(session, interaction_key(body), now):
                    act(session, int(body["actions"][0]["value"]), user, now, outcome)

        with answer_language(here, body):
            answer = in_transaction(services, work)
        ack()
        if answer:
            respond(**answer, replace_original=False)
            return
        if outcome.view:
            if outcome.sealed:
                outcome.view["private_metadata"] = seal(services, outcome.sealed)
            try:
                with answer_language(here, body):
                    here.gateway.open_view(body["trigger_id"], outcome.view)
            except UserError as error:
                respond(text=error.text, response_type="ephemeral", replace_original=False)
        delay_messages.apply(here.gateway, outcome.refresh)
        services.dispatcher.kick()

    def button(act: Callable, who: str) -> Callable:
        def handle_delay_button(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
            click(ack, body, respond, act, who=who, here=served(context))
        return handle_delay_button

    for action_id, (act, who) in BUTTONS.items():
        app.action(action_id)(button(act, who))

    def preview_notice(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        here = served(context)
        user = body["user"]
        try:
            ensure_team_member(here, user_id=user["id"], team_id=user.get("team_id"))
            draft = draft_from_view(view)
            with services.sessions.begin() as session:
                alert = delays.open_alert(session, int(view["private_metadata"]))
                draft = notices.check_draft(alert.milestone, draft, local_today(alert.project, services.clock.now()))
                metadata = json.dumps({"alert": alert.id, "date": draft.new_date.isoformat(), "reason": draft.reason,
                                       "impact": draft.impact, "needs": draft.needs, "urgent": draft.urgent},
                                      ensure_ascii=False)
                if len(metadata) > METADATA_LIMIT:
                    raise notices.FieldError("reason", "That is too long for one notice. Please shorten it.")
                preview = modals.preview_modal(notices.preview(alert.milestone, draft), alert.project, metadata,
                                               draft.urgent)
        except notices.FieldError as error:
            block = FIELD_BLOCKS.get(error.field, ids.DELAY_NOTIFY_REASON)
            ack(response_action="errors", errors={block: error.message[:150]})
            return
        except UserError as error:
            ack(response_action="errors", errors={ids.DELAY_NOTIFY_DATE: error.message[:150]})
            return
        ack(response_action="push", view=preview)

    def send_notice(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        here = served(context)
        user, now, refresh = body["user"], services.clock.now(), []
        data = json.loads(view["private_metadata"])
        draft = notices.NoticeDraft(new_date=date.fromisoformat(data["date"]), reason=data["reason"],
                                    impact=data.get("impact"), needs=data.get("needs"), urgent=bool(data.get("urgent")))

        def work(session):
            ensure_team_member(here, user_id=user["id"], team_id=user.get("team_id"))
            if first_delivery(session, f"view:{view['id']}", now):
                alert = delays.open_alert(session, int(data["alert"]))
                notices.notify_client(session, milestone=alert.milestone, draft=draft, by=user["id"], now=now)
                refresh.extend(delay_messages.alert_refreshes([alert], now))

        answer = in_transaction(services, work)
        if answer:
            ack(response_action="update", view=_message_view("Not sent", answer["text"]))
            return
        ack(response_action="clear")
        delay_messages.apply(here.gateway, refresh)
        services.dispatcher.kick()

    def move_quietly(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        here = served(context)
        user, now, refresh = body["user"], services.clock.now(), []
        values = _values(view)

        def work(session):
            ensure_team_member(here, user_id=user["id"], team_id=user.get("team_id"))
            new_date = _date(values.get(ids.DELAY_MOVE_DATE))
            if new_date is None:
                raise UserError("Pick the correct date.")
            if first_delivery(session, f"view:{view['id']}", now):
                alert = delays.open_alert(session, int(view["private_metadata"]))
                delays.move_quietly(session, alert=alert, new_date=new_date, why=values.get(ids.DELAY_MOVE_NOTE),
                                    by=user["id"], now=now)
                refresh.extend(delay_messages.alert_refreshes([alert], now))

        answer = in_transaction(services, work)
        if answer:
            ack(response_action="errors", errors={ids.DELAY_MOVE_DATE: answer["text"][:150]})
            return
        ack()
        delay_messages.apply(here.gateway, refresh)

    def send_question(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        here = served(context)
        user, now, outcome = body["user"], services.clock.now(), Outcome()
        text = _values(view).get(ids.DELAY_QUESTION_TEXT) or ""
        client = is_client_side(here, user["id"], user.get("team_id"))

        def work(session):
            meta = unseal(services, view.get("private_metadata"), needs=("notice", "channel"))
            notice = notices.get_notice(session, int(meta["notice"]))
            with client_language(notice.project) if client else nullcontext():
                notices.check_posted_in(session, notice=notice, channel_id=meta["channel"])
                outcome.view = modals.question_sent_view(notice.project)
                if first_delivery(session, f"view:{view['id']}", now):
                    notices.ask_question(session, notice=notice, by=user["id"], text=text, now=now, key=view["id"])
                    outcome.refresh = delay_messages.alert_refreshes(notices.linked_alerts(session, notice), now)

        answer = in_transaction(services, work)
        if answer:
            ack(response_action="errors", errors={ids.DELAY_QUESTION_TEXT: answer["text"][:150]})
            return
        ack(response_action="update", view=outcome.view)
        delay_messages.apply(here.gateway, outcome.refresh)
        services.dispatcher.kick()

    app.view(ids.DELAY_NOTIFY_VIEW)(preview_notice)
    app.view(ids.DELAY_PREVIEW_VIEW)(send_notice)
    app.view(ids.DELAY_MOVE_VIEW)(move_quietly)
    app.view(ids.DELAY_QUESTION_VIEW)(send_question)
