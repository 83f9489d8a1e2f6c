"""The forget question's buttons: the team only, and only after an explicit click."""
from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond

from bot import ids
from bot.domain.errors import UserError
from bot.domain.lifecycle import forget
from bot.listeners.common import ensure_internal_actor, first_delivery, in_transaction, interaction_key, served
from bot.mrkdwn import fmt
from bot.services import Services


def _project_id(body: dict) -> int:
    value = body["actions"][0].get("value") or ""
    if not value.isdigit():
        raise UserError("That button no longer points at a project.")
    return int(value)


def register(app: App, services: Services) -> None:
    def handle_forget_confirm(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
        ack()
        here = served(context)

        def work(session):
            ensure_internal_actor(here, body)
            if not first_delivery(session, interaction_key(body), services.clock.now()):
                return None
            name = forget(session, project_id=_project_id(body), team_id=here.team_id, by=body["user"]["id"])
            text = (fmt(":wastebasket: *{name}* and every record of it are forgotten. Posts already in Slack stay.",
                        name=name) if name else "That project was already forgotten.")
            return {"text": text, "replace_original": True}

        answer = in_transaction(services, work)
        if answer:
            respond(**{"replace_original": False, "response_type": "ephemeral", **answer})

    def handle_forget_cancel(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text="Kept. Nothing was deleted.", replace_original=True)

    app.action(ids.PROJECT_FORGET_CONFIRM)(handle_forget_confirm)
    app.action(ids.PROJECT_FORGET_CANCEL)(handle_forget_cancel)
