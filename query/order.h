/*
** order.h: sorting all matches by date or document, and facet counts
** (order.c), for api_search.c.
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
** Count the paragraphs h[0..n) (any order) and their documents per value
** of each field names[0..nf): *out (in @ra) holds the counts, per field in
** the order asked, by decreasing paragraphs then value. Each document's
** value is looked up once (a slot per document per segment, in @wa).
** INDAGA_OK, INDAGA_ENOMEM, INDAGA_ECORRUPT (*err).
*/
int qo_facets(qa_arena *wa, qa_arena *ra, const ix_snapshot *s, const qx_hit *h, size_t n,
              const char *const *names, size_t nf, indaga_facet **out, size_t *nout, char **err);

#endif /* INDAGA_QUERY_ORDER_H */
