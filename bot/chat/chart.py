"""The progress chart: breaks against nudges, and minutes, per day, as a PNG.

Drawn with matplotlib's object API (``Figure`` and the Agg canvas) and never with pyplot, so
no global figure state is shared between the threads charts are rendered in. ``chart_data``
decides what is drawn; ``chart_figure`` only draws it, so tests check the numbers handed to
the plot rather than pixels.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.coach.progress import DaySummary, is_working_day

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 4.0, 100  # 800 × 400 px: sharp on a phone, small
BREAKS_COLOUR = "#2e8b57"
NUDGES_COLOUR = "#d9e6df"
MINUTES_COLOUR = "#4a78b5"
DAY_OFF_COLOUR = "#f2f2f2"
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


@dataclass(frozen=True)
class ChartData:
    title: str
    labels: tuple[str, ...]
    breaks: tuple[int, ...]
    nudges: tuple[int, ...]
    minutes: tuple[float, ...]
    days_off: tuple[bool, ...]


def chart_data(days: Sequence[DaySummary], title: str, working_days: int) -> ChartData:
    """What the chart shows for these days: one bar group per day, days off shaded."""
    return ChartData(
        title=title,
        labels=tuple(f"{WEEKDAYS[d.date.weekday()]}\n{d.date.day}" for d in days),
        breaks=tuple(d.breaks for d in days),
        nudges=tuple(d.nudges for d in days),
        minutes=tuple(d.minutes for d in days),
        days_off=tuple(not is_working_day(d.date, working_days) for d in days),
    )


def chart_figure(data: ChartData) -> Figure:
    """The chart as a matplotlib figure: breaks over nudges on top, minutes below."""
    # matplotlib and numpy are 40 MB of the bot's memory: imported when the first chart is
    # drawn, not at start-up (bench/README.md, memory).
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    # Fixed margins: the constrained layout engine costs more than the drawing itself.
    figure.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.13, hspace=0.2)
    top, bottom = figure.subplots(2, 1, sharex=True)
    positions = list(range(len(data.labels)))
    for axes in (top, bottom):
        for position, off in zip(positions, data.days_off, strict=True):
            if off:
                axes.axvspan(position - 0.5, position + 0.5, color=DAY_OFF_COLOUR, zorder=0)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_xlim(-0.5, len(positions) - 0.5)
    top.bar(positions, data.nudges, width=0.8, color=NUDGES_COLOUR, label="nudges", zorder=1)
    top.bar(positions, data.breaks, width=0.5, color=BREAKS_COLOUR, label="breaks", zorder=2)
    top.set_ylabel("breaks")
    top.set_ylim(0, max(1, *data.breaks, *data.nudges) * 1.15)
    top.yaxis.set_major_locator(MaxNLocator(integer=True))
    top.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8, ncols=2)
    top.set_title(data.title, fontsize=11, loc="left")
    bottom.bar(positions, data.minutes, width=0.5, color=MINUTES_COLOUR, label="minutes", zorder=2)
    bottom.set_ylabel("minutes")
    bottom.set_ylim(0, max(1.0, *data.minutes) * 1.15)
    bottom.yaxis.set_major_locator(MaxNLocator(integer=True))
    bottom.set_xticks(positions, data.labels, fontsize=8)
    return figure


def render_chart(data: ChartData) -> bytes:
    """The chart as PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = chart_figure(data)
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)  # attaches itself: the figure draws with Agg, off-screen
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


async def render_chart_async(data: ChartData) -> bytes:
    """Render in a worker thread: drawing takes tens of milliseconds the event loop can use."""
    return await asyncio.to_thread(render_chart, data)
