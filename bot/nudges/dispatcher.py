"""The nudge dispatcher.

Each person's next nudge is a row (``schedules.next_nudge_at``, UTC, indexed), never a timer
in memory. A tick claims the due rows in batches, then sends. Claiming moves each row on to
the following slot its schedule rules worked out ahead, and the slot after that, worked out
while the claim holds the rows, becomes its new following slot; it is committed before
anything is sent, so two processes never send the same slot and a slot is sent at most once
(on PostgreSQL the rows are held ``FOR UPDATE SKIP LOCKED``; see bot/storage/claims). After
sending, the activity log is written. After downtime, slots older than the freshness window
are skipped, not sent: at most one nudge arrives, and only a little late.
"""

from __future__ import annotations

import asyncio
import json
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBUserWarning

from bot.chat.people import rules_of
from bot.coach.schedule import ScheduleRules, following_nudge, next_nudge, upcoming
from bot.storage.claims import ClaimedRow, Claims, NudgeStore, Settlement, moves_on, rules_key

log = logging.getLogger(__name__)

# A slot not worked out yet (None is a slot worked out as "no more nudges").
_UNKNOWN = datetime.min

# How long a claimed row whose slots the claim could not move on waits for them to be worked
# out (claims.settle); if this process dies first, the row is claimed again after it.
LEASE = timedelta(minutes=1)


class Claimed(NamedTuple):
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


@dataclass
class Batch:
    """One claim: the rows it took and the nudges to send."""

    taken: int = 0
    nudges: list[Claimed] = field(default_factory=list)


class _Slots:
    """The schedule rules and slots of the people in one claim. Everyone due in it shares the
    moment, and people share their rules (zone, days, hours, interval) far more often than
    not: each distinct set of rules is built once, and the slot after each slot worked out
    once for everyone who has both."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._rules: dict[tuple[Any, ...], ScheduleRules] = {}
        self._after: dict[tuple[tuple[Any, ...], datetime], datetime | None] = {}

    def rules(self, row: ClaimedRow) -> ScheduleRules:
        key = rules_key(row)
        rules = self._rules.get(key)
        if rules is None:
            rules = self._rules[key] = _rules(row, self.now)
        return rules

    def following_after(self, row: ClaimedRow) -> datetime | None:
        """The nudge after a row's following one, for a row the claim moves on to it."""
        if row.following is None:
            return None  # not moved on: its slots are worked out when it is settled
        key = (rules_key(row), row.following)
        then = self._after.get(key, _UNKNOWN)
        if then is _UNKNOWN:
            then = self._after[key] = following_nudge(self.rules(row), row.following)
        return then


Render = Callable[[Claimed], tuple[str, InlineKeyboardMarkup]]


class Dispatcher:
    def __init__(
        self,
        store: NudgeStore,
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
        self.store = store
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
        async with self.store.claims() as claims:
            while True:
                batch = await self._claim(claims, result)
                if batch.taken == 0:
                    return result
                await self._send_all(claims, batch, result)
                if batch.taken < self.batch_size:
                    return result

    async def close(self) -> None:
        """Let go of the store's connection and thread (SQLite); the next tick opens them
        again."""
        await self.store.close()

    async def _claim(self, claims: Claims, result: TickResult) -> Batch:
        now = self.clock()
        stale_before = now - self.fresh
        slots = _Slots(now)
        rows = await claims.claim_due(
            now=now,
            stale_before=stale_before,
            lease=now + LEASE,
            limit=self.batch_size,
            after=slots.following_after,
        )
        batch = Batch(taken=len(rows))
        parked: list[tuple[ClaimedRow, datetime | None, Settlement]] = []
        for row in rows:
            if row.blocked_at is not None:
                continue  # the claim took them off the schedule
            if moves_on(row, now):
                # Moved on to its following slot (and the one after it written down).
                if row.due >= stale_before:
                    batch.nudges.append(_nudge(row, row.due))
                continue
            # Parked on the lease: no following slot was known, or it has passed (downtime).
            rules = slots.rules(row)
            slot: datetime | None = row.due
            if row.due < stale_before:
                # Missed slots are not sent; only the latest one, if it is still fresh.
                latest = next_nudge(rules, stale_before)
                slot = latest if latest is not None and latest <= now else None
            upcoming_slot, following = upcoming(rules, now)
            settlement = Settlement(
                row.person_id,
                lease=now + LEASE,
                next=upcoming_slot,
                following=following,
                last=row.last if slot is None else slot,
                answered=row.answered if slot is None else False,
            )
            parked.append((row, slot, settlement))
        if parked:
            settled = await claims.settle([settlement for _, _, settlement in parked])
            for row, slot, _settlement in parked:
                if slot is not None and row.person_id in settled:
                    batch.nudges.append(_nudge(row, slot))
        result.claimed += len(batch.nudges)
        result.skipped_stale += batch.taken - len(batch.nudges)
        return batch

    async def _send_all(self, claims: Claims, batch: Batch, result: TickResult) -> None:
        outcomes = await asyncio.gather(*(self._send_gated(n) for n in batch.nudges))
        entries: list[tuple[int, str, datetime]] = []
        blocked: list[int] = []
        for nudge, (outcome, at) in zip(batch.nudges, outcomes, strict=True):
            if nudge.unanswered is not None:
                # Left unanswered until this one was due, whatever became of this one.
                result.ignored += 1
                entries.append((nudge.person_id, "nudge_ignored", nudge.unanswered))
            if outcome == "sent":
                result.sent += 1
                result.sent_at.append((nudge.slot, at))
                entries.append((nudge.person_id, "nudge_sent", at))
            elif outcome == "blocked":
                result.blocked += 1
                blocked.append(nudge.person_id)
            else:
                result.failed += 1
        await claims.record(entries=entries, blocked=blocked, now=self.clock())

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


def _rules(row: ClaimedRow, now: datetime) -> ScheduleRules:
    """The rules of the person in a claimed row, as of ``now``."""
    rules = rules_of(row, row)
    if rules.snoozed_until is not None and rules.snoozed_until <= now:
        # The snooze has fired (or passed): regular slots again.
        rules = replace(rules, snoozed_until=None)
    return rules


def _nudge(row: ClaimedRow, slot: datetime) -> Claimed:
    return Claimed(
        row.person_id,
        row.chat_id,
        slot,
        row.place,
        row.routine_minutes,
        unanswered=None if row.answered else row.last,
    )
