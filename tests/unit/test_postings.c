/*
** test_postings.c: the postings codec (indexer/postings.c) against a plain
** array reference: round trips of random lists of 1, 127, 128, 129 and
** 10000 postings (dense and sparse ids), seek / next / block-max bounds for
** every target, positions (decoded, and as raw bytes for merge),
** pst_encode_ids (pre-encoded positions) giving pst_encode's bytes, and arbitrary or damaged bytes, which must give
** INDAGA_ECORRUPT or well-formed output, never a crash (run under ASan).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "common/common.h"
#include "indexer/postings.h"

/* A small deterministic generator (xorshift64*), so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

typedef struct ref_list {
  uint32_t n, npos;
  uint32_t maxgap;                              /* ids are at most this far apart */
  uint32_t *docs, *tfs, *lens, *pos, *posat;   /* posat[i]: index of docs[i]'s first position */
  unsigned char *post, *posb;                  /* encoded, each in an exact-size allocation */
  size_t npost, nposb;
  pst_stats st;
} ref_list;

/* Build a random list of @n postings with id gaps in [1, maxgap] and encode it. */
static void ref_make(ref_list *l, uint32_t n, uint32_t maxgap) {
  memset(l, 0, sizeof *l);
  l->n = n;
  l->maxgap = maxgap;
  l->docs = calloc(n, sizeof *l->docs);
  l->tfs = calloc(n, sizeof *l->tfs);
  l->lens = calloc(n, sizeof *l->lens);
  l->posat = calloc(n, sizeof *l->posat);
  uint32_t d = rnd() % maxgap;
  for (uint32_t i = 0; i < n; i++) {
    l->docs[i] = d;
    d += 1 + rnd() % maxgap;
    uint32_t r = rnd() % 100;
    l->tfs[i] = r < 70 ? 1 : r < 95 ? 2 + rnd() % 4 : 6 + rnd() % 300;
    l->lens[i] = l->tfs[i] + rnd() % 400;
    l->posat[i] = l->npos;
    l->npos += l->tfs[i];
  }
  l->pos = calloc(l->npos, sizeof *l->pos);
  for (uint32_t i = 0; i < n; i++) {
    /* tf distinct ascending positions below lens[i] */
    uint32_t *p = l->pos + l->posat[i], k = 0;
    for (uint32_t x = 0; x < l->lens[i] && k < l->tfs[i]; x++) {
      uint32_t left = l->lens[i] - x, need = l->tfs[i] - k;
      if (rnd() % left < need) p[k++] = x;
    }
    assert_int_equal(k, l->tfs[i]);
  }
  ia_buf post = { 0 }, posb = { 0 };
  buf_put_u8(&post, 0xAB);   /* lists do not start at offset 0 in a segment either */
  assert_int_equal(pst_encode(&post, &posb, l->docs, l->tfs, l->lens, l->pos, n, &l->st), INDAGA_OK);
  l->npost = post.n - 1;
  l->nposb = posb.n;
  l->post = malloc(l->npost);
  l->posb = malloc(l->nposb ? l->nposb : 1);
  memcpy(l->post, post.p + 1, l->npost);
  memcpy(l->posb, posb.p, l->nposb);
  buf_free(&post);
  buf_free(&posb);
}

static void ref_free(ref_list *l) {
  free(l->docs); free(l->tfs); free(l->lens); free(l->pos); free(l->posat);
  free(l->post); free(l->posb);
}

static pst_list ref_pst(const ref_list *l) {
  pst_list p = { l->post, l->post + l->npost, l->posb, l->posb + l->nposb,
                 l->st.df, l->st.last_doc, l->st.max_tf, l->st.min_len,
                 l->docs[l->n - 1] + 1 };
  return p;
}

