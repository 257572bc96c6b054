/*
** util.c: output helpers of the command: JSON strings, colour, errors.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"

const char *cli_index_dir(const char *flag) {
  if (flag && *flag) return flag;
  const char *env = getenv("INDAGA_INDEX");
  if (env && *env) return env;
  return ".indaga";
}

int cli_no_index(const char *dir) {
  return cli_error("no index at %s; run 'indaga index PATH' first", dir);
}

indaga_index *cli_open_index(const char *dir, const char *what) {
  indaga_index *idx = NULL;
  char *err = NULL;
  int rc = indaga_index_open(&idx, dir, NULL, &err);
  if (rc == INDAGA_ENOINDEX) cli_no_index(dir);
  else if (rc) cli_error("%s: %s", what, err ? err : indaga_strerror(rc));
  indaga_free(err);
  return rc ? NULL : idx;
}

int cli_index_options(const char *cmd, const char *usage, int argc, char **argv,
                      const char **index, int *json) {
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (!strcmp(s, "--help") || !strcmp(s, "-h")) CLI_HELP_EXIT(usage);
    else if (!strcmp(s, "--json")) *json = 1;
    else if (!strncmp(s, "--index=", 8)) *index = s + 8;
    else if (!strcmp(s, "--index") && i + 1 < argc) *index = argv[++i];
    else if (!strcmp(s, "--index")) return cli_error("%s: --index needs a directory", cmd);
    else if (s[0] == '-') return cli_error("%s: unknown option '%s' (try 'indaga %s --help')", cmd, s, cmd);
    else return cli_error("%s: unexpected argument '%s'", cmd, s);
  }
  return -1;
}

int cli_color(FILE *f) {
  const char *nc = getenv("NO_COLOR");
  if (nc && *nc) return 0;
  return isatty(fileno(f));
}

int cli_error(const char *fmt, ...) {
  va_list ap;
  fflush(stdout);
  fputs("indaga: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return EXIT_ERR;
}

/*
** Length of the well-formed UTF-8 sequence at @p (< @end) starting with a
** byte >= 0x80, or 0 when it is not one (stray continuation, overlong form,
** surrogate, above U+10FFFF, truncated).
*/
static size_t utf8_len(const unsigned char *p, const unsigned char *end) {
  unsigned char c = p[0];
  size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n == 0 || (size_t)(end - p) < n) return 0;
  for (size_t k = 1; k < n; k++)
    if ((p[k] & 0xc0) != 0x80) return 0;
  if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
      (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
    return 0;
  return n;
}

/* Bytes that are not UTF-8 (a file name can hold any) are written as U+FFFD, so every line stays JSON. */
void json_str(FILE *f, const char *p, size_t n) {
  if (!p) { fputs("null", f); return; }
  fputc('"', f);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c >= 0x80) {
      size_t m = utf8_len((const unsigned char *)p + i, (const unsigned char *)p + n);
      if (m == 0) fputs("\\ufffd", f);
      else fwrite(p + i, 1, m, f);
      i += m ? m - 1 : 0;
      continue;
    }
    switch (c) {
    case '"':  fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\r': fputs("\\r", f); break;
    case '\t': fputs("\\t", f); break;
    default:
      if (c < 0x20 || c == 0x7f) fprintf(f, "\\u%04x", c);
      else fputc(c, f);
    }
  }
  fputc('"', f);
}

void json_strz(FILE *f, const char *z) { json_str(f, z, z ? strlen(z) : 0); }

int cli_read_stream(FILE *in, char **out, size_t *n) {
  size_t cap = 65536, len = 0;
  char *p = malloc(cap);
  if (!p) return -1;
  for (;;) {
    if (len == cap) {
      char *q = realloc(p, cap * 2);
      if (!q) { free(p); return -1; }
      p = q;
      cap *= 2;
    }
    size_t got = fread(p + len, 1, cap - len, in);
    len += got;
    if (got == 0) break;
  }
  if (ferror(in)) { free(p); return -1; }
  *out = p;
  *n = len;
  return 0;
}
