/*
** test_generations.c: the roots, generations and integrity ties of an index
** through the public API (include/indaga.h; writer.c, snapshot.c,
** manifest.c), on data the repository ships (tests/data/segment):
**
**   - a sync with other roots is INDAGA_EREFUSED naming both lists and
**     changes nothing; PRUNE replaces the roots, ADD joins them; DRY_RUN
**     reports each change through on_change and changes nothing; a file
**     root removes what it does not yield; version 1 options cannot ask for
**     the version 2 flags;
**   - rollback returns to the previous generation's documents and roots,
**     twice undoes, and after compact there is nothing to return to;
**     compact leaves only its own files;
**   - a segment of another index, or an older copy of a live segment's
**     file, is refused by open and check even with the same counts;
**   - a damaged or deleted newest manifest gives a note (never silence),
**     fails check, and stops the writer;
**   - readers opening the index again and again while a writer commits,
**     compacts and rolls back never fail and never get a note: the races
**     of opening against a commit are retried, not reported.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <pthread.h>
#include <unistd.h>
#include <cmocka.h>
#include "testutil.h"
#include "indaga.h"

#define SEGDATA INDAGA_SOURCE_DIR "/tests/data/segment"

/* A tree of @n files of tests/data/segment (first in name order) under @dir/@sub. */
static void make_tree(const char *dir, const char *sub, const char *const *names, size_t n) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "mkdir -p '%s/%s'", dir, sub);
  assert_int_equal(system(cmd), 0);
  for (size_t i = 0; i < n; i++) {
    snprintf(cmd, sizeof cmd, "cp '%s/%s' '%s/%s/'", SEGDATA, names[i], dir, sub);
    assert_int_equal(system(cmd), 0);
  }
}

static const char *const A[] = { "a_68_908.txt", "a_69_680.txt", "a_69_714.txt" };
static const char *const B[] = { "cedaw_c_gab_co_6.txt", "dp_2015_23.txt" };

typedef struct changes {
  int add, update, remove;
} changes;

static void count_change(void *ctx, int kind, const char *doc) {
  changes *c = ctx;
  assert_non_null(doc);
  if (kind == INDAGA_CHANGE_ADD) c->add++;
  else if (kind == INDAGA_CHANGE_UPDATE) c->update++;
  else if (kind == INDAGA_CHANGE_REMOVE) c->remove++;
  else fail();
}

/* Open a writer with @flags, sync @roots, commit; returns the sync's status. */
static int run(const char *ix, unsigned flags, const char *const *roots, size_t n, changes *ch,
               indaga_sync_report *rep, uint64_t *gen) {
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.flags = flags;
  o.on_change = count_change;
  o.ctx = ch;
  o.threads = 1;
  indaga_writer *w = NULL;
  assert_int_equal(indaga_writer_open(&w, ix, &o, NULL), INDAGA_OK);
  int rc = indaga_writer_sync_many(w, roots, n, rep);
  if (rc == INDAGA_EREFUSED) {
    const char *m = indaga_writer_errmsg(w);
    assert_non_null(m);
    assert_non_null(strstr(m, "refused"));
  }
  if (rc == INDAGA_OK) assert_int_equal(indaga_writer_commit(w, gen), INDAGA_OK);
  indaga_writer_close(w);
  return rc;
}

static indaga_stats stats(const char *ix) {
  indaga_index *idx = NULL;
  indaga_stats st;
  assert_int_equal(indaga_index_open(&idx, ix, NULL, NULL), INDAGA_OK);
  assert_null(indaga_index_note(idx));
  assert_int_equal(indaga_index_stats(idx, &st), INDAGA_OK);
  indaga_index_close(idx);
  return st;
}

static int has_doc(const char *ix, const char *doc) {
  indaga_index *idx = NULL;
  indaga_document *d = NULL;
  assert_int_equal(indaga_index_open(&idx, ix, NULL, NULL), INDAGA_OK);
  int rc = indaga_document_get(&d, idx, doc, NULL);
  indaga_document_free(d);
  indaga_index_close(idx);
  return rc == INDAGA_OK;
}

static int files_with(const char *dir, const char *part) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) n += strstr(e->d_name, part) != NULL;
  closedir(d);
  return n;
}

