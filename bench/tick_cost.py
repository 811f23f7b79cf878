"""The cost of one tick with many people stored and a few due, and the claim query's plan.

For each database, size and mode: seed the people and write the load out (``settle``), then
run ``--warmup`` and ``--ticks`` ticks of the real ``Dispatcher`` against the fake Bot API in
its own process, one every ``--pace`` seconds, and time each. How people become due:

- ``stream`` (production's shape): the seeded table already holds ``--due`` people due in
  each simulated second of the run, and the clock moves on a second before each tick; the
  people a tick claims move on to their next regular slot, later in the day. Nothing but the
  dispatcher writes. Needs at least due × (warmup + ticks) people.
- ``rearm``: before each tick, outside the timing, one UPDATE makes a fresh random ``--due``
  of them due just now. Works for any size (so 1,000 can be compared with 1,000,000), at the
  price of a second write of every due row per tick.

In both, the simulated clock moves one second from tick to tick.

Everyone else (95% of the rest) has a next nudge some time in the 24 hours after the run; 5%
have none. Ticks are paced, and on SQLite the WAL is checkpointed in the background at the
same pace: one checkpoint per tick, as in the running bot, where both happen every second.
Reported per tick: the whole tick; the claim (a transaction: the SELECT of the due rows, FOR
UPDATE SKIP LOCKED on PostgreSQL and behind BEGIN IMMEDIATE on SQLite, the slots after them
worked out, one UPDATE that moves them all on, COMMIT; on SQLite all of it in one hand-off to
the dispatcher's own thread); that SELECT alone; the sends; the recording (the activity log,
one INSERT); and ticks with nothing due. People are seeded with their following slot worked
out, as a running bot has them. Then the SELECT the dispatcher actually sent is EXPLAINed
(PostgreSQL: EXPLAIN (ANALYZE, BUFFERS), custom and generic plan; SQLite: EXPLAIN QUERY PLAN)
and checked for ix_schedules_next_nudge_at.

    .venv/bin/python -m bench.tick_cost [--runs 1000:rearm,1000000:rearm,1000000:stream]
        [--due 100] [--ticks 500] [--warmup 50] [--pace 0.25] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import update

from bench.common import (
    MONDAY,
    FakeApiProcess,
    FixedClock,
    Population,
    StatementLog,
    emit,
    fake_bot,
    is_claim_query,
    memory_mib,
    note,
    percentiles,
    pg_dsn,
    scratch_database,
    seed,
    settle,
    sqlite_path,
    wal_checkpoints,
)
from bench.instrumented import TimedDispatcher
from bot.chat.handlers.nudges import render_nudge
from bot.storage import create_engine, session_factory, unit_of_work
from bot.storage.models import Schedule

NOW = MONDAY + timedelta(hours=1)
# Streamed ticks start a minute past the hour: no zone's regular slot falls in the next nine
# minutes (ZONES' slots are on :00, :15, :30 and :45 UTC, and the ones on :15 are outside
# working hours then), so the people a tick moves on never come back within the run.
STREAM_START = NOW + timedelta(minutes=1)
INDEX = "ix_schedules_next_nudge_at"
MODES = ("stream", "rearm")


def population(size: int, mode: str, due: int, ticks: int) -> Population:
    """95% of ``size`` people with a next nudge some time in the 24 hours after the run, 5%
    with none. ``stream``: of them, ``due`` people are due in each simulated second of the
    run, as a tick a second finds them in production."""
    rng = random.Random(7)
    later = STREAM_START + timedelta(seconds=ticks + 60)
    next_at: list[datetime | None] = [
        None if rng.random() < 0.05 else later + timedelta(seconds=rng.random() * 86_400)
        for _ in range(size)
    ]
    if mode == "stream":
        streamed = rng.sample(range(size), due * ticks)
        for order, index in enumerate(streamed):
            second = order // due
            next_at[index] = STREAM_START + timedelta(seconds=second + 0.01 + 0.98 * rng.random())
    return Population(next_at)


async def explain_postgres(url: str, statement: str, params: Any) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of the claim exactly as sent, as a custom plan (what the
    first executions get) and as a generic plan (what a cached prepared statement may switch
    to after five); inside a transaction that is rolled back, so the row locks go away."""
    connection = await asyncpg.connect(pg_dsn(url))
    try:
        args = list(params)
        plans: dict[str, str] = {}
        transaction = connection.transaction()
        await transaction.start()
        try:
            rows = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *args)
            plans["custom"] = "\n".join(r[0] for r in rows)
            # A generic plan only exists for a prepared statement run with EXECUTE.
            await connection.execute(f"PREPARE bench_claim AS {statement}")
            await connection.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            literals = ", ".join(
                f"'{a.isoformat()}'::timestamptz" if isinstance(a, datetime) else str(int(a))
                for a in args
            )
            rows = await connection.fetch(
                f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_claim({literals})"
            )
            plans["generic"] = "\n".join(r[0] for r in rows)
        finally:
            await transaction.rollback()
    finally:
        await connection.close()
    return {
        "statement": " ".join(statement.split()),
        "params": [str(p) for p in args],
        "plans": plans,
        "index_used": all(INDEX in plan for plan in plans.values()),
    }


