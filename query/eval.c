/*
** eval.c: finding the top k (query.h, "Evaluation"; DESIGN.md "Queries").
** compile.c turns the parse tree into a tree of operators (op.h, one file
** each); here each segment builds its iterators from it and the loops
** below keep the best k paragraphs in a heap.
**
** Evaluation (per segment): a tree of iterators (qit) over posting cursors,
** each driven through its operator's functions (op.h):
**   seek(it, t)   moves it to its first match >= t
**   score(it, d)  BM25 of the groups at d, + phrase bonus; the loops add
**                 the proximity bonus (rank.c) over the proximity groups
**   bound(it, d)  an upper bound of score over [d, last]: per cursor the
**                 block holding d (seg_cursor_block: max tf, min length,
**                 and the block's impacts, its (tf, length) steps), without
**                 decoding; used to skip whole ranges (block-max).
** The heap loop (run_segment) asks for a bound once the heap is full, skips
** what cannot enter, and only then seeks and scores. Proximity positions
** are read only for a paragraph whose score plus the largest bonus could
** enter. Two shapes, most queries, have loops of their own with the same
** results (test_query checks them against exhaustive runs):
**   run_group  the root is one group: its cursors are walked with
**              seg_cursor_next and scored inline; a posting whose tf
**              cannot enter even at the range's smallest length is dropped
**              before its length is read. With one term in the segment
**              (most words), run_one does this a decoded block at a time
**              and prefetches the lengths it will read, so the random
**              reads of a block overlap.
**   run_conj   the root is an AND, phrase or NEAR (top k without grouping):
**              MaxScore for conjunctions. The cheap kids are intersected;
**              each candidate is first bounded at the range's length floor
**              (no length read), then at its length with the costly groups
**              ("de", "la" in a phrase) bounded from their block
**              directories; only a candidate that could enter decodes the
**              costly lists, checks exclusions and reads positions. When
**              the two rarest cheap kids are groups with one big list each,
**              the intersection merges those lists' decoded blocks by
**              comparison (leapfrog2) instead of seeking posting by posting.
**   run_best   the root is a best match (op_best.c), top k without
**              grouping: MaxScore over the optional words with the tier
**              (the number of words a paragraph holds) leading the bound.
** Each hit has a tier (0 unless the root is a best match), compared before
** its score. The counts come from a count pass (see "Counts" below).
*/
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include "query/op.h"
#include "query/fields.h"

/* Proximity bonus at @d over the proximity groups present. */
static double proximity(qx_query *q, uint32_t d) {
  if (q->prox_max == 0) return 0.0;
  size_t off[64];
  uint32_t ns[64];
  const uint32_t *lists[64];
  unsigned m = 0;
  q->nsp = 0;
  for (unsigned i = 0; i < q->nproxit; i++) {
    qit *g = q->prox[i];
    if (g->doc != d) continue;
    off[m] = q->nsp;
    ns[m] = qx_group_positions(q, g, d);
    if (q->rc) return 0.0;
    if (ns[m]) m++;
  }
  if (m < 2) return 0.0;
  for (unsigned i = 0; i < m; i++) lists[i] = q->sp + off[i];
  return qr_prox(m, q->nprox, qr_min_window(lists, ns, m));
}

/*
** Wording bonus at @d (rank.c): the pairs of the query's adjacent words that
** stand adjacent at d. The dropped stopwords' iterators are sought to d
** here (candidates come in increasing order).
*/
static double wording(qx_query *q, uint32_t d) {
  size_t off[QX_WORDING_MAX];
  uint32_t ns[QX_WORDING_MAX];
  q->nsp = 0;
  for (unsigned i = 0; i < q->nwslots; i++) {
    qit *it = q->wit[i];
    ns[i] = 0;
    off[i] = q->nsp;
    if (!it) continue;
    if (q->wslot[i].stop) qx_seek(q, it, d);
    if (it->doc != d) continue;
    ns[i] = qx_group_positions(q, it, d);
    if (q->rc) return 0.0;
  }
  unsigned matched = 0;
  for (unsigned k = 0; k < q->npairs; k++) {
    unsigned a = q->pairs[k][0], b = q->pairs[k][1];
    if (ns[a] && ns[b]) matched += (unsigned)qr_adjacent(q->sp + off[a], ns[a], q->sp + off[b], ns[b]);
  }
  return qr_wording(matched, q->npairs);
}

/* The bonus at @d: proximity plus wording, at most q->prox_max. */
static double bonus(qx_query *q, uint32_t d) {
  double p = proximity(q, d);
  if (q->npairs) p += wording(q, d);
  return p;
}

/*
** The wording slots' iterators in the current segment: the tree's own for
** the query's words, new ones for the dropped stopwords (released by
** qx_release). Returns 0 or q->rc.
*/
static int wording_build(qx_query *q) {
  for (unsigned i = 0; i < q->nwslots; i++) {
    q->wit[i] = NULL;
    if (q->wslot[i].stop) {
      q->wit[i] = qx_build(q, q->wslot[i].stop);
      if (q->rc) return q->rc;
      continue;
    }
    for (unsigned j = 0; j < q->nproxit && !q->wit[i]; j++)
      if (q->prox[j]->g == q->wslot[i].g) q->wit[i] = q->prox[j];
  }
  return 0;
}

/**************************************************************************
** Top k
*/
/*
** Can paragraph @d of the current segment, or any after it in the segment,
** scoring at most @ub, not enter the full heap? When @ub is below the worst
** kept. When it equals it, the paragraph would have to win the tie:
**   - ties by place (q->ties_by_place): it comes after every hit kept and
**     loses;
**   - a segment whose documents lie in id order (q->seg_ordered): the tie
**     keys grow with the paragraph, so once the key at @d is after the
**     worst's, nothing from @d on wins: remembered (q->lose_*) until the
**     worst hit changes, so most such checks cost nothing;
**   - otherwise it may win (a smaller document id), and only offer() can
**     tell.
*/
static inline int cannot_enter(qx_query *q, double ub, uint32_t d) {
  const qx_hit *w = &q->heap[0];
  if (ub != w->score) return ub < w->score;
  if (q->ties_by_place) return 1;
  if (!q->seg_ordered) return 0;
  if (q->lose_from <= d && q->lose_wseg == w->seg && q->lose_wpid == w->pid) return 1;
  qx_hit c = { ub, w->tier, (uint32_t)q->seg, d };
  if (qx_tie_cmp(q->s, &c, w) < 0) return 0;
  q->lose_from = d;
  q->lose_wseg = w->seg;
  q->lose_wpid = w->pid;
  return 1;
}

/* Does @x rank before @y? The tier, the score, then the tie order (tie.c). */
static int better(const qx_query *q, const qx_hit *x, const qx_hit *y) {
  if (x->tier != y->tier) return x->tier > y->tier;
  if (x->score != y->score) return x->score > y->score;
  return qx_tie_cmp(q->s, x, y) < 0;
}

/*
** qx_opts.all: room for twice the matches (1024 at first), by realloc
** outside the arena (doubling there would keep every old copy), each byte
** charged to the budget first. 0, or -1 with q->rc set.
*/
static int all_grow(qx_query *q) {
  size_t n = q->allcap, c = n ? 2 * n : 1024;
  if (c > UINT32_MAX) { qx_fail(q, INDAGA_ENOMEM, "collecting every match"); return -1; }
  int rc = qb_charge(q->a->bud, (c - n) * sizeof *q->allhits);
  if (rc) { qx_fail(q, rc, "collecting every match"); return -1; }
  qx_hit *v = indaga__realloc(q->allhits, c * sizeof *v);
  if (!v) {
    qb_uncharge(q->a->bud, (c - n) * sizeof *v);
    qx_fail(q, INDAGA_ENOMEM, "collecting every match");
    return -1;
  }
  q->allhits = q->heap = v;
  q->allcap = c;
  q->o.k = (unsigned)c;   /* the run loops see room; pruning is off (exhaustive) */
  return 0;
}

void qx_all_free(qx_query *q) {
  if (!q || !q->allhits) return;
  qb_uncharge(q->a->bud, q->allcap * sizeof *q->allhits);
  indaga__free(q->allhits);
  q->allhits = q->heap = NULL;
  q->allcap = q->nheap = 0;
}

