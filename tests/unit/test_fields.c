/*
** test_fields.c: fields, dates, sorting and facets through the public API
** (include/indaga.h; query/fields.c, query/order.c, indexer/segfields.c),
** on the legislation sample the repository ships (tests/data/legalize-sample).
** Every expectation is computed here from the documents' own metadata
** (indaga_document_get), never copied from an earlier run.
*/
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "indaga.h"
#include "testutil.h"

#define LEG_DIR INDAGA_SOURCE_DIR "/tests/data/legalize-sample"

static indaga_index *g_idx;
static char *g_dir;

/* The documents of the sample and their publication dates (yyyy-mm-dd). */
static char *g_docs[256], *g_dates[256];
static size_t g_ndocs;

static int setup(void **state) {
  (void)state;
  g_dir = tu_tmpdir("fields");
  indaga_writer *w = NULL;
  indaga_writer_options wo = INDAGA_WRITER_OPTIONS_INIT;
  wo.flags = INDAGA_WRITER_FULL;
  char *msg = NULL;
  if (indaga_writer_open(&w, g_dir, &wo, &msg)) { fprintf(stderr, "writer: %s\n", msg); return -1; }
  indaga_sync_report rep;
  memset(&rep, 0, sizeof rep);
  uint64_t gen = 0;
  if (indaga_writer_sync(w, LEG_DIR, &rep) || indaga_writer_commit(w, &gen)) {
    fprintf(stderr, "index: %s\n", indaga_writer_errmsg(w));
    return -1;
  }
  indaga_writer_close(w);
  if (indaga_index_open(&g_idx, g_dir, NULL, &msg)) { fprintf(stderr, "open: %s\n", msg); return -1; }
  DIR *d = opendir(LEG_DIR);
  if (!d) return -1;
  for (struct dirent *e; (e = readdir(d)) && g_ndocs < 256;) {
    size_t n = strlen(e->d_name);
    if (n < 4 || strcmp(e->d_name + n - 3, ".md")) continue;
    indaga_document *doc = NULL;
    if (indaga_document_get(&doc, g_idx, e->d_name, &msg)) { fprintf(stderr, "get %s: %s\n", e->d_name, msg); return -1; }
    const char *pd = indaga_document_meta_get(doc, "publication_date");
    g_docs[g_ndocs] = strdup(e->d_name);
    g_dates[g_ndocs++] = pd ? strndup(pd, 10) : NULL;
    indaga_document_free(doc);
  }
  closedir(d);
  return g_ndocs > 30 ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  indaga_index_close(g_idx);
  for (size_t i = 0; i < g_ndocs; i++) { free(g_docs[i]); free(g_dates[i]); }
  tu_rm_rf(g_dir);
  free(g_dir);
  return 0;
}

static indaga_results *run(const char *q, const indaga_search_options *o) {
  indaga_results *r = NULL;
  int rc = indaga_search(&r, g_idx, q, o);
  if (rc) fprintf(stderr, "search '%s': %s\n", q, indaga_results_errmsg(r));
  assert_int_equal(rc, INDAGA_OK);
  return r;
}

/* The documents a query finds (grouped, all of them), as a 0/1 vector over g_docs. */
static void found(const char *q, int *in) {
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = 100000;
  o.group = 1;
  o.snippets = 0;
  indaga_results *r = run(q, &o);
  memset(in, 0, g_ndocs * sizeof *in);
  for (size_t i = 0; i < indaga_results_count(r); i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    size_t k = 0;
    while (k < g_ndocs && strcmp(g_docs[k], h->doc)) k++;
    assert_true(k < g_ndocs);
    in[k] = 1;
  }
  indaga_results_free(r);
}

