#!/bin/sh
# test_tree.sh: the tree `indaga index` walks (issue 16). Nothing outside the
# root gets in, nothing under it is silently lost:
#  1. symbolic links out of the tree (a file link to /etc/passwd, a directory
#     link to /) are never followed, with or without --follow-symlinks;
#  2. links inside the tree are followed only with --follow-symlinks, and a
#     loop (a link to an ancestor) ends with a warning;
#  3. a FIFO named like a document is skipped with a warning naming it and
#     never opened (opening one would block: the run has a time limit);
#  4. a directory that cannot be read keeps every document the index had
#     under it (exit 5, a warning naming it), a changed file that cannot be
#     opened its previous version; the root itself too; a rebuild (--full)
#     then fails and leaves the index as it was;
#  5. with few file descriptors (ulimit -n 5 to 16) a rebuild of a tree 60
#     directories deep either commits every file or fails with the index
#     unchanged, never commits without some; at 16 it commits them all.
# Needs $INDAGA (the command) and $SRCDIR (the source tree).
set -eu
. "${SRCDIR:?set SRCDIR to the source tree}/tests/cli/lib.sh"
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# ix INDEX ARGS...: index with a time limit; sets $rc, output in $tmp/out(.err)
ix() {
    dir=$1; shift
    rc=0
    timeout 120 "$INDAGA" index --index "$dir" --json "$@" > "$tmp/out" 2> "$tmp/out.err" || rc=$?
    [ "$rc" -ne 124 ] || fail "index $*: hung (killed after 120 s)"
}
docs() { num documents "$("$INDAGA" stats --index "$1" --json)"; }
gen() { num generation "$("$INDAGA" stats --index "$1" --json)"; }
warned() {   # warned PATH-SUFFIX MESSAGE-PART
    grep -q "\"type\":\"warning\",\"path\":\"[^\"]*$1\",\"message\":\"[^\"]*$2" "$tmp/out" ||
        fail "no warning '$2' for $1: $(cat "$tmp/out")"
}

# 1-3. Links and a FIFO.
c="$tmp/c"
mkdir -p "$c/sub"
printf 'Texto sobre la paz y la seguridad internacionales.\n' > "$c/sub/paz.txt"
printf 'Informe sobre la cooperacion regional.\n' > "$c/informe.txt"
ln -s /etc/passwd "$c/passwd.txt"
ln -s / "$c/raiz"
ln -s sub/paz.txt "$c/enlace.txt"
ln -s sub "$c/carpeta"
ln -s .. "$c/sub/arriba"
mkfifo "$c/tubo.txt"
ix "$tmp/ix1" "$c"
[ "$rc" -eq 5 ] || fail "links: exit $rc, expected 5 (the FIFO): $(cat "$tmp/out.err")"
warned tubo.txt "FIFO"
[ "$(docs "$tmp/ix1")" = 2 ] || fail "links: $(docs "$tmp/ix1") documents, expected sub/paz.txt and informe.txt"
if "$INDAGA" search --index "$tmp/ix1" --json nologin > /dev/null; then fail "/etc/passwd was indexed"; fi
if "$INDAGA" show --index "$tmp/ix1" enlace.txt > /dev/null 2>&1; then fail "a link was followed without --follow-symlinks"; fi
"$INDAGA" check --index "$tmp/ix1" > /dev/null || fail "check ix1"

ix "$tmp/ix2" --follow-symlinks "$c"
[ "$rc" -eq 5 ] || fail "follow: exit $rc, expected 5: $(cat "$tmp/out.err")"
warned passwd.txt "outside the indexed tree"
warned raiz "outside the indexed tree"
warned arriba "already walked"
warned tubo.txt "FIFO"
if "$INDAGA" search --index "$tmp/ix2" --json nologin > /dev/null; then fail "/etc/passwd was indexed (--follow-symlinks)"; fi
"$INDAGA" show --index "$tmp/ix2" enlace.txt > "$tmp/show" || fail "enlace.txt not indexed with --follow-symlinks"
grep -q 'paz y la seguridad' "$tmp/show" || fail "enlace.txt: $(cat "$tmp/show")"
[ "$(docs "$tmp/ix2")" = 3 ] || fail "follow: $(docs "$tmp/ix2") documents, expected 3 (carpeta is a second name of sub)"
"$INDAGA" check --index "$tmp/ix2" > /dev/null || fail "check ix2"
# links found while following a link (inside a hidden directory, which the
# walk itself skips): twelve of them, each to a hidden directory with a file
h="$tmp/h"
mkdir -p "$h/.o"
i=0
while [ $i -lt 12 ]; do
    mkdir "$h/.o/.s$i"
    printf 'Nota %s sobre la consolidacion de la paz.\n' "$i" > "$h/.o/.s$i/nota.txt"
    ln -s ".s$i" "$h/.o/l$i"
    i=$((i + 1))
done
ln -s .o "$h/ver"
ix "$tmp/ix3" --follow-symlinks "$h"
[ "$rc" -eq 0 ] || fail "hidden links: exit $rc: $(cat "$tmp/out.err")"
[ "$(docs "$tmp/ix3")" = 12 ] || fail "hidden links: $(docs "$tmp/ix3") documents, expected 12"
"$INDAGA" show --index "$tmp/ix3" ver/l11/nota.txt > /dev/null || fail "hidden links: ver/l11/nota.txt"
echo "links and FIFO: ok"

