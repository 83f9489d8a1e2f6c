"""`/expect scope`, `/expect owe` and `/expect kickoff`; promise and owed lines for `/expect status`."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row
from sqlalchemy.orm import Session

from bot.blocks.format import reply, section
from bot.blocks.owed import owed_list
from bot.blocks.render import render_payload
from bot.commands import Args, CommandContext, command
from bot.commands.core import STATUS_LINES, StatusLine
from bot.domain import kickoff, owed, promises, signals
from bot.domain.dates import parse_due_date
from bot.domain.errors import UserError
from bot.domain.projects import find_milestone, find_project, local_today
from bot.domain.text import clean_user_text
from bot.models import Project
from bot.mrkdwn import Markup, fmt

SCOPE_EXAMPLE = '/expect scope acme-website include="Design, build, launch" exclude="Hosting, copywriting"'
SCOPE_LIMIT = 1000
NOT_SET = Markup("_not set_")


@command("scope", usage='scope <project> include="…" exclude="…"', summary="what is and isn't included (kickoff card)",
         example=SCOPE_EXAMPLE)
def set_scope(ctx: CommandContext, args: Args) -> dict:
    given = {field: args.option(key) for key, field in (("include", "scope_include"), ("exclude", "scope_exclude"))
             if args.option(key) is not None}
    if len(args.words) != 1 or not given:
        raise UserError("Say which project, then what is included and/or not included.", SCOPE_EXAMPLE)
    project = find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])
    values = {field: clean_user_text(text, field="scope", limit=SCOPE_LIMIT, example=SCOPE_EXAMPLE) or None
              for field, text in given.items()}
    changes = {field: (getattr(project, field), value) for field, value in values.items()
               if getattr(project, field) != value}
    if not changes:
        return reply("Nothing changed", [section(fmt("The scope of *{name}* already says that.", name=project.name))])
    for field, (_, value) in changes.items():
        setattr(project, field, value)
    signals.project_changed.send(session=ctx.session, project=project, changes=changes, now=ctx.now)
    return reply("Scope updated", [section(fmt(
        ":white_check_mark: Scope of *{name}* updated.\nIncluded: {include}\nNot included: {exclude}\nIf the kickoff "
        "card is posted, its thread says what changed and the pinned card is updated.", name=project.name,
        include=project.scope_include or NOT_SET, exclude=project.scope_exclude or NOT_SET))])


@command("owe", usage='owe <project> "<item>" due=<date> [blocks=<milestone>]',
         summary="something the client owes us (listed in updates, reminded politely)", example=owed.EXAMPLE)
def add_owed(ctx: CommandContext, args: Args) -> dict:
    if not args.words:
        raise UserError("Say which project, what the client owes and by when.", owed.EXAMPLE)
    project = find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])
    today = local_today(project, ctx.now)
    if len(args.words) == 1 and not args.options:
        return reply(f"Owed by the client: {project.name}",
                     owed_list(project, owed.open_items(ctx.session, project_id=project.id), today))
    if len(args.words) != 2 or not args.option("due"):
        raise UserError("Give the project, the item in double quotes, and a due date.", owed.EXAMPLE)
    due = parse_due_date(args.option("due"), today=today)
    blocks = find_milestone(project, args.option("blocks")) if args.option("blocks") else None
    item = owed.add_item(ctx.session, project=project, title=args.words[1], due=due, blocks=blocks,
                         by=ctx.user_id, now=ctx.now)
    needed = fmt(", needed for *{title}*", title=blocks.title) if blocks else ""
    text = fmt(":white_check_mark: Noted: the client owes *{title}* for *{name}* by {due:%a %-d %b %Y}{needed}. It "
               "appears in every weekly update until it arrives; a polite reminder goes out on the due date and then "
               "every 3 business days.", title=item.title, name=project.name, due=due, needed=needed)
    if due < today:
        text += Markup("\n:warning: That date is already past, so the first reminder goes out now.")
    return reply(f"Noted {item.title}", [section(text)])


@command("kickoff", usage="kickoff <project>", summary="preview the kickoff card (working agreement) again")
def preview_kickoff(ctx: CommandContext, args: Args) -> dict:
    if len(args.words) != 1:
        raise UserError("Say which project.", "/expect kickoff acme-website")
    project = find_project(ctx.session, team_id=ctx.team_id, ref=args.words[0])
    card = render_payload(kickoff.preview(ctx.session, project=project, now=ctx.now), project=project)
    return reply(card["text"], card["blocks"])


def promises_line(session: Session, project: Project, now: datetime, facts: Row) -> str | None:
    kept, decided = facts.promises_kept, facts.promises_decided
    if not decided:
        return None
    return f"Promises kept: {round(100 * kept / decided)} % ({kept} of {decided} answered in time)"


def owed_status_line(session: Session, project: Project, now: datetime, facts: Row) -> str | None:
    items = owed.open_items(session, project_id=project.id) if facts.owed_open else []
    return f"Waiting on the client for: {', '.join(i.title for i in items[:5])}" if items else None


for _line in (StatusLine(promises_line, promises.kept_share_facts()),
              StatusLine(owed_status_line, (owed.open_items_fact(),))):
    if _line not in STATUS_LINES:
        STATUS_LINES.append(_line)
