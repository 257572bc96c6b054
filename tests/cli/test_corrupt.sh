#!/bin/sh
# test_corrupt.sh: damaged index files seen from the command. In an index of
# two generations (two segments, a deletion file, two manifests), a byte is
# changed at offsets spread over each file, then the file is truncated: every
# time `indaga check` exits 2 naming the file, and `indaga stats`/`search`
# exit 2 naming it too -- except when the newest manifest is the damaged
# file, where readers fall back to the intact previous generation, saying
# so in a warning that names the file (stderr, and a JSON warning line),
# while check still fails. Never a crash (a signal would show as exit > 128).
# A segment opened without its whole-file checksum (large) is checked
# section by section, so a search still never uses a damaged byte.
# (tests/unit/test_snapshot.c flips many more offsets through the library.)
# Needs $INDAGA (the command) and $SRCDIR (the source tree).
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
need_un
ix="$tmp/ix"
mkdir "$tmp/src"
for f in "$UN"/a_69_*.txt; do cp "$f" "$tmp/src/"; done
"$INDAGA" index --index "$ix" "$tmp/src" >/dev/null
rm "$tmp"/src/a_69_1*.txt
cp "$UN/carta_krasnodar_2017.txt" "$tmp/src/"
"$INDAGA" index --index "$ix" "$tmp/src" >/dev/null
for f in seg-1.seg seg-2.seg seg-1.del.2 manifest.1 manifest.2; do
    [ -f "$ix/$f" ] || fail "expected index file $f; have: $(ls "$ix" | tr '\n' ' ')"
done
"$INDAGA" check --index "$ix" >/dev/null || fail "check before damage"

run() {   # run CMD...: sets rc and leaves stderr in $tmp/err
    set +e
    "$INDAGA" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set -e
    [ "$rc" -lt 128 ] || fail "indaga $* died with a signal (exit $rc)"
}

expect_seen() {   # expect_seen FILE WHAT
    run check --index "$ix"
    [ "$rc" = 2 ] || fail "check with $1 $2: exit $rc"
    grep -q "$1" "$tmp/err" || fail "check with $1 $2 does not name it: $(cat "$tmp/err")"
    run check --index "$ix" --json
    grep -q '^{"type":"check","ok":false,"error":".*'"$1" "$tmp/out" || fail "check --json with $1 $2"
    run stats --index "$ix" --json
    if [ "$1" = manifest.2 ]; then
        [ "$rc" = 0 ] && [ "$(num generation "$(grep '"type":"stats"' "$tmp/out")")" = 1 ] \
            || fail "stats with $1 $2: exit $rc, $(cat "$tmp/out" "$tmp/err")"
        grep -q '^{"type":"warning",.*manifest.2.*not the newest' "$tmp/out" \
            || fail "stats with $1 $2: no JSON warning: $(cat "$tmp/out")"
        grep -q "warning:.*manifest.2" "$tmp/err" || fail "stats with $1 $2: no warning: $(cat "$tmp/err")"
    elif [ "$1" = manifest.1 ]; then
        [ "$rc" = 0 ] && [ "$(num generation "$(cat "$tmp/out")")" = 2 ] || fail "stats with $1 $2"
    else
        [ "$rc" = 2 ] || fail "stats with $1 $2: exit $rc"
        grep -q "$1" "$tmp/err" || fail "stats with $1 $2 does not name it: $(cat "$tmp/err")"
        run search --index "$ix" "terrorismo"
        [ "$rc" = 2 ] || fail "search with $1 $2: exit $rc"
        grep -q "$1" "$tmp/err" || fail "search with $1 $2 does not name it: $(cat "$tmp/err")"
    fi
}

for f in seg-1.seg seg-2.seg seg-1.del.2 manifest.2 manifest.1; do
    cp "$ix/$f" "$tmp/orig"
    size=$(wc -c < "$tmp/orig")
    for k in 0 1 2 3 5 8 13 17 19; do
        off=$((size * k / 20))
        cp "$tmp/orig" "$ix/$f"
        # Replace the byte at $off by its complement.
        b=$(od -An -tu1 -j "$off" -N1 "$tmp/orig" | tr -d ' ')
        printf "\\$(printf '%03o' $((255 - b)))" | dd of="$ix/$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
        cmp -s "$tmp/orig" "$ix/$f" && fail "the byte at $off of $f did not change"
        expect_seen "$f" "changed at byte $off"
    done
    for len in 0 $((size / 2)) $((size - 1)); do
        head -c "$len" "$tmp/orig" > "$ix/$f"
        expect_seen "$f" "truncated to $len bytes"
    done
    cp "$tmp/orig" "$ix/$f"
    "$INDAGA" check --index "$ix" >/dev/null || fail "check after restoring $f"
done
# A segment too large to be checksummed whole on open (forced here with
# INDAGA_TEST_FULL_CHECK_MAX=0) is verified section by section before each
# section's first read: a search with hits reads every section of a
# one-segment index, so any changed byte (but the 8 of the whole-file
# checksum, which only check reads) makes it exit 2 naming the file.
lx="$tmp/lx"
"$INDAGA" index --index "$lx" "$tmp/src" >/dev/null
cp "$lx/seg-1.seg" "$tmp/orig"
size=$(wc -c < "$tmp/orig")
for k in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do
    off=$((size * k / 20 + k))
    [ "$off" -ge $((size - 16)) ] && [ "$off" -lt $((size - 8)) ] && continue
    cp "$tmp/orig" "$lx/seg-1.seg"
    b=$(od -An -tu1 -j "$off" -N1 "$tmp/orig" | tr -d ' ')
    printf "\\$(printf '%03o' $((255 - b)))" | dd of="$lx/seg-1.seg" bs=1 seek="$off" conv=notrunc 2>/dev/null
    set +e
    INDAGA_TEST_FULL_CHECK_MAX=0 "$INDAGA" search --index "$lx" "terrorismo" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set -e
    [ "$rc" = 2 ] || fail "search of a large segment changed at byte $off: exit $rc"
    grep -q "seg-1.seg" "$tmp/err" || fail "search does not name the segment: $(cat "$tmp/err")"
done
cp "$tmp/orig" "$lx/seg-1.seg"
INDAGA_TEST_FULL_CHECK_MAX=0 "$INDAGA" search --index "$lx" "terrorismo" >/dev/null || fail "intact large segment"

# A damaged index: the writer refuses with a hint, --full rebuilds it whole.
printf 'X' | dd of="$ix/seg-2.seg" bs=1 seek=100 conv=notrunc 2>/dev/null
run index --index "$ix" "$tmp/src"
[ "$rc" = 2 ] || fail "index on a damaged segment: exit $rc"
grep -q "seg-2.seg.*indaga index --full" "$tmp/err" || fail "no --full hint: $(cat "$tmp/err")"
run index --index "$ix" --full "$tmp/src"
[ "$rc" = 0 ] || fail "index --full on a damaged index: exit $rc, $(cat "$tmp/err")"
"$INDAGA" check --index "$ix" >/dev/null || fail "check after the rebuild"
[ ! -e "$ix/seg-2.seg" ] || fail "the damaged segment outlived the rebuild"
echo "ok"