/* Offer @h to the heap (heap[0] is the worst kept). */
static void offer(qx_query *q, const qx_hit *h) {
  qx_hit *v = q->heap;
  size_t n = q->nheap;
  if (q->o.all) {   /* every match, unordered (qx_opts.all) */
    if (n == q->allcap && all_grow(q)) return;
    q->heap[q->nheap++] = *h;
    return;
  }
  if (n < q->o.k) {
    size_t i = q->nheap++;
    while (i > 0 && better(q, &v[(i - 1) / 2], h)) { v[i] = v[(i - 1) / 2]; i = (i - 1) / 2; }
    v[i] = *h;
    return;
  }
  if (!better(q, h, &v[0])) return;
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, w = i;
    const qx_hit *wv = h;
    if (l < n && better(q, wv, &v[l])) { w = l; wv = &v[l]; }
    if (r < n && better(q, wv, &v[r])) { w = r; }
    if (w == i) break;
    v[i] = v[w];
    i = w;
  }
  v[i] = *h;
}

/*
** Sort the heap best first: take its worst to the end, one at a time (a
** heap sort; qsort's comparator could not reach the snapshot the tie
** order reads).
*/
static void sort_heap(qx_query *q) {
  qx_hit *v = q->heap;
  for (size_t n = q->nheap; n > 1; n--) {
    qx_hit h = v[n - 1];
    v[n - 1] = v[0];
    size_t i = 0, m = n - 1;
    for (;;) {
      size_t l = 2 * i + 1, r = l + 1, w = i;
      const qx_hit *wv = &h;
      if (l < m && better(q, wv, &v[l])) { w = l; wv = &v[l]; }
      if (r < m && better(q, wv, &v[r])) { w = r; }
      if (w == i) break;
      v[i] = v[w];
      i = w;
    }
    v[i] = h;
  }
}

/*
** The root is one group (one word, its variants, or a prefix) and nothing
** else scores: walk its cursors in document order with seg_cursor_next
** instead of the iterator tree, and skip whole block ranges by the same
** block-max bound as run_segment. Scores are qr_bm25 of the summed tf, as
** score() computes them, so the result is the same.
*/
/*
** The state of a group walk's block-max bound: the range last bounded (its
** last paragraph), the smallest length within it, and the per-tf bound
** last computed (ctf, cub).
*/
typedef struct gwalk {
  uint32_t blast, minlen, ctf;
  double cub;
  int have_bound;
} gwalk;

/*
** The step run_one and run_group share: once the heap is full and *d has
** passed the range last bounded, bound the range from *d. Returns 0 to go
** on at *d; 1 when nothing in the range can enter, *d then moved past it;
** -1 when that range was the last.
*/
static inline int gwalk_bound(qx_query *q, qit *it, gwalk *w, uint32_t *d) {
  if (q->o.exhaustive || q->nheap != q->o.k || (w->have_bound && *d <= w->blast)) return 0;
  uint32_t last = SEG_END;
  double ub = qx_bound(q, it, *d, &last);
  w->have_bound = 1;
  w->blast = last;
  w->minlen = it->bfloor;
  w->ctf = 0;
  if (!cannot_enter(q, ub, *d)) return 0;
  q->skipped = 1;   /* skipped from the directories: no block decoded */
  if (last == SEG_END) return -1;
  *d = last + 1;
  w->have_bound = 0;
  return 1;
}

/* Paragraph @x matched with @score: counted, and offered unless it cannot enter. */
static inline void gwalk_take(qx_query *q, double score, uint32_t x) {
  qx_hit h = { score, 0, (uint32_t)q->seg, x };
  q->matched++;
  if (q->o.all || q->nheap < q->o.k || !cannot_enter(q, h.score, x)) offer(q, &h);
}

/*
** run_group for a group of one term in this segment (most words): the same
** walk and the same decisions, made over the cursor's decoded block
** (seg_cursor_run) instead of one seg_cursor_next per posting. A block is
** read in two passes: first the postings that could enter at the smallest
** length their tf allows in the range (its impacts, qx_group_len_floor; at
** the worst score kept when the pass starts) are gathered and their
** lengths prefetched; then each is tested
** again at the current worst score and scored. The block's random length
** reads thus overlap instead of each waiting for the one before.
*/
static void run_one(qx_query *q, qit *it) {
  const int pruning = !q->o.exhaustive;
  const double idf = it->g->idf;
  const unsigned char *lens = seg_para_lens(q->r);
  seg_cursor *c = &it->cur[0];
  gwalk w = { 0, 0, 0, 0, 0 };
  uint8_t cand[SEG_BLOCK];
  uint32_t d = c->doc;   /* where to go on: the cursor is sought there only once its block may enter */
  while (d != SEG_END && !q->rc && !qx_over_budget(q, SEG_BLOCK)) {
    int skip = gwalk_bound(q, it, &w, &d);   /* a skipped block is not decoded */
    if (skip < 0) break;
    if (skip) continue;
    if (c->doc < d) {
      int rc = seg_cursor_seek(c, d);
      if (rc) { qx_fail(q, rc, "reading postings"); return; }
    }
    if (c->doc == SEG_END) break;
    d = c->doc;   /* within the block bounded (its last id is w.blast) */
    /* 1. gather (the block lies within the bounded range: blast is its last id) */
    const uint32_t *ids, *tfs;
    uint32_t n = seg_cursor_run(c, &ids, &tfs), nc = 0;
    if (n == 0) break;
    const int filt = pruning && q->nheap == q->o.k;
    for (uint32_t i = 0; i < n; i++) {
      if (filt) {
        uint32_t tf = tfs[i];
        if (tf != w.ctf) { w.ctf = tf; w.cub = qr_bm25(&q->pr, idf, tf, qx_group_len_floor(it, tf)); }
        if (cannot_enter(q, w.cub, ids[i])) { q->skipped = 1; continue; }
      }
      __builtin_prefetch(lens + 4 * (size_t)ids[i]);
      cand[nc++] = (uint8_t)i;
    }
    /* 2. test again and score */
    uint32_t next = ids[n - 1] + 1;
    for (uint32_t k = 0; k < nc; k++) {
      uint32_t i = cand[k], x = ids[i], tf = tfs[i];
      if (pruning && q->nheap == q->o.k) {
        if (!w.have_bound) { next = x; break; }   /* the heap just filled: bound the rest first */
        if (tf != w.ctf) { w.ctf = tf; w.cub = qr_bm25(&q->pr, idf, tf, qx_group_len_floor(it, tf)); }
        if (cannot_enter(q, w.cub, x)) { q->skipped = 1; continue; }
      }
      if (!ix_is_deleted(q->s, q->seg, x)) gwalk_take(q, qr_bm25(&q->pr, idf, tf, get_u32(lens + 4 * (size_t)x)), x);
    }
    d = next;   /* the cursor stays: the next block is bounded before it is decoded */
  }
  it->doc = SEG_END;
}

static void run_group(qx_query *q, qit *it) {
  if (it->ncur == 1 && !q->o.exhaustive) { run_one(q, it); return; }   /* reference runs take the plain loop */
  const double idf = it->g->idf;
  uint32_t d = it->doc;
  gwalk w = { 0, 0, 0, 0, 0 };
  int behind = 0;   /* the cursors lie before d, sought only once its range may enter */
  while (d != SEG_END && !q->rc && !qx_over_budget(q, it->ncur)) {
    int skip = gwalk_bound(q, it, &w, &d);
    if (skip < 0) break;
    if (skip) { behind = 1; continue; }
    if (behind) {
      it->at = 0;
      qx_seek(q, it, d);
      d = it->doc;
      behind = 0;
      if (q->rc) return;
      continue;   /* d is a posting now: bounded again unless within the range */
    }
    /* 1. the group's tf at d; move its cursors past d */
    uint32_t tf = 0, next = SEG_END;
    for (uint32_t i = 0; i < it->ncur; i++) {
      seg_cursor *c = &it->cur[i];
      if (c->doc == d) {
        tf += c->freq;
        int rc = seg_cursor_next(c);
        if (rc) { qx_fail(q, rc, "reading postings"); return; }
      }
      if (c->doc < next) next = c->doc;
    }
    /*
    ** 2. score it unless deleted; offer() drops what cannot enter. Within a
    ** bounded range, a tf whose weight at the range's smallest length
    ** cannot enter is dropped before reading the paragraph's length.
    */
    if (w.have_bound && d <= w.blast && q->nheap == q->o.k) {
      if (tf != w.ctf) { w.ctf = tf; w.cub = qr_bm25(&q->pr, idf, tf, w.minlen); }
      if (cannot_enter(q, w.cub, d)) { q->skipped = 1; d = next; continue; }
    }
    if (!ix_is_deleted(q->s, q->seg, d)) gwalk_take(q, qr_bm25(&q->pr, idf, tf, seg_para_len(q->r, d)), d);
    d = next;
  }
  it->doc = SEG_END;
}

