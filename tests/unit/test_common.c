/*
** test_common.c: buffers, varints, little-endian helpers, the allocation
** fault hook and the os.c file helpers.
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

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_common__varint_round_trip),
    cmocka_unit_test(test_common__little_endian),
    cmocka_unit_test(test_common__buf_sticky_oom),
    cmocka_unit_test(test_common__grow),
    cmocka_unit_test(test_common__os_wfile_and_fault),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
