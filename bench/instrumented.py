"""The real Dispatcher with stopwatches around its phases (nothing else changed)."""

from __future__ import annotations

import time
from typing import Any

from bot.nudges.dispatcher import Claimed, Dispatcher, TickResult


class TimedDispatcher(Dispatcher):
    """Records, per batch, the claim (select + compare-and-set updates + commit), the sending
    (until the last answer came back) and the recording (activity rows, message ids).

    ``send_concurrency`` is the product's own cap on sends in flight (0: none)."""

    def __init__(self, *args: Any, send_concurrency: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, send_concurrency=send_concurrency, **kwargs)
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
