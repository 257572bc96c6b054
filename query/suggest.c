/*
** suggest.c: "¿Quisiste decir …?", corrections of query words from the
** index's own vocabulary.
**
** Which words. The searched words of the query (QN_WORD and QN_PHRASE
** text, not under NOT, not filters or prefixes), analysed as the query is:
** a word is checked when its key is at least QS_MIN_CP letters and holds no
** digit, and it is no stopword. Its frequency is the paragraphs holding its
** own term or any term of its key (summed over segments: an upper bound).
** A word held by no paragraph gets the best close key; a word held by fewer
** than QS_RARE paragraphs gets a close key only when that key is held
** QS_RATIO times as often and is at most one edit away (a rare word next to
** a frequent one is most often its typo: "terrorimso").
**
** The distance. Between accent-free keys (so a missing accent costs
** nothing already), on codepoints, in tenths of an edit: the weighted
** Damerau-Levenshtein distance with the confusions of Spanish spelling made
** cheap:
**
**   b/v 3   c/s s/z c/z 4   g/j 4   i/y 5   ñ/n 4   c/k q/k 5   m/n 6   x/s 6
**   h written or left out 3          a letter doubled or undoubled 3
**   ll/y 3 (two letters for one)     two letters swapped 8
**   any other substitution, insertion or deletion 10
**
** A word of QS_MIN_CP..5 letters may be 1 edit away, a longer one 1.5
** (one edit and one cheap confusion): with 2 every two-letter prefix is
** within reach and the walk reads four times as many keys. Among the keys within reach the best is the one with the
** lowest distance - 2 * log10(1 + paragraphs) (in edits): frequent words win
** ties, and a key 100 times as frequent may be 0.4 edit further.
**
** The cost: no scan of the vocabulary. The keys are sorted (segment
** vocabulary, front-coded blocks of 16 with a block index), so the walk is
** that of a trie: the dynamic-programming rows of a key's prefix are kept
** and reused by the next key that shares the prefix, and as soon as a
** prefix is out of reach (every cell of its row above the bound) the walk
** seeks past every key with that prefix (seg_vocab_walk), as Lucene's
** FuzzyQuery intersects its automaton with the terms dictionary: to the
** next sibling prefix within reach, only a few letters can be (the word's,
** their cheap confusions, h, l, a doubling; skip_sibling). One walk
** merges the segments' sorted keys (a key held by several is visited once,
** its rows computed once). A walk visits at most QS_MAX_VISIT keys per word
** and segment (the keys it visits are the union of those of one walk per
** segment, a key's visit depending on its prefixes only) and keeps the
** QS_MAX_CAND closest keys; a query has at most QS_MAX_WORDS checked words
** and QS_MAX_QUERY_VISIT keys read in all (words past it get no
** correction). On the legislation index (287 MB, 4 segments, 232k terms)
** the query "Machu Picchu" (two rare words, each walked) took 5.1 ms of
** CPU with one walk per segment and a seek past each prefix out of reach,
** 2.1 ms with the merged walk and the sibling seeks.
*/
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "query/suggest.h"
#include "stemmer/analyzer_int.h"

#define QS_MIN_CP    4        /* shorter words are never corrected */
#define QS_MAX_CP    32       /* nor longer ones */
#define QS_EXTRA     4        /* a key at most this many codepoints longer than the word */
#define QS_MAX_VISIT 50000u   /* keys one word's walk may visit, per segment */
#define QS_MAX_QUERY_VISIT 200000u   /* keys all walks of one query may visit */
#define QS_MAX_CAND  64       /* closest keys kept per word */
#define QS_MAX_WORDS 16       /* words checked per query */
#define QS_RARE      20       /* a word in fewer paragraphs may be a typo of a frequent one */
#define QS_RATIO     100      /* ... held this many times as often, at most QS_RARE_DIST away */
#define QS_RARE_DIST 10
#define QS_ROWS      (QS_MAX_CP + QS_EXTRA)

/* The bound, in tenths of an edit, for a word of @m codepoints. */
static unsigned max_dist(unsigned m) { return m <= 5 ? 10 : 15; }

/**************************************************************************
** Costs
*/
static int pair(int32_t x, int32_t y, int32_t p, int32_t q) {
  return (x == p && y == q) || (x == q && y == p);
}