static void test_generations__roots_refuse_prune_add_dry_run(void **state) {
  (void)state;
  char *t = tu_tmpdir("gen");
  char ix[1100], a[1100], b[1100], afile[1200];
  snprintf(ix, sizeof ix, "%s/ix", t);
  snprintf(a, sizeof a, "%s/a", t);
  snprintf(b, sizeof b, "%s/b", t);
  snprintf(afile, sizeof afile, "%s/a/a_68_908.txt", t);
  make_tree(t, "a", A, 3);
  make_tree(t, "b", B, 2);
  changes ch = { 0 };
  indaga_sync_report r;
  uint64_t gen = 0;
  const char *both[] = { a, b }, *only_b[] = { b }, *only_a[] = { a }, *file[] = { afile };
  assert_int_equal(run(ix, 0, both, 2, &ch, &r, &gen), INDAGA_OK);
  assert_int_equal(r.added, 5);
  /* the roots are recorded, absolute */
  indaga_index *idx = NULL;
  assert_int_equal(indaga_index_open(&idx, ix, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_index_root_count(idx), 2);
  assert_true(indaga_index_root(idx, 0)[0] == '/');
  assert_null(indaga_index_root(idx, 2));
  indaga_index_close(idx);
  /* other roots: refused, nothing changed */
  assert_int_equal(run(ix, 0, only_b, 1, &ch, &r, &gen), INDAGA_EREFUSED);
  assert_int_equal(stats(ix).documents, 5);
  assert_int_equal(stats(ix).generation, 1);
  /* a dry run of --prune: each change reported, nothing committed */
  memset(&ch, 0, sizeof ch);
  assert_int_equal(run(ix, INDAGA_WRITER_PRUNE | INDAGA_WRITER_DRY_RUN, only_b, 1, &ch, &r, &gen), INDAGA_OK);
  assert_int_equal(ch.add, 2);      /* b's files lose the "b/" prefix */
  assert_int_equal(ch.remove, 5);
  assert_int_equal(r.added, 2);
  assert_int_equal(r.removed, 5);
  assert_int_equal(gen, 1);
  assert_int_equal(stats(ix).documents, 5);
  assert_int_equal(stats(ix).generation, 1);
  /* a dry run that would update: a changed file */
  FILE *f = fopen(afile, "a");
  assert_non_null(f);
  fputs("\n\nPárrafo añadido sobre el desarme.\n", f);
  fclose(f);
  memset(&ch, 0, sizeof ch);
  assert_int_equal(run(ix, INDAGA_WRITER_DRY_RUN, both, 2, &ch, &r, &gen), INDAGA_OK);
  assert_int_equal(ch.update, 1);
  assert_int_equal(ch.add + ch.remove, 0);
  assert_int_equal(r.unchanged, 4);
  /* --prune */
  assert_int_equal(run(ix, INDAGA_WRITER_PRUNE, only_b, 1, &ch, &r, &gen), INDAGA_OK);
  assert_int_equal(gen, 2);
  assert_int_equal(stats(ix).documents, 2);
  assert_true(has_doc(ix, "dp_2015_23.txt"));
  /* --add: a joins b; the run covers both (ids get their directory's name) */
  assert_int_equal(run(ix, INDAGA_WRITER_ADD, only_a, 1, &ch, &r, &gen), INDAGA_OK);
  assert_int_equal(stats(ix).documents, 5);
  assert_true(has_doc(ix, "a/a_68_908.txt") && has_doc(ix, "b/dp_2015_23.txt"));
  assert_int_equal(run(ix, 0, both, 2, &ch, &r, &gen), INDAGA_OK);
  assert_int_equal(r.unchanged, 5);
  /* a file root: what it does not yield is removed */
  assert_int_equal(run(ix, INDAGA_WRITER_PRUNE, file, 1, &ch, &r, &gen), INDAGA_OK);
  assert_int_equal(stats(ix).documents, 1);
  assert_true(has_doc(ix, "a_68_908.txt"));
  /* a root that does not exist: an error, nothing changed */
  char gone[1200];
  snprintf(gone, sizeof gone, "%s/no-such-dir", t);
  const char *bad[] = { gone };
  assert_int_equal(run(ix, INDAGA_WRITER_PRUNE, bad, 1, &ch, &r, &gen), INDAGA_ENOTFOUND);
  assert_int_equal(stats(ix).documents, 1);
  /* version 1 options cannot ask for version 2 flags; PRUNE and ADD exclude each other */
  indaga_writer_options v1 = { 1, INDAGA_WRITER_PRUNE, 0, 0, NULL, NULL, NULL, NULL };
  indaga_writer *w = NULL;
  char *err = NULL;
  assert_int_equal(indaga_writer_open(&w, ix, &v1, &err), INDAGA_EMISUSE);
  assert_non_null(err);
  indaga_free(err);
  indaga_writer_options both_flags = INDAGA_WRITER_OPTIONS_INIT;
  both_flags.flags = INDAGA_WRITER_PRUNE | INDAGA_WRITER_ADD;
  assert_int_equal(indaga_writer_open(&w, ix, &both_flags, NULL), INDAGA_EMISUSE);
  assert_int_equal(indaga_check(ix, NULL), INDAGA_OK);
  tu_rm_rf(t);
  free(t);
}

static void test_generations__rollback_and_compact(void **state) {
  (void)state;
  char *t = tu_tmpdir("gen");
  char ix[1100], a[1100], b[1100];
  snprintf(ix, sizeof ix, "%s/ix", t);
  snprintf(a, sizeof a, "%s/a", t);
  snprintf(b, sizeof b, "%s/b", t);
  make_tree(t, "a", A, 3);
  make_tree(t, "b", B, 2);
  changes ch = { 0 };
  indaga_sync_report r;
  uint64_t gen = 0;
  const char *only_a[] = { a }, *only_b[] = { b };
  indaga_writer *w = NULL;
  /* the first generation has nothing to return to */
  assert_int_equal(run(ix, 0, only_a, 1, &ch, &r, &gen), INDAGA_OK);
  assert_int_equal(indaga_writer_open(&w, ix, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_writer_rollback(w, &gen), INDAGA_ENOTFOUND);
  assert_non_null(strstr(indaga_writer_errmsg(w), "keeps no previous generation"));
  indaga_writer_close(w);
  assert_int_equal(run(ix, INDAGA_WRITER_PRUNE, only_b, 1, &ch, &r, &gen), INDAGA_OK);
  assert_int_equal(stats(ix).documents, 2);
  /* rollback: generation 3 holds generation 1's documents and roots */
  assert_int_equal(indaga_writer_open(&w, ix, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_writer_rollback(w, &gen), INDAGA_OK);
  assert_int_equal(gen, 3);
  indaga_writer_close(w);
  assert_int_equal(stats(ix).documents, 3);
  assert_true(has_doc(ix, "a_69_714.txt"));
  assert_int_equal(run(ix, 0, only_a, 1, &ch, &r, &gen), INDAGA_OK);   /* a's roots are back */
  assert_int_equal(r.unchanged, 3);
  assert_int_equal(indaga_check(ix, NULL), INDAGA_OK);
  /* twice: back to generation 2's */
  assert_int_equal(indaga_writer_open(&w, ix, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_writer_rollback(w, &gen), INDAGA_OK);
  assert_int_equal(gen, 4);
  indaga_writer_close(w);
  assert_int_equal(stats(ix).documents, 2);
  assert_true(has_doc(ix, "dp_2015_23.txt"));
  /* a dry run changes nothing */
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.flags = INDAGA_WRITER_DRY_RUN;
  assert_int_equal(indaga_writer_open(&w, ix, &o, NULL), INDAGA_OK);
  assert_int_equal(indaga_writer_rollback(w, &gen), INDAGA_OK);
  indaga_writer_close(w);
  assert_int_equal(stats(ix).generation, 4);
  /* compact: only its own files remain, and no previous generation */
  assert_true(files_with(ix, ".seg") > 1);
  assert_int_equal(indaga_writer_open(&w, ix, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_writer_compact(w, &gen), INDAGA_OK);
  assert_int_equal(gen, 5);
  assert_int_equal(indaga_writer_rollback(w, &gen), INDAGA_ENOTFOUND);
  indaga_writer_close(w);
  assert_int_equal(files_with(ix, ".seg"), 1);
  assert_int_equal(files_with(ix, "manifest."), 1);
  assert_int_equal(files_with(ix, ".del."), 0);
  assert_int_equal(files_with(ix, "pending."), 0);
  assert_int_equal(stats(ix).documents, 2);
  assert_int_equal(indaga_check(ix, NULL), INDAGA_OK);
  tu_rm_rf(t);
  free(t);
}

/* Copy file @from to @to. */
static void copy_file(const char *from, const char *to) {
  size_t n;
  char *p = tu_read_file(from, &n);
  tu_write_file(to, p, n);
  free(p);
}

static void expect_refused(const char *ix, const char *file, const char *why) {
  indaga_index *idx = NULL;
  char *err = NULL;
  assert_int_equal(indaga_index_open(&idx, ix, NULL, &err), INDAGA_ECORRUPT);
  assert_null(idx);
  assert_non_null(strstr(err, file));
  assert_non_null(strstr(err, why));
  indaga_free(err);
  err = NULL;
  assert_int_equal(indaga_check(ix, &err), INDAGA_ECORRUPT);
  assert_non_null(strstr(err, file));
  indaga_free(err);
}

static void test_generations__foreign_and_stale_segments(void **state) {
  (void)state;
  char *t = tu_tmpdir("gen");
  char ix[1100], twin[1100], a[1100], seg[1200], orig[1200], path[1200];
  snprintf(ix, sizeof ix, "%s/ix", t);
  snprintf(twin, sizeof twin, "%s/twin", t);
  snprintf(a, sizeof a, "%s/a", t);
  snprintf(seg, sizeof seg, "%s/seg-1.seg", ix);
  snprintf(orig, sizeof orig, "%s/orig.seg", t);
  make_tree(t, "a", A, 3);
  changes ch = { 0 };
  indaga_sync_report r;
  uint64_t gen;
  const char *only_a[] = { a };
  assert_int_equal(run(ix, 0, only_a, 1, &ch, &r, &gen), INDAGA_OK);
  assert_int_equal(run(twin, 0, only_a, 1, &ch, &r, &gen), INDAGA_OK);
  /* the same documents indexed into another index: the same counts, another id */
  copy_file(seg, orig);
  snprintf(path, sizeof path, "%s/seg-1.seg", twin);
  copy_file(path, seg);
  expect_refused(ix, "seg-1.seg", "another index");
  copy_file(orig, seg);
  assert_int_equal(indaga_check(ix, NULL), INDAGA_OK);
  /* a rebuild of the same tree writes seg-2.seg (generation 2); the older
     seg-1.seg (generation 1, same index, same counts) put in its place */
  assert_int_equal(run(ix, INDAGA_WRITER_FULL, only_a, 1, &ch, &r, &gen), INDAGA_OK);
  assert_int_equal(gen, 2);
  snprintf(path, sizeof path, "%s/seg-2.seg", ix);
  copy_file(orig, path);
  expect_refused(ix, "seg-2.seg", "stale or foreign copy");
  tu_rm_rf(t);
  free(t);
}

/* Open @ix: it opens, generation @gen, with a note containing @what. */
static void expect_note(const char *ix, uint64_t gen, const char *what) {
  indaga_index *idx = NULL;
  indaga_stats st;
  assert_int_equal(indaga_index_open(&idx, ix, NULL, NULL), INDAGA_OK);
  const char *note = indaga_index_note(idx);
  assert_non_null(note);
  if (!strstr(note, what)) fail_msg("note '%s' lacks '%s'", note, what);
  indaga_index_stats(idx, &st);
  assert_int_equal(st.generation, gen);
  indaga_index_close(idx);
}

static void test_generations__damaged_or_deleted_newest_manifest(void **state) {
  (void)state;
  char *t = tu_tmpdir("gen");
  char ix[1100], a[1100], m[1200], saved[1200], path[1200];
  snprintf(ix, sizeof ix, "%s/ix", t);
  snprintf(a, sizeof a, "%s/a", t);
  snprintf(saved, sizeof saved, "%s/saved", t);
  make_tree(t, "a", A, 2);
  changes ch = { 0 };
  indaga_sync_report r;
  uint64_t gen;
  const char *only_a[] = { a };
  /* two generations: the second's segment, no manifest naming it, no pending mark */
  assert_int_equal(run(ix, 0, only_a, 1, &ch, &r, &gen), INDAGA_OK);
  make_tree(t, "a", A + 2, 1);
  assert_int_equal(run(ix, 0, only_a, 1, &ch, &r, &gen), INDAGA_OK);
  snprintf(m, sizeof m, "%s/manifest.2", ix);
  copy_file(m, saved);
  assert_int_equal(unlink(m), 0);
  expect_note(ix, 1, "manifest.2 was deleted");
  char *err = NULL;
  assert_int_equal(indaga_check(ix, &err), INDAGA_ECORRUPT);
  assert_non_null(strstr(err, "manifest.2 was deleted"));
  indaga_free(err);
  indaga_writer *w = NULL;
  err = NULL;
  assert_int_equal(indaga_writer_open(&w, ix, NULL, &err), INDAGA_ECORRUPT);
  assert_non_null(strstr(err, "index --full"));
  indaga_free(err);
  copy_file(saved, m);
  assert_int_equal(indaga_check(ix, NULL), INDAGA_OK);
  /* a third generation: its predecessor kept, the first removed */
  snprintf(path, sizeof path, "%s/a/a_68_908.txt", t);
  assert_int_equal(unlink(path), 0);
  assert_int_equal(run(ix, 0, only_a, 1, &ch, &r, &gen), INDAGA_OK);
  assert_int_equal(gen, 3);
  snprintf(m, sizeof m, "%s/manifest.3", ix);
  copy_file(m, saved);
  assert_int_equal(unlink(m), 0);
  expect_note(ix, 2, "manifest.1 is missing");
  assert_int_equal(indaga_check(ix, NULL), INDAGA_ECORRUPT);
  /* damaged instead: the previous generation, with a note naming the file */
  copy_file(saved, m);
  size_t n;
  char *p = tu_read_file(m, &n);
  p[n / 2] ^= 0x20;
  tu_write_file(m, p, n);
  free(p);
  expect_note(ix, 2, "manifest.3");
  err = NULL;
  assert_int_equal(indaga_check(ix, &err), INDAGA_ECORRUPT);
  assert_non_null(strstr(err, "manifest.3"));
  indaga_free(err);
  /* every manifest gone, segments written by generation 2 and 3 there: not "no index" */
  char cmd[1300];
  snprintf(cmd, sizeof cmd, "rm '%s'/manifest.*", ix);
  assert_int_equal(system(cmd), 0);
  indaga_index *idx = NULL;
  err = NULL;
  assert_int_equal(indaga_index_open(&idx, ix, NULL, &err), INDAGA_ECORRUPT);
  assert_non_null(strstr(err, "manifests were deleted"));
  indaga_free(err);
  tu_rm_rf(t);
  free(t);
}

typedef struct race {
  const char *ix;
  _Atomic int done;
  _Atomic int opens, failures, notes;
} race;

static void *opener(void *arg) {
  race *r = arg;
  while (!r->done) {
    indaga_index *idx = NULL;
    char *err = NULL;
    int rc = indaga_index_open(&idx, r->ix, NULL, &err);
    if (rc != INDAGA_OK) {
      fprintf(stderr, "open during commits: %s\n", err ? err : indaga_strerror(rc));
      r->failures++;
    } else if (indaga_index_note(idx)) {
      fprintf(stderr, "note during commits: %s\n", indaga_index_note(idx));
      r->notes++;
    } else {
      indaga_results *res = NULL;
      if (indaga_search(&res, idx, "derechos", NULL) != INDAGA_OK) r->failures++;
      indaga_results_free(res);
    }
    r->opens++;
    indaga_free(err);
    indaga_index_close(idx);
  }
  return NULL;
}

static void test_generations__readers_during_commits_compacts_rollbacks(void **state) {
  (void)state;
  char *t = tu_tmpdir("gen");
  char ix[1100], a[1100];
  snprintf(ix, sizeof ix, "%s/ix", t);
  snprintf(a, sizeof a, "%s/a", t);
  make_tree(t, "a", A, 3);
  changes ch = { 0 };
  indaga_sync_report rep;
  uint64_t gen;
  const char *only_a[] = { a };
  assert_int_equal(run(ix, 0, only_a, 1, &ch, &rep, &gen), INDAGA_OK);
  race r = { ix, 0, 0, 0, 0 };
  pthread_t th[2];
  for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&th[i], NULL, opener, &r), 0);
  for (int i = 0; i < 24; i++) {
    indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
    o.memory_budget = 64 << 10;   /* several segments and deletion files per commit */
    o.threads = 1;
    indaga_writer *w = NULL;
    assert_int_equal(indaga_writer_open(&w, ix, &o, NULL), INDAGA_OK);
    char doc[64], text[256];
    snprintf(doc, sizeof doc, "nota-%d.txt", i % 5);
    snprintf(text, sizeof text, "Nota %d sobre los derechos humanos.\n\nOtro párrafo %d.\n", i, i);
    if (i % 6 == 5) assert_int_equal(indaga_writer_compact(w, &gen), INDAGA_OK);
    else if (i % 6 == 2) assert_int_equal(indaga_writer_rollback(w, &gen), INDAGA_OK);
    else {
      assert_int_equal(indaga_writer_add_buffer(w, doc, text, strlen(text)), INDAGA_OK);
      assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
    }
    indaga_writer_close(w);
  }
  r.done = 1;
  for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
  printf("readers opened %d snapshots during 24 commits, compacts and rollbacks\n", (int)r.opens);
  assert_true(r.opens > 0);
  assert_int_equal(r.failures, 0);
  assert_int_equal(r.notes, 0);
  assert_int_equal(indaga_check(ix, NULL), INDAGA_OK);
  tu_rm_rf(t);
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_generations__roots_refuse_prune_add_dry_run),
    cmocka_unit_test(test_generations__rollback_and_compact),
    cmocka_unit_test(test_generations__foreign_and_stale_segments),
    cmocka_unit_test(test_generations__damaged_or_deleted_newest_manifest),
    cmocka_unit_test(test_generations__readers_during_commits_compacts_rollbacks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
