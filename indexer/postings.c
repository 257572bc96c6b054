/*
** postings.c: encoding and cursor-decoding of one term's postings list.
**
** Layout (normative text in format.h): an optional block directory (one
** 36-byte entry per block: last id, max tf, min paragraph length, data
** offset, positions offset, the block's impacts), then the blocks. A block is bit-packed: two
** width bytes, then the id gaps minus one (from the previous block's last
** id) at the first width, then tf-1 at the second. Bit-packing measured
** smaller than StreamVByte on our lists (frequent terms have gaps of a few
** bits, and tf == 1 costs no bits at all), at a decode speed of the same
** order (bench_segment). Positions live in their own section as
** varints, tf of them per posting, so a cursor decodes them only when
** seg_cursor_positions() asks, by skipping the varints of the earlier
** postings of its block (resuming from the last call when it can).
**
** Safety: a block's length follows from its two width bytes, and is checked
** against the end pointer before anything is unpacked; unpacking reads
** 8-byte windows, so it works from a zero-padded stack copy when fewer than
** 8 readable bytes follow the block. Ids ascend by construction (gap - 1 is
** stored); they must stay above the cursor's current id, below the
** paragraph count, and end on the directory's last id; any violation, or a
** width above 32, is INDAGA_ECORRUPT.
*/
#include <assert.h>
#include "indexer/postings.h"
#include "indexer/format.h"

#define PACK_MAX  (SEG_BLOCK * 4u)   /* bytes of 128 values at 32 bits */
#define PACK_SLACK 8u

/* Cursor private slots (seg_cursor.priv). */
#define P_DATA     0   /* first byte after the directory */
#define P_POS      1   /* the term's first positions byte */
#define P_POSEND   2   /* end of the positions section */
#define P_SHALLOW  3   /* the block seg_cursor_block last reported */
#define P_DF       4   /* df | limit << 32 */
#define P_ONE      5   /* single block: last_doc | max_tf << 32 */
#define P_ONELEN   6   /* single block: min_len */
#define P_POSSTATE 7   /* positions skip state: byte offset << 16 | posting index */

#define PTR(c, i) ((const unsigned char *)(uintptr_t)(c)->priv[i])

/**************************************************************************
** Impacts. A block's bound by max tf and min length alone is loose: a
** common word's block holds a short heading and, elsewhere, a long
** paragraph repeating the word, and BM25 at (max tf, min length) lies far
** above either. The directory entry also keeps the block's Pareto
** frontier of (tf, length) (the postings no other beats in both: more tf,
** shorter), cut to SEG_IMPACTS steps: every posting has tf <= tf_j and
** length >= len_j for some step j, so BM25 at the best step bounds the
** block for any k1, b and average length (as Lucene's impacts do).
*/
/*
** The steps of a block of @m postings, tf ascending (len ascending too),
** into st[] and sl[]; returns their count (1..SEG_IMPACTS). Both are taken
** at 16 bits first (0xffff: the block's max tf; a length cut is shorter),
** as stored. A frontier of
** more steps is cut by merging two neighbours j, j+1 into (tf_j+1, len_j),
** which covers both, where their lengths differ least (by ratio).
*/
static uint32_t frontier(const uint32_t *tfs, const uint32_t *lens, uint32_t m, uint32_t *st, uint32_t *sl) {
  uint32_t vt[SEG_BLOCK], vl[SEG_BLOCK], k = 0;
  for (uint32_t i = 0; i < m; i++) {   /* each distinct tf with its smallest length: few */
    uint32_t t = tfs[i] < 0xffffu ? tfs[i] : 0xffffu, l = lens[i] < 0xffffu ? lens[i] : 0xffffu, j = 0;
    while (j < k && vt[j] != t) j++;
    if (j == k) { vt[k] = t; vl[k++] = l; }
    else if (l < vl[j]) vl[j] = l;
  }
  for (uint32_t i = 1; i < k; i++) {   /* by tf descending (insertion: few) */
    uint32_t t = vt[i], l = vl[i], j = i;
    for (; j > 0 && vt[j - 1] < t; j--) { vt[j] = vt[j - 1]; vl[j] = vl[j - 1]; }
    vt[j] = t;
    vl[j] = l;
  }
  uint32_t n = 0, run = UINT32_MAX, ft[SEG_BLOCK], fl[SEG_BLOCK];
  for (uint32_t i = 0; i < k; i++)   /* a tf is on the frontier when shorter than every higher tf */
    if (vl[i] < run) { run = vl[i]; ft[n] = vt[i]; fl[n++] = vl[i]; }
  for (uint32_t i = 0; i < n / 2; i++) {   /* tf ascending */
    uint32_t t = ft[i], l = fl[i];
    ft[i] = ft[n - 1 - i]; fl[i] = fl[n - 1 - i];
    ft[n - 1 - i] = t; fl[n - 1 - i] = l;
  }
  while (n > SEG_IMPACTS) {
    uint32_t best = 0;
    for (uint32_t j = 1; j + 1 < n; j++)   /* fl[j+1] / fl[j] < fl[best+1] / fl[best], in integers */
      if ((uint64_t)fl[j + 1] * fl[best] < (uint64_t)fl[best + 1] * fl[j]) best = j;
    ft[best] = ft[best + 1];
    for (uint32_t j = best + 1; j + 1 < n; j++) { ft[j] = ft[j + 1]; fl[j] = fl[j + 1]; }
    n--;
  }
  memcpy(st, ft, n * sizeof *st);
  memcpy(sl, fl, n * sizeof *sl);
  return n;
}