/*
** leapfrog for two groups (the common AND of two words, the two rarer words
** of a phrase). Each group's largest list (cur[dom]) holds most of its
** postings: once both groups sit on a paragraph, the rest of those two
** lists' decoded blocks is merged directly, below the next posting of the
** groups' other (small) lists, and the groups are sought only to the match,
** past a block, or to that next posting. Their blocks' postings thus cost a
** comparison each rather than a seek. Same result as leapfrog.
*/
static inline void group_seek(qx_query *q, qit *it, uint32_t t) {
  if (it->ncur != 1) { qx_seek(q, it, t); return; }
  seg_cursor *c = &it->cur[0];
  if (c->doc < t) {
    int rc = seg_cursor_seek(c, t);
    if (rc) { qx_fail(q, rc, "reading postings"); it->doc = SEG_END; return; }
  }
  it->doc = c->doc;
  it->at = 1;
}

static uint32_t leapfrog2(qx_query *q, qit *ka, qit *kb, uint32_t d) {
  const seg_cursor *a = &ka->cur[ka->dom], *b = &kb->cur[kb->dom];
  for (;;) {
    if (qx_over_budget(q, ka->ncur + kb->ncur)) return SEG_END;
    group_seek(q, ka, d);
    if (q->rc || ka->doc == SEG_END) return SEG_END;
    group_seek(q, kb, ka->doc);
    if (q->rc || kb->doc == SEG_END) return SEG_END;
    if (kb->doc == ka->doc) return ka->doc;
    /* the next common paragraph is >= kb->doc; below lim only the big lists hold any */
    uint32_t lim = SEG_END;
    for (uint32_t i = 0; i < ka->ncur; i++) if (i != ka->dom && ka->cur[i].doc < lim) lim = ka->cur[i].doc;
    for (uint32_t i = 0; i < kb->ncur; i++) if (i != kb->dom && kb->cur[i].doc < lim) lim = kb->cur[i].doc;
    const uint32_t *ia = NULL, *ib = NULL, *tf;
    uint32_t na = seg_cursor_run(a, &ia, &tf), nb = seg_cursor_run(b, &ib, &tf), i = 0, j = 0;
    d = kb->doc;
    if (!na || !nb) continue;   /* a big list is done: step as leapfrog does */
    while (i < na && j < nb) {
      uint32_t x = ia[i], y = ib[j];
      if (x == y) break;
      i += x < y;
      j += y < x;
    }
    uint32_t cand = i < na ? ia[i] : ib[j];   /* the match, or the first id the other list has past its block */
    if (cand > lim) cand = lim;
    if (cand > d) d = cand;
  }
}

/* Leapfrog kids lead[0..n) of @root to their first common paragraph >= d (SEG_END: none). */
static uint32_t leapfrog(qx_query *q, qit *root, const uint32_t *lead, size_t n, uint32_t d) {
  size_t agree = 0, i = 0;
  while (agree < n) {
    qit *k = root->kids[lead[i]];
    if (qx_over_budget(q, q->nopen)) return SEG_END;
    qx_seek(q, k, d);
    if (q->rc || k->doc == SEG_END) return SEG_END;
    if (k->doc == d) agree++;
    else { d = k->doc; agree = 1; }
    if (++i == n) i = 0;
  }
  return d;
}

/*
** leapfrog when the two rarest lead kids are leapfrog2's groups: they are
** merged by leapfrog2, and each paragraph they share is then sought in the
** other lead kids; where one lies past it, the merge resumes from there.
*/
static uint32_t leapfrog_two(qx_query *q, qit *root, const uint32_t *lead, size_t n, qit **two, uint32_t d) {
  for (;;) {
    d = leapfrog2(q, two[0], two[1], d);
    if (q->rc || d == SEG_END) return SEG_END;
    size_t i = 2;
    for (; i < n; i++) {
      qit *k = root->kids[lead[i]];
      qx_seek(q, k, d);
      if (q->rc || k->doc == SEG_END) return SEG_END;
      if (k->doc != d) break;
    }
    if (i == n) return d;
    d = root->kids[lead[i]]->doc;
  }
}

/*
** The block-max step of the evaluation loops (run_conj, run_segment): once the
** heap is full, and paragraph *d lies past the range of the last bound taken,
** take the bound of the block range holding *d (plus the largest proximity
** bonus). When it cannot beat the worst kept hit, skip the whole range.
**
** No slack is needed: a bound is the score's own formula on larger tf,
** smaller length and more (non-negative) terms, summed in the same order, and
** IEEE rounding is monotone in each of those operations. A paragraph scoring
** exactly the worst kept score may still win the tie (tie.c orders by
** document id), unless cannot_enter can tell that it loses.
**
** Returns 0 to score at *d, 1 when the range was skipped (*d moved past it),
** 2 when nothing is left in the segment.
*/
static int blockmax_skip(qx_query *q, qit *root, uint32_t *d, uint32_t *blast, int *have_bound) {
  if (*have_bound && *d <= *blast) return 0;
  uint32_t last = SEG_END;
  qx_hit ub = { qx_bound(q, root, *d, &last) + q->prox_max, 0, (uint32_t)q->seg, *d };
  if (root->kind == C_BEST) ub.tier = root->btier;
  *have_bound = 1;
  *blast = last;
  if (ub.tier > q->heap[0].tier || (ub.tier == q->heap[0].tier && !cannot_enter(q, ub.score, *d))) return 0;
  q->skipped = 1;
  if (last == SEG_END) return 2;
  *d = last + 1;
  *have_bound = 0;
  return 1;
}

