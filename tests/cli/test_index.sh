#!/bin/sh
# test_index.sh: `indaga index` end to end on a copy of the 534 UN documents
# of the shared data: the JSON summary of CLI.md, an unchanged tree commits
# nothing, one changed file reindexes one document (and search finds its new
# words), a deleted file leaves stats, show and search, --full gives the
# same documents and paragraphs, skipped files warn, hidden files and link
# loops are handled, the lock (EBUSY at once, --wait), bad usage, several
# PATHs in one run (ids prefixed by each directory's name, each kept up to
# date), and an index of segment format version 2: search asks for a
# rebuild, index rebuilds it in full and says so.
# Needs $INDAGA (the command) and $SRCDIR (the source tree).
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
need_un

expect() {   # expect WHAT WANT GOT
    [ "$2" = "$3" ] || fail "$1: expected $2, got $3"
}
ix="$tmp/ix"
cp -R "$UN" "$tmp/un"

# 1. First run: every document added, the summary line exactly as CLI.md has it.
out=$("$INDAGA" index --index "$ix" --json "$tmp/un")
printf '%s\n' "$out" | grep -q '^{"type":"index","added":534,"updated":0,"removed":0,"unchanged":0,"skipped":0,"paragraphs":[0-9]*,"generation":1,"took_ms":[0-9]*}$' \
    || fail "first summary: $out"
paras=$(num paragraphs "$out")
st=$("$INDAGA" stats --index "$ix" --json)
expect "stats documents" 534 "$(num documents "$st")"
expect "stats paragraphs" "$paras" "$(num paragraphs "$st")"
"$INDAGA" search --index "$ix" ornitorrinco >/dev/null && fail "ornitorrinco found before it was written"

# 2. Unchanged tree: nothing indexed, the same generation, no new manifest.
out=$("$INDAGA" index --index "$ix" --json "$tmp/un")
expect "unchanged" 534 "$(num unchanged "$out")"
expect "unchanged run added" 0 "$(num added "$out")"
expect "unchanged run generation" 1 "$(num generation "$out")"
[ "$(ls "$ix" | grep -c '^manifest\.')" = 1 ] || fail "an unchanged run wrote a manifest"
"$INDAGA" index --index "$ix" "$tmp/un" | grep -q "nothing changed; generation 1" || fail "human summary"

# 3. One file with new content: exactly one document reindexed.
printf '\n\nEl ornitorrinco figura en este párrafo añadido.\n' >> "$tmp/un/carta_krasnodar_2017.txt"
out=$("$INDAGA" index --index "$ix" --json "$tmp/un")
expect "updated" 1 "$(num updated "$out")"
expect "unchanged after one change" 533 "$(num unchanged "$out")"
expect "added after one change" 0 "$(num added "$out")"
expect "generation after one change" 2 "$(num generation "$out")"
st=$("$INDAGA" stats --index "$ix" --json)
expect "paragraphs after one change" $((paras + 1)) "$(num paragraphs "$st")"
"$INDAGA" search --index "$ix" --json ornitorrinco | grep -q '"doc":"carta_krasnodar_2017.txt"' \
    || fail "the new paragraph is not found"

# 4. A deleted file: its document and paragraphs go from stats, show and search.
udhr=declaracion_universal_derechos_humanos.txt
n_udhr=$("$INDAGA" show --index "$ix" --json "$udhr" | sed -n 's/.*"paragraphs":\([0-9]*\)}$/\1/p')
[ "$n_udhr" -gt 30 ] || fail "the Declaration has $n_udhr paragraphs"
"$INDAGA" search --index "$ix" inalienables >/dev/null || fail "inalienables not found before the delete"
rm "$tmp/un/$udhr"
out=$("$INDAGA" index --index "$ix" --json "$tmp/un")
expect "removed" 1 "$(num removed "$out")"
expect "generation after delete" 3 "$(num generation "$out")"
st=$("$INDAGA" stats --index "$ix" --json)
expect "documents after delete" 533 "$(num documents "$st")"
expect "paragraphs after delete" $((paras + 1 - n_udhr)) "$(num paragraphs "$st")"
if "$INDAGA" show --index "$ix" "$udhr" >/dev/null 2>"$tmp/err"; then fail "show found a deleted document"; fi
grep -q "$udhr" "$tmp/err" || fail "show's message does not name the document"
set +e
"$INDAGA" search --index "$ix" inalienables >/dev/null
rc=$?
set -e
expect "search for a deleted document's word (exit)" 1 "$rc"

# 5. --full: a new generation with the same documents and paragraphs, one segment.
inc=$("$INDAGA" stats --index "$ix" --json)
out=$("$INDAGA" index --index "$ix" --full --json "$tmp/un")
expect "full added" 533 "$(num added "$out")"
expect "full generation" 4 "$(num generation "$out")"
full=$("$INDAGA" stats --index "$ix" --json)
expect "full documents" "$(num documents "$inc")" "$(num documents "$full")"
expect "full paragraphs" "$(num paragraphs "$inc")" "$(num paragraphs "$full")"
expect "full segments" 1 "$(num segments "$full")"
"$INDAGA" check --index "$ix" >/dev/null || fail "check after --full"