def explain_sqlite(url: str, statement: str, params: Any) -> dict[str, Any]:
    connection = sqlite3.connect(sqlite_path(url))
    try:
        rows = connection.execute(f"EXPLAIN QUERY PLAN {statement}", params).fetchall()
    finally:
        connection.close()
    plan = "\n".join(f"{r[0]}|{r[1]}|{r[3]}" for r in rows)
    return {
        "statement": " ".join(statement.split()),
        "params": {name: str(value) for name, value in params.items()},
        "plans": {"query_plan": plan},
        "index_used": INDEX in plan,
    }


async def measure(
    api: FakeApiProcess,
    backend: str,
    size: int,
    mode: str,
    *,
    due: int,
    ticks: int,
    warmup: int,
    pace: float,
    sqlite_mmap_mb: int = 0,
) -> dict[str, Any]:
    total = warmup + ticks
    async with scratch_database(backend, "tick") as url:
        seconds = await seed(url, population(size, mode, due, total))
        await settle(url)
        note(f"{backend}: seeded {size:,} people in {seconds:.1f} s ({mode})")
        engine = create_engine(url, sqlite_mmap_mb=sqlite_mmap_mb)
        sessions = session_factory(engine)
        claims = StatementLog(engine, is_claim_query)
        store = claims.store(engine, sqlite_mmap_mb=sqlite_mmap_mb)
        rng = random.Random(11)
        bot = fake_bot(api, 256)
        await api.clear()
        clock = FixedClock(STREAM_START)
        tick_ms: list[float] = []
        database_ms: list[float] = []
        failures = 0

        async def make_due(index: int, how: str) -> None:
            """Before tick ``index`` (outside the timing) the clock moves one second on, as it
            does between the running bot's ticks. ``stream``: that brings the next ``due``
            people due; ``rearm``: one UPDATE makes a fresh random ``due`` due just now."""
            clock.now = STREAM_START + timedelta(seconds=index + 1)
            if how == "stream":
                return
            # Due at a new instant every tick: with a clock that stood still, every tick's
            # rows were due at one instant, and on PostgreSQL the dead index entries at that
            # one key piled up tick after tick, slowing every claim after.
            ids = rng.sample(range(1, size + 1), due)
            async with unit_of_work(sessions) as session:
                await session.execute(
                    update(Schedule)
                    .where(Schedule.person_id.in_(ids))
                    .values(next_nudge_at=clock.now - timedelta(milliseconds=500))
                )

        try:
            # Ticks come every ``pace`` seconds, and so do SQLite's background checkpoints:
            # one of each per tick, as in the running bot (NUDGE_TICK_SECONDS and
            # WAL_CHECKPOINT_EVERY are both a second), only faster.
            async with bot, wal_checkpoints(engine, every=pace or None):
                dispatcher = TimedDispatcher(store, bot, render_nudge, clock=clock, batch_size=200)
                claim_ms: list[float] = []
                send_ms: list[float] = []
                record_ms: list[float] = []
                next_start = time.perf_counter()
                for index in range(total):
                    next_start += pace
                    await asyncio.sleep(max(0.0, next_start - time.perf_counter()))
                    await make_due(index, mode)
                    timed = index >= warmup
                    claims.recording = timed
                    dispatcher.reset()
                    started = time.perf_counter()
                    result = await dispatcher.tick()
                    elapsed = (time.perf_counter() - started) * 1000
                    if result.sent != due:
                        failures += 1
                    if timed:
                        tick_ms.append(elapsed)
                        # 100 due and batches of 200: one batch, one claim, one record.
                        claim_ms.append(sum(dispatcher.claim_ms))
                        send_ms.append(sum(dispatcher.send_ms))
                        record_ms.append(sum(dispatcher.record_ms))
                        database_ms.append(claim_ms[-1] + record_ms[-1])
                select_ms = list(claims.durations)
                # Ticks with nothing due: what runs every second most of the day.
                claims.durations.clear()
                empty_ms = []
                for _ in range(ticks):
                    started = time.perf_counter()
                    await dispatcher.tick()
                    empty_ms.append((time.perf_counter() - started) * 1000)
                claims.recording = False
                # EXPLAIN the claim the dispatcher really sent, with 100 rows due again: due
                # at the moment of the last ticks, which the claim's parameters hold.
                await make_due(total - 1, "rearm")
                assert claims.last is not None
                statement, params = claims.last
                # Mapped SQLite pages the ticks read count here (SQLITE_MMAP_MB).
                resident = memory_mib()
        finally:
            await store.close()
            await engine.dispose()
        if backend == "postgres":
            explained = await explain_postgres(url, statement, params)
        else:
            explained = await asyncio.to_thread(explain_sqlite, url, statement, params)
    outcome = {
        "backend": backend,
        "people": size,
        "mode": mode,
        "pace_s": pace,
        "sqlite_mmap_mb": sqlite_mmap_mb if backend == "sqlite" else None,
        "due_per_tick": due,
        "ticks": ticks,
        "ticks_not_sending_all": failures,
        "tick_ms": percentiles(tick_ms),
        "database_ms": percentiles(database_ms),
        "claim_ms": percentiles(claim_ms),
        "claim_statement_ms": percentiles(select_ms),
        "send_ms": percentiles(send_ms),
        "record_ms": percentiles(record_ms),
        "empty_tick_ms": percentiles(empty_ms),
        "explain": explained,
        "bench_process_mib_after_ticks": resident,
    }
    note(
        f"{backend} {size:,} {mode}: claim p99 {outcome['claim_ms'].get('p99')} ms, database "
        f"p99 {outcome['database_ms'].get('p99')} ms, finding statement p99 "
        f"{outcome['claim_statement_ms'].get('p99')} ms, not all sent {failures}, index used "
        f"{explained['index_used']}"
    )
    return outcome


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs",
        default="1000:rearm,1000000:rearm,1000000:stream",
        help="people:mode, comma-separated; mode is stream or rearm",
    )
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--ticks", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--pace", type=float, default=0.25, help="seconds from tick to tick")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--sqlite-mmap-mb", type=int, default=0, help="SQLITE_MMAP_MB for the SQLite runs"
    )
    args = parser.parse_args()
    plan: list[tuple[int, str]] = []
    for spec in args.runs.split(","):
        people, _, mode = spec.partition(":")
        if mode not in MODES:
            parser.error(f"unknown mode in {spec!r}; one of {', '.join(MODES)}")
        if mode == "stream" and int(people) < args.due * (args.warmup + args.ticks) / 0.95:
            parser.error(f"{spec}: too few people to stream {args.due} new ones every tick")
        plan.append((int(people), mode))
    runs = []
    async with FakeApiProcess() as api:
        for backend in args.backends.split(","):
            for size, mode in plan:
                runs.append(
                    await measure(
                        api,
                        backend,
                        size,
                        mode,
                        due=args.due,
                        ticks=args.ticks,
                        warmup=args.warmup,
                        pace=args.pace,
                        sqlite_mmap_mb=args.sqlite_mmap_mb,
                    )
                )
    biggest = max(size for size, _ in plan)
    summary: dict[str, Any] = {"goal_p99_ms": 15}
    for run in runs:
        key = f"{run['backend']}_{run['people']}_{run['mode']}"
        if run["sqlite_mmap_mb"]:
            key += f"_mmap{run['sqlite_mmap_mb']}"
        summary[key] = {
            "claim_p99": run["claim_ms"]["p99"],
            "database_p99": run["database_ms"]["p99"],
            "tick_p99": run["tick_ms"]["p99"],
            "empty_tick_p99": run["empty_tick_ms"]["p99"],
            "index_used": run["explain"]["index_used"],
        }
    at_scale = [r for r in runs if r["people"] == biggest]
    summary["goal_met_claim"] = all(r["claim_ms"]["p99"] < 15 for r in at_scale)
    summary["goal_met_database_work"] = all(r["database_ms"]["p99"] < 15 for r in at_scale)
    summary["goal_met_whole_tick"] = all(r["tick_ms"]["p99"] < 15 for r in at_scale)
    summary["index_used_everywhere"] = all(r["explain"]["index_used"] for r in runs)
    summary["every_tick_sent_all_due"] = all(r["ticks_not_sending_all"] == 0 for r in runs)
    summary["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    emit("tick_cost", {"summary": summary, "runs": runs})


if __name__ == "__main__":
    asyncio.run(main())