/* Substituting @x (key) for @y (word). */
static unsigned sub_cost(int32_t x, int32_t y) {
  if (x == y) return 0;
  if (pair(x, y, 'b', 'v')) return 3;
  if (pair(x, y, 'c', 's') || pair(x, y, 's', 'z') || pair(x, y, 'c', 'z')) return 4;
  if (pair(x, y, 'g', 'j') || pair(x, y, 0xF1, 'n')) return 4;
  if (pair(x, y, 'i', 'y') || pair(x, y, 'c', 'k') || pair(x, y, 'q', 'k')) return 5;
  if (pair(x, y, 'm', 'n') || pair(x, y, 'x', 's')) return 6;
  return 10;
}

/* Leaving out s[i] (written in one word, absent from the other). */
static unsigned gap_cost(const int32_t *s, unsigned i) {
  if (s[i] == 'h') return 3;
  if (i > 0 && s[i] == s[i - 1]) return 3;
  return 10;
}

/*
** Row i of the table for key codepoints k[0..i) against word a[0..m), from
** rows i-1 and i-2 (r[i - 2] is read only when i >= 2).
*/
static void dp_row(uint16_t (*r)[QS_MAX_CP + 1], unsigned i, const int32_t *k, const int32_t *a,
                   unsigned m) {
  uint16_t *R = r[i];
  const uint16_t *P = r[i - 1];
  int32_t b = k[i - 1];
  unsigned ins = gap_cost(k, i - 1);
  R[0] = (uint16_t)(P[0] + ins);
  for (unsigned j = 1; j <= m; j++) {
    unsigned v = P[j - 1] + sub_cost(b, a[j - 1]);
    unsigned d = R[j - 1] + gap_cost(a, j - 1);
    if (d < v) v = d;
    d = P[j] + ins;
    if (d < v) v = d;
    if (i >= 2 && j >= 2 && b == a[j - 2] && k[i - 2] == a[j - 1] && b != a[j - 1] &&
        r[i - 2][j - 2] + 8u < v)
      v = r[i - 2][j - 2] + 8u;
    if (i >= 2 && k[i - 2] == 'l' && b == 'l' && a[j - 1] == 'y' && r[i - 2][j - 1] + 3u < v)
      v = r[i - 2][j - 1] + 3u;
    if (j >= 2 && a[j - 2] == 'l' && a[j - 1] == 'l' && b == 'y' && P[j - 2] + 3u < v)
      v = P[j - 2] + 3u;
    R[j] = (uint16_t)(v > 60000 ? 60000 : v);
  }
}

static void dp_row0(uint16_t *R, const int32_t *a, unsigned m) {
  R[0] = 0;
  for (unsigned j = 1; j <= m; j++) R[j] = (uint16_t)(R[j - 1] + gap_cost(a, j - 1));
}

/* Codepoints of UTF-8 p[0..n) into cp: their count, or max + 1 when more than max. */
static unsigned decode(const char *p, size_t n, int32_t *cp, unsigned max) {
  unsigned c = 0;
  size_t i = 0;
  while (i < n && c < max) {
    size_t len;
    int32_t x = utf8_decode((const unsigned char *)p + i, n - i, &len);
    cp[c++] = x < 0 ? 0xFFFD : x;
    i += len;
  }
  return i < n ? max + 1 : c;
}

unsigned qs_distance(const char *x, size_t nx, const char *y, size_t ny, unsigned max) {
  int32_t kx[QS_ROWS], ay[QS_MAX_CP];
  static const unsigned big = 60000;
  unsigned nk = decode(x, nx, kx, QS_ROWS), m = decode(y, ny, ay, QS_MAX_CP);
  if (nk > QS_ROWS || m > QS_MAX_CP) return max + 1;
  uint16_t r[QS_ROWS + 1][QS_MAX_CP + 1];
  dp_row0(r[0], ay, m);
  for (unsigned i = 1; i <= nk; i++) dp_row(r, i, kx, ay, m);
  unsigned d = r[nk][m];
  return d > max || d >= big ? max + 1 : d;
}

/**************************************************************************
** The walk over one segment's sorted keys
*/
typedef struct cand {
  char *key;              /* in the arena */
  size_t nkey;
  unsigned dist;
  uint64_t df;
} cand;

