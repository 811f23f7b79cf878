"""What every benchmark shares: scratch databases, fast seeding, the fake Bot API in its own
process, the real dispatcher wired to it, a clock, percentiles and the one-line JSON report."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import resource
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bot.app import WAL_CHECKPOINT_EVERY
from bot.coach.schedule import ScheduleRules, following_nudge
from bot.storage import checkpoint_wal, migrations
from bot.storage.claims import NudgeStore, SqliteStore, nudge_store
from bot.storage.db import sqlite_file
from bot.telegram_http import AiohttpRequest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"  # git-ignored: scratch SQLite files and raw outputs
PG_HOST = os.environ.get("LIMBER_BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("LIMBER_BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("LIMBER_BENCH_PG_USER", "postgres")

# Monday 23 November 2026, 09:00 UTC: a working morning in Europe and India, evening in
# Sydney and Chatham, night in the Americas. Simulated clocks start around here.
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# People live in these zones, in turn. Every one has a whole-hour, half-hour or 45-minute
# offset, so regular slots fall on minutes :00, :15, :30 or :45 UTC.
ZONES = (
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
    "Pacific/Chatham",
)
MON_FRI = 0b0011111
FIRST_CHAT = 10_000_000  # chat ids (and Telegram user ids) are FIRST_CHAT + person id


# --------------------------------------------------------------------------- reporting


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "nproc": os.cpu_count(),
        "cpu": model,
        "mem_gib": round(total / 2**30, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def emit(name: str, result: dict[str, Any]) -> None:
    """The benchmark's figures: one JSON line, last thing on stdout."""
    record = {
        "benchmark": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        **result,
    }
    print(json.dumps(record, default=str), flush=True)


