"""The record and the end of a project: the history list, the archive note for the client, the forget question."""
from __future__ import annotations

from bot import ids
from bot.blocks.format import button, context, instant_token, reply, section
from bot.domain.posts import ProjectArchived
from bot.i18n import _
from bot.mrkdwn import Markup, code, fmt, user_mention

DETAIL_SHOWN = ("milestone", "item", "client", "post", "old", "new", "reason", "score", "announced", "lead_days")


def project_archived(post: ProjectArchived) -> dict:
    body = _("*{name}* is now archived. There will be no more updates, reminders or check-ins here. Thank you for "
             "working with us!", name=post.project.name)
    return {"text": _("{name} is archived", name=post.project.name),
            "blocks": [section(Markup(":file_cabinet: ") + body)]}


def _detail(detail: dict) -> str:
    parts = [f"{key}: {detail[key]}" for key in DETAIL_SHOWN if detail.get(key) not in (None, "")]
    return ", ".join(parts)


def history_list(name: str, events: list) -> dict:
    """The latest events, newest first, each time in the reader's own zone."""
    if not events:
        return reply(f"History of {name}", [section(fmt("Nothing has been recorded for *{name}* yet.", name=name))])
    lines = []
    for event in events:
        who = fmt(" by {who}", who=user_mention(event.actor_id)) if event.actor_id else Markup("")
        lines.append(fmt("• {at} {kind}{who} {detail}", at=instant_token(event.occurred_at), kind=code(event.kind),
                         who=who, detail=_detail(event.detail)))
    blocks = [section(fmt("*History of {name}* (latest {count}, newest first)", name=name, count=len(events))),
              section(Markup("\n").join(lines)), context("`/expect export` sends the whole record as a file.")]
    return reply(f"History of {name}", blocks)


def forget_question(name: str, project_id: int) -> dict:
    text = fmt(":warning: Forget *{name}*? This deletes the project, its milestones, history and every other "
               "record of it, and cannot be undone. Posts already in Slack stay where they are.", name=name)
    actions = {"type": "actions", "elements": [
        button(f"Forget {name}"[:75], ids.PROJECT_FORGET_CONFIRM, str(project_id), style="danger"),
        button("Keep it", ids.PROJECT_FORGET_CANCEL, str(project_id))]}
    return reply(f"Forget {name}?", [section(text), actions])
