/*
** test_query.c: the query engine end to end on the real UN data
** (../shared/data/un, 534 files), indexed through the public writer API.
**
**   - golden tests: the whole ranked list of each query (document, part,
**     paragraph, label and the words highlighted, as written) equals
**     tests/golden/search/<name>.jsonl. The files were written by this test
**     with INDAGA_UPDATE_GOLDEN=1 and checked by hand against the data;
**   - behaviour the goldens imply, asserted directly (accent-free words find
**     the accented ones, `ano` never finds `año`, the Krasnodar paragraphs
**     come first for `combatientes terroristas extranjeros`, ...);
**   - pruning is exact: for 400 random queries (words common and rare, OR,
**     phrases) the top 10 equals a brute-force reference written here, which
**     re-analyses every stored paragraph and scores it with rank.c's
**     formulas, never touching postings or block bounds.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <math.h>
#include <cmocka.h>
#include "testutil.h"
#include "indaga.h"
#include "common/common.h"
#include "indexer/index.h"
#include "indexer/segment.h"
#include "stemmer/analyze.h"
#include "query/query.h"

#define UN_DIR INDAGA_SHARED_DATA "/un"
#define GOLDEN_DIR INDAGA_SOURCE_DIR "/tests/golden/search"

static indaga_index *g_idx;
static int g_mode = INDAGA_MATCH_BEST;   /* the mode of search() and golden() */
static int g_pruned;             /* the last topk_internal run skipped matches */
static uint32_t g_count_steps;   /* qx_opts.count_steps of topk_internal (0: the default) */
static int g_exact;              /* the last topk_internal run's counts were exact */

static void topk_internal(const char *text, unsigned k, int group, int exhaustive, int mode, qa_arena *a,
                          qx_hit **hits, size_t *n, uint64_t *total);

static int setup(void **state) {
  (void)state;
  const char *dir = INDAGA_BINARY_DIR "/test_query_un.idx";
  indaga_sync_report rep;
  if (tu_index_tree(dir, UN_DIR, &rep)) return -1;
  char *msg = NULL;
  if (rep.added != 534) { fprintf(stderr, "added %llu files\n", (unsigned long long)rep.added); return -1; }
  if (indaga_index_open(&g_idx, dir, NULL, &msg)) { fprintf(stderr, "open: %s\n", msg); return -1; }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  indaga_index_close(g_idx);
  return 0;
}

/* Run @q; fails the test on error. */
static indaga_results *search(const char *q, unsigned k, int group) {
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = k;
  o.group = group;
  o.mode = g_mode;
  return tu_search(g_idx, q, &o);
}

/* The projection the goldens pin: one JSON line per hit. */
static void project(indaga_results *r, ia_buf *out) {
  for (size_t i = 0; i < indaga_results_count(r); i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    buf_printf(out, "{\"rank\":%u,\"doc\":\"%s\",\"part\":%u,\"paragraph\":%u,\"label\":", h->rank, h->doc,
               h->part, h->paragraph);
    if (h->label) buf_printf(out, "\"%s\"", h->label); else buf_puts(out, "null");
    buf_puts(out, ",\"highlighted\":[");
    for (size_t j = 0; j < h->nhighlights; j++) {
      buf_printf(out, "%s\"", j ? "," : "");
      buf_append(out, h->snippet + h->highlights[j].start, h->highlights[j].end - h->highlights[j].start);
      buf_putc(out, '"');
    }
    buf_puts(out, "]}\n");
  }
}

static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  return buf;
}

/* Compare the projection of @q (k 50) with tests/golden/search/<name>.jsonl. */
static void golden(const char *name, const char *q, int group) {
  indaga_results *r = search(q, 50, group);
  ia_buf got = { 0 };
  project(r, &got);
  buf_putc(&got, 0);
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.jsonl", GOLDEN_DIR, name);
  const char *upd = getenv("INDAGA_UPDATE_GOLDEN");
  if (upd && *upd == '1') {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs((char *)got.p, f);
    fclose(f);
  }
  const char *want = read_all(path);
  if (!want) fail_msg("missing golden file %s", path);
  if (strcmp(want, (char *)got.p)) {
    fprintf(stderr, "query %s: got\n%s\nwant (%s)\n%s\n", q, (char *)got.p, path, want);
    fail();
  }
  buf_free(&got);
  indaga_results_free(r);
}

static void test_query__golden_lists(void **state) {
  (void)state;
  golden("combatientes_terroristas_extranjeros", "combatientes terroristas extranjeros", 0);
  golden("combatiente_terrorista_extranjero", "combatiente terrorista extranjero", 0);
  golden("COMBATIENTES_terroristas", "COMBATIENTES terroristas", 0);
  golden("informacion", "informacion", 0);
  golden("financiacion", "financiacion", 0);
  golden("financiacion_del_terrorismo", "financiacion del terrorismo", 0);
  golden("consejo_de_seguridad_phrase", "\"Consejo de Seguridad\"", 0);
  golden("symbol_s_res_2196", "S/RES/2196 (2015)", 0);
  golden("terroris_prefix", "terroris*", 0);
  golden("yihad_near3_autonoma", "yihad NEAR/3 autónoma", 0);
  golden("symbol_filter_s_2015", "seguridad symbol:S/2015/*", 0);
  golden("ano", "ano", 0);
  golden("año", "año", 0);
  golden("coordinacion", "coordinacion", 0);
  golden("terrorismo_group", "terrorismo", 1);
  golden("annex_I_decide", "annex:I intercambio OR cooperación", 0);
}

/* Hits of @q as "doc part paragraph" lines. */
static char *ids(const char *q) {
  indaga_results *r = search(q, 1000, 0);
  ia_buf b = { 0 };
  for (size_t i = 0; i < indaga_results_count(r); i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    buf_printf(&b, "%s %u %u\n", h->doc, h->part, h->paragraph);
  }
  buf_putc(&b, 0);
  indaga_results_free(r);
  return (char *)b.p;
}

static void test_query__krasnodar_first(void **state) {
  (void)state;
  indaga_results *r = search("combatientes terroristas extranjeros", 10, 0);
  assert_true(indaga_results_count(r) >= 2);
  int seen_bullet = 0, seen_dec3 = 0;
  for (size_t i = 0; i < 2; i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    assert_string_equal(h->doc, "carta_krasnodar_2017.txt");
    assert_int_equal(h->part, 1);
    assert_string_equal(h->part_label, "Anexo I");
    if (h->label && !strcmp(h->label, "3.")) seen_dec3 = 1; else seen_bullet = 1;
    /* the three words highlighted as written */
    int found = 0;
    for (size_t j = 0; j + 2 < h->nhighlights; j++) {
      const char *s = h->snippet;
      if (!strncmp(s + h->highlights[j].start, "combatientes", 12) &&
          !strncmp(s + h->highlights[j + 1].start, "terroristas", 11) &&
          !strncmp(s + h->highlights[j + 2].start, "extranjeros", 11)) found = 1;
    }
    assert_true(found);
  }
  assert_true(seen_bullet && seen_dec3);
  indaga_results_free(r);
}

