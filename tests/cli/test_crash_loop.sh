#!/bin/sh
# test_crash_loop.sh: `indaga index` killed (SIGKILL) at random moments over a
# changing tree (issue 16). Each round changes the tree (files added, edited,
# renamed and deleted), copies it as it now is, and starts `indaga index`
# (one or two threads, a small budget so segments are flushed and merged,
# every fifth round --full), killing it after a random delay (its range
# adapts so that kills land both before and after the commit). After each round: `indaga check` passes, and the
# live generation answers a set of queries exactly as a clean build of the
# files it was committed from: the generation is new when the killed run got
# to commit (then it holds this round's copy of the tree), else it is the
# one before. Compared: documents and paragraphs (stats), and for each query
# the set of (doc, part, paragraph) hits, scores aside (deleted documents
# still count in the statistics of an incremental index).
#
# With INDAGA_STRESS=1 (make stress): rounds until 100 runs were killed.
# Otherwise a short variant: 4 kills. INDAGA_CRASH_SEED fixes the delays and
# the changes (the seed of each run is printed).
# Needs $INDAGA (the command) and $SRCDIR (the source tree).
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
need_un
case ${INDAGA_STRESS:-0} in ''|0) want=4 ;; *) want=100 ;; esac
seed=${INDAGA_CRASH_SEED:-$$}
echo "seed $seed; kills wanted: $want"

# rnd N -> a number in [0, N), from the seed and a counter
rcount=0
rnd() {
    rcount=$((rcount + 1))
    awk -v s="$seed" -v c="$rcount" -v n="$1" 'BEGIN { srand(s * 7919 + c); print int(rand() * n) }'
}

ls "$UN" | grep '\.txt$' > "$tmp/pool"
npool=$(wc -l < "$tmp/pool")
pick() { sed -n "$(( $(rnd "$npool") + 1 ))p" "$tmp/pool"; }
tree="$tmp/tree"
mkdir -p "$tree/a" "$tree/b/c"
i=0
while [ $i -lt 60 ]; do
    f=$(pick)
    case $((i % 3)) in 0) d=a ;; 1) d=b ;; *) d=b/c ;; esac
    cp "$UN/$f" "$tree/$d/d$i.txt"
    i=$((i + 1))
done
next=$i

# change: adds, edits, renames and deletions
change() {
    round=$1
    for k in 1 2 3; do   # adds
        f=$(pick)
        case $(rnd 3) in 0) d=a ;; 1) d=b ;; *) d=b/c ;; esac
        cp "$UN/$f" "$tree/$d/d$next.txt"
        next=$((next + 1))
    done
    find "$tree" -name '*.txt' | sort > "$tmp/files"
    n=$(wc -l < "$tmp/files")
    [ "$n" -gt 10 ] || return 0
    for k in 1 2; do   # edits: a paragraph appended, or the text replaced
        f=$(sed -n "$(( $(rnd "$n") + 1 ))p" "$tmp/files")
        [ -f "$f" ] || continue
        if [ "$(rnd 2)" = 0 ]; then printf '\n\nPárrafo añadido en la ronda %s sobre el desarme.\n' "$round" >> "$f"
        else cp "$UN/$(pick)" "$f"; fi
    done
    f=$(sed -n "$(( $(rnd "$n") + 1 ))p" "$tmp/files")   # a rename
    [ ! -f "$f" ] || mv "$f" "${f%.txt}_r$round.txt"
    for k in 1 2; do   # deletions
        f=$(sed -n "$(( $(rnd "$n") + 1 ))p" "$tmp/files")
        rm -f "$f"
    done
}

cat > "$tmp/queries" <<'EOF'
seguridad
consejo de seguridad
"Naciones Unidas"
derechos humanos
desarme
terroristas
cooperación internacional
mujeres
añadido ronda
resolución OR informe
EOF

# answers INDEX OUT: stats figures and, per query, the sorted hit places
answers() {
    s=$("$INDAGA" stats --index "$1" --json) || fail "stats $1"
    echo "documents $(num documents "$s") paragraphs $(num paragraphs "$s")" > "$2"
    while IFS= read -r q; do
        echo "query $q" >> "$2"
        src=0
        "$INDAGA" search --index "$1" --json --no-snippets -n 100000 -- "$q" > "$tmp/hits" || src=$?
        [ "$src" -le 1 ] || fail "search '$q' on $1: exit $src: $(tail -n 2 "$tmp/hits")"
        grep '"type":"hit"' "$tmp/hits" |
            sed 's/.*"doc":\("[^"]*"\).*"part":\([0-9]*\).*"paragraph":\([0-9]*\).*/\1 \2 \3/' |
            sort >> "$2" || true
    done < "$tmp/queries"
}

