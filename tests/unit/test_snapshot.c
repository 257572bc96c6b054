/*
** test_snapshot.c: readers of an index directory against damaged files.
**
** An index of real UN documents with two generations (so it has two
** manifests, two segments and a deletion file) is damaged one byte at a
** time (many offsets of every file, one bit and whole-byte flips) and by
** truncation. Every time, indaga_check must fail naming the file, and opening
** must either fail naming the file or, when only an older generation's
** manifest or a superseded manifest is damaged, open the newest intact
** generation. Never a crash (this test also runs under ASan/UBSan).
** It also covers the manifest codec and the snapshot's deletion bitmaps.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>
#include "testutil.h"
#include "common/common.h"
#include "common/os.h"
#include "indexer/manifest.h"
#include "indexer/segment.h"
#include "indaga.h"

#define UN_DIR INDAGA_SHARED_DATA "/un"

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first @n .txt names of UN_DIR in sorted order (caller frees). */
static char **un_names(size_t n) {
  DIR *d = opendir(UN_DIR);
  assert_non_null(d);
  char **v = calloc(1024, sizeof *v);
  size_t k = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && k < 1024)
    if (strstr(e->d_name, ".txt")) v[k++] = strdup(e->d_name);
  closedir(d);
  qsort(v, k, sizeof *v, cmp_str);
  assert_true(k >= n);
  for (size_t i = n; i < k; i++) { free(v[i]); v[i] = NULL; }
  return v;
}

/*
** Build generation 1 from 24 UN documents, then generation 2 deleting two
** of them and adding one: seg-1.seg, seg-1.del.2, seg-2.seg, manifest.1/.2.
*/
static void build_index(const char *ix, int two_generations) {
  char **names = un_names(24);
  indaga_writer *w = NULL;
  assert_int_equal(indaga_writer_open(&w, ix, NULL, NULL), INDAGA_OK);
  char path[1024];
  for (size_t i = 0; i < 23; i++) {
    snprintf(path, sizeof path, "%s/%s", UN_DIR, names[i]);
    assert_int_equal(indaga_writer_add_file(w, names[i], path), INDAGA_OK);
  }
  uint64_t gen;
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  if (two_generations) {
    assert_int_equal(indaga_writer_delete(w, names[3]), INDAGA_OK);
    assert_int_equal(indaga_writer_delete(w, names[7]), INDAGA_OK);
    snprintf(path, sizeof path, "%s/%s", UN_DIR, names[23]);
    assert_int_equal(indaga_writer_add_file(w, names[23], path), INDAGA_OK);
    assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
    assert_int_equal(gen, 2);
  }
  indaga_writer_close(w);
  for (size_t i = 0; i < 24; i++) free(names[i]);
  free(names);
}

/*
** With @file damaged: check fails naming it; open either fails naming it
** or (@fallback_gen != 0) opens generation @fallback_gen.
*/
static void expect_damage_seen(const char *ix, const char *file, uint64_t fallback_gen) {
  char *err = NULL;
  int rc = indaga_check(ix, &err);
  if (rc == INDAGA_OK || !err || !strstr(err, file))
    fprintf(stderr, "check with %s damaged: rc %d, %s\n", file, rc, err ? err : "(no message)");
  assert_int_not_equal(rc, INDAGA_OK);
  assert_non_null(err);
  assert_non_null(strstr(err, file));
  indaga_free(err);
  err = NULL;
  indaga_index *idx = NULL;
  rc = indaga_index_open(&idx, ix, NULL, &err);
  if (fallback_gen) {
    if (rc) fprintf(stderr, "open with %s damaged: %s\n", file, err ? err : "?");
    assert_int_equal(rc, INDAGA_OK);
    indaga_stats st;
    indaga_index_stats(idx, &st);
    assert_int_equal(st.generation, fallback_gen);
    /* falling back past a damaged newer manifest is never silent */
    const char *note = indaga_index_note(idx);
    if (!strncmp(file, "manifest.", 9) && strtoull(file + 9, NULL, 10) > fallback_gen) {
      assert_non_null(note);
      assert_non_null(strstr(note, file));
    }
  } else {
    if (rc == INDAGA_OK || !err || !strstr(err, file))
      fprintf(stderr, "open with %s damaged: rc %d, %s\n", file, rc, err ? err : "(no message)");
    assert_true(rc == INDAGA_ECORRUPT || rc == INDAGA_EVERSION);
    assert_null(idx);
    assert_non_null(strstr(err, file));
  }
  indaga_free(err);
  indaga_index_close(idx);
}

