/*
** http.c: the daemon of `indaga serve` (server.h) on libmicrohttpd.
**
** libmicrohttpd parses HTTP (a malformed request gets its 400, a request
** line and headers larger than SRV_REQ_MEMORY its 414 or 431) and runs the
** connections on a pool of threads, each its own epoll loop. This file
** sets its limits (connections in all and per address, the idle timeout
** that bounds a slow client), routes each request by its exact path to a
** handler or an embedded asset, and puts the same headers on every answer:
** a Content-Security-Policy that allows no inline script and nothing from
** elsewhere, nosniff, no framing, no referrer.
**
** Only GET and HEAD are answered (405 otherwise), and a request with a
** body gets 413 at its first piece, so no body is ever buffered. A handler writes its JSON into a memory
** stream and the whole body goes out in one response; the request holds
** its index snapshot only while the handler runs.
**
** Shutdown: the main thread waits for SIGTERM or SIGINT (blocked in every
** thread, so no handler is interrupted), stops accepting (quiesce), waits
** for the handlers in flight and then, up to SRV_DRAIN_S seconds in all,
** for the open connections to finish sending, and stops the daemon.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "server/server.h"

typedef struct srv_state srv_state;

struct srv_req {
  struct MHD_Connection *c;
  srv_state *st;
  srv_index *si;
  srv_snap *snap;          /* acquired on first use, released after the answer */
  FILE *body;              /* open_memstream over buf */
  char *buf;
  size_t len;
  int answered;
  enum MHD_Result result;
};

struct srv_state {
  srv_index *si;
  int draining;            /* atomic; read by handlers: answers say Connection: close */
  int in_flight;           /* handlers running (atomic) */
};

static const char csp[] =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
  "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static const struct {
  const char *path;
  int (*fn)(srv_req *);
} routes[] = {
  { "/api/search", api_search }, { "/api/suggest", api_suggest }, { "/api/doc", api_doc },
  { "/api/stats", api_stats },   { "/healthz", api_healthz },
};

/* The headers every answer carries. */
static void common_headers(struct MHD_Response *r, int draining) {
  MHD_add_response_header(r, "Content-Security-Policy", csp);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  if (draining) MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
}

FILE *srv_body(srv_req *rq) {
  if (!rq->body) rq->body = open_memstream(&rq->buf, &rq->len);
  return rq->body;
}

/* Close the body stream; *len holds its size. 0, or -1 when it failed (no memory). */
static int body_close(srv_req *rq) {
  if (!rq->body) return -1;
  int bad = ferror(rq->body);
  if (fclose(rq->body) != 0) bad = 1;
  rq->body = NULL;
  return bad ? -1 : 0;
}

static void body_drop(srv_req *rq) {
  if (rq->body) fclose(rq->body);
  rq->body = NULL;
  free(rq->buf);
  rq->buf = NULL;
  rq->len = 0;
}

