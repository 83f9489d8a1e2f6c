"""`/expect report`: a project's scorecard for a period, and its timeline picture in the requester's DM."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.blocks.format import reply
from bot.blocks.scorecard import report_blocks
from bot.commands import CommandContext, command
from bot.commands.parse import Args
from bot.domain.charts import request_chart
from bot.domain.dates import parse_due_date
from bot.domain.errors import UserError
from bot.domain.projects import find_project, local_today
from bot.domain.schedule import zone
from bot.domain.scorecard import DEFAULT_WEEKS, Period, scorecards

EXAMPLE = "/expect report acme-website from=2026-09-01 to=2026-11-30"


def _date(args: Args, key: str, today: date) -> date | None:
    text = args.option(key)
    if text is None:
        return None
    try:
        return parse_due_date(text, today=today)
    except UserError as error:
        raise UserError(f"`{key}={text}`: {error.message}", EXAMPLE) from None


@command("report", usage="report <project> [from=<date>] [to=<date>]", example=EXAMPLE,
         summary="the project's scorecard for a period (default: the last 12 weeks), and its timeline in your DM")
def report(ctx: CommandContext, args: Args) -> dict:
    if len(args.words) != 1:
        raise UserError("Say which project, and maybe the period.", EXAMPLE)
    project = find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])
    today = local_today(project, ctx.now)
    last = _date(args, "to", today) or today
    first = _date(args, "from", today) or last - timedelta(weeks=DEFAULT_WEEKS)
    if first > last:
        raise UserError(f"The period starts ({first.isoformat()}) after it ends ({last.isoformat()}).", EXAMPLE)
    tz = zone(project.tz)
    period = Period(datetime.combine(first, time(), tzinfo=tz), datetime.combine(last + timedelta(days=1), time(), tzinfo=tz))
    card = scorecards(ctx.session, [project], period, now=ctx.now)[project.id]
    request_chart(ctx.session, project=project, user_id=ctx.user_id, now=ctx.now)
    return reply(f"Scorecard of {project.name}", report_blocks(project.name, project.slug, card, first, last))
