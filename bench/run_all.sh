#!/usr/bin/env bash
# Run every benchmark in turn (about 90 minutes on a 2-core machine) and keep each one's JSON
# line and progress log in bench/results/ (git-ignored). Needs PostgreSQL at 127.0.0.1:5432
# (user postgres, trust auth; LIMBER_BENCH_PG_HOST/PORT/USER to change); every database it
# creates is called limber_bench_* and dropped again. Only 127.0.0.1 is used.
#
#   bench/run_all.sh                 # all of them
#   bench/run_all.sh tick_cost       # some of them, by name
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OUT=bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"

run() {
    local name=$1
    shift
    echo "==> $name: $PY -m bench.$name $*" >&2
    "$PY" -m "bench.$name" "$@" 2> "$OUT/$name-$STAMP.log" | tail -n 1 > "$OUT/$name-$STAMP.json"
    echo "    $OUT/$name-$STAMP.json" >&2
}

wanted=("$@")
want() { [[ ${#wanted[@]} -eq 0 ]] || [[ " ${wanted[*]} " == *" $1 "* ]]; }

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $(nproc)"
    grep -m1 'model name' /proc/cpuinfo
    free -h
    uptime
} > "$OUT/machine-$STAMP.txt"

want http_client && run http_client --sends 2000 --in-flight 1,4,16,200 --transports aiohttp,httpx
want throughput && run throughput --people 1000,10000 --backends sqlite,postgres --caps shipped,0 \
    --transports aiohttp,httpx --repeat 3 --jobqueue-cut-off 120
want tick_cost && run tick_cost --runs 1000:rearm,1000000:rearm,1000000:stream --ticks 500 \
    --pace 0.25
want tick_cost_1s && STAMP="$STAMP-1s" run tick_cost --runs 1000000:stream --ticks 300 --pace 1
want tick_cost_mmap && STAMP="$STAMP-mmap" run tick_cost --runs 1000000:stream --ticks 300 \
    --pace 1 --backends sqlite --sqlite-mmap-mb 1024
want machine_noise && run machine_noise --samples 200 --paces 0.25,1 --reads 600 --file-mib 256
want memory && run memory --sizes 1000,1000000 --jobqueue-sizes 1000,1000000
want schedule_rules && run schedule_rules --cases 20000 --rounds 5
want lateness && run lateness --people 100000 --window 180 \
    --scenarios sqlite:1,postgres:1,jobqueue --spread uniform
want lateness_minute && STAMP="$STAMP-minute" run lateness --people 100000 --window 180 \
    --scenarios sqlite:1,postgres:1,jobqueue --spread minute
echo "done: $OUT/*-$STAMP*.json" >&2
