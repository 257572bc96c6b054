#!/bin/sh
# bench/smallend/run.sh: the fixed costs of small builds and nightly runs.
#
#   sh bench/smallend/run.sh BUILD_DIR [BASE_BUILD_DIR]
#                                     (what `make bench-smallend` runs, after
#                                      building BUILD_DIR with
#                                      -DINDAGA_BUILD_BENCH=ON)
#
# Issue #22: on a 60 MB corpus indaga's build was slower per MB, and nearer
# to FTS5, than on the whole 287 MB legislation, because of costs that do
# not shrink with the corpus (the walk before the first file, the last
# segment's write and the commit after the last one, the commit's fsyncs).
# This measures them where they show:
#   1. Corpus: the legislation's files in path order until 60 MB, plus the UN
#      set (the issue's "first 60 MB"), copied into bench/work/smallend/s60
#      once; bench_dump's dump of it for FTS5.
#   2. BENCH_SMALL_ROUNDS (5) rounds, each running in turn: indaga's build
#      (bench_index, 2 threads), BASE_BUILD_DIR's when given (an older
#      indaga, to compare), FTS5's (fts5_peer from the dump). Medians.
#   3. The same rounds for the nightly cases, each `indaga index` a whole
#      process timed from outside: one file into a fresh index; the 60 MB
#      tree again, unchanged; again after one file's mtime changed.
#   4. bench/RESULTS-smallend.md.
# A failed step reads FAILED in the table (log in bench/work/smallend/log/)
# and makes the script exit 1.
#
# Environment (all optional): INDAGA_SHARED_DATA (the shared data folder),
# BENCH_SMALL_ROUNDS (default 5), BENCH_SMALL_MB (default 60),
# BENCH_BASE_NAME (what the page calls BASE_BUILD_DIR's indaga, e.g. the
# revision it was built at; default "base"), BENCH_OUT (default
# bench/RESULTS-smallend.md).
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: sh bench/smallend/run.sh BUILD_DIR [BASE_BUILD_DIR]" >&2
    exit 2
fi
if ! BUILD=$(cd "$1" 2>/dev/null && pwd); then
    echo "smallend/run.sh: no build directory '$1' (configure with -DINDAGA_BUILD_BENCH=ON first)" >&2
    exit 2
fi
BASE=""
if [ $# -eq 2 ] && ! BASE=$(cd "$2" 2>/dev/null && pwd); then
    echo "smallend/run.sh: no build directory '$2'" >&2
    exit 2
fi
REPO=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${INDAGA_SHARED_DATA:-$(dirname "$REPO")/shared/data}
WORK=$REPO/bench/work
SW=$WORK/smallend
LOG=$SW/log
OUT=${BENCH_OUT:-$REPO/bench/RESULTS-smallend.md}
ROUNDS=${BENCH_SMALL_ROUNDS:-5}
MB=${BENCH_SMALL_MB:-60}
BASE_NAME=${BENCH_BASE_NAME:-base}
export LC_ALL=C

ME=smallend/run.sh
. "$REPO/bench/lib.sh"
FAILED=""
T_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

for p in "$BUILD/bench/bench_index" "$BUILD/bench/bench_dump" "$BUILD/bench/peers/fts5_peer" "$BUILD/indaga"; do
    [ -x "$p" ] || { say "missing program $p"; exit 2; }
done
[ -z "$BASE" ] || for p in "$BASE/bench/bench_index" "$BASE/indaga"; do
    [ -x "$p" ] || { say "missing program $p"; exit 2; }
done
mkdir -p "$SW" "$LOG"
rm -f "$LOG"/*.out "$LOG"/*.err

# 1. Corpus -----------------------------------------------------------------------
unpack_legislation
TREE=$SW/s$MB
if [ ! -f "$TREE.done" ]; then
    say "copying the first $MB MB of the legislation and the UN set into $TREE ..."
    rm -rf "$TREE"
    mkdir -p "$TREE/pe"
    (cd "$WORK/pe" && find . -type f \( -iname '*.txt' -o -iname '*.md' \) ! -path '*/.*' -printf '%s %P\n' |
        sort -k2 | awk -v max="$MB" '{ s += $1; if (s > max * 1e6) exit; print $2 }' |
        while IFS= read -r f; do
            mkdir -p "$TREE/pe/$(dirname -- "$f")"   # names may start with '-'
            cp -p -- "./$f" "$TREE/pe/$f"
        done)
    cp -Rp "$DATA/un" "$TREE/un"
    touch "$TREE.done"
fi
set -- $(corpus_bytes "$TREE")
CBYTES=$1; CFILES=$2
ONE=$SW/one
rm -rf "$ONE"; mkdir -p "$ONE"
cp -p "$DATA/un/carta_krasnodar_2017.txt" "$ONE/"
DUMP=$SW/s$MB.dump
run_step dump "$BUILD/bench/bench_dump" "$TREE" "$DUMP" || true

