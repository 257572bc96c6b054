/*
** op_near.c: the NEAR operator (op.h): words (groups) within c->near words
** of each other, in any order. A conjunction (op_and.c) checked on
** positions: the smallest window holding one position of each word
** (rank.c's qr_min_window) spans at most near + the number of words. Like
** a phrase, a matched NEAR adds QR_PHRASE_BONUS, and the evaluation loops
** check positions only for paragraphs that could enter the top k.
*/
#include "query/op.h"

static int near_positions(qx_query *q, qit *it, uint32_t d) {
  uint32_t ns[QX_PHRASE_MAX];
  const uint32_t *lists[QX_PHRASE_MAX];
  size_t n = qx_conj_positions(q, it, d, ns, lists);
  if (n == 0) return 0;
  uint32_t span = qr_min_window(lists, ns, (unsigned)n);
  return span != UINT32_MAX && span <= it->c->near + n;
}

static double near_score(qx_query *q, const qit *it, uint32_t d, double len) {
  return qx_conj_score(q, it, d, len) + QR_PHRASE_BONUS;
}

static double near_bound_eval(qx_query *q, const qit *it, uint32_t lfloor) {
  return qx_conj_bound_eval(q, it, lfloor) + QR_PHRASE_BONUS;
}

const qx_op qx_op_near = {
  "near", qx_conj_build, qx_conj_seek, near_score, qx_conj_bound_prep, near_bound_eval,
  near_positions, qx_release_kids
};