static void test_query__accents_and_inflections(void **state) {
  (void)state;
  char *a = ids("informacion"), *b = ids("información"), *c = ids("INFORMACIÓN");
  assert_true(strlen(a) > 0);
  assert_string_equal(a, b);
  assert_string_equal(a, c);
  /* informacion also finds "informaciones" */
  indaga_results *r = search("informacion", 1000, 0);
  int plural = 0;
  for (size_t i = 0; i < indaga_results_count(r); i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    for (size_t j = 0; j < h->nhighlights; j++)
      if (!strncmp(h->snippet + h->highlights[j].start, "informaciones", 13)) plural = 1;
  }
  assert_true(plural);
  indaga_results_free(r);
  free(a); free(b); free(c);
  /* ano never finds año */
  char *x = ids("ano"), *y = ids("año");
  assert_true(strlen(y) > 0);
  assert_string_not_equal(x, y);
  indaga_results *ra = search("ano", 1000, 0);
  for (size_t i = 0; i < indaga_results_count(ra); i++) {
    const indaga_hit *h = indaga_results_hit(ra, i);
    for (size_t j = 0; j < h->nhighlights; j++)
      assert_true(strncmp(h->snippet + h->highlights[j].start, "año", 4) != 0);
  }
  indaga_results_free(ra);
  free(x); free(y);
}

static void test_query__empty_queries_are_clear(void **state) {
  (void)state;
  const char *qs[] = { "", "   ", "*", "-terrorismo", "NOT", "¿?", "()" };
  for (size_t i = 0; i < ARRAY_SIZE(qs); i++) {
    indaga_results *r = NULL;
    assert_int_equal(indaga_search(&r, g_idx, qs[i], NULL), INDAGA_EMISUSE);
    assert_non_null(r);
    assert_true(strncmp(indaga_results_errmsg(r), "empty query", 11) == 0);
    indaga_results_free(r);
  }
  /* only stopwords: kept, so the query finds something */
  indaga_results *r = search("de la", 10, 0);
  assert_true(indaga_results_count(r) > 0);
  indaga_results_free(r);
}

static void test_query__paging_group_context(void **state) {
  (void)state;
  indaga_results *all = search("terrorismo", 20, 0);
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = 5;
  o.offset = 10;
  o.context = 2;
  indaga_results *page = NULL;
  assert_int_equal(indaga_search(&page, g_idx, "terrorismo", &o), INDAGA_OK);
  assert_int_equal(indaga_results_count(page), 5);
  for (size_t i = 0; i < 5; i++) {
    const indaga_hit *p = indaga_results_hit(page, i), *a = indaga_results_hit(all, 10 + i);
    assert_string_equal(p->doc, a->doc);
    assert_int_equal(p->paragraph, a->paragraph);
    assert_int_equal(p->rank, 11 + i);
    assert_true(p->nbefore <= 2 && p->nafter <= 2);
  }
  indaga_results_free(page);
  indaga_results_free(all);
  /* group: one hit per document */
  indaga_results *g = search("terrorismo", 50, 1);
  for (size_t i = 0; i < indaga_results_count(g); i++)
    for (size_t j = 0; j < i; j++)
      assert_string_not_equal(indaga_results_hit(g, i)->doc, indaga_results_hit(g, j)->doc);
  indaga_results_free(g);
  /* context of decision 3 in Anexo I: decision 2 before, decision 4 after */
  o.k = 1; o.offset = 0; o.context = 1;
  indaga_results *c = NULL;
  assert_int_equal(indaga_search(&c, g_idx, "inteligencia operacional rutas", &o), INDAGA_OK);
  const indaga_hit *h = indaga_results_hit(c, 0);
  assert_string_equal(h->label, "3.");
  assert_int_equal(h->nbefore, 1);
  assert_int_equal(h->nafter, 1);
  assert_true(strncmp(h->before[0], "Estrechar la coop", 17) == 0);
  assert_true(strncmp(h->after[0], "Adoptar medidas para mejorar", 28) == 0);
  indaga_results_free(c);
}

/* Run @q with @mode, k @k, offset @off. */
static indaga_results *search_mode(const char *q, unsigned k, unsigned off, int mode) {
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = k;
  o.offset = off;
  o.mode = mode;
  return tu_search(g_idx, q, &o);
}

/* "doc part paragraph" lines of @r's hits. */
static char *hit_ids(indaga_results *r) {
  ia_buf b = { 0 };
  for (size_t i = 0; i < indaga_results_count(r); i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    buf_printf(&b, "%s %u %u\n", h->doc, h->part, h->paragraph);
  }
  buf_putc(&b, 0);
  return (char *)b.p;
}

