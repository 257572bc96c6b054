/*
** query.h: the query engine's internal interfaces (DESIGN.md, "Queries").
**
**   text --qp_parse--> qnode tree (raw words, no analysis; parse.c)
**        --qx_compile--> a tree of operators over groups of terms, global
**                        statistics (compile.c; one file per operator,
**                        op_*.c, behind the table of op.h)
**        --qx_topk-->  the top k+offset paragraphs, document-at-a-time with
**                        block-max pruning (eval.c, scores from rank.c)
**        --snippet_build--> display windows with highlights (snippet.c)
**   api_search.c glues these into indaga_search() and indaga_results.
**
** Memory: everything a search builds lives in one qa_arena (a chain of
** blocks freed at once), so parse trees and iterators are never freed node
** by node and the hot path does no allocation per posting.
*/
#ifndef INDAGA_QUERY_H
#define INDAGA_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include "common/common.h"
#include "indexer/segment.h"
#include "stemmer/analyze.h"
#include "query/budget.h"

/**************************************************************************
** Arena (arena.c). Allocations are 16-byte aligned and live until
** qa_free(). qa_alloc returns NULL on allocation failure and then sets
** a->err to INDAGA_ENOMEM (sticky), or to INDAGA_ELIMIT when the block it
** needed would pass the memory of the budget @bud (budget.h), if set.
*/
typedef struct qa_block qa_block;
typedef struct qa_arena {
  qa_block *head;    /* newest block first */
  size_t used;       /* bytes used in head */
  size_t cap;        /* bytes usable in head */
  int err;           /* INDAGA_OK, INDAGA_ENOMEM or INDAGA_ELIMIT */
  qb_budget *bud;    /* blocks are charged to it; NULL: no budget */
  size_t bytes;      /* bytes of all blocks (charged to bud) */
} qa_arena;

void *qa_alloc(qa_arena *a, size_t n);         /* zeroed memory */
char *qa_strndup(qa_arena *a, const char *p, size_t n);
void  qa_free(qa_arena *a);                      /* frees every block; a is reusable */

/**************************************************************************
** Parse tree (parse.c). Words are kept as written (the analysis happens in
** qx_compile, against the index's vocabulary).
*/
typedef enum qn_kind {
  QN_WORD = 1,   /* p,n: one chunk of text (may analyse to several tokens) */
  QN_PREFIX,     /* p,n: the text before '*' */
  QN_PHRASE,     /* p,n: the text between the quotes (analysed as a whole) */
  QN_AND,        /* kids: all must match; QN_NOT kids exclude */
  QN_OR,         /* kids: any */
  QN_NOT,        /* kids[0]: what must not match (only inside QN_AND) */
  QN_NEAR,       /* kids: QN_WORD/QN_PREFIX within `near` words, any order */
  QN_FILTER      /* filter: which; p,n: the value as written */
} qn_kind;

typedef enum qf_kind {
  QF_SYMBOL = 1, /* symbol:S/2015/... (glob with * and ?, case-insensitive) */
  QF_DOC,        /* doc:carta_*.txt  (document id or glob) */
  QF_ANNEX,      /* annex:0 body, annex:I or annex:2 that annex, annex:any any annex */
  QF_YEAR,       /* year:2015 (metadata year, else the date's year) */
  QF_TITLE,      /* title:word (a word of the document's title) */
  QF_FIELD,      /* name:value, any other field (fields.h); p,n: "name:value" */
  QF_DATE,       /* date:2017-11-22, date:2015..2016-06 (the document's date, fields.h) */
  QF_BODY        /* body:S, body:A/RES (a prefix of the document's UN symbols) */
} qf_kind;

typedef struct qnode {
  qn_kind kind;
  int required;            /* +word, or an operand of AND: never optional in a best match */
  qf_kind filter;          /* QN_FILTER */
  unsigned near;           /* QN_NEAR: at most this many words between the terms */
  const char *p;           /* QN_WORD, QN_PREFIX, QN_FILTER: text (NUL-terminated, in the arena) */
  size_t n;
  struct qnode **kids;
  size_t nkids;
} qnode;

#define QP_MAX_DEPTH  32     /* parentheses deeper than this are ignored */
#define QP_MAX_LEAVES 1024   /* words past this many are ignored */
#define QP_MAX_BYTES  (1u << 20) /* query text past 1 MiB is ignored */
#define QP_NEAR_DEFAULT 10   /* NEAR without /n */
#define QP_NEAR_MAX 1000000u   /* largest NEAR/n distance kept; larger ones are clamped to it */