/*
** The root is a conjunction (AND, phrase or NEAR), top k without grouping.
** MaxScore for conjunctions: the cheap kids (the rarest, those within 4x
** its cost, and every kid that is not a group) are intersected first. For
** each paragraph they share, their exact scores plus the costly groups'
** block bounds at that paragraph (group_bound_at), summed in score()'s
** order, decide whether it could enter the top k; only then are the costly
** groups sought (decoding their blocks), the exclusions checked, the exact
** score taken and positions read (phrases and NEAR last, as run_segment).
** The common words of a phrase ("de", "la") are thus decoded only for
** paragraphs that could enter. Same results as run_segment.
*/
static void run_conj(qx_query *q, qit *root) {
  const int pruning = !q->o.exhaustive;
  const uint32_t seg = (uint32_t)q->seg;
  const unsigned char *lens = seg_para_lens(q->r);
  uint32_t *lead = qx_alloc(q, 2 * root->npos * sizeof *lead), *rest;
  uint8_t *costly = qx_alloc(q, root->npos);
  qit *lazy[QX_PHRASE_MAX];
  size_t nlead = 0, nrest = 0, nlazy = 0;
  if (!lead || !costly) return;
  rest = lead + root->npos;
  double c0 = root->kids[root->ord[0]]->cost;
  for (size_t j = 0; j < root->npos; j++) {
    uint32_t i = root->ord[j];
    qit *k = root->kids[i];
    if (j > 0 && k->kind == C_GROUP && k->cost > 4 * c0) { costly[i] = 1; rest[nrest++] = i; }
    else lead[nlead++] = i;
    if (k->op->positions && nlazy + 1 < QX_PHRASE_MAX) { k->lazy = 1; lazy[nlazy++] = k; }
  }
  if (root->kind != C_AND) lazy[nlazy++] = root;   /* its kids are groups: nlazy was 0 */
  qit *pair[2], **two = NULL;
  if (nlead >= 2 && pruning) {   /* reference runs take the plain leapfrog */
    pair[0] = root->kids[lead[0]];
    pair[1] = root->kids[lead[1]];
    if (qx_group_one_big_list(q, pair[0]) && qx_group_one_big_list(q, pair[1])) two = pair;
  }
  uint32_t d = 0, blast = 0;
  int have_bound = 0;
  while (!q->rc && d != SEG_END && !qx_over_budget(q, q->nopen)) {
    const int full = q->nheap == q->o.k;
    /* 1. block-max: skip ranges whose bound cannot enter */
    if (pruning && full) {
      int skip = blockmax_skip(q, root, &d, &blast, &have_bound);
      if (skip == 2) break;
      /* skipped: the next candidate past the range is found, then bounded (not range after range) */
    }
    /* 2. the cheap kids' next common paragraph */
    d = two ? leapfrog_two(q, root, lead, nlead, two, d) : leapfrog(q, root, lead, nlead, d);
    if (q->rc || d == SEG_END) break;
    __builtin_prefetch(lens + 4 * (size_t)d);   /* read at step 3, after the bounds that need no length */
    if (pruning && full && d > blast) { have_bound = 0; continue; }
    /* 3. could it enter? first at the range's length floor, without reading the length */
    if (pruning && full) {
      double s = 0;
      uint32_t lf = root->bfloor;
      for (size_t i = 0; i < root->npos; i++) {
        qit *k = root->kids[i];
        if (costly[i] || k->kind != C_GROUP) { s += qx_bound_eval(q, k, lf); continue; }
        uint32_t tf = 0;
        for (uint32_t j = 0; j < k->ncur; j++) if (k->cur[j].doc == d) tf += k->cur[j].freq;
        s += qr_bm25(&q->pr, k->g->idf, tf, lf > k->bfloor ? lf : k->bfloor);
      }
      if (root->kind != C_AND) s += QR_PHRASE_BONUS;
      qx_hit ub = { s + q->prox_max, 0, seg, d };
      if (!better(q, &ub, &q->heap[0])) { q->skipped = 1; d++; continue; }
    }
    if (ix_is_deleted(q->s, q->seg, d)) { d++; continue; }
    double len = seg_para_len(q->r, d);
    /* then at its length, whatever the costly kids hold */
    if (pruning && full && nrest) {
      double s = 0;
      for (size_t i = 0; i < root->npos; i++)
        s += costly[i] ? qx_group_bound_at(q, root->kids[i], d, len) : qx_score(q, root->kids[i], d, len);
      if (root->kind != C_AND) s += QR_PHRASE_BONUS;
      qx_hit ub = { s + q->prox_max, 0, seg, d };
      if (!better(q, &ub, &q->heap[0])) { q->skipped = 1; d++; continue; }
    }
    /* 4. the costly kids, then the exclusions */
    uint32_t nd = d;
    for (size_t j = 0; j < nrest && nd == d; j++) {
      qit *k = root->kids[rest[j]];
      qx_seek(q, k, d);
      nd = k->doc;
    }
    if (q->rc) break;
    if (nd != d) { d = nd; if (d == SEG_END) break; continue; }
    int ok = !qx_excluded(q, root, d);
    if (q->rc) break;
    if (!ok) { d++; continue; }
    /* 5. the exact score; proximity and positions only if it could enter */
    root->doc = d;
    qx_hit h = { qx_score(q, root, d, len), 0, seg, d };
    if (q->prox_max > 0) {
      qx_hit ub = { h.score + q->prox_max, 0, seg, d };
      if (pruning && q->nheap == q->o.k && !better(q, &ub, &q->heap[0])) { q->skipped = 1; d++; continue; }
      h.score += bonus(q, d);
    }
    if (nlazy) {
      if (pruning && q->nheap == q->o.k && !better(q, &h, &q->heap[0])) { q->skipped = 1; d++; continue; }
      for (size_t i = 0; i < nlazy && ok; i++) ok = lazy[i]->op->positions(q, lazy[i], d);
      if (q->rc) break;
      if (!ok) { d++; continue; }
    }
    q->matched++;
    offer(q, &h);
    if (d == SEG_END - 1) break;
    d++;
  }
  root->doc = SEG_END;
}

/*
** The cost of reaching a paragraph through a kid: its postings. Optional
** kids sorted by decreasing cost (insertion sort: few kids) into @byc.
*/
static void by_cost_desc(qit **kids, size_t n, uint32_t *byc) {
  for (uint32_t i = 0; i < n; i++) {
    uint32_t j = i;
    while (j > 0 && kids[byc[j - 1]]->cost < kids[i]->cost) { byc[j] = byc[j - 1]; j--; }
    byc[j] = i;
  }
}

/* An upper bound of kid @k's score at paragraph @d of @len tokens, from block directories. */
static double kid_bound_at(qx_query *q, qit *k, uint32_t d, double len) {
  if (k->kind == C_GROUP) return qx_group_bound_at(q, k, d, len);
  uint32_t last = SEG_END;
  qx_bound_prep(q, k, d, &last);
  return qx_bound_eval(q, k, (uint32_t)len);
}

