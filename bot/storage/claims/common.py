"""What claiming does, said once for both databases: the row a claim hands the dispatcher,
the values a claim writes, the statements that settle and record, and the interface each
database's implementation offers the dispatcher."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime, time
from functools import cache
from typing import Any, NamedTuple, Protocol, cast

from sqlalchemy import (
    Select,
    Table,
    Update,
    and_,
    bindparam,
    case,
    column,
    false,
    null,
    select,
    text,
    true,
    update,
)

from bot.storage.batch import ColumnType, rows_select
from bot.storage.models import Person, Schedule
from bot.storage.types import UTCDateTime

SCHEDULES = cast(Table, Schedule.__table__)
PEOPLE = cast(Table, Person.__table__)
S, P = SCHEDULES.c, PEOPLE.c

NOW = bindparam("now", type_=UTCDateTime())
STALE_BEFORE = bindparam("stale_before", type_=UTCDateTime())
LEASE = bindparam("lease", type_=UTCDateTime())


class ClaimedRow(NamedTuple):
    """A claimed row as the dispatcher reads it: whom to send what, the row as it was before
    the claim (``due``, ``last``, ``answered``, ``following``), then the person's schedule
    rules (the fields ``bot.chat.people.rules_of`` reads)."""

    person_id: int
    chat_id: int
    blocked_at: datetime | None
    place: str
    routine_minutes: int
    due: datetime
    last: datetime | None
    answered: bool
    following: datetime | None
    time_zone: str
    working_days: int
    day_start: time
    day_end: time
    interval_minutes: int
    lunch_start: time | None
    lunch_end: time | None
    paused_until: datetime | None
    snoozed_until: datetime | None


# The columns of a ClaimedRow, in its order.
SENDING_COLUMNS = (S.person_id, P.chat_id, P.blocked_at, S.place, S.routine_minutes)
BEFORE_COLUMNS = (
    S.next_nudge_at.label("due"),
    S.last_nudge_at.label("last"),
    S.last_nudge_answered.label("answered"),
    S.following_nudge_at.label("following"),
)
RULE_COLUMNS = (
    P.time_zone,
    S.working_days,
    S.day_start,
    S.day_end,
    S.interval_minutes,
    S.lunch_start,
    S.lunch_end,
    S.paused_until,
    S.snoozed_until,
)
RULES_FROM = len(SENDING_COLUMNS) + len(BEFORE_COLUMNS)
assert ClaimedRow._fields[RULES_FROM:] == tuple(column.name for column in RULE_COLUMNS)


def rules_key(row: ClaimedRow) -> tuple[Any, ...]:
    """The rule columns of a claimed row: people who share them share their slots."""
    return row[RULES_FROM:]


# SET expressions see the row as it was. A row is sent as it stands when its person has not
# blocked the bot, its slot is still fresh and its following slot is known and ahead.
_SENT_AS_IS = and_(
    P.blocked_at.is_(None), S.next_nudge_at >= STALE_BEFORE, S.following_nudge_at > NOW
)
_MOVE_ON = {
    S.next_nudge_at: case(
        (P.blocked_at.is_not(None), null()),
        (S.following_nudge_at > NOW, S.following_nudge_at),
        else_=LEASE,
    ),
    S.last_nudge_at: case((_SENT_AS_IS, S.next_nudge_at), else_=S.last_nudge_at),
    S.last_nudge_answered: case((_SENT_AS_IS, false()), else_=S.last_nudge_answered),
    S.snoozed_until: case((S.snoozed_until <= NOW, null()), else_=S.snoozed_until),
}


# The nudge after a claimed row's following one (the claim's ``after``).
FollowingAfter = Callable[[ClaimedRow], "datetime | None"]


def due_rows(limit: Any) -> Select[Any]:
    """The due rows as a ClaimedRow reads them, earliest first."""
    return (
        select(*SENDING_COLUMNS, *BEFORE_COLUMNS, *RULE_COLUMNS)
        .join(PEOPLE, P.id == S.person_id)
        .where(S.next_nudge_at <= NOW)
        .order_by(S.next_nudge_at)
        .limit(limit)
    )


# Every row a claim found, with the slot after its following one, or null where the claim
# does not move it on.
MOVED: dict[str, ColumnType] = {"pid": "integer", "following": "timestamptz"}


def claim_rows(dialect: str) -> Update:
    """The UPDATE that claims the rows in the ``moves`` document (MOVED): each moves on to
    its following slot, with the one after it as its new following slot. The claim runs it
    in the transaction that found the rows (due_rows) and holds them, so that the slots
    can be worked out in between and every row is written once."""
    moves = (
        text(rows_select(dialect, "moves", MOVED))
        .columns(*(column(name) for name in MOVED))
        .subquery("moves")
    )
    return (
        update(SCHEDULES)
        .where(S.person_id == moves.c.pid, P.id == S.person_id)
        .values(_MOVE_ON | {S.following_nudge_at: moves.c.following})
    )


def moved_rows(
    claimed: Sequence[ClaimedRow],
    now: datetime,
    after: FollowingAfter,
    stored: Callable[[datetime | None], str | None],
) -> list[tuple[int, str | None]]:
    """The ``moves`` document's rows for the rows a claim found."""
    # Slots are shared by many people: each is put as the database stores it once.
    stored = cache(stored)
    return [(row.person_id, stored(after(row)) if moves_on(row, now) else None) for row in claimed]


