/*
** test_writer.c: the writer and the read API on the 534 real UN documents
** of the shared data (INDAGA_SHARED_DATA/un): counts against the parser,
** incremental sync (unchanged, changed, removed files; two syncs in one
** session), --full equivalence,
** delete and replace, document_get against dm_parse, the single-writer
** lock, and commits failing at each write, fsync and rename (ENOSPC, EIO)
** leaving the last good generation live.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "testutil.h"
#include "common/common.h"
#include "common/os.h"
#include "indexer/docmodel.h"
#include "indaga.h"

#define UN_DIR INDAGA_SHARED_DATA "/un"
#define CARTA "carta_krasnodar_2017.txt"

/* A fresh empty directory under /tmp (caller frees and removes). */
static void copy_tree(const char *from, const char *to) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "cp -R '%s' '%s'", from, to);
  assert_int_equal(system(cmd), 0);
}

/* Paragraphs the parser finds in every .txt file of @dir (the expected count). */
static uint64_t parser_paragraphs(const char *dir, uint64_t *ndocs) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *e;
  uint64_t total = 0;
  *ndocs = 0;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".txt")) continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    size_t n;
    char *p = tu_read_file(path, &n);
    dm_doc *doc = NULL;
    char *why = NULL;
    assert_int_equal(dm_parse(&doc, e->d_name, p, n, &why), INDAGA_OK);
    total += doc->nparas;
    (*ndocs)++;
    dm_doc_free(doc);
    free(p);
  }
  closedir(d);
  return total;
}

static indaga_stats stats_of(const char *ix) {
  indaga_index *idx = NULL;
  char *err = NULL;
  int rc = indaga_index_open(&idx, ix, NULL, &err);
  if (rc) fprintf(stderr, "open %s: %s\n", ix, err ? err : "?");
  assert_int_equal(rc, INDAGA_OK);
  indaga_stats st;
  assert_int_equal(indaga_index_stats(idx, &st), INDAGA_OK);
  indaga_index_close(idx);
  return st;
}

static void assert_check_ok(const char *ix) {
  char *err = NULL;
  int rc = indaga_check(ix, &err);
  if (rc) fprintf(stderr, "check %s: %s\n", ix, err ? err : "?");
  assert_int_equal(rc, INDAGA_OK);
  indaga_free(err);
}

/* Sync @root into @ix with @threads, commit; returns the report and generation. */
static indaga_sync_report sync_commit(const char *ix, const char *root, unsigned flags,
                                      unsigned threads, size_t budget, uint64_t *gen) {
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.flags = flags;
  o.threads = threads;
  o.memory_budget = budget;
  indaga_writer *w = NULL;
  char *err = NULL;
  assert_int_equal(indaga_writer_open(&w, ix, &o, &err), INDAGA_OK);
  indaga_sync_report r;
  int rc = indaga_writer_sync(w, root, &r);
  if (rc) fprintf(stderr, "sync: %s\n", indaga_writer_errmsg(w));
  assert_int_equal(rc, INDAGA_OK);
  rc = indaga_writer_commit(w, gen);
  if (rc) fprintf(stderr, "commit: %s\n", indaga_writer_errmsg(w));
  assert_int_equal(rc, INDAGA_OK);
  indaga_writer_close(w);
  return r;
}

static void test_writer__sync_counts_match_parser(void **state) {
  (void)state;
  char *ix = tu_tmpdir("writer");
  uint64_t ndocs, npara = parser_paragraphs(UN_DIR, &ndocs);
  assert_int_equal(ndocs, 534);
  uint64_t gen = 0;
  indaga_sync_report r = sync_commit(ix, UN_DIR, 0, 2, 0, &gen);
  assert_int_equal(r.added, 534);
  assert_int_equal(r.updated + r.removed + r.unchanged + r.skipped, 0);
  assert_int_equal(r.paragraphs, npara);
  assert_int_equal(gen, 1);
  indaga_stats st = stats_of(ix);
  assert_int_equal(st.documents, 534);
  assert_int_equal(st.paragraphs, npara);
  assert_int_equal(st.generation, 1);
  assert_true(st.terms > 1000);
  assert_check_ok(ix);

  /* Unchanged tree: nothing indexed, nothing committed. */
  r = sync_commit(ix, UN_DIR, 0, 2, 0, &gen);
  assert_int_equal(r.unchanged, 534);
  assert_int_equal(r.added + r.updated + r.removed + r.paragraphs, 0);
  assert_int_equal(gen, 1);
  assert_int_equal(stats_of(ix).generation, 1);
  tu_rm_rf(ix);
  free(ix);
}