# 2 and 3. Rounds ------------------------------------------------------------------
# wall STEP COMMAND...: run_step with the whole command's wall time as wall_s=.
wall() {
    w_name=$1; w_t0=$(now)
    run_step "$@" || return 1
    awk -v a="$w_t0" -v b="$(now)" 'BEGIN { printf "wall_s=%.4f\n", b - a }' >>"$LOG/$w_name.out"
}
# nightly WHO CLI R: one file, unchanged tree, one file touched; indexes under $SW/ix.WHO.
nightly() {
    n_ix=$SW/ix.$1
    rm -rf "$n_ix.one" "$n_ix"
    wall "one_$1_$3" "$2" index --index "$n_ix.one" "$ONE" || true
    run_step "first_$1_$3" "$2" index --index "$n_ix" "$TREE" || return 0
    wall "unchanged_$1_$3" "$2" index --index "$n_ix" "$TREE" || true
    touch "$TREE/un/carta_krasnodar_2017.txt"
    wall "touched_$1_$3" "$2" index --index "$n_ix" "$TREE" || true
    rm -rf "$n_ix.one" "$n_ix"
}
WHO="indaga"
[ -z "$BASE" ] || WHO="indaga base"
for r in $(seq 1 "$ROUNDS"); do
    for who in $WHO; do
        b=$BUILD; [ "$who" = base ] && b=$BASE
        rm -rf "$SW/ix.build"
        run_step "build_${who}_$r" "$b/bench/bench_index" build "$TREE" "$SW/ix.build" 2 &&
            note_load "build_${who}_$r" || true
        rm -rf "$SW/ix.build"
    done
    if [ -s "$DUMP" ]; then
        rm -f "$SW/fts5.db"
        run_step "build_fts5_$r" "$BUILD/bench/peers/fts5_peer" build "$DUMP" "$SW/fts5.db" &&
            note_load "build_fts5_$r" || true
        rm -f "$SW/fts5.db"
    fi
    for who in $WHO; do
        b=$BUILD; [ "$who" = base ] && b=$BASE
        nightly "$who" "$b/indaga" "$r"
    done
done
rm -f "$DUMP"
T_END=$(date +%s)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

# 4. RESULTS-smallend.md --------------------------------------------------------------
# median STEP_PREFIX KEY: the median of KEY over the rounds' STEP_PREFIX_<r> steps.
median() {
    for r in $(seq 1 "$ROUNDS"); do val "$1_$r" "$2"; done | grep -v FAILED | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "FAILED"; else if (NR % 2) print v[(NR + 1) / 2];
                                  else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
loads() { for r in $(seq 1 "$ROUNDS"); do val "build_$1_$r" load1; done | tr '\n' ' '; }
cpu=$(awk -F: '/^model name/ { sub(/^ +/, "", $2); print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
iver=$(sed -n 's/^#define INDAGA_VERSION_STRING "\(.*\)"/\1/p' "$REPO/include/indaga.h")
irev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "no git")
FT=$(median build_fts5 build_s)
ms() { awk -v s="$1" 'BEGIN { if (s ~ /^[0-9.]+$/) printf "%.1f", s * 1000; else print "-" }'; }
row() {   # row WHO LABEL: one line of the table
    bs=$(median "build_$1" build_s)
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$2" "$(calc f3 "$bs")" "$(calc mbps "$CBYTES" "$bs")" \
        "$(calc ratio "$FT" "$bs")" "$(ms "$(median "build_$1" first_s)")" "$(ms "$(median "build_$1" tail_s)")" \
        "$(ms "$(median "one_$1" wall_s)")" \
        "$(ms "$(median "unchanged_$1" wall_s)")" "$(ms "$(median "touched_$1" wall_s)")"
}
{
cat <<EOF
# indaga at the small end: fixed costs of small builds and nightly runs

Written by \`sh bench/smallend/run.sh\` (\`make bench-smallend\`, not part of \`make bench\`) on
$(date -u '+%Y-%m-%d %H:%M UTC'); the run took $((T_END - T_START)) s. indaga $iver (git $irev)$([ -z "$BASE" ] || echo ", against $BASE_NAME"),
$cpu, $(nproc) cores.

**The machine is shared**: 1-, 5- and 15-minute load average $LOAD_START at the start and
$LOAD_END at the end, on $(nproc) cores. Each round runs every program once, in turn, so all see
the same minutes; the figures are medians of $ROUNDS rounds. Loads at indaga's builds: $(loads indaga).

## Method

- **Corpus**: the legislation's .md files in path order until $MB MB, plus the UN set:
  $(calc mb "$CBYTES") MB in $CFILES files (MB = 10^6 bytes).
- **build**: \`bench_index build TREE INDEX 2\` (2 threads), wall time from writer open to the end of
  the commit. FTS5: \`fts5_peer build DUMP DB\` from bench_dump's dump (dump time charged to
  neither). "x FTS5" is FTS5's median time over indaga's. The build's serial ends, from
  bench_index's progress callback: **first**, writer open to the first file done (open, walk,
  the first parse); **tail**, the last file done to the end of the commit (the last segment's
  write, the commit); - where the program does not report them (bench_index before they were
  added).
- **one file**: \`indaga index --index NEW FOLDER\` of a folder holding one UN document (9 KB), the
  whole process timed from outside: start, walk, parse, one segment, commit and its fsyncs.
- **unchanged**: \`indaga index\` of the $MB MB tree into its own index again, nothing changed
  (open, walk, size and mtime compared, no commit).
- **one touched**: the same after one file's mtime changed (its content hash is compared; its
  new mtime is committed).

## Results

| program | build s | MB/s | x FTS5 | first ms | tail ms | one file ms | unchanged ms | one touched ms |
|---|---|---|---|---|---|---|---|---|
EOF
row indaga "indaga (git $irev)"
[ -z "$BASE" ] || row base "indaga, $BASE_NAME"
echo "| SQLite FTS5 | $(calc f3 "$FT") | $(calc mbps "$CBYTES" "$FT") | 1.00 | - | - | - | - | - |"
failed_steps bench/work/smallend/log
} >"$OUT.tmp"
publish_page "$OUT"
