"""The nudge message and its buttons (Start, Snooze, Skip, Done on my own), and /schedule."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Message, Update

from bot.chat import callbacks as cb
from bot.chat import keyboards, texts
from bot.chat.context import Context
from bot.chat.handlers.routine import start_routine
from bot.chat.interaction import pressed
from bot.chat.people import person_of, reschedule, rules_of
from bot.coach.inputs import InputError, describe_days, parse_schedule_change
from bot.coach.schedule import nudges_between
from bot.nudges.dispatcher import Claimed
from bot.storage import repo

SNOOZE = timedelta(minutes=15)
ACTIONS = {
    "start": ("nudge_started", "▶ Starting your break…"),
    "snooze": ("nudge_snoozed", "⏰ Snoozed for 15 minutes."),
    "skip": ("nudge_skipped", "Skipped this one."),
    "own": ("nudge_done_own", "✓ Nice — you moved on your own."),
}


def slot_key(slot: datetime) -> int:
    """A slot as whole minutes since the epoch: short enough for callback data."""
    return int(slot.timestamp() // 60)


def render_nudge(nudge: Claimed) -> tuple[str, InlineKeyboardMarkup]:
    return _nudge_message(slot_key(nudge.slot), nudge.minutes, nudge.place)


@functools.lru_cache(maxsize=256)
def _nudge_message(key: int, minutes: int, place: str) -> tuple[str, InlineKeyboardMarkup]:
    # Everyone due at the same minute with the same break gets the same message, so it is
    # built once (the markup is immutable) and the dispatcher serialises it once.
    where = "desk stretch" if place == "desk" else "stretch on the floor"
    text = f"🧍 <b>Time to get up</b>: a {minutes}-minute {where}?"
    return text, keyboards.markup(
        [
            keyboards.button("Start ▶", cb.NUDGE, "start", key),
            keyboards.button("Snooze 15 min", cb.NUDGE, "snooze", key),
        ],
        [
            keyboards.button("Skip", cb.NUDGE, "skip", key),
            keyboards.button("Done on my own", cb.NUDGE, "own", key),
        ],
    )


async def nudge_button(update: Update, context: Context) -> None:
    """Answer a nudge; only the latest, unanswered nudge counts."""
    press = await pressed(update, parts=2)
    if press is None:
        return
    query, data = press
    action, key = data.parts[0], data.int_part(1)
    if action not in ACTIONS or key is None:
        await query.answer(texts.STALE_BUTTON)
        return
    services = context.services
    now = services.clock()
    async with services.unit() as session:
        person = await person_of(session, update)
        if person is None:
            await query.answer(texts.START_FIRST)
            return
        schedule = await repo.schedule_for(session, person.id)
        last = schedule.last_nudge_at
        if last is None or slot_key(last) != key or schedule.last_nudge_answered:
            await query.answer(texts.STALE_BUTTON)
            return
        schedule.last_nudge_answered = True
        kind, reply = ACTIONS[action]
        await repo.log_activity(session, person.id, kind, at=now)
        if action == "snooze":
            schedule.snoozed_until = now + SNOOZE
            reschedule(person, schedule, now)
        person_id = person.id
    await query.answer()
    if isinstance(query.message, Message):
        await query.edit_message_text(reply, parse_mode="HTML")
    if action == "start":
        await start_routine(context, person_id, None, None, None, "nudge")


async def schedule_command(update: Update, context: Context) -> None:
    """/schedule: today's remaining nudges; change days, hours, how often and a quiet lunch."""
    message = update.effective_message
    if message is None:
        return
    args = " ".join(context.args or []).strip()
    services = context.services
    now = services.clock()
    async with services.unit() as session:
        person = await person_of(session, update)
        if person is None:
            await message.reply_html(texts.START_FIRST)
            return
        schedule = await repo.schedule_for(session, person.id)
        problem = None
        try:
            change = parse_schedule_change(args, schedule.working_days) if args else None
        except InputError as error:
            problem = str(error)
            change = None
        if change is not None:
            if change.hours is not None:
                schedule.working_days = change.hours.days
                schedule.day_start, schedule.day_end = change.hours.start, change.hours.end
            if change.interval_minutes is not None:
                schedule.interval_minutes = change.interval_minutes
            if change.no_lunch:
                schedule.lunch_start = schedule.lunch_end = None
            elif change.lunch is not None:
                schedule.lunch_start, schedule.lunch_end = change.lunch
        if problem is None:
            reschedule(person, schedule, now)
        zone = ZoneInfo(person.time_zone)
        local = now.astimezone(zone)
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        today = nudges_between(rules_of(person, schedule), now, midnight.astimezone(now.tzinfo))
        upcoming = schedule.next_nudge_at
        summary = (
            f"<b>Your nudges</b> ({texts.escaped(person.time_zone)})\n"
            f"{describe_days(schedule.working_days)} {schedule.day_start:%H:%M}–"
            f"{schedule.day_end:%H:%M}, every {schedule.interval_minutes} min"
        )
        if schedule.lunch_start and schedule.lunch_end:
            summary += f", quiet {schedule.lunch_start:%H:%M}–{schedule.lunch_end:%H:%M}"
        paused = schedule.paused_until
    if problem is not None:
        await message.reply_html(texts.escaped(problem))
        return
    lines = [summary]
    if paused is not None and paused > now:
        lines.append(f"Paused until {paused.astimezone(zone):%a %d %b %H:%M}.")
    if today:
        lines.append("Still today: " + ", ".join(f"{s.astimezone(zone):%H:%M}" for s in today))
    elif upcoming is not None:
        lines.append(f"No more today. Next: {upcoming.astimezone(zone):%a %H:%M}.")
    else:
        lines.append("No nudges are planned.")
    lines.append(
        "Change with <code>/schedule Mon-Fri 08:30-17:00</code>, "
        "<code>/schedule every 45 min</code>, "
        "<code>/schedule lunch 12:00-13:00</code> (or <code>lunch off</code>)."
    )
    await message.reply_html("\n".join(lines), reply_markup=keyboards.settings_schedule())
