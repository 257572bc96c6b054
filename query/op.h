/*
** op.h: the evaluator's operators (query.h, "Evaluation").
**
** A compiled query is a tree of cnodes (segment-independent, built once by
** compile.c); for each segment, every cnode builds an iterator (qit) over
** posting cursors. Each kind of node is one operator, in a file of its own,
** behind the same small table of functions (qx_op), as SQLite FTS5's
** expression nodes and tantivy's DocSets are:
**
**   op_group.c   a query word: its term and the terms sharing its key, or
**                every term under a prefix, scored as one term
**   op_and.c     conjunction (leapfrog over the positive kids, rarest first);
**                also the shared machinery of phrase and NEAR
**   op_phrase.c  words at fixed relative positions
**   op_near.c    words within a window of positions, any order
**   op_or.c      disjunction
**   op_best.c    best match: the required kids, and the optional words
**                ranked by how many of them a paragraph holds (its tier)
**   op_not.c     the paragraphs a kid does not match (an AND's exclusion)
**   op_filter.c  a predicate on the paragraph's document or part
**
** The functions of an operator (every one is required unless said):
**   build       the iterator of a cnode for the current segment (q->seg,
**               q->r), positioned on its first match or with at = 0;
**               NULL when it can match nothing there (or on error, q->rc)
**   seek        move to the first match >= t (it->doc; SEG_END: none);
**               called through qx_seek, which returns at once when the
**               iterator already sits at or past t
**   score       the node's score at d, where it matches (it->doc == d)
**   bound_prep  pass 1 of an upper bound over [d, *last]: read block
**               bounds, lower *last to the nearest block end, and return
**               (and keep in it->bfloor) the length floor of the node's
**               matches there, UINT32_MAX when it matches none there
**   bound_eval  pass 2: the bound of score over that range, every matching
**               paragraph being at least @lfloor tokens long (called
**               through qx_bound_eval, which handles bfloor)
**   positions   (phrase, NEAR) the position check at d, all kids at d;
**               NULL for the others
**   release     close what build opened (cursors); kids included. Never
**               fails; accepts a partly built iterator
**
** A new operator is thus one file defining a qx_op, its kind in the enum
** below, and the case of compile.c that makes its cnodes.
*/
#ifndef INDAGA_QUERY_OP_H
#define INDAGA_QUERY_OP_H

#include "query/query.h"

#define QX_PHRASE_MAX 64      /* tokens of a phrase or NEAR */
#define QX_IMPACT_LISTS 4     /* a group of more lists is bounded without their impacts (op_group.c) */

/* group flags */
#define G_PREFIX 0x01u
#define G_SYMBOL 0x02u
#define G_STOP   0x04u
#define G_PROX   0x08u
#define G_POS    0x10u   /* outside exclusions: highlighted */
#define G_NUMBER 0x20u   /* "número" or the number sign "nº" before a number: both (compile.c) */

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

enum { C_GROUP = 1, C_AND, C_OR, C_PHRASE, C_NEAR, C_FILTER, C_NOT, C_BEST };

typedef struct qx_op qx_op;
typedef struct qit qit;

typedef struct cnode {
  int kind;
  const qx_op *op;
  qgroup *g;                  /* C_GROUP */
  struct cnode **kids;        /* AND: positives first, then C_NOT exclusions; NOT: kids[0];
                                 BEST: required, then optional, then exclusions */
  size_t nkids, npos;
  size_t nopt;                /* BEST: optional kids (the last nopt of the npos positives) */
  int symbol;                 /* a whole UN symbol (symbol term OR the documents it names) */
  uint32_t *offs;             /* C_PHRASE: relative positions */
  unsigned near;              /* C_NEAR */
  qf_kind fk;                 /* C_FILTER */
  const char *val; size_t nval;
  unsigned annex; int annex_any;
  const char **tterms; size_t *ntterms; size_t ntitle;   /* QF_TITLE: the words' terms */
  struct qf_spec *spec;       /* QF_FIELD, QF_DATE, QF_YEAR, QF_BODY (fields.h) */
} cnode;