/*
** Best match: the paragraphs holding every word come first, exactly the
** strict list, then partial matches; +word, AND and INDAGA_MATCH_ALL are
** strict and agree (the strict list is the golden of before best match).
*/
static void test_query__best_match_all_words_first(void **state) {
  (void)state;
  const char *q = "combatientes terroristas extranjeros";
  g_mode = INDAGA_MATCH_ALL;
  golden("combatientes_terroristas_extranjeros_all", q, 0);   /* the list of before best match */
  g_mode = INDAGA_MATCH_BEST;
  indaga_results *strict = search_mode(q, 50, 0, INDAGA_MATCH_ALL);
  indaga_results *best = search_mode(q, 50, 0, INDAGA_MATCH_BEST);
  size_t ns = indaga_results_count(strict);
  assert_int_equal(ns, 4);
  assert_int_equal(indaga_results_total(strict), 4);
  assert_int_equal(indaga_results_all_words(strict), 4);
  assert_true(indaga_results_count(best) == 50);
  assert_true(indaga_results_total_exact(best));
  assert_int_equal(indaga_results_all_words(best), 4);
  assert_true(indaga_results_total(best) > 4);
  for (size_t i = 0; i < ns; i++) {
    const indaga_hit *a = indaga_results_hit(strict, i), *b = indaga_results_hit(best, i);
    assert_string_equal(a->doc, b->doc);
    assert_int_equal(a->part, b->part);
    assert_int_equal(a->paragraph, b->paragraph);
  }
  /* past the all-words hits, no hit highlights all three words */
  for (size_t i = ns; i < indaga_results_count(best); i++) {
    const indaga_hit *h = indaga_results_hit(best, i);
    int c = 0, t = 0, e = 0;
    for (size_t j = 0; j < h->nhighlights; j++) {
      const char *w = h->snippet + h->highlights[j].start;
      c |= !strncasecmp(w, "combatiente", 11);
      t |= !strncasecmp(w, "terrorist", 9);
      e |= !strncasecmp(w, "extranjer", 9);
    }
    assert_false(c && t && e);
  }
  char *want = hit_ids(strict);
  const char *forms[] = { "+combatientes +terroristas +extranjeros", "combatientes AND terroristas AND extranjeros",
                          "+combatientes terroristas AND extranjeros" };
  for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
    indaga_results *r = search_mode(forms[i], 50, 0, INDAGA_MATCH_BEST);
    char *got = hit_ids(r);
    if (strcmp(got, want)) fail_msg("'%s':\n%s\nwant\n%s", forms[i], got, want);
    assert_int_equal(indaga_results_total(r), 4);
    free(got);
    indaga_results_free(r);
  }
  /* + on one word: the others rank, the paragraphs without it are gone */
  indaga_results *r = search_mode("+extranjeros combatientes terroristas", 1000, 0, INDAGA_MATCH_BEST);
  assert_true(indaga_results_count(r) > 4);
  for (size_t i = 0; i < indaga_results_count(r); i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    int e = 0;
    for (size_t j = 0; j < h->nhighlights; j++) e |= !strncasecmp(h->snippet + h->highlights[j].start, "extranjer", 9);
    if (!e) fail_msg("+extranjeros: hit %zu (%s) without it", i + 1, h->doc);
  }
  indaga_results_free(r);
  free(want);
  indaga_results_free(strict);
  indaga_results_free(best);
  /* no paragraph holds both: all_words 0 (exact), partial matches still listed */
  r = search_mode("financiacion del terrorismo", 10, 0, INDAGA_MATCH_BEST);
  assert_int_equal(indaga_results_all_words(r), 0);
  assert_int_equal(indaga_results_count(r), 10);
  indaga_results_free(r);
  r = search_mode("financiacion del terrorismo", 10, 0, INDAGA_MATCH_ALL);
  assert_int_equal(indaga_results_count(r), 0);
  assert_int_equal(indaga_results_total(r), 0);
  indaga_results_free(r);
}

/*
** Questions: question words and ¿? never restrict, with or without accents;
** the answer paragraph (Anexo I, 3: "representantes de 75 países", without
** "Krasnodar") is in the top 10.
*/
static void test_query__questions(void **state) {
  (void)state;
  const char *q = "¿Cuántos países participaron en la reunión de Krasnodar?";
  golden("question_cuantos_krasnodar", q, 0);
  indaga_results *r = search_mode(q, 10, 0, INDAGA_MATCH_BEST);
  int found = 0;
  for (size_t i = 0; i < indaga_results_count(r); i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    if (!strcmp(h->doc, "carta_krasnodar_2017.txt") && h->part == 1 && h->paragraph == 3) found = 1;
  }
  assert_true(found);
  char *a = hit_ids(r);
  indaga_results_free(r);
  const char *same[] = { "cuantos paises participaron en la reunion de Krasnodar", "países participaron reunión Krasnodar",
                         "¿ Cuántos países participaron en la reunión de Krasnodar ?" };
  for (size_t i = 0; i < ARRAY_SIZE(same); i++) {
    r = search_mode(same[i], 10, 0, INDAGA_MATCH_BEST);
    char *b = hit_ids(r);
    if (i != 1 && strcmp(a, b)) fail_msg("'%s' differs from '%s'", same[i], q);
    free(b);
    indaga_results_free(r);
  }
  /* strict mode: the question words still do not restrict (the answer lacks "cuántos") */
  r = search_mode("¿Cuántos países participaron en la reunión?", 50, 0, INDAGA_MATCH_ALL);
  found = 0;
  for (size_t i = 0; i < indaga_results_count(r); i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    if (!strcmp(h->doc, "carta_krasnodar_2017.txt") && h->part == 1 && h->paragraph == 3) found = 1;
  }
  assert_true(found);
  indaga_results_free(r);
  /* qué is dropped; +qué is required */
  r = search_mode("qué países participaron", 10, 0, INDAGA_MATCH_BEST);
  indaga_results *r2 = search_mode("países participaron", 10, 0, INDAGA_MATCH_BEST);
  assert_int_equal(indaga_results_total(r), indaga_results_total(r2));
  indaga_results_free(r);
  indaga_results_free(r2);
  r = search_mode("+qué +países", 10, 0, INDAGA_MATCH_BEST);
  r2 = search_mode("+países", 10, 0, INDAGA_MATCH_BEST);
  assert_true(indaga_results_total(r) > 0);
  assert_true(indaga_results_total(r) < indaga_results_total(r2));
  indaga_results_free(r);
  indaga_results_free(r2);
  free(a);
}

/*
** The wording bonus: the dropped stopwords of "declaración de los
** participantes en la reunión" count where the paragraph repeats them:
** all 6 pairs in the letter's body (paragraph 5), 5 of 6 in Anexo II's
** title ("... en la 16ª Reunión").
*/
static double score_of(indaga_results *r, const char *doc, unsigned part, unsigned para) {
  for (size_t i = 0; i < indaga_results_count(r); i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    if (!strcmp(h->doc, doc) && h->part == part && h->paragraph == para) return h->score;
  }
  fail_msg("%s %u %u not found", doc, part, para);
  return 0;
}

static void test_query__wording_bonus(void **state) {
  (void)state;
  indaga_results *w = search_mode("declaración de los participantes en la reunión", 10, 0, INDAGA_MATCH_BEST);
  indaga_results *c = search_mode("declaración participantes reunión", 10, 0, INDAGA_MATCH_BEST);
  double body = score_of(w, "carta_krasnodar_2017.txt", 0, 5) - score_of(c, "carta_krasnodar_2017.txt", 0, 5);
  double annex = score_of(w, "carta_krasnodar_2017.txt", 2, 2) - score_of(c, "carta_krasnodar_2017.txt", 2, 2);
  assert_true(fabs(body - QR_WORDING_WEIGHT) < 1e-9);
  assert_true(fabs(annex - QR_WORDING_WEIGHT * 5 / 6) < 1e-9);
  indaga_results_free(w);
  indaga_results_free(c);
}

