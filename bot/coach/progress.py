"""Progress from the activity log: breaks per day, streaks, minutes, pain trend, weekly timing.

Pure functions over plain values; the chat layer hands in the log entries it loaded.

What counts as a *break*: a routine done in full (``routine_done``), a routine stopped after
some holds (``routine_stopped`` with minutes > 0) and a nudge answered with "Done on my own"
(``nudge_done_own``). A routine stopped before any hold is not a break, and a nudge that was
started counts through the routine it started, not twice. Minutes come from routines only;
"done on my own" is a break of unknown length and adds none.

Days are local dates in the person's time zone. A *streak* counts working days (the person's
working-day mask) with at least one break: a day off neither extends nor ends a streak, and
today, still under way, does not end one. The log keeps no history of masks, so streaks are
measured against the mask the person has now. With no working days at all, every day counts,
so someone who switched nudges off still sees their streak.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

BREAK_KINDS = frozenset({"routine_done", "routine_stopped", "nudge_done_own"})
ROUTINE_KINDS = frozenset({"routine_done", "routine_stopped"})
PAIN_KINDS = frozenset({"pain_before", "pain_after"})
ALL_DAYS = 0b1111111


class Entry(Protocol):
    """One activity-log row, as far as progress is concerned."""

    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def minutes(self) -> float | None: ...
    @property
    def score(self) -> int | None: ...
    @property
    def run_id(self) -> int | None: ...


@dataclass(frozen=True)
class LogEntry:
    """A plain activity-log entry: what tests and callers without rows build."""

    kind: str
    at: datetime
    minutes: float | None = None
    score: int | None = None
    run_id: int | None = None


@dataclass(frozen=True)
class DaySummary:
    date: date
    breaks: int
    minutes: float
    nudges: int


def is_break(entry: Entry) -> bool:
    if entry.kind == "routine_stopped":
        return (entry.minutes or 0) > 0
    return entry.kind in BREAK_KINDS


def local_date(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def break_dates(activity: Iterable[Entry], zone: tzinfo) -> set[date]:
    """The local dates with at least one break."""
    return {local_date(entry.at, zone) for entry in activity if is_break(entry)}


def day_summaries(
    activity: Iterable[Entry], zone: tzinfo, days: int, today: date
) -> list[DaySummary]:
    """Breaks, minutes and nudges sent on each of the ``days`` local dates ending ``today``,
    oldest first; entries outside those dates are ignored."""
    first = today - timedelta(days=days - 1)
    breaks = dict.fromkeys(range(days), 0)
    minutes = dict.fromkeys(range(days), 0.0)
    nudges = dict.fromkeys(range(days), 0)
    for entry in activity:
        index = (local_date(entry.at, zone) - first).days
        if not 0 <= index < days:
            continue
        if is_break(entry):
            breaks[index] += 1
        if entry.kind in ROUTINE_KINDS:
            minutes[index] += entry.minutes or 0.0
        if entry.kind == "nudge_sent":
            nudges[index] += 1
    return [
        DaySummary(first + timedelta(days=i), breaks[i], round(minutes[i], 2), nudges[i])
        for i in range(days)
    ]


def week_start(day: date) -> date:
    """The Monday of the week a date is in."""
    return day - timedelta(days=day.weekday())


def minutes_this_week(activity: Iterable[Entry], zone: tzinfo, today: date) -> float:
    """Minutes of routines from this local week's Monday up to and including today."""
    monday = week_start(today)
    total = sum(
        entry.minutes or 0.0
        for entry in activity
        if entry.kind in ROUTINE_KINDS and monday <= local_date(entry.at, zone) <= today
    )
    return round(total, 2)


# Streaks


def _working_mask(mask: int) -> int:
    mask &= ALL_DAYS
    return mask or ALL_DAYS


def is_working_day(day: date, mask: int) -> bool:
    return bool(_working_mask(mask) >> day.weekday() & 1)


def _working_day_between(earlier: date, later: date, mask: int) -> bool:
    """Whether a working day lies strictly between two dates."""
    gap = (later - earlier).days - 1
    if gap >= 7:
        return True  # a full week holds every weekday, and the mask is never empty
    return any(is_working_day(earlier + timedelta(days=i), mask) for i in range(1, gap + 1))


