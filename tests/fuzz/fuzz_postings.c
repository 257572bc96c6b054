/*
** fuzz_postings.c: the postings codec (indexer/postings.h) two ways.
**
** Byte 0 picks the mode.
**  - Even: the rest is a hostile list. Its first 20 bytes give the
**    dictionary entry's claims (df, limit, last id, max tf, min length) and
**    where the bytes split into a POSTINGS and a POSITIONS section; each
**    section is copied into its own exact-size heap block, so ASan sees any
**    read past its end. A cursor walks it with next, seek, block and
**    positions: every call returns INDAGA_OK or INDAGA_ECORRUPT (or ENOMEM),
**    ids strictly ascend below the limit, positions strictly ascend, and the
**    walk ends within df steps.
**  - Odd: the rest derives a valid list (gaps, tfs, lengths, positions read
**    from the bytes as varints), which pst_encode writes and a cursor must
**    read back exactly, with seek and seg_cursor_block agreeing with a
**    linear scan of the original list.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/common.h"
#include "indexer/postings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_POSTINGS 1200u   /* ten blocks: enough for directories and multi-block seeks */
#define MAX_TF 40u

static void fail(const char *what) {
  fprintf(stderr, "fuzz_postings: %s\n", what);
  abort();
}

static int status_ok(int rc) {
  return rc == INDAGA_OK || rc == INDAGA_ECORRUPT || rc == INDAGA_ENOMEM;
}

/* Positions of the current posting must ascend; returns the status. */
static int check_positions(seg_cursor *c) {
  const uint32_t *pos;
  uint32_t n;
  int rc = seg_cursor_positions(c, &pos, &n);
  if (!status_ok(rc)) fail("positions: unexpected status");
  if (rc != INDAGA_OK) return rc;
  if (n != c->freq) fail("positions: count differs from tf");
  for (uint32_t k = 1; k < n; k++)
    if (pos[k] <= pos[k - 1]) fail("positions: not ascending");
  return rc;
}

/* Hostile bytes: whatever they say, the cursor must stay inside them. */
static void hostile(const uint8_t *d, size_t n) {
  if (n < 20) return;
  pst_list l;
  memset(&l, 0, sizeof l);
  l.df = get_u16(d) % (MAX_POSTINGS + 1);
  l.limit = get_u32(d + 2);
  l.last_doc = get_u32(d + 6);
  l.max_tf = get_u16(d + 10);
  l.min_len = get_u16(d + 12);
  size_t split = get_u16(d + 14);
  const uint8_t *seeks = d + 16;   /* 4 seek deltas */
  d += 20;
  n -= 20;
  if (split > n) split = n;
  unsigned char *post = malloc(split ? split : 1), *pos = malloc(n - split ? n - split : 1);
  if (!post || !pos) { free(post); free(pos); return; }
  memcpy(post, d, split);
  memcpy(pos, d + split, n - split);
  l.post = post;
  l.post_end = post + split;
  l.pos = pos;
  l.pos_end = pos + (n - split);

  /* 1. a plain walk with positions */
  seg_cursor c;
  int rc = pst_cursor_open(&c, NULL, &l);
  if (!status_ok(rc)) fail("open: unexpected status");
  uint32_t steps = 0, last = 0;
  int first = 1;
  while (rc == INDAGA_OK && c.doc != SEG_END) {
    if (c.doc >= l.limit) fail("walk: id at or above the limit");
    if (!first && c.doc <= last) fail("walk: ids not ascending");
    if (c.freq == 0) fail("walk: tf 0");
    if (++steps > l.df) fail("walk: more postings than df");
    first = 0;
    last = c.doc;
    check_positions(&c);
    rc = seg_cursor_next(&c);
    if (!status_ok(rc)) fail("next: unexpected status");
  }
  seg_cursor_close(&c);

  /* 2. seeks and block bounds */
  rc = pst_cursor_open(&c, NULL, &l);
  uint32_t target = 0;
  for (int i = 0; i < 4 && rc == INDAGA_OK && c.doc != SEG_END; i++) {
    uint32_t blast, bmax, bmin;
    target += (uint32_t)seeks[i] * (i & 1 ? 1u : 37u);
    seg_cursor_block(&c, target, &blast, &bmax, &bmin);
    uint32_t before = c.doc;
    rc = seg_cursor_seek(&c, target);
    if (!status_ok(rc)) fail("seek: unexpected status");
    if (rc == INDAGA_OK && c.doc != SEG_END && (c.doc < target || c.doc < before))
      fail("seek: landed before its target");
    if (rc == INDAGA_OK && c.doc != SEG_END) check_positions(&c);
  }
  seg_cursor_close(&c);
  free(post);
  free(pos);
}

