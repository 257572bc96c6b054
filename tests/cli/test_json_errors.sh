#!/bin/sh
# test_json_errors.sh: with --json, every error and warning is also a JSON line
# on stdout (doc/CLI.md), in every command; in `search --batch` every query gets
# its summary or its error line, with no gap in query_no, whatever the lines
# hold (too long, binary, empty queries); a batch of /dev/zero ends in bounded
# memory; the summary's echo of a long query is cut and marked. Uses corpus/.
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"

ix="$tmp/ix"
"$INDAGA" index --index "$ix" "$SRCDIR/corpus" > /dev/null || fail "indexing corpus/"

run() {   # run CMD...: sets rc; stdout in $tmp/out, stderr in $tmp/err
    rc=0
    "$INDAGA" "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
    [ "$rc" -lt 128 ] || fail "indaga $*: killed by a signal (exit $rc)"
}
only_error() {   # only_error STATUS WHAT: stdout is one error line with STATUS; stderr has the message
    [ "$rc" = "$1" ] || fail "$2: exit $rc, want $1"
    [ "$(wc -l < "$tmp/out")" = 1 ] || fail "$2: want one line on stdout: $(cat "$tmp/out")"
    grep -Eq "^\{\"type\":\"error\",(\"query_no\":[0-9]+,)?\"status\":$1,\"path\":(null|\"[^\"]*\"),\"message\":\"[^\"]+\"\}\$" "$tmp/out" \
        || fail "$2: not an error line: $(cat "$tmp/out")"
    [ -s "$tmp/err" ] || fail "$2: no message on stderr"
}

# 1. Each command's errors: no index, no document, bad usage, an empty query.
for cmd in search stats check compact show; do
    arg=; [ "$cmd" = search ] && arg=terrorismo; [ "$cmd" = show ] && arg=x.txt
    run "$cmd" --json --index "$tmp/none" $arg
    if [ "$cmd" = check ]; then   # check's own verdict line comes first
        head -n 1 "$tmp/out" | grep -q '^{"type":"check","ok":false,' || fail "check: $(cat "$tmp/out")"
        sed -i 1d "$tmp/out"
    fi
    only_error 2 "$cmd without an index"
    grep -q "\"path\":\"$tmp/none\"" "$tmp/out" || fail "$cmd: the error line does not name the index"
    grep -q "no index at $tmp/none" "$tmp/err" || fail "$cmd: stderr: $(cat "$tmp/err")"
done
run show --json --index "$ix" nada.txt
only_error 2 "show of a missing document"
grep -q '"path":"nada.txt"' "$tmp/out" || fail "show: the error line does not name the document"
run search --json --index "$ix" '*'
only_error 2 "an empty query"
grep -q '"query_no":0,' "$tmp/out" || fail "a query's error has no query_no: $(cat "$tmp/out")"
for cmd in index search show analyze stats check compact; do
    run "$cmd" --json --no-such-option
    only_error 64 "$cmd --json with an unknown option"
    run "$cmd" --no-such-option --json           # --json after the error counts too
    only_error 64 "$cmd with an unknown option before --json"
done
run index --json --index "$ix" "$tmp/no-such-dir"
only_error 2 "index of a missing PATH"
grep -q "\"path\":\"$tmp/no-such-dir\"" "$tmp/out" || fail "index: the error line does not name the PATH"

# 2. Warnings: a binary file is skipped; its warning is a JSON line (and on
# stderr), the summary follows, and the run exits 5 (committed with warnings).
mkdir "$tmp/tree"
cp "$SRCDIR/corpus/carta_krasnodar_2017.txt" "$tmp/tree/"
printf 'PK\003\004\000\000\000binario' > "$tmp/tree/binario.txt"
run index --json --index "$tmp/ix2" "$tmp/tree"
[ "$rc" = 5 ] || fail "index with a skipped file: exit $rc, want 5"
head -n 1 "$tmp/out" | grep -q "^{\"type\":\"warning\",\"path\":\"$tmp/tree/binario.txt\",\"message\":\"[^\"]*binary" \
    || fail "no JSON warning line: $(cat "$tmp/out")"
tail -n 1 "$tmp/out" | grep -q '^{"type":"index","added":1,.*"skipped":1,' || fail "summary: $(cat "$tmp/out")"
grep -q "warning: .*binario.txt" "$tmp/err" || fail "no warning on stderr"
"$INDAGA" search --index "$tmp/ix2" --json terrorismo > /dev/null || fail "the commit with warnings did not happen"
rm "$tmp/tree/binario.txt"
run index --json --index "$tmp/ix2" "$tmp/tree"
[ "$rc" = 0 ] || fail "index without warnings: exit $rc"

# 3. A batch: every query gets exactly one summary or error line, query_no 0..N-1
# in order, whatever its line holds; blank lines are no query.
{
    echo "terrorismo"                       # 0 hits
    echo ""
    echo "*"                                # 1 empty query: error
    echo "zzzqqxxw"                         # 2 no hits: summary
    printf 'foo\000bar\n'                   # 3 binary: error
    echo "   "
    head -c 1100000 /dev/zero | tr '\0' 'a'; echo   # 4 longer than 1 MiB: error
    echo "naciones unidas"                  # 5 hits
    printf 'caf\351 \377\376 derechos\r\n'  # 6 invalid UTF-8, CRLF: a summary
    printf '"sin cerrar'                    # 7 no newline at the end
} > "$tmp/batch.txt"
run search --index "$ix" --json -n 2 --batch "$tmp/batch.txt"
[ "$rc" = 2 ] || fail "batch with failed queries: exit $rc, want 2"
grep -E '"type":"(summary|error)"' "$tmp/out" | sed 's/.*"query_no":\([0-9]*\).*/\1/' > "$tmp/qno"
seq 0 7 > "$tmp/qno.want"
same "query_no of the summaries and errors" "$tmp/qno.want" "$tmp/qno"
for q in 1 3 4; do
    grep -q "^{\"type\":\"error\",\"query_no\":$q,\"status\":2," "$tmp/out" || fail "query $q: no error line"
