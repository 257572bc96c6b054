/*
** op_group.c: the term group operator (op.h). A query word matches its own
** term and the terms of every indexed word with the same accent-free key
** (or every term under a prefix); the group is scored as one term: tf
** summed over its cursors at a paragraph, df the paragraphs holding any of
** them (compile.c). Its iterator is the minimum of its cursors.
**
** Bounds come from the cursors' block directories without decoding: the
** summed block max tf over the blocks holding d, at the smallest length
** those blocks hold (bound_prep), or for a group of one list the best step
** of its block's impacts (segment.h); at one paragraph, the cursor's tf
** where it sits on d and, where it lies before d, the largest tf its
** block's impacts allow at the paragraph's length (qx_group_bound_at).
*/
#include "query/op.h"

static void group_release(qx_query *q, qit *it) {
  for (uint32_t i = 0; i < it->ncur; i++) seg_cursor_close(&it->cur[i]);
  q->nopen -= it->ncur;
  it->ncur = 0;
}

static qit *group_build(qx_query *q, const cnode *c) {
  gseg *gs = &c->g->seg[q->seg];
  if (gs->n == 0) return NULL;
  qit *it = qx_it_new(q, c);
  if (!it) return NULL;
  it->g = c->g;
  it->cur = qx_alloc(q, gs->n * sizeof *it->cur);
  it->clo = qx_alloc(q, 3 * (size_t)gs->n * sizeof *it->clo);
  it->cimp = qx_alloc(q, (1 + 2 * SEG_IMPACTS) * (size_t)gs->n * sizeof *it->cimp);
  if (!it->cur || !it->clo || !it->cimp) return NULL;
  uint32_t d = SEG_END;
  for (uint32_t i = 0; i < gs->n; i++) {
    if (qx_over_budget(q, SEG_BLOCK)) { group_release(q, it); return NULL; }   /* opening decodes a block */
    int rc = seg_cursor_open(&it->cur[i], q->r, &gs->t[i]);
    it->ncur = i + 1;   /* a failed open is closed too */
    q->nopen++;
    if (rc) { qx_fail(q, rc, "opening postings"); group_release(q, it); return NULL; }
    if (it->cur[i].doc < d) d = it->cur[i].doc;
    it->cost += gs->t[i].df;
    if (gs->t[i].df > gs->t[it->dom].df) it->dom = i;
  }
  it->chi = it->clo + gs->n;
  it->cmtf = it->chi + gs->n;
  for (uint32_t i = 0; i < gs->n; i++) it->clo[i] = 1;   /* empty: clo > chi */
  it->doc = d;
  it->at = 1;
  if ((c->g->flags & G_PROX) && q->nproxit < q->nprox) q->prox[q->nproxit++] = it;
  return it;
}

static void group_seek(qx_query *q, qit *it, uint32_t t) {
  uint32_t d = SEG_END;
  for (uint32_t i = 0; i < it->ncur; i++) {
    seg_cursor *c = &it->cur[i];
    if (c->doc < t) {
      int rc = seg_cursor_seek(c, t);
      if (rc) { qx_fail(q, rc, "reading postings"); it->doc = SEG_END; return; }
    }
    if (c->doc < d) d = c->doc;
  }
  it->doc = d;
  it->at = 1;
}

static double group_score(qx_query *q, const qit *it, uint32_t d, double len) {
  uint32_t tf = 0;
  for (uint32_t i = 0; i < it->ncur; i++)
    if (it->cur[i].doc == d) tf += it->cur[i].freq;
  return qr_bm25(&q->pr, it->g->idf, tf, len);
}