typedef struct walk {
  const int32_t *a;       /* the word's codepoints */
  unsigned m, maxd;
  const char *self;       /* the word's own key: not a candidate */
  size_t nself;
  uint16_t rows[QS_ROWS + 1][QS_MAX_CP + 1];
  int32_t kc[QS_ROWS];    /* codepoints of the rows' key prefix */
  size_t koff[QS_ROWS + 1];   /* byte end of each of them */
  unsigned nrows;         /* rows[1..nrows] are valid for kc[0..nrows) */
  char prev[IA_MAX_WORD + 1]; /* the key the rows were computed on */
  size_t nprev;
  char seek[IA_MAX_WORD + 4];   /* a prefix of a key and one codepoint */
  uint64_t visited, maxvisit;
  cand *c;                /* the closest keys, QS_MAX_CAND at most */
  size_t nc;
  qa_arena *arena;
  uint64_t budget;        /* keys the query's walks may still read (not reset per word) */
} walk;

/* Keep key k within reach: a new key, or a closer distance for one kept. */
static int keep(walk *w, const char *k, size_t nk, unsigned d) {
  for (size_t i = 0; i < w->nc; i++)
    if (w->c[i].nkey == nk && memcmp(w->c[i].key, k, nk) == 0) {
      if (d < w->c[i].dist) w->c[i].dist = d;
      return INDAGA_OK;
    }
  size_t slot = w->nc;
  if (w->nc == QS_MAX_CAND) {   /* full: replace the farthest if this one is closer */
    slot = 0;
    for (size_t i = 1; i < w->nc; i++) if (w->c[i].dist > w->c[slot].dist) slot = i;
    if (w->c[slot].dist <= d) return INDAGA_OK;
  } else {
    w->nc++;
  }
  w->c[slot].key = qa_strndup(w->arena, k, nk);
  w->c[slot].nkey = nk;
  w->c[slot].dist = d;
  w->c[slot].df = 0;
  return w->c[slot].key ? INDAGA_OK : INDAGA_ENOMEM;
}

/* Seek past every key starting with k[0..n): 2, or 1 (stop) when none can follow. */
static int skip_prefix(walk *w, const char *k, size_t n, const char **seek, size_t *nseek) {
  memcpy(w->seek, k, n);
  while (n > 0 && (unsigned char)w->seek[n - 1] == 0xFF) n--;
  if (n == 0) return 1;
  w->seek[n - 1] = (char)((unsigned char)w->seek[n - 1] + 1);
  *seek = w->seek;
  *nseek = n;
  return 2;
}

/* Row i's smallest cell: within reach when at most w->maxd. */
static unsigned row_min(const walk *w, unsigned i) {
  unsigned lo = w->rows[i][0];
  for (unsigned j = 1; j <= w->m && lo > w->maxd; j++) if (w->rows[i][j] < lo) lo = w->rows[i][j];
  return lo;
}

/* Bytes x[0..nx) against y[0..ny), as the vocabulary sorts them. */
static int bytes_cmp(const unsigned char *x, size_t nx, const unsigned char *y, size_t ny) {
  int c = memcmp(x, y, nx < ny ? nx : ny);
  return c ? c : nx < ny ? -1 : nx > ny;
}

/*
** Key k's codepoint i - 1, ending at byte off, put its prefix out of reach:
** seek its next sibling within reach. A letter costs 10 against any other
** unless it is one of the word's, a cheap confusion of one, 'h', 'l' or the
** letter before it (a doubling), and costs are never above 10, so a letter
** outside that set gives a row no lower than the one out of reach: only
** those letters after it are tried. The first within reach (in the
** vocabulary's byte order) is sought; with none, every key with the
** parent prefix is passed over. U+FFFD (an invalid byte) within reach
** keeps the plain seek past this prefix: where such keys sort is unknown.
*/
static int skip_sibling(walk *w, const char *k, unsigned i, size_t off, const char **seek,
                        size_t *nseek) {
  static const int32_t extra[] = { 'b', 'v', 'c', 's', 'z', 'g', 'j', 0xF1, 'n', 'i', 'y',
                                   'k', 'q', 'm', 'x', 'h', 'l', 0xFFFD };
  size_t pe = w->koff[i - 1];   /* the parent prefix k[0..pe) */
  const unsigned char *cur = (const unsigned char *)k + pe;
  size_t ncur = off - pe;
  int32_t x = w->kc[i - 1];
  unsigned char best[4], t[4];
  size_t nbest = 0;
  int fallback = 0;
  unsigned nc = w->m + (unsigned)(sizeof extra / sizeof *extra) + 1;
  for (unsigned n = 0; n < nc; n++) {
    int32_t c = n < w->m ? w->a[n] : n < nc - 1 ? extra[n - w->m] : i >= 2 ? w->kc[i - 2] : 'h';
    size_t nt = utf8_encode(c, t);
    int wanted = c == 0xFFFD || (nt > 0 && bytes_cmp(t, nt, cur, ncur) > 0 &&
                                 (!nbest || bytes_cmp(t, nt, best, nbest) < 0));
    if (!wanted) continue;
    w->kc[i - 1] = c;
    dp_row(w->rows, i, w->kc, w->a, w->m);
    if (row_min(w, i) > w->maxd) continue;
    if (c == 0xFFFD) { fallback = 1; break; }
    memcpy(best, t, nt);
    nbest = nt;
  }
  w->kc[i - 1] = x;
  w->nrows = i - 1;   /* row i was overwritten */
  if (fallback) return skip_prefix(w, k, off, seek, nseek);
  if (!nbest) return skip_prefix(w, k, pe, seek, nseek);
  memcpy(w->seek, k, pe);
  memcpy(w->seek + pe, best, nbest);
  *seek = w->seek;
  *nseek = pe + nbest;
  return 2;
}

