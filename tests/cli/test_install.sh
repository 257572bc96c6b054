#!/bin/sh
# test_install.sh: install into a temporary prefix (cmake --install) and use
# it as a user would. The installed `indaga` starts with no LD_LIBRARY_PATH
# (its run path finds the library), prints its version and indexes corpus/;
# then four programs are built against the prefix and each runs the same
# search on that index, with the same output:
#   1. examples/search.c, C, `pkg-config --cflags --libs indaga` (shared)
#   2. the same, with `pkg-config --static` flags and libindaga.a (fully
#      -static in a normal build; a sanitizer runtime cannot be linked
#      statically, so there only libindaga is static)
#   3. tests/install/search.cpp, C++, find_package(indaga), indaga::indaga
#   4. the same program with indaga::indaga_static
# Needs $SRCDIR and $BUILDDIR; $CC (default cc) must be the compiler of the
# build when it is a sanitizer build.
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
: "${BUILDDIR:?set BUILDDIR to the build tree}"
cc=${CC:-cc}
case "$cc" in *clang*) cxx=clang++ ;; *) cxx=c++ ;; esac
p="$tmp/prefix"
cmake --install "$BUILDDIR" --prefix "$p" >/dev/null
pc=$(find "$p" -name indaga.pc)
[ -n "$pc" ] || fail "indaga.pc not installed"
libdir=$(dirname "$(dirname "$pc")")
for f in "$p/include/indaga.h" "$libdir/libindaga.a" "$libdir/cmake/indaga/indagaConfig.cmake" \
         "$libdir/cmake/indaga/indagaConfigVersion.cmake" "$p/share/man/man1/indaga.1"; do
  [ -f "$f" ] || fail "$f not installed"
done
ls "$libdir"/libindaga.so.0 >/dev/null || fail "libindaga.so.0 not installed"
[ -x "$p/bin/indaga" ] || fail "command not installed"
echo "ok: installed library (shared, static), header, indaga.pc, CMake package, command, man page"

# A sanitizer build's library needs the same runtime in what links it.
san=""
if nm "$libdir/libindaga.a" 2>/dev/null | grep -q __asan_; then san="-fsanitize=address,undefined"; fi

# The installed command, in a clean environment.
ver=$(env -u LD_LIBRARY_PATH "$p/bin/indaga" --version) || fail "installed indaga --version: status $?"
printf '%s\n' "$ver" | grep -q '^indaga [0-9]' || fail "installed indaga --version printed: $ver"
env -u LD_LIBRARY_PATH "$p/bin/indaga" index --index "$tmp/idx" "$SRCDIR/corpus" >/dev/null \
  || fail "installed indaga index"
echo "ok: installed command runs ($ver) and indexes corpus/"

q="combatientes terroristas extranjeros"
run() {   # run NAME PROGRAM: run the consumer on the index; its output in $tmp/NAME.out
  env -u LD_LIBRARY_PATH "$2" "$tmp/idx" "$q" > "$tmp/$1.out" || fail "$1: status $?"
  grep -q "carta_krasnodar_2017.txt" "$tmp/$1.out" || { cat "$tmp/$1.out" >&2; fail "$1 found nothing"; }
}
export PKG_CONFIG_PATH="$libdir/pkgconfig"

# 1. pkg-config, shared.
cflags=$(pkg-config --cflags indaga)
case "$cflags" in *UTF8PROC_EXPORTS*) fail "indaga.pc passes a dependency's build flag: $cflags" ;; esac
# shellcheck disable=SC2046
$cc $san -o "$tmp/c-shared" "$SRCDIR/examples/search.c" $cflags $(pkg-config --libs indaga) \
  -Wl,-rpath,"$libdir"
run c-shared "$tmp/c-shared"
echo "ok: C, pkg-config, shared"

# 2. pkg-config --static.
libs=$(pkg-config --static --libs indaga)
if [ -z "$san" ]; then
  # shellcheck disable=SC2086
  $cc -static -o "$tmp/c-static" "$SRCDIR/examples/search.c" $cflags $libs 2>"$tmp/static.err" \
    || { cat "$tmp/static.err" >&2; fail "fully static link with pkg-config --static flags"; }
  how="fully static"
else
  # shellcheck disable=SC2086
  $cc $san -o "$tmp/c-static" "$SRCDIR/examples/search.c" $cflags \
    $(printf '%s\n' "$libs" | sed 's/-lindaga\b/-l:libindaga.a/') \
    || fail "link with libindaga.a and pkg-config --static flags"
  how="libindaga.a, sanitizer runtime shared"
fi
if readelf -d "$tmp/c-static" | grep -q 'libindaga\.so'; then fail "c-static needs libindaga.so"; fi
run c-static "$tmp/c-static"
echo "ok: C, pkg-config --static ($how)"

# 3 and 4. find_package(indaga), C++, each target.
cmake -S "$SRCDIR/tests/install" -B "$tmp/cxx" -DCMAKE_PREFIX_PATH="$p" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_CXX_FLAGS="$san" -DCMAKE_EXE_LINKER_FLAGS="$san" > "$tmp/cxx.log" 2>&1 \
  || { cat "$tmp/cxx.log" >&2; fail "find_package(indaga): configure"; }
cmake --build "$tmp/cxx" > "$tmp/cxx.log" 2>&1 || { cat "$tmp/cxx.log" >&2; fail "find_package(indaga): build"; }
if readelf -d "$tmp/cxx/search_static" | grep -q 'libindaga\.so'; then
  fail "search_static (indaga::indaga_static) needs libindaga.so"
fi
run cxx-shared "$tmp/cxx/search_shared"
run cxx-static "$tmp/cxx/search_static"
echo "ok: C++, find_package(indaga), indaga::indaga and indaga::indaga_static"

for n in c-static cxx-shared cxx-static; do same "$n = c-shared" "$tmp/c-shared.out" "$tmp/$n.out"; done
echo "ok: the four programs print the same $(grep -c '^[0-9]*\. ' "$tmp/c-shared.out") hits"
