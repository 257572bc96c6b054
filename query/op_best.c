/*
** op_best.c: the best-match operator (op.h; README.md, "Query language").
** The plain words of a query are optional: a paragraph holding any of them
** is a candidate, and the number of them it holds (its tier) ranks it
** before its score, so the paragraphs holding every word come first, then
** those missing one, and so on (coordination first, as a count: a missing
** word costs a tier whatever its idf; within a tier BM25 and the bonuses
** decide). Required kids (+word, the operands of AND, phrases, NEAR,
** filters and whole symbols) must match, exclusions must not. When a
** required kid scores (anything but a filter), it alone makes a candidate;
** otherwise some optional kid must match too, so a filter never lists the
** paragraphs of its documents that hold no query word.
**
** Kids: [0, npos - nopt) required, [npos - nopt, npos) optional,
** [npos, nkids) exclusions (NOT nodes, op_not.c). The tier of a hit is
** qx_hit.tier; full tier = the cnode's nopt (every optional word).
**
** The generic functions here serve the exhaustive and --group loops; the
** pruned top k takes eval.c's run_best (MaxScore with the tier as the
** leading part of the bound). bound_prep leaves in it->btier how many
** optional kids may match within the range: no paragraph there can hold
** more, which bounds its tier. score and bound_eval are the conjunction's
** (op_and.c): the sums over the positive kids, required and optional.
*/
#include "query/op.h"

static qit *best_build(qx_query *q, const cnode *c) {
  qit *it = qx_it_new(q, c);
  if (!it) return NULL;
  it->kids = qx_alloc(q, c->nkids * sizeof *it->kids);
  it->ord = qx_alloc(q, (c->npos ? c->npos : 1) * sizeof *it->ord);
  if (!it->kids || !it->ord) return NULL;
  size_t nreq = c->npos - c->nopt;
  for (size_t i = 0; i < c->nkids; i++) {
    qit *k = qx_build(q, c->kids[i]);
    if (q->rc) { qx_release_kids(q, it); return NULL; }
    if (!k) {
      if (i < nreq) { qx_release_kids(q, it); return NULL; }   /* a required kid is absent */
      continue;                                             /* an absent word or exclusion */
    }
    if (i < c->npos) it->npos++;
    if (i >= nreq && i < c->npos) it->nopt++;
    if (i < nreq && k->kind != C_FILTER) it->reqs = 1;
    it->kids[it->nkids++] = k;
  }
  size_t nr = it->npos - it->nopt;
  if (!it->reqs && it->nopt == 0) { qx_release_kids(q, it); return NULL; }   /* no word can match here */
  for (uint32_t i = 0; i < nr; i++) it->ord[i] = i;
  for (size_t i = 1; i < nr; i++) {   /* required kids rarest first */
    uint32_t v = it->ord[i];
    size_t j = i;
    while (j > 0 && it->kids[it->ord[j - 1]]->cost > it->kids[v]->cost) { it->ord[j] = it->ord[j - 1]; j--; }
    it->ord[j] = v;
  }
  double cost = 0;
  if (it->reqs) cost = it->kids[it->ord[0]]->cost;
  else for (size_t i = nr; i < it->npos; i++) cost += it->kids[i]->cost;
  it->cost = cost;
  return it;
}

/* The required kids' next common paragraph >= d (leapfrog, rarest first); SEG_END: none. */
static uint32_t required_next(qx_query *q, qit *it, size_t nr, uint32_t d) {
  size_t agree = 0, i = 0;
  while (agree < nr) {
    qit *k = it->kids[it->ord[i]];
    if (qx_over_budget(q, q->nopen)) return SEG_END;
    qx_seek(q, k, d);
    if (q->rc || k->doc == SEG_END) return SEG_END;
    if (k->doc == d) agree++;
    else { d = k->doc; agree = 1; }
    if (++i == nr) i = 0;
  }
  return d;
}

static void best_seek(qx_query *q, qit *it, uint32_t t) {
  size_t nr = it->npos - it->nopt;
  uint32_t d = t;
  for (;;) {
    if (qx_over_budget(q, q->nopen)) break;
    if (it->reqs) {
      d = required_next(q, it, nr, d);
      if (d == SEG_END) break;
      for (size_t i = nr; i < it->npos; i++) qx_seek(q, it->kids[i], d);
    } else {
      uint32_t m = SEG_END;
      for (size_t i = nr; i < it->npos; i++) {
        qx_seek(q, it->kids[i], d);
        if (it->kids[i]->doc < m) m = it->kids[i]->doc;
      }
      if (q->rc || m == SEG_END) break;
      d = m;
      uint32_t nd = d;
      for (size_t i = 0; i < nr; i++) {   /* filters */
        qx_seek(q, it->kids[i], d);
        if (it->kids[i]->doc > nd) nd = it->kids[i]->doc;
      }
      if (q->rc || nd == SEG_END) break;
      if (nd != d) { d = nd; continue; }
    }
    int ok = !qx_excluded(q, it, d);
    if (q->rc) break;
    if (ok) { it->doc = d; it->at = 1; return; }
    if (d == SEG_END - 1) break;
    d++;
  }
  it->doc = SEG_END;
  it->at = 1;
}

uint32_t qx_best_tier(const qit *it, uint32_t d) {
  uint32_t n = 0;
  for (size_t i = it->npos - it->nopt; i < it->npos; i++) n += it->kids[i]->doc == d;
  return n;
}

static uint32_t best_bound_prep(qx_query *q, qit *it, uint32_t d, uint32_t *last) {
  size_t nr = it->npos - it->nopt;
  uint32_t freq = 0, fopt = UINT32_MAX, tier = 0;
  for (size_t i = 0; i < nr; i++) {
    uint32_t k = qx_bound_prep(q, it->kids[i], d, last);
    if (k > freq) freq = k;
  }
  for (size_t i = nr; i < it->npos; i++) {
    uint32_t k = qx_bound_prep(q, it->kids[i], d, last);
    if (k != UINT32_MAX) tier++;
    if (k < fopt) fopt = k;
  }
  it->btier = tier;
  if (!it->reqs && fopt > freq) freq = fopt;   /* UINT32_MAX when no word can match */
  it->bfloor = freq;
  return freq;
}

const qx_op qx_op_best = {
  "best", best_build, best_seek, qx_conj_score, best_bound_prep, qx_conj_bound_eval,
  NULL, qx_release_kids
};