/*
** Bounds over a range of blocks from the cursors' impacts: a paragraph of
** length L holds at most, in each list, the largest tf of a step of length
** <= L. That sum T(L) only grows with L, by steps at the steps' lengths,
** and the score falls with L: over lengths >= a floor, the largest score is
** at the floor or at one of those lengths. bound_prep keeps the envelope,
** the pairs (L, T(L)) at the steps' lengths, ascending (it->env, it->nenv);
** bound_eval takes the best pair at max(L, floor), which is never above the
** score at (summed max tf, floor). A group of many lists (a prefix's) keeps
** that corner bound alone: the envelope would cost more than it saves.
*/
static uint32_t group_bound_prep(qx_query *q, qit *it, uint32_t d, uint32_t *last) {
  (void)q;
  uint32_t tf = 0, minlen = UINT32_MAX, n = 0;
  const seg_cursor *in[QX_IMPACT_LISTS];   /* the lists with a block in the range */
  uint32_t nin = 0;
  const int env = it->ncur <= QX_IMPACT_LISTS;
  uint32_t *el = it->env, *et = it->env + QX_IMPACT_LISTS * SEG_IMPACTS;
  for (uint32_t i = 0; i < it->ncur; i++) {
    seg_cursor *c = &it->cur[i];
    if (c->doc == SEG_END) continue;
    uint32_t bl, mtf, mlen;
    if (seg_cursor_block(c, d > c->doc ? d : c->doc, &bl, &mtf, &mlen)) continue;
    tf += mtf;
    if (mlen < minlen) minlen = mlen;
    if (bl < *last) *last = bl;
    if (!env) continue;
    in[nin++] = c;
    if (it->ncur == 1) {   /* one list: the envelope is its steps */
      memcpy(el, c->imp_len, c->nimp * sizeof *el);
      memcpy(et, c->imp_tf, c->nimp * sizeof *et);
      n = c->nimp;
      continue;
    }
    for (uint32_t j = 0; j < c->nimp; j++) {   /* the step's length into the envelope, ascending (few: insertion) */
      uint32_t L = c->imp_len[j], k = n;
      while (k > 0 && el[k - 1] > L) k--;
      if (k > 0 && el[k - 1] == L) continue;
      memmove(el + k + 1, el + k, (n - k) * sizeof *el);
      el[k] = L;
      n++;
    }
  }
  it->btf = tf;
  it->bfloor = tf ? minlen : UINT32_MAX;
  it->nenv = 0;
  if (!env || !tf) return it->bfloor;
  if (it->ncur == 1) { it->nenv = n; return it->bfloor; }
  for (uint32_t m = 0; m < n; m++) {   /* T(L) at each length */
    uint32_t t = 0;
    for (uint32_t i = 0; i < nin; i++) {
      uint32_t ti = 0;
      for (uint32_t j = 0; j < in[i]->nimp; j++) if (in[i]->imp_len[j] <= el[m]) ti = in[i]->imp_tf[j];   /* tf ascending */
      t += ti;
    }
    et[m] = t;
  }
  it->nenv = n;
  return it->bfloor;
}

static double group_bound_eval(qx_query *q, const qit *it, uint32_t lfloor) {
  if (!it->nenv) return qr_bm25(&q->pr, it->g->idf, it->btf, lfloor);
  const uint32_t *el = it->env, *et = it->env + QX_IMPACT_LISTS * SEG_IMPACTS;
  double ub = 0;
  for (uint32_t m = 0; m < it->nenv; m++) {
    double s = qr_bm25(&q->pr, it->g->idf, et[m], el[m] > lfloor ? el[m] : lfloor);
    if (s > ub) ub = s;
  }
  return ub;
}


const qx_op qx_op_group = {
  "group", group_build, group_seek, group_score, group_bound_prep, group_bound_eval,
  NULL, group_release
};

