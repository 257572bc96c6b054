#!/bin/sh
# test_fields.sh: metadata people search by (README "Fields and dates"), on
# the legislation sample (tests/data/legalize-sample) and on corpus/: date
# ranges, open ranges, status:, rank:, body:, an unknown field, sorting by
# date, and facets. Every expected list is made here by brute force from the
# files' own metadata (front matter), never copied from the output.
# Needs $INDAGA and $SRCDIR.
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
LEG="$SRCDIR/tests/data/legalize-sample"
LIDX="$tmp/leg"
CIDX="$tmp/corpus"
"$INDAGA" index --index "$LIDX" "$LEG" > "$tmp/i1.out" 2>&1 || fail "index legislation: $(cat "$tmp/i1.out")"
"$INDAGA" index --index "$CIDX" "$SRCDIR/corpus" > "$tmp/i2.out" 2>&1 || fail "index corpus: $(cat "$tmp/i2.out")"

# front matter field FIELD of FILE, unquoted
fm() { sed -n '2,/^---$/p' "$2" | sed -n "s/^$1: *//p" | head -n 1 | tr -d "'\""; }
# the documents a query finds (one per line, sorted)
docs() {   # docs INDEX QUERY
    rc=0
    "$INDAGA" search --index "$1" --json --group -n 100000 --no-snippets -- "$2" > "$tmp/docs.json" || rc=$?
    [ "$rc" -le 1 ] || fail "search $2: exit $rc"
    sed -n 's/^{"type":"hit".*"doc":"\([^"]*\)".*/\1/p' "$tmp/docs.json" | sort
}
# the legislation files whose publication_date (yyyy-mm-dd) lies in [LO, HI] (strings compare as dates)
by_date() {   # by_date LO HI
    for f in "$LEG"/*.md; do
        d=$(fm publication_date "$f")
        [ -n "$d" ] || continue
        if [ "$(printf '%s\n%s\n' "$1" "$d" | sort | head -n 1)" = "$1" ] &&
           [ "$(printf '%s\n%s\n' "$d" "$2" | sort | head -n 1)" = "$d" ]; then
            basename "$f"
        fi
    done | sort
}
check() {   # check NAME EXPECTED_FILE INDEX QUERY
    docs "$3" "$4" > "$tmp/got"
    [ -s "$2" ] || fail "$1: the brute-force list is empty (the test data changed?)"
    same "$1" "$2" "$tmp/got"
}

# 1. Date ranges: closed, by month, open at either end, a year range, one day.
by_date 2000-01-01 2010-12-31 > "$tmp/want"; check "date:2000..2010" "$tmp/want" "$LIDX" "date:2000..2010"
by_date 1995-06-01 2002-03-31 > "$tmp/want"; check "date:1995-06..2002-03" "$tmp/want" "$LIDX" "date:1995-06..2002-03"
by_date 0000-00-00 1995-12-31 > "$tmp/want"; check "date:..1995" "$tmp/want" "$LIDX" "date:..1995"
by_date 2020-01-01 9999-99-99 > "$tmp/want"; check "date:2020.." "$tmp/want" "$LIDX" "date:2020.."
by_date 1990-01-01 1999-12-31 > "$tmp/want"; check "year:1990..1999" "$tmp/want" "$LIDX" "year:1990..1999"
by_date 2008-06-28 2008-06-28 > "$tmp/want"; check "date:2008-06-28" "$tmp/want" "$LIDX" "fecha:2008-06-28"
# a range and words together: every document found is in the range and holds the word
by_date 2000-01-01 2010-12-31 > "$tmp/range"
docs "$LIDX" "decreto date:2000..2010" > "$tmp/got"
[ -s "$tmp/got" ] || fail "decreto date:2000..2010 found nothing"
[ -z "$(comm -13 "$tmp/range" "$tmp/got")" ] || fail "decreto date:2000..2010: documents outside the range"

# 2. Any field, folded like text (case, accents); status:, rank:, and NOT.
for f in "$LEG"/*.md; do [ "$(fm status "$f")" = in_force ] && basename "$f"; done | sort > "$tmp/want"
check "status:in_force" "$tmp/want" "$LIDX" "status:in_force"
check "STATUS:In_Force" "$tmp/want" "$LIDX" "STATUS:In_Force"
for f in "$LEG"/*.md; do [ "$(fm rank "$f")" = ley ] && basename "$f"; done | sort > "$tmp/want"
check "rank:ley" "$tmp/want" "$LIDX" "rank:ley"
for f in "$LEG"/*.md; do case "$(fm rank "$f")" in decreto_*) basename "$f";; esac; done | sort > "$tmp/want"
check "rank:decreto_*" "$tmp/want" "$LIDX" "rank:decreto_*"
for f in "$LEG"/*.md; do [ "$(fm rank "$f")" != ley ] && [ "$(fm status "$f")" = in_force ] && basename "$f"; done | sort > "$tmp/want"
check "status:in_force -rank:ley" "$tmp/want" "$LIDX" "status:in_force -rank:ley"

# 3. An unknown field: searched as words, with a note naming the fields the index holds.
"$INDAGA" search --index "$LIDX" --json -- "estatuto:vigente" > "$tmp/unk.json" || true
grep -q '"note":"no field \\"estatuto\\" in this index, searched as words (fields: annex, body, country, date, doc, identifier, ' "$tmp/unk.json" ||
    fail "unknown field note: $(cat "$tmp/unk.json")"
grep -q 'rank, scope, source, status, symbol, title, year)' "$tmp/unk.json" || fail "unknown field note lists the fields: $(cat "$tmp/unk.json")"

# 4. body: the documents of corpus/ whose symbol is S/... (or A/RES/...).
for f in "$SRCDIR"/corpus/un2015/*.txt; do
    case "$(fm symbol "$f")" in S/*) echo "un2015/$(basename "$f")";; esac
done | sort > "$tmp/want"
check "body:S" "$tmp/want" "$CIDX" "body:S"
for f in "$SRCDIR"/corpus/un2015/*.txt; do
    case "$(fm symbol "$f")" in A/RES/*) echo "un2015/$(basename "$f")";; esac
done | sort > "$tmp/want"
check "body:A/RES" "$tmp/want" "$CIDX" "body:a/res"
# the UN header's fields: the date line and "Original: ruso" of the Krasnodar letter
echo carta_krasnodar_2017.txt > "$tmp/want"
check "date:2017-11-22 (UN header)" "$tmp/want" "$CIDX" "date:2017-11-22"
check "original:ruso (UN header)" "$tmp/want" "$CIDX" "original:Ruso"
check "session:72 agenda:109 (UN header)" "$tmp/want" "$CIDX" "session:72 agenda:109"
check "session:70..75 (UN header)" "$tmp/want" "$CIDX" "session:70..75"

# 5. Sorting by date: the dates of the hits never decrease (-date: never increase),
#    hits without a date come last, and hits carry the date in JSON.
"$INDAGA" search --index "$LIDX" --json -n 100000 --no-snippets --sort date -- ley > "$tmp/s.json"
sed -n 's/^{"type":"hit".*"date":"\([0-9-]*\)".*/\1/p' "$tmp/s.json" > "$tmp/s.dates"
[ "$(wc -l < "$tmp/s.dates")" -gt 50 ] || fail "sort date: too few dated hits"
sort "$tmp/s.dates" > "$tmp/s.sorted"; same "sort date" "$tmp/s.sorted" "$tmp/s.dates"
"$INDAGA" search --index "$LIDX" --json -n 100000 --no-snippets --sort -date -- ley > "$tmp/s.json"
sed -n 's/^{"type":"hit".*"date":"\([0-9-]*\)".*/\1/p' "$tmp/s.json" > "$tmp/s.dates"
sort -r "$tmp/s.dates" > "$tmp/s.sorted"; same "sort -date" "$tmp/s.sorted" "$tmp/s.dates"
# the page of a sorted list is that page of the whole sorted list
"$INDAGA" search --index "$LIDX" --json -n 5 --offset 10 --no-snippets --sort -date -- ley > "$tmp/p.json"
sed -n 's/^{"type":"hit".*"rank":\([0-9]*\),.*"doc":"\([^"]*\)".*"paragraph":\([0-9]*\).*/\1 \2 \3/p' "$tmp/s.json" | sed -n '11,15p' > "$tmp/p.want"
sed -n 's/^{"type":"hit".*"rank":\([0-9]*\),.*"doc":"\([^"]*\)".*"paragraph":\([0-9]*\).*/\1 \2 \3/p' "$tmp/p.json" > "$tmp/p.got"
same "sort -date page 3" "$tmp/p.want" "$tmp/p.got"
grep -q '^{"type":"hit".*"date":"2008-06-28"' "$tmp/s.json" || fail "hits carry the date"
"$INDAGA" search --index "$LIDX" -n 1 --sort bogus ley > /dev/null 2>&1 && fail "--sort bogus accepted"

# 6. Facets: per year, counts over every match; the paragraphs sum to the total
#    and equal a count made from the whole list of hits.
"$INDAGA" search --index "$LIDX" --json -n 3 --facet year --facet rank -- ley > "$tmp/f.json"
total=$(num total "$(grep '^{"type":"summary"' "$tmp/f.json")")
sum=$(grep '^{"type":"facet","query_no":0,"field":"year"' "$tmp/f.json" | sed 's/.*"paragraphs":\([0-9]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }')
[ "$sum" = "$total" ] || fail "facet year: paragraphs sum to $sum, total $total"
grep -q '^{"type":"hit"' "$tmp/f.json" || fail "facet: the hits are still shown"
[ "$(grep -c '^{"type":"hit"' "$tmp/f.json")" = 3 ] || fail "facet: -n 3 shows 3 hits"
"$INDAGA" search --index "$LIDX" --json -n 100000 --no-snippets -- ley > "$tmp/all.json"
sed -n 's/^{"type":"hit".*"doc":"\([^"]*\)".*"date":"\([0-9][0-9][0-9][0-9]\).*/\2 \1/p' "$tmp/all.json" > "$tmp/yd"
cut -d' ' -f1 "$tmp/yd" | sort | uniq -c | awk '{print $2, $1}' | sort > "$tmp/fp.want"
sort -u "$tmp/yd" | cut -d' ' -f1 | uniq -c | awk '{print $2, $1}' | sort > "$tmp/fd.want"
grep '"field":"year"' "$tmp/f.json" | sed 's/.*"value":"\([^"]*\)","paragraphs":\([0-9]*\),"documents":\([0-9]*\).*/\1 \2/' | sort > "$tmp/fp.got"
grep '"field":"year"' "$tmp/f.json" | sed 's/.*"value":"\([^"]*\)","paragraphs":\([0-9]*\),"documents":\([0-9]*\).*/\1 \3/' | sort > "$tmp/fd.got"
same "facet year paragraphs (brute force)" "$tmp/fp.want" "$tmp/fp.got"
same "facet year documents (brute force)" "$tmp/fd.want" "$tmp/fd.got"
# rank, by brute force from the files: the documents per rank among those holding "ley"
docs "$LIDX" ley > "$tmp/leydocs"
while read -r d; do fm rank "$LEG/$d"; done < "$tmp/leydocs" | grep -v "^$" | sort | uniq -c | awk '{print $2, $1}' | sort > "$tmp/fr.want"
grep '"field":"rank"' "$tmp/f.json" | sed 's/.*"value":"\([^"]*\)","paragraphs":[0-9]*,"documents":\([0-9]*\).*/\1 \2/' | sort > "$tmp/fr.got"
same "facet rank documents (brute force)" "$tmp/fr.want" "$tmp/fr.got"
# human output
"$INDAGA" search --index "$LIDX" -n 1 --facet status ley > "$tmp/h.txt"
grep -q "^status: in_force  $total paragraphs in [0-9]* documents$" "$tmp/h.txt" || fail "human facet: $(cat "$tmp/h.txt")"
grep -q '^   [0-9-]* · ' "$tmp/h.txt" || fail "human hit: the date and title line: $(cat "$tmp/h.txt")"
# a facet over no match at all, and over matches none of which has the field:
# no facet line, no crash (a NULL table was once handed to qsort)
rc=0
"$INDAGA" search --index "$LIDX" --json --facet year -- zzqxwv > "$tmp/none.json" || rc=$?
[ "$rc" = 1 ] || fail "facet over no match: exit $rc"
! grep -q '"type":"facet"' "$tmp/none.json" || fail "facet over no match: $(cat "$tmp/none.json")"
"$INDAGA" search --index "$LIDX" --json --facet no_such_field ley > "$tmp/nofield.json" \
    || fail "facet of a field no document has"
! grep -q '"type":"facet"' "$tmp/nofield.json" || fail "facet of a field no document has: $(cat "$tmp/nofield.json")"
# the fields are stored in each segment (FIELDS, the last section: doc/format.md);
# a byte of it flipped makes `indaga check` fail, naming the segment
"$INDAGA" check --index "$LIDX" > "$tmp/c0.out" 2>&1 || fail "check of the intact index: $(cat "$tmp/c0.out")"
seg=$(ls "$LIDX"/seg-*.seg | head -n 1)
size=$(wc -c < "$seg")
# footer of 16 sections: 468 bytes; FIELDS's (u64 offset, u64 length) at 4 + 16 * 15 into it
off=$(od -An -t u8 -j $((size - 468 + 244)) -N 8 "$seg" | tr -d ' ')
len=$(od -An -t u8 -j $((size - 468 + 252)) -N 8 "$seg" | tr -d ' ')
[ "$len" -gt 0 ] && [ $((off + len)) -eq $((size - 468)) ] || fail "FIELDS at $off+$len of $size bytes"
at=$((off + len / 2))
byte=$(od -An -t u1 -j "$at" -N 1 "$seg" | tr -d ' ')
chmod u+w "$seg"
printf "\\$(printf '%03o' $(( (byte + 1) % 256 )))" | dd of="$seg" bs=1 seek="$at" conv=notrunc 2>/dev/null
rc=0
"$INDAGA" check --index "$LIDX" > "$tmp/c1.out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "check of a flipped byte of FIELDS: exit $rc"
grep -q "$(basename "$seg")" "$tmp/c1.out" || fail "check does not name the segment: $(cat "$tmp/c1.out")"
echo "ok"
