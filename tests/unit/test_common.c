/*
** test_common.c: buffers, varints, little-endian helpers, the allocation
** fault hook, the os.c file helpers (with the read-ahead hint on a
** mapping) and the UTF-8 rule (common/utf8.h),
** with the two places that apply it to text: the document model's repair
** and the analyzer's folding.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>
#include "common/common.h"
#include "common/os.h"
#include "common/utf8.h"
#include "indexer/docmodel.h"
#include "stemmer/analyze.h"

static void test_common__varint_round_trip(void **state) {
  (void)state;
  static const uint64_t vals[] = { 0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX, UINT64_MAX };
  ia_buf b = { 0 };
  for (size_t i = 0; i < ARRAY_SIZE(vals); i++) buf_put_varint(&b, vals[i]);
  assert_int_equal(b.err, INDAGA_OK);
  const unsigned char *p = b.p, *end = b.p + b.n;
  for (size_t i = 0; i < ARRAY_SIZE(vals); i++) {
    uint64_t v = 0;
    assert_int_equal(get_varint(&p, end, &v), 0);
    assert_true(v == vals[i]);
  }
  assert_ptr_equal(p, end);
  /* A truncated varint is reported, not read past the end. */
  const unsigned char trunc[] = { 0x80, 0x80 };
  const unsigned char *q = trunc;
  uint64_t v;
  assert_int_equal(get_varint(&q, trunc + 2, &v), -1);
  assert_ptr_equal(q, trunc);
  buf_free(&b);
}

static void test_common__little_endian(void **state) {
  (void)state;
  unsigned char a[8];
  put_u32(a, 0x01020304u);
  assert_int_equal(a[0], 4);
  assert_int_equal(a[3], 1);
  assert_int_equal(get_u32(a), 0x01020304u);
  put_u64(a, 0x1122334455667788ull);
  assert_true(get_u64(a) == 0x1122334455667788ull);
  assert_int_equal(a[0], 0x88);
}

static void test_common__buf_sticky_oom(void **state) {
  (void)state;
  ia_buf b = { 0 };
  buf_puts(&b, "hola");
  assert_string_equal((char *)b.p, "hola");
  indaga__alloc_fail_at(1, 1);
  for (int i = 0; i < 100; i++) buf_puts(&b, "0123456789");
  indaga__alloc_fail_at(0, 0);
  assert_int_equal(b.err, INDAGA_ENOMEM);
  buf_puts(&b, "x");            /* still a no-op: the error is sticky */
  assert_int_equal(b.err, INDAGA_ENOMEM);
  buf_reset(&b);
  buf_printf(&b, "%d-%s", 42, "año");
  assert_string_equal((char *)b.p, "42-año");
  char *z = buf_detach(&b);
  assert_string_equal(z, "42-año");
  indaga__free(z);
}

/* indaga__grow: doubles, keeps the elements, leaves array and cap alone on failure. */
static void test_common__grow(void **state) {
  (void)state;
  uint32_t *v = NULL;
  size_t n = 0, cap = 0;
  for (uint32_t i = 0; i < 1000; i++) {
    if (n == cap) {
      size_t old = cap;
      uint32_t *nv = indaga__grow(v, &cap, sizeof *nv, 16);
      assert_non_null(nv);
      assert_int_equal(cap, old ? old * 2 : 16);
      v = nv;
    }
    v[n++] = i * 7;
  }
  assert_int_equal(cap, 1024);
  for (uint32_t i = 0; i < 1000; i++) assert_int_equal(v[i], i * 7);
  indaga__alloc_fail_at(1, 0);
  assert_null(indaga__grow(v, &cap, sizeof *v, 16));
  indaga__alloc_fail_at(0, 0);
  assert_int_equal(cap, 1024);
  assert_int_equal(v[999], 999 * 7);
  size_t huge = SIZE_MAX / 4;   /* doubling would overflow the byte count */
  assert_null(indaga__grow(v, &huge, sizeof *v, 16));
  assert_true(huge == SIZE_MAX / 4);
  indaga__free(v);
}

/* The read-ahead hint takes any range: unaligned, past the end, overflowing
   or empty ones are clipped or ignored, and the mapping reads the same. */
