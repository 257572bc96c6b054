#!/bin/sh
# test_roots.sh: the index remembers its roots, rolls back, and ties its
# files together. From data the repository ships (corpus/ and three files of
# tests/data/segment), so it runs on a bare clone:
#  1. an index of corpus/ plus a second directory; `index other/` alone is
#     refused with exit 4 naming both lists, and the index still holds every
#     document (same generation, same hits, check passes);
#  2. --dry-run --prune lists what it would remove and changes nothing;
#  3. --prune takes effect; 4. rollback restores the previous generation's
#     hits, and a second rollback undoes the first; 5. --add joins a root;
#  6. a single file PATH is a root too: what it does not yield is removed;
#     a PATH that does not exist is an error that changes nothing;
#  7. compact leaves one copy of the index, and nothing to roll back to;
#  8. a segment copied in from another index with the same counts is
#     reported by check and refused by search;
#  9. a deleted newest manifest is reported by check, warned about (stderr
#     and a JSON warning line) by stats and search, and refused by index;
# 10. a damaged newest manifest likewise: readers fall back with a warning.
# Needs $INDAGA (the command) and $SRCDIR (the source tree).
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"

run() {   # run CMD...: sets rc, stdout in $tmp/out, stderr in $tmp/err
    set +e
    "$INDAGA" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set -e
    [ "$rc" -lt 128 ] || fail "indaga $* died with a signal (exit $rc)"
}
expect() {   # expect WHAT WANT GOT
    [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}
docs() { num documents "$("$INDAGA" stats --index "$ix" --json | grep '"type":"stats"')"; }
gen() { num generation "$("$INDAGA" stats --index "$ix" --json | grep '"type":"stats"')"; }
hits() {   # the hit lines of a query that both trees answer
    "$INDAGA" search --index "$ix" --json -n 50 "derechos humanos" | grep '"type":"hit"' || true
}

mkdir "$tmp/corpus" "$tmp/other"
cp -R "$SRCDIR/corpus/." "$tmp/corpus/"
for f in a_68_908 a_69_680 cedaw_c_gab_co_6; do cp "$SRCDIR/tests/data/segment/$f.txt" "$tmp/other/"; done
ix="$tmp/ix"

# 0. A dry run of an index not made yet lists the additions and makes nothing.
run index --index "$tmp/none" --dry-run "$tmp/other"
expect "dry run of a new index (exit)" 0 "$rc"
expect "dry run of a new index: additions" 3 "$(grep -c '^add ' "$tmp/out")"
[ ! -e "$tmp/none" ] || fail "a dry run created the index directory"

# 1. Two roots; one of them alone is refused.
run index --index "$ix" --json "$tmp/corpus" "$tmp/other"
expect "first run (exit)" 0 "$rc"
all=$(docs)
ncorpus=$((all - 3))
[ "$ncorpus" -gt 3 ] || fail "corpus: only $ncorpus documents"
g1=$(gen)
hits > "$tmp/h1"
grep -q '"doc":"other/' "$tmp/h1" && grep -q '"doc":"corpus/' "$tmp/h1" || fail "hits of both roots: $(cat "$tmp/h1")"
run index --index "$ix" "$tmp/other"
expect "other PATHs (exit)" 4 "$rc"
grep -q "$tmp/corpus" "$tmp/err" && grep -q "this run names $tmp/other" "$tmp/err" \
    || fail "refusal does not name both lists: $(cat "$tmp/err")"
grep -q -- "--prune" "$tmp/err" && grep -q -- "--add" "$tmp/err" || fail "refusal names no remedy"
expect "documents after the refusal" "$all" "$(docs)"
expect "generation after the refusal" "$g1" "$(gen)"
hits > "$tmp/h"
same "hits after the refusal" "$tmp/h1" "$tmp/h"
"$INDAGA" check --index "$ix" >/dev/null || fail "check after the refusal"
run index --index "$ix" --json "$tmp/other"
expect "other PATHs with --json (exit)" 4 "$rc"
grep -q '^{"type":"error","status":4,' "$tmp/out" || fail "refusal JSON line: $(cat "$tmp/out")"
# The same roots in another order, or spelled otherwise, are the same roots.
run index --index "$ix" --json "$tmp/other/" "$tmp/corpus/../corpus"
expect "same roots, other spelling (exit)" 0 "$rc"
expect "same roots: unchanged" "$all" "$(num unchanged "$(cat "$tmp/out")")"
expect "same roots: nothing committed" "$g1" "$(gen)"

# 2. --dry-run: what --prune would remove, and nothing changes.
ls -l "$ix" > "$tmp/files1"
run index --index "$ix" --prune --dry-run "$tmp/other"
expect "dry run (exit)" 0 "$rc"
expect "dry run: removals listed" "$all" "$(grep -c '^remove ' "$tmp/out")"
expect "dry run: additions listed" 3 "$(grep -c '^add ' "$tmp/out")"
grep -q "^remove corpus/carta_krasnodar_2017.txt$" "$tmp/out" || fail "dry run names the documents: $(cat "$tmp/out")"
run index --index "$ix" --prune --dry-run --json "$tmp/other"
grep -q '^{"type":"change","change":"remove","doc":"other/a_68_908.txt"}$' "$tmp/out" || fail "dry run JSON: $(cat "$tmp/out")"
grep -q '"removed":'"$all"',.*"dry_run":true}$' "$tmp/out" || fail "dry run summary: $(tail -1 "$tmp/out")"
ls -l "$ix" > "$tmp/files2"
same "files after the dry runs" "$tmp/files1" "$tmp/files2"
expect "generation after the dry runs" "$g1" "$(gen)"
hits > "$tmp/h"
same "hits after the dry runs" "$tmp/h1" "$tmp/h"

# 3. --prune: the new root alone (its ids lose the directory prefix).
run index --index "$ix" --prune --json "$tmp/other"
expect "--prune (exit)" 0 "$rc"
expect "--prune removed" "$all" "$(num removed "$(cat "$tmp/out")")"
expect "documents after --prune" 3 "$(docs)"
run show --index "$ix" a_68_908.txt
expect "a pruned index's document" 0 "$rc"
run show --index "$ix" corpus/carta_krasnodar_2017.txt
expect "a document outside the roots is gone" 2 "$rc"
g2=$(gen)
hits > "$tmp/h2"
"$INDAGA" check --index "$ix" >/dev/null || fail "check after --prune"
run index --index "$ix" "$tmp/corpus" "$tmp/other"
expect "the old roots are refused now" 4 "$rc"

# 4. rollback: the previous generation's hits and roots; twice: undone.
run rollback --index "$ix" --json
expect "rollback (exit)" 0 "$rc"
grep -q '^{"type":"rollback","generation":'$((g2 + 1))',"from":'"$g2"',' "$tmp/out" || fail "rollback JSON: $(cat "$tmp/out")"
expect "documents after rollback" "$all" "$(docs)"
hits > "$tmp/h"
same "hits after rollback" "$tmp/h1" "$tmp/h"
run index --index "$ix" "$tmp/corpus" "$tmp/other"
expect "rollback restored the roots (exit)" 0 "$rc"
"$INDAGA" check --index "$ix" >/dev/null || fail "check after rollback"
run rollback --index "$ix"
expect "second rollback (exit)" 0 "$rc"
hits > "$tmp/h"
same "second rollback undoes the first" "$tmp/h2" "$tmp/h"
expect "documents after the second rollback" 3 "$(docs)"

# 5. --add: corpus joins other; the run covers both.
run index --index "$ix" --add --json "$tmp/corpus"
expect "--add (exit)" 0 "$rc"
expect "documents after --add" "$all" "$(docs)"
# (the same hits; equal scores may come in another order, the documents' order having changed)
hits | sed 's/"rank":[0-9]*,//' | sort > "$tmp/h"
sed 's/"rank":[0-9]*,//' "$tmp/h1" | sort > "$tmp/h1s"
same "hits after --add" "$tmp/h1s" "$tmp/h"
run index --index "$ix" --json "$tmp/corpus" "$tmp/other"
expect "after --add, both roots: unchanged" "$all" "$(num unchanged "$(cat "$tmp/out")")"
run index --index "$ix" --prune --add "$tmp/other"
expect "--prune with --add (exit)" 64 "$rc"

# 6. A single file is a root: the index then holds that file only; a
#    missing PATH is an error, never an empty tree.
run index --index "$ix" --prune --json "$tmp/other/a_68_908.txt"
expect "a file root (exit)" 0 "$rc"
expect "a file root: the rest removed (ids lose their prefix)" "$all" "$(num removed "$(cat "$tmp/out")")"
expect "a file root: one document" 1 "$(docs)"
run index --index "$ix" "$tmp/other/a_69_680.txt"
expect "another file is another root" 4 "$rc"
mv "$tmp/other/a_68_908.txt" "$tmp/a_68_908.txt"
run index --index "$ix" "$tmp/other/a_68_908.txt"
expect "a root that is gone (exit)" 2 "$rc"
grep -q "a_68_908.txt" "$tmp/err" || fail "missing root not named: $(cat "$tmp/err")"
expect "a root that is gone changes nothing" 1 "$(docs)"
mv "$tmp/a_68_908.txt" "$tmp/other/a_68_908.txt"

# 7. compact keeps one copy of the index and no previous generation.
run index --index "$ix" --prune "$tmp/corpus" "$tmp/other"
run index --index "$ix" "$tmp/corpus" "$tmp/other"
printf 'Párrafo nuevo sobre derechos humanos.\n' >> "$tmp/corpus/carta_krasnodar_2017.txt"
run index --index "$ix" "$tmp/corpus" "$tmp/other"
# (compact drops deleted documents from the term statistics, so scores move: compare the paragraphs)
hits | sed 's/"rank":[0-9]*,"score":[0-9.]*,//' | sort > "$tmp/h3"
run compact --index "$ix"
expect "compact (exit)" 0 "$rc"
expect "segment files after compact" 1 "$(ls "$ix" | grep -c '\.seg$')"
expect "manifests after compact" 1 "$(ls "$ix" | grep -c '^manifest\.')"
[ "$(ls "$ix" | grep -c '\.del\.')" = 0 ] || fail "deletion files after compact: $(ls "$ix")"
hits | sed 's/"rank":[0-9]*,"score":[0-9.]*,//' | sort > "$tmp/h"
same "hits after compact" "$tmp/h3" "$tmp/h"
run rollback --index "$ix"
expect "rollback after compact (exit)" 2 "$rc"
grep -q "keeps no previous generation" "$tmp/err" || fail "rollback after compact: $(cat "$tmp/err")"
"$INDAGA" check --index "$ix" >/dev/null || fail "check after compact"

# 8. A segment of another index, with the same counts, put in place of one.
run index --index "$tmp/twin" "$tmp/corpus" "$tmp/other"
seg=$(ls "$ix" | grep '\.seg$')
cp "$ix/$seg" "$tmp/seg.orig"
cp "$tmp/twin/$(ls "$tmp/twin" | grep '\.seg$' | head -1)" "$ix/$seg"
run check --index "$ix"
expect "check with a foreign segment (exit)" 2 "$rc"
grep -q "$seg.*another index" "$tmp/err" || fail "foreign segment: $(cat "$tmp/err")"
run search --index "$ix" "derechos humanos"
expect "search with a foreign segment (exit)" 2 "$rc"
grep -q "$seg.*another index" "$tmp/err" || fail "search with a foreign segment: $(cat "$tmp/err")"
cp "$tmp/seg.orig" "$ix/$seg"
"$INDAGA" check --index "$ix" >/dev/null || fail "check after restoring the segment"

# 9. The newest manifest deleted (three generations, the last two kept;
#    then two generations; then a killed writer's leftovers, which are not damage).
printf 'Otro párrafo más sobre derechos.\n' >> "$tmp/corpus/carta_krasnodar_2017.txt"
run index --index "$ix" "$tmp/corpus" "$tmp/other"
printf 'Y otro párrafo.\n' >> "$tmp/corpus/carta_krasnodar_2017.txt"
run index --index "$ix" "$tmp/corpus" "$tmp/other"
newest=$(gen)
cp "$ix/manifest.$newest" "$tmp/newest"
rm "$ix/manifest.$newest"
run check --index "$ix"
expect "check without the newest manifest (exit)" 2 "$rc"
grep -q "manifest.$((newest - 2)) is missing" "$tmp/err" || fail "check: $(cat "$tmp/err")"
run stats --index "$ix" --json
expect "stats without the newest manifest (exit)" 0 "$rc"
grep -q "^{\"type\":\"warning\",.*may not be the newest" "$tmp/out" || fail "stats JSON warning: $(cat "$tmp/out")"
grep -q "warning:.*may not be the newest" "$tmp/err" || fail "stats warning: $(cat "$tmp/err")"
run search --index "$ix" "derechos"
grep -q "warning:.*may not be the newest" "$tmp/err" || fail "search warning: $(cat "$tmp/err")"
run index --index "$ix" "$tmp/corpus" "$tmp/other"
expect "index without the newest manifest (exit)" 2 "$rc"
grep -q "index --full" "$tmp/err" || fail "index names the remedy: $(cat "$tmp/err")"
cp "$tmp/newest" "$ix/manifest.$newest"
# With two generations only, the first keeps no predecessor: the second's
# segment, which no manifest names and no writer left pending, shows it.
mkdir "$tmp/two"
cp "$SRCDIR/corpus/carta_krasnodar_2017.txt" "$tmp/two/"
run index --index "$tmp/ix2" "$tmp/two"
printf 'Nota sobre el ornitorrinco.\n' > "$tmp/two/nota.txt"
run index --index "$tmp/ix2" "$tmp/two"
rm "$tmp/ix2/manifest.2"
run check --index "$tmp/ix2"
expect "check without manifest.2 of two (exit)" 2 "$rc"
grep -q "manifest.2 was deleted" "$tmp/err" || fail "check of two generations: $(cat "$tmp/err")"
run search --index "$tmp/ix2" --json ornitorrinco
grep -q '^{"type":"warning",.*manifest.2 was deleted' "$tmp/out" || fail "search JSON warning: $(cat "$tmp/out")"
# ...while a writer's own leftovers (a run killed before its manifest) are not damage.
run index --index "$tmp/ix3" "$tmp/two"
printf 'Otra nota.\n' > "$tmp/two/otra.txt"
set +e
INDAGA_TEST_KILL_AT=3 "$INDAGA" index --index "$tmp/ix3" "$tmp/two" >/dev/null 2>&1
set -e
ls "$tmp/ix3" | grep -q '^pending\.2$' || fail "no pending mark after a killed run: $(ls "$tmp/ix3")"
"$INDAGA" check --index "$tmp/ix3" >/dev/null 2>&1 || fail "check after a killed run: $("$INDAGA" check --index "$tmp/ix3" 2>&1)"

# 10. The newest manifest damaged: readers read the previous generation, saying so.
printf 'X' | dd of="$ix/manifest.$newest" bs=1 seek=40 conv=notrunc 2>/dev/null
run check --index "$ix"
expect "check with a damaged newest manifest (exit)" 2 "$rc"
grep -q "manifest.$newest" "$tmp/err" || fail "check: $(cat "$tmp/err")"
run stats --index "$ix" --json
expect "stats with a damaged newest manifest (exit)" 0 "$rc"
expect "stats read the previous generation" $((newest - 1)) "$(num generation "$(grep '"type":"stats"' "$tmp/out")")"
grep -q "^{\"type\":\"warning\",.*manifest.$newest.*not the newest" "$tmp/out" || fail "stats JSON warning: $(cat "$tmp/out")"
run search --index "$ix" "derechos"
grep -q "warning:.*manifest.$newest.*not the newest" "$tmp/err" || fail "search warning: $(cat "$tmp/err")"
cp "$tmp/newest" "$ix/manifest.$newest"
"$INDAGA" check --index "$ix" >/dev/null || fail "check after restoring the manifest"
echo "ok"
