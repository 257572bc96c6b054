#!/bin/sh
# Install into a temporary prefix, build examples/search.c against it twice
# (pkg-config, and CMake's find_package(indaga)), and run both on an index of corpus/.
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cmake --install "$BUILDDIR" --prefix "$t/prefix" >/dev/null
libdir=$(dirname "$(dirname "$(find "$t/prefix" -name indaga.pc | head -n 1)")")
[ -f "$t/prefix/include/indaga.h" ] || { echo "FAIL: header not installed" >&2; exit 1; }
[ -f "$libdir/pkgconfig/indaga.pc" ] || { echo "FAIL: indaga.pc not installed" >&2; exit 1; }
[ -f "$libdir/cmake/indaga/indagaConfig.cmake" ] || { echo "FAIL: indagaConfig.cmake not installed" >&2; exit 1; }
ls "$libdir"/libindaga.so* >/dev/null && ls "$libdir"/libindaga.a >/dev/null
[ -x "$t/prefix/bin/indaga" ] || { echo "FAIL: command not installed" >&2; exit 1; }
[ -f "$t/prefix/share/man/man1/indaga.1" ] || { echo "FAIL: man page not installed" >&2; exit 1; }

# A sanitizer build's library needs the same runtime in what links it.
san=""
if nm -D "$libdir/libindaga.so" | grep -q __asan_; then san="-fsanitize=address,undefined"; fi

"$INDAGA" index --index "$t/idx" "$SRCDIR/corpus" >/dev/null

# 1. pkg-config
PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs indaga >/dev/null
cc $san -o "$t/search-pc" "$SRCDIR/examples/search.c" \
  $(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs indaga)
out=$(LD_LIBRARY_PATH="$libdir" "$t/search-pc" "$t/idx" "combatientes terroristas extranjeros")
printf '%s\n' "$out" | grep -q "carta_krasnodar_2017.txt" || { echo "FAIL: pkg-config example found nothing" >&2; printf '%s\n' "$out" >&2; exit 1; }
echo "ok: pkg-config build"

# 2. find_package(indaga)
cmake -S "$SRCDIR/examples" -B "$t/ex" -DCMAKE_PREFIX_PATH="$t/prefix" \
  -DCMAKE_C_FLAGS="$san" -DCMAKE_EXE_LINKER_FLAGS="$san" >/dev/null
cmake --build "$t/ex" >/dev/null
out2=$(LD_LIBRARY_PATH="$libdir" "$t/ex/search" "$t/idx" "combatientes terroristas extranjeros")
[ "$out" = "$out2" ] || { echo "FAIL: the two builds disagree" >&2; exit 1; }
echo "ok: find_package build"
