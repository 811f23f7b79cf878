"""The nudge dispatcher.

Each person's next nudge is a row (``schedules.next_nudge_at``, UTC, indexed), never a timer
in memory. A tick claims the due rows in batches and moves each one on to its next slot in the
same transaction, then sends. Claiming is a compare-and-set on ``next_nudge_at`` (on
PostgreSQL behind ``FOR UPDATE SKIP LOCKED``), so two processes never send the same slot, and
a slot is sent at most once. After downtime, slots older than the freshness window are
skipped, not sent: at most one nudge arrives, and only a little late.
"""

from __future__ import annotations

import asyncio
import json
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBUserWarning

from bot.chat.people import rules_of
from bot.coach.schedule import ScheduleRules, next_nudge
from bot.storage import unit_of_work
from bot.storage.batch import ColumnType, batch_statement, document, stored_time
from bot.storage.models import Person, Schedule

log = logging.getLogger(__name__)

SCHEDULES = cast(Table, Schedule.__table__)
PEOPLE = cast(Table, Person.__table__)
_CLAIM_ATTEMPTS = 5

# A claimed batch is moved on in one statement, whatever its size (bot/storage/batch.py).
# The WHERE on the old slot is the compare-and-set.
_MOVE = """
    UPDATE schedules
    SET next_nudge_at = v.next, last_nudge_at = v.last,
        last_nudge_answered = v.answered, snoozed_until = v.snoozed
    FROM {rows}
    WHERE schedules.person_id = v.pid AND schedules.next_nudge_at = v.old
"""
_MOVE_COLUMNS: dict[str, ColumnType] = {
    "pid": "integer",
    "old": "timestamptz",
    "next": "timestamptz",
    "last": "timestamptz",
    "answered": "boolean",
    "snoozed": "timestamptz",
}
_RECORD = "INSERT INTO activity (person_id, kind, at) SELECT pid, kind, at FROM {rows}"
_RECORD_COLUMNS: dict[str, ColumnType] = {"pid": "integer", "kind": "text", "at": "timestamptz"}

# What a claim reads: first what a person's schedule rules are made of, then the rest.
_RULE_COLUMNS = (
    PEOPLE.c.time_zone,
    *(SCHEDULES.c[name] for name in ("working_days", "day_start", "day_end")),
    *(SCHEDULES.c[name] for name in ("interval_minutes", "lunch_start", "lunch_end")),
    SCHEDULES.c.paused_until,
    SCHEDULES.c.snoozed_until,
)
_DUE_COLUMNS = (
    *_RULE_COLUMNS,
    PEOPLE.c.chat_id,
    PEOPLE.c.blocked_at,
    *(SCHEDULES.c[name] for name in ("person_id", "place", "routine_minutes")),
    *(SCHEDULES.c[name] for name in ("next_nudge_at", "last_nudge_at", "last_nudge_answered")),
)


def _plan(row: Row[Any], now: datetime) -> tuple[ScheduleRules, datetime | None]:
    """The rules of the person in a claimed row, and their next slot after ``now``."""
    rules = rules_of(row, row)
    if rules.snoozed_until is not None and rules.snoozed_until <= now:
        # The snooze has fired (or passed): regular slots again.
        rules = replace(rules, snoozed_until=None)
    return rules, next_nudge(rules, now)


class _Contended(Exception):
    """Another worker claimed some of the rows this batch read."""


@dataclass(frozen=True)
class Claimed:
    person_id: int
    chat_id: int
    slot: datetime
    place: str
    minutes: int
    # The nudge before this one, when nobody answered it: recorded as ignored with this send.
    unanswered: datetime | None = None


@dataclass
class TickResult:
    claimed: int = 0
    sent: int = 0
    skipped_stale: int = 0
    blocked: int = 0
    failed: int = 0
    ignored: int = 0
    sent_at: list[tuple[datetime, datetime]] = field(default_factory=list)


