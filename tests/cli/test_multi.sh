#!/bin/sh
# test_multi.sh: `indaga search --index A --index B --index C` over the UN
# documents split into three indexes (file i of the sorted list goes to
# index i mod 3) against one index of them all: the same hits (document,
# part, paragraph, label), scores, snippets, order, totals, facets and
# suggestions, whole JSON lines compared (but for each hit's "index" and the
# time), for the golden queries of test_search.sh, best-match questions, a
# phrase, field filters, facets, every --sort, --group, --all, paging and
# --context. Scores in JSON have four decimals; test_multi.c compares them
# exactly through the library. Also each hit's label (JSON "index", the
# human "[label]"), and the errors: a missing, foreign or corrupt directory
# among several (exit 2, naming it), the same index twice and two indexes
# of one label (exit 64). Needs $INDAGA and $SRCDIR.
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
need_un

# 1. The split, deterministic, and the indexes.
mkdir "$tmp/src" "$tmp/src/un-a" "$tmp/src/un-b" "$tmp/src/un-c"
i=0
for f in $(cd "$UN" && ls | LC_ALL=C sort); do
    case $((i % 3)) in 0) d=un-a ;; 1) d=un-b ;; *) d=un-c ;; esac
    cp -p "$UN/$f" "$tmp/src/$d/$f"
    i=$((i + 1))
done
[ "$i" -gt 300 ] || fail "only $i UN documents"
for d in un-a un-b un-c; do
    "$INDAGA" index --index "$tmp/$d" "$tmp/src/$d" > /dev/null || fail "index $d"
done
"$INDAGA" index --index "$tmp/one" "$UN" > /dev/null || fail "index of the whole set"
many="--index $tmp/un-a --index $tmp/un-b --index $tmp/un-c"