/*
** The root is a best match (op_best.c), top k without grouping: MaxScore
** over the optional words, with the tier leading the bound. While the heap
** is not full every optional kid is essential: candidates are the union of
** their lists. Once it is full and its worst hit has tier t, no paragraph
** holding at most t - 1 words can enter, so the t - 1 costliest optional
** kids become non-essential: candidates come from the others' union only,
** and the non-essential kids are sought (decoded) only at a candidate whose
** bound still lets it in. With a full heap of all-words hits, the words
** are intersected (leapfrog, rarest first; the two rarest merged block by
** block as run_conj does, leapfrog2). When a required kid scores, it
** alone makes candidates (leapfrog over the required kids) and every
** optional kid is non-essential.
**
** Per candidate: the tier bound (essential kids on it, plus the others not
** yet past it) without reading its length; at an equal tier, the score
** bound at its length (the required and essential kids exact, the others
** from their block directories, summed in score's order, plus the largest
** bonus); then the required filters, the exclusions, the exact tier and
** score, the bonus and the positions of required phrases. Same results as
** run_segment's exhaustive loop (test_query checks them).
*/
static void run_best(qx_query *q, qit *root) {
  const uint32_t seg = (uint32_t)q->seg, full_tier = (uint32_t)root->c->nopt;
  const size_t nr = root->npos - root->nopt, no = root->nopt;
  qit **opt = root->kids + nr;
  uint32_t *byc = qx_alloc(q, 2 * (no ? no : 1) * sizeof *byc), *lead;
  uint8_t *ess = qx_alloc(q, no ? no : 1);
  qit *lazy[QX_PHRASE_MAX];
  size_t nlazy = 0;
  int conj = 0;   /* the worst kept hit holds every word: the words are intersected */
  qit *pair[2], **two = NULL;   /* conj: the two rarest words, when leapfrog2 can merge them */
  if (!byc || !ess) return;
  by_cost_desc(opt, no, byc);
  lead = byc + no;
  for (size_t i = 0; i < no; i++) lead[i] = (uint32_t)(nr + byc[no - 1 - i]);   /* rarest first */
  for (size_t i = 0; i < no; i++) ess[i] = !root->reqs;
  for (size_t i = 0; i < nr && root->reqs; i++)
    if (root->kids[i]->op->positions && nlazy < QX_PHRASE_MAX) { root->kids[i]->lazy = 1; lazy[nlazy++] = root->kids[i]; }
  uint32_t tw = UINT32_MAX, d = 0, blast = 0;
  int have_bound = 0;
  while (!q->rc && d != SEG_END && !qx_over_budget(q, q->nopen)) {
    const int full = q->nheap == q->o.k;
    /* 0. the essential kids for the worst kept tier */
    if (full && !root->reqs && q->heap[0].tier != tw) {
      tw = q->heap[0].tier;
      if (tw > no) break;   /* no paragraph here holds enough of the words */
      conj = tw == no;
      for (size_t i = 0; i < no; i++) ess[byc[i]] = conj || i + 1 >= tw;
      if (conj && no >= 2) {
        pair[0] = root->kids[lead[0]];
        pair[1] = root->kids[lead[1]];
        if (qx_group_one_big_list(q, pair[0]) && qx_group_one_big_list(q, pair[1])) two = pair;
      }
    }
    /* 1. block-max: skip ranges whose bound cannot enter */
    if (full) {
      int skip = blockmax_skip(q, root, &d, &blast, &have_bound);
      if (skip == 2) break;
      /* skipped: the next candidate past the range is found, then bounded (not range after range) */
    }
    /* 2. the next candidate */
    if (root->reqs) {
      d = leapfrog(q, root, root->ord, nr, d);
    } else if (conj) {
      d = two ? leapfrog_two(q, root, lead, no, two, d) : leapfrog(q, root, lead, no, d);
    } else {
      uint32_t m = SEG_END;
      for (size_t i = 0; i < no; i++) {
        if (!ess[i]) continue;
        qx_seek(q, opt[i], d);
        if (opt[i]->doc < m) m = opt[i]->doc;
      }
      d = m;
    }
    if (q->rc || d == SEG_END) break;
    if (full && d > blast) { have_bound = 0; continue; }
    /* 3. could it enter? the tier first, then the score at its length */
    double len = -1;
    if (full) {
      uint32_t tub = 0;
      for (size_t i = 0; i < no; i++) tub += ess[i] ? opt[i]->doc == d : opt[i]->doc <= d;
      if (tub < q->heap[0].tier) { q->skipped = 1; d++; continue; }
      if (tub == q->heap[0].tier) {
        len = seg_para_len(q->r, d);
        double sb = 0;
        for (size_t i = 0; i < root->npos; i++) {
          qit *k = root->kids[i];
          sb += i < nr || ess[i - nr] ? qx_score(q, k, d, len) : kid_bound_at(q, k, d, len);
        }
        qx_hit ub = { sb + q->prox_max, tub, seg, d };
        if (!better(q, &ub, &q->heap[0])) { q->skipped = 1; d++; continue; }
      }
    }
    if (ix_is_deleted(q->s, q->seg, d)) { d++; continue; }
    /* 4. the required filters, the exclusions, the other words */
    uint32_t nd = d;
    for (size_t i = 0; i < nr && !root->reqs; i++) {
      qx_seek(q, root->kids[i], d);
      if (root->kids[i]->doc > nd) nd = root->kids[i]->doc;
    }
    if (q->rc) break;
    if (nd != d) { d = nd; continue; }
    int ok = !qx_excluded(q, root, d);
    if (q->rc) break;
    if (!ok) { d++; continue; }
    for (size_t i = 0; i < no; i++) if (!ess[i]) qx_seek(q, opt[i], d);
    if (q->rc) break;
    /* 5. the exact tier and score; the bonus and positions only if it could enter */
    if (len < 0) len = seg_para_len(q->r, d);
    root->doc = d;
    qx_hit h = { qx_score(q, root, d, len), qx_best_tier(root, d), seg, d };
    if (q->prox_max > 0) {
      qx_hit ub = { h.score + q->prox_max, h.tier, seg, d };
      if (q->nheap == q->o.k && !better(q, &ub, &q->heap[0])) { q->skipped = 1; d++; continue; }
      h.score += bonus(q, d);
    }
    if (nlazy) {
      if (q->nheap == q->o.k && !better(q, &h, &q->heap[0])) { q->skipped = 1; d++; continue; }
      for (size_t i = 0; i < nlazy && ok; i++) ok = lazy[i]->op->positions(q, lazy[i], d);
      if (q->rc) break;
      if (!ok) { d++; continue; }
    }
    q->matched++;
    q->matched_all += h.tier == full_tier;
    offer(q, &h);
    if (d == SEG_END - 1) break;
    d++;
  }
  root->doc = SEG_END;
}

/*
** --group: offer @h, the best paragraph of document @did of the current
** segment. The pieces of a file indexed in pieces (several document
** records with one id, maybe in several segments of one index) make one document: the
** best of each such id is kept in q->pieces, counted once, and offered
** when every segment is done (qx_topk), so the heap holds one hit per id.
*/
static void offer_doc(qx_query *q, const qx_hit *h, uint32_t did) {
  seg_doc d;
  int rc = seg_doc_get(q->r, did, &d);
  if (rc) { qx_fail(q, rc, "reading the document table"); return; }
  if (d.piece == 0 && !d.more) { q->matched_all += h->tier == q->full_tier; offer(q, h); return; }
  for (size_t i = 0; i < q->npieces; i++) {
    if (q->pieces[i].nid == d.nid && !memcmp(q->pieces[i].id, d.id, d.nid) &&
        ix_seg_member(q->s, q->pieces[i].h.seg) == ix_seg_member(q->s, q->seg)) {
      if (better(q, h, &q->pieces[i].h)) q->pieces[i].h = *h;
      q->matched--;   /* the id was counted already */
      return;
    }
  }
  if (q->npieces == q->cappieces) {
    struct qx_piece_best *v = qx_grow(q, q->pieces, q->npieces, &q->cappieces, sizeof *v, 8);
    if (!v) return;
    q->pieces = v;
  }
  q->pieces[q->npieces].id = d.id;   /* in the segment's mapping, alive as long as the snapshot */
  q->pieces[q->npieces].nid = d.nid;
  q->pieces[q->npieces++].h = *h;
}

/* Evaluate the current segment. */
static void run_segment(qx_query *q) {
  qit *root = q->it;
  if (root->kind == C_GROUP && !q->o.group && q->prox_max == 0) {
    run_group(q, root);
    return;
  }
  if ((root->kind == C_AND || root->kind == C_PHRASE || root->kind == C_NEAR) && !q->o.group) {
    run_conj(q, root);
    return;
  }
  const int best = root->kind == C_BEST;
  const uint32_t full_tier = best ? (uint32_t)root->c->nopt : 0;
  if (best && !q->o.group && !q->o.exhaustive) {
    run_best(q, root);
    return;
  }
  const int pruning = !q->o.exhaustive;
  uint32_t d = 0, blast = 0;
  int have_bound = 0;
  qx_hit pend = { -1.0, 0, 0, 0 };
  uint32_t pend_doc = SEG_END;
  /* 1. phrases and NEAR at the root, or required by it, check positions last */
  qit *lazy[QX_PHRASE_MAX];
  size_t nlazy = 0;
  if (root->op->positions) lazy[nlazy++] = root;
  else if (root->kind == C_AND)
    for (size_t i = 0; i < root->npos && nlazy < QX_PHRASE_MAX; i++)
      if (root->kids[i]->op->positions) lazy[nlazy++] = root->kids[i];
  for (size_t i = 0; i < nlazy; i++) lazy[i]->lazy = 1;
  while (!q->rc && !qx_over_budget(q, q->nopen)) {
    int full = q->nheap == q->o.k;
    if (pruning && full) {
      int skip = blockmax_skip(q, root, &d, &blast, &have_bound);
      if (skip == 2) break;
      /* skipped: the next candidate past the range is found, then bounded (not range after range) */
    }
    qx_seek(q, root, d);
    uint32_t x = root->doc;
    if (q->rc || x == SEG_END) break;
    if (pruning && full && x > blast) { d = x; have_bound = 0; continue; }
    d = x + 1;
    if (ix_is_deleted(q->s, q->seg, x)) continue;
    double len = seg_para_len(q->r, x);
    qx_hit h = { qx_score(q, root, x, len), best ? qx_best_tier(root, x) : 0, (uint32_t)q->seg, x };
    if (q->prox_max > 0) {
      /* positions only for a paragraph that could enter with the largest bonus */
      qx_hit ub = { h.score + q->prox_max, h.tier, h.seg, x };
      if (pruning && q->nheap == q->o.k && !better(q, &ub, &q->heap[0])) { q->skipped = 1; continue; }
      h.score += bonus(q, x);
    }
    if (nlazy) {
      /* 2. phrases: the score assuming they match; read positions only if it could enter */
      if (pruning && q->nheap == q->o.k && !better(q, &h, &q->heap[0])) { q->skipped = 1; continue; }
      int ok = 1;
      for (size_t i = 0; i < nlazy && ok; i++) ok = lazy[i]->op->positions(q, lazy[i], x);
      if (q->rc) break;
      if (!ok) continue;
    }
    if (!q->o.group) {
      q->matched++;
      q->matched_all += h.tier == full_tier;
      offer(q, &h);
      continue;
    }
    seg_para p;
    int rc = seg_para_get(q->r, x, &p);
    if (rc) { qx_fail(q, rc, "reading the paragraph table"); break; }
    if (p.doc != pend_doc) {
      if (pend_doc != SEG_END) offer_doc(q, &pend, pend_doc);
      pend = h;
      pend_doc = p.doc;
      q->matched++;
    } else if (better(q, &h, &pend)) {
      pend = h;
    }
    if (d == SEG_END) break;
  }
  if (pend_doc != SEG_END && !q->rc) offer_doc(q, &pend, pend_doc);
}