/*
** Two syncs in one session: the second removes what its own walk did not
** meet, including a document the first sync added (the met ids are each
** sync's own, as in a dry run; before issue 22 they piled up over the
** session, and the removed file's document was committed).
*/
static void test_writer__second_sync_removes_what_it_did_not_meet(void **state) {
  (void)state;
  char *tmp = tu_tmpdir("writer"), *ix = tu_tmpdir("writer");
  char tree[256], gone[512];
  snprintf(tree, sizeof tree, "%s/un", tmp);
  copy_tree(UN_DIR, tree);
  snprintf(gone, sizeof gone, "%s/%s", tree, CARTA);
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.threads = 2;
  indaga_writer *w = NULL;
  char *err = NULL;
  assert_int_equal(indaga_writer_open(&w, ix, &o, &err), INDAGA_OK);
  indaga_sync_report r;
  assert_int_equal(indaga_writer_sync(w, tree, &r), INDAGA_OK);
  assert_int_equal(r.added, 534);
  assert_int_equal(unlink(gone), 0);
  assert_int_equal(indaga_writer_sync(w, tree, &r), INDAGA_OK);
  assert_int_equal(r.removed, 1);
  uint64_t gen = 0;
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  indaga_writer_close(w);
  assert_int_equal(stats_of(ix).documents, 533);
  assert_check_ok(ix);
  tu_rm_rf(ix);
  tu_rm_rf(tmp);
  free(ix);
  free(tmp);
}

