#!/bin/sh
# test_release_hooks.sh: test knobs exist in the test build only
# (common/testhook.h). With INDAGA_TEST_KILL_AT=1 in its environment, the
# test copy of the command ($INDAGA) is killed at its first durability step,
# while the command that is installed ($INDAGA_RELEASE) indexes corpus/ to
# the end and the index holds every document; the installed library names
# no test variable at all.
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
: "${INDAGA_RELEASE:?set INDAGA_RELEASE to the release indaga binary}"
: "${BUILDDIR:?set BUILDDIR to the build tree}"

# 1. The test build obeys the knob: SIGKILL (status 137 from the shell).
set +e
INDAGA_TEST_KILL_AT=1 "$INDAGA" index --index "$tmp/killed" "$SRCDIR/corpus" >/dev/null 2>&1
st=$?
set -e
[ "$st" -eq 137 ] || fail "test build with INDAGA_TEST_KILL_AT=1: status $st, want 137 (SIGKILL)"
echo "ok: the test build is killed at step 1"

# 2. The release build ignores it and commits the whole corpus.
INDAGA_TEST_KILL_AT=1 INDAGA_TEST_FULL_CHECK_MAX=0 "$INDAGA_RELEASE" index --index "$tmp/ix" \
  "$SRCDIR/corpus" > "$tmp/out" 2>&1 || fail "release index: $(cat "$tmp/out")"
"$INDAGA_RELEASE" check --index "$tmp/ix" >/dev/null || fail "release index: check"
docs=$(find "$SRCDIR/corpus" -name '*.txt' | wc -l)
got=$("$INDAGA_RELEASE" stats --index "$tmp/ix" --json | sed -n 's/.*"documents":\([0-9]*\).*/\1/p')
[ "$got" = "$docs" ] || fail "release index holds $got documents, want $docs"
echo "ok: the release build indexes all $docs documents with INDAGA_TEST_KILL_AT=1"

# 3. No test variable in the installed library or command.
for f in "$BUILDDIR/libindaga.so" "$INDAGA_RELEASE"; do
  if grep -q INDAGA_TEST_ "$f"; then fail "$f names a test variable"; fi
done
echo "ok: libindaga.so and the command name no INDAGA_TEST_ variable"
