/*
** testutil.h: small helpers the unit tests share (temporary directories,
** whole-file reads and writes). Header-only, since each tests/unit/test_*.c
** is its own program; include it after <cmocka.h>. Every helper fails the
** running test (cmocka assertions) instead of returning an error.
*/
#ifndef INDAGA_TESTUTIL_H
#define INDAGA_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif /* INDAGA_TESTUTIL_H */
