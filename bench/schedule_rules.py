"""CPU per schedule-rules call: what the dispatcher's claim spends on each nudge it sends.

For every row a claim moves on, the dispatcher works out the slot after the one the row now
holds (``following_nudge``); in a profile of the claim with 100 due, that was most of its
CPU. This times ``next_nudge`` over a fixed, seeded sample of rules (every zone Python knows,
any working hours, intervals, lunch windows, pauses and snoozes) and moments (2025–2030),
and ``following_nudge`` after each case's next nudge, as the dispatcher asks it, in one
process. ``--against REV`` loads ``bot/coach/schedule.py`` as
it was at git revision REV beside the current one, checks that both give the same answer
for every case, and times them alternately, so the comparison is a ratio from the same run.

    .venv/bin/python -m bench.schedule_rules [--cases 20000] [--rounds 5] [--against REV]
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from bench.common import ROOT, emit, note
from bot.coach import schedule

Case = tuple[Any, datetime]


def _minute(rng: random.Random, low: int, high: int) -> wall:
    minutes = rng.randrange(low, high)
    return wall(minutes // 60, minutes % 60)


def cases(module: ModuleType, count: int, seed: int = 7) -> list[Case]:
    """``count`` (rules, moment) pairs, the same for any module given the same seed."""
    rng = random.Random(seed)
    zones = sorted(z for z in available_timezones() if "/" in z or z == "UTC")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    out: list[Case] = []
    for _ in range(count):
        begin = rng.randrange(0, 23 * 60 + 58)
        end = rng.randrange(begin + 1, 24 * 60)
        lunch: tuple[wall, wall] | tuple[None, None] = (None, None)
        if rng.random() < 0.3:
            first = rng.randrange(0, 23 * 60 + 58)
            lunch = (_minute(rng, first, first + 1), _minute(rng, first + 1, 24 * 60))
        moment = start + timedelta(minutes=rng.randrange(6 * 365 * 24 * 60))
        paused = moment + timedelta(minutes=rng.randrange(5000)) if rng.random() < 0.1 else None
        snoozed = moment + timedelta(minutes=rng.randrange(300)) if rng.random() < 0.1 else None
        rules = module.ScheduleRules(
            time_zone=rng.choice(zones),
            working_days=rng.choice([0b1111111, 0b0011111, rng.randrange(1, 128)]),
            day_start=wall(begin // 60, begin % 60),
            day_end=wall(end // 60, end % 60),
            interval_minutes=rng.choice([15, 30, 45, 60, 90, 120, rng.randrange(15, 241)]),
            lunch_start=lunch[0],
            lunch_end=lunch[1],
            paused_until=paused,
            snoozed_until=snoozed,
        )
        out.append((rules, moment))
    return out


def microseconds_per_call(call: Callable[[Any, datetime], Any], sample: Sequence[Case]) -> float:
    started = time.perf_counter()
    for rules, moment in sample:
        call(rules, moment)
    return (time.perf_counter() - started) / len(sample) * 1e6


def module_at(revision: str) -> ModuleType:
    """bot/coach/schedule.py as it was at ``revision``, imported under a name of its own."""
    source = subprocess.run(
        ["git", "show", f"{revision}:bot/coach/schedule.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "schedule_then.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("schedule_then", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", help="a git revision to compare with")
    options = parser.parse_args()

    # A running bot reads the same few zones again and again: held here, every zone is read
    # from disk once, not whenever eight others were asked for since (ZoneInfo's cache).
    zones = [ZoneInfo(name) for name in available_timezones()]
    modules = {"current": schedule}
    if options.against:
        modules[options.against] = module_at(options.against)
    samples = {name: cases(module, options.cases) for name, module in modules.items()}
    nexts = {
        name: [modules[name].next_nudge(rules, moment) for rules, moment in sample]
        for name, sample in samples.items()
    }
    # following_nudge is asked, as by the dispatcher, about a slot: each case's next nudge.
    slots = {
        name: [
            (rules, slot)
            for (rules, _), slot in zip(samples[name], found, strict=True)
            if slot is not None
        ]
        for name, found in nexts.items()
    }
    if options.against:
        then = modules[options.against]
        assert nexts["current"] == nexts[options.against]
        for (rules, slot), (old_rules, _) in zip(
            slots["current"], slots[options.against], strict=True
        ):
            following = schedule.following_nudge(rules, slot)
            assert following == then.following_nudge(old_rules, slot), (rules, slot)
        note(f"{options.cases:,} cases: both give the same answers")
    timings: dict[str, dict[str, list[float]]] = {
        name: {"following_nudge": [], "next_nudge": []} for name in modules
    }
    for round_ in range(options.rounds):
        for name, module in modules.items():  # alternately, so drift hits both alike
            timings[name]["following_nudge"].append(
                microseconds_per_call(module.following_nudge, slots[name])
            )
            timings[name]["next_nudge"].append(
                microseconds_per_call(module.next_nudge, samples[name])
            )
        note(f"round {round_ + 1}: " + ", ".join(f"{n} {t}" for n, t in timings.items()))
    medians = {
        name: {function: round(statistics.median(v), 2) for function, v in figures.items()}
        for name, figures in timings.items()
    }
    result: dict[str, Any] = {
        "cases": options.cases,
        "slots": len(slots["current"]),
        "rounds": options.rounds,
        "us_per_call_median": medians,
        "us_per_call_runs": timings,
    }
    if options.against:
        result["speedup"] = {
            function: round(medians[options.against][function] / medians["current"][function], 2)
            for function in ("following_nudge", "next_nudge")
        }
    emit("schedule_rules", result)
    del zones


if __name__ == "__main__":
    main()
