"""Reading what people type: time zones, working hours, pauses and /routine arguments.

Pure functions. Each returns a value or raises ``InputError`` with a message that says what
was wrong and what to type instead; the chat layer shows that message as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rapidfuzz import fuzz, process

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Place = Literal["desk", "floor"]
Focus = Literal["stretch", "strength", "balanced", "wind_down"]
PLACES: tuple[Place, ...] = ("desk", "floor")
FOCUSES: tuple[Focus, ...] = ("stretch", "strength", "balanced", "wind_down")
MIN_ROUTINE_MINUTES = 2
MAX_ROUTINE_MINUTES = 30
# The schedules table holds 15 to 240 (its interval_range constraint): more often than every
# quarter hour is nagging, less often than every four hours is hardly a habit.
MIN_INTERVAL_MINUTES = 15
MAX_INTERVAL_MINUTES = 240


class InputError(ValueError):
    """What a person typed could not be read; the message is meant for them."""


# Time zones


@cache
def _zones() -> dict[str, str]:
    """Lower-case lookup keys (full name and city) to IANA names."""
    keys: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if name.startswith(("Etc/", "SystemV/", "posix/", "right/")) or "/" not in name:
            continue
        keys.setdefault(name.lower(), name)
        city = name.rsplit("/", 1)[-1].replace("_", " ").lower()
        keys.setdefault(city, name)
    # A few cities people type that have no zone of their own.
    for city, zone in {
        "munich": "Europe/Berlin",
        "hamburg": "Europe/Berlin",
        "frankfurt": "Europe/Berlin",
        "cologne": "Europe/Berlin",
        "san francisco": "America/Los_Angeles",
        "seattle": "America/Los_Angeles",
        "boston": "America/New_York",
        "washington": "America/New_York",
        "miami": "America/New_York",
        "austin": "America/Chicago",
        "dallas": "America/Chicago",
        "houston": "America/Chicago",
        "delhi": "Asia/Kolkata",
        "new delhi": "Asia/Kolkata",
        "mumbai": "Asia/Kolkata",
        "bangalore": "Asia/Kolkata",
        "beijing": "Asia/Shanghai",
        "milan": "Europe/Rome",
        "barcelona": "Europe/Madrid",
        "geneva": "Europe/Zurich",
        "manchester": "Europe/London",
        "edinburgh": "Europe/London",
        "kiev": "Europe/Kyiv",
        "utc": "UTC",
        "gmt": "UTC",
    }.items():
        keys.setdefault(city, zone)
    return keys


def parse_time_zone(text: str) -> str:
    """An IANA zone from an IANA name or a city ("Europe/Berlin", "berlin", "New York")."""
    cleaned = " ".join(text.strip().split())
    if not cleaned:
        raise InputError("Type a city or a time zone name, for example Berlin or Europe/Berlin.")
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    else:
        if cleaned in available_timezones():
            return cleaned
    key = cleaned.lower().replace("_", " ")
    zones = _zones()
    if key in zones:
        return zones[key]
    if key.replace(" ", "_") in zones:
        return zones[key.replace(" ", "_")]
    matches = process.extract(key, list(zones), scorer=fuzz.ratio, limit=3, score_cutoff=75)
    suggestions = sorted({zones[m[0]] for m in matches})
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    raise InputError(
        f"I don't know the time zone {cleaned!r}.{hint} "
        "Type a big city near you or a name such as Europe/Berlin."
    )


# Clock times and working hours

_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$")


def parse_clock(text: str) -> time:
    """ "9", "09:00", "17.30", "5pm", "5:30pm" -> a time of day."""
    match = _TIME.match(text.strip().lower())
    if not match:
        raise InputError(f"{text.strip()!r} is not a time of day. Use 24-hour HH:MM, e.g. 09:00.")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = match.group(3)
    if suffix:
        if not 1 <= hour <= 12:
            raise InputError(f"{text.strip()!r} is not a time of day.")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InputError(f"{text.strip()!r} is not a time of day. Use 00:00 to 23:59.")
    return time(hour, minute)


@dataclass(frozen=True)
class WorkingHours:
    days: int  # bit mask, Monday = bit 0
    start: time
    end: time


def days_mask(days: list[int]) -> int:
    mask = 0
    for day in days:
        mask |= 1 << day
    return mask


def describe_days(mask: int) -> str:
    days = [DAY_NAMES[i].capitalize() for i in range(7) if mask >> i & 1]
    if mask == 0b0011111:
        return "Mon–Fri"
    if mask == 0b1111111:
        return "every day"
    if not days:
        return "no days"
    return ", ".join(days)


def _parse_days(text: str) -> int:
    text = text.strip().lower()
    if text in {"weekdays", "workdays"}:
        return 0b0011111
    if text in {"every day", "everyday", "daily", "all"}:
        return 0b1111111
    mask = 0
    for part in re.split(r"[,\s]+", text):
        if not part:
            continue
        ends = part.split("-")
        if len(ends) > 2:
            raise InputError(f"I can't read the days {part!r}.")
        indices = [_day_index(end) for end in ends]
        if len(indices) == 1:
            mask |= 1 << indices[0]
        else:
            first, last = indices
            day = first
            while True:
                mask |= 1 << day
                if day == last:
                    break
                day = (day + 1) % 7
    return mask


def _day_index(word: str) -> int:
    word = word.strip()[:3]
    if word not in DAY_NAMES:
        raise InputError(f"{word!r} is not a day. Use Mon, Tue, Wed, Thu, Fri, Sat or Sun.")
    return DAY_NAMES.index(word)


_HOURS = re.compile(
    r"^(?P<days>.*?)\s*(?P<start>\d[\d:.hapm ]*?)\s*(?:-|–|to)\s*(?P<end>\d[\d:.hapm]*)$"
)


def parse_working_hours(text: str, default_days: int = 0b0011111) -> WorkingHours:
    """ "Mon-Fri 09:00-17:30", "9-17", "mon,tue,thu 8:00-16:00" -> days and hours."""
    cleaned = " ".join(text.strip().lower().split())
    match = _HOURS.match(cleaned)
    if not match:
        raise InputError(
            "I couldn't read those hours. Type days and hours like "
            "Mon-Fri 09:00-17:30, or just 08:30-16:00."
        )
    days = _parse_days(match.group("days")) if match.group("days") else default_days
    if days == 0:
        raise InputError("Pick at least one working day, e.g. Mon-Fri 09:00-17:30.")
    start, end = parse_clock(match.group("start")), parse_clock(match.group("end"))
    if end <= start:
        raise InputError(
            f"The day has to end after it starts ({start:%H:%M}–{end:%H:%M}). "
            "Working days that run past midnight aren't supported yet; "
            "use the part before midnight, e.g. 18:00-23:59."
        )
    if (datetime.combine(date.min, end) - datetime.combine(date.min, start)) < timedelta(
        minutes=30
    ):
        raise InputError("A working day needs at least 30 minutes for a break to fit in.")
    return WorkingHours(days=days, start=start, end=end)


# How often

_INTERVAL = re.compile(
    r"(?:every\s+)?(?P<amount>\d+(?:[.,]\d+)?)\s*"
    r"(?P<unit>m|min|mins|minutes?|h|hr|hrs|hours?)?"
)


def parse_interval(text: str) -> int:
    """ "45", "every 45 min", "90m", "1h", "every 1.5 hours" -> minutes between nudges."""
    cleaned = " ".join(text.strip().lower().split())
    match = _INTERVAL.fullmatch(cleaned)
    if not match:
        raise InputError(_INTERVAL_HELP)
    amount = float(match.group("amount").replace(",", "."))
    unit = match.group("unit") or "m"
    minutes = amount * 60 if unit.startswith("h") else amount
    if minutes != int(minutes):
        raise InputError(f"Use whole minutes, e.g. every {round(minutes)} min.")
    if not MIN_INTERVAL_MINUTES <= minutes <= MAX_INTERVAL_MINUTES:
        raise InputError(
            f"Nudges can come every {MIN_INTERVAL_MINUTES} to {MAX_INTERVAL_MINUTES} minutes, "
            f"not every {int(minutes)}. For example: /schedule every 45 min."
        )
    return int(minutes)


_INTERVAL_HELP = (
    "How often should I nudge you? For example: /schedule every 45 min, /schedule every 1h "
    "or /schedule every 90m."
)


# /schedule arguments


@dataclass(frozen=True)
class ScheduleChange:
    """What ``/schedule ...`` asks to change; None leaves a field as it is."""

    hours: WorkingHours | None = None
    interval_minutes: int | None = None
    lunch: tuple[time, time] | None = None
    no_lunch: bool = False  # remove the quiet window


# "every day" names working days, not how often.
_EVERY = re.compile(r"^(?P<rest>.*?)\s*\bevery\b(?!\s*day\b)\s*(?P<interval>.*)$")


def parse_schedule_change(text: str, working_days: int) -> ScheduleChange:
    """ "Mon-Fri 08:30-17:00", "every 45 min", "9-17 every 1h", "lunch 12:00-13:00",
    "lunch off" -> the change; ``working_days`` are kept when only hours are given."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned.startswith("lunch"):
        window = cleaned.removeprefix("lunch").strip()
        if window in {"", "off", "none", "no"}:
            return ScheduleChange(no_lunch=True)
        return ScheduleChange(lunch=_parse_quiet_window(window))
    interval = None
    every = _EVERY.match(cleaned)
    if every is not None:
        interval = parse_interval(every.group("interval"))
        cleaned = every.group("rest")
    try:
        hours = parse_working_hours(cleaned, working_days) if cleaned else None
    except InputError as error:
        if interval is not None or re.search(r"[-–]|\bto\b", cleaned):
            raise
        # Neither hours nor an interval: say both ways of changing the schedule.
        raise InputError(f"{error} To change how often: /schedule every 45 min.") from error
    return ScheduleChange(hours=hours, interval_minutes=interval)


