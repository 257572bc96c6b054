#!/bin/sh
# test_stats_check.sh: `indaga stats`, `check` and `compact` end to end, and
# readers running while the writer commits: a loop of `indaga stats` and
# `indaga search` during a series of index runs (changes, deletions, --full,
# compact) must always see a whole generation that some commit produced,
# never an error.
# Needs $INDAGA (the command) and $SRCDIR (the source tree).
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
need_un
trap 'touch "$tmp/stop"; wait 2>/dev/null; rm -rf "$tmp"' EXIT
ix="$tmp/ix"
cp -R "$UN" "$tmp/un"
"$INDAGA" index --index "$ix" --memory 0.5 "$tmp/un" >/dev/null

# 1. The stats line of CLI.md, the human table, check ok.
st=$("$INDAGA" stats --index "$ix" --json)
printf '%s\n' "$st" | grep -q '^{"type":"stats","generation":1,"documents":534,"paragraphs":[0-9]*,"terms":[0-9]*,"segments":[0-9]*,"bytes":[0-9]*,"roots":\["/[^"]*"\]}$' \
    || fail "stats line: $st"
[ "$(num terms "$st")" -gt 1000 ] || fail "too few terms: $st"
[ "$(num bytes "$st")" -gt 100000 ] || fail "too few bytes: $st"
"$INDAGA" stats --index "$ix" | grep -q '^documents   534$' || fail "human stats"
ck=$("$INDAGA" check --index "$ix" --json)
printf '%s\n' "$ck" | grep -q '^{"type":"check","ok":true,"generation":1,"documents":534,' || fail "check line: $ck"
INDAGA_INDEX="$ix" "$INDAGA" check | grep -q ": ok (generation 1, 534 documents" || fail "check via INDAGA_INDEX"
for c in stats check compact; do
    "$INDAGA" $c --help | grep -q "usage: indaga $c" || fail "$c --help"
    set +e; "$INDAGA" $c --index "$ix" --nope >/dev/null 2>&1; rc=$?; set -e
    [ "$rc" = 64 ] || fail "$c --nope: exit $rc (want 64, usage)"
done

# 2. Readers in a loop while generations are committed.
record() {   # remember the figures of the generation just committed
    s=$("$INDAGA" stats --index "$ix" --json)
    echo "$(num generation "$s") $(num documents "$s") $(num paragraphs "$s")" >> "$tmp/committed"
}
record
(
    while [ ! -e "$tmp/stop" ]; do
        if s=$("$INDAGA" stats --index "$ix" --json 2>"$tmp/reader.err"); then
            echo "$(num generation "$s") $(num documents "$s") $(num paragraphs "$s")" >> "$tmp/seen"
        else
            echo "ERROR stats: $(cat "$tmp/reader.err")" >> "$tmp/seen"
        fi
        set +e
        "$INDAGA" search --index "$ix" --json -n 3 "Consejo de Seguridad" >/dev/null 2>"$tmp/search.err"
        rc=$?
        set -e
        [ "$rc" -le 1 ] || echo "ERROR search exit $rc: $(cat "$tmp/search.err")" >> "$tmp/seen"
    done
) &
reader=$!
i=0
for f in "$tmp"/un/a_69_*.txt; do
    i=$((i + 1))
    [ "$i" -le 6 ] || break
    printf '\n\nCambio número %s.\n' "$i" >> "$f"
    "$INDAGA" index --index "$ix" --memory 0.5 "$tmp/un" >/dev/null
    record
    rm "$tmp"/un/s_2015_"$i"*.txt 2>/dev/null || true
    "$INDAGA" index --index "$ix" --memory 0.5 "$tmp/un" >/dev/null
    record
done
"$INDAGA" index --index "$ix" --full "$tmp/un" >/dev/null
record
"$INDAGA" compact --index "$ix" >/dev/null
record
sleep 0.3
touch "$tmp/stop"
wait "$reader"

grep -q ERROR "$tmp/seen" && fail "a reader failed: $(grep ERROR "$tmp/seen" | head -n 3)"
nseen=$(wc -l < "$tmp/seen")
[ "$nseen" -ge 10 ] || fail "the reader ran only $nseen times"
while read -r line; do
    grep -qx "$line" "$tmp/committed" || fail "a reader saw '$line', which no commit produced"
done < "$tmp/seen"
distinct=$(cut -d' ' -f1 "$tmp/seen" | sort -u | wc -l)
[ "$distinct" -ge 3 ] || fail "the reader saw only $distinct generations"

# 3. After all of it: check passes, compact left one segment.
"$INDAGA" check --index "$ix" >/dev/null || fail "check at the end"
[ "$(num segments "$("$INDAGA" stats --index "$ix" --json)")" = 1 ] || fail "compact left several segments"
"$INDAGA" compact --index "$ix" --json | grep -q '"segments":1' || fail "compact --json"
echo "ok ($nseen reads over $distinct generations)"