/*
** Counts: the same total and all_words for every offset and k; a page past
** the end returns no hit and the total; with a small count budget the
** count is an estimate (flagged, two significant digits, near the exact
** count), the same for every k too.
*/
static void test_query__counts_are_honest(void **state) {
  (void)state;
  static const char *const qs[] = { "combatientes terroristas extranjeros", "consejo seguridad naciones unidas",
                                    "de la", "terrorismo", "estados miembros year:2015" };
  for (size_t i = 0; i < ARRAY_SIZE(qs); i++) {
    indaga_results *first = search_mode(qs[i], 10, 0, INDAGA_MATCH_BEST);
    uint64_t total = indaga_results_total(first), all = indaga_results_all_words(first);
    int exact = indaga_results_total_exact(first);
    assert_int_equal(exact, i != 2);   /* "de la": about 2741 of the 3090 paragraphs, too many to count */
    assert_true(total > 0);
    static const unsigned offs[] = { 1, 10, 50, 100, 1000, 100000 };
    for (size_t j = 0; j < ARRAY_SIZE(offs); j++) {
      indaga_results *r = search_mode(qs[i], 10, offs[j], INDAGA_MATCH_BEST);
      if (!exact && offs[j] + 10 > total) {   /* an estimate is raised to the hits found past it, never lowered */
        assert_true(indaga_results_total(r) >= total);
        indaga_results_free(r);
        continue;
      }
      if (indaga_results_total(r) != total || indaga_results_all_words(r) != all)
        fail_msg("'%s' offset %u: total %llu all %llu, at 0: %llu %llu", qs[i], offs[j],
                 (unsigned long long)indaga_results_total(r), (unsigned long long)indaga_results_all_words(r),
                 (unsigned long long)total, (unsigned long long)all);
      size_t want = offs[j] >= total ? 0 : total - offs[j] < 10 ? (size_t)(total - offs[j]) : 10;
      if (exact) assert_int_equal(indaga_results_count(r), want);
      indaga_results_free(r);
    }
    indaga_results_free(first);
  }
  /* estimates: "de la" (every paragraph nearly) with a count budget of 64 steps */
  g_count_steps = 64;
  uint64_t est = 0;
  static const unsigned ks[] = { 1, 10, 100 };
  for (size_t i = 0; i < ARRAY_SIZE(ks); i++) {
    qa_arena a = { 0 };
    qx_hit *h;
    size_t n;
    uint64_t total;
    topk_internal("de la", ks[i], 0, 0, QX_MODE_BEST, &a, &h, &n, &total);
    assert_false(g_exact);
    if (i == 0) est = total;
    assert_int_equal(total, est);   /* not k's */
    qa_free(&a);
  }
  g_count_steps = UINT32_MAX;   /* enough to count every match */
  qa_arena a = { 0 };
  qx_hit *h;
  size_t n;
  uint64_t total;
  topk_internal("de la", 10, 0, 0, QX_MODE_BEST, &a, &h, &n, &total);
  assert_true(g_exact);
  double exact = (double)total;
  qa_free(&a);
  g_count_steps = 0;
  if ((double)est < 0.8 * exact || (double)est > 1.25 * exact)
    fail_msg("estimate %llu, exact %.0f", (unsigned long long)est, exact);
  uint64_t m = est;
  while (m >= 100) { assert_int_equal(m % 10, 0); m /= 10; }   /* two significant digits */
}

/*
** A filter (or any required operand) only removes matches: the count of a
** query, estimated or exact, never exceeds that of its unfiltered part
** counted with the same work, and an exact count equals the matches of an
** exhaustive run.
*/
static uint64_t count_with(const char *text, uint32_t steps, int exhaustive, int *exact, size_t *nhits) {
  qa_arena a = { 0 };
  qx_hit *h;
  size_t n;
  uint64_t total;
  g_count_steps = steps;
  topk_internal(text, exhaustive ? 100000 : 10, 0, exhaustive, QX_MODE_BEST, &a, &h, &n, &total);
  g_count_steps = 0;
  *exact = g_exact;
  *nhits = n;
  qa_free(&a);
  return total;
}

static void test_query__filtered_counts_bounded(void **state) {
  (void)state;
  static const char *const qs[][2] = {
    { "terrorismo doc:*", "terrorismo" }, { "de la doc:*", "de la" },
    { "estados miembros year:2015", "estados miembros" }, { "consejo seguridad doc:*", "consejo seguridad" },
    { "naciones unidas +consejo", "consejo" }, { "de la symbol:*", "de la" },
    { "\"consejo de seguridad\" year:2015", "\"consejo de seguridad\"" }, { "terrorismo -armas", "terrorismo" },
    { "+consejo +seguridad doc:*", "+consejo +seguridad" }, { "\"estados miembros\" NEAR/5 terrorismo doc:*",
                                                              "\"estados miembros\" NEAR/5 terrorismo" },
  };
  static const uint32_t steps[] = { 32, 64, 256, 0 };
  for (size_t i = 0; i < ARRAY_SIZE(qs); i++) {
    int exact;
    size_t n;
    (void)count_with(qs[i][0], 0, 1, &exact, &n);
    uint64_t brute = n;   /* an exhaustive run with room for every match lists each once */
    assert_true(brute > 0 && brute < 100000);
    for (size_t j = 0; j < ARRAY_SIZE(steps); j++) {
      uint64_t full = count_with(qs[i][1], steps[j], 0, &exact, &n);   /* the unfiltered query, same work */
      uint64_t t = count_with(qs[i][0], steps[j], 0, &exact, &n);
      if (t > full)
        fail_msg("'%s' (steps %u): %llu > %llu of '%s'", qs[i][0], steps[j], (unsigned long long)t,
                 (unsigned long long)full, qs[i][1]);
      if (exact && t != brute)
        fail_msg("'%s' (steps %u): exact %llu, brute force %llu", qs[i][0], steps[j], (unsigned long long)t,
                 (unsigned long long)brute);
    }
  }
}

/*
** Counts under filters on the field columns: an estimate is the words'
** count times the part of the paragraphs whose documents pass (counted
** over the columns), so it stays near the exact count where the windows
** misjudge clustered matches; a query of such filters alone, and a sort or
** a facet, which visits every match, count exactly.
*/
static void test_query__column_filter_counts(void **state) {
  (void)state;
  static const char *const qs[] = { "de la year:2015", "de la date:2014..2015", "estados miembros year:2015",
                                    "de la body:A", "de la body:E", "consejo seguridad year:2014..2016",
                                    "de la language:es" };
  for (size_t i = 0; i < ARRAY_SIZE(qs); i++) {
    int exact;
    size_t n;
    (void)count_with(qs[i], 0, 1, &exact, &n);
    uint64_t brute = n;
    uint64_t t = count_with(qs[i], 64, 0, &exact, &n);
    printf("'%s': %llu (exact %d), brute force %llu\n", qs[i], (unsigned long long)t, exact, (unsigned long long)brute);
    if (exact ? t != brute : (t * 2 < brute || t > 2 * brute))
      fail_msg("'%s': %llu, brute force %llu", qs[i], (unsigned long long)t, (unsigned long long)brute);
  }
  /* filters on the columns alone: the paragraphs of the passing documents, counted exactly */
  static const char *const only[] = { "year:2015", "body:A year:2015", "language:es body:E" };
  for (size_t i = 0; i < ARRAY_SIZE(only); i++) {
    int exact;
    size_t n;
    (void)count_with(only[i], 0, 1, &exact, &n);
    uint64_t brute = n;
    uint64_t t = count_with(only[i], 64, 0, &exact, &n);
    if (!exact || t != brute)
      fail_msg("'%s': %llu (exact %d), brute force %llu", only[i], (unsigned long long)t, exact, (unsigned long long)brute);
  }
  static const char *const facet[] = { "year" };
  int exact;
  size_t n;
  (void)count_with("de la", 0, 1, &exact, &n);
  for (int sort = 0; sort < 2; sort++) {
    indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
    o.sort = sort ? INDAGA_SORT_DATE : INDAGA_SORT_RELEVANCE;
    o.facets = sort ? NULL : facet;
    o.nfacets = sort ? 0 : 1;
    indaga_results *r = tu_search(g_idx, "de la", &o);
    assert_true(n > 1024);   /* more than the count pass counts exactly */
    assert_true(indaga_results_total_exact(r));
    assert_int_equal(indaga_results_total(r), n);
    indaga_results_free(r);
  }
}

