"""The one rendering step: typed content (bot.domain.posts) in, a Slack message ({"text", "blocks"}) out.

The language is picked here, from the project, and nowhere else (`locale_for`). User text is escaped by the
builders' helpers; the message is then fitted to Slack's limits (long text flows into more blocks).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from bot.blocks import calendar, checkins, delays, kickoff, owed, promises, updates
from bot.blocks.format import fit, shorten
from bot.domain import posts
from bot.domain.content import load
from bot.mrkdwn import Markup, escape

DEFAULT_LOCALE = "en"
_LOCALE: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)
BUILDERS: dict[type, Callable[[object], dict]] = {
    posts.DelayAlertPost: delays.alert_message,
    posts.DelayReminder: delays.reminder_message,
    posts.DelayEscalation: delays.escalation_message,
    posts.SnoozeOver: delays.snooze_over_message,
    posts.DelayNoticePost: delays.notice_message,
    posts.DelayQuestion: delays.question_message,
    posts.OwedReminder: owed.owed_reminder,
    posts.OwedReceived: owed.owed_received_note,
    posts.DeliveredNote: checkins.delivered_note,
    posts.MilestoneCheckin: checkins.milestone_checkin,
    posts.WrapUp: checkins.wrap_up,
    posts.LowScoreAlert: checkins.low_score_alert,
    posts.CheckinComment: checkins.comment_note,
    posts.PromiseReply: promises.promise_reply,
    posts.PromiseAlert: promises.promise_alert,
    posts.KickoffCard: kickoff.kickoff_card,
    posts.KickoffPreview: kickoff.kickoff_preview,
    posts.KickoffChange: kickoff.change_note,
    posts.MilestoneAdded: kickoff.milestone_note,
    posts.ClosureChange: calendar.closure_note,
    posts.WeeklyUpdatePost: updates.update_message,
    posts.UpdatePreview: updates.preview_message,
    posts.ApprovalReminder: updates.reminder_message,
    posts.UpdateExpired: updates.expired_message,
}


def locale_for(project) -> str:
    """The language a project's posts are written in. The one place a catalog will be chosen."""
    return DEFAULT_LOCALE


@contextmanager
def speaking(locale: str) -> Iterator[None]:
    """Builders called inside this block write in `locale` (see `current_locale`)."""
    token = _LOCALE.set(locale)
    try:
        yield
    finally:
        _LOCALE.reset(token)


def current_locale() -> str:
    """The language the builder being run writes in."""
    return _LOCALE.get()


def render(content, *, project=None) -> dict:
    """`content` as a Slack message for `project`'s readers: escaped, and within Slack's limits."""
    with speaking(locale_for(project)):
        message = BUILDERS[type(content)](content)
    rendered = {"text": Markup(shorten(escape(message["text"])))}
    if message.get("blocks"):
        rendered["blocks"] = fit(message["blocks"])
    return rendered


def render_payload(payload: dict, *, project=None) -> dict:
    """An outbox payload as a message: typed content is rendered (a kickoff change carries the card to
    re-render too); a legacy {"text", "blocks"} payload is sent as it was stored."""
    if "content" not in payload:
        return payload
    message = render(load(payload["content"]), project=project)
    if payload.get("card"):
        message["card"] = render(load(payload["card"]), project=project)
    return message
