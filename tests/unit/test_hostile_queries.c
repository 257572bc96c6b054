/*
** test_hostile_queries.c: queries nobody should type, through the public API
** (issue 8). The index is the project's corpus/ (real UN documents), built
** once in a temporary directory.
**
** Every query must come back with an answer (INDAGA_OK, hits or none) or a
** clear error (INDAGA_EMISUSE "empty query ..."), never a crash, in bounded
** memory: the test reads its own peak RSS (getrusage) after each case and
** fails when one query raised it by more than 256 MiB. There is no timing
** threshold; ctest's timeout stops a query that would not end, and the
** per-case time is printed for the report.
**
** Cases: 10,000 terms; 1 MB of real text as one query; 100,000 nested
** parentheses (and unbalanced ones, and nested quotes/NOT); "*" alone and
** other operator-only strings; only stopwords; NUL-free binary junk; very
** long words and prefixes; a NEAR with a huge distance.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "indaga.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static char g_dir[] = "/tmp/indaga-hq-XXXXXX";
static indaga_index *g_idx;

static long peak_rss_kb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int setup(void **state) {
  (void)state;
  if (!mkdtemp(g_dir)) return -1;
  indaga_writer *w = NULL;
  indaga_sync_report rep;
  if (indaga_writer_open(&w, g_dir, NULL, NULL) != INDAGA_OK) return -1;
  int rc = indaga_writer_sync(w, INDAGA_SOURCE_DIR "/corpus", &rep);
  if (rc == INDAGA_OK) rc = indaga_writer_commit(w, NULL);
  indaga_writer_close(w);
  if (rc != INDAGA_OK) return -1;
  return indaga_index_open(&g_idx, g_dir, NULL, NULL) == INDAGA_OK ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  indaga_index_close(g_idx);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
  return system(cmd) == 0 ? 0 : -1;
}

/*
** Run @q; it must answer (INDAGA_OK) or, when @may_be_empty, say
** "empty query". Hits must be well formed. Returns the number of hits.
*/
static size_t run(const char *name, const char *q, int may_be_empty) {
  long rss0 = peak_rss_kb();
  double t0 = now_s();
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.context = 1;
  indaga_results *r = NULL;
  int rc = indaga_search(&r, g_idx, q, &o);
  double dt = now_s() - t0;
  size_t n = 0;
  if (rc == INDAGA_EMISUSE && may_be_empty) {
    const char *m = indaga_results_errmsg(r);
    assert_non_null(m);
    if (strncmp(m, "empty query", 11) != 0) fail_msg("%s: EMISUSE with message '%s'", name, m);
  } else {
    if (rc != INDAGA_OK)
      fail_msg("%s: status %d (%s): %s", name, rc, indaga_strerror(rc),
               r && indaga_results_errmsg(r) ? indaga_results_errmsg(r) : "");
    n = indaga_results_count(r);
    for (size_t i = 0; i < n; i++) {
      const indaga_hit *h = indaga_results_hit(r, i);
      assert_non_null(h);
      assert_non_null(h->doc);
      for (size_t j = 0; j < h->nhighlights; j++)
        assert_true(h->highlights[j].start < h->highlights[j].end &&
                    h->highlights[j].end <= h->snippet_len);
    }
  }
  const char *note = r ? indaga_results_note(r) : NULL;
  printf("  %-28s %zu bytes: status %d, %zu hits, %.3f s, peak RSS +%ld KiB%s%.80s\n", name, strlen(q), rc,
         n, dt, peak_rss_kb() - rss0, note ? ", note: " : "", note ? note : "");
  indaga_results_free(r);
  if (peak_rss_kb() - rss0 > 256L * 1024) fail_msg("%s: peak RSS grew by %ld KiB", name, peak_rss_kb() - rss0);
  return n;
}

/* A buffer of @n copies of @unit followed by @tail (caller frees). */
static char *repeat(const char *head, const char *unit, size_t n, const char *tail) {
  size_t nh = strlen(head), nu = strlen(unit), nt = strlen(tail);
  char *q = malloc(nh + nu * n + nt + 1);
  assert_non_null(q);
  memcpy(q, head, nh);
  for (size_t i = 0; i < n; i++) memcpy(q + nh + i * nu, unit, nu);
  memcpy(q + nh + nu * n, tail, nt + 1);
  return q;
}

/* run() on repeat(@head, @unit, @n, @tail); returns the hits. */
static size_t run_repeated(const char *name, const char *head, const char *unit, size_t n,
                           const char *tail, int may_be_empty) {
  char *q = repeat(head, unit, n, tail);
  size_t hits = run(name, q, may_be_empty);
  free(q);
  return hits;
}

/* Real words: the corpus's own text, split on blanks. */
static char *real_text(size_t want) {
  FILE *f = fopen(INDAGA_SOURCE_DIR "/tests/data/docmodel/carta_krasnodar_2017.txt", "rb");
  assert_non_null(f);
  char src[8192];
  size_t ns = fread(src, 1, sizeof src, f);
  fclose(f);
  assert_true(ns > 1000);
  char *q = malloc(want + 1);
  assert_non_null(q);
  for (size_t i = 0; i < want; i++) {
    char c = src[i % ns];
    q[i] = c == 0 ? ' ' : c;
  }
  q[want] = 0;
  return q;
}

