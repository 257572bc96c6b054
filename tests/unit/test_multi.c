/*
** test_multi.c: several indexes searched as one (indaga_index_open_many),
** on the UN data (../shared/data/un, 534 files) split into three indexes,
** file i of the sorted list into index i mod 3, against one index of them
** all, through the public API:
**   - the same hits (document, part, paragraph, label, snippet), the same
**     order and the same scores, compared exactly (==): every statistic of a
**     score (live paragraphs, total length, each group's df, an integer sum
**     over segments) is the same number, and each score sums the same
**     terms in the same order, so not even rounding differs; the same
**     totals, exactness and all-words counts (estimates compared as
**     estimates: their flag), suggestions and facets, for many queries
**     under relevance, group, all, every sort and facets;
**   - each hit names the index holding its document (indaga_hit_index);
**   - equal scores rank by document id, not by the order of adding;
**   - threads searching one handle agree with one thread;
**   - a file indexed in pieces is one document per index (--group);
**   - the handle: count, labels, members, stats summed, documents found in
**     their member, an id held by two members refused, refresh after a
**     commit to one member;
**   - errors: a missing directory, the same index twice, two equal labels,
**     a bad label, no paths.
*/
#include <dirent.h>
#include <sys/stat.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "testutil.h"
#include "indaga.h"
#include "indexer/index.h"
#include "indexer/segment.h"

#define UN_DIR INDAGA_SHARED_DATA "/un"
#define NPARTS 3

static char *g_tmp;
static char *g_names[1024];          /* the UN files, sorted */
static size_t g_nnames;
static char g_dirs[NPARTS][512];     /* the three indexes */
static char g_one[512];              /* the index of them all */
static indaga_index *g_many, *g_single;
static const char *const g_labels[NPARTS] = { "un-a", "un-b", "un-c" };

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Index files i of g_names with i % @mod == @rest (@mod 1: all) into @dir. 0 or -1. */
static int build(const char *dir, size_t mod, size_t rest) {
  indaga_writer *w = NULL;
  indaga_writer_options wo = INDAGA_WRITER_OPTIONS_INIT;
  char *msg = NULL;
  if (indaga_writer_open(&w, dir, &wo, &msg)) { fprintf(stderr, "writer %s: %s\n", dir, msg); return -1; }
  for (size_t i = rest; i < g_nnames; i += mod) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", UN_DIR, g_names[i]);
    if (indaga_writer_add_file(w, g_names[i], path)) {
      fprintf(stderr, "add %s: %s\n", path, indaga_writer_errmsg(w));
      return -1;
    }
  }
  uint64_t gen;
  if (indaga_writer_commit(w, &gen)) { fprintf(stderr, "commit: %s\n", indaga_writer_errmsg(w)); return -1; }
  indaga_writer_close(w);
  return 0;
}

