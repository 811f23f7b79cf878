"""The person behind an update, and keeping their next nudge in step with their settings."""

from __future__ import annotations

from datetime import datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.coach.progress import next_summary_after
from bot.coach.schedule import ScheduleRules, upcoming
from bot.storage import repo
from bot.storage.models import Person, Schedule


async def person_of(session: AsyncSession, update: Update) -> Person | None:
    user = update.effective_user
    if user is None:
        return None
    return await repo.person_by_telegram_id(session, user.id)


class _Zoned(Protocol):
    @property
    def time_zone(self) -> str: ...


class _Timetable(Protocol):
    @property
    def working_days(self) -> int: ...
    @property
    def day_start(self) -> time: ...
    @property
    def day_end(self) -> time: ...
    @property
    def interval_minutes(self) -> int: ...
    @property
    def lunch_start(self) -> time | None: ...
    @property
    def lunch_end(self) -> time | None: ...
    @property
    def paused_until(self) -> datetime | None: ...
    @property
    def snoozed_until(self) -> datetime | None: ...


def rules_of(person: _Zoned, schedule: _Timetable) -> ScheduleRules:
    """The schedule rules of a person and their schedule (ORM objects, or one row of the
    dispatcher's claim that has the columns of both)."""
    return ScheduleRules(
        time_zone=person.time_zone,
        working_days=schedule.working_days,
        day_start=schedule.day_start,
        day_end=schedule.day_end,
        interval_minutes=schedule.interval_minutes,
        lunch_start=schedule.lunch_start,
        lunch_end=schedule.lunch_end,
        paused_until=schedule.paused_until,
        snoozed_until=schedule.snoozed_until,
    )


def reschedule(person: Person, schedule: Schedule, now: datetime) -> None:
    """Set the next nudge and weekly summary from the person's settings; none while setting
    up or blocked."""
    if person.blocked_at is not None or person.setup_step is not None:
        schedule.next_nudge_at = schedule.following_nudge_at = schedule.next_summary_at = None
        return
    schedule.next_nudge_at, schedule.following_nudge_at = upcoming(rules_of(person, schedule), now)
    schedule.next_summary_at = (
        next_summary_after(
            ZoneInfo(person.time_zone), schedule.working_days, schedule.day_end, now
        )
        if person.weekly_summary
        else None
    )


def local_now(person: Person, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(person.time_zone))
