"""Registering and tracking client projects and their milestones."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.domain.calendar import Calendar, parse_region, region_for_zone
from bot.domain.errors import UserError
from bot.domain.schedule import next_cadence, zone
from bot.domain.text import clean_user_text, slugify
from bot.i18n import LANGUAGES, default_language, normalise
from bot.models import Milestone, Project
from bot.mrkdwn import Markup, code, fmt

AT_RISK_BUSINESS_DAYS = 3
HEALTH_LABELS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}


@dataclass(frozen=True)
class NewProject:
    name: str
    channel_id: str
    owner_id: str
    tz: str
    client_name: str | None = None
    cadence_weekday: int = 0
    cadence_time: str = "10:00"
    internal_channel_id: str | None = None
    respond_within: str = "1d"
    holidays: str | None = None
    lang: str | None = None


def parse_language(value: str) -> str:
    """A language code expect writes client posts in (`uk`, `pt-BR`…), or a UserError listing them."""
    language = normalise(value)
    if language is None:
        known = ", ".join(f"`{code}` ({name})" for code, name in LANGUAGES.items())
        raise UserError(f"`lang={value}`: I can't write to clients in that language. Choose one of: {known}.",
                        "lang=uk")
    return language


def language_name(code: str) -> str:
    """`uk` → `українська (uk)`: the language as its speakers call it, and its code."""
    return f"{LANGUAGES.get(code, code)} ({code})"


def local_today(project: Project, now: datetime) -> date:
    return now.astimezone(zone(project.tz)).date()


def business_hours(project: Project) -> Calendar:
    """The project's calendar: business days and hours, public holidays and closures.

    Also takes the light rows of delay detection, which carry only the days and hours: their calendar has no
    holidays or closures, which is all they need (counting weekdays).
    """
    closures = tuple((c.start_date, c.end_date) for c in getattr(project, "closures", ()))
    return Calendar(project.business_days, project.business_start, project.business_end, zone(project.tz),
                    getattr(project, "holidays", None), closures)


def weekdays(project: Project) -> Calendar:
    """The project's business days and hours alone: all that counting business days (milestone_state) needs, without
    loading its closures."""
    return Calendar(project.business_days, project.business_start, project.business_end, zone(project.tz))


def next_update_slot(project: Project, *, after: datetime) -> datetime:
    """The next cadence instant after `after`; on a closed day, the next opening instead."""
    at = next_cadence(project.cadence_weekday, project.cadence_time, zone(project.tz), after=after)
    calendar = business_hours(project)
    return at if calendar.is_open_day(at.astimezone(calendar.tz).date()) else calendar.next_open(at)


def reschedule(project: Project, *, now: datetime) -> None:
    """Set the next update instant (and its preview) from the cadence, after `now`."""
    project.next_update_at, project.next_preview_at = next_instants(project, now=now)


def next_instants(project: Project, *, now: datetime) -> tuple[datetime, datetime]:
    """What `reschedule` sets: the next update instant after `now`, and its preview's."""
    at = next_update_slot(project, after=now)
    return at, max(at - timedelta(hours=project.preview_lead_hours), now)


def create_project(session: Session, *, team_id: str, new: NewProject, created_by: str, now: datetime,
                   enterprise_id: str | None = None) -> Project:
    """Register a project of workspace `team_id` (of Grid `enterprise_id`); the name must be new in the workspace."""
    name = clean_user_text(new.name, field="project name", limit=200, example='/expect add-project "Acme Website" #acme')
    if not name:
        raise UserError("Give the project a name.", '/expect add-project "Acme Website" #acme')
    zone(new.tz)
    slug = slugify(name)
    clash = session.scalar(
        select(Project).where(Project.team_id == team_id, (Project.slug == slug) | (func.lower(Project.name) == name.lower()))
    )
    if clash:
        raise UserError(fmt("A project called *{name}* ({slug}) already exists. Pick another name.", name=clash.name,
                            slug=code(clash.slug)))
    region = parse_region(new.holidays) if new.holidays else region_for_zone(new.tz)
    client = clean_user_text(new.client_name, field="client name", limit=200) if new.client_name else None
    project = Project(
        team_id=team_id, enterprise_id=enterprise_id, slug=slug, name=name, client_name=client, channel_id=new.channel_id,
        internal_channel_id=new.internal_channel_id, owner_id=new.owner_id, tz=new.tz,
        cadence_weekday=new.cadence_weekday, cadence_time=new.cadence_time,
        respond_within=new.respond_within, holidays=region, lang=new.lang or default_language(),
        created_by=created_by, created_at=now,
    )
    reschedule(project, now=now)
    session.add(project)
    session.flush()
    return project


