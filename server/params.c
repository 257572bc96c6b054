/*
** params.c: the query-string parameters of the API, checked (server.h).
** A parameter that is malformed, out of range, too long, not UTF-8 or
** holds a NUL byte is answered 400 with a message naming it; nothing is
** silently ignored or clamped.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "server/server.h"

int srv_param_long(srv_req *rq, const char *name, long lo, long hi, long def, long *out) {
  size_t n = 0;
  const char *v = srv_param_n(rq, name, &n);
  if (!v) { *out = def; return 0; }
  char buf[24];
  int ok = n > 0 && n < sizeof buf && memchr(v, 0, n) == NULL;
  long x = 0;
  if (ok) {
    memcpy(buf, v, n);
    buf[n] = 0;
    char *end;
    errno = 0;
    ok = buf[0] >= '0' && buf[0] <= '9';
    x = strtol(buf, &end, 10);
    ok = ok && !errno && !*end && x >= lo && x <= hi;
  }
  if (!ok) {
    srv_error(rq, 400, "parameter '%s' must be a whole number from %ld to %ld", name, lo, hi);
    return -1;
  }
  *out = x;
  return 0;
}

const char *srv_param_text(srv_req *rq, const char *name, size_t max, int required) {
  size_t n = 0;
  const char *v = srv_param_n(rq, name, &n);
  if (!v) {
    if (required) srv_error(rq, 400, "parameter '%s' is required", name);
    return required ? NULL : "";
  }
  if (n > max) {
    srv_error(rq, 400, "parameter '%s' is longer than %zu bytes", name, max);
    return NULL;
  }
  if (memchr(v, 0, n) || !cli_utf8_valid(v, n)) {
    srv_error(rq, 400, "parameter '%s' is not UTF-8 text", name);
    return NULL;
  }
  return v;
}
