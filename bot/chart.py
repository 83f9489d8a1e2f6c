"""The timeline picture: a PNG drawn with matplotlib's Agg canvas (no display), from `domain.timeline` facts."""
from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import date2num, num2date
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bot.domain.timeline import Timeline
from bot.i18n import date_text, day_month, is_rtl, plain, speaking

WIDTH_IN, DPI = 10, 100
DONE, OPEN, LATE, BASELINE, MOVED = "#2a9d8f", "#457b9d", "#e63946", "#6c757d", "#f4a261"
REASON_CHARS = 40


def size_for(bars: int) -> tuple[int, int]:
    """The picture's size in pixels for a number of milestones."""
    return WIDTH_IN * DPI, round(height_in(bars) * DPI)


def height_in(bars: int) -> float:
    return max(3.0, 1.6 + 0.7 * bars)


def _short(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= REASON_CHARS else text[:REASON_CHARS - 1] + "…"


def render_png(timeline: Timeline, *, language: str | None = None) -> bytes:
    """The timeline as PNG bytes: one row per milestone, baseline ◇, moves ⟶ with reasons, today's line. Its
    words are in `language` (None: the team's); matplotlib cannot shape right-to-left script, so those
    languages' pictures keep the team's words (the alt text speaks the reader's language)."""
    with speaking(None if language is None or is_rtl(language) else language):
        return _drawn(timeline)


def _drawn(timeline: Timeline) -> bytes:
    figure = Figure(figsize=(WIDTH_IN, height_in(len(timeline.bars))), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    days = [timeline.today] + [d for bar in timeline.bars for d in (bar.start, bar.baseline, bar.due)]
    first, last = min(days) - timedelta(days=3), max(days) + timedelta(days=10)
    for row, bar in enumerate(reversed(timeline.bars)):
        colour = DONE if bar.done else LATE if bar.due < timeline.today else OPEN
        start = min(bar.start, bar.due)
        axes.barh(row, max(1, (bar.due - start).days), left=date2num(start), height=0.45, color=colour,
                  alpha=0.85 if bar.done else 1.0)
        axes.plot(date2num(bar.baseline), row, marker="D", markersize=8, markerfacecolor="white",
                  markeredgecolor=BASELINE, linestyle="none")
        for move in bar.moves:
            axes.annotate("", xy=(date2num(move.new), row + 0.32), xytext=(date2num(move.old), row + 0.32),
                          arrowprops={"arrowstyle": "->", "color": MOVED, "lw": 1.5})
            if move.reason:
                axes.text(date2num(max(move.old, move.new)) + 0.5, row + 0.32, _short(move.reason), fontsize=8,
                          va="center", color="#7a4a16")
    axes.axvline(date2num(timeline.today), color=LATE, linestyle="--", linewidth=1)
    axes.text(date2num(timeline.today), len(timeline.bars) - 0.45, " " + plain("today"), color=LATE, fontsize=8)
    axes.set_yticks(range(len(timeline.bars)),
                    [f"{'✓ ' if bar.done else ''}{_short(bar.title)}" for bar in reversed(timeline.bars)])
    axes.set_ylim(-0.7, max(len(timeline.bars), 1) - 0.3)
    axes.set_xlim(date2num(first), date2num(last))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda at, _: day_month(num2date(at).date())))
    title = plain("{name}: timeline on {day}", name=timeline.name, day=date_text(timeline.today))
    legend = plain("◇ first plan · → moves · green: done · blue: open · red: overdue")
    axes.set_title(f"{title}\n{legend}", fontsize=10)
    axes.grid(axis="x", alpha=0.3)
    figure.subplots_adjust(left=0.22, right=0.97, top=0.86, bottom=0.16)
    out = BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def sample() -> bytes:
    """A small picture for checking the drawing by eye."""
    from bot.domain.timeline import Bar, Move
    today = date(2026, 11, 28)
    return render_png(Timeline("Sample", today, (
        Bar("Design", date(2026, 11, 2), date(2026, 11, 20), date(2026, 11, 20), date(2026, 11, 19), ()),
        Bar("Launch", date(2026, 11, 21), date(2026, 12, 4), date(2026, 12, 11), None,
            (Move(date(2026, 12, 4), date(2026, 12, 11), "Payment sandbox down", True),)),
    )))
