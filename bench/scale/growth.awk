# bench/scale/growth.awk: the tables of bench/RESULTS-scale.md from
# bench/work/scale/figures.tsv, which bench/scale/run.sh writes, one line per
# engine and scale, tab-separated:
#
#   1 engine  2 scale  3 corpus MB  4 build s  5 MB/s  6 peak RSS MiB
#   7 index MB  8 written MB  9 p50 ms  10 p99 ms  11 p50 ms snippets
#   12 p99 ms snippets  13 stats s  14 check s  15 terms  16 segments
#   17 paragraphs  18 load at the build's end  19 build CPU s
#   20 compact s  21 compact CPU s  22 compact peak RSS MiB  23 compact written MB
#   24 compact user CPU s  25 compact system CPU s  26 dd's system CPU s writing
#   as many bytes as compact wrote (the control)
#
# "-" or FAILED is a figure not measured. mode=table prints the figures,
# mode=growth the ratios to 1x and the growth exponents, mode=work indaga's
# build CPU fitted to its bytes and dictionary entries, mode=compact
# compact's user and system CPU beside the control's, mode=notes what
# they say of indaga's segments, merges and budget, mode=verdict the
# exponent of each figure and engine named (flat, better than linear,
# linear, worse) and, per engine, the lists of both kinds.
# (awk -F'\t' -v mode=... [-v budget=MiB] -f growth.awk figures.tsv)

function num(x) { return x ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ }
function cell(e, s, c) { return ((e, s) in have) && v[e, s, c] != "" ? v[e, s, c] : "-" }
# b: the growth exponent of column c from 1x to scale s (value ~ size^b).
function expo(e, s, c,   a, b, x, y) {
    a = cell(e, 1, c); b = cell(e, s, c); x = cell(e, 1, 3); y = cell(e, s, 3)
    if (!num(a) || !num(b) || !num(x) || !num(y) || a <= 0 || b <= 0 || y <= x) return "-"
    return sprintf("%.2f", log(b / a) / log(y / x))
}
function ratio(e, s, c,   a, b) {
    a = cell(e, 1, c); b = cell(e, s, c)
    if (!num(a) || !num(b) || a <= 0) return "-"
    return sprintf("%.2f", b / a)
}
function kind(b) {
    if (b == "-") return "not measured"
    if (b + 0 < 0.2) return "flat (does not grow with the corpus)"
    if (b + 0 <= 0.9) return "better than linear"
    if (b + 0 <= 1.1) return "linear"
    return "WORSE than linear"
}
function ok(b) { return b != "-" && b + 0 <= 1.1 }

{
    e = $1; s = $2
    have[e, s] = 1
    for (c = 3; c <= NF; c++) v[e, s, c] = $c
    if (!((e, "seen") in have)) { have[e, "seen"] = 1; engines[++ne] = e }
    if (!(s in sseen)) { sseen[s] = 1; scales[++ns] = s }
}

