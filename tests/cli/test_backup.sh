#!/bin/sh
# test_backup.sh: `indaga backup DEST` copies the newest committed
# generation consistently while `indaga index` commits. From data the
# repository ships (corpus/), so it runs on a bare clone:
#  1. a writer loop, in the background, changes a copy of corpus/ (a new
#     file, an edited file, every third turn a removed file) and reindexes,
#     recording after each commit the generation's document and paragraph
#     counts and the hits of three queries; meanwhile backups are taken one
#     after another. Each backup passes `indaga check` and equals, in counts
#     and hits, the generation it says it copied;
#     A backup paused (test knob) after opening a generation whose files
#     `compact` then removes copies the compacted generation instead;
#  2. a backup on the same file system hard-links the segments (link count
#     2); one to another file system (/dev/shm, when it is one) copies them;
#  3. DEST existing and not empty is refused (exit 2, naming it), an empty
#     directory is accepted; no index is exit 2; no temporary directory is
#     left beside DEST; no DEST is a usage error (64).
# Needs $INDAGA (the command) and $SRCDIR (the source tree).
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"

ix="$tmp/ix"
mkdir "$tmp/corpus" "$tmp/rec" "$tmp/bk"
cp -R "$SRCDIR/corpus/." "$tmp/corpus/"

stats_of() {   # stats_of DIR -> "documents paragraphs" of its newest generation
    l=$("$INDAGA" stats --index "$1" --json | grep '"type":"stats"')
    echo "$(num documents "$l") $(num paragraphs "$l")"
}
gen_of() { num generation "$("$INDAGA" stats --index "$1" --json | grep '"type":"stats"')"; }
record() {   # record DIR -> counts and hits, the same for equal generations
    stats_of "$1"
    for q in "sincronía" "derechos humanos" "cambio climático"; do
        "$INDAGA" search --index "$1" --json -n 100 "$q" | grep '"type":"hit"' || true
    done
}

"$INDAGA" index --index "$ix" "$tmp/corpus" >/dev/null
record "$ix" >"$tmp/rec/$(gen_of "$ix")"

# 1. The writer loop.
turns=24
(
    i=1
    while [ "$i" -le "$turns" ]; do
        printf 'Nota %s sobre la sincronía de las réplicas.\n\nCambio climático, turno %s.\n' \
            "$i" "$i" >"$tmp/corpus/nota_$i.txt"
        printf '\nAñadido en el turno %s: derechos humanos y sincronía.\n' "$i" \
            >>"$tmp/corpus/carta_krasnodar_2017.txt"
        if [ $((i % 3)) -eq 0 ]; then rm -f "$tmp/corpus/nota_$((i - 2)).txt"; fi
        "$INDAGA" index --index "$ix" "$tmp/corpus" >/dev/null || { echo "index failed at turn $i" >&2; exit 1; }
        record "$ix" >"$tmp/rec/$(gen_of "$ix").tmp"
        mv "$tmp/rec/$(gen_of "$ix").tmp" "$tmp/rec/$(gen_of "$ix")"
        i=$((i + 1))
    done
    touch "$tmp/writer.done"
) &
writer=$!

n=0
while [ ! -e "$tmp/writer.done" ] || [ "$n" -lt 3 ]; do
    n=$((n + 1))
    out=$("$INDAGA" backup --index "$ix" --json "$tmp/bk/$n") || fail "backup $n failed"
    printf '%s\n' "$out" | grep -q '"type":"backup"' || fail "backup $n: no JSON line: $out"
    num generation "$out" >"$tmp/bk/$n.gen"
    kill -0 "$writer" 2>/dev/null || [ -e "$tmp/writer.done" ] || break
    sleep 0.2
done
wait "$writer" || fail "the writer loop failed"
[ "$(gen_of "$ix")" -ge "$turns" ] || fail "the writer committed only $(gen_of "$ix") generations"

gens=""
k=1
while [ "$k" -le "$n" ]; do
    b="$tmp/bk/$k"
    g=$(cat "$b.gen")
    "$INDAGA" check --index "$b" >/dev/null 2>"$tmp/err" || fail "backup $k (generation $g) fails check: $(cat "$tmp/err")"
    [ ! -s "$tmp/err" ] || fail "backup $k: check warned: $(cat "$tmp/err")"
    [ "$(gen_of "$b")" = "$g" ] || fail "backup $k: says generation $g, opens as $(gen_of "$b")"
    [ -e "$tmp/rec/$g" ] || fail "backup $k: generation $g was never recorded as committed"
    record "$b" >"$tmp/got"
    same "backup $k = generation $g" "$tmp/rec/$g" "$tmp/got"
    ls "$b" | grep -qv '^manifest\.\|^seg-' && fail "backup $k holds other files: $(ls "$b")"
    [ "$(ls "$b" | grep -c '^manifest\.')" = 1 ] || fail "backup $k: not exactly one manifest"
    gens="$gens $g"
    k=$((k + 1))
