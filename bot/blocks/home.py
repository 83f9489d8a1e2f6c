"""The App Home tab: each person's projects with health, progress and what is due next."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.blocks.format import HEALTH_EMOJI, HEALTH_WORDS, context, date_token, progress_bar, section
from bot.domain.home import HomeProjects
from bot.domain.projects import health, next_milestone
from bot.domain.schedule import zone
from bot.models import Project

EXAMPLES = ('`/expect add-project "Acme Website" #acme-shared` · `/expect add-milestone acme-website '
            '"Design sign-off" due=fri` · `/expect list` · `/expect help`')


def _header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def project_card(project: Project, today: date) -> dict:
    state = health(project, today)
    upcoming = next_milestone(project)
    done = sum(1 for m in project.milestones if m.state == "done")
    lines = [f"{HEALTH_EMOJI[state]} *{project.name}* `{project.slug}` — {HEALTH_WORDS[state]}",
             f"<#{project.channel_id}> · {done}/{len(project.milestones)} milestones done"]
    if upcoming:
        lines.append(f"Next: *{upcoming.title}* due {date_token(upcoming.due_date, zone(project.tz))} · "
                     f"{progress_bar(upcoming.progress)}")
    if project.attention:
        lines.append(f":warning: {project.attention}")
    return section("\n".join(lines))


def home_view(projects: HomeProjects, today_of: Callable[[Project], date]) -> dict:
    """The Home tab for a team member."""
    blocks = [_header("Your client projects")]
    if projects.mine:
        blocks += [project_card(p, today_of(p)) for p in projects.mine]
        if projects.mine_total > len(projects.mine):
            blocks.append(context(f"…and {projects.mine_total - len(projects.mine)} more. `/expect list` shows them."))
    else:
        blocks.append(section("You don't own any active project yet."))
    if projects.others:
        blocks += [{"type": "divider"}, _header("Everyone else's")]
        lines = [f"{HEALTH_EMOJI[health(p, today_of(p))]} *{p.name}* `{p.slug}` · owner <@{p.owner_id}>"
                 for p in projects.others]
        blocks += [section("\n".join(lines[start:start + 15])) for start in range(0, len(lines), 15)]
        if projects.others_total > len(projects.others):
            blocks.append(context(f"…and {projects.others_total - len(projects.others)} more."))
    blocks += [{"type": "divider"}, context(EXAMPLES)]
    return {"type": "home", "blocks": blocks[:100]}


def outsider_home_view() -> dict:
    """What a Slack Connect partner or a guest sees: nothing internal."""
    return {"type": "home", "blocks": [section(
        "*expect* keeps clients informed about their projects. Updates arrive in your shared channel.")]}
