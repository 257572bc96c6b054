# typo.awk: the typo kind of the known-item set of bench/ (MRR@10).
#
#   LC_ALL=C awk -v seed=S -f bench/typo.awk KNOWNITEM_TSV
#
# Reads known items as knownitem.awk writes them (corpus doc part ordinal kind
# indaga-query xapian-query fts5-query) and writes, for each, the same target
# with a query of kind "typo": the indaga query with one edit in one of its
# words, the way people mistype:
#
#   the word     a word outside quotes of at least 5 letters, all ASCII (so an
#                edit never splits a UTF-8 sequence), picked at random
#   the edit     one of, with equal chance: a letter left out, a random
#                letter a-z inserted, a letter replaced by another random
#                letter, two adjacent different letters swapped; never
#                before the second letter
#
# A query with no such word is left out (it gets no typo). Xapian gets the
# same string; FTS5 every bare word quoted, as knownitem.awk does. The random
# numbers are knownitem.awk's Park-Miller generator, so mawk and gawk agree.

function rnd(m) {                     # uniform integer in [0, m)
    state = (state * 16807) % 2147483647
    return int(state / 2147483647 * m)
}

function letter(    c) { return substr("abcdefghijklmnopqrstuvwxyz", rnd(26) + 1, 1) }

# One edit of ASCII word w (length >= 5), never at its first letter.
function edit(w,    n, k, i, a, b, c) {
    n = length(w)
    k = rnd(4)
    if (k == 0) {                                    # a letter left out
        i = rnd(n - 1) + 2
        return substr(w, 1, i - 1) substr(w, i + 1)
    }
    if (k == 1) {                                    # a letter inserted
        i = rnd(n) + 2
        return substr(w, 1, i - 1) letter() substr(w, i)
    }
    if (k == 2) {                                    # a letter replaced
        i = rnd(n - 1) + 2
        do c = letter(); while (c == substr(w, i, 1))
        return substr(w, 1, i - 1) c substr(w, i + 1)
    }
    for (tries = 0; tries < 20; tries++) {           # two letters swapped
        i = rnd(n - 2) + 2
        a = substr(w, i, 1); b = substr(w, i + 1, 1)
        if (a != b) return substr(w, 1, i - 1) b a substr(w, i + 2)
    }
    return substr(w, 1, n - 1)                       # all letters alike: drop the last
}

BEGIN {
    FS = "\t"
    state = (seed + 0 > 0) ? seed + 0 : 20171122
}

NF >= 8 {
    n = split($6, w, " ")
    m = 0
    inq = 0
    for (i = 1; i <= n; i++) {
        startq = (substr(w[i], 1, 1) == "\"")
        if (startq) inq = 1
        if (!inq && w[i] ~ /^[a-z]+$/ && length(w[i]) >= 5) cand[++m] = i
        if (inq && substr(w[i], length(w[i]), 1) == "\"" && (length(w[i]) > 1 || !startq)) inq = 0
    }
    if (m == 0) next
    pick = cand[rnd(m) + 1]
    w[pick] = edit(w[pick])
    q = ""; f = ""
    inq = 0
    for (i = 1; i <= n; i++) {
        q = q (i > 1 ? " " : "") w[i]
        startq = (substr(w[i], 1, 1) == "\"")
        if (startq) inq = 1
        f = f (i > 1 ? " " : "") ((inq) ? w[i] : "\"" w[i] "\"")
        if (inq && substr(w[i], length(w[i]), 1) == "\"" && (length(w[i]) > 1 || !startq)) inq = 0
    }
    printf "%s\t%s\t%s\t%s\ttypo\t%s\t%s\t%s\n", $1, $2, $3, $4, q, q, f
}