struct qit {
  int kind;
  const qx_op *op;
  uint32_t doc;               /* current match, SEG_END when none is left */
  int at;                     /* doc is a verified match */
  const cnode *c;
  qgroup *g;
  seg_cursor *cur; uint32_t ncur;
  struct qit **kids; size_t nkids, npos;
  size_t nopt;                /* BEST: optional kids built (the last nopt of the npos positives) */
  int reqs;                   /* BEST: some required kid scores (it alone makes a candidate) */
  uint32_t btier;             /* BEST bound_prep: optional kids that may match in the range */
  uint32_t *ord;              /* AND: positives, rarest first; BEST: the required ones */
  double cost;
  uint32_t fdid, ffirst, fend, ndoc;   /* FILTER: current document and its paragraphs */
  uint8_t *dcache;            /* FILTER: per document 0 unknown, 1 pass, 2 fail */
  const struct seg_fields *ff;  /* FILTER on the field columns: the segment's (fields.h), else NULL */
  int lazy;                   /* PHRASE/NEAR at or under the root AND: positions checked by the run loop */
  uint32_t btf, bfloor;       /* bound_prep: GROUP summed block max tf; length floor */
  uint32_t env[2 * QX_IMPACT_LISTS * SEG_IMPACTS], nenv;   /* bound_prep: GROUP of at most QX_IMPACT_LISTS
                                lists, the impacts' envelope: lengths ascending, then the tf sum at each */
  uint32_t *clo, *chi, *cmtf; /* GROUP: per cursor, the block last reported [clo, chi] and its max tf */
  uint32_t *cimp;             /* GROUP: per cursor, that block's impacts: count, SEG_IMPACTS tfs, lengths */
  uint32_t dom;               /* GROUP: the cursor of the term with the most postings */
};

struct qx_op {
  const char *name;
  qit *(*build)(qx_query *q, const cnode *c);
  void (*seek)(qx_query *q, qit *it, uint32_t t);
  double (*score)(qx_query *q, const qit *it, uint32_t d, double len);
  uint32_t (*bound_prep)(qx_query *q, qit *it, uint32_t d, uint32_t *last);
  double (*bound_eval)(qx_query *q, const qit *it, uint32_t lfloor);
  int (*positions)(qx_query *q, qit *it, uint32_t d);
  void (*release)(qx_query *q, qit *it);
};

extern const qx_op qx_op_group, qx_op_and, qx_op_phrase, qx_op_near, qx_op_or, qx_op_not, qx_op_filter,
  qx_op_best;

#define QX_WORDING_MAX 32     /* words and pairs of the wording bonus */
#define QX_POS_COST 64u       /* count pass: the work of one position check, in seeks */

struct qx_query {
  qa_arena *a;
  analyzer *an;
  const ix_snapshot *s;
  int ties_by_place;         /* the tie order is (segment, paragraph) (ix_snapshot_ordered, tie.c) */
  int seg_ordered;           /* the current segment's documents lie in id order (ix_seg_ordered) */
  uint32_t lose_from;        /* cannot_enter (eval.c): from this paragraph on, the current segment */
  uint32_t lose_wseg, lose_wpid; /* loses every tie with the worst hit kept at (lose_wseg, lose_wpid) */
  size_t nsegs;
  cnode *root;
  qgroup **groups; size_t ngroups, capgroups;
  qr_params pr;
  unsigned nprox;
  double prox_max;           /* the largest bonus: proximity + wording */
  struct qx_wslot {          /* the wording: the query's words of one token, in order */
    qgroup *g;
    cnode *stop;             /* a dropped stopword: its group's own cnode, else NULL (a group of the tree) */
  } wslot[QX_WORDING_MAX];
  unsigned nwslots;
  uint8_t pairs[QX_WORDING_MAX][2];   /* adjacent slots, one of them a stopword */
  unsigned npairs;
  const char *numero_term, *numero_key;   /* G_NUMBER groups: the word "número" analysed */
  size_t nnumero_term, nnumero_key;
  qx_opts o;
  int rc;
  char *err;
  ia_buf *notes;
  /* per segment */
  size_t seg;
  const seg_reader *r;
  qit *it;
  qit **prox; unsigned nproxit;
  size_t nopen;              /* cursors open (op_group.c): a step's work in the budget */
  qit *wit[QX_WORDING_MAX];  /* the wording slots' iterators in this segment, or NULL */
  uint32_t *sp; size_t nsp, capsp;   /* scratch positions */
  /* results */
  qx_hit *heap; size_t nheap;
  qx_hit *allhits; size_t allcap;   /* qx_opts.all: every match, malloc'd and charged to the budget (qx_all_free) */
  struct qx_piece_best { const char *id; size_t nid; qx_hit h; } *pieces;   /* --group, see offer_doc */
  size_t npieces, cappieces;
  uint64_t matched;
  uint64_t matched_all;      /* best match: matches holding every optional word */
  uint32_t full_tier;        /* best match: the tier of those (the root's optional kids) */
  struct qx_count_piece { const char *id; size_t nid; size_t member; int all; } *cpieces;   /* count pass, group: documents in pieces (member: its index, ix_seg_member) */
  size_t ncpieces, capcpieces;
  int counting;              /* the count pass runs (eval.c): seeks count their work */
  uint64_t work, work_limit; /* count pass: work done, and where it stops */
  int cut;                   /* count pass: a seek stopped at work_limit (its doc is where) */
  int skipped;
};

