"""The progress chart: the numbers handed to the plot are the day summaries, and what comes
out is a real, small PNG, quickly."""

from __future__ import annotations

import struct
import subprocess
import sys
import time
from datetime import date, timedelta

from matplotlib.container import BarContainer

from bot.chat.chart import chart_data, chart_figure, render_chart
from bot.coach.progress import DaySummary

MON_FRI = 0b0011111
FIRST = date(2026, 11, 10)  # a Tuesday


def fortnight() -> list[DaySummary]:
    return [
        DaySummary(FIRST + timedelta(days=i), breaks=i % 4, minutes=i * 2.5, nudges=(i * 3) % 9)
        for i in range(14)
    ]


def plotted(data_days: list[DaySummary]) -> dict[str, list[float]]:
    """The bar heights of each series in the figure, by its label."""
    figure = chart_figure(chart_data(data_days, "Your last 14 days", MON_FRI))
    return {
        str(bars.get_label()): [patch.get_height() for patch in bars.patches]
        for axes in figure.axes
        for bars in axes.containers
        if isinstance(bars, BarContainer)
    }


def test_the_chart_data_is_the_day_summaries() -> None:
    days = fortnight()
    data = chart_data(days, "Your last 14 days", MON_FRI)
    assert data.breaks == tuple(d.breaks for d in days)
    assert data.minutes == tuple(d.minutes for d in days)
    assert data.nudges == tuple(d.nudges for d in days)
    assert data.labels[:3] == ("Tu\n10", "We\n11", "Th\n12")
    # 14 and 15, 21 and 22 November 2026 are a weekend: shaded as days off.
    off = [d.date.day for d, is_off in zip(days, data.days_off, strict=True) if is_off]
    assert off == [14, 15, 21, 22]


def test_the_bars_drawn_are_the_numbers_given() -> None:
    days = fortnight()
    assert plotted(days) == {
        "breaks": [float(d.breaks) for d in days],
        "nudges": [float(d.nudges) for d in days],
        "minutes": [d.minutes for d in days],
    }


def test_an_empty_fortnight_still_draws_fourteen_empty_days() -> None:
    days = [DaySummary(FIRST + timedelta(days=i), 0, 0.0, 0) for i in range(14)]
    assert plotted(days) == {"breaks": [0.0] * 14, "nudges": [0.0] * 14, "minutes": [0.0] * 14}


def test_the_chart_is_a_small_png_rendered_well_under_a_second() -> None:
    data = chart_data(fortnight(), "Your last 14 days", MON_FRI)
    render_chart(data)  # the first render loads fonts once per process
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        png = render_chart(data)
        timings.append(time.perf_counter() - started)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (800, 400)
    assert len(png) < 100_000
    assert min(timings) < 0.5


def test_the_bot_starts_without_loading_matplotlib() -> None:
    # 40 MB of memory that only /stats and the weekly summary need (bench/README.md).
    probe = "import sys, bot.app; print(sorted({'matplotlib', 'numpy'} & set(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.strip() == "[]"
