"""Throwaway databases for tests: an SQLite file, or a fresh PostgreSQL database.

PostgreSQL runs at 127.0.0.1:5432 on development machines and in CI. Where it is missing the
PostgreSQL runs are skipped with the reason, unless LIMBER_REQUIRE_POSTGRES=1, when they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

PG_HOST = os.environ.get("LIMBER_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("LIMBER_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("LIMBER_TEST_PG_USER", "postgres")
BACKENDS = ("sqlite", "postgres")

_pg_problem: str | None = None
_pg_checked = False


async def _admin() -> asyncpg.Connection:
    return await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres", timeout=5
    )


async def postgres_unavailable() -> str | None:
    """None when PostgreSQL answers, else why not (checked once per test session)."""
    global _pg_checked, _pg_problem
    if not _pg_checked:
        _pg_checked = True
        try:
            connection = await _admin()
            await connection.close()
        except (TimeoutError, OSError, asyncpg.PostgresError) as error:
            _pg_problem = f"PostgreSQL at {PG_HOST}:{PG_PORT} is not reachable: {error}"
    return _pg_problem


async def require_postgres() -> None:
    problem = await postgres_unavailable()
    if problem is None:
        return
    if os.environ.get("LIMBER_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{problem} (LIMBER_REQUIRE_POSTGRES=1)")
    pytest.skip(f"{problem}; set LIMBER_REQUIRE_POSTGRES=1 to make this a failure")


@asynccontextmanager
async def scratch_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database that is gone after the block."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'limber-test.db'}"
        return
    await require_postgres()
    name = f"limber_test_{uuid.uuid4().hex[:12]}"
    admin = await _admin()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin = await _admin()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
