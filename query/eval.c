/*
** eval.c: compiling a parse tree against a snapshot and finding the top k
** (query.h, "Evaluation"; DESIGN.md "Queries").
**
** Compilation (segment-independent, once per search):
**   QN_WORD    -> the analyzer's tokens of the chunk: a whole UN symbol is one
**                 group (its symbol term); one token is one group; several
**                 tokens ("fin-de-semana") are a phrase of groups.
**   QN_PHRASE  -> a phrase of groups at their analysed relative positions
**                 (stopwords kept; symbol tokens replaced by their parts).
**   QN_PREFIX  -> one group of every term whose key starts with the prefix
**                 (as many as the query's expansion budget allows, budget.h);
**                 the same prefix twice shares one group.
**   QN_NEAR    -> groups checked for a window of positions.
**   QN_FILTER  -> a predicate on the paragraph's document or part.
** Stopwords outside phrases are dropped unless every word is a stopword.
** Groups of bag-of-words words (outside phrases, NEAR and exclusions) are
** the "proximity groups" of rank.c.
**
** Evaluation (per segment): a tree of iterators (qit) over posting cursors.
**   seek(it, t)   moves it to its first match >= t:
**     GROUP  min over its cursors (seg_cursor_seek)
**     AND    leapfrog over the positive kids, rarest first; then each
**            exclusion is sought to the candidate; phrase and NEAR nodes
**            (ANDs of groups) then read positions, for candidates only
**     OR     min over the kids
**     FILTER scan paragraphs, skipping whole documents that fail
**   score(it, d)  BM25 of the groups at d, + phrase bonus, + proximity
**   bound(it, d)  an upper bound of score over [d, last]: per cursor the
**                 block holding d (seg_cursor_block: max tf, min length),
**                 without decoding; used to skip whole ranges (block-max).
**                 A conjunction's paragraphs hold all its positive kids,
**                 so every group under it is bounded at the largest of
**                 their block minimum lengths (bound_prep/bound_eval).
** The heap loop (qx_topk) asks for a bound once the heap is full, skips
** what cannot enter, and only then seeks and scores. Proximity positions
** are read only for a paragraph whose score plus the largest bonus could
** enter. Two shapes, most queries, have loops of their own with the same
** results (test_query checks them against exhaustive runs):
**   run_group  the root is one group: its cursors are walked with
**              seg_cursor_next and scored inline; a posting whose tf
**              cannot enter even at the range's smallest length is dropped
**              before its length is read. With one term in the segment
**              (most words), run_one does this a decoded block at a time
**              and prefetches the lengths it will read, so the random
**              reads of a block overlap.
**   run_conj   the root is an AND, phrase or NEAR (top k without grouping):
**              MaxScore for conjunctions. The cheap kids are intersected;
**              each candidate is first bounded at the range's length floor
**              (no length read), then at its length with the costly groups
**              ("de", "la" in a phrase) bounded from their block
**              directories; only a candidate that could enter decodes the
**              costly lists, checks exclusions and reads positions. When
**              the two rarest cheap kids are groups with one big list each,
**              the intersection merges those lists' decoded blocks by
**              comparison (leapfrog2) instead of seeking posting by posting.
*/
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include "query/query.h"
#include "query/fields.h"

#define QX_PHRASE_MAX 64      /* tokens of a phrase or NEAR */

/* group flags */
#define G_PREFIX 0x01u
#define G_SYMBOL 0x02u
#define G_STOP   0x04u
#define G_PROX   0x08u
#define G_POS    0x10u   /* outside exclusions: highlighted */

typedef struct gseg {
  seg_term *t;           /* the group's terms found in this segment */
  const char **names;    /* their text */
  size_t *nnames;
  uint32_t n;
} gseg;

typedef struct qgroup {
  uint32_t id;
  const char *term; size_t nterm;   /* own term (NULL for a prefix) */
  const char *key; size_t nkey;     /* accent-free key, or the prefix */
  unsigned flags;
  double df, idf;
  gseg *seg;                        /* [nsegs] */
} qgroup;

enum { C_GROUP = 1, C_AND, C_OR, C_PHRASE, C_NEAR, C_FILTER };

typedef struct cnode {
  int kind;
  qgroup *g;                  /* C_GROUP */
  struct cnode **kids;        /* AND: positives first, then exclusions */
  size_t nkids, npos;
  uint32_t *offs;             /* C_PHRASE: relative positions */
  unsigned near;              /* C_NEAR */
  qf_kind fk;                 /* C_FILTER */
  const char *val; size_t nval;
  unsigned annex; int annex_any;
  const char **tterms; size_t *ntterms; size_t ntitle;   /* QF_TITLE: the words' terms */
  qf_spec *spec;              /* QF_FIELD, QF_DATE, QF_YEAR, QF_BODY (fields.h) */
} cnode;

typedef struct qit {
  int kind;
  uint32_t doc;               /* current match, SEG_END when none is left */
  int at;                     /* doc is a verified match */
  const cnode *c;
  qgroup *g;
  seg_cursor *cur; uint32_t ncur;
  struct qit **kids; size_t nkids, npos;
  uint32_t *ord;              /* AND: positives, rarest first */
  double cost;
  uint32_t fdid, ffirst, fend, ndoc;   /* FILTER: current document and its paragraphs */
  uint8_t *dcache;            /* FILTER: per document 0 unknown, 1 pass, 2 fail */
  int lazy;                   /* PHRASE/NEAR at or under the root AND: positions checked by run_segment */
  uint32_t btf, bfloor;       /* bound_prep: GROUP summed block max tf; length floor */
  uint32_t *clo, *chi, *cmtf; /* GROUP: per cursor, the block last reported [clo, chi] and its max tf */
  uint32_t dom;               /* GROUP: the cursor of the term with the most postings */
} qit;

struct qx_query {
  qa_arena *a;
  analyzer *an;
  const ix_snapshot *s;
  size_t nsegs;
  cnode *root;
  qgroup **groups; size_t ngroups, capgroups;
  qr_params pr;
  unsigned nprox;
  double prox_max;
  qx_opts o;
  int rc;
  char *err;
  ia_buf *notes;
  /* per segment */
  size_t seg;
  const seg_reader *r;
  qit *it;
  qit **prox; unsigned nproxit;
  seg_cursor **open; size_t nopen, capopen;
  uint32_t *sp; size_t nsp, capsp;   /* scratch positions */
  /* results */
  qx_hit *heap; size_t nheap;
  struct qx_piece_best { const char *id; size_t nid; qx_hit h; } *pieces;   /* --group, see offer_doc */
  size_t npieces, cappieces;
  uint64_t matched;
  int skipped;
  double est;
};

