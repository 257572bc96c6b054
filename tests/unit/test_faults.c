/*
** test_faults.c: allocation and I/O failure loops through the public API
** (STYLE.md section 4: SQLite's faultsim, libgit2's failalloc).
**
** For N = 1, 2, ... the Nth allocation (or the Nth write/fsync/rename/mmap/
** open) fails, while a sequence runs: open a writer, add documents, commit,
** compact (merge), open the index, search. Each run must end in success or a
** clean error status (INDAGA_ENOMEM, INDAGA_ENOSPC, INDAGA_EIO), leak nothing
** (LeakSanitizer in the ASan build), and leave the index either at the
** previous generation or the next one, passing indaga_check().
**
** A second sequence syncs a directory of real UN documents (tests/data/
** segment), so the walk, os_load_file and the analysing worker threads run
** under the same faults: one file is changed, one removed and one added
** since generation 1, and the index must hold the old three documents or
** the new three.
**
** I/O failures are injected once (a transient error) and sticky (a full
** disk that stays full).
**
** `make test` runs a shortened loop (every STEP-th N); `make stress` sets
** INDAGA_STRESS=1 for every N.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "testutil.h"
#include "indaga.h"
#include "common/common.h"
#include "common/os.h"

static const char *docs[][2] = {
  { "a.txt", "Carta de fecha 16 de noviembre de 2017.\n\n1. Los combatientes terroristas extranjeros.\n2. La financiación del terrorismo.\n" },
  { "b.txt", "---\nsymbol: S/2015/123\nyear: 2015\n---\n\nEl Consejo de Seguridad aprobó la resolución.\n\nAnexo I\n\nInformación adicional sobre la cooperación.\n" },
  { "c.txt", "Declaración.\n\n- Primer punto sobre derechos humanos.\n- Segundo punto sobre la información.\n" },
};

static int ok_or_clean(int rc) {
  return rc == INDAGA_OK || rc == INDAGA_ENOMEM || rc == INDAGA_ENOSPC || rc == INDAGA_EIO;
}

/* Build generation 1 with documents a and b, fault-free. */
static void make_base(const char *dir) {
  indaga_writer *w = NULL;
  assert_int_equal(indaga_writer_open(&w, dir, NULL, NULL), INDAGA_OK);
  for (int i = 0; i < 2; i++)
    assert_int_equal(indaga_writer_add_buffer(w, docs[i][0], docs[i][1], strlen(docs[i][1])), INDAGA_OK);
  assert_int_equal(indaga_writer_commit(w, NULL), INDAGA_OK);
  indaga_writer_close(w);
}

/* The reading half of a faulted run: open the index at @dir and run @query (with @context). */
static int open_and_search(const char *dir, const char *query, unsigned context) {
  indaga_index *idx = NULL;
  int rc = indaga_index_open(&idx, dir, NULL, NULL);
  if (rc == INDAGA_OK) {
    indaga_results *r = NULL;
    indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
    o.context = context;
    rc = indaga_search(&r, idx, query, &o);
    indaga_results_free(r);
  }
  indaga_index_close(idx);
  return rc;
}

/* The faulted sequence. Returns the first failing status or INDAGA_OK. */
static int run_sequence(const char *dir) {
  indaga_writer *w = NULL;
  int rc = indaga_writer_open(&w, dir, NULL, NULL);
  if (rc == INDAGA_OK) rc = indaga_writer_add_buffer(w, docs[2][0], docs[2][1], strlen(docs[2][1]));
  if (rc == INDAGA_OK) rc = indaga_writer_delete(w, "a.txt");
  if (rc == INDAGA_OK) rc = indaga_writer_commit(w, NULL);
  if (rc == INDAGA_OK) rc = indaga_writer_compact(w, NULL);
  indaga_writer_close(w);
  return rc != INDAGA_OK ? rc : open_and_search(dir, "informacion OR \"Consejo de Seguridad\"", 1);
}

