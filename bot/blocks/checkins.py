"""Delivery notes, check-ins with their 1-click survey, the wrap-up, and the comment modal."""
from __future__ import annotations

from datetime import date

from bot import ids
from bot.blocks.format import button, context, date_token, section
from bot.domain.schedule import zone
from bot.models import Milestone, Project

SCORES = {1: "😞", 2: "😐", 3: "🙂", 4: "😍"}
SCORE_WORDS = {1: "not good", 2: "so-so", 3: "good", 4: "great"}


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def delivered_note(project: Project, milestone: Milestone, delivered_on: date, checkin_on: date) -> dict:
    tz = zone(project.tz)
    slip = (delivered_on - milestone.baseline_due_date).days
    timing = ("on time" if slip == 0 else f"{_days(-slip)} early" if slip < 0 else
              f"{_days(slip)} after the original date")
    text = (f":package: *Delivered: {milestone.title}* — {timing}. We'll check in {date_token(checkin_on, tz)} "
            "to hear how it went.")
    return {"text": f"Delivered: {milestone.title}", "blocks": [section(text)]}


def survey_actions(checkin_id: int) -> dict:
    buttons = [button(face, f"{ids.CHECKIN_VOTE}-{score}", f"{checkin_id}:{score}") for score, face in SCORES.items()]
    return {"type": "actions", "elements": [*buttons, button("Add a comment", ids.CHECKIN_COMMENT, str(checkin_id))]}


def _answered(names: list[str]) -> dict:
    if not names:
        return context("One click is enough — one answer per person, and you can change yours.")
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return context(f":white_check_mark: Answered by {shown} — thank you! You can still change your answer.")


def milestone_checkin(project: Project, milestone: Milestone, delivered_on: date | None, checkin_id: int,
                      names: list[str]) -> dict:
    when = f" on {date_token(delivered_on, zone(project.tz))}" if delivered_on else ""
    text = f":speech_balloon: *How did {milestone.title} go?* We delivered it{when}. One click tells us:"
    return {"text": f"How did {milestone.title} go?",
            "blocks": [section(text), survey_actions(checkin_id), _answered(names)]}


def wrap_up(project: Project, done_on: dict[int, date], checkin_id: int, names: list[str]) -> dict:
    """What was delivered, against the original plan, what moved and why, and the survey for the whole project."""
    tz = zone(project.tz)
    delivered, moved = [], []
    for m in project.milestones:
        day = done_on.get(m.id)
        planned = date_token(m.baseline_due_date, tz)
        actual = f"delivered {date_token(day, tz)}" if day else "not delivered"
        mark = " ✓" if day and day <= m.baseline_due_date else ""
        delivered.append(f"• *{m.title}* — {actual} (planned {planned}){mark}")
        for move in (move for move in m.moves if move.client_notified):
            why = f": {move.reason}" if move.reason else ""
            moved.append(f"• *{m.title}* moved {date_token(move.old_date, tz)} → {date_token(move.new_date, tz)}{why}")
    blocks = [section(f":tada: *{project.name} is complete.* Thank you for working with us!"),
              section("*What we delivered, against the original plan*\n" + "\n".join(delivered[:25]))]
    if moved:
        blocks.append(section("*What moved, and why*\n" + "\n".join(moved[:25])))
    blocks += [section("*How did the whole project go?* One click tells us:"), survey_actions(checkin_id),
               _answered(names)]
    return {"text": f"{project.name} is complete — how did it go?", "blocks": blocks}


def low_score_alert(project: Project, subject: str, who: str, score: int, comment: str | None) -> dict:
    text = (f":rotating_light: *{project.name}*: {who} answered {SCORES[score]} ({SCORE_WORDS[score]}) to the "
            f"check-in on *{subject}*. Please follow up with them in person.")
    if comment:
        text += "\n" + "\n".join(f"> {line}" for line in comment.splitlines()[:10])
    return {"text": text[:3000], "blocks": [section(text)]}


def comment_note(project: Project, subject: str, who: str, score: int | None, comment: str) -> dict:
    face = f" ({SCORES[score]})" if score else ""
    quoted = "\n".join(f"> {line}" for line in comment.splitlines()[:20])
    text = f":speech_balloon: *{project.name}*: {who}{face} commented on the check-in on *{subject}*:\n{quoted}"
    return {"text": text[:3000], "blocks": [section(text)]}


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
