"""The scorecard in words: one line per measure, for App Home cards and `/expect report`."""
from __future__ import annotations

from datetime import date

from bot.blocks.format import context, section
from bot.domain.scorecard import Scorecard
from bot.mrkdwn import Markup, code, fmt

LOW_SHOWN = 3


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({round(100 * part / whole)}%)" if whole else "—"


def _days(value: float) -> str:
    text = f"{value:+.1f}".removesuffix(".0")
    return f"{text} day" if abs(value) == 1 else f"{text} days"


def measure_lines(card: Scorecard) -> list[Markup]:
    """Updates, promises, delays (the headline), owed items and satisfaction, one line each."""
    updates = fmt(":calendar: Updates on time {share}", share=_share(card.updates_on_time, card.updates_due))
    if card.updates_skipped:
        updates += fmt(" · {n} skipped by the owner", n=card.updates_skipped)
    kept = card.promises_kept + card.promises_missed
    promises = fmt(":handshake: Promises kept {share}", share=_share(card.promises_kept, kept))
    if card.median_answer_hours is not None:
        promises += fmt(" · first answer in {h} business h (median)", h=f"{card.median_answer_hours:.1f}")
    if card.leads:
        ahead = sum(1 for lead in card.leads if lead > 0)
        delays = fmt(":stopwatch: *Delays announced ahead {share}* · median lead {lead}",
                     share=_share(ahead, len(card.leads)), lead=_days(card.median_lead_days))
    else:
        delays = Markup(":stopwatch: Delays announced ahead — (no moved dates)")
    if card.quiet_moves:
        delays += fmt(" · {n} moved quietly", n=card.quiet_moves)
    owed = fmt(":inbox_tray: Owed by the client, overdue now {n}", n=card.owed_overdue_now)
    if card.owed_average_delay is not None:
        owed += fmt(" · average delay {d}", d=_days(card.owed_average_delay).lstrip("+"))
    if card.satisfaction is None:
        mood = Markup(":speech_balloon: Satisfaction — (no votes)")
    else:
        mood = fmt(":speech_balloon: Satisfaction {avg}/4 from {n} vote{s}", avg=f"{card.satisfaction:.1f}",
                   n=len(card.votes), s="" if len(card.votes) == 1 else "s")
        if card.satisfaction_trend is not None:
            mood += fmt(" ({arrow} {delta} on the period before)", arrow="▲" if card.satisfaction_trend >= 0 else "▼",
                        delta=f"{abs(card.satisfaction_trend):.1f}")
    return [updates, promises, delays, owed, mood]


def low_score_lines(card: Scorecard, limit: int = LOW_SHOWN) -> list[Markup]:
    lines = [fmt("• {name} gave {score}/4{said}", name=low.user_name, score=low.score,
                 said=fmt(": “{c}”", c=low.comment[:150]) if low.comment else "")
             for low in card.low_scores[-limit:]]
    if len(card.low_scores) > limit:
        lines.append(fmt("…and {n} more low scores.", n=len(card.low_scores) - limit))
    return lines


def reason_line(card: Scorecard) -> Markup | None:
    return fmt(":mag: Needs attention: {why}", why=card.reason) if card.reason else None


def team_summary_block(card: Scorecard, projects: int, weeks: int) -> dict:
    heading = fmt("*Team-wide, last {weeks} weeks* ({n} project{s})", weeks=weeks, n=projects,
                  s="" if projects == 1 else "s")
    return section(Markup("\n").join([heading, *measure_lines(card)]))


def report_blocks(name: str, slug: str, card: Scorecard, first: date, last: date) -> list[dict]:
    """The `/expect report` answer: the numbers of one project for one period."""
    lines = [fmt("*{name}* {slug} · {first} to {last}", name=name, slug=code(slug), first=first.isoformat(),
                 last=last.isoformat()), *measure_lines(card)]
    reason = reason_line(card)
    if reason:
        lines.append(reason)
    blocks = [section(Markup("\n").join(lines))]
    if card.low_scores:
        blocks.append(section(Markup("\n").join([Markup("*Low scores*"), *low_score_lines(card)])))
    blocks.append(context("The timeline picture is on its way to your DM."))
    return blocks
