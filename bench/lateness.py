"""Lateness (sent time minus due time) at Telegram's 30 messages a second, with 100,000
people's nudges spread over a working day, against PTB's JobQueue at the same density.

Running a whole 8.5-hour day is not needed to know its lateness: what decides it is the
density of due nudges per second, the tick interval and the rate limit, and those are the same
in every few minutes of the day. So every person gets a due time uniformly at random in an
8.5-hour day (``--spread minute`` puts them on whole minutes instead, as real slots are), the
database holds all 100,000, and the run lives through a window of ``--window`` seconds in the
middle of that day in real time: a simulated clock anchored at 11:02 UTC on a Monday runs at
real speed, the nudge job ticks on PTB's JobQueue every NUDGE_TICK_SECONDS of real time, and
PTB's AIORateLimiter (30 a second overall, as ``limber run`` configures it) paces real HTTP
sends to the fake Bot API in its own process. Due times before the window count as already
sent today (they are moved to tomorrow), later ones stay in the future. The report gives the
density actually seen in the window next to the full day's.

Lateness comes from the database afterwards: each nudge_sent activity's time (taken when the
Bot API answered) minus the slot the schedule records as sent. The JobQueue run gives every
person a run_once job at their due time and times each send the same way.

    .venv/bin/python -m bench.lateness [--people 100000] [--window 180]
        [--scenarios sqlite:5,sqlite:1,postgres:5,postgres:1,jobqueue] [--spread uniform]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import random
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from telegram.ext import CallbackContext

from bench.common import (
    FIRST_CHAT,
    MONDAY,
    FakeApiProcess,
    Population,
    RunningClock,
    emit,
    note,
    percentiles,
    scratch_database,
    seed,
)
from bot.app import build_application, schedule_nudges, schedule_wal_checkpoints
from bot.chat.handlers.nudges import render_nudge
from bot.config import Settings
from bot.nudges.dispatcher import Claimed
from bot.storage import create_engine, session_factory
from bot.storage.models import Activity, Schedule

# 11:02 UTC: no regular slot of the benchmark's people (Mon–Fri 09:00–17:30 hourly, in zones
# whose slots fall on :00, :15, :30 or :45 UTC) falls within the next 12 minutes, so the
# follow-up slot the dispatcher computes for each nudge sent never lands in the window.
ANCHOR = MONDAY + timedelta(hours=2, minutes=2)
DAY_START = ANCHOR - timedelta(hours=2)  # the window sits in the day, not at its edge
LEAD = timedelta(seconds=5)  # between the clock's anchor and the window: start-up
DRAIN = 20.0  # seconds after the window for the last sends to finish


def due_times(people: int, day_hours: float, spread: str) -> list[datetime]:
    rng = random.Random(5)
    seconds = day_hours * 3600
    times = [DAY_START + timedelta(seconds=rng.random() * seconds) for _ in range(people)]
    if spread == "minute":
        times = [t.replace(second=0, microsecond=0) for t in times]
    return times


def window_population(
    times: list[datetime], start: datetime, end: datetime
) -> tuple[Population, int]:
    """What the database holds as the window opens: earlier nudges went out already today
    (their next is tomorrow), the window's and later ones are still to come."""
    stored = [t + timedelta(days=1) if t < start else t for t in times]
    return Population(stored), sum(start <= t < end for t in times)


class _SchedulerWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.skipped_ticks = 0
        self.missed_jobs = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "maximum number of running instances" in message:
            self.skipped_ticks += 1
        elif "was missed by" in message:
            self.missed_jobs += 1


async def dispatcher_run(
    api: FakeApiProcess,
    backend: str,
    tick: float,
    times: list[datetime],
    window: float,
) -> dict[str, Any]:
    start = ANCHOR + LEAD
    end = start + timedelta(seconds=window)
    people, expected = window_population(times, start, end)
    async with scratch_database(backend, "lateness") as url:
        seconds = await seed(url, people)
        note(f"{backend}: seeded {len(people):,} people in {seconds:.1f} s; {expected} due")
        await api.clear()
        clock = RunningClock(ANCHOR, start=time.time() + 2.0)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            nudge_tick_seconds=tick,
            rate_limit=True,
        )
        application = build_application(
            settings,
            api.token,
            base_url=api.base_url,
            base_file_url=api.base_file_url,
            services_options={"clock": clock},
        )
        schedule_nudges(application)
        schedule_wal_checkpoints(application)
        warnings = _SchedulerWarnings()
        logging.getLogger("apscheduler").addHandler(warnings)
        try:
            await application.initialize()
            await application.start()
            finish = clock.real(end).timestamp() + DRAIN
            await asyncio.sleep(max(0.0, finish - time.time()))
            await application.stop()
            await application.shutdown()
        finally:
            logging.getLogger("apscheduler").removeHandler(warnings)
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                rows = (
                    await session.execute(
                        select(Activity.at, Schedule.last_nudge_at)
                        .join(Schedule, Schedule.person_id == Activity.person_id)
                        .where(Activity.kind == "nudge_sent")
                    )
                ).all()
        finally:
            await engine.dispose()
        fake = await api.stats()
    # Nudges due in the window are the sample; ones due during the drain after it went out
    # too, but their own lateness may be cut short by the stop, so they are left out.
    lateness = [
        (at - slot).total_seconds()
        for at, slot in rows
        if slot is not None and start <= slot < end
    ]
    return {
        "approach": "dispatcher",
        "backend": backend,
        "tick_seconds": tick,
        "due_in_window": expected,
        "sent": len(lateness),
        "not_sent": expected - len(lateness),
        "fake_sendMessage_incl_drain": fake["sendMessage"],
        "skipped_ticks": warnings.skipped_ticks,
        "lateness_s": percentiles(lateness),
    }


