"""The preview's buttons (Approve, Add a note, Skip this week, Post now), its items' Hide / Show / Edit, and the
note and highlight modals: the team only."""
from __future__ import annotations

import json

from slack_bolt import Ack, App, BoltContext, Respond

from bot import ids
from bot.blocks.render import render
from bot.blocks.updates import highlight_modal, note_modal
from bot.domain.errors import UserError
from bot.domain.update_decisions import (
    decide, editable_item, find_update, set_item_hidden, set_item_text, set_note,
)
from bot.domain.updates import record_sent
from bot.listeners.common import (
    apology, ensure_internal_actor, first_delivery, in_transaction, interaction_key, log, served, slack_trouble,
)
from bot.listeners.metadata import seal, unseal
from bot.mrkdwn import fmt
from bot.services import Services
from bot.slack.delivery import on_sent_batch

DECISIONS = {ids.UPDATE_APPROVE: "approve", ids.UPDATE_SKIP: "skip", ids.UPDATE_POST_NOW: "post_now"}


def _update_id(value: str | None) -> int:
    if not (value or "").isdigit():
        raise UserError("That button no longer points at an update.")
    return int(value)


def _item_ref(value: str | None) -> tuple[int, int]:
    update_id, _, item_id = (value or "").partition(":")
    if not (update_id.isdigit() and item_id.isdigit()):
        raise UserError("That button no longer points at an item of an update.")
    return int(update_id), int(item_id)


def _respond_error(respond: Respond, answer: dict) -> None:
    respond(text=answer["text"], blocks=answer.get("blocks"), response_type="ephemeral", replace_original=False)


def _preview_message(preview) -> dict:
    """The owner's preview as it stands now, to replace the one they clicked."""
    message = render(preview.post, project=preview.project)
    return {**message, "text": fmt("Weekly update for {name}", name=preview.project.name)}


