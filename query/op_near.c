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

const qx_op qx_op_near = {
  "near", qx_conj_build, qx_conj_seek, qx_conj_bonus_score, qx_conj_bound_prep, qx_conj_bonus_bound_eval,
  near_positions, qx_release_kids
};
