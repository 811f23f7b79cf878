"""/caution: tell Limber what to be careful with; list, remove and clear cautions."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.catalogue import Catalogue, RedFlagFound, TagFound, UnknownCaution, normalise
from bot.chat import keyboards, texts
from bot.chat.context import Context
from bot.chat.interaction import pressed
from bot.chat.people import person_of
from bot.storage import repo

# Back pain is what every routine is for, not a caution that rules poses out.
BACK_PAIN = {
    "back pain",
    "lower back pain",
    "low back pain",
    "sore back",
    "back ache",
    "backache",
    "back",
}


def _label(catalogue: Catalogue, tag: str) -> str:
    try:
        return catalogue.tag(tag).label
    except KeyError:
        return tag


async def caution_command(update: Update, context: Context) -> None:
    """/caution [words] | /caution remove words | /caution clear."""
    message = update.effective_message
    if message is None:
        return
    catalogue = context.services.catalogue
    args = list(context.args or [])
    text = " ".join(args).strip()
    verb = args[0].lower() if args else ""

    if normalise(text) in BACK_PAIN:
        await message.reply_html(texts.BACK_PAIN_IS_THE_POINT)
        return
    # A red flag is answered before anything else and nothing is stored.
    if text and verb not in {"remove", "delete", "clear"}:
        parsed = catalogue.parse_cautions(text)
        flags = [p for p in parsed if isinstance(p, RedFlagFound)]
        if flags:
            await message.reply_html(
                f"<b>{texts.escaped(flags[0].red_flag.label)}</b>\n"
                f"{texts.escaped(catalogue.vocabulary.red_flag_advice)}"
            )
            return
    else:
        parsed = []

    async with context.services.unit() as session:
        person = await person_of(session, update)
        if person is None:
            await message.reply_html(texts.START_FIRST)
            return
        if not text:
            tags = await repo.caution_tags(session, person.id)
            painful = await repo.painful_pose_ids(session, person.id)
            reply, markup = _listing(catalogue, tags, painful)
        elif verb == "clear":
            await repo.clear_cautions(session, person.id)
            reply, markup = texts.CAUTIONS_CLEARED, None
        elif verb in {"remove", "delete"}:
            words = " ".join(args[1:])
            found = [p.tag.tag for p in catalogue.parse_cautions(words) if isinstance(p, TagFound)]
            if not words or not found:
                reply, markup = (
                    f"Which caution should I remove? {texts.CAUTION_USAGE}",
                    None,
                )
            else:
                removed = await repo.remove_cautions(session, person.id, found)
                names = ", ".join(_label(catalogue, t) for t in found)
                reply = (
                    f"Removed: {texts.escaped(names)}."
                    if removed
                    else (f"You didn't have {texts.escaped(names)}.")
                )
                markup = None
        else:
            tags = [p.tag.tag for p in parsed if isinstance(p, TagFound)]
            unknown = [p for p in parsed if isinstance(p, UnknownCaution)]
            added = await repo.add_cautions(session, person.id, tags)
            reply, markup = _added(catalogue, tags, added, unknown)
    await message.reply_html(reply, reply_markup=markup)


def _listing(
    catalogue: Catalogue, tags: list[str], painful: list[str]
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not tags and not painful:
        return texts.NO_CAUTIONS, None
    lines = []
    if tags:
        lines.append("<b>Your cautions</b>")
        lines += [f"• {texts.escaped(_label(catalogue, t))}" for t in tags]
    poses = []
    for pose_id in painful:
        try:
            poses.append((pose_id, catalogue.pose(pose_id).name))
        except KeyError:
            continue
    if poses:
        lines.append("<b>Poses you said hurt</b> (left out)")
        lines += [f"• {texts.escaped(name)}" for _, name in poses]
    lines.append(texts.CAUTION_USAGE)
    labelled = [(t, _label(catalogue, t)) for t in tags]
    return "\n".join(lines), keyboards.caution_list(labelled, poses)


def _added(
    catalogue: Catalogue, tags: list[str], added: list[str], unknown: list[UnknownCaution]
) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = []
    if added:
        names = ", ".join(_label(catalogue, t) for t in added)
        lines.append(
            f"Noted: <b>{texts.escaped(names)}</b>. Routines now leave out or adapt "
            "the poses that need it."
        )
    already = [t for t in tags if t not in added]
    if already:
        lines.append(
            f"Already noted: {texts.escaped(', '.join(_label(catalogue, t) for t in already))}."
        )
    markup = None
    if unknown:
        words = ", ".join(f"“{texts.escaped(u.text)}”" for u in unknown)
        closest = list(dict.fromkeys(t for u in unknown for t in u.closest))[:6]
        if closest:
            lines.append(f"I don't know {words}. Did you mean one of these?")
            markup = keyboards.suggested_cautions([(t, _label(catalogue, t)) for t in closest])
        else:
            known = ", ".join(sorted(t.tag.replace("_", " ") for t in catalogue.vocabulary.tags))
            lines.append(f"I don't know {words}. I know: {texts.escaped(known)}.")
    if not lines:
        lines.append(texts.CAUTION_USAGE)
    return "\n".join(lines), markup


async def caution_add_button(update: Update, context: Context) -> None:
    """A suggested caution's button: add it."""
    await _change(update, context, add=True)


async def caution_remove_button(update: Update, context: Context) -> None:
    """A listed caution's Remove button."""
    await _change(update, context, add=False)


async def _change(update: Update, context: Context, *, add: bool) -> None:
    press = await pressed(update, parts=1)
    if press is None:
        return
    query, data = press
    tag = data.parts[0]
    catalogue = context.services.catalogue
    if tag not in {t.tag for t in catalogue.vocabulary.tags}:
        await query.answer(texts.STALE_BUTTON)
        return
    async with context.services.unit() as session:
        person = await person_of(session, update)
        if person is None:
            await query.answer(texts.START_FIRST)
            return
        if add:
            await repo.add_cautions(session, person.id, [tag])
        else:
            await repo.remove_cautions(session, person.id, [tag])
        tags = await repo.caution_tags(session, person.id)
        painful = await repo.painful_pose_ids(session, person.id)
    label = _label(catalogue, tag)
    await query.answer(f"{'Added' if add else 'Removed'}: {label}")
    reply, markup = _listing(catalogue, tags, painful)
    await query.edit_message_text(reply, parse_mode="HTML", reply_markup=markup)


async def allow_pose_button(update: Update, context: Context) -> None:
    """Let a pose that once hurt back into routines."""
    press = await pressed(update, parts=1)
    if press is None:
        return
    query, data = press
    pose_id = data.parts[0]
    async with context.services.unit() as session:
        person = await person_of(session, update)
        if person is None:
            await query.answer(texts.STALE_BUTTON)
            return
        allowed = await repo.allow_pose(session, person.id, pose_id)
        tags = await repo.caution_tags(session, person.id)
        painful = await repo.painful_pose_ids(session, person.id)
    if not allowed:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer("Allowed again")
    reply, markup = _listing(context.services.catalogue, tags, painful)
    await query.edit_message_text(reply, parse_mode="HTML", reply_markup=markup)
