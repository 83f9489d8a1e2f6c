"""Promise replies to the client and the team's reminders to keep them."""
from __future__ import annotations

from datetime import timedelta

from bot.blocks.format import instant_token, section
from bot.domain.text import escape_mrkdwn, neutralise
from bot.models import Project
from bot.models.expectations import ResponsePromise


def promise_reply(name: str, deadline) -> dict:
    name = escape_mrkdwn(neutralise(name))[:80]
    text = f"Thanks, {name} — we'll get back to you by {instant_token(deadline)} your time."
    return {"text": text, "blocks": [section(text)]}


def _left(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _quote(promise: ResponsePromise) -> str:
    return "\n".join(f"> {line}" for line in promise.excerpt.splitlines()[:4]) if promise.excerpt else ""


def promise_warning(project: Project, promise: ResponsePromise, now) -> dict:
    text = (f":hourglass_flowing_sand: *{project.name}*: {promise.user_name} is waiting for an answer in "
            f"<#{promise.channel_id}>. We promised one by {instant_token(promise.deadline)} "
            f"({_left(promise.deadline - now)} of wall-clock time left). Reply in the thread or react with "
            f":white_check_mark: once it's answered.\n{_quote(promise)}")
    return {"text": text.strip(), "blocks": [section(text.strip())]}


def promise_overdue(project: Project, promise: ResponsePromise) -> dict:
    text = (f":red_circle: *{project.name}*: the answer we promised {promise.user_name} in <#{promise.channel_id}> "
            f"by {instant_token(promise.deadline)} is overdue. Please answer in the thread now, or tell them when "
            f"they'll hear from us.\n{_quote(promise)}")
    return {"text": text.strip(), "blocks": [section(text.strip())]}
