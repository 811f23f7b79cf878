"""/start, the safety note, the setup questions and /settings.

Setup asks five questions in order; each can be answered with a button, typed (time zone and
hours) or skipped. /settings reuses the same questions one at a time. Where a person stands is
``Person.setup_step``: "safety", then the question ("tz", "hours", ...), or "edit:<field>"
while changing one setting; None when nothing is pending.
"""

from __future__ import annotations

from datetime import time
from zoneinfo import available_timezones

from telegram import InlineKeyboardMarkup, Update

from bot.chat import keyboards, texts
from bot.chat.context import Context
from bot.chat.interaction import pressed
from bot.chat.people import local_now, person_of, reschedule
from bot.coach.inputs import InputError, describe_days, parse_time_zone, parse_working_hours
from bot.storage import repo
from bot.storage.models import Person, Schedule

QUESTIONS = ("tz", "hours", "interval", "place", "length")
KEYBOARDS: dict[str, InlineKeyboardMarkup] = {
    "tz": keyboards.time_zones(),
    "hours": keyboards.hours(),
    "interval": keyboards.intervals(),
    "place": keyboards.places(),
    "length": keyboards.lengths(),
}


def prompt(field: str, *, in_setup: bool) -> tuple[str, InlineKeyboardMarkup]:
    number = QUESTIONS.index(field) + 1 if in_setup else None
    return texts.question(field, number, len(QUESTIONS)), KEYBOARDS[field]


def settings_text(person: Person, schedule: Schedule) -> str:
    lunch = (
        f", quiet {schedule.lunch_start:%H:%M}–{schedule.lunch_end:%H:%M}"
        if schedule.lunch_start and schedule.lunch_end
        else ""
    )
    return (
        "<b>Your settings</b>\n"
        f"Time zone: {texts.escaped(person.time_zone)}\n"
        f"Working hours: {describe_days(schedule.working_days)} "
        f"{schedule.day_start:%H:%M}–{schedule.day_end:%H:%M}{lunch}\n"
        f"Nudge every: {schedule.interval_minutes} min\n"
        f"Usually at: {'a desk' if schedule.place == 'desk' else 'a floor'}\n"
        f"Break length: {schedule.routine_minutes} min\n"
        f"Auto-advance between poses: {'on' if person.auto_advance else 'off'}\n"
        f"Pain check before and after a break: {'on' if person.pain_check else 'off'}\n"
        f"Weekly summary: {'on' if person.weekly_summary else 'off'}"
    )


def settings_keyboard(person: Person) -> InlineKeyboardMarkup:
    return keyboards.settings(
        auto_advance=person.auto_advance,
        pain_check=person.pain_check,
        weekly_summary=person.weekly_summary,
    )


# The /settings buttons that flip a switch instead of asking a question.
TOGGLES = frozenset({"auto", "pain", "weekly"})


def _next_question(step: str) -> str | None:
    index = QUESTIONS.index(step)
    return QUESTIONS[index + 1] if index + 1 < len(QUESTIONS) else None


async def start(update: Update, context: Context) -> None:
    """Welcome a new person with the safety note; welcome back someone we know."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or update.effective_chat is None:
        return
    services = context.services
    async with services.unit() as session:
        person, created = await repo.get_or_create_person(
            session, user.id, update.effective_chat.id, user.language_code
        )
        schedule = await repo.schedule_for(session, person.id)
        if person.blocked_at is not None:
            person.blocked_at = None
            reschedule(person, schedule, services.clock())
        step = person.setup_step
        summary = settings_text(person, schedule)
    if created or step == "safety":
        await message.reply_html(texts.WELCOME)
        await message.reply_html(texts.SAFETY_NOTE, reply_markup=keyboards.safety())
    elif step in QUESTIONS:
        await message.reply_html(texts.WELCOME_BACK)
        text, markup = prompt(step, in_setup=True)
        await message.reply_html(text, reply_markup=markup)
    else:
        await message.reply_html(f"{texts.WELCOME_BACK}\n\n{summary}\n\n{texts.SETUP_DONE}")


async def accept_safety(update: Update, context: Context) -> None:
    """The safety note's button: record it, then ask the first setup question."""
    query = update.callback_query
    if query is None or update.effective_user is None:
        return
    async with context.services.unit() as session:
        person = await person_of(session, update)
        if person is None:
            await query.answer(texts.START_FIRST)
            return
        first_time = person.safety_accepted_at is None
        if first_time:
            person.safety_accepted_at = context.services.clock()
        if person.setup_step == "safety":
            person.setup_step = QUESTIONS[0]
            ask = True
        else:
            ask = False
    await query.answer("Thanks")
    await query.edit_message_reply_markup(reply_markup=None)
    if ask:
        await context.bot.send_message(
            query.message.chat.id if query.message else person.chat_id,
            texts.SAFETY_ACCEPTED,
            parse_mode="HTML",
        )
        text, markup = prompt(QUESTIONS[0], in_setup=True)
        await context.bot.send_message(
            person.chat_id, text, parse_mode="HTML", reply_markup=markup
        )


def _apply(person: Person, schedule: Schedule, field: str, value: str) -> str | None:
    """Store one answer; returns an error for the person when the value is not acceptable."""
    if value == "skip":
        return None
    if field == "tz":
        if value not in available_timezones():
            return "That isn't a time zone I know."
        person.time_zone = value
    elif field == "hours":
        if value != "default":
            return "Type your hours, e.g. Mon-Fri 09:00-17:30."
        schedule.working_days, schedule.day_start, schedule.day_end = (
            0b0011111,
            time(9),
            time(17, 30),
        )
    elif field == "interval":
        if value not in {str(m) for m in keyboards.INTERVALS}:
            return "Pick one of the buttons."
        schedule.interval_minutes = int(value)
    elif field == "place":
        if value not in {"desk", "floor"}:
            return "Pick one of the buttons."
        schedule.place = value
    elif field == "length":
        if value not in {str(m) for m in keyboards.LENGTHS}:
            return "Pick one of the buttons."
        schedule.routine_minutes = int(value)
    else:
        return texts.STALE_BUTTON
    return None


