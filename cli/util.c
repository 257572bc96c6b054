/*
** util.c: what several commands share: the index directory, opening the
** index, colour, reading a stream.
*/
#include <errno.h>
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
  return cli_fail(EXIT_ERR, dir, "no index at %s; run 'indaga index PATH' first", dir);
}

indaga_index *cli_open_index(const char *dir, const char *what, int *status) {
  indaga_index *idx = NULL;
  char *err = NULL;
  int rc = indaga_index_open(&idx, dir, NULL, &err);
  if (rc == INDAGA_ENOINDEX) cli_no_index(dir);
  else if (rc) cli_fail(cli_status(rc), dir, "%s: %s", what, err ? err : indaga_strerror(rc));
  indaga_free(err);
  /* an older generation read, or a newer one missing: never silently */
  if (rc == INDAGA_OK && indaga_index_note(idx)) cli_warning(dir, "%s", indaga_index_note(idx));
  if (status) *status = cli_status(rc);
  return rc ? NULL : idx;
}

indaga_index *cli_open_indexes(const char *const *dirs, size_t n, const char *what, int *status) {
  if (n == 1) return cli_open_index(dirs[0], what, status);
  indaga_index *idx = NULL;
  char *err = NULL;
  int rc = indaga_index_open_many(&idx, dirs, NULL, n, NULL, &err);
  int ex = cli_status(rc);
  if (rc == INDAGA_EMISUSE) {
    ex = cli_fail(EXIT_USAGE, NULL, "%s: %s", what, err ? err : indaga_strerror(rc));
  } else if (rc) {
    /* the first directory that cannot be opened, reported as for one index */
    size_t i = 0;
    for (indaga_index *one = NULL; i < n && (one = cli_open_index(dirs[i], what, &ex)) != NULL; i++)
      indaga_index_close(one);
    if (i == n) ex = cli_fail(cli_status(rc), NULL, "%s: %s", what, err ? err : indaga_strerror(rc));
  }
  indaga_free(err);
  for (size_t i = 0; rc == INDAGA_OK && i < n; i++) {   /* an older generation read: never silently */
    const char *note = indaga_index_note(indaga_index_member(idx, i));
    if (note) cli_warning(dirs[i], "%s", note);
  }
  if (status) *status = rc ? ex : EXIT_OK;
  return rc ? NULL : idx;
}

indaga_writer *cli_open_writer(const char *dir, int wait, uint64_t *generation, int *status) {
  indaga_index *idx = NULL;
  char *err = NULL;
  int rc = indaga_index_open(&idx, dir, NULL, &err);   /* never create an index here */
  indaga_index_close(idx);
  if (generation) *generation = rc == INDAGA_OK ? cli_stats_now(dir).generation : 0;
  indaga_free(err);
  err = NULL;
  if (rc == INDAGA_ENOINDEX) {
    *status = cli_no_index(dir);
    return NULL;
  }
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.flags = wait ? INDAGA_WRITER_WAIT : 0;
  indaga_writer *w = NULL;
  rc = indaga_writer_open(&w, dir, &o, &err);
  if (rc) {
    *status = cli_fail(cli_status(rc), dir, "%s%s", err ? err : indaga_strerror(rc),
                       rc == INDAGA_EBUSY ? " (use --wait to wait for it)" : "");
    indaga_free(err);
    return NULL;
  }
  *status = EXIT_OK;
  return w;
}

indaga_stats cli_stats_now(const char *dir) {
  indaga_index *idx = NULL;
  indaga_stats st = { 0 };
  if (indaga_index_open(&idx, dir, NULL, NULL) == INDAGA_OK) indaga_index_stats(idx, &st);
  indaga_index_close(idx);
  return st;
}

int cli_writer_fail(indaga_writer *w, const char *dir, int rc) {
  const char *m = indaga_writer_errmsg(w);
  int ex = cli_fail(cli_status(rc), dir, "%s (the index is unchanged)", m ? m : indaga_strerror(rc));
  indaga_writer_close(w);
  return ex;
}

int cli_color(FILE *f, int mode) {
  if (mode == CLI_COLOR_ALWAYS) return 1;
  if (mode == CLI_COLOR_NEVER) return 0;
  const char *nc = getenv("NO_COLOR");
  if (nc && *nc) return 0;
  return isatty(fileno(f));
}

int cli_read_stream(FILE *in, size_t max, char **out, size_t *n) {
  size_t cap = 65536, len = 0;
  char *p = malloc(cap + 1);
  if (!p) return -1;
  for (;;) {
    if (len == cap) {
      if (cap > max) { free(p); errno = EFBIG; return -1; }
      size_t next = cap * 2 > max ? max + 1 : cap * 2;   /* one byte past max tells "longer" */
      char *q = realloc(p, next + 1);
      if (!q) { free(p); return -1; }
      p = q;
      cap = next;
    }
    size_t got = fread(p + len, 1, cap - len, in);
    len += got;
    if (got == 0) break;
  }
  if (len > max) { free(p); errno = EFBIG; return -1; }
  if (ferror(in)) { free(p); return -1; }
  *out = p;
  *n = len;
  return 0;
}
