"""The bot process's resident memory with 1,000 and 1,000,000 people stored, against PTB's
JobQueue holding one job per person.

Each measurement is a fresh child process (``--child``), so nothing of the parent counts:

* ``limber``: the bot as ``limber run`` builds it — ``bot.app.build_application`` (catalogue,
  engine, handlers, AIORateLimiter as configured by default), ``schedule_nudges`` (the real
  nudge job, here every 0.5 s), ``initialize``/``start`` and long polling against the fake
  Bot API — left running for some seconds of ticks. 100 people are due at start, so the first
  tick sends 100 nudges; the rest are due over the next 24 hours.
* ``jobqueue``: the same Application without the nudge job; instead every person with a next
  nudge is read from the database (ordered by due time, which is the cheapest order for
  APScheduler's job store) and given a ``job_queue.run_repeating`` job, as bots commonly do.

Reported per child: VmRSS and VmHWM (peak) after imports, after start-up and after the ticks,
from /proc/self/status.

    .venv/bin/python -m bench.memory [--sizes 1000,1000000] [--backends sqlite,postgres]
        [--jobqueue-sizes 1000,1000000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import (
    ROOT,
    FakeApiProcess,
    Population,
    emit,
    memory_mib,
    note,
    scratch_database,
    seed,
)

DUE_AT_START = 100


def population(size: int, now: datetime) -> Population:
    """100 due now, 5% with no nudge planned, the rest due over the next 24 hours."""
    rng = random.Random(3)
    later = now + timedelta(minutes=10)
    next_at: list[datetime | None] = []
    for index in range(size):
        if index % (size // DUE_AT_START) == 0:
            next_at.append(now - timedelta(seconds=1))
        elif rng.random() < 0.05:
            next_at.append(None)
        else:
            next_at.append(later + timedelta(seconds=rng.random() * 86_400))
    return Population(next_at)


# --------------------------------------------------------------------------- children


async def child_limber(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import func, select

    from bot.app import build_application, schedule_nudges, schedule_wal_checkpoints
    from bot.config import Settings
    from bot.storage.models import Activity

    figures: dict[str, Any] = {"after_imports": memory_mib()}
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=args.url,
        nudge_tick_seconds=args.tick,
    )
    application = build_application(
        settings, args.token, base_url=args.base_url, base_file_url=args.base_file_url
    )
    schedule_nudges(application)
    schedule_wal_checkpoints(application)
    started = time.perf_counter()
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(timeout=1)
    figures["start_seconds"] = round(time.perf_counter() - started, 3)
    figures["after_start"] = memory_mib()
    await asyncio.sleep(args.seconds)
    services = application.bot_data["services"]
    async with services.sessions() as session:
        figures["nudges_sent"] = await session.scalar(
            select(func.count()).select_from(Activity).where(Activity.kind == "nudge_sent")
        )
    figures["after_ticks"] = memory_mib()
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    return figures


async def child_jobqueue(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import select
    from telegram.ext import CallbackContext

    from bot.app import build_application
    from bot.chat.handlers.nudges import render_nudge
    from bot.config import Settings
    from bot.nudges.dispatcher import Claimed
    from bot.storage.models import Person, Schedule

    figures: dict[str, Any] = {"after_imports": memory_mib()}
    settings = Settings(_env_file=None, database_url=args.url)  # type: ignore[call-arg]
    application = build_application(
        settings, args.token, base_url=args.base_url, base_file_url=args.base_file_url
    )
    queue = application.job_queue
    assert queue is not None
    sent = 0

    async def nudge(context: CallbackContext[Any, Any, Any, Any]) -> None:
        nonlocal sent
        assert context.job is not None
        assert context.job.chat_id is not None
        person_id, place, minutes = context.job.data
        slot = datetime.now(UTC)
        text, markup = render_nudge(Claimed(person_id, context.job.chat_id, slot, place, minutes))
        await context.bot.send_message(
            context.job.chat_id, text, parse_mode="HTML", reply_markup=markup
        )
        sent += 1

    started = time.perf_counter()
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(timeout=1)
    services = application.bot_data["services"]
    jobs = 0
    async with services.sessions() as session:
        rows = await session.stream(
            select(
                Schedule.person_id,
                Person.chat_id,
                Schedule.interval_minutes,
                Schedule.next_nudge_at,
                Schedule.place,
                Schedule.routine_minutes,
            )
            .join(Person, Person.id == Schedule.person_id)
            .where(Schedule.next_nudge_at.is_not(None))
            .order_by(Schedule.next_nudge_at)
            .execution_options(yield_per=10_000)
        )
        async for person_id, chat_id, interval, first, place, minutes in rows:
            queue.run_repeating(
                nudge,
                interval=timedelta(minutes=interval),
                first=first,
                data=(person_id, place, minutes),
                chat_id=chat_id,
                user_id=chat_id,
                name=f"nudge:{person_id}",
            )
            jobs += 1
    figures["jobs"] = jobs
    figures["start_seconds"] = round(time.perf_counter() - started, 3)
    figures["after_start"] = memory_mib()
    await asyncio.sleep(args.seconds)
    figures["nudges_sent"] = sent
    figures["after_ticks"] = memory_mib()
    await application.updater.stop()
    await queue.stop(wait=False)
    await application.stop()
    await application.shutdown()
    return figures


# --------------------------------------------------------------------------- parent


async def run_child(kind: str, url: str, api: FakeApiProcess, seconds: float) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.memory",
        "--child",
        kind,
        "--url",
        url,
        *api.child_args(),
        "--seconds",
        str(seconds),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=1800)
    if process.returncode != 0:
        raise RuntimeError(f"the {kind} child failed with exit code {process.returncode}")
    figures: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,1000000")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--jobqueue-sizes",
        default="1000,1000000",
        help="people given a JobQueue job each (on SQLite); empty for none",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="how long ticks run")
    parser.add_argument("--child", choices=["limber", "jobqueue"])
    parser.add_argument("--url")
    parser.add_argument("--token")
    parser.add_argument("--base-url")
    parser.add_argument("--base-file-url")
    parser.add_argument("--tick", type=float, default=0.5)
    args = parser.parse_args()

    if args.child:
        logging.basicConfig(level=logging.WARNING)
        # The first tick sends 100 nudges at 30 a second, so the 0.5 s ticks after it are
        # skipped (max_instances=1), each with a warning; that is expected here.
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        child = child_limber if args.child == "limber" else child_jobqueue
        print(json.dumps(await child(args)), flush=True)
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    jobqueue_sizes = [int(s) for s in args.jobqueue_sizes.split(",") if s]
    runs: list[dict[str, Any]] = []
    async with FakeApiProcess() as api:
        for backend in args.backends.split(","):
            for size in sorted(
                set(sizes) | (set(jobqueue_sizes) if backend == "sqlite" else set())
            ):
                async with scratch_database(backend, "memory") as url:
                    now = datetime.now(UTC)
                    seconds = await seed(url, population(size, now))
                    note(f"{backend}: seeded {size:,} people in {seconds:.1f} s")
                    if size in sizes:
                        await api.clear()
                        figures = await run_child("limber", url, api, args.seconds)
                        runs.append({"approach": "limber", "backend": backend, "people": size})
                        runs[-1].update(figures)
                        note(f"limber {backend} {size:,}: {figures['after_ticks']}")
                    if backend == "sqlite" and size in jobqueue_sizes:
                        await api.clear()
                        figures = await run_child("jobqueue", url, api, args.seconds)
                        runs.append({"approach": "jobqueue", "backend": backend, "people": size})
                        runs[-1].update(figures)
                        note(f"jobqueue {size:,}: {figures['after_ticks']}")
    summary: dict[str, Any] = {"goal_peak_mib": 150}
    for run in runs:
        key = f"{run['approach']}_{run['backend']}_{run['people']}"
        summary[key] = {
            "peak_mib": run["after_ticks"]["VmHWM"],
            "rss_mib": run["after_ticks"]["VmRSS"],
            "start_seconds": run["start_seconds"],
        }
    limber = [r for r in runs if r["approach"] == "limber"]
    if limber:
        summary["goal_met"] = all(r["after_ticks"]["VmHWM"] < 150 for r in limber)
        for backend in {r["backend"] for r in limber}:
            mine = sorted(
                (r for r in limber if r["backend"] == backend), key=lambda r: r["people"]
            )
            if len(mine) > 1:
                growth = mine[-1]["after_ticks"]["VmHWM"] - mine[0]["after_ticks"]["VmHWM"]
                summary[f"limber_{backend}_peak_growth_mib"] = round(growth, 1)
    queue = sorted((r for r in runs if r["approach"] == "jobqueue"), key=lambda r: r["people"])
    if limber and queue:
        same = [
            r for r in limber if r["backend"] == "sqlite" and r["people"] == queue[-1]["people"]
        ]
        if same:
            summary["jobqueue_vs_limber_peak_ratio_at_largest"] = round(
                queue[-1]["after_ticks"]["VmHWM"] / same[0]["after_ticks"]["VmHWM"], 1
            )
        if len(queue) > 1:
            per_job = (queue[-1]["after_ticks"]["VmHWM"] - queue[0]["after_ticks"]["VmHWM"]) / (
                queue[-1]["jobs"] - queue[0]["jobs"]
            )
            summary["jobqueue_kib_per_job"] = round(per_job * 1024, 2)
    emit("memory", {"summary": summary, "runs": runs})


if __name__ == "__main__":
    asyncio.run(main())
