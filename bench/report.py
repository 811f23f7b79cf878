"""Markdown tables from the benchmarks' JSON lines, for bench/README.md.

    .venv/bin/python -m bench.report bench/results/throughput-*.json bench/results/tick_*.json

Each argument is a file holding one benchmark's JSON line (as bench/run_all.sh writes them).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _ms(stats: dict[str, Any], *keys: str) -> str:
    return " / ".join(f"{stats[k]:.1f}" for k in keys)


def throughput(data: dict[str, Any]) -> list[str]:
    runs = data["runs"]
    lines = [
        "| due at once | approach | backend | nudges/s (median) | all runs | bot CPU ms/nudge "
        "| fake API CPU ms/nudge | claim / send / record, ms per batch of 200 (p50) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for run in runs:
        key = (
            run["people"],
            run["approach"],
            run.get("transport", "aiohttp"),
            run.get("send_cap"),
            run.get("backend", "—"),
        )
        groups.setdefault(key, []).append(run)

    def order(item: tuple[tuple[Any, ...], Any]) -> tuple[Any, ...]:
        people, approach, transport, cap, backend = item[0]
        return (people, approach != "dispatcher", transport, cap != "shipped", str(cap), backend)

    for (people, approach, transport, cap, backend), mine in sorted(groups.items(), key=order):
        rates = sorted(r["per_second"] for r in mine)
        # With nothing sent there is no "per nudge".
        cpu = sorted(r["bot_cpu_ms_per_nudge"] if r["sent"] else float("nan") for r in mine)
        fake = sorted(r["fake_api_cpu_ms_per_nudge"] if r["sent"] else float("nan") for r in mine)
        name = "JobQueue, one run_once job per person"
        if approach == "dispatcher":
            name = {"shipped": "dispatcher as shipped", 0: "dispatcher, no cap"}.get(
                cap, f"dispatcher, send_concurrency={cap}"
            )
            if cap == "shipped":
                name += f" (send_concurrency={mine[0].get('send_concurrency')})"
            name += f", {transport}"
        if approach == "jobqueue":
            phases = "—"
            if any(r.get("cut_off_after_seconds") for r in mine):
                name += f" (cut off after {mine[0]['cut_off_after_seconds']:g} s)"
        else:
            phases = " / ".join(
                f"{sorted(r[k]['p50'] for r in mine)[len(mine) // 2]:.0f}"
                for k in ("claim_ms_per_batch", "send_ms_per_batch", "record_ms_per_batch")
            )
        lines.append(
            f"| {people:,} | {name} | {backend} | {rates[len(rates) // 2]:.0f} | "
            f"{', '.join(f'{r:.0f}' for r in [x['per_second'] for x in mine])} | "
            f"{cpu[len(cpu) // 2]:.2f} | {fake[len(fake) // 2]:.2f} | {phases} |"
        )
    return lines


def tick_cost(data: dict[str, Any]) -> list[str]:
    lines = [
        "| backend | people stored | how due | tick every | claim p50 / p99 "
        "| of it, the statement finding them p50 / p99 | recording p50 / p99 "
        "| claim + recording p50 / p99 | 100 sends p50 / p99 | tick with none due p50 / p99 "
        "| index used |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in data["runs"]:
        backend = run["backend"]
        if run.get("sqlite_mmap_mb"):
            backend += f" (SQLITE_MMAP_MB={run['sqlite_mmap_mb']})"
        lines.append(
            f"| {backend} | {run['people']:,} | {run.get('mode', 'rearm')} | "
            f"{run.get('pace_s', 0):g} s | **{_ms(run['claim_ms'], 'p50', 'p99')}** | "
            f"{_ms(run['claim_statement_ms'], 'p50', 'p99')} | "
            f"{_ms(run['record_ms'], 'p50', 'p99')} | "
            f"**{_ms(run['database_ms'], 'p50', 'p99')}** | "
            f"{_ms(run['send_ms'], 'p50', 'p99')} | {_ms(run['empty_tick_ms'], 'p50', 'p99')} | "
            f"{run['explain']['index_used']} |"
        )
    return lines


def memory(data: dict[str, Any]) -> list[str]:
    lines = [
        "| process | backend | people | jobs | after imports | after start-up | peak after "
        "ticks (VmHWM) | start-up s | nudges sent |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in data["runs"]:
        lines.append(
            f"| {run['approach']} | {run['backend']} | {run['people']:,} | "
            f"{run.get('jobs', '—') if run['approach'] == 'jobqueue' else '—'} | "
            f"{run['after_imports']['VmHWM']:.0f} MiB | {run['after_start']['VmHWM']:.0f} MiB | "
            f"**{run['after_ticks']['VmHWM']:.0f} MiB** | {run['start_seconds']:.2f} | "
            f"{run['nudges_sent']} |"
        )
    return lines


def lateness(data: dict[str, Any]) -> list[str]:
    lines = [
        f"Spread: {data['summary']['spread']}; full-day density "
        f"{data['summary']['day_density_per_s']}/s.",
        "",
        "| approach | backend | tick | due in window (density) | sent | p50 | p90 | p99 | max |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in data["runs"]:
        late = run["lateness_s"]
        tick = f"{run['tick_seconds']:g} s" if "tick_seconds" in run else "—"
        lines.append(
            f"| {run['approach']} | {run.get('backend', '—')} | {tick} | "
            f"{run['due_in_window']} ({run['window_density_per_s']}/s) | {run['sent']} | "
            f"{late['p50']:.3f} s | {late['p90']:.3f} s | **{late['p99']:.3f} s** | "
            f"{late['max']:.3f} s |"
        )
    return lines


def http_client(data: dict[str, Any]) -> list[str]:
    lines = [
        "| transport | sends in flight | sends/s (median) | client CPU ms/send "
        "| fake API CPU ms/send |",
        "|---|---|---|---|---|",
    ]
    rows = sorted(data["summary"].items(), key=lambda item: (item[0].split("_")[0], _flight(item)))
    for key, value in rows:
        transport = key.split("_in_flight_")[0] if "_in_flight_" in key else "httpx"
        lines.append(
            f"| {transport} | {_flight((key, value))} | {value['per_second']:.0f} | "
            f"{value['client_cpu_ms_per_send']:.2f} | {value['fake_api_cpu_ms_per_send']:.2f} |"
        )
    return lines


def _flight(item: tuple[str, Any]) -> int:
    return int(item[0].rsplit("_", 1)[1])


def machine_noise(data: dict[str, Any]) -> list[str]:
    lines = [
        "| work, fixed | every | p50 / p99 ms | p99 / p50 |",
        "|---|---|---|---|",
    ]
    names = {
        "cpu": "pure Python, small working set",
        "pages": f"{data['reads_per_pages_sample']} random 4 KiB reads of a "
        f"{data['file_mib']} MiB cached file",
    }
    for run in data["runs"]:
        lines.append(
            f"| {names[run['workload']]} | {run['pace_s']:g} s | {_ms(run['ms'], 'p50', 'p99')} "
            f"| {run['p99_over_p50']:.1f} |"
        )
    return lines


TABLES = {
    "throughput": throughput,
    "tick_cost": tick_cost,
    "memory": memory,
    "lateness": lateness,
    "http_client": http_client,
    "machine_noise": machine_noise,
}


def main() -> None:
    for name in sys.argv[1:]:
        data = json.loads(Path(name).read_text().strip().splitlines()[-1])
        print(f"### {data['benchmark']} — {name}")
        print(f"{data['date']}, load average {data['machine'].get('loadavg_1m')}: ")
        print(f"`{data['command']}`")
        print()
        print("\n".join(TABLES[data["benchmark"]](data)))
        print()


if __name__ == "__main__":
    main()
