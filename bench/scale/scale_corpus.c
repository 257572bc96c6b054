/* scale_corpus: grow a Markdown corpus to COPIES times its size for the
 * growth benchmark (bench/scale/run.sh, bench/RESULTS-scale.md).
 *
 *   scale_corpus SRC OUT COPIES [SEED]
 *
 * SRC is a tree of .md/.txt files (the Peruvian legislation); OUT must not
 * exist. OUT/c000/ receives SRC verbatim, OUT/c001/ .. OUT/cNNN/ one altered
 * copy each, under the same relative names, so that the 1x corpus is part of
 * every larger one. In copy k >= 1, file by file:
 *
 *   - the body is cut into paragraphs (runs of lines between blank lines);
 *     in each paragraph the words are shuffled among themselves
 *     (Fisher-Yates), while everything between them (spaces, punctuation,
 *     Markdown marks, line breaks) stays where it was: headings, lists and
 *     links keep their shape, the paragraph its length. A word is a maximal
 *     run of ASCII letters and digits, non-punctuation UTF-8 characters and HTML
 *     entities (&oacute;), joined over '.', ',', '/', '-' and '_' between two
 *     of those (1.234,50, D.S, 008-2023-SA, y/o move whole, so shuffling
 *     makes no new number or code out of pieces of others);
 *   - the front matter is kept line for line but for two lines: the words of
 *     `title:` are shuffled the same way, and `identifier:` gets `-cNNN`
 *     appended, so every document stays distinct; dates, status and the
 *     other fields are unchanged (filters and sorts see the same values);
 *   - the vocabulary grows as the corpus's own does: a first pass counts the
 *     word types (ASCII and Latin-1 capitals folded) as files are read in
 *     name order and fits Heaps' law V(n) = K n^beta on the vocabulary after
 *     1/16, 1/8, 1/4, 1/2 and all of the bytes. Copy k then respells a share
 *     p_k of the rare types (3+ bytes, in at most RARE_DF_SHARE of the
 *     documents, or in one when that share is under one) by appending `q`
 *     and the digits of k written with the letters b c f j k p t v x z (no
 *     Spanish suffix ends in those, so the stemmer keeps the new word
 *     whole), p_k chosen so that the vocabulary
 *     of copies 0..k follows V1 * (k+1)^beta. A type respelled in a copy is
 *     respelled at every one of its occurrences in that copy: its postings
 *     look like those of a real word of that frequency.
 *
 * Every choice comes from SEED (default 20171122) hashed with the copy, the
 * file's rank in name order and the paragraph's rank, so the output does not
 * depend on timing or on the order files are written. The figures (files,
 * bytes, types, beta, respelled types per copy) go to stdout as key=value.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RARE_DF_SHARE 0.01   /* "rare": in at most 1% of the documents */
#define MAX_COPIES 999
#define MAX_DEPTH 32

static const char *k_digits = "bcfjkptvxz";

static void die(const char *what, const char *path)
{
    int e = errno;
    fprintf(stderr, "scale_corpus: %s", what);
    if (path)
        fprintf(stderr, " '%s'", path);
    if (e)
        fprintf(stderr, ": %s", strerror(e));
    fputc('\n', stderr);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory", NULL);
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory", NULL);
    return p;
}

#define PATH_CAP 8192