/* After a faulted run: the index checks and holds @want documents. */
static void assert_consistent(const char *dir, uint64_t want) {
  char *err = NULL;
  int rc = indaga_check(dir, &err);
  if (rc != INDAGA_OK) fail_msg("check failed: %s", err ? err : indaga_strerror(rc));
  indaga_index *idx = NULL;
  assert_int_equal(indaga_index_open(&idx, dir, NULL, NULL), INDAGA_OK);
  indaga_stats st;
  assert_int_equal(indaga_index_stats(idx, &st), INDAGA_OK);
  assert_int_equal(st.documents, want);
  indaga_index_close(idx);
}

static uint64_t step(void) {
  const char *s = getenv("INDAGA_STRESS");
  return s && *s && *s != '0' ? 1 : 7;
}

/* The tree of the sync sequence: generation 1 from three real documents. */
static const char *sync_docs[] = { "a_69_l_57.txt", "cedaw_c_gab_co_6.txt", "a_ac_121_2015_l_3.txt",
                                   "a_conf_224_1_rev_1.txt" };

static void copy_doc(const char *tree, const char *name, const char *as) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "cp '%s/tests/data/segment/%s' '%s/%s' && chmod u+w '%s/%s'",
           INDAGA_SOURCE_DIR, name, tree, as, tree, as);
  assert_int_equal(system(cmd), 0);
}