/**************************************************************************
** Counts (query.h, qx_counts). They are those of a count pass, which
** counts on fresh iterators without scoring: first in document order with
** QX_COUNT_WORK units of work (one per seek of the root, which finds one
** match, and QX_POS_COST per position check of a phrase or NEAR, op_and.c,
** which stops a seek when the work runs out), exact when it gets to the
** end; else, with QX_SAMPLE_WORK more, in QX_SAMPLE_WINDOWS windows spread
** evenly over each segment's paragraphs, each counted from its start until
** its end or its share of the work and scaled by the part of it covered;
** the estimate is rounded to two significant digits. The pass depends on
** the query and the snapshot only, never on k or the offset, so every page
** of a query reports the same counts (but an estimate below the number of
** hits found, k + offset at most, is raised to it). It is skipped where its result is
** known: a top-k run that skipped nothing (on a snapshot without deleted
** paragraphs, and with no position checks) counted every match, and the
** exact phase ends within its work when (matches + segments) fit; a query
** of one word (and no bonus) on such a snapshot matches its df, and one of
** filters on the field columns alone the paragraphs of the documents that
** pass them (columns_count). Filters on the columns also bound an estimate
** and scale the words' count into it (below). With qx_opts.visit (a
** facet) the exact phase has no work limit and hands each live match to
** the visit: the facet is tallied from the count pass, while the top-k run
** stays pruned.
*/
#define QX_COUNT_WORK 1024u
#define QX_SAMPLE_WORK 512u
#define QX_SAMPLE_WINDOWS 8u

typedef struct qx_tally {
  uint64_t n, all;                 /* matches (documents, with group), those holding every word */
  uint32_t last_doc;               /* group: the document record of the last match, SEG_END none */
  size_t piece;                    /* group: its entry in q->cpieces, or SIZE_MAX */
  int all_seen;                    /* group: it has an all-words match (not a piece) */
} qx_tally;

/*
** Group: count the document of match @x once (the pieces of one file, in
** any segment, are one document, as offer_doc has them). Returns the flag
** saying whether that document's all-words match is counted, or NULL on
** error (q->rc).
*/
static int *count_doc(qx_query *q, qx_tally *t, uint32_t x) {
  seg_para p;
  int rc = seg_para_get(q->r, x, &p);
  if (rc) { qx_fail(q, rc, "reading the paragraph table"); return NULL; }
  if (p.doc != t->last_doc) {
    seg_doc d;
    rc = seg_doc_get(q->r, p.doc, &d);
    if (rc) { qx_fail(q, rc, "reading the document table"); return NULL; }
    t->last_doc = p.doc;
    t->piece = SIZE_MAX;
    t->all_seen = 0;
    if (d.piece == 0 && !d.more) {
      t->n++;
    } else {
      for (size_t i = 0; i < q->ncpieces && t->piece == SIZE_MAX; i++)
        if (q->cpieces[i].nid == d.nid && !memcmp(q->cpieces[i].id, d.id, d.nid) &&
            q->cpieces[i].member == ix_seg_member(q->s, q->seg)) t->piece = i;
      if (t->piece == SIZE_MAX) {
        if (q->ncpieces == q->capcpieces) {
          void *v = qx_grow(q, q->cpieces, q->ncpieces, &q->capcpieces, sizeof *q->cpieces, 8);
          if (!v) return NULL;
          q->cpieces = v;
        }
        t->piece = q->ncpieces++;
        q->cpieces[t->piece].id = d.id;   /* in the segment's mapping, alive as long as the snapshot */
        q->cpieces[t->piece].nid = d.nid;
        q->cpieces[t->piece].member = ix_seg_member(q->s, q->seg);
        q->cpieces[t->piece].all = 0;
        t->n++;
      }
    }
  }
  return t->piece == SIZE_MAX ? &t->all_seen : &q->cpieces[t->piece].all;
}

/* After a cut, no composite iterator's match is verified: each is sought again. */
static void unverify(qit *it) {
  if (!it->nkids) return;
  it->at = 0;
  for (size_t i = 0; i < it->nkids; i++) unverify(it->kids[i]);
}

/*
** Count live match @x (@all: it holds every query word) into @t, a
** document once with group, and hand it to the visit. 0, or -1 with q->rc
** set.
*/
static int count_match(qx_query *q, qx_tally *t, uint32_t x, int all) {
  if (q->o.visit) {
    int rc = q->o.visit(q->o.visit_ctx, (uint32_t)q->seg, &x, 1);
    if (rc) { qx_fail(q, rc, "counting facets"); return -1; }
  }
  if (!q->o.group) { t->n++; t->all += (uint64_t)all; return 0; }
  int *seen = count_doc(q, t, x);
  if (!seen) return -1;
  if (all && !*seen) { *seen = 1; t->all++; }
  return 0;
}

/*
** Count the root's live matches in [lo, hi) of the current segment, doing
** at most @budget work (q->work: a unit per seek of the root, QX_POS_COST
** per position check, op_and.c). Returns where it stopped: hi when the
** range is done.
*/
static uint32_t count_range(qx_query *q, qit *root, uint32_t lo, uint32_t hi, uint64_t budget, qx_tally *t) {
  const int best = root->kind == C_BEST;
  uint32_t d = lo;
  q->work_limit = q->work + budget;
  q->cut = 0;
  while (d < hi) {
    if (q->work >= q->work_limit || qx_over_budget(q, q->nopen)) return d;
    q->work++;
    if (!root->at || root->doc < d) root->op->seek(q, root, d);   /* qx_seek, after a cut too */
    uint32_t x = root->doc;
    if (q->cut) {   /* out of work within the seek */
      q->cut = 0;
      unverify(root);
      return x > d && x < hi ? x : d;
    }
    if (q->rc || x >= hi) return hi;
    d = x + 1;
    if (ix_is_deleted(q->s, q->seg, x)) continue;
    if (count_match(q, t, x, !best || qx_best_tier(root, x) == q->full_tier)) return hi;
  }
  return hi;
}

/*
** The exact phase for a visit (qx_opts.visit) when @root is a group of one
** term in the segment (most words): its postings a decoded block at a time,
** as run_one reads them, instead of a seek per match; each block's live
** matches visited and, without group, counted at once. On a snapshot
** without deleted paragraphs (@deleted 0) none is looked up.
*/
static void visit_one(qx_query *q, qit *root, int deleted, qx_tally *t) {
  seg_cursor *c = &root->cur[0];
  uint32_t live[SEG_BLOCK];
  for (;;) {
    const uint32_t *ids, *tfs;
    uint32_t n = seg_cursor_run(c, &ids, &tfs), nl = 0;
    if (n == 0 || qx_over_budget(q, n)) return;
    if (deleted) {
      for (uint32_t i = 0; i < n; i++) if (!ix_is_deleted(q->s, q->seg, ids[i])) live[nl++] = ids[i];
    } else {
      memcpy(live, ids, n * sizeof *ids);
      nl = n;
    }
    int rc = nl ? q->o.visit(q->o.visit_ctx, (uint32_t)q->seg, live, nl) : 0;
    if (rc) { qx_fail(q, rc, "counting facets"); return; }
    if (!q->o.group) {
      t->n += nl;
      t->all += nl;
    } else {
      for (uint32_t i = 0; i < nl; i++) {
        int *seen = count_doc(q, t, live[i]);
        if (!seen) return;
        if (!*seen) { *seen = 1; t->all++; }
      }
    }
    rc = seg_cursor_seek(c, ids[n - 1] + 1);   /* ids is the block's: read before the cursor moves */
    if (rc) { qx_fail(q, rc, "reading postings"); return; }
  }
}