# 6. Binary and hidden files, subdirectories, a link loop.
mkdir -p "$tmp/un/sub/.oculto"
printf 'PK\003\004\000\000\000\001\002\377\376binario' > "$tmp/un/sub/binario.txt"
cp "$UN/carta_krasnodar_2017.txt" "$tmp/un/sub/.oculto/copia.txt"
cp "$UN/carta_krasnodar_2017.txt" "$tmp/un/.copia_oculta.txt"
cp "$UN/carta_krasnodar_2017.txt" "$tmp/un/sub/copia.md"
ln -s .. "$tmp/un/sub/bucle"
rc=0; out=$("$INDAGA" index --index "$ix" --json "$tmp/un" 2>/dev/null) || rc=$?
expect "exit of --json with a skipped file" 5 "$rc"
printf '%s\n' "$out" | head -n 1 | grep -q '^{"type":"warning","path":".*sub/binario.txt","message":' \
    || fail "no warning line for the binary file: $out"
summary=$(printf '%s\n' "$out" | tail -n 1)
expect "skipped" 1 "$(num skipped "$summary")"
expect "added (sub/copia.md only)" 1 "$(num added "$summary")"
"$INDAGA" show --index "$ix" sub/copia.md >/dev/null || fail "sub/copia.md has not the relative id"
if "$INDAGA" show --index "$ix" sub/.oculto/copia.txt >/dev/null 2>&1; then fail "a hidden directory was indexed"; fi
rc=0; "$INDAGA" index --index "$ix" "$tmp/un" 2>"$tmp/err" >/dev/null || rc=$?
expect "exit with a skipped file (committed with warnings)" 5 "$rc"
grep -q "warning: .*binario.txt" "$tmp/err" || fail "no human warning for the binary file"

# 7. The lock: a second writer fails at once (exit 3, busy), --wait waits for it.
flock "$ix/LOCK" sleep 2 &
holder=$!
sleep 0.5
set +e
"$INDAGA" index --index "$ix" "$tmp/un" >/dev/null 2>"$tmp/err"
rc=$?
set -e
expect "exit while locked" 3 "$rc"
grep -q "another indaga writer" "$tmp/err" || fail "lock message: $(cat "$tmp/err")"
grep -q -- "--wait" "$tmp/err" || fail "lock message does not mention --wait"
rc=0; "$INDAGA" index --index "$ix" --wait "$tmp/un" >/dev/null 2>&1 || rc=$?
expect "--wait (the binary file is still skipped: committed with warnings)" 5 "$rc"
wait "$holder"

