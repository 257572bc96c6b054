#!/bin/sh
# bench/extract.sh BUILD_DIR: extraction throughput per published format
# (`sh bench/run.sh BUILD_DIR extract` runs it). bench_extract times
# ex_find + ex_extract over the fixtures of tests/data/formats/ in memory,
# $ROUNDS rounds (default 20); pdftotext (poppler-utils) extracts the same
# PDFs $ROUNDS times, timed around the whole loop (so its figure includes
# process start and file reading, which bench_extract's does not; the
# "pdftotext in-process" estimate subtracts the time of `pdftotext -v`
# starts). Prints one table.
set -eu
BUILD=$1
REPO=$(cd "$(dirname "$0")/.." && pwd)
F=$REPO/tests/data/formats
ROUNDS=${ROUNDS:-20}
export LC_ALL=C
"$BUILD/bench/bench_extract" --rounds "$ROUNDS" "$F"/*.pdf "$F"/*.docx "$F"/*.odt "$F"/*.html
command -v pdftotext > /dev/null || { echo "pdftotext: not installed (poppler-utils)"; exit 0; }
bytes=$(cat "$F"/*.pdf | wc -c)
files=$(ls "$F"/*.pdf | wc -l)
now() { date +%s.%N; }
t0=$(now)
i=0
while [ $i -lt "$ROUNDS" ]; do
    for p in "$F"/*.pdf; do pdftotext "$p" - > /dev/null; done
    i=$((i + 1))
done
t1=$(now)
i=0
while [ $i -lt "$ROUNDS" ]; do
    for p in "$F"/*.pdf; do pdftotext -v > /dev/null 2>&1 || true; done
    i=$((i + 1))
done
t2=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$ROUNDS" -v by="$bytes" -v f="$files" 'BEGIN {
    s = (b - a) / n; st = (c - b) / n; t = s - st
    printf "%-22s %6d %8.3f %10.2f %9.2f %9.0f\n", "pdftotext", f, by / 1e6, s * 1e3, by / 1e6 / s, f / s
    if (t > 0) printf "%-22s %6d %8.3f %10.2f %9.2f %9.0f\n", "pdftotext in-process", f, by / 1e6, t * 1e3, by / 1e6 / t, f / t
}'
