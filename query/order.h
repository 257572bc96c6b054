/*
** order.h: sorting all matches by date or document, and facet counts
** (order.c), for api_search.c and the count pass (eval.c).
*/
#ifndef INDAGA_QUERY_ORDER_H
#define INDAGA_QUERY_ORDER_H

#include "query/query.h"

/*
** The first @want of h[0..n) by @sort, in order, into h[0..*out_n)
** (INDAGA_SORT_RELEVANCE: score, then the tie order of qx_tie_cmp;
** _DATE, _DATE_DESC: undated last, ties by score then the tie order; _DOC:
** document id, then paragraph): a bounded heap, O(n log want). Scratch in @a.
** INDAGA_OK, INDAGA_ENOMEM, INDAGA_ECORRUPT (*err).
*/
int qo_select(qa_arena *a, const ix_snapshot *s, qx_hit *h, size_t n, int sort, size_t want, size_t *out_n,
              char **err);

/*
** Facet counts: the paragraphs and their documents per value of each field
** names[0..nf) (names must outlive the tally). qo_tally_new prepares the
** fields' columns (in @wa, which holds the tally); qo_tally_add counts the
** live matching paragraphs pids[0..n) of segment @seg (each once, in any
** order; a document's value is looked up once per run of its matches);
** qo_tally_end puts into *out (in @ra) the counts, per field in the order
** asked, by decreasing paragraphs then value. INDAGA_OK, INDAGA_ENOMEM,
** INDAGA_ECORRUPT (*err: qo_tally_new).
*/
typedef struct qo_tally qo_tally;
int qo_tally_new(qa_arena *wa, const ix_snapshot *s, const char *const *names, size_t nf, qo_tally **out,
                 char **err);
int qo_tally_add(qo_tally *t, uint32_t seg, const uint32_t *pids, size_t n);
int qo_tally_end(qo_tally *t, qa_arena *ra, indaga_facet **out, size_t *nout);

/* The facet counts of the paragraphs h[0..n) (any order): a tally fed from the list. */
int qo_facets(qa_arena *wa, qa_arena *ra, const ix_snapshot *s, const qx_hit *h, size_t n,
              const char *const *names, size_t nf, indaga_facet **out, size_t *nout, char **err);

#endif /* INDAGA_QUERY_ORDER_H */