# 8. Bad usage (exit 64) and missing things (exit 2), each with a message.
"$INDAGA" index --help | grep -q "usage: indaga index" || fail "index --help"
for case in "64:--bogus $tmp/un" "64:" "64:--threads 0 $tmp/un" "64:--memory lots $tmp/un" \
            "2:$tmp/no-such-dir" "2:--add $tmp/un $UN"; do
    want=${case%%:*} args=${case#*:}
    set +e
    # shellcheck disable=SC2086
    "$INDAGA" index --index "$ix" $args >/dev/null 2>"$tmp/err"
    rc=$?
    set -e
    expect "exit of 'index $args'" "$want" "$rc"
    [ -s "$tmp/err" ] || fail "no message for 'index $args'"
done
grep -q "two directories named 'un'" "$tmp/err" || fail "two directories of one name: $(cat "$tmp/err")"
"$INDAGA" index --index "$ix" "$tmp/no-such-dir" 2>&1 | grep -q "no-such-dir" || fail "missing PATH not named"
for cmd in stats check show compact; do
    arg=; [ "$cmd" = show ] && arg=x
    set +e
    "$INDAGA" $cmd --index "$tmp/none" $arg >/dev/null 2>"$tmp/err"
    rc=$?
    set -e
    expect "$cmd without an index (exit)" 2 "$rc"
    grep -q "no index at $tmp/none; run 'indaga index PATH' first" "$tmp/err" || fail "$cmd message: $(cat "$tmp/err")"
done
[ ! -e "$tmp/none" ] || fail "a read command created the index directory"

# 9. An empty tree makes an empty index (generation 1), not "no index".
mkdir "$tmp/empty"
"$INDAGA" index --index "$tmp/eix" "$tmp/empty" | grep -q "committed generation 1" || fail "empty tree"
st=$("$INDAGA" stats --index "$tmp/eix" --json)
expect "empty index documents" 0 "$(num documents "$st")"
expect "empty index generation" 1 "$(num generation "$st")"
"$INDAGA" check --index "$tmp/eix" >/dev/null || fail "check of an empty index"
# 10. Several PATHs in one run: a directory's ids start with its name, a
# file keeps its name; the index mirrors all of them together, so a rerun
# changes nothing, a file removed from one directory leaves only its
# document, a run naming one directory is refused (exit 4, the index's
# roots differ) and with --prune removes the others'.
mkdir -p "$tmp/m/un" "$tmp/m/docs/ley"
cp "$UN/carta_krasnodar_2017.txt" "$UN/a_68_908.txt" "$tmp/m/un/"
cp "$SRCDIR/corpus/carta_naciones_unidas_cap1-3.txt" "$tmp/m/docs/ley/"
printf 'Nota suelta sobre el ornitorrinco.\n' > "$tmp/m/nota.txt"
nun=$(ls "$tmp/m/un" | wc -l)
out=$("$INDAGA" index --index "$tmp/mix" --json "$tmp/m/un" "$tmp/m/docs/" "$tmp/m/nota.txt")
expect "several PATHs added" $((nun + 2)) "$(num added "$out")"
"$INDAGA" show --index "$tmp/mix" un/carta_krasnodar_2017.txt >/dev/null || fail "id with the directory's name"
"$INDAGA" show --index "$tmp/mix" docs/ley/carta_naciones_unidas_cap1-3.txt >/dev/null || fail "nested id"
"$INDAGA" show --index "$tmp/mix" nota.txt >/dev/null || fail "a file's id is its name"
"$INDAGA" search --index "$tmp/mix" --json -n 1 "combatientes terroristas extranjeros" \
    | grep -q '"doc":"un/carta_krasnodar_2017.txt"' || fail "search cites the prefixed id"
out=$("$INDAGA" index --index "$tmp/mix" --json "$tmp/m/un" "$tmp/m/docs" "$tmp/m/nota.txt")
expect "several PATHs rerun unchanged" $((nun + 2)) "$(num unchanged "$out")"
expect "several PATHs rerun removed" 0 "$(num removed "$out")"
rm "$tmp/m/docs/ley/carta_naciones_unidas_cap1-3.txt"
out=$("$INDAGA" index --index "$tmp/mix" --json "$tmp/m/un" "$tmp/m/docs" "$tmp/m/nota.txt")
expect "removed from one directory" 1 "$(num removed "$out")"
expect "the others unchanged" $((nun + 1)) "$(num unchanged "$out")"
(cd "$tmp/m/un" && "$INDAGA" index --index "$tmp/mix" --json . "$tmp/m/docs" "$tmp/m/nota.txt") > "$tmp/out"
expect "'.' is named after the directory" $((nun + 1)) "$(num unchanged "$(cat "$tmp/out")")"
set +e
"$INDAGA" index --index "$tmp/mix" --json "$tmp/m/un" >/dev/null 2>"$tmp/err"
rc=$?
set -e
expect "one directory of three (exit)" 4 "$rc"
out=$("$INDAGA" index --index "$tmp/mix" --prune --json "$tmp/m/un")
expect "one directory again: its ids lose the prefix" "$nun" "$(num added "$out")"
expect "one directory again: the rest removed" $((nun + 1)) "$(num removed "$out")"
"$INDAGA" show --index "$tmp/mix" carta_krasnodar_2017.txt >/dev/null || fail "unprefixed id"
set +e
"$INDAGA" index --index "$tmp/mix" --add "$tmp/m/un" "$tmp/m/un/carta_krasnodar_2017.txt" >/dev/null 2>"$tmp/err"
rc=$?
set -e
expect "one id from two PATHs (exit)" 2 "$rc"
grep -q "would both be the document 'carta_krasnodar_2017.txt'" "$tmp/err" || fail "duplicate id message: $(cat "$tmp/err")"
"$INDAGA" check --index "$tmp/mix" >/dev/null || fail "check after the refused run"

# 11. An index of an older format version (its one segment replaced by the
#     golden segment of version 2, then of version 6, the last before the
#     FIELDS section): search refuses it naming the file and the remedy;
#     index rebuilds it in full, saying so, and it is searchable again.
mkdir "$tmp/old"
cp "$SRCDIR/tests/data/segment/carta_krasnodar_2017.txt" "$tmp/old/"
for v in 2 6; do
    "$INDAGA" index --index "$tmp/v${v}ix" "$tmp/old" >/dev/null
    seg=$(ls "$tmp/v${v}ix"/seg-*.seg)
    cp "$SRCDIR/tests/data/golden/un-v$v.seg" "$seg"
    set +e
    "$INDAGA" search --index "$tmp/v${v}ix" krasnodar > /dev/null 2> "$tmp/err"
    rc=$?
    set -e
    expect "search on a v$v index (exit)" 2 "$rc"
    grep -q "segment format version $v.*indaga index --full" "$tmp/err" || fail "v$v search message: $(cat "$tmp/err")"
    out=$("$INDAGA" index --index "$tmp/v${v}ix" --json "$tmp/old" 2> "$tmp/err")
    grep -q "rebuilding the index in full" "$tmp/err" || fail "v$v index: no message: $(cat "$tmp/err")"
    expect "v$v rebuilt: added" 1 "$(num added "$out")"
    "$INDAGA" search --index "$tmp/v${v}ix" krasnodar > /dev/null || fail "v$v rebuilt: not searchable"
    "$INDAGA" check --index "$tmp/v${v}ix" >/dev/null || fail "v$v rebuilt: check"
done
echo "ok"
