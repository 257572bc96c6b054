#!/bin/sh
# test_formats.sh: documents as they are published (indexer/docmodel/).
# The fixtures in tests/data/formats/ (made by make_fixtures.py from five
# documents of corpus/) are indexed beside their .txt, and must give, for
# DOCX, ODT, HTML and PDF alike, the same title, date, parts, paragraph
# labels and paragraph words as the .txt (formats_compare.py, over
# `indaga show --json`); a search over the PDFs cites what it cites over
# the .txt; a PDF named .txt is read as a PDF (found by content); and the
# files of tests/data/formats/bad/ are each refused with a warning naming
# them while the rest of the run goes on and nothing indexed is lost.
set -eu
. "${SRCDIR:?}/tests/cli/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || true)
if [ -z "$PY" ]; then
    echo "SKIP: comparing 'indaga show --json' outputs needs python3"
    exit 77
fi
F="$SRCDIR/tests/data/formats"
DOCS="carta_krasnodar_2017 carta_naciones_unidas_cap1-3 declaracion_universal_derechos_humanos
      e_cn_15_2015_12 s_2015_123"

# 1. The .txt and every format, each in an index of its own.
mkdir "$tmp/txt"
for d in $DOCS; do
    if [ -f "$SRCDIR/corpus/$d.txt" ]; then cp "$SRCDIR/corpus/$d.txt" "$tmp/txt/"
    else cp "$SRCDIR/corpus/un2015/$d.txt" "$tmp/txt/"; fi
