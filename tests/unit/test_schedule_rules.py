"""When the next nudge comes: the schedule rules hold in every zone, on every day of the year.

Zones cover northern and southern daylight saving, half-hour and 45-minute offsets and zones
without daylight saving; instants cluster within three days of each zone's clock changes in
2026 and 2027 and are otherwise anywhere in those two years. The checks look at the answer
itself (its local wall time, its weekday, whether that wall time exists) rather than asking
the module again, so a rule the module forgot cannot vouch for itself.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coach.schedule import (
    ScheduleRules,
    day_slots,
    following_nudge,
    next_nudge,
    nudges_between,
    upcoming,
    within_working_hours,
)

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",  # southern: clocks go forward in October, back in April
    "Asia/Kolkata",  # +05:30, no daylight saving
    "Pacific/Chatham",  # +12:45 / +13:45, changing at 02:45 local
    "America/Sao_Paulo",  # no daylight saving since 2019
    "UTC",
    "Europe/London",
)
EVERY_DAY = 0b1111111
MON_FRI = 0b0011111
BERLIN = ZoneInfo("Europe/Berlin")
YEARS_START = datetime(2026, 1, 1, tzinfo=UTC)
YEARS_END = datetime(2028, 1, 1, tzinfo=UTC)


def _transitions(name: str) -> list[datetime]:
    """Every instant in 2026–2027 at which the zone's UTC offset changes (to the hour)."""
    zone = ZoneInfo(name)
    found: list[datetime] = []
    moment = YEARS_START
    offset = moment.astimezone(zone).utcoffset()
    while moment < YEARS_END:
        moment += timedelta(hours=1)
        now = moment.astimezone(zone).utcoffset()
        if now != offset:
            found.append(moment)
            offset = now
    return found


TRANSITIONS = {name: _transitions(name) for name in ZONES}

bounded = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- strategies


