"""A batch of rows as one statement: the rows go to the database as one JSON document.

An executemany sends one statement per row (a round trip each on PostgreSQL) and has
SQLAlchemy process every parameter of every row in Python; for the dispatcher's batches that
was most of a tick. Here the rows are encoded once, with ``json.dumps``, each row as an array
of its values in the order of its columns (smaller and quicker to encode than an object), and
the database reads them back as a table: ``jsonb_array_elements`` on PostgreSQL, ``json_each``
on SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import TextClause, text

ColumnType = Literal["integer", "text", "boolean", "timestamptz"]


def rows_select(dialect: str, name: str, columns: Mapping[str, ColumnType]) -> str:
    """SQL for a SELECT of the ``:name`` document's rows, one column each value."""
    if dialect == "postgresql":
        picks = ", ".join(
            f"CAST(value ->> {index} AS {kind}) AS {column}"
            for index, (column, kind) in enumerate(columns.items())
        )
        return f"SELECT {picks} FROM jsonb_array_elements(CAST(:{name} AS jsonb)) AS rows(value)"
    picks = ", ".join(
        f"json_extract(value, '$[{index}]') AS {column}" for index, column in enumerate(columns)
    )
    return f"SELECT {picks} FROM json_each(:{name})"


def rows_table(dialect: str, name: str, columns: Mapping[str, ColumnType]) -> str:
    """SQL for a FROM clause that reads the ``:name`` document as a table called ``name``."""
    return f"({rows_select(dialect, name, columns)}) AS {name}"


def batch_sql(dialect: str, template: str, **tables: Mapping[str, ColumnType]) -> str:
    """``template`` with each ``{name}`` replaced by :func:`rows_table` for this database:
    ``batch_sql(dialect, "... FROM {moves} ...", moves={"pid": "integer"})``."""
    return template.format(
        **{name: rows_table(dialect, name, columns) for name, columns in tables.items()}
    )


def batch_statement(dialect: str, template: str, **tables: Mapping[str, ColumnType]) -> TextClause:
    """:func:`batch_sql` as a statement SQLAlchemy can run, built once per template."""
    frozen = tuple((name, tuple(columns.items())) for name, columns in tables.items())
    return _statement(dialect, template, frozen)


@cache
def _statement(
    dialect: str,
    template: str,
    tables: tuple[tuple[str, tuple[tuple[str, ColumnType], ...]], ...],
) -> TextClause:
    return text(batch_sql(dialect, template, **{name: dict(cols) for name, cols in tables}))


def stored_time(dialect: str) -> Callable[[datetime | None], str | None]:
    """A UTC time as the document must carry it: as the column stores it, so that equality
    with a stored value holds (SQLite keeps times as naive UTC text, the format
    ``bot.storage.types.UTCDateTime`` writes through SQLAlchemy; a test holds the two
    together), and ISO 8601 with its offset for PostgreSQL's ``timestamptz``."""
    if dialect == "sqlite":
        return sqlite_time
    return _iso_time


def sqlite_time(moment: datetime | None) -> str | None:
    """A time as SQLAlchemy stores it in SQLite: naive UTC text, to the microsecond."""
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


def document(**tables: Sequence[Sequence[Any]]) -> dict[str, str]:
    """The parameters for a batch statement: each table's rows, each row its values in the
    order of the table's columns, as one JSON document."""
    return {name: json.dumps(rows) for name, rows in tables.items()}