def moves_on(row: ClaimedRow, now: datetime) -> bool:
    """Whether the claim moved a row on to its following slot, as claim_rows decides it; the
    other rows it took off the schedule (blocked) or parked on the lease."""
    return row.blocked_at is None and row.following is not None and row.following > now


class Settlement(NamedTuple):
    """The real slots of a row the claim parked on its lease."""

    pid: int
    lease: datetime
    next: datetime | None
    following: datetime | None
    last: datetime | None
    answered: bool


def settlements(
    moves: Sequence[Settlement], stored: Callable[[datetime | None], str | None]
) -> list[tuple[Any, ...]]:
    """The ``moves`` document's rows for SETTLE, times as the database stores them."""
    return [
        (pid, stored(lease), stored(n), stored(f), stored(last), answered)
        for pid, lease, n, f, last, answered in moves
    ]


# A row parked on the lease gets its real slots; the WHERE on the lease is the
# compare-and-set that leaves alone a row someone changed meanwhile (a /schedule, a /pause).
SETTLE = """
    UPDATE schedules
    SET next_nudge_at = moves.next, following_nudge_at = moves.following,
        last_nudge_at = moves.last, last_nudge_answered = moves.answered
    FROM {moves}
    WHERE schedules.person_id = moves.pid AND schedules.next_nudge_at = moves.lease
    RETURNING schedules.person_id
"""
SETTLE_COLUMNS: dict[str, ColumnType] = {
    "pid": "integer",
    "lease": "timestamptz",
    "next": "timestamptz",
    "following": "timestamptz",
    "last": "timestamptz",
    "answered": "boolean",
}
assert tuple(SETTLE_COLUMNS) == Settlement._fields


def blocking(ids: Any) -> tuple[Update, Update]:
    """What a person who blocked the bot becomes (``ids``: an expression for their ids): blocked
    since ``now``, with no nudge planned and nothing left unanswered."""
    return (
        update(PEOPLE).where(P.id.in_(ids)).values(blocked_at=NOW),
        update(SCHEDULES)
        .where(S.person_id.in_(ids))
        .values(next_nudge_at=null(), following_nudge_at=null(), last_nudge_answered=true()),
    )


# After sending: the activity log. The sends take seconds, and someone in the batch may
# /forget meanwhile: their entries are dropped (the join), rather than the whole batch's
# failing on the foreign key. PostgreSQL adds a lock on the people rows (see postgres.py).
LOG = """
    INSERT INTO activity (person_id, kind, at)
    SELECT pid, kind, at FROM {entries} JOIN people ON people.id = entries.pid
"""
ENTRIES: dict[str, ColumnType] = {"pid": "integer", "kind": "text", "at": "timestamptz"}

# (person, kind, when)
Entry = tuple[int, str, datetime]


class Claims(Protocol):
    """The dispatcher's three steps on one database; each is committed when it returns."""

    async def claim_due(
        self,
        *,
        now: datetime,
        stale_before: datetime,
        lease: datetime,
        limit: int,
        after: FollowingAfter,
    ) -> Sequence[ClaimedRow]:
        """Claim up to ``limit`` due rows, earliest first: each moves on to its following
        slot, with ``after`` its new following one, or onto ``lease`` when that is unknown
        or past (see ``settle``)."""
        ...

    async def settle(self, moves: Sequence[Settlement]) -> set[int]:
        """Give rows parked on a lease their real slots; the people whose rows were still on
        it."""
        ...

    async def record(
        self, *, entries: Sequence[Entry], blocked: Sequence[int], now: datetime
    ) -> None:
        """Write down a batch once it is sent: the activity log and the people who turned
        out to have blocked the bot."""
        ...


class NudgeStore(Protocol):
    """Where the dispatcher's claims run: opened once, used tick after tick."""

    def claims(self) -> AbstractAsyncContextManager[Claims]:
        """The claims of one tick."""
        ...

    async def close(self) -> None:
        """Let go of whatever the store holds (a connection, a thread); it may be used again
        afterwards, and opens them anew."""
        ...
