/*
** test_suggest.c: corrections of misspelled words (query/suggest.c).
**
**   - the Spanish-aware distance: each cheap confusion at its cost, plain
**     edits at 10 (tenths of an edit), bounds;
**   - suggestions on the real UN data (../shared/data/un, 534 files, indexed
**     through the public writer API; the tests SKIP when it is absent):
**     misspelled words get the word the documents use, the query is
**     searched with the correction when it finds nothing as typed or has a
**     word no paragraph holds (the hits are then those of the correct
**     spelling), a rarely held word next to a frequent one gets the
**     suggestion only, correct and rare real words get none, excluded
**     words and hostile input are left alone; the same documents in many
**     segments get the same suggestions.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "testutil.h"
#include "indaga.h"
#include "query/suggest.h"

#define UN_DIR INDAGA_SHARED_DATA "/un"

static indaga_index *g_idx;

static unsigned dist(const char *x, const char *y) {
  return qs_distance(x, strlen(x), y, strlen(y), 100);
}

static void test_suggest__distance(void **state) {
  (void)state;
  assert_int_equal(dist("terrorismo", "terrorismo"), 0);
  assert_int_equal(dist("terrorismo", "terrorizmo"), 4);     /* s/z */
  assert_int_equal(dist("extranjeros", "extrangeros"), 4);   /* g/j */
  assert_int_equal(dist("combatientes", "conbatientes"), 6); /* m/n */
  assert_int_equal(dist("vigilancia", "bigilancia"), 3);     /* b/v */
  assert_int_equal(dist("hacer", "acer"), 3);                /* h left out */
  assert_int_equal(dist("acceso", "aceso"), 3);              /* a letter undoubled */
  assert_int_equal(dist("aceso", "acceso"), 3);              /* and doubled */
  assert_int_equal(dist("yihad", "llihad"), 3);              /* ll/y */
  assert_int_equal(dist("llamado", "yamado"), 3);
  assert_int_equal(dist("krasnodar", "kransodar"), 8);       /* two letters swapped */
  assert_int_equal(dist("año", "ano"), 4);                   /* ñ/n */
  assert_int_equal(dist("reunion", "reumion"), 6);
  assert_int_equal(dist("reunion", "reunoin"), 8);
  assert_int_equal(dist("reunion", "reuxion"), 10);          /* any other letter */
  assert_int_equal(dist("reunion", "reunon"), 10);           /* a letter left out */
  assert_int_equal(dist("reunion", "reuniones"), 20);
  /* past the bound: bound + 1 */
  assert_int_equal(qs_distance("reunion", 7, "xxxxxxx", 7, 15), 16);
  /* words longer than the walk's rows are never within reach */
  char big[200];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = 0;
  assert_int_equal(qs_distance(big, strlen(big), big, strlen(big), 20), 21);
}

static int setup(void **state) {
  (void)state;
  struct stat st;
  if (stat(UN_DIR, &st) != 0) {
    printf("SKIP: no UN documents at %s (the shared data beside the checkout)\n", UN_DIR);
    return 0;
  }
  const char *dir = INDAGA_BINARY_DIR "/test_suggest_un.idx";
  indaga_sync_report rep;
  if (tu_index_tree(dir, UN_DIR, &rep)) return -1;
  char *msg = NULL;
  if (indaga_index_open(&g_idx, dir, NULL, &msg)) { fprintf(stderr, "open: %s\n", msg); return -1; }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  indaga_index_close(g_idx);
  return 0;
}

static int g_mode = INDAGA_MATCH_BEST;   /* the mode of search() */

static indaga_results *search(const char *q) {
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = 20;
  o.mode = g_mode;
  return tu_search(g_idx, q, &o);
}

/* @typo gets @fix as its suggestion; corrected as @corrected says. */
static void expect(const char *typo, const char *fix, int corrected) {
  indaga_results *r = search(typo);
  const char *s = indaga_results_suggestion(r);
  if (!fix) {
    if (s) fail_msg("'%s': want no suggestion, got '%s'", typo, s);
  } else if (!s || strcmp(s, fix)) {
    fail_msg("'%s': want suggestion '%s', got '%s'", typo, fix, s ? s : "(none)");
  }
  assert_int_equal(indaga_results_corrected(r), corrected);
  indaga_results_free(r);
}

