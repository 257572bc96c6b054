/*
** compile.c: the compiler of the evaluator (query.h, "Evaluation"; op.h).
** A parse tree becomes a tree of cnodes, each with its operator, once per
** search and independent of segments; each segment then builds its
** iterators from it (op.h, qx_op.build).
**
**   QN_WORD    -> the analyzer's tokens of the chunk: a whole UN symbol is one
**                 group (its symbol term) OR a filter on the documents the
**                 symbol names; one token is one group; several tokens
**                 ("fin-de-semana") are a phrase of groups.
**   QN_PHRASE  -> a phrase of groups at their analysed relative positions
**                 (stopwords kept; symbol tokens replaced by their parts).
**   QN_PREFIX  -> one group of every term whose key starts with the prefix
**                 (as many as the query's expansion budget allows, budget.h);
**                 the same prefix twice shares one group.
**   QN_NEAR    -> groups checked for a window of positions.
**   QN_FILTER  -> a predicate on the paragraph's document or part (op_filter.c).
**   QN_AND     -> AND of the positive kids, then the exclusions (NOT nodes);
**                 at the top of a best-match query (QX_MODE_BEST), a best
**                 match (op_best.c) whose plain words are optional and whose
**                 +words, AND operands, phrases, NEAR, filters and symbols
**                 are required (compile_best).
**   QN_OR      -> OR of the kids.
** Stopwords and question words outside phrases are dropped unless every
** word is one (or written +word); the top level's dropped stopwords still
** feed the wording bonus (collect_wording, rank.c).
** Groups of bag-of-words words (outside phrases, NEAR and exclusions) are
** the "proximity groups" of rank.c.
**
** The word "número" and the number sign "nº" (which the analyzer makes of
** Nº, N°, Nro., ...: stemmer/tokenize.c, match_numero) are one group before
** a number, in a phrase or a chunk ("número 1326", "Nº1326") or as the next
** bag-of-words word, and apart elsewhere (numero_before_number, numero_next).
**
** Then every group is resolved against the snapshot: its terms in each
** segment (its own term plus the terms of every indexed word with the same
** accent-free key, or the terms under a prefix) and its global df, from
** which its idf.
*/
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include "query/op.h"
#include "query/fields.h"

/**************************************************************************
** Errors and memory
*/
/* Record status @rc with a message about the current segment (first error wins). */
void qx_fail(qx_query *q, int rc, const char *what) {
  if (q->rc) return;
  const qb_budget *b = q->a->bud;
  if (b && b->rc && (rc == INDAGA_ENOMEM || rc == b->rc)) {   /* the budget ran out: its own message */
    q->rc = b->rc;
    q->err = qb_message(b);
    return;
  }
  q->rc = rc;
  if (rc == INDAGA_ENOMEM) q->err = indaga__sprintf("out of memory %s", what);
  else q->err = indaga__sprintf("index segment %s: %s while %s", q->r ? seg_name(q->r) : "?",
                                indaga_strerror(rc), what);
}

void *qx_alloc(qx_query *q, size_t n) {
  void *p = qa_alloc(q->a, n);
  if (!p) qx_fail(q, INDAGA_ENOMEM, "compiling the query");
  return p;
}

/* A copy of the @n elements of @old in the arena, room for twice *cap (@first when 0); NULL on failure. */
void *qx_grow(qx_query *q, const void *old, size_t n, size_t *cap, size_t elem, size_t first) {
  size_t c = *cap ? *cap * 2 : first;
  void *v = c <= SIZE_MAX / elem ? qx_alloc(q, c * elem) : NULL;
  if (!v) return NULL;
  if (n) memcpy(v, old, n * elem);
  *cap = c;
  return v;
}

void qx_note(qx_query *q, const char *msg) {
  if (!q->notes) return;
  size_t nm = strlen(msg);
  const char *z = (const char *)q->notes->p;
  for (size_t i = 0; i + nm <= q->notes->n; i++)
    if (!memcmp(z + i, msg, nm)) return;   /* said already */
  if (q->notes->n) buf_puts(q->notes, "; ");
  buf_puts(q->notes, msg);
}

/**************************************************************************
** Compilation: words -> groups
*/

/* Analyzer callback: copy each token's term and key into the arena. */
static int collect_tok(void *ctx, const ia_token *tok) {
  qx_tokv *v = ctx;
  if (v->n == QX_PHRASE_MAX) { v->more = 1; return 0; }
  v->t[v->n] = *tok;
  v->term[v->n] = qa_strndup(v->q->a, tok->term, tok->nterm);
  v->key[v->n] = qa_strndup(v->q->a, tok->key, tok->nkey);
  if (!v->term[v->n] || !v->key[v->n]) return INDAGA_ENOMEM;
  v->t[v->n].term = v->term[v->n];
  v->t[v->n].key = v->key[v->n];
  v->n++;
  return 0;
}

