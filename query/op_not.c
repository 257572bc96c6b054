/*
** op_not.c: the exclusion operator (op.h): the paragraphs its kid does not
** match. It only stands among a conjunction's kids, after the positive
** ones (compile.c), which lead the intersection: a NOT kid is sought to a
** candidate the others agree on, and the candidate stays when the NOT
** iterator sits on it (the kid does not hold it). It never scores and
** bounds nothing. In a segment where its kid can match nothing, it is not
** built at all (NULL), and the conjunction drops it.
*/
#include "query/op.h"

static qit *not_build(qx_query *q, const cnode *c) {
  qit *k = qx_build(q, c->kids[0]);
  if (!k) return NULL;
  qit *it = qx_it_new(q, c);
  if (!it) { qx_it_release(q, k); return NULL; }
  it->kids = qx_alloc(q, sizeof *it->kids);
  if (!it->kids) { qx_it_release(q, k); return NULL; }
  it->kids[0] = k;
  it->nkids = 1;
  it->cost = seg_npara(q->r);
  return it;
}

/* The first paragraph >= t the kid does not match. */
static void not_seek(qx_query *q, qit *it, uint32_t t) {
  qit *k = it->kids[0];
  uint32_t d = t;
  for (;;) {
    if (qx_over_budget(q, 1)) { it->doc = SEG_END; return; }
    qx_seek(q, k, d);
    if (q->rc) { it->doc = SEG_END; return; }
    if (k->doc != d) break;
    if (d == SEG_END - 1) { it->doc = SEG_END; return; }
    d++;
  }
  it->doc = d;
  it->at = 1;
}

static double not_score(qx_query *q, const qit *it, uint32_t d, double len) {
  (void)q; (void)it; (void)d; (void)len;
  return 0.0;
}

static uint32_t not_bound_prep(qx_query *q, qit *it, uint32_t d, uint32_t *last) {
  (void)q; (void)d; (void)last;
  it->bfloor = 0;
  return 0;
}

static double not_bound_eval(qx_query *q, const qit *it, uint32_t lfloor) {
  (void)q; (void)it; (void)lfloor;
  return 0.0;
}


static void not_release(qx_query *q, qit *it) { qx_release_kids(q, it); }

const qx_op qx_op_not = {
  "not", not_build, not_seek, not_score, not_bound_prep, not_bound_eval,
  NULL, not_release
};
