/*
** report.c: errors, warnings and exit statuses of the command (cli.h).
**
** Every error and warning is written for people on stderr ("indaga: ...",
** control characters escaped, at most CLI_MESSAGE_MAX bytes) and, once
** --json is on, also as one JSON line on stdout, so that a script reading
** stdout sees every failure in order with the output it belongs to.
*/
#include <stdarg.h>
#include <string.h>
#include "cli/cli.h"

static int json_on;

void cli_set_json(int on) { json_on = on; }
int cli_json(void) { return json_on; }

int cli_status(int rc) {
  switch (rc) {
  case INDAGA_OK: return EXIT_OK;
  case INDAGA_EBUSY: return EXIT_BUSY;
  case INDAGA_EREFUSED: return EXIT_REFUSED;
  default: return EXIT_ERR;
  }
}

/* Write one report: @kind "error" (with @status, and @query_no when >= 0) or "warning". */
static void report(const char *kind, long query_no, int status, const char *path,
                   const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static void report(const char *kind, long query_no, int status, const char *path,
                   const char *fmt, va_list ap) {
  char msg[CLI_MESSAGE_MAX + 1];
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  size_t len = n < 0 ? 0 : (size_t)n > CLI_MESSAGE_MAX ? CLI_MESSAGE_MAX : (size_t)n;
  fflush(stdout);
  fputs("indaga: ", stderr);
  if (!strcmp(kind, "warning")) {
    fputs("warning: ", stderr);
    if (path) { out_str(stderr, path, CLI_NAME_MAX); fputs(": ", stderr); }
  }
  out_text(stderr, msg, len, CLI_MESSAGE_MAX);
  fputc('\n', stderr);
  if (!json_on) return;
  printf("{\"type\":\"%s\"", kind);
  if (query_no >= 0) printf(",\"query_no\":%ld", query_no);
  if (!strcmp(kind, "error")) printf(",\"status\":%d", status);
  json_name(stdout, 1, "path", path);
  fputs(",\"message\":", stdout);
  json_text(stdout, msg, len, CLI_MESSAGE_MAX);
  fputs("}\n", stdout);
  fflush(stdout);
}

int cli_fail(int status, const char *path, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report("error", -1, status, path, fmt, ap);
  va_end(ap);
  return status;
}

int cli_query_fail(long query_no, int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report("error", query_no, status, NULL, fmt, ap);
  va_end(ap);
  return status;
}

int cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report("error", -1, EXIT_ERR, NULL, fmt, ap);
  va_end(ap);
  return EXIT_ERR;
}

void cli_warning(const char *path, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report("warning", -1, 0, path, fmt, ap);
  va_end(ap);
}
