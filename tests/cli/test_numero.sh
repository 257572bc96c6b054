#!/bin/sh
# test_numero.sh: numbering abbreviations on real legislation (the sample of
# tests/data/legalize-sample, which writes "Nº 28094" and "N° 28094",
# "N° 31679" and "N.° 31679" for the same laws). Every abbreviation is one
# term, the number sign "nº", and a query joins it with the word "número"
# before a number, so a query with any form finds the same paragraphs, and a
# phrase with one form matches text written with another. The word alone is
# the word: it does not find every citation "Ley Nº ...". Needs $INDAGA and
# $SRCDIR.
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
SAMPLE="$SRCDIR/tests/data/legalize-sample"
IDX="$tmp/idx"
"$INDAGA" index --index "$IDX" "$SAMPLE" > "$tmp/index.out" 2>&1 || fail "index: $(cat "$tmp/index.out")"

# doc part paragraph of every hit, in rank order
hits() {   # hits NAME QUERY...
    name=$1; shift
    rc=0
    "$INDAGA" search --index "$IDX" --json -n 1000 "$@" > "$tmp/$name.json" || rc=$?
    [ "$rc" -le 1 ] || fail "$name: exit $rc"
    sed -n 's/.*"type":"hit".*"doc":"\([^"]*\)",.*"part":\([0-9]*\),.*"paragraph":\([0-9]*\),.*/\1 \2 \3/p' \
        "$tmp/$name.json" > "$tmp/$name.hits"
}

# 1. The text writes "Ley de Partidos Políticos Nº 28094" (RESOLUCION-JNE-063-2007-JNE.md)
#    and "Ley de Partidos Políticos, N° 28094" (LEY-28617-2005.md).
grep -q 'Políticos Nº 28094' "$SAMPLE/RESOLUCION-JNE-063-2007-JNE.md" || fail "sample: no 'Políticos Nº 28094'"
grep -q 'Políticos, N° 28094' "$SAMPLE/LEY-28617-2005.md" || fail "sample: no 'Políticos, N° 28094'"
for form in "Nº" "N°" "N.º" "N.°" "Nro." "Núm." "número"; do
    hits "n_$form" "$form 28094"
    [ -s "$tmp/n_$form.hits" ] || fail "'$form 28094' finds nothing"
    same "'$form 28094' against 'Nº 28094'" "$tmp/n_Nº.hits" "$tmp/n_$form.hits"
done
# both documents, whichever form the query uses
for d in RESOLUCION-JNE-063-2007-JNE.md LEY-28617-2005.md; do
    grep -q "^$d " "$tmp/n_N°.hits" || fail "'N° 28094' misses $d"
done
# as a phrase too: one form in the query matches the other in the text
hits phrase_a '"Políticos N° 28094"'
hits phrase_b '"Políticos Nº 28094"'
same "phrase with N° against phrase with Nº" "$tmp/phrase_a.hits" "$tmp/phrase_b.hits"
for d in RESOLUCION-JNE-063-2007-JNE.md LEY-28617-2005.md; do
    grep -q "^$d " "$tmp/phrase_a.hits" || fail "phrase '\"Políticos N° 28094\"' misses $d"
done

hits phrase_c '"Políticos número 28094"'
same "phrase with número against phrase with Nº" "$tmp/phrase_b.hits" "$tmp/phrase_c.hits"

# 2. Without a number after it, the word "número" finds the paragraphs that
#    write it, not those that only cite "Ley Nº 28094"; the sign alone finds those.
hits word "número"
[ -s "$tmp/word.hits" ] || fail "'número' finds nothing"
grep '"type":"hit"' "$tmp/word.json" | grep -v -i -e 'n\(ú\|Ú\|u\)mero' > "$tmp/word.other" || true
[ ! -s "$tmp/word.other" ] || fail "'número' finds a paragraph without the word: $(head -c 400 "$tmp/word.other")"
hits sign "Nº"
[ "$(wc -l < "$tmp/sign.hits")" -gt "$(wc -l < "$tmp/word.hits")" ] ||
    fail "'Nº' finds $(wc -l < "$tmp/sign.hits") paragraphs, 'número' $(wc -l < "$tmp/word.hits"): want more citations than words"
grep -q "^RESOLUCION-JNE-063-2007-JNE.md " "$tmp/sign.hits" || fail "'Nº' misses RESOLUCION-JNE-063-2007-JNE.md"

# 3. The analysis, as users see it.
"$INDAGA" analyze --json "Decreto Supremo N.° 004-2019-JUS" > "$tmp/an.json"
grep -q '"token":"N.°","term":"nº","key":"nº"' "$tmp/an.json" || fail "analyze N.°: $(cat "$tmp/an.json")"
grep -q '"token":"004","term":"004"' "$tmp/an.json" || fail "analyze 004: $(cat "$tmp/an.json")"
echo "ok: numbering abbreviations"