/* Flip bytes at many offsets of @file, then truncate it, checking each time. */
static void damage_file(const char *ix, const char *file, uint64_t fallback_gen) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", ix, file);
  size_t n;
  unsigned char *orig = (unsigned char *)tu_read_file(path, &n);
  unsigned char *p = malloc(n);
  size_t step = n <= 600 ? 1 : n / 300;
  size_t tried = 0;
  for (size_t off = 0; off < n; off += step) {
    memcpy(p, orig, n);
    p[off] ^= (tried & 1) ? 0xff : 0x01;
    tu_write_file(path, p, n);
    expect_damage_seen(ix, file, fallback_gen);
    tried++;
  }
  for (size_t off = n - (n < 64 ? n : 64); off < n; off++) {   /* the footer, every byte */
    memcpy(p, orig, n);
    p[off] ^= 0x10;
    tu_write_file(path, p, n);
    expect_damage_seen(ix, file, fallback_gen);
  }
  const size_t cuts[] = { 0, 1, 7, n / 2, n - 8, n - 1 };
  for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
    if (cuts[i] >= n) continue;
    tu_write_file(path, orig, cuts[i]);
    expect_damage_seen(ix, file, fallback_gen);
  }
  tu_write_file(path, orig, n);
  assert_true(tried >= (n < 300 ? n : 250));
  char *err = NULL;
  assert_int_equal(indaga_check(ix, &err), INDAGA_OK);
  free(p);
  free(orig);
}

static void test_snapshot__damage_every_file_kind(void **state) {
  (void)state;
  char *ix = tu_tmpdir("snapshot");
  build_index(ix, 1);
  assert_int_equal(indaga_check(ix, NULL), INDAGA_OK);
  damage_file(ix, "seg-1.seg", 0);
  damage_file(ix, "seg-2.seg", 0);
  damage_file(ix, "seg-1.del.2", 0);
  damage_file(ix, "manifest.2", 1);   /* the previous generation is still whole */
  damage_file(ix, "manifest.1", 2);   /* only the old one is damaged */
  tu_rm_rf(ix);
  free(ix);
}

static void test_snapshot__damaged_only_manifest(void **state) {
  (void)state;
  char *ix = tu_tmpdir("snapshot");
  build_index(ix, 0);
  damage_file(ix, "manifest.1", 0);
  /* A missing segment is reported by name, not as "no index". */
  char path[1024], *err = NULL;
  snprintf(path, sizeof path, "%s/seg-1.seg", ix);
  assert_int_equal(rename(path, "/tmp/indaga-test-snapshot-moved.seg"), 0);
  indaga_index *idx = NULL;
  assert_int_equal(indaga_index_open(&idx, ix, NULL, &err), INDAGA_ECORRUPT);
  assert_non_null(strstr(err, "seg-1.seg"));
  indaga_free(err);
  err = NULL;
  assert_int_equal(indaga_check(ix, &err), INDAGA_ECORRUPT);
  assert_non_null(strstr(err, "seg-1.seg"));
  indaga_free(err);
  assert_int_equal(rename("/tmp/indaga-test-snapshot-moved.seg", path), 0);
  assert_int_equal(indaga_check(ix, NULL), INDAGA_OK);
  /* A writer refuses to build on a damaged newest manifest until --full. */
  snprintf(path, sizeof path, "%s/manifest.1", ix);
  size_t n;
  unsigned char *m = (unsigned char *)tu_read_file(path, &n);
  m[20] ^= 1;
  tu_write_file(path, m, n);
  indaga_writer *w = NULL;
  err = NULL;
  assert_int_equal(indaga_writer_open(&w, ix, NULL, &err), INDAGA_ECORRUPT);
  assert_non_null(strstr(err, "manifest.1"));
  assert_non_null(strstr(err, "--full"));
  indaga_free(err);
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.flags = INDAGA_WRITER_FULL;
  assert_int_equal(indaga_writer_open(&w, ix, &o, NULL), INDAGA_OK);
  assert_int_equal(indaga_writer_sync(w, UN_DIR "/carta_krasnodar_2017.txt", NULL), INDAGA_OK);
  uint64_t gen = 0;
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  assert_int_equal(gen, 2);
  indaga_writer_close(w);
  assert_int_equal(indaga_check(ix, NULL), INDAGA_OK);   /* the damaged manifest is gone */
  free(m);
  tu_rm_rf(ix);
  free(ix);
}