/* Index @dir from @tree holding sync_docs 0, 1, 2; then change the tree: 0 edited, 1 removed, 3 added. */
static void make_sync_base(const char *dir, const char *tree) {
  for (int i = 0; i < 3; i++) copy_doc(tree, sync_docs[i], sync_docs[i]);
  indaga_writer *w = NULL;
  indaga_sync_report rep;
  assert_int_equal(indaga_writer_open(&w, dir, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_writer_sync(w, tree, &rep), INDAGA_OK);
  assert_int_equal(rep.added, 3);
  assert_int_equal(indaga_writer_commit(w, NULL), INDAGA_OK);
  indaga_writer_close(w);
  char path[512];
  snprintf(path, sizeof path, "%s/%s", tree, sync_docs[0]);
  FILE *f = fopen(path, "ab");
  assert_non_null(f);
  fputs("\nUn párrafo añadido sobre la cooperación internacional.\n", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/%s", tree, sync_docs[1]);
  assert_int_equal(unlink(path), 0);
  copy_doc(tree, sync_docs[3], sync_docs[3]);
}

/* Warning callback: note when the new document could not be read (then skipped, by design). */
static void on_warning(void *ctx, const char *path, const char *message) {
  (void)message;
  if (strstr(path, sync_docs[3])) *(int *)ctx = 1;
}

static int run_sync_sequence(const char *dir, const char *tree, int *skipped_new) {
  indaga_writer *w = NULL;
  indaga_writer_options wo = INDAGA_WRITER_OPTIONS_INIT;
  wo.threads = 2;
  wo.on_warning = on_warning;
  wo.ctx = skipped_new;
  indaga_sync_report rep;
  int rc = indaga_writer_open(&w, dir, &wo, NULL);
  if (rc == INDAGA_OK) rc = indaga_writer_sync(w, tree, &rep);
  if (rc == INDAGA_OK) rc = indaga_writer_commit(w, NULL);
  indaga_writer_close(w);
  return rc != INDAGA_OK ? rc : open_and_search(dir, "cooperacion internacional", 0);
}

/* One faulted run of the sync sequence; @io: errno for I/O faults, 0 for allocation faults. */
static int sync_once(uint64_t n, int sticky, int io, uint64_t *made) {
  char dir[] = "/tmp/indaga-fsync-XXXXXX", tree[] = "/tmp/indaga-ftree-XXXXXX";
  assert_non_null(mkdtemp(dir));
  assert_non_null(mkdtemp(tree));
  make_sync_base(dir, tree);
  if (io) os__fail_at(OS_FAIL_ALL, n, io, sticky);
  else indaga__alloc_fail_at(n, sticky);
  int skipped_new = 0;
  int rc = run_sync_sequence(dir, tree, &skipped_new);
  *made = io ? os__fail_at(0, 0, 0, 0) : indaga__alloc_fail_at(0, 0);
  if (!ok_or_clean(rc))
    fail_msg("%s %llu (sync): unexpected status %d (%s)", io ? "I/O call" : "allocation",
             (unsigned long long)n, rc, indaga_strerror(rc));
  /* 3 documents (0, 1, 2 of generation 1, or 0', 2, 3), or 2 when the run
     succeeded but could not read the new file 3: a file that cannot be
     read is skipped with a warning, as an unreadable file is. */
  assert_consistent(dir, rc == INDAGA_OK && skipped_new ? 2 : 3);
  tu_rm_rf(dir);
  tu_rm_rf(tree);
  return rc;
}

static void test_faults__sync_loop(void **state) {
  (void)state;
  static const int errs[] = { 0, ENOSPC, EIO };
  for (size_t e = 0; e < 3; e++) {
    for (int sticky = 0; sticky <= 1; sticky++) {
      int succeeded = 0;
      uint64_t n, made = 0;
      for (n = 1; !succeeded && n < 200000; n += errs[e] ? 1 : step()) {
        int rc = sync_once(n, sticky, errs[e], &made);
        if (rc == INDAGA_OK && made < n) succeeded = 1;
      }
      printf("sync loop (%s, %s): no fault left to inject at N = %llu\n", errs[e] ? strerror(errs[e]) : "allocation",
             sticky ? "sticky" : "single", (unsigned long long)n - 1);
      assert_true(succeeded);
    }
  }
}

static void test_faults__allocation_loop(void **state) {
  (void)state;
  int sticky;
  for (sticky = 0; sticky <= 1; sticky++) {
    int succeeded = 0;
    uint64_t last = 0;
    for (uint64_t n = 1; !succeeded && n < 200000; n += step()) {
      char dir[] = "/tmp/indaga-oom-XXXXXX";
      assert_non_null(mkdtemp(dir));
      make_base(dir);
      indaga__alloc_fail_at(n, sticky);
      int rc = run_sequence(dir);
      uint64_t made = indaga__alloc_fail_at(0, 0);
      if (!ok_or_clean(rc)) fail_msg("allocation %llu: unexpected status %d (%s)", (unsigned long long)n, rc, indaga_strerror(rc));
      if (rc == INDAGA_OK && made < n) succeeded = 1;   /* the fault was never reached */
      assert_consistent(dir, 2);   /* generation 1: a, b; after the sequence: b, c (a deleted) */
      tu_rm_rf(dir);
      last = n;
    }
    printf("allocation loop (%s): no fault left to inject at N = %llu\n", sticky ? "sticky" : "single", (unsigned long long)last);
    assert_true(succeeded);
  }
}

static void test_faults__io_loop(void **state) {
  (void)state;
  static const int errs[] = { ENOSPC, EIO };
  for (size_t e = 0; e < 4; e++) {
    int succeeded = 0, sticky = e >= 2;
    uint64_t last = 0;
    for (uint64_t n = 1; !succeeded && n < 100000; n++) {
      char dir[] = "/tmp/indaga-io-XXXXXX";
      assert_non_null(mkdtemp(dir));
      make_base(dir);
      os__fail_at(OS_FAIL_ALL, n, errs[e % 2], sticky);
      int rc = run_sequence(dir);
      uint64_t made = os__fail_at(0, 0, 0, 0);
      if (!ok_or_clean(rc)) fail_msg("I/O call %llu: unexpected status %d (%s)", (unsigned long long)n, rc, indaga_strerror(rc));
      if (rc == INDAGA_OK && made < n) succeeded = 1;
      assert_consistent(dir, 2);   /* generation 1: a, b; after the sequence: b, c (a deleted) */
      tu_rm_rf(dir);
      last = n;
    }
    printf("I/O loop (%s, %s): no fault left to inject at N = %llu\n", strerror(errs[e % 2]), sticky ? "sticky" : "single",
           (unsigned long long)last);
    assert_true(succeeded);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_faults__allocation_loop),
    cmocka_unit_test(test_faults__io_loop),
    cmocka_unit_test(test_faults__sync_loop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