def _parse_quiet_window(text: str) -> tuple[time, time]:
    ends = re.split(r"\s*(?:-|–|\bto\b)\s*", text)
    if len(ends) != 2 or not all(ends):
        raise InputError(
            "Type the quiet window like /schedule lunch 12:00-13:00, or /schedule lunch off."
        )
    start, end = parse_clock(ends[0]), parse_clock(ends[1])
    if end <= start:
        raise InputError(
            f"The quiet window has to end after it starts ({start:%H:%M}–{end:%H:%M})."
        )
    return start, end


# Pauses


def parse_pause(text: str, now: datetime) -> datetime:
    """When a pause ends, in the person's zone: "1h", "2h", "30m", "today", "3 days",
    "until Monday", "tomorrow". ``now`` is the person's local time (aware)."""
    cleaned = " ".join(text.strip().lower().split()).removeprefix("for ").removeprefix("until ")
    if not cleaned:
        raise InputError(_PAUSE_HELP)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if cleaned in {"today", "rest of today", "the rest of the day"}:
        return _local_midnight(day_start.date() + timedelta(days=1), now)
    if cleaned == "tomorrow":
        return _local_midnight(day_start.date() + timedelta(days=2), now)
    if cleaned[:3] in DAY_NAMES and cleaned.isalpha():
        target = _day_index(cleaned)
        ahead = (target - now.weekday()) % 7 or 7
        return _local_midnight(day_start.date() + timedelta(days=ahead), now)
    match = re.fullmatch(
        r"(\d+)\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)", cleaned
    )
    if not match:
        raise InputError(_PAUSE_HELP)
    amount, unit = int(match.group(1)), match.group(2)[0]
    if amount <= 0:
        raise InputError(_PAUSE_HELP)
    if unit == "m":
        span = timedelta(minutes=amount)
    elif unit == "h":
        span = timedelta(hours=amount)
    elif unit == "d":
        # "2 days" means today and tomorrow off: nudges come back on the third morning.
        return _local_midnight(day_start.date() + timedelta(days=amount), now)
    else:
        return _local_midnight(day_start.date() + timedelta(weeks=amount), now)
    if span > timedelta(days=60):
        raise InputError("That's a long pause. Pause for at most 60 days, or /forget me.")
    return now + span