static int walk_key(void *ctx, const char *k, size_t nk, const char **seek, size_t *nseek) {
  walk *w = ctx;
  if (++w->visited > w->maxvisit || w->budget == 0 || nk > IA_MAX_WORD) return 1;
  w->budget--;
  /* rows still valid: those of the codepoints within the prefix shared with the last key */
  size_t c = 0;
  while (c < nk && c < w->nprev && k[c] == w->prev[c]) c++;
  unsigned i = 0;
  while (i < w->nrows && w->koff[i + 1] <= c) i++;
  memcpy(w->prev, k, nk);
  w->nprev = nk;
  size_t off = w->koff[i];
  unsigned lim = w->m + QS_EXTRA;
  while (off < nk) {
    if (i == lim) {   /* every key with this prefix is too long */
      w->nrows = i;
      return skip_prefix(w, k, off, seek, nseek);
    }
    size_t len;
    int32_t x = utf8_decode((const unsigned char *)k + off, nk - off, &len);
    w->kc[i] = x < 0 ? 0xFFFD : x;
    off += len;
    w->koff[i + 1] = off;
    i++;
    dp_row(w->rows, i, w->kc, w->a, w->m);
    if (row_min(w, i) > w->maxd)   /* no key with this prefix is within reach */
      return skip_sibling(w, k, i, off, seek, nseek);
  }
  w->nrows = i;
  unsigned d = w->rows[i][w->m];
  if (d <= w->maxd && !(nk == w->nself && memcmp(k, w->self, nk) == 0))
    return keep(w, k, nk, d) == INDAGA_OK ? 0 : 1;
  return 0;
}

/**************************************************************************
** Frequencies
*/
typedef struct df_ctx {
  const seg_reader *r;
  uint64_t df;
  const char *skip;       /* a term already counted */
  size_t nskip;
  int err;
} df_ctx;

static int add_term_df(void *ctx, const char *t, size_t nt) {
  df_ctx *d = ctx;
  if (d->skip && nt == d->nskip && memcmp(t, d->skip, nt) == 0) return 0;
  seg_term st;
  int rc = seg_term_get(d->r, t, nt, &st);
  if (rc < 0) { d->err = rc; return 1; }
  if (rc == 1) d->df += st.df;
  return 0;
}

/*
** Paragraphs holding term @t (may be NULL) or any term of key @k, summed
** over the segments of @s, into *df. Returns INDAGA_OK or <0.
*/
static int key_df(const ix_snapshot *s, const char *t, size_t nt, const char *k, size_t nk, uint64_t *df) {
  *df = 0;
  for (size_t i = 0; i < ix_nsegs(s); i++) {
    df_ctx d = { ix_seg(s, i), 0, t, nt, 0 };
    if (t) {
      seg_term st;
      int rc = seg_term_get(d.r, t, nt, &st);
      if (rc < 0) return rc;
      if (rc == 1) d.df += st.df;
    }
    int rc = seg_vocab_get(d.r, k, nk, add_term_df, &d);
    if (rc < 0) return rc;
    if (d.err) return d.err;
    *df += d.df;
  }
  return INDAGA_OK;
}