Render = Callable[[Claimed], tuple[str, InlineKeyboardMarkup]]


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bot: Bot,
        render: Render,
        *,
        clock: Callable[[], datetime],
        batch_size: int = 200,
        fresh: timedelta = timedelta(minutes=5),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_attempts: int = 4,
        send_concurrency: int | None = 4,
    ) -> None:
        self.sessions = sessions
        self.bot = bot
        self.render = render
        self.clock = clock
        self.batch_size = batch_size
        self.fresh = fresh
        self.sleep = sleep
        self.max_attempts = max_attempts
        # A few sends in flight beat a whole batch at once: 4 to 16 measured alike, all 200
        # of a batch a quarter slower (bench/README.md). None or 0: no cap.
        self._gate = asyncio.Semaphore(send_concurrency) if send_concurrency else None
        self._markups: dict[int, tuple[InlineKeyboardMarkup, str]] = {}
        # _post calls sendMessage by name on purpose (see there), and PTB would say so on
        # every nudge. Set here rather than at import, so a test runner's per-test warning
        # state keeps it too; adding the same filter again replaces it.
        warnings.filterwarnings(
            "ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning
        )

    async def tick(self) -> TickResult:
        """Claim and send every due nudge, batch by batch, until none is due.

        Batches take turns with their sends. Claiming the next batch while one is being sent
        was measured and gained nothing: the work is CPU in this one thread either way.
        """
        result = TickResult()
        self._markups.clear()  # holding the markups keeps their ids from being reused
        while True:
            claimed = await self._claim(result)
            if not claimed:
                return result
            await self._send_all(claimed, result)
            if len(claimed) < self.batch_size:
                return result

    async def _claim(self, result: TickResult) -> list[Claimed]:
        for _attempt in range(_CLAIM_ATTEMPTS):
            try:
                return await self._claim_once(result)
            except _Contended:
                continue  # another worker moved some of these rows; read them again
        return []

    async def _claim_once(self, result: TickResult) -> list[Claimed]:
        now = self.clock()
        # Everyone due in one claim is asked about the same moment, and people share their
        # rules (zone, days, hours, interval) far more often than not: each distinct set of
        # rules is built, and its next slot worked out, once per claim.
        plans: dict[tuple[Any, ...], tuple[ScheduleRules, datetime | None]] = {}
        next_after = cache(next_nudge)  # likewise the latest missed slot, after downtime
        async with unit_of_work(self.sessions) as session:
            # Core statements on the session's connection: the ORM session's execute adds
            # nothing here but its bookkeeping.
            connection = await session.connection()
            dialect = connection.dialect.name
            postgres = dialect == "postgresql"
            # Columns, not ORM objects: building and tracking objects was a third of the
            # claim's CPU, and the UPDATE below is the truth anyway.
            query = (
                select(*_DUE_COLUMNS)
                .join(PEOPLE, PEOPLE.c.id == SCHEDULES.c.person_id)
                .where(SCHEDULES.c.next_nudge_at <= now)
                .order_by(SCHEDULES.c.next_nudge_at)
                .limit(self.batch_size)
            )
            if postgres:
                query = query.with_for_update(skip_locked=True, of=SCHEDULES)
            rows = (await connection.execute(query)).all()
            stored = stored_time(dialect)
            moves: list[dict[str, Any]] = []
            claimed: list[Claimed] = []
            for row in rows:
                slot = row.next_nudge_at
                if slot is None:
                    continue
                key = tuple(row[: len(_RULE_COLUMNS)])
                plan = plans.get(key)
                if plan is None:
                    plan = plans[key] = _plan(row, now)
                rules, following = plan
                blocked = row.blocked_at is not None
                send_slot: datetime | None = None if blocked else slot
                if send_slot is not None and now - send_slot > self.fresh:
                    # Missed slots are not sent; only the latest one, if it is still fresh.
                    latest = next_after(rules, now - self.fresh)
                    send_slot = latest if latest is not None and latest <= now else None
                last, answered = row.last_nudge_at, row.last_nudge_answered
                if send_slot is not None:
                    claimed.append(
                        Claimed(
                            row.person_id,
                            row.chat_id,
                            send_slot,
                            row.place,
                            row.routine_minutes,
                            unanswered=None if answered else last,
                        )
                    )
                    last, answered = send_slot, False
                moves.append(
                    {
                        "pid": row.person_id,
                        "old": stored(slot),
                        "next": None if blocked else stored(following),
                        "last": stored(last),
                        "answered": answered,
                        "snoozed": stored(rules.snoozed_until),
                    }
                )
            if moves:
                # On SQLite (no row locks) a batch that another worker touched first comes
                # back short and is rolled back and read again; on PostgreSQL the rows are
                # locked by this transaction already.
                move = batch_statement(dialect, _MOVE, _MOVE_COLUMNS)
                moved = await connection.execute(move, document(moves))
                if not postgres and moved.rowcount != len(moves):
                    raise _Contended
        result.claimed += len(claimed)
        result.skipped_stale += len(moves) - len(claimed)
        return claimed

    async def _send_all(self, claimed: list[Claimed], result: TickResult) -> None:
        outcomes = await asyncio.gather(*(self._send_gated(c) for c in claimed))
        activity: list[dict[str, Any]] = []
        blocked: list[int] = []
        for nudge, (outcome, at) in zip(claimed, outcomes, strict=True):
            if nudge.unanswered is not None:
                # Left unanswered until this one was due, whatever became of this one.
                result.ignored += 1
                activity.append(
                    {"pid": nudge.person_id, "kind": "nudge_ignored", "at": nudge.unanswered}
                )
            if outcome == "sent":
                result.sent += 1
                result.sent_at.append((nudge.slot, at))
                activity.append({"pid": nudge.person_id, "kind": "nudge_sent", "at": at})
            elif outcome == "blocked":
                result.blocked += 1
                blocked.append(nudge.person_id)
            else:
                result.failed += 1
        if not (activity or blocked):
            return
        async with unit_of_work(self.sessions) as session:
            if activity:
                dialect = session.get_bind().dialect.name
                stored = stored_time(dialect)
                for row in activity:
                    row["at"] = stored(row["at"])
                await session.execute(
                    batch_statement(dialect, _RECORD, _RECORD_COLUMNS), document(activity)
                )
            if blocked:
                now = self.clock()
                await session.execute(
                    update(Person).where(Person.id.in_(blocked)).values(blocked_at=now)
                )
                await session.execute(
                    update(Schedule)
                    .where(Schedule.person_id.in_(blocked))
                    .values(next_nudge_at=None, last_nudge_answered=True)
                )

    async def _send_gated(self, nudge: Claimed) -> tuple[str, datetime]:
        if self._gate is None:
            return await self._send(nudge)
        async with self._gate:
            return await self._send(nudge)

    async def _send(self, nudge: Claimed) -> tuple[str, datetime]:
        text, markup = self.render(nudge)
        for attempt in range(1, self.max_attempts + 1):
            try:
                await self._post(nudge.chat_id, text, markup)
                return "sent", self.clock()
            except Forbidden:
                log.info("Person %s blocked the bot; nudges stop until /start", nudge.person_id)
                return "blocked", self.clock()
            except RetryAfter as error:
                wait = error.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                if not self._still_fresh(nudge, seconds) or attempt == self.max_attempts:
                    break
                await self.sleep(seconds)
            except TimedOut:
                # The request may have reached Telegram: a retry could send the nudge twice.
                log.warning("Nudge to person %s timed out; not retried", nudge.person_id)
                break
            except BadRequest as error:
                log.warning("Nudge to person %s refused: %s", nudge.person_id, error.message)
                break
            except NetworkError as error:
                if not self._still_fresh(nudge, 1.0) or attempt == self.max_attempts:
                    break
                log.info("Nudge to person %s: %s; retrying", nudge.person_id, error.message)
                await self.sleep(min(2.0**attempt, 10.0))
        return "failed", self.clock()

    async def _post(self, chat_id: int, text: str, markup: InlineKeyboardMarkup) -> None:
        """sendMessage, through the bot's rate limiter and error handling like send_message.

        ``send_message`` would parse Telegram's answer into a Message with its keyboard: a
        quarter of the bot's CPU per nudge, for an answer nothing reads (bench/README.md).
        """
        await self.bot.do_api_request(
            "sendMessage",
            api_kwargs={
                "chat_id": chat_id,
                "text": text,
                "parse_mode": "HTML",
                "reply_markup": self._markup_json(markup),
            },
        )

    def _markup_json(self, markup: InlineKeyboardMarkup) -> str:
        """The keyboard as PTB would encode it, once per markup object a tick sees: a render
        that returns the same markup to everyone due at one slot is serialised once."""
        known = self._markups.get(id(markup))
        if known is None:
            known = self._markups[id(markup)] = (markup, json.dumps(markup.to_dict()))
        return known[1]

    def _still_fresh(self, nudge: Claimed, wait_seconds: float) -> bool:
        return self.clock() + timedelta(seconds=wait_seconds) - nudge.slot <= self.fresh