def note(message: str) -> None:
    """Progress, on stderr, so stdout stays one JSON line."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentiles(values: Sequence[float], points: Sequence[int] = (50, 90, 99)) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    out: dict[str, Any] = {"n": len(ordered)}
    for point in points:
        # Nearest rank: the smallest value with at least point% of the values at or below it.
        rank = max(1, -(-point * len(ordered) // 100))
        out[f"p{point}"] = round(ordered[rank - 1], 3)
    out["max"] = round(ordered[-1], 3)
    out["mean"] = round(sum(ordered) / len(ordered), 3)
    return out


def memory_mib() -> dict[str, float]:
    """This process's resident memory now (VmRSS) and at its peak (VmHWM), in MiB."""
    found: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            found[key] = round(int(value.split()[0]) / 1024, 1)
    found["ru_maxrss"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return found


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds another process (the fake API, a child) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


# --------------------------------------------------------------------------- clocks


class FixedClock:
    """A simulated clock that only moves when told."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class RunningClock:
    """A simulated clock that runs at real speed from ``anchor``: wall-clock seconds elapsed
    since ``start`` (a time.time() value) are simulated seconds elapsed since ``anchor``."""

    def __init__(self, anchor: datetime, start: float | None = None) -> None:
        self.anchor = anchor
        self.start = time.time() if start is None else start

    def __call__(self) -> datetime:
        return self.anchor + timedelta(seconds=time.time() - self.start)

    def real(self, simulated: datetime) -> datetime:
        """The real (UTC) moment at which the simulated clock shows ``simulated``."""
        seconds = self.start + (simulated - self.anchor).total_seconds()
        return datetime.fromtimestamp(seconds, UTC)


# --------------------------------------------------------------------------- databases


def pg_url(name: str) -> str:
    return f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


async def _pg_admin() -> asyncpg.Connection:
    return await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres", timeout=10
    )


@asynccontextmanager
async def scratch_database(backend: str, tag: str) -> AsyncIterator[str]:
    """An empty, migrated database, gone after the block: an SQLite file under
    bench/results/, or a PostgreSQL database called limber_bench_<tag>_<random>."""
    suffix = uuid.uuid4().hex[:8]
    if backend == "sqlite":
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"bench-{tag}-{suffix}.db"
        url = f"sqlite+aiosqlite:///{path}"
        try:
            await asyncio.to_thread(migrations.upgrade, url)
            yield url
        finally:
            _remove_sqlite_files(path)
        return
    if backend != "postgres":
        raise ValueError(f"unknown backend {backend!r}")
    name = f"limber_bench_{tag}_{suffix}"
    admin = await _pg_admin()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        url = pg_url(name)
        await asyncio.to_thread(migrations.upgrade, url)
        yield url
    finally:
        admin = await _pg_admin()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def _remove_sqlite_files(path: Path) -> None:
    for extra in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{extra}").unlink(missing_ok=True)


def sqlite_path(url: str) -> str:
    return url.split(":///", 1)[1]


def pg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@dataclass(frozen=True)
class Population:
    """Who is stored: ``next_at[i]`` is person i+1's next nudge (None: none planned)."""

    next_at: Sequence[datetime | None]
    interval_minutes: int = 60
    working_days: int = MON_FRI

    def __len__(self) -> int:
        return len(self.next_at)

    def following_at(self) -> Iterator[datetime | None]:
        """Each person's nudge after the next one, as the bot works it out ahead
        (``schedules.following_nudge_at``), so that claims meet rows as they are in a running
        bot rather than as the migration that added the column left them."""
        rules = [
            ScheduleRules(zone, self.working_days, DAY_START, DAY_END, self.interval_minutes)
            for zone in ZONES
        ]
        following = cache(following_nudge)
        for pid, next_at in enumerate(self.next_at, start=1):
            yield None if next_at is None else following(rules[pid % len(ZONES)], next_at)


PEOPLE_COLUMNS = (
    "id",
    "telegram_user_id",
    "chat_id",
    "language",
    "time_zone",
    "created_at",
    "setup_step",
    "auto_advance",
    "pain_check",
    "weekly_summary",
)
SCHEDULE_COLUMNS = (
    "person_id",
    "working_days",
    "day_start",
    "day_end",
    "interval_minutes",
    "place",
    "routine_minutes",
    "next_nudge_at",
    "following_nudge_at",
    "last_nudge_answered",
)
CREATED = datetime(2026, 11, 1, tzinfo=UTC)
DAY_START = datetime(2000, 1, 1, 9, 0).time()
DAY_END = datetime(2000, 1, 1, 17, 30).time()


def _people(count: int) -> Iterator[tuple[Any, ...]]:
    for pid in range(1, count + 1):
        yield (pid, FIRST_CHAT + pid, FIRST_CHAT + pid, "en", ZONES[pid % len(ZONES)])


def _sqlite_time(moment: datetime | None) -> str | None:
    # The format SQLAlchemy's SQLite DateTime writes (naive UTC, always with microseconds).
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def seed_sqlite(url: str, people: Population) -> None:
    """Bulk-insert people and schedules in one transaction (sync; before or beside the loop)."""
    connection = sqlite3.connect(sqlite_path(url))
    try:
        connection.execute("PRAGMA synchronous=OFF")
        created = _sqlite_time(CREATED)
        places = ("desk", "floor")
        with connection:
            connection.executemany(
                f"INSERT INTO people ({', '.join(PEOPLE_COLUMNS)}) "
                "VALUES (?, ?, ?, ?, ?, ?, NULL, 0, 0, 0)",
                ((*row, created) for row in _people(len(people))),
            )
            connection.executemany(
                f"INSERT INTO schedules ({', '.join(SCHEDULE_COLUMNS)}) "
                "VALUES (?, ?, '09:00:00.000000', '17:30:00.000000', ?, ?, 5, ?, ?, 1)",
                (
                    (
                        pid,
                        people.working_days,
                        people.interval_minutes,
                        places[pid % 2],
                        _sqlite_time(people.next_at[pid - 1]),
                        _sqlite_time(following),
                    )
                    for pid, following in enumerate(people.following_at(), start=1)
                ),
            )
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


async def seed_postgres(url: str, people: Population) -> None:
    """COPY people and schedules in, then VACUUM ANALYZE as autovacuum eventually would."""
    connection = await asyncpg.connect(pg_dsn(url))
    places = ("desk", "floor")
    try:
        await connection.copy_records_to_table(
            "people",
            columns=list(PEOPLE_COLUMNS),
            records=((*row, CREATED, None, False, False, False) for row in _people(len(people))),
        )
        await connection.copy_records_to_table(
            "schedules",
            columns=list(SCHEDULE_COLUMNS),
            records=(
                (
                    pid,
                    people.working_days,
                    DAY_START,
                    DAY_END,
                    people.interval_minutes,
                    places[pid % 2],
                    5,
                    people.next_at[pid - 1],
                    following,
                    True,
                )
                for pid, following in enumerate(people.following_at(), start=1)
            ),
        )
        await connection.execute("VACUUM ANALYZE people")
        await connection.execute("VACUUM ANALYZE schedules")
    finally:
        await connection.close()


async def seed(url: str, people: Population) -> float:
    """Seed either backend; returns the seconds it took."""
    started = time.perf_counter()
    if url.startswith("sqlite"):
        await asyncio.to_thread(seed_sqlite, url, people)
    else:
        await seed_postgres(url, people)
    return time.perf_counter() - started


async def settle(url: str) -> None:
    """After a bulk load, before measuring: write the load out, as one would before going
    live — PostgreSQL's dirty buffers (CHECKPOINT) and the operating system's dirty pages
    (sync) — so that what is measured does not pay for the load just made."""
    if not url.startswith("sqlite"):
        connection = await asyncpg.connect(pg_dsn(url))
        try:
            await connection.execute("CHECKPOINT")
        finally:
            await connection.close()
    await asyncio.to_thread(os.sync)


def spread(count: int, start: datetime, seconds: float, *, seed_value: int = 1) -> list[datetime]:
    """``count`` instants uniformly at random in [start, start + seconds)."""
    rng = random.Random(seed_value)
    return [start + timedelta(seconds=rng.random() * seconds) for _ in range(count)]


# --------------------------------------------------------------------------- the fake API


@asynccontextmanager
async def wal_checkpoints(engine: AsyncEngine, every: float | None = None) -> AsyncIterator[None]:
    """On SQLite, what the running bot does (``bot.app.schedule_wal_checkpoints``): a WAL
    checkpoint in the background every second (or every ``every`` seconds, for a benchmark
    that compresses time), so commits need not stop for one."""
    if sqlite_file(engine) is None:
        yield
        return
    period = WAL_CHECKPOINT_EVERY.total_seconds() if every is None else every

    async def periodically() -> None:
        while True:
            await asyncio.sleep(period)
            await checkpoint_wal(engine)

    task = asyncio.create_task(periodically())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


class FakeApiProcess:
    """bench/fake_api_server.py as a child process: Telegram's side on its own CPU time."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.pid = 0
        self.base_url = ""
        self.base_file_url = ""
        self.token = ""

    async def __aenter__(self) -> FakeApiProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.fake_api_server",
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.pid = self.process.pid
        hello = json.loads(await self._line())
        self.base_url = hello["base_url"]
        self.base_file_url = hello["base_file_url"]
        self.token = hello["token"]
        return self

    def child_args(self) -> list[str]:
        """The command-line options a benchmark's child process takes to reach this fake."""
        return [
            "--token",
            self.token,
            "--base-url",
            self.base_url,
            "--base-file-url",
            self.base_file_url,
        ]

    async def _line(self) -> str:
        assert self.process is not None
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 30)
        if not line:
            raise RuntimeError("the fake Bot API process exited")
        return line.decode()

    async def _command(self, command: str) -> dict[str, Any]:
        assert self.process is not None
        assert self.process.stdin is not None
        self.process.stdin.write(f"{command}\n".encode())
        await self.process.stdin.drain()
        answer: dict[str, Any] = json.loads(await self._line())
        return answer

    async def stats(self) -> dict[str, Any]:
        return await self._command("stats")

    async def clear(self) -> None:
        await self._command("clear")

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid)

    async def __aexit__(self, *exc: object) -> None:
        if self.process is None:
            return
        if self.process.stdin is not None and self.process.returncode is None:
            self.process.stdin.write(b"quit\n")
            await self.process.stdin.drain()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