/* Index of the first posting >= t, or n. */
static uint32_t lower_bound(const ref_list *l, uint32_t t) {
  uint32_t lo = 0, hi = l->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (l->docs[mid] < t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

static void check_at(seg_cursor *c, const ref_list *l, uint32_t i) {
  if (i >= l->n) { assert_int_equal(c->doc, SEG_END); return; }
  assert_int_equal(c->doc, l->docs[i]);
  assert_int_equal(c->freq, l->tfs[i]);
}

static void check_positions(seg_cursor *c, const ref_list *l, uint32_t i) {
  const uint32_t *p;
  uint32_t n;
  assert_int_equal(seg_cursor_positions(c, &p, &n), INDAGA_OK);
  assert_int_equal(n, l->tfs[i]);
  assert_memory_equal(p, l->pos + l->posat[i], n * sizeof *p);
}

static const uint32_t sizes[] = { 1, 127, 128, 129, 10000 };

/* Run @check on lists of every size in sizes[], dense (gap 1) and sparse (gap 1000). */
static void each_ref(void (*check)(ref_list *l)) {
  for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
    for (uint32_t gap = 1; gap <= 1000; gap *= 1000) {
      ref_list l;
      ref_make(&l, sizes[s], gap);
      check(&l);
      ref_free(&l);
    }
  }
}

static void round_trip_next(ref_list *l) {
  uint64_t cf = 0;
  uint32_t maxtf = 0, minlen = UINT32_MAX;
  for (uint32_t i = 0; i < l->n; i++) {
    cf += l->tfs[i];
    if (l->tfs[i] > maxtf) maxtf = l->tfs[i];
    if (l->lens[i] < minlen) minlen = l->lens[i];
  }
  assert_int_equal(l->st.df, l->n);
  assert_true(l->st.cf == cf);
  assert_int_equal(l->st.max_tf, maxtf);
  assert_int_equal(l->st.min_len, minlen);
  assert_int_equal(l->st.last_doc, l->docs[l->n - 1]);
  pst_list pl = ref_pst(l);
  seg_cursor c;
  assert_int_equal(pst_cursor_open(&c, NULL, &pl), INDAGA_OK);
  for (uint32_t i = 0; i <= l->n; i++) {
    check_at(&c, l, i);
    /* positions of every other posting, so the lazy skip is exercised */
    if (i < l->n && (i % 2 == 0 || l->n < 200)) check_positions(&c, l, i);
    assert_int_equal(seg_cursor_next(&c), INDAGA_OK);
  }
  assert_int_equal(c.doc, SEG_END);
  assert_int_equal(seg_cursor_next(&c), INDAGA_OK);   /* stays exhausted */
  assert_int_equal(c.doc, SEG_END);
  seg_cursor_close(&c);
}

static void test_postings__round_trip_next(void **state) {
  (void)state;
  each_ref(round_trip_next);
}

/* pst_encode_ids, given pst_encode's positions bytes and block offsets, writes the same list. */
static void encode_ids_same_bytes(ref_list *l) {
  /* the block offsets: count tf varints (bytes without the high bit) per posting */
  uint32_t nblk = (l->n + SEG_BLOCK - 1) / SEG_BLOCK;
  uint64_t *posoff = calloc(nblk, sizeof *posoff);
  size_t at = 0;
  for (uint32_t i = 0; i < l->n; i++) {
    if (i % SEG_BLOCK == 0) posoff[i / SEG_BLOCK] = at;
    for (uint32_t k = l->tfs[i]; k; at++) {
      assert_true(at < l->nposb);
      k -= !(l->posb[at] & 0x80);
    }
  }
  assert_true(at == l->nposb);
  ia_buf post = { 0 };
  buf_put_u8(&post, 0xAB);
  pst_stats st;
  assert_int_equal(pst_encode_ids(&post, l->docs, l->tfs, l->lens, posoff, l->n, &st), INDAGA_OK);
  assert_true(post.n - 1 == l->npost);
  assert_memory_equal(post.p + 1, l->post, l->npost);
  assert_memory_equal(&st, &l->st, sizeof st);
  buf_free(&post);
  free(posoff);
}

static void test_postings__encode_ids_same_bytes(void **state) {
  (void)state;
  each_ref(encode_ids_same_bytes);
}

/*
** pst_cursor_positions_raw gives each posting's stored bytes (interleaved with
** seg_cursor_positions calls, which must still agree), and 1 for a varint
** in a longer form than needed.
*/
static void test_postings__raw_positions(void **state) {
  (void)state;
  for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
    ref_list l;
    ref_make(&l, sizes[s], 3);
    pst_list pl = ref_pst(&l);
    seg_cursor c;
    assert_int_equal(pst_cursor_open(&c, NULL, &pl), INDAGA_OK);
    size_t at = 0;
    for (uint32_t i = 0; i < l.n; i++) {
      size_t len = 0;
      for (uint32_t k = l.tfs[i]; k; len++) k -= !(l.posb[at + len] & 0x80);
      const unsigned char *raw;
      size_t nraw;
      assert_int_equal(pst_cursor_positions_raw(&c, &raw, &nraw), INDAGA_OK);
      assert_true(nraw == len);
      assert_ptr_equal(raw, l.posb + at);
      if (i % 3 == 0) check_positions(&c, &l, i);   /* the same posting again, decoded */
      at += len;
      assert_int_equal(seg_cursor_next(&c), INDAGA_OK);
    }
    assert_int_equal(c.doc, SEG_END);
    seg_cursor_close(&c);
    ref_free(&l);
  }
  /* one posting, tf 2: positions 0 and 1, the second written 0x80 0x00 (0 in two bytes) */
  ref_list l;
  ref_make(&l, 1, 1);
  unsigned char pos[] = { 0x00, 0x80, 0x00 };
  l.tfs[0] = 2;
  ia_buf post = { 0 }, posb = { 0 };
  uint32_t p2[] = { 0, 1 };
  l.lens[0] = 5;
  assert_int_equal(pst_encode(&post, &posb, l.docs, l.tfs, l.lens, p2, 1, &l.st), INDAGA_OK);
  pst_list pl = { post.p, post.p + post.n, pos, pos + sizeof pos, 1, l.docs[0], 2, 5, l.docs[0] + 1 };
  seg_cursor c;
  assert_int_equal(pst_cursor_open(&c, NULL, &pl), INDAGA_OK);
  const unsigned char *raw;
  size_t nraw;
  assert_int_equal(pst_cursor_positions_raw(&c, &raw, &nraw), 1);
  const uint32_t *dp;
  uint32_t n;
  assert_int_equal(seg_cursor_positions(&c, &dp, &n), INDAGA_OK);
  assert_int_equal(n, 2);
  assert_int_equal(dp[0], 0);
  assert_int_equal(dp[1], 1);
  seg_cursor_close(&c);
  buf_free(&post);
  buf_free(&posb);
  ref_free(&l);
}