/* Append the positions of group iterator @it at @d to the scratch; returns their count. */
uint32_t qx_group_positions(qx_query *q, qit *it, uint32_t d) {
  size_t start = q->nsp;
  for (uint32_t i = 0; i < it->ncur; i++) {
    seg_cursor *c = &it->cur[i];
    if (c->doc != d) continue;
    const uint32_t *pos;
    uint32_t n;
    int rc = seg_cursor_positions(c, &pos, &n);
    if (rc) { qx_fail(q, rc, "reading positions"); return 0; }
    if (q->nsp + n > q->capsp) {
      size_t cap = q->capsp ? q->capsp : 256;
      while (cap < q->nsp + n) cap *= 2;
      uint32_t *v = indaga__realloc(q->sp, cap * sizeof *v);
      if (!v) { qx_fail(q, INDAGA_ENOMEM, "reading positions"); return 0; }
      q->sp = v;
      q->capsp = cap;
    }
    memcpy(q->sp + q->nsp, pos, n * sizeof *pos);
    q->nsp += n;
    if (start != q->nsp - n) {   /* a second term: merge by insertion (short lists) */
      for (size_t k = q->nsp - n; k < q->nsp; k++) {
        uint32_t v = q->sp[k];
        size_t j = k;
        while (j > start && q->sp[j - 1] > v) { q->sp[j] = q->sp[j - 1]; j--; }
        q->sp[j] = v;
      }
    }
  }
  return (uint32_t)(q->nsp - start);
}

/*
** An upper bound of group @it's weight at paragraph @d of @len tokens,
** read from block directories without decoding: a cursor on d gives its tf,
** one before d the largest tf of a step of the block that would hold d
** whose length is at most len (a posting at d would lie under such a step;
** none: it holds no posting at d), remembered while d stays within the
** block, one past d nothing.
*/
double qx_group_bound_at(qx_query *q, qit *it, uint32_t d, double len) {
  uint32_t tf = 0;
  for (uint32_t i = 0; i < it->ncur; i++) {
    seg_cursor *c = &it->cur[i];
    uint32_t *imp = it->cimp + (1 + 2 * SEG_IMPACTS) * (size_t)i;
    if (c->doc == d) { tf += c->freq; continue; }
    if (c->doc > d) continue;
    if (d < it->clo[i] || d > it->chi[i]) {
      uint32_t bl, mtf, mlen;
      if (seg_cursor_block(c, d, &bl, &mtf, &mlen)) { it->clo[i] = 1; it->chi[i] = 0; continue; }
      it->clo[i] = d;
      it->chi[i] = bl;
      it->cmtf[i] = mtf;
      imp[0] = c->nimp;
      memcpy(imp + 1, c->imp_tf, sizeof c->imp_tf);
      memcpy(imp + 1 + SEG_IMPACTS, c->imp_len, sizeof c->imp_len);
    }
    uint32_t t = 0;
    for (uint32_t j = 0; j < imp[0]; j++) if (imp[1 + SEG_IMPACTS + j] <= len) t = imp[1 + j];   /* tf ascending */
    tf += t;
  }
  return qr_bm25(&q->pr, it->g->idf, tf, len);
}

/*
** bound_prep over the whole segment, for a group whose blocks are short (a
** common word in a conjunction): its lists' max tf and min length from the
** dictionary, with no range to lower. Returns the length floor.
*/
uint32_t qx_group_list_bound(qx_query *q, qit *it) {
  const gseg *gs = &it->g->seg[q->seg];
  uint32_t tf = 0, minlen = UINT32_MAX;
  for (uint32_t i = 0; i < it->ncur; i++) {
    if (it->cur[i].doc == SEG_END) continue;
    tf += gs->t[i].max_tf;
    if (gs->t[i].min_len < minlen) minlen = gs->t[i].min_len;
  }
  it->btf = tf;
  it->bfloor = tf ? minlen : UINT32_MAX;
  it->nenv = 0;
  return it->bfloor;
}

/* Is @it a group whose largest list holds nearly all its postings (eval.c's leapfrog2 case)? */
int qx_group_one_big_list(const qx_query *q, const qit *it) {
  if (it->kind != C_GROUP) return 0;
  const gseg *gs = &it->g->seg[q->seg];
  uint64_t rest = 0;
  for (uint32_t i = 0; i < it->ncur; i++) if (i != it->dom) rest += gs->t[i].df;
  return rest * 16 <= gs->t[it->dom].df;
}