/**************************************************************************
** Shared helpers (compile.c)
*/
/* Record status @rc with a message about the current segment (first error wins). */
void qx_fail(qx_query *q, int rc, const char *what);
/*
** A step of @units units of work against the search's budget (budget.h:
** about one posting or cursor visited each): 1, with q->rc set, once the
** time is up or the search was cancelled.
*/
static inline int qx_over_budget(qx_query *q, size_t units) {
  int rc = qb_step(q->a->bud, units);
  if (rc) qx_fail(q, rc, "searching");
  return rc != 0;
}
/* Arena memory; NULL (and q->rc set) on failure. */
void *qx_alloc(qx_query *q, size_t n);
/* A copy of the @n elements of @old in the arena, room for twice *cap (@first when 0); NULL on failure. */
void *qx_grow(qx_query *q, const void *old, size_t n, size_t *cap, size_t elem, size_t first);
/* Append a note for the user ("; "-separated). */
void qx_note(qx_query *q, const char *msg);
/* A new cnode of operator @op with room for @nkids kids; NULL on failure. */
cnode *qx_cnode(qx_query *q, int kind, const qx_op *op, size_t nkids);

/**************************************************************************
** Dispatch (inline: the evaluation loops call these per posting)
*/
/* Move @it to its first match >= @t (it->doc; SEG_END when none). */
static inline void qx_seek(qx_query *q, qit *it, uint32_t t) {
  if (it->at && it->doc >= t) return;
  it->op->seek(q, it, t);
}

/* Score of @it at @d (every iterator of the tree has been sought to >= d). */
static inline double qx_score(qx_query *q, const qit *it, uint32_t d, double len) {
  if (it->doc != d) return 0.0;
  return it->op->score(q, it, d, len);
}

/*
** 1 when an exclusion of the conjunction @it (its NOT kids, npos..nkids) holds
** @d: each is sought to @d in turn, and a NOT iterator that does not sit on
** @d means its kid matches @d. The caller checks q->rc.
*/
static inline int qx_excluded(qx_query *q, qit *it, uint32_t d) {
  for (size_t j = it->npos; j < it->nkids; j++) {
    qx_seek(q, it->kids[j], d);
    if (it->kids[j]->doc != d) return 1;
  }
  return 0;
}

static inline uint32_t qx_bound_prep(qx_query *q, qit *it, uint32_t d, uint32_t *last) {
  return it->op->bound_prep(q, it, d, last);
}

/*
** Pass 2 of a bound: score(it, x) for x in the range, every paragraph
** there being at least @lfloor tokens long. A bound is the score's own
** formula on larger tf, smaller length and more (non-negative) terms,
** summed in the same order, so IEEE rounding keeps it above the score.
*/
static inline double qx_bound_eval(qx_query *q, const qit *it, uint32_t lfloor) {
  if (it->bfloor == UINT32_MAX) return 0.0;   /* matches nothing in the range */
  if (it->bfloor > lfloor) lfloor = it->bfloor;
  return it->op->bound_eval(q, it, lfloor);
}

