#!/bin/sh
# test_analyze.sh: `indaga analyze` end to end, on sentences of the UN letter
# tests/data/un/carta_krasnodar_2017.txt: the table for people, the JSON Lines
# of CLI.md, standard input, joined arguments, invalid UTF-8, bad options.
# Needs $INDAGA (the command) and $SRCDIR (the source tree).
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"

# 1. JSON Lines, exactly as CLI.md writes them: the letter's line 50, with its
#    typographic quotes, plus año/ano (ñ is never folded).
"$INDAGA" analyze --json 'La táctica de la “yihad autónoma”, año y ano' > "$tmp/out.json"
cat > "$tmp/want.json" <<'JSON'
{"type":"token","token":"La","term":"la","key":"la","pos":0,"start":0,"end":2,"stop":true}
{"type":"token","token":"táctica","term":"tactic","key":"tactica","pos":1,"start":3,"end":11,"stop":false}
{"type":"token","token":"de","term":"de","key":"de","pos":2,"start":12,"end":14,"stop":true}
{"type":"token","token":"la","term":"la","key":"la","pos":3,"start":15,"end":17,"stop":true}
{"type":"token","token":"yihad","term":"yih","key":"yihad","pos":4,"start":21,"end":26,"stop":false}
{"type":"token","token":"autónoma","term":"autonom","key":"autonoma","pos":5,"start":27,"end":36,"stop":false}
{"type":"token","token":"año","term":"año","key":"año","pos":6,"start":41,"end":45,"stop":false}
{"type":"token","token":"y","term":"y","key":"y","pos":7,"start":46,"end":47,"stop":true}
{"type":"token","token":"ano","term":"ano","key":"ano","pos":8,"start":48,"end":51,"stop":false}
JSON
same "json" "$tmp/want.json" "$tmp/out.json"

# The example of CLI.md itself.
"$INDAGA" analyze --json Informaciones > "$tmp/out.json"
echo '{"type":"token","token":"Informaciones","term":"inform","key":"informaciones","pos":0,"start":0,"end":13,"stop":false}' > "$tmp/want.json"
same "json CLI.md example" "$tmp/want.json" "$tmp/out.json"

# 2. The table for people: an ordinal and a UN symbol with their parts.
"$INDAGA" analyze 'el comunicado de la 16ª Reunión, véase S/RES/2354 (2017).' > "$tmp/out.txt"
cat > "$tmp/want.txt" <<'TXT'
token              term               key                pos  bytes  flags
el                 el                 el                   0  0-2    stop
comunicado         comunic            comunicado           1  3-13
de                 de                 de                   2  14-16  stop
la                 la                 la                   3  17-19  stop
16ª                16ª                16ª                  4  20-24  number
16                 16                 16                   4  20-22  number,part
Reunión            reunion            reunion              5  25-33
véase              veas               vease                6  35-41
S/RES/2354 (2017)  s/res/2354 (2017)  s/res/2354 (2017)    7  42-59  symbol
S                  s                  s                    7  42-43  part
RES                res                res                  8  44-47  part
2354               2354               2354                 9  48-52  number,part
2017               2017               2017                10  54-58  number,part
TXT
same "table" "$tmp/want.txt" "$tmp/out.txt"

# 3. Standard input gives what the same text as arguments gives; several
#    arguments are joined by single spaces.
printf '%s' 'el comunicado de la 16ª Reunión, véase S/RES/2354 (2017).' | "$INDAGA" analyze > "$tmp/stdin.txt"
same "stdin" "$tmp/want.txt" "$tmp/stdin.txt"
"$INDAGA" analyze --json Informaciones 'de la' Federación > "$tmp/a.json"
"$INDAGA" analyze --json 'Informaciones de la Federación' > "$tmp/b.json"
same "joined arguments" "$tmp/b.json" "$tmp/a.json"
grep -q '"token":"Federación","term":"feder","key":"federacion","pos":3,"start":20,"end":31' "$tmp/a.json" \
    || fail "joined arguments: Federación at bytes 20-31"

# A whole document on stdin: every line a token object; its symbols-free text
# has the letter's words, in order of start offset.
"$INDAGA" analyze --json < "$SRCDIR/tests/data/un/carta_krasnodar_2017.txt" > "$tmp/doc.json"
lines=$(wc -l < "$tmp/doc.json")
[ "$lines" -gt 1200 ] || fail "whole letter: only $lines tokens"
if grep -v '^{"type":"token","token":' "$tmp/doc.json" > /dev/null; then fail "whole letter: a line that is not a token"; fi
grep -q '"token":"Krasnodar","term":"krasnod","key":"krasnodar"' "$tmp/doc.json" || fail "whole letter: Krasnodar"

# 4. Invalid UTF-8: replaced, counted on stderr, the words around it intact, exit 0.
printf 'pal\377abra a\303' | "$INDAGA" analyze --json > "$tmp/bad.json" 2> "$tmp/bad.err"
grep -q '"token":"pal"' "$tmp/bad.json" || fail "invalid UTF-8: pal"
grep -q '"token":"abra","term":"abra","key":"abra","pos":1,"start":4,"end":8' "$tmp/bad.json" || fail "invalid UTF-8: abra"
grep -q '2 invalid UTF-8 sequences' "$tmp/bad.err" || fail "invalid UTF-8: count on stderr"

# 5. An unknown option: exit 64 (usage), a message naming it, nothing on stdout.
set +e
"$INDAGA" analyze --bogus 'texto' > "$tmp/o.txt" 2> "$tmp/e.txt"
rc=$?
set -e
[ "$rc" -eq 64 ] || fail "unknown option: exit $rc, want 64"
grep -q -- "--bogus" "$tmp/e.txt" || fail "unknown option: message does not name it"
[ ! -s "$tmp/o.txt" ] || fail "unknown option: wrote to stdout"

# Text starting with '-' after --; --help exits 0 and documents --json.
"$INDAGA" analyze --json -- -Informaciones > "$tmp/dash.json"
grep -q '"token":"Informaciones","term":"inform"' "$tmp/dash.json" || fail "text after --"
"$INDAGA" analyze --help | grep -q -- "--json" || fail "--help"

echo "test_analyze.sh: ok"
