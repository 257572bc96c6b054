/*
** op_phrase.c: the phrase operator (op.h): a conjunction of groups at
** fixed relative positions (c->offs, from the analysed phrase, stopwords
** included). It is sought as a conjunction (op_and.c) and then checked on
** positions, read only for paragraphs holding every word; the evaluation
** loops defer that check further, to paragraphs that could enter the top
** k (lazy). A matched phrase adds QR_PHRASE_BONUS to its words' scores.
*/
#include "query/op.h"

/* Does some position of kid 0 have every other kid at its offset? */
static int phrase_positions(qx_query *q, qit *it, uint32_t d) {
  uint32_t ns[QX_PHRASE_MAX];
  const uint32_t *lists[QX_PHRASE_MAX];
  size_t n = qx_conj_positions(q, it, d, ns, lists);
  if (n == 0) return 0;
  const uint32_t *offs = it->c->offs;
  uint32_t at[QX_PHRASE_MAX] = { 0 };
  for (uint32_t a0 = 0; a0 < ns[0]; a0++) {
    uint32_t p0 = lists[0][a0];
    size_t i = 1;
    for (; i < n; i++) {
      uint64_t want = (uint64_t)p0 + offs[i] - offs[0];
      while (at[i] < ns[i] && lists[i][at[i]] < want) at[i]++;
      if (at[i] == ns[i]) return 0;
      if (lists[i][at[i]] != want) break;
    }
    if (i == n) return 1;
  }
  return 0;
}

const qx_op qx_op_phrase = {
  "phrase", qx_conj_build, qx_conj_seek, qx_conj_bonus_score, qx_conj_bound_prep, qx_conj_bonus_bound_eval,
  phrase_positions, qx_release_kids
};