/* Upper bound of score(it, x) for x in [d, *last]; lowers *last. */
static inline double qx_bound(qx_query *q, qit *it, uint32_t d, uint32_t *last) {
  qx_bound_prep(q, it, d, last);
  return qx_bound_eval(q, it, 0);
}

/* Build @c's iterator for the current segment (see qx_op.build). */
static inline qit *qx_build(qx_query *q, const cnode *c) { return c->op->build(q, c); }

/* Release @it and its kids. Accepts NULL. */
static inline void qx_it_release(qx_query *q, qit *it) { if (it) it->op->release(q, it); }

/**************************************************************************
** Operators' shared pieces
*/
/* A new iterator for @c (kind and op set), in the arena; NULL on failure. */
qit *qx_it_new(qx_query *q, const cnode *c);
/* Build the kids of a composite (AND, OR, phrase, NEAR): absent alternatives and exclusions dropped. */
qit *qx_build_kids(qx_query *q, const cnode *c);
/* Release every kid of a composite. */
void qx_release_kids(qx_query *q, qit *it);
/* op_and.c: a conjunction's build (kids, rarest first), seek (leapfrog, exclusions, then
** op->positions unless lazy), score and bounds, shared by phrase and NEAR; BEST's
** score and bound_eval are the same sums over the positive kids. The _bonus pair adds
** QR_PHRASE_BONUS: the score and bound_eval of phrase and NEAR. */
qit *qx_conj_build(qx_query *q, const cnode *c);
size_t qx_conj_positions(qx_query *q, qit *it, uint32_t d, uint32_t *ns, const uint32_t **lists);
void qx_conj_seek(qx_query *q, qit *it, uint32_t t);
double qx_conj_score(qx_query *q, const qit *it, uint32_t d, double len);
uint32_t qx_conj_bound_prep(qx_query *q, qit *it, uint32_t d, uint32_t *last);
double qx_conj_bound_eval(qx_query *q, const qit *it, uint32_t lfloor);
double qx_conj_bonus_score(qx_query *q, const qit *it, uint32_t d, double len);
double qx_conj_bonus_bound_eval(qx_query *q, const qit *it, uint32_t lfloor);
/* op_best.c: the optional kids of best-match iterator @it sitting on @d (its tier there). */
uint32_t qx_best_tier(const qit *it, uint32_t d);
/* op_group.c */
uint32_t qx_group_positions(qx_query *q, qit *it, uint32_t d);
/*
** The smallest length a posting of @tf can have in the range group @it of
** one list was last bounded over (bound_prep): the first length of its
** envelope whose tf reaches @tf, else the range's floor.
*/
static inline uint32_t qx_group_len_floor(const qit *it, uint32_t tf) {
  for (uint32_t m = 0; m < it->nenv; m++)
    if (it->env[QX_IMPACT_LISTS * SEG_IMPACTS + m] >= tf) return it->env[m] > it->bfloor ? it->env[m] : it->bfloor;
  return it->bfloor;
}
double qx_group_bound_at(qx_query *q, qit *it, uint32_t d, double len);
int qx_group_one_big_list(const qx_query *q, const qit *it);
uint32_t qx_group_list_bound(qx_query *q, qit *it);
/* op_filter.c */
cnode *qx_filter_compile(qx_query *q, const qnode *f);

/* Analysed tokens of a chunk of query text (compile.c), at most QX_PHRASE_MAX. */
typedef struct qx_tokv {
  ia_token t[QX_PHRASE_MAX];
  const char *term[QX_PHRASE_MAX];
  const char *key[QX_PHRASE_MAX];
  size_t n;
  int more;
  qx_query *q;
} qx_tokv;
int qx_analyse(qx_query *q, const char *p, size_t n, qx_tokv *v);

#endif /* INDAGA_QUERY_OP_H */