int qx_analyse(qx_query *q, const char *p, size_t n, qx_tokv *v) {
  memset(v, 0, sizeof *v);
  v->q = q;
  if (qx_over_budget(q, 64 + n)) return q->rc;
  int rc = analyzer_run(q->an, p, n, collect_tok, v, NULL);
  if (rc) qx_fail(q, rc < 0 ? rc : INDAGA_ENOMEM, "analysing the query");
  if (v->more) qx_note(q, "a phrase longer than 64 words was cut");
  return rc;
}

static qgroup *new_group(qx_query *q, const ia_token *t, unsigned flags) {
  qgroup *g = qx_alloc(q, sizeof *g);
  if (!g) return NULL;
  if (q->ngroups == q->capgroups) {
    qgroup **v = qx_grow(q, q->groups, q->ngroups, &q->capgroups, sizeof *v, 16);
    if (!v) return NULL;
    q->groups = v;
  }
  g->id = (uint32_t)q->ngroups;
  q->groups[q->ngroups++] = g;
  g->term = t->term; g->nterm = t->nterm;
  g->key = t->key; g->nkey = t->nkey;
  g->flags = flags;
  if (t->flags & TOK_STOP) g->flags |= G_STOP;
  if (t->flags & TOK_SYMBOL) g->flags |= G_SYMBOL;
  return g;
}

cnode *qx_cnode(qx_query *q, int kind, const qx_op *op, size_t nkids) {
  cnode *c = qx_alloc(q, sizeof *c);
  if (!c) return NULL;
  c->kind = kind;
  c->op = op;
  if (nkids) {
    c->kids = qx_alloc(q, nkids * sizeof *c->kids);
    if (!c->kids) return NULL;
  }
  return c;
}

/*
** The number sign, as the analyzer writes every numbering abbreviation, and
** the word it stands for before a number.
*/
static const char numero_sign[] = "n\xc2\xba";     /* "nº" */
static const char numero_word[] = "n\xc3\xbamero";  /* "número" */

/* Whether token @t is the number sign or the word "número"/"números". */
static int is_numero(const ia_token *t) {
  if (t->nterm == sizeof numero_sign - 1 && !memcmp(t->term, numero_sign, t->nterm)) return 1;
  return (t->nkey == 6 && !memcmp(t->key, "numero", 6)) || (t->nkey == 7 && !memcmp(t->key, "numeros", 7));
}

/* G_NUMBER for token i of v when it is "número" or the sign and a number follows it. */
static unsigned numero_before_number(const qx_tokv *v, size_t i) {
  return i + 1 < v->n && is_numero(&v->t[i]) && (v->t[i + 1].flags & TOK_NUMBER) ? G_NUMBER : 0;
}

static cnode *group_node(qx_query *q, const ia_token *t, unsigned flags) {
  cnode *c = qx_cnode(q, C_GROUP, &qx_op_group, 0);
  if (c) c->g = new_group(q, t, flags);
  return c && c->g ? c : NULL;
}

/*
** Keep the tokens a query matches on: whole symbols give way to their parts
** (phrases line up on parts), and the part of an ordinal ("48" of "48º",
** same position) gives way to the whole token.
*/
static void drop_parts(qx_tokv *v) {
  size_t n = 0;
  for (size_t i = 0; i < v->n; i++)
    if (!(v->t[i].flags & TOK_SYMBOL)) v->t[n++] = v->t[i];
  v->n = n;
  n = 0;
  for (size_t i = 0; i < v->n; i++) {
    int shadowed = 0;
    if (v->t[i].flags & TOK_PART)
      for (size_t j = 0; j < v->n; j++)
        if (j != i && !(v->t[j].flags & TOK_PART) && v->t[j].pos == v->t[i].pos) shadowed = 1;
    if (!shadowed) v->t[n++] = v->t[i];
  }
  v->n = n;
}

/* A phrase of tokens v (symbol tokens dropped, parts kept). NULL when empty. */
static cnode *phrase_node(qx_query *q, qx_tokv *v, unsigned flags) {
  drop_parts(v);
  size_t n = v->n;
  if (n == 0) return NULL;
  if (n == 1) return group_node(q, &v->t[0], flags);
  cnode *c = qx_cnode(q, C_PHRASE, &qx_op_phrase, n);
  if (!c) return NULL;
  c->offs = qx_alloc(q, n * sizeof *c->offs);
  if (!c->offs) return NULL;
  for (size_t i = 0; i < n; i++) {
    c->kids[i] = group_node(q, &v->t[i], flags | numero_before_number(v, i));
    if (!c->kids[i]) return NULL;
    c->offs[i] = v->t[i].pos - v->t[0].pos;
  }
  c->nkids = c->npos = n;
  return c;
}

