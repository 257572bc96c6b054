# bench/lib.sh: shell functions shared by bench/run.sh (`make bench`) and
# bench/scale/run.sh (`make bench-scale`), sourced by both. The caller sets
# ME (its name, for messages), LOG (the folder of step logs), WORK
# (bench/work) and DATA (the shared data folder), and FAILED="" (the steps
# that failed, appended by run_step).

say() { echo "$ME: $*" >&2; }
now() { date +%s.%N; }

# run_step NAME COMMAND...: stdout to $LOG/NAME.out, stderr to $LOG/NAME.err.
# On failure, says so with the end of the error log and records NAME.
run_step() {
    name=$1; shift
    say "$name ..."
    t0=$(now)
    rc=0
    "$@" >"$LOG/$name.out" 2>"$LOG/$name.err" || rc=$?
    if [ $rc -eq 0 ]; then
        say "$name done in $(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}') s"
        return 0
    fi
    say "$name FAILED (exit $rc), from $LOG/$name.err:"
    tail -n 5 "$LOG/$name.err" >&2 || true
    rm -f "$LOG/$name.out"
    FAILED="$FAILED $name"
    return 1
}

# note_load NAME: add the 1-minute load average now to step NAME's figures
# (the machine is shared: load above the core count means competition).
note_load() {
    [ -s "$LOG/$1.out" ] && echo "load1=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)" >>"$LOG/$1.out"
    return 0
}

# val NAME KEY: the value of KEY= in step NAME's output, or FAILED.
val() {
    if [ -s "$LOG/$1.out" ]; then
        v=$(awk -v k="$2" '{ for (i = 1; i <= NF; i++) { n = index($i, "=");
              if (n && substr($i, 1, n - 1) == k) v = substr($i, n + 1) } } END { print v }' \
              "$LOG/$1.out")
        echo "${v:-FAILED}"
    else
        echo FAILED
    fi
}

# calc EXPR VARS...: awk arithmetic over named numbers; "-" when one is not a number.
calc() {
    expr=$1; shift
    awk -v e="$expr" -v args="$*" 'BEGIN {
        n = split(args, a, " ")
        for (i = 1; i <= n; i++) if (a[i] !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) { print "-"; exit }
        x = a[1] + 0; y = a[2] + 0; z = a[3] + 0
        if (e == "ratio")  { if (y == 0) print "-"; else printf "%.2f\n", x / y; exit }
        if (e == "mbps")   { if (y == 0) print "-"; else printf "%.2f\n", x / 1e6 / y; exit }
        if (e == "mb")     { printf "%.1f\n", x / 1e6; exit }
        if (e == "kb2mb")  { printf "%.1f\n", x / 1024; exit }
        if (e == "ms")     { printf "%.2f\n", x / 1000; exit }
        if (e == "f1")     { printf "%.1f\n", x; exit }
        if (e == "f2")     { printf "%.2f\n", x; exit }
        if (e == "f3")     { printf "%.3f\n", x; exit }
        if (e == "le")     { print (x <= y * z) ? "met" : "not met"; exit }
        if (e == "ge")     { print (x >= y * z) ? "met" : "not met"; exit }
    }'
}

# corpus_bytes DIR: bytes of the .txt/.md files indaga indexes under DIR.
corpus_bytes() {
    find "$1" -type f \( -iname '*.txt' -o -iname '*.md' \) ! -path '*/.*' -printf '%s\n' |
        awk '{ s += $1; n++ } END { printf "%.0f %d\n", s, n }'
}

# unpack_legislation: unpack the Peruvian legislation (DATA's
# legalize-pe-national.tar.zst) into $WORK/pe once; $WORK/pe.unpacked marks it done.
unpack_legislation() {
    [ -f "$WORK/pe.unpacked" ] && return 0
    say "unpacking the legislation corpus into $WORK/pe ..."
    rm -rf "$WORK/pe"
    tar -I zstd -xf "$DATA/legalize-pe-national.tar.zst" -C "$WORK"
    touch "$WORK/pe.unpacked"
}

# failed_steps LOGDIR: the page's "Failed steps" section, when a step failed
# (LOGDIR: the step logs' folder as the page names it).
failed_steps() {
    [ -n "$FAILED" ] || return 0
    echo
    echo "## Failed steps"
    echo
    echo "These steps failed; their figures read FAILED or - above. Logs: $1/<step>.err."
    echo
    for f in $FAILED; do
        echo "- $f: $(tail -n 1 "$LOG/$f.err" 2>/dev/null | tr '|' '/' || echo 'no log')"
    done
}

# publish_page OUT: move the page written to OUT.tmp into place; exit 1 when
# a step failed (T_START and T_END: the run's start and end, in seconds).
publish_page() {
    mv "$1.tmp" "$1"
    say "wrote $1 in $((T_END - T_START)) s"
    if [ -n "$FAILED" ]; then
        say "FAILED steps:$FAILED"
        exit 1
    fi
}