static void seek_every_target(ref_list *l) {
  pst_list pl = ref_pst(l);
  uint32_t max = l->docs[l->n - 1] + 2;
  uint32_t step = max > 40000 ? max / 40000 : 1;
  seg_cursor c;
  /* a fresh cursor for each target (every target when small) */
  for (uint32_t t = 0; t <= max; t += (t % 7 == 0 ? 1 : step)) {
    assert_int_equal(pst_cursor_open(&c, NULL, &pl), INDAGA_OK);
    assert_int_equal(seg_cursor_seek(&c, t), INDAGA_OK);
    uint32_t i = lower_bound(l, t);
    check_at(&c, l, i);
    if (i < l->n) check_positions(&c, l, i);
    seg_cursor_close(&c);
  }
  /* one cursor, ascending targets mixed with next() */
  assert_int_equal(pst_cursor_open(&c, NULL, &pl), INDAGA_OK);
  uint32_t t = 0, i = 0;
  while (c.doc != SEG_END) {
    if (rnd() % 3 == 0) {
      assert_int_equal(seg_cursor_next(&c), INDAGA_OK);
      i++;
    } else {
      t = c.doc + rnd() % (l->maxgap * 300 + 2);
      assert_int_equal(seg_cursor_seek(&c, t), INDAGA_OK);
      i = lower_bound(l, t);
    }
    check_at(&c, l, i);
    if (i < l->n && rnd() % 4 == 0) check_positions(&c, l, i);
  }
  seg_cursor_close(&c);
}

static void test_postings__seek_every_target(void **state) {
  (void)state;
  each_ref(seek_every_target);
}

