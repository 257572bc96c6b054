/*
** lines.c: bounded line reading (lines.h).
*/
#include <stdlib.h>
#include "cli/lines.h"

int cli_lines_init(cli_lines *l, FILE *f, size_t max) {
  l->f = f;
  l->max = max;
  l->len = 0;
  l->nul = 0;
  l->lineno = 0;
  l->buf = malloc(max + 1);
  return l->buf ? 0 : -1;
}

void cli_lines_free(cli_lines *l) {
  free(l->buf);
  l->buf = NULL;
}

int cli_lines_next(cli_lines *l) {
  int c = EOF;
  l->len = 0;
  l->nul = 0;
  for (;;) {
    c = getc(l->f);
    if (c == EOF || c == '\n') break;
    if (l->len == l->max) {
      ungetc(c, l->f);
      l->buf[l->len] = 0;
      l->lineno++;
      return CLI_LINE_LONG;
    }
    if (c == 0) l->nul = 1;
    l->buf[l->len++] = (char)c;
  }
  if (c == EOF && ferror(l->f)) return CLI_LINE_ERROR;
  if (c == EOF && l->len == 0) return CLI_LINE_EOF;
  if (l->len && l->buf[l->len - 1] == '\r') l->len--;
  l->buf[l->len] = 0;
  l->lineno++;
  return CLI_LINE_OK;
}

int cli_lines_skip(cli_lines *l, uint64_t limit) {
  for (uint64_t k = 0; k < limit; k++) {
    int c = getc(l->f);
    if (c == '\n') return CLI_LINE_OK;
    if (c == EOF) return ferror(l->f) ? CLI_LINE_ERROR : CLI_LINE_OK;
  }
  return CLI_LINE_LONG;
}