/* A date range finds exactly the documents whose publication date lies in it. */
static void test_fields__date_ranges(void **state) {
  (void)state;
  static const struct { const char *q, *lo, *hi; } cases[] = {
    { "date:2000..2010", "2000-01-01", "2010-12-31" },
    { "date:1995-06..2002-03", "1995-06-01", "2002-03-31" },
    { "date:..1995", "0000-00-00", "1995-12-31" },
    { "date:2020..", "2020-01-01", "9999-99-99" },
    { "year:1990..1999", "1990-01-01", "1999-12-31" },
    { "a\xc3\xb1o:2008", "2008-01-01", "2008-12-31" },
  };
  int in[256];
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    found(cases[c].q, in);
    size_t n = 0;
    for (size_t i = 0; i < g_ndocs; i++) {
      int want = g_dates[i] && strcmp(g_dates[i], cases[c].lo) >= 0 && strcmp(g_dates[i], cases[c].hi) <= 0;
      if (want != in[i]) fprintf(stderr, "%s: %s (%s) %s\n", cases[c].q, g_docs[i], g_dates[i] ? g_dates[i] : "-", want ? "missing" : "extra");
      assert_int_equal(want, in[i]);
      n += (size_t)want;
    }
    assert_true(n > 0);
  }
}

/* Hits sorted by date: dates never decrease (undated last), ties by score; -date the reverse. */
static void test_fields__sort(void **state) {
  (void)state;
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = 100000;
  o.snippets = 0;
  for (int sort = INDAGA_SORT_DATE; sort <= INDAGA_SORT_DATE_DESC; sort++) {
    o.sort = sort;
    indaga_results *r = run("ley", &o);
    size_t n = indaga_results_count(r);
    assert_true(n > 100);
    assert_int_equal(indaga_results_total(r), n);
    for (size_t i = 1; i < n; i++) {
      const indaga_hit *a = indaga_results_hit(r, i - 1), *b = indaga_results_hit(r, i);
      assert_int_equal(b->rank, i + 1);
      if (!b->date) continue;
      assert_non_null(a->date);
      int c = strcmp(a->date, b->date);
      assert_true(sort == INDAGA_SORT_DATE ? c <= 0 : c >= 0);
      if (c == 0) assert_true(a->score >= b->score);
    }
    indaga_results_free(r);
  }
  /* a page of the sorted list is that slice of it */
  o.sort = INDAGA_SORT_DATE_DESC;
  o.k = 40;
  indaga_results *all = run("ley", &o);
  o.k = 10;
  o.offset = 20;
  indaga_results *page = run("ley", &o);
  assert_int_equal(indaga_results_count(page), 10);
  for (size_t i = 0; i < 10; i++) {
    const indaga_hit *a = indaga_results_hit(all, 20 + i), *b = indaga_results_hit(page, i);
    assert_string_equal(a->doc, b->doc);
    assert_int_equal(a->paragraph, b->paragraph);
    assert_int_equal(a->part, b->part);
    assert_int_equal(b->rank, 21 + i);
  }
  indaga_results_free(all);
  indaga_results_free(page);
}

/*
** Year facet @f against a brute-force tally over @all, every matching
** paragraph: the hits whose date starts with the year, and their documents.
*/
static void year_by_brute_force(const indaga_facet *f, const indaga_results *all) {
  uint64_t paras = 0, docs = 0;
  const char *seen[256];
  for (size_t k = 0; k < indaga_results_count(all); k++) {
    const indaga_hit *h = indaga_results_hit(all, k);
    if (!h->date || strncmp(h->date, f->value, 4)) continue;
    paras++;
    size_t j = 0;
    while (j < docs && strcmp(seen[j], h->doc)) j++;
    if (j == docs && docs < 256) seen[docs++] = h->doc;
  }
  assert_int_equal(f->paragraphs, paras);
  assert_int_equal(f->documents, docs);
}

