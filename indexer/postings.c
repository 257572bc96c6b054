/*
** postings.c: encoding and cursor-decoding of one term's postings list.
**
** Layout (normative text in format.h): an optional block directory (one
** 20-byte entry per block: last id, max tf, min paragraph length, data
** offset, positions offset), then the blocks. A block is two StreamVByte
** streams: paragraph ids as differences from the previous block's last id
** (streamvbyte_delta_*), then tf-1 with the 0124 variant, which spends no
** data byte on the common tf == 1. Positions live in their own section as
** varints, tf of them per posting, so a cursor decodes them only when
** seg_cursor_positions() asks, by skipping the varints of the earlier
** postings of its block (resuming from the last call when it can).
**
** Safety: the SIMD decoders of libstreamvbyte may load up to 16 bytes past
** the last data byte. We compute each stream's exact length from its control
** bytes first, check it against the end pointer, and decode from a padded
** stack copy when fewer than 16 readable bytes follow it. After decoding, a
** block's ids must be strictly ascending, above the previous block's last id
** and the cursor's current id, below the paragraph count, and end on the
** directory's last id; any violation is INDAGA_ECORRUPT.
*/
#include <assert.h>
#include <streamvbyte.h>
#include <streamvbytedelta.h>
#include "indexer/postings.h"
#include "indexer/format.h"

#define SVB_SLACK 16u
#define SVB_MAX   (SEG_BLOCK / 4u + SEG_BLOCK * 4u)

/* Cursor private slots (seg_cursor.priv). */
#define P_DATA     0   /* first byte after the directory */
#define P_POS      1   /* the term's first positions byte */
#define P_POSEND   2   /* end of the positions section */
#define P_SHALLOW  3   /* block pointer of seg_cursor_block */
#define P_DF       4   /* df | limit << 32 */
#define P_ONE      5   /* single block: last_doc | max_tf << 32 */
#define P_ONELEN   6   /* single block: min_len */
#define P_POSSTATE 7   /* positions skip state: byte offset << 16 | posting index */

#define PTR(c, i) ((const unsigned char *)(uintptr_t)(c)->priv[i])

/* Write @v as a varint at @p; returns its length. */
static size_t varint_raw(unsigned char *p, uint32_t v) {
  size_t n = 0;
  while (v >= 0x80) { p[n++] = (unsigned char)(v | 0x80); v >>= 7; }
  p[n++] = (unsigned char)v;
  return n;
}

size_t pst_svb_len(const unsigned char *p, const unsigned char *end, uint32_t n, int is0124) {
  static const unsigned char w1234[4] = { 1, 2, 3, 4 }, w0124[4] = { 0, 1, 2, 4 };
  const unsigned char *w = is0124 ? w0124 : w1234;
  size_t nctrl = (n + 3u) / 4u;
  if (p > end || (size_t)(end - p) < nctrl) return 0;
  size_t len = nctrl;
  for (uint32_t i = 0; i < n; i++) len += w[((unsigned)p[i >> 2] >> ((i & 3u) * 2u)) & 3u];
  if ((size_t)(end - p) < len) return 0;
  return len;
}