/**************************************************************************
** Brute-force reference
*/
typedef struct rtok { uint32_t pos; int term, key; unsigned flags; } rtok;
typedef struct rpara { size_t seg; uint32_t pid; double len; rtok *t; size_t n; } rpara;

static struct {
  char **strs; size_t nstrs, cap;     /* interned strings */
  rpara *p; size_t np;
  int *surf; size_t nsurf;            /* word samples: interned surface words (non-stop) */
  double N, avgdl;
} R;

static int intern(const char *s, size_t n) {
  /* linear probing hash */
  static int *tab;
  static size_t ntab;
  if (!tab) { ntab = 1 << 20; tab = malloc(ntab * sizeof *tab); memset(tab, -1, ntab * sizeof *tab); }
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  size_t i = h & (ntab - 1);
  while (tab[i] >= 0) {
    const char *z = R.strs[tab[i]];
    if (strlen(z) == n && !memcmp(z, s, n)) return tab[i];
    i = (i + 1) & (ntab - 1);
  }
  if (R.nstrs == R.cap) { R.cap = R.cap ? R.cap * 2 : 4096; R.strs = realloc(R.strs, R.cap * sizeof *R.strs); }
  char *z = malloc(n + 1);
  memcpy(z, s, n);
  z[n] = 0;
  R.strs[R.nstrs] = z;
  tab[i] = (int)R.nstrs;
  return (int)R.nstrs++;
}

typedef struct tokacc { rtok *t; size_t n, cap; const char *text; } tokacc;
static int ref_tok(void *ctx, const ia_token *tk) {
  tokacc *a = ctx;
  if (a->n == a->cap) { a->cap = a->cap ? a->cap * 2 : 64; a->t = realloc(a->t, a->cap * sizeof *a->t); }
  rtok *t = &a->t[a->n++];
  t->pos = tk->pos;
  t->term = intern(tk->term, tk->nterm);
  t->key = tk->nkey ? intern(tk->key, tk->nkey) : -1;
  t->flags = tk->flags;
  if (!(tk->flags & (TOK_STOP | TOK_SYMBOL | TOK_PART))) {
    int s = intern(a->text + tk->start, tk->end - tk->start);
    R.surf = realloc(R.surf, (R.nsurf + 1) * sizeof *R.surf);
    R.surf[R.nsurf++] = s;
  }
  return 0;
}

static void load_reference(void) {
  const ix_snapshot *s = ix_index_snapshot(g_idx);
  analyzer *an = NULL;
  assert_int_equal(analyzer_new(&an), 0);
  R.N = (double)ix_live_paras(s);
  R.avgdl = (double)ix_total_len(s) / R.N;
  for (size_t si = 0; si < ix_nsegs(s); si++) {
    const seg_reader *r = ix_seg(s, si);
    for (uint32_t pid = 0; pid < seg_npara(r); pid++) {
      if (ix_is_deleted(s, si, pid)) continue;
      ia_buf text = { 0 };
      assert_int_equal(seg_para_text(r, pid, &text), 0);
      tokacc acc = { NULL, 0, 0, (const char *)text.p };
      assert_int_equal(analyzer_run(an, (const char *)text.p, text.n, ref_tok, &acc, NULL), 0);
      R.p = realloc(R.p, (R.np + 1) * sizeof *R.p);
      R.p[R.np].seg = si;
      R.p[R.np].pid = pid;
      R.p[R.np].len = seg_para_len(r, pid);
      R.p[R.np].t = acc.t;
      R.p[R.np].n = acc.n;
      R.np++;
      buf_free(&text);
    }
  }
  analyzer_free(an);
}

/* A reference group: the set of term ids a query word matches. */
typedef struct rgroup { int *terms; size_t n; double idf; } rgroup;

static int in_group(const rgroup *g, int term) {
  for (size_t i = 0; i < g->n; i++) if (g->terms[i] == term) return 1;
  return 0;
}

/* {term(w)} + {term(t) : key(t) == key(w)} over the corpus, and its idf. */
static void make_group(analyzer *an, const char *w, rgroup *g, const qr_params *pr) {
  const char *term, *key;
  size_t nt, nk;
  int stop;
  assert_int_equal(analyzer_word(an, w, strlen(w), &term, &nt, &key, &nk, &stop), 0);
  int tid = intern(term, nt), kid = intern(key, nk);
  g->n = 0;
  g->terms = malloc(64 * sizeof *g->terms);
  g->terms[g->n++] = tid;
  for (size_t i = 0; i < R.np; i++)
    for (size_t j = 0; j < R.p[i].n; j++)
      if (R.p[i].t[j].key == kid && !in_group(g, R.p[i].t[j].term) && g->n < 64) g->terms[g->n++] = R.p[i].t[j].term;
  double df = 0;
  for (size_t i = 0; i < R.np; i++) {
    for (size_t j = 0; j < R.p[i].n; j++)
      if (in_group(g, R.p[i].t[j].term)) { df++; break; }
  }
  g->idf = qr_idf(pr, df);
}

/* A query: units, each a word, an OR of two words, or a phrase. */
typedef struct runit { int kind; rgroup g[3]; size_t ng; } runit;   /* kind 0 word, 1 OR, 2 phrase */

static void positions(const rpara *p, const rgroup *g, uint32_t *out, uint32_t *n) {
  *n = 0;
  for (size_t j = 0; j < p->n; j++)
    if (in_group(g, p->t[j].term) && *n < 4096) out[(*n)++] = p->t[j].pos;
}

