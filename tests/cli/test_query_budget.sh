#!/bin/sh
# test_query_budget.sh: `indaga search` within its work budget (issue 16):
# hostile queries answer, or fail with status 2 and "query over its work
# budget: ...", in bounded memory, over corpus/ and (when present) the 534
# UN documents ($INDAGA_SHARED_DATA/un, else ../shared/data/un).
#
#   1. `a* OR a* OR ...` (1000 times) gives exactly the hits of `a*`;
#   2. --max-memory 1 refuses a query that needs more: exit 2, a JSON error
#      line naming the limit; --timeout 1 likewise names the time;
#   3. --partial: a sweep of time limits (1 ms to 1 s, two queries) gives
#      whole answers, errors before collecting, and at least one summary
#      with "partial":true;
#   4. bad --timeout/--max-memory values are usage errors (64);
#   5. a --batch file of hostile lines (binary junk, NUL bytes, 10,000 OR
#      terms, 100,000 parentheses, `*`, NEAR/999999999, a prefix repeated,
#      676 NEAR of prefixes, a 1 MiB line): every query gets its summary or
#      its error line, and the process's peak RSS (/usr/bin/time) stays
#      under 200 MiB. No timing thresholds.
set -eu
. "${SRCDIR:?}/tests/cli/lib.sh"

# q_repeat UNIT N SEP: UNIT N times joined by SEP
q_repeat() {
    awk -v u="$1" -v n="$2" -v s="$3" 'BEGIN { q = u; for (i = 1; i < n; i++) q = q s u; print q }'
}
# q_near: 676 (xy* NEAR/999999999 yx*) ORed
q_near() {
    awk 'BEGIN { a = "abcdefghijklmnopqrstuvwxyz"; q = "";
                 for (i = 0; i < 676; i++) { x = substr(a, i % 26 + 1, 1); y = substr(a, int(i / 26) + 1, 1);
                   q = q (i ? " OR " : "") "(" x y "* NEAR/999999999 " y x "*)" } print q }'
}