done
"$INDAGA" index --index "$tmp/ix-txt" "$tmp/txt" > /dev/null 2>&1 || fail "indexing the .txt files"
for ext in docx odt html pdf; do
    mkdir "$tmp/$ext"
    cp "$F"/*."$ext" "$tmp/$ext/"
    "$INDAGA" index --index "$tmp/ix-$ext" "$tmp/$ext" > "$tmp/out-$ext" 2> "$tmp/err-$ext" ||
        { cat "$tmp/err-$ext" >&2; fail "indexing the $ext fixtures"; }
    grep -q "5 added" "$tmp/out-$ext" || { cat "$tmp/out-$ext" >&2; fail "$ext: not all 5 documents added"; }
    [ ! -s "$tmp/err-$ext" ] || { cat "$tmp/err-$ext" >&2; fail "$ext: warnings"; }
done

# 2. Golden: the same structure and words as the .txt, per format.
export INDAGA
for ext in docx odt html pdf; do
    for d in $DOCS; do
        "$PY" "$SRCDIR/tests/cli/formats_compare.py" "$tmp/ix-txt" "$d.txt" "$tmp/ix-$ext" "$d.$ext" ||
            fail "$d.$ext differs from $d.txt"
    done
done
# the comparison compares something: the Krasnodar letter's title and labels
"$INDAGA" show --index "$tmp/ix-pdf" --json carta_krasnodar_2017.pdf > "$tmp/k.json"
grep -q '"title":"Carta de fecha 16 de noviembre de 2017 dirigida al Secretario General' "$tmp/k.json" ||
    fail "PDF: the letter's title"
grep -q '"date":"2017-11-22"' "$tmp/k.json" || fail "PDF: the letter's date"
"$INDAGA" show --index "$tmp/ix-docx" --json carta_krasnodar_2017.docx 2 8 > "$tmp/k8.json"
grep -q '"label":"1.","heading":false,.*"text":"Expresamos nuestro pleno apoyo' "$tmp/k8.json" ||
    { cat "$tmp/k8.json" >&2; fail "DOCX: Word's numbering as the label 1."; }
# the running header, job number and page numbers are not text; hyphenated words are joined
"$INDAGA" show --index "$tmp/ix-pdf" --json carta_krasnodar_2017.pdf 1 > "$tmp/k1.json"
if grep -q 'A/72/565\|17-20803\|1/3\|2/3' "$tmp/k1.json"; then fail "PDF: running header or footer indexed as text"; fi
# the PDFs do hyphenate words at line ends (so the golden words above cover joining them)
if command -v pdftotext > /dev/null; then
    n=$(pdftotext -raw "$F/carta_krasnodar_2017.pdf" - | grep -c -- '[a-z]-$' || true)
    [ "$n" -ge 5 ] || fail "the Krasnodar PDF has $n hyphenated line ends, expected at least 5"
fi

# Structure: word-processor numbering a), b); footnotes and table cells as paragraphs;
# a PDF paragraph across a page break stays whole, its page's footnote a paragraph after it.
mkdir "$tmp/st"
cp "$F"/structure/* "$tmp/st/"
"$INDAGA" index --index "$tmp/ix-st" "$tmp/st" > /dev/null 2>&1 || fail "indexing the structure fixtures"
has() {   # has DOC LABEL TEXT: a paragraph of DOC with that label (or null) and exactly that text
    "$INDAGA" show --index "$tmp/ix-st" --json "$1" 0 > "$tmp/st.json"
    grep -qF "\"label\":$2,\"heading\":false,\"byte_start\"" "$tmp/st.json" &&
    grep -F "\"label\":$2," "$tmp/st.json" | grep -qF "\"text\":\"$3\"}" ||
        { cat "$tmp/st.json" >&2; fail "$1: no paragraph labelled $2 with text '$3'"; }
}
NOTE="Véase la resolución 2354 (2017) del Consejo de Seguridad."
for e in docx odt html; do
    l=a\) m=b\)                     # HTML's <ol type="a"> too (extract_html.c)
    has estructura.$e "\"$l\"" "Emitir una declaración conjunta en apoyo de la resolución 2354 (2017) del Consejo de Seguridad."
    has estructura.$e "\"$m\"" "Estrechar la cooperación entre los asociados para interceptar los canales de difusión de la ideología terrorista."
    has estructura.$e null "$NOTE"
    has estructura.$e null "Krasnodar"
    has estructura.$e null "4 y 5 de octubre de 2017"
    has estructura.$e null "Los participantes en la 16ª Reunión decidieron:"
done
if "$INDAGA" show --index "$tmp/ix-st" --json estructura.html 0 | grep -q 'var no'; then fail "HTML: a script indexed"; fi
has estructura.pdf null "La Reunión expresó su apoyo a la Estrategia Global de las Naciones Unidas de Lucha contra el Terrorismo y a las resoluciones del Consejo de Seguridad, y reafirmó su compromiso con la cooperación internacional."
has estructura.pdf null "1 $NOTE"
has estructura.pdf null "Krasnodar, 5 de octubre de 2017."
[ "$(grep -c '"type":"paragraph"' "$tmp/st.json")" -eq 4 ] || { cat "$tmp/st.json" >&2; fail "estructura.pdf: not 4 paragraphs"; }

# 3. The search cites the same paragraphs over the PDFs as over the .txt.
cites() {   # cites INDEX -> "stem part paragraph label" per hit, in rank order
    "$INDAGA" search --index "$1" --json -n 50 "combatientes terroristas extranjeros" |
        "$PY" -c 'import json,sys
for l in sys.stdin:
    h = json.loads(l)
    if h.get("type") == "hit":
        print(h["doc"].rsplit(".", 1)[0], h["part"], h["paragraph"], h["label"])'
}
cites "$tmp/ix-txt" > "$tmp/c-txt"
cites "$tmp/ix-pdf" > "$tmp/c-pdf"
[ "$(wc -l < "$tmp/c-txt")" -ge 3 ] || fail "the search finds too little over the .txt"
same "search citations, PDF vs .txt" "$tmp/c-txt" "$tmp/c-pdf"

# 4. Found by content: a PDF named .txt is read as a PDF.
mkdir "$tmp/named"
cp "$F/carta_krasnodar_2017.pdf" "$tmp/named/carta_krasnodar_2017.txt"
"$INDAGA" index --index "$tmp/ix-named" "$tmp/named" > /dev/null 2>&1 || fail "indexing a PDF named .txt"
"$PY" "$SRCDIR/tests/cli/formats_compare.py" "$tmp/ix-txt" carta_krasnodar_2017.txt "$tmp/ix-named" \
    carta_krasnodar_2017.txt || fail "a PDF named .txt is not read as a PDF"

# A published format larger than a piece (1 MiB at --memory 16) is read whole, not streamed as text.
mkdir "$tmp/big"
"$PY" - "$tmp/big/grande.html" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("<!DOCTYPE html><html><body>\n")
    for i in range(1, 20001):
        f.write("<p>P\u00e1rrafo %d sobre combatientes terroristas extranjeros y su regreso.</p>\n" % i)
    f.write("</body></html>\n")
PY
[ "$(wc -c < "$tmp/big/grande.html")" -gt 1100000 ] || fail "the big HTML is too small to test"
"$INDAGA" index --memory 16 --index "$tmp/ix-big" "$tmp/big" > "$tmp/out-big" 2>&1 || { cat "$tmp/out-big" >&2; fail "a big HTML file"; }
grep -q "20000 paragraphs" "$tmp/out-big" || { cat "$tmp/out-big" >&2; fail "a big HTML file: not 20000 paragraphs"; }
"$INDAGA" show --index "$tmp/ix-big" --json grande.html 0 1 | grep -q '"text":"Párrafo 1 sobre combatientes' ||
    fail "a big HTML file indexed as text"

# 5. Bad input: each refused with a warning naming it; the run goes on.
mkdir "$tmp/bad"
cp "$F"/bad/* "$tmp/bad/"
cp "$SRCDIR/corpus/carta_krasnodar_2017.txt" "$tmp/bad/"
"$PY" - "$tmp/bad/entries.docx" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:      # 10001 entries: over the limit
    z.writestr("word/document.xml", "<w:document/>")
    for i in range(10000):
        z.writestr("e%d" % i, "")
PY
st=0
"$INDAGA" index --memory 16 --index "$tmp/ix-bad" "$tmp/bad" > "$tmp/out-bad" 2> "$tmp/err-bad" || st=$?
[ "$st" -eq 5 ] || { cat "$tmp/err-bad" >&2; fail "bad input: exit $st, expected 5 (committed with warnings)"; }
grep -q "1 added.* 8 skipped" "$tmp/out-bad" || { cat "$tmp/out-bad" >&2; fail "bad input: counts"; }
check() {   # check FILE MESSAGE
    grep -q "$1: not indexed: .*$2" "$tmp/err-bad" || { cat "$tmp/err-bad" >&2; fail "$1: no warning '$2'"; }
}
check encrypted.pdf "encrypted PDF"
check scanned.pdf "no text layer; OCR is not supported"
check truncated.pdf "corrupt or truncated PDF"
check truncated.docx "Truncated ZIP"
check bomb.docx "expand to more than"
check laughs.docx "declares a DTD"
check external.docx "declares a DTD"
check entries.docx "more than 10000 entries"
if grep -q "root:" "$tmp/err-bad" "$tmp/out-bad"; then fail "an external entity was read"; fi

# 6. Nothing indexed is lost: a good DOCX replaced by a truncated one keeps its last version.
mkdir "$tmp/keep"
cp "$F/carta_krasnodar_2017.docx" "$tmp/keep/"
"$INDAGA" index --index "$tmp/ix-keep" "$tmp/keep" > /dev/null 2>&1 || fail "indexing the DOCX to keep"
cp "$F/bad/truncated.docx" "$tmp/keep/carta_krasnodar_2017.docx"
st=0
"$INDAGA" index --index "$tmp/ix-keep" "$tmp/keep" > /dev/null 2> "$tmp/err-keep" || st=$?
[ "$st" -eq 5 ] || fail "a truncated DOCX: exit $st, expected 5"
grep -q "carta_krasnodar_2017.docx: not indexed" "$tmp/err-keep" || fail "a truncated DOCX: no warning"
"$INDAGA" show --index "$tmp/ix-keep" --json carta_krasnodar_2017.docx 2 8 | grep -q "Expresamos nuestro pleno apoyo" ||
    fail "the last good version of a DOCX was lost"
echo "ok: DOCX, ODT, HTML and PDF of 5 documents match their .txt; search, detection and bad input"
