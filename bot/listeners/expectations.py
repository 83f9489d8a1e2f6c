"""Kickoff approval, owed-item buttons, check-in votes and comments, and the client messages promises follow."""
from __future__ import annotations

import re
from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext, Respond
from sqlalchemy.orm import Session

import bot.slack.expectations  # noqa: F401  (pins and records the posts queued here)
from bot import ids
from bot.blocks.kickoff import approved_note
from bot.blocks.render import client_language, render, render_payload, render_view
from bot.domain import checkins, kickoff, owed, promises
from bot.domain.errors import UserError
from bot.domain.posts import CommentModal, OwedSent
from bot.i18n import N_, _
from bot.listeners.common import (
    answer_language, apology, ensure_internal_actor, first_delivery, interaction_key, is_client_side, log, served,
)
from bot.listeners.events import MESSAGE_HANDLERS, REACTION_HANDLERS
from bot.listeners.metadata import seal, unseal
from bot.models import Project
from bot.mrkdwn import fmt
from bot.services import Services
from bot.slack.gateway import OutcomeUnknown, RateLimited, SlackError

FOR_THE_CLIENT = N_("This survey is for the client; their answers reach the project owner.")
VOTE_ACTION = re.compile(rf"^{re.escape(ids.CHECKIN_VOTE)}-[1-4]$")


def is_team_person(services: Services, user_id: str, team_id: str | None) -> bool:
    """A person on our own team: not a partner, guest or deleted user, and not a bot (ours or another app's)."""
    if not user_id or user_id in (services.bot_user_id, "USLACKBOT") or (team_id and team_id != services.team_id):
        return False
    try:
        user = services.gateway.user_info(user_id)
    except (SlackError, OutcomeUnknown, RateLimited):
        return False
    return user.team_id == services.team_id and not (user.is_guest or user.is_bot or user.deleted)


def first_name(services: Services, user_id: str, fallback: str | None = None) -> str:
    """The person's first name, or "" when Slack cannot tell us (templates then leave the name out)."""
    if fallback:
        return fallback
    try:
        return services.gateway.user_info(user_id).first_name or ""
    except (SlackError, OutcomeUnknown, RateLimited):
        return ""


def _actor(body: dict) -> tuple[str, str | None, str]:
    user = body.get("user", {})
    action = (body.get("actions") or [{}])[0]
    return user.get("id", ""), user.get("team_id") or body.get("team", {}).get("id"), action.get("value", "")


def survey_message(session: Session, checkin) -> dict:
    """The check-in post as it stands now, rendered for its project."""
    return render_payload(checkins.message_for(session, checkin), project=session.get(Project, checkin.project_id))


def refresh_message(services: Services, channel: str, ts: str, payload: dict) -> None:
    """chat.update after the click is recorded: a failure is logged, since the database already holds the truth."""
    try:
        services.gateway.update(channel, ts, **payload)
    except (SlackError, RateLimited, OutcomeUnknown) as error:
        log.warning("could not update %s/%s: %s", channel, ts, error)


def click(services: Services, body: dict, respond: Respond, work: Callable[[Session], object]) -> object | None:
    """Run one button click once, in one transaction; bad input or a refusal becomes an ephemeral answer, in the
    clicker's language."""
    try:
        with answer_language(services, body), services.sessions.begin() as session:
            if not first_delivery(session, interaction_key(body), services.clock.now()):
                return None
            result = work(session)
    except UserError as error:
        respond(text=error.text, response_type="ephemeral", replace_original=False)
        return None
    services.dispatcher.kick()
    return result


def handle_client_message(*, services: Services, session: Session, event: dict, now, **_) -> None:
    message = promises.inbound(event, bot_user_id=services.bot_user_id)
    project = promises.project_for_channel(session, message.channel) if message else None
    if project is None:
        return
    client = is_client_side(services, message.user, message.team)
    if message.thread_ts:
        if not client:
            promises.keep(session, channel_id=message.channel, message_ts=message.thread_ts, by=message.user, now=now)
    elif client and not promises.is_small_talk(message.text):
        name = first_name(services, message.user, message.first_name)
        promises.open_promise(session, project=project, message=message, name=name, now=now)


def handle_check_reaction(*, services: Services, session: Session, event: dict, now, **_) -> None:
    item = event.get("item") or {}
    if event.get("reaction") not in promises.KEEPING_REACTIONS or item.get("type") != "message" or not event.get("user"):
        return
    if is_team_person(services, event["user"], event.get("user_team")):
        promises.keep(session, channel_id=item.get("channel", ""), message_ts=item.get("ts", ""), by=event["user"], now=now)


