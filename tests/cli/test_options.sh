#!/bin/sh
# test_options.sh: the command line as doc/CLI.md fixes it, on the repository's
# corpus/: getopt_long forms (-n5, -n 5, --limit=5, --limit 5, prefixes), `--`,
# usage errors exit 64 in every command, -V/--version, every command's --help
# lists its flags, --color, and busy (another writer holds the lock) exits 3.
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"

ix="$tmp/ix"
"$INDAGA" index --index "$ix" "$SRCDIR/corpus" > /dev/null || fail "indexing corpus/"

status() {   # status CMD...: print the exit status of `indaga CMD...`, output dropped
    rc=0
    "$INDAGA" "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
    echo "$rc"
}
want() {   # want STATUS CMD...
    w=$1; shift
    got=$(status "$@")
    [ "$got" = "$w" ] || fail "indaga $*: exit $got, want $w; stderr: $(head -c 300 "$tmp/err")"
}
hits() {   # hits CMD...: the number of hit lines of a --json search
    "$INDAGA" "$@" | grep -c '"type":"hit"' || true
}

# 1. The four getopt_long spellings of -n, a prefix of --limit and --n (the
# one-letter long name of -n) all give 3 hits.
for form in "-n3" "-n 3" "--limit=3" "--limit 3" "--lim 3" "--limit=03" "--n=3" "--n 3"; do
    # shellcheck disable=SC2086
    n=$(hits search --index "$ix" --json $form terrorismo)
    [ "$n" = 3 ] || fail "search $form: $n hits, want 3"
done
# -n5 is an option, not the query word "-n5": the query is "terrorismo" alone.
"$INDAGA" search --index "$ix" --json -n5 terrorismo | tail -n 1 | grep -q '"query":"terrorismo"' \
    || fail "-n5 became part of the query"
# Options after the query words, and --index=DIR.
n=$(hits search terrorismo --json --index="$ix" -n 2)
[ "$n" = 2 ] || fail "options after the query: $n hits"
# -word is still an exclusion.
"$INDAGA" search --index "$ix" --json terrorismo -internacional | tail -n 1 \
    | grep -q '"query":"terrorismo -internacional"' || fail "-internacional is not a query word"

# 2. `--` ends the options: what follows is query text, a document id, analyze text.
"$INDAGA" search --index "$ix" --json -- terrorismo --json | tail -n 1 \
    | grep -q '"query":"terrorismo --json"' || fail "search: -- did not end the options"
"$INDAGA" analyze --json -- --json -n5 | grep -q '"token":"json"' || fail "analyze: -- did not end the options"
want 2 show --index "$ix" -- --context
grep -q -- "--context" "$tmp/err" || fail "show -- --context: the id is not named"

# 3. Usage errors exit 64 with a message on stderr and nothing else on stdout.
usage() {   # usage CMD...: exit 64, a message, no output
    want 64 "$@"
    [ -s "$tmp/err" ] || fail "indaga $*: no message"
    [ ! -s "$tmp/out" ] || fail "indaga $*: wrote to stdout: $(head -c 200 "$tmp/out")"
}
for cmd in index search show analyze stats check compact; do
    usage "$cmd" --index "$ix" --no-such-option x
    # in search, -Z is the exclusion of the word "Z" (CLI_DASH_WORDS)
    [ "$cmd" = search ] || usage "$cmd" --index "$ix" -Z x