/* Facets: per year and per rank, over every match; equal to counts over the whole hit list. */
static void test_fields__facets(void **state) {
  (void)state;
  const char *names[] = { "year", "Rank" };
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = 5;
  o.facets = names;
  o.nfacets = 2;
  indaga_results *r = run("ley", &o);
  assert_int_equal(indaga_results_count(r), 5);
  uint64_t total = indaga_results_total(r);
  indaga_search_options a = INDAGA_SEARCH_OPTIONS_INIT;
  a.k = 100000;
  a.snippets = 0;
  indaga_results *all = run("ley", &a);
  assert_int_equal(indaga_results_count(all), total);
  uint64_t sum = 0;
  size_t nyear = 0;
  for (size_t i = 0; i < indaga_results_facet_count(r); i++) {
    const indaga_facet *f = indaga_results_facet(r, i);
    if (strcmp(f->field, "year")) { assert_string_equal(f->field, "Rank"); continue; }
    nyear++;
    sum += f->paragraphs;
    year_by_brute_force(f, all);
    if (i > 0 && !strcmp(indaga_results_facet(r, i - 1)->field, "year"))
      assert_true(indaga_results_facet(r, i - 1)->paragraphs >= f->paragraphs);
  }
  assert_true(nyear > 5);
  assert_int_equal(sum, total);   /* every document of the sample has a date */
  assert_null(indaga_results_facet(r, indaga_results_facet_count(r)));
  indaga_results_free(all);
  indaga_results_free(r);
}

/*
** A facet without a sort is tallied by the count pass while the top k stays
** pruned; with a sort, from the list of every match. Both must give the
** same counts on @idx for query @q, the year facet's equal to a tally over
** the whole hit list, and the hits those of the query without a facet.
** Under group the facets still count paragraphs.
*/
static void facet_check(const indaga_index *idx, const char *q, int mode, int group) {
  const char *names[] = { "year", "rank" };
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = 3;
  o.mode = mode;
  o.group = group;
  o.snippets = 0;
  o.facets = names;
  o.nfacets = 2;
  indaga_results *fast = tu_search(idx, q, &o);
  o.sort = INDAGA_SORT_DATE;
  indaga_results *sorted = tu_search(idx, q, &o);
  indaga_search_options a = INDAGA_SEARCH_OPTIONS_INIT;
  a.k = 100000;
  a.mode = mode;
  a.snippets = 0;
  indaga_results *all = tu_search(idx, q, &a);
  o.sort = INDAGA_SORT_RELEVANCE;
  o.nfacets = 0;
  indaga_results *plain = tu_search(idx, q, &o);
  assert_true(indaga_results_count(all) > 0);
  assert_true(indaga_results_total_exact(fast));
  assert_int_equal(indaga_results_total(fast), indaga_results_total(sorted));
  assert_int_equal(indaga_results_all_words(fast), indaga_results_all_words(sorted));
  if (!group) assert_int_equal(indaga_results_total(fast), indaga_results_count(all));
  /* the same hits as without the facet */
  assert_int_equal(indaga_results_count(fast), indaga_results_count(plain));
  for (size_t i = 0; i < indaga_results_count(plain); i++) {
    assert_string_equal(indaga_results_hit(fast, i)->doc, indaga_results_hit(plain, i)->doc);
    assert_int_equal(indaga_results_hit(fast, i)->byte_start, indaga_results_hit(plain, i)->byte_start);
  }
  /* the same facets either way */
  assert_int_equal(indaga_results_facet_count(fast), indaga_results_facet_count(sorted));
  for (size_t i = 0; i < indaga_results_facet_count(fast); i++) {
    const indaga_facet *x = indaga_results_facet(fast, i), *y = indaga_results_facet(sorted, i);
    assert_string_equal(x->field, y->field);
    assert_string_equal(x->value, y->value);
    assert_int_equal(x->paragraphs, y->paragraphs);
    assert_int_equal(x->documents, y->documents);
  }
  /* brute force: the year facet over every matching paragraph */
  size_t nyear = 0;
  for (size_t i = 0; i < indaga_results_facet_count(fast); i++) {
    const indaga_facet *f = indaga_results_facet(fast, i);
    if (strcmp(f->field, "year")) continue;
    nyear++;
    year_by_brute_force(f, all);
  }
  /* and no year left out: the hits' distinct years */
  size_t years = 0;
  for (size_t k = 0; k < indaga_results_count(all); k++) {
    const indaga_hit *h = indaga_results_hit(all, k);
    if (!h->date) continue;
    size_t j = 0;
    while (j < k && !(indaga_results_hit(all, j)->date && !strncmp(indaga_results_hit(all, j)->date, h->date, 4))) j++;
    years += j == k;
  }
  assert_int_equal(nyear, years);
  indaga_results_free(plain);
  indaga_results_free(all);
  indaga_results_free(sorted);
  indaga_results_free(fast);
}

