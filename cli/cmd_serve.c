/*
** cmd_serve.c: `indaga serve [--index DIR]... [--listen ADDR:PORT] [--threads N]`:
** the HTTP API and the search page (server/server.h, doc/CLI.md "HTTP API").
**
** ADDR is a numeric IPv4 address or a bracketed IPv6 one ([::1]); PORT is
** 0 to 65535, 0 for any free port (the line "listening on ..." on stdout
** names the one taken). The default is 127.0.0.1:8080, loopback: another
** machine reaches the server only when told to listen elsewhere, and then
** a warning says so. The index need not exist yet: until it does, the API
** answers 503. Read-only: the server never takes the index's lock.
** Several --index options serve those indexes as one (hits carry "index");
** two of one label, or the same index twice, is a usage error at start.
** Exit 0 after SIGTERM or SIGINT (requests in flight finish first), 2 when
** it cannot listen, 64 on bad usage.
*/
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "server/server.h"

enum { OPT_LISTEN = CLI_OPT_FIRST, OPT_THREADS };

static const cli_option opts[] = {
  { "index", 0, "DIR", CLI_OPT_INDEX, "the index directory (default $INDAGA_INDEX, else ./.indaga); repeat it to serve several as one" },
  { "listen", 0, "ADDR:PORT", OPT_LISTEN,
    "address and port, 127.0.0.1:8080 by default ([::1]:8080 for IPv6; port 0: any free one)" },
  { "threads", 0, "N", OPT_THREADS, "threads answering requests, 1 to 64 (default 4)" },
  CLI_ROW_HELP,
};

static const cli_command serve_cmd = {
  "serve",
  "usage: indaga serve [--index DIR]... [--listen ADDR:PORT] [--threads N]\n",
  "Serve the index over HTTP: the search page at /, and a JSON API:\n"
  "/api/search?q=..., /api/doc?doc=ID, /api/suggest?q=..., /api/stats and\n"
  "/healthz (doc/CLI.md, \"HTTP API\"). Read-only; a commit by `indaga index`\n"
  "is served without a restart. Listens on loopback unless --listen says\n"
  "otherwise. SIGTERM or SIGINT stops it once the requests in flight are done.\n",
  opts, CLI_NOPTS(opts),
  "exit status: 0 stopped by a signal, 2 cannot listen, 64 usage\n",
  0,
};

/*
** Split "ADDR:PORT" / "[V6]:PORT" into @host (buffer) and @port. 0, or -1
** when malformed: ADDR must be a numeric IPv4 address, or IPv6 in brackets.
*/
static int parse_listen(const char *z, char *host, size_t cap, unsigned *port) {
  const char *colon = strrchr(z, ':');
  if (!colon || colon == z) return -1;
  const char *h = z, *he = colon;
  if (*z == '[') {
    if (colon[-1] != ']') return -1;
    h++;
    he--;
  }
  size_t n = (size_t)(he - h);
  if (n == 0 || n >= cap) return -1;
  memcpy(host, h, n);
  host[n] = 0;
  unsigned char addr[sizeof(struct in6_addr)];
  if (inet_pton(*z == '[' ? AF_INET6 : AF_INET, host, addr) != 1) return -1;
  char *end;
  const char *pz = colon + 1;
  if (*pz < '0' || *pz > '9') return -1;
  long p = strtol(pz, &end, 10);
  if (*end || p < 0 || p > 65535) return -1;
  *port = (unsigned)p;
  return 0;
}

/* 1 when @host is a loopback address. */
static int loopback(const char *host) {
  return !strncmp(host, "127.", 4) || !strcmp(host, "::1");
}

int cmd_serve(int argc, char **argv) {
  const char *indexes[INDAGA_OPEN_MANY_MAX], *listen = "127.0.0.1:8080";
  size_t nindexes = 0;
  long threads = 4;
  cli_parser p;
  cli_parser_init(&p, &serve_cmd, argc, argv);
  for (int o; (o = cli_next(&p)) != CLI_DONE;) {
    switch (o) {
    case CLI_EXIT: return p.status;
    case CLI_OPT_INDEX:
      if (nindexes == INDAGA_OPEN_MANY_MAX) return cli_usage("serve", "at most 256 --index directories");
      indexes[nindexes++] = p.arg;
      break;
    case OPT_LISTEN: listen = p.arg; break;
    case OPT_THREADS:
      if (cli_value_long(&p, 1, 64, &threads)) return EXIT_USAGE;
      break;
    case CLI_OPERAND: return cli_usage("serve", "unexpected argument '%.200s'", p.arg);
    default: return cli_usage("serve", "unexpected option");
    }
  }
  char host[64];
  if (nindexes <= 1) indexes[0] = cli_index_dir(nindexes ? indexes[0] : NULL);
  if (nindexes > 1) {   /* what can never be served: refused now (an index yet to be made is waited for) */
    indaga_index *idx = NULL;
    char *err = NULL;
    int rc = indaga_index_open_many(&idx, indexes, NULL, nindexes, NULL, &err);
    indaga_index_close(idx);
    if (rc == INDAGA_EMISUSE) rc = cli_usage("serve", "%s", err ? err : indaga_strerror(rc));
    indaga_free(err);
    if (rc == EXIT_USAGE) return rc;
  }
  srv_config cfg = { indexes, nindexes ? nindexes : 1, host, 0, (unsigned)threads };
  if (parse_listen(listen, host, sizeof host, &cfg.port))
    return cli_usage("serve", "--listen needs ADDR:PORT (127.0.0.1:8080, [::1]:8080), not '%.200s'",
                     listen);
  if (!loopback(host))
    cli_warning(NULL, "serve: listening on %s, not loopback: whoever reaches it can read the index",
                host);
  return srv_run(&cfg) ? EXIT_ERR : EXIT_OK;
}
