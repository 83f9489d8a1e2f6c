"""A timeline in words, for people who cannot see the picture (an image's alt text), in the reader's language."""
from __future__ import annotations

from bot.domain.timeline import Bar, Timeline
from bot.i18n import date_text, plain

ALT_TEXT_LIMIT = 2000


def in_words(timeline: Timeline) -> str:
    """What the picture shows: each milestone's state, its first plan and every move with its reason."""
    parts = [plain("Timeline of {name} on {day}.", name=timeline.name, day=date_text(timeline.today))]
    if not timeline.bars:
        parts.append(plain("No milestones yet."))
    parts.extend(_bar_in_words(bar, timeline) for bar in timeline.bars)
    text = " ".join(parts)
    return text if len(text) <= ALT_TEXT_LIMIT else text[:ALT_TEXT_LIMIT - 1] + "…"


def _bar_in_words(bar: Bar, timeline: Timeline) -> str:
    if bar.done:
        sentences = [plain("{title}: done on {day}.", title=bar.title, day=date_text(bar.done))]
    elif bar.due < timeline.today:
        sentences = [plain("{title}: overdue, it was due {day}.", title=bar.title, day=date_text(bar.due))]
    else:
        sentences = [plain("{title}: open, due {day}.", title=bar.title, day=date_text(bar.due))]
    if bar.baseline != bar.due:
        sentences.append(plain("First planned for {day}.", day=date_text(bar.baseline)))
    for move in bar.moves:
        sentences.append(
            plain("Moved from {old} to {new}: {reason}.", old=date_text(move.old), new=date_text(move.new),
                  reason=move.reason) if move.reason else
            plain("Moved from {old} to {new}.", old=date_text(move.old), new=date_text(move.new)))
    return " ".join(sentences)
