#!/bin/sh
# bench/run.sh: indaga against Xapian and SQLite FTS5, one command, one table.
#
#   sh bench/run.sh BUILD_DIR        (what `make bench` runs, after building
#                                     BUILD_DIR with -DINDAGA_BUILD_BENCH=ON)
#
# Design (bench/README.md has the why):
#   1. Corpora: the Peruvian legislation (287 MB, unpacked once from
#      ../shared/data/legalize-pe-national.tar.zst into bench/work/pe) and the
#      UN documents of ../shared/data/un.
#   2. bench_dump writes every paragraph of each corpus, as indaga's parser
#      sees it, for the peers (time reported, charged to no engine).
#   3. knownitem.awk picks the known-item set from the dumps (fixed seed).
#   4. Builds: indaga with 1 and 2 threads (bench_index, parsing the raw
#      tree itself) and FTS5 (from the dump), $BENCH_BUILD_RUNS times each,
#      the run of median wall time reported; Xapian (from the dump) once,
#      as it takes minutes; indaga's reindex of the unchanged tree. Figures
#      come from each program (wall clock, getrusage CPU and peak RSS,
#      index bytes).
#   5. Query latency over bench/queries.txt on the legislation index: one
#      warm-up pass, then $BENCH_PASSES timed passes, top 10, without and
#      with snippets, timed inside each program around the search call.
#   6. Known-item MRR@10 of each engine on both corpora; the typo kind (one
#      edit in one word of each known-item query, bench/typo.awk, fixed seed)
#      apart; the question set (bench/questions.tsv: natural-language
#      questions, each with its answer paragraph): indaga's default query,
#      Xapian's QueryParser with its default OR, FTS5 with the words joined
#      by OR; zero-result rate and MRR@10.
#   7. bench/RESULTS.md: machine, versions, method, the table, the ratios
#      indaga / peer and the targets, met or not.
# A step that fails is shown as FAILED in the table, with its log in
# bench/work/log/, and makes the script exit 1: no figure is ever made up.
#
# Environment (all optional): INDAGA_SHARED_DATA (the shared data folder),
# BENCH_PASSES (timed passes over the query set, default 3),
# BENCH_BUILD_RUNS (runs of each short build, median reported, default 3),
# BENCH_KNOWNITEMS (known items per corpus, default 200), BENCH_PE_DIR (use
# another tree instead of the legislation corpus, for trying the script on
# a small sample; RESULTS.md then says so), BENCH_PART=relevance (only the
# known items, the typo kind and the questions: each index built once, no
# latency; the figures go to bench/RESULTS-relevance.md unless BENCH_OUT says
# where), BENCH_KEEP_PEERS=1 (with BENCH_PART=relevance: reuse the peers'
# indexes a previous run left in bench/work, Xapian's taking minutes).
set -eu

if [ $# -ne 1 ] && { [ $# -ne 2 ] || [ "$2" != extract ]; }; then
    echo "usage: sh bench/run.sh BUILD_DIR [extract]" >&2
    exit 2
fi
if ! BUILD=$(cd "$1" 2>/dev/null && pwd); then
    echo "run.sh: no build directory '$1' (configure with -DINDAGA_BUILD_BENCH=ON first)" >&2
    exit 2
fi
REPO=$(cd "$(dirname "$0")/.." && pwd)
DATA=${INDAGA_SHARED_DATA:-$(dirname "$REPO")/shared/data}
WORK=$REPO/bench/work
LOG=$WORK/log
PART=${BENCH_PART:-all}
case $PART in all|relevance) ;; *) echo "run.sh: BENCH_PART must be all or relevance" >&2; exit 2 ;; esac
if [ "$PART" = relevance ]; then OUT=${BENCH_OUT:-$REPO/bench/RESULTS-relevance.md}
else OUT=${BENCH_OUT:-$REPO/bench/RESULTS.md}; fi
KEEP_PEERS=${BENCH_KEEP_PEERS:-0}
PASSES=${BENCH_PASSES:-3}
BUILD_RUNS=${BENCH_BUILD_RUNS:-3}
KI_COUNT=${BENCH_KNOWNITEMS:-200}
PE=${BENCH_PE_DIR:-$WORK/pe}
UN=$DATA/un

DUMP=$BUILD/bench/bench_dump
INDEX=$BUILD/bench/bench_index
SEARCH=$BUILD/bench/bench_search
XAPIAN=$BUILD/bench/peers/xapian_peer
FTS5=$BUILD/bench/peers/fts5_peer

# Xapian: flush every 10000 documents (bench/README.md).
XAPIAN_FLUSH_THRESHOLD=${XAPIAN_FLUSH_THRESHOLD:-10000}
export XAPIAN_FLUSH_THRESHOLD
export LC_ALL=C