done
grep -q '"query_no":4,.*longer than 1048576 bytes' "$tmp/out" || fail "query 4: not 'longer than'"
grep -q '"query_no":3,.*NUL' "$tmp/out" || fail "query 3: not binary"
for q in 0 2 5 6 7; do
    grep -q "^{\"type\":\"summary\",\"query_no\":$q," "$tmp/out" || fail "query $q: no summary"
done
[ "$(grep -c '"type":"error"' "$tmp/err" || true)" = 0 ] || fail "JSON on stderr"
[ "$(grep -c 'query [134]' "$tmp/err")" = 3 ] || fail "stderr lacks the three query errors: $(cat "$tmp/err")"
# The same from standard input.
"$INDAGA" search --index "$ix" --json -n 2 --batch - < "$tmp/batch.txt" > "$tmp/stdin.out" 2>/dev/null || true
grep -E '"type":"(summary|error)"' "$tmp/stdin.out" | sed 's/.*"query_no":\([0-9]*\).*/\1/' > "$tmp/qno"
same "query_no from standard input" "$tmp/qno.want" "$tmp/qno"

# 4. The echo of a long query is cut at 1024 bytes and marked.
long=$(yes "terrorismo internacional" | head -n 300 | tr '\n' ' ')
"$INDAGA" search --index "$ix" --json -n 1 "$long" | tail -n 1 > "$tmp/sum"
grep -q '"query_cut":true,"query_bytes":7500,' "$tmp/sum" || fail "no cut marker: $(head -c 300 "$tmp/sum")"
q=$(sed 's/.*"query":"\([^"]*\)".*/\1/' "$tmp/sum")
[ "${#q}" -le 1024 ] || fail "the echo is ${#q} bytes"
"$INDAGA" search --index "$ix" --json -n 1 terrorismo | tail -n 1 | grep -q '"query_cut"' \
    && fail "a short query is marked cut"

# 5. `--batch /dev/zero`: one endless line. It is query 0's error at once, and the
# run ends (exit 2) after skipping at most 64 MiB, in bounded memory.
rc=0
if [ -x /usr/bin/time ]; then
    timeout 120 /usr/bin/time -f '%M' -o "$tmp/rss" "$INDAGA" search --index "$ix" --json --batch /dev/zero \
        > "$tmp/out" 2> "$tmp/err" || rc=$?
else
    timeout 120 "$INDAGA" search --index "$ix" --json --batch /dev/zero > "$tmp/out" 2> "$tmp/err" || rc=$?
fi
[ "$rc" = 2 ] || fail "--batch /dev/zero: exit $rc, want 2"
head -n 1 "$tmp/out" | grep -q '^{"type":"error","query_no":0,"status":2,.*longer than 1048576 bytes' \
    || fail "--batch /dev/zero: $(head -c 300 "$tmp/out")"
tail -n 1 "$tmp/out" | grep -q '^{"type":"error","status":2,"path":"/dev/zero",.*is not read' \
    || fail "--batch /dev/zero: no final error: $(tail -c 300 "$tmp/out")"
if [ -s "$tmp/rss" ]; then
    kb=$(tail -n 1 "$tmp/rss")
    echo "--batch /dev/zero: peak RSS $kb KB"
    [ "$kb" -lt 131072 ] || fail "--batch /dev/zero: peak RSS $kb KB (the line is 64 MiB; it must not be held)"
fi

# 6. A reader that goes away (| head) or a full disk: exit 2 with a message, never SIGPIPE.
yes terrorismo | head -n 20000 > "$tmp/many.txt"
{ rc=0; "$INDAGA" search --index "$ix" --json --batch "$tmp/many.txt" 2> "$tmp/err" || rc=$?; echo "$rc" > "$tmp/rc"; } \
    | head -n 1 > /dev/null
[ "$(cat "$tmp/rc")" = 2 ] || fail "search into a closed pipe: exit $(cat "$tmp/rc"), want 2"
grep -q "cannot write the output" "$tmp/err" || fail "closed pipe: $(cat "$tmp/err")"
if [ -w /dev/full ]; then
    rc=0; "$INDAGA" stats --index "$ix" > /dev/full 2> "$tmp/err" || rc=$?
    [ "$rc" = 2 ] && grep -q "cannot write the output" "$tmp/err" || fail "stats > /dev/full: exit $rc"
fi

# 7. analyze reads at most 64 MiB of standard input: more is an error, not a 70 MB buffer.
rc=0
head -c 70000000 /dev/zero | "$INDAGA" analyze --json > "$tmp/out" 2> "$tmp/err" || rc=$?
only_error 2 "analyze of 70 MB"
grep -q "longer than 67108864 bytes" "$tmp/err" || fail "analyze: $(cat "$tmp/err")"
echo "ok"
