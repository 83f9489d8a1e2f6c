"""Delivery notes, check-ins with their 1-click survey, the wrap-up, and the comment modal."""
from __future__ import annotations

from bot import ids
from bot.blocks.format import button, context, date_token, section
from bot.domain.posts import CheckinComment, DeliveredNote, LowScoreAlert, MilestoneCheckin, WrapUp
from bot.domain.schedule import zone
from bot.mrkdwn import Markup, fmt, quote

SCORES = {1: "😞", 2: "😐", 3: "🙂", 4: "😍"}
SCORE_WORDS = {1: "not good", 2: "so-so", 3: "good", 4: "great"}


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def delivered_note(post: DeliveredNote) -> dict:
    slip = (post.delivered_on - post.baseline_due_date).days
    timing = ("on time" if slip == 0 else f"{_days(-slip)} early" if slip < 0 else
              f"{_days(slip)} after the original date")
    text = fmt(":package: *Delivered: {title}* — {timing}. We'll check in {when} to hear how it went.",
               title=post.title, timing=timing, when=date_token(post.checkin_on, zone(post.tz)))
    return {"text": f"Delivered: {post.title}", "blocks": [section(text)]}


def survey_actions(checkin_id: int) -> dict:
    buttons = [button(face, f"{ids.CHECKIN_VOTE}-{score}", f"{checkin_id}:{score}") for score, face in SCORES.items()]
    return {"type": "actions", "elements": [*buttons, button("Add a comment", ids.CHECKIN_COMMENT, str(checkin_id))]}


def _answered(names: list[str]) -> dict:
    if not names:
        return context("One click is enough — one answer per person, and you can change yours.")
    shown = Markup(", ").join(names[:10])
    if len(names) > 10:
        shown += fmt(" and {n} more", n=len(names) - 10)
    return context(fmt(":white_check_mark: Answered by {shown} — thank you! You can still change your answer.",
                       shown=shown))


def milestone_checkin(post: MilestoneCheckin) -> dict:
    when = fmt(" on {day}", day=date_token(post.delivered_on, zone(post.tz))) if post.delivered_on else ""
    text = fmt(":speech_balloon: *How did {title} go?* We delivered it{when}. One click tells us:",
               title=post.title, when=when)
    return {"text": f"How did {post.title} go?",
            "blocks": [section(text), survey_actions(post.checkin_id), _answered(post.names)]}


def wrap_up(post: WrapUp) -> dict:
    """What was delivered, against the original plan, what moved and why, and the survey for the whole project."""
    tz = zone(post.tz)
    delivered, moved = [], []
    for m in post.items:
        day = m.done_on
        planned = date_token(m.baseline_due_date, tz)
        actual = fmt("delivered {day}", day=date_token(day, tz)) if day else "not delivered"
        mark = " ✓" if day and day <= m.baseline_due_date else ""
        delivered.append(fmt("• *{title}* — {actual} (planned {planned}){mark}", title=m.title, actual=actual,
                             planned=planned, mark=mark))
        for move in m.moves:
            why = fmt(": {reason}", reason=move.reason) if move.reason else ""
            moved.append(fmt("• *{title}* moved {old} → {new}{why}", title=m.title, old=date_token(move.old_date, tz),
                             new=date_token(move.new_date, tz), why=why))
    blocks = [section(fmt(":tada: *{name} is complete.* Thank you for working with us!", name=post.project_name)),
              section(Markup("*What we delivered, against the original plan*\n") + Markup("\n").join(delivered[:25]))]
    if moved:
        blocks.append(section(Markup("*What moved, and why*\n") + Markup("\n").join(moved[:25])))
    blocks += [section(Markup("*How did the whole project go?* One click tells us:")), survey_actions(post.checkin_id),
               _answered(post.names)]
    return {"text": f"{post.project_name} is complete — how did it go?", "blocks": blocks}


def low_score_alert(post: LowScoreAlert) -> dict:
    text = fmt(":rotating_light: *{name}*: {who} answered {face} ({words}) to the check-in on *{subject}*. Please "
               "follow up with them in person.", name=post.project_name, who=post.who, face=SCORES[post.score],
               words=SCORE_WORDS[post.score], subject=post.subject)
    if post.comment:
        text += Markup("\n") + quote(post.comment, 10)
    return {"text": text, "blocks": [section(text)]}


def comment_note(post: CheckinComment) -> dict:
    face = f" ({SCORES[post.score]})" if post.score else ""
    text = fmt(":speech_balloon: *{name}*: {who}{face} commented on the check-in on *{subject}*:\n{quoted}",
               name=post.project_name, who=post.who, face=face, subject=post.subject, quoted=quote(post.comment, 20))
    return {"text": text, "blocks": [section(text)]}


def comment_modal(checkin_id: int, subject: str) -> dict:
    return {
        "type": "modal", "callback_id": ids.CHECKIN_COMMENT_VIEW, "private_metadata": str(checkin_id),
        "title": {"type": "plain_text", "text": "Add a comment"},
        "submit": {"type": "plain_text", "text": "Send"}, "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [{"type": "input", "block_id": ids.CHECKIN_COMMENT_TEXT,
                    "label": {"type": "plain_text", "text": f"Anything to tell us about {subject}?"[:150]},
                    "element": {"type": "plain_text_input", "action_id": ids.CHECKIN_COMMENT_TEXT,
                                "multiline": True, "max_length": 2000}}],
    }
