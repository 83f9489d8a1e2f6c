"""Project lists and status for the team (ephemeral replies)."""
from __future__ import annotations

from datetime import date

from bot.blocks.format import HEALTH_EMOJI, HEALTH_WORDS, STATE_EMOJI, context, date_token, progress_bar, section
from bot.domain.projects import health, milestone_state, next_milestone, weekdays
from bot.domain.schedule import WEEKDAY_NAMES, zone
from bot.models import Project
from bot.mrkdwn import Markup, channel_link, code, fmt, user_mention

MAX_LIST_ROWS = 45
COUNT_LIMIT = 1000


def project_list(projects: list[Project], today_of, total: int | None = None,
                 milestones_of: dict[int, list] | None = None) -> list[dict]:
    """At most MAX_LIST_ROWS rows; `total` (default: len(projects); past COUNT_LIMIT means "many") counts the rest.

    `milestones_of` (project id -> open milestones) saves loading every project's milestones.
    """
    total = len(projects) if total is None else total
    if not projects:
        return [section(fmt("No projects yet. Register one with {example}.",
                            example=code('/expect add-project "Acme Website" #acme-shared')))]
    lines = []
    for project in projects[:MAX_LIST_ROWS]:
        milestones = None if milestones_of is None else milestones_of.get(project.id, [])
        state = health(project, today_of(project), milestones)
        upcoming = next_milestone(project, milestones)
        nxt = (fmt("next: {title} {due}", title=upcoming.title, due=date_token(upcoming.due_date, zone(project.tz)))
               if upcoming else "no open milestones")
        lines.append(fmt("{emoji} *{name}* {slug} · {channel} · {next}", emoji=Markup(HEALTH_EMOJI[state]),
                         name=project.name, slug=code(project.slug), channel=channel_link(project.channel_id), next=nxt))
    blocks = [section(Markup("*Active projects*"))]
    chunk: list[Markup] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append(section(Markup("\n").join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section(Markup("\n").join(chunk)))
    shown = min(len(projects), MAX_LIST_ROWS)
    if total > shown:
        more = f"over {COUNT_LIMIT - shown:,}" if total > COUNT_LIMIT else f"{total - shown:,}"
        blocks.append(context(fmt("…and {more} more. {example} shows one.", more=more,
                                  example=code("/expect status <project>"))))
    return blocks


def project_status(project: Project, today: date, extra_lines: list[str] | None = None,
                   milestones: list | None = None) -> list[dict]:
    """`milestones` (such as `milestone_rows`) stands in for `project.milestones` when given."""
    milestones = project.milestones if milestones is None else milestones
    tz = zone(project.tz)
    state = health(project, today, milestones)
    hours = weekdays(project)
    header = fmt("{emoji} *{name}* — {words}\nClient channel {channel} · owner {owner} · updates {day}s at {time} "
                 "({tz}) · replies within {within}", emoji=Markup(HEALTH_EMOJI[state]), name=project.name,
                 words=HEALTH_WORDS[state], channel=channel_link(project.channel_id),
                 owner=user_mention(project.owner_id), day=WEEKDAY_NAMES[project.cadence_weekday],
                 time=project.cadence_time, tz=project.tz, within=project.respond_within)
    blocks = [section(header)]
    if project.attention:
        blocks.append(section(Markup(":warning: Needs attention: ") + Markup(project.attention)))
    rows = []
    for milestone in milestones:
        ms_state = milestone_state(milestone, today, hours)
        moved = ""
        if milestone.due_date != milestone.baseline_due_date:
            moved = fmt(" (moved from {day})", day=date_token(milestone.baseline_due_date, tz))
        rows.append(fmt("{emoji} #{number} *{title}* — due {due}{moved} · {bar}", emoji=Markup(STATE_EMOJI[ms_state]),
                        number=milestone.number, title=milestone.title, due=date_token(milestone.due_date, tz),
                        moved=moved, bar=progress_bar(milestone.progress)))
    if not rows:
        rows.append(fmt("No milestones yet. Add one with {example}.",
                        example=code(f'/expect add-milestone {project.slug} "Design sign-off" due=fri')))
    for start in range(0, len(rows), 20):
        blocks.append(section(Markup("\n").join(rows[start:start + 20])))
    if extra_lines:
        blocks.append(context(Markup("\n").join(extra_lines)))
    return blocks