/* Fresh iterators of the query in segment @s (the top-k run's are spent); NULL: no match there. */
static qit *count_build(qx_query *q, size_t s) {
  q->seg = s;
  q->r = ix_seg(q->s, s);
  q->nproxit = 0;
  return qx_build(q, q->root);
}

/* An estimate rounded to two significant digits, never above @max (then rounded down). */
static uint64_t round2(double x, double max) {
  if (x < 100) return (uint64_t)llround(x > max ? floor(max) : x);
  double p = pow(10.0, floor(log10(x)) - 1);
  double r = (double)llround(x / p);
  if (r * p > max) r = floor(max / p);
  return (uint64_t)r * (uint64_t)llround(p);
}

/* Phrase and NEAR nodes under @c. */
static unsigned positional(const cnode *c) {
  unsigned n = c->op->positions != NULL;
  for (size_t i = 0; i < c->nkids; i++) n += positional(c->kids[i]);
  return n;
}

/*
** A floor of the matches of a disjunction root (OR, or a best match whose
** required kids are filters at most): its commonest word's live paragraphs
** (df less every deleted paragraph), which the exact phase would each seek.
*/
static double union_floor(const qx_query *q) {
  const cnode *c = q->root;
  size_t from = 0;
  if (c->kind == C_BEST) {
    from = c->npos - c->nopt;
    for (size_t i = 0; i < from; i++) if (c->kids[i]->kind != C_FILTER) return 0;
  } else if (c->kind != C_OR) {
    return 0;
  }
  double df = 0, paras = 0;
  for (size_t i = from; i < c->npos; i++)
    if (c->kids[i]->kind == C_GROUP && c->kids[i]->g->df > df) df = c->kids[i]->g->df;
  for (size_t s = 0; s < q->nsegs; s++) paras += seg_npara(ix_seg(q->s, s));
  return df - (paras - (double)ix_live_paras(q->s));
}

/*
** An upper bound of the matches of @c (paragraphs; documents are fewer):
** a word matches its df at most, a conjunction its rarest positive kid, a
** disjunction the sum of its kids, a filter or an exclusion every
** paragraph; a best match its rarest required kid, and the sum of its
** optional kids when no required kid scores (a filter never makes a
** candidate alone, op_best.c). Requirements and filters only remove.
*/
static double match_bound(const qx_query *q, const cnode *c, double paras) {
  double b = paras, sum = 0;
  switch (c->kind) {
  case C_GROUP: return c->g->df < paras ? c->g->df : paras;
  case C_AND: case C_PHRASE: case C_NEAR:
    for (size_t i = 0; i < c->npos; i++) { double k = match_bound(q, c->kids[i], paras); if (k < b) b = k; }
    return b;
  case C_OR:
    for (size_t i = 0; i < c->npos; i++) sum += match_bound(q, c->kids[i], paras);
    return sum < paras ? sum : paras;
  case C_BEST: {
    size_t nreq = c->npos - c->nopt;
    int scores = 0;
    for (size_t i = 0; i < nreq; i++) {
      double k = match_bound(q, c->kids[i], paras);
      if (k < b) b = k;
      scores |= c->kids[i]->kind != C_FILTER;
    }
    if (scores) return b;
    for (size_t i = nreq; i < c->npos; i++) sum += match_bound(q, c->kids[i], paras);
    return sum < b ? sum : b;
  }
  default: return paras;   /* C_FILTER, C_NOT */
  }
}

/*
** A query of filters on the field columns only (one, or a conjunction of
** them): its matches are the paragraphs of the documents that pass, counted
** over the columns (qf_pass_paras). 1 and *n when it is one and the snapshot
** has no deleted paragraph, else 0.
*/
static int columns_count(qx_query *q, uint64_t *n) {
  const cnode *root = q->root;
  const cnode *const *kids = &root;
  size_t nk = 1;
  if (root->kind == C_AND && root->npos == root->nkids) { kids = (const cnode *const *)root->kids; nk = root->nkids; }
  qf_spec **sps = qx_alloc(q, nk * sizeof *sps);
  if (!sps) return 0;
  for (size_t i = 0; i < nk; i++) {
    if (kids[i]->kind != C_FILTER || !qf_handles(kids[i]->fk) || !kids[i]->spec) return 0;
    sps[i] = kids[i]->spec;
  }
  uint64_t paras = 0;
  for (size_t s = 0; s < q->nsegs; s++) paras += seg_npara(ix_seg(q->s, s));
  if (paras != ix_live_paras(q->s)) return 0;
  *n = qf_pass_paras(sps, nk, q->s);
  return 1;
}

static void count_pass(qx_query *q, qx_counts *c) {
  qx_tally t = { 0, 0, SEG_END, SIZE_MAX, 0 };
  uint64_t nf;
  if (!q->o.group && !q->o.visit && columns_count(q, &nf)) {
    c->total = c->all_words = nf;
    c->exact = 1;
    return;
  }
  q->ncpieces = 0;
  uint64_t paras = 0;
  for (size_t s = 0; s < q->nsegs; s++) paras += seg_npara(ix_seg(q->s, s));
  const int deleted = paras != ix_live_paras(q->s);
  uint64_t budget = q->o.visit ? UINT64_MAX : q->o.count_steps ? q->o.count_steps : QX_COUNT_WORK;   /* a visit needs every match */
  /* each match the top-k run verified costs the exact phase a seek (and a check): it cannot end */
  uint64_t least = (uint64_t)q->matched * (1 + (positional(q->root) ? QX_POS_COST : 0));
  int done = least <= budget && union_floor(q) <= (double)budget;
  q->counting = 1;
  q->work = 0;
  for (size_t s = 0; s < q->nsegs && done && !q->rc; s++) {
    qit *root = count_build(q, s);
    if (root) {
      uint32_t np = seg_npara(q->r);
      t.last_doc = SEG_END;
      if (q->o.visit && root->kind == C_GROUP && root->ncur == 1) visit_one(q, root, deleted, &t);
      else done = count_range(q, root, 0, np, budget > q->work ? budget - q->work : 0, &t) >= np;
    }
    qx_it_release(q, root);
  }
  if (q->rc || done) {
    q->counting = 0;
    if (done) { c->total = t.n; c->all_words = t.all; c->exact = 1; }
    return;
  }
  /*
  ** Sampling: windows spread over each segment, each scaled by the part of
  ** it counted. Where matches cluster (documents on one subject) a window
  ** opening on a cluster covers little of itself before its work runs out
  ** and scales high, so the estimate is held to match_bound: a filter or a
  ** requirement only removes matches from the words that make them.
  */
  double est = 0, est_all = 0;
  uint64_t per = (q->o.count_steps ? q->o.count_steps / 2 : QX_SAMPLE_WORK) / (QX_SAMPLE_WINDOWS * (q->nsegs ? q->nsegs : 1));
  uint64_t least_per = positional(q->root) ? QX_POS_COST + 1 : 16;   /* a window sees a match or a check at least */
  if (per < least_per) per = least_per;
  q->ncpieces = 0;
  for (size_t s = 0; s < q->nsegs && !q->rc; s++) {
    qit *root = count_build(q, s);
    uint32_t np = seg_npara(q->r);
    for (uint32_t w = 0; root && w < QX_SAMPLE_WINDOWS && !q->rc; w++) {
      uint32_t lo = (uint32_t)((uint64_t)np * w / QX_SAMPLE_WINDOWS);
      uint32_t hi = (uint32_t)((uint64_t)np * (w + 1) / QX_SAMPLE_WINDOWS);
      if (hi <= lo) continue;
      qx_tally wt = { 0, 0, SEG_END, SIZE_MAX, 0 };
      uint32_t at = count_range(q, root, lo, hi, per, &wt);
      double scale = at > lo ? (double)(hi - lo) / (double)(at - lo) : 0;
      est += (double)wt.n * scale;
      est_all += (double)wt.all * scale;
    }
    qx_it_release(q, root);
  }
  q->counting = 0;
  if (q->rc) return;
  double bound = match_bound(q, q->root, (double)ix_live_paras(q->s));
  cnode *root = q->root;
  size_t nreq = root->kind == C_BEST ? root->npos - root->nopt : root->kind == C_AND ? root->npos : 0;
  size_t nfilt = 0;
  for (size_t i = 0; i < nreq; i++) nfilt += root->kids[i]->kind == C_FILTER;
  double words_total = -1;
  if (nfilt && nfilt < root->npos) {
    /* at most the count, with the same work, of the query without its filters (the rest of the root's kids) */
    cnode words = *root;
    words.kids = qx_alloc(q, root->nkids * sizeof *words.kids);
    if (!words.kids) return;
    words.nkids = 0;
    for (size_t i = 0; i < root->nkids; i++)
      if (i >= nreq || root->kids[i]->kind != C_FILTER) words.kids[words.nkids++] = root->kids[i];
    words.npos -= nfilt;
    qx_counts wc = { 0, 0, 0, 0 };
    q->root = &words;
    count_pass(q, &wc);
    q->root = root;
    if (q->rc) return;
    words_total = (double)wc.total;
    if (words_total < bound) bound = words_total;
  }
  /*
  ** Filters on the field columns (fields.h): the paragraphs of the
  ** documents that pass them all, counted exactly over the columns, bound
  ** the matches; and when they are all the filters, the words' count times
  ** the part of the paragraphs that pass is the estimate. Windows misjudge
  ** where matches cluster (by year, by rank), the columns do not: on the
  ** legislation, 15 filtered queries came within 1.0-1.9x of their counts
  ** (median 1.13x), where the windows gave 1.0-3.7x (median 1.27x).
  */
  qf_spec **sps = qx_alloc(q, (nreq ? nreq : 1) * sizeof *sps);
  if (!sps) return;
  size_t nsps = 0;
  for (size_t i = 0; i < nreq; i++)
    if (root->kids[i]->kind == C_FILTER && qf_handles(root->kids[i]->fk) && root->kids[i]->spec) sps[nsps++] = root->kids[i]->spec;
  if (nsps) {
    double live = (double)ix_live_paras(q->s), pf = (double)qf_pass_paras(sps, nsps, q->s);
    if (pf < bound) bound = pf;
    if (nsps == nfilt && words_total >= 0 && live > 0) {
      double scale = est > 0 ? est_all / est : 1;
      est = words_total * (pf < live ? pf : live) / live;
      est_all = est * scale;
    }
  }
  if (est > bound) est = bound;
  if (est_all > est) est_all = est;
  c->exact = 0;
  c->total = round2(est, bound);   /* not raised to the exact phase's partial count, which k may cut short */
  c->all_words = round2(est_all, (double)c->total);
}

