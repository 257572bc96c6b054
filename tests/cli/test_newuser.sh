#!/bin/sh
# Every command tried as a new user would: a clear message and the documented exit code.
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t"
fails=0
# expect CODE PATTERN CMD...: run CMD, check its exit code and that stdout+stderr match PATTERN.
expect() {
  want=$1 pat=$2
  shift 2
  set +e
  out=$("$@" 2>&1)
  got=$?
  set -e
  if [ "$got" != "$want" ] || ! printf '%s' "$out" | grep -Eqi -- "$pat"; then
    echo "FAIL: '$*' exit $got (want $want), output:" >&2
    printf '%s\n' "$out" | head -5 >&2
    fails=$((fails + 1))
  else
    echo "ok: $* -> $got"
  fi
}
I=$INDAGA
expect 64 "usage"                $I
expect 0 "usage"                 $I --help
expect 64 "unknown command"      $I frobnicate
expect 2 "no index"              $I search hola
expect 2 "no index"              $I stats
expect 2 "no index"              $I check
expect 2 "no index"              $I show carta.txt
expect 2 "no index"              $I search --index /nonexistent/dir hola
expect 64 "unknown|unrecognized|invalid" $I search --frobnicate hola
expect 64 "unknown|unrecognized|invalid" $I index --frobnicate .
expect 2 "no such|not found|cannot" $I index --index "$t/idx" /nonexistent/path
mkdir empty
expect 0 "0"                     $I index --index "$t/idx2" empty
cp "$SRCDIR/corpus/carta_krasnodar_2017.txt" .
expect 0 "1"                     $I index --index "$t/idx" carta_krasnodar_2017.txt
expect 1 "no (hits|results|matches)|nothing" $I search --index "$t/idx" zzzyyyxxx
expect 2 "empty query|no query"  $I search --index "$t/idx" ""
expect 64 "empty query|no query" $I search --index "$t/idx"
expect 0 "Anexo I"               $I search --index "$t/idx" combatientes terroristas extranjeros
expect 2 "no such document|not found" $I show --index "$t/idx" nada.txt
expect 0 "ok"                    $I check --index "$t/idx"
expect 0 "usage"                 $I search --help
expect 0 "usage"                 $I index --help
expect 0 "usage"                 $I analyze --help
# A second writer is refused at once while one holds the lock.
exec 9>"$t/idx/LOCK"
flock -n 9
expect 3 "another|locked|busy"   $I index --index "$t/idx" carta_krasnodar_2017.txt
exec 9>&-
[ "$fails" -eq 0 ] || { echo "$fails failures" >&2; exit 1; }
