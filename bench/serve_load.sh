#!/bin/sh
# serve_load.sh: the load test of `indaga serve` (bench/serve_load.py) with
# its defaults: 32 clients for 60 s on 127.0.0.1 while `indaga index`
# commits twice, beside bench_search's in-process figures. Builds the
# Release command and bench_search in BUILD (default build-bench) first.
#   sh bench/serve_load.sh [BUILD] [serve_load.py options...]
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build-bench}
[ $# -gt 0 ] && shift
cmake -S "$REPO" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DINDAGA_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" --target indaga_cli bench_search -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
exec /usr/bin/python3 "$REPO/bench/serve_load.py" --indaga "$BUILD/indaga" \
    --bench-search "$BUILD/bench/bench_search" "$@"
