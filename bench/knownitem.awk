# knownitem.awk: the known-item relevance set of bench/ (MRR@10).
#
#   LC_ALL=C awk -v corpus=NAME -v count=N -v seed=S -f bench/knownitem.awk DUMP
#
# Reads a paragraph dump written by bench_dump (records "doc\tpart\tord\tnbytes\n"
# + nbytes of text + "\n"), picks N paragraphs deterministically and writes one
# query per paragraph, as the tab-separated line
#
#   corpus  doc  part  ordinal  kind  indaga-query  xapian-query  fts5-query
#
# Selection. A paragraph is a candidate when it has at least 12 words and 8
# content words (letters only, 4+ bytes, not a function word). Reservoir
# sampling with a Park-Miller generator of our own (so mawk and gawk pick the
# same paragraphs; awk's rand() differs between them) keeps 2N candidates;
# in reservoir order, the first N whose text is unique in the dump (by its
# first 60 bytes and length, so boilerplate is never a target) are used.
#
# Queries, by kind (the Nth paragraph picked gets kind N mod 4):
#   exact    four content words of the paragraph, in text order
#   inflect  four content words, each changed by a simple Spanish suffix rule
#            where one applies (-ón/-ones, -dad/-dades, -al/-ales, -o/-os,
#            -a/-as and back, -ar/-ado, -er/-ido, -ir/-ido)
#   noaccent four content words (those with accents first), accents stripped
#            (á é í ó ú ü -> a e i o u u; ñ kept)
#   phrase   three consecutive words of the paragraph as a quoted phrase plus
#            two other content words
# Words are lowercased. Xapian's QueryParser takes the same string as indaga;
# FTS5 gets every bare word quoted ("word"), which its syntax needs for words
# that are keywords or hold special characters.
#
# The whole program works on bytes (LC_ALL=C): UTF-8 letters are matched as
# byte sequences (\303 followed by a continuation byte covers the Latin-1
# letters Spanish uses).

function rnd(m) {                     # uniform integer in [0, m)
    state = (state * 16807) % 2147483647
    return int(state / 2147483647 * m)
}

function lower(w) {
    w = tolower(w)                    # ASCII in the C locale
    gsub(/\303\201/, "\303\241", w); gsub(/\303\211/, "\303\251", w)
    gsub(/\303\215/, "\303\255", w); gsub(/\303\223/, "\303\263", w)
    gsub(/\303\232/, "\303\272", w); gsub(/\303\234/, "\303\274", w)
    gsub(/\303\221/, "\303\261", w)
    return w
}

function strip_accents(w) {
    gsub(/\303\241/, "a", w); gsub(/\303\251/, "e", w); gsub(/\303\255/, "i", w)
    gsub(/\303\263/, "o", w); gsub(/\303\272/, "u", w); gsub(/\303\274/, "u", w)
    return w
}

function has_accent(w) {
    return w ~ /\303[\241\251\255\263\272\274]/
}

function ends(w, s) {
    return length(w) > length(s) && substr(w, length(w) - length(s) + 1) == s
}

function chop(w, n) { return substr(w, 1, length(w) - n) }

# One simple inflection change, or w itself when no rule applies.
function inflect(w) {
    if (ends(w, "ones")) return chop(w, 4) "\303\263n"
    if (ends(w, "\303\263n")) return chop(w, 3) "ones"
    if (ends(w, "dades")) return chop(w, 2)
    if (ends(w, "dad")) return w "es"
    if (ends(w, "ales")) return chop(w, 2)
    if (ends(w, "al")) return w "es"
    if (ends(w, "ar")) return chop(w, 2) "ado"
    if (ends(w, "er") || ends(w, "ir")) return chop(w, 2) "ido"
    if (ends(w, "ndo")) return w                # a gerund has no plural
    if (ends(w, "os") || ends(w, "as")) return chop(w, 1)
    if (ends(w, "o") || ends(w, "a")) return w "s"
    return w
}

function is_content(w,    c) {
    c = w
    gsub(/\303/, "", c)                        # count characters, not bytes
    return length(c) >= 4 && w ~ /^([a-z]|\303[\200-\277])+$/ && !(w in stop)
}

# Whether word w is preferred for a query of kind k: accented words for
# "noaccent", words a suffix rule changes for "inflect".
function preferred(w, k) {
    if (k == "noaccent") return has_accent(w)
    if (k == "inflect") return inflect(w) != w
    return 1
}

# Split text into ntok lowercase word tokens tok[1..ntok] (punctuation and
# symbols out); sets ncontent and content positions cpos[1..ncontent].
function tokenize(text,    i, n, raw) {
    gsub(/\342\200[\200-\277]/, " ", text)     # U+2000..U+203F punctuation
    gsub(/\302[\200-\277]/, " ", text)         # U+0080..U+00BF (incl. ª º ° « »)
    gsub(/[^A-Za-z0-9\200-\377]+/, " ", text)
    n = split(text, raw, " ")
    ntok = 0; ncontent = 0
    for (i = 1; i <= n; i++) {
        if (raw[i] == "") continue
        tok[++ntok] = lower(raw[i])
        if (is_content(tok[ntok])) cpos[++ncontent] = ntok
    }
}