static void test_writer__threads_and_budget_same_index(void **state) {
  (void)state;
  char *a = tu_tmpdir("writer"), *b = tu_tmpdir("writer");
  uint64_t ga, gb;
  sync_commit(a, UN_DIR, 0, 1, 0, &ga);
  /* Two threads and a tiny budget: many segments, merged by the tiered policy. */
  sync_commit(b, UN_DIR, 0, 2, 64 << 10, &gb);
  indaga_stats sa = stats_of(a), sb = stats_of(b);
  assert_int_equal(sa.documents, sb.documents);
  assert_int_equal(sa.paragraphs, sb.paragraphs);
  assert_int_equal(sa.segments, 1);
  assert_true(sb.segments > 1);
  assert_true(sb.segments < 8 * 2);   /* tiers of at most 7 each after merging */
  assert_check_ok(b);
  /* The same document reads the same from both. */
  indaga_index *ia = NULL, *ib = NULL;
  indaga_document *da = NULL, *db = NULL;
  assert_int_equal(indaga_index_open(&ia, a, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_index_open(&ib, b, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_document_get(&da, ia, CARTA, NULL), INDAGA_OK);
  assert_int_equal(indaga_document_get(&db, ib, CARTA, NULL), INDAGA_OK);
  assert_int_equal(indaga_document_paragraph_count(da), indaga_document_paragraph_count(db));
  for (size_t i = 0; i < indaga_document_paragraph_count(da); i++)
    assert_string_equal(indaga_document_paragraph(da, i)->text, indaga_document_paragraph(db, i)->text);
  indaga_document_free(da);
  indaga_document_free(db);
  indaga_index_close(ia);
  indaga_index_close(ib);
  tu_rm_rf(a);
  tu_rm_rf(b);
  free(a);
  free(b);
}

static int cmp_str(const void *x, const void *y) {
  return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The hits of @q in @ix as sorted "doc part paragraph" lines, into out (at most 4096 bytes a hit). */
static size_t hit_lines(const char *ix, const char *q, char ***out) {
  indaga_index *idx = NULL;
  assert_int_equal(indaga_index_open(&idx, ix, NULL, NULL), INDAGA_OK);
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = 1000;
  indaga_results *r = NULL;
  assert_int_equal(indaga_search(&r, idx, q, &o), INDAGA_OK);
  size_t n = indaga_results_count(r);
  char **v = calloc(n ? n : 1, sizeof *v);
  assert_non_null(v);
  for (size_t i = 0; i < n; i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    v[i] = malloc(4096);
    assert_non_null(v[i]);
    snprintf(v[i], 4096, "%s %u %u", h->doc, h->part, h->paragraph);
  }
  qsort(v, n, sizeof *v, cmp_str);
  indaga_results_free(r);
  indaga_index_close(idx);
  *out = v;
  return n;
}

/* Query @q finds hits in index @a, and the same hit lines, in order, in index @b. */
static void assert_same_hits(const char *a, const char *b, const char *q) {
  char **ha, **hb;
  size_t na = hit_lines(a, q, &ha), nb = hit_lines(b, q, &hb);
  assert_true(na > 0);
  assert_int_equal(na, nb);
  for (size_t i = 0; i < na; i++) {
    assert_string_equal(ha[i], hb[i]);
    free(ha[i]);
    free(hb[i]);
  }
  free(ha);
  free(hb);
}

/*
** Two threads, a budget the UN corpus does not fill: near the end of the run
** the builder is handed over to be written while the last files are
** processed (writer.c, tail_due), so the index has two segments where one
** thread writes one, and the same documents, paragraphs and hits.
*/
static void test_writer__threads_hand_over_last_builder(void **state) {
  (void)state;
  char *a = tu_tmpdir("writer"), *b = tu_tmpdir("writer");
  uint64_t ga, gb;
  sync_commit(a, UN_DIR, 0, 1, 4 << 20, &ga);
  sync_commit(b, UN_DIR, 0, 2, 4 << 20, &gb);
  indaga_stats sa = stats_of(a), sb = stats_of(b);
  assert_int_equal(sa.segments, 1);
  assert_int_equal(sb.segments, 2);
  assert_int_equal(sa.documents, sb.documents);
  assert_int_equal(sa.paragraphs, sb.paragraphs);
  assert_check_ok(b);
  const char *queries[] = { "combatientes terroristas extranjeros", "informacion", "\"Consejo de Seguridad\"" };
  for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) assert_same_hits(a, b, queries[q]);
  tu_rm_rf(a);
  tu_rm_rf(b);
  free(a);
  free(b);
}

/* Every document of @dir's .txt files reads the same (paragraph by paragraph) from indexes @a and @b. */
static void assert_same_documents(const char *a, const char *b, const char *dir) {
  indaga_index *ia = NULL, *ib = NULL;
  assert_int_equal(indaga_index_open(&ia, a, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_index_open(&ib, b, NULL, NULL), INDAGA_OK);
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *e;
  size_t ndocs = 0;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".txt")) continue;
    indaga_document *da = NULL, *db = NULL;
    assert_int_equal(indaga_document_get(&da, ia, e->d_name, NULL), INDAGA_OK);
    assert_int_equal(indaga_document_get(&db, ib, e->d_name, NULL), INDAGA_OK);
    assert_int_equal(indaga_document_paragraph_count(da), indaga_document_paragraph_count(db));
    for (size_t i = 0; i < indaga_document_paragraph_count(da); i++)
      assert_string_equal(indaga_document_paragraph(da, i)->text, indaga_document_paragraph(db, i)->text);
    indaga_document_free(da);
    indaga_document_free(db);
    ndocs++;
  }
  closedir(d);
  assert_true(ndocs > 500);
  indaga_index_close(ia);
  indaga_index_close(ib);
}

/*
** Builders handed over early near the end of a threaded sync twice
** (INDAGA_TEST_TAIL_NEXT_MIN=0: the second as soon as the previous write
** is done), each written and opened on its own thread: the
** index holds exactly what a one-thread build holds, document by document
** and hit by hit, whether or not the timing allowed the second.
*/
static void test_writer__tail_hand_overs_same_documents(void **state) {
  (void)state;
  char *a = tu_tmpdir("writer");
  uint64_t ga, gb;
  sync_commit(a, UN_DIR, 0, 1, 4 << 20, &ga);
  indaga_stats sa = stats_of(a);
  assert_int_equal(setenv("INDAGA_TEST_TAIL_NEXT_MIN", "0", 1), 0);
  for (int round = 0; round < 3; round++) {
    char *b = tu_tmpdir("writer");
    sync_commit(b, UN_DIR, 0, 2, 4 << 20, &gb);
    indaga_stats sb = stats_of(b);
    assert_true(sb.segments >= 2);
    assert_int_equal(sa.documents, sb.documents);
    assert_int_equal(sa.paragraphs, sb.paragraphs);
    assert_check_ok(b);
    assert_same_documents(a, b, UN_DIR);
    assert_same_hits(a, b, "\"Consejo de Seguridad\"");
    tu_rm_rf(b);
    free(b);
  }
  assert_int_equal(unsetenv("INDAGA_TEST_TAIL_NEXT_MIN"), 0);
  tu_rm_rf(a);
  free(a);
}