def _wall(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _minutes(wall: time) -> int:
    return wall.hour * 60 + wall.minute


@st.composite
def instants(draw: st.DrawFn, zone: str) -> datetime:
    """Mostly whole minutes (so instants land on slots often), near clock changes half the
    time."""
    changes = TRANSITIONS[zone]
    if changes and draw(st.booleans()):
        base = draw(st.sampled_from(changes))
        moment = base + timedelta(minutes=draw(st.integers(-3 * 24 * 60, 3 * 24 * 60)))
    else:
        moment = YEARS_START + timedelta(minutes=draw(st.integers(0, 2 * 365 * 24 * 60)))
    seconds = draw(st.one_of(st.just(0), st.integers(0, 59)))
    micros = draw(st.one_of(st.just(0), st.integers(0, 999_999)))
    return moment + timedelta(seconds=seconds, microseconds=micros)


@st.composite
def working_hours(draw: st.DrawFn) -> tuple[time, time]:
    common = st.sampled_from([0, 8 * 60, 8 * 60 + 30, 9 * 60, 22 * 60])
    start = draw(st.one_of(common, st.integers(0, 23 * 60 + 58)))
    end = draw(
        st.one_of(
            st.integers(start + 1, 23 * 60 + 59),
            st.sampled_from([min(start + 4 * 60, 23 * 60 + 59), 23 * 60 + 59]),
        )
    )
    return _wall(start), _wall(end)


@st.composite
def rules_for(
    draw: st.DrawFn,
    zone: str,
    *,
    days: st.SearchStrategy[int] | None = None,
) -> ScheduleRules:
    start, end = draw(working_hours())
    lunch_start = lunch_end = None
    if draw(st.booleans()):
        first = draw(st.integers(0, 23 * 60 + 58))
        last = draw(st.integers(first + 1, min(first + 180, 23 * 60 + 59)))
        lunch_start, lunch_end = _wall(first), _wall(last)
    return ScheduleRules(
        time_zone=zone,
        working_days=draw(days if days is not None else st.integers(1, EVERY_DAY)),
        day_start=start,
        day_end=end,
        interval_minutes=draw(
            st.one_of(st.sampled_from([15, 30, 45, 60, 90, 240]), st.integers(15, 240))
        ),
        lunch_start=lunch_start,
        lunch_end=lunch_end,
    )


@st.composite
def situations(draw: st.DrawFn, *, pauses: bool = True) -> tuple[ScheduleRules, datetime]:
    """Rules in some zone, an instant, and sometimes a pause ending near that instant."""
    zone = draw(st.sampled_from(ZONES))
    rules = draw(rules_for(zone))
    after = draw(instants(zone))
    if pauses and draw(st.booleans()):
        pause = timedelta(minutes=draw(st.integers(-2 * 24 * 60, 10 * 24 * 60)))
        rules = replace(rules, paused_until=after + pause)
    return rules, after


# --------------------------------------------------------------------------- checks


def _local(rules: ScheduleRules, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(rules.time_zone))


def _earliest(rules: ScheduleRules, after: datetime) -> datetime:
    """Nothing may be sent at or before this (strictly after ``after``, not during a pause)."""
    if rules.paused_until is not None and rules.paused_until > after:
        return rules.paused_until - timedelta(microseconds=1)
    return after


def assert_is_a_slot(rules: ScheduleRules, slot: datetime) -> None:
    """A regular nudge: on a working day, on the grid inside (start, end], outside lunch, at a
    wall time that exists, and at the first occurrence of a repeated wall time."""
    zone = ZoneInfo(rules.time_zone)
    local = slot.astimezone(zone)
    wall = local.time()
    assert slot.tzinfo is not None
    assert rules.working_days >> local.weekday() & 1, f"{local} is not a working day"
    assert (wall.second, wall.microsecond) == (0, 0), f"{local} is not a whole minute"
    minutes = _minutes(wall)
    start, end = _minutes(rules.day_start), _minutes(rules.day_end)
    assert start < minutes <= end, f"{local:%H:%M} is outside {rules.day_start}–{rules.day_end}"
    assert (minutes - start) % rules.interval_minutes == 0, f"{local:%H:%M} is off the grid"
    if rules.lunch_start is not None and rules.lunch_end is not None:
        assert not rules.lunch_start <= wall.replace(fold=0) < rules.lunch_end, "in lunch"
    # The wall time exists, and this is its first occurrence (fold=0) if it happens twice.
    first = datetime.combine(local.date(), wall.replace(fold=0), tzinfo=zone)
    assert first.astimezone(UTC) == slot, f"{local} is not the first {wall:%H:%M} that day"
    assert first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(
        tzinfo=None
    ), f"{wall:%H:%M} does not exist on {local.date()}"


def wall_slots(rules: ScheduleRules, day: date) -> list[datetime]:
    """The slots of one local date, worked out from the rules here, independently of
    ``day_slots``: grid wall times that exist, first occurrence, outside lunch."""
    if not rules.working_days >> day.weekday() & 1:
        return []
    zone = ZoneInfo(rules.time_zone)
    start, end = _minutes(rules.day_start), _minutes(rules.day_end)
    found = []
    for minutes in range(start + rules.interval_minutes, end + 1, rules.interval_minutes):
        wall = _wall(minutes)
        lunch = (rules.lunch_start, rules.lunch_end)
        if lunch[0] is not None and lunch[1] is not None and lunch[0] <= wall < lunch[1]:
            continue
        local = datetime.combine(day, wall, tzinfo=zone)
        instant = local.astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
            found.append(instant)
    return found


def slots_in(rules: ScheduleRules, start: datetime, end: datetime) -> list[datetime]:
    """Every slot in (start, end], from ``wall_slots``, a day either side for safety."""
    zone = ZoneInfo(rules.time_zone)
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    found: list[datetime] = []
    while day <= last:
        found += [s for s in wall_slots(rules, day) if start < s <= end]
        day += timedelta(days=1)
    return found


# --------------------------------------------------------------------------- properties


@bounded
@given(situations())
def test_the_next_nudge_is_the_first_real_slot_after_the_moment_and_the_pause(
    situation: tuple[ScheduleRules, datetime],
) -> None:
    rules, after = situation
    earliest = _earliest(rules, after)
    upcoming = next_nudge(rules, after)
    # Two weeks and a day: a week whose only working day lost its slots to a clock change
    # must not end the nudges.
    horizon = slots_in(rules, earliest, earliest + timedelta(days=15))
    if upcoming is None:
        assert horizon == [], f"no nudge, yet {horizon[0]} was a slot"
        return
    assert upcoming > after
    if rules.paused_until is not None:
        assert upcoming >= rules.paused_until
    assert_is_a_slot(rules, upcoming)
    assert within_working_hours(rules, upcoming)
    # Nothing was skipped on the way: it is the first slot after the moment.
    assert horizon[:1] == [upcoming]


@bounded
@given(situations(), st.integers(10, 40))
def test_following_nudge_after_nudge_walks_every_slot_once_in_order(
    situation: tuple[ScheduleRules, datetime], steps: int
) -> None:
    rules, start = situation
    sent: list[datetime] = []
    moment = start
    for _ in range(steps):
        upcoming = next_nudge(rules, moment)
        if upcoming is None:
            break
        sent.append(upcoming)
        moment = upcoming
    assert all(a < b for a, b in pairwise(sent)), "not strictly increasing"
    walls = [_local(rules, s).replace(tzinfo=None, fold=0) for s in sent]
    assert len(set(walls)) == len(walls), "the same local date and wall time twice"
    if not sent:
        return
    earliest = _earliest(rules, start)
    # No slot of day_slots lies between two nudges, or between the start and the first one.
    zone = ZoneInfo(rules.time_zone)
    day = earliest.astimezone(zone).date() - timedelta(days=1)
    regular: list[datetime] = []
    while day <= sent[-1].astimezone(zone).date() + timedelta(days=1):
        regular += [s for s in day_slots(rules, day) if earliest < s <= sent[-1]]
        day += timedelta(days=1)
    assert regular == sent
    # /schedule's list agrees with the walk, and with the independent reckoning.
    assert nudges_between(rules, earliest + timedelta(microseconds=1), sent[-1]) == sent[:-1]
    assert nudges_between(rules, sent[0], sent[-1]) == sent[:-1]  # [start, end)
    assert slots_in(rules, earliest, sent[-1]) == sent


@bounded
@given(st.sampled_from(ZONES).flatmap(lambda zone: st.tuples(rules_for(zone), instants(zone))))
def test_every_slot_of_a_day_is_a_real_slot_inside_working_hours(
    case: tuple[ScheduleRules, datetime],
) -> None:
    rules, moment = case
    day = moment.astimezone(ZoneInfo(rules.time_zone)).date()
    slots = day_slots(rules, day)
    assert slots == sorted(set(slots))
    for slot in slots:
        assert_is_a_slot(rules, slot)
        assert _local(rules, slot).date() == day
        assert within_working_hours(rules, slot)
    assert slots == wall_slots(rules, day)


@st.composite
def snoozes(draw: st.DrawFn) -> tuple[ScheduleRules, datetime, datetime]:
    """Rules, a moment, and a snooze: often a minute inside that day's working hours."""
    rules, after = draw(situations())
    zone = ZoneInfo(rules.time_zone)
    if draw(st.booleans()):
        day = after.astimezone(zone).date() + timedelta(days=draw(st.integers(0, 2)))
        minutes = draw(st.integers(_minutes(rules.day_start), _minutes(rules.day_end)))
        snooze = datetime.combine(day, _wall(minutes), tzinfo=zone).astimezone(UTC)
    else:
        snooze = after + timedelta(minutes=draw(st.integers(-30, 3 * 24 * 60)))
    return rules, after, snooze


@bounded
@given(snoozes())
def test_a_pending_snooze_inside_working_hours_is_the_next_nudge(
    case: tuple[ScheduleRules, datetime, datetime],
) -> None:
    rules, after, snooze = case
    regular = next_nudge(rules, after)
    snoozed = next_nudge(replace(rules, snoozed_until=snooze), after)
    counts = snooze > _earliest(rules, after) and within_working_hours(rules, snooze)
    if counts:
        assert snoozed == snooze
    else:
        assert snoozed == regular


@st.composite
def moments_near_edges(draw: st.DrawFn) -> tuple[ScheduleRules, datetime]:
    """Rules and a moment: anywhere, or exactly at the start or end of the day or lunch."""
    zone = draw(st.sampled_from(ZONES))
    rules = draw(rules_for(zone))
    moment = draw(instants(zone))
    edges = [rules.day_start, rules.day_end, rules.lunch_start, rules.lunch_end]
    edge = draw(st.sampled_from([None, *[e for e in edges if e is not None]]))
    if edge is not None:
        day = moment.astimezone(ZoneInfo(zone)).date()
        moment = datetime.combine(day, edge, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return rules, moment


@bounded
@given(moments_near_edges())
def test_working_hours_are_the_working_days_between_start_and_end_outside_lunch(
    case: tuple[ScheduleRules, datetime],
) -> None:
    rules, moment = case
    local = _local(rules, moment)
    wall = local.time().replace(fold=0)
    expected = (
        bool(rules.working_days >> local.weekday() & 1)
        and rules.day_start <= wall <= rules.day_end
        and not (
            rules.lunch_start is not None
            and rules.lunch_end is not None
            and rules.lunch_start <= wall < rules.lunch_end
        )
    )
    assert within_working_hours(rules, moment) == expected


@bounded
@given(st.sampled_from(ZONES).flatmap(lambda zone: st.tuples(rules_for(zone), instants(zone))))
def test_without_working_days_there_is_never_a_nudge(case: tuple[ScheduleRules, datetime]) -> None:
    rules, moment = case
    idle = replace(rules, working_days=0)
    assert next_nudge(idle, moment) is None
    assert next_nudge(replace(idle, snoozed_until=moment + timedelta(minutes=15)), moment) is None


# --------------------------------------------------------------------------- examples


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc]


def _walk(rules: ScheduleRules, start: datetime, end: datetime) -> list[datetime]:
    sent: list[datetime] = []
    upcoming = next_nudge(rules, start)
    while upcoming is not None and upcoming <= end:
        sent.append(upcoming)
        upcoming = next_nudge(rules, upcoming)
    return sent


NIGHT_SHIFT = ScheduleRules(
    time_zone="Europe/Berlin",
    working_days=EVERY_DAY,
    day_start=time(0, 0),
    day_end=time(4, 0),
    interval_minutes=30,
)


def test_when_clocks_go_forward_in_berlin_the_missing_half_hours_have_no_nudge() -> None:
    sent = _walk(NIGHT_SHIFT, berlin(2026, 3, 28, 23, 59), berlin(2026, 3, 29, 12, 0))
    local = [s.astimezone(BERLIN).strftime("%H:%M") for s in sent]
    assert local == ["00:30", "01:00", "01:30", "03:00", "03:30", "04:00"]
    assert day_slots(NIGHT_SHIFT, date(2026, 3, 29)) == sent


def test_when_clocks_go_back_in_berlin_the_repeated_half_hours_are_nudged_once() -> None:
    sent = _walk(NIGHT_SHIFT, berlin(2026, 10, 24, 23, 59), berlin(2026, 10, 25, 12, 0))
    local = [s.astimezone(BERLIN) for s in sent]
    assert [f"{t:%H:%M}" for t in local] == [
        "00:30",
        "01:00",
        "01:30",
        "02:00",
        "02:30",
        "03:00",
        "03:30",
        "04:00",
    ]
    # 02:00 and 02:30 are sent at their first occurrence, summer time (+02:00).
    assert [t.utcoffset() for t in local[3:5]] == [timedelta(hours=2)] * 2
    assert sent[4] - sent[3] == timedelta(minutes=30)
    assert sent[5] - sent[4] == timedelta(minutes=90)  # the repeated hour passes in between


def test_an_office_week_in_berlin_nudges_hourly_from_ten_to_five() -> None:
    rules = ScheduleRules("Europe/Berlin", MON_FRI, time(9, 0), time(17, 30), 60)
    monday = date(2026, 11, 23)
    local = [s.astimezone(BERLIN).strftime("%H:%M") for s in day_slots(rules, monday)]
    assert local == ["10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00", "17:00"]
    assert day_slots(rules, date(2026, 11, 28)) == []  # Saturday
    # After Friday's last nudge comes Monday's first.
    assert next_nudge(rules, berlin(2026, 11, 27, 17, 0)) == berlin(2026, 11, 30, 10, 0)
    # With lunch 12:00–13:00 the 12:00 nudge is left out; 13:00 is after lunch.
    lunch = replace(rules, lunch_start=time(12, 0), lunch_end=time(13, 0))
    assert "12:00" not in [f"{s.astimezone(BERLIN):%H:%M}" for s in day_slots(lunch, monday)]
    assert next_nudge(lunch, berlin(2026, 11, 23, 11, 0)) == berlin(2026, 11, 23, 13, 0)


def test_a_snooze_comes_before_the_next_slot_but_not_outside_working_hours() -> None:
    rules = ScheduleRules("Europe/Berlin", MON_FRI, time(9, 0), time(17, 30), 60)
    now = berlin(2026, 11, 23, 10, 5)
    snoozed = replace(rules, snoozed_until=berlin(2026, 11, 23, 10, 20))
    assert next_nudge(snoozed, now) == berlin(2026, 11, 23, 10, 20)
    evening = replace(rules, snoozed_until=berlin(2026, 11, 23, 18, 0))
    assert next_nudge(evening, now) == berlin(2026, 11, 23, 11, 0)


def test_a_snooze_longer_than_the_interval_is_not_interrupted_by_a_regular_nudge() -> None:
    # Every 15 minutes; the 10:00 nudge is snoozed at 10:05, until 10:20. The 10:15 slot
    # would be the same nudge again five minutes early: the snooze is what comes next, and
    # once it has gone out, the regular slots go on.
    rules = ScheduleRules("Europe/Berlin", MON_FRI, time(9, 0), time(17, 30), 15)
    snoozed = replace(rules, snoozed_until=berlin(2026, 11, 23, 10, 20))
    assert next_nudge(snoozed, berlin(2026, 11, 23, 10, 5)) == berlin(2026, 11, 23, 10, 20)
    assert following_nudge(snoozed, berlin(2026, 11, 23, 10, 20)) == berlin(2026, 11, 23, 10, 30)
    until_eleven = nudges_between(
        snoozed, berlin(2026, 11, 23, 10, 5), berlin(2026, 11, 23, 11, 0)
    )
    assert until_eleven == [berlin(2026, 11, 23, 10, m) for m in (20, 30, 45)]


def test_the_rest_of_a_day_that_is_paused_until_noon_starts_at_noon() -> None:
    rules = ScheduleRules(
        "Europe/Berlin",
        MON_FRI,
        time(9, 0),
        time(17, 30),
        120,
        paused_until=berlin(2026, 11, 23, 12, 0),
    )
    rest = nudges_between(rules, berlin(2026, 11, 23, 8, 0), berlin(2026, 11, 24, 0, 0))
    assert rest == [berlin(2026, 11, 23, h, 0) for h in (13, 15, 17)]


def test_a_pause_holds_nudges_until_it_ends() -> None:
    rules = ScheduleRules(
        "Europe/Berlin",
        MON_FRI,
        time(9, 0),
        time(17, 30),
        60,
        paused_until=berlin(2026, 11, 25, 11, 0),
    )
    assert next_nudge(rules, berlin(2026, 11, 23, 10, 0)) == berlin(2026, 11, 25, 11, 0)
    assert next_nudge(rules, berlin(2026, 11, 25, 11, 0)) == berlin(2026, 11, 25, 12, 0)


def test_no_working_days_means_no_nudge() -> None:
    rules = ScheduleRules("Europe/Berlin", 0, time(9, 0), time(17, 30), 60)
    assert next_nudge(rules, berlin(2026, 11, 23, 10, 0)) is None
    assert day_slots(rules, date(2026, 11, 23)) == []


def test_a_sunday_whose_slots_fall_in_the_missing_hour_does_not_end_the_nudges() -> None:
    # Sundays 02:00–02:45 every 15 min: on 29 March 2026 02:15–02:45 do not exist in Berlin,
    # so the next nudge after the Sunday before is two weeks on, not never.
    rules = ScheduleRules("Europe/Berlin", 1 << 6, time(2, 0), time(2, 45), 15)
    assert day_slots(rules, date(2026, 3, 29)) == []
    assert next_nudge(rules, berlin(2026, 3, 22, 12, 0)) == berlin(2026, 4, 5, 2, 15)


@pytest.mark.parametrize(
    ("start", "end"),
    [(time(22, 0), time(6, 0)), (time(9, 0), time(9, 0)), (time(17, 30), time(9, 0))],
)
def test_a_working_day_must_end_after_it_starts(start: time, end: time) -> None:
    with pytest.raises(ValueError, match=r"end after it starts.*midnight"):
        ScheduleRules("Europe/Berlin", MON_FRI, start, end, 60)


@bounded
@given(snoozes())
def test_the_nudge_after_next_is_the_one_worked_out_when_the_next_goes_out(
    case: tuple[ScheduleRules, datetime, datetime],
) -> None:
    # The dispatcher claims a nudge by moving the row on to the nudge after it, worked out
    # ahead: that must be what working it out at the moment the nudge goes out would give.
    rules, after, snooze = case
    rules = replace(rules, snoozed_until=snooze)
    first, second = upcoming(rules, after)
    assert first == next_nudge(rules, after)
    if first is None:
        assert second is None
        return
    spent = replace(rules, snoozed_until=None) if snooze <= first else rules
    assert second == next_nudge(spent, first)
    if second is not None:
        assert second > first
        assert within_working_hours(rules, second)
        if second != snooze:
            assert_is_a_slot(rules, second)