/* out = a "/" b (just b when a is empty); a path too long is an error. */
static void path_join(char *out, const char *a, const char *b)
{
    int n = snprintf(out, PATH_CAP, "%s%s%s", a, *a ? "/" : "", b);
    if (n < 0 || n >= PATH_CAP) {
        errno = 0;
        die("path too long under", a);
    }
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t fnv1a(const unsigned char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* ---- the files, in name order ------------------------------------------- */

struct files {
    char **rel;   /* paths relative to SRC */
    size_t n, cap;
};

static int has_text_ext(const char *name)
{
    size_t n = strlen(name);
    return (n > 3 && strcasecmp(name + n - 3, ".md") == 0) ||
           (n > 4 && strcasecmp(name + n - 4, ".txt") == 0);
}

static void walk(const char *root, const char *rel, int depth, struct files *fs)
{
    char path[PATH_CAP];
    path_join(path, root, rel);
    if (depth > MAX_DEPTH)
        die("tree too deep at", path);
    DIR *d = opendir(path);
    if (!d)
        die("cannot open directory", path);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub[PATH_CAP], full[PATH_CAP];
        path_join(sub, rel, e->d_name);
        path_join(full, root, sub);
        struct stat st;
        if (lstat(full, &st) != 0)
            die("cannot stat", full);
        if (S_ISDIR(st.st_mode)) {
            walk(root, sub, depth + 1, fs);
        } else if (S_ISREG(st.st_mode) && has_text_ext(e->d_name)) {
            if (fs->n == fs->cap) {
                fs->cap = fs->cap ? fs->cap * 2 : 1024;
                fs->rel = xrealloc(fs->rel, fs->cap * sizeof *fs->rel);
            }
            fs->rel[fs->n++] = strdup(sub);
            if (!fs->rel[fs->n - 1])
                die("out of memory", NULL);
        }
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open", path);
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        die("cannot read", path);
    fclose(f);
    *len = n;
    return buf;
}

/* ---- words ---------------------------------------------------------------- */

/* Length of the word character at s[0..n), 0 when s[0] starts none: an
 * ASCII letter or digit, or a UTF-8 sequence other than Latin-1 punctuation
 * and spaces (U+0080..U+00BF but for ª µ º; × ÷), the general punctuation
 * block (U+2000..U+206F: spaces, dashes, quotes), U+3000 and U+FEFF. */
static size_t word_char(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len > n)
        return 1;   /* a cut sequence: one byte, kept with its word */
    uint32_t cp = c;
    if (len == 2)
        cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3Fu);
    else if (len == 3)
        cp = ((uint32_t)(c & 0x0F) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    if ((cp >= 0x80 && cp <= 0xBF && cp != 0xAA && cp != 0xB5 && cp != 0xBA) || cp == 0xD7 ||
        cp == 0xF7 || (cp >= 0x2000 && cp <= 0x206F) || cp == 0x3000 || cp == 0xFEFF)
        return 0;
    return len;
}

static int is_word_byte(const unsigned char *s, size_t n)
{
    return word_char(s, n) != 0;
}

/* Length of the HTML entity (&name; or &#123;) starting at s[0] == '&', or 0. */
static size_t entity_len(const unsigned char *s, size_t n)
{
    size_t i = 1;
    if (i < n && s[i] == '#')
        i++;
    size_t start = i;
    while (i < n && i < 12 && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                               (s[i] >= '0' && s[i] <= '9')))
        i++;
    return (i > start && i < n && s[i] == ';') ? i + 1 : 0;
}

/* Length of the word starting at s (0 when s[0] starts none). */
static size_t word_len(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t c = word_char(s + i, n - i);
        if (c) {
            i += c;
        } else if (s[i] == '&') {
            size_t e = entity_len(s + i, n - i);
            if (!e)
                break;
            i += e;
        } else if (i > 0 && i + 1 < n && strchr(".,/-_", s[i]) && s[i - 1] < 0x80 &&
                   is_word_byte(s + i - 1, 1) && is_word_byte(s + i + 1, n - i - 1)) {
            i++;   /* 1.234,5  D.S  008-2023-SA  y/o: one unit, never split */
        } else {
            break;
        }
    }
    return i;
}

/* The type of a word: ASCII and Latin-1 capitals (UTF-8 C3 80..9E) folded. */
static void fold(const unsigned char *w, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = w[i];
        if (c >= 'A' && c <= 'Z') {
            out[i] = (unsigned char)(c + 32);
        } else if (c == 0xC3 && i + 1 < n) {
            unsigned char d = w[i + 1];
            out[i] = c;
            out[i + 1] = (d >= 0x80 && d <= 0x9E && d != 0x97) ? (unsigned char)(d + 0x20) : d;
            i++;
        } else {
            out[i] = c;
        }
    }
}

/* ---- the vocabulary: an open-addressing table of types -------------------- */

struct type {
    uint64_t hash;
    uint32_t off, len;    /* in the arena */
    uint32_t df;          /* documents it occurs in */
    uint32_t last_doc;    /* the last document counted, plus one */
};

struct vocab {
    struct type *slot;
    size_t cap, n;
    unsigned char *arena;
    size_t arena_len, arena_cap;
};

static void vocab_grow(struct vocab *v)
{
    size_t cap = v->cap ? v->cap * 2 : 1 << 16;
    struct type *slot = calloc(cap, sizeof *slot);
    if (!slot)
        die("out of memory", NULL);
    for (size_t i = 0; i < v->cap; i++) {
        if (!v->slot[i].len)
            continue;
        size_t j = v->slot[i].hash & (cap - 1);
        while (slot[j].len)
            j = (j + 1) & (cap - 1);
        slot[j] = v->slot[i];
    }
    free(v->slot);
    v->slot = slot;
    v->cap = cap;
}

