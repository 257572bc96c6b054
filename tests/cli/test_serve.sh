#!/bin/sh
# indaga serve: the HTTP API against a running server on 127.0.0.1 (a free
# port), started and stopped by tests/serve/test_api.py.
set -eu
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "SKIP: $PY (Debian's python3) is not installed"; exit 77; }
exec "$PY" "$SRCDIR/tests/serve/test_api.py"