async def jobqueue_run(
    api: FakeApiProcess, times: list[datetime], window: float
) -> dict[str, Any]:
    """One run_once job per person at their due time, through the same rate-limited bot."""
    start = ANCHOR + LEAD
    end = start + timedelta(seconds=window)
    people, expected = window_population(times, start, end)
    await api.clear()
    prepare = 5.0 + len(people) * 0.0004
    clock = RunningClock(ANCHOR, start=time.time() + prepare)
    settings = Settings(_env_file=None, database_url="sqlite://", rate_limit=True)  # type: ignore[call-arg]
    application = build_application(
        settings, api.token, base_url=api.base_url, base_file_url=api.base_file_url
    )
    queue = application.job_queue
    assert queue is not None
    lateness: list[float] = []
    failures = 0

    async def nudge(context: CallbackContext[Any, Any, Any, Any]) -> None:
        nonlocal failures
        assert context.job is not None
        person_id, chat_id, due = context.job.data
        text, markup = render_nudge(Claimed(person_id, chat_id, due, "desk", 5))
        try:
            await context.bot.send_message(chat_id, text, parse_mode="HTML", reply_markup=markup)
        except Exception:
            failures += 1
            raise
        if start <= due < end:
            lateness.append((clock() - due).total_seconds())

    warnings = _SchedulerWarnings()
    logging.getLogger("apscheduler").addHandler(warnings)
    try:
        await application.initialize()
        await application.start()
        started = time.perf_counter()
        order = sorted(range(len(people)), key=lambda i: people.next_at[i])  # type: ignore[arg-type, return-value]
        for index in order:
            due = people.next_at[index]
            assert due is not None
            person_id = index + 1
            queue.run_once(
                nudge,
                when=clock.real(due),
                data=(person_id, FIRST_CHAT + person_id, due),
                chat_id=FIRST_CHAT + person_id,
                name=f"nudge:{person_id}",
            )
        setup = time.perf_counter() - started
        if clock() >= start:
            raise RuntimeError(f"adding {len(people):,} jobs took {setup:.1f} s: too long")
        finish = clock.real(end).timestamp() + DRAIN
        await asyncio.sleep(max(0.0, finish - time.time()))
        await queue.stop(wait=False)
        await application.stop()
        await application.shutdown()
    finally:
        logging.getLogger("apscheduler").removeHandler(warnings)
    fake = await api.stats()
    return {
        "approach": "jobqueue",
        "jobs": len(people),
        "schedule_seconds": round(setup, 2),
        "due_in_window": expected,
        "sent": len(lateness),
        "not_sent": expected - len(lateness),
        "failed": failures,
        "missed_by_apscheduler": warnings.missed_jobs,
        "fake_sendMessage_incl_drain": fake["sendMessage"],
        "lateness_s": percentiles(lateness),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--day-hours", type=float, default=8.5)
    parser.add_argument("--window", type=float, default=180.0, help="seconds lived through")
    parser.add_argument(
        "--scenarios",
        default="sqlite:5,sqlite:1,postgres:5,postgres:1,jobqueue",
        help="backend:tick seconds for the dispatcher, or jobqueue",
    )
    parser.add_argument("--spread", choices=["uniform", "minute"], default="uniform")
    args = parser.parse_args()
    if args.window > 700:
        parser.error("--window must stay under 700 s (the window must hold no regular slot)")
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("apscheduler").propagate = False
    times = due_times(args.people, args.day_hours, args.spread)
    day_density = args.people / (args.day_hours * 3600)
    runs: list[dict[str, Any]] = []
    async with FakeApiProcess() as api:
        for scenario in args.scenarios.split(","):
            if scenario == "jobqueue":
                run = await jobqueue_run(api, times, args.window)
            else:
                backend, tick = scenario.split(":")
                run = await dispatcher_run(api, backend, float(tick), times, args.window)
            run["window_density_per_s"] = round(run["due_in_window"] / args.window, 3)
            runs.append(run)
            note(f"{scenario}: {run['lateness_s']}")
    summary: dict[str, Any] = {
        "goal_p99_s": 2.0,
        "spread": args.spread,
        "day_density_per_s": round(day_density, 3),
        "rate_limit_per_s": 30,
    }
    for run in runs:
        key = (
            "jobqueue"
            if run["approach"] == "jobqueue"
            else f"dispatcher_{run['backend']}_tick{run['tick_seconds']:g}"
        )
        late = run["lateness_s"]
        summary[key] = {
            "p50": late.get("p50"),
            "p99": late.get("p99"),
            "max": late.get("max"),
            "sent": run["sent"],
            "due": run["due_in_window"],
            "goal_met": bool(late.get("p99") is not None and late["p99"] <= 2.0)
            and run["sent"] == run["due_in_window"],
        }
    if args.spread == "minute":
        per_minute = day_density * 60
        summary["burst_per_minute"] = round(per_minute, 1)
        summary["burst_drain_floor_s"] = round(math.ceil(per_minute) / 30, 2)
    emit("lateness", {"summary": summary, "runs": runs})


if __name__ == "__main__":
    asyncio.run(main())