static int setup(void **state) {
  (void)state;
  DIR *d = opendir(UN_DIR);
  if (!d) return -1;
  for (struct dirent *e; (e = readdir(d)) != NULL && g_nnames < 1024;)
    if (e->d_name[0] != '.') g_names[g_nnames++] = strdup(e->d_name);
  closedir(d);
  qsort(g_names, g_nnames, sizeof *g_names, cmp_str);
  char tmpl[] = "/tmp/indaga-test-multi-XXXXXX";
  if (!mkdtemp(tmpl)) return -1;
  g_tmp = strdup(tmpl);
  const char *paths[NPARTS];
  for (size_t i = 0; i < NPARTS; i++) {
    snprintf(g_dirs[i], sizeof g_dirs[i], "%s/%s", g_tmp, g_labels[i]);
    if (build(g_dirs[i], NPARTS, i)) return -1;
    paths[i] = g_dirs[i];
  }
  snprintf(g_one, sizeof g_one, "%s/one", g_tmp);
  if (build(g_one, 1, 0)) return -1;
  char *msg = NULL;
  if (indaga_index_open_many(&g_many, paths, NULL, NPARTS, NULL, &msg) ||
      indaga_index_open(&g_single, g_one, NULL, &msg)) {
    fprintf(stderr, "open: %s\n", msg);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  indaga_index_close(g_many);
  indaga_index_close(g_single);
  if (g_tmp) tu_rm_rf(g_tmp);
  free(g_tmp);
  for (size_t i = 0; i < g_nnames; i++) free(g_names[i]);
  return 0;
}

/* The label of the index that holds document @doc in the split. */
static const char *label_of(const char *doc) {
  for (size_t i = 0; i < g_nnames; i++)
    if (!strcmp(g_names[i], doc)) return g_labels[i % NPARTS];
  fail_msg("%s is no UN file", doc);
  return NULL;
}

static int same_str(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

static const char *const g_queries[] = {
  "combatientes terroristas extranjeros", "combatiente terrorista extranjero", "COMBATIENTES terroristas",
  "informacion", "financiacion del terrorismo", "\"Consejo de Seguridad\"", "S/RES/2196 (2015)",
  "terroris*", "yihad NEAR/3 autónoma", "seguridad symbol:S/2015/*", "ano", "año", "terrorismo",
  "cuántos combatientes terroristas extranjeros hay en Krasnodar",
  "medidas para prevenir la financiación del terrorismo internacional",
  "derechos humanos de los migrantes y refugiados", "cooperación internacional en materia de seguridad",
  "\"Asamblea General\" resolución", "+seguridad consejo NOT terrorismo", "terrorismo year:2015",
  "desarrollo sostenible year:2015..2016", "paz body:S", "derechos date:2015-01..2015-06",
  "terrorizmo internasional", "de", "el", "naciones unidas",
};
#define NQUERIES (sizeof g_queries / sizeof *g_queries)

/* Search @q on both handles with @o and compare everything the results say. Returns the hits compared. */
static size_t compare(const char *q, const indaga_search_options *o) {
  indaga_results *a = tu_search(g_single, q, o), *b = tu_search(g_many, q, o);
  size_t n = indaga_results_count(a);
  assert_int_equal(indaga_results_count(b), n);
  assert_int_equal(indaga_results_total_exact(b), indaga_results_total_exact(a));
  if (indaga_results_total_exact(a)) {
    assert_int_equal(indaga_results_total(b), indaga_results_total(a));
    assert_int_equal(indaga_results_all_words(b), indaga_results_all_words(a));
  }
  assert_true(same_str(indaga_results_suggestion(a), indaga_results_suggestion(b)));
  assert_int_equal(indaga_results_corrected(b), indaga_results_corrected(a));
  for (size_t i = 0; i < n; i++) {
    const indaga_hit *x = indaga_results_hit(a, i), *y = indaga_results_hit(b, i);
    if (strcmp(x->doc, y->doc) || x->part != y->part || x->paragraph != y->paragraph || x->score != y->score)
      fail_msg("'%s' hit %zu: %s %u %u %.17g against %s %u %u %.17g", q, i + 1, x->doc, x->part,
               x->paragraph, x->score, y->doc, y->part, y->paragraph, y->score);
    assert_int_equal(x->rank, y->rank);
    assert_true(same_str(x->label, y->label));
    assert_true(same_str(x->date, y->date));
    assert_int_equal(x->snippet_len, y->snippet_len);
    if (x->snippet_len) assert_memory_equal(x->snippet, y->snippet, x->snippet_len);
    assert_int_equal(x->nhighlights, y->nhighlights);
    assert_string_equal(indaga_hit_index(y), label_of(y->doc));
    assert_string_equal(indaga_hit_index(x), "one");
  }
  assert_int_equal(indaga_results_facet_count(b), indaga_results_facet_count(a));
  for (size_t i = 0; i < indaga_results_facet_count(a); i++) {
    const indaga_facet *x = indaga_results_facet(a, i), *y = indaga_results_facet(b, i);
    assert_string_equal(x->field, y->field);
    assert_string_equal(x->value, y->value);
    assert_int_equal(x->paragraphs, y->paragraphs);
    assert_int_equal(x->documents, y->documents);
  }
  indaga_results_free(a);
  indaga_results_free(b);
  return n;
}

static void test_multi__same_as_one_index(void **state) {
  (void)state;
  /* both tie paths of tie.c meet: the one index lies in id order (ties by place), the three do not */
  assert_int_equal(ix_snapshot_ordered(ix_index_snapshot(g_single)), 1);
  assert_int_equal(ix_snapshot_ordered(ix_index_snapshot(g_many)), 0);
  static const char *facets[] = { "year", "symbol" };
  size_t hits = 0;
  for (int v = 0; v < 8; v++) {
    indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
    o.k = 50;
    o.time_ms = 0;
    switch (v) {
    case 1: o.group = 1; break;
    case 2: o.mode = INDAGA_MATCH_ALL; break;
    case 3: o.sort = INDAGA_SORT_DATE; break;
    case 4: o.sort = INDAGA_SORT_DATE_DESC; break;
    case 5: o.sort = INDAGA_SORT_DOC; break;
    case 6: o.facets = facets; o.nfacets = 2; o.k = 10; break;
    case 7: o.k = 7; o.offset = 20; o.context = 1; break;
    default: break;
    }
    for (size_t i = 0; i < NQUERIES; i++) hits += compare(g_queries[i], &o);
  }
  printf("%zu hits compared, scores exactly\n", hits);
  assert_true(hits > 3000);
}

static void test_multi__handle(void **state) {
  (void)state;
  assert_int_equal(indaga_index_count(g_many), NPARTS);
  assert_int_equal(indaga_index_count(g_single), 1);
  assert_string_equal(indaga_index_label(g_single, 0), "one");
  assert_null(indaga_index_label(g_many, NPARTS));
  indaga_stats one, all, part;
  assert_int_equal(indaga_index_stats(g_single, &one), INDAGA_OK);
  assert_int_equal(indaga_index_stats(g_many, &all), INDAGA_OK);
  assert_int_equal(all.documents, one.documents);
  assert_int_equal(all.paragraphs, one.paragraphs);
  assert_int_equal(all.generation, 0);
  uint64_t docs = 0;
  for (size_t i = 0; i < NPARTS; i++) {
    assert_string_equal(indaga_index_label(g_many, i), g_labels[i]);
    const indaga_index *m = indaga_index_member(g_many, i);
    assert_non_null(m);
    assert_int_equal(indaga_index_stats(m, &part), INDAGA_OK);
    assert_int_equal(part.generation, 1);
    docs += part.documents;
  }
  assert_int_equal(docs, one.documents);
  assert_null(indaga_index_note(g_many));
  /* a document is found in the index that holds it */
  indaga_document *d = NULL;
  char *msg = NULL;
  assert_int_equal(indaga_document_get(&d, g_many, "carta_krasnodar_2017.txt", &msg), INDAGA_OK);
  assert_string_equal(indaga_document_id(d), "carta_krasnodar_2017.txt");
  assert_true(indaga_document_part_count(d) == 3);
  indaga_document_free(d);
  assert_int_equal(indaga_document_get(&d, g_many, "no_such.txt", &msg), INDAGA_ENOTFOUND);
  assert_non_null(strstr(msg, "no_such.txt"));
  indaga_free(msg);
}

/* Add @doc (text @text) to the index at @dir and commit. */
static void add_doc(const char *dir, const char *doc, const char *text) {
  indaga_writer *w = NULL;
  indaga_writer_options wo = INDAGA_WRITER_OPTIONS_INIT;
  char *msg = NULL;
  assert_int_equal(indaga_writer_open(&w, dir, &wo, &msg), INDAGA_OK);
  assert_int_equal(indaga_writer_add_buffer(w, doc, text, strlen(text)), INDAGA_OK);
  uint64_t gen;
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  indaga_writer_close(w);
}

static void test_multi__refresh_and_one_id_twice(void **state) {
  (void)state;
  char dirs[2][600];
  const char *paths[2] = { dirs[0], dirs[1] };
  for (int i = 0; i < 2; i++) {
    snprintf(dirs[i], sizeof dirs[i], "%s/small-%d", g_tmp, i);
    add_doc(dirs[i], "nota.txt", i ? "Una nota sobre el agua potable." : "Una nota sobre la energía solar.");
  }
  indaga_index *idx = NULL, *before;
  char *msg = NULL;
  const char *labels[2] = { "primero", "segundo" };
  assert_int_equal(indaga_index_open_many(&idx, paths, labels, 2, NULL, &msg), INDAGA_OK);
  /* the same id in both: each hit says its index; a document lookup must say which */
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  indaga_results *r = tu_search(idx, "nota", &o);
  assert_int_equal(indaga_results_count(r), 2);
  assert_string_equal(indaga_results_hit(r, 0)->doc, "nota.txt");
  assert_string_equal(indaga_results_hit(r, 1)->doc, "nota.txt");
  assert_string_equal(indaga_hit_index(indaga_results_hit(r, 0)), "primero");   /* equal scores: by label */
  assert_string_equal(indaga_hit_index(indaga_results_hit(r, 1)), "segundo");
  indaga_results_free(r);
  indaga_document *d = NULL;
  assert_int_equal(indaga_document_get(&d, idx, "nota.txt", &msg), INDAGA_EMISUSE);
  assert_non_null(strstr(msg, "primero, segundo"));
  indaga_free(msg);
  assert_int_equal(indaga_document_get(&d, indaga_index_member(idx, 1), "nota.txt", &msg), INDAGA_OK);
  assert_string_equal(indaga_document_paragraph(d, 0)->text, "Una nota sobre el agua potable.");
  indaga_document_free(d);
  /* nothing committed: refresh keeps the handle; a commit to one member: a new handle that sees it */
  before = idx;
  assert_int_equal(indaga_index_refresh(&idx, &msg), INDAGA_OK);
  assert_ptr_equal(idx, before);
  add_doc(dirs[1], "otra.txt", "Otra nota, sobre el agua de lluvia.");
  assert_int_equal(indaga_index_refresh(&idx, &msg), INDAGA_OK);
  assert_ptr_not_equal(idx, before);
  assert_string_equal(indaga_index_label(idx, 1), "segundo");   /* given labels stay */
  r = tu_search(idx, "agua", &o);
  assert_int_equal(indaga_results_count(r), 2);
  assert_string_equal(indaga_hit_index(indaga_results_hit(r, 0)), "segundo");
  indaga_results_free(r);
  indaga_index_close(idx);
}

/*
** Equal scores rank by document id, whatever the order documents were
** added in and however they are split: five documents of the same text,
** added in reverse id order to one index (a segment each), to two indexes
** (d, b in one; e, c, a in the other), and to one segment.
*/
static void test_multi__ties_by_id(void **state) {
  (void)state;
  static const char *const ids[] = { "e.txt", "d.txt", "c.txt", "b.txt", "a.txt" };
  const char *text = "El agua potable es un derecho.";
  char one[600], parts[2][600];
  snprintf(one, sizeof one, "%s/ties-one", g_tmp);
  snprintf(parts[0], sizeof parts[0], "%s/ties-x", g_tmp);
  snprintf(parts[1], sizeof parts[1], "%s/ties-y", g_tmp);
  for (size_t i = 0; i < 5; i++) {
    add_doc(one, ids[i], text);
    add_doc(parts[i % 2], ids[i], text);
  }
  /* and one segment holding all five (one commit): its documents in the order added */
  char seg1[600];
  snprintf(seg1, sizeof seg1, "%s/ties-seg", g_tmp);
  indaga_writer *w = NULL;
  indaga_writer_options wo = INDAGA_WRITER_OPTIONS_INIT;
  char *msg = NULL;
  assert_int_equal(indaga_writer_open(&w, seg1, &wo, &msg), INDAGA_OK);
  for (size_t i = 0; i < 5; i++) assert_int_equal(indaga_writer_add_buffer(w, ids[i], text, strlen(text)), INDAGA_OK);
  uint64_t gen;
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  indaga_writer_close(w);
  indaga_index *a = NULL, *b = NULL, *c = NULL;
  const char *paths[2] = { parts[0], parts[1] };
  assert_int_equal(indaga_index_open(&c, seg1, NULL, &msg), INDAGA_OK);
  indaga_stats st;
  assert_int_equal(indaga_index_stats(c, &st), INDAGA_OK);
  assert_int_equal(st.segments, 1);
  assert_int_equal(indaga_index_open(&a, one, NULL, &msg), INDAGA_OK);
  assert_int_equal(indaga_index_open_many(&b, paths, NULL, 2, NULL, &msg), INDAGA_OK);
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  for (int k = 2; k <= 5; k += 3) {   /* a full heap (pruning on ties) and every hit */
    o.k = (unsigned)k;
    indaga_results *ra = tu_search(a, "agua potable", &o), *rb = tu_search(b, "agua potable", &o);
    indaga_results *rc = tu_search(c, "agua potable", &o);
    assert_int_equal(indaga_results_count(ra), (size_t)k);
    assert_int_equal(indaga_results_count(rb), (size_t)k);
    assert_int_equal(indaga_results_count(rc), (size_t)k);
    for (size_t i = 0; i < (size_t)k; i++) {
      char want[16];
      snprintf(want, sizeof want, "%c.txt", (char)('a' + i));
      assert_string_equal(indaga_results_hit(ra, i)->doc, want);
      assert_string_equal(indaga_results_hit(rb, i)->doc, want);
      assert_string_equal(indaga_results_hit(rc, i)->doc, want);
      assert_true(indaga_results_hit(ra, i)->score == indaga_results_hit(ra, 0)->score);
      assert_true(indaga_results_hit(rb, i)->score == indaga_results_hit(ra, i)->score);
    }
    indaga_results_free(ra);
    indaga_results_free(rb);
    indaga_results_free(rc);
  }
  indaga_index_close(a);
  indaga_index_close(b);
  indaga_index_close(c);
}

/*
** Threads searching one handle over several indexes at once (each first
** tie builds a segment's order tables, ix_para_place): every thread's
** hits equal those of one thread. Under ThreadSanitizer (make test-tsan).
*/
#define NTHREADS 4
static const char *const g_tied[] = { "de", "agua", "el consejo", "naciones unidas", "seguridad" };
#define NTIED (sizeof g_tied / sizeof *g_tied)

/* "doc part paragraph score" of each hit of @q on @idx, into @out. */
static void hit_list(const indaga_index *idx, const char *q, char *out, size_t cap) {
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = 40;
  o.time_ms = 0;
  indaga_results *r = NULL;
  out[0] = 0;
  if (indaga_search(&r, idx, q, &o) == INDAGA_OK) {
    size_t at = 0;
    for (size_t i = 0; i < indaga_results_count(r) && at < cap; i++) {
      const indaga_hit *h = indaga_results_hit(r, i);
      int w = snprintf(out + at, cap - at, "%s %s %u %u %.17g\n", indaga_hit_index(h), h->doc, h->part,
                       h->paragraph, h->score);
      at += w > 0 ? (size_t)w : 0;
    }
  }
  indaga_results_free(r);
}

typedef struct tied_run {
  const indaga_index *idx;
  char got[NTIED][8192];
} tied_run;

static void *tied_thread(void *arg) {
  tied_run *t = arg;
  for (size_t i = 0; i < NTIED; i++) hit_list(t->idx, g_tied[i], t->got[i], sizeof t->got[i]);
  return NULL;
}

static void test_multi__threads(void **state) {
  (void)state;
  const char *paths[NPARTS];
  for (size_t i = 0; i < NPARTS; i++) paths[i] = g_dirs[i];
  indaga_index *idx = NULL;   /* a fresh handle: no order table built yet */
  char *msg = NULL;
  assert_int_equal(indaga_index_open_many(&idx, paths, NULL, NPARTS, NULL, &msg), INDAGA_OK);
  static tied_run runs[NTHREADS];
  pthread_t th[NTHREADS];
  for (size_t i = 0; i < NTHREADS; i++) {
    runs[i].idx = idx;
    assert_int_equal(pthread_create(&th[i], NULL, tied_thread, &runs[i]), 0);
  }
  for (size_t i = 0; i < NTHREADS; i++) assert_int_equal(pthread_join(th[i], NULL), 0);
  static char want[8192];
  for (size_t q = 0; q < NTIED; q++) {
    hit_list(g_many, g_tied[q], want, sizeof want);
    assert_true(strlen(want) > 0);
    for (size_t i = 0; i < NTHREADS; i++) assert_string_equal(runs[i].got[q], want);
  }
  indaga_index_close(idx);
}

/* Sync @root into a new index at @dir with a 1 MiB budget (so a file over 1 MiB goes in pieces). */
static void sync_small_budget(const char *dir, const char *root) {
  indaga_writer *w = NULL;
  indaga_writer_options wo = INDAGA_WRITER_OPTIONS_INIT;
  wo.memory_budget = (size_t)1 << 20;
  char *msg = NULL;
  assert_int_equal(indaga_writer_open(&w, dir, &wo, &msg), INDAGA_OK);
  indaga_sync_report rep;
  assert_int_equal(indaga_writer_sync(w, root, &rep), INDAGA_OK);
  assert_int_equal(indaga_writer_commit(w, NULL), INDAGA_OK);
  indaga_writer_close(w);
}

/*
** A file indexed in pieces is one document of its index: with --group its
** pieces make one hit, and the file of the same id in another index is
** another document, another hit (offer_doc and the count pass keep the
** pieces of each index apart).
*/
static void test_multi__pieces_per_index(void **state) {
  (void)state;
  char root[600], path[700], dirs[2][600];
  snprintf(root, sizeof root, "%s/pieces-src", g_tmp);
  assert_int_equal(mkdir(root, 0755), 0);
  snprintf(path, sizeof path, "%s/grande.txt", root);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  for (int i = 0; i < 50000; i++)
    fprintf(f, "P\xc3\xa1rrafo %d sobre el agua potable y la salud p\xc3\xba" "blica.\n\n", i);
  assert_int_equal(fclose(f), 0);
  const char *paths[2] = { dirs[0], dirs[1] };
  for (int i = 0; i < 2; i++) {
    snprintf(dirs[i], sizeof dirs[i], "%s/pieces-%d", g_tmp, i);
    sync_small_budget(dirs[i], root);
  }
  indaga_index *one = NULL, *two = NULL;
  char *msg = NULL;
  assert_int_equal(indaga_index_open(&one, dirs[0], NULL, &msg), INDAGA_OK);
  assert_int_equal(indaga_index_open_many(&two, paths, NULL, 2, NULL, &msg), INDAGA_OK);
  indaga_stats st;
  assert_int_equal(indaga_index_stats(one, &st), INDAGA_OK);
  assert_int_equal(st.documents, 1);
  assert_true(st.segments > 1);   /* the pieces lie in several segments */
  assert_int_equal(indaga_index_stats(two, &st), INDAGA_OK);
  assert_int_equal(st.documents, 2);
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.group = 1;
  o.time_ms = 0;
  o.sort = INDAGA_SORT_DOC;   /* every match visited: exact counts (a sampled count of pieces overshoots) */
  indaga_results *r1 = tu_search(one, "agua potable", &o), *r2 = tu_search(two, "agua potable", &o);
  assert_int_equal(indaga_results_count(r1), 1);
  assert_int_equal(indaga_results_total(r1), 1);
  assert_true(indaga_results_total_exact(r1));
  assert_int_equal(indaga_results_count(r2), 2);
  assert_int_equal(indaga_results_total(r2), 2);
  assert_true(indaga_results_total_exact(r2));
  assert_string_equal(indaga_hit_index(indaga_results_hit(r2, 0)), "pieces-0");   /* one id: by label */
  assert_string_equal(indaga_hit_index(indaga_results_hit(r2, 1)), "pieces-1");
  assert_string_equal(indaga_results_hit(r2, 1)->doc, "grande.txt");
  indaga_results_free(r1);
  indaga_results_free(r2);
  indaga_index_close(one);
  indaga_index_close(two);
}

static void test_multi__errors(void **state) {
  (void)state;
  indaga_index *idx = NULL;
  char *msg = NULL;
  char missing[600];
  snprintf(missing, sizeof missing, "%s/missing", g_tmp);
  const char *paths[3] = { g_dirs[0], missing, g_dirs[1] };
  assert_int_equal(indaga_index_open_many(&idx, paths, NULL, 3, NULL, &msg), INDAGA_ENOINDEX);
  assert_null(idx);
  assert_non_null(strstr(msg, missing));
  indaga_free(msg);
  char again[600];
  snprintf(again, sizeof again, "%s/", g_dirs[0]);
  paths[1] = again;
  assert_int_equal(indaga_index_open_many(&idx, paths, NULL, 3, NULL, &msg), INDAGA_EMISUSE);
  assert_non_null(strstr(msg, "are the same index"));
  indaga_free(msg);
  const char *same[2] = { "x", "x" }, *ctl[2] = { "x", "a\nb" };
  assert_int_equal(indaga_index_open_many(&idx, (const char *[]){ g_dirs[0], g_dirs[1] }, same, 2, NULL, &msg),
                   INDAGA_EMISUSE);
  assert_non_null(strstr(msg, "have the same label 'x'"));
  indaga_free(msg);
  assert_int_equal(indaga_index_open_many(&idx, (const char *[]){ g_dirs[0], g_dirs[1] }, ctl, 2, NULL, &msg),
                   INDAGA_EMISUSE);
  assert_non_null(strstr(msg, "control character"));
  indaga_free(msg);
  assert_int_equal(indaga_index_open_many(&idx, paths, NULL, 0, NULL, &msg), INDAGA_EMISUSE);
  indaga_free(msg);
  /* one path: a plain handle, labelled */
  assert_int_equal(indaga_index_open_many(&idx, paths, (const char *[]){ "solo" }, 1, NULL, &msg), INDAGA_OK);
  assert_int_equal(indaga_index_count(idx), 1);
  assert_string_equal(indaga_index_label(idx, 0), "solo");
  indaga_index_close(idx);
}

int main(void) {
  if (!tu_have_shared(UN_DIR)) return TU_SKIPPED;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_multi__same_as_one_index),
    cmocka_unit_test(test_multi__handle),
    cmocka_unit_test(test_multi__refresh_and_one_id_twice),
    cmocka_unit_test(test_multi__ties_by_id),
    cmocka_unit_test(test_multi__threads),
    cmocka_unit_test(test_multi__pieces_per_index),
    cmocka_unit_test(test_multi__errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
