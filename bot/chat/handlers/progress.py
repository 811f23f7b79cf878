"""/stats (today, streak, this week, pain trend and a 14-day chart) and /export."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import Update

from bot.chat import chart, texts
from bot.chat.context import Context
from bot.chat.export import activity_csv, export_json
from bot.chat.people import person_of
from bot.coach.progress import (
    BREAK_KINDS,
    DaySummary,
    Entry,
    break_dates,
    day_summaries,
    minutes_this_week,
    pain_pairs,
    pain_trend,
    streaks,
)
from bot.storage import repo

CHART_DAYS = 14


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant a local date begins (or, where midnight is skipped, just after)."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def pain_text(entries: Sequence[Entry]) -> str | None:
    trend = pain_trend(pain_pairs(entries))
    if trend is None:
        return None
    return texts.pain_line(
        [(p.before or 0, p.after or 0) for p in trend.recent],
        trend.average_relief,
        trend.earlier_before,
        trend.later_before,
    )


def anything_to_draw(days: Sequence[DaySummary]) -> bool:
    return any(d.breaks or d.nudges or d.minutes for d in days)


async def stats_command(update: Update, context: Context) -> None:
    """/stats: today's breaks against nudges, the streak, this week's minutes, a chart."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    now = services.clock()
    async with services.unit() as session:
        person = await person_of(session, update)
        if person is None:
            await message.reply_html(texts.START_FIRST)
            return
        zone = ZoneInfo(person.time_zone)
        today = now.astimezone(zone).date()
        working_days = (await repo.schedule_for(session, person.id)).working_days
        # The whole history of breaks for the best streak; everything for the chart's days.
        breaks = await repo.activity_of(session, person.id, kinds=BREAK_KINDS)
        first_day = today - timedelta(days=CHART_DAYS - 1)
        recent = await repo.activity_of(
            session, person.id, since=local_midnight(first_day, zone) - timedelta(days=1)
        )
        pain = await repo.recent_pain_scores(session, person.id)
    days = day_summaries(recent, zone, CHART_DAYS, today)
    current, best = streaks(break_dates(breaks, zone), working_days, today)
    text = texts.stats(
        days[-1].breaks,
        days[-1].nudges,
        current,
        best,
        minutes_this_week(recent, zone, today),
        pain_text(pain),
    )
    if not anything_to_draw(days):
        await message.reply_html(f"{text}\n\n{texts.STATS_NOTHING_YET}")
        return
    await message.reply_html(text)
    data = chart.chart_data(days, f"Your last {CHART_DAYS} days", working_days)
    png = await chart.render_chart_async(data)
    await message.reply_photo(png, caption=texts.CHART_CAPTION)


async def export_command(update: Update, context: Context) -> None:
    """/export: everything stored about the person, as a JSON file and a CSV of the log."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    now = services.clock()
    async with services.unit() as session:
        person = await person_of(session, update)
        records = await repo.person_records(session, person.id) if person else None
    if person is None or records is None:
        await message.reply_html(texts.START_FIRST)
        return
    zone = ZoneInfo(person.time_zone)
    stem = f"limber-export-{now.astimezone(zone).date().isoformat()}"
    await message.reply_document(
        export_json(records, now), filename=f"{stem}.json", caption=texts.EXPORT_JSON_CAPTION
    )
    await message.reply_document(
        activity_csv(records.activity, zone),
        filename=f"{stem}.csv",
        caption=texts.EXPORT_CSV_CAPTION,
    )