/* facet_check for one word, a best match, a conjunction, a phrase, a prefix, a filter, with and without group. */
static void test_fields__facets_exact(void **state) {
  (void)state;
  static const struct { const char *q; int mode; } cases[] = {
    { "ley", INDAGA_MATCH_BEST },
    { "ley general presupuesto", INDAGA_MATCH_BEST },
    { "ley general", INDAGA_MATCH_ALL },
    { "\"de la\"", INDAGA_MATCH_BEST },
    { "decret*", INDAGA_MATCH_BEST },
    { "ley status:in_force", INDAGA_MATCH_BEST },
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
    for (int group = 0; group <= 1; group++) facet_check(g_idx, cases[c].q, cases[c].mode, group);
}

/*
** Deleted paragraphs are not counted: an index of a few sample documents,
** synced again after some are removed and one rewritten (their paragraphs
** deleted in place), gives the facets of its live matches only.
*/
static void test_fields__facets_deleted(void **state) {
  (void)state;
  char *src = tu_tmpdir("facetsrc"), *dir = tu_tmpdir("facetidx"), path[1024];
  size_t n = g_ndocs < 12 ? g_ndocs : 12;
  for (size_t i = 0; i < n; i++) {
    size_t len;
    snprintf(path, sizeof path, "%s/%s", LEG_DIR, g_docs[i]);
    char *text = tu_read_file(path, &len);
    snprintf(path, sizeof path, "%s/%s", src, g_docs[i]);
    tu_write_file(path, text, len);
    free(text);
  }
  indaga_sync_report rep;
  assert_int_equal(tu_index_tree(dir, src, &rep), 0);
  for (size_t i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/%s", src, g_docs[i]);
    assert_int_equal(unlink(path), 0);
  }
  snprintf(path, sizeof path, "%s/%s", src, g_docs[3]);
  FILE *f = fopen(path, "ab");
  assert_non_null(f);
  fputs("\nUna ley general añadida al final.\n", f);
  assert_int_equal(fclose(f), 0);
  indaga_writer *w = NULL;
  indaga_writer_options wo = INDAGA_WRITER_OPTIONS_INIT;
  char *msg = NULL;
  uint64_t gen = 0;
  assert_int_equal(indaga_writer_open(&w, dir, &wo, &msg), INDAGA_OK);
  memset(&rep, 0, sizeof rep);
  assert_int_equal(indaga_writer_sync(w, src, &rep), INDAGA_OK);
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  indaga_writer_close(w);
  indaga_index *idx = NULL;
  assert_int_equal(indaga_index_open(&idx, dir, NULL, &msg), INDAGA_OK);
  facet_check(idx, "ley", INDAGA_MATCH_BEST, 0);
  facet_check(idx, "ley", INDAGA_MATCH_BEST, 1);
  facet_check(idx, "ley general", INDAGA_MATCH_BEST, 0);
  indaga_index_close(idx);
  tu_rm_rf(dir);
  tu_rm_rf(src);
  free(dir);
  free(src);
}

/* Field names and values fold like text; an unknown field is words with a note naming the fields. */
static void test_fields__fields_and_notes(void **state) {
  (void)state;
  int a[256], b[256];
  found("status:in_force", a);
  found("STATUS:IN_FORCE", b);
  assert_memory_equal(a, b, g_ndocs * sizeof *a);
  found("rank:ley", a);
  size_t n = 0;
  for (size_t i = 0; i < g_ndocs; i++) n += (size_t)a[i];
  assert_true(n >= 10);
  for (size_t i = 0; i < g_ndocs; i++)
    if (a[i]) assert_true(!strncmp(g_docs[i], "LEY-", 4));
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  indaga_results *r = NULL;
  assert_int_equal(indaga_search(&r, g_idx, "estatuto:vigente", &o), INDAGA_OK);
  const char *note = indaga_results_note(r);
  assert_non_null(note);
  assert_non_null(strstr(note, "no field \"estatuto\""));
  assert_non_null(strstr(note, "publication_date, rank, scope"));
  indaga_results_free(r);
  /* a malformed date is ignored with a note, not an error */
  assert_int_equal(indaga_search(&r, g_idx, "ley date:mayo", &o), INDAGA_OK);
  assert_non_null(strstr(indaga_results_note(r), "date: takes yyyy"));
  indaga_results_free(r);
}

/* Options: a version 2 caller gets relevance and no facets; bad values are EMISUSE. */
static void test_fields__options(void **state) {
  (void)state;
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  indaga_results *r = NULL;
  o.sort = 7;
  assert_int_equal(indaga_search(&r, g_idx, "ley", &o), INDAGA_EMISUSE);
  indaga_results_free(r);
  o.sort = INDAGA_SORT_RELEVANCE;
  o.nfacets = INDAGA_FACETS_MAX + 1;
  const char *names[INDAGA_FACETS_MAX + 1] = { 0 };
  for (size_t i = 0; i <= INDAGA_FACETS_MAX; i++) names[i] = "year";
  o.facets = names;
  assert_int_equal(indaga_search(&r, g_idx, "ley", &o), INDAGA_EMISUSE);
  indaga_results_free(r);
  /* a version 2 struct: the new fields hold garbage that must not be read */
  o.version = 2;
  o.sort = 99;
  o.nfacets = 12345;
  o.facets = NULL;
  assert_int_equal(indaga_search(&r, g_idx, "ley", &o), INDAGA_OK);
  assert_int_equal(indaga_results_facet_count(r), 0);
  indaga_results_free(r);
}

/* Threads racing to build a fresh reader's field columns all get the same answer. */
static void *race(void *arg) {
  indaga_index *idx = arg;
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = 1000;
  o.group = 1;
  indaga_results *r = NULL;
  int rc = indaga_search(&r, idx, "rank:ley date:1990..", &o);
  size_t n = rc ? (size_t)-1 : indaga_results_count(r);
  indaga_results_free(r);
  return (void *)(uintptr_t)n;
}

static void test_fields__threads(void **state) {
  (void)state;
  indaga_index *idx = NULL;
  char *msg = NULL;
  assert_int_equal(indaga_index_open(&idx, g_dir, NULL, &msg), INDAGA_OK);
  pthread_t t[4];
  for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, race, idx), 0);
  void *res[4];
  for (int i = 0; i < 4; i++) pthread_join(t[i], &res[i]);
  for (int i = 1; i < 4; i++) assert_ptr_equal(res[i], res[0]);
  assert_true((uintptr_t)res[0] > 0 && (uintptr_t)res[0] != (uintptr_t)-1);
  indaga_index_close(idx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fields__date_ranges),
    cmocka_unit_test(test_fields__sort),
    cmocka_unit_test(test_fields__facets),
    cmocka_unit_test(test_fields__facets_exact),
    cmocka_unit_test(test_fields__facets_deleted),
    cmocka_unit_test(test_fields__fields_and_notes),
    cmocka_unit_test(test_fields__options),
    cmocka_unit_test(test_fields__threads),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