/* Bits needed for @v (0 for 0). */
static unsigned width(uint32_t v) { return v ? 32u - (unsigned)__builtin_clz(v) : 0u; }

static size_t packed_len(uint32_t n, unsigned b) { return ((size_t)n * b + 7u) / 8u; }

/*
** Pack v[0..n) at @b bits each, LSB first, into out (packed_len bytes): the
** bits gather in a 64-bit accumulator that gives out 32 of them at a time
** (fewer than 32 bits wait there and a value adds at most 32), then the
** last bytes one by one. (A branch-free variant that stores after every
** value measured 10-20% slower: the fill's branch is periodic and predicted.)
*/
static void pack(const uint32_t *v, uint32_t n, unsigned b, unsigned char *out) {
  if (b == 0) return;
  uint64_t acc = 0;
  unsigned fill = 0;
  for (uint32_t i = 0; i < n; i++) {
    acc |= (uint64_t)v[i] << fill;
    fill += b;
    if (fill >= 32) {
      put_u32(out, (uint32_t)acc);
      out += 4;
      acc >>= 32;
      fill -= 32;
    }
  }
  for (; fill > 0; fill = fill > 8 ? fill - 8 : 0, acc >>= 8) *out++ = (unsigned char)acc;
}

/* Unpack n values of @b bits from @p, which has PACK_SLACK readable bytes past packed_len. */
static inline void unpack_w(const unsigned char *p, uint32_t n, const unsigned b, uint32_t *out) {
  const uint64_t mask = ((uint64_t)1 << b) - 1;
  uint32_t i = 0;
  /* groups of 8 values fill b whole bytes: constant offsets and shifts within a group */
  for (; i + 8 <= n; i += 8, p += b) {
    out[i + 0] = (uint32_t)((get_u64(p) >> 0) & mask);
    out[i + 1] = (uint32_t)((get_u64(p + ((1 * b) >> 3)) >> ((1 * b) & 7u)) & mask);
    out[i + 2] = (uint32_t)((get_u64(p + ((2 * b) >> 3)) >> ((2 * b) & 7u)) & mask);
    out[i + 3] = (uint32_t)((get_u64(p + ((3 * b) >> 3)) >> ((3 * b) & 7u)) & mask);
    out[i + 4] = (uint32_t)((get_u64(p + ((4 * b) >> 3)) >> ((4 * b) & 7u)) & mask);
    out[i + 5] = (uint32_t)((get_u64(p + ((5 * b) >> 3)) >> ((5 * b) & 7u)) & mask);
    out[i + 6] = (uint32_t)((get_u64(p + ((6 * b) >> 3)) >> ((6 * b) & 7u)) & mask);
    out[i + 7] = (uint32_t)((get_u64(p + ((7 * b) >> 3)) >> ((7 * b) & 7u)) & mask);
  }
  p -= (size_t)i / 8 * b;
  for (; i < n; i++) {
    size_t bit = (size_t)i * b;
    out[i] = (uint32_t)((get_u64(p + (bit >> 3)) >> (bit & 7u)) & mask);
  }
}

