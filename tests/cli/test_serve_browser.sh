#!/bin/sh
# indaga serve's page in a real browser: Debian's chromium, headless, driven
# by python3-selenium and chromium-driver (scripts/setup.sh browser). Skipped
# (77) with a line saying what is missing when they are not installed.
# Screenshots are kept in the build directory (serve-search.png,
# serve-document.png).
set -eu
PY=/usr/bin/python3
for f in /usr/bin/chromium /usr/bin/chromedriver "$PY"; do
  [ -x "$f" ] || { echo "SKIP: the browser test needs $f (sh scripts/setup.sh browser)"; exit 77; }
done
"$PY" -c 'import selenium' 2>/dev/null ||
  { echo "SKIP: the browser test needs python3-selenium (sh scripts/setup.sh browser)"; exit 77; }
exec "$PY" "$SRCDIR/tests/serve/test_browser.py"