def register(app: App, services: Services) -> None:
    on_sent_batch("update")(record_sent)  # the web process delivers "Post now" itself

    def decision(action: str):
        def handle_update_decision(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
            here = served(context)
            now, user = services.clock.now(), body["user"]["id"]

            def work(session):
                ensure_internal_actor(here, body)
                if not first_delivery(session, interaction_key(body), now):
                    return {}
                update_id = _update_id(body["actions"][0].get("value"))
                preview = decide(session, update_id=update_id, action=action, by=user, now=now)
                return {"replace_original": True, **_preview_message(preview)}

            answer = in_transaction(services, work)
            ack()
            _answer_in_place(respond, answer)
            services.dispatcher.kick()
        return handle_update_decision

    def toggle_item(here: Services, ack: Ack, body: dict, respond: Respond, hidden: bool, ref: str | None) -> None:
        def work(session):
            ensure_internal_actor(here, body)
            if not first_delivery(session, interaction_key(body), services.clock.now()):
                return {}
            update_id, item_id = _item_ref(ref)
            preview = set_item_hidden(session, update_id=update_id, item_id=item_id, hidden=hidden,
                                      now=services.clock.now())
            return {"replace_original": True, **_preview_message(preview)}

        answer = in_transaction(services, work)
        ack()
        _answer_in_place(respond, answer)

    def item_toggle(hidden: bool):
        def handle_update_item_toggle(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
            toggle_item(served(context), ack, body, respond, hidden, body["actions"][0].get("value"))
        return handle_update_item_toggle

    def handle_update_item_menu(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
        here = served(context)
        choice, _, ref = ((body["actions"][0].get("selected_option") or {}).get("value") or "").partition(":")
        if choice in (ids.UPDATE_ITEM_HIDE, ids.UPDATE_ITEM_SHOW):
            toggle_item(here, ack, body, respond, choice == ids.UPDATE_ITEM_HIDE, ref)
        elif choice == ids.UPDATE_ITEM_EDIT:
            open_highlight_modal(here, ack, body, respond, ref)
        else:
            ack()
            _respond_error(respond, {"text": "That menu no longer points at an item of an update."})

    def open_modal(here: Services, ack: Ack, body: dict, respond: Respond, build) -> None:
        """Ack, build the modal from the database as an internal actor, then open it (or say why not)."""
        ack()
        modal: dict = {}

        def work(session):
            ensure_internal_actor(here, body)
            modal.update(build(session))

        answer = in_transaction(services, work)
        if answer:
            _respond_error(respond, answer)
            return
        try:
            here.gateway.open_view(body["trigger_id"], modal)
        except UserError as error:
            _respond_error(respond, {"text": error.text})

    def open_highlight_modal(here: Services, ack: Ack, body: dict, respond: Respond, ref: str) -> None:
        def build(session) -> dict:
            update_id, item_id = _item_ref(ref)
            item = editable_item(session, update_id=update_id, item_id=item_id)
            meta = {"update": update_id, "item": item_id, "response_url": body.get("response_url")}
            return highlight_modal(item.text, seal(services, meta))

        open_modal(here, ack, body, respond, build)

    def save_highlight_text(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        here = served(context)
        text = view["state"]["values"].get(ids.UPDATE_ITEM_TEXT, {}).get(ids.UPDATE_ITEM_TEXT, {}).get("value")
        try:
            ensure_internal_actor(here, body)
            meta = unseal(services, view.get("private_metadata"), needs=("update", "item"))
            with services.sessions.begin() as session:
                preview = set_item_text(session, update_id=int(meta["update"]), item_id=int(meta["item"]),
                                        text=text or "", by=body["user"]["id"], now=services.clock.now())
                message = _preview_message(preview)
        except UserError as error:
            ack(response_action="errors", errors={ids.UPDATE_ITEM_TEXT: str(error)[:150]})
            return
        except Exception as error:
            trouble = slack_trouble(error) or apology(error)[1]
            ack(response_action="errors", errors={ids.UPDATE_ITEM_TEXT: trouble[:150]})
            return
        ack()
        _refresh(here, meta.get("response_url"), message)

    def open_update_note_modal(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
        def build(session) -> dict:
            update, project = find_update(session, _update_id(body["actions"][0].get("value")))
            meta = json.dumps({"update": update.id, "response_url": body.get("response_url")})
            return note_modal(update, project, meta)

        open_modal(served(context), ack, body, respond, build)

    def save_update_note(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
        here = served(context)
        meta = json.loads(view.get("private_metadata") or "{}")
        text = view["state"]["values"].get(ids.UPDATE_NOTE_INPUT, {}).get(ids.UPDATE_NOTE_INPUT, {}).get("value")
        try:
            ensure_internal_actor(here, body)
            with services.sessions.begin() as session:
                preview = set_note(session, update_id=_update_id(str(meta.get("update", ""))), text=text or "",
                                   now=services.clock.now())
                message = _preview_message(preview)
        except UserError as error:
            ack(response_action="errors", errors={ids.UPDATE_NOTE_INPUT: str(error)[:150]})
            return
        except Exception as error:
            text = slack_trouble(error) or apology(error)[1]
            ack(response_action="errors", errors={ids.UPDATE_NOTE_INPUT: text[:150]})
            return
        ack()
        _refresh(here, meta.get("response_url"), message)

    def _refresh(here: Services, response_url: str | None, message: dict) -> None:
        if response_url:
            try:
                here.gateway.respond(response_url, **message, replace_original=True)
            except Exception:
                log.exception("could not refresh the update preview")

    for action_id, action in DECISIONS.items():
        app.action(action_id)(decision(action))
    app.action(ids.UPDATE_ITEM_HIDE)(item_toggle(True))
    app.action(ids.UPDATE_ITEM_SHOW)(item_toggle(False))
    app.action(ids.UPDATE_ITEM_MENU)(handle_update_item_menu)
    app.view(ids.UPDATE_ITEM_EDIT_VIEW)(save_highlight_text)
    app.action(ids.UPDATE_NOTE)(open_update_note_modal)
    app.view(ids.UPDATE_NOTE_VIEW)(save_update_note)


def _answer_in_place(respond: Respond, answer: dict | None) -> None:
    """The preview as it now stands in place of the clicked one, or the refusal beside it."""
    if answer and answer.get("replace_original"):
        respond(**answer)
    elif answer:
        _respond_error(respond, answer)
