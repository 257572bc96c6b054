#!/bin/sh
# include/indaga.h compiles alone as C11 and as C++ with -Wall -Wextra -pedantic -Werror.
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cc=${CC:-cc}
$cc -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$SRCDIR/include" -c "$SRCDIR/tests/headertest/headertest.c" -o "$t/c.o"
echo "ok: C11"
if command -v c++ >/dev/null 2>&1; then
  c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -I"$SRCDIR/include" -c "$SRCDIR/tests/headertest/headertest.cpp" -o "$t/cpp.o"
  echo "ok: C++11"
else
  echo "FAIL: no C++ compiler (scripts/setup.sh installs g++)" >&2
  exit 1
fi
