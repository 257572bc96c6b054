/*
** test_pieces.c: a file larger than a piece, indexed in pieces
** (indexer/docmodel.h "Large files", indexer/writer.c).
**
** The big document is real text: the 534 UN documents of the shared data
** (0.7 MB) concatenated in name order, six times, with a marker word at the
** start, the middle and the end (4.2 MB). Checked here:
**   - parsing it in pieces (64 KiB windows) gives exactly the paragraphs
**     (text, label, part, ordinal, heading, byte range), metadata and part
**     labels of the whole-file parse, with no cut other than at blank lines;
**   - indexed with a 1 MiB budget (1 MiB pieces, the builder flushed often,
**     so pieces land in several segments) it gives the same search hits
**     (citations, labels, parts, byte ranges, snippets, order) as indexed
**     whole with a large budget, with one and with two threads; --group
**     gives one hit for it; indaga_document_get returns it whole; stats
**     count it once; indaga check passes;
**   - replacing it (sync after an edit, add_file) and deleting it (remove
**     the file, indaga_writer_delete) leave no piece behind;
**   - a file with no blank line is cut at line ends with a warning;
**   - a read failing at each read of either pass (EIO injected) skips the
**     file with a warning naming it and leaves no piece of it behind.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "testutil.h"
#include <errno.h>
#include "common/common.h"
#include "common/os.h"
#include "indexer/docmodel.h"
#include "indaga.h"

#define UN_DIR INDAGA_SHARED_DATA "/un"
#define BIG_ID "grande.txt"

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The big document: marker words at start, middle and end (see above). Caller frees (indaga__free). */
static char *big_text(size_t *n) {
  DIR *d = opendir(UN_DIR);
  assert_non_null(d);
  char *names[1024];
  size_t k = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && k < 1024)
    if (strstr(e->d_name, ".txt")) names[k++] = strdup(e->d_name);
  closedir(d);
  qsort(names, k, sizeof *names, cmp_str);
  ia_buf b = { 0 };
  buf_puts(&b, "Documento de prueba comienzoxilofono\n\n");
  for (int round = 0; round < 6; round++) {
    for (size_t i = 0; i < k; i++) {
      char path[1024];
      size_t len;
      snprintf(path, sizeof path, "%s/%s", UN_DIR, names[i]);
      char *p = tu_read_file(path, &len);
      buf_append(&b, p, len);
      buf_puts(&b, "\n\n");
      free(p);
    }
    if (round == 2) buf_puts(&b, "En la mitad del documento: mitadxilofono.\n\n");
  }
  buf_puts(&b, "Fin del documento de prueba: finalxilofono.\n");
  for (size_t i = 0; i < k; i++) free(names[i]);
  assert_int_equal(b.err, 0);
  *n = b.n;
  return buf_detach(&b);
}

static void assert_para_eq(const dm_para *a, const dm_para *b) {
  assert_string_equal(a->text, b->text);
  assert_int_equal(a->part, b->part);
  assert_int_equal(a->ordinal, b->ordinal);
  assert_int_equal(a->heading, b->heading);
  assert_int_equal(a->src_start, b->src_start);
  assert_int_equal(a->src_end, b->src_end);
  if (a->label || b->label) {
    assert_non_null(a->label);
    assert_non_null(b->label);
    assert_string_equal(a->label, b->label);
  }
}

/* Write big_text() as BIG_ID in @dir (path in @path); returns the text (*n bytes). */
static char *put_big_text(const char *dir, char *path, size_t npath, size_t *n) {
  char *text = big_text(n);
  snprintf(path, npath, "%s/%s", dir, BIG_ID);
  tu_write_file(path, text, *n);
  return text;
}

static void assert_meta_eq(const dm_doc *a, const dm_doc *b) {
  assert_int_equal(a->nmeta, b->nmeta);
  for (size_t i = 0; i < a->nmeta; i++) {
    assert_string_equal(a->meta[i].key, b->meta[i].key);
    assert_string_equal(a->meta[i].value, b->meta[i].value);
  }
}