# `sh bench/run.sh BUILD_DIR extract`: only the extraction throughput of the
# published formats (bench_extract over tests/data/formats/) beside pdftotext
# on the same PDFs, then exit.
if [ "${2:-}" = extract ]; then exec sh "$REPO/bench/extract.sh" "$BUILD"; fi

ME=run.sh
. "$REPO/bench/lib.sh"
FAILED=""
T_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

# build_runs NAME OUTPUT COMMAND...: run a build step $BUILD_RUNS times, each
# into a fresh OUTPUT (the last run's stays), and make step NAME the run of
# median wall time, with every run's wall time (runs_s=) and load added. One
# failed run fails the step: no figure comes from a partial set.
build_runs() {   # (sh has no locals: br_* names, apart from run_step's)
    br_name=$1; br_out=$2; shift 2
    br_times=""
    br_k=1
    while [ $br_k -le "$BUILD_RUNS" ]; do
        rm -rf "$br_out"
        run_step "${br_name}_run$br_k" "$@" || return 1
        note_load "${br_name}_run$br_k"
        br_times="$br_times $(val "${br_name}_run$br_k" build_s):$br_k"
        br_k=$((br_k + 1))
    done
    br_med=$(echo $br_times | tr ' ' '\n' | sort -t: -k1,1g |
             awk -v n="$BUILD_RUNS" 'NR == int((n + 1) / 2) { split($0, a, ":"); print a[2] }')
    cp "$LOG/${br_name}_run$br_med.out" "$LOG/$br_name.out"
    echo "runs_s=$(echo $br_times | tr ' ' '\n' | sort -t: -k2,2n | cut -d: -f1 | paste -sd, -)" >>"$LOG/$br_name.out"
    echo "median_of=$BUILD_RUNS" >>"$LOG/$br_name.out"
}

# mrr TARGETS TOPK: MRR@10 of a top-k listing against the known items.
mrr() {
    awk -F'\t' '
        FNR == NR { doc[NR - 1] = $2; part[NR - 1] = $3; ord[NR - 1] = $4; kind[NR - 1] = $5;
                    n++; nk[$5]++; next }
        { q = $1; if (!(q in hit)) { hit[q] = 1; nhit++ } }
        !(q in rr) && $3 == doc[q] && $4 == part[q] && $5 == ord[q] && $2 <= 10 {
            rr[q] = 1 / $2 }
        END {
            for (q in rr) { s += rr[q]; found++; sk[kind[q]] += rr[q] }
            printf "n=%d found=%d sum=%.4f mrr=%.3f zero=%d", n, found, s, n ? s / n : 0, n - nhit
            split("exact inflect noaccent phrase", ks, " ")
            for (i = 1; i <= 4; i++) printf " mrr_%s=%.3f", ks[i], nk[ks[i]] ? sk[ks[i]] / nk[ks[i]] : 0
            printf "\n"
        }' "$1" "$2"
}

mkdir -p "$WORK" "$LOG"
rm -f "$LOG"/*.out "$LOG"/*.err
for p in "$DUMP" "$INDEX" "$SEARCH" "$XAPIAN" "$FTS5"; do
    [ -x "$p" ] || say "missing program $p (its rows will be FAILED)"
done

# 1. Corpora ---------------------------------------------------------------
[ -n "${BENCH_PE_DIR:-}" ] || unpack_legislation
[ -d "$PE" ] || { say "no legislation corpus at $PE"; exit 2; }
[ -d "$UN" ] || { say "no UN documents at $UN"; exit 2; }
set -- $(corpus_bytes "$PE"); PE_BYTES=$1; PE_FILES=$2
set -- $(corpus_bytes "$UN"); UN_BYTES=$1; UN_FILES=$2

# 2. Dumps for the peers ----------------------------------------------------
for c in pe un; do
    if [ "$c" = pe ]; then tree=$PE; else tree=$UN; fi
    rm -f "$WORK/$c.dump"
    t0=$(now)
    if run_step "dump_$c" "$DUMP" "$tree" "$WORK/$c.dump"; then
        awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "dump_s=%.3f\n", b - a }' >"$LOG/dump_$c.out"
        sed -n 's/.* \([0-9][0-9]*\) paragraphs .*/paragraphs=\1/p' "$LOG/dump_$c.err" >>"$LOG/dump_$c.out"
    fi
done

# 3. Known items ------------------------------------------------------------
KI_NOTE="not made (no dump)"
: >"$WORK/knownitem.tsv"
for c in un pe; do
    if [ -s "$WORK/$c.dump" ]; then
        awk -v corpus="$c" -v count="$KI_COUNT" -v seed=20171122 -f "$REPO/bench/knownitem.awk" \
            "$WORK/$c.dump" >"$WORK/ki.$c.tsv"
        cat "$WORK/ki.$c.tsv" >>"$WORK/knownitem.tsv"
        cut -f6 "$WORK/ki.$c.tsv" >"$WORK/ki.$c.indaga.txt"
        cut -f7 "$WORK/ki.$c.tsv" >"$WORK/ki.$c.xapian.txt"
        cut -f8 "$WORK/ki.$c.tsv" >"$WORK/ki.$c.fts5.txt"
    fi