static void test_snapshot__deletion_bitmaps(void **state) {
  (void)state;
  char *ix = tu_tmpdir("snapshot");
  build_index(ix, 1);
  ix_snapshot *s = NULL;
  char *err = NULL;
  assert_int_equal(ix_snapshot_open(&s, ix, &err), INDAGA_OK);
  assert_int_equal(ix_generation(s), 2);
  assert_int_equal(ix_nsegs(s), 2);
  assert_int_equal(ix_live_docs(s), 22);
  uint64_t live = 0, total = 0;
  for (size_t i = 0; i < ix_nsegs(s); i++) {
    const seg_reader *r = ix_seg(s, i);
    for (uint32_t p = 0; p < seg_npara(r); p++)
      if (!ix_is_deleted(s, i, p)) { live++; total += seg_para_len(r, p); }
  }
  assert_int_equal(live, ix_live_paras(s));
  assert_int_equal(total, ix_total_len(s));
  uint32_t nd;
  const uint32_t *del = ix_deleted_docs(s, 0, &nd);
  assert_int_equal(nd, 2);
  assert_int_equal(del[0], 3);
  assert_int_equal(del[1], 7);
  assert_true(ix_doc_deleted(s, 0, 3));
  assert_false(ix_doc_deleted(s, 0, 4));
  size_t seg;
  uint32_t did;
  char **names = un_names(24);
  assert_int_equal(ix_find_doc(s, names[3], &seg, &did), INDAGA_ENOTFOUND);
  assert_int_equal(ix_find_doc(s, names[4], &seg, &did), INDAGA_OK);
  assert_int_equal(seg, 0);
  assert_int_equal(did, 4);
  assert_int_equal(ix_find_doc(s, names[23], &seg, &did), INDAGA_OK);
  assert_int_equal(seg, 1);
  for (size_t i = 0; i < 24; i++) free(names[i]);
  free(names);
  ix_snapshot_free(s);
  tu_rm_rf(ix);
  free(ix);
}

