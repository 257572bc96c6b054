#!/bin/sh
# test_output_safety.sh: what documents and file names hold never reaches a
# terminal raw (doc/CLI.md, "Output safety"): control characters (ESC, BEL, C1)
# and bidirectional overrides in document ids, metadata, labels, queries and
# warnings are escaped in human output, and echoed values are bounded. In JSON,
# ids that are not UTF-8 stay distinct and reversible ("doc_bytes").
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"

ESC=$(printf '\033')
BEL=$(printf '\007')
src="$tmp/src"
mkdir "$src"
text='Texto sobre la cooperacion internacional y la paz.'
printf '%s\n' "$text" > "$src/a${ESC}[2Jb${ESC}]0;pwn${BEL}.txt"
printf '%s regional\n' "$text" > "$src/$(printf 'x\377.txt')"
printf '%s mundial\n' "$text" > "$src/$(printf 'x\376.txt')"
printf '%s rtl\n' "$text" > "$src/$(printf 'rtl\342\200\256gpj.txt')"
printf '%s barra\n' "$text" > "$src/$(printf 'b\\x41\377.txt')"
long=$(printf '%3000s' '' | tr ' ' 't')
printf -- '---\nsymbol: S/%s]0;pwn%s/1\ntitle: Un %s\nrareza: valor%sraro\n---\n\n%s meta\n' \
    "$ESC" "$BEL" "$long" "$(printf '\302\233')" "$text" > "$src/meta.txt"
printf 'PK\003\004\000\000\000binario' > "$src/bin${ESC}[31m.txt"
ix="$tmp/ix"

raw() {   # raw FILE WHAT: FILE holds no ESC, BEL or C1 CSI byte
    if grep -q "[$ESC$BEL]" "$1" || LC_ALL=C grep -q "$(printf '\302\233')" "$1"; then
        fail "$2: a control character reached the output: $(head -c 300 "$1" | od -c | head -5)"
    fi
}

# 1. Human output of every command that prints names or metadata.
rc=0; "$INDAGA" index --index "$ix" "$src" > "$tmp/index.out" 2> "$tmp/index.err" || rc=$?
[ "$rc" = 5 ] || fail "index: exit $rc (want 5: the binary file is skipped)"
raw "$tmp/index.err" "index warnings"
grep -q 'bin\\x1b\[31m.txt' "$tmp/index.err" || fail "the warning does not show the escaped name: $(cat "$tmp/index.err")"
"$INDAGA" search --index "$ix" --color=never -n 20 cooperacion > "$tmp/search.out"
raw "$tmp/search.out" "search"
grep -q 'a\\x1b\[2Jb\\x1b\]0;pwn\\x07.txt' "$tmp/search.out" || fail "search: ESC name not escaped: $(cat "$tmp/search.out")"
grep -q 'x\\xff.txt' "$tmp/search.out" || fail "search: \\xff not escaped"
grep -q 'x\\xfe.txt' "$tmp/search.out" || fail "search: \\xfe not escaped"
grep -q 'rtl\\u202egpj.txt' "$tmp/search.out" || fail "search: the bidi override not escaped"
grep -q 'S/\\x1b\]0;pwn\\x07/1' "$tmp/search.out" || fail "search: the symbol not escaped"
"$INDAGA" search --index "$ix" --color=always -n 20 cooperacion > "$tmp/color.out"
# With colour, the only ESC bytes are the command's own SGR sequences.
sed "s/${ESC}\[[0-9;]*m//g" "$tmp/color.out" > "$tmp/color.stripped"
raw "$tmp/color.stripped" "search --color=always"
"$INDAGA" show --index "$ix" meta.txt > "$tmp/show.out"
raw "$tmp/show.out" "show meta.txt"
grep -q 'valor\\u009braro' "$tmp/show.out" || fail "show: the C1 CSI not escaped: $(cat "$tmp/show.out")"
"$INDAGA" show --index "$ix" "a${ESC}[2Jb${ESC}]0;pwn${BEL}.txt" > "$tmp/show2.out"
raw "$tmp/show2.out" "show of the ESC document"
rc=0; "$INDAGA" search --index "$ix" "zzqq${ESC}[2J" > "$tmp/none.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a query with ESC: exit $rc"
raw "$tmp/none.out" "no hits for: the query"
rc=0; "$INDAGA" show --index "$ix" "nada${ESC}[2J.txt" > "$tmp/nodoc.out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "show of a missing ESC id: exit $rc"
raw "$tmp/nodoc.out" "the error naming a missing document"
"$INDAGA" stats --index "$ix" > /dev/null

