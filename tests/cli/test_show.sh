#!/bin/sh
# test_show.sh: `indaga show` end to end on the UN letter
# carta_krasnodar_2017.txt (body, Anexo I with decisions 1-7, Anexo II): the
# document line and paragraph lines of --json, a paragraph's byte range
# pointing at its source line, --context, the human outline, and errors
# (unknown document, part or paragraph: exit 2; bad arguments: exit 64).
# Needs $INDAGA (the command) and $SRCDIR (the source tree).
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
ix="$tmp/ix"
doc=carta_krasnodar_2017.txt
mkdir "$tmp/src"
cp "$SRCDIR/corpus/$doc" "$SRCDIR/corpus/declaracion_universal_derechos_humanos.txt" "$tmp/src/"
"$INDAGA" index --index "$ix" "$tmp/src" >/dev/null

# 1. --json: one document line (metadata, parts), then the part's paragraphs.
"$INDAGA" show --index "$ix" --json "$doc" 1 > "$tmp/part1.json"
head -n 1 "$tmp/part1.json" > "$tmp/docline"
grep -q '^{"type":"document","doc":"carta_krasnodar_2017.txt","meta":{' "$tmp/docline" || fail "document line"
grep -q '"title":"Carta de fecha 16 de noviembre de 2017 dirigida al Secretario General' "$tmp/docline" || fail "title"
grep -q '"date":"2017-11-22"' "$tmp/docline" || fail "date"
grep -q '"parts":\[{"part":0,"label":null,"paragraphs":[0-9]*},{"part":1,"label":"Anexo I","paragraphs":[0-9]*},{"part":2,"label":"Anexo II","paragraphs":[0-9]*}\]' "$tmp/docline" \
    || fail "parts: $(cat "$tmp/docline")"
n1=$(sed -n 's/.*"part":1,"label":"Anexo I","paragraphs":\([0-9]*\)}.*/\1/p' "$tmp/docline")
[ "$(($(wc -l < "$tmp/part1.json") - 1))" = "$n1" ] || fail "part 1 lines differ from its paragraph count $n1"
grep -v '"part":1,' "$tmp/part1.json" | grep -q '"type":"paragraph"' && fail "a paragraph of another part"
# Decision 3 of Anexo I: its label, text and byte range in the source.
line=$(grep '"label":"3."' "$tmp/part1.json")
printf '%s\n' "$line" | grep -q '"text":"Ampliar e intensificar el intercambio de inteligencia operacional' \
    || fail "decision 3: $line"
start=$(num byte_start "$line")
end=$(num byte_end "$line")
src=$(tail -c +$((start + 1)) "$tmp/src/$doc" | head -c $((end - start)))
case "$src" in
    "3. Ampliar e intensificar el intercambio"*"sus rutas de viaje.") ;;
    *) fail "byte range $start-$end is '$src'" ;;
esac

# 2. One paragraph with context: the paragraphs around it, same part.
ord=$(num paragraph "$line")
"$INDAGA" show --index "$ix" --json --context 1 "$doc" 1 "$ord" > "$tmp/ctx.json"
[ "$(grep -c '"type":"paragraph"' "$tmp/ctx.json")" = 3 ] || fail "context 1 gives $(grep -c paragraph "$tmp/ctx.json") paragraphs"
grep -q '"label":"2.".*"text":"Estrechar la cooperación' "$tmp/ctx.json" || fail "paragraph before"
grep -q '"label":"4.".*"text":"Adoptar medidas' "$tmp/ctx.json" || fail "paragraph after"
"$INDAGA" show --index "$ix" --json "$doc" 1 "$ord" | grep -c '"type":"paragraph"' | grep -qx 1 || fail "no context"

# 3. The human outline: metadata, each part with its label, labels shown.
"$INDAGA" show --index "$ix" "$doc" > "$tmp/outline"
grep -q '^carta_krasnodar_2017.txt$' "$tmp/outline" || fail "outline id"
grep -q '^  title *Carta de fecha 16 de noviembre' "$tmp/outline" || fail "outline title"
grep -q '^\[part 1\] Anexo I (' "$tmp/outline" || fail "outline Anexo I"
grep -q '^\[part 2\] Anexo II (' "$tmp/outline" || fail "outline Anexo II"
grep -q '^ *[0-9]*  3\. *Ampliar e intensificar' "$tmp/outline" || fail "outline decision 3"
"$INDAGA" show --index "$ix" declaracion_universal_derechos_humanos.txt | grep -q 'Artículo 30' || fail "the Declaration"

# 4. Errors: exit 2 (64 for bad usage) and a message naming what is missing.
check_err() {   # check_err STATUS PATTERN ARGS...
    want=$1 pat=$2; shift 2
    set +e
    "$INDAGA" show --index "$ix" "$@" >/dev/null 2>"$tmp/err"
    rc=$?
    set -e
    [ "$rc" = "$want" ] || fail "show $*: exit $rc, want $want"
    grep -q -- "$pat" "$tmp/err" || fail "show $*: message '$(cat "$tmp/err")'"
}
check_err 2 "nada.txt" nada.txt
check_err 2 "has no part 7" "$doc" 7
check_err 2 "has no paragraph 999" "$doc" 1 999
check_err 64 "PARAGRAPH must be a number" "$doc" 1 0
check_err 64 "PART must be a number" "$doc" uno
check_err 64 "unknown option" --bogus "$doc"
check_err 64 "no DOC given"
check_err 64 "too many arguments" "$doc" 1 2 3
"$INDAGA" show --help | grep -q "usage: indaga show" || fail "show --help"
echo "ok"
