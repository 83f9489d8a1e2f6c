"""Modals for answering a delay alert and for the client's question about a notice."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot import ids
from bot.blocks.delays import notice_body
from bot.blocks.format import context, date_token, section
from bot.domain.schedule import zone
from bot.blocks.render import client_language
from bot.i18n import T_, _, T_plain, plain
from bot.mrkdwn import Markup, channel_link, user_mention

if TYPE_CHECKING:
    from bot.models import Milestone, Project
    from bot.models.delays import DelayNotice

REASON_LIMIT, DETAIL_LIMIT, QUESTION_LIMIT = 1200, 500, 2000


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text[:75]}


def _text_input(block_id: str, label: str, *, limit: int, optional: bool = False, multiline: bool = True,
                placeholder: str | None = None, hint: str | None = None) -> dict:
    element = {"type": "plain_text_input", "action_id": block_id, "multiline": multiline, "max_length": limit}
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    block = {"type": "input", "block_id": block_id, "label": _plain(label), "element": element, "optional": optional}
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint[:150]}
    return block


def _date_input(block_id: str, label: str) -> dict:
    return {"type": "input", "block_id": block_id, "label": _plain(label),
            "element": {"type": "datepicker", "action_id": block_id, "placeholder": _plain(T_plain("Pick a date"))}}


def _modal(callback_id: str, title: str, submit: str, blocks: list, metadata: str, close: str | None = None) -> dict:
    return {"type": "modal", "callback_id": callback_id, "title": _plain(title[:24]), "submit": _plain(submit),
            "close": _plain(close or plain("Cancel")), "private_metadata": metadata, "blocks": blocks}


def _about(milestone: Milestone, project: Project) -> dict:
    due = date_token(milestone.due_date, zone(project.tz))
    return context(T_("*#{number} {title}* · {name} · due {due}", number=milestone.number, title=milestone.title,
                      name=project.name, due=due))


def notify_modal(alert_id: int, milestone: Milestone, project: Project) -> dict:
    """Step one of telling the client: the new date, why, the impact and what we need from them."""
    blocks = [
        _about(milestone, project),
        _date_input(ids.DELAY_NOTIFY_DATE, T_plain("New date")),
        _text_input(ids.DELAY_NOTIFY_REASON, T_plain("Why it moved, in plain words"), limit=REASON_LIMIT,
                    placeholder=T_plain("The payment provider's test system was down for three days.")),
        _text_input(ids.DELAY_NOTIFY_IMPACT, T_plain("Impact on cost or scope"), limit=DETAIL_LIMIT, optional=True,
                    placeholder=T_plain("No change to cost or scope.")),
        _text_input(ids.DELAY_NOTIFY_NEEDS, T_plain("What we need from the client"), limit=DETAIL_LIMIT,
                    optional=True, placeholder=T_plain("Production API keys by Wednesday.")),
        {"type": "input", "block_id": ids.DELAY_NOTIFY_URGENT, "optional": True, "label": _plain(T_plain("Timing")),
         "element": {"type": "checkboxes", "action_id": ids.DELAY_NOTIFY_URGENT, "options": [
             {"text": _plain(T_plain("Urgent: post now, even outside the client's business hours")),
              "value": "urgent"}]}},
    ]
    return _modal(ids.DELAY_NOTIFY_VIEW, T_plain("Notify the client"), T_plain("Preview"), blocks, str(alert_id),
                  close=T_plain("Cancel"))


def preview_modal(notice: DelayNotice, project: Project, metadata: str, urgent: bool) -> dict:
    """Step two: exactly what the client will read, before it goes."""
    timing = (T_("It goes out as soon as you press *Send*.") if urgent else
              T_("It goes out within 10 minutes, in the client's business hours; other date changes made meanwhile "
                 "join the same post."))
    blocks = [section(T_("This is what {channel} will see:", channel=channel_link(project.channel_id))),
              {"type": "divider"},
              *_for_client(notice, project), {"type": "divider"}, context(timing)]
    return _modal(ids.DELAY_PREVIEW_VIEW, T_plain("Preview"), T_plain("Send to client"), blocks, metadata,
                  close=T_plain("Back"))


def move_modal(alert_id: int, milestone: Milestone, project: Project) -> dict:
    blocks = [
        _about(milestone, project),
        _date_input(ids.DELAY_MOVE_DATE, T_plain("Correct date")),
        _text_input(ids.DELAY_MOVE_NOTE, T_plain("Why (for the team only)"), limit=DETAIL_LIMIT, optional=True),
        context(T_("The client is not told. The original date stays on record.")),
    ]
    return _modal(ids.DELAY_MOVE_VIEW, T_plain("Move the date quietly"), T_plain("Move"), blocks, str(alert_id),
                  close=T_plain("Cancel"))


def _for_client(notice: DelayNotice, project: Project) -> list[dict]:
    with client_language(project):
        return notice_body(notice, project)


def question_modal(notice_id: int, project: Project) -> dict:
    """The client's question about a notice (in the language of whoever asks: see the listener)."""
    blocks = [_text_input(ids.DELAY_QUESTION_TEXT, plain("Your question"), limit=QUESTION_LIMIT),
              context(_("The team gets it straight away and answers in the channel."))]
    return _modal(ids.DELAY_QUESTION_VIEW, plain("Ask a question"), plain("Send"), blocks, str(notice_id))


def question_sent_view(project: Project) -> dict:
    blocks = [section(Markup(":white_check_mark: ") + _(
        "Thanks, your question went to the team. {owner} will answer in {channel}.",
        owner=user_mention(project.owner_id), channel=channel_link(project.channel_id)))]
    return {"type": "modal", "title": _plain(plain("Question sent")), "close": _plain(plain("Close")), "blocks": blocks}
