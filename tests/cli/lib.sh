# lib.sh: what every end-to-end test of the command starts with. Sourced
# (`. "${SRCDIR:?}/tests/cli/lib.sh"`) after `set -eu`, it checks $INDAGA and
# $SRCDIR, finds the shared UN documents ($UN), makes a temporary directory
# ($tmp, removed on exit; a test may set its own trap instead), turns colour
# off, and defines fail, num and same.
: "${INDAGA:?set INDAGA to the indaga binary}"
: "${SRCDIR:?set SRCDIR to the source tree}"
UN="$SRCDIR/../shared/data/un"
[ -d "$UN" ] || UN=/work/shared/data/un
export NO_COLOR=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
num() {   # num FIELD JSONLINE -> the integer value of "FIELD"
    printf '%s\n' "$2" | sed -n "s/.*\"$1\":\([0-9][0-9]*\).*/\1/p"
}
same() {   # same NAME EXPECTED_FILE ACTUAL_FILE
    if ! cmp -s "$2" "$3"; then
        echo "--- $1: expected vs actual" >&2
        diff "$2" "$3" >&2 || true
        fail "$1"
    fi
}
