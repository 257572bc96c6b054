/*
** api_complete.c: indaga_complete() and indaga_completions (include/indaga.h):
** the indexed words that begin with what a person has typed so far, for a
** search box that suggests as one types.
**
** The prefix is normalised as a query word is (analyzer_word: lowercase,
** accents folded, ñ kept), so "Combatién" and "combatien" complete alike.
** Each segment's vocabulary (key -> terms, sorted by key) is read from the
** first key >= the prefix on (seg_vocab_prefix), at most COMPLETE_SCAN
** (key, term) pairs per segment, so a one-letter prefix costs bounded work
** however large the index. Each key is weighed by the paragraphs holding
** one of its terms (the terms' document frequencies, summed over the
** segments, deleted paragraphs included): an upper bound that ranks common
** words first. Keys found in several segments are merged; the @max heaviest
** are kept, ties in key order, so the answer is deterministic.
*/
#include <stdlib.h>
#include <string.h>
#include "query/query.h"
#include "indexer/index.h"

#define COMPLETE_SCAN 4096        /* (key, term) pairs read per segment at most */
#define COMPLETE_PREFIX_MAX 64    /* longest prefix, in bytes, after normalisation */

typedef struct cword {
  char *key;                      /* NUL-terminated, owned */
  uint64_t weight;
} cword;

struct indaga_completions {
  cword *w;
  size_t n, cap;
  int truncated;                  /* some segment had more keys than were read */
};

/* What the vocabulary callback needs: the segment, the words, a budget. */
typedef struct cscan {
  indaga_completions *c;
  const seg_reader *r;
  size_t seen;
  int rc;
} cscan;

/* Add @weight to key k[0..nk), appending it when new to this scan. 0, or nonzero to stop. */
static int add_key(cscan *s, const char *k, size_t nk, uint64_t weight) {
  indaga_completions *c = s->c;
  if (c->n && strlen(c->w[c->n - 1].key) == nk && !memcmp(c->w[c->n - 1].key, k, nk)) {
    c->w[c->n - 1].weight += weight;   /* keys come in order: a repeat is the last one */
    return 0;
  }
  if (c->n == c->cap) {
    cword *nv = indaga__grow(c->w, &c->cap, sizeof *nv, 64);
    if (!nv) { s->rc = INDAGA_ENOMEM; return 1; }
    c->w = nv;
  }
  char *z = indaga__strndup(k, nk);
  if (!z) { s->rc = INDAGA_ENOMEM; return 1; }
  c->w[c->n].key = z;
  c->w[c->n++].weight = weight;
  return 0;
}

static int scan_cb(void *ctx, const char *k, size_t nk, const char *t, size_t nt) {
  cscan *s = ctx;
  if (s->seen++ >= COMPLETE_SCAN) { s->c->truncated = 1; return 1; }
  seg_term st;
  int rc = seg_term_get(s->r, t, nt, &st);
  if (rc < 0) { s->rc = rc; return 1; }
  return add_key(s, k, nk, rc == 1 ? st.df : 0);
}

static int cmp_key(const void *x, const void *y) {
  return strcmp(((const cword *)x)->key, ((const cword *)y)->key);
}

static int cmp_weight(const void *x, const void *y) {
  const cword *a = x, *b = y;
  if (a->weight != b->weight) return a->weight > b->weight ? -1 : 1;
  return strcmp(a->key, b->key);
}

/* Merge equal keys (sorted by key) into one, summing weights, and drop weightless ones. */
static void merge_keys(indaga_completions *c) {
  if (c->n == 0) return;   /* c->w may be NULL: no qsort on it */
  if (c->n > 1) qsort(c->w, c->n, sizeof *c->w, cmp_key);
  size_t o = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (o && !strcmp(c->w[o - 1].key, c->w[i].key)) {
      c->w[o - 1].weight += c->w[i].weight;
      indaga__free(c->w[i].key);
    } else {
      c->w[o++] = c->w[i];
    }
  }
  c->n = o;
  o = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (c->w[i].weight) c->w[o++] = c->w[i];
    else indaga__free(c->w[i].key);
  }
  c->n = o;
}

/* The key of the typed prefix, into buf (NUL-terminated). INDAGA_OK, EMISUSE or ENOMEM. */
static int prefix_key(const indaga_index *idx, const char *prefix, char *buf, size_t cap) {
  qx_ctx *cx = NULL;
  int rc = qx_pool_get(idx, &cx);
  if (rc) return rc;
  const char *k = NULL;
  size_t nk = 0;
  rc = analyzer_word(cx->an, prefix, strlen(prefix), NULL, NULL, &k, &nk, NULL);
  if (!rc && (nk == 0 || nk >= cap)) rc = INDAGA_EMISUSE;
  if (!rc) { memcpy(buf, k, nk); buf[nk] = 0; }
  qx_pool_put(idx, cx);
  return rc;
}

int indaga_complete(indaga_completions **out, const indaga_index *idx, const char *prefix,
                    size_t max) {
  if (!out) return INDAGA_EMISUSE;
  *out = NULL;
  if (!idx || !prefix || !*prefix || max == 0 || strlen(prefix) > 4 * COMPLETE_PREFIX_MAX)
    return INDAGA_EMISUSE;
  char key[COMPLETE_PREFIX_MAX + 1];
  int rc = prefix_key(idx, prefix, key, sizeof key);
  if (rc) return rc;
  indaga_completions *c = indaga__calloc(1, sizeof *c);
  if (!c) return INDAGA_ENOMEM;
  const ix_snapshot *s = ix_index_snapshot(idx);
  size_t nkey = strlen(key);
  for (size_t i = 0; i < ix_nsegs(s) && !rc; i++) {
    cscan sc = { c, ix_seg(s, i), 0, INDAGA_OK };
    rc = seg_vocab_prefix(sc.r, key, nkey, scan_cb, &sc);
    if (!rc) rc = sc.rc;
  }
  if (rc) {
    indaga_completions_free(c);
    return rc;
  }
  merge_keys(c);
  if (c->n) qsort(c->w, c->n, sizeof *c->w, cmp_weight);
  for (size_t i = max; i < c->n; i++) indaga__free(c->w[i].key);
  if (c->n > max) c->n = max;
  *out = c;
  return INDAGA_OK;
}

size_t indaga_completions_count(const indaga_completions *c) { return c ? c->n : 0; }

const char *indaga_completions_word(const indaga_completions *c, size_t i, uint64_t *weight) {
  if (!c || i >= c->n) return NULL;
  if (weight) *weight = c->w[i].weight;
  return c->w[i].key;
}

int indaga_completions_truncated(const indaga_completions *c) { return c ? c->truncated : 0; }

void indaga_completions_free(indaga_completions *c) {
  if (!c) return;
  for (size_t i = 0; i < c->n; i++) indaga__free(c->w[i].key);
  indaga__free(c->w);
  indaga__free(c);
}