/**************************************************************************
** Encoding
*/
int pst_encode(ia_buf *post, ia_buf *posb, const uint32_t *docs, const uint32_t *tfs,
               const uint32_t *lens, const uint32_t *pos, uint32_t n, pst_stats *st) {
  assert(n >= 1);
  uint32_t nblocks = (n + SEG_BLOCK - 1) / SEG_BLOCK;
  size_t dir_at = post->n;
  if (nblocks > 1) {
    if (buf_reserve(post, (size_t)nblocks * SEGF_SKIP_SIZE)) return post->err;
    memset(post->p + post->n, 0, (size_t)nblocks * SEGF_SKIP_SIZE);
    post->n += (size_t)nblocks * SEGF_SKIP_SIZE;
  }
  size_t data_at = post->n, pos_at = posb->n;
  memset(st, 0, sizeof *st);
  st->min_len = UINT32_MAX;
  uint32_t prev = 0, tmp[SEG_BLOCK];
  unsigned char out[2 * SVB_MAX];
  const uint32_t *pp = pos;
  for (uint32_t b = 0; b < nblocks; b++) {
    uint32_t i0 = b * SEG_BLOCK, m = n - i0 < SEG_BLOCK ? n - i0 : SEG_BLOCK;
    uint32_t bmax = 0, bmin = UINT32_MAX;
    if (post->n - data_at > UINT32_MAX || posb->n - pos_at > UINT32_MAX) return INDAGA_ERROR;
    if (nblocks > 1) {
      unsigned char *e = post->p + dir_at + (size_t)b * SEGF_SKIP_SIZE;
      put_u32(e + 12, (uint32_t)(post->n - data_at));
      put_u32(e + 16, (uint32_t)(posb->n - pos_at));
    }
    /* 1. positions, and the block's bounds */
    for (uint32_t i = i0; i < i0 + m; i++) {
      assert(tfs[i] >= 1 && (i == 0 || docs[i] > docs[i - 1]));
      if (buf_reserve(posb, (size_t)tfs[i] * 5u)) return posb->err;
      unsigned char *w = posb->p + posb->n;
      w += varint_raw(w, pp[0]);
      for (uint32_t k = 1; k < tfs[i]; k++) {
        assert(pp[k] > pp[k - 1]);
        w += varint_raw(w, pp[k] - pp[k - 1] - 1u);
      }
      posb->n = (size_t)(w - posb->p);
      pp += tfs[i];
      if (tfs[i] > bmax) bmax = tfs[i];
      if (lens[i] < bmin) bmin = lens[i];
      st->cf += tfs[i];
    }
    /* 2. ids and tfs */
    size_t k = streamvbyte_delta_encode(docs + i0, m, out, prev);
    for (uint32_t i = 0; i < m; i++) tmp[i] = tfs[i0 + i] - 1u;
    k += streamvbyte_encode_0124(tmp, m, out + k);
    buf_append(post, out, k);
    if (post->err) return post->err;
    if (nblocks > 1) {
      unsigned char *e = post->p + dir_at + (size_t)b * SEGF_SKIP_SIZE;
      put_u32(e, docs[i0 + m - 1]);
      put_u32(e + 4, bmax);
      put_u32(e + 8, bmin);
    }
    prev = docs[i0 + m - 1];
    if (bmax > st->max_tf) st->max_tf = bmax;
    if (bmin < st->min_len) st->min_len = bmin;
  }
  if (posb->err) return posb->err;
  st->df = n;
  st->last_doc = docs[n - 1];
  return INDAGA_OK;
}

/**************************************************************************
** Decoding
*/
static uint32_t cur_df(const seg_cursor *c) { return (uint32_t)c->priv[P_DF]; }
static uint32_t cur_limit(const seg_cursor *c) { return (uint32_t)(c->priv[P_DF] >> 32); }

/* Directory entry @b's field at byte @f (the directory was bounds-checked at open). */
static uint32_t dir_u32(const seg_cursor *c, uint32_t b, unsigned f) {
  return get_u32(c->blk + (size_t)b * SEGF_SKIP_SIZE + f);
}

static uint32_t block_last(const seg_cursor *c, uint32_t b) {
  return c->blk ? dir_u32(c, b, 0) : (uint32_t)c->priv[P_ONE];
}

/* Decode one StreamVByte stream of @n values at [*pp, end) into @out. */
static int svb_decode(const unsigned char **pp, const unsigned char *end, uint32_t n,
                      int is0124, uint32_t prev, uint32_t *out) {
  const unsigned char *p = *pp;
  size_t len = pst_svb_len(p, end, n, is0124);
  if (len == 0) return INDAGA_ECORRUPT;
  unsigned char pad[SVB_MAX + SVB_SLACK];
  const unsigned char *src = p;
  if ((size_t)(end - p) < len + SVB_SLACK) {
    memcpy(pad, p, len);
    memset(pad + len, 0, SVB_SLACK);
    src = pad;
  }
  if (is0124) streamvbyte_decode_0124(src, out, n);
  else streamvbyte_delta_decode(src, out, n, prev);
  *pp = p + len;
  return INDAGA_OK;
}

