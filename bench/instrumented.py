"""The real Dispatcher with stopwatches around its phases (nothing else changed)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bot.nudges.dispatcher import Claimed, Dispatcher, TickResult


class TimedDispatcher(Dispatcher):
    """Records, per batch, the claim (select + compare-and-set updates + commit), the sending
    (until the last answer came back) and the recording (activity rows, message ids).

    ``send_concurrency`` (bench only, not in the product): at most this many sends in flight
    at once, to measure what capping the dispatcher's concurrent sends would change."""

    def __init__(self, *args: Any, send_concurrency: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gate = asyncio.Semaphore(send_concurrency) if send_concurrency else None
        self.claim_ms: list[float] = []
        self.send_ms: list[float] = []
        self.record_ms: list[float] = []
        self._last_answer = 0.0

    async def _claim(self, result: TickResult) -> list[Claimed]:
        started = time.perf_counter()
        claimed = await super()._claim(result)
        self.claim_ms.append((time.perf_counter() - started) * 1000)
        return claimed

    async def _send(self, nudge: Claimed) -> tuple[str, int | None, Any]:
        if self._gate is None:
            outcome = await super()._send(nudge)
        else:
            async with self._gate:
                outcome = await super()._send(nudge)
        self._last_answer = time.perf_counter()
        return outcome

    async def _send_all(self, claimed: list[Claimed], result: TickResult) -> None:
        started = self._last_answer = time.perf_counter()
        await super()._send_all(claimed, result)
        finished = time.perf_counter()
        self.send_ms.append((self._last_answer - started) * 1000)
        self.record_ms.append((finished - self._last_answer) * 1000)

    def reset(self) -> None:
        self.claim_ms.clear()
        self.send_ms.clear()
        self.record_ms.clear()