def streaks(break_dates: Iterable[date], working_days: int, today: date) -> tuple[int, int]:
    """(current, best): runs of consecutive working days with a break.

    Breaks on days off and after today are ignored. The current streak is the run ending on
    the last working day with a break, as long as no working day without one has passed
    since; today does not count against it until it is over.
    """
    days = sorted(d for d in set(break_dates) if d <= today and is_working_day(d, working_days))
    best = run = 0
    previous: date | None = None
    for day in days:
        if previous is not None and _working_day_between(previous, day, working_days):
            run = 0
        run += 1
        best = max(best, run)
        previous = day
    if previous is None:
        return 0, 0
    current = 0 if _working_day_between(previous, today, working_days) else run
    return current, best


# Pain


@dataclass(frozen=True)
class PainPair:
    """The pain scores given around one routine; None where that question was skipped."""

    run_id: int
    at: datetime
    before: int | None
    after: int | None

    @property
    def complete(self) -> bool:
        return self.before is not None and self.after is not None


def pain_pairs(activity: Iterable[Entry]) -> list[PainPair]:
    """Before/after scores per routine run, in the order the runs were checked."""
    found: dict[int, dict[str, int | datetime | None]] = {}
    for entry in sorted(activity, key=lambda e: e.at):
        if entry.kind not in PAIN_KINDS or entry.run_id is None or entry.score is None:
            continue
        pair = found.setdefault(entry.run_id, {"at": entry.at, "before": None, "after": None})
        pair["before" if entry.kind == "pain_before" else "after"] = entry.score
    pairs = []
    for run_id, values in found.items():
        at, before, after = values["at"], values["before"], values["after"]
        assert isinstance(at, datetime)
        pairs.append(
            PainPair(
                run_id,
                at,
                before if isinstance(before, int) else None,
                after if isinstance(after, int) else None,
            )
        )
    return sorted(pairs, key=lambda p: p.at)


def should_suggest_gentler(pairs: Sequence[PainPair]) -> bool:
    """True when the back hurt more after a routine than before it, twice in a row.

    Only routines with both scores count; one whose question was skipped is left out rather
    than breaking the run, because a skipped answer says nothing about the pain.
    """
    complete = [p for p in pairs if p.complete]
    if len(complete) < 2:
        return False
    return all((p.after or 0) > (p.before or 0) for p in complete[-2:])


@dataclass(frozen=True)
class PainTrend:
    recent: tuple[PainPair, ...]
    # Mean of (before - after) over the recent complete pairs: above 0 means breaks help.
    average_relief: float | None
    # Mean "before" score of the older and the newer half of the recent checks.
    earlier_before: float | None
    later_before: float | None


def pain_trend(pairs: Sequence[PainPair], last: int = 6) -> PainTrend | None:
    """What /stats shows about pain: the last few checks and how the scores move."""
    complete = [p for p in pairs if p.complete]
    if not complete:
        return None
    recent = tuple(complete[-last:])
    relief = sum((p.before or 0) - (p.after or 0) for p in recent) / len(recent)
    befores = [p.before or 0 for p in recent]
    half = len(befores) // 2
    earlier = sum(befores[:half]) / half if half else None
    later = sum(befores[half:]) / (len(befores) - half) if half else None
    return PainTrend(recent, round(relief, 1), earlier, later)


# The weekly summary


def last_working_day(week_monday: date, working_days: int) -> date:
    """The last working day of the Monday-to-Sunday week starting ``week_monday``."""
    for offset in range(6, -1, -1):
        day = week_monday + timedelta(days=offset)
        if is_working_day(day, working_days):
            return day
    raise AssertionError("a working-day mask is never empty")  # _working_mask sees to it


def weekly_summary_due(
    zone: tzinfo, working_days: int, day_end: time, moment: datetime
) -> datetime:
    """When the summary of the local week containing ``moment`` is due (UTC): the end of the
    working day on the last working day of that week."""
    monday = week_start(moment.astimezone(zone).date())
    day = last_working_day(monday, working_days)
    # A wall time skipped by a clock change resolves to just after the change, which is
    # still "the end of the day" for a summary.
    return datetime.combine(day, day_end, tzinfo=zone).astimezone(UTC)


def next_summary_after(
    zone: tzinfo, working_days: int, day_end: time, after: datetime
) -> datetime:
    """The first weekly-summary instant strictly after ``after``."""
    this_week = weekly_summary_due(zone, working_days, day_end, after)
    if this_week > after:
        return this_week
    monday = week_start(after.astimezone(zone).date()) + timedelta(days=7)
    return weekly_summary_due(
        zone, working_days, day_end, datetime.combine(monday, time(12), tzinfo=zone)
    )
