"""Modal submissions."""
from __future__ import annotations

from slack_bolt import Ack, App, BoltContext

from bot import ids
from bot.commands import CommandContext
from bot.commands.core import check_channel, registered_text, save_project
from bot.domain import outbox
from bot.domain.calendar import parse_region
from bot.domain.errors import UserError
from bot.domain.projects import NewProject, parse_language
from bot.i18n import default_language
from bot.listeners.common import apology, ensure_team_member, served, slack_trouble
from bot.services import Services


def _value(state: dict, block_id: str):
    element = state.get(block_id, {}).get(block_id, {})
    for key in ("value", "selected_conversation", "selected_user", "selected_time"):
        if element.get(key):
            return element[key]
    option = element.get("selected_option")
    return option["value"] if option else None


def new_project_from_view(state: dict, *, user_id: str) -> NewProject:
    return NewProject(
        name=_value(state, ids.ADD_PROJECT_NAME) or "",
        channel_id=_value(state, ids.ADD_PROJECT_CHANNEL) or "",
        client_name=_value(state, ids.ADD_PROJECT_CLIENT),
        tz=_value(state, ids.ADD_PROJECT_TZ) or "UTC",
        cadence_weekday=int(_value(state, ids.ADD_PROJECT_WEEKDAY) or 0),
        cadence_time=_value(state, ids.ADD_PROJECT_TIME) or "10:00",
        owner_id=_value(state, ids.ADD_PROJECT_OWNER) or user_id,
        internal_channel_id=_value(state, ids.ADD_PROJECT_INTERNAL),
        respond_within=_value(state, ids.ADD_PROJECT_RESPOND) or "1d",
        holidays=_value(state, ids.ADD_PROJECT_HOLIDAYS),
        lang=parse_language(_value(state, ids.ADD_PROJECT_LANG) or default_language()),
    )


def register(app: App, services: Services) -> None:
    def save_add_project_modal(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        user, here = body["user"], served(context)
        field = ids.ADD_PROJECT_LANG
        try:
            new = new_project_from_view(view["state"]["values"], user_id=user["id"])
            field = ids.ADD_PROJECT_NAME
            ensure_team_member(here, user_id=user["id"], team_id=user.get("team_id"))
            with services.sessions.begin() as session:
                field = ids.ADD_PROJECT_CHANNEL
                check_channel(here.gateway, new.channel_id)
                field = ids.ADD_PROJECT_INTERNAL
                if new.internal_channel_id:
                    check_channel(here.gateway, new.internal_channel_id)
                field = ids.ADD_PROJECT_HOLIDAYS
                if new.holidays:
                    parse_region(new.holidays)
                field = ids.ADD_PROJECT_NAME
                command = CommandContext(session, here.team_id, user["id"], new.channel_id, "",
                                         services.clock.now(), here.gateway, [], enterprise_id=here.enterprise_id)
                project = save_project(command, new)
                outbox.enqueue(session, project=project, kind="registered", period_key="modal",
                               channel_id=user["id"], payload={"text": registered_text(project)},
                               client_visible=False, now=command.now)
        except UserError as error:
            ack(response_action="errors", errors={field: str(error)[:150]})
            return
        except Exception as error:
            ack(response_action="errors", errors={field: (slack_trouble(error) or apology(error)[1])[:150]})
            return
        ack()
        services.dispatcher.kick()

    app.view(ids.ADD_PROJECT_VIEW)(save_add_project_modal)