# Pick k distinct content positions into pick[1..k] in text order, avoiding
# positions marked in avoid[]; words preferred() for kind come first.
function pick_words(k, kind,    i, j, t, m, cand, nc, tmp, used) {
    nc = 0
    split("", used)
    for (i = 1; i <= ncontent; i++) {          # distinct words only
        if ((cpos[i] in avoid) || (tok[cpos[i]] in used)) continue
        used[tok[cpos[i]]]
        cand[++nc] = cpos[i]
    }
    for (i = nc; i > 1; i--) {                 # Fisher-Yates shuffle
        j = rnd(i) + 1
        t = cand[i]; cand[i] = cand[j]; cand[j] = t
    }
    m = 0                                      # stable: preferred ones first
    for (i = 1; i <= nc; i++) if (preferred(tok[cand[i]], kind)) tmp[++m] = cand[i]
    for (i = 1; i <= nc; i++) if (!preferred(tok[cand[i]], kind)) tmp[++m] = cand[i]
    for (i = 1; i <= nc; i++) cand[i] = tmp[i]
    if (k > nc) k = nc
    for (i = 1; i <= k; i++) pick[i] = cand[i]
    for (i = 2; i <= k; i++) {                 # insertion sort: text order
        t = pick[i]
        for (j = i - 1; j >= 1 && pick[j] > t; j--) pick[j + 1] = pick[j]
        pick[j + 1] = t
    }
    npick = k
}

# Build the query of one paragraph into q_out (indaga and Xapian syntax) and
# f_out (FTS5 syntax); qkind is the kind made ("phrase" falls back to "exact"
# when no three consecutive words fit).
function make_query(text, kind,    i, s, w, ok, tries) {
    tokenize(text)
    split("", avoid)
    q_out = ""; f_out = ""
    if (kind == "phrase") {
        ok = 0
        for (tries = 0; tries < 20 && !ok; tries++) {
            s = rnd(ntok - 2) + 1
            ok = is_content(tok[s]) && is_content(tok[s + 2]) && \
                 tok[s + 1] ~ /^([a-z]|\303[\200-\277])+$/
        }
        if (ok) {
            q_out = "\"" tok[s] " " tok[s + 1] " " tok[s + 2] "\""
            f_out = q_out
            avoid[s]; avoid[s + 1]; avoid[s + 2]
            pick_words(2, "")
            for (i = 1; i <= npick; i++) {
                q_out = q_out " " tok[pick[i]]
                f_out = f_out " \"" tok[pick[i]] "\""
            }
            qkind = kind
            return
        }
        kind = "exact"
    }
    pick_words(4, kind)
    for (i = 1; i <= npick; i++) {
        w = tok[pick[i]]
        if (kind == "inflect") w = inflect(w)
        else if (kind == "noaccent") w = strip_accents(w)
        q_out = q_out (q_out == "" ? "" : " ") w
        f_out = f_out (f_out == "" ? "" : " ") "\"" w "\""
    }
    qkind = kind
}

BEGIN {
    FS = "\t"
    state = (seed + 0 > 0) ? seed + 0 : 20171122
    if (count + 0 <= 0) count = 200
    nres = 2 * count
    nstop = split("para como este esta estos estas sobre entre desde hasta " \
        "seg\303\272n tambi\303\251n donde cual cuales cuando porque pero sino " \
        "dicho dicha dichos dichas otro otra otros otras todo toda todos todas " \
        "cada mismo misma mismos mismas ser\303\241 ser\303\241n sido sean " \
        "est\303\241 est\303\241n debe deben puede pueden tiene tienen haber " \
        "hace mediante aquellos aquellas ellos ellas nuestro nuestra cuyo cuya " \
        "cuyos cuyas dentro ante bajo hacia tras solo s\303\263lo menos adem\303\241s " \
        "siendo estar hayan haya m\303\241s as\303\255 tambi\303\251n a\303\272n contra " \
        "\303\251ste \303\251sta \303\251stos \303\251stas", sw, " ")
    for (i = 1; i <= nstop; i++) stop[sw[i]]
    seen = 0; inrec = 0
}

# A record header (only where a record may start: text is read by byte count,
# so a text line never passes for a header).
!inrec {
    if (NF != 4 || $4 !~ /^[0-9]+$/) {
        print "knownitem.awk: " FILENAME ": malformed record header at line " NR > "/dev/stderr"
        bad = 1; exit 2
    }
    doc = $1; part = $2; ord = $3; need = $4 + 1; text = ""; inrec = 1
    next
}

{
    text = text $0 "\n"
    if (length(text) < need) next
    inrec = 0
    text = substr(text, 1, need - 1)
    key = substr(text, 1, 60) "|" length(text)
    keycount[key]++
    tokenize(text)
    if (ntok < 12 || ncontent < 8) next
    seen++
    if (seen <= nres) slot = seen
    else { slot = rnd(seen) + 1; if (slot > nres) next }
    r_doc[slot] = doc; r_part[slot] = part; r_ord[slot] = ord
    r_text[slot] = text; r_key[slot] = key
}

END {
    if (bad) exit 2
    if (inrec) { print "knownitem.awk: " FILENAME ": truncated record of " doc > "/dev/stderr"; exit 2 }
    split("exact inflect noaccent phrase", kinds, " ")
    made = 0
    top = seen < nres ? seen : nres
    for (s = 1; s <= top && made < count; s++) {
        if (keycount[r_key[s]] != 1) continue
        make_query(r_text[s], kinds[made % 4 + 1])
        if (npick < 2) continue
        printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", corpus, r_doc[s], r_part[s], r_ord[s], \
               qkind, q_out, q_out, f_out
        made++
    }
    if (made < count)
        printf "knownitem.awk: %s: only %d of %d known items (too few distinct paragraphs)\n", \
               FILENAME, made, count > "/dev/stderr"
}