/*
** The impacts seg_cursor_block gave for postings [b, e) of @l: steps with
** tf and length ascending, from (.., min length) to (max tf, ..), covering
** every posting (tf <= tf_j, length >= len_j for some j); and the block's
** Pareto frontier of (tf, length) itself when it has SEG_IMPACTS steps or
** fewer (a list of one block: the one step of max tf and min length).
*/
static void check_impacts(const seg_cursor *c, const ref_list *l, uint32_t b, uint32_t e, uint32_t rmax,
                          uint32_t rmin) {
  uint32_t n = c->nimp;
  assert_true(n >= 1 && n <= SEG_IMPACTS);
  for (uint32_t j = 1; j < n; j++) assert_true(c->imp_tf[j] > c->imp_tf[j - 1] && c->imp_len[j] > c->imp_len[j - 1]);
  assert_int_equal(c->imp_tf[n - 1], rmax);
  assert_int_equal(c->imp_len[0], rmin);
  for (uint32_t k = b; k < e; k++) {
    uint32_t j = 0;
    while (j < n && !(l->tfs[k] <= c->imp_tf[j] && l->lens[k] >= c->imp_len[j])) j++;
    assert_true(j < n);
  }
  if (l->n <= SEG_BLOCK) { assert_int_equal(n, 1); return; }
  uint32_t ft[SEG_BLOCK], fl[SEG_BLOCK], nf = 0;   /* the frontier by brute force */
  for (uint32_t k = b; k < e; k++) {
    int beaten = 0;
    for (uint32_t i = b; i < e && !beaten; i++)
      beaten = l->tfs[i] >= l->tfs[k] && l->lens[i] <= l->lens[k] && (l->tfs[i] > l->tfs[k] || l->lens[i] < l->lens[k]);
    uint32_t j = 0;
    while (j < nf && !(ft[j] == l->tfs[k] && fl[j] == l->lens[k])) j++;
    if (!beaten && j == nf) { ft[nf] = l->tfs[k]; fl[nf++] = l->lens[k]; }
  }
  if (nf > SEG_IMPACTS) return;
  assert_int_equal(n, nf);
  for (uint32_t j = 0; j < n; j++) {
    uint32_t i = 0;
    while (i < nf && !(ft[i] == c->imp_tf[j] && fl[i] == c->imp_len[j])) i++;
    assert_true(i < nf);
  }
}

static void block_bounds(ref_list *l) {
  pst_list pl = ref_pst(l);
  seg_cursor c;
  assert_int_equal(pst_cursor_open(&c, NULL, &pl), INDAGA_OK);
  uint32_t max = l->docs[l->n - 1] + 3;
  uint32_t step = max > 40000 ? max / 40000 : 1;
  for (uint32_t t = 0; t <= max; t += step) {
    uint32_t last, mtf, mlen;
    int rc = seg_cursor_block(&c, t, &last, &mtf, &mlen);
    uint32_t i = lower_bound(l, t);
    if (i == l->n) {
      assert_int_equal(rc, 1);
      assert_int_equal(last, SEG_END);
      continue;
    }
    assert_int_equal(rc, 0);
    uint32_t b = i / SEG_BLOCK, e = (b + 1) * SEG_BLOCK < l->n ? (b + 1) * SEG_BLOCK : l->n;
    uint32_t rmax = 0, rmin = UINT32_MAX;
    for (uint32_t k = b * SEG_BLOCK; k < e; k++) {
      if (l->tfs[k] > rmax) rmax = l->tfs[k];
      if (l->lens[k] < rmin) rmin = l->lens[k];
    }
    assert_int_equal(last, l->docs[e - 1]);
    assert_int_equal(mtf, rmax);
    assert_int_equal(mlen, rmin);
    check_impacts(&c, l, b * SEG_BLOCK, e, rmax, rmin);
    /* the block pointer moved, the cursor did not */
    assert_int_equal(c.doc, l->docs[0]);
    /* a lower target again gets its own block (targets need not ascend) */
    if (t > 0 && rnd() % 8 == 0) {
      uint32_t t2 = rnd() % t, i2 = lower_bound(l, t2), b2 = i2 / SEG_BLOCK;
      uint32_t e2 = (b2 + 1) * SEG_BLOCK < l->n ? (b2 + 1) * SEG_BLOCK : l->n;
      assert_int_equal(seg_cursor_block(&c, t2, &last, &mtf, &mlen), 0);
      assert_int_equal(last, l->docs[e2 - 1]);
    }
  }
  seg_cursor_close(&c);
}

