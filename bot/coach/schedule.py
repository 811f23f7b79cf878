"""When the next nudge is due: pure rules over a person's working week and time zone.

Slots are wall-clock times in the person's zone: the first one interval after the working day
starts, then every interval until the day ends. A wall time that does not exist (the hour
skipped when clocks go forward) has no nudge; a wall time that happens twice (the hour
repeated when they go back) has one, at its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How far ahead to look for a working day: a week covers every mask, but a week whose only
# working day lost all its slots to a clock change (the skipped hour) must not end the nudges,
# so two weeks and a day. Pauses add to it.
_LOOKAHEAD_DAYS = 15
_WALL_MARGIN = timedelta(hours=3)


@dataclass(frozen=True)
class ScheduleRules:
    time_zone: str
    working_days: int  # bit mask, Monday = bit 0
    day_start: time
    day_end: time
    interval_minutes: int
    lunch_start: time | None = None
    lunch_end: time | None = None
    paused_until: datetime | None = None
    snoozed_until: datetime | None = None

    def __post_init__(self) -> None:
        if self.day_end <= self.day_start:
            raise ValueError("a working day must end after it starts (no crossing midnight)")
        if self.interval_minutes <= 0:
            raise ValueError("the interval must be positive")


def _instant(day: date, wall: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a wall time, or None when that wall time does not exist that day."""
    local = datetime.combine(day, wall, tzinfo=zone)  # fold=0: the first of a repeated time
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def _in_lunch(rules: ScheduleRules, wall: time) -> bool:
    if rules.lunch_start is None or rules.lunch_end is None:
        return False
    return rules.lunch_start <= wall < rules.lunch_end


def day_slots(rules: ScheduleRules, day: date) -> list[datetime]:
    """Every nudge on one local date, as UTC instants in order."""
    return list(_day_slots(rules, day, ZoneInfo(rules.time_zone)))


def _day_slots(
    rules: ScheduleRules, day: date, zone: ZoneInfo, from_wall: time | None = None
) -> Iterator[datetime]:
    """The slots of ``day`` one by one, starting at the last grid time before ``from_wall``
    (all of them without it)."""
    if not rules.working_days >> day.weekday() & 1:
        return
    end = datetime.combine(day, rules.day_end)
    step = timedelta(minutes=rules.interval_minutes)
    wall = datetime.combine(day, rules.day_start) + step
    if from_wall is not None and (skip := datetime.combine(day, from_wall) - wall) > step:
        wall += skip // step * step
    while wall <= end:
        if not _in_lunch(rules, wall.time()):
            instant = _instant(day, wall.time(), zone)
            if instant is not None:
                yield instant
        wall += step


def within_working_hours(rules: ScheduleRules, moment: datetime) -> bool:
    local = moment.astimezone(ZoneInfo(rules.time_zone))
    if not rules.working_days >> local.weekday() & 1:
        return False
    wall = local.time().replace(tzinfo=None)
    return rules.day_start <= wall <= rules.day_end and not _in_lunch(rules, wall)


def next_nudge(rules: ScheduleRules, after: datetime) -> datetime | None:
    """The first nudge strictly after ``after`` (UTC), honouring pause and snooze (a pending
    snooze inside working hours is the next nudge, whatever regular slots come before it);
    None when the person has no working days."""
    if rules.working_days & 0b1111111 == 0:
        return None
    earliest = after
    if rules.paused_until is not None and rules.paused_until > earliest:
        earliest = rules.paused_until - timedelta(microseconds=1)
    if (
        rules.snoozed_until is not None
        and rules.snoozed_until > earliest
        and within_working_hours(rules, rules.snoozed_until)
    ):
        # "Snooze 15 min" moves the next nudge: a regular slot before it is not sent too.
        return rules.snoozed_until
    zone = ZoneInfo(rules.time_zone)
    local = earliest.astimezone(zone).replace(tzinfo=None)
    first_day = local.date()
    # Slots of the first day well before the moment cannot come after it, so they are not
    # worked out (the dispatcher asks this for every nudge it sends). Around a clock change a
    # wall time and its instant disagree by the change, never by _WALL_MARGIN.
    skip_to = local - _WALL_MARGIN
    from_wall = skip_to.time() if skip_to.date() == first_day else None
    for offset in range(_LOOKAHEAD_DAYS):
        day = first_day + timedelta(days=offset)
        for slot in _day_slots(rules, day, zone, from_wall if offset == 0 else None):
            if slot > earliest:
                return slot
    return None


def after_slot(rules: ScheduleRules, slot: datetime) -> ScheduleRules:
    """The rules once ``slot`` has gone out: a snooze due by then has fired and is spent."""
    if rules.snoozed_until is not None and rules.snoozed_until <= slot:
        return replace(rules, snoozed_until=None)
    return rules


def following_nudge(rules: ScheduleRules, slot: datetime) -> datetime | None:
    """The nudge after the one at ``slot``: worked out ahead, so that claiming the nudge at
    ``slot`` needs no rules at all (bot/nudges)."""
    return next_nudge(after_slot(rules, slot), slot)


def upcoming(rules: ScheduleRules, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The next nudge after ``now`` and the one after that."""
    first = next_nudge(rules, now)
    return first, None if first is None else following_nudge(rules, first)


def nudges_between(rules: ScheduleRules, start: datetime, end: datetime) -> list[datetime]:
    """Every nudge in [start, end), pause and snooze honoured: what /schedule shows for the
    rest of today."""
    found: list[datetime] = []
    slot = next_nudge(rules, start - timedelta(microseconds=1))
    while slot is not None and slot < end:
        found.append(slot)
        rules = after_slot(rules, slot)
        slot = next_nudge(rules, slot)
    return found
