/*
** rank.c: scoring (DESIGN.md, "Ranking"). Pure functions, shared by the
** evaluator and by the tests' brute-force reference, so both compute the
** same numbers.
**
**   score(paragraph) = sum over matched groups g of BM25(g)
**                    + QR_PHRASE_BONUS per matched phrase or NEAR
**                    + proximity bonus (at most QR_PROX_WEIGHT)
**
** BM25 uses Lucene's idf, ln(1 + (N - df + 0.5)/(df + 0.5)), which is
** positive even for terms in more than half the paragraphs, and
** tf*(k1+1) / (tf + k1*(1 - b + b*len/avgdl)). A group (a query word and
** its accent-insensitive variants) counts as one term: tf is summed over
** its terms and df is the number of paragraphs holding any of them.
**
** Proximity: over the query's "proximity groups" (bag-of-words words and
** prefixes outside phrases), with m of the g groups present in a paragraph
** and the smallest window holding one occurrence of each spanning `span`
** positions, the bonus is W * (m-1)/(g-1) / (1 + span - m): full weight when
** all words stand side by side, decaying as words fall apart. It is bounded
** by W, which the pruning bound adds, so pruning stays exact.
*/
#include <math.h>
#include "query/query.h"

/* idf of a group found in @df paragraphs. Never fails. */
double qr_idf(const qr_params *pr, double df) {
  double N = pr->N > df ? pr->N : df;
  return log(1.0 + (N - df + 0.5) / (df + 0.5));
}

/* qr_bm25 is inline in query.h. */

/* Proximity bonus, see above. Never fails. */
double qr_prox(unsigned m, unsigned g, uint32_t span) {
  if (m < 2 || g < 2 || span == UINT32_MAX) return 0.0;
  double slack = span > m ? (double)(span - m) : 0.0;
  return QR_PROX_WEIGHT * (double)(m - 1) / (double)(g - 1) / (1.0 + slack);
}

/*
** Smallest window holding one element of each list: walk all lists in
** merged order keeping one pointer per list, always advancing the list at
** the window's start (O(total * m); m is small). Never fails.
*/
uint32_t qr_min_window(const uint32_t *const *lists, const uint32_t *ns, unsigned m) {
  enum { MAXL = 64 };
  uint32_t at[MAXL];
  if (m == 0 || m > MAXL) return UINT32_MAX;
  for (unsigned i = 0; i < m; i++) {
    if (ns[i] == 0) return UINT32_MAX;
    at[i] = 0;
  }
  uint32_t best = UINT32_MAX;
  for (;;) {
    unsigned imin = 0;
    uint32_t lo = UINT32_MAX, hi = 0;
    for (unsigned i = 0; i < m; i++) {
      uint32_t v = lists[i][at[i]];
      if (v < lo) { lo = v; imin = i; }
      if (v > hi) hi = v;
    }
    if (hi - lo + 1 < best) best = hi - lo + 1;
    if (++at[imin] >= ns[imin]) break;
  }
  return best;
}

/* Wording bonus, see above. Never fails. */
double qr_wording(unsigned matched, unsigned pairs) {
  if (pairs == 0) return 0.0;
  return QR_WORDING_WEIGHT * (double)matched / (double)pairs;
}

int qr_adjacent(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb) {
  uint32_t j = 0;
  for (uint32_t i = 0; i < na; i++) {
    uint64_t want = (uint64_t)a[i] + 1;
    while (j < nb && b[j] < want) j++;
    if (j == nb) return 0;
    if (b[j] == want) return 1;
  }
  return 0;
}