def _local_midnight(day: date, now: datetime) -> datetime:
    if (day - now.date()).days > 60:
        raise InputError("That's a long pause. Pause for at most 60 days, or /forget me.")
    return datetime.combine(day, time(0), tzinfo=now.tzinfo)


_PAUSE_HELP = (
    "How long should I pause? For example: /pause 1h, /pause 2h, /pause today, "
    "/pause 3 days or /pause until Monday."
)


# /routine arguments


@dataclass(frozen=True)
class RoutineArgs:
    minutes: int | None = None
    place: Place | None = None
    focus: Focus | None = None


_FOCUS_WORDS: dict[str, Focus] = {
    "stretch": "stretch",
    "stretching": "stretch",
    "strength": "strength",
    "strong": "strength",
    "balanced": "balanced",
    "balance": "balanced",
    "mixed": "balanced",
    "wind-down": "wind_down",
    "wind_down": "wind_down",
    "winddown": "wind_down",
    "wind down": "wind_down",
    "relax": "wind_down",
    "calm": "wind_down",
}


def parse_routine_args(words: list[str]) -> RoutineArgs:
    """``/routine [minutes] [desk|floor] [stretch|strength|balanced|wind-down]``, any order."""
    minutes: int | None = None
    place: Place | None = None
    focus: Focus | None = None
    joined = " ".join(words).lower().replace("wind down", "wind-down")
    for word in joined.split():
        number = word.removesuffix("min").removesuffix("m")
        if number.isdigit():
            value = int(number)
            if not MIN_ROUTINE_MINUTES <= value <= MAX_ROUTINE_MINUTES:
                raise InputError(
                    f"A routine can be {MIN_ROUTINE_MINUTES} to {MAX_ROUTINE_MINUTES} minutes "
                    f"long, not {value}. Try /routine 5 desk."
                )
            minutes = value
        elif word in PLACES:
            place = word
        elif word in _FOCUS_WORDS:
            focus = _FOCUS_WORDS[word]
        else:
            candidates = [*PLACES, "stretch", "strength", "balanced", "wind-down"]
            best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=60)
            hint = f" Did you mean {best[0]}?" if best else ""
            raise InputError(
                f"I didn't understand {word!r}.{hint} "
                "Use /routine [minutes] [desk|floor] [stretch|strength|balanced|wind-down], "
                "e.g. /routine 10 floor stretch."
            )
    return RoutineArgs(minutes=minutes, place=place, focus=focus)
