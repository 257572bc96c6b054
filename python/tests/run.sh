#!/bin/sh
# run.sh: build the indaga Python package against the library of $BUILDDIR
# and run its pytest tests (ctest's `python` test, tests/CMakeLists.txt).
#
# The interpreter is the first of $PYTHON, python3 and /usr/bin/python3 that
# has pytest, setuptools and its C headers (python3 on PATH may be a pyenv
# Python without Debian's packages). None: exit 77, which ctest reports as
# skipped, with the line saying what to install (scripts/setup.sh installs
# it all). The package is built into $BUILDDIR/python (nothing is written
# into the source tree) with -Werror, and the tests import it from there.
# Needs SRCDIR and BUILDDIR; INDAGA (the command) for the comparisons with it.
set -eu
: "${SRCDIR:?set SRCDIR to the source tree}" "${BUILDDIR:?set BUILDDIR to the build tree}"

usable() {
    "$1" -c 'import os, sys, sysconfig, pytest, setuptools
sys.exit(not os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null
}
PY=""
for cand in ${PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$cand" >/dev/null 2>&1 && usable "$cand"; then PY=$cand; break; fi
done
if [ -z "$PY" ]; then
    echo "SKIP: python: no Python 3 with pytest, setuptools and Python.h" \
         "(apt-get install python3-dev python3-pytest python3-setuptools, as scripts/setup.sh does)"
    exit 77
fi

OUT=$BUILDDIR/python
rm -rf "$OUT/lib"
echo "python: $("$PY" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
(cd "$SRCDIR/python" && INDAGA_SOURCE_DIR=$SRCDIR INDAGA_BUILD_DIR=$BUILDDIR INDAGA_PY_WERROR=1 \
    "$PY" setup.py -q build --build-base "$OUT/build" --build-lib "$OUT/lib")
cd "$OUT"
PYTHONPATH=$OUT/lib${PYTHONPATH:+:$PYTHONPATH} exec "$PY" -m pytest -q -p no:cacheprovider "$SRCDIR/python/tests"