/*
** A whole UN symbol: the paragraphs citing it (its symbol term) OR the
** paragraphs of the document it names (metadata symbol, compared without
** case), so `S/RES/2196 (2015)` finds the resolution and what cites it.
*/
static cnode *symbol_node(qx_query *q, const ia_token *t, unsigned flags) {
  cnode *g = group_node(q, t, flags);
  cnode *f = qx_cnode(q, C_FILTER, &qx_op_filter, 0);
  cnode *c = qx_cnode(q, C_OR, &qx_op_or, 2);
  if (!g || !f || !c) return NULL;
  f->fk = QF_SYMBOL;
  f->val = t->key;   /* "s/res/2196 (2015)": no glob characters */
  f->nval = t->nkey;
  c->kids[0] = g;
  c->kids[1] = f;
  c->nkids = c->npos = 2;
  c->symbol = 1;
  return c;
}

/* A word chunk: a whole symbol, one group, or a phrase of its tokens. */
static cnode *word_node(qx_query *q, const qnode *w, unsigned flags, int bag) {
  qx_tokv v;
  if (qx_analyse(q, w->p, w->n, &v)) return NULL;
  for (size_t i = 0; i < v.n; i++)
    if ((v.t[i].flags & TOK_SYMBOL) && v.t[i].end - v.t[i].start + 2 >= w->n)
      return symbol_node(q, &v.t[i], flags | (bag ? G_PROX : 0));
  drop_parts(&v);
  if (v.n == 1) return group_node(q, &v.t[0], flags | (bag ? G_PROX : 0));
  return phrase_node(q, &v, flags);
}

static cnode *prefix_node(qx_query *q, const qnode *w, unsigned flags, int bag) {
  const char *term, *key;
  size_t nterm, nkey;
  int stop;
  int rc = analyzer_word(q->an, w->p, w->n, &term, &nterm, &key, &nkey, &stop);
  if (rc) { qx_fail(q, rc, "analysing the query"); return NULL; }
  if (nkey == 0) return NULL;
  flags |= G_PREFIX | (bag ? G_PROX : 0);
  for (size_t i = 0; i < q->ngroups; i++) {   /* the same prefix again ("A*", "a*"): one expansion */
    qgroup *g = q->groups[i];
    if (g->flags == flags && g->nkey == nkey && !memcmp(g->key, key, nkey)) {
      cnode *c = qx_cnode(q, C_GROUP, &qx_op_group, 0);
      if (c) c->g = g;
      return c;
    }
  }
  ia_token t;
  memset(&t, 0, sizeof t);
  t.key = qa_strndup(q->a, key, nkey);
  t.nkey = nkey;
  if (!t.key) { qx_fail(q, INDAGA_ENOMEM, "compiling the query"); return NULL; }
  return group_node(q, &t, flags);
}

/*
** Question words (accents folded): they never restrict a query. Those that
** are not stopwords already (cuánto, cuáles, ...) are dropped like them.
*/
static const char *const question_words[] = {
  "cuanto", "cuanta", "cuantos", "cuantas", "cual", "cuales", "que", "quien", "quienes",
  "donde", "cuando", "como", "adonde",
};

static int is_question(const ia_token *t) {
  for (size_t i = 0; i < ARRAY_SIZE(question_words); i++)
    if (strlen(question_words[i]) == t->nkey && !memcmp(question_words[i], t->key, t->nkey)) return 1;
  return 0;
}

/*
** Is the word chunk weak: every token (at least one) a stopword or a
** question word? 2 when some token is a question word, 1 for stopwords
** only, 0 otherwise. A required word (+de) is never weak.
*/
static int word_is_weak(qx_query *q, const qnode *w) {
  if (w->required) return 0;
  qx_tokv v;
  if (qx_analyse(q, w->p, w->n, &v)) return 0;
  if (v.n == 0) return 0;
  int question = 0;
  for (size_t i = 0; i < v.n; i++) {
    int qw = is_question(&v.t[i]);
    if (!(v.t[i].flags & TOK_STOP) && !qw) return 0;
    question |= qw;
  }
  return question ? 2 : 1;
}

