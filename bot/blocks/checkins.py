"""Delivery notes, check-ins with their 1-click survey, the wrap-up, and the comment modal."""
from __future__ import annotations

from bot import ids
from bot.blocks.format import button, context, date_token, section
from bot.domain.posts import CheckinComment, CommentModal, DeliveredNote, LowScoreAlert, MilestoneCheckin, WrapUp
from bot.domain.schedule import zone
from bot.i18n import TN_, T_, _, _n, plain, separator
from bot.mrkdwn import Markup, quote

SCORES = {1: "😞", 2: "😐", 3: "🙂", 4: "😍"}
SCORE_WORDS = {1: TN_("not good"), 2: TN_("so-so"), 3: TN_("good"), 4: TN_("great")}


def delivered_note(post: DeliveredNote) -> dict:
    slip = (post.delivered_on - post.baseline_due_date).days
    when = date_token(post.checkin_on, zone(post.tz))
    if slip == 0:
        body = _("*Delivered: {title}* — on time. We'll check in {when} to hear how it went.", title=post.title,
                 when=when)
    elif slip < 0:
        body = _n("*Delivered: {title}* — {n} day early. We'll check in {when} to hear how it went.",
                  "*Delivered: {title}* — {n} days early. We'll check in {when} to hear how it went.", -slip,
                  title=post.title, when=when)
    else:
        body = _n("*Delivered: {title}* — {n} day after the original date. We'll check in {when} to hear how it went.",
                  "*Delivered: {title}* — {n} days after the original date. We'll check in {when} to hear how it "
                  "went.", slip, title=post.title, when=when)
    return {"text": _("Delivered: {title}", title=post.title), "blocks": [section(Markup(":package: ") + body)]}


def survey_actions(checkin_id: int) -> dict:
    buttons = [button(face, f"{ids.CHECKIN_VOTE}-{score}", f"{checkin_id}:{score}") for score, face in SCORES.items()]
    return {"type": "actions", "elements": [*buttons, button(plain("Add a comment"), ids.CHECKIN_COMMENT, str(checkin_id))]}


def _answered(names: list[str]) -> dict:
    if not names:
        return context(_("One click is enough — one answer per person, and you can change yours."))
    shown = separator().join(name for name in names[:10] if name)
    if len(names) > 10:
        # Translators: {names} is a comma-separated list of first names.
        shown = _n("{names} and {n} more", "{names} and {n} more", len(names) - 10, names=shown)
    return context(Markup(":white_check_mark: ")
                   + _("Answered by {shown} — thank you! You can still change your answer.", shown=shown))


def milestone_checkin(post: MilestoneCheckin) -> dict:
    if post.delivered_on:
        body = _("*How did {title} go?* We delivered it on {day}. One click tells us:", title=post.title,
                 day=date_token(post.delivered_on, zone(post.tz)))
    else:
        body = _("*How did {title} go?* We delivered it. One click tells us:", title=post.title)
    return {"text": _("How did {title} go?", title=post.title),
            "blocks": [section(Markup(":speech_balloon: ") + body), survey_actions(post.checkin_id),
                       _answered(post.names)]}


def wrap_up(post: WrapUp) -> dict:
    """What was delivered, against the original plan, what moved and why, and the survey for the whole project."""
    tz = zone(post.tz)
    delivered, moved = [], []
    for m in post.items:
        day = m.done_on
        planned = date_token(m.baseline_due_date, tz)
        mark = " ✓" if day and day <= m.baseline_due_date else ""
        line = (_("*{title}* — delivered {day} (planned {planned})", title=m.title, day=date_token(day, tz),
                  planned=planned) if day else
                _("*{title}* — not delivered (planned {planned})", title=m.title, planned=planned))
        delivered.append(Markup("• ") + line + Markup(mark))
        for move in m.moves:
            old, new = date_token(move.old_date, tz), date_token(move.new_date, tz)
            line = (_("*{title}* moved {old} → {new}: {reason}", title=m.title, old=old, new=new, reason=move.reason)
                    if move.reason else _("*{title}* moved {old} → {new}", title=m.title, old=old, new=new))
            moved.append(Markup("• ") + line)
    blocks = [section(Markup(":tada: ") + _("*{name} is complete.* Thank you for working with us!",
                                            name=post.project_name)),
              section(_("*What we delivered, against the original plan*") + Markup("\n")
                      + Markup("\n").join(delivered[:25]))]
    if moved:
        blocks.append(section(_("*What moved, and why*") + Markup("\n") + Markup("\n").join(moved[:25])))
    blocks += [section(_("*How did the whole project go?* One click tells us:")), survey_actions(post.checkin_id),
               _answered(post.names)]
    return {"text": _("{name} is complete — how did it go?", name=post.project_name), "blocks": blocks}


def low_score_alert(post: LowScoreAlert) -> dict:
    text = T_(":rotating_light: *{name}*: {who} answered {face} ({words}) to the check-in on *{subject}*. Please "
              "follow up with them in person.", name=post.project_name, who=post.who, face=SCORES[post.score],
              words=T_(SCORE_WORDS[post.score]), subject=post.subject)
    if post.comment:
        text += Markup("\n") + quote(post.comment, 10)
    return {"text": text, "blocks": [section(text)]}


def comment_note(post: CheckinComment) -> dict:
    names = dict(name=post.project_name, who=post.who, subject=post.subject, quoted=quote(post.comment, 20))
    text = (T_(":speech_balloon: *{name}*: {who} ({face}) commented on the check-in on *{subject}*:\n{quoted}",
               face=SCORES[post.score], **names) if post.score else
            T_(":speech_balloon: *{name}*: {who} commented on the check-in on *{subject}*:\n{quoted}", **names))
    return {"text": text, "blocks": [section(text)]}


def comment_modal(post: CommentModal) -> dict:
    """The client's comment on a check-in (a modal; the caller renders it in the project's language)."""
    return {
        "type": "modal", "callback_id": ids.CHECKIN_COMMENT_VIEW, "private_metadata": str(post.checkin_id),
        "title": {"type": "plain_text", "text": plain("Add a comment")[:24]},
        # Translators: modal buttons; Slack cuts them at 24 characters.
        "submit": {"type": "plain_text", "text": plain("Send")},
        "close": {"type": "plain_text", "text": plain("Cancel")},
        "blocks": [{"type": "input", "block_id": ids.CHECKIN_COMMENT_TEXT,
                    "label": {"type": "plain_text", "text": plain("Anything to tell us about how it went?")[:150]},
                    "element": {"type": "plain_text_input", "action_id": ids.CHECKIN_COMMENT_TEXT,
                                "multiline": True, "max_length": 2000}}],
    }
