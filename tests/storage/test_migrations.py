"""The schema reaches both databases only through Alembic, and the models agree with it."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.storage import create_engine, migrations
from bot.storage.models import Base

TABLES = {"people", "cautions", "schedules", "routine_runs", "painful_poses", "activity"}


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


async def test_upgrade_to_head_then_downgrade_to_base_leaves_an_empty_database(
    database_url: str,
) -> None:
    await asyncio.to_thread(migrations.upgrade, database_url)
    assert await _tables(database_url) == TABLES

    await asyncio.to_thread(migrations.downgrade, database_url, "base")
    assert await _tables(database_url) == set()

    # And back up again: a downgrade must not leave anything behind that blocks an upgrade.
    await asyncio.to_thread(migrations.upgrade, database_url)
    assert await _tables(database_url) == TABLES


async def test_the_models_and_the_migrations_agree(migrated_url: str) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    engine = create_engine(migrated_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(differences)
    finally:
        await engine.dispose()
    assert diff == [], f"autogenerate found differences; add a migration: {diff}"
