#!/bin/sh
# Install what indaga needs to build, test and benchmark, from Debian's archive.
# Idempotent: when every package is present it does nothing and needs no root.
#   scripts/setup.sh          build + test dependencies (clang and its
#                             sanitizer and libFuzzer runtime included:
#                             `make test` builds with clang too)
#   scripts/setup.sh bench    also the benchmark peers (Xapian, SQLite)
#   scripts/setup.sh scale    the peers and gnuplot, for `make bench-scale`
#   scripts/setup.sh browser  also what the browser test of `indaga serve`
#                             drives: chromium, chromium-driver, python3-selenium
set -eu

pkgs="gcc g++ make cmake pkg-config ca-certificates zstd tar
      clang libclang-rt-14-dev
      libstemmer-dev libutf8proc-dev libzstd-dev libxxhash-dev
      libpoppler-glib-dev libxml2-dev libarchive-dev poppler-utils
      libacl1-dev liblz4-dev liblzma-dev libbz2-dev nettle-dev zlib1g-dev libicu-dev
      libglib2.0-dev libffi-dev libpcre2-dev
      libcmocka-dev libsqlite3-dev libmicrohttpd-dev time
      python3-dev python3-pytest python3-setuptools python3-pip python3-venv"
for extra in "$@"; do
    case "$extra" in
    bench) pkgs="$pkgs libxapian-dev libsqlite3-dev time" ;;
    scale) pkgs="$pkgs libxapian-dev libsqlite3-dev time gnuplot-nox" ;;
    browser) pkgs="$pkgs chromium chromium-driver python3-selenium" ;;
    *) echo "setup.sh: unknown extra '$extra' (known: bench, scale, browser)" >&2; exit 2 ;;
    esac
done

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "setup.sh: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "setup.sh: need root (or sudo) to install:$missing" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
# shellcheck disable=SC2086
$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $missing >/dev/null