/* The hits of @a and of @b are the same paragraphs in the same order. */
static void same_hits(const char *a, const char *b) {
  indaga_results *x = search(a), *y = search(b);
  assert_true(indaga_results_count(x) > 0);
  assert_int_equal(indaga_results_count(x), indaga_results_count(y));
  assert_true(indaga_results_total(x) == indaga_results_total(y));
  for (size_t i = 0; i < indaga_results_count(x); i++) {
    const indaga_hit *h = indaga_results_hit(x, i), *k = indaga_results_hit(y, i);
    assert_string_equal(h->doc, k->doc);
    assert_int_equal(h->part, k->part);
    assert_int_equal(h->paragraph, k->paragraph);
  }
  indaga_results_free(x);
  indaga_results_free(y);
}

static void test_suggest__misspelled_words(void **state) {
  (void)state;
  if (!g_idx) skip();
  /* each alone finds nothing: the correction's hits are shown */
  expect("terrorizmo", "terrorismo", 1);
  expect("conbatientes", "combatientes", 1);
  expect("extrangeros", "extranjeros", 1);
  expect("kransodar", "krasnodar", 1);
  expect("llihad", "yihad", 1);
  expect("Terrorizmo", "Terrorismo", 1);   /* the capital is kept */
  same_hits("terrorizmo", "terrorismo");
  /* in a query, each misspelled word where it is written; a word no paragraph
  ** holds matches nothing, so the correction's hits are shown although best
  ** match finds the other words' paragraphs */
  expect("combatientes terroristas extrangeros", "combatientes terroristas extranjeros", 1);
  expect("conbatientes  terroristas, \"extrangeros\"", "combatientes  terroristas, \"extranjeros\"", 1);
  same_hits("combatientes terroristas extrangeros", "combatientes terroristas extranjeros");
  /* a word held by one paragraph, next to one held by 194: the suggestion
  ** only, the hits are the query's (a_ac_109_2015_9.txt names an English body) */
  expect("international", "internacional", 0);
  expect("derecho international", "derecho internacional", 0);
  /* all words required: nothing as typed, so the correction's hits */
  g_mode = INDAGA_MATCH_ALL;
  expect("combatientes terroristas extrangeros", "combatientes terroristas extranjeros", 1);
  expect("conbatientes  terroristas, \"extrangeros\"", "combatientes  terroristas, \"extranjeros\"", 1);
  same_hits("conbatientes terroristas extrangeros", "combatientes terroristas extranjeros");
  g_mode = INDAGA_MATCH_BEST;
}

/* correct = 0 asks for the query as typed; a version 2 caller gets corrections (the default). */
static void test_suggest__correct_option(void **state) {
  (void)state;
  if (!g_idx) skip();
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.correct = 0;
  indaga_results *r = NULL;
  assert_int_equal(indaga_search(&r, g_idx, "terrorizmo", &o), INDAGA_OK);
  assert_int_equal(indaga_results_count(r), 0);
  assert_int_equal(indaga_results_corrected(r), 0);
  assert_string_equal(indaga_results_suggestion(r), "terrorismo");
  indaga_results_free(r);
  o = (indaga_search_options)INDAGA_SEARCH_OPTIONS_INIT;
  o.version = 2;
  o.correct = 0;   /* not a field of version 2: ignored */
  r = NULL;
  assert_int_equal(indaga_search(&r, g_idx, "terrorizmo", &o), INDAGA_OK);
  assert_true(indaga_results_count(r) > 0);
  assert_int_equal(indaga_results_corrected(r), 1);
  indaga_results_free(r);
}

static void test_suggest__no_suggestion(void **state) {
  (void)state;
  if (!g_idx) skip();
  expect("terrorismo", NULL, 0);
  expect("informacion", NULL, 0);   /* accents are no typo */
  expect("yihad", NULL, 0);         /* rare (one paragraph), but no close word is frequent */
  expect("Krasnodar", NULL, 0);
  expect("ano", NULL, 0);           /* a word of the documents, never año */
  expect("de la", NULL, 0);         /* stopwords */
  expect("2017", NULL, 0);          /* numbers */
  expect("xqzwvk", NULL, 0);        /* nothing close */
  expect("terrorismo -terrorizmo", NULL, 0);   /* an excluded word is not searched */
  expect("terroriz*", NULL, 0);     /* nor a prefix */
  expect("title:terrorizmo", NULL, 0);         /* nor a filter value */
}