static struct type *vocab_find(struct vocab *v, const unsigned char *w, size_t n, uint64_t h,
                               int add)
{
    if (add && (v->n + 1) * 2 > v->cap)
        vocab_grow(v);
    if (!v->cap)
        return NULL;
    size_t j = h & (v->cap - 1);
    while (v->slot[j].len) {
        struct type *t = &v->slot[j];
        if (t->hash == h && t->len == n && memcmp(v->arena + t->off, w, n) == 0)
            return t;
        j = (j + 1) & (v->cap - 1);
    }
    if (!add)
        return NULL;
    if (v->arena_len + n > v->arena_cap) {
        v->arena_cap = (v->arena_cap + n) * 2;
        v->arena = xrealloc(v->arena, v->arena_cap);
    }
    if (v->arena_len + n > UINT32_MAX)
        die("vocabulary too large", NULL);
    memcpy(v->arena + v->arena_len, w, n);
    struct type *t = &v->slot[j];
    t->hash = h;
    t->off = (uint32_t)v->arena_len;
    t->len = (uint32_t)n;
    v->arena_len += n;
    v->n++;
    return t;
}

/* ---- one file --------------------------------------------------------------- */

/* Where the front matter ends (just past its closing "---" line), 0 if none. */
static size_t front_matter_end(const unsigned char *s, size_t n)
{
    if (n < 4 || memcmp(s, "---", 3) != 0 || (s[3] != '\n' && s[3] != '\r'))
        return 0;
    size_t i = 3;
    while (i < n) {
        const unsigned char *nl = memchr(s + i, '\n', n - i);
        if (!nl)
            return 0;
        i = (size_t)(nl - s) + 1;
        if (n - i >= 3 && memcmp(s + i, "---", 3) == 0 &&
            (n - i == 3 || s[i + 3] == '\n' || s[i + 3] == '\r')) {
            const unsigned char *e = memchr(s + i, '\n', n - i);
            return e ? (size_t)(e - s) + 1 : n;
        }
    }
    return 0;
}

static void count_words(struct vocab *v, const unsigned char *s, size_t n, uint32_t doc)
{
    unsigned char key[256];
    size_t i = 0;
    while (i < n) {
        size_t w = word_len(s + i, n - i);
        if (!w) {
            i++;
            continue;
        }
        if (w <= sizeof key) {
            fold(s + i, w, key);
            struct type *t = vocab_find(v, key, w, fnv1a(key, w), 1);
            if (t->last_doc != doc + 1) {
                t->last_doc = doc + 1;
                t->df++;
            }
        }
        i += w;
    }
}

struct out {
    unsigned char *buf;
    size_t len, cap;
};

