"""The optional pain check: a 0–10 score before and after a routine, each skippable.

The routine asks (handlers/routine.py); the answers arrive here. Each answer is accepted once,
for a run of the person who pressed, at the right moment (before: the run has not begun its
first pose; after: the run is done). The run's plan records that the question was answered,
and the score goes to the activity log as pain_before / pain_after.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, Update

from bot.chat import callbacks as cb
from bot.chat import texts
from bot.chat.context import Context
from bot.chat.handlers.routine import show_step
from bot.chat.interaction import quietly
from bot.chat.people import person_of
from bot.chat.player import PAIN_KEY
from bot.coach.progress import pain_pairs, should_suggest_gentler
from bot.storage import repo

log = logging.getLogger(__name__)

SKIP = "skip"


def _answer(update: Update) -> tuple[int, int | None] | None:
    """(run id, score or None for Skip) from a pain button; None if it does not parse."""
    query = update.callback_query
    data = cb.unpack(query.data if query else None, parts=2)
    if data is None:
        return None
    run_id, value = data.int_part(0), data.part(1)
    if run_id is None or value is None:
        return None
    if value == SKIP:
        return run_id, None
    score = data.int_part(1)
    if score is None or not 0 <= score <= 10:
        return None
    return run_id, score


async def _record(
    update: Update, context: Context, when: str, answer: tuple[int, int | None]
) -> tuple[int, int, dict[str, Any]] | str:
    """Store one answer; (person id, chat id, plan) or the notice for a button that does
    nothing ("not_yours" or "stale")."""
    run_id, score = answer
    async with context.services.unit() as session:
        person = await person_of(session, update)
        # Locked, so two presses handled at once (two workers) cannot both answer.
        run = await repo.run_for_update(session, run_id)
        if person is None or run is None or run.person_id != person.id:
            return "not_yours"
        pain = run.plan.get(PAIN_KEY)
        due = (
            run.state == "active" and run.current_step == 0
            if when == "before"
            else run.state == "done"
        )
        if not isinstance(pain, dict) or not due or pain.get(when) is not None:
            return "stale"
        # A new dict, so the JSON column is seen to change.
        run.plan = {**run.plan, PAIN_KEY: {**pain, when: SKIP if score is None else score}}
        if score is not None:
            await repo.log_activity(
                session,
                person.id,
                f"pain_{when}",
                at=context.services.clock(),
                score=score,
                run_id=run_id,
            )
        return person.id, person.chat_id, run.plan


async def _close_question(update: Update, question: str, score: int | None) -> None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    await quietly(
        query.edit_message_text(texts.pain_answered(question, score), parse_mode="HTML"),
        "Closing a pain question",
    )


async def _take_answer(
    update: Update, context: Context, when: str, question: str
) -> tuple[tuple[int, int | None], int, int, dict[str, Any]] | None:
    """Parse, record and acknowledge a pain answer; None (after a notice) when the press
    is malformed, someone else's or already answered."""
    query = update.callback_query
    if query is None:
        return None
    answer = _answer(update)
    if answer is None:
        await query.answer(texts.STALE_BUTTON)
        return None
    recorded = await _record(update, context, when, answer)
    if isinstance(recorded, str):
        await query.answer(texts.NOT_YOURS if recorded == "not_yours" else texts.STALE_BUTTON)
        return None
    await query.answer()
    await _close_question(update, question, answer[1])
    person_id, chat_id, plan = recorded
    return answer, person_id, chat_id, plan


async def pain_before_button(update: Update, context: Context) -> None:
    """A score (or Skip) before the routine: record it, then show the first pose."""
    taken = await _take_answer(update, context, "before", texts.PAIN_BEFORE)
    if taken is not None:
        (run_id, _), person_id, chat_id, plan = taken
        await show_step(context, person_id, chat_id, run_id, plan, 0)


async def pain_after_button(update: Update, context: Context) -> None:
    """A score (or Skip) after the routine; worse after than before twice running gets
    the suggestion to go gentler and see a professional."""
    taken = await _take_answer(update, context, "after", texts.PAIN_AFTER)
    if taken is None:
        return
    answer, person_id, chat_id, plan = taken
    score = answer[1]
    if score is None:
        return
    before = plan[PAIN_KEY].get("before")
    before = before if isinstance(before, int) else None
    reply = texts.pain_compared(before, score)
    async with context.services.unit() as session:
        pairs = pain_pairs(await repo.recent_pain_scores(session, person_id))
    # Judged only when this routine has both scores, so an old pair of bad routines is not
    # brought up again after a routine whose first question was skipped.
    if before is not None and should_suggest_gentler(pairs):
        reply += "\n\n" + texts.GENTLER
    await context.bot.send_message(chat_id, reply, parse_mode="HTML")
