"""The one rendering step: typed content (bot.domain.posts) in, a Slack message ({"text", "blocks"}) out.

The language is picked here, from the project, and nowhere else (`locale_for`): a post the client reads speaks
the project's language, a post for the team the team's (`EXPECT_TEAM_LANG`); a preview speaks the team's and
switches to the client's for the part the client will see (`bot.i18n.for_client`). User text is escaped by the
builders' helpers; the message is then fitted to Slack's limits (long text flows into more blocks).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bot.blocks import calendar, checkins, delays, kickoff, lifecycle, owed, promises, updates
from bot.blocks.format import fit, shorten
from bot.domain import posts
from bot.domain.content import load
from bot.i18n import default_language, speaking
from bot.mrkdwn import Markup, escape

BUILDERS: dict[type, Callable[[object], dict]] = {
    posts.DelayAlertPost: delays.alert_message,
    posts.DelayReminder: delays.reminder_message,
    posts.DelayEscalation: delays.escalation_message,
    posts.SnoozeOver: delays.snooze_over_message,
    posts.DelayNoticePost: delays.notice_message,
    posts.DelayQuestion: delays.question_message,
    posts.OwedReminder: owed.owed_reminder,
    posts.OwedReceived: owed.owed_received_note,
    posts.OwedSent: owed.owed_sent,
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
    posts.ProjectArchived: lifecycle.project_archived,
}
VIEWS: dict[type, Callable[[object], dict]] = {
    posts.CommentModal: checkins.comment_modal,
}
FOR_THE_CLIENT = frozenset({
    posts.DelayNoticePost, posts.OwedReminder, posts.OwedSent, posts.DeliveredNote, posts.MilestoneCheckin,
    posts.WrapUp, posts.PromiseReply, posts.KickoffCard, posts.KickoffChange, posts.MilestoneAdded,
    posts.WeeklyUpdatePost, posts.CommentModal, posts.ClosureChange, posts.ProjectArchived,
})


def locale_for(project) -> str:
    """The language a project's client posts are written in: the one place a catalog is chosen."""
    return getattr(project, "lang", None) or default_language()


@contextmanager
def language_of(content, project) -> Iterator[None]:
    """Within the block, templates speak `content`'s reader's language (the client's or the team's)."""
    client = locale_for(project) if project is not None else None
    with speaking(client if type(content) in FOR_THE_CLIENT else None, client=client):
        yield


def render(content, *, project=None) -> dict:
    """`content` as a Slack message for `project`'s readers: escaped, and within Slack's limits."""
    with language_of(content, project):
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


def render_view(content, *, project=None) -> dict:
    """A modal (`VIEWS`) in its reader's language."""
    with language_of(content, project):
        return VIEWS[type(content)](content)


@contextmanager
def client_language(project) -> Iterator[None]:
    """Within the block, text speaks `project`'s client's language (answers to a client's click)."""
    with speaking(locale_for(project), client=locale_for(project)):
        yield