static void test_pieces__parse_equals_whole(void **state) {
  (void)state;
  char *dir = tu_tmpdir("pieces-parse"), path[512];
  size_t n;
  char *text = put_big_text(dir, path, sizeof path, &n);
  dm_doc *whole = NULL;
  char *why = NULL;
  assert_int_equal(dm_parse(&whole, BIG_ID, text, n, &why), INDAGA_OK);
  assert_true(whole->nparts >= 3 && whole->nparas > 5000);
  dm_stream *s = NULL;
  assert_int_equal(dm_stream_open(&s, path, BIG_ID, 64 << 10, &why), INDAGA_OK);
  assert_int_equal(dm_stream_size(s), n);
  uint64_t h;
  assert_int_equal(dm_stream_hash(s, &h, &why), INDAGA_OK);
  size_t at = 0;
  uint32_t expect = 0, piece;
  int last = 0;
  while (!last) {
    dm_doc *d = NULL;
    assert_int_equal(dm_stream_next(s, &d, &piece, &last, &why), INDAGA_OK);
    assert_int_equal(piece, expect++);
    assert_meta_eq(d, whole);
    for (size_t i = 0; i < d->nwarnings; i++) fail_msg("unexpected warning: %s", d->warnings[i]);
    for (size_t i = 0; i < d->nparas; i++) assert_para_eq(&d->paras[i], &whole->paras[at + i]);
    at += d->nparas;
    assert_true(d->nparts <= whole->nparts);
    /* labels of the parts its paragraphs are in (earlier ones NULL) */
    for (size_t i = 1; i < d->nparts; i++) {
      if (d->nparas && i >= d->paras[0].part) assert_non_null(d->part_labels[i]);
      if (d->part_labels[i]) assert_string_equal(d->part_labels[i], whole->part_labels[i]);
    }
    if (last) assert_int_equal(d->nparts, whole->nparts);
    dm_doc_free(d);
  }
  assert_true(expect > 40);   /* 4.5 MB in 64 KiB windows */
  assert_int_equal(at, whole->nparas);
  dm_stream_close(s);
  dm_doc_free(whole);
  indaga__free(text);
  tu_rm_rf(dir);
  free(dir);
}

typedef struct warns {
  int cut, other, io;              /* warnings */
  int progress, backwards;         /* progress calls; ones that went back or past the total */
  uint64_t last;
} warns;

static void on_progress(void *ctx, uint64_t files_done, uint64_t files_total, uint64_t bytes_done,
                        uint64_t bytes_total) {
  warns *w = ctx;
  (void)files_done;
  (void)files_total;
  w->progress++;
  if (bytes_done < w->last || bytes_done > bytes_total) w->backwards++;
  w->last = bytes_done;
}

static void on_warn(void *ctx, const char *path, const char *msg) {
  warns *w = ctx;
  size_t n = strlen(path), nb = strlen(BIG_ID);
  if (strstr(msg, "no blank line")) w->cut++;
  else if (n >= nb && !strcmp(path + n - nb, BIG_ID) && !strncmp(msg, "cannot read", 11)) w->io++;
  else w->other++;
}

/* Sync @root into index @ix (created) with @budget and @threads. */
static void sync_dir(const char *ix, const char *root, size_t budget, unsigned threads, warns *wn,
                     indaga_sync_report *rep) {
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.memory_budget = budget;
  o.threads = threads;
  o.on_warning = on_warn;
  o.on_progress = on_progress;
  o.ctx = wn;
  indaga_writer *w = NULL;
  char *err = NULL;
  int rc = indaga_writer_open(&w, ix, &o, &err);
  if (rc) fail_msg("open %s: %s", ix, err);
  indaga_sync_report r;
  rc = indaga_writer_sync(w, root, rep ? rep : &r);
  if (rc) fail_msg("sync: %s", indaga_writer_errmsg(w));
  assert_int_equal(indaga_writer_commit(w, NULL), INDAGA_OK);
  indaga_writer_close(w);
}

static indaga_index *open_ix(const char *ix) {
  indaga_index *idx = NULL;
  char *err = NULL;
  if (indaga_index_open(&idx, ix, NULL, &err)) fail_msg("open %s: %s", ix, err);
  return idx;
}

static void check_ok(const char *ix) {
  char *err = NULL;
  int rc = indaga_check(ix, &err);
  if (rc) fail_msg("check %s: %s", ix, err);
}

static const char *nz(const char *s) { return s ? s : "(null)"; }