done
# The typo kind: one edit in one word of each known-item query (bench/typo.awk).
: >"$WORK/typo.tsv"
for c in un pe; do
    if [ -s "$WORK/ki.$c.tsv" ]; then
        awk -v seed=20171122 -f "$REPO/bench/typo.awk" "$WORK/ki.$c.tsv" >"$WORK/ty.$c.tsv"
        cat "$WORK/ty.$c.tsv" >>"$WORK/typo.tsv"
        cut -f6 "$WORK/ty.$c.tsv" >"$WORK/ty.$c.indaga.txt"
        cut -f7 "$WORK/ty.$c.tsv" >"$WORK/ty.$c.xapian.txt"
        cut -f8 "$WORK/ty.$c.tsv" >"$WORK/ty.$c.fts5.txt"
    fi
done
TY_NOTE="not made (no known items)"
if [ -s "$WORK/typo.tsv" ]; then
    if cmp -s "$WORK/typo.tsv" "$REPO/bench/typo.tsv"; then
        TY_NOTE="$(wc -l <"$WORK/typo.tsv") queries, identical to the committed bench/typo.tsv"
    else
        TY_NOTE="$(wc -l <"$WORK/typo.tsv") queries, regenerated: DIFFERS from the committed bench/typo.tsv (copy bench/work/typo.tsv over it when intended)"
    fi
fi

# The questions, per corpus: indaga and Xapian take them as written, FTS5 gets
# their words (letters and digits; punctuation such as ¿ ? « » out) quoted and
# joined by OR.
QS_N=0
for c in un pe; do
    awk -F'\t' -v c="$c" '!/^#/ && NF == 5 && $1 == c' "$REPO/bench/questions.tsv" >"$WORK/qs.$c.tsv"
    cut -f5 "$WORK/qs.$c.tsv" >"$WORK/qs.$c.indaga.txt"
    cp "$WORK/qs.$c.indaga.txt" "$WORK/qs.$c.xapian.txt"
    awk '{ t = $0
           gsub(/\342\200[\200-\277]/, " ", t); gsub(/\302[\200-\277]/, " ", t)
           gsub(/[^A-Za-z0-9\200-\377]+/, " ", t)
           n = split(t, w, " "); q = ""
           for (i = 1; i <= n; i++) if (w[i] != "") q = q (q == "" ? "" : " OR ") "\"" w[i] "\""
           print q }' "$WORK/qs.$c.indaga.txt" >"$WORK/qs.$c.fts5.txt"
    QS_N=$((QS_N + $(wc -l <"$WORK/qs.$c.tsv")))
done

if [ -s "$WORK/knownitem.tsv" ]; then
    KI_N=$(wc -l <"$WORK/knownitem.tsv")
    if cmp -s "$WORK/knownitem.tsv" "$REPO/bench/knownitem.tsv"; then
        KI_NOTE="$KI_N queries, identical to the committed bench/knownitem.tsv"
    else
        KI_NOTE="$KI_N queries, regenerated: DIFFERS from the committed bench/knownitem.tsv (parser or corpus changed; copy bench/work/knownitem.tsv over it when intended)"
    fi
fi

# 4. Builds -------------------------------------------------------------------
# keep_peer STEP PATH: with BENCH_PART=relevance and BENCH_KEEP_PEERS=1, a peer
# index a previous run left at PATH stands for STEP (nothing is measured of it).
keep_peer() {
    if [ "$PART" = relevance ] && [ "$KEEP_PEERS" = 1 ] && [ -e "$2" ]; then
        say "$1: keeping $2"
        echo "kept=1" >"$LOG/$1.out"
        return 0
    fi
    rm -rf "$2" "$2.tmp"
    return 1
}
rm -rf "$WORK/indaga-pe-1" "$WORK/indaga-pe-2" "$WORK/indaga-un"
[ "$PART" = relevance ] && BUILD_RUNS=1
if [ "$PART" = all ]; then
    build_runs build_indaga1 "$WORK/indaga-pe-1" "$INDEX" build "$PE" "$WORK/indaga-pe-1" 1 || true
    rm -rf "$WORK/indaga-pe-1"
fi
build_runs build_indaga2 "$WORK/indaga-pe-2" "$INDEX" build "$PE" "$WORK/indaga-pe-2" 2 || true
if [ "$PART" = all ] && [ -s "$LOG/build_indaga2.out" ]; then
    run_step reindex "$INDEX" reindex "$PE" "$WORK/indaga-pe-2" || true
