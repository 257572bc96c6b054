/*
** order.h: sorting all matches by date or document, and facet counts
** (order.c), for api_search.c.
*/
#ifndef INDAGA_QUERY_ORDER_H
#define INDAGA_QUERY_ORDER_H

#include "query/query.h"

/*
** Sort h[0..n) by @sort (INDAGA_SORT_DATE, _DATE_DESC: undated last, ties
** by score then document order; INDAGA_SORT_DOC: document id, then
** paragraph). Scratch in @a. INDAGA_OK, INDAGA_ENOMEM, INDAGA_ECORRUPT (*err).
*/
int qo_sort(qa_arena *a, const ix_snapshot *s, qx_hit *h, size_t n, int sort, char **err);

/*
** Count the paragraphs h[0..n) (reordered: document order) and their
** documents per value of each field names[0..nf): *out (in @ra) holds the
** counts, per field in the order asked, by decreasing paragraphs then value.
** Scratch in @wa. INDAGA_OK, INDAGA_ENOMEM, INDAGA_ECORRUPT (*err).
*/
int qo_facets(qa_arena *wa, qa_arena *ra, const ix_snapshot *s, qx_hit *h, size_t n,
              const char *const *names, size_t nf, indaga_facet **out, size_t *nout, char **err);

#endif /* INDAGA_QUERY_ORDER_H */