/*
** A word chunk that is "número" or the number sign, as one group, followed
** in @t (an AND) by a word chunk that starts with a number: its group joins
** the two (G_NUMBER). @k: the cnode compiled from t->kids[i].
*/
static void numero_next(qx_query *q, const qnode *t, size_t i, cnode *k) {
  if (!k || k->kind != C_GROUP || (k->g->flags & G_PREFIX) || t->kids[i]->kind != QN_WORD ||
      i + 1 >= t->nkids || t->kids[i + 1]->kind != QN_WORD)
    return;
  const ia_token g = { .term = k->g->term, .nterm = k->g->nterm, .key = k->g->key, .nkey = k->g->nkey };
  if (!is_numero(&g)) return;
  qx_tokv v;
  if (qx_analyse(q, t->kids[i + 1]->p, t->kids[i + 1]->n, &v)) return;
  if (v.n && (v.t[0].flags & TOK_NUMBER)) k->g->flags |= G_NUMBER;
}

/* Count bag-of-words words that are not weak (to decide whether weak words are dropped). */
static size_t count_content(qx_query *q, const qnode *t, int neg) {
  if (!t) return 0;
  switch (t->kind) {
  case QN_WORD: return !neg && !word_is_weak(q, t);
  case QN_PREFIX: case QN_PHRASE: case QN_NEAR: return !neg;
  case QN_FILTER: return 0;
  case QN_NOT: return count_content(q, t->kids[0], 1);
  default: {
    size_t n = 0;
    for (size_t i = 0; i < t->nkids; i++) n += count_content(q, t->kids[i], neg);
    return n;
  }
  }
}

/*
** Compile parse node @t. @neg: under an exclusion; @bag: a bag-of-words
** position (proximity group); @keepstop: stopwords are kept. NULL when
** the node vanishes (dropped words) or on error (q->rc).
*/
static cnode *compile(qx_query *q, const qnode *t, int neg, int bag, int keepstop);

/*
** A filter on fields, dates or symbol bodies (fields.h). A field the index
** does not hold is searched as words ("name:value" as written), with a note
** naming the fields it holds.
*/
static cnode *fields_node(qx_query *q, const qnode *t, int neg, int bag, int keepstop) {
  qf_spec *sp = NULL;
  char *e = NULL;
  int rc = qf_compile(q->a, q->s, t, &sp, q->notes, &e);
  if (rc == QF_UNKNOWN) {
    qnode w = *t;
    w.kind = QN_WORD;
    return compile(q, &w, neg, bag, keepstop);
  }
  if (rc) {
    if (e && !q->rc) { q->rc = rc; q->err = e; }
    else { indaga__free(e); qx_fail(q, rc, "reading document fields"); }
    return NULL;
  }
  if (!sp) return NULL;
  cnode *c = qx_cnode(q, C_FILTER, &qx_op_filter, 0);
  if (!c) return NULL;
  c->fk = t->filter;
  c->spec = sp;
  return c;
}

static cnode *compile(qx_query *q, const qnode *t, int neg, int bag, int keepstop) {
  unsigned flags = neg ? 0 : G_POS;
  if (qx_over_budget(q, 64)) return NULL;
  switch (t->kind) {
  case QN_WORD:
    if (!keepstop && word_is_weak(q, t)) return NULL;
    return word_node(q, t, flags, bag && !neg);
  case QN_PREFIX:
    return prefix_node(q, t, flags, bag && !neg);
  case QN_PHRASE: {
    qx_tokv v;
    if (qx_analyse(q, t->p, t->n, &v)) return NULL;
    return phrase_node(q, &v, flags);
  }
  case QN_FILTER:
    if (qf_handles(t->filter)) return fields_node(q, t, neg, bag, keepstop);
    return qx_filter_compile(q, t);
  case QN_NEAR: {
    cnode *c = qx_cnode(q, C_NEAR, &qx_op_near, t->nkids);
    if (!c) return NULL;
    c->near = t->near;
    for (size_t i = 0; i < t->nkids && c->nkids < QX_PHRASE_MAX; i++) {
      cnode *k = t->kids[i]->kind == QN_PREFIX ? prefix_node(q, t->kids[i], flags, 0) : NULL;
      if (t->kids[i]->kind == QN_WORD) {
        qx_tokv v;
        if (qx_analyse(q, t->kids[i]->p, t->kids[i]->n, &v)) return NULL;
        size_t j = 0;
        while (j + 1 < v.n && (v.t[j].flags & TOK_SYMBOL)) j++;
        if (v.n) k = group_node(q, &v.t[j], flags);
      }
      if (q->rc) return NULL;
      if (k) c->kids[c->nkids++] = k;
    }
    c->npos = c->nkids;
    if (c->nkids == 0) return NULL;
    return c->nkids == 1 ? c->kids[0] : c;
  }
  case QN_NOT: {
    cnode *k = compile(q, t->kids[0], !neg, 0, keepstop);
    if (!k) return NULL;
    cnode *c = qx_cnode(q, C_NOT, &qx_op_not, 1);
    if (!c) return NULL;
    c->kids[0] = k;
    c->nkids = 1;
    return c;
  }
  case QN_AND: case QN_OR: {
    int isand = t->kind == QN_AND;
    cnode *c = qx_cnode(q, isand ? C_AND : C_OR, isand ? &qx_op_and : &qx_op_or, t->nkids);
    if (!c) return NULL;
    /* positives first, then exclusions */
    for (int pass = 0; pass < 2; pass++) {
      for (size_t i = 0; i < t->nkids; i++) {
        int isnot = t->kids[i]->kind == QN_NOT;
        if (isnot != pass) continue;
        cnode *k = compile(q, t->kids[i], neg, bag, keepstop);
        if (q->rc) return NULL;
        if (!k) continue;
        if (isand) numero_next(q, t, i, k);
        size_t j = 0;   /* a group already among the kids (a shared prefix) is not added twice */
        while (j < c->nkids && !(k->kind == C_GROUP && c->kids[j]->kind == C_GROUP && c->kids[j]->g == k->g)) j++;
        if (j < c->nkids) continue;
        c->kids[c->nkids++] = k;
        if (!pass) c->npos++;
      }
    }
    if (c->npos == 0) return NULL;   /* nothing positive left */
    if (c->nkids == 1) return c->kids[0];
    return c;
  }
  }
  return NULL;
}

