"""Dispatch throughput: how fast N nudges that are all due at once go out, rate limiting off.

The real Dispatcher (render_nudge, a telegram.Bot with a pool of 256 connections over the
bot's own aiohttp transport — or, with ``--transports aiohttp,httpx``, PTB's default httpx one
too, for the before/after — and a scratch database on each backend) ticks until every due
nudge is sent to the fake Bot API, which runs in its own process on 127.0.0.1. In the same
run, PTB's JobQueue does the same work the common way: one run_once job per person, all due
at the same moment, each sending its nudge (over the bot's own transport, so only the
scheduling differs).

    .venv/bin/python -m bench.throughput [--people 1000,10000] [--backends sqlite,postgres]
        [--pools 256] [--batch 200] [--caps shipped,0,2] [--transports aiohttp] [--repeat 3]
        [--jobqueue-cut-off 240]
        [--no-jobqueue]

The JobQueue runs in a child process that is stopped (SIGTERM, it reports what it got done)
``--jobqueue-cut-off`` seconds after the due moment if it has not finished by then.

``--caps`` picks the Dispatcher's ``send_concurrency`` (its cap on sends in flight): ``shipped``
leaves its default, 0 means no cap (every send of a batch at once, as before the cap was
added), a number sets that cap.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, CallbackContext

from bench.common import (
    FIRST_CHAT,
    MONDAY,
    ROOT,
    FakeApiProcess,
    FixedClock,
    Population,
    emit,
    fake_bot,
    median,
    note,
    percentiles,
    scratch_database,
    seed,
    wal_checkpoints,
)
from bench.instrumented import TimedDispatcher, shipped_send_concurrency
from bot.chat.handlers.nudges import render_nudge
from bot.nudges.dispatcher import Claimed
from bot.storage import create_engine, session_factory
from bot.storage.claims import nudge_store
from bot.storage.models import Activity, Schedule
from bot.telegram_http import AiohttpRequest

DUE = MONDAY + timedelta(hours=1)  # 10:00 UTC on a Monday
JOBQUEUE_DEADLINE = 240.0  # seconds after the due moment; the JobQueue run is cut off there


async def dispatcher_run(
    api: FakeApiProcess,
    backend: str,
    people: int,
    pool: int,
    batch: int,
    cap: int | None,
    transport: str = "aiohttp",
) -> dict[str, Any]:
    async with scratch_database(backend, "throughput") as url:
        seconds = await seed(url, Population([DUE] * people))
        note(f"{backend}: seeded {people} people, all due, in {seconds:.1f} s")
        engine = create_engine(url)
        sessions = session_factory(engine)
        await api.clear()
        bot = fake_bot(api, pool, transport)
        store = nudge_store(engine)
        try:
            async with bot, wal_checkpoints(engine):
                # cap None: the Dispatcher's own default, as shipped.
                options: dict[str, Any] = {} if cap is None else {"send_concurrency": cap}
                dispatcher = TimedDispatcher(
                    store,
                    bot,
                    render_nudge,
                    clock=FixedClock(DUE + timedelta(seconds=1)),
                    batch_size=batch,
                    **options,
                )
                fake_cpu = api.cpu_seconds()
                cpu = time.process_time()
                started = time.perf_counter()
                ticks = sent = failed = 0
                while True:
                    result = await dispatcher.tick()
                    ticks += 1
                    sent += result.sent
                    failed += result.failed + result.blocked
                    if result.claimed == 0:
                        break
                elapsed = time.perf_counter() - started
                cpu = time.process_time() - cpu
                fake_cpu = api.cpu_seconds() - fake_cpu
            async with sessions() as session:
                recorded = await session.scalar(
                    select(func.count()).select_from(Activity).where(Activity.kind == "nudge_sent")
                )
                still_due = await session.scalar(
                    select(func.count()).select_from(Schedule).where(Schedule.next_nudge_at <= DUE)
                )
        finally:
            await store.close()
            await engine.dispose()
        fake = await api.stats()
    outcome = {
        "backend": backend,
        "approach": "dispatcher",
        "transport": transport,
        "pool": pool,
        "batch": batch,
        "send_cap": "shipped" if cap is None else cap,
        "send_concurrency": shipped_send_concurrency() if cap is None else (cap or None),
        "people": people,
        "sent": sent,
        "failed": failed,
        "seconds": round(elapsed, 3),
        "per_second": round(sent / elapsed, 1),
        # CPU per nudge is what the shared machine's noise disturbs least.
        "bot_cpu_ms_per_nudge": round(cpu * 1000 / max(sent, 1), 3),
        "fake_api_cpu_ms_per_nudge": round(fake_cpu * 1000 / max(sent, 1), 3),
        "ticks": ticks,
        "batches": len(dispatcher.claim_ms),
        "claim_ms_per_batch": percentiles(dispatcher.claim_ms),
        "send_ms_per_batch": percentiles(dispatcher.send_ms),
        "record_ms_per_batch": percentiles(dispatcher.record_ms),
        "share_of_wall_time": {
            "claim": round(sum(dispatcher.claim_ms) / 1000 / elapsed, 3),
            "send": round(sum(dispatcher.send_ms) / 1000 / elapsed, 3),
            "record": round(sum(dispatcher.record_ms) / 1000 / elapsed, 3),
        },
        "checks": {
            "fake_sendMessage": fake["sendMessage"],
            "fake_distinct_chats": fake["chats"],
            "activity_nudge_sent": recorded,
            "still_due": still_due,
            "ok": fake["sendMessage"] == people == recorded == fake["chats"] and still_due == 0,
        },
    }
    note(
        f"{backend} dispatcher {transport} pool={pool} batch={batch} cap={cap}: "
        f"{outcome['per_second']}/s, {outcome['bot_cpu_ms_per_nudge']} ms CPU/nudge"
    )
    return outcome


class _MissedJobs(logging.Handler):
    """APScheduler drops a job it could not start within misfire_grace_time (1 s by default,
    and PTB keeps the default) with a warning; count them."""

    def __init__(self, on_missed: Callable[[], None] = lambda: None) -> None:
        super().__init__(logging.WARNING)
        self.missed = 0
        self.on_missed = on_missed

    def emit(self, record: logging.LogRecord) -> None:
        if "was missed by" in record.getMessage():
            self.missed += 1
            self.on_missed()


async def jobqueue_child(args: argparse.Namespace) -> None:
    """In a process of its own (so it can be cut off): one run_once job per person, all due
    at the same moment, each sending its nudge; prints progress as JSON lines."""
    people, pool = int(args.people), args.pools_child
    application: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(args.token)
        .base_url(args.base_url)
        .base_file_url(args.base_file_url)
        .request(AiohttpRequest(pool))
        .updater(None)
        .build()
    )
    queue = application.job_queue
    assert queue is not None
    finished: list[float] = []
    errors: Counter[str] = Counter()
    all_done = asyncio.Event()

    def check() -> None:
        if len(finished) + sum(errors.values()) + missed.missed >= people:
            all_done.set()

    async def nudge(context: CallbackContext[Any, Any, Any, Any]) -> None:
        assert context.job is not None
        person_id, chat_id = context.job.data
        text, markup = render_nudge(Claimed(person_id, chat_id, DUE, "desk", 5))
        try:
            await context.bot.send_message(chat_id, text, parse_mode="HTML", reply_markup=markup)
            finished.append(time.perf_counter())
        except TelegramError as error:
            errors[f"{type(error).__name__}: {error.message[:70]}"] += 1
        check()

    missed = _MissedJobs(check)
    logging.getLogger("apscheduler").addHandler(missed)
    logging.getLogger("apscheduler").propagate = False
    async with application:
        await application.start()
        margin = 3.0 + people * 0.0005
        due = datetime.now(UTC) + timedelta(seconds=margin)
        due_perf = time.perf_counter() + margin
        started = time.perf_counter()
        for person_id in range(1, people + 1):
            queue.run_once(
                nudge,
                when=due,
                data=(person_id, FIRST_CHAT + person_id),
                chat_id=FIRST_CHAT + person_id,
                user_id=FIRST_CHAT + person_id,
                name=f"nudge-{person_id}",
            )
        setup = time.perf_counter() - started
        if time.perf_counter() >= due_perf:
            raise RuntimeError(f"scheduling took {setup:.1f} s, past the due time")
        await asyncio.sleep(due_perf - time.perf_counter())
        cpu = time.process_time()

        def progress(final: bool) -> None:
            last = max(finished) - due_perf if finished else None
            record = {
                "final": final,
                "schedule_seconds": round(setup, 3),
                "elapsed": round(time.perf_counter() - due_perf, 3),
                "last_sent_after": None if last is None else round(last, 3),
                "sent": len(finished),
                "failed": dict(errors),
                "missed_by_apscheduler": missed.missed,
                "cpu_seconds": round(time.process_time() - cpu, 3),
            }
            print(json.dumps(record), flush=True)

        def cut_off(signum: int, frame: Any) -> None:
            # Runs between two bytecodes even while the event loop is swamped.
            progress(final=True)
            os._exit(0)

        signal.signal(signal.SIGTERM, cut_off)
        await all_done.wait()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        progress(final=True)
        await application.stop()


async def jobqueue_run(
    api: FakeApiProcess, people: int, pool: int, cut_off_after: float = JOBQUEUE_DEADLINE
) -> dict[str, Any]:
    """The JobQueue child, cut off (killed) ``cut_off_after`` seconds after the due moment."""
    await api.clear()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.throughput",
        "--jobqueue-child",
        "--people",
        str(people),
        "--pools-child",
        str(pool),
        *api.child_args(),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    fake_cpu = api.cpu_seconds()
    last: dict[str, Any] = {}
    cut_off = False
    deadline = time.perf_counter() + cut_off_after + 3.0 + people * 0.0005
    try:
        line = await asyncio.wait_for(
            process.stdout.readline(), max(0.1, deadline - time.perf_counter())
        )
    except TimeoutError:
        cut_off = True
        process.terminate()  # this child only, by its own handle: it reports, then exits
        try:
            line = await asyncio.wait_for(process.stdout.readline(), 30)
        except TimeoutError:
            process.kill()
            line = b""
    if line:
        last = json.loads(line)
    await process.wait()
    fake_cpu = api.cpu_seconds() - fake_cpu
    fake = await api.stats()
    sent = int(last.get("sent", 0))
    seconds = last.get("elapsed") if cut_off else last.get("last_sent_after")
    outcome = {
        "approach": "jobqueue",
        "pool": pool,
        "people": people,
        "sent": sent,
        "failed": last.get("failed"),
        "missed_by_apscheduler": last.get("missed_by_apscheduler"),
        "cut_off_after_seconds": cut_off_after if cut_off else None,
        "schedule_seconds": last.get("schedule_seconds"),
        "seconds": seconds,
        "per_second": round(sent / seconds, 1) if sent and seconds else 0,
        "bot_cpu_seconds": last.get("cpu_seconds"),
        "bot_cpu_ms_per_nudge": round(last.get("cpu_seconds", 0) * 1000 / max(sent, 1), 3),
        "fake_api_cpu_ms_per_nudge": round(fake_cpu * 1000 / max(sent, 1), 3),
        "checks": {"fake_sendMessage": fake["sendMessage"], "ok": sent == people},
    }
    note(
        f"jobqueue pool={pool}: {outcome['per_second']}/s, sent {sent}, failed "
        f"{sum((last.get('failed') or {}).values())}, missed {outcome['missed_by_apscheduler']}"
        + (f", cut off after {cut_off_after:g} s" if cut_off else "")
    )
    return outcome


def _key(run: dict[str, Any]) -> str:
    key = f"{run['approach']}_{run.get('backend', 'memory')}_{run['people']}_pool{run['pool']}"
    if run["approach"] == "dispatcher":
        key += f"_{run['transport']}_cap{run['send_cap']}"
    return key


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--people", default="10000", help="people due at once; several sizes comma-separated"
    )
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--pools", default="256", help="HTTPX pool sizes, comma-separated")
    parser.add_argument("--batch", type=int, default=200, help="the dispatcher's batch size")
    parser.add_argument(
        "--caps",
        default="shipped,0,2",
        help="the dispatcher's send_concurrency: shipped (its default), 0 (no cap) or a cap",
    )
    parser.add_argument(
        "--transports", default="aiohttp", help="the bot's HTTP transports: aiohttp, httpx"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each configuration")
    parser.add_argument("--no-jobqueue", action="store_true")
    parser.add_argument(
        "--jobqueue-cut-off",
        type=float,
        default=JOBQUEUE_DEADLINE,
        help="seconds after the due moment at which the JobQueue run is stopped",
    )
    parser.add_argument("--jobqueue-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pools-child", type=int, default=256, help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--base-file-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.jobqueue_child:
        logging.basicConfig(level=logging.CRITICAL)
        await jobqueue_child(args)
        return
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("apscheduler").propagate = False  # thousands of "missed" lines
    logging.getLogger("telegram.ext.Application").setLevel(logging.CRITICAL)
    pools = [int(p) for p in args.pools.split(",")]
    runs: list[dict[str, Any]] = []
    sizes = [int(p) for p in args.people.split(",")]
    async with FakeApiProcess() as api:
        for repetition in range(args.repeat):
            for people in sizes:
                for pool in pools:
                    caps = [None if c == "shipped" else int(c) for c in args.caps.split(",")]
                    for cap, transport, backend in itertools.product(
                        caps, args.transports.split(","), args.backends.split(",")
                    ):
                        run = await dispatcher_run(
                            api, backend, people, pool, args.batch, cap, transport
                        )
                        runs.append(run | {"repetition": repetition})
                    if not args.no_jobqueue:
                        run = await jobqueue_run(api, people, pool, args.jobqueue_cut_off)
                        runs.append(run | {"repetition": repetition})
    rates: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    for run in runs:
        rates.setdefault(_key(run), []).append(run["per_second"])
        cpu.setdefault(_key(run), []).append(run["bot_cpu_ms_per_nudge"])
    summary: dict[str, Any] = {
        "goal_per_second": 1000,
        "median_per_second": {key: median(values) for key, values in rates.items()},
        "all_per_second": rates,
        "median_bot_cpu_ms_per_nudge": {key: median(values) for key, values in cpu.items()},
    }
    # Ratios from runs of the same repetition (same minutes on the same noisy machine).
    ratios: dict[str, list[float | None]] = {}
    jobqueue = {
        (r["repetition"], r["people"], r["pool"]): r["per_second"]
        for r in runs
        if r["approach"] == "jobqueue"
    }
    for run in runs:
        match = jobqueue.get((run["repetition"], run["people"], run["pool"]))
        if run["approach"] == "dispatcher" and match is not None:
            # None: the JobQueue sent nothing at all before it was cut off.
            ratio = round(run["per_second"] / match, 2) if match else None
            ratios.setdefault(f"{_key(run)}_vs_jobqueue", []).append(ratio)
    summary["ratios_same_run"] = ratios
    shipped = [
        r
        for r in runs
        if r["approach"] == "dispatcher"
        and r["send_cap"] == "shipped"
        and r["transport"] == "aiohttp"
    ]
    summary["shipped_send_concurrency"] = shipped_send_concurrency()
    summary["all_sent_and_recorded"] = all(r["checks"]["ok"] for r in shipped)
    summary["goal_met_as_shipped"] = all(r["per_second"] >= 1000 for r in shipped)
    emit("throughput", {"summary": summary, "runs": runs})


if __name__ == "__main__":
    asyncio.run(main())
