"""What every listener shares: who may act, one transaction per request, and errors users can read."""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime

from slack_bolt import BoltContext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.blocks.format import reply, section
from bot.blocks.render import client_language
from bot.domain import tenancy
from bot.domain.projects import project_in_channel
from bot.domain.errors import NotAllowed, UserError
from bot.i18n import _
from bot.models import SeenDelivery
from bot.mrkdwn import Markup, code
from bot.services import Services
from bot.slack.gateway import OutcomeUnknown, RateLimited, SlackError

log = logging.getLogger("expect")
SERVED = "expect_services"


def serve_workspace(services: Services) -> Callable:
    """Bolt middleware, after Bolt's authorize: the request is served as the workspace the authorize result names
    (from `authorizations[0]` / `view.app_installed_team_id`, never the acting user's team), with its token.
    An org-wide install's token stands for the whole Grid org: the workspace is then the one the request names."""
    def serve_the_authorized_workspace(context: BoltContext, body: dict, next: Callable[[], None]) -> None:
        result = context.authorize_result
        if services.workspaces is None or result is None:
            context[SERVED] = services
        else:
            team_id = (context.team_id or body.get("team_id")) if context.is_enterprise_install \
                else result.team_id or context.team_id
            context[SERVED] = services.serving(team_id, result.enterprise_id or context.enterprise_id,
                                               token=result.bot_token, bot_user_id=result.bot_user_id)
            tenancy.serve(team_id)  # ExpectApp.dispatch ends the scope with the request
        next()
    return serve_the_authorized_workspace


def served(context: BoltContext) -> Services:
    """The services as the workspace this request serves sees them: its team, bot and gateway."""
    return context[SERVED]


def ensure_team_member(services: Services, *, user_id: str, team_id: str | None) -> None:
    """Refuse Slack Connect partners, guests and bots: only the installing team manages projects."""
    refusal = NotAllowed(_("Only members of the team that runs expect can do that. Nothing was changed."))
    if team_id and team_id != services.team_id:
        raise refusal
    try:
        user = services.gateway.user_info(user_id)
    except SlackError as error:
        if error.auth_broken:
            raise
        raise refusal from error
    if user.team_id != services.team_id or user.is_guest or user.is_bot or user.deleted:
        raise refusal


def slack_trouble(error: Exception) -> Markup | None:
    """What to tell the user when Slack, not they nor we, stopped the work; None for any other error."""
    if isinstance(error, (RateLimited, OutcomeUnknown)):
        log.warning("Slack too slow inside a request: %s", error)
        return _("Slack was too slow to answer just now, so nothing was changed. Please try again in a moment.")
    if isinstance(error, SlackError) and error.auth_broken:
        log.error("Slack refuses the bot token: %s", error)
        return _("Slack no longer accepts expect's access ({code}), so nothing was changed. "
                 "Ask a workspace admin to reinstall expect.", code=code(error.code))
    return None


def apology(error: Exception) -> tuple[str, Markup]:
    error_id = uuid.uuid4().hex[:8]
    log.error("error %s: %s", error_id, error, exc_info=error)
    return error_id, Markup(":warning: ") + _("Sorry, something went wrong on our side and nothing was changed. "
                                             "If it happens again, quote error id {error_id}.", error_id=code(error_id))


def in_transaction(services: Services, work: Callable[[Session], dict | None],
                   after_commit: list[Callable[[], None]] | None = None, *, read_only: bool = False) -> dict | None:
    """Run `work` in one transaction: committed when it returns, rolled back on any error.

    `read_only` work (status, list) reads without taking the write lock (refused writes on PostgreSQL).
    A UserError becomes a plain-words ephemeral reply; anything else an apology with an error id.
    Follow-ups queued in `after_commit` are dropped when the work fails.
    """
    try:
        with (services.readers if read_only else services.sessions).begin() as session:
            return work(session)
    except UserError as error:
        answer = reply(error.text, [section(error.text)])
    except Exception as error:
        answer = reply(slack_trouble(error) or apology(error)[1])
    if after_commit is not None:
        after_commit.clear()
    return answer


def first_delivery(session: Session, key: str, now: datetime) -> bool:
    """True the first time `key` (an event id, an interaction's identity) is seen; False for redeliveries."""
    try:
        with session.begin_nested():
            session.add(SeenDelivery(key=key[:200], seen_at=now))
    except IntegrityError:
        return False
    return True


def interaction_key(body: dict) -> str:
    """The identity of one click: the same click redelivered has the same key."""
    action = (body.get("actions") or [{}])[0]
    return ":".join(["click", body.get("user", {}).get("id", ""), action.get("action_id", ""),
                     action.get("value", ""), action.get("action_ts", "")])


def ensure_internal_actor(services: Services, body: dict) -> None:
    """Internal buttons answer only the installing team's members, whatever channel the message is in."""
    user = body.get("user", {})
    ensure_team_member(services, user_id=user.get("id", ""), team_id=user.get("team_id") or body.get("team", {}).get("id"))


def is_client_side(services: Services, user_id: str, team_id: str | None) -> bool:
    """Someone from another workspace (Slack Connect), a guest, or anyone Slack can't place on our team."""
    if team_id and team_id != services.team_id:
        return True
    try:
        user = services.gateway.user_info(user_id)
    except SlackError:
        return True
    except (OutcomeUnknown, RateLimited):
        return not team_id
    return user.team_id != services.team_id or user.is_guest


@contextmanager
def answer_language(services: Services, body: dict) -> Iterator[None]:
    """Answers to a click speak the clicker's language: someone from the client's side hears the language of the
    project whose channel they clicked in; the team hears its own."""
    user = body.get("user", {})
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
    project = None
    if channel and is_client_side(services, user.get("id", ""), user.get("team_id") or body.get("team", {}).get("id")):
        with services.sessions() as session:
            project = project_in_channel(session, channel)
    with client_language(project) if project is not None else nullcontext():
        yield