static void test_common__os_map_will_need(void **state) {
  (void)state;
  char dir[] = "/tmp/indaga-test-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char *path = indaga__sprintf("%s/f", dir);
  size_t n = 3 * (size_t)sysconf(_SC_PAGESIZE) + 5;
  unsigned char *want = indaga__malloc(n);
  assert_non_null(want);
  for (size_t i = 0; i < n; i++) want[i] = (unsigned char)(i * 31 + 7);
  os_wfile f;
  char *err = NULL;
  assert_int_equal(os_wfile_open(&f, path, &err), INDAGA_OK);
  assert_int_equal(os_wfile_write(&f, want, n, &err), INDAGA_OK);
  assert_int_equal(os_wfile_commit(&f, &err), INDAGA_OK);
  os_map m;
  assert_int_equal(os_map_file(path, &m, &err), INDAGA_OK);
  assert_int_equal(m.n, n);
  static const uint64_t ranges[][2] = {
    { 0, 1 }, { 4097, 10 }, { 100, 0 }, { 0, UINT64_MAX }, { 5000, UINT64_MAX - 10 },
    { UINT64_MAX - 1, 2 }, { UINT64_MAX, UINT64_MAX },
  };
  for (size_t k = 0; k < sizeof ranges / sizeof ranges[0]; k++) os_map_will_need(&m, ranges[k][0], ranges[k][1]);
  os_map_will_need(&m, n - 1, 1);
  os_map_will_need(&m, n, 1);
  assert_memory_equal(m.p, want, n);
  os_unmap(&m);
  os_map_will_need(&m, 0, 1);   /* unmapped: nothing */
  unlink(path);
  rmdir(dir);
  indaga__free(want);
  indaga__free(path);
}

static void test_common__os_wfile_and_fault(void **state) {
  (void)state;
  char dir[] = "/tmp/indaga-test-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char *path = indaga__sprintf("%s/f", dir);
  os_wfile f;
  char *err = NULL;
  assert_int_equal(os_wfile_open(&f, path, &err), INDAGA_OK);
  assert_int_equal(os_wfile_write(&f, "abc", 3, &err), INDAGA_OK);
  assert_int_equal(os_wfile_commit(&f, &err), INDAGA_OK);
  char *data; size_t n;
  assert_int_equal(os_read_file(path, &data, &n, &err), INDAGA_OK);
  assert_int_equal(n, 3);
  assert_memory_equal(data, "abc", 3);
  indaga__free(data);

  /* An injected ENOSPC on write is reported with the path, and the old file stays. */
  assert_int_equal(os_wfile_open(&f, path, &err), INDAGA_OK);
  os__fail_at(OS_FAIL_WRITE, 1, ENOSPC, 0);
  assert_int_equal(os_wfile_write(&f, "zzzz", 4, &err), INDAGA_ENOSPC);
  os__fail_at(0, 0, 0, 0);
  assert_non_null(strstr(err, dir));
  indaga__free(err);
  err = NULL;
  os_wfile_abort(&f);
  assert_int_equal(os_read_file(path, &data, &n, &err), INDAGA_OK);
  assert_memory_equal(data, "abc", 3);
  indaga__free(data);

  /* os_wfile_sync, then commit: one fsync in all; os_wfile_rename: none. */
  os__fail_at(OS_FAIL_FSYNC, UINT64_MAX, EIO, 0);   /* count only */
  assert_int_equal(os_wfile_open(&f, path, &err), INDAGA_OK);
  assert_int_equal(os_wfile_write(&f, "de", 2, &err), INDAGA_OK);
  assert_int_equal(os_wfile_sync(&f, &err), INDAGA_OK);
  assert_int_equal(os_wfile_commit(&f, &err), INDAGA_OK);
  assert_int_equal(os__fail_at(OS_FAIL_FSYNC, UINT64_MAX, EIO, 0), 1);
  assert_int_equal(os_read_file(path, &data, &n, &err), INDAGA_OK);
  assert_int_equal(n, 2);
  assert_memory_equal(data, "de", 2);
  indaga__free(data);
  assert_int_equal(os_wfile_open(&f, path, &err), INDAGA_OK);
  assert_int_equal(os_wfile_write(&f, "fgh", 3, &err), INDAGA_OK);
  assert_int_equal(os_wfile_rename(&f, &err), INDAGA_OK);
  assert_int_equal(os__fail_at(0, 0, 0, 0), 0);
  assert_int_equal(os_read_file(path, &data, &n, &err), INDAGA_OK);
  assert_int_equal(n, 3);
  assert_memory_equal(data, "fgh", 3);
  indaga__free(data);
  char *tmp = indaga__sprintf("%s.tmp", path);
  assert_int_equal(access(tmp, F_OK), -1);   /* renamed, not copied */
  indaga__free(tmp);

  /* A second lock holder is refused at once. */
  int fd1, fd2;
  assert_int_equal(os_lock(dir, 0, &fd1, &err), INDAGA_OK);
  assert_int_equal(os_lock(dir, 0, &fd2, &err), INDAGA_EBUSY);
  indaga__free(err);
  os_unlock(fd1);

  char *lock = indaga__sprintf("%s/LOCK", dir);
  unlink(lock);
  unlink(path);
  rmdir(dir);
  indaga__free(lock);
  indaga__free(path);
}

