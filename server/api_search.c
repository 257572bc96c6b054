/*
** api_search.c: GET /api/search (doc/CLI.md, "HTTP API").
**
**   q        the query, in the query language of README.md (required,
**            at most SRV_QUERY_MAX bytes)
**   n        hits per page, 1 to SRV_N_MAX (default 10)
**   offset   hits to skip, 0 to SRV_OFFSET_MAX (default 0)
**   context  paragraphs before and after each hit, 0 to SRV_CONTEXT_MAX
**   group    1: at most the best paragraph per document (default 0)
**   sort, facet, all: not yet in the library; 400 naming the parameter
**            (sort=relevance, the only order there is, is accepted)
**
** Answers {"hits":[hit...],"summary":{...},"facets":[]}, each hit and the
** summary with the members of the CLI's JSON Lines (cli/json.c) and the
** summary also with the "generation" it was read from.
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

/* Read and check the parameters into @o; 0, or -1 when answered 400. */
static int search_params(srv_req *rq, indaga_search_options *o) {
  long n, offset, context, group;
  size_t ns = 0;
  const char *sort = srv_param_n(rq, "sort", &ns);
  if (sort && !(ns == 9 && !memcmp(sort, "relevance", 9)))
    return srv_error(rq, 400, "parameter 'sort' is not supported: results sort by relevance only");
  if (srv_param_unsupported(rq, "facet", "this index cannot count facets yet") ||
      srv_param_unsupported(rq, "all", "every word is not yet a mode of the library; "
                                       "require words with +word or AND in q") ||
      srv_param_long(rq, "n", 1, SRV_N_MAX, 10, &n) ||
      srv_param_long(rq, "offset", 0, SRV_OFFSET_MAX, 0, &offset) ||
      srv_param_long(rq, "context", 0, SRV_CONTEXT_MAX, 0, &context) ||
      srv_param_long(rq, "group", 0, 1, 0, &group))
    return -1;
  o->k = (unsigned)n;
  o->offset = (unsigned)offset;
  o->context = (unsigned)context;
  o->group = (int)group;
  o->time_ms = SRV_SEARCH_MS;
  o->memory_bytes = SRV_SEARCH_MEMORY;
  o->partial = 1;
  return 0;
}

int api_search(srv_req *rq) {
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  const char *q = srv_param_text(rq, "q", SRV_QUERY_MAX, 1);
  if (!q || search_params(rq, &o)) return -1;
  srv_snap *s = srv_req_snap(rq);
  if (!s) return -1;
  indaga_results *r = NULL;
  int rc = indaga_search(&r, srv_snap_index(s), q, &o);
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
    json_hit(f, indaga_results_hit(r, i));
    fputc('}', f);
  }
  fputs("],\"summary\":{", f);
  json_summary(f, r, q, strlen(q));
  fprintf(f, ",\"generation\":%llu},\"facets\":[]}", (unsigned long long)srv_snap_generation(s));
  indaga_results_free(r);
  return srv_reply(rq, 200);
}
