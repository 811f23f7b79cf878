"""How much this machine alone spreads a fixed piece of work, at the tick's two paces.

The tick-cost figures (bench/tick_cost.py) are p99s of ~10 ms of work on a shared virtual
machine. This times work that does not change from one sample to the next and touches no
database, paced like the ticks (``--paces``, blocks of each in turn so that every pace sees
the same stretch of the machine's weather), so that the tick's p99 can be read against what
the machine does to any work of its size:

- ``cpu``: pure Python with a small working set (a dict of floats built, sorted, encoded);
- ``pages``: ``--reads`` reads of one 4 KiB page each at random offsets of a ``--file-mib``
  scratch file held in the operating system's page cache: the shape of a SQLite claim's
  reads (one ``pread`` per page its own cache misses).

Reported per workload and pace: p50, p99 and p99 / p50.

    .venv/bin/python -m bench.machine_noise [--samples 200] [--paces 0.25,1] [--block 25]
        [--reads 600] [--file-mib 256]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import RESULTS, emit, note, percentiles

PAGE = 4096


def cpu_work() -> None:
    rng = random.Random(1)
    table = {rng.random(): index for index in range(20_000)}
    json.dumps(sorted(table)[:1_000])


def page_work(descriptor: int, pages: int, reads: int, rng: random.Random) -> Callable[[], None]:
    def work() -> None:
        for _ in range(reads):
            os.pread(descriptor, PAGE, rng.randrange(pages) * PAGE)

    return work


def scratch_file(mib: int) -> Path:
    """A file of ``mib`` MiB of random bytes, read once so that the page cache holds it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix="noise-", dir=RESULTS)
    with os.fdopen(descriptor, "wb") as out:
        for _ in range(mib):
            out.write(os.urandom(2**20))
    with open(name, "rb") as warm:
        while warm.read(2**24):
            pass
    return Path(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200, help="per workload and pace")
    parser.add_argument("--paces", default="0.25,1", help="seconds between samples")
    parser.add_argument("--block", type=int, default=25, help="samples at one pace in a row")
    parser.add_argument("--reads", type=int, default=600, help="page reads per pages sample")
    parser.add_argument("--file-mib", type=int, default=256)
    args = parser.parse_args()
    paces = [float(pace) for pace in args.paces.split(",")]
    path = scratch_file(args.file_mib)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        workloads = {
            "cpu": cpu_work,
            "pages": page_work(
                descriptor, args.file_mib * 2**20 // PAGE, args.reads, random.Random(3)
            ),
        }
        timings: dict[tuple[str, float], list[float]] = {
            (name, pace): [] for name in workloads for pace in paces
        }
        done = 0
        while done < args.samples:
            block = min(args.block, args.samples - done)
            for pace in paces:
                for name, work in workloads.items():
                    for _ in range(block):
                        time.sleep(pace)
                        started = time.perf_counter()
                        work()
                        timings[name, pace].append((time.perf_counter() - started) * 1000)
            done += block
            note(f"{done} of {args.samples} samples per workload and pace")
    finally:
        os.close(descriptor)
        path.unlink()
    runs: list[dict[str, Any]] = []
    for (name, pace), values in timings.items():
        spread = percentiles(values)
        runs.append(
            {
                "workload": name,
                "pace_s": pace,
                "ms": spread,
                "p99_over_p50": round(spread["p99"] / spread["p50"], 2),
            }
        )
        note(f"{name} every {pace} s: p50 {spread['p50']} ms, p99 {spread['p99']} ms")
    emit(
        "machine_noise",
        {"reads_per_pages_sample": args.reads, "file_mib": args.file_mib, "runs": runs},
    )


if __name__ == "__main__":
    main()