static void test_hostile_queries__many_terms(void **state) {
  (void)state;
  /* 10,000 distinct-ish real terms ANDed: nothing matches all, the answer is no hits */
  char *q = real_text(120000);
  size_t words = 0, i = 0;
  for (; q[i] && words < 10000; i++)
    if (q[i] == ' ' || q[i] == '\n') words++;
  q[i] = 0;
  assert_int_equal(run("10,000 terms (AND)", q, 0), 0);
  free(q);
  /* 10,000 terms ORed: a real answer, top 10 */
  assert_int_equal(run_repeated("10,000 terms (OR)", "",
                                "combatientes OR terroristas OR informacion OR consejo OR ", 2500,
                                "seguridad", 0), 10);
}

static void test_hostile_queries__megabyte(void **state) {
  (void)state;
  char *q = real_text(1 << 20);
  run("1 MB of real text", q, 0);
  free(q);
  assert_true(run_repeated("40,000 phrases", "", "\"Consejo de Seguridad\" ", 40000, "", 0) > 0);
}

static void test_hostile_queries__nesting(void **state) {
  (void)state;
  char *opened = repeat("", "(", 100000, "terroristas");
  assert_true(run_repeated("100,000 nested ( )", opened, ")", 100000, "", 0) > 0);
  free(opened);
  run_repeated("100,000 unclosed (", "", "(", 100000, "", 1);
  assert_true(run_repeated("100,000 unopened )", "terroristas ", ")", 100000, "", 0) > 0);
  run_repeated("30,000 NOT ( nested", "", "NOT (", 30000, "terroristas", 1);
  run_repeated("100,000 minus signs", "", "-", 100000, "terroristas", 1);
  run_repeated("100,001 quotes", "", "\"", 100001, "consejo", 1);
}

static void test_hostile_queries__operators_alone(void **state) {
  (void)state;
  static const char *const qs[] = { "*", "**", "* * *", "OR", "AND", "NOT", "NEAR/5", "\"\"", "()",
                                    "-", "symbol:", "year:", "doc:*", "title:\"\"", "NEAR/99999999999",
                                    "a NEAR/4294967296 b", "", " \t\n" };
  for (size_t i = 0; i < ARRAY_LEN(qs); i++) run(qs[i][0] ? qs[i] : "(empty)", qs[i], 1);
  /* real words with hostile operators still answer */
  assert_true(run("NEAR with the largest distance", "combatientes NEAR/9999 extranjeros", 0) > 0);
  /* more digits than NEAR/n takes: the token is read as words (DESIGN.md), no hits, no error */
  run("NEAR with a 2^32-1 distance", "combatientes NEAR/4294967295 extranjeros", 0);
  assert_true(run("prefix of one letter", "c*", 0) > 0);
}

static void test_hostile_queries__stopwords(void **state) {
  (void)state;
  run("only stopwords", "de la el y en los del las por", 1);
  run_repeated("40,000 stopwords", "", "de la que el en y a los ", 5000, "", 1);
  /* as a phrase, stopwords are searchable (DESIGN.md: they are indexed with positions) */
  assert_true(run("stopword phrase", "\"de la\"", 0) > 0);
}

static void test_hostile_queries__binary_junk(void **state) {
  (void)state;
  uint64_t x = 0x9e3779b97f4a7c15u;
  for (int round = 0; round < 20; round++) {
    size_t n = (size_t)1 << (round % 16);
    char *q = malloc(n + 1);
    assert_non_null(q);
    for (size_t i = 0; i < n; i++) {
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      q[i] = (char)(x % 255 + 1);   /* 1..255: NUL-free */
    }
    q[n] = 0;
    char name[32];
    snprintf(name, sizeof name, "binary junk #%d", round);
    run(name, q, 1);
    free(q);
  }
  run_repeated("invalid UTF-8, 900 KB", "", "\xff\xfe\xc3", 300000, "", 1);
}

static void test_hostile_queries__long_words(void **state) {
  (void)state;
  run_repeated("one 1 MB word", "", "a", 1 << 20, "", 1);
  run_repeated("600 KB prefix", "", "terror", 100000, "*", 1);
  run_repeated("500,000-digit number", "", "9", 500000, "", 1);
  run_repeated("250 KB symbol-like token", "S/RES/", "2354/", 50000, "", 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hostile_queries__many_terms),
    cmocka_unit_test(test_hostile_queries__megabyte),
    cmocka_unit_test(test_hostile_queries__nesting),
    cmocka_unit_test(test_hostile_queries__operators_alone),
    cmocka_unit_test(test_hostile_queries__stopwords),
    cmocka_unit_test(test_hostile_queries__binary_junk),
    cmocka_unit_test(test_hostile_queries__long_words),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