/**************************************************************************
** Errors
*/
/* Record status @rc with a message about the current segment (first error wins). */
static void fail(qx_query *q, int rc, const char *what) {
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

/*
** A step of @units units of work against the search's budget (budget.h:
** about one posting or cursor visited each): 1, with q->rc set, once the
** time is up or the search was cancelled.
*/
static inline int over_budget(qx_query *q, size_t units) {
  int rc = qb_step(q->a->bud, units);
  if (rc) fail(q, rc, "searching");
  return rc != 0;
}

static void *qalloc(qx_query *q, size_t n) {
  void *p = qa_alloc(q->a, n);
  if (!p) fail(q, INDAGA_ENOMEM, "compiling the query");
  return p;
}

/* A copy of the @n elements of @old in the arena, room for twice *cap (@first when 0); NULL on failure. */
static void *qgrow(qx_query *q, const void *old, size_t n, size_t *cap, size_t elem, size_t first) {
  size_t c = *cap ? *cap * 2 : first;
  void *v = c <= SIZE_MAX / elem ? qalloc(q, c * elem) : NULL;
  if (!v) return NULL;
  if (n) memcpy(v, old, n * elem);
  *cap = c;
  return v;
}

static void note(qx_query *q, const char *msg) {
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
typedef struct tokv {
  ia_token t[QX_PHRASE_MAX];
  const char *term[QX_PHRASE_MAX];
  const char *key[QX_PHRASE_MAX];
  size_t n;
  int more;
  qx_query *q;
} tokv;

/* Analyzer callback: copy each token's term and key into the arena. */
static int collect_tok(void *ctx, const ia_token *tok) {
  tokv *v = ctx;
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

static int analyse(qx_query *q, const char *p, size_t n, tokv *v) {
  memset(v, 0, sizeof *v);
  v->q = q;
  if (over_budget(q, 64 + n)) return q->rc;
  int rc = analyzer_run(q->an, p, n, collect_tok, v, NULL);
  if (rc) fail(q, rc < 0 ? rc : INDAGA_ENOMEM, "analysing the query");
  if (v->more) note(q, "a phrase longer than 64 words was cut");
  return rc;
}

static qgroup *new_group(qx_query *q, const ia_token *t, unsigned flags) {
  qgroup *g = qalloc(q, sizeof *g);
  if (!g) return NULL;
  if (q->ngroups == q->capgroups) {
    qgroup **v = qgrow(q, q->groups, q->ngroups, &q->capgroups, sizeof *v, 16);
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

static cnode *new_cnode(qx_query *q, int kind, size_t nkids) {
  cnode *c = qalloc(q, sizeof *c);
  if (!c) return NULL;
  c->kind = kind;
  if (nkids) {
    c->kids = qalloc(q, nkids * sizeof *c->kids);
    if (!c->kids) return NULL;
  }
  return c;
}

static cnode *group_node(qx_query *q, const ia_token *t, unsigned flags) {
  cnode *c = new_cnode(q, C_GROUP, 0);
  if (c) c->g = new_group(q, t, flags);
  return c && c->g ? c : NULL;
}

/*
** Keep the tokens a query matches on: whole symbols give way to their parts
** (phrases line up on parts), and the part of an ordinal ("48" of "48º",
** same position) gives way to the whole token.
*/
static void drop_parts(tokv *v) {
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
static cnode *phrase_node(qx_query *q, tokv *v, unsigned flags) {
  drop_parts(v);
  size_t n = v->n;
  if (n == 0) return NULL;
  if (n == 1) return group_node(q, &v->t[0], flags);
  cnode *c = new_cnode(q, C_PHRASE, n);
  if (!c) return NULL;
  c->offs = qalloc(q, n * sizeof *c->offs);
  if (!c->offs) return NULL;
  for (size_t i = 0; i < n; i++) {
    c->kids[i] = group_node(q, &v->t[i], flags);
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
  cnode *f = new_cnode(q, C_FILTER, 0);
  cnode *c = new_cnode(q, C_OR, 2);
  if (!g || !f || !c) return NULL;
  f->fk = QF_SYMBOL;
  f->val = t->key;   /* "s/res/2196 (2015)": no glob characters */
  f->nval = t->nkey;
  c->kids[0] = g;
  c->kids[1] = f;
  c->nkids = c->npos = 2;
  return c;
}

/* A word chunk: a whole symbol, one group, or a phrase of its tokens. */
static cnode *word_node(qx_query *q, const qnode *w, unsigned flags, int bag) {
  tokv v;
  if (analyse(q, w->p, w->n, &v)) return NULL;
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
  if (rc) { fail(q, rc, "analysing the query"); return NULL; }
  if (nkey == 0) return NULL;
  flags |= G_PREFIX | (bag ? G_PROX : 0);
  for (size_t i = 0; i < q->ngroups; i++) {   /* the same prefix again ("A*", "a*"): one expansion */
    qgroup *g = q->groups[i];
    if (g->flags == flags && g->nkey == nkey && !memcmp(g->key, key, nkey)) {
      cnode *c = new_cnode(q, C_GROUP, 0);
      if (c) c->g = g;
      return c;
    }
  }
  ia_token t;
  memset(&t, 0, sizeof t);
  t.key = qa_strndup(q->a, key, nkey);
  t.nkey = nkey;
  if (!t.key) { fail(q, INDAGA_ENOMEM, "compiling the query"); return NULL; }
  return group_node(q, &t, flags);
}

/* Roman numeral or decimal annex number; 0 when unreadable. */
static unsigned annex_number(const char *p, size_t n) {
  unsigned v = 0;
  if (n && p[0] >= '0' && p[0] <= '9') {
    for (size_t i = 0; i < n && p[i] >= '0' && p[i] <= '9' && v < 100000; i++) v = v * 10 + (unsigned)(p[i] - '0');
    return v;
  }
  unsigned prev = 0;
  for (size_t i = n; i-- > 0;) {
    unsigned d;
    switch (p[i] | 0x20) {
    case 'i': d = 1; break; case 'v': d = 5; break; case 'x': d = 10; break;
    case 'l': d = 50; break; case 'c': d = 100; break;
    default: return 0;
    }
    if (d < prev) v -= d; else { v += d; prev = d; }
  }
  return v;
}

static cnode *filter_node(qx_query *q, const qnode *f) {
  cnode *c = new_cnode(q, C_FILTER, 0);
  if (!c) return NULL;
  c->fk = f->filter;
  c->val = f->p;
  c->nval = f->n;
  if (f->filter == QF_ANNEX) {
    if (!strcmp(f->p, "*") || !strcmp(f->p, "any")) c->annex_any = 1;
    else if (!strcmp(f->p, "0")) c->annex = 0;
    else {
      c->annex = annex_number(f->p, f->n);
      if (c->annex == 0) {
        note(q, "annex: takes 0 (body), a number or a roman numeral; filter ignored");
        return NULL;
      }
    }
  } else if (f->filter == QF_TITLE) {
    tokv v;
    if (analyse(q, f->p, f->n, &v)) return NULL;
    c->tterms = qalloc(q, (v.n + 1) * sizeof *c->tterms);
    c->ntterms = qalloc(q, (v.n + 1) * sizeof *c->ntterms);
    if (!c->tterms || !c->ntterms) return NULL;
    size_t nstop = 0;
    for (size_t i = 0; i < v.n; i++) nstop += (v.t[i].flags & TOK_STOP) != 0;
    for (size_t i = 0; i < v.n; i++) {
      if ((v.t[i].flags & (TOK_STOP | TOK_PART)) && nstop < v.n) continue;
      c->tterms[c->ntitle] = v.term[i];
      c->ntterms[c->ntitle++] = v.t[i].nterm;
    }
    if (!c->ntitle) { note(q, "title: without words; filter ignored"); return NULL; }
  }
  return c;
}

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
    else { indaga__free(e); fail(q, rc, "reading document fields"); }
    return NULL;
  }
  if (!sp) return NULL;
  cnode *c = new_cnode(q, C_FILTER, 0);
  if (!c) return NULL;
  c->fk = t->filter;
  c->spec = sp;
  return c;
}

/* Does the word chunk analyse to stopwords only (and at least one token)? */
static int word_is_stop(qx_query *q, const qnode *w) {
  tokv v;
  if (analyse(q, w->p, w->n, &v)) return 0;
  if (v.n == 0) return 0;
  for (size_t i = 0; i < v.n; i++)
    if (!(v.t[i].flags & TOK_STOP)) return 0;
  return 1;
}

/* Count bag-of-words words that are not stopwords (to decide whether stopwords are dropped). */
static size_t count_content(qx_query *q, const qnode *t, int neg) {
  if (!t) return 0;
  switch (t->kind) {
  case QN_WORD: return !neg && !word_is_stop(q, t);
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
static cnode *compile(qx_query *q, const qnode *t, int neg, int bag, int keepstop) {
  unsigned flags = neg ? 0 : G_POS;
  if (over_budget(q, 64)) return NULL;
  switch (t->kind) {
  case QN_WORD:
    if (!keepstop && word_is_stop(q, t)) return NULL;
    return word_node(q, t, flags, bag && !neg);
  case QN_PREFIX:
    return prefix_node(q, t, flags, bag && !neg);
  case QN_PHRASE: {
    tokv v;
    if (analyse(q, t->p, t->n, &v)) return NULL;
    return phrase_node(q, &v, flags);
  }
  case QN_FILTER:
    if (qf_handles(t->filter)) return fields_node(q, t, neg, bag, keepstop);
    return filter_node(q, t);
  case QN_NEAR: {
    cnode *c = new_cnode(q, C_NEAR, t->nkids);
    if (!c) return NULL;
    c->near = t->near;
    for (size_t i = 0; i < t->nkids && c->nkids < QX_PHRASE_MAX; i++) {
      cnode *k = t->kids[i]->kind == QN_PREFIX ? prefix_node(q, t->kids[i], flags, 0) : NULL;
      if (t->kids[i]->kind == QN_WORD) {
        tokv v;
        if (analyse(q, t->kids[i]->p, t->kids[i]->n, &v)) return NULL;
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
  case QN_NOT:
    return compile(q, t->kids[0], !neg, 0, keepstop);
  case QN_AND: case QN_OR: {
    int isand = t->kind == QN_AND;
    cnode *c = new_cnode(q, isand ? C_AND : C_OR, t->nkids);
    if (!c) return NULL;
    /* positives first, then exclusions */
    for (int pass = 0; pass < 2; pass++) {
      for (size_t i = 0; i < t->nkids; i++) {
        int isnot = t->kids[i]->kind == QN_NOT;
        if (isnot != pass) continue;
        cnode *k = compile(q, t->kids[i], neg, bag, keepstop);
        if (q->rc) return NULL;
        if (!k) continue;
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
    uint32_t *sl = ns <= SIZE_MAX / 4 / sizeof *sl ? qalloc(v->q, ns * sizeof *sl) : NULL;
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
    const char **nn = qalloc(v->q, cap * sizeof *nn);
    size_t *nl = qalloc(v->q, cap * sizeof *nl);
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
  if (over_budget(v->q, 8)) return v->q->rc;
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
      if (d == SEG_END || over_budget(q, n)) break;
      rc = seg_cursor_seek(&c[0], d);
      if (!rc && c[0].doc != d) df++;
      for (uint32_t i = 1; i < n && !rc; i++) if (c[i].doc == d) rc = seg_cursor_next(&c[i]);
    }
    for (uint32_t i = 0; i < open; i++) seg_cursor_close(&c[i]);
    if (rc) fail(q, rc, "reading postings");
    return rc ? 0 : df;
  }
  uint32_t np = seg_npara(r);
  uint64_t *bits = indaga__calloc((size_t)np / 64 + 1, sizeof *bits);
  if (!bits) { fail(q, INDAGA_ENOMEM, "counting a group's paragraphs"); return 0; }
  seg_cursor c;
  double df = 0;
  int rc = 0;
  for (uint32_t i = 0; i < n && !rc && !over_budget(q, SEG_BLOCK); i++) {   /* opening decodes a block */
    rc = seg_cursor_open(&c, r, &t[i]);
    while (!rc && c.doc != SEG_END && !over_budget(q, 1)) {
      if (c.doc >= np) { rc = INDAGA_ECORRUPT; break; }
      uint64_t m = 1ull << (c.doc & 63), *w = &bits[c.doc >> 6];
      if (!(*w & m)) { *w |= m; df++; }
      rc = seg_cursor_next(&c);
    }
    seg_cursor_close(&c);
  }
  indaga__free(bits);
  if (rc) fail(q, rc, "reading postings");
  return rc ? 0 : df;
}

/* Find group @g's terms in every segment and its global df. */
static int resolve_group(qx_query *q, qgroup *g) {
  g->seg = qalloc(q, (q->nsegs ? q->nsegs : 1) * sizeof *g->seg);
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
    }
    if (rc) { fail(q, rc < 0 ? rc : INDAGA_ENOMEM, "reading the vocabulary"); return q->rc; }
    gseg *gs = &g->seg[s];
    gs->t = qalloc(q, (v.n ? v.n : 1) * sizeof *gs->t);
    gs->names = qalloc(q, (v.n ? v.n : 1) * sizeof *gs->names);
    gs->nnames = qalloc(q, (v.n ? v.n : 1) * sizeof *gs->nnames);
    if (!gs->t || !gs->names || !gs->nnames) return q->rc;
    for (size_t i = 0; i < v.n && !over_budget(q, 64); i++) {
      rc = seg_term_get(r, v.names[i], v.nnames[i], &gs->t[gs->n]);
      if (rc < 0) { fail(q, rc, "reading the term dictionary"); return q->rc; }
      if (rc == 1 && gs->t[gs->n].df > 0) {
        gs->names[gs->n] = v.names[i];
        gs->nnames[gs->n++] = v.nnames[i];
      }
    }
    if (gs->n) g->df += union_df(q, r, gs->t, gs->n);
    if (q->rc) return q->rc;
  }
  q->r = NULL;
  if (truncated) note(q, "a prefix matched more words than the query's work budget allows: the first ones were used");
  g->idf = qr_idf(&q->pr, g->df);
  return INDAGA_OK;
}

static int doc_pass(qx_query *q, const cnode *c, uint32_t did, seg_doc *d);

/*
** Estimated fraction of paragraphs that filter @c passes: the filter is tried
** on up to FILTER_SAMPLE documents spread evenly over each segment, weighted
** by their paragraphs. It only feeds the estimate of the total when pruning
** stopped counting early (a symbol query would otherwise be estimated to
** match every paragraph); it never decides which hits are returned.
*/
#define FILTER_SAMPLE 64u
static double filter_fraction(qx_query *q, const cnode *c) {
  double pass = 0, seen = 0;
  const seg_reader *saved = q->r;
  for (size_t s = 0; s < q->nsegs; s++) {
    q->r = ix_seg(q->s, s);
    uint32_t nd = seg_ndoc(q->r);
    uint32_t step = nd > FILTER_SAMPLE ? nd / FILTER_SAMPLE : 1;
    for (uint32_t did = 0; did < nd; did += step) {
      seg_doc d;
      if (seg_doc_get(q->r, did, &d) != INDAGA_OK) break;   /* damage is reported by the search itself */
      seen += d.npara;
      if (doc_pass(q, c, did, &d)) pass += d.npara;
    }
  }
  q->r = saved;
  return seen > 0 ? pass / seen : 0;
}

/* Estimated fraction of paragraphs matching @c, under independence. */
static double estimate(qx_query *q, const cnode *c) {
  double N = q->pr.N > 0 ? q->pr.N : 1;
  switch (c->kind) {
  case C_GROUP: return c->g->df / N > 1 ? 1 : c->g->df / N;
  case C_FILTER: return filter_fraction(q, c);
  case C_OR: {
    double p = 1;
    for (size_t i = 0; i < c->nkids; i++) p *= 1 - estimate(q, c->kids[i]);
    return 1 - p;
  }
  default: {
    double p = c->kind == C_AND ? 1 : 0.5;
    for (size_t i = 0; i < c->npos; i++) p *= estimate(q, c->kids[i]);
    for (size_t i = c->npos; i < c->nkids; i++) p *= 1 - estimate(q, c->kids[i]);
    return p;
  }
  }
}

int qx_compile(qa_arena *a, analyzer *an, const ix_snapshot *s, const qnode *tree,
               const qx_opts *o, qx_query **out, ia_buf *notes, char **err) {
  *out = NULL;
  *err = NULL;
  qx_query *q = qa_alloc(a, sizeof *q);
  if (!q) return INDAGA_ENOMEM;
  q->a = a;
  q->an = an;
  q->s = s;
  q->nsegs = ix_nsegs(s);
  q->o = *o;
  q->notes = notes;
  q->pr.k1 = o->k1;
  q->pr.b = o->b;
  q->pr.N = (double)ix_live_paras(s);
  q->pr.avgdl = q->pr.N > 0 ? (double)ix_total_len(s) / q->pr.N : 1.0;
  if (!tree) return INDAGA_OK;
  int keepstop = count_content(q, tree, 0) == 0;
  if (!q->rc) q->root = compile(q, tree, 0, 1, keepstop);
  for (size_t i = 0; i < q->ngroups && !q->rc; i++) {
    resolve_group(q, q->groups[i]);
    if (q->groups[i]->flags & G_PROX) q->nprox++;
  }
  if (q->rc) { *err = q->err; return q->rc; }
  if (q->nprox > 64) q->nprox = 64;
  q->prox_max = q->nprox >= 2 ? QR_PROX_WEIGHT : 0.0;
  if (!q->root) return INDAGA_OK;
  q->est = estimate(q, q->root) * q->pr.N;
  if (q->ngroups == 0) q->o.exhaustive = 1;   /* filters only: no scores to prune by; count exactly */
  *out = q;
  return INDAGA_OK;
}

/**************************************************************************
** Iterators
*/
static int track_cursor(qx_query *q, seg_cursor *c) {
  if (q->nopen == q->capopen) {
    seg_cursor **v = qgrow(q, q->open, q->nopen, &q->capopen, sizeof *v, 64);
    if (!v) return q->rc;
    q->open = v;
  }
  q->open[q->nopen++] = c;
  return 0;
}

/* Build the iterator of @c for the current segment; NULL when it can match nothing here. */
static qit *build(qx_query *q, const cnode *c) {
  qit *it = qalloc(q, sizeof *it);
  if (!it) return NULL;
  it->kind = c->kind;
  it->c = c;
  switch (c->kind) {
  case C_GROUP: {
    gseg *gs = &c->g->seg[q->seg];
    if (gs->n == 0) return NULL;
    it->g = c->g;
    it->cur = qalloc(q, gs->n * sizeof *it->cur);
    if (!it->cur) return NULL;
    uint32_t d = SEG_END;
    for (uint32_t i = 0; i < gs->n; i++) {
      if (over_budget(q, SEG_BLOCK)) return NULL;   /* opening decodes a block */
      int rc = seg_cursor_open(&it->cur[i], q->r, &gs->t[i]);
      if (track_cursor(q, &it->cur[i])) return NULL;
      if (rc) { fail(q, rc, "opening postings"); return NULL; }
      if (it->cur[i].doc < d) d = it->cur[i].doc;
      it->cost += gs->t[i].df;
      if (gs->t[i].df > gs->t[it->dom].df) it->dom = i;
    }
    it->ncur = gs->n;
    it->clo = qalloc(q, 3 * (size_t)gs->n * sizeof *it->clo);
    if (!it->clo) return NULL;
    it->chi = it->clo + gs->n;
    it->cmtf = it->chi + gs->n;
    for (uint32_t i = 0; i < gs->n; i++) it->clo[i] = 1;   /* empty: clo > chi */
    it->doc = d;
    it->at = 1;
    if ((c->g->flags & G_PROX) && q->nproxit < q->nprox) q->prox[q->nproxit++] = it;
    return it;
  }
  case C_FILTER:
    it->ndoc = seg_ndoc(q->r);
    it->dcache = qalloc(q, it->ndoc + 1);
    if (!it->dcache) return NULL;
    it->cost = seg_npara(q->r);
    return it;
  default:
    break;
  }
  it->kids = qalloc(q, c->nkids * sizeof *it->kids);
  if (!it->kids) return NULL;
  for (size_t i = 0; i < c->nkids; i++) {
    qit *k = build(q, c->kids[i]);
    if (q->rc) return NULL;
    if (!k) {
      if (c->kind == C_OR || i >= c->npos) continue;   /* an absent alternative or exclusion */
      return NULL;                                     /* a required part is absent */
    }
    if (i < c->npos) it->npos++;
    it->kids[it->nkids++] = k;
  }
  if (it->npos == 0) return NULL;
  if (c->kind == C_OR) {
    double cost = 0;
    for (size_t i = 0; i < it->nkids; i++) cost += it->kids[i]->cost;
    it->cost = cost;
  } else {
    it->ord = qalloc(q, it->npos * sizeof *it->ord);
    if (!it->ord) return NULL;
    for (uint32_t i = 0; i < it->npos; i++) it->ord[i] = i;
    /* rarest first (insertion sort: few kids) */
    for (size_t i = 1; i < it->npos; i++) {
      uint32_t v = it->ord[i];
      size_t j = i;
      while (j > 0 && it->kids[it->ord[j - 1]]->cost > it->kids[v]->cost) { it->ord[j] = it->ord[j - 1]; j--; }
      it->ord[j] = v;
    }
    it->cost = it->kids[it->ord[0]]->cost;
  }
  return it;
}

/*
** Glob match of pattern @pat ('*' any run, '?' one byte, ASCII case ignored)
** against s[0..n): the classic iterative matcher that backtracks to the
** last '*' only, so it runs in O(|pat| * n). Never fails.
*/
static int glob_match(const char *pat, const char *s, size_t n) {
  const char *star = NULL;
  size_t i = 0, si = 0;
  while (i < n) {
    char pc = *pat;
    if (pc == '*') { star = ++pat; si = i; continue; }
    if (pc && (pc == '?' || (pc | 0x20) == (s[i] | 0x20) || pc == s[i])) {
      if (pc != '?' && pc != s[i] && !((pc >= 'A' && pc <= 'Z') || (pc >= 'a' && pc <= 'z'))) goto back;
      pat++; i++;
      continue;
    }
  back:
    if (!star) return 0;
    pat = star;
    i = ++si;
  }
  while (*pat == '*') pat++;
  return *pat == 0;
}

/* Does some symbol of document @d match the filter's pattern? */
static int symbol_match(const cnode *c, const seg_doc *d) {
  const char *v;
  size_t nv;
  if (seg_doc_meta_find(d, "symbol", &v, &nv) == 1 && glob_match(c->val, v, nv)) return 1;
  if (seg_doc_meta_find(d, "symbols", &v, &nv) != 1) return 0;
  size_t i = 0;
  while (i < nv) {
    while (i < nv && v[i] == ' ') i++;
    size_t j = i;
    while (j < nv && v[j] != ' ') j++;
    if (j > i && glob_match(c->val, v + i, j - i)) return 1;
    /* "S/RES/2354 (2017)": a symbol followed by its year */
    if (j + 1 < nv && v[j + 1] == '(') {
      size_t k = j + 1;
      while (k < nv && v[k] != ' ') k++;
      if (glob_match(c->val, v + i, k - i)) return 1;
    }
    i = j;
  }
  return 0;
}

typedef struct title_ctx { const cnode *c; uint64_t seen; } title_ctx;
static int title_tok(void *ctx, const ia_token *t) {
  title_ctx *tc = ctx;
  for (size_t i = 0; i < tc->c->ntitle && i < 64; i++)
    if (tc->c->ntterms[i] == t->nterm && !memcmp(tc->c->tterms[i], t->term, t->nterm)) tc->seen |= 1ull << i;
  return 0;
}

/* 1 when document @did of the current segment passes filter @c (all but annex). */
static int doc_pass(qx_query *q, const cnode *c, uint32_t did, seg_doc *d) {
  const char *v;
  size_t nv;
  switch (c->fk) {
  case QF_SYMBOL: return symbol_match(c, d);
  case QF_DOC: {
    if (glob_match(c->val, d->id, d->nid)) return 1;
    const char *slash = d->id, *p;
    for (p = d->id; p < d->id + d->nid; p++) if (*p == '/') slash = p + 1;
    size_t nb = (size_t)(d->id + d->nid - slash);
    if (glob_match(c->val, slash, nb)) return 1;
    const char *dot = memchr(slash, '.', nb);
    return dot && glob_match(c->val, slash, (size_t)(dot - slash));
  }
  case QF_YEAR: case QF_FIELD: case QF_DATE: case QF_BODY:
    return c->spec && qf_doc_pass(c->spec, q->r, did, NULL) == 1;
  case QF_TITLE: {
    if (seg_doc_meta_find(d, "title", &v, &nv) != 1) return 0;
    title_ctx tc = { c, 0 };
    int rc = analyzer_run(q->an, v, nv, title_tok, &tc, NULL);
    if (rc) { fail(q, rc < 0 ? rc : INDAGA_ENOMEM, "reading a title"); return 0; }
    size_t n = c->ntitle < 64 ? c->ntitle : 64;
    return tc.seen == (n == 64 ? UINT64_MAX : (1ull << n) - 1);
  }
  case QF_ANNEX:
    return c->annex_any ? d->nparts > 1 : c->annex < d->nparts;
  }
  (void)did;
  return 0;
}

/* Load document @did of the current segment into filter iterator @it. */
static int filter_load(qx_query *q, qit *it, uint32_t did) {
  seg_doc d;
  int rc = seg_doc_get(q->r, did, &d);
  if (rc) { fail(q, rc, "reading the document table"); return rc; }
  it->fdid = did;
  it->ffirst = d.first_para;
  it->fend = d.first_para + d.npara;
  if (!it->dcache[did]) it->dcache[did] = doc_pass(q, it->c, did, &d) ? 1 : 2;
  return q->rc;
}

/* FILTER seek: the first paragraph >= t of a passing document (and part). */
static void seek_filter(qx_query *q, qit *it, uint32_t t) {
  const cnode *c = it->c;
  uint32_t np = seg_npara(q->r);
  it->doc = SEG_END;
  if (it->ndoc == 0) return;
  if (!it->dcache[it->ndoc]) {   /* the slot past the documents: "a document is loaded" */
    if (filter_load(q, it, 0)) return;
    it->dcache[it->ndoc] = 1;
  }
  while (t < np) {
    while (t >= it->fend) {
      if (it->fdid + 1 >= it->ndoc) return;
      if (filter_load(q, it, it->fdid + 1)) return;
    }
    if (t < it->ffirst) t = it->ffirst;
    if (it->dcache[it->fdid] != 1) { t = it->fend; continue; }
    if (c->fk == QF_ANNEX) {
      seg_para p;
      int rc = seg_para_get(q->r, t, &p);
      if (rc) { fail(q, rc, "reading the paragraph table"); return; }
      if (c->annex_any ? p.part == 0 : p.part != c->annex) { t++; continue; }
    }
    it->doc = t;
    return;
  }
}

/* Append the positions of group iterator @it at @d to the scratch; returns their count. */
static uint32_t group_positions(qx_query *q, qit *it, uint32_t d) {
  size_t start = q->nsp;
  for (uint32_t i = 0; i < it->ncur; i++) {
    seg_cursor *c = &it->cur[i];
    if (c->doc != d) continue;
    const uint32_t *pos;
    uint32_t n;
    int rc = seg_cursor_positions(c, &pos, &n);
    if (rc) { fail(q, rc, "reading positions"); return 0; }
    if (q->nsp + n > q->capsp) {
      size_t cap = q->capsp ? q->capsp : 256;
      while (cap < q->nsp + n) cap *= 2;
      uint32_t *v = indaga__realloc(q->sp, cap * sizeof *v);
      if (!v) { fail(q, INDAGA_ENOMEM, "reading positions"); return 0; }
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

/* Positions check of a phrase or NEAR node whose kids (groups) all sit at @d. */
static int positions_ok(qx_query *q, qit *it, uint32_t d) {
  size_t off[QX_PHRASE_MAX];
  uint32_t ns[QX_PHRASE_MAX];
  const uint32_t *lists[QX_PHRASE_MAX];
  size_t n = it->nkids < QX_PHRASE_MAX ? it->nkids : QX_PHRASE_MAX;
  q->nsp = 0;
  for (size_t i = 0; i < n; i++) {
    off[i] = q->nsp;
    ns[i] = group_positions(q, it->kids[i], d);
    if (q->rc || ns[i] == 0) return 0;
  }
  for (size_t i = 0; i < n; i++) lists[i] = q->sp + off[i];
  if (it->kind == C_NEAR) {
    uint32_t span = qr_min_window(lists, ns, (unsigned)n);
    return span != UINT32_MAX && span <= it->c->near + n;
  }
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

static void seek(qx_query *q, qit *it, uint32_t t);

/* AND, PHRASE, NEAR: leapfrog, then exclusions, then positions. */
static void seek_and(qx_query *q, qit *it, uint32_t t) {
  uint32_t d = t;
  for (;;) {
    size_t agree = 0, i = 0;
    if (over_budget(q, q->nopen)) { it->doc = SEG_END; return; }
    while (agree < it->npos) {
      qit *k = it->kids[it->ord[i]];
      seek(q, k, d);
      if (q->rc || k->doc == SEG_END) { it->doc = SEG_END; return; }
      if (k->doc == d) agree++;
      else { d = k->doc; agree = 1; }
      if (++i == it->npos) i = 0;
    }
    int ok = 1;
    for (size_t j = it->npos; j < it->nkids && ok; j++) {
      seek(q, it->kids[j], d);
      if (it->kids[j]->doc == d) ok = 0;
    }
    if (ok && it->kind != C_AND && !it->lazy) ok = positions_ok(q, it, d);
    if (q->rc) { it->doc = SEG_END; return; }
    if (ok) { it->doc = d; it->at = 1; return; }
    if (d == SEG_END - 1) { it->doc = SEG_END; return; }
    d++;
  }
}

/* Move @it to its first match >= @t (it->doc; SEG_END when none). */
static void seek(qx_query *q, qit *it, uint32_t t) {
  if (it->at && it->doc >= t) return;
  switch (it->kind) {
  case C_GROUP: {
    uint32_t d = SEG_END;
    for (uint32_t i = 0; i < it->ncur; i++) {
      seg_cursor *c = &it->cur[i];
      if (c->doc < t) {
        int rc = seg_cursor_seek(c, t);
        if (rc) { fail(q, rc, "reading postings"); it->doc = SEG_END; return; }
      }
      if (c->doc < d) d = c->doc;
    }
    it->doc = d;
    it->at = 1;
    return;
  }
  case C_OR: {
    uint32_t d = SEG_END;
    for (size_t i = 0; i < it->nkids; i++) {
      seek(q, it->kids[i], t);
      if (it->kids[i]->doc < d) d = it->kids[i]->doc;
    }
    it->doc = d;
    it->at = 1;
    return;
  }
  case C_FILTER:
    seek_filter(q, it, t);
    it->at = 1;
    return;
  default:
    seek_and(q, it, t);
    return;
  }
}

/* Score of @it at @d (every iterator of the tree has been sought to >= d). */
static double score(qx_query *q, const qit *it, uint32_t d, double len) {
  if (it->doc != d) return 0.0;
  switch (it->kind) {
  case C_GROUP: {
    uint32_t tf = 0;
    for (uint32_t i = 0; i < it->ncur; i++)
      if (it->cur[i].doc == d) tf += it->cur[i].freq;
    return qr_bm25(&q->pr, it->g->idf, tf, len);
  }
  case C_FILTER: return 0.0;
  case C_OR: {
    double s = 0;
    for (size_t i = 0; i < it->nkids; i++) s += score(q, it->kids[i], d, len);
    return s;
  }
  default: {
    double s = 0;
    for (size_t i = 0; i < it->npos; i++) s += score(q, it->kids[i], d, len);
    return it->kind == C_AND ? s : s + QR_PHRASE_BONUS;
  }
  }
}

/*
** Bounds, in two passes over the tree. bound_prep reads each group's block
** bounds over [d, *last] (lowering *last to the nearest block end) and
** returns the node's length floor: every paragraph the node matches in that
** range has at least that many tokens, UINT32_MAX when it can match none
** there. A conjunction (AND, phrase, NEAR) matches only paragraphs that
** hold all its positive kids, so its floor is the largest of theirs: the
** common words of a phrase then count at the length of its rarest word's
** shortest paragraph, not at their own (often 1 or 2). An OR takes the
** smallest floor of its kids; a filter knows none (0).
*/
static uint32_t bound_prep(qx_query *q, qit *it, uint32_t d, uint32_t *last) {
  switch (it->kind) {
  case C_GROUP: {
    uint32_t tf = 0, minlen = UINT32_MAX;
    for (uint32_t i = 0; i < it->ncur; i++) {
      seg_cursor *c = &it->cur[i];
      if (c->doc == SEG_END) continue;
      uint32_t bl, mtf, mlen;
      if (seg_cursor_block(c, d > c->doc ? d : c->doc, &bl, &mtf, &mlen)) continue;
      tf += mtf;
      if (mlen < minlen) minlen = mlen;
      if (bl < *last) *last = bl;
    }
    it->btf = tf;
    it->bfloor = tf ? minlen : UINT32_MAX;
    return it->bfloor;
  }
  case C_FILTER: it->bfloor = 0; return 0;
  case C_OR: {
    uint32_t f = UINT32_MAX;
    for (size_t i = 0; i < it->nkids; i++) {
      uint32_t k = bound_prep(q, it->kids[i], d, last);
      if (k < f) f = k;
    }
    it->bfloor = f;
    return f;
  }
  default: {
    uint32_t f = 0;
    for (size_t i = 0; i < it->npos; i++) {
      uint32_t k = bound_prep(q, it->kids[i], d, last);
      if (k > f) f = k;
    }
    it->bfloor = f;
    return f;
  }
  }
}

/*
** Pass 2: the bound of score(it, x) for x in the range, every paragraph
** there being at least @lfloor tokens long. A bound is the score's own
** formula on larger tf, smaller length and more (non-negative) terms,
** summed in the same order, so IEEE rounding keeps it above the score.
*/
static double bound_eval(qx_query *q, const qit *it, uint32_t lfloor) {
  if (it->bfloor == UINT32_MAX) return 0.0;   /* matches nothing in the range */
  if (it->bfloor > lfloor) lfloor = it->bfloor;
  switch (it->kind) {
  case C_GROUP: return qr_bm25(&q->pr, it->g->idf, it->btf, lfloor);
  case C_FILTER: return 0.0;
  case C_OR: {
    double s = 0;
    for (size_t i = 0; i < it->nkids; i++) s += bound_eval(q, it->kids[i], lfloor);
    return s;
  }
  default: {
    double s = 0;
    for (size_t i = 0; i < it->npos; i++) s += bound_eval(q, it->kids[i], lfloor);
    return it->kind == C_AND ? s : s + QR_PHRASE_BONUS;
  }
  }
}

/* Upper bound of score(it, x) for x in [d, *last]; lowers *last. */
static double bound(qx_query *q, qit *it, uint32_t d, uint32_t *last) {
  bound_prep(q, it, d, last);
  return bound_eval(q, it, 0);
}

/* Proximity bonus at @d over the proximity groups present. */
static double proximity(qx_query *q, uint32_t d) {
  if (q->prox_max == 0) return 0.0;
  size_t off[64];
  uint32_t ns[64];
  const uint32_t *lists[64];
  unsigned m = 0;
  q->nsp = 0;
  for (unsigned i = 0; i < q->nproxit; i++) {
    qit *g = q->prox[i];
    if (g->doc != d) continue;
    off[m] = q->nsp;
    ns[m] = group_positions(q, g, d);
    if (q->rc) return 0.0;
    if (ns[m]) m++;
  }
  if (m < 2) return 0.0;
  for (unsigned i = 0; i < m; i++) lists[i] = q->sp + off[i];
  return qr_prox(m, q->nprox, qr_min_window(lists, ns, m));
}

/**************************************************************************
** Top k
*/
static int better(const qx_hit *x, const qx_hit *y) {
  if (x->score != y->score) return x->score > y->score;
  if (x->seg != y->seg) return x->seg < y->seg;
  return x->pid < y->pid;
}

/* Offer @h to the heap (heap[0] is the worst kept). */
static void offer(qx_query *q, const qx_hit *h) {
  qx_hit *v = q->heap;
  size_t n = q->nheap;
  if (q->o.all) {   /* every match, unordered (qx_opts.all): the array doubles when full */
    if (n == q->o.k) {
      if (n > UINT32_MAX / 2) { fail(q, INDAGA_ENOMEM, "collecting every match"); return; }
      qx_hit *nv = qalloc(q, 2 * n * sizeof *nv);
      if (!nv) return;
      memcpy(nv, v, n * sizeof *nv);
      q->heap = v = nv;
      q->o.k = (unsigned)(2 * n);
    }
    v[q->nheap++] = *h;
    return;
  }
  if (n < q->o.k) {
    size_t i = q->nheap++;
    while (i > 0 && better(&v[(i - 1) / 2], h)) { v[i] = v[(i - 1) / 2]; i = (i - 1) / 2; }
    v[i] = *h;
    return;
  }
  if (!better(h, &v[0])) return;
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, w = i;
    const qx_hit *wv = h;
    if (l < n && better(wv, &v[l])) { w = l; wv = &v[l]; }
    if (r < n && better(wv, &v[r])) { w = r; }
    if (w == i) break;
    v[i] = v[w];
    i = w;
  }
  v[i] = *h;
}

static int cmp_hits(const void *x, const void *y) {
  return better(x, y) ? -1 : better(y, x) ? 1 : 0;
}

/*
** The root is one group (one word, its variants, or a prefix) and nothing
** else scores: walk its cursors in document order with seg_cursor_next
** instead of the iterator tree, and skip whole block ranges by the same
** block-max bound as run_segment. Scores are qr_bm25 of the summed tf, as
** score() computes them, so the result is the same.
*/
/*
** run_group for a group of one term in this segment (most words): the same
** walk and the same decisions, made over the cursor's decoded block
** (seg_cursor_run) instead of one seg_cursor_next per posting. A block is
** read in two passes: first the postings that could enter at the range's
** smallest length (run_group's test, at the worst score kept when the pass
** starts) are gathered and their lengths prefetched; then each is tested
** again at the current worst score and scored. The block's random length
** reads thus overlap instead of each waiting for the one before.
*/
static void run_one(qx_query *q, qit *it) {
  const int pruning = !q->o.exhaustive;
  const double idf = it->g->idf;
  const uint32_t seg = (uint32_t)q->seg;
  const unsigned char *lens = seg_para_lens(q->r);
  seg_cursor *c = &it->cur[0];
  uint32_t blast = 0, minlen = 0, ctf = 0;
  double cub = 0;
  int have_bound = 0;
  uint8_t cand[SEG_BLOCK];
  while (c->doc != SEG_END && !q->rc && !over_budget(q, SEG_BLOCK)) {
    uint32_t d = c->doc;
    if (pruning && q->nheap == q->o.k && (!have_bound || d > blast)) {
      uint32_t last = SEG_END;
      double ub = bound(q, it, d, &last);
      have_bound = 1;
      blast = last;
      minlen = it->bfloor;
      ctf = 0;
      if (ub <= q->heap[0].score) {
        q->skipped = 1;
        if (last == SEG_END) break;
        int rc = seg_cursor_seek(c, last + 1);
        if (rc) { fail(q, rc, "reading postings"); return; }
        have_bound = 0;
        continue;
      }
    }
    /* 1. gather (the block lies within the bounded range: blast is its last id) */
    const uint32_t *ids, *tfs;
    uint32_t n = seg_cursor_run(c, &ids, &tfs), nc = 0;
    if (n == 0) break;
    const int filt = pruning && q->nheap == q->o.k;
    for (uint32_t i = 0; i < n; i++) {
      if (filt) {
        uint32_t tf = tfs[i];
        if (tf != ctf) { ctf = tf; cub = qr_bm25(&q->pr, idf, tf, minlen); }
        if (cub <= q->heap[0].score) { q->skipped = 1; continue; }
      }
      __builtin_prefetch(lens + 4 * (size_t)ids[i]);
      cand[nc++] = (uint8_t)i;
    }
    /* 2. test again and score */
    uint32_t next = ids[n - 1] + 1;
    for (uint32_t k = 0; k < nc; k++) {
      uint32_t i = cand[k], x = ids[i], tf = tfs[i];
      if (pruning && q->nheap == q->o.k) {
        if (!have_bound) { next = x; break; }   /* the heap just filled: bound the rest first */
        if (tf != ctf) { ctf = tf; cub = qr_bm25(&q->pr, idf, tf, minlen); }
        if (cub <= q->heap[0].score) { q->skipped = 1; continue; }
      }
      if (!ix_is_deleted(q->s, q->seg, x)) {
        qx_hit h = { qr_bm25(&q->pr, idf, tf, get_u32(lens + 4 * (size_t)x)), seg, x };
        q->matched++;
        if (q->o.all || q->nheap < q->o.k || h.score > q->heap[0].score) offer(q, &h);
      }
    }
    int rc = seg_cursor_seek(c, next);
    if (rc) { fail(q, rc, "reading postings"); return; }
  }
  it->doc = SEG_END;
}

static void run_group(qx_query *q, qit *it) {
  if (it->ncur == 1 && !q->o.exhaustive) { run_one(q, it); return; }   /* reference runs take the plain loop */
  const int pruning = !q->o.exhaustive;
  const double idf = it->g->idf;
  const uint32_t seg = (uint32_t)q->seg;
  uint32_t d = it->doc, blast = 0, minlen = 0, ctf = 0;
  double cub = 0;
  int have_bound = 0;
  while (d != SEG_END && !q->rc && !over_budget(q, it->ncur)) {
    if (pruning && q->nheap == q->o.k && (!have_bound || d > blast)) {
      uint32_t last = SEG_END;
      double ub = bound(q, it, d, &last);
      have_bound = 1;
      blast = last;
      minlen = it->bfloor;   /* the range's smallest length, for the per-posting bound below */
      ctf = 0;
      if (ub <= q->heap[0].score) {
        q->skipped = 1;
        if (last == SEG_END) break;
        it->at = 0;
        seek(q, it, last + 1);
        d = it->doc;
        have_bound = 0;
        continue;
      }
    }
    /* 1. the group's tf at d; move its cursors past d */
    uint32_t tf = 0, next = SEG_END;
    for (uint32_t i = 0; i < it->ncur; i++) {
      seg_cursor *c = &it->cur[i];
      if (c->doc == d) {
        tf += c->freq;
        int rc = seg_cursor_next(c);
        if (rc) { fail(q, rc, "reading postings"); return; }
      }
      if (c->doc < next) next = c->doc;
    }
    /*
    ** 2. score it unless deleted; offer() drops what cannot enter. Within a
    ** bounded range, a tf whose weight at the range's smallest length
    ** cannot enter is dropped before reading the paragraph's length.
    */
    if (have_bound && d <= blast && q->nheap == q->o.k) {
      if (tf != ctf) { ctf = tf; cub = qr_bm25(&q->pr, idf, tf, minlen); }
      if (cub <= q->heap[0].score) { q->skipped = 1; d = next; continue; }
    }
    if (!ix_is_deleted(q->s, q->seg, d)) {
      qx_hit h = { qr_bm25(&q->pr, idf, tf, seg_para_len(q->r, d)), seg, d };
      q->matched++;
      if (q->o.all || q->nheap < q->o.k || h.score > q->heap[0].score) offer(q, &h);
    }
    d = next;
  }
  it->doc = SEG_END;
}

/*
** An upper bound of group @it's weight at paragraph @d of @len tokens,
** read from block directories without decoding: a cursor on d gives its tf,
** one before d the max tf of the block that would hold d (remembered while
** d stays within it), one past d nothing.
*/
static double group_bound_at(qx_query *q, qit *it, uint32_t d, double len) {
  uint32_t tf = 0;
  for (uint32_t i = 0; i < it->ncur; i++) {
    seg_cursor *c = &it->cur[i];
    if (c->doc == d) { tf += c->freq; continue; }
    if (c->doc > d) continue;
    if (d < it->clo[i] || d > it->chi[i]) {
      uint32_t bl, mtf, mlen;
      if (seg_cursor_block(c, d, &bl, &mtf, &mlen)) { it->clo[i] = 1; it->chi[i] = 0; continue; }
      it->clo[i] = d;
      it->chi[i] = bl;
      it->cmtf[i] = mtf;
    }
    tf += it->cmtf[i];
  }
  return qr_bm25(&q->pr, it->g->idf, tf, len);
}

/*
** leapfrog for two groups (the common AND of two words, the two rarer words
** of a phrase). Each group's largest list (cur[dom]) holds most of its
** postings: once both groups sit on a paragraph, the rest of those two
** lists' decoded blocks is merged directly, below the next posting of the
** groups' other (small) lists, and the groups are sought only to the match,
** past a block, or to that next posting. Their blocks' postings thus cost a
** comparison each rather than a seek. Same result as leapfrog.
*/
/* Is @it a group whose largest list holds nearly all its postings (leapfrog2's case)? */
static int one_big_list(const qx_query *q, const qit *it) {
  if (it->kind != C_GROUP) return 0;
  const gseg *gs = &it->g->seg[q->seg];
  uint64_t rest = 0;
  for (uint32_t i = 0; i < it->ncur; i++) if (i != it->dom) rest += gs->t[i].df;
  return rest * 16 <= gs->t[it->dom].df;
}

static inline void group_seek(qx_query *q, qit *it, uint32_t t) {
  if (it->ncur != 1) { seek(q, it, t); return; }
  seg_cursor *c = &it->cur[0];
  if (c->doc < t) {
    int rc = seg_cursor_seek(c, t);
    if (rc) { fail(q, rc, "reading postings"); it->doc = SEG_END; return; }
  }
  it->doc = c->doc;
  it->at = 1;
}

static uint32_t leapfrog2(qx_query *q, qit *ka, qit *kb, uint32_t d) {
  const seg_cursor *a = &ka->cur[ka->dom], *b = &kb->cur[kb->dom];
  for (;;) {
    if (over_budget(q, ka->ncur + kb->ncur)) return SEG_END;
    group_seek(q, ka, d);
    if (q->rc || ka->doc == SEG_END) return SEG_END;
    group_seek(q, kb, ka->doc);
    if (q->rc || kb->doc == SEG_END) return SEG_END;
    if (kb->doc == ka->doc) return ka->doc;
    /* the next common paragraph is >= kb->doc; below lim only the big lists hold any */
    uint32_t lim = SEG_END;
    for (uint32_t i = 0; i < ka->ncur; i++) if (i != ka->dom && ka->cur[i].doc < lim) lim = ka->cur[i].doc;
    for (uint32_t i = 0; i < kb->ncur; i++) if (i != kb->dom && kb->cur[i].doc < lim) lim = kb->cur[i].doc;
    const uint32_t *ia = NULL, *ib = NULL, *tf;
    uint32_t na = seg_cursor_run(a, &ia, &tf), nb = seg_cursor_run(b, &ib, &tf), i = 0, j = 0;
    d = kb->doc;
    if (!na || !nb) continue;   /* a big list is done: step as leapfrog does */
    while (i < na && j < nb) {
      uint32_t x = ia[i], y = ib[j];
      if (x == y) break;
      i += x < y;
      j += y < x;
    }
    uint32_t cand = i < na ? ia[i] : ib[j];   /* the match, or the first id the other list has past its block */
    if (cand > lim) cand = lim;
    if (cand > d) d = cand;
  }
}

/* Leapfrog kids lead[0..n) of @root to their first common paragraph >= d (SEG_END: none). */
static uint32_t leapfrog(qx_query *q, qit *root, const uint32_t *lead, size_t n, uint32_t d) {
  size_t agree = 0, i = 0;
  while (agree < n) {
    qit *k = root->kids[lead[i]];
    if (over_budget(q, q->nopen)) return SEG_END;
    seek(q, k, d);
    if (q->rc || k->doc == SEG_END) return SEG_END;
    if (k->doc == d) agree++;
    else { d = k->doc; agree = 1; }
    if (++i == n) i = 0;
  }
  return d;
}

/*
** leapfrog when the two rarest lead kids are leapfrog2's groups: they are
** merged by leapfrog2, and each paragraph they share is then sought in the
** other lead kids; where one lies past it, the merge resumes from there.
*/
static uint32_t leapfrog_two(qx_query *q, qit *root, const uint32_t *lead, size_t n, qit **two, uint32_t d) {
  for (;;) {
    d = leapfrog2(q, two[0], two[1], d);
    if (q->rc || d == SEG_END) return SEG_END;
    size_t i = 2;
    for (; i < n; i++) {
      qit *k = root->kids[lead[i]];
      seek(q, k, d);
      if (q->rc || k->doc == SEG_END) return SEG_END;
      if (k->doc != d) break;
    }
    if (i == n) return d;
    d = root->kids[lead[i]]->doc;
  }
}

/*
** The block-max step of the evaluation loops (run_conj, run_segment): once the
** heap is full, and paragraph *d lies past the range of the last bound taken,
** take the bound of the block range holding *d (plus the largest proximity
** bonus). When it cannot beat the worst kept hit, skip the whole range.
**
** No slack is needed: a bound is the score's own formula on larger tf,
** smaller length and more (non-negative) terms, summed in the same order, and
** IEEE rounding is monotone in each of those operations. A paragraph scoring
** exactly the worst kept score comes later in document order and so loses
** the tie: ub <= worst cannot enter.
**
** Returns 0 to score at *d, 1 when the range was skipped (*d moved past it),
** 2 when nothing is left in the segment.
*/
static int blockmax_skip(qx_query *q, qit *root, uint32_t *d, uint32_t *blast, int *have_bound) {
  if (*have_bound && *d <= *blast) return 0;
  uint32_t last = SEG_END;
  double ub = bound(q, root, *d, &last) + q->prox_max;
  *have_bound = 1;
  *blast = last;
  if (ub > q->heap[0].score) return 0;
  q->skipped = 1;
  if (last == SEG_END) return 2;
  *d = last + 1;
  *have_bound = 0;
  return 1;
}

/*
** The root is a conjunction (AND, phrase or NEAR), top k without grouping.
** MaxScore for conjunctions: the cheap kids (the rarest, those within 4x
** its cost, and every kid that is not a group) are intersected first. For
** each paragraph they share, their exact scores plus the costly groups'
** block bounds at that paragraph (group_bound_at), summed in score()'s
** order, decide whether it could enter the top k; only then are the costly
** groups sought (decoding their blocks), the exclusions checked, the exact
** score taken and positions read (phrases and NEAR last, as run_segment).
** The common words of a phrase ("de", "la") are thus decoded only for
** paragraphs that could enter. Same results as run_segment.
*/
static void run_conj(qx_query *q, qit *root) {
  const int pruning = !q->o.exhaustive;
  const uint32_t seg = (uint32_t)q->seg;
  const unsigned char *lens = seg_para_lens(q->r);
  uint32_t *lead = qalloc(q, 2 * root->npos * sizeof *lead), *rest;
  uint8_t *costly = qalloc(q, root->npos);
  qit *lazy[QX_PHRASE_MAX];
  size_t nlead = 0, nrest = 0, nlazy = 0;
  if (!lead || !costly) return;
  rest = lead + root->npos;
  double c0 = root->kids[root->ord[0]]->cost;
  for (size_t j = 0; j < root->npos; j++) {
    uint32_t i = root->ord[j];
    qit *k = root->kids[i];
    if (j > 0 && k->kind == C_GROUP && k->cost > 4 * c0) { costly[i] = 1; rest[nrest++] = i; }
    else lead[nlead++] = i;
    if ((k->kind == C_PHRASE || k->kind == C_NEAR) && nlazy + 1 < QX_PHRASE_MAX) { k->lazy = 1; lazy[nlazy++] = k; }
  }
  if (root->kind != C_AND) lazy[nlazy++] = root;   /* its kids are groups: nlazy was 0 */
  qit *pair[2], **two = NULL;
  if (nlead >= 2 && pruning) {   /* reference runs take the plain leapfrog */
    pair[0] = root->kids[lead[0]];
    pair[1] = root->kids[lead[1]];
    if (one_big_list(q, pair[0]) && one_big_list(q, pair[1])) two = pair;
  }
  uint32_t d = 0, blast = 0;
  int have_bound = 0;
  while (!q->rc && d != SEG_END && !over_budget(q, q->nopen)) {
    const int full = q->nheap == q->o.k;
    /* 1. block-max: skip ranges whose bound cannot enter */
    if (pruning && full) {
      int skip = blockmax_skip(q, root, &d, &blast, &have_bound);
      if (skip == 2) break;
      if (skip) continue;
    }
    /* 2. the cheap kids' next common paragraph */
    d = two ? leapfrog_two(q, root, lead, nlead, two, d) : leapfrog(q, root, lead, nlead, d);
    if (q->rc || d == SEG_END) break;
    __builtin_prefetch(lens + 4 * (size_t)d);   /* read at step 3, after the bounds that need no length */
    if (pruning && full && d > blast) { have_bound = 0; continue; }
    /* 3. could it enter? first at the range's length floor, without reading the length */
    if (pruning && full) {
      double s = 0;
      uint32_t lf = root->bfloor;
      for (size_t i = 0; i < root->npos; i++) {
        qit *k = root->kids[i];
        if (costly[i] || k->kind != C_GROUP) { s += bound_eval(q, k, lf); continue; }
        uint32_t tf = 0;
        for (uint32_t j = 0; j < k->ncur; j++) if (k->cur[j].doc == d) tf += k->cur[j].freq;
        s += qr_bm25(&q->pr, k->g->idf, tf, lf > k->bfloor ? lf : k->bfloor);
      }
      if (root->kind != C_AND) s += QR_PHRASE_BONUS;
      qx_hit ub = { s + q->prox_max, seg, d };
      if (!better(&ub, &q->heap[0])) { q->skipped = 1; d++; continue; }
    }
    if (ix_is_deleted(q->s, q->seg, d)) { d++; continue; }
    double len = seg_para_len(q->r, d);
    /* then at its length, whatever the costly kids hold */
    if (pruning && full && nrest) {
      double s = 0;
      for (size_t i = 0; i < root->npos; i++)
        s += costly[i] ? group_bound_at(q, root->kids[i], d, len) : score(q, root->kids[i], d, len);
      if (root->kind != C_AND) s += QR_PHRASE_BONUS;
      qx_hit ub = { s + q->prox_max, seg, d };
      if (!better(&ub, &q->heap[0])) { q->skipped = 1; d++; continue; }
    }
    /* 4. the costly kids, then the exclusions */
    uint32_t nd = d;
    for (size_t j = 0; j < nrest && nd == d; j++) {
      qit *k = root->kids[rest[j]];
      seek(q, k, d);
      nd = k->doc;
    }
    if (q->rc) break;
    if (nd != d) { d = nd; if (d == SEG_END) break; continue; }
    int ok = 1;
    for (size_t j = root->npos; j < root->nkids && ok; j++) {
      seek(q, root->kids[j], d);
      if (root->kids[j]->doc == d) ok = 0;
    }
    if (q->rc) break;
    if (!ok) { d++; continue; }
    /* 5. the exact score; proximity and positions only if it could enter */
    root->doc = d;
    qx_hit h = { score(q, root, d, len), seg, d };
    if (q->prox_max > 0) {
      qx_hit ub = { h.score + q->prox_max, seg, d };
      if (pruning && q->nheap == q->o.k && !better(&ub, &q->heap[0])) { q->skipped = 1; d++; continue; }
      h.score += proximity(q, d);
    }
    if (nlazy) {
      if (pruning && q->nheap == q->o.k && !better(&h, &q->heap[0])) { q->skipped = 1; d++; continue; }
      for (size_t i = 0; i < nlazy && ok; i++) ok = positions_ok(q, lazy[i], d);
      if (q->rc) break;
      if (!ok) { d++; continue; }
    }
    q->matched++;
    offer(q, &h);
    if (d == SEG_END - 1) break;
    d++;
  }
  root->doc = SEG_END;
}

/*
** --group: offer @h, the best paragraph of document @did of the current
** segment. The pieces of a file indexed in pieces (several document
** records with one id, maybe in several segments) make one document: the
** best of each such id is kept in q->pieces, counted once, and offered
** when every segment is done (qx_topk), so the heap holds one hit per id.
*/
static void offer_doc(qx_query *q, const qx_hit *h, uint32_t did) {
  seg_doc d;
  int rc = seg_doc_get(q->r, did, &d);
  if (rc) { fail(q, rc, "reading the document table"); return; }
  if (d.piece == 0 && !d.more) { offer(q, h); return; }
  for (size_t i = 0; i < q->npieces; i++) {
    if (q->pieces[i].nid == d.nid && !memcmp(q->pieces[i].id, d.id, d.nid)) {
      if (better(h, &q->pieces[i].h)) q->pieces[i].h = *h;
      q->matched--;   /* the id was counted already */
      return;
    }
  }
  if (q->npieces == q->cappieces) {
    struct qx_piece_best *v = qgrow(q, q->pieces, q->npieces, &q->cappieces, sizeof *v, 8);
    if (!v) return;
    q->pieces = v;
  }
  q->pieces[q->npieces].id = d.id;   /* in the segment's mapping, alive as long as the snapshot */
  q->pieces[q->npieces].nid = d.nid;
  q->pieces[q->npieces++].h = *h;
}

/* Evaluate the current segment. */
static void run_segment(qx_query *q) {
  qit *root = q->it;
  if (root->kind == C_GROUP && !q->o.group && q->prox_max == 0) {
    run_group(q, root);
    return;
  }
  if ((root->kind == C_AND || root->kind == C_PHRASE || root->kind == C_NEAR) && !q->o.group) {
    run_conj(q, root);
    return;
  }
  const int pruning = !q->o.exhaustive;
  uint32_t d = 0, blast = 0;
  int have_bound = 0;
  qx_hit pend = { -1.0, 0, 0 };
  uint32_t pend_doc = SEG_END;
  /* 1. phrases and NEAR at the root, or required by it, check positions last */
  qit *lazy[QX_PHRASE_MAX];
  size_t nlazy = 0;
  if (root->kind == C_PHRASE || root->kind == C_NEAR) lazy[nlazy++] = root;
  else if (root->kind == C_AND)
    for (size_t i = 0; i < root->npos && nlazy < QX_PHRASE_MAX; i++)
      if (root->kids[i]->kind == C_PHRASE || root->kids[i]->kind == C_NEAR) lazy[nlazy++] = root->kids[i];
  for (size_t i = 0; i < nlazy; i++) lazy[i]->lazy = 1;
  while (!q->rc && !over_budget(q, q->nopen)) {
    int full = q->nheap == q->o.k;
    if (pruning && full) {
      int skip = blockmax_skip(q, root, &d, &blast, &have_bound);
      if (skip == 2) break;
      if (skip) continue;
    }
    seek(q, root, d);
    uint32_t x = root->doc;
    if (q->rc || x == SEG_END) break;
    if (pruning && full && x > blast) { d = x; have_bound = 0; continue; }
    d = x + 1;
    if (ix_is_deleted(q->s, q->seg, x)) continue;
    double len = seg_para_len(q->r, x);
    qx_hit h = { score(q, root, x, len), (uint32_t)q->seg, x };
    if (q->prox_max > 0) {
      /* positions only for a paragraph that could enter with the largest bonus */
      qx_hit ub = { h.score + q->prox_max, h.seg, x };
      if (pruning && q->nheap == q->o.k && !better(&ub, &q->heap[0])) { q->skipped = 1; continue; }
      h.score += proximity(q, x);
    }
    if (nlazy) {
      /* 2. phrases: the score assuming they match; read positions only if it could enter */
      if (pruning && q->nheap == q->o.k && !better(&h, &q->heap[0])) { q->skipped = 1; continue; }
      int ok = 1;
      for (size_t i = 0; i < nlazy && ok; i++) ok = positions_ok(q, lazy[i], x);
      if (q->rc) break;
      if (!ok) continue;
    }
    if (!q->o.group) { q->matched++; offer(q, &h); continue; }
    seg_para p;
    int rc = seg_para_get(q->r, x, &p);
    if (rc) { fail(q, rc, "reading the paragraph table"); break; }
    if (p.doc != pend_doc) {
      if (pend_doc != SEG_END) offer_doc(q, &pend, pend_doc);
      pend = h;
      pend_doc = p.doc;
      q->matched++;
    } else if (better(&h, &pend)) {
      pend = h;
    }
    if (d == SEG_END) break;
  }
  if (pend_doc != SEG_END && !q->rc) offer_doc(q, &pend, pend_doc);
}

int qx_topk(qx_query *q, qx_hit **hits, size_t *nhits, uint64_t *total, char **err) {
  *hits = NULL;
  *nhits = 0;
  *total = 0;
  *err = NULL;
  if (q->o.k == 0) q->o.k = 1;
  q->heap = qalloc(q, q->o.k * sizeof *q->heap);
  q->prox = qalloc(q, 64 * sizeof *q->prox);
  if (q->rc) { *err = q->err; return q->rc; }
  for (size_t s = 0; s < q->nsegs && !q->rc; s++) {
    q->seg = s;
    q->r = ix_seg(q->s, s);
    q->nproxit = 0;
    q->it = build(q, q->root);
    if (q->it && !q->rc) run_segment(q);
    qx_release(q);
  }
  if (q->rc && q->rc != INDAGA_ELIMIT) { *err = q->err; return q->rc; }
  /* over the budget: the hits so far are returned with the status, for partial results */
  for (size_t i = 0; i < q->npieces; i++) offer(q, &q->pieces[i].h);
  if (!q->o.all) qsort(q->heap, q->nheap, sizeof *q->heap, cmp_hits);
  *hits = q->heap;
  *nhits = q->nheap;
  *total = q->matched;
  if (q->skipped && q->est > (double)q->matched && !q->rc) *total = (uint64_t)llround(q->est);
  *err = q->err;
  return q->rc;
}

int qx_match_token(const qx_query *q, size_t seg, const ia_token *tok, uint32_t *group) {
  /* stopwords (kept inside phrases) are highlighted only when the query has nothing else */
  int content = 0;
  for (size_t i = 0; i < q->ngroups && !content; i++)
    content = (q->groups[i]->flags & (G_POS | G_STOP)) == G_POS;
  for (size_t i = 0; i < q->ngroups; i++) {
    const qgroup *g = q->groups[i];
    if (!(g->flags & G_POS)) continue;
    int weak = content && (g->flags & G_STOP);
    if ((tok->flags & TOK_SYMBOL) && !(g->flags & G_SYMBOL)) continue;
    if (g->flags & G_PREFIX) {
      if (tok->nkey >= g->nkey && !memcmp(tok->key, g->key, g->nkey)) { *group = g->id; return 1 + weak; }
      continue;
    }
    const gseg *gs = &g->seg[seg];
    for (uint32_t j = 0; j < gs->n; j++) {
      if (gs->nnames[j] == tok->nterm && !memcmp(gs->names[j], tok->term, tok->nterm)) {
        *group = g->id;
        return 1 + weak;
      }
    }
  }
  return 0;
}

void qx_release(qx_query *q) {
  if (!q) return;
  for (size_t i = 0; i < q->nopen; i++) seg_cursor_close(q->open[i]);
  q->nopen = 0;
  indaga__free(q->sp);
  q->sp = NULL;
  q->nsp = q->capsp = 0;
}