/* Queue @len bytes at @data (freed by libmicrohttpd when @must_free) with @type. */
static void queue(srv_req *rq, unsigned status, const char *type, void *data, size_t len,
                  int must_free, const char *cache) {
  struct MHD_Response *r = MHD_create_response_from_buffer(
    len, data, must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
  if (!r) {
    if (must_free) free(data);
    rq->result = MHD_NO;   /* libmicrohttpd closes the connection */
    rq->answered = 1;
    return;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
  if (rq->snap) {
    char g[32];
    snprintf(g, sizeof g, "%llu", (unsigned long long)srv_snap_generation(rq->snap));
    MHD_add_response_header(r, "X-Indaga-Generation", g);
  }
  if (status == 405) MHD_add_response_header(r, "Allow", "GET, HEAD");
  common_headers(r, __atomic_load_n(&rq->st->draining, __ATOMIC_RELAXED));
  rq->result = MHD_queue_response(rq->c, status, r);
  MHD_destroy_response(r);
  rq->answered = 1;
}

int srv_reply(srv_req *rq, unsigned status) {
  if (body_close(rq)) {
    body_drop(rq);
    return srv_error(rq, 500, "out of memory");
  }
  queue(rq, status, "application/json; charset=utf-8", rq->buf, rq->len, 1, "no-store");
  rq->buf = NULL;
  rq->len = 0;
  return 0;
}

int srv_error(srv_req *rq, unsigned status, const char *fmt, ...) {
  char msg[CLI_MESSAGE_MAX + 1];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  size_t len = n < 0 ? 0 : (size_t)n > CLI_MESSAGE_MAX ? CLI_MESSAGE_MAX : (size_t)n;
  body_drop(rq);
  FILE *f = srv_body(rq);
  if (f) {
    fprintf(f, "{\"error\":{\"status\":%u,\"message\":", status);
    json_text(f, msg, len, CLI_MESSAGE_MAX);
    fputs("}}", f);
  }
  if (!f || body_close(rq)) {
    static const char oom[] = "{\"error\":{\"status\":500,\"message\":\"out of memory\"}}";
    body_drop(rq);
    queue(rq, 500, "application/json; charset=utf-8", (void *)(uintptr_t)oom, sizeof oom - 1, 0,
          "no-store");
    return -1;
  }
  queue(rq, status, "application/json; charset=utf-8", rq->buf, rq->len, 1, "no-store");
  rq->buf = NULL;
  rq->len = 0;
  return -1;
}

srv_snap *srv_req_snap(srv_req *rq) {
  if (rq->snap) return rq->snap;
  char why[512];
  rq->snap = srv_snap_acquire(rq->si, why, sizeof why);
  if (!rq->snap) srv_error(rq, 503, "index unavailable: %s", why);
  return rq->snap;
}

const char *srv_param_n(srv_req *rq, const char *name, size_t *len) {
  const char *v = NULL;
  size_t n = 0;
  if (MHD_lookup_connection_value_n(rq->c, MHD_GET_ARGUMENT_KIND, name, strlen(name), &v, &n) != MHD_YES)
    return NULL;
  *len = n;
  return v ? v : "";
}

/* The walk of srv_param_all over the query string. */
typedef struct {
  const char *name;
  const char **v;
  size_t *lens, max, count;
} param_walk;

static enum MHD_Result param_each(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                  const char *value, size_t value_size) {
  (void)kind;
  param_walk *w = cls;
  if (!key || key_size != strlen(w->name) || memcmp(key, w->name, key_size)) return MHD_YES;
  if (w->count < w->max) {
    w->v[w->count] = value ? value : "";
    w->lens[w->count] = value ? value_size : 0;
  }
  w->count++;
  return MHD_YES;
}

size_t srv_param_all(srv_req *rq, const char *name, const char **v, size_t *lens, size_t max) {
  param_walk w = { name, v, lens, max, 0 };
  MHD_get_connection_values_n(rq->c, MHD_GET_ARGUMENT_KIND, param_each, &w);
  return w.count;
}

/* 1 when the request announces a body (Content-Length other than 0, or Transfer-Encoding). */
static int has_body(struct MHD_Connection *c) {
  const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
  return te || (cl && strspn(cl, "0") != strlen(cl));
}

/*
** Answer with embedded asset @a: its bytes and ETag, or 304 without them
** when the browser already holds this version (If-None-Match). Assets are
** revalidated on every load ("no-cache"), so a new build is seen at once.
*/
static void send_asset(srv_req *rq, const srv_asset *a) {
  const char *inm = MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
  int fresh = inm && strstr(inm, a->etag) != NULL;
  struct MHD_Response *r = MHD_create_response_from_buffer(
    fresh ? 0 : a->size, fresh ? NULL : (void *)(uintptr_t)a->data, MHD_RESPMEM_PERSISTENT);
  if (!r) {
    rq->result = MHD_NO;
    rq->answered = 1;
    return;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
  MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, a->etag);
  common_headers(r, __atomic_load_n(&rq->st->draining, __ATOMIC_RELAXED));
  rq->result = MHD_queue_response(rq->c, fresh ? 304 : 200, r);
  MHD_destroy_response(r);
  rq->answered = 1;
}

/* Route @rq by its exact path to a handler or an embedded asset. */
static void route(srv_req *rq, const char *url) {
  for (size_t i = 0; i < sizeof routes / sizeof routes[0] && !rq->answered; i++)
    if (!strcmp(url, routes[i].path)) routes[i].fn(rq);
  if (rq->answered) return;
  const srv_asset *a = srv_asset_find(url);
  if (a) send_asset(rq, a);
  else srv_error(rq, 404, "no such page: %.200s", url);
}

/*
** Answer one request: route it, run it, release what it held. libmicrohttpd
** calls this first when the headers are in, and again when the request is
** complete. A request that is not GET or HEAD (405), or that announces a
** body (413), is answered in the first call, so that its body is never
** read (the connection then closes). Any other is answered in the second,
** which keeps the connection alive for the next request.
*/
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
  static int seen;   /* any non-NULL marker */
  srv_state *st = cls;
  (void)version; (void)upload; (void)upload_size;
  int first = !*con_cls, get = !strcmp(method, MHD_HTTP_METHOD_GET) ||
                                !strcmp(method, MHD_HTTP_METHOD_HEAD);
  if (first && get && !has_body(c)) {
    *con_cls = &seen;
    return MHD_YES;
  }
  __atomic_add_fetch(&st->in_flight, 1, __ATOMIC_SEQ_CST);
  srv_req rq = { c, st, st->si, NULL, NULL, NULL, 0, 0, MHD_NO };
  if (!get) srv_error(&rq, 405, "method %.32s is not allowed: only GET and HEAD", method);
  else if (first) srv_error(&rq, 413, "a request body is not accepted");
  else route(&rq, url);
  body_drop(&rq);
  srv_snap_release(rq.snap);
  __atomic_sub_fetch(&st->in_flight, 1, __ATOMIC_SEQ_CST);
  return rq.result;
}

/* Fill @ss from @host and @port. 0, or -1 when @host is not a numeric address. */
static int make_addr(const char *host, unsigned port, struct sockaddr_storage *ss, int *v6) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *v6 = 0;
    return 0;
  }
  if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    *v6 = 1;
    return 0;
  }
  return -1;
}