static void test_writer__incremental_change_remove_full(void **state) {
  (void)state;
  char *tmp = tu_tmpdir("writer");
  char tree[600], ix[600], ix2[600], path[700];
  snprintf(tree, sizeof tree, "%s/un", tmp);
  snprintf(ix, sizeof ix, "%s/ix", tmp);
  snprintf(ix2, sizeof ix2, "%s/ix2", tmp);
  copy_tree(UN_DIR, tree);
  uint64_t gen;
  sync_commit(ix, tree, 0, 2, 0, &gen);
  indaga_stats before = stats_of(ix);

  /* New content in one file (size changes): exactly one document reindexed. */
  snprintf(path, sizeof path, "%s/%s", tree, CARTA);
  FILE *f = fopen(path, "ab");
  assert_non_null(f);
  fputs("\n\nUn párrafo nuevo al final de la carta.\n", f);
  fclose(f);
  /* Same size, new mtime, same bytes: unchanged by the content hash. */
  snprintf(path, sizeof path, "%s/declaracion_universal_derechos_humanos.txt", tree);
  struct timespec ts[2] = { { 0, UTIME_NOW }, { 12345, 0 } };
  assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
  indaga_sync_report r = sync_commit(ix, tree, 0, 2, 0, &gen);
  assert_int_equal(r.updated, 1);
  assert_int_equal(r.added + r.removed, 0);
  assert_int_equal(r.unchanged, 533);
  assert_int_equal(gen, 2);
  indaga_stats after = stats_of(ix);
  assert_int_equal(after.documents, before.documents);
  assert_int_equal(after.paragraphs, before.paragraphs + 1);

  /* A removed file: its document and paragraphs go. */
  indaga_index *idx = NULL;
  indaga_document *d = NULL;
  assert_int_equal(indaga_index_open(&idx, ix, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_document_get(&d, idx, "declaracion_universal_derechos_humanos.txt", NULL), INDAGA_OK);
  size_t udhr_paras = indaga_document_paragraph_count(d);
  indaga_document_free(d);
  indaga_index_close(idx);
  assert_int_equal(unlink(path), 0);
  r = sync_commit(ix, tree, 0, 2, 0, &gen);
  assert_int_equal(r.removed, 1);
  assert_int_equal(gen, 3);
  after = stats_of(ix);
  assert_int_equal(after.documents, 533);
  assert_int_equal(after.paragraphs, before.paragraphs + 1 - udhr_paras);
  assert_int_equal(indaga_index_open(&idx, ix, NULL, NULL), INDAGA_OK);
  char *err = NULL;
  assert_int_equal(indaga_document_get(&d, idx, "declaracion_universal_derechos_humanos.txt", &err),
                   INDAGA_ENOTFOUND);
  assert_non_null(strstr(err, "declaracion_universal_derechos_humanos.txt"));
  indaga_free(err);
  indaga_index_close(idx);
  assert_check_ok(ix);

  /* --full into the same index and from scratch elsewhere: same figures. */
  r = sync_commit(ix, tree, INDAGA_WRITER_FULL, 2, 0, &gen);
  assert_int_equal(r.added, 533);
  assert_int_equal(gen, 4);
  sync_commit(ix2, tree, 0, 1, 0, &gen);
  indaga_stats full = stats_of(ix), fresh = stats_of(ix2);
  assert_int_equal(full.documents, after.documents);
  assert_int_equal(full.paragraphs, after.paragraphs);
  assert_int_equal(fresh.paragraphs, after.paragraphs);
  assert_int_equal(full.segments, 1);
  assert_check_ok(ix);
  tu_rm_rf(tmp);
  free(tmp);
}

static void test_writer__document_get_matches_parser(void **state) {
  (void)state;
  char *ix = tu_tmpdir("writer");
  uint64_t gen;
  sync_commit(ix, UN_DIR, 0, 2, 0, &gen);
  size_t n;
  char *src = tu_read_file(UN_DIR "/" CARTA, &n);
  dm_doc *doc = NULL;
  char *why = NULL;
  assert_int_equal(dm_parse(&doc, CARTA, src, n, &why), INDAGA_OK);

  indaga_index *idx = NULL;
  indaga_document *d = NULL;
  assert_int_equal(indaga_index_open(&idx, ix, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_document_get(&d, idx, CARTA, NULL), INDAGA_OK);
  assert_string_equal(indaga_document_id(d), CARTA);
  assert_int_equal(indaga_document_meta_count(d), doc->nmeta);
  for (size_t i = 0; i < doc->nmeta; i++) {
    const char *k, *v;
    assert_int_equal(indaga_document_meta(d, i, &k, &v), INDAGA_OK);
    assert_string_equal(k, doc->meta[i].key);
    assert_string_equal(v, doc->meta[i].value);
  }
  assert_non_null(indaga_document_meta_get(d, "title"));
  assert_non_null(strstr(indaga_document_meta_get(d, "title"), "Carta de fecha 16 de noviembre de 2017"));
  assert_int_equal(indaga_document_part_count(d), 3);
  assert_null(indaga_document_part_label(d, 0));
  assert_string_equal(indaga_document_part_label(d, 1), "Anexo I");
  assert_string_equal(indaga_document_part_label(d, 2), "Anexo II");
  assert_int_equal(indaga_document_paragraph_count(d), doc->nparas);
  int labelled = 0;
  for (size_t i = 0; i < doc->nparas; i++) {
    const indaga_paragraph *p = indaga_document_paragraph(d, i);
    const dm_para *q = &doc->paras[i];
    assert_int_equal(p->part, q->part);
    assert_int_equal(p->ordinal, q->ordinal);
    assert_int_equal(p->byte_start, q->src_start);
    assert_int_equal(p->byte_end, q->src_end);
    assert_int_equal(!!p->heading, !!q->heading);
    assert_string_equal(p->text, q->text);
    if (q->label) { assert_string_equal(p->label, q->label); labelled++; }
    else assert_null(p->label);
  }
  assert_true(labelled >= 7);   /* the numbered decisions 1-7 of Anexo I at least */
  assert_null(indaga_document_paragraph(d, doc->nparas));
  indaga_document_free(d);
  char *err = NULL;
  assert_int_equal(indaga_document_get(&d, idx, "no-such-doc.txt", &err), INDAGA_ENOTFOUND);
  assert_null(d);
  indaga_free(err);
  indaga_index_close(idx);
  dm_doc_free(doc);
  free(src);
  tu_rm_rf(ix);
  free(ix);
}

static void test_writer__delete_replace_buffers(void **state) {
  (void)state;
  char *ix = tu_tmpdir("writer");
  size_t n;
  char *carta = tu_read_file(UN_DIR "/" CARTA, &n);
  indaga_writer *w = NULL;
  assert_int_equal(indaga_writer_open(&w, ix, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_writer_add_buffer(w, "a.txt", carta, n), INDAGA_OK);
  assert_int_equal(indaga_writer_add_buffer(w, "b.txt", "Primer párrafo.\n\nSegundo párrafo.\n", 35), INDAGA_OK);
  /* Replacing a document still in the builder keeps one copy. */
  assert_int_equal(indaga_writer_add_buffer(w, "b.txt", "Solo un párrafo.\n", 17), INDAGA_OK);
  uint64_t gen = 0;
  int rc = indaga_writer_commit(w, &gen);
  if (rc) fprintf(stderr, "commit: %s\n", indaga_writer_errmsg(w));
  assert_int_equal(rc, INDAGA_OK);
  assert_int_equal(gen, 1);
  indaga_stats st = stats_of(ix);
  assert_int_equal(st.documents, 2);
  uint64_t carta_paras = st.paragraphs - 1;
  assert_true(carta_paras > 40);

  assert_int_equal(indaga_writer_delete(w, "a.txt"), INDAGA_OK);
  assert_int_equal(indaga_writer_delete(w, "a.txt"), INDAGA_ENOTFOUND);
  assert_non_null(strstr(indaga_writer_errmsg(w), "a.txt"));
  assert_int_equal(indaga_writer_delete(w, "never.txt"), INDAGA_ENOTFOUND);
  assert_int_equal(indaga_writer_add_file(w, "c.txt", UN_DIR "/" CARTA), INDAGA_OK);
  /* A binary file is refused with INDAGA_EINPUT naming it. */
  static const char bin[] = { 'P', 'K', 3, 4, 0, 0, 0, 0, 1, 2, 0, 0, (char)0xff, 0 };
  assert_int_equal(indaga_writer_add_buffer(w, "bin.txt", bin, sizeof bin), INDAGA_EINPUT);
  assert_non_null(strstr(indaga_writer_errmsg(w), "bin.txt"));
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  assert_int_equal(gen, 2);
  st = stats_of(ix);
  assert_int_equal(st.documents, 2);
  assert_int_equal(st.paragraphs, carta_paras + 1);
  /* Nothing pending: the same generation. */
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  assert_int_equal(gen, 2);
  /* Compact drops the deleted copy: one segment, same content. */
  assert_int_equal(indaga_writer_compact(w, &gen), INDAGA_OK);
  assert_int_equal(gen, 3);
  st = stats_of(ix);
  assert_int_equal(st.segments, 1);
  assert_int_equal(st.documents, 2);
  assert_int_equal(st.paragraphs, carta_paras + 1);
  indaga_writer_close(w);
  assert_check_ok(ix);
  free(carta);
  tu_rm_rf(ix);
  free(ix);
}

static void test_writer__second_writer_busy(void **state) {
  (void)state;
  char *ix = tu_tmpdir("writer");
  indaga_writer *w = NULL, *w2 = NULL;
  char *err = NULL;
  assert_int_equal(indaga_writer_open(&w, ix, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_writer_open(&w2, ix, NULL, &err), INDAGA_EBUSY);
  assert_null(w2);
  assert_non_null(err);
  assert_non_null(strstr(err, ix));
  indaga_free(err);
  indaga_writer_close(w);
  assert_int_equal(indaga_writer_open(&w2, ix, NULL, NULL), INDAGA_OK);
  indaga_writer_close(w2);
  /* An empty index directory with no commit yet is "no index". */
  indaga_index *idx = NULL;
  err = NULL;
  assert_int_equal(indaga_index_open(&idx, ix, NULL, &err), INDAGA_ENOINDEX);
  assert_non_null(strstr(err, ix));
  indaga_free(err);
  tu_rm_rf(ix);
  free(ix);
}

static int count_files(const char *dir, const char *suffix) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name), ls = strlen(suffix);
    if (len >= ls && !strcmp(e->d_name + len - ls, suffix)) n++;
  }
  closedir(d);
  return n;
}

/*
** indaga_writer_sync_many: the UN tree and the project's corpus in one
** run, ids prefixed with each directory's name; the same documents and
** paragraphs as the two trees indexed apart; misuse refused.
*/
static void test_writer__sync_many_names_each_directory(void **state) {
  (void)state;
  char *ix = tu_tmpdir("writer"), *ix2 = tu_tmpdir("writer");
  uint64_t gen;
  indaga_sync_report un = sync_commit(ix2, UN_DIR, 0, 2, 0, &gen);
  indaga_sync_report corpus = sync_commit(ix, INDAGA_SOURCE_DIR "/corpus", 0, 2, 0, &gen);
  tu_rm_rf(ix2);
  free(ix2);
  indaga_writer *w = NULL;
  const char *roots[] = { UN_DIR, INDAGA_SOURCE_DIR "/corpus/" };
  indaga_sync_report r;
  /* the index's root is the corpus: other roots are refused, naming both */
  assert_int_equal(indaga_writer_open(&w, ix, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_writer_sync_many(w, roots, 2, &r), INDAGA_EREFUSED);
  assert_non_null(strstr(indaga_writer_errmsg(w), "/corpus"));
  assert_non_null(strstr(indaga_writer_errmsg(w), "/un"));
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  indaga_writer_close(w);
  assert_int_equal(stats_of(ix).documents, corpus.added);
  /* with ADD, they join it */
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.flags = INDAGA_WRITER_ADD;
  assert_int_equal(indaga_writer_open(&w, ix, &o, NULL), INDAGA_OK);
  assert_int_equal(indaga_writer_sync_many(w, roots, 2, &r), INDAGA_OK);
  assert_int_equal(r.added, un.added + corpus.added);
  assert_int_equal(r.removed, corpus.added);    /* "x.txt" became "corpus/x.txt" */
  assert_int_equal(r.unchanged + r.updated, 0);
  assert_int_equal(r.paragraphs, un.paragraphs + corpus.paragraphs);
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  assert_int_equal(indaga_writer_sync_many(w, roots, 0, &r), INDAGA_EMISUSE);
  const char *bad[] = { UN_DIR, NULL };
  assert_int_equal(indaga_writer_sync_many(w, bad, 2, &r), INDAGA_EMISUSE);
  indaga_writer_close(w);
  indaga_index *idx = NULL;
  assert_int_equal(indaga_index_open(&idx, ix, NULL, NULL), INDAGA_OK);
  indaga_document *d = NULL;
  assert_int_equal(indaga_document_get(&d, idx, "un/" CARTA, NULL), INDAGA_OK);
  indaga_document_free(d);
  assert_int_equal(indaga_document_get(&d, idx, CARTA, NULL), INDAGA_ENOTFOUND);
  indaga_index_close(idx);
  indaga_stats st = stats_of(ix);
  assert_int_equal(st.documents, un.added + corpus.added);
  assert_check_ok(ix);
  tu_rm_rf(ix);
  free(ix);
}

/*
** A merge's scratch files (indexer/spool.h) are unlinked as soon as they
** are created; a crash in between leaves "seg-N.seg.<tag>.tmp", which the
** next writer removes like any temporary file of ours, and which is never
** taken for a segment. A ".tmp" file that is not ours stays.
*/
static void test_writer__scratch_files_collected(void **state) {
  (void)state;
  char *ix = tu_tmpdir("writer");
  uint64_t gen;
  sync_commit(ix, UN_DIR, 0, 2, 64 << 10, &gen);
  const char *names[] = { "seg-99.seg.pos.tmp", "seg-99.seg.text.tmp", "seg-1.seg.dict.tmp" };
  char path[1024];
  for (size_t i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/%s", ix, names[i]);
    tu_write_file(path, "scratch", 7);
  }
  snprintf(path, sizeof path, "%s/notes.tmp", ix);
  tu_write_file(path, "mine", 4);
  indaga_writer *w = NULL;
  assert_int_equal(indaga_writer_open(&w, ix, NULL, NULL), INDAGA_OK);
  indaga_writer_close(w);
  assert_int_equal(count_files(ix, ".tmp"), 1);
  assert_int_equal(access(path, F_OK), 0);
  assert_int_equal(stats_of(ix).documents, 534);
  assert_check_ok(ix);
  tu_rm_rf(ix);
  free(ix);
}

static void test_writer__close_discards_uncommitted(void **state) {
  (void)state;
  char *ix = tu_tmpdir("writer");
  uint64_t gen;
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.memory_budget = 64 << 10;   /* flushes several segments during the sync */
  indaga_writer *w = NULL;
  assert_int_equal(indaga_writer_open(&w, ix, &o, NULL), INDAGA_OK);
  indaga_sync_report r;
  assert_int_equal(indaga_writer_sync(w, UN_DIR, &r), INDAGA_OK);
  assert_int_equal(r.added, 534);
  assert_true(count_files(ix, ".seg") > 1);   /* written, not yet published */
  indaga_writer_close(w);
  assert_int_equal(count_files(ix, ".seg"), 0);
  assert_int_equal(count_files(ix, ".tmp"), 0);
  indaga_index *idx = NULL;
  assert_int_equal(indaga_index_open(&idx, ix, NULL, NULL), INDAGA_ENOINDEX);
  sync_commit(ix, UN_DIR, 0, 2, 64 << 10, &gen);
  assert_int_equal(gen, 1);
  assert_int_equal(stats_of(ix).documents, 534);
  tu_rm_rf(ix);
  free(ix);
}

/*
** Fail the Nth call of @kind with @err during one commit, for N = 1, 2, ...
** until the commit succeeds. Each failure must be reported as @want with a
** message naming a file of the index, and leave generation 1 intact.
*/
static void fail_each(unsigned kind, int err, int want) {
  char *ix = tu_tmpdir("writer");
  uint64_t gen;
  sync_commit(ix, UN_DIR, 0, 2, 0, &gen);
  indaga_stats good = stats_of(ix);
  size_t n;
  char *carta = tu_read_file(UN_DIR "/" CARTA, &n);
  uint64_t failures = 0;
  for (uint64_t at = 1;; at++) {
    indaga_writer *w = NULL;
    assert_int_equal(indaga_writer_open(&w, ix, NULL, NULL), INDAGA_OK);
    /* A new segment, a deletion file and a manifest to write. */
    assert_int_equal(indaga_writer_add_buffer(w, "nuevo.txt", carta, n), INDAGA_OK);
    assert_int_equal(indaga_writer_delete(w, CARTA), INDAGA_OK);
    os__fail_at(kind, at, err, 0);
    int rc = indaga_writer_commit(w, &gen);
    uint64_t calls = os__fail_at(0, 0, 0, 0);
    if (rc == INDAGA_OK) {
      indaga_writer_close(w);
      assert_true(calls < at);   /* the commit made fewer calls than the one armed */
      break;
    }
    failures++;
    assert_int_equal(rc, want);
    const char *m = indaga_writer_errmsg(w);
    assert_non_null(m);
    assert_non_null(strstr(m, ix));
    indaga_writer_close(w);
    indaga_stats st = stats_of(ix);
    assert_int_equal(st.generation, good.generation);
    assert_int_equal(st.documents, good.documents);
    assert_int_equal(st.paragraphs, good.paragraphs);
    assert_int_equal(st.segments, good.segments);
    assert_check_ok(ix);
  }
  assert_true(failures >= 2);
  indaga_stats st = stats_of(ix);
  assert_int_equal(st.generation, 2);
  assert_int_equal(st.documents, good.documents);
  assert_check_ok(ix);
  free(carta);
  tu_rm_rf(ix);
  free(ix);
}

/*
** The fsyncs of a commit that writes one segment, each protecting one step
** of the order (writer.c): the directory after the pending mark (whose own
** bytes need none), the segment, the directory and the manifest (at once,
** before the manifest's rename), the directory after it; a deletion file
** in place of the segment.
*/
static void test_writer__fsyncs_of_a_commit(void **state) {
  (void)state;
  char *ix = tu_tmpdir("writer");
  size_t n;
  char *carta = tu_read_file(UN_DIR "/" CARTA, &n);
  indaga_writer *w = NULL;
  uint64_t gen;
  assert_int_equal(indaga_writer_open(&w, ix, NULL, NULL), INDAGA_OK);
  assert_int_equal(indaga_writer_add_buffer(w, CARTA, carta, n), INDAGA_OK);
  assert_int_equal(indaga_writer_add_buffer(w, "otra.txt", carta, n), INDAGA_OK);
  os__fail_at(OS_FAIL_FSYNC, UINT64_MAX, EIO, 0);   /* count only */
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  assert_int_equal(os__fail_at(0, 0, 0, 0), 5);
  /* A deletion only: the deletion file takes the segment's place. */
  assert_int_equal(indaga_writer_delete(w, CARTA), INDAGA_OK);
  os__fail_at(OS_FAIL_FSYNC, UINT64_MAX, EIO, 0);
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  assert_int_equal(os__fail_at(0, 0, 0, 0), 5);
  indaga_writer_close(w);
  indaga_stats st = stats_of(ix);
  assert_int_equal(st.generation, 2);
  assert_int_equal(st.documents, 1);
  assert_check_ok(ix);
  free(carta);
  tu_rm_rf(ix);
  free(ix);
}

static void test_writer__full_disk_each_step(void **state) {
  (void)state;
  fail_each(OS_FAIL_WRITE, ENOSPC, INDAGA_ENOSPC);
  fail_each(OS_FAIL_FSYNC, ENOSPC, INDAGA_ENOSPC);
  fail_each(OS_FAIL_RENAME, ENOSPC, INDAGA_ENOSPC);
  fail_each(OS_FAIL_WRITE, EIO, INDAGA_EIO);
  fail_each(OS_FAIL_FSYNC, EIO, INDAGA_EIO);
  fail_each(OS_FAIL_RENAME, EIO, INDAGA_EIO);
}

int main(void) {
  if (!tu_have_shared(UN_DIR)) return TU_SKIPPED;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_writer__sync_counts_match_parser),
    cmocka_unit_test(test_writer__threads_and_budget_same_index),
    cmocka_unit_test(test_writer__fsyncs_of_a_commit),
    cmocka_unit_test(test_writer__second_sync_removes_what_it_did_not_meet),
    cmocka_unit_test(test_writer__threads_hand_over_last_builder),
    cmocka_unit_test(test_writer__tail_hand_overs_same_documents),
    cmocka_unit_test(test_writer__sync_many_names_each_directory),
    cmocka_unit_test(test_writer__incremental_change_remove_full),
    cmocka_unit_test(test_writer__document_get_matches_parser),
    cmocka_unit_test(test_writer__delete_replace_buffers),
    cmocka_unit_test(test_writer__second_writer_busy),
    cmocka_unit_test(test_writer__close_discards_uncommitted),
    cmocka_unit_test(test_writer__scratch_files_collected),
    cmocka_unit_test(test_writer__full_disk_each_step),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
