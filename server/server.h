/*
** server.h: `indaga serve`, an HTTP API and a search page over libmicrohttpd,
** built on include/indaga.h alone (doc/CLI.md, "HTTP API").
**
** The files, one concern each:
**   http.c       the daemon: libmicrohttpd's thread pool on epoll, limits,
**                the routing table, the headers of every answer, errors
**   params.c     reading and checking the query-string parameters
**   snapshot.c   the index as requests see it: a reference-counted
**                snapshot, swapped for the newest committed generation when
**                the index directory changes (checked at most every few ms)
**   api_search.c GET /api/search
**   api_suggest.c GET /api/suggest
**   api_doc.c    GET /api/doc
**   api_status.c GET /api/stats and GET /healthz
**   assets.c     GET / and /assets/...: the page, compiled into the binary
**                from server/assets/ (cmake/embed_assets.cmake)
** JSON members are written by the command's own writers (cli/json.c), so
** the API and `indaga ... --json` agree field by field.
*/
#ifndef INDAGA_SERVER_H
#define INDAGA_SERVER_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include "indaga.h"

/* Limits on every request (README.md and doc/indaga.1 name them). */
#define SRV_QUERY_MAX      2048u   /* bytes of q */
#define SRV_N_MAX          100     /* hits per page */
#define SRV_FACETS_MAX     8       /* facet parameters of one search */
#define SRV_FIELD_MAX      64      /* bytes of one facet's field name */
#define SRV_OFFSET_MAX     10000   /* hits skipped */
#define SRV_CONTEXT_MAX    10      /* paragraphs around a hit */
#define SRV_SUGGEST_MAX    20      /* completions */
#define SRV_SEARCH_MS      1000    /* a search's time budget: past it, the hits found so far */
#define SRV_SEARCH_MEMORY  ((size_t)32 << 20) /* a search's memory budget */
#define SRV_PARAM_MAX      4096u   /* bytes of any one parameter (doc ids included) */
#define SRV_CONN_MAX       256     /* concurrent connections */
#define SRV_CONN_PER_IP    64      /* concurrent connections from one address */
#define SRV_TIMEOUT_S      10      /* seconds a connection may sit idle or dribble */
#define SRV_REQ_MEMORY     (32u << 10) /* bytes of request line and headers per connection */
#define SRV_DRAIN_S        10      /* seconds SIGTERM waits for requests in flight */
#define SRV_REFRESH_MS     100     /* how often the index directory is looked at, at most */

/* ---- snapshot.c ---- */
typedef struct srv_index srv_index;
typedef struct srv_snap srv_snap;   /* one generation held by requests */

/*
** Start watching the index directories @dirs[0..@n) (they need not exist
** yet), served as one index when @n > 1. NULL when out of memory.
*/
srv_index *srv_index_new(const char *const *dirs, size_t n, unsigned refresh_ms);
void srv_index_free(srv_index *si);   /* accepts NULL; every snapshot must be released */
/*
** The newest committed generation, held until srv_snap_release: looks at
** the directory when refresh_ms have passed since the last look and, when
** the directory changed, opens its newest generation (made current when it
** is another one). NULL when there is no index (or it
** cannot be opened): then why[0..nwhy) says why.
*/
srv_snap *srv_snap_acquire(srv_index *si, char *why, size_t nwhy);
void srv_snap_release(srv_snap *s);   /* accepts NULL */
const indaga_index *srv_snap_index(const srv_snap *s);   /* the handle: search it, any thread */
uint64_t srv_snap_generation(const srv_snap *s);   /* several indexes: the sum of theirs */
srv_index *srv_snap_owner(const srv_snap *s);            /* the srv_index it came from */
/* Snapshots opened and not yet released (the current one included), for tests and stats. */
unsigned srv_index_live(srv_index *si);

/* ---- params.c ---- */
typedef struct srv_req srv_req;   /* one request as handlers see it (http.c) */

/*
** The value of query-string parameter @name (percent-decoded; the first
** when repeated) and its length, or NULL when absent. Borrowed until the
** request ends. In http.c; the checks below build on it.
*/
const char *srv_param_n(srv_req *rq, const char *name, size_t *len);
/*
** Every value of parameter @name, in the order given: the first @max into
** @v and @lens (borrowed like srv_param_n). Returns how many there are,
** which may be more than @max.
*/
size_t srv_param_all(srv_req *rq, const char *name, const char **v, size_t *lens, size_t max);
/*
** Parameter @name as a whole number from @lo to @hi (@def when absent).
** Returns 0, or -1 after answering 400 naming the parameter.
*/
int srv_param_long(srv_req *rq, const char *name, long lo, long hi, long def, long *out);
/*
** Text parameter @name: at most @max bytes, valid UTF-8, no NUL. NULL after
** answering 400 (also when absent and @required); "" when absent otherwise.
*/
const char *srv_param_text(srv_req *rq, const char *name, size_t max, int required);

/* ---- http.c: what handlers answer with ---- */
/*
** The answer's body, a stream into memory: handlers write JSON to it and
** then call srv_reply (status, "application/json"). NULL when out of memory.
*/
FILE *srv_body(srv_req *rq);
/* Answer with what was written to srv_body, as JSON, with the snapshot's generation
** in X-Indaga-Generation. Returns 0. */
int srv_reply(srv_req *rq, unsigned status);
/* Answer {"error":{"status":S,"message":M}} with status S. Returns -1. */
int srv_error(srv_req *rq, unsigned status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The snapshot the request reads, acquired on first use; NULL after answering 503. */
srv_snap *srv_req_snap(srv_req *rq);

/* ---- handlers: each answers @rq (srv_reply or srv_error) and returns 0 or -1 ---- */
int api_search(srv_req *rq);
int api_suggest(srv_req *rq);
int api_doc(srv_req *rq);
int api_stats(srv_req *rq);
int api_healthz(srv_req *rq);

/* ---- assets.c ---- */
typedef struct srv_asset {
  const char *path;          /* "/assets/app.js" ("/" for the page) */
  const char *type;          /* Content-Type */
  const char *etag;          /* "\"<16 hex digits of its SHA-1>\"" */
  const unsigned char *data;
  size_t size;
} srv_asset;
/* The embedded files (generated: cmake/embed_assets.cmake). */
extern const srv_asset srv_assets[];
extern const size_t srv_nassets;
/* The asset at exactly @path, or NULL. No file is ever opened. */
const srv_asset *srv_asset_find(const char *path);

/* ---- the server (http.c) ---- */
typedef struct srv_config {
  const char *const *index_dirs; /* served as one index when there are several */
  size_t nindex;
  const char *host;          /* numeric IPv4 or IPv6 address */
  unsigned port;             /* 0: any free port (printed) */
  unsigned threads;          /* thread pool size */
} srv_config;

/*
** Serve until SIGTERM or SIGINT, then stop taking connections, let the
** requests in flight finish (at most SRV_DRAIN_S seconds) and return.
** Prints "indaga serve: listening on http://HOST:PORT/" on stdout when
** ready. Returns 0, or -1 after printing why it could not start.
*/
int srv_run(const srv_config *cfg);

#endif /* INDAGA_SERVER_H */