int qx_topk(qx_query *q, qx_hit **hits, size_t *nhits, qx_counts *counts, char **err) {
  *hits = NULL;
  *nhits = 0;
  memset(counts, 0, sizeof *counts);
  *err = NULL;
  if (q->o.k == 0) q->o.k = 1;
  if (q->o.all) all_grow(q);
  else q->heap = qx_alloc(q, q->o.k * sizeof *q->heap);
  q->prox = qx_alloc(q, 64 * sizeof *q->prox);
  if (q->rc) { *err = q->err; return q->rc; }
  q->full_tier = q->root->kind == C_BEST ? (uint32_t)q->root->nopt : 0;
  for (size_t s = 0; s < q->nsegs && !q->rc; s++) {
    q->seg = s;
    q->r = ix_seg(q->s, s);
    q->seg_ordered = ix_seg_ordered(q->s, s);
    q->lose_from = SEG_END;
    q->nproxit = 0;
    q->it = qx_build(q, q->root);
    if (q->it && !q->rc && !wording_build(q)) run_segment(q);
    qx_release(q);
  }
  if (q->rc && q->rc != INDAGA_ELIMIT) { *err = q->err; return q->rc; }
  /* over the budget: the hits so far are returned with the status, for partial results */
  for (size_t i = 0; i < q->npieces; i++) {
    q->matched_all += q->pieces[i].h.tier == q->full_tier;
    offer(q, &q->pieces[i].h);
  }
  if (!q->o.all) sort_heap(q);
  *hits = q->heap;
  *nhits = q->nheap;
  counts->total = q->matched;
  counts->all_words = q->matched_all;
  counts->exact = 1;
  counts->pruned = q->skipped;
  /*
  ** The counts must not depend on k: they are the count pass's, whose
  ** exact phase needs (matches + segments) steps at most. Without deleted
  ** paragraphs, a run that skipped nothing has every match and knows
  ** whether that phase would end within its budget; otherwise the pass runs.
  ** A run collecting every match (qx_opts.all: a sort) counted each one,
  ** so its counts are exact as they stand. With a visit (qx_opts.visit: a
  ** facet) the pass runs, and runs to its end.
  */
  uint64_t paras = 0;
  for (size_t s = 0; s < q->nsegs; s++) paras += seg_npara(ix_seg(q->s, s));
  int deleted = paras != ix_live_paras(q->s);
  uint64_t budget = q->o.count_steps ? q->o.count_steps : QX_COUNT_WORK;
  if (q->rc) {
    counts->exact = 0;   /* partial: the matches seen so far */
  } else if (q->o.all) {
    /* every match collected (a sort or a facet) and counted, documents once under group: exact as it stands */
  } else if (q->root->kind == C_GROUP && !q->o.group && q->prox_max == 0 && !deleted && !q->o.visit) {
    counts->total = counts->all_words = (uint64_t)q->root->g->df;   /* every posting is a live match */
  } else if (q->o.visit || q->skipped || q->o.group || deleted || positional(q->root) || q->matched + q->nsegs > budget) {
    count_pass(q, counts);
    if (q->rc && q->rc != INDAGA_ELIMIT) { *err = q->err; return q->rc; }
    if (q->rc) { counts->total = q->matched; counts->all_words = q->matched_all; counts->exact = 0; }
  }
  /* an estimate below the hits in hand would contradict them: raised to their number (rare; k's only effect) */
  if (!counts->exact && counts->total < q->nheap) counts->total = q->nheap;
  if (q->root->kind != C_BEST) counts->all_words = counts->total;
  else if (q->o.all && counts->exact) { /* counted match by match (and the hits are unordered) */ }
  else if (q->nheap == 0 || q->heap[0].tier < q->full_tier) counts->all_words = 0;   /* the best hit misses a word */
  else if (counts->all_words == 0) counts->all_words = 1;
  *err = q->err;
  return q->rc;
}

int qx_match_token(const qx_query *q, size_t seg, const ia_token *tok, uint32_t *group) {
  /* stopwords (kept inside phrases) are highlighted only when the query has nothing else */
  int content = 0;
  for (size_t i = 0; i < q->ngroups && !content; i++)
    content = (q->groups[i]->flags & (G_POS | G_STOP)) == G_POS;
  for (size_t i = 0; i < q->ngroups; i++) {
    const qgroup *g = q->groups[i];
    if (!(g->flags & G_POS)) continue;
    int weak = content && (g->flags & G_STOP);
    if ((tok->flags & TOK_SYMBOL) && !(g->flags & G_SYMBOL)) continue;
    if (g->flags & G_PREFIX) {
      if (tok->nkey >= g->nkey && !memcmp(tok->key, g->key, g->nkey)) { *group = g->id; return 1 + weak; }
      continue;
    }
    const gseg *gs = &g->seg[seg];
    for (uint32_t j = 0; j < gs->n; j++) {
      if (gs->nnames[j] == tok->nterm && !memcmp(gs->names[j], tok->term, tok->nterm)) {
        *group = g->id;
        return 1 + weak;
      }
    }
  }
  return 0;
}

void qx_release(qx_query *q) {
  if (!q) return;
  qx_it_release(q, q->it);
  q->it = NULL;
  for (unsigned i = 0; i < q->nwslots; i++) {
    if (q->wslot[i].stop) qx_it_release(q, q->wit[i]);
    q->wit[i] = NULL;
  }
  indaga__free(q->sp);
  q->sp = NULL;
  q->nsp = q->capsp = 0;
}
