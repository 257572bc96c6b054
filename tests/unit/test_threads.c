/*
** test_threads.c: eight threads search one shared index handle while a
** writer in another thread commits new generations. Every search must
** succeed and see a consistent snapshot: the hit count for a query that
** only the original corpus matches never changes. Run under ThreadSanitizer
** by `make test` (build-tsan).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "indaga.h"

#define NTHREADS 8
#define NSEARCH 40
#define NCOMMITS 6

typedef struct shared {
  indaga_index *idx;
  const char *dir;
  uint64_t expect;         /* matches of the stable query */
  int failures;
  pthread_mutex_t mu;
} shared;

static void *searcher(void *arg) {
  shared *s = arg;
  static const char *queries[] = {
    "combatientes terroristas extranjeros", "\"Consejo de Seguridad\"", "informacion",
    "terroris*", "derechos humanos", "yihad NEAR/3 autónoma",
  };
  for (int i = 0; i < NSEARCH; i++) {
    indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
    indaga_results *r = NULL;
    const char *q = queries[i % 6];
    int rc = indaga_search(&r, s->idx, q, &o);
    int bad = rc != INDAGA_OK || indaga_results_count(r) == 0;
    if (!bad && i % 6 == 0) bad = indaga_results_total(r) != s->expect;
    if (bad) {
      pthread_mutex_lock(&s->mu);
      s->failures++;
      pthread_mutex_unlock(&s->mu);
    }
    indaga_results_free(r);
  }
  return NULL;
}

static void *writer(void *arg) {
  shared *s = arg;
  for (int i = 0; i < NCOMMITS; i++) {
    indaga_writer *w = NULL;
    indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
    o.flags = INDAGA_WRITER_WAIT;
    if (indaga_writer_open(&w, s->dir, &o, NULL) != INDAGA_OK) { s->failures++; return NULL; }
    char doc[64], text[256];
    snprintf(doc, sizeof doc, "nuevo-%d.txt", i);
    snprintf(text, sizeof text, "Informe número %d sobre la cooperación regional.\n\nSegundo párrafo %d.\n", i, i);
    if (indaga_writer_add_buffer(w, doc, text, strlen(text)) != INDAGA_OK ||
        indaga_writer_commit(w, NULL) != INDAGA_OK) {
      pthread_mutex_lock(&s->mu);
      s->failures++;
      pthread_mutex_unlock(&s->mu);
    }
    indaga_writer_close(w);
  }
  return NULL;
}

static void test_threads__search_while_committing(void **state) {
  (void)state;
  char dir[] = "/tmp/indaga-threads-XXXXXX";
  assert_non_null(mkdtemp(dir));
  indaga_writer *w = NULL;
  assert_int_equal(indaga_writer_open(&w, dir, NULL, NULL), INDAGA_OK);
  indaga_sync_report rep;
  assert_int_equal(indaga_writer_sync(w, INDAGA_SOURCE_DIR "/corpus", &rep), INDAGA_OK);
  assert_int_equal(indaga_writer_commit(w, NULL), INDAGA_OK);
  indaga_writer_close(w);

  shared s;
  memset(&s, 0, sizeof s);
  s.dir = dir;
  pthread_mutex_init(&s.mu, NULL);
  assert_int_equal(indaga_index_open(&s.idx, dir, NULL, NULL), INDAGA_OK);
  indaga_results *r = NULL;
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  assert_int_equal(indaga_search(&r, s.idx, "combatientes terroristas extranjeros", &o), INDAGA_OK);
  s.expect = indaga_results_total(r);
  assert_true(s.expect > 0);
  indaga_results_free(r);

  pthread_t t[NTHREADS + 1];
  for (int i = 0; i < NTHREADS; i++) assert_int_equal(pthread_create(&t[i], NULL, searcher, &s), 0);
  assert_int_equal(pthread_create(&t[NTHREADS], NULL, writer, &s), 0);
  for (int i = 0; i <= NTHREADS; i++) pthread_join(t[i], NULL);
  assert_int_equal(s.failures, 0);

  /* The old snapshot still sees the old generation; a refresh sees the new documents. */
  indaga_stats st0, st1;
  assert_int_equal(indaga_index_stats(s.idx, &st0), INDAGA_OK);
  assert_int_equal(indaga_index_refresh(&s.idx, NULL), INDAGA_OK);
  assert_int_equal(indaga_index_stats(s.idx, &st1), INDAGA_OK);
  assert_true(st1.generation > st0.generation);
  assert_int_equal(st1.documents, st0.documents + NCOMMITS);
  indaga_index_close(s.idx);
  pthread_mutex_destroy(&s.mu);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_threads__search_while_committing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