fi
if [ -s "$WORK/pe.dump" ]; then
    if ! keep_peer build_xapian "$WORK/xapian-pe"; then
        run_step build_xapian "$XAPIAN" build "$WORK/pe.dump" "$WORK/xapian-pe" || true
        note_load build_xapian
    fi
    keep_peer build_fts5 "$WORK/fts5-pe.db" ||
        build_runs build_fts5 "$WORK/fts5-pe.db" "$FTS5" build "$WORK/pe.dump" "$WORK/fts5-pe.db" || true
else
    FAILED="$FAILED build_xapian build_fts5"
fi
run_step build_un_indaga "$INDEX" build "$UN" "$WORK/indaga-un" 2 || true
if [ -s "$WORK/un.dump" ]; then
    keep_peer build_un_xapian "$WORK/xapian-un" ||
        run_step build_un_xapian "$XAPIAN" build "$WORK/un.dump" "$WORK/xapian-un" || true
    keep_peer build_un_fts5 "$WORK/fts5-un.db" ||
        run_step build_un_fts5 "$FTS5" build "$WORK/un.dump" "$WORK/fts5-un.db" || true
fi

# 5. Query latency --------------------------------------------------------------
awk -F'\t' '!/^#/ && NF >= 4 { print $2 }' "$REPO/bench/queries.txt" >"$WORK/q.indaga.txt"
awk -F'\t' '!/^#/ && NF >= 4 { print ($3 == "=" ? $2 : $3) }' "$REPO/bench/queries.txt" >"$WORK/q.xapian.txt"
awk -F'\t' '!/^#/ && NF >= 4 { print ($4 == "=" ? $2 : $4) }' "$REPO/bench/queries.txt" >"$WORK/q.fts5.txt"
NQ=$(wc -l <"$WORK/q.indaga.txt")
LAT_SNIPS="0 1"
[ "$PART" = relevance ] && LAT_SNIPS=""
for s in $LAT_SNIPS; do
    [ -s "$LOG/build_indaga2.out" ] &&
        run_step "lat_indaga_$s" "$SEARCH" latency "$WORK/indaga-pe-2" "$WORK/q.indaga.txt" $s "$PASSES" || true
    [ -s "$LOG/build_xapian.out" ] &&
        run_step "lat_xapian_$s" "$XAPIAN" latency "$WORK/xapian-pe" "$WORK/q.xapian.txt" $s "$PASSES" || true
    [ -s "$LOG/build_fts5.out" ] &&
        run_step "lat_fts5_$s" "$FTS5" latency "$WORK/fts5-pe.db" "$WORK/q.fts5.txt" $s "$PASSES" || true
done

# 5b. Hostile queries beside normal ones, under the default work budget (bench_hostile.c)
HOSTILE=$BUILD/bench/bench_hostile
if [ "$PART" = all ]; then
    [ -s "$LOG/build_indaga2.out" ] && run_step hostile_pe "$HOSTILE" "$WORK/indaga-pe-2" "$PASSES" || true
    [ -s "$LOG/build_un_indaga.out" ] && run_step hostile_un "$HOSTILE" "$WORK/indaga-un" "$PASSES" || true
fi

# 6. Known-item MRR@10 ----------------------------------------------------------
for c in un pe; do
    [ -s "$WORK/ki.$c.tsv" ] || continue
    if [ $c = pe ]; then ix=$WORK/indaga-pe-2; xp=$WORK/xapian-pe; ft=$WORK/fts5-pe.db
                    bi=build_indaga2; bx=build_xapian; bf=build_fts5
    else ix=$WORK/indaga-un; xp=$WORK/xapian-un; ft=$WORK/fts5-un.db
         bi=build_un_indaga; bx=build_un_xapian; bf=build_un_fts5; fi
    for e in indaga xapian fts5; do
        case $e in indaga) prog=$SEARCH; db=$ix; b=$bi ;; xapian) prog=$XAPIAN; db=$xp; b=$bx ;;
                   fts5) prog=$FTS5; db=$ft; b=$bf ;; esac
        [ -s "$LOG/$b.out" ] || continue
        if run_step "topk_${e}_$c" "$prog" topk "$db" "$WORK/ki.$c.$e.txt"; then
            mv "$LOG/topk_${e}_$c.out" "$WORK/topk.$e.$c.tsv"
            mrr "$WORK/ki.$c.tsv" "$WORK/topk.$e.$c.tsv" >"$LOG/mrr_${e}_$c.out"
        fi
        if [ -s "$WORK/ty.$c.tsv" ] && run_step "typo_${e}_$c" "$prog" topk "$db" "$WORK/ty.$c.$e.txt"; then
            mv "$LOG/typo_${e}_$c.out" "$WORK/typo.$e.$c.tsv"
            mrr "$WORK/ty.$c.tsv" "$WORK/typo.$e.$c.tsv" >"$LOG/mrr_typo_${e}_$c.out"
        fi
        # questions: Xapian with its QueryParser's default operator OR
        verb=topk; [ $e = xapian ] && verb=topk-or
        if [ -s "$WORK/qs.$c.tsv" ] && run_step "qs_${e}_$c" "$prog" $verb "$db" "$WORK/qs.$c.$e.txt"; then
            mv "$LOG/qs_${e}_$c.out" "$WORK/qs.$e.$c.tsv"
            mrr "$WORK/qs.$c.tsv" "$WORK/qs.$e.$c.tsv" >"$LOG/mrr_qs_${e}_$c.out"
        fi
    done
