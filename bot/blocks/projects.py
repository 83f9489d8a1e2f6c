"""Project lists and status for the team (ephemeral replies)."""
from __future__ import annotations

from datetime import date

from bot.blocks.format import HEALTH_EMOJI, HEALTH_WORDS, STATE_EMOJI, context, date_token, progress_bar, section
from bot.domain.projects import business_hours, health, milestone_state, next_milestone
from bot.domain.schedule import WEEKDAY_NAMES, zone
from bot.models import Project

MAX_LIST_ROWS = 45
COUNT_LIMIT = 1000


def project_list(projects: list[Project], today_of, total: int | None = None,
                 milestones_of: dict[int, list] | None = None) -> list[dict]:
    """At most MAX_LIST_ROWS rows; `total` (default: len(projects); past COUNT_LIMIT means "many") counts the rest.

    `milestones_of` (project id -> open milestones) saves loading every project's milestones.
    """
    total = len(projects) if total is None else total
    if not projects:
        return [section("No projects yet. Register one with `/expect add-project \"Acme Website\" #acme-shared`.")]
    lines = []
    for project in projects[:MAX_LIST_ROWS]:
        milestones = None if milestones_of is None else milestones_of.get(project.id, [])
        state = health(project, today_of(project), milestones)
        upcoming = next_milestone(project, milestones)
        nxt = f"next: {upcoming.title} {date_token(upcoming.due_date, zone(project.tz))}" if upcoming else "no open milestones"
        lines.append(f"{HEALTH_EMOJI[state]} *{project.name}* `{project.slug}` · <#{project.channel_id}> · {nxt}")
    blocks = [section("*Active projects*")]
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk)))
    shown = min(len(projects), MAX_LIST_ROWS)
    if total > shown:
        more = f"over {COUNT_LIMIT - shown:,}" if total > COUNT_LIMIT else f"{total - shown:,}"
        blocks.append(context(f"…and {more} more. `/expect status <project>` shows one."))
    return blocks


def project_status(project: Project, today: date, extra_lines: list[str] | None = None) -> list[dict]:
    tz = zone(project.tz)
    state = health(project, today)
    hours = business_hours(project)
    owner = f"<@{project.owner_id}>"
    header = (f"{HEALTH_EMOJI[state]} *{project.name}* — {HEALTH_WORDS[state]}\n"
              f"Client channel <#{project.channel_id}> · owner {owner} · updates {WEEKDAY_NAMES[project.cadence_weekday]}s "
              f"at {project.cadence_time} ({project.tz}) · replies within {project.respond_within}")
    blocks = [section(header)]
    if project.attention:
        blocks.append(section(f":warning: Needs attention: {project.attention}"))
    rows = []
    for milestone in project.milestones:
        ms_state = milestone_state(milestone, today, hours)
        moved = ""
        if milestone.due_date != milestone.baseline_due_date:
            moved = f" (moved from {date_token(milestone.baseline_due_date, tz)})"
        rows.append(f"{STATE_EMOJI[ms_state]} #{milestone.number} *{milestone.title}* — due "
                    f"{date_token(milestone.due_date, tz)}{moved} · {progress_bar(milestone.progress)}")
    if not rows:
        rows.append(f"No milestones yet. Add one with `/expect add-milestone {project.slug} \"Design sign-off\" due=fri`.")
    for start in range(0, len(rows), 20):
        blocks.append(section("\n".join(rows[start:start + 20])))
    if extra_lines:
        blocks.append(context("\n".join(extra_lines)))
    return blocks[:50]