/*
** One U+FFFD per maximal subpart (Unicode 3.9): each case's bytes decoded
** one sequence after another, invalid ones replaced, give the expected text
** (accent: the case holds an accented letter, which folding changes).
*/
#define R "\xef\xbf\xbd"
static const struct { const char *in, *out; size_t bad; int accent; } utf8_cases[] = {
  {"a\xc3\xb1o \xe2\x82\xac \xf0\x9f\x98\x80", "a\xc3\xb1o \xe2\x82\xac \xf0\x9f\x98\x80", 0, 0},   /* 1..4 bytes */
  {"\xef\xbf\xbf\xf4\x8f\xbf\xbf", "\xef\xbf\xbf\xf4\x8f\xbf\xbf", 0, 0},   /* U+FFFF, U+10FFFF */
  {"a\x80\x80" "b", "a" R R "b", 2, 0},                     /* stray continuation bytes */
  {"\xe2\x82" "b", R "b", 1, 0},                             /* truncated: one */
  {"\xf0\x9f\x98", R, 1, 0},                                 /* truncated at the end */
  {"\xc3\xc3\xa1", R "\xc3\xa1", 1, 1},                      /* lead without continuation */
  {"\xc0\xaf\xc1\xbf", R R R R, 4, 0},                       /* overlong two-byte leads */
  {"\xe0\x80\xaf", R R R, 3, 0},                             /* overlong three-byte */
  {"\xed\xa0\x80", R R R, 3, 0},                             /* a surrogate */
  {"\xf4\x90\x80\x80", R R R R, 4, 0},                       /* above U+10FFFF */
  {"\xf5\xff\xfe", R R R, 3, 0},                             /* never in UTF-8 */
  {"\xe1\x80\xe1\x80\x80", R "\xe1\x80\x80", 1, 0},          /* truncated, then whole */
};

static void test_common__utf8_rule(void **state) {
  (void)state;
  for (size_t k = 0; k < ARRAY_SIZE(utf8_cases); k++) {
    const unsigned char *p = (const unsigned char *)utf8_cases[k].in;
    size_t n = strlen(utf8_cases[k].in), bad = 0;
    ia_buf out = { 0 };
    for (size_t i = 0, len; i < n; i += len) {
      int32_t cp = utf8_decode(p + i, n - i, &len);
      assert_true(len >= 1 && len <= 4 && len <= n - i);
      if (cp < 0) bad++;
      utf8_put(&out, cp < 0 ? 0xFFFD : cp);
    }
    assert_int_equal(out.err, INDAGA_OK);
    assert_int_equal(bad, utf8_cases[k].bad);
    assert_int_equal(out.n, strlen(utf8_cases[k].out));
    assert_memory_equal(out.p, utf8_cases[k].out, out.n);
    buf_free(&out);
  }
}

/* The document model's repair and the analyzer's folding read invalid bytes by that one rule. */
static void test_common__utf8_rule_everywhere(void **state) {
  (void)state;
  for (size_t k = 0; k < ARRAY_SIZE(utf8_cases); k++) {
    const char *in = utf8_cases[k].in;
    size_t n = strlen(in);
    if (utf8_cases[k].accent) continue;   /* folding takes the accent off a valid letter */
    ia_buf dm = { 0 }, fold = { 0 };
    assert_int_equal(dm_utf8_repair(&dm, in, n), utf8_cases[k].bad);
    assert_int_equal(fold_accents(in, n, &fold), INDAGA_OK);
    assert_int_equal(dm.n, strlen(utf8_cases[k].out));
    assert_memory_equal(dm.p, utf8_cases[k].out, dm.n);
    assert_int_equal(fold.n, dm.n);
    assert_memory_equal(fold.p, dm.p, dm.n);
    buf_free(&dm);
    buf_free(&fold);
  }
}
#undef R

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_common__varint_round_trip),
    cmocka_unit_test(test_common__little_endian),
    cmocka_unit_test(test_common__buf_sticky_oom),
    cmocka_unit_test(test_common__grow),
    cmocka_unit_test(test_common__os_wfile_and_fault),
    cmocka_unit_test(test_common__os_map_will_need),
    cmocka_unit_test(test_common__utf8_rule),
    cmocka_unit_test(test_common__utf8_rule_everywhere),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