static void unpack(const unsigned char *p, uint32_t n, unsigned b, uint32_t *out) {
  switch (b) {   /* a constant width per case lets the compiler unroll the shifts */
  case 0: memset(out, 0, (size_t)n * sizeof *out); break;
#define W(k) case k: unpack_w(p, n, k, out); break;
  W(1) W(2) W(3) W(4) W(5) W(6) W(7) W(8) W(9) W(10) W(11) W(12) W(13) W(14) W(15) W(16)
  W(17) W(18) W(19) W(20) W(21) W(22) W(23) W(24) W(25) W(26) W(27) W(28) W(29) W(30) W(31) W(32)
#undef W
  default: break;
  }
}

/**************************************************************************
** Encoding
*/
/*
** Encode block @b of a list (postings i0 = b * SEG_BLOCK .. + m) into @post:
** its directory entry when the list has one (at @dir_at; @posoff is where the
** block's positions start, from the list's first positions byte), then the
** bit-packed gaps and tfs. *prev is the previous block's last id (UINT32_MAX
** before the first). Folds the block into *st (max_tf, min_len, cf).
** INDAGA_OK, INDAGA_ENOMEM, or INDAGA_ERROR past the 32-bit directory offsets.
*/
static int encode_block(ia_buf *post, size_t dir_at, size_t data_at, uint32_t b, uint32_t nblocks,
                        const uint32_t *docs, const uint32_t *tfs, const uint32_t *lens, uint32_t m,
                        uint64_t posoff, uint32_t *prev, pst_stats *st) {
  if (post->n - data_at > UINT32_MAX || posoff > UINT32_MAX) return INDAGA_ERROR;
  uint32_t gaps[SEG_BLOCK], tmp[SEG_BLOCK];
  unsigned char out[2 + 2 * PACK_MAX];
  uint32_t bmax = 0, bmin = UINT32_MAX, gmax = 0, tmax = 0;
  uint64_t cf = 0;
  /* loops without a carried dependency but their reductions, which the
     compiler vectorises */
  gaps[0] = docs[0] - *prev - 1u;   /* wraps correctly for *prev == UINT32_MAX */
  for (uint32_t i = 1; i < m; i++) {
    assert(docs[i] > docs[i - 1]);
    gaps[i] = docs[i] - docs[i - 1] - 1u;
  }
  for (uint32_t i = 0; i < m; i++) {
    assert(tfs[i] >= 1);
    tmp[i] = tfs[i] - 1u;
    gmax |= gaps[i];
    tmax |= tmp[i];
    bmax = tfs[i] > bmax ? tfs[i] : bmax;
    bmin = lens[i] < bmin ? lens[i] : bmin;
    cf += tfs[i];
  }
  *prev = docs[m - 1];
  if (nblocks > 1) {
    unsigned char *e = post->p + dir_at + (size_t)b * SEGF_SKIP_SIZE;
    uint32_t st_[SEG_IMPACTS], sl_[SEG_IMPACTS], ns = frontier(tfs, lens, m, st_, sl_);
    put_u32(e, docs[m - 1]);
    put_u32(e + 4, bmax);
    put_u32(e + 8, bmin);
    put_u32(e + 12, (uint32_t)(post->n - data_at));
    put_u32(e + 16, (uint32_t)posoff);
    for (uint32_t j = 0; j < ns; j++) {
      put_u16(e + 20 + 4 * j, (uint16_t)st_[j]);
      put_u16(e + 22 + 4 * j, (uint16_t)sl_[j]);
    }
  }
  unsigned bd = width(gmax), bt = width(tmax);
  size_t ld = packed_len(m, bd), lt = packed_len(m, bt);
  out[0] = (unsigned char)bd;
  out[1] = (unsigned char)bt;
  pack(gaps, m, bd, out + 2);
  pack(tmp, m, bt, out + 2 + ld);
  buf_append(post, out, 2 + ld + lt);
  if (post->err) return post->err;
  if (bmax > st->max_tf) st->max_tf = bmax;
  if (bmin < st->min_len) st->min_len = bmin;
  st->cf += cf;
  return INDAGA_OK;
}

