/*
** test_complete.c: indaga_complete() (query/api_complete.c), the completions
** of a search box: the prefix is normalised as a query word is, words come
** heaviest first, keys of several segments merge, ñ stays apart from n,
** bad arguments are INDAGA_EMISUSE.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "indaga.h"
#include "testutil.h"

/* Index the documents @texts (NULL-terminated) in one commit into @dir. */
static void add_docs(const char *dir, const char *const *texts, const char *prefix) {
  indaga_writer *w = NULL;
  assert_int_equal(indaga_writer_open(&w, dir, NULL, NULL), INDAGA_OK);
  for (size_t i = 0; texts[i]; i++) {
    char id[64];
    snprintf(id, sizeof id, "%s%zu.txt", prefix, i);
    assert_int_equal(indaga_writer_add_buffer(w, id, texts[i], strlen(texts[i])), INDAGA_OK);
  }
  uint64_t gen = 0;
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  indaga_writer_close(w);
}

/* The words of completing @prefix, space-separated, into buf. */
static int complete(const indaga_index *idx, const char *prefix, size_t max, char *buf, size_t cap) {
  indaga_completions *c = NULL;
  int rc = indaga_complete(&c, idx, prefix, max);
  buf[0] = 0;
  if (rc) return rc;
  for (size_t i = 0; i < indaga_completions_count(c); i++) {
    if (i) strncat(buf, " ", cap - strlen(buf) - 1);
    strncat(buf, indaga_completions_word(c, i, NULL), cap - strlen(buf) - 1);
  }
  assert_null(indaga_completions_word(c, indaga_completions_count(c), NULL));
  assert_int_equal(indaga_completions_truncated(c), 0);
  indaga_completions_free(c);
  return rc;
}

static const char *const first[] = {
  "Los combatientes terroristas extranjeros cruzan fronteras.\n\nEl combate contin\xc3\xba""a.\n",
  "Combatientes y combatientes: la lucha contra los combatientes.\n",
  "El a\xc3\xb1o pasado y el ano.\n",
  NULL,
};
static const char *const second[] = {
  "Los combatientes regresan. La combinaci\xc3\xb3n de medidas.\n",
  NULL,
};

static void test_complete_words(void **state) {
  (void)state;
  char *dir = tu_tmpdir("complete");
  add_docs(dir, first, "a");
  add_docs(dir, second, "b");   /* a second segment */
  indaga_index *idx = NULL;
  assert_int_equal(indaga_index_open(&idx, dir, NULL, NULL), INDAGA_OK);
  static const struct { const char *prefix; size_t max; const char *want; } cases[] = {
    /* Case and accents of the prefix do not matter; the commonest word comes first. */
    { "COMB", 10, "combatientes combate combinacion" },
    { "Combin\xc3\xa1", 10, "combinacion" },
    { "comb", 1, "combatientes" },              /* max bounds the answer */
    { "a\xc3\xb1", 10, "a\xc3\xb1o" },            /* ñ is not n */
    { "an", 10, "ano" },
    { "zzq", 10, "" },                          /* nothing begins so: empty, not an error */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char buf[512];
    assert_int_equal(complete(idx, cases[i].prefix, cases[i].max, buf, sizeof buf), INDAGA_OK);
    assert_string_equal(buf, cases[i].want);
  }
  /* The weight: paragraphs holding the word, over both segments. */
  indaga_completions *c = NULL;
  assert_int_equal(indaga_complete(&c, idx, "combati", 3), INDAGA_OK);
  uint64_t wt = 0;
  assert_string_equal(indaga_completions_word(c, 0, &wt), "combatientes");
  assert_int_equal(wt, 3);
  indaga_completions_free(c);
  indaga_index_close(idx);
  tu_rm_rf(dir);
  free(dir);
}

static void test_complete_misuse(void **state) {
  (void)state;
  char *dir = tu_tmpdir("complete_misuse");
  add_docs(dir, first, "a");
  indaga_index *idx = NULL;
  assert_int_equal(indaga_index_open(&idx, dir, NULL, NULL), INDAGA_OK);
  indaga_completions *c = (indaga_completions *)&c;
  assert_int_equal(indaga_complete(&c, idx, "", 5), INDAGA_EMISUSE);
  assert_null(c);
  assert_int_equal(indaga_complete(&c, idx, "comb", 0), INDAGA_EMISUSE);
  assert_int_equal(indaga_complete(&c, NULL, "comb", 5), INDAGA_EMISUSE);
  assert_int_equal(indaga_complete(&c, idx, NULL, 5), INDAGA_EMISUSE);
  assert_int_equal(indaga_complete(NULL, idx, "comb", 5), INDAGA_EMISUSE);
  char longp[300];
  memset(longp, 'a', sizeof longp - 1);
  longp[sizeof longp - 1] = 0;
  assert_int_equal(indaga_complete(&c, idx, longp, 5), INDAGA_EMISUSE);
  longp[100] = 0;   /* short enough to read, too long once normalised */
  assert_int_equal(indaga_complete(&c, idx, longp, 5), INDAGA_EMISUSE);
  assert_int_equal(indaga_completions_count(NULL), 0);
  assert_null(indaga_completions_word(NULL, 0, NULL));
  indaga_completions_free(NULL);
  indaga_index_close(idx);
  tu_rm_rf(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_complete_words),
    cmocka_unit_test(test_complete_misuse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