/**************************************************************************
** One word
*/
typedef struct word {
  const char *term, *key;   /* in the arena */
  size_t nterm, nkey;
  const char *fix;          /* its correction (a key), or NULL */
  size_t nfix;
  int unknown;              /* no paragraph holds the word */
} word;

/*
** The correction of @w, or none (w->fix NULL). @wk is a scratch walk
** (large: its table) reused across words.
*/
static int correct(qa_arena *a, const ix_snapshot *s, word *w, walk *wk, char **err) {
  int32_t cps[QS_MAX_CP];
  unsigned m = decode(w->key, w->nkey, cps, QS_MAX_CP);
  w->fix = NULL;
  if (m < QS_MIN_CP || m > QS_MAX_CP) return INDAGA_OK;
  uint64_t df;
  int rc = key_df(s, w->term, w->nterm, w->key, w->nkey, &df);
  if (rc) goto corrupt;
  if (df >= QS_RARE || wk->budget == 0) return INDAGA_OK;
  w->unknown = df == 0;
  memset(wk, 0, offsetof(walk, rows));
  wk->nc = 0;
  wk->a = cps;
  wk->m = m;
  wk->maxd = df ? QS_RARE_DIST : max_dist(m);
  wk->self = w->key;
  wk->nself = w->nkey;
  wk->c = qa_alloc(a, QS_MAX_CAND * sizeof *wk->c);
  wk->arena = a;
  if (!wk->c) return INDAGA_ENOMEM;
  size_t nseg = ix_nsegs(s);
  const seg_reader **segs = qa_alloc(a, (nseg ? nseg : 1) * sizeof *segs);
  if (!segs) return INDAGA_ENOMEM;
  for (size_t i = 0; i < nseg; i++) segs[i] = ix_seg(s, i);
  wk->nrows = 0;
  wk->nprev = 0;
  wk->visited = 0;
  wk->maxvisit = QS_MAX_VISIT * (uint64_t)(nseg ? nseg : 1);
  dp_row0(wk->rows[0], cps, m);
  wk->koff[0] = 0;
  rc = seg_vocab_walk(segs, nseg, walk_key, wk);
  if (rc) goto corrupt;
  if (a->err) return INDAGA_ENOMEM;
  double best = 0;
  for (size_t i = 0; i < wk->nc; i++) {
    cand *c = &wk->c[i];
    if ((rc = key_df(s, NULL, 0, c->key, c->nkey, &c->df)) != INDAGA_OK) goto corrupt;
    if (c->df == 0 || (df && c->df < df * QS_RATIO)) continue;
    double score = c->dist / 10.0 - 0.2 * log10(1.0 + (double)c->df);
    if (!w->fix || score < best) {
      best = score;
      w->fix = c->key;
      w->nfix = c->nkey;
    }
  }
  return INDAGA_OK;
corrupt:
  if (rc == INDAGA_ENOMEM) return rc;
  if (!*err) *err = indaga__sprintf("index: %s while looking up suggestions", indaga_strerror(rc));
  return rc;
}

/**************************************************************************
** The query
*/
typedef struct words {
  qa_arena *a;
  word v[QS_MAX_WORDS];
  size_t n;
  int rc;
} words;

/* Analyzer callback: a searched word that may be corrected, kept once. */
static int add_word(void *ctx, const ia_token *t) {
  words *ws = ctx;
  if (t->flags & (TOK_STOP | TOK_SYMBOL | TOK_NUMBER | TOK_PART)) return 0;
  for (size_t i = 0; i < t->nkey; i++) if (t->key[i] >= '0' && t->key[i] <= '9') return 0;
  for (size_t i = 0; i < ws->n; i++)
    if (ws->v[i].nkey == t->nkey && memcmp(ws->v[i].key, t->key, t->nkey) == 0) return 0;
  if (ws->n == QS_MAX_WORDS) return 0;
  word *w = &ws->v[ws->n];
  memset(w, 0, sizeof *w);
  w->term = qa_strndup(ws->a, t->term, t->nterm);
  w->key = qa_strndup(ws->a, t->key, t->nkey);
  if (!w->term || !w->key) { ws->rc = INDAGA_ENOMEM; return 1; }
  w->nterm = t->nterm;
  w->nkey = t->nkey;
  ws->n++;
  return 0;
}

