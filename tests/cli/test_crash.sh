#!/bin/sh
# test_crash.sh: crash safety of `indaga index`. The writer raises SIGKILL at
# its Nth durability step when INDAGA_TEST_KILL_AT=N is set (writer.c): each
# segment flushed under a small memory budget, each merge output, each
# deletion file, the directory fsync, the manifest, each file removed after
# the commit. For N = 1, 2, ... until a run completes (at least 50 kills,
# spread over flushing, merging, committing and cleaning up), from the same
# starting index: `indaga check` passes and the figures are exactly those of
# the previous generation or of the next one, never anything in between. A
# later run without the hook recovers to the next generation and leaves no
# temporary or unreferenced files behind.
# Needs $INDAGA (the command) and $SRCDIR (the source tree).
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
need_un
figures() {   # figures INDEX -> "generation documents paragraphs"
    s=$("$INDAGA" stats --index "$1" --json) || fail "stats on $1 failed"
    echo "$(num generation "$s") $(num documents "$s") $(num paragraphs "$s")"
}

# The starting point: generation 1 of a tree of two copies of the UN documents.
tree="$tmp/tree"
mkdir -p "$tree"
cp -R "$UN" "$tree/a"
cp -R "$UN" "$tree/b"
"$INDAGA" index --index "$tmp/base" --memory 0.375 "$tree" >/dev/null
prev=$(figures "$tmp/base")

# The change: two more copies (many segments, so tiered merges), some files
# changed and some removed (deletion files).
for d in c d; do cp -R "$UN" "$tree/$d"; done
for f in "$tree"/a/a_69_1*.txt; do printf '\n\nPárrafo añadido tras el fallo.\n' >> "$f"; done
rm "$tree"/b/s_2015_1*.txt
cp -R "$tmp/base" "$tmp/ref"
"$INDAGA" index --index "$tmp/ref" --memory 0.375 --json "$tree" > "$tmp/ref.json"
next=$(figures "$tmp/ref")
[ "$prev" != "$next" ] || fail "the change changes nothing"
[ "$(num generation "$(cat "$tmp/ref.json")")" = 2 ] || fail "reference run: $(cat "$tmp/ref.json")"

n=0 kills=0 saw_prev=0 saw_next=0
while :; do
    n=$((n + 1))
    [ "$n" -le 400 ] || fail "the writer never completed"
    rm -rf "$tmp/ix"
    cp -R "$tmp/base" "$tmp/ix"
    set +e
    INDAGA_TEST_KILL_AT=$n "$INDAGA" index --index "$tmp/ix" --memory 0.375 --threads 2 "$tree" >/dev/null 2>&1
    rc=$?
    set -e
    if [ "$rc" -eq 0 ]; then
        [ "$(figures "$tmp/ix")" = "$next" ] || fail "completed run differs from the reference"
        break
    fi
    [ "$rc" -eq 137 ] || fail "kill at step $n: exit $rc, expected SIGKILL (137)"
    kills=$((kills + 1))
    "$INDAGA" check --index "$tmp/ix" >"$tmp/check" 2>&1 || fail "check after a kill at step $n: $(cat "$tmp/check")"
    got=$(figures "$tmp/ix")
    if [ "$got" = "$prev" ]; then saw_prev=$((saw_prev + 1))
    elif [ "$got" = "$next" ]; then saw_next=$((saw_next + 1))
    else fail "kill at step $n: figures '$got', neither previous '$prev' nor next '$next'"
    fi
    if [ $((n % 10)) -eq 0 ]; then
        # Recovery: an ordinary run reaches the next generation's figures and
        # removes what the killed one left behind.
        "$INDAGA" index --index "$tmp/ix" --memory 0.375 "$tree" >/dev/null 2>&1 || fail "recovery after step $n"
        got=$(figures "$tmp/ix")
        [ "${got#* }" = "${next#* }" ] || fail "recovery after step $n: '$got', expected '$next'"
        "$INDAGA" check --index "$tmp/ix" >/dev/null || fail "check after recovery from step $n"
        ls "$tmp/ix" | grep -q '\.tmp$' && fail "temporary files left after recovery from step $n"
        nseg=$(ls "$tmp/ix" | grep -c '\.seg$')
        live=$(num segments "$("$INDAGA" stats --index "$tmp/ix" --json)")
        # The previous generation's segments may stay (readers), nothing more.
        [ "$nseg" -le $((live * 2 + 8)) ] || fail "$nseg segment files for $live live ones after recovery"
    fi
done
echo "kills: $kills (previous generation seen $saw_prev times, next $saw_next times)"
[ "$kills" -ge 50 ] || fail "only $kills kill points; the test needs at least 50"
[ "$saw_prev" -gt 0 ] && [ "$saw_next" -gt 0 ] || fail "kills did not cover both sides of the commit"
echo "ok"