static void test_snapshot__manifest_round_trip(void **state) {
  (void)state;
  char *dir = tu_tmpdir("snapshot");
  ix_seg_entry segs[2] = { { 4, 0, 10, 50, 900, 0, 1 }, { 9, 3, 7, 20, 300, 2, 2 } };
  char r0[] = "/srv/documentos", r1[] = "/srv/otros";
  char *roots[2] = { r0, r1 };
  ix_manifest m = { 3, 10, segs, 2, 0xfeed, 2, IX_PREV_KEPT, roots, 2 }, back;
  assert_int_equal(ix_manifest_write(&m, dir, NULL), INDAGA_OK);
  assert_int_equal(ix_manifest_read(&back, dir, 3, NULL), INDAGA_OK);
  assert_int_equal(back.nsegs, 2);
  assert_int_equal(back.index_id, 0xfeed);
  assert_int_equal(back.prev_gen, 2);
  assert_int_equal(back.flags, IX_PREV_KEPT);
  assert_int_equal(back.nroots, 2);
  assert_string_equal(back.roots[1], "/srv/otros");
  assert_int_equal(back.segs[1].seg_gen, 2);
  assert_int_equal(back.next_seg_id, 10);
  assert_int_equal(back.segs[1].id, 9);
  assert_int_equal(back.segs[1].del_gen, 3);
  assert_int_equal(back.segs[1].ndeleted, 2);
  assert_int_equal(back.segs[0].total_len, 900);
  ix_manifest_clear(&back);
  char *err = NULL;
  /* Read as another generation: the name and the content disagree. */
  char from[1024], to[1024];
  snprintf(from, sizeof from, "%s/manifest.3", dir);
  snprintf(to, sizeof to, "%s/manifest.4", dir);
  assert_int_equal(rename(from, to), 0);
  assert_int_equal(ix_manifest_read(&back, dir, 4, &err), INDAGA_ECORRUPT);
  assert_non_null(strstr(err, "manifest.4"));
  indaga__free(err);
  uint32_t docs[2] = { 1, 5 }, *got = NULL, cnt = 0;
  assert_int_equal(ix_del_write(dir, 0xfeed, 9, 3, 7, docs, 2, NULL), INDAGA_OK);
  assert_int_equal(ix_del_read(dir, 0xfeed, 9, 3, 7, &got, &cnt, NULL), INDAGA_OK);
  assert_int_equal(cnt, 2);
  assert_int_equal(got[1], 5);
  indaga__free(got);
  err = NULL;
  assert_int_equal(ix_del_read(dir, 0xfeed, 9, 3, 4, &got, &cnt, &err), INDAGA_ECORRUPT);   /* doc count differs */
  indaga__free(err);
  err = NULL;   /* a deletion file of another index */
  assert_int_equal(ix_del_read(dir, 0xbeef, 9, 3, 7, &got, &cnt, &err), INDAGA_ECORRUPT);
  assert_non_null(strstr(err, "another index"));
  indaga__free(err);
  uint64_t *gens = NULL;
  size_t ng = 0;
  assert_int_equal(ix_manifest_list(dir, &gens, &ng, NULL), INDAGA_OK);
  assert_int_equal(ng, 1);
  assert_int_equal(gens[0], 4);
  indaga__free(gens);

  /* A segment listed twice, not next to itself, is refused by name. */
  ix_seg_entry twice[3] = { { 4, 0, 10, 50, 900, 0, 1 }, { 9, 0, 7, 20, 300, 0, 1 }, { 4, 0, 10, 50, 900, 0, 1 } };
  ix_manifest dup = { 5, 10, twice, 3, 0xfeed, 0, 0, NULL, 0 };
  assert_int_equal(ix_manifest_write(&dup, dir, NULL), INDAGA_OK);
  err = NULL;
  assert_int_equal(ix_manifest_read(&back, dir, 5, &err), INDAGA_ECORRUPT);
  assert_non_null(strstr(err, "listed twice"));
  assert_non_null(strstr(err, "manifest.5"));
  indaga__free(err);
  /* Many distinct segments are accepted (the duplicate check sorts, not n^2). */
  enum { MANY = 20000 };
  ix_seg_entry *many = calloc(MANY, sizeof *many);
  assert_non_null(many);
  for (uint64_t i = 0; i < MANY; i++) many[i].id = MANY - 1 - i, many[i].seg_gen = 6;
  ix_manifest big = { 6, MANY, many, MANY, 0xfeed, 0, 0, NULL, 0 };
  assert_int_equal(ix_manifest_write(&big, dir, NULL), INDAGA_OK);
  assert_int_equal(ix_manifest_read(&back, dir, 6, NULL), INDAGA_OK);
  assert_int_equal(back.nsegs, MANY);
  ix_manifest_clear(&back);
  free(many);
  tu_rm_rf(dir);
  free(dir);
}

int main(void) {
  if (!tu_have_shared(UN_DIR)) return TU_SKIPPED;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_snapshot__manifest_round_trip),
    cmocka_unit_test(test_snapshot__deletion_bitmaps),
    cmocka_unit_test(test_snapshot__damaged_only_manifest),
    cmocka_unit_test(test_snapshot__damage_every_file_kind),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