# 4. Unreadable directories. Root ignores permissions: run as 'nobody' then.
if ! unprivileged; then
    echo "SKIP unreadable directories: running as root, and 'nobody' cannot run $INDAGA via setpriv"
else
    perm=$(mktemp -d /tmp/indaga-tree-XXXXXX)
    chmod 755 "$perm"
    t="$perm/t"
    mkdir -p "$t/cerrada/dentro" "$t/abierta"
    for i in 1 2 3; do printf 'Documento reservado numero %s sobre desarme.\n' "$i" > "$t/cerrada/r$i.txt"; done
    printf 'Documento reservado profundo sobre desarme.\n' > "$t/cerrada/dentro/p.txt"
    printf 'Documento abierto.\n' > "$t/abierta/a.txt"
    printf 'Version primera del acuerdo.\n' > "$t/abierta/acuerdo.txt"
    [ "$(id -u)" != 0 ] || chown -R nobody "$perm"
    pix() { rc=0; $as_user "$INDAGA" index --index "$perm/ix" --json "$@" > "$tmp/out" 2> "$tmp/out.err" || rc=$?; }
    pix "$t"
    [ "$rc" -eq 0 ] || { rm -rf "$perm"; fail "unreadable: first run exit $rc"; }
    g1=$(gen "$perm/ix")
    chmod 000 "$t/cerrada"
    # a changed file that cannot be opened keeps its previous version
    printf 'Version segunda del acuerdo, mas larga.\n' > "$t/abierta/acuerdo.txt"
    chmod 000 "$t/abierta/acuerdo.txt"
    pix "$t"
    out=$(cat "$tmp/out")
    ok=1
    [ "$rc" -eq 5 ] || ok=0
    grep -q '"type":"warning","path":"[^"]*cerrada"' "$tmp/out" || ok=0
    grep -q '"type":"warning","path":"[^"]*acuerdo.txt"' "$tmp/out" || ok=0
    grep -q '"removed":0' "$tmp/out" || ok=0
    [ "$(docs "$perm/ix")" = 6 ] || ok=0
    "$INDAGA" search --index "$perm/ix" --json primera > /dev/null || ok=0
    chmod 644 "$t/abierta/acuerdo.txt"
    n=$("$INDAGA" search --index "$perm/ix" --json -n 10 "reservado desarme" | grep -c '"type":"hit"') || true
    [ "$n" = 4 ] || ok=0
    # a rebuild cannot keep them: it fails, and the index stays as it was
    pix --full "$t"
    [ "$rc" -eq 2 ] || ok=0
    [ "$(gen "$perm/ix")" = "$g1" ] || ok=0
    [ "$(docs "$perm/ix")" = 6 ] || ok=0
    # the root itself unreadable: everything kept
    chmod 755 "$t/cerrada"
    chmod 000 "$t"
    pix "$t"
    [ "$rc" -eq 5 ] || ok=0
    [ "$(docs "$perm/ix")" = 6 ] || ok=0
    chmod 755 "$t"
    $as_user "$INDAGA" check --index "$perm/ix" > /dev/null 2>&1 || ok=0
    rm -rf "$perm"
    [ "$ok" = 1 ] || fail "unreadable directory: $out / $(cat "$tmp/out")"
    echo "unreadable directories: kept, exit 5${as_user:+ (as nobody via setpriv)}"
fi

# 5. Few file descriptors: a tree 60 directories deep.
d="$tmp/deep"
mkdir -p "$d"
files=0
while [ "$files" -lt 60 ]; do
    d="$d/n$files"
    mkdir "$d"
    printf 'Informe numero %s sobre la cooperacion internacional.\n\nSegundo parrafo del informe.\n' \
        "$files" > "$d/informe$files.txt"
    files=$((files + 1))
done
ix "$tmp/ixd" "$tmp/deep"
[ "$rc" -eq 0 ] || fail "deep: exit $rc"
g0=$(gen "$tmp/ixd")
for n in 5 6 7 8 10 12 16; do
    rc=0
    ( ulimit -n "$n" && exec "$INDAGA" index --index "$tmp/ixd" --full --threads 2 --json "$tmp/deep" ) \
        > "$tmp/out" 2> "$tmp/out.err" || rc=$?
    if [ "$rc" -eq 0 ]; then
        [ "$(docs "$tmp/ixd")" = 60 ] || fail "ulimit -n $n: committed $(docs "$tmp/ixd") of 60 documents"
        g0=$(gen "$tmp/ixd")
    elif [ "$rc" -eq 2 ]; then
        [ "$n" -lt 16 ] || fail "ulimit -n 16: the walk should need few descriptors: $(cat "$tmp/out.err")"
        [ "$(gen "$tmp/ixd")" = "$g0" ] || fail "ulimit -n $n: failed but the index changed"
    else
        fail "ulimit -n $n: exit $rc (committed without some files?): $(cat "$tmp/out")"
    fi
    echo "ulimit -n $n: exit $rc"
done
"$INDAGA" check --index "$tmp/ixd" > /dev/null || fail "check after the descriptor runs"
echo "ok"