/*
** The same documents in many segments (a small writer budget flushes often):
** the one walk over the segments' merged keys suggests what it suggests
** over few, every corrected query the same.
*/
static void test_suggest__segments(void **state) {
  (void)state;
  if (!g_idx) skip();
  const char *dir = INDAGA_BINARY_DIR "/test_suggest_un_segs.idx";
  indaga_writer *w = NULL;
  indaga_writer_options wo = INDAGA_WRITER_OPTIONS_INIT;
  wo.flags = INDAGA_WRITER_FULL;
  wo.memory_budget = (size_t)1 << 20;
  wo.threads = 1;
  char *msg = NULL;
  assert_int_equal(indaga_writer_open(&w, dir, &wo, &msg), INDAGA_OK);
  indaga_sync_report rep;
  uint64_t gen = 0;
  assert_int_equal(indaga_writer_sync(w, UN_DIR, &rep), INDAGA_OK);
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  indaga_writer_close(w);
  indaga_index *many = NULL;
  assert_int_equal(indaga_index_open(&many, dir, NULL, &msg), INDAGA_OK);
  indaga_stats sm, s1;
  assert_int_equal(indaga_index_stats(many, &sm), INDAGA_OK);
  assert_int_equal(indaga_index_stats(g_idx, &s1), INDAGA_OK);
  assert_true(sm.segments >= 3 && sm.segments > s1.segments);
  assert_true(sm.paragraphs == s1.paragraphs);
  static const char *const q[] = {
    "terrorizmo", "conbatientes", "extrangeros", "kransodar", "llihad", "international",
    "combatientes terroristas extrangeros", "derecho international", "yihad", "xqzwvk",
    "resolucion", "asamblea jeneral", "consejo de seguriad", "desarme nuclaer",
  };
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  for (size_t i = 0; i < sizeof q / sizeof *q; i++) {
    indaga_results *a = tu_search(g_idx, q[i], &o), *b = tu_search(many, q[i], &o);
    const char *x = indaga_results_suggestion(a), *y = indaga_results_suggestion(b);
    if ((x == NULL) != (y == NULL) || (x && strcmp(x, y)))
      fail_msg("'%s': %s in %u segments, %s in %u", q[i], x ? x : "(none)", (unsigned)s1.segments,
               y ? y : "(none)", (unsigned)sm.segments);
    assert_int_equal(indaga_results_corrected(a), indaga_results_corrected(b));
    indaga_results_free(a);
    indaga_results_free(b);
  }
  indaga_index_close(many);
}

static void test_suggest__hostile(void **state) {
  (void)state;
  if (!g_idx) skip();
  /* long words, many words, invalid UTF-8: bounded, no suggestion or a sane one */
  static char q[70000];
  memset(q, 'a', sizeof q - 1);
  q[sizeof q - 1] = 0;
  indaga_results *r = NULL;
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  int rc = indaga_search(&r, g_idx, q, &o);
  assert_true(rc == INDAGA_OK || rc == INDAGA_EMISUSE);
  assert_null(indaga_results_suggestion(r));
  indaga_results_free(r);
  size_t n = 0;
  for (int i = 0; i < 3000 && n + 16 < sizeof q; i++) n += (size_t)snprintf(q + n, sizeof q - n, "terrorizmo%d ", i % 7);
  r = NULL;
  rc = indaga_search(&r, g_idx, q, &o);
  assert_int_equal(rc, INDAGA_OK);
  indaga_results_free(r);
  for (int i = 0; i < 60; i++) memcpy(q + 11 * i, "zrrorizmoq ", 11);
  q[660] = 0;
  r = NULL;
  assert_int_equal(indaga_search(&r, g_idx, q, &o), INDAGA_OK);
  indaga_results_free(r);
  r = NULL;
  assert_int_equal(indaga_search(&r, g_idx, "terror\xff\xfeizmo conbat\xc3ientes", &o), INDAGA_OK);
  indaga_results_free(r);
  assert_null(indaga_results_suggestion(NULL));
  assert_int_equal(indaga_results_corrected(NULL), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_suggest__distance),
    cmocka_unit_test(test_suggest__misspelled_words),
    cmocka_unit_test(test_suggest__correct_option),
    cmocka_unit_test(test_suggest__no_suggestion),
    cmocka_unit_test(test_suggest__segments),
    cmocka_unit_test(test_suggest__hostile),
  };
  int rc = cmocka_run_group_tests(tests, setup, teardown);
  return rc == 0 && !tu_have_shared(UN_DIR) ? TU_SKIPPED : rc;   /* the UN tests were skipped */
}