/*
** Score of paragraph @p, or -1 when it does not match. Strict (best 0):
** every unit must match. Best match (best 1): phrases must match, words
** and ORs are optional, some unit must match, and *tier receives the
** number of optional units matched.
*/
static double ref_score(const rpara *p, runit *u, size_t nu, const qr_params *pr, int best, unsigned *tier) {
  static uint32_t pos[16][4096];
  uint32_t npos[16];
  const uint32_t *plist[16];
  uint32_t pn[16];
  unsigned nprox = 0, m = 0, matched = 0;
  double s = 0;
  *tier = 0;
  for (size_t i = 0; i < nu; i++) {
    double us = 0;
    int ok = 0;
    if (u[i].kind == 2) {
      uint32_t (*pp)[4096] = pos;
      for (size_t k = 0; k < u[i].ng; k++) positions(p, &u[i].g[k], pp[k], &npos[k]);
      for (uint32_t a = 0; a < npos[0] && !ok; a++) {
        size_t k = 1;
        for (; k < u[i].ng; k++) {
          int f = 0;
          for (uint32_t b = 0; b < npos[k]; b++) if (pp[k][b] == pp[0][a] + k) f = 1;
          if (!f) break;
        }
        if (k == u[i].ng) ok = 1;
      }
      if (!ok) return -1;
      for (size_t k = 0; k < u[i].ng; k++) us += qr_bm25(pr, u[i].g[k].idf, npos[k], p->len);
      us += QR_PHRASE_BONUS;
    } else {
      for (size_t k = 0; k < u[i].ng; k++) {
        uint32_t np;
        static uint32_t tmp[4096];
        positions(p, &u[i].g[k], tmp, &np);
        nprox++;
        if (np) {
          ok = 1;
          us += qr_bm25(pr, u[i].g[k].idf, np, p->len);
          memcpy(pos[8 + m], tmp, np * sizeof *tmp);
          plist[m] = pos[8 + m];
          pn[m] = np;
          m++;
        }
      }
      if (!ok && !best) return -1;
      if (!ok) continue;
      ++*tier;
    }
    matched++;
    s += us;
  }
  if (!matched) return -1;
  if (nprox >= 2 && m >= 2) s += qr_prox(m, nprox, qr_min_window(plist, pn, m));
  return s;
}

typedef struct rhit { double score; unsigned tier; size_t seg; uint32_t pid; } rhit;
static int rhit_cmp(const void *x, const void *y) {
  const rhit *a = x, *b = y;
  if (a->tier != b->tier) return a->tier > b->tier ? -1 : 1;
  if (a->score != b->score) return a->score > b->score ? -1 : 1;
  if (a->seg != b->seg) return a->seg < b->seg ? -1 : 1;
  return a->pid < b->pid ? -1 : a->pid > b->pid;
}

/* Is @w a question word the engine drops (one that is not a stopword)? */
static int is_question_word(analyzer *an, const char *w) {
  static const char *const qw[] = { "cuanto", "cuanta", "cuantos", "cuantas", "cuales", "adonde" };
  const char *term, *key;
  size_t nt, nk;
  int stop;
  assert_int_equal(analyzer_word(an, w, strlen(w), &term, &nt, &key, &nk, &stop), 0);
  for (size_t i = 0; i < ARRAY_SIZE(qw); i++)
    if (strlen(qw[i]) == nk && !memcmp(qw[i], key, nk)) return 1;
  return 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n) {
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return (uint32_t)(rng % n);
}