done

# 7. RESULTS.md -----------------------------------------------------------------
T_END=$(date +%s)
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
cpu=$(awk -F: '/^model name/ { sub(/^ +/, "", $2); print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
ram=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo unknown)
iver=$(sed -n 's/^#define INDAGA_VERSION_STRING "\(.*\)"/\1/p' "$REPO/include/indaga.h")
irev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "no git")
if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    irev="$irev with uncommitted changes"
fi
xver=$(xapian-config --version 2>/dev/null | awk '{ print $NF }')
sver=$(pkg-config --modversion sqlite3 2>/dev/null || echo unknown)
ccver=$(cc --version 2>/dev/null | head -n 1)
cxxver=$(c++ --version 2>/dev/null | head -n 1)

# Figures of one build step, as table cells.
b_wall() { calc f2 "$(val "$1" build_s)"; }
b_mbps() { calc mbps "$PE_BYTES" "$(val "$1" build_s)"; }
b_cpu()  { calc f2 "$(val "$1" cpu_s)"; }
b_cmbps() { calc mbps "$PE_BYTES" "$(val "$1" cpu_s)"; }
b_load() { calc f2 "$(val "$1" load1)"; }
b_rss()  { calc kb2mb "$(val "$1" rss_kb)"; }
b_size() { calc mb "$(val "$1" index_bytes)"; }
b_ratio() { calc f2 "$(calc ratio "$(val "$1" index_bytes)" "$PE_BYTES")"; }
lat() { calc ms "$(val "$1" "$2")"; }

I1=build_indaga1; I2=build_indaga2; BX=build_xapian; BF=build_fts5
row_b() {   # label function [noratio]: indaga 1T, 2T, Xapian, FTS5, 2T/Xapian, 2T/FTS5
    a=$($2 $I1); b=$($2 $I2); x=$($2 $BX); f=$($2 $BF)
    if [ "${3:-}" = noratio ]; then
        echo "| $1 | $a | $b | $x | $f | | |"
    else
        echo "| $1 | $a | $b | $x | $f | $(calc ratio "$b" "$x") | $(calc ratio "$b" "$f") |"
    fi
}
row_q() {   # label key snippets
    i=$(lat "lat_indaga_$3" "$2"); x=$(lat "lat_xapian_$3" "$2"); f=$(lat "lat_fts5_$3" "$2")
    echo "| $1 | $i | $x | $f | $(calc ratio "$i" "$x") | $(calc ratio "$i" "$f") |"
}
row_qps() {
    i=$(calc f1 "$(val "lat_indaga_$1" qps)"); x=$(calc f1 "$(val "lat_xapian_$1" qps)")
    f=$(calc f1 "$(val "lat_fts5_$1" qps)")
    echo "| queries/s | $i | $x | $f | $(calc ratio "$i" "$x") | $(calc ratio "$i" "$f") |"
}
row_m() {   # label key
    for e in indaga xapian fts5; do
        eval "m_$e=\$(calc f3 \"\$(val mrr_${e}_un $2)\")"
        eval "n_$e=\$(calc f3 \"\$(val mrr_${e}_pe $2)\")"
    done
    echo "| $1 | $m_indaga | $m_xapian | $m_fts5 | $n_indaga | $n_xapian | $n_fts5 |"
}
mrr_all() {  # engine -> MRR over both corpora
    calc f3 "$(awk -v a="$(val "mrr_$1_un" sum)" -v b="$(val "mrr_$1_pe" sum)" \
        -v c="$(val "mrr_$1_un" n)" -v d="$(val "mrr_$1_pe" n)" \
        'BEGIN { if (a b c d ~ /FAILED/ || c + d == 0) print "-"; else printf "%.4f", (a + b) / (c + d) }')"
}

