"""The weekly summary: at the end of a person's last working day of the week, a short message
with the week's chart, for those who switched it on in /settings.

Like nudges, a summary's due time is a row (``schedules.next_summary_at``, UTC, indexed). A
repeating job claims the due rows with a compare-and-set (behind ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL) and moves each to the next week before sending, so every summary goes out once,
whatever restarts or extra workers do. One that fell due while the bot was down for longer
than ``stale_after`` is skipped rather than sent days late.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.chat import chart, texts
from bot.coach.progress import (
    BREAK_KINDS,
    break_dates,
    day_summaries,
    next_summary_after,
    streaks,
    week_start,
)
from bot.storage import repo, unit_of_work
from bot.storage.models import Person, Schedule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WeekSummary:
    person_id: int
    chat_id: int
    due: datetime
    text: str
    chart: chart.ChartData


class WeeklySummaries:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bot: Bot,
        *,
        clock: Callable[[], datetime],
        stale_after: timedelta = timedelta(hours=6),
        batch_size: int = 100,
    ) -> None:
        self.sessions = sessions
        self.bot = bot
        self.clock = clock
        self.stale_after = stale_after
        self.batch_size = batch_size

    async def tick(self) -> list[WeekSummary]:
        """Send every summary that is due; returns the ones sent."""
        sent: list[WeekSummary] = []
        while True:
            due, claimed = await self._claim()
            for summary in due:
                if await self._send(summary):
                    sent.append(summary)
            if claimed < self.batch_size:
                return sent

    async def _claim(self) -> tuple[list[WeekSummary], int]:
        now = self.clock()
        due: list[WeekSummary] = []
        async with unit_of_work(self.sessions) as session:
            rows = await repo.due_weekly_summaries(session, now, self.batch_size)
            for person, schedule in rows:
                slot = schedule.next_summary_at
                if slot is None:
                    continue
                following = next_summary_after(
                    ZoneInfo(person.time_zone), schedule.working_days, schedule.day_end, now
                )
                if not await repo.move_summary(session, person.id, slot, following):
                    continue  # another worker took it
                if now - slot <= self.stale_after and person.weekly_summary:
                    due.append(await self._summary(session, person, schedule, slot))
        return due, len(rows)

    async def _summary(
        self, session: AsyncSession, person: Person, schedule: Schedule, due: datetime
    ) -> WeekSummary:
        zone = ZoneInfo(person.time_zone)
        last_day = due.astimezone(zone).date()
        monday = week_start(last_day)
        activity = await repo.activity_of(
            session, person.id, since=due - timedelta(days=(last_day - monday).days + 2)
        )
        days = day_summaries(activity, zone, (last_day - monday).days + 1, last_day)
        history = await repo.activity_of(session, person.id, kinds=BREAK_KINDS)
        current, _ = streaks(break_dates(history, zone), schedule.working_days, last_day)
        text = texts.weekly_summary(
            breaks=sum(d.breaks for d in days),
            nudges=sum(d.nudges for d in days),
            days_with_breaks=sum(1 for d in days if d.breaks),
            minutes=sum(d.minutes for d in days),
            current=current,
        )
        title = f"Week of {monday:%d %b}"
        return WeekSummary(
            person.id,
            person.chat_id,
            due,
            text,
            chart.chart_data(days, title, schedule.working_days),
        )

    async def _send(self, summary: WeekSummary) -> bool:
        try:
            png = await chart.render_chart_async(summary.chart)
            await self.bot.send_photo(
                summary.chat_id, png, caption=summary.text, parse_mode="HTML"
            )
        except Forbidden:
            # Blocked: the nudge dispatcher notices and records it at the next nudge.
            log.info("Weekly summary not sent to person %s: blocked", summary.person_id)
            return False
        except TelegramError as error:
            log.warning(
                "Weekly summary not sent to person %s: %s", summary.person_id, error.message
            )
            return False
        return True
