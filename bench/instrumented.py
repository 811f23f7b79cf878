"""The real Dispatcher with stopwatches around its phases (nothing else changed)."""

from __future__ import annotations

import inspect
import time
from typing import Any

from bot.nudges.dispatcher import Batch, Claimed, Dispatcher, TickResult
from bot.storage.claims import Claims


def shipped_send_concurrency() -> Any:
    """The Dispatcher's default cap on sends in flight, as the code stands (None: no cap)."""
    parameter = inspect.signature(Dispatcher.__init__).parameters.get("send_concurrency")
    return None if parameter is None else parameter.default


class TimedDispatcher(Dispatcher):
    """Records, per batch, the claim (its transaction, the slots worked out in it, and
    settling any row it parked), the sending (until the last answer came back) and the
    recording (the activity rows).
    Every argument, ``send_concurrency`` included, goes to the Dispatcher unchanged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.claim_ms: list[float] = []
        self.send_ms: list[float] = []
        self.record_ms: list[float] = []
        self._last_answer = 0.0

    async def _claim(self, claims: Claims, result: TickResult) -> Batch:
        started = time.perf_counter()
        batch = await super()._claim(claims, result)
        self.claim_ms.append((time.perf_counter() - started) * 1000)
        return batch

    async def _send(self, nudge: Claimed) -> tuple[str, Any]:
        outcome = await super()._send(nudge)
        self._last_answer = time.perf_counter()
        return outcome

    async def _send_all(self, claims: Claims, batch: Batch, result: TickResult) -> None:
        started = self._last_answer = time.perf_counter()
        await super()._send_all(claims, batch, result)
        finished = time.perf_counter()
        self.send_ms.append((self._last_answer - started) * 1000)
        self.record_ms.append((finished - self._last_answer) * 1000)

    def reset(self) -> None:
        self.claim_ms.clear()
        self.send_ms.clear()
        self.record_ms.clear()