/*
** The top level of a best-match query (QX_MODE_BEST): its words are
** optional (op_best.c), what the user asked for explicitly is required
** (+word and the operands of AND, phrases, NEAR, filters, whole symbols),
** exclusions stay exclusions. Without optional words this is the AND that
** compile() makes; one optional word alone is itself.
*/
static cnode *compile_best(qx_query *q, const qnode *t, int keepstop) {
  cnode **k = qx_alloc(q, t->nkids * sizeof *k);
  unsigned char *cls = qx_alloc(q, t->nkids);   /* 1 required, 2 optional, 3 exclusion */
  if (!k || !cls) return NULL;
  size_t n[4] = { 0, 0, 0, 0 };
  for (size_t i = 0; i < t->nkids; i++) {
    const qnode *w = t->kids[i];
    k[i] = compile(q, w, 0, 1, keepstop);
    if (q->rc) return NULL;
    if (!k[i]) continue;
    numero_next(q, t, i, k[i]);
    for (size_t j = 0; j < i && k[i]; j++)   /* a group already among the kids (a shared prefix) is not added twice */
      if (k[j] && k[i]->kind == C_GROUP && k[j]->kind == C_GROUP && k[j]->g == k[i]->g) k[i] = NULL;
    if (!k[i]) continue;
    if (w->kind == QN_NOT) cls[i] = 3;
    else if (w->required || w->kind == QN_PHRASE || w->kind == QN_NEAR || w->kind == QN_FILTER || k[i]->symbol)
      cls[i] = 1;
    else cls[i] = 2;
    n[cls[i]]++;
  }
  if (n[1] + n[2] == 0) return NULL;   /* nothing positive left */
  int best = n[2] > 0 && (n[2] > 1 || n[1] || n[3]);
  if (!best)
    for (size_t i = 0; i < t->nkids; i++) if (k[i] && cls[i] == 2) cls[i] = 1;
  cnode *c = best ? qx_cnode(q, C_BEST, &qx_op_best, t->nkids) : qx_cnode(q, C_AND, &qx_op_and, t->nkids);
  if (!c) return NULL;
  for (unsigned pass = 1; pass <= 3; pass++) {
    for (size_t i = 0; i < t->nkids; i++) {
      if (!k[i] || cls[i] != pass) continue;
      c->kids[c->nkids++] = k[i];
      if (pass < 3) c->npos++;
      if (pass == 2) c->nopt++;
    }
  }
  if (c->nkids == 1) return c->kids[0];
  return c;
}

