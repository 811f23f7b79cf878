"""/pause, /resume, /help, /about, /privacy and /forget."""

from __future__ import annotations

from datetime import UTC

from telegram import Update

from bot.chat import keyboards, texts
from bot.chat.context import Context
from bot.chat.interaction import pressed
from bot.chat.people import local_now, person_of, reschedule
from bot.coach.inputs import InputError, parse_pause
from bot.storage import repo


async def help_command(update: Update, context: Context) -> None:
    """/help: every command in one message."""
    if update.effective_message is not None:
        await update.effective_message.reply_html(texts.HELP)


async def about_command(update: Update, context: Context) -> None:
    """/about: where the content comes from, and the safety note."""
    if update.effective_message is None:
        return
    sources = context.services.catalogue.sources
    lines = [
        "<b>About Limber</b>",
        "Every pose is written in Limber's own words from these articles on yoga for lower "
        "back pain, and each pose names the ones it comes from:",
    ]
    for source in sources:
        author = f" — {texts.escaped(source.author)}" if source.author else ""
        lines.append(f"• <i>{texts.escaped(source.title)}</i>{author}")
    await update.effective_message.reply_html("\n".join(lines) + "\n\n" + texts.SAFETY_NOTE)


async def privacy_command(update: Update, context: Context) -> None:
    """/privacy: what is stored and why."""
    if update.effective_message is not None:
        await update.effective_message.reply_html(texts.PRIVACY)


async def pause_command(update: Update, context: Context) -> None:
    """/pause 1h | 2h | today | until Monday | N days."""
    message = update.effective_message
    if message is None:
        return
    text = " ".join(context.args or [])
    if not text:
        await message.reply_html(texts.PAUSE_ASK, reply_markup=keyboards.pauses())
        return
    reply = await _pause(update, context, text)
    await message.reply_html(reply)


async def pause_button(update: Update, context: Context) -> None:
    """One of the /pause buttons."""
    press = await pressed(update, parts=1)
    if press is None:
        return
    query, data = press
    value = data.parts[0]
    if value == "menu":
        await query.answer()
        await query.edit_message_reply_markup(reply_markup=keyboards.pauses())
        return
    if value not in {v for _, v in keyboards.PAUSES}:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    await query.edit_message_text(await _pause(update, context, value), parse_mode="HTML")


async def _pause(update: Update, context: Context, text: str) -> str:
    services = context.services
    async with services.unit() as session:
        person = await person_of(session, update)
        if person is None:
            return texts.START_FIRST
        now = services.clock()
        try:
            until = parse_pause(text, local_now(person, now))
        except InputError as error:
            return texts.escaped(str(error))
        schedule = await repo.schedule_for(session, person.id)
        schedule.paused_until = until.astimezone(UTC)
        schedule.snoozed_until = None
        reschedule(person, schedule, now)
    return (
        f"Paused until <b>{until:%a %d %b, %H:%M}</b> your time. "
        "/resume brings nudges back sooner."
    )


async def resume_command(update: Update, context: Context) -> None:
    """/resume: nudges back on now."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    async with services.unit() as session:
        person = await person_of(session, update)
        if person is None:
            await message.reply_html(texts.START_FIRST)
            return
        schedule = await repo.schedule_for(session, person.id)
        schedule.paused_until = None
        schedule.snoozed_until = None
        reschedule(person, schedule, services.clock())
        following = schedule.next_nudge_at
        zone_now = local_now(person, services.clock())
    reply = texts.RESUMED
    if following is not None:
        reply += f" Next nudge: {following.astimezone(zone_now.tzinfo):%a %H:%M}."
    await message.reply_html(reply)


async def forget_command(update: Update, context: Context) -> None:
    """/forget: ask before deleting everything."""
    if update.effective_message is not None:
        await update.effective_message.reply_html(
            texts.FORGET_CONFIRM, reply_markup=keyboards.forget()
        )


async def forget_button(update: Update, context: Context) -> None:
    """The /forget confirmation."""
    press = await pressed(update, parts=1)
    if press is None:
        return
    query, data = press
    answer = data.parts[0]
    if answer not in {"yes", "no"}:
        await query.answer(texts.STALE_BUTTON)
        return
    if answer == "no":
        await query.answer()
        await query.edit_message_text(texts.FORGET_CANCELLED)
        return
    async with context.services.unit() as session:
        person = await person_of(session, update)
        if person is not None:
            await repo.delete_person(session, person.id)
    await query.answer()
    await query.edit_message_text(texts.FORGOTTEN)
