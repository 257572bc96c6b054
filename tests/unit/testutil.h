/*
** testutil.h: small helpers the unit tests share (temporary directories,
** whole-file reads and writes, an index of a tree, a search). Header-only,
** since each tests/unit/test_*.c is its own program; include it after
** <cmocka.h>. Every helper fails the running test (cmocka assertions)
** instead of returning an error, but tu_index_tree(), which is meant for a
** group setup and returns -1 there.
*/
#ifndef INDAGA_TESTUTIL_H
#define INDAGA_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "indaga.h"

/*
** The exit status by which a test program tells ctest it was skipped
** (SKIP_RETURN_CODE in tests/CMakeLists.txt).
*/
#define TU_SKIPPED 77

/*
** The shared data a program needs (the 534 UN documents of
** INDAGA_SHARED_DATA/un, not in the repository): 1 when @dir is there, else
** 0 after printing what to set to run the test. main() starts with
**   if (!tu_have_shared(UN_DIR)) return TU_SKIPPED;
*/
static inline int tu_have_shared(const char *dir) {
  FILE *f = fopen(dir, "r");
  if (f) {
    fclose(f);
    return 1;
  }
  printf("SKIP: %s is absent (shared data, not in the repository); to run this test, configure "
         "with -DINDAGA_SHARED_DATA=DIR, DIR holding un/ (the default is ../shared/data beside the "
         "source tree)\n", dir);
  return 0;
}

/* A fresh empty directory /tmp/indaga-test-<what>-XXXXXX (caller frees it and removes it). */
static inline char *tu_tmpdir(const char *what) {
  char tmpl[256];
  snprintf(tmpl, sizeof tmpl, "/tmp/indaga-test-%s-XXXXXX", what);
  char *d = mkdtemp(tmpl);
  assert_non_null(d);
  return strdup(d);
}

/* Remove @dir and everything below it. */
static inline void tu_rm_rf(const char *dir) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

/* The whole file at @path, NUL-terminated, in a malloc'd buffer; its length in *n. */
static inline char *tu_read_file(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long len = ftell(f);
  assert_true(len >= 0);
  assert_int_equal(fseek(f, 0, SEEK_SET), 0);
  char *p = malloc((size_t)len + 1);
  assert_non_null(p);
  assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  p[len] = 0;
  *n = (size_t)len;
  return p;
}

/* Write p[0..n) to @path, replacing it. */
static inline void tu_write_file(const char *path, const void *p, size_t n) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(p, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
}

/*
** Index the tree @src into a fresh full index at @dir (INDAGA_WRITER_FULL,
** synced and committed, the writer closed), the sync's counts in *rep. For a
** group setup: 0, or -1 after printing what failed ("writer: ..." or
** "index: ...") on stderr.
*/
static inline int tu_index_tree(const char *dir, const char *src, indaga_sync_report *rep) {
  indaga_writer *w = NULL;
  indaga_writer_options wo = INDAGA_WRITER_OPTIONS_INIT;
  wo.flags = INDAGA_WRITER_FULL;
  char *msg = NULL;
  if (indaga_writer_open(&w, dir, &wo, &msg)) { fprintf(stderr, "writer: %s\n", msg); return -1; }
  memset(rep, 0, sizeof *rep);
  uint64_t gen = 0;
  if (indaga_writer_sync(w, src, rep) || indaga_writer_commit(w, &gen)) {
    fprintf(stderr, "index: %s\n", indaga_writer_errmsg(w));
    return -1;
  }
  indaga_writer_close(w);
  return 0;
}

/* Run @q on @idx with the options @o; fails the test (saying why) on an error. */
static inline indaga_results *tu_search(const indaga_index *idx, const char *q, const indaga_search_options *o) {
  indaga_results *r = NULL;
  int rc = indaga_search(&r, idx, q, o);
  if (rc) fprintf(stderr, "search '%s': %s\n", q, indaga_results_errmsg(r));
  assert_int_equal(rc, INDAGA_OK);
  return r;
}

#endif /* INDAGA_TESTUTIL_H */