def project_in_channel(session: Session, channel_id: str) -> Project | None:
    """The active project whose client (or else internal) channel this is."""
    return session.scalar(
        select(Project).where(Project.status == "active",
                              (Project.channel_id == channel_id) | (Project.internal_channel_id == channel_id))
        .order_by(Project.channel_id != channel_id, Project.id).limit(1))


# `/expect list` runs these on every ack, so they are built once: building a statement and its cache key costs
# about as much as running it.
_ACTIVE = (
    select(Project.id, Project.name, Project.slug, Project.channel_id, Project.tz, Project.health_override,
           Project.business_days, Project.business_start, Project.business_end)
    .where(Project.team_id == bindparam("team_id"), Project.status == "active")
    .order_by(Project.slug).limit(bindparam("limit"))
)
_FIRST_ACTIVE = (select(Project.id).where(Project.team_id == bindparam("team_id"), Project.status == "active")
                 .limit(bindparam("up_to")).subquery())
_COUNT_ACTIVE = select(func.count()).select_from(_FIRST_ACTIVE)
_OPEN_MILESTONES = (
    select(Milestone.project_id, Milestone.number, Milestone.title, Milestone.state, Milestone.start_date,
           Milestone.due_date, Milestone.progress, Milestone.risk_note)
    .where(Milestone.project_id.in_(bindparam("project_ids", expanding=True)), Milestone.state != "done")
    .order_by(Milestone.project_id, Milestone.number)
)

_MILESTONES = (
    select(Milestone.number, Milestone.title, Milestone.state, Milestone.start_date, Milestone.due_date,
           Milestone.baseline_due_date, Milestone.progress, Milestone.risk_note)
    .where(Milestone.project_id == bindparam("project_id")).order_by(Milestone.number)
)


def active_projects(session: Session, team_id: str, *, limit: int) -> list:
    """The first `limit` active projects in slug order (their names, case-blind).

    Read-only rows of what a list shows and `health` reads (with `open_milestones`): far cheaper than whole objects.
    """
    return list(session.execute(_ACTIVE, {"team_id": team_id, "limit": limit}))


def open_milestones(session: Session, project_ids: list[int]) -> dict[int, list]:
    """Read-only rows of the open milestones of these projects, by project id: all `health` needs, and cheap."""
    found: dict[int, list] = {project_id: [] for project_id in project_ids}
    if project_ids:
        for row in session.execute(_OPEN_MILESTONES, {"project_ids": project_ids}):
            found[row.project_id].append(row)
    return found


def milestone_rows(session: Session, project_id: int) -> list:
    """Read-only rows of a project's milestones in number order: what `/expect status` shows and `health` reads."""
    return list(session.execute(_MILESTONES, {"project_id": project_id}))


def count_active_projects(session: Session, team_id: str, *, up_to: int) -> int:
    """How many active projects there are, counting no further than `up_to` (cheap however many there are: which
    ones are counted does not matter, so ix_project_listed alone answers)."""
    return session.scalar(_COUNT_ACTIVE, {"team_id": team_id, "up_to": up_to}) or 0


def find_project(session: Session, *, team_id: str, ref: str) -> Project:
    """A project by slug or name; otherwise a UserError suggesting the closest names."""
    ref = ref.strip()
    project = session.scalar(select(Project).where(Project.team_id == team_id, Project.slug == slugify(ref)))
    if project:
        return project
    project = session.scalar(select(Project).where(Project.team_id == team_id, func.lower(Project.name) == ref.lower()))
    if project:
        return project
    slugs = list(session.scalars(select(Project.slug).where(Project.team_id == team_id, Project.status == "active")))
    close = difflib.get_close_matches(slugify(ref), slugs, n=3, cutoff=0.5)
    hint = (fmt(" Did you mean {slugs}?", slugs=Markup(", ").join(code(s) for s in close)) if close
            else Markup(" `/expect list` shows them all."))
    raise UserError(fmt("There is no project {ref}.{hint}", ref=code(ref), hint=hint))


