"""Progress from the activity log: breaks per local day, streaks over working days, minutes
this week, the pain trend and its warning, and when the weekly summary is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coach.progress import (
    DaySummary,
    LogEntry,
    PainPair,
    break_dates,
    day_summaries,
    is_working_day,
    last_working_day,
    minutes_this_week,
    next_summary_after,
    pain_pairs,
    pain_trend,
    should_suggest_gentler,
    streaks,
    week_start,
    weekly_summary_due,
)

BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
MON_FRI = 0b0011111
MON_THU = 0b0001111
TUE_SAT = 0b0111110
EVERY_DAY = 0b1111111

# Monday 23 November 2026 and the days around it.
MON = date(2026, 11, 23)
TUE, WED, THU, FRI, SAT, SUN = (MON + timedelta(days=i) for i in range(1, 7))
LAST_THU, LAST_FRI, LAST_SAT, LAST_SUN = (MON - timedelta(days=i) for i in (4, 3, 2, 1))


def local(zone: ZoneInfo, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def done(at: datetime, minutes: float = 5.0) -> LogEntry:
    return LogEntry("routine_done", at, minutes=minutes)


# Breaks and minutes per day


def test_each_kind_of_break_is_counted_once_and_only_routines_add_minutes() -> None:
    at = local(BERLIN, MON, 10)
    log = [
        LogEntry("nudge_sent", at),
        LogEntry("nudge_started", at),  # counted through the routine it started
        done(at + timedelta(minutes=1), minutes=4.5),
        LogEntry("nudge_sent", at + timedelta(hours=1)),
        LogEntry("nudge_done_own", at + timedelta(hours=1)),  # a break of unknown length
        LogEntry("nudge_sent", at + timedelta(hours=2)),
        LogEntry("nudge_ignored", at + timedelta(hours=2)),
        LogEntry("routine_stopped", at + timedelta(hours=3), minutes=1.5),  # some holds: a break
        LogEntry("routine_stopped", at + timedelta(hours=4), minutes=0.0),  # none: not a break
        LogEntry("pain_reported", at + timedelta(hours=4)),
    ]
    assert day_summaries(log, BERLIN, 1, MON) == [DaySummary(MON, 3, 6.0, 3)]


def test_days_are_local_dates_in_the_persons_zone() -> None:
    # 23:30 on Monday in Tokyo is 14:30 UTC on Monday; 00:30 on Tuesday is 15:30 UTC Monday.
    log = [done(local(TOKYO, MON, 23, 30), 2), done(local(TOKYO, TUE, 0, 30), 3)]
    assert [a.date() for a in (e.at for e in log)] == [MON, MON]  # the same UTC date
    days = day_summaries(log, TOKYO, 3, WED)
    assert [(d.date, d.breaks, d.minutes) for d in days] == [(MON, 1, 2), (TUE, 1, 3), (WED, 0, 0)]


def test_a_break_just_before_and_just_after_midnight_lands_on_two_days_in_new_york() -> None:
    log = [done(local(NEW_YORK, MON, 23, 59)), done(local(NEW_YORK, TUE, 0, 0))]
    assert break_dates(log, NEW_YORK) == {MON, TUE}
    assert break_dates(log, TOKYO) == {TUE}  # the same instants, 14 hours later in the day


def test_summaries_cover_exactly_the_days_asked_for_oldest_first() -> None:
    log = [done(local(BERLIN, MON - timedelta(days=14), 12)), done(local(BERLIN, TUE, 12))]
    days = day_summaries(log, BERLIN, 14, MON)
    assert [d.date for d in days] == [MON - timedelta(days=13 - i) for i in range(14)]
    assert sum(d.breaks for d in days) == 0  # one is a day too old, the other in the future


def test_minutes_this_week_start_on_the_local_monday() -> None:
    log = [
        done(local(TOKYO, LAST_SUN, 23, 30), 10),  # Sunday night in Tokyo: last week
        done(local(TOKYO, MON, 0, 30), 4),  # still Sunday in UTC, Monday in Tokyo
        done(local(TOKYO, WED, 12), 6.5),
        LogEntry("nudge_done_own", local(TOKYO, WED, 13)),
    ]
    assert minutes_this_week(log, TOKYO, WED) == 10.5
    assert minutes_this_week(log, TOKYO, LAST_SUN) == 10


# Streaks


@pytest.mark.parametrize(
    ("breaks", "mask", "today", "expected"),
    [
        pytest.param([], MON_FRI, MON, (0, 0), id="no breaks"),
        pytest.param([LAST_THU, LAST_FRI, MON], MON_FRI, MON, (3, 3), id="across a weekend"),
        pytest.param([LAST_THU, LAST_FRI], MON_FRI, MON, (2, 2), id="today not yet, streak holds"),
        pytest.param([LAST_THU, LAST_FRI], MON_FRI, TUE, (0, 2), id="a missed Monday ends it"),
        pytest.param(
            [LAST_FRI, LAST_SAT, MON], MON_FRI, MON, (2, 2), id="a day off does not extend it"
        ),
        pytest.param([LAST_SAT, LAST_SUN], MON_FRI, MON, (0, 0), id="only days off: no streak"),
        pytest.param([LAST_SAT, TUE], TUE_SAT, TUE, (2, 2), id="Sunday and Monday off"),
        pytest.param([LAST_FRI, TUE], TUE_SAT, WED, (1, 1), id="Saturday missed"),
        pytest.param([LAST_THU, LAST_FRI, MON], MON_THU, MON, (2, 2), id="Friday off"),
        pytest.param([LAST_SAT, LAST_SUN, MON], 0, MON, (3, 3), id="no working days: all count"),
        pytest.param([MON, TUE, WED], MON_FRI, TUE, (2, 2), id="future breaks ignored"),
        pytest.param(
            [MON - timedelta(days=21), MON], EVERY_DAY, MON, (1, 1), id="a long gap resets"
        ),
        pytest.param(
            [LAST_THU - timedelta(days=7), LAST_FRI - timedelta(days=7), MON, TUE, WED],
            MON_FRI,
            THU,
            (3, 3),
            id="best is the longest, current the latest",
        ),
    ],
)
def test_streaks(breaks: list[date], mask: int, today: date, expected: tuple[int, int]) -> None:
    assert streaks(breaks, mask, today) == expected


def test_a_streak_follows_local_dates_not_utc_dates() -> None:
    # Breaks just after midnight on Tuesday and Wednesday in Tokyo fall on Monday and Tuesday
    # in UTC; in Tokyo they are two working days in a row, with Monday still missing.
    log = [done(local(TOKYO, TUE, 0, 15)), done(local(TOKYO, WED, 0, 15))]
    assert streaks(break_dates(log, TOKYO), MON_FRI, WED) == (2, 2)
    assert streaks(break_dates(log, UTC), MON_FRI, WED) == (2, 2)  # Mon, Tue in UTC
    assert streaks(break_dates(log, UTC), MON_FRI, THU) == (0, 2)  # Wednesday missed in UTC
    assert streaks(break_dates(log, TOKYO), MON_FRI, THU) == (2, 2)  # Thursday still going


def reference_streaks(breaks: set[date], mask: int, today: date) -> tuple[int, int]:
    """Day by day, the way a person would count on a calendar."""
    working = [d for d in breaks if d <= today and is_working_day(d, mask)]
    if not working:
        return 0, 0
    run = best = 0
    day = min(working)
    while day <= today:
        if is_working_day(day, mask):
            if day in breaks:
                run += 1
                best = max(best, run)
            elif day != today:
                run = 0
        day += timedelta(days=1)
    return run, best


dates = st.dates(min_value=date(2026, 9, 1), max_value=date(2026, 12, 31))
masks = st.integers(min_value=0, max_value=127)


@settings(max_examples=300, deadline=None)
@given(st.sets(dates, max_size=40), masks, dates)
def test_streaks_match_counting_day_by_day(breaks: set[date], mask: int, today: date) -> None:
    assert streaks(breaks, mask, today) == reference_streaks(breaks, mask, today)


@settings(max_examples=200, deadline=None)
@given(st.sets(dates, max_size=40), st.sets(dates, max_size=20), masks, dates)
def test_breaks_on_days_off_change_nothing(
    breaks: set[date], more: set[date], mask: int, today: date
) -> None:
    days_off = {d for d in more if not is_working_day(d, mask)}
    assert streaks(breaks | days_off, mask, today) == streaks(breaks, mask, today)


@settings(max_examples=200, deadline=None)
@given(st.sets(dates, max_size=40), masks, dates)
def test_a_break_today_adds_one_to_the_current_streak(
    breaks: set[date], mask: int, today: date
) -> None:
    without = breaks - {today}
    current, best = streaks(without, mask, today)
    assert current <= best
    if is_working_day(today, mask):
        assert streaks(without | {today}, mask, today)[0] == current + 1


# Pain


def pain(kind: str, run_id: int, score: int, minutes_later: int) -> LogEntry:
    at = local(BERLIN, MON, 10) + timedelta(minutes=minutes_later)
    return LogEntry(kind, at, score=score, run_id=run_id)


def pair(before: int | None, after: int | None, run_id: int = 1) -> PainPair:
    return PainPair(run_id, local(BERLIN, MON, 10) + timedelta(hours=run_id), before, after)


def test_pain_scores_are_paired_per_routine_in_order() -> None:
    log = [
        pain("pain_before", 7, 5, 0),
        pain("pain_after", 7, 3, 6),
        pain("pain_before", 8, 4, 60),  # after skipped
        pain("pain_after", 9, 6, 130),  # before skipped
        LogEntry("pain_reported", local(BERLIN, MON, 12), run_id=9),
    ]
    assert [(p.run_id, p.before, p.after) for p in pain_pairs(log)] == [
        (7, 5, 3),
        (8, 4, None),
        (9, None, 6),
    ]


@pytest.mark.parametrize(
    ("pairs", "suggest"),
    [
        pytest.param([pair(3, 5, 1), pair(4, 6, 2)], True, id="worse twice in a row"),
        pytest.param([pair(3, 5, 1)], False, id="worse once"),
        pytest.param([pair(3, 5, 1), pair(4, 4, 2)], False, id="then the same"),
        pytest.param([pair(3, 5, 1), pair(6, 4, 2)], False, id="then better"),
        pytest.param([pair(3, 5, 1), pair(4, 6, 2), pair(5, 2, 3)], False, id="better since"),
        pytest.param([pair(6, 4, 1), pair(3, 5, 2), pair(4, 6, 3)], True, id="the last two"),
        pytest.param(
            [pair(3, 5, 1), pair(None, 2, 2), pair(4, 6, 3)], True, id="a skipped check between"
        ),
        pytest.param([pair(3, None, 1), pair(4, None, 2)], False, id="no after scores"),
    ],
)
def test_gentler_routines_are_suggested_when_pain_rose_after_the_last_two(
    pairs: list[PainPair], suggest: bool
) -> None:
    assert should_suggest_gentler(pairs) is suggest


def test_the_pain_trend_shows_recent_checks_and_the_average_relief() -> None:
    pairs = [pair(6, 4, 1), pair(6, 5, 2), pair(None, 3, 3), pair(4, 3, 4), pair(4, 2, 5)]
    trend = pain_trend(pairs)
    assert trend is not None
    assert [(p.before, p.after) for p in trend.recent] == [(6, 4), (6, 5), (4, 3), (4, 2)]
    assert trend.average_relief == 1.5
    assert (trend.earlier_before, trend.later_before) == (6, 4)
    assert pain_trend([pair(None, 3)]) is None


# The weekly summary


@pytest.mark.parametrize(
    ("zone", "mask", "end", "expected"),
    [
        pytest.param(BERLIN, MON_FRI, time(17, 30), (BERLIN, FRI, 17, 30), id="Friday evening"),
        pytest.param(TOKYO, MON_THU, time(16, 30), (TOKYO, THU, 16, 30), id="a four-day week"),
        pytest.param(NEW_YORK, TUE_SAT, time(18), (NEW_YORK, SAT, 18, 0), id="Saturday"),
        pytest.param(BERLIN, 0b1000000, time(12), (BERLIN, SUN, 12, 0), id="Sundays only"),
        pytest.param(BERLIN, 0b0000101, time(15), (BERLIN, WED, 15, 0), id="Mon and Wed"),
        pytest.param(BERLIN, 0, time(17), (BERLIN, SUN, 17, 0), id="no working days: Sunday"),
    ],
)
def test_the_weekly_summary_is_due_at_the_end_of_the_last_working_day(
    zone: ZoneInfo, mask: int, end: time, expected: tuple[ZoneInfo, date, int, int]
) -> None:
    for moment in (local(zone, MON, 0, 0), local(zone, WED, 12), local(zone, SUN, 23, 59)):
        assert weekly_summary_due(zone, mask, end, moment) == local(*expected)


def test_the_week_is_the_local_week() -> None:
    # 01:00 on Monday in Tokyo is still Sunday in UTC: it belongs to Tokyo's new week.
    moment = local(TOKYO, MON, 1)
    assert moment.astimezone(UTC).date() == LAST_SUN
    assert weekly_summary_due(TOKYO, MON_FRI, time(17), moment) == local(TOKYO, FRI, 17)


def test_the_summary_is_due_at_local_time_across_a_clock_change() -> None:
    # Berlin goes from summer to winter time on Sunday 25 October 2026.
    end = time(17, 30)
    before = weekly_summary_due(BERLIN, MON_FRI, end, local(BERLIN, date(2026, 10, 19), 9))
    after = weekly_summary_due(BERLIN, MON_FRI, end, local(BERLIN, date(2026, 10, 26), 9))
    assert before == datetime(2026, 10, 23, 15, 30, tzinfo=UTC)  # 17:30 CEST
    assert after == datetime(2026, 10, 30, 16, 30, tzinfo=UTC)  # 17:30 CET


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([BERLIN, TOKYO, NEW_YORK]),
    masks,
    st.integers(min_value=0, max_value=60 * 24 * 7 * 20),
)
def test_summaries_come_once_a_week_at_the_end_of_the_last_working_day(
    zone: ZoneInfo, mask: int, offset_minutes: int
) -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=offset_minutes)
    following = next_summary_after(zone, mask, time(17, 30), moment)
    assert following > moment
    assert following - moment <= timedelta(days=8)
    local = following.astimezone(zone)
    monday = week_start(local.date())
    assert local.date() == last_working_day(monday, mask)
    # The one after is the next week's, never the same one twice.
    after = next_summary_after(zone, mask, time(17, 30), following)
    assert week_start(after.astimezone(zone).date()) == monday + timedelta(days=7)