/* Wait for SIGTERM or SIGINT (blocked in @set by the caller). */
static void wait_signal(const sigset_t *set) {
  for (int sig; sigwait(set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT);) {}
}

static void sleep_ms(long ms) {
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* Stop accepting, let requests in flight finish, stop. */
static void drain(struct MHD_Daemon *d, srv_state *st) {
  __atomic_store_n(&st->draining, 1, __ATOMIC_RELAXED);
  MHD_socket ls = MHD_quiesce_daemon(d);
  if (ls != MHD_INVALID_SOCKET) close(ls);
  for (long waited = 0; waited < SRV_DRAIN_S * 1000L; waited += 20) {
    const union MHD_DaemonInfo *ci = MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    int busy = __atomic_load_n(&st->in_flight, __ATOMIC_SEQ_CST);
    if (!busy && (!ci || ci->num_connections == 0 || waited >= 1000)) break;
    sleep_ms(20);
  }
  MHD_stop_daemon(d);
}

int srv_run(const srv_config *cfg) {
  struct sockaddr_storage ss;
  int v6 = 0;
  if (make_addr(cfg->host, cfg->port, &ss, &v6)) {
    fprintf(stderr, "indaga: serve: '%s' is not a numeric IPv4 or IPv6 address\n", cfg->host);
    return -1;
  }
  srv_state st = { srv_index_new(cfg->index_dirs, cfg->nindex, SRV_REFRESH_MS), 0, 0 };
  if (!st.si) { fputs("indaga: serve: out of memory\n", stderr); return -1; }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);   /* the daemon's threads inherit the mask */
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                   (v6 ? MHD_USE_IPv6 : 0);
  struct MHD_Daemon *d = MHD_start_daemon(
    flags, (uint16_t)cfg->port, NULL, NULL, on_request, &st,
    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(cfg->threads > 1 ? cfg->threads : 0),
    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SRV_CONN_MAX,
    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)SRV_CONN_PER_IP,
    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SRV_TIMEOUT_S,
    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SRV_REQ_MEMORY,
    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
    MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "indaga: serve: cannot listen on %s port %u: %s\n", cfg->host, cfg->port,
            strerror(errno ? errno : EADDRINUSE));
    srv_index_free(st.si);
    return -1;
  }
  const union MHD_DaemonInfo *pi = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  unsigned port = pi ? pi->port : cfg->port;
  printf(v6 ? "indaga serve: listening on http://[%s]:%u/\n" : "indaga serve: listening on http://%s:%u/\n",
         cfg->host, port);
  fflush(stdout);
  wait_signal(&set);
  fputs("indaga serve: stopping\n", stderr);
  drain(d, &st);
  srv_index_free(st.si);
  return 0;
}
