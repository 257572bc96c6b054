#!/bin/sh
# test_search.sh: `indaga search` end to end on the UN data (the 534 files of
# ../shared/data/un beside the checkout): the ranked list of the goldens in
# tests/golden/search, JSON Lines and summaries (CLI.md), batch numbering,
# --group, --context, paging, citations for people, no colour into a pipe,
# and the exit codes 0 / 1 (nothing found) / 2 (no index, empty query, bad
# option). Needs $INDAGA, $SRCDIR and $BUILDDIR.
set -eu
: "${BUILDDIR:?set BUILDDIR to the build tree}"
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
need_un
# rank doc part paragraph label, from hit lines (CLI JSON or the goldens)
project() {
    sed -n 's/.*"rank":\([0-9]*\),.*"doc":"\([^"]*\)",.*"part":\([0-9]*\),.*"paragraph":\([0-9]*\),"label":\(null\|"[^"]*"\).*/\1 \2 \3 \4 \5/p' "$1"
}
IDX="$tmp/idx"
"$INDAGA" index --index "$IDX" "$UN" > "$tmp/index.out" 2>&1 || fail "index: $(cat "$tmp/index.out")"

# 1. The ranked lists equal the goldens (checked by hand against the data).
check_golden() {   # check_golden NAME QUERY [options]
    name=$1; q=$2; shift 2
    rc=0
    "$INDAGA" search --index "$IDX" --json -n 50 "$@" -- "$q" > "$tmp/$name.json" || rc=$?
    project "$tmp/$name.json" > "$tmp/$name.got"
    project "$SRCDIR/tests/golden/search/$name.jsonl" > "$tmp/$name.want"
    same "golden $name" "$tmp/$name.want" "$tmp/$name.got"
    n=$(wc -l < "$tmp/$name.want")
    if [ "$n" -gt 0 ]; then [ "$rc" -eq 0 ] || fail "$name: exit $rc with hits"
    else [ "$rc" -eq 1 ] || fail "$name: exit $rc without hits"; fi
    grep -q "^{\"type\":\"summary\",\"query_no\":0,\"query\":" "$tmp/$name.json" || fail "$name: no summary"
}
check_golden combatientes_terroristas_extranjeros "combatientes terroristas extranjeros"
check_golden combatiente_terrorista_extranjero "combatiente terrorista extranjero"
check_golden COMBATIENTES_terroristas "COMBATIENTES terroristas"
check_golden informacion "informacion"
check_golden financiacion_del_terrorismo "financiacion del terrorismo"
check_golden consejo_de_seguridad_phrase '"Consejo de Seguridad"'
check_golden symbol_s_res_2196 "S/RES/2196 (2015)"
check_golden terroris_prefix "terroris*"
check_golden yihad_near3_autonoma "yihad NEAR/3 autónoma"
check_golden symbol_filter_s_2015 "seguridad symbol:S/2015/*"
check_golden ano "ano"
check_golden año "año"
check_golden terrorismo_group "terrorismo" --group

# 2. The JSON hit of decision 3 (Anexo I) and the summary, as CLI.md writes them.
grep -q '"doc":"carta_krasnodar_2017.txt","symbol":null,"title":"Carta de fecha 16 de noviembre de 2017 dirigida al Secretario General' \
    "$tmp/combatientes_terroristas_extranjeros.json" || fail "hit fields"
grep -q '"part":1,"part_label":"Anexo I","paragraph":24,"label":"3.","byte_start":[0-9]*,"byte_end":[0-9]*,"snippet":"… el intercambio de inteligencia' \
    "$tmp/combatientes_terroristas_extranjeros.json" || fail "decision 3 hit"
grep -q '^{"type":"summary","query_no":0,"query":"combatientes terroristas extranjeros","hits":50,"total":79,"total_exact":true,"all_words":4,"suggestion":null,"took_us":[0-9]*}$' \
    "$tmp/combatientes_terroristas_extranjeros.json" || fail "summary line"

# 3. People: citations, snippet, no escape codes into a pipe even without NO_COLOR.
env -u NO_COLOR "$INDAGA" search --index "$IDX" combatientes terroristas extranjeros > "$tmp/human.txt"
grep -q '^2\. carta_krasnodar_2017.txt · Anexo I · párr\. 3\.$' "$tmp/human.txt" || fail "citation: $(cat "$tmp/human.txt")"
grep -q '^1\. carta_krasnodar_2017.txt · Anexo I · párr\. 10$' "$tmp/human.txt" || fail "citation of the bullet"
grep -q 'los combatientes terroristas extranjeros y sus rutas de viaje\.$' "$tmp/human.txt" || fail "snippet"
if grep -q "$(printf '\033')" "$tmp/human.txt"; then fail "colour into a pipe"; fi
grep -q '^10 of 79 hits' "$tmp/human.txt" || fail "human summary"
# best match: after the 4 paragraphs holding the three words, a line marks the partial ones
grep -q '^the paragraphs below hold some of the words, not all:$' "$tmp/human.txt" || fail "all-words boundary"
[ "$(grep -n 'hold some of the words' "$tmp/human.txt" | cut -d: -f1)" -gt "$(grep -n '^4\. ' "$tmp/human.txt" | cut -d: -f1)" ] ||
    fail "boundary after hit 4"

# 3b. Strict matching: --all, +word and AND give the 4 paragraphs holding every word.
for form in "--all combatientes terroristas extranjeros" "+combatientes +terroristas +extranjeros" \
            "combatientes AND terroristas AND extranjeros"; do
    # shellcheck disable=SC2086
    "$INDAGA" search --index "$IDX" --no-snippets $form > "$tmp/strict.txt"
    grep -q '^4 of 4 hits' "$tmp/strict.txt" || fail "strict '$form': $(tail -n 1 "$tmp/strict.txt")"