static void test_query__pruning_is_exact(void **state) {
  (void)state;
  load_reference();
  const ix_snapshot *snap = ix_index_snapshot(g_idx);
  analyzer *an = NULL;
  assert_int_equal(analyzer_new(&an), 0);
  qr_params pr = { 1.2, 0.75, R.N, R.avgdl };
  rhit *all = malloc(R.np * sizeof *all);
  /* distinct words, so that rare words are drawn as often as common ones */
  int *uniq = malloc(R.nsurf * sizeof *uniq);
  size_t nuniq = 0;
  char *seen = calloc(R.nstrs, 1);
  for (size_t i = 0; i < R.nsurf; i++)
    if (!seen[R.surf[i]]) { seen[R.surf[i]] = 1; uniq[nuniq++] = R.surf[i]; }
  free(seen);
  int compared = 0, nonempty = 0, partial = 0, exact = 0;
  for (int iter = 0; iter < 400; iter++) {
    runit u[4];
    size_t nu = 1 + rnd(4);
    char q[1024];
    size_t o = 0;
    for (size_t i = 0; i < nu; i++) {
      unsigned roll = rnd(100);
      /* common words: a random occurrence; rare ones: a random distinct word */
      const char *w1 = R.strs[rnd(2) ? R.surf[rnd((uint32_t)R.nsurf)] : uniq[rnd((uint32_t)nuniq)]];
      const char *w2 = R.strs[rnd(2) ? R.surf[rnd((uint32_t)R.nsurf)] : uniq[rnd((uint32_t)nuniq)]];
      if (is_question_word(an, w1) || is_question_word(an, w2)) { i--; continue; }   /* never restrict */
      if (roll < 65) {
        u[i].kind = 0; u[i].ng = 1;
        make_group(an, w1, &u[i].g[0], &pr);
        o += (size_t)snprintf(q + o, sizeof q - o, "%s ", w1);
      } else if (roll < 85) {
        u[i].kind = 1; u[i].ng = 2;
        make_group(an, w1, &u[i].g[0], &pr);
        make_group(an, w2, &u[i].g[1], &pr);
        o += (size_t)snprintf(q + o, sizeof q - o, "%s OR %s ", w1, w2);
      } else {
        /* a phrase of 2 words from a real paragraph: consecutive plain tokens */
        const rpara *p = &R.p[rnd((uint32_t)R.np)];
        size_t j = p->n > 2 ? rnd((uint32_t)(p->n - 1)) : 0;
        if (p->n < 2 || (p->t[j].flags | p->t[j + 1].flags) & (TOK_SYMBOL | TOK_PART | TOK_NUMBER) ||
            p->t[j + 1].pos != p->t[j].pos + 1) {
          u[i].kind = 0; u[i].ng = 1;
          make_group(an, w1, &u[i].g[0], &pr);
          o += (size_t)snprintf(q + o, sizeof q - o, "%s ", w1);
          continue;
        }
        /* the surface words are not kept per token: use the terms' own word via the key */
        const char *k1 = R.strs[p->t[j].key], *k2 = R.strs[p->t[j + 1].key];
        u[i].kind = 2; u[i].ng = 2;
        make_group(an, k1, &u[i].g[0], &pr);
        make_group(an, k2, &u[i].g[1], &pr);
        o += (size_t)snprintf(q + o, sizeof q - o, "\"%s %s\" ", k1, k2);
      }
    }
    for (int best = 0; best < 2; best++) {
      /* reference */
      size_t nall = 0, nfull = 0, nopt = 0;
      for (size_t i = 0; i < nu; i++) nopt += u[i].kind != 2;
      for (size_t i = 0; i < R.np; i++) {
        unsigned tier;
        double s = ref_score(&R.p[i], u, nu, &pr, best, &tier);
        if (s < 0) continue;
        all[nall].score = s;
        all[nall].tier = tier;
        all[nall].seg = R.p[i].seg;
        all[nall].pid = R.p[i].pid;
        nfull += !best || tier == nopt;
        nall++;
      }
      qsort(all, nall, sizeof *all, rhit_cmp);
      /* engine */
      indaga_search_options so = INDAGA_SEARCH_OPTIONS_INIT;
      so.mode = best ? INDAGA_MATCH_BEST : INDAGA_MATCH_ALL;
      so.correct = 0;   /* the query as typed: the reference knows nothing of corrections */
      indaga_results *r = NULL;
      int rc = indaga_search(&r, g_idx, q, &so);
      if (rc == INDAGA_EMISUSE) {   /* every word a stopword-free sample: never empty */
        fail_msg("query '%s': %s", q, indaga_results_errmsg(r));
      }
      assert_int_equal(rc, INDAGA_OK);
      size_t n = indaga_results_count(r);
      size_t want = nall < 10 ? nall : 10;
      if (n != want) fail_msg("query '%s' best %d: %zu hits, reference %zu", q, best, n, want);
      if (indaga_results_total_exact(r) &&
          (indaga_results_total(r) != nall || indaga_results_all_words(r) != nfull))
        fail_msg("query '%s' best %d: total %llu all %llu, reference %zu %zu", q, best,
                 (unsigned long long)indaga_results_total(r), (unsigned long long)indaga_results_all_words(r),
                 nall, nfull);
      if ((indaga_results_all_words(r) == 0) != (nfull == 0))
        fail_msg("query '%s' best %d: all_words %llu, reference %zu", q, best,
                 (unsigned long long)indaga_results_all_words(r), nfull);
      exact += indaga_results_total_exact(r);
      for (size_t i = 0; i < n; i++) {
        const indaga_hit *h = indaga_results_hit(r, i);
        double rs = all[i].score;
        if (fabs(h->score - rs) > 1e-9 * fabs(rs) + 1e-12)
          fail_msg("query '%s' best %d rank %zu: score %.17g, reference %.17g", q, best, i + 1, h->score, rs);
        seg_para sp;
        seg_doc sd;
        const seg_reader *sr = ix_seg(snap, all[i].seg);
        assert_int_equal(seg_para_get(sr, all[i].pid, &sp), 0);
        assert_int_equal(seg_doc_get(sr, sp.doc, &sd), 0);
        int same = strlen(h->doc) == sd.nid && !memcmp(h->doc, sd.id, sd.nid) && h->part == sp.part &&
                   h->paragraph == sp.ordinal;
        /* a different paragraph is allowed only as a tie within 1e-9 (in the same tier) */
        if (!same) {
          int tie = 0;
          for (size_t j = 0; j < nall; j++)
            if (all[j].tier == all[i].tier && fabs(all[j].score - h->score) <= 1e-9 * fabs(rs)) tie = 1;
          if (!tie)
            fail_msg("query '%s' best %d rank %zu: %s %u %u, reference differs", q, best, i + 1, h->doc, h->part,
                     h->paragraph);
        }
      }
      indaga_results_free(r);
      if (best && nfull < 10 && nall > nfull) partial++;
      if (!best && nall > 10) compared++;
      if (!best && nall) nonempty++;
    }
    for (size_t i = 0; i < nu; i++) for (size_t k = 0; k < u[i].ng; k++) free(u[i].g[k].terms);
  }
  /* the sample must exercise pruning: many queries with more matches than k */
  assert_true(compared >= 40);
  assert_true(nonempty >= 150);
  /* and best match must fill the top 10 with partial matches, and count exactly, often */
  assert_true(partial >= 40);
  assert_true(exact >= 400);
  free(all);
  free(uniq);
  analyzer_free(an);
}

/*
** Pruned evaluation equals exhaustive evaluation (every match scored) for
** query shapes the brute-force reference does not build: prefixes, NEAR,
** exclusions, ORs under ANDs, phrases beside words, filters, grouping,
** several k. Same hits, same order, bit-identical scores.
*/
static const char *const SHAPES[] = {
  "terrorismo", "consejo", "seguridad", "de", "naciones unidas", "\"Consejo de Seguridad\"",
  "\"de la\"", "combatientes terroristas extranjeros", "terroris*", "nacion*", "a*",
  "seguridad NOT consejo", "consejo -seguridad", "(paz OR seguridad) consejo",
  "paz OR seguridad OR desarrollo", "derechos NEAR/3 humanos", "informacion",
  "resolucion del consejo", "\"Consejo de Seguridad\" resolución", "estados miembros year:2017",
  "de la de", "\"Consejo de Seguridad\" NEAR/5 terrorismo", "secretario general -carta",
  "(terrorismo OR terroristas) (financiación OR financiacion) NOT armas", "annex:any resolución",
  /* ANDs of groups with one big list and small ones (leapfrog2 below their next posting) */
  "consej* seguridad", "estad* miembros", "secretario general*", "consej* estad* general*",
};


static void topk_internal(const char *text, unsigned k, int group, int exhaustive, int mode, qa_arena *a,
                          qx_hit **hits, size_t *n, uint64_t *total) {
  qx_counts counts;
  const ix_snapshot *s = ix_index_snapshot(g_idx);
  analyzer *an = NULL;
  qnode *tree = NULL;
  qx_query *q = NULL;
  ia_buf notes = { 0 };
  char *err = NULL;
  assert_int_equal(analyzer_new(&an), 0);
  assert_int_equal(qp_parse(a, text, strlen(text), &tree, &notes), 0);
  qx_opts o = { k, group, 1.2, 0.75, exhaustive, mode, g_count_steps, 0, NULL, NULL };
  assert_int_equal(qx_compile(a, an, s, tree, &o, &q, &notes, &err), 0);
  assert_non_null(q);
  assert_int_equal(qx_topk(q, hits, n, &counts, &err), 0);
  *total = counts.total;
  g_pruned = counts.pruned;
  g_exact = counts.exact;
  qx_release(q);
  buf_free(&notes);
  analyzer_free(an);
}

