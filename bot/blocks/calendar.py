"""Closures, public holidays and time off, as the team and the client read them."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from bot.blocks.format import context, date_token, section
from bot.domain.calendar import holiday_name
from bot.domain.posts import ClosedDays, ClosureChange
from bot.domain.schedule import zone
from bot.models import Closure, Project, TimeOff
from bot.i18n import _, current
from bot.mrkdwn import Markup, code, fmt, user_mention

EXAMPLE_CLOSURE = '/expect closed {slug} from=2026-12-24 to=2027-01-06 reason="Winter break"'


def _span(first: date, last: date, tz: ZoneInfo) -> Markup:
    if first == last:
        return date_token(first, tz)
    return fmt("{first} – {last}", first=date_token(first, tz), last=date_token(last, tz))


def _day(day: date) -> str:
    return day.strftime("%a %-d %b %Y")


def _why(reason: str | None) -> Markup:
    return fmt(" ({reason})", reason=reason) if reason else Markup("")


def holidays_sentence(project: Project) -> Markup:
    """How the registration reply explains the public holidays it chose."""
    change = fmt("{example} (or {off}) changes them", example=code(f"/expect settings {project.slug} holidays=ES-CT"),
                 off=code("holidays=off"))
    if project.holidays:
        return fmt("Public holidays of {code} are days off (from the time zone unless you chose); {change}.",
                   code=code(project.holidays), change=change)
    return fmt("No public holidays are counted as days off; {change}.", change=change)


def closure_lines(closures: list[Closure], tz: ZoneInfo) -> list[Markup]:
    return [fmt("{n}. {span}{why}", n=n, span=_span(c.start_date, c.end_date, tz),
                why=fmt(" — {reason}", reason=c.reason) if c.reason else "")
            for n, c in enumerate(closures, 1)]


def closures_reply(project: Project, closures: list[Closure], tz: ZoneInfo) -> list[dict]:
    if not closures:
        return [section(fmt("*{name}* has no closures ahead (public holidays: {holidays}).\nAdd one: {example}",
                            name=project.name, holidays=code(project.holidays or "off"),
                            example=code(EXAMPLE_CLOSURE.format(slug=project.slug))))]
    text = fmt("*Closures of {name}*\n{lines}", name=project.name, lines=Markup("\n").join(closure_lines(closures, tz)))
    return [section(text), context(fmt("Remove one with {example}.",
                                       example=code(f"/expect closed {project.slug} remove=<n>")))]


def closure_added(projects: list[Project], first: date, last: date, reason: str | None) -> list[dict]:
    names = Markup(", ").join(fmt("*{name}*", name=p.name) for p in projects[:20])
    more = f" and {len(projects) - 20} more" if len(projects) > 20 else ""
    return [section(fmt(":white_check_mark: Closed {first} – {last}{why}: {names}{more}. No update, reminder or "
                        "promise counts those days; the kickoff card's thread says so.", first=_day(first),
                        last=_day(last), why=_why(reason), names=names, more=more))]


def closure_removed(project: Project, closure: Closure) -> list[dict]:
    return [section(fmt(":white_check_mark: Removed the closure {first} – {last} from *{name}*.",
                        first=_day(closure.start_date), last=_day(closure.end_date), name=project.name))]


def closure_note(post: ClosureChange) -> dict:
    """The "what changed" post for the kickoff card's thread."""
    span, reason = _span(post.first, post.last, zone(post.tz)), post.reason
    if post.removed:
        line = (_("We're no longer closed {span} ({reason}).", span=span, reason=reason) if reason else
                _("We're no longer closed {span}.", span=span))
    elif reason:
        line = _("We're closed {span} ({reason}). Messages wait until we're back; our response times and updates "
                 "count business days only.", span=span, reason=reason)
    else:
        line = _("We're closed {span}. Messages wait until we're back; our response times and updates count "
                 "business days only.", span=span)
    text = _("*What changed in our working agreement*") + Markup("\n• ") + line
    return {"text": text, "blocks": [section(text), context(_("The pinned card above is up to date."))]}


def _holiday(day: ClosedDays) -> str:
    """The holiday's own name in the reader's language, if the holidays package has it; else a plain label."""
    if current() == "en":
        return day.name or _("public holiday")
    return holiday_name(day.region, day.first, current()) or _("public holiday")


def closed_days_section(days: list[ClosedDays], tz: ZoneInfo) -> Markup:
    """The kickoff card's list of public holidays and closures in the next 90 days."""
    lines = [fmt("• {span} — {name}", span=_span(d.first, d.last, tz), name=_holiday(d)) if d.region else
             fmt("• {span} — {name}", span=_span(d.first, d.last, tz), name=d.name) if d.name else
             fmt("• {span}", span=_span(d.first, d.last, tz)) for d in days[:15]]
    return _("*Days we're closed (next 90 days)*") + Markup("\n") + Markup("\n").join(lines)


def away_lines(entries: list[TimeOff]) -> list[Markup]:
    return [fmt("• {who} {first} – {last} · {backup}", who=user_mention(e.user_id), first=_day(e.start_date),
                last=_day(e.end_date), backup=fmt("backup {who}", who=user_mention(e.backup_id)) if e.backup_id
                else "no backup: the internal channel gets their messages") for e in entries]


def away_reply(entries: list[TimeOff]) -> list[dict]:
    if not entries:
        return [section(fmt("Nobody is away. Record time off with {example}.",
                            example=code("/expect away @alice from=2026-12-21 to=2027-01-04 backup=@bob")))]
    return [section(Markup("*Who is away*\n") + Markup("\n").join(away_lines(entries)))]


def away_set(entry: TimeOff) -> list[dict]:
    where = user_mention(entry.backup_id) if entry.backup_id else "each project's internal channel"
    return [section(fmt(":palm_tree: {who} is away {first} – {last}. Meanwhile previews, approvals, alerts and notes "
                        "for them go to {where}.", who=user_mention(entry.user_id), first=_day(entry.start_date),
                        last=_day(entry.end_date), where=where))]


def back_reply(user_id: str, changed: int) -> list[dict]:
    if not changed:
        return [section(fmt("{who} wasn't away. Nothing changed.", who=user_mention(user_id)))]
    return [section(fmt(":wave: Welcome back, {who}: messages go to you again.", who=user_mention(user_id)))]


def closure_status_line(closures: list[Closure], tz: ZoneInfo) -> Markup | None:
    if not closures:
        return None
    return Markup("*Closures:* ") + Markup(" · ").join(
        fmt("{span}{why}", span=_span(c.start_date, c.end_date, tz), why=_why(c.reason)) for c in closures[:10])
