/*
** test_snippet.c: the snippet window (query/snippet.c) on real paragraphs
** of the UN data: the window with the most distinct matched words wins,
** cuts fall on word boundaries (never inside a UTF-8 sequence), "…" marks
** the cuts, and highlights point at the words as written.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "common/common.h"
#include "query/query.h"

/* Decision 3 of Anexo I of carta_krasnodar_2017.txt (display text, markup removed). */
static const char dec3[] =
  "3. Ampliar e intensificar el intercambio de inteligencia operacional con respecto a "
  "determinados miembros, nuevos modus operandi y tácticas de las organizaciones terroristas "
  "internacionales, los combatientes terroristas extranjeros y sus rutas de viaje.";

/* A match for every occurrence of @word in @text, tagged @group, appended to m (sorted after). */
static size_t find_all(const char *text, const char *word, uint32_t group, snip_match *m, size_t nm) {
  const char *p = text;
  size_t w = strlen(word);
  while ((p = strstr(p, word)) != NULL) {
    m[nm].start = (uint32_t)(p - text);
    m[nm].end = (uint32_t)(p - text + (ptrdiff_t)w);
    m[nm].group = group;
    nm++;
    p += w;
  }
  return nm;
}

static int by_start(const void *a, const void *b) {
  const snip_match *x = a, *y = b;
  return (x->start > y->start) - (x->start < y->start);
}

/* Build a snippet of @width over the matches of @words in @text; returns the snippet (static). */
static char snip[4096];
static indaga_range hls[64];
static size_t nhls;
static const char *build(const char *text, const char *const *words, size_t nw, size_t width) {
  snip_match m[64];
  size_t nm = 0;
  for (size_t i = 0; i < nw; i++) nm = find_all(text, words[i], (uint32_t)i, m, nm);
  qsort(m, nm, sizeof m[0], by_start);
  ia_buf out = { 0 };
  assert_int_equal(snippet_build(text, strlen(text), m, nm, width, &out, hls, &nhls), INDAGA_OK);
  snprintf(snip, sizeof snip, "%s", out.n ? (char *)out.p : "");
  buf_free(&out);
  return snip;
}

static void assert_highlights_are(const char *const *words, size_t nw) {
  assert_int_equal(nhls, nw);
  for (size_t i = 0; i < nw; i++) {
    size_t len = hls[i].end - hls[i].start;
    assert_int_equal(len, strlen(words[i]));
    assert_memory_equal(snip + hls[i].start, words[i], len);
  }
}

static void test_snippet__short_paragraph_is_whole(void **state) {
  (void)state;
  const char *w[] = { "combatientes", "terroristas", "extranjeros" };
  assert_string_equal(build(dec3, w, 3, 0), dec3);
  assert_string_equal(build(dec3, w, 3, 1000), dec3);
  /* "terroristas" occurs twice: four highlights in text order */
  assert_int_equal(nhls, 4);
  assert_memory_equal(snip + hls[0].start, "terroristas", 11);
  assert_memory_equal(snip + hls[1].start, "combatientes", 12);
}

static void test_snippet__window_holds_the_words_together(void **state) {
  (void)state;
  const char *w[] = { "combatientes", "terroristas", "extranjeros" };
  const char *s = build(dec3, w, 3, 80);
  /* the window is where all three meet, not the first "terroristas" */
  assert_non_null(strstr(s, "los combatientes terroristas extranjeros"));
  assert_true(strncmp(s, "\xE2\x80\xA6 ", 4) == 0);
  assert_true(strlen(s) <= 80 + 8 + 64);
  const char *want[] = { "combatientes", "terroristas", "extranjeros" };
  /* the first "terroristas" may fall inside the window too: check the last three */
  assert_true(nhls >= 3);
  size_t off = nhls - 3;
  for (size_t i = 0; i < 3; i++)
    assert_memory_equal(s + hls[off + i].start, want[i], strlen(want[i]));
}

static void test_snippet__cuts_at_word_boundaries(void **state) {
  (void)state;
  const char *w[] = { "inteligencia" };
  for (size_t width = 20; width < 120; width += 7) {
    const char *s = build(dec3, w, 1, width);
    size_t n = strlen(s);
    const char *body = s, *end = s + n;
    if (!strncmp(body, "\xE2\x80\xA6 ", 4)) body += 4;
    if (n >= 4 && !strcmp(end - 4, " \xE2\x80\xA6")) end -= 4;
    /* the body is a run of whole words of the text */
    size_t bl = (size_t)(end - body);
    const char *at = strstr(dec3, "");
    char tmp[512];
    memcpy(tmp, body, bl);
    tmp[bl] = 0;
    at = strstr(dec3, tmp);
    assert_non_null(at);
    assert_true(at == dec3 || at[-1] == ' ');
    assert_true(at[bl] == 0 || at[bl] == ' ');
    assert_true(strstr(tmp, "inteligencia") != NULL);
    assert_int_equal(nhls, 1);
  }
}

static void test_snippet__never_splits_utf8(void **state) {
  (void)state;
  /* one long "word" of two-byte letters: the cut must fall between sequences */
  char text[600];
  size_t o = 0;
  for (int i = 0; i < 150; i++) { text[o++] = '\xC3'; text[o++] = '\xB1'; }   /* ñ */
  text[o++] = ' ';
  memcpy(text + o, "año", 4);
  o += 4;
  text[o] = 0;
  const char *w[] = { "año" };
  for (size_t width = 5; width < 40; width++) {
    const char *s = build(text, w, 1, width);
    size_t n = strlen(s);
    for (size_t i = 0; i + 1 < n; i++) {
      /* every lead byte of ñ is followed by its continuation byte */
      if ((unsigned char)s[i] == 0xC3) assert_true(((unsigned char)s[i + 1] & 0xC0) == 0x80);
    }
    assert_true(((unsigned char)s[0] & 0xC0) != 0x80);
    assert_true(strstr(s, "año") != NULL);
  }
}

static void test_snippet__whitespace_is_collapsed(void **state) {
  (void)state;
  const char text[] = "Artículo 1\n\nTodos los seres  humanos nacen\tlibres";
  const char *w[] = { "humanos", "libres" };
  const char *s = build(text, w, 2, 0);
  assert_string_equal(s, "Artículo 1 Todos los seres humanos nacen libres");
  assert_highlights_are(w, 2);
}

static void test_snippet__no_matches_gives_the_start(void **state) {
  (void)state;
  const char *s = build(dec3, NULL, 0, 40);
  assert_true(strncmp(s, "3. Ampliar e intensificar", 25) == 0);
  assert_int_equal(nhls, 0);
  assert_true(strstr(s, "\xE2\x80\xA6") != NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_snippet__short_paragraph_is_whole),
    cmocka_unit_test(test_snippet__window_holds_the_words_together),
    cmocka_unit_test(test_snippet__cuts_at_word_boundaries),
    cmocka_unit_test(test_snippet__never_splits_utf8),
    cmocka_unit_test(test_snippet__whitespace_is_collapsed),
    cmocka_unit_test(test_snippet__no_matches_gives_the_start),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