/* Decode block @b into c->docs/c->tfs and put the cursor on its first posting. */
static int decode_block(seg_cursor *c, uint32_t b) {
  uint32_t df = cur_df(c), n = b + 1 < c->nblocks ? SEG_BLOCK : df - b * SEG_BLOCK;
  const unsigned char *data = PTR(c, P_DATA), *p = data, *lim = c->end;
  uint32_t prev = 0;
  if (c->blk) {
    uint32_t off = dir_u32(c, b, 12);
    if (off > (size_t)(c->end - data)) return INDAGA_ECORRUPT;
    p = data + off;
    if (b + 1 < c->nblocks) {
      uint32_t next = dir_u32(c, b + 1, 12);
      if (next < off || next > (size_t)(c->end - data)) return INDAGA_ECORRUPT;
      lim = data + next;
    }
    if (b > 0) prev = dir_u32(c, b - 1, 0);
  }
  int rc = svb_decode(&p, lim, n, 0, prev, c->docs);
  if (!rc) rc = svb_decode(&p, lim, n, 1, 0, c->tfs);
  if (rc) return rc;
  uint32_t before = c->doc;   /* the id the cursor was on, or SEG_END before the first block */
  if (b > 0 && c->docs[0] <= prev) return INDAGA_ECORRUPT;
  if (before != SEG_END && c->docs[0] <= before) return INDAGA_ECORRUPT;
  for (uint32_t i = 1; i < n; i++)
    if (c->docs[i] <= c->docs[i - 1]) return INDAGA_ECORRUPT;
  for (uint32_t i = 0; i < n; i++) {
    if (c->tfs[i] == UINT32_MAX) return INDAGA_ECORRUPT;
    c->tfs[i]++;
  }
  if (c->docs[n - 1] >= cur_limit(c) || c->docs[n - 1] != block_last(c, b)) return INDAGA_ECORRUPT;
  c->iblock = b;
  c->ndocs = n;
  c->idx = 0;
  c->decoded = 1;
  c->doc = c->docs[0];
  c->freq = c->tfs[0];
  c->priv[P_POSSTATE] = UINT64_MAX;
  return INDAGA_OK;
}

static void exhaust(seg_cursor *c) {
  c->doc = SEG_END;
  c->freq = 0;
  c->decoded = 0;
  c->iblock = c->nblocks;
}

int pst_cursor_open(seg_cursor *c, const seg_reader *r, const pst_list *l) {
  memset(c, 0, sizeof *c);
  c->r = r;
  c->doc = SEG_END;
  c->end = l->post_end;
  c->priv[P_POS] = (uint64_t)(uintptr_t)l->pos;
  c->priv[P_POSEND] = (uint64_t)(uintptr_t)l->pos_end;
  c->priv[P_DF] = (uint64_t)l->df | (uint64_t)l->limit << 32;
  c->priv[P_ONE] = (uint64_t)l->last_doc | (uint64_t)l->max_tf << 32;
  c->priv[P_ONELEN] = l->min_len;
  c->priv[P_POSSTATE] = UINT64_MAX;
  c->nblocks = (uint32_t)(((uint64_t)l->df + SEG_BLOCK - 1) / SEG_BLOCK);
  if (l->df == 0 || l->post > l->post_end || l->pos > l->pos_end) { exhaust(c); return INDAGA_ECORRUPT; }
  const unsigned char *data = l->post;
  if (c->nblocks > 1) {
    if ((size_t)(l->post_end - l->post) / SEGF_SKIP_SIZE < c->nblocks) { exhaust(c); return INDAGA_ECORRUPT; }
    c->blk = l->post;
    data = l->post + (size_t)c->nblocks * SEGF_SKIP_SIZE;
  }
  c->priv[P_DATA] = (uint64_t)(uintptr_t)data;
  int rc = decode_block(c, 0);
  if (rc) exhaust(c);
  return rc;
}

void seg_cursor_close(seg_cursor *c) {
  if (!c) return;
  indaga__free(c->pos);
  c->pos = NULL;
  c->npos = c->cappos = 0;
  c->doc = SEG_END;
}

int seg_cursor_next(seg_cursor *c) {
  if (c->doc == SEG_END) return INDAGA_OK;
  if (c->idx + 1 < c->ndocs) {
    c->idx++;
    c->doc = c->docs[c->idx];
    c->freq = c->tfs[c->idx];
    return INDAGA_OK;
  }
  if (c->iblock + 1 >= c->nblocks) { exhaust(c); return INDAGA_OK; }
  int rc = decode_block(c, c->iblock + 1);
  if (rc) exhaust(c);
  return rc;
}

/* First block >= @from whose last id is >= @target, or nblocks. */
static uint32_t find_block(const seg_cursor *c, uint32_t from, uint32_t target) {
  uint32_t lo = from, hi = c->nblocks;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (block_last(c, mid) < target) lo = mid + 1; else hi = mid;
  }
  return lo;
}

