"""Promise replies to the client and the team's reminders to keep them."""
from __future__ import annotations

from datetime import timedelta

from bot.blocks.format import date_token, instant_token, section
from bot.domain.posts import PromiseAlert, PromiseReply
from bot.domain.schedule import zone
from bot.i18n import T_, _
from bot.mrkdwn import Markup, channel_link, quote


def promise_reply(post: PromiseReply) -> dict:
    """The client's answer-by time; on a holiday or during a closure, also the day the team is back."""
    deadline = instant_token(post.deadline)
    if post.back_on and post.name:
        text = _("Thanks, {name} — we're away until {day}, and we'll get back to you by {deadline} your time.",
                 name=post.name[:80], day=date_token(post.back_on, zone(post.tz)), deadline=deadline)
    elif post.back_on:
        text = _("Thanks — we're away until {day}, and we'll get back to you by {deadline} your time.",
                 day=date_token(post.back_on, zone(post.tz)), deadline=deadline)
    elif post.name:
        text = _("Thanks, {name} — we'll get back to you by {deadline} your time.", name=post.name[:80],
                 deadline=deadline)
    else:
        text = _("Thanks — we'll get back to you by {deadline} your time.", deadline=deadline)
    return {"text": text, "blocks": [section(text)]}


def _left(delta: timedelta) -> Markup:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes >= 60:
        return T_("{hours} h {minutes} min", hours=minutes // 60, minutes=f"{minutes % 60:02d}")
    return T_("{minutes} min", minutes=minutes)


def promise_alert(post: PromiseAlert) -> dict:
    """The team's warning at 75 % of the promised time, or the owner's alert once it is overdue."""
    excerpt = quote(post.excerpt, 4) if post.excerpt else Markup("")
    if post.overdue:
        text = T_(":red_circle: *{name}*: the answer we promised {who} in {channel} by {deadline} is overdue. "
                  "Please answer in the thread now, or tell them when they'll hear from us.\n{excerpt}",
                   name=post.project_name, who=post.user_name, channel=channel_link(post.channel_id),
                   deadline=instant_token(post.deadline), excerpt=excerpt)
    else:
        text = T_(":hourglass_flowing_sand: *{name}*: {who} is waiting for an answer in {channel}. We promised one "
                  "by {deadline} ({left} of wall-clock time left). Reply in the thread or react with "
                  ":white_check_mark: once it's answered.\n{excerpt}", name=post.project_name, who=post.user_name,
                   channel=channel_link(post.channel_id), deadline=instant_token(post.deadline),
                   left=_left(post.deadline - post.now), excerpt=excerpt)
    text = Markup(text.strip())
    return {"text": text, "blocks": [section(text)]}