/* Every hit of @q in both indexes is the same, in the same order. Returns the hit count. */
static size_t same_hits(indaga_index *a, indaga_index *b, const char *q, int group, unsigned context) {
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = 60;
  o.group = group;
  o.context = context;
  indaga_results *ra = NULL, *rb = NULL;
  assert_int_equal(indaga_search(&ra, a, q, &o), INDAGA_OK);
  assert_int_equal(indaga_search(&rb, b, q, &o), INDAGA_OK);
  size_t n = indaga_results_count(ra);
  assert_int_equal(n, indaga_results_count(rb));
  for (size_t i = 0; i < n; i++) {
    const indaga_hit *x = indaga_results_hit(ra, i), *y = indaga_results_hit(rb, i);
    assert_string_equal(x->doc, y->doc);
    assert_string_equal(nz(x->symbol), nz(y->symbol));
    assert_string_equal(nz(x->title), nz(y->title));
    assert_int_equal(x->part, y->part);
    assert_string_equal(nz(x->part_label), nz(y->part_label));
    assert_int_equal(x->paragraph, y->paragraph);
    assert_string_equal(nz(x->label), nz(y->label));
    assert_int_equal(x->byte_start, y->byte_start);
    assert_int_equal(x->byte_end, y->byte_end);
    assert_int_equal(x->snippet_len, y->snippet_len);
    assert_memory_equal(x->snippet, y->snippet, x->snippet_len);
    assert_true(x->score - y->score < 1e-9 && y->score - x->score < 1e-9);
  }
  indaga_results_free(ra);
  indaga_results_free(rb);
  return n;
}

/* Hits of @q in @idx (k 100). */
static size_t hits(indaga_index *idx, const char *q, int group) {
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = 100;
  o.group = group;
  indaga_results *r = NULL;
  assert_int_equal(indaga_search(&r, idx, q, &o), INDAGA_OK);
  size_t n = indaga_results_count(r);
  indaga_results_free(r);
  return n;
}

static void pieces_vs_whole(unsigned threads) {
  char *root = tu_tmpdir("pieces-root"), *ixp = tu_tmpdir("pieces-ixp"), *ixw = tu_tmpdir("pieces-ixw");
  char path[512];
  size_t n;
  char *text = put_big_text(root, path, sizeof path, &n);
  snprintf(path, sizeof path, "%s/carta.txt", root);   /* and a small document beside it */
  tu_write_file(path, "Carta breve sobre combatientes terroristas extranjeros.\n", 56);
  warns wn = { 0, 0, 0, 0, 0, 0 };
  indaga_sync_report rep;
  sync_dir(ixp, root, (size_t)1 << 20, threads, &wn, &rep);
  assert_int_equal(rep.added, 2);
  assert_int_equal(wn.cut, 0);
  assert_true(wn.progress > 4);   /* per piece, not only per file */
  assert_int_equal(wn.backwards, 0);
  sync_dir(ixw, root, (size_t)1 << 30, threads, &wn, NULL);
  check_ok(ixp);
  indaga_index *p = open_ix(ixp), *w = open_ix(ixw);
  indaga_stats sp, sw;
  assert_int_equal(indaga_index_stats(p, &sp), INDAGA_OK);
  assert_int_equal(indaga_index_stats(w, &sw), INDAGA_OK);
  assert_int_equal(sp.documents, 2);
  assert_int_equal(sw.documents, 2);
  assert_int_equal(sp.paragraphs, sw.paragraphs);
  assert_true(sp.segments > sw.segments);   /* the pieces lie in several segments */
  static const char *const queries[] = {
    "combatientes terroristas extranjeros", "\"Consejo de Seguridad\"", "informacion",
    "S/RES/2354 (2017)", "annex:I terrorismo", "year:2015 presupuesto", "comienzoxilofono",
    "mitadxilofono", "finalxilofono", "desarme NEAR/5 nuclear", "derechos -humanos", "paz"};
  for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
    size_t a = same_hits(p, w, queries[i], 0, 0);
    if (i >= 6 && i <= 8) assert_int_equal(a, 1);
    same_hits(p, w, queries[i], 1, 0);
  }
  assert_true(same_hits(p, w, "terrorismo", 0, 0) == 60);
  assert_int_equal(hits(p, "terrorismo", 1), 2);   /* grouped: the big document once, and the letter */
  /* the document whole */
  dm_doc *whole = NULL;
  char *why = NULL;
  assert_int_equal(dm_parse(&whole, BIG_ID, text, n, &why), INDAGA_OK);
  indaga_document *d = NULL;
  assert_int_equal(indaga_document_get(&d, p, BIG_ID, NULL), INDAGA_OK);
  assert_int_equal(indaga_document_paragraph_count(d), whole->nparas);
  assert_int_equal(indaga_document_part_count(d), whole->nparts);
  for (size_t i = 1; i < whole->nparts; i++)
    assert_string_equal(nz(indaga_document_part_label(d, i)), nz(whole->part_labels[i]));
  for (size_t i = 0; i < whole->nparas; i += 97) {
    const indaga_paragraph *x = indaga_document_paragraph(d, i);
    assert_string_equal(x->text, whole->paras[i].text);
    assert_int_equal(x->byte_start, whole->paras[i].src_start);
  }
  indaga_document_free(d);
  dm_doc_free(whole);
  indaga_index_close(p);
  indaga_index_close(w);
  indaga__free(text);
  tu_rm_rf(root); tu_rm_rf(ixp); tu_rm_rf(ixw);
  free(root); free(ixp); free(ixw);
}