int seg_cursor_seek(seg_cursor *c, uint32_t target) {
  if (c->doc == SEG_END || c->doc >= target) return INDAGA_OK;
  if (c->docs[c->ndocs - 1] < target) {
    uint32_t b = find_block(c, c->iblock + 1, target);
    if (b >= c->nblocks) { exhaust(c); return INDAGA_OK; }
    int rc = decode_block(c, b);
    if (rc) { exhaust(c); return rc; }
    if (c->doc >= target) return INDAGA_OK;
  }
  /* the target is inside the current block: binary search its ids */
  uint32_t lo = c->idx, hi = c->ndocs - 1;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (c->docs[mid] < target) lo = mid + 1; else hi = mid;
  }
  c->idx = lo;
  c->doc = c->docs[lo];
  c->freq = c->tfs[lo];
  return INDAGA_OK;
}

int seg_cursor_block(seg_cursor *c, uint32_t target, uint32_t *last,
                     uint32_t *max_tf, uint32_t *min_len) {
  uint32_t from = (uint32_t)c->priv[P_SHALLOW];
  if (c->decoded && c->iblock > from) from = c->iblock;
  uint32_t b = find_block(c, from, target);
  c->priv[P_SHALLOW] = b;
  if (b >= c->nblocks) {
    *last = SEG_END;
    *max_tf = 0;
    *min_len = 0;
    return 1;
  }
  if (c->blk) {
    *last = dir_u32(c, b, 0);
    *max_tf = dir_u32(c, b, 4);
    *min_len = dir_u32(c, b, 8);
  } else {
    *last = (uint32_t)c->priv[P_ONE];
    *max_tf = (uint32_t)(c->priv[P_ONE] >> 32);
    *min_len = (uint32_t)c->priv[P_ONELEN];
  }
  return 0;
}

/* Skip @count varints from *pp (< end). */
static int skip_varints(const unsigned char **pp, const unsigned char *end, uint64_t count) {
  const unsigned char *p = *pp;
  while (count > 0) {
    if (p >= end) return INDAGA_ECORRUPT;
    if (!(*p++ & 0x80)) count--;
  }
  *pp = p;
  return INDAGA_OK;
}

int seg_cursor_positions(seg_cursor *c, const uint32_t **pos, uint32_t *n) {
  *pos = NULL;
  *n = 0;
  if (c->doc == SEG_END || !c->decoded) return INDAGA_EMISUSE;
  const unsigned char *base = PTR(c, P_POS), *end = PTR(c, P_POSEND);
  uint64_t st = c->priv[P_POSSTATE];
  uint32_t have = (uint32_t)(st & 0xffffu);
  uint64_t off = st >> 16;
  if (st == UINT64_MAX || have > c->idx) {
    have = 0;
    off = c->blk ? dir_u32(c, c->iblock, 16) : 0;
  }
  if (off > (size_t)(end - base)) return INDAGA_ECORRUPT;
  const unsigned char *p = base + off;
  uint64_t skip = 0;
  for (uint32_t i = have; i < c->idx; i++) skip += c->tfs[i];
  if (skip_varints(&p, end, skip)) return INDAGA_ECORRUPT;
  c->priv[P_POSSTATE] = (uint64_t)(p - base) << 16 | c->idx;
  uint32_t tf = c->freq;
  if (tf > c->cappos) {
    uint32_t cap = c->cappos ? c->cappos : 16;
    while (cap < tf) cap = cap > UINT32_MAX / 2 ? tf : cap * 2;
    uint32_t *np = indaga__realloc(c->pos, (size_t)cap * sizeof *np);
    if (!np) return INDAGA_ENOMEM;
    c->pos = np;
    c->cappos = cap;
  }
  uint64_t prev = 0;
  for (uint32_t k = 0; k < tf; k++) {
    uint64_t v;
    if (get_varint(&p, end, &v)) return INDAGA_ECORRUPT;
    uint64_t at = k ? prev + 1 + v : v;
    if (at >= UINT32_MAX) return INDAGA_ECORRUPT;
    c->pos[k] = (uint32_t)at;
    prev = at;
  }
  c->npos = tf;
  *pos = c->pos;
  *n = tf;
  return INDAGA_OK;
}