def find_milestone(project: Project, ref: str) -> Milestone:
    """A milestone by `#N`/`N` or by title."""
    ref = ref.strip()
    number = ref.lstrip("#")
    for milestone in project.milestones:
        if (number.isascii() and number.isdigit() and milestone.number == int(number)) \
                or milestone.title.lower() == ref.lower():
            return milestone
    known = ", ".join(f"#{m.number} {m.title}" for m in project.milestones) or "none yet"
    raise UserError(
        fmt("*{name}* has no milestone {ref}. Its milestones: {known}.", name=project.name, ref=code(ref), known=known),
        f'/expect progress {project.slug} #1 50%',
    )


def add_milestone(session: Session, *, project: Project, title: str, due: date, now: datetime) -> tuple[Milestone, str | None]:
    """Add a milestone; returns it and a warning when the due date is already past.

    The project's row is locked first, so concurrent additions number their milestones one after another.
    """
    title = clean_user_text(title, field="milestone title", limit=200)
    if not title:
        raise UserError("Give the milestone a title.", f'/expect add-milestone {project.slug} "Design sign-off" due=fri')
    session.refresh(project, with_for_update={"key_share": True})
    session.expire(project, ["milestones"])
    if any(m.title.lower() == title.lower() for m in project.milestones):
        raise UserError(fmt("*{name}* already has a milestone called “{title}”.", name=project.name, title=title))
    today = local_today(project, now)
    previous = [m.due_date for m in project.milestones if m.due_date <= due]
    start = min(max(previous, default=today), today)
    number = max((m.number for m in project.milestones), default=0) + 1
    milestone = Milestone(
        project=project, number=number, title=title, start_date=start, due_date=due,
        baseline_due_date=due, created_at=now,
    )
    session.add(milestone)
    session.flush()
    warning = f"Note: {due.isoformat()} is already in the past." if due < today else None
    return milestone, warning


def set_progress(milestone: Milestone, percent: int) -> None:
    if not 0 <= percent <= 100:
        raise UserError(f"Progress must be between 0 and 100%, not {percent}%.", "/expect progress acme-website #1 60%")
    if milestone.state == "done":
        raise UserError(f"“{milestone.title}” is already done.")
    milestone.progress = percent


def mark_done(milestone: Milestone, *, by: str, now: datetime) -> None:
    if milestone.state == "done":
        raise UserError(f"“{milestone.title}” is already done.")
    milestone.state, milestone.progress, milestone.done_at, milestone.done_by = "done", 100, now, by


def expected_progress(milestone: Milestone, today: date) -> int:
    """Where a straight line from start to due date puts the milestone today, in percent."""
    span = (milestone.due_date - milestone.start_date).days
    if span <= 0:
        return 100
    return max(0, min(100, round(100 * (today - milestone.start_date).days / span)))


def milestone_state(milestone: Milestone, today: date, hours: Calendar | None = None) -> str:
    """done, overdue, at_risk or on_track."""
    if milestone.state == "done":
        return "done"
    if milestone.due_date < today:
        return "overdue"
    if milestone.risk_note:
        return "at_risk"
    if milestone.progress < expected_progress(milestone, today) \
            and _business_days_between(today, milestone.due_date, hours) <= AT_RISK_BUSINESS_DAYS:
        return "at_risk"
    return "on_track"


def _business_days_between(start: date, end: date, hours: Calendar | None) -> int:
    days = hours.days if hours else "12345"
    weeks, rest = divmod(max((end - start).days, 0), 7)
    tail = start + timedelta(days=7 * weeks)
    return weeks * len(set(days)) + sum(
        1 for n in range(rest) if str((tail + timedelta(days=n + 1)).isoweekday()) in days)


def health(project: Project, today: date, milestones: list | None = None) -> str:
    """on_track, at_risk or off_track: the owner's override, else derived from the milestones.

    `milestones` (such as `open_milestones` rows) stands in for `project.milestones` when given.
    """
    if project.health_override:
        return project.health_override
    open_ones = [m for m in (project.milestones if milestones is None else milestones) if m.state != "done"]
    # One overdue milestone settles it, so the costlier at-risk check runs only when none is.
    if any(m.due_date < today for m in open_ones):
        return "off_track"
    hours = weekdays(project)
    if any(milestone_state(m, today, hours) == "at_risk" for m in open_ones):
        return "at_risk"
    return "on_track"


def next_milestone(project: Project, milestones: list | None = None) -> Milestone | None:
    open_ones = [m for m in (project.milestones if milestones is None else milestones) if m.state != "done"]
    return min(open_ones, key=lambda m: (m.due_date, m.number), default=None)