static void test_postings__block_bounds(void **state) {
  (void)state;
  each_ref(block_bounds);
}

/*
** Drive a cursor over @pl to the end, reading positions of every posting;
** every id must ascend below the limit. @seek mixes in random seeks.
*/
static int drain(const pst_list *pl, int seek) {
  seg_cursor c;
  int rc = pst_cursor_open(&c, NULL, pl);
  uint32_t prev = 0, seen = 0;
  while (rc == INDAGA_OK && c.doc != SEG_END) {
    assert_true(c.doc < pl->limit);
    assert_true(seen == 0 || c.doc > prev);
    assert_true(c.freq >= 1);
    prev = c.doc;
    seen++;
    const uint32_t *p;
    uint32_t n;
    rc = seg_cursor_positions(&c, &p, &n);
    if (rc == INDAGA_OK) {
      assert_int_equal(n, c.freq);
      for (uint32_t k = 1; k < n; k++) assert_true(p[k] > p[k - 1]);
      rc = !seek || (rnd() & 1) ? seg_cursor_next(&c) : seg_cursor_seek(&c, c.doc + 1 + rnd() % 50);
    }
  }
  assert_true(seen <= pl->df);
  seg_cursor_close(&c);
  return rc;
}

static void test_postings__arbitrary_bytes_are_corrupt(void **state) {
  (void)state;
  int corrupt = 0, runs = 3000;
  for (int run = 0; run < runs; run++) {
    size_t np = rnd() % 3000, nq = rnd() % 500;
    unsigned char *p = malloc(np ? np : 1), *q = malloc(nq ? nq : 1);
    for (size_t i = 0; i < np; i++) p[i] = (unsigned char)rnd();
    for (size_t i = 0; i < nq; i++) q[i] = (unsigned char)rnd();
    pst_list pl = { p, p + np, q, q + nq, 1 + rnd() % 600, rnd() % 5000, 1 + rnd() % 8,
                    rnd() % 100, 1 + rnd() % 100000 };
    int rc = drain(&pl, 1);
    assert_true(rc == INDAGA_OK || rc == INDAGA_ECORRUPT);
    corrupt += rc == INDAGA_ECORRUPT;
    free(p);
    free(q);
  }
  /* random bytes almost never form a valid list */
  assert_true(corrupt > runs * 9 / 10);
}

static void test_postings__damaged_lists(void **state) {
  (void)state;
  ref_list l;
  ref_make(&l, 700, 20);
  int corrupt = 0;
  for (size_t at = 0; at < l.npost; at++) {
    pst_list pl = ref_pst(&l);
    unsigned char *p = malloc(l.npost);
    memcpy(p, l.post, l.npost);
    p[at] ^= (unsigned char)(1u << (rnd() % 8));
    pl.post = p;
    pl.post_end = p + l.npost;
    int rc = drain(&pl, 1);
    assert_true(rc == INDAGA_OK || rc == INDAGA_ECORRUPT);
    corrupt += rc == INDAGA_ECORRUPT;
    free(p);
  }
  /* truncations are always detected */
  for (size_t len = 0; len < l.npost; len += 1 + len / 16) {
    pst_list pl = ref_pst(&l);
    unsigned char *p = malloc(len ? len : 1);
    memcpy(p, l.post, len);
    pl.post = p;
    pl.post_end = p + len;
    assert_int_equal(drain(&pl, 0), INDAGA_ECORRUPT);
    free(p);
  }
  for (size_t len = 0; len < l.nposb; len += 1 + len / 16) {
    pst_list pl = ref_pst(&l);
    pl.pos_end = l.posb + len;
    assert_int_equal(drain(&pl, 0), INDAGA_ECORRUPT);
  }
  assert_true(corrupt > 0);
  ref_free(&l);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_postings__round_trip_next),
    cmocka_unit_test(test_postings__encode_ids_same_bytes),
    cmocka_unit_test(test_postings__raw_positions),
    cmocka_unit_test(test_postings__seek_every_target),
    cmocka_unit_test(test_postings__block_bounds),
    cmocka_unit_test(test_postings__arbitrary_bytes_are_corrupt),
    cmocka_unit_test(test_postings__damaged_lists),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