done
echo "backups taken while committing: $n, of generations:$gens (last committed $(gen_of "$ix"))"
distinct=$(echo $gens | tr ' ' '\n' | sort -u | wc -l)
[ "$distinct" -ge 2 ] || fail "every backup copied the same generation ($gens): the loop did not overlap"

# 1b. A generation removed under the backup: paused (test knob) after
# opening generation G, the backup sees `compact` replace every file of G,
# finds them gone, and copies the compacted generation instead.
g0=$(gen_of "$ix")
INDAGA_TEST_BACKUP_PAUSE_MS=2000 "$INDAGA" backup --index "$ix" --json "$tmp/paused" >"$tmp/paused.out" &
bpid=$!
w=0
until ls -d "$tmp"/paused.backup-* >/dev/null 2>&1; do
    w=$((w + 1)); [ "$w" -lt 200 ] || fail "the paused backup never started"; sleep 0.05
done
"$INDAGA" compact --index "$ix" >/dev/null
wait "$bpid" || fail "the backup under compact failed"
gc=$(gen_of "$ix")
[ "$gc" -gt "$g0" ] || fail "compact made no new generation"
[ "$(num generation "$(cat "$tmp/paused.out")")" = "$gc" ] ||
    fail "backup paused at generation $g0 under compact: copied $(cat "$tmp/paused.out"), not generation $gc"
"$INDAGA" check --index "$tmp/paused" >/dev/null || fail "the retried backup fails check"
record "$tmp/paused" >"$tmp/got"
record "$ix" >"$tmp/want"
same "retried backup = compacted generation $gc" "$tmp/want" "$tmp/got"
echo "backup paused at generation $g0, files removed by compact: copied generation $gc"

# 2. Hard links on the same file system; copies across file systems.
"$INDAGA" backup --index "$ix" "$tmp/same" >/dev/null
for f in "$tmp"/same/seg-*.seg; do
    [ "$(stat -c %h "$f")" -ge 2 ] || fail "$f: not hard-linked to the index's segment"
done
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$tmp")" ]; then
    other=$(mktemp -d /dev/shm/indaga-backup.XXXXXX)
    trap 'rm -rf "$tmp" "$other"' EXIT
    "$INDAGA" backup --index "$ix" "$other/copy" >/dev/null || fail "backup to another file system failed"
    for f in "$other"/copy/seg-*.seg; do
        [ "$(stat -c %h "$f")" = 1 ] || fail "$f: link count $(stat -c %h "$f") across file systems"
    done
    "$INDAGA" check --index "$other/copy" >/dev/null || fail "the copied backup fails check"
    record "$other/copy" >"$tmp/got"
    record "$ix" >"$tmp/want"
    same "copied backup" "$tmp/want" "$tmp/got"
else
    echo "note: /dev/shm is not another writable file system here; the copy path is not exercised"
fi

# 3. Refusals.
set +e
"$INDAGA" backup --index "$ix" "$tmp/same" >/dev/null 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "backup to a non-empty DEST: exit $rc, not 2"
grep -q "same: exists and is not empty" "$tmp/err" || fail "non-empty DEST: message: $(cat "$tmp/err")"
mkdir "$tmp/empty"
"$INDAGA" backup --index "$ix" "$tmp/empty" >/dev/null || fail "backup to an empty directory refused"
"$INDAGA" check --index "$tmp/empty" >/dev/null || fail "backup into an empty directory fails check"
set +e
"$INDAGA" backup --index "$tmp/none" "$tmp/fromnone" >/dev/null 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "backup of no index: exit $rc, not 2"
grep -q "no index at" "$tmp/err" || fail "backup of no index: message: $(cat "$tmp/err")"
[ ! -e "$tmp/fromnone" ] || fail "a failed backup left DEST behind"
ls "$tmp" | grep -q 'backup-' && fail "a temporary directory was left: $(ls "$tmp")"
set +e
"$INDAGA" backup --index "$ix" >/dev/null 2>&1; rc=$?
set -e
[ "$rc" = 64 ] || fail "backup without DEST: exit $rc, not 64"
echo "ok"