/* Room for the directory of @nblocks blocks (zeroed) at the end of @post. */
static int start_list(ia_buf *post, uint32_t n, uint32_t nblocks, pst_stats *st) {
  assert(n >= 1);
  memset(st, 0, sizeof *st);
  st->min_len = UINT32_MAX;
  st->df = n;
  if (nblocks > 1) {
    if (buf_reserve(post, (size_t)nblocks * SEGF_SKIP_SIZE)) return post->err;
    memset(post->p + post->n, 0, (size_t)nblocks * SEGF_SKIP_SIZE);
    post->n += (size_t)nblocks * SEGF_SKIP_SIZE;
  }
  return INDAGA_OK;
}

int pst_encode(ia_buf *post, ia_buf *posb, const uint32_t *docs, const uint32_t *tfs,
               const uint32_t *lens, const uint32_t *pos, uint32_t n, pst_stats *st) {
  uint32_t nblocks = (n + SEG_BLOCK - 1) / SEG_BLOCK, prev = UINT32_MAX;   /* "-1" before id 0 */
  size_t dir_at = post->n;
  int rc = start_list(post, n, nblocks, st);
  size_t data_at = post->n, pos_at = posb->n;
  const uint32_t *pp = pos;
  for (uint32_t b = 0; b < nblocks && !rc; b++) {
    uint32_t i0 = b * SEG_BLOCK, m = n - i0 < SEG_BLOCK ? n - i0 : SEG_BLOCK;
    uint64_t posoff = posb->n - pos_at;
    /* the block's positions: the first, then differences - 1 */
    for (uint32_t i = i0; i < i0 + m; i++) {
      if (buf_reserve(posb, (size_t)tfs[i] * 5u)) return posb->err;
      unsigned char *w = posb->p + posb->n;
      w = put_varint(w, pp[0]);
      for (uint32_t k = 1; k < tfs[i]; k++) {
        assert(pp[k] > pp[k - 1]);
        w = put_varint(w, pp[k] - pp[k - 1] - 1u);
      }
      posb->n = (size_t)(w - posb->p);
      pp += tfs[i];
    }
    rc = encode_block(post, dir_at, data_at, b, nblocks, docs + i0, tfs + i0, lens + i0, m, posoff, &prev, st);
  }
  if (rc) return rc;
  st->last_doc = docs[n - 1];
  return INDAGA_OK;
}

int pst_encode_begin(pst_enc *e, ia_buf *post, uint32_t n, pst_stats *st) {
  e->n = n;
  e->nblocks = (n + SEG_BLOCK - 1) / SEG_BLOCK;
  e->b = 0;
  e->prev = UINT32_MAX;   /* "-1" before id 0 */
  e->dir_at = post->n;
  int rc = start_list(post, n, e->nblocks, st);
  e->data_at = post->n;
  return rc;
}

int pst_encode_block(pst_enc *e, ia_buf *post, const uint32_t *docs, const uint32_t *tfs,
                     const uint32_t *lens, uint32_t m, uint64_t posoff, pst_stats *st) {
  uint32_t want = e->n - e->b * SEG_BLOCK < SEG_BLOCK ? e->n - e->b * SEG_BLOCK : SEG_BLOCK;
  if (e->b >= e->nblocks || m != want) return INDAGA_EMISUSE;
  int rc = encode_block(post, e->dir_at, e->data_at, e->b, e->nblocks, docs, tfs, lens, m, posoff, &e->prev, st);
  if (rc) return rc;
  e->b++;
  st->last_doc = docs[m - 1];
  return INDAGA_OK;
}