static int collect(analyzer *an, const qnode *q, words *ws, unsigned depth) {
  if (!q || depth > QP_MAX_DEPTH + 2) return INDAGA_OK;
  switch (q->kind) {
  case QN_WORD:
  case QN_PHRASE: {
    int rc = analyzer_run(an, q->p, q->n, add_word, ws, NULL);
    return ws->rc ? ws->rc : rc < 0 ? rc : INDAGA_OK;
  }
  case QN_NOT: case QN_FILTER: case QN_PREFIX:
    return INDAGA_OK;
  default:
    for (size_t i = 0; i < q->nkids; i++) {
      int rc = collect(an, q->kids[i], ws, depth + 1);
      if (rc) return rc;
    }
    return INDAGA_OK;
  }
}

/* A token of the query text: where it is, and its key. */
typedef struct place {
  size_t start, end;
  const char *key;
  size_t nkey;
} place;

typedef struct places {
  qa_arena *a;
  place *v;
  size_t n, cap;
  int rc;
} places;

static int add_place(void *ctx, const ia_token *t) {
  places *ps = ctx;
  if (t->flags & (TOK_SYMBOL | TOK_PART | TOK_NUMBER | TOK_STOP)) return 0;
  if (ps->n == ps->cap) {
    size_t cap = ps->cap ? 2 * ps->cap : 16;
    place *v = qa_alloc(ps->a, cap * sizeof *v);
    if (!v) { ps->rc = INDAGA_ENOMEM; return 1; }
    if (ps->n) memcpy(v, ps->v, ps->n * sizeof *v);
    ps->v = v;
    ps->cap = cap;
  }
  place *p = &ps->v[ps->n++];
  p->start = t->start;
  p->end = t->end;
  p->key = qa_strndup(ps->a, t->key, t->nkey);
  p->nkey = t->nkey;
  if (!p->key) { ps->rc = INDAGA_ENOMEM; return 1; }
  return 0;
}

int qs_suggest(qa_arena *a, analyzer *an, const ix_snapshot *s, const qnode *tree,
               const char *q, size_t n, char **out, int *unknown, char **err) {
  *out = NULL;
  *unknown = 0;
  words ws;
  ws.a = a;
  ws.n = 0;
  ws.rc = INDAGA_OK;
  int rc = collect(an, tree, &ws, 0);
  if (rc) return rc;
  walk *wk = qa_alloc(a, sizeof *wk);
  if (!wk) return INDAGA_ENOMEM;
  wk->budget = QS_MAX_QUERY_VISIT;
  size_t nfix = 0;
  for (size_t i = 0; i < ws.n; i++) {
    if ((rc = correct(a, s, &ws.v[i], wk, err)) != INDAGA_OK) return rc;
    if (ws.v[i].fix) nfix++;
    if (ws.v[i].fix && ws.v[i].unknown) *unknown = 1;
  }
  if (!nfix) return INDAGA_OK;
  /* The query text again, each corrected word replaced where it is written. */
  places ps = { a, NULL, 0, 0, INDAGA_OK };
  rc = analyzer_run(an, q, n, add_place, &ps, NULL);
  if (ps.rc) return ps.rc;
  if (rc) return rc < 0 ? rc : INDAGA_ENOMEM;
  ia_buf b = { 0 };
  size_t at = 0;
  int changed = 0;
  for (size_t i = 0; i < ps.n; i++) {
    const place *p = &ps.v[i];
    const word *w = NULL;
    for (size_t j = 0; j < ws.n && !w; j++)
      if (ws.v[j].fix && ws.v[j].nkey == p->nkey && memcmp(ws.v[j].key, p->key, p->nkey) == 0) w = &ws.v[j];
    if (!w || p->start < at) continue;
    buf_append(&b, q + at, p->start - at);
    size_t k0 = b.n;
    buf_append(&b, w->fix, w->nfix);
    unsigned char c0 = (unsigned char)q[p->start];
    if (c0 >= 'A' && c0 <= 'Z' && !b.err && b.n > k0 && b.p[k0] >= 'a' && b.p[k0] <= 'z') b.p[k0] -= 32;
    at = p->end;
    changed = 1;
  }
  buf_append(&b, q + at, n - at);
  if (b.err) { buf_free(&b); return INDAGA_ENOMEM; }
  if (changed) {
    *out = qa_strndup(a, (const char *)b.p, b.n);
    if (!*out) rc = INDAGA_ENOMEM;
  }
  buf_free(&b);
  return rc;
}