done
# no paragraph holds both words: said before the partial matches, all_words 0 in JSON
"$INDAGA" search --index "$IDX" --no-snippets financiacion del terrorismo > "$tmp/none_all.txt"
[ "$(head -n 1 "$tmp/none_all.txt")" = "no paragraph holds all the words; these hold some of them:" ] ||
    fail "no all-words line: $(head -n 1 "$tmp/none_all.txt")"
"$INDAGA" search --index "$IDX" --json financiacion del terrorismo | grep -q '"all_words":0,' || fail "all_words 0"
# a question as typed finds its answer (Anexo I, the paragraph with '75 países')
"$INDAGA" search --index "$IDX" --json '¿Cuántos países participaron en la reunión de Krasnodar?' > "$tmp/q.json"
grep -q '"doc":"carta_krasnodar_2017.txt",.*"part":1,.*"paragraph":3,' "$tmp/q.json" || fail "question's answer"
# a page past the end says so, with the same total; exit 1
rc=0; "$INDAGA" search --index "$IDX" --offset 100 combatientes terroristas extranjeros > "$tmp/past.txt" || rc=$?
[ "$rc" -eq 1 ] || fail "page past the end: exit $rc"
grep -qx 'no more hits: 79 in all' "$tmp/past.txt" || fail "page past the end: $(cat "$tmp/past.txt")"
# an estimate is marked: 'de la' matches about 2741 of the 3090 paragraphs, too many to count
"$INDAGA" search --index "$IDX" --no-snippets de la > "$tmp/est.txt"
grep -q '^10 of about 2\.[0-9]00 hits' "$tmp/est.txt" || fail "estimate: $(tail -n 1 "$tmp/est.txt")"
"$INDAGA" search --index "$IDX" --json --offset 500 de la | grep -q '"total":2[0-9]00,"total_exact":false,' ||
    fail "estimate in JSON"


# 4. Exit codes and messages.
rc=0; "$INDAGA" search --index "$IDX" ano > /dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "nothing found: exit $rc"
rc=0; "$INDAGA" search --index "$IDX" '*' 2> "$tmp/err" > /dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "empty query: exit $rc"
grep -q "empty query" "$tmp/err" || fail "empty query message: $(cat "$tmp/err")"
rc=0; "$INDAGA" search --index "$tmp/none" terrorismo 2> "$tmp/err" > /dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "no index: exit $rc"
grep -qx "indaga: no index at $tmp/none; run 'indaga index PATH' first" "$tmp/err" || fail "no index message: $(cat "$tmp/err")"
rc=0; "$INDAGA" search --index "$IDX" --bogus terrorismo 2> "$tmp/err" > /dev/null || rc=$?
[ "$rc" -eq 64 ] || fail "bad option: exit $rc"
rc=0; "$INDAGA" search --index "$IDX" -n 0 terrorismo 2> /dev/null > /dev/null || rc=$?
[ "$rc" -eq 64 ] || fail "-n 0: exit $rc"

# 5. An exclusion given as an argument is a query word, not an option.
"$INDAGA" search --index "$IDX" --json -n 1000 terrorismo > "$tmp/t.json"
"$INDAGA" search --index "$IDX" --json -n 1000 terrorismo -internacional > "$tmp/tx.json"
a=$(grep -c '"type":"hit"' "$tmp/t.json"); b=$(grep -c '"type":"hit"' "$tmp/tx.json")
[ "$b" -lt "$a" ] && [ "$b" -gt 0 ] || fail "exclusion: $a vs $b hits"
if grep '"type":"hit"' "$tmp/tx.json" | grep -qi '"snippet":"[^"]*internacional'; then fail "excluded word in a hit"; fi

# 6. Batch: one query per non-blank line, numbered from 0; the summaries say so.
printf 'combatientes terroristas extranjeros\n\nyihad NEAR/3 autónoma\nano\n' > "$tmp/batch.txt"
"$INDAGA" search --index "$IDX" --json --batch "$tmp/batch.txt" > "$tmp/batch.json"
grep '"type":"summary"' "$tmp/batch.json" | sed 's/.*"query_no":\([0-9]*\),"query":"\([^"]*\)","hits":\([0-9]*\).*/\1 \2 \3/' > "$tmp/batch.got"
printf '0 combatientes terroristas extranjeros 10\n1 yihad NEAR/3 autónoma 1\n2 ano 0\n' > "$tmp/batch.want"
same batch "$tmp/batch.want" "$tmp/batch.got"
[ "$(grep -c '"type":"hit","query_no":1,' "$tmp/batch.json")" -eq 1 ] || fail "batch hit numbering"

# 7. Paging: --offset 10 -n 5 is ranks 11..15 of the full list.
"$INDAGA" search --index "$IDX" --json -n 15 terrorismo | project /dev/stdin | sed -n '11,15p' > "$tmp/p.want"
"$INDAGA" search --index "$IDX" --json -n 5 --offset 10 terrorismo | project /dev/stdin > "$tmp/p.got"
same paging "$tmp/p.want" "$tmp/p.got"

# 8. --context: the paragraphs around decision 3 of Anexo I.
"$INDAGA" search --index "$IDX" --json -n 1 --context 1 inteligencia operacional rutas > "$tmp/c.json"
grep -q '"before":\["Estrechar la cooperación entre los asociados' "$tmp/c.json" || fail "context before"
grep -q '"after":\["Adoptar medidas para mejorar la cooperación' "$tmp/c.json" || fail "context after"

# 9. --no-snippets leaves the snippet out.
"$INDAGA" search --index "$IDX" --json --no-snippets terrorismo > "$tmp/ns.json"
if grep -q '"snippet"' "$tmp/ns.json"; then fail "--no-snippets"; fi
echo "ok"