int pst_encode_ids(ia_buf *post, const uint32_t *docs, const uint32_t *tfs, const uint32_t *lens,
                   const uint64_t *posoff, uint32_t n, pst_stats *st) {
  pst_enc e;
  int rc = pst_encode_begin(&e, post, n, st);
  for (uint32_t b = 0; b < e.nblocks && !rc; b++) {
    uint32_t i0 = b * SEG_BLOCK, m = n - i0 < SEG_BLOCK ? n - i0 : SEG_BLOCK;
    rc = pst_encode_block(&e, post, docs + i0, tfs + i0, lens + i0, m, posoff[b], st);
  }
  return rc;
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

/* Decode block @b into c->docs/c->tfs and put the cursor on its first posting. */
static int decode_block(seg_cursor *c, uint32_t b) {
  uint32_t df = cur_df(c), n = b + 1 < c->nblocks ? SEG_BLOCK : df - b * SEG_BLOCK;
  const unsigned char *data = PTR(c, P_DATA), *p = data, *lim = c->end;
  uint64_t prev = UINT64_MAX;   /* "-1": the first id is gap - 1 + 1 */
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
  if (lim - p < 2 || p[0] > 32 || p[1] > 32) return INDAGA_ECORRUPT;
  unsigned bd = p[0], bt = p[1];
  size_t ld = packed_len(n, bd), lt = packed_len(n, bt);
  if ((size_t)(lim - p) - 2 < ld + lt) return INDAGA_ECORRUPT;
  p += 2;
  unsigned char pad[2 * PACK_MAX + PACK_SLACK];
  if ((size_t)(c->end - p) < ld + lt + PACK_SLACK) {
    memcpy(pad, p, ld + lt);
    memset(pad + ld + lt, 0, PACK_SLACK);
    p = pad;
  }
  unpack(p, n, bd, c->docs);
  /* prefix sums; 64-bit so that a corrupt gap cannot wrap around */
  uint64_t at = prev;
  for (uint32_t i = 0; i < n; i++) {
    at += (uint64_t)c->docs[i] + 1u;
    c->docs[i] = (uint32_t)at;
  }
  if (bt == 0) {   /* every tf is 1: the common block */
    for (uint32_t i = 0; i < n; i++) c->tfs[i] = 1;
  } else {
    unpack(p + ld, n, bt, c->tfs);
    for (uint32_t i = 0; i < n; i++) c->tfs[i] += 1u;
    if (bt == 32)
      for (uint32_t i = 0; i < n; i++)
        if (c->tfs[i] == 0) return INDAGA_ECORRUPT;   /* tf - 1 was 2^32 - 1 */
  }
  uint32_t before = c->doc;   /* the id the cursor was on, or SEG_END before the first block */
  if (at >= cur_limit(c)) return INDAGA_ECORRUPT;
  if (before != SEG_END && c->docs[0] <= before) return INDAGA_ECORRUPT;
  if (c->docs[n - 1] != block_last(c, b)) return INDAGA_ECORRUPT;
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

/*
** First block >= @from whose last id is >= @target, or nblocks. Seeks
** mostly land a few blocks ahead, so it gallops from @from (1, 2, 4, ...
** blocks) before the binary search.
*/
static uint32_t find_block(const seg_cursor *c, uint32_t from, uint32_t target) {
  uint32_t lo = from, hi = c->nblocks;   /* the answer is in [lo, hi] */
  for (uint32_t step = 1; hi - lo > step; step *= 2) {
    uint32_t p = lo + step - 1;
    if (block_last(c, p) >= target) { hi = p; break; }
    lo = p + 1;
  }
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
  /*
  ** the target is inside the current block (docs[idx] < target <= the last
  ** id): gallop from the cursor, then binary search what is left
  */
  uint32_t lo = c->idx, hi = c->ndocs - 1;
  for (uint32_t step = 1; lo + step < hi; step *= 2) {
    if (c->docs[lo + step] >= target) { hi = lo + step; break; }
    lo += step;
  }
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
  /* search from the cursor's block, not from the last answer, so a target
     below an earlier one still gets its own block's bounds */
  uint32_t b = find_block(c, c->decoded ? c->iblock : 0, target);
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
    c->nimp = 0;
    for (uint32_t j = 0; j < SEG_IMPACTS; j++) {
      const unsigned char *e = c->blk + (size_t)b * SEGF_SKIP_SIZE + 20 + 4 * j;
      uint32_t t = get_u16(e), l = get_u16(e + 2);
      if (t == 0) break;
      /* kept within the block's own bounds, so a damaged entry never loosens them */
      c->imp_tf[j] = t == 0xffffu || t > *max_tf ? *max_tf : t;
      c->imp_len[j] = l < *min_len ? *min_len : l;
      c->nimp++;
    }
  } else {
    *last = (uint32_t)c->priv[P_ONE];
    *max_tf = (uint32_t)(c->priv[P_ONE] >> 32);
    *min_len = (uint32_t)c->priv[P_ONELEN];
    c->nimp = 0;
  }
  if (c->nimp == 0) {   /* no steps: the corner */
    c->imp_tf[0] = *max_tf;
    c->imp_len[0] = *min_len;
    c->nimp = 1;
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

/*
** Put *pp on the current posting's first positions byte (resuming from the
** last call when it can). INDAGA_OK, EMISUSE (no current posting) or
** ECORRUPT.
*/
static int seek_positions(seg_cursor *c, const unsigned char **pp) {
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
  *pp = p;
  return INDAGA_OK;
}

/* The current posting's positions end at @p: the next posting's start there. */
static void past_positions(seg_cursor *c, const unsigned char *p) {
  c->priv[P_POSSTATE] = (uint64_t)(p - PTR(c, P_POS)) << 16 | (c->idx + 1);
}

int pst_cursor_positions_raw(seg_cursor *c, const unsigned char **raw, size_t *nraw) {
  *raw = NULL;
  *nraw = 0;
  const unsigned char *p, *end = PTR(c, P_POSEND);
  int rc = seek_positions(c, &p);
  if (rc) return rc;
  const unsigned char *start = p;
  uint64_t prev = 0;
  for (uint32_t k = 0; k < c->freq; k++) {   /* the checks of seg_cursor_positions */
    const unsigned char *q = p;
    uint64_t v;
    if (get_varint(&p, end, &v) || v >= UINT32_MAX) return INDAGA_ECORRUPT;
    uint64_t at = k ? prev + 1 + v : v;
    if (at >= UINT32_MAX) return INDAGA_ECORRUPT;
    prev = at;
    if (p - q > 1 && p[-1] == 0) return 1;   /* not the shortest encoding */
  }
  *raw = start;
  *nraw = (size_t)(p - start);
  past_positions(c, p);
  return INDAGA_OK;
}

int seg_cursor_positions(seg_cursor *c, const uint32_t **pos, uint32_t *n) {
  *pos = NULL;
  *n = 0;
  const unsigned char *p, *end = PTR(c, P_POSEND);
  int rc = seek_positions(c, &p);
  if (rc) return rc;
  uint32_t tf = c->freq;
  if (tf > (size_t)(end - p)) return INDAGA_ECORRUPT;   /* each position takes a byte: no huge buffer for a corrupt tf */
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
    if (get_varint(&p, end, &v) || v >= UINT32_MAX) return INDAGA_ECORRUPT;   /* a 64-bit gap would wrap */
    uint64_t at = k ? prev + 1 + v : v;
    if (at >= UINT32_MAX) return INDAGA_ECORRUPT;
    c->pos[k] = (uint32_t)at;
    prev = at;
  }
  past_positions(c, p);
  c->npos = tf;
  *pos = c->pos;
  *n = tf;
  return INDAGA_OK;
}