static void test_query__pruned_equals_exhaustive(void **state) {
  (void)state;
  static const unsigned ks[] = { 1, 3, 10, 50 };
  int pruned = 0;
  for (size_t i = 0; i < sizeof SHAPES / sizeof *SHAPES; i++) {
    for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++) {
      for (int g = 0; g < 4; g++) {
        int group = g & 1, mode = g >> 1 ? QX_MODE_ALL : QX_MODE_BEST;
        qa_arena a1 = { 0 }, a2 = { 0 };
        qx_hit *h1, *h2;
        size_t n1, n2;
        uint64_t t1, t2;
        topk_internal(SHAPES[i], ks[ki], group, 0, mode, &a1, &h1, &n1, &t1);
        int skipped = g_pruned;
        topk_internal(SHAPES[i], ks[ki], group, 1, mode, &a2, &h2, &n2, &t2);
        if (n1 != n2)
          fail_msg("'%s' k %u group %d mode %d: %zu hits, exhaustive %zu", SHAPES[i], ks[ki], group, mode, n1, n2);
        for (size_t j = 0; j < n1; j++)
          if (h1[j].score != h2[j].score || h1[j].tier != h2[j].tier || h1[j].seg != h2[j].seg ||
              h1[j].pid != h2[j].pid)
            fail_msg("'%s' k %u group %d mode %d rank %zu: %u/%u %u %.17g, exhaustive %u/%u %u %.17g", SHAPES[i],
                     ks[ki], group, mode, j + 1, h1[j].seg, h1[j].pid, h1[j].tier, h1[j].score, h2[j].seg,
                     h2[j].pid, h2[j].tier, h2[j].score);
        pruned += skipped;
        assert_int_equal(t1, t2);   /* the counts do not depend on pruning (both exact here) */
        assert_true(t2 >= n2);
        qa_free(&a1);
        qa_free(&a2);
      }
    }
  }
  assert_true(pruned >= 10);   /* the shapes exercise pruning */
}

/*
** A group's df is the size of the union of its terms' lists: prefix groups of
** one big list and small ones ("general*": general 211, generaliz 6,
** general1 1 on this index) take union_df's merged path. Checked against a
** bitmap union of the lists read here, through the exhaustive run's total
** (every live match counted) and its best score (rank.c's formula at that df).
*/
typedef struct pfx_terms { const seg_reader *r; seg_term t[64]; size_t n; } pfx_terms;
static int pfx_cb(void *ctx, const char *k, size_t nk, const char *t, size_t nt) {
  pfx_terms *v = ctx;
  (void)k; (void)nk;
  seg_term st;
  if (v->n < 64 && seg_term_get(v->r, t, nt, &st) == 1) {
    for (size_t i = 0; i < v->n; i++) if (v->t[i].priv[0] == st.priv[0]) return 0;   /* listed under two keys */
    v->t[v->n++] = st;
  }
  return 0;
}

static void test_query__group_df_is_union(void **state) {
  (void)state;
  static const char *const pfx[] = { "general", "estad", "consej" };
  const ix_snapshot *s = ix_index_snapshot(g_idx);
  qr_params pr = { 1.2, 0.75, (double)ix_live_paras(s), 0 };
  pr.avgdl = (double)ix_total_len(s) / pr.N;
  for (size_t i = 0; i < sizeof pfx / sizeof *pfx; i++) {
    char q[32];
    snprintf(q, sizeof q, "%s*", pfx[i]);
    qa_arena a = { 0 };
    qx_hit *h;
    size_t n;
    uint64_t total;
    topk_internal(q, 1, 0, 1, QX_MODE_BEST, &a, &h, &n, &total);
    assert_int_equal(n, 1);
    double df = 0, tf = 0, len = 0;
    size_t nterms = 0;
    for (size_t g = 0; g < ix_nsegs(s); g++) {
      pfx_terms v = { ix_seg(s, g), { { 0 } }, 0 };
      assert_int_equal(seg_vocab_prefix(v.r, pfx[i], strlen(pfx[i]), pfx_cb, &v), 0);
      nterms += v.n;
      uint32_t np = seg_npara(v.r);
      uint8_t *seen = calloc(np, 1);
      assert_non_null(seen);
      for (size_t k = 0; k < v.n; k++) {
        seg_cursor c;
        assert_int_equal(seg_cursor_open(&c, v.r, &v.t[k]), 0);
        while (c.doc != SEG_END) {
          if (!seen[c.doc]++) df++;
          if (g == h[0].seg && c.doc == h[0].pid) tf += c.freq;
          assert_int_equal(seg_cursor_next(&c), 0);
        }
        seg_cursor_close(&c);
      }
      if (g == h[0].seg) len = seg_para_len(v.r, h[0].pid);
      free(seen);
    }
    assert_true(nterms >= 2);
    assert_int_equal(total, (uint64_t)df);   /* no deleted paragraphs in this index */
    double want = qr_bm25(&pr, qr_idf(&pr, df), tf, len);
    if (h[0].score != want) fail_msg("'%s': score %.17g, want %.17g (df %.0f)", q, h[0].score, want, df);
    qa_free(&a);
  }
}

/* seg_text_read returns each paragraph's stored text, in any order, across segments. */
static void test_query__text_reader_matches(void **state) {
  (void)state;
  const ix_snapshot *s = ix_index_snapshot(g_idx);
  seg_text_reader *t = NULL;
  assert_int_equal(seg_text_reader_new(&t), 0);
  ia_buf want = { 0 };
  size_t checked = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (size_t si = 0; si < ix_nsegs(s); si++) {
      const seg_reader *r = ix_seg(s, si);
      uint32_t np = seg_npara(r);
      for (uint32_t i = 0; i < np; i++) {
        uint32_t pid = pass ? np - 1 - i : i;   /* forwards, then backwards */
        const char *p;
        size_t n;
        buf_reset(&want);
        assert_int_equal(seg_para_text(r, pid, &want), 0);
        assert_int_equal(seg_text_read(t, r, pid, &p, &n), 0);
        assert_int_equal(n, want.n);
        assert_memory_equal(p, want.p, n);
        checked++;
      }
      const char *p;
      size_t n;
      assert_int_equal(seg_text_read(t, r, np, &p, &n), INDAGA_ENOTFOUND);
      seg_text_reader_reset(t);
    }
  }
  assert_true(checked >= 2 * 3000);
  buf_free(&want);
  seg_text_reader_free(t);
}

int main(void) {
  if (!tu_have_shared(UN_DIR)) return TU_SKIPPED;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_query__golden_lists),
    cmocka_unit_test(test_query__krasnodar_first),
    cmocka_unit_test(test_query__accents_and_inflections),
    cmocka_unit_test(test_query__empty_queries_are_clear),
    cmocka_unit_test(test_query__paging_group_context),
    cmocka_unit_test(test_query__best_match_all_words_first),
    cmocka_unit_test(test_query__questions),
    cmocka_unit_test(test_query__wording_bonus),
    cmocka_unit_test(test_query__counts_are_honest),
    cmocka_unit_test(test_query__pruning_is_exact),
    cmocka_unit_test(test_query__filtered_counts_bounded),
    cmocka_unit_test(test_query__column_filter_counts),
    cmocka_unit_test(test_query__pruned_equals_exhaustive),
    cmocka_unit_test(test_query__group_df_is_union),
    cmocka_unit_test(test_query__text_reader_matches),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