TRANSPORTS = ("aiohttp", "httpx")


def fake_bot(api: FakeApiProcess, pool: int, transport: str = "aiohttp") -> Bot:
    """A plain telegram.Bot against the fake, with a pool of ``pool`` connections, over the
    bot's own transport (``aiohttp``, bot/telegram_http.py) or PTB's default (``httpx``)."""
    request: BaseRequest
    if transport == "aiohttp":
        request = AiohttpRequest(pool)
    elif transport == "httpx":
        request = HTTPXRequest(connection_pool_size=pool)
    else:
        raise ValueError(f"unknown transport {transport!r}; one of {', '.join(TRANSPORTS)}")
    return Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url, request=request)


# --------------------------------------------------------------------------- SQL capture


class StatementLog:
    """The SQL the dispatcher runs, with how long the driver took: to find and EXPLAIN the
    exact claim query the dispatcher sends, and to time it alone. It watches an engine
    (PostgreSQL) or the dispatcher's own SQLite connection (``store``)."""

    def __init__(self, engine: AsyncEngine, match: Callable[[str], bool]) -> None:
        self.match = match
        self.last: tuple[str, Any] | None = None
        self.durations: list[float] = []
        self.recording = False
        self._started: float | None = None
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    def store(self, engine: AsyncEngine, *, sqlite_mmap_mb: int = 0) -> NudgeStore:
        """The dispatcher's store for ``engine``; on SQLite, one whose statements this log
        sees too."""
        store = nudge_store(engine, sqlite_mmap_mb=sqlite_mmap_mb)
        if isinstance(store, SqliteStore):
            log = self

            class WatchedConnection(sqlite3.Connection):
                def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
                    log._before(None, None, sql, parameters)
                    try:
                        return super().execute(sql, parameters)
                    finally:
                        log._after()

            store.connection_class = WatchedConnection
        return store

    def _before(self, conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if self.match(statement):
            self.last = (statement, params)
            self._started = time.perf_counter()

    def _after(self, *_: Any) -> None:
        if self._started is not None:
            if self.recording:
                self.durations.append((time.perf_counter() - self._started) * 1000)
            self._started = None


def is_claim_query(statement: str) -> bool:
    """The statement that finds the due rows: the SELECT inside the claiming transaction (on
    PostgreSQL with FOR UPDATE SKIP LOCKED)."""
    text = " ".join(statement.split()).upper()
    return text.startswith("SELECT") and "FROM SCHEDULES JOIN PEOPLE" in text
