"""A batch of rows as one statement: the rows go to the database as one JSON document.

An executemany sends one statement per row (a round trip each on PostgreSQL) and has
SQLAlchemy process every parameter of every row in Python; for the dispatcher's batches that
was most of a tick. Here the rows are encoded once, with ``json.dumps``, and the database
reads them back as a table: ``jsonb_to_recordset`` on PostgreSQL, ``json_each`` on SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import TextClause, text

ColumnType = Literal["integer", "text", "boolean", "timestamptz"]


def rows_table(dialect: str, name: str, columns: Mapping[str, ColumnType]) -> str:
    """SQL for a FROM clause that reads the ``:name`` document as a table called ``name``."""
    if dialect == "postgresql":
        spec = ", ".join(f"{column} {kind}" for column, kind in columns.items())
        return f"jsonb_to_recordset(CAST(:{name} AS jsonb)) AS {name}({spec})"
    picks = ", ".join(f"json_extract(value, '$.{column}') AS {column}" for column in columns)
    return f"(SELECT {picks} FROM json_each(:{name})) AS {name}"


def batch_statement(dialect: str, template: str, **tables: Mapping[str, ColumnType]) -> TextClause:
    """``template`` with each ``{name}`` replaced by :func:`rows_table` for this database:
    ``batch_statement(dialect, "... FROM {moves} ...", moves={"pid": "integer"})``."""
    frozen = tuple((name, tuple(columns.items())) for name, columns in tables.items())
    return _statement(dialect, template, frozen)


@cache
def _statement(
    dialect: str,
    template: str,
    tables: tuple[tuple[str, tuple[tuple[str, ColumnType], ...]], ...],
) -> TextClause:
    return text(
        template.format(**{name: rows_table(dialect, name, dict(cols)) for name, cols in tables})
    )


def stored_time(dialect: str) -> Callable[[datetime | None], str | None]:
    """A UTC time as the document must carry it: as the column stores it, so that equality
    with a stored value holds (SQLite keeps times as naive UTC text, the format
    ``bot.storage.types.UTCDateTime`` writes through SQLAlchemy; a test holds the two
    together), and ISO 8601 with its offset for PostgreSQL's ``timestamptz``."""
    if dialect == "sqlite":
        return _sqlite_time
    return _iso_time


def _sqlite_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _iso_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return moment.isoformat()


def document(**tables: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The parameters for a batch statement: each table's rows as one JSON document."""
    return {name: json.dumps(rows) for name, rows in tables.items()}
