/*
** op_and.c: the conjunction operator (op.h), and the pieces every
** composite shares (building and releasing kids). Phrase and NEAR
** (op_phrase.c, op_near.c) are conjunctions with a position check, so they
** use the functions here and add their own.
**
**   seek   leapfrog over the positive kids, rarest first, to a paragraph
**          all of them hold; then each exclusion (a NOT kid, op_not.c) is
**          sought to it; then the position check of a phrase or NEAR,
**          unless the run loop checks positions itself (lazy)
**   score  the sum of the positive kids' scores
**   bound  a conjunction's paragraphs hold all its positive kids, so its
**          length floor is the largest of theirs: the common words of a
**          phrase then count at the length of its rarest word's shortest
**          paragraph, not at their own (often 1 or 2)
*/
#include "query/op.h"

qit *qx_it_new(qx_query *q, const cnode *c) {
  qit *it = qx_alloc(q, sizeof *it);
  if (!it) return NULL;
  it->kind = c->kind;
  it->op = c->op;
  it->c = c;
  return it;
}

void qx_release_kids(qx_query *q, qit *it) {
  for (size_t i = 0; i < it->nkids; i++) qx_it_release(q, it->kids[i]);
  it->nkids = it->npos = 0;
}

qit *qx_build_kids(qx_query *q, const cnode *c) {
  qit *it = qx_it_new(q, c);
  if (!it) return NULL;
  it->kids = qx_alloc(q, c->nkids * sizeof *it->kids);
  if (!it->kids) return NULL;
  for (size_t i = 0; i < c->nkids; i++) {
    qit *k = qx_build(q, c->kids[i]);
    if (q->rc) { qx_release_kids(q, it); return NULL; }
    if (!k) {
      if (c->kind == C_OR || i >= c->npos) continue;   /* an absent alternative or exclusion */
      qx_release_kids(q, it);                             /* a required part is absent */
      return NULL;
    }
    if (i < c->npos) it->npos++;
    it->kids[it->nkids++] = k;
  }
  if (it->npos == 0) { qx_release_kids(q, it); return NULL; }
  return it;
}

/* Build a conjunction: its kids, and their order by cost (rarest first). */
static qit *and_build(qx_query *q, const cnode *c) {
  qit *it = qx_build_kids(q, c);
  if (!it) return NULL;
  it->ord = qx_alloc(q, it->npos * sizeof *it->ord);
  if (!it->ord) { qx_release_kids(q, it); return NULL; }
  for (uint32_t i = 0; i < it->npos; i++) it->ord[i] = i;
  /* rarest first (insertion sort: few kids) */
  for (size_t i = 1; i < it->npos; i++) {
    uint32_t v = it->ord[i];
    size_t j = i;
    while (j > 0 && it->kids[it->ord[j - 1]]->cost > it->kids[v]->cost) { it->ord[j] = it->ord[j - 1]; j--; }
    it->ord[j] = v;
  }
  it->cost = it->kids[it->ord[0]]->cost;
  return it;
}

void qx_conj_seek(qx_query *q, qit *it, uint32_t t) {
  uint32_t d = t;
  for (;;) {
    size_t agree = 0, i = 0;
    if (qx_over_budget(q, q->nopen)) { it->doc = SEG_END; return; }
    while (agree < it->npos) {
      qit *k = it->kids[it->ord[i]];
      qx_seek(q, k, d);
      if (q->rc || k->doc == SEG_END) { it->doc = SEG_END; return; }
      if (k->doc == d) agree++;
      else { d = k->doc; agree = 1; }
      if (++i == it->npos) i = 0;
    }
    int ok = !qx_excluded(q, it, d);
    if (ok && it->op->positions && !it->lazy) {
      if (q->counting && (q->work += QX_POS_COST) > q->work_limit) {   /* the count pass's work is out */
        q->cut = 1;
        it->doc = d;
        it->at = 0;
        return;
      }
      ok = it->op->positions(q, it, d);
    }
    if (q->rc) { it->doc = SEG_END; return; }
    if (ok) { it->doc = d; it->at = 1; return; }
    if (d == SEG_END - 1) { it->doc = SEG_END; return; }
    d++;
  }
}

double qx_conj_score(qx_query *q, const qit *it, uint32_t d, double len) {
  double s = 0;
  for (size_t i = 0; i < it->npos; i++) s += qx_score(q, it->kids[i], d, len);
  return s;
}

/*
** The kids' bounds over the range holding @d. A word 4 times commoner than
** the rarest (eval.c's costly kids: "de", "la" in a phrase) has short
** blocks, which would cut the range to a few paragraphs, each range bounded
** anew; it is bounded over the whole segment instead, which costs little
** since such a word weighs little.
*/
uint32_t qx_conj_bound_prep(qx_query *q, qit *it, uint32_t d, uint32_t *last) {
  uint32_t f = 0;
  double c0 = it->kids[it->ord[0]]->cost;
  for (size_t i = 0; i < it->npos; i++) {
    qit *k = it->kids[i];
    uint32_t fk = k->kind == C_GROUP && k->cost > 4 * c0 ? qx_group_list_bound(q, k) : qx_bound_prep(q, k, d, last);
    if (fk > f) f = fk;
  }
  it->bfloor = f;
  return f;
}

double qx_conj_bound_eval(qx_query *q, const qit *it, uint32_t lfloor) {
  double s = 0;
  for (size_t i = 0; i < it->npos; i++) s += qx_bound_eval(q, it->kids[i], lfloor);
  return s;
}

/* A phrase or NEAR that matches scores its words' sum plus the phrase bonus. */
double qx_conj_bonus_score(qx_query *q, const qit *it, uint32_t d, double len) {
  return qx_conj_score(q, it, d, len) + QR_PHRASE_BONUS;
}

double qx_conj_bonus_bound_eval(qx_query *q, const qit *it, uint32_t lfloor) {
  return qx_conj_bound_eval(q, it, lfloor) + QR_PHRASE_BONUS;
}

/*
** The positions of each kid (groups) at @d into the scratch: lists[i] and
** ns[i] for i < the returned count; 0 when a kid has none there (or on
** error, q->rc).
*/
size_t qx_conj_positions(qx_query *q, qit *it, uint32_t d, uint32_t *ns, const uint32_t **lists) {
  size_t off[QX_PHRASE_MAX];
  size_t n = it->nkids < QX_PHRASE_MAX ? it->nkids : QX_PHRASE_MAX;
  q->nsp = 0;
  for (size_t i = 0; i < n; i++) {
    off[i] = q->nsp;
    ns[i] = qx_group_positions(q, it->kids[i], d);
    if (q->rc || ns[i] == 0) return 0;
  }
  for (size_t i = 0; i < n; i++) lists[i] = q->sp + off[i];
  return n;
}

const qx_op qx_op_and = {
  "and", and_build, qx_conj_seek, qx_conj_score, qx_conj_bound_prep, qx_conj_bound_eval,
  NULL, qx_release_kids
};

/* Phrase and NEAR build as conjunctions. */
qit *qx_conj_build(qx_query *q, const cnode *c) { return and_build(q, c); }
