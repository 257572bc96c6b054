#!/bin/sh
# test_scale_corpus.sh GEN SRCDIR: scale_corpus (bench/scale/scale_corpus.c)
# on the repository's corpus/ (real Spanish UN texts) plus one Markdown file
# with front matter in the legislation's shape. Checks that copy 0 is the
# source verbatim; that every other copy holds the same files with the same
# words, in another order, once the respelling suffix (q + letters of
# bcfjkptvxz) is taken off; that the punctuation and spacing between words
# stay in place; that identifier: is tagged -cNNN and title: keeps its words;
# that rare words are respelled, with the copy's own suffix; that two runs
# give the same bytes; and the usage errors (an existing output, COPIES 0).
set -eu
GEN=${1:?usage: test_scale_corpus.sh GEN SRCDIR}
SRCDIR=${2:?usage: test_scale_corpus.sh GEN SRCDIR}
export LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir "$tmp/src"
cp -R "$SRCDIR/corpus/." "$tmp/src/"
cat >"$tmp/src/LEY-28553-2005.md" <<'EOF'
---
title: Ley general de protecci&oacute;n a las personas con Diabetes
identifier: LEY-28553-2005
publication_date: '2005-06-19'
status: in_force
---
# Ley general de protección a las personas con Diabetes

     **Artículo 1.- Finalidad de la Ley**

      La presente Ley tiene por finalidad establecer un régimen legal de protección a las
personas con Diabetes, prevista en el artículo 7 de la Constitución Política del Estado.

      El Programa Nacional será impulsado por la Dirección General de Salud, con S/ 1.234,50.
EOF

"$GEN" "$tmp/src" "$tmp/out" 3 >"$tmp/figures" || fail "scale_corpus exited $?"
grep -q '^files=.* heaps_beta=0\.[0-9]' "$tmp/figures" || fail "no Heaps fit in: $(head -n 1 "$tmp/figures")"
[ "$(grep -c '^copy=' "$tmp/figures")" = 3 ] || fail "not 3 copies reported"

# Copy 0: the .txt/.md files verbatim (README has neither suffix: left out).
(cd "$tmp/src" && find . -type f \( -name '*.txt' -o -name '*.md' \) | sort) >"$tmp/list"
[ "$(wc -l <"$tmp/list")" -gt 80 ] || fail "corpus/ has only $(wc -l <"$tmp/list") text files"
(cd "$tmp/out/c000" && find . -type f | sort) | cmp -s - "$tmp/list" || fail "c000 lists other files"
while read -r f; do
    cmp -s "$tmp/src/$f" "$tmp/out/c000/$f" || fail "c000/$f differs from the source"
done <"$tmp/list"

HI=$(printf '\200-\377')
W="A-Za-z0-9$HI"
# words FILE: the file's maximal runs of letters and digits (UTF-8
# characters count as letters but for Latin-1 punctuation and spaces, × ÷,
# general punctuation, U+3000 and U+FEFF, as in scale_corpus), the
# respelling suffix taken off, sorted.
words() {
    sed 's/\xe2\x80[\x80-\xbf]/ /g; s/\xe2\x81[\x80-\xaf]/ /g; s/\xc3[\x97\xb7]/ /g
         s/\xc2[\x80-\xa9\xab-\xb4\xb6-\xb9\xbb-\xbf]/ /g; s/\xe3\x80\x80/ /g; s/\xef\xbb\xbf/ /g' "$1" |
        tr -cs "$W" '\n' | sed 's/q[bcfjkptvxz][bcfjkptvxz]*$//' | sort
}
# skeleton FILE: the file without its words and the marks a word may hold
# (entities' & and ;, and . , / _ - between two letters or digits): what
# never moves.
skeleton() { sed "s|[$W&;.,/_-]||g" "$1"; }

for k in 001 002; do
    (cd "$tmp/out/c$k" && find . -type f | sort) | cmp -s - "$tmp/list" || fail "c$k lists other files"
    moved=0
    while read -r f; do
        a=$tmp/src/$f; b=$tmp/out/c$k/$f
        grep -v '^identifier:' "$a" >"$tmp/a"
        grep -v '^identifier:' "$b" >"$tmp/b"
        words "$tmp/a" >"$tmp/wa"
        words "$tmp/b" >"$tmp/wb"
        cmp -s "$tmp/wa" "$tmp/wb" || fail "c$k/$f: not the same words as the source"
        skeleton "$tmp/a" >"$tmp/sa"
        skeleton "$tmp/b" >"$tmp/sb"
        cmp -s "$tmp/sa" "$tmp/sb" || fail "c$k/$f: punctuation or spacing moved"
        cmp -s "$a" "$b" || moved=$((moved + 1))
    done <"$tmp/list"
    n=$(wc -l <"$tmp/list")
    [ "$moved" -ge $((n * 9 / 10)) ] || fail "c$k: only $moved of $n files shuffled"
done

# Front matter: the identifier tagged, the title's words kept, the rest as is.
f=LEY-28553-2005.md
grep -qx 'identifier: LEY-28553-2005-c001' "$tmp/out/c001/$f" || fail "c001/$f: identifier not tagged"
grep -qx 'identifier: LEY-28553-2005-c002' "$tmp/out/c002/$f" || fail "c002/$f: identifier not tagged"
grep -qx "publication_date: '2005-06-19'" "$tmp/out/c002/$f" || fail "c002/$f: date changed"
grep '^title:' "$tmp/src/$f" | tr ' ' '\n' | sort >"$tmp/ta"
grep '^title:' "$tmp/out/c001/$f" | tr ' ' '\n' | sed 's/q[bcfjkptvxz][bcfjkptvxz]*$//' | sort >"$tmp/tb"
cmp -s "$tmp/ta" "$tmp/tb" || fail "c001/$f: the title lost or gained words"
grep -q 'S/ 1.234,50\.$' "$tmp/out/c000/$f" || fail "c000/$f changed"
grep -q '1\.234,50' "$tmp/out/c001/$f" || fail "c001/$f: the number 1.234,50 was cut"

# Respelling: each copy's own suffix, on rare words, never on common ones.
find "$tmp/out/c001" -type f -exec cat {} + | tr -cs "$W" '\n' | grep -c 'qc$' >"$tmp/n1" || true
find "$tmp/out/c002" -type f -exec cat {} + | tr -cs "$W" '\n' | grep -c 'qf$' >"$tmp/n2" || true
[ "$(cat "$tmp/n1")" -gt 100 ] || fail "c001: only $(cat "$tmp/n1") words respelled with qc"
[ "$(cat "$tmp/n2")" -gt 100 ] || fail "c002: only $(cat "$tmp/n2") words respelled with qf"
if find "$tmp/out/c001" -type f -exec cat {} + | tr -cs "$W" '\n' |
        grep -qx -e 'lasqc' -e 'Nacionesqc' -e 'Unidasqc' -e 'Consejoqc'; then
    fail "c001: a common word was respelled"
fi

# The same bytes from a second run.
"$GEN" "$tmp/src" "$tmp/again" 3 >/dev/null || fail "second run exited $?"
diff -r "$tmp/out" "$tmp/again" >/dev/null || fail "two runs differ"

# Usage errors.
rc=0; "$GEN" "$tmp/src" "$tmp/out" 2 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'exists' "$tmp/err" || fail "an existing output: exit $rc, $(cat "$tmp/err")"
rc=0; "$GEN" "$tmp/src" "$tmp/zero" 0 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'COPIES' "$tmp/err" || fail "COPIES 0: exit $rc, $(cat "$tmp/err")"
echo "test_scale_corpus: ok"
