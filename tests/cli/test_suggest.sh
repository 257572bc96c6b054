#!/bin/sh
# test_suggest.sh: misspelled words on the UN data (../shared/data/un): the
# "¿Quisiste decir: ...?" and "Mostrando resultados de: ..." lines, the
# summary's "suggestion" and "corrected" (doc/CLI.md), and the exit status
# (0 when the correction found hits). Goldens: "terrorizmo" gives the ranked
# list of "terrorismo"; the top 10 of terrorizmo, conbatientes and extrangeros
# are tests/golden/suggest. Needs $INDAGA and $SRCDIR.
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
need_un
IDX="$tmp/idx"
"$INDAGA" index --index "$IDX" "$UN" > "$tmp/index.out" 2>&1 || fail "index: $(cat "$tmp/index.out")"
hits() { sed -n 's/.*"type":"hit".*"rank":\([0-9]*\),.*"doc":"\([^"]*\)",.*"part":\([0-9]*\),.*"paragraph":\([0-9]*\),.*/\1 \2 \3 \4/p' "$1"; }

# 1. Found nothing as typed, or a word no paragraph holds: the correction's
#    hits, said so; exit 0.
"$INDAGA" search --index "$IDX" --json -n 50 terrorizmo > "$tmp/typo.json"
"$INDAGA" search --index "$IDX" --json -n 50 terrorismo > "$tmp/right.json"
hits "$tmp/typo.json" > "$tmp/typo.hits"; hits "$tmp/right.json" > "$tmp/right.hits"
[ -s "$tmp/right.hits" ] || fail "terrorismo finds nothing"
same "terrorizmo against terrorismo" "$tmp/right.hits" "$tmp/typo.hits"
grep -q '^{"type":"summary","query_no":0,"query":"terrorizmo","hits":[0-9]*,"total":[0-9]*,"total_exact":true,"all_words":[0-9]*,"suggestion":"terrorismo","corrected":true,"took_us":[0-9]*}$' \
    "$tmp/typo.json" || fail "summary of terrorizmo: $(tail -n 1 "$tmp/typo.json")"
grep -q '"suggestion":null,"took_us"' "$tmp/right.json" || fail "summary of terrorismo: $(tail -n 1 "$tmp/right.json")"
"$INDAGA" search --index "$IDX" --all conbatientes terroristas extrangeros > "$tmp/human.txt"
head -n 1 "$tmp/human.txt" | grep -qx 'Mostrando resultados de: combatientes terroristas extranjeros (en lugar de: conbatientes terroristas extrangeros)' \
    || fail "human correction line: $(head -n 1 "$tmp/human.txt")"
grep -q '^1\. carta_krasnodar_2017.txt · Anexo I' "$tmp/human.txt" || fail "corrected hits: $(cat "$tmp/human.txt")"
# best match (the default) would find the other words' paragraphs, but a word no
# paragraph holds matches nothing: the correction's hits too
"$INDAGA" search --index "$IDX" --json "combatientes OR terrorizmo" > "$tmp/or.json"
grep -q '"suggestion":"combatientes OR terrorismo","corrected":true,"took_us"' "$tmp/or.json" || fail "OR summary: $(tail -n 1 "$tmp/or.json")"

# 2. A word one paragraph holds (a_ac_109_2015_9.txt names an English body), next to
#    one 194 hold: the suggestion only, the hits are the query's.
"$INDAGA" search --index "$IDX" --json international > "$tmp/rare.json"
grep -q '"total":1,.*"suggestion":"internacional","took_us"' "$tmp/rare.json" || fail "rare summary: $(tail -n 1 "$tmp/rare.json")"
"$INDAGA" search --index "$IDX" international > "$tmp/rare.txt"
head -n 1 "$tmp/rare.txt" | grep -qx '¿Quisiste decir: internacional?' || fail "human suggestion: $(head -n 1 "$tmp/rare.txt")"

# 3. Goldens (tests/golden/suggest, checked by hand: each hit holds the corrected
#    word or a form of it): the top 10 of each misspelled word, and its suggestion.
for w in terrorizmo:terrorismo conbatientes:combatientes extrangeros:extranjeros; do
    typo=${w%%:*}; fix=${w#*:}
    "$INDAGA" search --index "$IDX" --json -n 10 "$typo" > "$tmp/g.json"
    sed -n 's/.*"rank":\([0-9]*\),.*"doc":"\([^"]*\)",.*"part":\([0-9]*\),.*"paragraph":\([0-9]*\),"label":\(null\|"[^"]*"\).*/\1 \2 \3 \4 \5/p' \
        "$tmp/g.json" > "$tmp/g.got"
    same "golden $typo" "$SRCDIR/tests/golden/suggest/$typo.txt" "$tmp/g.got"
    grep -q "\"suggestion\":\"$fix\",\"corrected\":true" "$tmp/g.json" || fail "$typo: $(tail -n 1 "$tmp/g.json")"
done

# 4. Nothing close: no suggestion, exit 1.
rc=0; "$INDAGA" search --index "$IDX" --json xqzwvk > "$tmp/none.json" || rc=$?
[ "$rc" -eq 1 ] || fail "xqzwvk: exit $rc"
grep -q '"hits":0,"total":0,"total_exact":true,"all_words":0,"suggestion":null,"took_us"' "$tmp/none.json" || fail "none summary: $(cat "$tmp/none.json")"
echo "ok: suggestions"
