# lib.sh: what every end-to-end test of the command starts with. Sourced
# (`. "${SRCDIR:?}/tests/cli/lib.sh"`) after `set -eu`, it checks $INDAGA and
# $SRCDIR, names the shared UN documents ($UN: $INDAGA_SHARED_DATA/un, by
# default ../shared/data/un beside the source tree; a test that needs them
# calls need_un), makes a temporary directory ($tmp, removed on exit; a test
# may set its own trap instead), turns colour off, and defines fail, num,
# unprivileged and same.
: "${INDAGA:?set INDAGA to the indaga binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
UN="${INDAGA_SHARED_DATA:-$SRCDIR/../shared/data}/un"
export NO_COLOR=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
# need_un: skip the test (exit 77, which ctest shows as Skipped) when the
# 534 UN documents, which the repository does not ship, are absent.
need_un() {
    [ -d "$UN" ] && return 0
    echo "SKIP: $UN is absent (shared data, not in the repository); to run this test, set" \
         "INDAGA_SHARED_DATA=DIR (or configure with -DINDAGA_SHARED_DATA=DIR), DIR holding un/"
    exit 77
}
num() {   # num FIELD JSONLINE -> the integer value of "FIELD"
    printf '%s\n' "$2" | sed -n "s/.*\"$1\":\([0-9][0-9]*\).*/\1/p"
}
# unprivileged: set $as_user to what runs a command as 'nobody' (setpriv)
# when the test runs as root, where chmod 000 stops nothing; else to
# nothing. Fails (status 1) when running as root and 'nobody' cannot run
# $INDAGA (no setpriv, no such user, or a checkout under a private home):
# the caller then skips its case.
unprivileged() {
    as_user=
    [ "$(id -u)" = 0 ] || return 0
    if command -v setpriv > /dev/null && id nobody > /dev/null 2>&1; then
        as_user="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody) --clear-groups"
        # nobody must be able to run the binary (a checkout under a private home may forbid it)
        $as_user "$INDAGA" --version > /dev/null 2>&1 || as_user=
    fi
    [ -n "$as_user" ]
}
same() {   # same NAME EXPECTED_FILE ACTUAL_FILE
    if ! cmp -s "$2" "$3"; then
        echo "--- $1: expected vs actual" >&2
        diff "$2" "$3" >&2 || true
        fail "$1"
    fi
}