# agg PREFIX ENGINE KEY: KEY summed over both corpora of steps PREFIX_ENGINE_{un,pe}, or FAILED.
agg() {
    awk -v a="$(val "$1_$2_un" "$3")" -v b="$(val "$1_$2_pe" "$3")" \
        'BEGIN { if (a b ~ /FAILED/) print "FAILED"; else printf "%.4f\n", a + b }'
}
# over PREFIX ENGINE KEY [SCALE]: KEY summed over both corpora / queries of both, times SCALE.
over() {
    awk -v a="$(agg "$1" "$2" "$3")" -v n="$(agg "$1" "$2" n)" -v k="${4:-1}" \
        'BEGIN { if (a n ~ /FAILED/ || n == 0) print "-"; else printf "%.3f\n", a / n * k }'
}
# cell PREFIX ENGINE CORPUS: "MRR (found/n, z zero)" of one run.
cell() {
    if [ "$(val "$1_$2_$3" n)" = FAILED ]; then echo FAILED; return; fi
    echo "$(calc f3 "$(val "$1_$2_$3" mrr)") ($(val "$1_$2_$3" found)/$(val "$1_$2_$3" n), $(val "$1_$2_$3" zero) zero)"
}
QM_I=$(over mrr_qs indaga sum); QM_X=$(over mrr_qs xapian sum); QM_F=$(over mrr_qs fts5 sum)
QZ_I=$(over mrr_qs indaga zero 100); QZ_X=$(over mrr_qs xapian zero 100); QZ_F=$(over mrr_qs fts5 zero 100)
TF_I=$(over mrr_typo indaga found 100); TF_X=$(over mrr_typo xapian found 100); TF_F=$(over mrr_typo fts5 found 100)
TM_I=$(over mrr_typo indaga sum); TM_X=$(over mrr_typo xapian sum); TM_F=$(over mrr_typo fts5 sum)
qs_target() {
    if [ "$QM_I" = - ] || [ "$QM_X" = - ] || [ "$QM_F" = - ]; then echo "not measured"
    elif awk -v i="$QM_I" -v x="$QM_X" -v f="$QM_F" 'BEGIN { exit !(i > x && i > f) }'; then echo met
    else echo "not met"; fi
}

MB1=$(b_mbps $I1); MB2=$(b_mbps $I2); MBX=$(b_mbps $BX); MBF=$(b_mbps $BF)
CB1=$(b_cmbps $I1); CB2=$(b_cmbps $I2); CBX=$(b_cmbps $BX); CBF=$(b_cmbps $BF)
MA_I=$(mrr_all indaga); MA_X=$(mrr_all xapian); MA_F=$(mrr_all fts5)
mrr_target() {
    if [ "$(calc ge "$MA_I" "$MA_X" 1)" = met ] && [ "$(calc ge "$MA_I" "$MA_F" 1)" = met ]; then
        echo met
    elif [ "$MA_I" = - ] || [ "$MA_X" = - ] || [ "$MA_F" = - ]; then echo "not measured"
    else echo "not met"; fi
}
target() { case $1 in met|"not met"*) echo "$1" ;; *) echo "not measured" ;; esac; }
lat_target() {  # snippets key
    i=$(val "lat_indaga_$1" "$2"); x=$(val "lat_xapian_$1" "$2")
    r=$(calc le "$i" "$x" 0.3); target "$r"
}
reindex_target() {
    s=$(val reindex reindex_s); a=$(val reindex added); u=$(val reindex updated); d=$(val reindex removed)
    r=$(calc le "$s" 1 1)
    if [ "$r" = met ] && [ "$a$u$d" != 000 ]; then r="not met ($a added, $u updated, $d removed)"; fi
    target "$r"
}

PE_NOTE="the Peruvian national legislation (legalize-pe-national.tar.zst)"
[ -n "${BENCH_PE_DIR:-}" ] && PE_NOTE="a SAMPLE tree ($BENCH_PE_DIR), not the full legislation corpus"