/*
** The wording of the query's top level, for rank.c's wording bonus: each
** word of one token in query order (question words left out, so that the
** words on either side are not adjacent), the dropped stopwords among them
** as groups of their own that only this bonus reads. Pairs of adjacent
** words of which one is a stopword are the bonus's pairs.
*/
static void collect_wording(qx_query *q, const qnode *t, int keepstop) {
  if (t->kind != QN_AND) return;
  int prev = -1;          /* slot of the previous kid's word, -1 none */
  for (size_t i = 0; i < t->nkids && q->nwslots < QX_WORDING_MAX; i++) {
    const qnode *w = t->kids[i];
    int slot = -1;
    qx_tokv v;
    if (w->kind == QN_WORD && !qx_analyse(q, w->p, w->n, &v) && v.n == 1 && !(v.t[0].flags & TOK_SYMBOL) &&
        !is_question(&v.t[0])) {
      int weak = !keepstop && word_is_weak(q, w);
      qgroup *g = NULL;
      cnode *stop = NULL;
      if (weak) {
        stop = group_node(q, &v.t[0], 0);
        if (!stop) return;
        g = stop->g;
      } else {
        for (size_t j = 0; j < q->ngroups && !g; j++) {
          qgroup *h = q->groups[j];
          if ((h->flags & G_PROX) && h->nterm == v.t[0].nterm && !memcmp(h->term, v.t[0].term, h->nterm) &&
              h->nkey == v.t[0].nkey && !memcmp(h->key, v.t[0].key, h->nkey)) g = h;
        }
      }
      if (g) {
        slot = (int)q->nwslots++;
        q->wslot[slot].g = g;
        q->wslot[slot].stop = stop;
      }
    }
    if (q->rc) return;
    if (slot >= 0 && prev >= 0 && q->npairs < QX_WORDING_MAX &&
        ((q->wslot[slot].g->flags | q->wslot[prev].g->flags) & G_STOP)) {
      q->pairs[q->npairs][0] = (uint8_t)prev;
      q->pairs[q->npairs++][1] = (uint8_t)slot;
    }
    prev = slot;
  }
}

/**************************************************************************
** Compilation: groups -> terms per segment, global statistics
*/
typedef struct namev {
  qx_query *q;
  const char **names; size_t *nnames; size_t n, cap;
  const char *pfx; size_t npfx;
  uint32_t *slot;     /* past 16 names: open addressing, index + 1 (0 empty) */
  size_t nslots;      /* a power of two, more than twice n */
  int full;           /* the query's expansions ran out while adding names */
} namev;

static uint32_t name_hash(const char *t, size_t nt) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < nt; i++) h = (h ^ (unsigned char)t[i]) * 16777619u;
  return h;
}

/* The hash slot of t[0..nt): where it is, or the empty slot where it goes. */
static uint32_t *name_slot(namev *v, const char *t, size_t nt) {
  size_t mask = v->nslots - 1, i = name_hash(t, nt) & mask;
  while (v->slot[i]) {
    size_t k = v->slot[i] - 1;
    if (v->nnames[k] == nt && !memcmp(v->names[k], t, nt)) break;
    i = (i + 1) & mask;
  }
  return &v->slot[i];
}

/*
** Add term t[0..nt) once (a prefix may list a term under many keys: a
** linear search while the list is short, a hash table beyond that).
** Returns 0 or INDAGA_ENOMEM.
*/
static int add_name(namev *v, const char *t, size_t nt) {
  uint32_t *slot = NULL;
  if (v->n >= 16 && v->n >= v->nslots / 2) {   /* (re)build the table at twice the size */
    size_t ns = v->nslots ? v->nslots * 2 : 64;
    uint32_t *sl = ns <= SIZE_MAX / 4 / sizeof *sl ? qx_alloc(v->q, ns * sizeof *sl) : NULL;
    if (!sl) return INDAGA_ENOMEM;
    v->slot = sl;
    v->nslots = ns;
    for (size_t i = 0; i < v->n; i++) *name_slot(v, v->names[i], v->nnames[i]) = (uint32_t)i + 1;
  }
  if (v->slot) {
    slot = name_slot(v, t, nt);
    if (*slot) return 0;
  } else {
    for (size_t i = 0; i < v->n; i++)
      if (v->nnames[i] == nt && !memcmp(v->names[i], t, nt)) return 0;
  }
  if (v->n == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 8;
    const char **nn = qx_alloc(v->q, cap * sizeof *nn);
    size_t *nl = qx_alloc(v->q, cap * sizeof *nl);
    if (!nn || !nl) return INDAGA_ENOMEM;
    if (v->n) { memcpy(nn, v->names, v->n * sizeof *nn); memcpy(nl, v->nnames, v->n * sizeof *nl); }
    v->names = nn; v->nnames = nl; v->cap = cap;
  }
  v->names[v->n] = qa_strndup(v->q->a, t, nt);
  if (!v->names[v->n]) return INDAGA_ENOMEM;
  v->nnames[v->n++] = nt;
  if (slot) *slot = (uint32_t)v->n;
  return 0;
}

