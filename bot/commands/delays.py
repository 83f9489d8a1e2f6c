"""`/expect risk` and `/expect delay`: flag a slipping milestone, or tell the client a date moved."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row
from sqlalchemy.orm import Session

from bot.blocks.format import instant_token, reply, section
from bot.commands import Args, CommandContext, command
from bot.commands.core import STATUS_LINES, StatusLine
from bot.domain import delays
from bot.domain.dates import parse_due_date
from bot.domain.delay_notices import NoticeDraft, lead_time_facts, lead_time_line, notify_client
from bot.domain.delays import short_date
from bot.domain.errors import UserError
from bot.domain.projects import find_milestone, find_project, local_today
from bot.domain.text import clean_user_text
from bot.models import Milestone, OutboxMessage, Project
from bot.mrkdwn import Markup, channel_link, code, fmt, user_mention

RISK_EXAMPLE = '/expect risk acme-website #2 "Waiting for the production API keys"'
DELAY_EXAMPLE = ('/expect delay acme-website #2 to=2026-12-11 reason="The payment provider\'s test system was down" '
                 'impact="No change to cost"')


def _milestone(ctx: CommandContext, ref: str, milestone_ref: str, example: str) -> tuple[Project, Milestone]:
    project = find_project(ctx.session, team_id=ctx.team_id, ref=ref)
    try:
        return project, find_milestone(project, milestone_ref)
    except UserError as error:
        raise UserError(error.message, example) from None


def _alert_place(project: Project, user_id: str) -> Markup:
    if project.internal_channel_id:
        return channel_link(project.internal_channel_id)
    return Markup("your DMs") if project.owner_id == user_id else fmt("{owner}'s DMs", owner=user_mention(project.owner_id))


@command("risk", usage='risk <project> <milestone> "<why>"', summary="flag a milestone at risk: the team gets an alert",
         example=RISK_EXAMPLE)
def flag_risk(ctx: CommandContext, args: Args) -> dict:
    if len(args.words) != 3:
        raise UserError("Give the project, the milestone and why it is at risk, in quotes.", RISK_EXAMPLE)
    project, milestone = _milestone(ctx, args.words[0], args.words[1], RISK_EXAMPLE)
    why = clean_user_text(args.words[2], field="reason", limit=1000, example=RISK_EXAMPLE)
    if not why:
        raise UserError("Say why it is at risk.", RISK_EXAMPLE)
    delays.flag_risk(ctx.session, milestone=milestone, why=why, by=ctx.user_id, now=ctx.now)
    text = fmt(":triangular_flag_on_post: *{title}* is flagged at risk. The alert is in {place}; nothing has gone to "
               "the client.", title=milestone.title, place=_alert_place(project, ctx.user_id))
    return reply("Flagged at risk", [section(text)])


@command("delay", usage='delay <project> <milestone> to=<date> reason="<text>" [impact="<text>"] [needs="<text>"] '
         "[urgent]", summary="move a milestone and tell the client: old date → new date, why, impact", example=DELAY_EXAMPLE)
def announce_delay(ctx: CommandContext, args: Args) -> dict:
    if len(args.words) != 2 or not args.option("to") or not args.option("reason"):
        raise UserError("Give the project, the milestone, the new date (to=) and the reason (reason=).", DELAY_EXAMPLE)
    project, milestone = _milestone(ctx, args.words[0], args.words[1], DELAY_EXAMPLE)
    try:
        new_date = parse_due_date(args.option("to"), today=local_today(project, ctx.now))
    except UserError as error:
        raise UserError(error.message, DELAY_EXAMPLE) from None
    draft = NoticeDraft(new_date=new_date, reason=args.option("reason"), impact=args.option("impact"),
                        needs=args.option("needs"), urgent="urgent" in args.flags)
    old = milestone.due_date
    notice = notify_client(ctx.session, milestone=milestone, draft=draft, by=ctx.user_id, now=ctx.now,
                           example=DELAY_EXAMPLE)
    row = ctx.session.get(OutboxMessage, notice.outbox_id)
    when = Markup("right away") if draft.urgent else fmt("{at} (other changes made before then join it)",
                                                         at=instant_token(row.not_before))
    text = fmt(":mega: *{title}* moves from {old} to {new}. The notice goes to {channel} {when}.", title=milestone.title,
               old=short_date(old), new=short_date(new_date), channel=channel_link(project.channel_id), when=when)
    return reply("Delay notice queued", [section(text)])


def lead_time_status(session: Session, project: Project, now: datetime, facts: Row) -> str | None:
    return lead_time_line(facts.lead_moves, facts.lead_days_total, facts.lead_days_last)


LEAD_TIME_LINE = StatusLine(lead_time_status, lead_time_facts())
if LEAD_TIME_LINE not in STATUS_LINES:
    STATUS_LINES.append(LEAD_TIME_LINE)
