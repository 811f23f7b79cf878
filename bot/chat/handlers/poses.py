"""/pose NAME and /poses: look poses up and browse the catalogue."""

from __future__ import annotations

from typing import get_args

from telegram import InlineKeyboardMarkup, Update

from bot.catalogue import Catalogue, Pose, assess, pose_card
from bot.catalogue.models import Kind, Place
from bot.chat import keyboards, texts
from bot.chat.context import Context
from bot.chat.interaction import pressed
from bot.chat.people import person_of
from bot.storage import repo


def pose_html(
    pose: Pose, catalogue: Catalogue, cautions: list[str], variation: str | None = None
) -> str:
    """The pose card in HTML, with what the person's cautions mean for it."""
    first, _, rest = pose_card(pose, catalogue, variation).partition("\n")
    text = f"<b>{texts.escaped(first)}</b>\n{texts.escaped(rest)}"
    if cautions:
        verdict = assess(pose, cautions, catalogue.vocabulary)
        labels = ", ".join(catalogue.tag(t).label for t in verdict.reasons if t in cautions) or ""
        if verdict.verdict == "avoided":
            text += f"\n\n⛔ <b>Not for you</b> ({texts.escaped(labels)}): routines leave it out."
        elif verdict.verdict == "modified" and verdict.variation:
            name = pose.variation(verdict.variation).name
            text += f"\n\n↺ <b>For you</b>: routines give you {texts.escaped(name)} instead."
        for note in verdict.notes:
            text += f"\n⚠️ {texts.escaped(note)}"
    # Telegram's limit is 4096 characters; the longest cards are far below it, but be sure.
    return text[:4000]


async def _cautions(update: Update, context: Context) -> list[str]:
    async with context.services.unit() as session:
        person = await person_of(session, update)
        return await repo.caution_tags(session, person.id) if person else []


async def pose_command(update: Update, context: Context) -> None:
    """/pose NAME: one pose, or the closest ones as buttons."""
    message = update.effective_message
    if message is None:
        return
    name = " ".join(context.args or []).strip()
    catalogue = context.services.catalogue
    if not name:
        await message.reply_html(
            "Which pose? For example <code>/pose child's pose</code>. /poses lists them all."
        )
        return
    match = catalogue.find_pose(name)
    if match.pose is not None:
        cautions = await _cautions(update, context)
        await message.reply_html(pose_html(match.pose, catalogue, cautions, match.variation))
        return
    if match.suggestions:
        await message.reply_html(
            f"I don't know a pose called “{texts.escaped(name)}”. Did you mean:",
            reply_markup=keyboards.pose_choices([(p.id, p.name) for p in match.suggestions]),
        )
    else:
        await message.reply_html(
            f"I don't know a pose called “{texts.escaped(name)}”. /poses lists them all."
        )


async def poses_command(update: Update, context: Context) -> None:
    """/poses: browse by place and kind."""
    if update.effective_message is not None:
        count = len(context.services.catalogue.poses)
        await update.effective_message.reply_html(
            f"<b>{count} poses</b> from five articles on yoga for lower back pain. Browse by:",
            reply_markup=keyboards.browse_menu(),
        )


async def pose_button(update: Update, context: Context) -> None:
    """A pose's button: show it."""
    press = await pressed(update, parts=1)
    if press is None:
        return
    query, data = press
    catalogue = context.services.catalogue
    try:
        pose: Pose | None = catalogue.pose(data.parts[0])
    except KeyError:
        pose = None
    if pose is None or query.message is None:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    cautions = await _cautions(update, context)
    await context.bot.send_message(
        query.message.chat.id, pose_html(pose, catalogue, cautions), parse_mode="HTML"
    )


async def browse_button(update: Update, context: Context) -> None:
    """A /poses category: list its poses as buttons."""
    press = await pressed(update, parts=2)
    if press is None:
        return
    query, data = press
    facet, value = data.parts
    catalogue = context.services.catalogue
    if facet == "place" and value in get_args(Place):
        poses = catalogue.filter(place=value)  # type: ignore[arg-type]
    elif facet == "kind" and value in get_args(Kind):
        poses = catalogue.filter(kind=value)  # type: ignore[arg-type]
    else:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    label = texts.escaped(value.replace("_", " "))
    if not poses:
        await query.edit_message_text(
            f"No poses for {label}.", reply_markup=keyboards.browse_menu()
        )
        return
    await query.edit_message_text(
        f"<b>{label.capitalize()}</b>: {len(poses)} poses. Tap one.",
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup(
            [
                *keyboards.pose_choices([(p.id, p.name) for p in poses]).inline_keyboard,
                *keyboards.browse_menu().inline_keyboard,
            ]
        ),
    )