static int vocab_cb(void *ctx, const char *t, size_t nt) { return add_name(ctx, t, nt); }
static int prefix_cb(void *ctx, const char *k, size_t nk, const char *t, size_t nt) {
  namev *v = ctx;
  (void)k; (void)nk;
  if (qx_over_budget(v->q, 8)) return v->q->rc;
  size_t n = v->n;
  int rc = add_name(v, t, nt);
  if (rc || v->n == n) return rc;
  if (qb_expand(v->q->a->bud)) { v->n--; v->full = 1; return 1; }   /* expansions used up: drop it, stop (its slot is never read again) */
  return 0;
}

/*
** Paragraphs of segment @r holding any of the @n terms, exactly. Usually one
** term is common and the others rare ("inform" and "informacion"): then the
** largest list's df counts once, plus each id of the others' merged lists
** that the largest does not hold (sought there), so the common list is
** hardly decoded. Otherwise each
** list's ids are set in a bitmap of the segment's paragraphs, counting the
** bits that were clear (linear in the postings, whatever n is). On error
** (q->rc set) returns 0.
*/
static double union_df(qx_query *q, const seg_reader *r, const seg_term *t, uint32_t n) {
  if (n == 1) return t[0].df;
  uint32_t big = 0;
  uint64_t rest = 0;
  for (uint32_t i = 1; i < n; i++) if (t[i].df > t[big].df) big = i;
  for (uint32_t i = 0; i < n; i++) if (i != big) rest += (uint64_t)t[i].df * (n - 1);
  if (n <= 8 && rest * 8 < t[big].df) {
    /* the rare lists' postings merged in id order: each id once, counted unless the big list holds it */
    seg_cursor c[8];
    uint32_t ord[8], k = 0;
    ord[k++] = big;
    for (uint32_t i = 0; i < n; i++) if (i != big) ord[k++] = i;
    double df = t[big].df;
    int rc = 0;
    uint32_t open = 0;
    for (; open < n && !rc; open++) rc = seg_cursor_open(&c[open], r, &t[ord[open]]);
    while (!rc) {
      uint32_t d = SEG_END;
      for (uint32_t i = 1; i < n; i++) if (c[i].doc < d) d = c[i].doc;
      if (d == SEG_END || qx_over_budget(q, n)) break;
      rc = seg_cursor_seek(&c[0], d);
      if (!rc && c[0].doc != d) df++;
      for (uint32_t i = 1; i < n && !rc; i++) if (c[i].doc == d) rc = seg_cursor_next(&c[i]);
    }
    for (uint32_t i = 0; i < open; i++) seg_cursor_close(&c[i]);
    if (rc) qx_fail(q, rc, "reading postings");
    return rc ? 0 : df;
  }
  uint32_t np = seg_npara(r);
  uint64_t *bits = indaga__calloc((size_t)np / 64 + 1, sizeof *bits);
  if (!bits) { qx_fail(q, INDAGA_ENOMEM, "counting a group's paragraphs"); return 0; }
  seg_cursor c;
  double df = 0;
  int rc = 0;
  for (uint32_t i = 0; i < n && !rc && !qx_over_budget(q, SEG_BLOCK); i++) {   /* opening decodes a block */
    rc = seg_cursor_open(&c, r, &t[i]);
    while (!rc && c.doc != SEG_END && !qx_over_budget(q, 1)) {
      if (c.doc >= np) { rc = INDAGA_ECORRUPT; break; }
      uint64_t m = 1ull << (c.doc & 63), *w = &bits[c.doc >> 6];
      if (!(*w & m)) { *w |= m; df++; }
      rc = seg_cursor_next(&c);
    }
    seg_cursor_close(&c);
  }
  indaga__free(bits);
  if (rc) qx_fail(q, rc, "reading postings");
  return rc ? 0 : df;
}

/* The term and key of the word "número", for G_NUMBER groups, in the arena. */
static void analyse_numero(qx_query *q) {
  const char *term, *key;
  size_t nterm, nkey;
  int rc = analyzer_word(q->an, numero_word, sizeof numero_word - 1, &term, &nterm, &key, &nkey, NULL);
  if (rc) { qx_fail(q, rc, "analysing the query"); return; }
  q->numero_term = qa_strndup(q->a, term, nterm);
  q->numero_key = qa_strndup(q->a, key, nkey);
  if (!q->numero_term || !q->numero_key) { qx_fail(q, INDAGA_ENOMEM, "compiling the query"); return; }
  q->nnumero_term = nterm;
  q->nnumero_key = nkey;
}

