"""The App Home tab: each person's projects with health, progress and what is due next."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.blocks.calendar import away_lines
from bot.blocks.format import HEALTH_EMOJI, HEALTH_WORDS, context, date_token, fit, progress_bar, section
from bot.blocks.scorecard import measure_lines, reason_line, team_summary_block
from bot.domain.home import HomeProjects
from bot.domain.projects import health, language_name, next_milestone
from bot.domain.schedule import zone
from bot.domain.scorecard import Scorecard
from bot.models import Project
from bot.mrkdwn import Markup, channel_link, code, fmt, user_mention

EXAMPLES = Markup(" · ").join([code('/expect add-project "Acme Website" #acme-shared'),
                               code('/expect add-milestone acme-website "Design sign-off" due=fri'),
                               code("/expect list"), code("/expect help")])


def _header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def project_card(project: Project, today: date, card: Scorecard | None = None) -> dict:
    state = health(project, today)
    upcoming = next_milestone(project)
    done = sum(1 for m in project.milestones if m.state == "done")
    lines = [fmt("{emoji} *{name}* {slug} — {words}", emoji=Markup(HEALTH_EMOJI[state]), name=project.name,
                 slug=code(project.slug), words=HEALTH_WORDS[state]),
             fmt("{channel} · {done}/{total} milestones done · client language {lang}",
                 channel=channel_link(project.channel_id), done=done, total=len(project.milestones),
                 lang=language_name(project.lang))]
    if upcoming:
        lines.append(fmt("Next: *{title}* due {due} · {bar}", title=upcoming.title,
                         due=date_token(upcoming.due_date, zone(project.tz)), bar=progress_bar(upcoming.progress)))
    if project.attention:
        lines.append(Markup(":warning: ") + Markup(project.attention))
    if card is not None:
        lines += measure_lines(card)
        reason = reason_line(card)
        if reason:
            lines.append(reason)
    return section(Markup("\n").join(lines))


def home_view(projects: HomeProjects, today_of: Callable[[Project], date], away: list | None = None,
              archived: list[Project] | None = None) -> dict:
    """The Home tab for a team member; `away` is the time off not over yet, `archived` the finished projects."""
    blocks = [_header("Your client projects")]
    if projects.team is not None and projects.scored:
        blocks += [team_summary_block(projects.team, projects.scored, projects.weeks), {"type": "divider"}]
    if projects.mine:
        blocks += [project_card(p, today_of(p), projects.cards.get(p.id)) for p in projects.mine]
        if projects.mine_total > len(projects.mine):
            blocks.append(context(fmt("…and {n} more. {example} shows them.", n=projects.mine_total - len(projects.mine),
                                      example=code("/expect list"))))
    else:
        blocks.append(section("You don't own any active project yet."))
    if projects.others:
        blocks += [{"type": "divider"}, _header("Everyone else's")]
        lines = [fmt("{emoji} *{name}* {slug} · owner {owner}", emoji=Markup(HEALTH_EMOJI[health(p, today_of(p))]),
                     name=p.name, slug=code(p.slug), owner=user_mention(p.owner_id)) for p in projects.others]
        blocks += [section(Markup("\n").join(lines[start:start + 15])) for start in range(0, len(lines), 15)]
        if projects.others_total > len(projects.others):
            blocks.append(context(f"…and {projects.others_total - len(projects.others)} more."))
    if away:
        blocks += [{"type": "divider"}, _header("Away"), section(Markup("\n").join(away_lines(away[:20])))]
    if archived:
        lines = [fmt("{name} {slug}", name=p.name, slug=code(p.slug)) for p in archived[:30]]
        blocks += [{"type": "divider"}, _header("Archived"), context(Markup(" · ").join(lines))]
    blocks += [{"type": "divider"}, context(EXAMPLES)]
    return {"type": "home", "blocks": fit(blocks, 100)}


def outsider_home_view() -> dict:
    """What a Slack Connect partner or a guest sees: nothing internal."""
    return {"type": "home", "blocks": [section(Markup(
        "*expect* keeps clients informed about their projects. Updates arrive in your shared channel."))]}