def register(app: App, services: Services) -> None:
    if handle_client_message not in MESSAGE_HANDLERS:
        MESSAGE_HANDLERS.append(handle_client_message)
    if handle_check_reaction not in REACTION_HANDLERS:
        REACTION_HANDLERS.append(handle_check_reaction)

    def approve_kickoff_card(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
        here = served(context)
        ack()
        user_id, _team, value = _actor(body)

        def work(session):
            ensure_internal_actor(here, body)
            return kickoff.approve(session, project_id=int(value), by=user_id, now=services.clock.now())

        project = click(here, body, respond, work)
        if project is not None:
            respond(text=approved_note(project.channel_id, user_id), replace_original=True)

    def mark_owed_received(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
        here = served(context)
        ack()
        user_id, _team, value = _actor(body)

        def work(session):
            ensure_internal_actor(here, body)
            return owed.mark_received(session, item_id=int(value), by=user_id, who=None, by_client=False,
                                      now=services.clock.now())

        item = click(here, body, respond, work)
        if item is not None:
            respond(text=fmt(":white_check_mark: *{title}* is marked received.", title=item.title),
                    replace_original=False)

    def mark_owed_sent(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
        here = served(context)
        ack()
        user_id, team_id, value = _actor(body)
        client = is_client_side(here, user_id, team_id)
        name = first_name(here, user_id) if client else None
        container = body.get("container", {})

        def work(session):
            item = owed.mark_received(session, item_id=int(value), by=user_id, who=name, by_client=client,
                                      now=services.clock.now(), posted_in=container.get("channel_id") or "")
            return render(OwedSent(item.title, name, user_id), project=session.get(Project, item.project_id))

        sent = click(here, body, respond, work)
        if sent is not None and container.get("message_ts"):
            refresh_message(here, container["channel_id"], container["message_ts"], sent)

    def record_survey_vote(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
        here = served(context)
        ack()
        user_id, team_id, value = _actor(body)
        if not is_client_side(here, user_id, team_id):
            respond(text=_(FOR_THE_CLIENT), response_type="ephemeral", replace_original=False)
            return
        checkin_id, score = (int(part) for part in value.split(":"))
        name = first_name(here, user_id) or user_id
        container = body.get("container", {})
        updated = click(here, body, respond, lambda session: survey_message(session, checkins.vote(
            session, checkin_id=checkin_id, user_id=user_id, name=name, score=score, now=services.clock.now(),
            posted_in=container.get("channel_id") or "")))
        if updated is not None and container.get("message_ts"):
            refresh_message(here, container["channel_id"], container["message_ts"], updated)

    def open_comment_modal(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
        here = served(context)
        ack()
        user_id, team_id, value = _actor(body)
        if not is_client_side(here, user_id, team_id):
            respond(text=_(FOR_THE_CLIENT), response_type="ephemeral", replace_original=False)
            return
        channel = body.get("container", {}).get("channel_id") or ""
        try:
            with answer_language(here, body), services.sessions() as session:
                checkin = checkins.open_checkin(session, checkin_id=int(value), posted_in=channel)
                modal = render_view(CommentModal(checkin.id), project=session.get(Project, checkin.project_id))
        except UserError as error:
            respond(text=error.text, response_type="ephemeral", replace_original=False)
            return
        sealed = seal(services, {"checkin": int(value), "channel": channel})
        try:
            with answer_language(here, body):
                here.gateway.open_view(body["trigger_id"], {**modal, "private_metadata": sealed})
        except UserError as error:
            respond(text=error.text, response_type="ephemeral", replace_original=False)

    def save_checkin_comment(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        here = served(context)
        user = body.get("user", {})
        if not is_client_side(here, user.get("id", ""), user.get("team_id")):
            ack(response_action="errors", errors={ids.CHECKIN_COMMENT_TEXT: _(FOR_THE_CLIENT)})
            return
        text = view["state"]["values"].get(ids.CHECKIN_COMMENT_TEXT, {}).get(ids.CHECKIN_COMMENT_TEXT, {}).get("value")
        name = first_name(here, user.get("id", "")) or user.get("id", "")
        try:
            meta = unseal(services, view.get("private_metadata"), needs=("checkin", "channel"))
            checkin_id = int(meta["checkin"])
            with services.sessions.begin() as session, client_language(checkins.project_of(session, checkin_id)):
                checkin = checkins.comment(session, checkin_id=checkin_id, user_id=user["id"], name=name,
                                           text=text, now=services.clock.now(), posted_in=meta["channel"])
                updated, where = survey_message(session, checkin), (checkin.channel_id, checkin.ts)
        except UserError as error:
            ack(response_action="errors", errors={ids.CHECKIN_COMMENT_TEXT: str(error)[:150]})
            return
        except Exception as error:
            ack(response_action="errors", errors={ids.CHECKIN_COMMENT_TEXT: apology(error)[1][:150]})
            return
        ack()
        services.dispatcher.kick()
        if all(where):
            refresh_message(here, *where, updated)

    app.action(ids.KICKOFF_APPROVE)(approve_kickoff_card)
    app.action(ids.OWED_RECEIVED)(mark_owed_received)
    app.action(ids.OWED_SENT)(mark_owed_sent)
    app.action(VOTE_ACTION)(record_survey_vote)
    app.action(ids.CHECKIN_COMMENT)(open_comment_modal)
    app.view(ids.CHECKIN_COMMENT_VIEW)(save_checkin_comment)
