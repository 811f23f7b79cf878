"""Reading what people type: time zones, hours, how often, pauses and /schedule changes."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.coach.inputs import (
    InputError,
    ScheduleChange,
    WorkingHours,
    parse_clock,
    parse_interval,
    parse_pause,
    parse_schedule_change,
    parse_time_zone,
    parse_working_hours,
)

WEEKDAYS = 0b0011111


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("New York", "America/New_York"),
        ("munich", "Europe/Berlin"),
        ("UTC", "UTC"),
    ],
)
def test_a_city_or_a_zone_name_gives_the_zone(typed: str, zone: str) -> None:
    assert parse_time_zone(typed) == zone


def test_a_misspelt_city_is_refused_with_the_zone_it_probably_meant() -> None:
    with pytest.raises(InputError, match="Did you mean Europe/Berlin"):
        parse_time_zone("Berlni")


@pytest.mark.parametrize(
    ("typed", "clock"),
    [("9", time(9)), ("09:00", time(9)), ("17.30", time(17, 30)), ("5pm", time(17))],
)
def test_clock_times_are_read_in_the_usual_forms(typed: str, clock: time) -> None:
    assert parse_clock(typed) == clock


def test_hours_alone_keep_the_working_days() -> None:
    assert parse_working_hours("8:30-16:00", 0b0000111) == WorkingHours(
        0b0000111, time(8, 30), time(16)
    )


def test_a_working_day_past_midnight_is_refused_with_what_to_type_instead() -> None:
    with pytest.raises(InputError, match=r"past midnight.*18:00-23:59"):
        parse_working_hours("18:00-02:00")


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("45", 45),
        ("every 45 min", 45),
        ("90m", 90),
        ("1h", 60),
        ("every 1.5 hours", 90),
        ("2 hrs", 120),
        ("15", 15),
        ("240", 240),
    ],
)
def test_how_often_is_read_in_minutes_or_hours(typed: str, minutes: int) -> None:
    assert parse_interval(typed) == minutes


@pytest.mark.parametrize("typed", ["5", "10 min", "5h", "241"])
def test_nudges_more_often_than_a_quarter_hour_or_rarer_than_four_hours_are_refused(
    typed: str,
) -> None:
    with pytest.raises(InputError, match="every 15 to 240 minutes"):
        parse_interval(typed)


@pytest.mark.parametrize("typed", ["often", "every", "45 seconds", "-30"])
def test_an_unreadable_interval_says_how_to_write_one(typed: str) -> None:
    with pytest.raises(InputError, match="every 45 min"):
        parse_interval(typed)


def test_a_fraction_of_a_minute_is_refused() -> None:
    with pytest.raises(InputError, match="whole minutes"):
        parse_interval("0.33h")


def test_schedule_can_change_hours_and_how_often_in_one_go() -> None:
    assert parse_schedule_change("Mon-Thu 08:00-16:00 every 45 min", WEEKDAYS) == ScheduleChange(
        hours=WorkingHours(0b0001111, time(8), time(16)), interval_minutes=45
    )


def test_every_day_is_a_choice_of_days_not_of_how_often() -> None:
    assert parse_schedule_change("every day 08:00-16:00 every 30", WEEKDAYS) == ScheduleChange(
        hours=WorkingHours(0b1111111, time(8), time(16)), interval_minutes=30
    )


def test_schedule_every_changes_only_how_often() -> None:
    assert parse_schedule_change("every 1h", WEEKDAYS) == ScheduleChange(interval_minutes=60)


def test_schedule_lunch_sets_and_removes_a_quiet_window() -> None:
    assert parse_schedule_change("lunch 12:00-13:15", WEEKDAYS).lunch == (time(12), time(13, 15))
    assert parse_schedule_change("lunch 12 to 1pm", WEEKDAYS).lunch == (time(12), time(13))
    assert parse_schedule_change("lunch off", WEEKDAYS) == ScheduleChange(no_lunch=True)


def test_a_quiet_window_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InputError, match="end after it starts"):
        parse_schedule_change("lunch 13:00-12:00", WEEKDAYS)


def test_an_unreadable_schedule_names_both_hours_and_how_often() -> None:
    with pytest.raises(InputError) as raised:
        parse_schedule_change("sometimes", WEEKDAYS)
    assert "Mon-Fri 09:00-17:30" in str(raised.value)
    assert "/schedule every 45 min" in str(raised.value)


def test_a_bad_interval_after_good_hours_is_refused_whole() -> None:
    with pytest.raises(InputError, match="every 15 to 240 minutes"):
        parse_schedule_change("9-17 every 5", WEEKDAYS)


BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("typed", "until"),
    [
        ("2h", datetime(2026, 11, 23, 14, 0, tzinfo=BERLIN)),
        ("today", datetime(2026, 11, 24, 0, 0, tzinfo=BERLIN)),
        ("until Monday", datetime(2026, 11, 30, 0, 0, tzinfo=BERLIN)),
        ("3 days", datetime(2026, 11, 26, 0, 0, tzinfo=BERLIN)),
    ],
)
def test_a_pause_ends_when_the_person_meant(typed: str, until: datetime) -> None:
    assert parse_pause(typed, MONDAY_NOON) == until


def test_a_pause_longer_than_sixty_days_is_refused() -> None:
    with pytest.raises(InputError, match="at most 60 days"):
        parse_pause("10 weeks", MONDAY_NOON)
