"""The cost of one tick with many people stored and a few due, and the claim query's plan.

For each database size and backend: seed the people (95% with a next nudge in the coming 24
hours, 5% with none), then, tick after tick, make a fresh random 100 of them due (outside the
timing) and time ``Dispatcher.tick()`` against the fake Bot API in its own process. Reported
per tick: the whole tick, its database work (claim: SELECT ... FOR UPDATE SKIP LOCKED, one
compare-and-set UPDATE per row, commit; record: activity rows and message ids), the claim
SELECT alone, the sends, and a tick with nothing due. Then the claim query the dispatcher
actually ran is EXPLAINed (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS), custom and generic plan;
SQLite: EXPLAIN QUERY PLAN) and checked for ix_schedules_next_nudge_at.

    .venv/bin/python -m bench.tick_cost [--sizes 1000,1000000] [--due 100] [--ticks 200]
        [--backends sqlite,postgres]
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
    note,
    percentiles,
    pg_dsn,
    scratch_database,
    seed,
    sqlite_path,
    wal_checkpoints,
)
from bench.instrumented import TimedDispatcher
from bot.chat.handlers.nudges import render_nudge
from bot.storage import create_engine, session_factory, unit_of_work
from bot.storage.models import Schedule

NOW = MONDAY + timedelta(hours=1)
INDEX = "ix_schedules_next_nudge_at"


def population(size: int) -> Population:
    rng = random.Random(7)
    start = NOW + timedelta(minutes=1)
    return Population(
        [
            None if rng.random() < 0.05 else start + timedelta(seconds=rng.random() * 86_400)
            for _ in range(size)
        ]
    )


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
            literals = f"'{args[0].isoformat()}'::timestamptz, {int(args[1])}"
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
        rows = connection.execute(f"EXPLAIN QUERY PLAN {statement}", tuple(params)).fetchall()
    finally:
        connection.close()
    plan = "\n".join(f"{r[0]}|{r[1]}|{r[3]}" for r in rows)
    return {
        "statement": " ".join(statement.split()),
        "params": [str(p) for p in params],
        "plans": {"query_plan": plan},
        "index_used": INDEX in plan,
    }


async def measure(
    api: FakeApiProcess, backend: str, size: int, due: int, ticks: int, warmup: int
) -> dict[str, Any]:
    async with scratch_database(backend, "tick") as url:
        seconds = await seed(url, population(size))
        note(f"{backend}: seeded {size:,} people in {seconds:.1f} s")
        engine = create_engine(url)
        sessions = session_factory(engine)
        claims = StatementLog(engine, is_claim_query)
        rng = random.Random(11)
        bot = fake_bot(api, 256)
        await api.clear()
        tick_ms: list[float] = []
        database_ms: list[float] = []
        failures = 0
        try:
            async with bot, wal_checkpoints(engine):
                dispatcher = TimedDispatcher(
                    sessions, bot, render_nudge, clock=FixedClock(NOW), batch_size=200
                )

                async def rearm() -> None:
                    ids = rng.sample(range(1, size + 1), due)
                    async with unit_of_work(sessions) as session:
                        await session.execute(
                            update(Schedule)
                            .where(Schedule.person_id.in_(ids))
                            .values(next_nudge_at=NOW - timedelta(seconds=1))
                        )

                claim_ms: list[float] = []
                send_ms: list[float] = []
                record_ms: list[float] = []
                for index in range(warmup + ticks):
                    await rearm()
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
                # Ticks with nothing due: what runs every few seconds most of the day.
                claims.durations.clear()
                empty_ms = []
                for _ in range(ticks):
                    started = time.perf_counter()
                    await dispatcher.tick()
                    empty_ms.append((time.perf_counter() - started) * 1000)
                claims.recording = False
                # EXPLAIN the claim the dispatcher really sent, with 100 rows due again.
                await rearm()
                assert claims.last is not None
                statement, params = claims.last
        finally:
            await engine.dispose()
        if backend == "postgres":
            explained = await explain_postgres(url, statement, params)
        else:
            explained = await asyncio.to_thread(explain_sqlite, url, statement, params)
    outcome = {
        "backend": backend,
        "people": size,
        "due_per_tick": due,
        "ticks": ticks,
        "ticks_not_sending_all": failures,
        "tick_ms": percentiles(tick_ms),
        "database_ms": percentiles(database_ms),
        "claim_ms": percentiles(claim_ms),
        "claim_select_ms": percentiles(select_ms),
        "send_ms": percentiles(send_ms),
        "record_ms": percentiles(record_ms),
        "empty_tick_ms": percentiles(empty_ms),
        "explain": explained,
    }
    note(
        f"{backend} {size:,}: tick p99 {outcome['tick_ms'].get('p99')} ms, database p99 "
        f"{outcome['database_ms'].get('p99')} ms, select p99 "
        f"{outcome['claim_select_ms'].get('p99')} ms, index used {explained['index_used']}"
    )
    return outcome


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,1000000")
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--ticks", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    runs = []
    async with FakeApiProcess() as api:
        for backend in args.backends.split(","):
            for size in [int(s) for s in args.sizes.split(",")]:
                runs.append(await measure(api, backend, size, args.due, args.ticks, args.warmup))
    biggest = max(int(s) for s in args.sizes.split(","))
    summary: dict[str, Any] = {"goal_p99_ms": 15}
    for run in runs:
        key = f"{run['backend']}_{run['people']}"
        summary[key] = {
            "tick_p99": run["tick_ms"]["p99"],
            "database_p99": run["database_ms"]["p99"],
            "claim_select_p99": run["claim_select_ms"]["p99"],
            "empty_tick_p99": run["empty_tick_ms"]["p99"],
            "index_used": run["explain"]["index_used"],
        }
    at_scale = [r for r in runs if r["people"] == biggest]
    summary["goal_met_whole_tick"] = all(r["tick_ms"]["p99"] < 15 for r in at_scale)
    summary["goal_met_database_work"] = all(r["database_ms"]["p99"] < 15 for r in at_scale)
    summary["goal_met_claim_select"] = all(r["claim_select_ms"]["p99"] < 15 for r in at_scale)
    summary["index_used_everywhere"] = all(r["explain"]["index_used"] for r in runs)
    summary["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    emit("tick_cost", {"summary": summary, "runs": runs})


if __name__ == "__main__":
    asyncio.run(main())