done
usage search --index "$ix" terrorismo -n            # missing argument
usage search --index "$ix" -n x terrorismo          # bad value
usage search --index "$ix" --limit=0 terrorismo
usage search --index "$ix" --limit= terrorismo
usage search --index "$ix" -n 100001 terrorismo
usage search --index "$ix" --offset -1 terrorismo
usage search --index "$ix" --context=1001 terrorismo
usage search --index "$ix" --color=sometimes terrorismo
usage search --index "$ix" --json=yes terrorismo    # a flag that takes no value
usage search --index "$ix" --co 1 terrorismo        # ambiguous: --context, --color
usage search --index "$ix"                           # no query
usage search --index "$ix" --batch                   # missing argument
usage search --index "$ix" --batch f terrorismo      # both
usage index --index "$ix" --threads 0 "$SRCDIR/corpus"
usage index --index "$ix" --threads=65 "$SRCDIR/corpus"
usage index --index "$ix" --memory lots "$SRCDIR/corpus"
usage index --index "$ix"                            # no PATH
usage index --index
usage show --index "$ix" carta_krasnodar_2017.txt uno
usage show --index "$ix" carta_krasnodar_2017.txt 1 0
usage show --index "$ix" --context x carta_krasnodar_2017.txt
usage show --index "$ix"
usage analyze --color
usage stats --index "$ix" extra
usage check --index "$ix" extra
usage compact --index "$ix" extra
usage frobnicate
usage --frobnicate
usage
grep -q "usage: indaga" "$tmp/err" || fail "indaga alone: no usage text on stderr"

# 4. -V and --version.
for v in -V --version; do
    out=$("$INDAGA" $v) || fail "indaga $v failed"
    printf '%s\n' "$out" | grep -Eq '^indaga [0-9]+\.[0-9]+\.[0-9]+$' || fail "indaga $v: '$out'"
done

# 5. Every command's --help (and -h) exits 0 and lists each of its flags.
flags_of() {
    case $1 in
    index)   echo "--index --full --wait --threads --memory --json --help" ;;
    search)  echo "--index -n --limit --offset --group --context --no-snippets --batch --json --color --help" ;;
    show)    echo "--index --context --json --help" ;;
    analyze) echo "--json --color --help" ;;
    stats)   echo "--index --json --help" ;;
    check)   echo "--index --json --help" ;;
    compact) echo "--index --wait --json --help" ;;
    esac
}
for cmd in index search show analyze stats check compact; do
    "$INDAGA" "$cmd" --help > "$tmp/help" || fail "$cmd --help: exit $?"
    "$INDAGA" "$cmd" -h | cmp -s - "$tmp/help" || fail "$cmd -h differs from --help"
    grep -q "^usage: indaga $cmd" "$tmp/help" || fail "$cmd --help: no usage line"
    for f in $(flags_of "$cmd"); do
        grep -Eq -- "(^|[ ,])$f([ ,=]|\$)" "$tmp/help" || fail "$cmd --help does not list $f"
    done
    grep -q "64" "$tmp/help" || fail "$cmd --help does not name the usage status"
done
"$INDAGA" --help | grep -q -- "--version" || fail "indaga --help does not name --version"
for s in 0 1 2 3 4 5 64; do
    "$INDAGA" --help | grep -Eq "^  $s +[a-z]" || fail "indaga --help does not list exit status $s"
done

# 6. --color: always colours, never and auto (into a pipe) do not; NO_COLOR only affects auto.
"$INDAGA" search --index "$ix" --color=always terrorismo | grep -q "$(printf '\033')\[" \
    || fail "--color=always: no colour"
env -u NO_COLOR "$INDAGA" search --index "$ix" --color never terrorismo | grep -q "$(printf '\033')" \
    && fail "--color never: colour"
env -u NO_COLOR "$INDAGA" search --index "$ix" terrorismo | grep -q "$(printf '\033')" \
    && fail "--color auto into a pipe: colour"
"$INDAGA" analyze --color=always informaciones | grep -q "$(printf '\033')\[" \
    || fail "analyze --color=always: no colour"

# 7. Busy: while another process holds the writer's lock (flock on DIR/LOCK, as
# the library takes it), index and compact exit 3 at once, with --json an error line.
exec 9> "$ix/LOCK"
flock -n 9 || fail "cannot take the lock for the test"
want 3 index --index "$ix" "$SRCDIR/corpus"
grep -q "another indaga writer" "$tmp/err" || fail "busy: message '$(cat "$tmp/err")'"
want 3 compact --index "$ix"
want 3 index --index "$ix" --json "$SRCDIR/corpus"
grep -q '^{"type":"error","status":3,"path":' "$tmp/out" || fail "busy --json: $(cat "$tmp/out")"
# Readers are not writers: search still works.
want 0 search --index "$ix" terrorismo
exec 9>&-
want 0 index --index "$ix" "$SRCDIR/corpus"
echo "ok"