static void test_pieces__search_one_thread(void **state) { (void)state; pieces_vs_whole(1); }
static void test_pieces__search_two_threads(void **state) { (void)state; pieces_vs_whole(2); }

static void test_pieces__replace_and_delete(void **state) {
  (void)state;
  char *root = tu_tmpdir("pieces-root"), *ix = tu_tmpdir("pieces-ix");
  char path[512];
  size_t n;
  char *text = put_big_text(root, path, sizeof path, &n);
  warns wn = { 0, 0, 0, 0, 0, 0 };
  sync_dir(ix, root, (size_t)1 << 20, 2, &wn, NULL);
  indaga_index *idx = open_ix(ix);
  indaga_stats st0;
  indaga_index_stats(idx, &st0);
  assert_int_equal(hits(idx, "finalxilofono", 0), 1);
  indaga_index_close(idx);
  /* an edit near the end: the old pieces all go, the new ones come */
  memcpy(strstr(text, "finalxilofono"), "otroxilofono!", 13);
  tu_write_file(path, text, n);
  indaga_sync_report rep;
  sync_dir(ix, root, (size_t)1 << 20, 2, &wn, &rep);
  assert_int_equal(rep.updated, 1);
  check_ok(ix);
  idx = open_ix(ix);
  indaga_stats st;
  indaga_index_stats(idx, &st);
  assert_int_equal(st.documents, 1);
  assert_int_equal(st.paragraphs, st0.paragraphs);
  assert_int_equal(hits(idx, "finalxilofono", 0), 0);
  assert_int_equal(hits(idx, "otroxilofono", 0), 1);
  assert_int_equal(hits(idx, "comienzoxilofono", 0), 1);
  assert_int_equal(hits(idx, "mitadxilofono", 0), 1);
  indaga_index_close(idx);
  /* unchanged: nothing to do */
  sync_dir(ix, root, (size_t)1 << 20, 1, &wn, &rep);
  assert_int_equal(rep.unchanged, 1);
  /* add_file twice in one session (the second replaces the first, pieces in the builder), then delete */
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.memory_budget = (size_t)1 << 20;
  indaga_writer *w = NULL;
  assert_int_equal(indaga_writer_open(&w, ix, &o, NULL), INDAGA_OK);
  assert_int_equal(indaga_writer_add_file(w, "copia.txt", path), INDAGA_OK);
  assert_int_equal(indaga_writer_add_file(w, "copia.txt", path), INDAGA_OK);
  assert_int_equal(indaga_writer_commit(w, NULL), INDAGA_OK);
  check_ok(ix);
  idx = open_ix(ix);
  indaga_index_stats(idx, &st);
  assert_int_equal(st.documents, 2);
  assert_int_equal(st.paragraphs, 2 * st0.paragraphs);
  assert_int_equal(hits(idx, "mitadxilofono", 0), 2);
  indaga_index_close(idx);
  assert_int_equal(indaga_writer_delete(w, "copia.txt"), INDAGA_OK);
  assert_int_equal(indaga_writer_commit(w, NULL), INDAGA_OK);
  indaga_writer_close(w);
  idx = open_ix(ix);
  indaga_index_stats(idx, &st);
  assert_int_equal(st.documents, 1);
  assert_int_equal(st.paragraphs, st0.paragraphs);
  assert_int_equal(hits(idx, "mitadxilofono", 0), 1);
  indaga_index_close(idx);
  /* the file removed: every piece goes */
  unlink(path);
  sync_dir(ix, root, (size_t)1 << 20, 2, &wn, &rep);
  assert_int_equal(rep.removed, 1);
  check_ok(ix);
  idx = open_ix(ix);
  indaga_index_stats(idx, &st);
  assert_int_equal(st.documents, 0);
  assert_int_equal(st.paragraphs, 0);
  assert_int_equal(hits(idx, "mitadxilofono", 0), 0);
  indaga_index_close(idx);
  indaga__free(text);
  tu_rm_rf(root); tu_rm_rf(ix);
  free(root); free(ix);
}