check_index() {   # check_index NAME IDX
    name=$1 idx=$2
    echo "[$name]"
    # 1. repeated prefixes are merged: the hits of a* alone
    q=$(q_repeat 'a*' 1000 ' OR ')
    "$INDAGA" search --index "$idx" --json -- "$q" >"$tmp/many.json" || fail "$name: a* x 1000 exit $?"
    "$INDAGA" search --index "$idx" --json -- 'a*' >"$tmp/one.json" || fail "$name: a* exit $?"
    grep '"type":"hit"' "$tmp/one.json" >"$tmp/one.hits"
    grep '"type":"hit"' "$tmp/many.json" >"$tmp/many.hits"
    [ -s "$tmp/one.hits" ] || fail "$name: a* found nothing"
    same "$name: a* OR a* ... has the hits of a*" "$tmp/one.hits" "$tmp/many.hits"
    grep -q '"note":"repeated words merged"' "$tmp/many.json" || fail "$name: no note about merged words"
    echo "  a* x 1000: $(grep -c '"type":"hit"' "$tmp/many.json") hits, same as a*"

    # 2. limits: exit 2, the error line names the limit
    heavy=$(q_near)
    rc=0
    "$INDAGA" search --index "$idx" --json --max-memory 1 -- "$heavy" >"$tmp/mem.json" 2>"$tmp/mem.err" || rc=$?
    [ "$rc" = 2 ] || fail "$name: --max-memory 1: exit $rc"
    grep -q '^{"type":"error","query_no":0,"status":2,.*"message":"search: query over its work budget: the memory limit of 1 MiB ran out while' \
        "$tmp/mem.json" || fail "$name: --max-memory 1: $(cat "$tmp/mem.json")"
    rc=0
    "$INDAGA" search --index "$idx" --timeout 1 -- "$heavy" >/dev/null 2>"$tmp/time.err" || rc=$?
    if [ "$rc" = 0 ]; then
        echo "  --timeout 1: answered within 1 ms on this machine; nothing to check"
    else
        [ "$rc" = 2 ] || fail "$name: --timeout 1: exit $rc"
        grep -q "query over its work budget: the time limit of 1 ms ran out while" "$tmp/time.err" ||
            fail "$name: --timeout 1: $(cat "$tmp/time.err")"
        echo "  --timeout 1: $(cat "$tmp/time.err")"
    fi

    # 3. --partial over a sweep of limits
    partial=0 runs=0
    wide=$(awk 'BEGIN { a = "abcdefghijklmnopqrstuvwxyz"; q = "";
                 for (i = 0; i < 676; i++) q = q (i ? " OR " : "") substr(a, i % 26 + 1, 1) substr(a, int(i / 26) + 1, 1) "*"; print q }')
    for ms in 1 2 3 4 6 8 11 16 23 32 45 64 90 128 181 256 362 512 724 1024; do
      for hq in "$heavy" "$wide"; do
        rc=0 runs=$((runs + 1))
        "$INDAGA" search --index "$idx" --json --partial --timeout $ms -- "$hq" >"$tmp/p.json" 2>/dev/null || rc=$?
        case $rc in
        0|1) if grep -q '^{"type":"summary",.*,"partial":true}$' "$tmp/p.json"; then partial=$((partial + 1)); fi ;;
        2) grep -q '"message":"search: query over its work budget: the time limit of' "$tmp/p.json" ||
               fail "$name: --partial --timeout $ms: $(cat "$tmp/p.json")"
           if grep -q 'collecting matches' "$tmp/p.json"; then fail "$name: --partial, yet an error while collecting"; fi ;;
        *) fail "$name: --partial --timeout $ms: exit $rc" ;;
        esac
      done
    done
    [ "$partial" -gt 0 ] || fail "$name: no partial answer over the sweep"
    echo "  --partial sweep: $partial partial answers of $runs"

    # 5. a batch of hostile lines, in bounded memory
    batch=$tmp/hostile.txt
    {
        q_repeat 'a*' 1000 ' OR '
        q_repeat 'consejo OR seguridad OR terroristas OR paz' 2500 ' OR '
        awk 'BEGIN { for (i = 0; i < 100000; i++) printf "("; printf "consejo"; for (i = 0; i < 100000; i++) printf ")"; print "" }'
        echo '*'
        echo 'combatientes NEAR/999999999 extranjeros'
        echo 'NEAR/999999999'
        q_near
        awk 'BEGIN { for (i = 0; i < 1048576 / 8; i++) printf "consejo "; print "x" }'
        LC_ALL=C awk 'BEGIN { srand(16); for (l = 0; l < 50; l++) { n = int(rand() * 2000) + 1;
                        for (i = 0; i < n; i++) { c = int(rand() * 254) + 1; if (c == 10) c = 32; printf "%c", c }
                        print "" } }'
        printf 'consejo\000seguridad\n'
        printf '\000\000\000\n'
    } >"$batch"
    nq=$(LC_ALL=C awk '{ sub(/^[ \t]+/, "") } length($0) > 0 || /\000/ { n++ } END { print n }' "$batch")
    rc=0
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "$tmp/rss" "$INDAGA" search --index "$idx" --json --no-snippets --batch "$batch" \
            >"$tmp/batch.json" 2>"$tmp/batch.err" || rc=$?
    else
        "$INDAGA" search --index "$idx" --json --no-snippets --batch "$batch" >"$tmp/batch.json" 2>"$tmp/batch.err" || rc=$?
    fi
    case $rc in 0|1|2) ;; *) fail "$name: hostile batch: exit $rc" ;; esac
    answers=$(grep -c '^{"type":"\(summary\|error\)"' "$tmp/batch.json" || true)
    [ "$answers" -ge 60 ] || fail "$name: hostile batch: $answers answers"
    grep -q '^{"type":"summary","query_no":0,' "$tmp/batch.json" || fail "$name: hostile batch: no answer to a* x 1000"
    if [ -x /usr/bin/time ]; then
        rss=$(tail -n 1 "$tmp/rss")
        [ "$rss" -lt 204800 ] || fail "$name: hostile batch: peak RSS $rss KiB"
        echo "  hostile batch: $answers answers ($nq lines by awk's count), exit $rc, peak RSS $rss KiB"
    else
        echo "  hostile batch: $answers answers, exit $rc; SKIP peak RSS: no /usr/bin/time (scripts/setup.sh installs 'time')"
    fi
}

"$INDAGA" index --index "$tmp/corpus.idx" "$SRCDIR/corpus" >/dev/null
check_index corpus/ "$tmp/corpus.idx"
if [ -d "$UN" ]; then
    "$INDAGA" index --index "$tmp/un.idx" "$UN" >/dev/null
    check_index "UN 534" "$tmp/un.idx"
else
    echo "SKIP: the 534 UN documents ($UN) are absent; corpus/ only"
fi

# 4. usage errors
for bad in "--timeout -1" "--timeout x" "--timeout 3600001" "--max-memory 65537" "--max-memory=-5"; do
    rc=0
    # shellcheck disable=SC2086
    "$INDAGA" search --index "$tmp/corpus.idx" $bad consejo >/dev/null 2>&1 || rc=$?
    [ "$rc" = 64 ] || fail "search $bad: exit $rc, not 64"
done
rc=0
"$INDAGA" search --index "$tmp/corpus.idx" --timeout 0 --max-memory 0 consejo >/dev/null || rc=$?
[ "$rc" = 0 ] || fail "--timeout 0 --max-memory 0 (no limits): exit $rc"
echo "ok"