# 2. Bounds: a 3000-byte title is cut to 1024 bytes (and marked) in both outputs.
len=$(grep '^  title ' "$tmp/show.out" | awk '{ print length($0) }')
[ "$len" -le 1100 ] && [ "$len" -gt 1000 ] || fail "show: the title line is $len bytes"
grep -q '^  title .*t\.\.\.$' "$tmp/show.out" || fail "show: the cut title is not marked"
"$INDAGA" show --index "$ix" --json meta.txt | head -n 1 | grep -o '"title":"[^"]*"' > "$tmp/title"
[ "$(wc -c < "$tmp/title")" -le 1040 ] || fail "show --json: the title is $(wc -c < "$tmp/title") bytes"

# 3. JSON: names that are not UTF-8 stay distinct through "doc_bytes", the
# reversible form (\xHH for a byte outside UTF-8, \\ for a backslash).
"$INDAGA" search --index "$ix" --json -n 20 cooperacion > "$tmp/hits.json"
grep -q '"doc":"x\\ufffd.txt","doc_bytes":"x\\\\xff.txt"' "$tmp/hits.json" || fail "no doc_bytes for x\\xff.txt"
grep -q '"doc":"x\\ufffd.txt","doc_bytes":"x\\\\xfe.txt"' "$tmp/hits.json" || fail "no doc_bytes for x\\xfe.txt"
grep -q '"doc_bytes":"b\\\\\\\\x41\\\\xff.txt"' "$tmp/hits.json" || fail "a backslash in doc_bytes is not doubled"
[ "$(grep -c '"doc_bytes"' "$tmp/hits.json")" = 3 ] || fail "doc_bytes on a UTF-8 id: $(grep doc_bytes "$tmp/hits.json")"
grep -q '"doc":"a\\u001b\[2Jb\\u001b\]0;pwn\\u0007.txt"' "$tmp/hits.json" || fail "JSON: ESC id"
# Every line is valid JSON, and decoding each doc_bytes gives back the id's
# bytes: `show` finds every such document by them.
if command -v /usr/bin/python3 > /dev/null; then
    /usr/bin/python3 - "$tmp/hits.json" "$tmp/names" <<'PY' || fail "JSON lines or doc_bytes: see above"
import json, re, sys
out = open(sys.argv[2], "wb")
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if "doc_bytes" in o:
        raw = re.sub(rb"\\(\\|x([0-9a-f]{2}))",
                     lambda m: b"\\" if m.group(1) == b"\\" else bytes([int(m.group(2), 16)]),
                     o["doc_bytes"].encode("utf-8"))
        assert raw.decode("utf-8", "replace") == o["doc"], (raw, o["doc"])
        out.write(raw + b"\0")
PY
    tr '\0' '\n' < "$tmp/names" | while IFS= read -r n; do
        "$INDAGA" show --index "$ix" "$n" > /dev/null || fail "doc_bytes did not lead back to '$n'"
    done
    [ "$(tr -cd '\0' < "$tmp/names" | wc -c)" = 3 ] || fail "three doc_bytes decoded"
else
    echo "SKIP: the doc_bytes round trip needs /usr/bin/python3"
fi
rc=0; "$INDAGA" index --index "$ix" --json "$src" > "$tmp/warn.json" 2>/dev/null || rc=$?
grep -q '^{"type":"warning","path":"[^"]*bin\\u001b\[31m.txt",' "$tmp/warn.json" || fail "JSON warning path: $(cat "$tmp/warn.json")"
echo "ok"