{
cat <<EOF
# indaga benchmark results

Written by \`sh bench/run.sh\` (\`make bench\`) on $(date -u '+%Y-%m-%d %H:%M UTC'); the whole run took
$((T_END - T_START)) s. Method and caveats: bench/README.md.

## Machine and versions

| | |
|---|---|
| CPU | $cpu, $(nproc) cores online |
| RAM | $ram |
| indaga | $iver (git $irev), bench_index / bench_search through the public API |
| Xapian | $xver (libxapian, C++ peer bench/peers/xapian_peer.cc) |
| SQLite | $sver (FTS5, C peer bench/peers/fts5_peer.c) |
| compilers | $ccver; $cxxver |
| load average (1, 5, 15 min) | $LOAD_START at the start, $LOAD_END at the end |

The machine is shared by the team: a load average above its $(nproc) cores means other work
competed for them, which lengthens wall times (and hides any gain from a second thread) but
not CPU times. That is why the table also gives throughput per CPU second.

## Corpora

| corpus | files | bytes | paragraphs (dump) | dump time, s (not charged) |
|---|---|---|---|---|
| legislation: $PE_NOTE | $PE_FILES | $PE_BYTES | $(val dump_pe paragraphs) | $(calc f2 "$(val dump_pe dump_s)") |
| UN documents (shared/data/un) | $UN_FILES | $UN_BYTES | $(val dump_un paragraphs) | $(calc f2 "$(val dump_un dump_s)") |

indaga indexes the raw tree (its time includes reading and parsing the files); Xapian and FTS5
index bench_dump's paragraphs, whose dump time is charged to neither. MB = 10^6 bytes of the
corpus's .txt/.md files; RSS in MiB.
EOF
if [ "$PART" = relevance ]; then
cat <<EOF

This run measured relevance only (BENCH_PART=relevance): each index was built once, nothing
was timed; bench/RESULTS.md holds the last full run.
EOF
else
cat <<EOF

## Indexing the legislation corpus

| figure | indaga 1 thread | indaga 2 threads | Xapian | FTS5 | indaga(2)/Xapian | indaga(2)/FTS5 |
|---|---|---|---|---|---|---|
EOF
row_b "build wall time, s" b_wall
row_b "throughput, MB/s" b_mbps
row_b "CPU time (user+sys), s" b_cpu
row_b "throughput per CPU second, MB/s" b_cmbps
row_b "peak RSS, MiB" b_rss
row_b "index size, MB" b_size
row_b "index size / corpus" b_ratio
row_b "1-min load average at the end" b_load noratio
cat <<EOF

indaga indexed $(val build_indaga2 paragraphs) paragraphs of $(val build_indaga2 files) files;
reindexing the unchanged tree took $(val reindex reindex_s) s ($(val reindex unchanged) unchanged,
$(val reindex added) added, $(val reindex updated) updated, $(val reindex removed) removed).
Throughput with 1 thread against the peers: $(calc ratio "$MB1" "$MBX")x Xapian, $(calc ratio "$MB1" "$MBF")x FTS5.

Each indaga build and the FTS5 build ran $BUILD_RUNS times (each into a fresh index); every figure
of a column comes from its run of median wall time. Wall times of all runs, s: indaga 1 thread
$(val $I1 runs_s), indaga 2 threads $(val $I2 runs_s), FTS5 $(val $BF runs_s). Xapian's build,
minutes long, ran once.

## Query latency on the legislation index ($NQ queries of bench/queries.txt, top 10, $PASSES timed passes after one warm-up pass)

Milliseconds per query, measured inside each program around the search call.

| without snippets | indaga | Xapian | FTS5 | indaga/Xapian | indaga/FTS5 |
|---|---|---|---|---|---|
EOF
row_q "p50, ms" p50_us 0
row_q "p95, ms" p95_us 0
row_q "p99, ms" p99_us 0
row_qps 0
cat <<EOF

| with snippets | indaga | Xapian | FTS5 | indaga/Xapian | indaga/FTS5 |
|---|---|---|---|---|---|
EOF
row_q "p50, ms" p50_us 1
row_q "p95, ms" p95_us 1
row_q "p99, ms" p99_us 1
row_qps 1
cat <<EOF

Queries an engine rejected as syntax errors (counted, never retried): indaga $(val lat_indaga_0 errors), Xapian
$(val lat_xapian_0 errors), FTS5 $(val lat_fts5_0 errors). Hits returned over the timed passes (of at
most 10 per query): indaga $(val lat_indaga_0 hits), Xapian $(val lat_xapian_0 hits), FTS5 $(val lat_fts5_0 hits).

## Hostile queries under the work budget (bench_hostile, default budget 2 s and 64 MiB, $PASSES timed runs each)

| index | normal queries, p50 ms | worst hostile query | its p50 ms | its max ms | its status | process peak RSS, MiB |
|---|---|---|---|---|---|---|
| legislation | $(val hostile_pe normal_p50_ms) | $(val hostile_pe worst) | $(val hostile_pe worst_p50_ms) | $(val hostile_pe worst_max_ms) | $(val hostile_pe worst_status) | $(val hostile_pe peak_rss_mib) |
| UN documents | $(val hostile_un normal_p50_ms) | $(val hostile_un worst) | $(val hostile_un worst_p50_ms) | $(val hostile_un worst_max_ms) | $(val hostile_un worst_status) | $(val hostile_un peak_rss_mib) |

Status 0 is an answer, -13 INDAGA_ELIMIT ("query over its work budget"). The hostile set and
every query's figures: bench/bench_hostile.c and bench/work/log/hostile_*.out.
EOF
fi
cat <<EOF

## Known-item relevance, MRR@10

Known-item set: $KI_NOTE.

| queries | indaga UN | Xapian UN | FTS5 UN | indaga legis. | Xapian legis. | FTS5 legis. |
|---|---|---|---|---|---|---|
EOF
row_m "all" mrr
row_m "exact words" mrr_exact
row_m "inflected words" mrr_inflect
row_m "accents stripped" mrr_noaccent
row_m "quoted phrase + words" mrr_phrase
cat <<EOF
| found in top 10 | $(val mrr_indaga_un found)/$(val mrr_indaga_un n) | $(val mrr_xapian_un found)/$(val mrr_xapian_un n) | $(val mrr_fts5_un found)/$(val mrr_fts5_un n) | $(val mrr_indaga_pe found)/$(val mrr_indaga_pe n) | $(val mrr_xapian_pe found)/$(val mrr_xapian_pe n) | $(val mrr_fts5_pe found)/$(val mrr_fts5_pe n) |

MRR@10 over both corpora: indaga $MA_I, Xapian $MA_X, FTS5 $MA_F.

### Typo kind

Known-item set: $TY_NOTE. Each query of the set above with one edit in one word
(bench/typo.awk: a letter left out, inserted, replaced or two swapped; fixed seed), the same
targets; not part of the MRR above. Each cell: MRR@10 (found in top 10 / queries, queries
with no result).

| queries | indaga | Xapian | FTS5 |
|---|---|---|---|
| UN documents | $(cell mrr_typo indaga un) | $(cell mrr_typo xapian un) | $(cell mrr_typo fts5 un) |
| legislation | $(cell mrr_typo indaga pe) | $(cell mrr_typo xapian pe) | $(cell mrr_typo fts5 pe) |
| both: MRR@10 | $TM_I | $TM_X | $TM_F |
| both: found in top 10, % | $TF_I | $TF_X | $TF_F |

## Questions, MRR@10

$QS_N natural-language questions of bench/questions.tsv, each written by hand from one
paragraph (its answer) and paraphrasing it. indaga takes the question as typed (its default
query), Xapian through its QueryParser with the default operator OR, FTS5 its words joined by
OR. Each cell: MRR@10 (answer in top 10 / questions, questions with no result at all).

| questions | indaga | Xapian | FTS5 |
|---|---|---|---|
| UN documents | $(cell mrr_qs indaga un) | $(cell mrr_qs xapian un) | $(cell mrr_qs fts5 un) |
| legislation | $(cell mrr_qs indaga pe) | $(cell mrr_qs xapian pe) | $(cell mrr_qs fts5 pe) |
| both: MRR@10 | $QM_I | $QM_X | $QM_F |
| both: zero-result questions, % | $QZ_I | $QZ_X | $QZ_F |

## Targets

| target | measured | status |
|---|---|---|
| questions: zero-result <= 1% | indaga $QZ_I% | $(target "$(calc le "$QZ_I" 1 1)") |
| questions: MRR@10 above both peers' | indaga $QM_I, Xapian $QM_X, FTS5 $QM_F | $(qs_target) |
| typo kind: found in top 10 >= 90% | indaga $TF_I% | $(target "$(calc ge "$TF_I" 90 1)") |
| MRR@10 >= both peers' | indaga $MA_I, Xapian $MA_X, FTS5 $MA_F | $(mrr_target) |
EOF
if [ "$PART" = all ]; then
cat <<EOF
| indexing throughput >= 5x FTS5 | 2 threads $(calc ratio "$MB2" "$MBF")x, 1 thread $(calc ratio "$MB1" "$MBF")x (per CPU second: $(calc ratio "$CB1" "$CBF")x) | 2 threads: $(target "$(calc ge "$MB2" "$MBF" 5)"); 1 thread: $(target "$(calc ge "$MB1" "$MBF" 5)") |
| indexing throughput >= 40x Xapian | 2 threads $(calc ratio "$MB2" "$MBX")x, 1 thread $(calc ratio "$MB1" "$MBX")x (per CPU second: $(calc ratio "$CB1" "$CBX")x) | 2 threads: $(target "$(calc ge "$MB2" "$MBX" 40)"); 1 thread: $(target "$(calc ge "$MB1" "$MBX" 40)") |
| two threads >= 1.7x one thread | $(calc ratio "$MB2" "$MB1")x (load $(b_load $I1) and $(b_load $I2)) | $(target "$(calc ge "$MB2" "$MB1" 1.7)") |
| index <= 0.8x corpus | $(b_ratio $I2)x | $(target "$(calc le "$(val $I2 index_bytes)" "$PE_BYTES" 0.8)") |
| p50 <= 0.3x Xapian, no snippets | $(calc ratio "$(val lat_indaga_0 p50_us)" "$(val lat_xapian_0 p50_us)")x | $(lat_target 0 p50_us) |
| p99 <= 0.3x Xapian, no snippets | $(calc ratio "$(val lat_indaga_0 p99_us)" "$(val lat_xapian_0 p99_us)")x | $(lat_target 0 p99_us) |
| p50 <= 0.3x Xapian, snippets | $(calc ratio "$(val lat_indaga_1 p50_us)" "$(val lat_xapian_1 p50_us)")x | $(lat_target 1 p50_us) |
| p99 <= 0.3x Xapian, snippets | $(calc ratio "$(val lat_indaga_1 p99_us)" "$(val lat_xapian_1 p99_us)")x | $(lat_target 1 p99_us) |
| reindexing the unchanged tree < 1 s | $(val reindex reindex_s) s | $(reindex_target) |
EOF
fi
failed_steps bench/work/log
} >"$OUT.tmp"
publish_page "$OUT"