/*
** Parse p[0..n). Never fails on content: every input yields a tree, or
** *out = NULL for a query with nothing to search for. Notes about what was
** ignored or reinterpreted are appended to @notes ("; "-separated).
** Returns INDAGA_OK or INDAGA_ENOMEM (arena exhausted).
*/
int qp_parse(qa_arena *a, const char *p, size_t n, qnode **out, ia_buf *notes);

/* Print a tree as an S-expression (for tests and debugging). */
void qp_print(const qnode *q, ia_buf *out);

/**************************************************************************
** Search contexts (pool.c): an analyzer and a stored-text reader, kept on
** the index handle between searches so the analyzer's word cache stays
** warm and no zstd context is created per snippet. Thread-safe; a context
** is used by one search at a time.
*/
struct indaga_index;
typedef struct qx_ctx {
  analyzer *an;
  seg_text_reader *tr;
} qx_ctx;
/* Borrow a context (a pooled one, or a new one). INDAGA_OK or INDAGA_ENOMEM. */
int  qx_pool_get(const struct indaga_index *idx, qx_ctx **out);
/* Give it back (kept for the next search, or freed). Accepts NULL. Never fails. */
void qx_pool_put(const struct indaga_index *idx, qx_ctx *c);

/**************************************************************************
** Ranking (rank.c): pure functions shared by the evaluator and by tests.
*/
typedef struct qr_params {
  double k1, b;
  double N;          /* live paragraphs */
  double avgdl;      /* mean paragraph length in tokens */
} qr_params;

#define QR_PROX_WEIGHT   1.0   /* largest proximity bonus */
#define QR_PHRASE_BONUS  1.0   /* added per matched phrase or NEAR */
#define QR_WORDING_WEIGHT 1.0  /* largest wording bonus (the query's own words, stopwords included) */

/* Lucene's idf: ln(1 + (N - df + 0.5) / (df + 0.5)), always > 0. */
double qr_idf(const qr_params *pr, double df);
/*
** BM25 term weight of @tf occurrences in a paragraph of @len tokens; 0 when
** tf is 0. Inline: the evaluator calls it once per scored posting, and
** every caller (pruning bounds, scores, the tests' reference) must compute
** it with exactly these operations in this order. Never fails.
*/
static inline double qr_bm25(const qr_params *pr, double idf, double tf, double len) {
  if (tf <= 0) return 0.0;
  double avg = pr->avgdl > 0 ? pr->avgdl : 1.0;
  double norm = pr->k1 * (1.0 - pr->b + pr->b * len / avg);
  return idf * tf * (pr->k1 + 1.0) / (tf + norm);
}
/*
** Proximity bonus for a paragraph where @m of the query's @g proximity
** groups occur and the smallest window of positions holding one occurrence
** of each of them spans @span positions (last - first + 1). At most
** QR_PROX_WEIGHT; 0 when m < 2.
*/
double qr_prox(unsigned m, unsigned g, uint32_t span);
/*
** Smallest window covering one position of each of @m lists (each sorted
** ascending, lists[i][0..ns[i])). Returns last - first + 1, or UINT32_MAX
** when some list is empty.
*/
uint32_t qr_min_window(const uint32_t *const *lists, const uint32_t *ns, unsigned m);
/*
** Wording bonus: @matched of the query's @pairs of adjacent words (one of
** them a stopword the query drops) stand adjacent, in order, in the
** paragraph. At most QR_WORDING_WEIGHT; 0 when pairs is 0.
*/
double qr_wording(unsigned matched, unsigned pairs);
/* Does some position p of a[0..na) have p + 1 in b[0..nb) (both ascending)? Never fails. */
int qr_adjacent(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb);

/**************************************************************************
** Snippets (snippet.c), on plain text.
*/
typedef struct snip_match {
  uint32_t start, end;     /* bytes of the matched word in the text */
  uint32_t group;          /* which query group it matches */
} snip_match;

/*
** Choose the window of about @width bytes of text[0..n) holding the most
** distinct groups among @m (sorted by start), cut at word boundaries, with
** "…" where cut; append it to @out and store the highlights (byte ranges
** within the appended snippet) in @hl (capacity nm). width 0 means the whole
** text. Control characters become spaces. *nhl receives the count.
** Returns INDAGA_OK or INDAGA_ENOMEM.
*/
int snippet_build(const char *text, size_t n, const snip_match *m, size_t nm,
                  size_t width, ia_buf *out, indaga_range *hl, size_t *nhl);

