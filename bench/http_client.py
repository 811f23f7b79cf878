"""How fast python-telegram-bot alone can send to the fake Bot API, by transport and by
requests in flight.

No database and no dispatcher: ``Bot.send_message`` with at most ``c`` requests in flight (an
asyncio.Semaphore) over a pool of 256 connections, through the bot's own transport
(``aiohttp``: bot/telegram_http.py) and PTB's default (``httpx``), in the same run. This is
the ceiling the dispatcher's sends live under. It also shows why many sends in flight at once
cost httpx more CPU each (httpcore 1.0's connection pool does work proportional to
connections x waiting requests on every request event; see encode/httpcore#1035).

    .venv/bin/python -m bench.http_client [--sends 2000] [--in-flight 1,2,4,8,16,64,200]
        [--transports aiohttp,httpx] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from bench.common import TRANSPORTS, FakeApiProcess, emit, fake_bot, median, note

TEXT = "🧍 <b>Time to get up</b>: a 5-minute desk stretch?"


async def measure(
    api: FakeApiProcess, transport: str, sends: int, in_flight: int
) -> dict[str, Any]:
    bot = fake_bot(api, 256, transport)
    gate = asyncio.Semaphore(in_flight)

    async def one(index: int) -> None:
        async with gate:
            await bot.send_message(10_000 + index, TEXT, parse_mode="HTML")

    async with bot:
        await api.clear()
        fake_cpu = api.cpu_seconds()
        cpu = time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(sends)))
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        fake_cpu = api.cpu_seconds() - fake_cpu
    return {
        "transport": transport,
        "in_flight": in_flight,
        "per_second": round(sends / elapsed, 1),
        "client_cpu_ms_per_send": round(cpu * 1000 / sends, 3),
        "fake_api_cpu_ms_per_send": round(fake_cpu * 1000 / sends, 3),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sends", type=int, default=2000)
    parser.add_argument("--in-flight", default="1,2,4,8,16,64,200")
    parser.add_argument("--transports", default=",".join(TRANSPORTS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = []
    async with FakeApiProcess() as api:
        for _ in range(args.repeat):
            for in_flight in [int(c) for c in args.in_flight.split(",")]:
                for transport in args.transports.split(","):
                    runs.append(await measure(api, transport, args.sends, in_flight))
                    note(str(runs[-1]))
    summary: dict[str, Any] = {}
    for transport, in_flight in sorted({(r["transport"], r["in_flight"]) for r in runs}):
        mine = [r for r in runs if (r["transport"], r["in_flight"]) == (transport, in_flight)]
        summary[f"{transport}_in_flight_{in_flight}"] = {
            "per_second": median([r["per_second"] for r in mine]),
            "client_cpu_ms_per_send": median([r["client_cpu_ms_per_send"] for r in mine]),
            "fake_api_cpu_ms_per_send": median([r["fake_api_cpu_ms_per_send"] for r in mine]),
        }
    emit("http_client", {"summary": summary, "runs": runs})


if __name__ == "__main__":
    asyncio.run(main())
