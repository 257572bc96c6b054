#!/bin/sh
# The shared library exports only indaga_* symbols (built with -fvisibility=hidden).
set -eu
lib="$BUILDDIR/libindaga.so"
[ -f "$lib" ] || { echo "FAIL: $lib not built" >&2; exit 1; }
syms=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}')
[ -n "$syms" ] || { echo "FAIL: no exported symbols" >&2; exit 1; }
bad=$(printf '%s\n' "$syms" | grep -v '^indaga_' | grep -v '^_init$' | grep -v '^_fini$' || true)
if [ -n "$bad" ]; then
  echo "FAIL: exported symbols outside indaga_*:" >&2
  printf '%s\n' "$bad" >&2
  exit 1
fi
# The API the header promises is really exported.
for s in indaga_index_open indaga_search indaga_writer_open indaga_analyze indaga_strerror indaga_libversion_number; do
  printf '%s\n' "$syms" | grep -qx "$s" || { echo "FAIL: $s not exported" >&2; exit 1; }
done
echo "ok: $(printf '%s\n' "$syms" | wc -l) symbols, all indaga_*"