/* 3 MB of lines and no blank line: cut at line ends, with a warning each time. */
static void test_pieces__no_blank_line(void **state) {
  (void)state;
  char *root = tu_tmpdir("pieces-root"), *ix = tu_tmpdir("pieces-ix");
  char path[512];
  ia_buf b = { 0 };
  for (int i = 0; b.n < ((size_t)3 << 20); i++)
    buf_printf(&b, "- elemento %d de una lista sin lineas en blanco sobre desarme\n", i);
  snprintf(path, sizeof path, "%s/lista.txt", root);
  tu_write_file(path, b.p, b.n);
  warns wn = { 0, 0, 0, 0, 0, 0 };
  sync_dir(ix, root, (size_t)1 << 20, 1, &wn, NULL);
  assert_true(wn.cut >= 3);
  check_ok(ix);
  indaga_index *idx = open_ix(ix);
  indaga_stats st;
  indaga_index_stats(idx, &st);
  assert_int_equal(st.documents, 1);
  /* a list item per line: the cuts at line ends split nothing */
  size_t items = 0;
  for (size_t i = 0; i < b.n; i++) items += b.p[i] == '\n';
  assert_int_equal(st.paragraphs, items);
  indaga_index_close(idx);
  buf_free(&b);
  tu_rm_rf(root); tu_rm_rf(ix);
  free(root); free(ix);
}

static void test_pieces__read_fails_midway(void **state) {
  (void)state;
  char *root = tu_tmpdir("pieces-root"), path[512];
  size_t n;
  char *text = put_big_text(root, path, sizeof path, &n);
  snprintf(path, sizeof path, "%s/carta.txt", root);   /* two files: the threaded pipeline runs */
  tu_write_file(path, "Carta breve sobre combatientes terroristas extranjeros.\n", 56);
  /* 4.2 MB in 1 MiB windows: 5 reads to hash, 5 to parse */
  for (uint64_t at = 1; at <= 10; at++) {
    char *ix = tu_tmpdir("pieces-ix");
    for (unsigned threads = 1; threads <= 2; threads++) {
      warns wn = { 0, 0, 0, 0, 0, 0 };
      indaga_sync_report rep;
      os__fail_at(OS_FAIL_READ, at, EIO, 0);
      sync_dir(ix, root, (size_t)1 << 20, threads, &wn, &rep);
      os__fail_at(0, 0, 0, 0);
      assert_int_equal(rep.skipped, 1);
      assert_int_equal(wn.io, 1);
      check_ok(ix);
      indaga_index *idx = open_ix(ix);
      indaga_stats st;
      indaga_index_stats(idx, &st);
      assert_int_equal(st.documents, 1);
      assert_int_equal(st.paragraphs, 1);
      assert_int_equal(hits(idx, "comienzoxilofono", 0), 0);
      assert_int_equal(hits(idx, "combatientes", 0), 1);
      indaga_index_close(idx);
    }
    tu_rm_rf(ix);
    free(ix);
  }
  indaga__free(text);
  tu_rm_rf(root);
  free(root);
}

int main(void) {
  if (!tu_have_shared(UN_DIR)) return TU_SKIPPED;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pieces__parse_equals_whole),
    cmocka_unit_test(test_pieces__search_one_thread),
    cmocka_unit_test(test_pieces__search_two_threads),
    cmocka_unit_test(test_pieces__replace_and_delete),
    cmocka_unit_test(test_pieces__no_blank_line),
    cmocka_unit_test(test_pieces__read_fails_midway),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