ix="$tmp/ix"
mem=0.5
start=$(date +%s%N)
"$INDAGA" index --index "$ix" --memory "$mem" "$tree" > /dev/null || fail "first build"
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$full_ms" -gt 20 ] || full_ms=20
# the first delay range is twice the longer of these two builds
start=$(date +%s%N)
"$INDAGA" index --index "$tmp/ix-timing" --memory "$mem" --threads 1 "$tree" > /dev/null || fail "timing build"
t=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$t" -le "$full_ms" ] || full_ms=$t
rm -rf "$tmp/ix-timing"
gen=$(num generation "$("$INDAGA" stats --index "$ix" --json)")
mkdir "$tmp/ref"
cp -R "$tree" "$tmp/snap"
"$INDAGA" index --index "$tmp/fresh" --memory "$mem" "$tmp/snap" > /dev/null || fail "fresh build"
answers "$tmp/fresh" "$tmp/ref/$gen"
rm -rf "$tmp/fresh" "$tmp/snap"
answers "$ix" "$tmp/live"
same "generation $gen after the first build" "$tmp/ref/$gen" "$tmp/live"
echo "first build: $full_ms ms, generation $gen"

# The delay range adapts: shorter after a run that completed, longer after
# a kill before the commit, so kills keep landing on both sides of it.
range=$((full_ms * 2))
round=0 kills=0 done_runs=0 committed_killed=0
while [ "$kills" -lt "$want" ]; do
    round=$((round + 1))
    [ "$round" -le $((want * 6 + 20)) ] || fail "only $kills kills in $round rounds"
    change "$round"
    rm -rf "$tmp/snap"
    cp -R "$tree" "$tmp/snap"
    threads=$(( $(rnd 2) + 1 ))
    full=
    [ $((round % 5)) -ne 0 ] || full=--full
    delay_ms=$(rnd $((range + 1)))
    "$INDAGA" index --index "$ix" --memory "$mem" --threads "$threads" $full "$tree" > "$tmp/run.out" 2>&1 &
    pid=$!
    sleep "$(awk -v m="$delay_ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    killed=0
    if kill -KILL "$pid" 2>/dev/null; then killed=1; fi
    rc=0
    wait "$pid" || rc=$?
    if [ "$killed" = 1 ] && [ "$rc" -eq 137 ]; then kills=$((kills + 1))
    elif [ "$rc" -eq 0 ] || [ "$rc" -eq 5 ]; then done_runs=$((done_runs + 1)); range=$((range * 3 / 4 + 5))
    else fail "round $round: exit $rc: $(cat "$tmp/run.out")"
    fi
    "$INDAGA" check --index "$ix" > "$tmp/check" 2>&1 || fail "round $round (killed after $delay_ms ms, threads $threads $full): check: $(cat "$tmp/check")"
    g=$(num generation "$("$INDAGA" stats --index "$ix" --json)")
    if [ "$g" != "$gen" ]; then   # this round's run committed: its generation holds this round's tree
        [ "$rc" -ne 137 ] || committed_killed=$((committed_killed + 1))
        [ ! -e "$tmp/ref/$g" ] || fail "round $round: generation $g seen twice"
        "$INDAGA" index --index "$tmp/fresh" --memory "$mem" "$tmp/snap" > /dev/null 2>&1 || fail "round $round: fresh build"
        answers "$tmp/fresh" "$tmp/ref/$g"
        rm -rf "$tmp/fresh"
        gen=$g
    elif [ "$rc" -ne 137 ]; then   # every round changes the tree: a completed run commits
        fail "round $round: the run completed but generation $g is not new"
    elif [ "$range" -lt $((full_ms * 4 + 50)) ]; then
        range=$((range * 5 / 4 + 1))
    fi
    answers "$ix" "$tmp/live"
    same "round $round (killed after $delay_ms ms, threads $threads ${full:-incremental}): generation $g" \
        "$tmp/ref/$g" "$tmp/live"
done
echo "rounds $round: $kills killed ($committed_killed after their commit), $done_runs completed; live generation $gen"
echo "ok"
