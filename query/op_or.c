/*
** op_or.c: the disjunction operator (op.h): a paragraph matches when any
** kid does; its score is the sum of the kids that match there. Its bound
** over a range is the sum of its kids' bounds at the smallest of their
** length floors (any one of them may be the one that matches).
*/
#include "query/op.h"

static qit *or_build(qx_query *q, const cnode *c) {
  qit *it = qx_build_kids(q, c);
  if (!it) return NULL;
  double cost = 0;
  for (size_t i = 0; i < it->nkids; i++) cost += it->kids[i]->cost;
  it->cost = cost;
  return it;
}

static void or_seek(qx_query *q, qit *it, uint32_t t) {
  uint32_t d = SEG_END;
  for (size_t i = 0; i < it->nkids; i++) {
    qx_seek(q, it->kids[i], t);
    if (it->kids[i]->doc < d) d = it->kids[i]->doc;
  }
  it->doc = d;
  it->at = 1;
}

static double or_score(qx_query *q, const qit *it, uint32_t d, double len) {
  double s = 0;
  for (size_t i = 0; i < it->nkids; i++) s += qx_score(q, it->kids[i], d, len);
  return s;
}

static uint32_t or_bound_prep(qx_query *q, qit *it, uint32_t d, uint32_t *last) {
  uint32_t f = UINT32_MAX;
  for (size_t i = 0; i < it->nkids; i++) {
    uint32_t k = qx_bound_prep(q, it->kids[i], d, last);
    if (k < f) f = k;
  }
  it->bfloor = f;
  return f;
}

static double or_bound_eval(qx_query *q, const qit *it, uint32_t lfloor) {
  double s = 0;
  for (size_t i = 0; i < it->nkids; i++) s += qx_bound_eval(q, it->kids[i], lfloor);
  return s;
}


const qx_op qx_op_or = {
  "or", or_build, or_seek, or_score, or_bound_prep, or_bound_eval,
  NULL, qx_release_kids
};
