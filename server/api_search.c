/*
** api_search.c: GET /api/search (doc/CLI.md, "HTTP API").
**
**   q        the query, in the query language of README.md (required,
**            at most SRV_QUERY_MAX bytes)
**   n        hits per page, 1 to SRV_N_MAX (default 10)
**   offset   hits to skip, 0 to SRV_OFFSET_MAX (default 0)
**   context  paragraphs before and after each hit, 0 to SRV_CONTEXT_MAX
**   group    1: at most the best paragraph per document (default 0)
**   all      1: every word required (INDAGA_MATCH_ALL); 0: best match (default)
**   sort     relevance (default), date (oldest first), -date (newest
**            first) or doc, as `search --sort`
**   facet    a field to count the matches by (year, body, ...), as
**            `search --facet`; repeatable, at most SRV_FACETS_MAX times,
**            each 1 to SRV_FIELD_MAX bytes
**
** Answers {"hits":[hit...],"summary":{...},"facets":[facet...]}, each hit,
** facet count and the
** summary with the members of the CLI's JSON Lines (cli/json.c: the
** summary's "suggestion" and "corrected" too) and the summary also with the
** "generation" it was read from.
**
** Each search runs within the library's work budget: SRV_SEARCH_MS of
** time, after which the hits found so far are answered with
** "partial":true in the summary, and SRV_SEARCH_MEMORY of memory. A query
** over its budget all the same (out of memory, or out of time before any
** match was collected) is 503, like an overloaded server.
*/
#include <string.h>
#include "cli/cli.h"
#include "server/server.h"

/* The HTTP status for a failed search. */
static unsigned search_status(int rc) {
  switch (rc) {
  case INDAGA_EMISUSE: return 400;
  case INDAGA_ENOMEM:
  case INDAGA_ELIMIT: return 503;
  default: return 500;
  }
}

/* The parameters of one search, the facet names copied out NUL-terminated. */
typedef struct {
  indaga_search_options o;
  char field[SRV_FACETS_MAX][SRV_FIELD_MAX + 1];
  const char *facets[SRV_FACETS_MAX];
} search_args;

/* Parameter sort into @o; 0, or -1 when answered 400. */
static int search_sort(srv_req *rq, indaga_search_options *o) {
  static const struct { const char *name; int sort; } orders[] = {
    { "relevance", INDAGA_SORT_RELEVANCE }, { "date", INDAGA_SORT_DATE },
    { "-date", INDAGA_SORT_DATE_DESC }, { "doc", INDAGA_SORT_DOC },
  };
  size_t n = 0;
  const char *v = srv_param_n(rq, "sort", &n);
  if (!v) return 0;
  for (size_t i = 0; i < sizeof orders / sizeof orders[0]; i++)
    if (n == strlen(orders[i].name) && !memcmp(v, orders[i].name, n)) {
      o->sort = orders[i].sort;
      return 0;
    }
  return srv_error(rq, 400, "parameter 'sort' must be relevance, date, -date or doc");
}

/* The facet parameters into @a; 0, or -1 when answered 400. */
static int search_facets(srv_req *rq, search_args *a) {
  const char *v[SRV_FACETS_MAX];
  size_t len[SRV_FACETS_MAX];
  size_t n = srv_param_all(rq, "facet", v, len, SRV_FACETS_MAX);
  if (n > SRV_FACETS_MAX)
    return srv_error(rq, 400, "parameter 'facet' is given %zu times; at most %u", n, SRV_FACETS_MAX);
  for (size_t i = 0; i < n; i++) {
    if (len[i] == 0 || len[i] > SRV_FIELD_MAX || memchr(v[i], 0, len[i]) || !cli_utf8_valid(v[i], len[i]))
      return srv_error(rq, 400, "parameter 'facet' must be a field name of 1 to %u bytes of UTF-8",
                       SRV_FIELD_MAX);
    memcpy(a->field[i], v[i], len[i]);
    a->field[i][len[i]] = 0;
    a->facets[i] = a->field[i];
  }
  a->o.facets = n ? a->facets : NULL;
  a->o.nfacets = n;
  return 0;
}

/* Read and check the parameters into @a; 0, or -1 when answered 400. */
static int search_params(srv_req *rq, search_args *a) {
  indaga_search_options *o = &a->o;
  long n, offset, context, group, all;
  if (search_sort(rq, o) || search_facets(rq, a) ||
      srv_param_long(rq, "all", 0, 1, 0, &all) ||
      srv_param_long(rq, "n", 1, SRV_N_MAX, 10, &n) ||
      srv_param_long(rq, "offset", 0, SRV_OFFSET_MAX, 0, &offset) ||
      srv_param_long(rq, "context", 0, SRV_CONTEXT_MAX, 0, &context) ||
      srv_param_long(rq, "group", 0, 1, 0, &group))
    return -1;
  o->k = (unsigned)n;
  o->offset = (unsigned)offset;
  o->context = (unsigned)context;
  o->group = (int)group;
  o->mode = all ? INDAGA_MATCH_ALL : INDAGA_MATCH_BEST;
  o->time_ms = SRV_SEARCH_MS;
  o->memory_bytes = SRV_SEARCH_MEMORY;
  o->partial = 1;
  return 0;
}

int api_search(srv_req *rq) {
  static const indaga_search_options init = INDAGA_SEARCH_OPTIONS_INIT;
  search_args a;
  a.o = init;
  const char *q = srv_param_text(rq, "q", SRV_QUERY_MAX, 1);
  if (!q || search_params(rq, &a)) return -1;
  srv_snap *s = srv_req_snap(rq);
  if (!s) return -1;
  indaga_results *r = NULL;
  int rc = indaga_search(&r, srv_snap_index(s), q, &a.o);
  if (rc) {
    const char *m = r ? indaga_results_errmsg(r) : NULL;
    srv_error(rq, search_status(rc), "%s", m ? m : indaga_strerror(rc));
    indaga_results_free(r);
    return -1;
  }
  FILE *f = srv_body(rq);
  if (!f) {
    indaga_results_free(r);
    return srv_error(rq, 503, "out of memory");
  }
  fputs("{\"hits\":[", f);
  for (size_t i = 0; i < indaga_results_count(r); i++) {
    fputs(i ? ",{" : "{", f);
    json_hit(f, indaga_results_hit(r, i), indaga_index_count(srv_snap_index(s)) > 1);
    fputc('}', f);
  }
  fputs("],\"summary\":{", f);
  json_summary(f, r, q, strlen(q));
  fprintf(f, ",\"generation\":%llu},\"facets\":[", (unsigned long long)srv_snap_generation(s));
  for (size_t i = 0; i < indaga_results_facet_count(r); i++) {
    fputs(i ? ",{" : "{", f);
    json_facet(f, indaga_results_facet(r, i));
    fputc('}', f);
  }
  fputs("]}", f);
  indaga_results_free(r);
  return srv_reply(rq, 200);
}