END {
    name["indaga"] = "indaga"; name["fts5"] = "FTS5"
    nf = split("3 4 5 19 6 7 8 9 10 11 12 13 14 20 21 22 23 15 16 17 18", cols, " ")
    label[3] = "corpus, MB"; label[4] = "build wall time, s"; label[5] = "throughput, MB/s"
    label[19] = "build CPU time, s"
    label[6] = "peak RSS, MiB"; label[7] = "index size, MB"; label[8] = "bytes written by the build, MB"
    label[9] = "query p50, ms"; label[10] = "query p99, ms"
    label[11] = "query p50 with snippets, ms"; label[12] = "query p99 with snippets, ms"
    label[13] = "`indaga stats` wall time, s"; label[14] = "`indaga check` wall time, s"
    label[15] = "terms (indaga stats)"; label[16] = "segments"; label[17] = "paragraphs"
    label[18] = "1-min load average at the build's end"
    label[20] = "`indaga compact` wall time, s"; label[21] = "`indaga compact` CPU time, s"
    label[22] = "`indaga compact` peak RSS, MiB"; label[23] = "bytes written by `indaga compact`, MB"

    if (mode == "table") {
        h = "| figure |"; r = "|---|"
        for (i = 1; i <= ne; i++) for (j = 1; j <= ns; j++) {
            h = h " " name[engines[i]] " " scales[j] "x |"; r = r "---|"
        }
        print h; print r
        for (k = 1; k <= nf; k++) {
            c = cols[k]; line = "| " label[c] " |"
            for (i = 1; i <= ne; i++) for (j = 1; j <= ns; j++) line = line " " cell(engines[i], scales[j], c) " |"
            print line
            if (c == 8) {
                line = "| bytes written / index size |"
                for (i = 1; i <= ne; i++) for (j = 1; j <= ns; j++) {
                    x = cell(engines[i], scales[j], 8); y = cell(engines[i], scales[j], 7)
                    line = line " " ((num(x) && num(y) && y > 0) ? sprintf("%.2f", x / y) : "-") " |"
                }
                print line
            }
            if (c == 6 && budget != "") {
                line = "| peak RSS / indaga's " budget " MiB budget |"
                for (i = 1; i <= ne; i++) for (j = 1; j <= ns; j++) {
                    x = cell(engines[i], scales[j], 6)
                    line = line " " ((engines[i] == "indaga" && num(x)) ? sprintf("%.2f", x / budget) : "-") " |"
                }
                print line
            }
        }
        exit
    }

    gn = split("4 19 6 7 8 9 10 11 12 13 14 20 21 22 23 15", gcols, " ")
    if (mode == "growth") {
        h = "| figure |"; r = "|---|"
        for (i = 1; i <= ne; i++) {
            for (j = 2; j <= ns; j++) { h = h " " name[engines[i]] " " scales[j] "x/1x |"; r = r "---|" }
            h = h " " name[engines[i]] " b |"; r = r "---|"
        }
        print h; print r
        line = "| corpus bytes |"
        for (i = 1; i <= ne; i++) {
            for (j = 2; j <= ns; j++) line = line " " ratio(engines[i], scales[j], 3) " |"
            line = line " 1 |"
        }
        print line
        for (k = 1; k <= gn; k++) {
            c = gcols[k]; line = "| " label[c] " |"
            for (i = 1; i <= ne; i++) {
                last = ""
                for (j = 2; j <= ns; j++) {
                    line = line " " ratio(engines[i], scales[j], c) " |"
                    if (cell(engines[i], scales[j], c) != "-") last = scales[j]
                }
                line = line " " (last == "" ? "-" : expo(engines[i], last, c)) " |"
            }
            print line
        }
        exit
    }

    if (mode == "work") {   # indaga's build CPU against its two kinds of work
        e = "indaga"; n = 0; sxx = sxy = syy = sxc = syc = 0
        for (j = 1; j <= ns; j++) {
            x = cell(e, scales[j], 3); y = cell(e, scales[j], 15); c = cell(e, scales[j], 19)
            if (!num(x) || !num(y) || !num(c) || x <= 0) continue
            n++; sx[n] = x; sy[n] = y; sc[n] = c; ss[n] = scales[j]
            sxx += x * x; sxy += x * y; syy += y * y; sxc += x * c; syc += y * c
        }
        det = sxx * syy - sxy * sxy
        fit = n >= 3 && det > 0
        if (fit) { a = (sxc * syy - syc * sxy) / det; b = (syc * sxx - sxc * sxy) / det }
        print "| scale | build CPU, s | corpus, MB | dictionary entries | CPU per MB, ms | entries per MB | fit a MB + b entries, s | measured / fit |"
        print "|---|---|---|---|---|---|---|---|"
        for (i = 1; i <= n; i++)
            printf "| %sx | %.2f | %.1f | %d | %.1f | %.0f | %s | %s |\n", ss[i], sc[i], sx[i], sy[i],
                1000 * sc[i] / sx[i], sy[i] / sx[i], fit ? sprintf("%.2f", a * sx[i] + b * sy[i]) : "-",
                fit ? sprintf("%.3f", sc[i] / (a * sx[i] + b * sy[i])) : "-"
        if (fit)
            printf "\nLeast squares through the origin over the %d scales: a = %.1f ms of CPU per MB of text, b = %.2f us per dictionary entry written.\n", n, 1000 * a, 1e6 * b
        else
            printf "\nNo fit: fewer than three scales measured.\n"
        if (fit && b <= 0)
            printf "The fit's cost per entry is not positive: CPU per MB did not rise with the entries per MB, so the CPU grew no faster than the MB alone.\n"
        if (fit && a <= 0)
            printf "The fit's cost per MB is not positive: the entries alone account for the CPU's growth.\n"
        exit
    }

    if (mode == "compact") {   # indaga compact's CPU, user and system, beside the control
        e = "indaga"
        print "| scale | written, MB | user CPU, s | user CPU per MB of index, ms | system CPU, s | dd's system CPU for as many bytes, s |"
        print "|---|---|---|---|---|---|"
        for (j = 1; j <= ns; j++) {
            u = cell(e, scales[j], 24); x = cell(e, scales[j], 7)
            printf "| %sx | %s | %s | %s | %s | %s |\n", scales[j], cell(e, scales[j], 23), u,
                (num(u) && num(x) && x > 0) ? sprintf("%.1f", 1000 * u / x) : "-", cell(e, scales[j], 25), cell(e, scales[j], 26)
        }
        last = scales[ns]
        printf "\nGrowth exponents to %sx: user CPU %s, system CPU %s, dd's system CPU for the same bytes %s.\n",
            last, expo(e, last, 24), expo(e, last, 25), expo(e, last, 26)
        exit
    }

    if (mode == "notes") {   # what the table says about indaga's writer
        e = "indaga"; segs = ""; amp = ""; over = ""
        for (j = 1; j <= ns; j++) {
            x = cell(e, scales[j], 16); segs = segs (j > 1 ? ", " : "") x (j == 1 ? " segments" : "") " at " scales[j] "x"
            w = cell(e, scales[j], 8); y = cell(e, scales[j], 7)
            if (num(w) && num(y) && y > 0) {
                amp = amp (amp == "" ? "" : ", ") sprintf("%.2f", w / y)
                if (w / y > 1.05) merged = 1
            }
            r = cell(e, scales[j], 6)
            if (num(r) && budget != "" && r > budget)
                over = over (over == "" ? "" : ", ") sprintf("%sx (%.2fx)", scales[j], r / budget)
            r = cell(e, scales[j], 22)
            if (num(r)) cmeasured = 1
            if (num(r) && budget != "" && r > budget)
                cover = cover (cover == "" ? "" : ", ") sprintf("%sx (%.2fx)", scales[j], r / budget)
        }
        printf "- indaga's index holds %s; the build wrote %s times the index's bytes", segs, amp
        if (merged) printf " (above 1: segments merged and rewritten during the build).\n"
        else printf " (about 1: no segment was merged and rewritten during the build).\n"
        if (over != "")
            printf "- indaga's peak RSS passed its %s MiB writer budget at %s.\n", budget, over
        else
            printf "- indaga's peak RSS stayed within its %s MiB writer budget at every scale.\n", budget
        if (cover != "")
            printf "- `indaga compact` passed the %s MiB budget at %s.\n", budget, cover
        else if (cmeasured)
            printf "- `indaga compact` (all segments merged into one) stayed within the %s MiB budget at every scale measured.\n", budget
        exit
    }

    if (mode == "verdict") {
        h = "| figure |"; r = "|---|"
        for (i = 1; i <= ne; i++) { h = h " " name[engines[i]] ": b, growth |"; r = r "---|" }
        print h; print r
        for (k = 1; k <= gn; k++) {
            c = gcols[k]
            if (c == 15) continue   # the vocabulary is set by the generator
            line = "| " label[c] " |"; any = 0
            for (i = 1; i <= ne; i++) {
                e = engines[i]; last = ""
                for (j = 2; j <= ns; j++) if (num(cell(e, scales[j], c))) last = scales[j]
                if (last == "") { line = line " - |"; continue }
                b = expo(e, last, c); any = 1
                line = line " " b ", " (ok(b) ? kind(b) : "**" kind(b) "**") " |"
                lab = label[c]; sub(/, (s|ms|MB|MiB)$/, "", lab)
                if (ok(b)) good[e] = good[e] (good[e] == "" ? "" : "; ") lab
                else if (b != "-") bad[e] = bad[e] (bad[e] == "" ? "" : "; ") lab
            }
            if (any) print line
        }
        print ""
        for (i = 1; i <= ne; i++) {
            e = engines[i]
            printf "- **%s grows linearly or better in**: %s.\n", name[e], good[e] == "" ? "nothing measured" : good[e]
            printf "- **%s grows worse than linearly in**: %s.\n", name[e], bad[e] == "" ? "nothing" : bad[e]
        }
        print ""
        print "b between 0.9 and 1.1 is called linear, under 0.2 flat. Each b comes from two single runs"
        print "on a loaded machine: read a b within about 0.1 of a boundary as on it; latencies under a"
        print "millisecond are the noisiest, and CPU time is steadier than wall time."
    }
}