static void put(struct out *o, const void *p, size_t n)
{
    if (o->len + n > o->cap) {
        o->cap = (o->len + n) * 2;
        o->buf = xrealloc(o->buf, o->cap);
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

struct copy {
    unsigned k;
    uint64_t seed;
    uint64_t respell_below;   /* a rare type is respelled when its hash mix is below */
    char suffix[16];
    size_t suffix_len;
    const struct vocab *vocab;
    uint32_t rare_df;
    /* scratch */
    size_t *wstart, *wlen, wcap;
};

static int respelled(const struct copy *c, const unsigned char *w, size_t n)
{
    unsigned char key[256];
    if (n < 3 || n > sizeof key)
        return 0;
    fold(w, n, key);
    uint64_t h = fnv1a(key, n);
    const struct type *t = vocab_find((struct vocab *)c->vocab, key, n, h, 0);
    if (!t || t->df > c->rare_df)
        return 0;
    return mix64(h ^ mix64(c->seed + c->k)) < c->respell_below;
}

/* Writes s[0..n) with its words shuffled (and rare ones respelled). */
static void shuffle_span(struct copy *c, const unsigned char *s, size_t n, uint64_t rng,
                         struct out *o)
{
    size_t nw = 0;
    for (size_t i = 0; i < n;) {
        size_t w = word_len(s + i, n - i);
        if (!w) {
            i++;
            continue;
        }
        if (nw == c->wcap) {
            c->wcap = c->wcap ? c->wcap * 2 : 256;
            c->wstart = xrealloc(c->wstart, c->wcap * sizeof *c->wstart);
            c->wlen = xrealloc(c->wlen, c->wcap * sizeof *c->wlen);
        }
        c->wstart[nw] = i;
        c->wlen[nw] = w;
        nw++;
        i += w;
    }
    /* The permutation: order[j] is the word written in slot j. */
    size_t *order = xmalloc((nw ? nw : 1) * sizeof *order);
    for (size_t j = 0; j < nw; j++)
        order[j] = j;
    for (size_t j = nw; j > 1; j--) {
        rng = mix64(rng + 0x9e3779b97f4a7c15ULL);
        size_t r = (size_t)(rng % j);
        size_t t = order[j - 1];
        order[j - 1] = order[r];
        order[r] = t;
    }
    size_t at = 0;
    for (size_t j = 0; j < nw; j++) {
        put(o, s + at, c->wstart[j] - at);
        const unsigned char *w = s + c->wstart[order[j]];
        size_t wl = c->wlen[order[j]];
        put(o, w, wl);
        if (respelled(c, w, wl))
            put(o, c->suffix, c->suffix_len);
        at = c->wstart[j] + c->wlen[j];
    }
    put(o, s + at, n - at);
    free(order);
}

static int blank_line(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

static void alter_file(struct copy *c, size_t file_rank, const unsigned char *s, size_t n,
                       struct out *o)
{
    uint64_t base = mix64(c->seed ^ mix64(((uint64_t)c->k << 40) ^ file_rank));
    size_t fm = front_matter_end(s, n);
    size_t i = 0;
    /* Front matter: line by line. */
    while (i < fm) {
        const unsigned char *nl = memchr(s + i, '\n', fm - i);
        size_t e = nl ? (size_t)(nl - s) + 1 : fm;
        size_t body = e;
        while (body > i && (s[body - 1] == '\n' || s[body - 1] == '\r'))
            body--;
        if (e - i > 6 && memcmp(s + i, "title:", 6) == 0) {
            put(o, "title:", 6);
            shuffle_span(c, s + i + 6, e - i - 6, mix64(base ^ 0x7469746c65ULL), o);
        } else if (e - i > 11 && memcmp(s + i, "identifier:", 11) == 0) {
            char tag[16];
            int tl = snprintf(tag, sizeof tag, "-c%03u", c->k);
            size_t vend = body;
            int quoted = vend > i && (s[vend - 1] == '\'' || s[vend - 1] == '"');
            if (quoted)
                vend--;
            put(o, s + i, vend - i);
            put(o, tag, (size_t)tl);
            put(o, s + vend, e - vend);
        } else {
            put(o, s + i, e - i);
        }
        i = e;
    }
    /* Body: paragraphs between blank lines. */
    uint64_t para = 0;
    while (i < n) {
        size_t start = i, end = i;
        /* Blank lines go out as they are. */
        for (;;) {
            const unsigned char *nl = memchr(s + end, '\n', n - end);
            size_t e = nl ? (size_t)(nl - s) + 1 : n;
            if (!blank_line(s + end, e - end - (nl ? 1 : 0)))
                break;
            end = e;
            if (end >= n)
                break;
        }
        put(o, s + start, end - start);
        if (end >= n)
            break;
        /* The paragraph: lines up to the next blank one. */
        size_t p = end, q = end;
        while (q < n) {
            const unsigned char *nl = memchr(s + q, '\n', n - q);
            size_t e = nl ? (size_t)(nl - s) + 1 : n;
            if (blank_line(s + q, e - q - (nl ? 1 : 0)))
                break;
            q = e;
        }
        shuffle_span(c, s + p, q - p, mix64(base + ++para), o);
        i = q;
    }
}

static void mkdirs(const char *path)
{
    char buf[PATH_CAP];
    path_join(buf, "", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            die("cannot create directory", buf);
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        die("cannot create directory", buf);
    errno = 0;
}

static void write_all(const char *path, const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        die("cannot create", path);
    if (fwrite(p, 1, n, f) != n || fclose(f) != 0)
        die("cannot write", path);
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: scale_corpus SRC OUT COPIES [SEED]\n");
        return 2;
    }
    const char *src = argv[1], *dst = argv[2];
    char *end;
    long copies = strtol(argv[3], &end, 10);
    if (*end || copies < 1 || copies > MAX_COPIES) {
        fprintf(stderr, "scale_corpus: COPIES must be 1..%d, not '%s'\n", MAX_COPIES, argv[3]);
        return 2;
    }
    uint64_t seed = 20171122;
    if (argc == 5) {
        seed = strtoull(argv[4], &end, 10);
        if (*end) {
            fprintf(stderr, "scale_corpus: SEED must be a number, not '%s'\n", argv[4]);
            return 2;
        }
    }
    struct stat st;
    if (stat(dst, &st) == 0) {
        fprintf(stderr, "scale_corpus: '%s' exists; remove it first\n", dst);
        return 2;
    }
    errno = 0;

    struct files fs = {0};
    walk(src, "", 0, &fs);
    if (!fs.n) {
        fprintf(stderr, "scale_corpus: no .md or .txt file under '%s'\n", src);
        return 1;
    }
    qsort(fs.rel, fs.n, sizeof *fs.rel, cmp_str);

    /* Pass 1: the vocabulary, its growth, document frequencies. */
    struct vocab v = {0};
    uint64_t total = 0;
    for (size_t i = 0; i < fs.n; i++) {
        char path[PATH_CAP];
        path_join(path, src, fs.rel[i]);
        struct stat fst;
        if (stat(path, &fst) != 0)
            die("cannot stat", path);
        total += (uint64_t)fst.st_size;
    }
    double vx[5], vy[5];
    int nv = 0;
    uint64_t seen = 0;
    for (size_t i = 0; i < fs.n; i++) {
        char path[PATH_CAP];
        path_join(path, src, fs.rel[i]);
        size_t len;
        unsigned char *s = read_all(path, &len);
        count_words(&v, s, len, (uint32_t)i);
        free(s);
        uint64_t before = seen;
        seen += len;
        for (int f = 4; f >= 0; f--) {   /* 1/16, 1/8, 1/4, 1/2, 1 */
            uint64_t mark = total >> f;
            if (before < mark && seen >= mark) {
                vx[nv] = log((double)seen);
                vy[nv] = log((double)v.n);
                nv++;
            }
        }
    }
    double beta = 0.5;
    if (nv >= 2) {   /* least squares of log V on log bytes */
        double mx = 0, my = 0, sxy = 0, sxx = 0;
        for (int j = 0; j < nv; j++) {
            mx += vx[j] / nv;
            my += vy[j] / nv;
        }
        for (int j = 0; j < nv; j++) {
            sxy += (vx[j] - mx) * (vy[j] - my);
            sxx += (vx[j] - mx) * (vx[j] - mx);
        }
        if (sxx > 0)
            beta = sxy / sxx;
    }
    uint32_t rare_df = (uint32_t)(RARE_DF_SHARE * (double)fs.n);
    if (rare_df < 1)
        rare_df = 1;   /* a small tree: the words of one document */
    size_t rare = 0;
    for (size_t j = 0; j < v.cap; j++) {
        const struct type *t = &v.slot[j];
        if (t->len >= 3 && t->df <= rare_df)
            rare++;
    }
    printf("files=%zu bytes=%llu types=%zu rare_types=%zu rare_df=%u heaps_beta=%.3f "
           "heaps_points=%d\n",
           fs.n, (unsigned long long)total, v.n, rare, rare_df, beta, nv);

    /* Pass 2: the copies. */
    struct out o = {0};
    struct copy c = {0};
    c.seed = seed;
    c.vocab = &v;
    c.rare_df = rare_df;
    for (unsigned k = 0; k < (unsigned)copies; k++) {
        char dir[PATH_CAP], cname[16];
        snprintf(cname, sizeof cname, "c%03u", k);
        path_join(dir, dst, cname);
        c.k = k;
        double p = 0;
        if (k > 0 && rare) {
            p = (double)v.n / (double)rare * (pow(k + 1.0, beta) - pow((double)k, beta));
            if (p > 1)
                p = 1;
        }
        c.respell_below = p >= 1 ? UINT64_MAX : (uint64_t)(p * 18446744073709551616.0);
        char digits[8];
        int nd = snprintf(digits, sizeof digits, "%u", k);
        c.suffix[0] = 'q';
        for (int j = 0; j < nd; j++)
            c.suffix[1 + j] = k_digits[digits[j] - '0'];
        c.suffix_len = (size_t)nd + 1;
        uint64_t written = 0;
        for (size_t i = 0; i < fs.n; i++) {
            char in[PATH_CAP], outp[PATH_CAP];
            path_join(in, src, fs.rel[i]);
            path_join(outp, dir, fs.rel[i]);
            char *slash = strrchr(outp, '/');
            *slash = 0;
            mkdirs(outp);
            *slash = '/';
            size_t len;
            unsigned char *s = read_all(in, &len);
            if (k == 0) {
                write_all(outp, s, len);
                written += len;
            } else {
                o.len = 0;
                alter_file(&c, i, s, len, &o);
                write_all(outp, o.buf, o.len);
                written += o.len;
            }
            free(s);
        }
        printf("copy=%u respell_share=%.4f suffix=%.*s bytes=%llu\n", k, p, (int)c.suffix_len,
               c.suffix, (unsigned long long)written);
        fflush(stdout);
    }
    free(o.buf);
    free(c.wstart);
    free(c.wlen);
    for (size_t i = 0; i < fs.n; i++)
        free(fs.rel[i]);
    free(fs.rel);
    free(v.slot);
    free(v.arena);
    return 0;
}