/* Find group @g's terms in every segment and its global df. */
static int resolve_group(qx_query *q, qgroup *g) {
  g->seg = qx_alloc(q, (q->nsegs ? q->nsegs : 1) * sizeof *g->seg);
  if (!g->seg) return q->rc;
  int truncated = 0;
  for (size_t s = 0; s < q->nsegs; s++) {
    const seg_reader *r = ix_seg(q->s, s);
    namev v;
    memset(&v, 0, sizeof v);
    v.q = q;
    int rc;
    q->r = r;
    if (g->flags & G_PREFIX) {
      rc = seg_vocab_prefix(r, g->key, g->nkey, prefix_cb, &v);
      if (rc == 1) rc = 0;
      if (v.full) truncated = 1;
    } else {
      rc = add_name(&v, g->term, g->nterm);
      if (!rc) rc = seg_vocab_get(r, g->key, g->nkey, vocab_cb, &v);
      if (!rc && (g->flags & G_NUMBER)) {   /* the sign and the word's terms */
        rc = add_name(&v, numero_sign, sizeof numero_sign - 1);
        if (!rc) rc = add_name(&v, q->numero_term, q->nnumero_term);
        if (!rc) rc = seg_vocab_get(r, q->numero_key, q->nnumero_key, vocab_cb, &v);
      }
    }
    if (rc) { qx_fail(q, rc < 0 ? rc : INDAGA_ENOMEM, "reading the vocabulary"); return q->rc; }
    gseg *gs = &g->seg[s];
    gs->t = qx_alloc(q, (v.n ? v.n : 1) * sizeof *gs->t);
    gs->names = qx_alloc(q, (v.n ? v.n : 1) * sizeof *gs->names);
    gs->nnames = qx_alloc(q, (v.n ? v.n : 1) * sizeof *gs->nnames);
    if (!gs->t || !gs->names || !gs->nnames) return q->rc;
    for (size_t i = 0; i < v.n && !qx_over_budget(q, 64); i++) {
      rc = seg_term_get(r, v.names[i], v.nnames[i], &gs->t[gs->n]);
      if (rc < 0) { qx_fail(q, rc, "reading the term dictionary"); return q->rc; }
      if (rc == 1 && gs->t[gs->n].df > 0) {
        gs->names[gs->n] = v.names[i];
        gs->nnames[gs->n++] = v.nnames[i];
      }
    }
    if (gs->n) g->df += union_df(q, r, gs->t, gs->n);
    if (q->rc) return q->rc;
  }
  q->r = NULL;
  if (truncated) qx_note(q, "a prefix matched more words than the query's work budget allows: the first ones were used");
  g->idf = qr_idf(&q->pr, g->df);
  return INDAGA_OK;
}

/**************************************************************************
** The compiler
*/
int qx_compile(qa_arena *a, analyzer *an, const ix_snapshot *s, const qnode *tree,
               const qx_opts *o, qx_query **out, ia_buf *notes, char **err) {
  *out = NULL;
  *err = NULL;
  qx_query *q = qa_alloc(a, sizeof *q);
  if (!q) return INDAGA_ENOMEM;
  q->a = a;
  q->an = an;
  q->s = s;
  q->ties_by_place = ix_snapshot_ordered(s);
  q->nsegs = ix_nsegs(s);
  q->o = *o;
  q->notes = notes;
  q->pr.k1 = o->k1;
  q->pr.b = o->b;
  q->pr.N = (double)ix_live_paras(s);
  q->pr.avgdl = q->pr.N > 0 ? (double)ix_total_len(s) / q->pr.N : 1.0;
  if (!tree) return INDAGA_OK;
  int keepstop = count_content(q, tree, 0) == 0;
  if (!q->rc && tree->kind == QN_AND && o->mode == QX_MODE_BEST) q->root = compile_best(q, tree, keepstop);
  else if (!q->rc) q->root = compile(q, tree, 0, 1, keepstop);
  if (!q->rc && q->root) collect_wording(q, tree, keepstop);
  for (size_t i = 0; i < q->ngroups && !q->rc && !q->numero_key; i++)
    if (q->groups[i]->flags & G_NUMBER) analyse_numero(q);
  for (size_t i = 0; i < q->ngroups && !q->rc; i++) {
    resolve_group(q, q->groups[i]);
    if (q->groups[i]->flags & G_PROX) q->nprox++;
  }
  if (q->rc) { *err = q->err; return q->rc; }
  if (q->nprox > 64) q->nprox = 64;
  q->prox_max = (q->nprox >= 2 ? QR_PROX_WEIGHT : 0.0) + (q->npairs ? QR_WORDING_WEIGHT : 0.0);
  if (!q->root) return INDAGA_OK;
  if (q->ngroups == 0) q->o.exhaustive = 1;   /* filters only: no scores to prune by; count exactly */
  *out = q;
  return INDAGA_OK;
}