/* Read a small varint-ish number from the input (0 when it runs out). */
static uint32_t take(const uint8_t **p, const uint8_t *end, unsigned maxbytes) {
  uint32_t v = 0;
  for (unsigned s = 0; s < maxbytes && *p < end; s++) {
    uint8_t b = *(*p)++;
    v |= (uint32_t)(b & 0x7f) << (7 * s);
    if (!(b & 0x80)) break;
  }
  return v;
}

/* A valid list from the bytes must survive encode + decode unchanged. */
static void round_trip(const uint8_t *d, size_t n) {
  const uint8_t *p = d, *end = d + n;
  uint32_t count = take(&p, end, 2) % MAX_POSTINGS + 1;
  uint32_t *docs = malloc(count * sizeof *docs), *tfs = malloc(count * sizeof *tfs);
  uint32_t *lens = malloc(count * sizeof *lens), *pos = malloc(count * MAX_TF * sizeof *pos);
  ia_buf post = { 0 }, posb = { 0 };
  if (!docs || !tfs || !lens || !pos) goto done;
  uint64_t at = 0, npos = 0;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t gap = take(&p, end, 5);   /* up to 2^35: clamp so ids fit */
    if (at + gap >= UINT32_MAX - 1) gap = 0;
    at += (i ? 1u : 0u) + gap;
    if (at >= UINT32_MAX - 1) { count = i; break; }
    docs[i] = (uint32_t)at;
    tfs[i] = take(&p, end, 1) % MAX_TF + 1;
    lens[i] = take(&p, end, 3) + tfs[i];
    uint32_t q = 0;
    for (uint32_t k = 0; k < tfs[i]; k++) {
      uint32_t g = take(&p, end, 3) & 0xfffffu;   /* 40 of them stay far below 2^32 */
      q = k ? q + 1 + g : g;
      pos[npos++] = q;
    }
  }
  if (count == 0) goto done;
  pst_stats st;
  int rc = pst_encode(&post, &posb, docs, tfs, lens, pos, count, &st);
  if (rc == INDAGA_ENOMEM) goto done;
  if (rc != INDAGA_OK) fail("encode failed");
  if (st.df != count || st.last_doc != docs[count - 1]) fail("encode: wrong stats");

  /* The sections sit in exact-size copies, as in a mapping with nothing after them. */
  unsigned char *pc = malloc(post.n ? post.n : 1), *qc = malloc(posb.n ? posb.n : 1);
  if (!pc || !qc) { free(pc); free(qc); goto done; }
  memcpy(pc, post.p, post.n);
  memcpy(qc, posb.p, posb.n);
  pst_list l = { pc, pc + post.n, qc, qc + posb.n, st.df, st.last_doc, st.max_tf, st.min_len,
                 docs[count - 1] + 1 };
  seg_cursor c;
  if (pst_cursor_open(&c, NULL, &l) != INDAGA_OK) fail("round trip: open failed");
  uint64_t k = 0;
  for (uint32_t i = 0; i < count; i++) {
    if (c.doc != docs[i] || c.freq != tfs[i]) fail("round trip: wrong posting");
    const uint32_t *pp;
    uint32_t np;
    if (seg_cursor_positions(&c, &pp, &np) != INDAGA_OK || np != tfs[i]) fail("round trip: positions");
    if (memcmp(pp, pos + k, np * sizeof *pp) != 0) fail("round trip: wrong positions");
    k += np;
    if (seg_cursor_next(&c) != INDAGA_OK) fail("round trip: next failed");
  }
  if (c.doc != SEG_END) fail("round trip: postings after the last");
  seg_cursor_close(&c);

  /* Seeks from the remaining bytes, checked against a linear scan. */
  if (pst_cursor_open(&c, NULL, &l) != INDAGA_OK) fail("round trip: reopen failed");
  uint32_t target = 0, cur = 0;   /* cur: index of the cursor's posting */
  while (p < end && c.doc != SEG_END) {
    target += take(&p, end, 3);
    uint32_t lo = 0, hi = count;   /* first posting >= target */
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      if (docs[mid] < target) lo = mid + 1; else hi = mid;
    }
    uint32_t blast, bmax, bmin;
    int none = seg_cursor_block(&c, target, &blast, &bmax, &bmin);
    if (none != (lo == count)) fail("round trip: block disagrees on whether postings remain");
    if (!none && (blast < target || blast < docs[lo])) fail("round trip: block ends before the target");
    if (seg_cursor_seek(&c, target) != INDAGA_OK) fail("round trip: seek failed");
    cur = lo > cur ? lo : cur;   /* a seek never moves back */
    if (cur == count ? c.doc != SEG_END : (c.doc != docs[cur] || c.freq != tfs[cur]))
      fail("round trip: seek landed on the wrong posting");
  }
  seg_cursor_close(&c);
  free(pc);
  free(qc);
done:
  buf_free(&post);
  buf_free(&posb);
  free(docs);
  free(tfs);
  free(lens);
  free(pos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  if (data[0] & 1) round_trip(data + 1, size - 1);
  else hostile(data + 1, size - 1);
  return 0;
}