# 2. The queries: the goldens of test_search.sh, best match with several
#    words and questions, phrases, filters on fields, a misspelling.
cat > "$tmp/queries" <<'Q'
combatientes terroristas extranjeros
combatiente terrorista extranjero
COMBATIENTES terroristas
informacion
financiacion del terrorismo
"Consejo de Seguridad"
S/RES/2196 (2015)
terroris*
yihad NEAR/3 autónoma
seguridad symbol:S/2015/*
ano
año
terrorismo
cuántos combatientes terroristas extranjeros hay en Krasnodar
medidas para prevenir la financiación del terrorismo internacional
derechos humanos de los migrantes y refugiados
cooperación internacional en materia de seguridad
"Asamblea General" resolución
+seguridad consejo NOT terrorismo
terrorismo year:2015
desarrollo sostenible year:2015..2016
paz body:S
derechos date:2015-01..2015-06
terrorizmo internasional
de
Q

# run NAME [options]: the batch over one index and over the three; the
# JSON lines must be equal once each hit's "index" and the times are set aside,
# and the figures of a total that is an estimate ("total_exact":false, the
# flag itself compared): estimates sample windows of each segment, so they
# depend on how the paragraphs lie in segments (one index's segments after
# a merge give another estimate too). Exact totals are compared as they are,
# and the facet runs below make every total exact.
estimate='/"total_exact":false/s/"total":[0-9]*,"total_exact":false,"all_words":[0-9]*/"total":E,"total_exact":false,"all_words":E/'
run() {
    name=$1; shift
    rc1=0; rc3=0
    "$INDAGA" search --index "$tmp/one" --json "$@" --batch "$tmp/queries" > "$tmp/$name.one" || rc1=$?
    # shellcheck disable=SC2086
    "$INDAGA" search $many --json "$@" --batch "$tmp/queries" > "$tmp/$name.many" || rc3=$?
    [ "$rc1" = "$rc3" ] || fail "$name: exit $rc1 with one index, $rc3 with three"
    [ "$rc1" = 0 ] || fail "$name: exit $rc1"
    sed 's/"took_us":[0-9]*/"took_us":T/; '"$estimate" "$tmp/$name.one" > "$tmp/$name.want"
    sed 's/,"index":"un-[abc]"//; s/"took_us":[0-9]*/"took_us":T/; '"$estimate" "$tmp/$name.many" > "$tmp/$name.got"
    same "$name: three indexes against one" "$tmp/$name.want" "$tmp/$name.got"
    # every hit names its index, and that index holds the document
    hits=$(grep -c '"type":"hit"' "$tmp/$name.many" || true)
    [ "$hits" -gt 0 ] || fail "$name: no hits"
    [ "$(grep -c '"type":"hit".*"doc":"[^"]*","index":"un-[abc]",' "$tmp/$name.many")" = "$hits" ] ||
        fail "$name: a hit without its index"
    sed -n 's/.*"type":"hit".*"doc":"\([^"]*\)","index":"\(un-[abc]\)",.*/\2 \1/p' "$tmp/$name.many" |
        while read -r label doc; do
            [ -f "$tmp/src/$label/$doc" ] || fail "$name: $doc is not in $label"
        done
    echo "$name: $hits hits, $(grep -c '"type":"summary"' "$tmp/$name.many") queries: same"
}
run relevance -n 50
run paged -n 7 --offset 5
run context -n 5 --context 1
run all -n 30 --all
run group -n 30 --group
run date -n 30 --sort date
run date_desc -n 30 --sort -date
run doc -n 30 --sort doc
run facets -n 10 --facet year --facet symbol
run group_facets -n 10 --group --facet year
# what was asked is there: exact totals with a facet, the phrase, the correction
grep -q '"type":"facet","query_no":0,"field":"year"' "$tmp/facets.many" || fail "no year facet"
grep -q '"query_no":5,"query":"\\"Consejo de Seguridad\\"","hits":10,"total":[0-9]*,"total_exact":true' "$tmp/facets.many" ||
    fail "phrase summary: $(grep '"query_no":5,' "$tmp/facets.many" | tail -n 1)"
grep -q '"query_no":23,"query":"terrorizmo internasional".*"suggestion":"terrorismo internacional","corrected":true' "$tmp/relevance.many" ||
    fail "the correction: $(grep '"query_no":23,' "$tmp/relevance.many" | tail -n 1)"
# totals: a query whose count is exact in one index is exact over the three, and equal (compared above)
grep '"type":"summary"' "$tmp/relevance.many" | grep -q '"total_exact":false' && echo "relevance: some totals are estimates (their flags compared)"
grep '"type":"summary"' "$tmp/facets.many" | grep -q '"total_exact":false' && fail "a facet's total is an estimate"

# 3. For people: each hit says its index before its citation; the summary as for one index.
# shellcheck disable=SC2086
"$INDAGA" search $many -n 3 combatientes terroristas extranjeros > "$tmp/human.txt"
grep -q '^1\. \[un-[abc]\] carta_krasnodar_2017\.txt · Anexo I · párr\. 10$' "$tmp/human.txt" || fail "human citation: $(cat "$tmp/human.txt")"
grep -q '^3 of 79 hits' "$tmp/human.txt" || fail "human summary"
"$INDAGA" search --index "$tmp/one" -n 3 combatientes terroristas extranjeros > "$tmp/human1.txt"
grep -q '^\[' "$tmp/human1.txt" && fail "one index: hits labelled"
grep -q '"index"' "$tmp/relevance.one" && fail "one index: JSON hits carry an index"

# 4. Errors. A missing directory among several: exit 2, naming it.
rc=0
# shellcheck disable=SC2086
"$INDAGA" search $many --index "$tmp/nothing" terrorismo > "$tmp/err.out" 2> "$tmp/err.txt" || rc=$?
[ "$rc" = 2 ] || fail "missing index: exit $rc"
grep -q "no index at $tmp/nothing" "$tmp/err.txt" || fail "missing index message: $(cat "$tmp/err.txt")"
[ -s "$tmp/err.out" ] && fail "missing index: output"
# a directory that holds no index (a foreign one: the documents), in JSON too
rc=0
"$INDAGA" search --index "$tmp/un-a" --index "$tmp/src/un-b" --json terrorismo > "$tmp/err.json" 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "foreign directory: exit $rc"
grep -q "^{\"type\":\"error\",\"status\":2,\"path\":\"$tmp/src/un-b\",\"message\":\"no index at $tmp/src/un-b" "$tmp/err.json" ||
    fail "foreign directory JSON: $(cat "$tmp/err.json")"
# a corrupt index among several: its segment named
cp -r "$tmp/un-c" "$tmp/bad"
seg=$(ls "$tmp/bad"/seg-*.seg | head -n 1)
printf 'XXXXXXXXXXXXXXXX' | dd of="$seg" bs=1 seek=4096 conv=notrunc 2>/dev/null
rc=0
"$INDAGA" search --index "$tmp/un-a" --index "$tmp/un-b" --index "$tmp/bad" terrorismo > /dev/null 2> "$tmp/err.txt" || rc=$?
[ "$rc" = 2 ] || fail "corrupt index: exit $rc"
grep -q "$tmp/bad" "$tmp/err.txt" || fail "corrupt index message: $(cat "$tmp/err.txt")"
# the same index twice, under two names: refused, exit 64, naming both
rc=0
"$INDAGA" search --index "$tmp/un-a" --index "$tmp/un-b" --index "$tmp/un-a/" terrorismo > /dev/null 2> "$tmp/err.txt" || rc=$?
[ "$rc" = 64 ] || fail "same index twice: exit $rc"
grep -q "$tmp/un-a and $tmp/un-a/ are the same index" "$tmp/err.txt" || fail "same index message: $(cat "$tmp/err.txt")"
# a copy of an index (a backup) is the same index too
mkdir "$tmp/copy"
"$INDAGA" backup --index "$tmp/un-b" "$tmp/copy/un-b2" > /dev/null
rc=0
"$INDAGA" search --index "$tmp/un-b" --index "$tmp/copy/un-b2" terrorismo > /dev/null 2> "$tmp/err.txt" || rc=$?
[ "$rc" = 64 ] || fail "a copy: exit $rc"
grep -q "are the same index" "$tmp/err.txt" || fail "copy message: $(cat "$tmp/err.txt")"
# two indexes of one label (the base name): refused, exit 64
mkdir "$tmp/other"
"$INDAGA" index --index "$tmp/other/un-a" "$tmp/src/un-b" > /dev/null
rc=0
"$INDAGA" search --index "$tmp/un-a" --index "$tmp/other/un-a" terrorismo > /dev/null 2> "$tmp/err.txt" || rc=$?
[ "$rc" = 64 ] || fail "same label: exit $rc"
grep -q "have the same label 'un-a'" "$tmp/err.txt" || fail "same label message: $(cat "$tmp/err.txt")"
# every other command takes one index: the last --index given, as before
"$INDAGA" stats --index "$tmp/un-a" --index "$tmp/un-b" --json | grep -q '"documents":178' || fail "stats takes one index"
echo "test_multi: ok"