async def _answered(
    update: Update, context: Context, field: str, value: str, *, typed: bool
) -> None:
    """Store an answer to a setup or settings question and move on to what comes next."""
    message = update.effective_message
    services = context.services
    async with services.unit() as session:
        person = await person_of(session, update)
        if person is None:
            if update.callback_query:
                await update.callback_query.answer(texts.START_FIRST)
            return
        step = person.setup_step
        editing = step == f"edit:{field}"
        if step != field and not editing:
            if update.callback_query:
                await update.callback_query.answer(texts.STALE_BUTTON)
            return
        schedule = await repo.schedule_for(session, person.id)
        problem = _apply(person, schedule, field, value)
        if problem is None:
            following = None if editing else _next_question(field)
            person.setup_step = following
            reschedule(person, schedule, services.clock())
        summary = settings_text(person, schedule)
    if update.callback_query:
        await update.callback_query.answer(problem or "Saved")
        if problem is None:
            await update.callback_query.edit_message_reply_markup(reply_markup=None)
    if problem is not None:
        if typed and message is not None:
            await message.reply_html(texts.escaped(problem))
        return
    chat_id = person.chat_id
    if following is not None:
        text, markup = prompt(following, in_setup=True)
        await context.bot.send_message(chat_id, text, parse_mode="HTML", reply_markup=markup)
    elif editing:
        await context.bot.send_message(
            chat_id,
            summary,
            parse_mode="HTML",
            reply_markup=settings_keyboard(person),
        )
    else:
        await context.bot.send_message(
            chat_id, f"{summary}\n\n{texts.SETUP_DONE}", parse_mode="HTML"
        )


async def config_button(update: Update, context: Context) -> None:
    """A setup or settings answer given with a button."""
    press = await pressed(update, parts=2)
    if press is None:
        return
    field, value = press[1].parts
    await _answered(update, context, field, value, typed=False)


async def typed_answer(update: Update, context: Context) -> None:
    """Plain text: an answer to the time-zone or hours question, or a hint."""
    message = update.effective_message
    if message is None or not message.text:
        return
    async with context.services.unit() as session:
        person = await person_of(session, update)
        step = person.setup_step if person else None
        schedule = await repo.schedule_for(session, person.id) if person else None
        if (
            person is not None
            and schedule is not None
            and step in {"tz", "edit:tz", "hours", "edit:hours"}
        ):
            field = step.removeprefix("edit:")
            try:
                if field == "tz":
                    person.time_zone = parse_time_zone(message.text)
                else:
                    hours = parse_working_hours(message.text, schedule.working_days)
                    schedule.working_days, schedule.day_start, schedule.day_end = (
                        hours.days,
                        hours.start,
                        hours.end,
                    )
            except InputError as error:
                await message.reply_html(texts.escaped(str(error)))
                return
    if person is None:
        await message.reply_html(texts.START_FIRST)
        return
    if step in {"tz", "edit:tz", "hours", "edit:hours"}:
        field = (step or "").removeprefix("edit:")
        # The value is stored; "skip" moves the flow on exactly as a button would.
        await _answered(update, context, field, "skip", typed=True)
        return
    await message.reply_html(texts.NOT_UNDERSTOOD)


async def settings_command(update: Update, context: Context) -> None:
    """/settings: what is set, with a button to change each."""
    message = update.effective_message
    if message is None:
        return
    async with context.services.unit() as session:
        person = await person_of(session, update)
        if person is None:
            await message.reply_html(texts.START_FIRST)
            return
        schedule = await repo.schedule_for(session, person.id)
        text = settings_text(person, schedule)
        local = local_now(person, context.services.clock())
    await message.reply_html(
        f"{text}\nLocal time now: {local:%a %H:%M}",
        reply_markup=settings_keyboard(person),
    )


async def settings_button(update: Update, context: Context) -> None:
    """A /settings button: ask that one question again, or flip a switch."""
    press = await pressed(update, parts=1)
    if press is None:
        return
    query, data = press
    field = data.parts[0]
    if field not in {*QUESTIONS, *TOGGLES}:
        await query.answer(texts.STALE_BUTTON)
        return
    async with context.services.unit() as session:
        person = await person_of(session, update)
        if person is None:
            await query.answer(texts.START_FIRST)
            return
        if person.setup_step in QUESTIONS or person.setup_step == "safety":
            await query.answer("Finish the setup questions first.")
            return
        if field == "auto":
            person.auto_advance = not person.auto_advance
        elif field == "pain":
            person.pain_check = not person.pain_check
        elif field == "weekly":
            person.weekly_summary = not person.weekly_summary
        if field in TOGGLES:
            schedule = await repo.schedule_for(session, person.id)
            reschedule(person, schedule, context.services.clock())
            text = settings_text(person, schedule)
        else:
            person.setup_step = f"edit:{field}"
    await query.answer()
    if field in TOGGLES:
        await query.edit_message_text(
            text, parse_mode="HTML", reply_markup=settings_keyboard(person)
        )
        return
    question, markup = prompt(field, in_setup=False)
    await context.bot.send_message(
        person.chat_id, question, parse_mode="HTML", reply_markup=markup
    )
