"""/routine: build a routine for the person and play it pose by pose.

Each pose is one message with Next, Skip, Stop and It hurts. The run (plan and current step)
is a row, and every button carries the run id and the step it belongs to, so an old button,
someone else's button or a double press changes nothing, and a restarted bot carries on.
With the pain check on, a 0–10 question comes before the first pose and after the summary;
the answers are handled in handlers/pain.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import Message, Update
from telegram.ext import Job

from bot.chat import callbacks as cb
from bot.chat import keyboards, texts
from bot.chat.context import Context
from bot.chat.interaction import pressed, quietly
from bot.chat.people import person_of
from bot.chat.player import (
    PAIN_KEY,
    PlannedStep,
    done_line,
    plan_from_routine,
    routine_intro,
    seconds_done,
    step_message,
    steps_of,
    summary,
)
from bot.coach.inputs import Focus, InputError, Place, parse_routine_args
from bot.coach.routine import RoutineRequest, build_routine
from bot.storage import repo
from bot.storage.models import Person, RoutineRun

log = logging.getLogger(__name__)

# Poses done this recently count as "recent" for variety.
RECENT_DAYS = 3


@dataclass(frozen=True)
class Countdown:
    run_id: int
    step: int
    person_id: int
    chat_id: int
    message_id: int
    ends_at: datetime


async def routine_command(update: Update, context: Context) -> None:
    """/routine [minutes] [desk|floor] [focus]: a break now."""
    message = update.effective_message
    if message is None:
        return
    try:
        wanted = parse_routine_args(list(context.args or []))
    except InputError as error:
        await message.reply_html(texts.escaped(str(error)))
        return
    async with context.services.unit() as session:
        person = await person_of(session, update)
    if person is None:
        await message.reply_html(texts.START_FIRST)
        return
    await start_routine(context, person.id, wanted.minutes, wanted.place, wanted.focus, "command")


async def start_routine(
    context: Context,
    person_id: int,
    minutes: int | None,
    place: Place | None,
    focus: Focus | None,
    origin: str,
) -> bool:
    """Build and store a routine for the person and show its first pose; False if none."""
    services = context.services
    now = services.clock()
    async with services.unit() as session:
        person = await session.get(Person, person_id)
        if person is None:
            return False
        chat_id = person.chat_id
        if person.safety_accepted_at is None:
            accepted = False
        else:
            accepted = True
            schedule = await repo.schedule_for(session, person.id)
            request = RoutineRequest(
                minutes=minutes or schedule.routine_minutes,
                place=place or ("floor" if schedule.place == "floor" else "desk"),
                focus=focus or "balanced",
                cautions=frozenset(await repo.caution_tags(session, person.id)),
                painful=frozenset(await repo.painful_pose_ids(session, person.id)),
                recent=tuple(
                    await repo.recent_pose_ids(
                        session, person.id, now - timedelta(days=RECENT_DAYS)
                    )
                ),
                seed=int(now.timestamp()) ^ person.id,
            )
            routine = build_routine(services.catalogue, request)
            plan = plan_from_routine(routine)
            asks_pain = person.pain_check and bool(routine.steps)
            if asks_pain:
                # The run remembers that it asks, and each answer once given, so the
                # question is asked after the routine too and each answer counts once.
                plan[PAIN_KEY] = {"before": None, "after": None}
            # A routine left unfinished for a new one is stopped (by start_run); the log
            # records it with what was done, as Stop would have.
            for left in await repo.active_runs(session, person.id):
                done_seconds = seconds_done(left.plan, left.current_step)
                await repo.log_activity(
                    session,
                    person.id,
                    "routine_stopped",
                    at=now,
                    minutes=round(done_seconds / 60, 2),
                    run_id=left.id,
                )
            run = await repo.start_run(session, person.id, plan, origin, now=now)
            run_id, plan = run.id, run.plan
            if not routine.steps:
                run.state, run.finished_at = "stopped", now
    if not accepted:
        await context.bot.send_message(chat_id, texts.ACCEPT_FIRST, parse_mode="HTML")
        await context.bot.send_message(
            chat_id, texts.SAFETY_NOTE, parse_mode="HTML", reply_markup=keyboards.safety()
        )
        return False
    await context.bot.send_message(chat_id, routine_intro(routine), parse_mode="HTML")
    if not routine.steps:
        return False
    if asks_pain:
        # The first pose follows the answer (pain.pain_before_button).
        await context.bot.send_message(
            chat_id,
            texts.PAIN_BEFORE,
            parse_mode="HTML",
            reply_markup=keyboards.pain_scale(cb.PAIN_BEFORE, run_id),
        )
        return True
    await show_step(context, person_id, chat_id, run_id, plan, 0)
    return True


async def show_step(
    context: Context, person_id: int, chat_id: int, run_id: int, plan: dict[str, Any], step: int
) -> None:
    steps = steps_of(plan)
    current = steps[step]
    sent = await context.bot.send_message(
        chat_id,
        step_message(current, step + 1, len(steps), current.hold_seconds, finished=False),
        parse_mode="HTML",
        reply_markup=keyboards.routine_step(run_id, step),
    )
    _start_countdown(
        context,
        Countdown(
            run_id=run_id,
            step=step,
            person_id=person_id,
            chat_id=chat_id,
            message_id=sent.message_id,
            ends_at=context.services.clock()
            + timedelta(seconds=current.hold_seconds * context.services.hold_scale),
        ),
    )


def _job_name(run_id: int) -> str:
    return f"countdown:{run_id}"


def _start_countdown(context: Context, countdown: Countdown) -> None:
    queue = context.job_queue
    if queue is None:
        return
    for job in queue.get_jobs_by_name(_job_name(countdown.run_id)):
        job.schedule_removal()
    interval = context.services.countdown_interval
    remaining = (countdown.ends_at - context.services.clock()).total_seconds()
    queue.run_repeating(
        countdown_tick,  # type: ignore[arg-type]
        interval=interval,
        first=max(min(interval, remaining), 0.0),
        data=countdown,
        name=_job_name(countdown.run_id),
        chat_id=countdown.chat_id,
    )


async def countdown_tick(context: Context) -> None:
    """Edit the pose message with the time left; at the end, move on or wait for Next."""
    job: Job[Context] | None = context.job
    if job is None or not isinstance(job.data, Countdown):
        return
    countdown = job.data
    services = context.services
    async with services.unit() as session:
        run = await session.get(RoutineRun, countdown.run_id)
        person = await session.get(Person, countdown.person_id)
        if (
            run is None
            or person is None
            or run.state != "active"
            or run.current_step != countdown.step
        ):
            job.schedule_removal()
            return
        plan, auto_advance = run.plan, person.auto_advance
    steps = steps_of(plan)
    current = steps[countdown.step]
    remaining = (countdown.ends_at - services.clock()).total_seconds()
    if remaining > 0.5:
        text = step_message(current, countdown.step + 1, len(steps), remaining, finished=False)
        await _edit(
            context,
            countdown.chat_id,
            countdown.message_id,
            text,
            countdown.run_id,
            countdown.step,
        )
        return
    job.schedule_removal()
    if auto_advance:
        await advance(
            context,
            countdown.person_id,
            countdown.run_id,
            countdown.step,
            "next",
            countdown.message_id,
        )
    else:
        text = step_message(current, countdown.step + 1, len(steps), 0, finished=True)
        await _edit(
            context,
            countdown.chat_id,
            countdown.message_id,
            text,
            countdown.run_id,
            countdown.step,
        )


async def _edit(
    context: Context, chat_id: int, message_id: int, text: str, run_id: int, step: int
) -> None:
    await quietly(
        context.bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode="HTML",
            reply_markup=keyboards.routine_step(run_id, step),
        ),
        "Countdown edit",
    )


async def run_button(update: Update, context: Context) -> None:
    """Next, Skip, Stop or It hurts on a pose message."""
    press = await pressed(update, parts=3)
    if press is None:
        return
    query, data = press
    run_id, step, action = data.int_part(0), data.int_part(1), data.parts[2]
    if run_id is None or step is None or action not in {"next", "skip", "stop", "hurt"}:
        await query.answer(texts.STALE_BUTTON)
        return
    async with context.services.unit() as session:
        person = await person_of(session, update)
    if person is None:
        await query.answer(texts.NOT_YOURS)
        return
    message_id = query.message.message_id if isinstance(query.message, Message) else None
    outcome = await advance(context, person.id, run_id, step, action, message_id)
    await query.answer(
        {"not_yours": texts.NOT_YOURS, "stale": texts.STALE_BUTTON}.get(outcome) or None
    )


async def advance(
    context: Context,
    person_id: int,
    run_id: int,
    step: int,
    action: str,
    message_id: int | None,
) -> str:
    """Move a run on from ``step``; returns "ok", "stale" or "not_yours"."""
    services = context.services
    async with services.unit() as session:
        run = await session.get(RoutineRun, run_id)
        if run is None or run.person_id != person_id:
            return "not_yours"
        if run.state != "active" or run.current_step != step:
            return "stale"
        person = await session.get(Person, person_id)
        if person is None:
            return "not_yours"
        chat_id = person.chat_id
        plan = dict(run.plan)
        steps = steps_of(plan)
        if step >= len(steps):
            return "stale"
        if action == "skip":
            plan["skipped"] = [*plan.get("skipped", []), step]
        moving_on = action in {"next", "skip"}
        finished = moving_on and step + 1 >= len(steps)
        state = "active" if moving_on and not finished else ("done" if finished else action)
        state = "stopped" if action == "stop" else state
        to_step = step + 1 if moving_on else step
        # The services' clock, not the system's: progress counts days by these times.
        now = services.clock()
        if not await repo.move_run(
            session, run_id, person_id, step, to_step=to_step, state=state, plan=plan, now=now
        ):
            return "stale"
        done_upto = to_step if moving_on else step
        minutes = round(seconds_done(plan, done_upto) / 60, 2)
        if finished:
            await repo.log_activity(
                session, person_id, "routine_done", at=now, minutes=minutes, run_id=run_id
            )
        elif action in {"stop", "hurt"}:
            await repo.log_activity(
                session, person_id, "routine_stopped", at=now, minutes=minutes, run_id=run_id
            )
        if action == "hurt":
            await repo.log_activity(
                session,
                person_id,
                "pain_reported",
                at=now,
                pose_id=steps[step].pose_id,
                run_id=run_id,
            )
    if context.job_queue is not None:
        for job in context.job_queue.get_jobs_by_name(_job_name(run_id)):
            job.schedule_removal()
    if message_id is not None:
        await _close_step_message(context, chat_id, message_id, steps[step], action == "skip")
    if moving_on and not finished:
        await show_step(context, person_id, chat_id, run_id, plan, step + 1)
    elif finished:
        await context.bot.send_message(
            chat_id, summary(plan, len(steps), finished=True), parse_mode="HTML"
        )
        if isinstance(plan.get(PAIN_KEY), dict):
            await context.bot.send_message(
                chat_id,
                texts.PAIN_AFTER,
                parse_mode="HTML",
                reply_markup=keyboards.pain_scale(cb.PAIN_AFTER, run_id),
            )
    elif action == "stop":
        await context.bot.send_message(
            chat_id,
            texts.ROUTINE_STOPPED.format(summary=summary(plan, step, finished=False)),
            parse_mode="HTML",
        )
    else:
        await context.bot.send_message(
            chat_id,
            texts.HURT_ADVICE,
            parse_mode="HTML",
            reply_markup=keyboards.which_pose_hurt(run_id, _hurt_choices(steps, step)),
        )
    return "ok"


def _hurt_choices(steps: list[PlannedStep], current: int) -> list[tuple[int, str]]:
    """The poses of this routine so far, the current one first, each once."""
    seen: dict[str, tuple[int, str]] = {}
    for index in [current, *range(current - 1, -1, -1)]:
        pose = steps[index]
        seen.setdefault(pose.pose_id, (index, pose.title))
    return list(seen.values())[:6]


async def _close_step_message(
    context: Context, chat_id: int, message_id: int, step: PlannedStep, skipped: bool
) -> None:
    await quietly(
        context.bot.edit_message_text(
            done_line(step, skipped), chat_id=chat_id, message_id=message_id, parse_mode="HTML"
        ),
        "Closing a pose message",
    )


async def hurt_button(update: Update, context: Context) -> None:
    """Which pose hurt: leave it out from now on."""
    press = await pressed(update, parts=2)
    if press is None:
        return
    query, data = press
    run_id, choice = data.int_part(0), data.parts[1]
    if run_id is None:
        await query.answer(texts.STALE_BUTTON)
        return
    async with context.services.unit() as session:
        person = await person_of(session, update)
        run = await session.get(RoutineRun, run_id)
        if person is None or run is None or run.person_id != person.id:
            await query.answer(texts.NOT_YOURS)
            return
        steps = steps_of(run.plan)
        if run.state != "hurt":
            await query.answer(texts.STALE_BUTTON)
            return
        if choice == "none":
            reply = texts.HURT_UNSURE
        elif choice.isdigit() and int(choice) <= run.current_step < len(steps):
            pose = steps[int(choice)]
            await repo.mark_painful(session, person.id, pose.pose_id)
            reply = texts.HURT_NOTED.format(pose=texts.escaped(pose.title))
        else:
            await query.answer(texts.STALE_BUTTON)
            return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await context.bot.send_message(person.chat_id, reply, parse_mode="HTML")