/**************************************************************************
** Evaluation (compile.c, eval.c and the operators op_*.c, op.h).
**
** qx_compile analyses the tree's words (one analyzer per search), turns
** each word into a group of terms per segment (its own term plus the terms
** of every indexed word with the same accent-free key, or every term under
** a prefix), and computes global statistics over the snapshot: N = live
** paragraphs, avgdl, df of a group = paragraphs holding any of its terms
** (deleted paragraphs included until a merge drops them, as in Lucene).
**
** qx_topk walks each segment document-at-a-time and keeps the best
** k paragraphs (or, with group, the best paragraph of the best k documents)
** in a heap; ties break by document id, then paragraph order (qx_tie_cmp),
** so that the order does not depend on how documents are spread over
** segments or indexes. Once the heap is full, a range of paragraphs whose
** block-max bound (plus the largest bonus) is below the heap's worst is
** skipped without decoding, so the top k equals that of scoring every
** paragraph.
**
** Counts (qx_counts): exact when counting costs little, else estimated
** by sampling, and in both cases independent of k (eval.c, "Counts").
*/
typedef struct qx_hit {
  double score;          /* BM25 + bonuses */
  uint32_t tier;         /* best match: the optional words held (ranks before score); else 0 */
  uint32_t seg, pid;
} qx_hit;

/*
** The order of two hits of snapshot @s that rank the same (tie.c): <0 when
** @x comes first, >0 when @y does, 0 for the same paragraph. By document
** id, the label of its index (a union), the piece, then the paragraph's
** place in the document. Never fails: records that cannot be read, or no
** memory for the segment's order tables (ix_para_place), order by (segment,
** paragraph).
*/
int qx_tie_cmp(const ix_snapshot *s, const qx_hit *x, const qx_hit *y);

#define QX_MODE_BEST 0   /* plain words are a best match (INDAGA_MATCH_BEST) */
#define QX_MODE_ALL  1   /* every word is required (INDAGA_MATCH_ALL) */

typedef struct qx_opts {
  unsigned k;            /* hits wanted (offset included) */
  int group;             /* best paragraph per document */
  double k1, b;
  int exhaustive;        /* never skip, and take the plain loops (reference runs in tests) */
  int mode;              /* QX_MODE_BEST or QX_MODE_ALL */
  uint32_t count_steps;  /* steps of the exact count before it samples (0: the default; tests lower it) */
  int all;               /* with exhaustive: every match, unordered (k only the first room; order.c selects) */
  /*
  ** When set, the count pass visits every live match, unscored, in segment
  ** and paragraph order, and calls visit(visit_ctx, seg, pids, n) with them,
  ** a run of the segment's paragraphs at a time (the facet tally, order.c);
  ** the counts are then exact. A nonzero return (an INDAGA_* status) stops
  ** the search with it.
  */
  int (*visit)(void *ctx, uint32_t seg, const uint32_t *pids, size_t n);
  void *visit_ctx;
} qx_opts;

/*
** The counts of a search. total: matching paragraphs (documents, with
** group); all_words: those of them holding every query word (= total
** unless the query is a best match). Both exact when @exact, else
** estimates rounded to two significant digits. Neither depends on k.
*/
typedef struct qx_counts {
  uint64_t total;
  uint64_t all_words;
  int exact;
  int pruned;            /* the top-k run skipped matches (block-max or MaxScore) */
} qx_counts;

typedef struct qx_query qx_query;

/*
** Compile @tree against snapshot @s. *out is NULL when nothing is left to
** search (only dropped words); a note says why. The query, its cursors and
** strings live in @a; call qx_release before qa_free. Returns INDAGA_OK,
** INDAGA_ENOMEM or INDAGA_ECORRUPT (with *err set, caller frees).
*/
int qx_compile(qa_arena *a, analyzer *an, const ix_snapshot *s, const qnode *tree,
               const qx_opts *o, qx_query **out, ia_buf *notes, char **err);
/*
** Run the query: *hits (in the arena, best first) and *nhits <= o->k,
** the counts as described above. Returns INDAGA_OK or a status with *err set.
*/
int qx_topk(qx_query *q, qx_hit **hits, size_t *nhits, qx_counts *counts, char **err);
/*
** For snippets: 1 when token @tok of a paragraph of segment @seg matches a
** group of the query outside exclusions (*group receives its id), 2 when
** the group is a stopword of a query that has other words (highlighted only
** between two matched words, as inside a phrase), else 0.
*/
int qx_match_token(const qx_query *q, size_t seg, const ia_token *tok, uint32_t *group);
/*
** Free the array of every match that a qx_opts.all run returned as *hits
** (malloc'd, charged to the search's budget: doubling in the arena would
** hold twice the matches), giving its bytes back to the budget. Call it
** when done with those hits. Accepts NULL.
*/
void qx_all_free(qx_query *q);
/* Close the cursors of @q. Accepts NULL. */
void qx_release(qx_query *q);

#endif /* INDAGA_QUERY_H */
