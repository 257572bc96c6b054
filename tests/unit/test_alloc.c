/*
** test_alloc.c: the allocation wrappers (common/alloc.c). Blocks of
** ALLOC_MAP_MIN bytes and more are mapped by the library itself, never
** malloc's, and keep their bytes through realloc across that threshold
** both ways; the fault hook counts and fails them like any other; an
** allocator set by indaga_config_allocator() receives every allocation,
** large ones included; the table of mapped blocks holds under threads and
** growth. And a writer at work leaves the process's malloc settings alone:
** glibc's sliding mmap threshold still slides after it (a mallopt of
** M_MMAP_THRESHOLD, which the writer used to make, stops it).
**
** In a sanitizer build (ALLOC_MAPS 0) every block is malloc's: the same
** tests then check that no block is mapped, and the glibc check is skipped
** (ASan's malloc is not glibc's).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "testutil.h"
#include "common/common.h"
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define MIB ((size_t)1 << 20)
#define T ALLOC_MAP_MIN   /* the threshold */
#define CORPUS INDAGA_SOURCE_DIR "/corpus"

/* Fill p[0..n) with a pattern that depends on @seed and on each byte's offset. */
static void fill(unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++) p[i] = (unsigned char)((i * 131u + (i >> 12) + seed) & 0xff);
}

/* 1 when p[0..n) still holds fill(p, n, seed). */
static int holds(const unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != (unsigned char)((i * 131u + (i >> 12) + seed) & 0xff)) return 0;
  return 1;
}

static int aligned(const void *p) { return (uintptr_t)p % _Alignof(max_align_t) == 0; }

/* @p is mapped by the library (in a build that maps), with at least @n bytes. */
static void assert_mapped(const void *p, size_t n) {
  size_t len = indaga__alloc_mapped(p);
  if (!ALLOC_MAPS) {
    assert_int_equal(len, 0);
    return;
  }
  assert_true(len >= n);
  assert_true(len - n < 65536);   /* rounded up to pages, no more */
  assert_int_equal((uintptr_t)p % 4096, 0);
}

/* ------------------------------------------------------------------------
** A writer at work leaves glibc's malloc settings alone.
*/
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33) && ALLOC_MAPS
/* 1 when a fresh malloc(n) is one of glibc's mapped chunks rather than heap. */
static int glibc_maps(size_t n, void **out) {
  size_t before = mallinfo2().hblks;
  *out = malloc(n);
  assert_non_null(*out);
  memset(*out, 1, 4096);
  return mallinfo2().hblks == before + 1;
}

static void test_alloc__writer_leaves_malloc_alone(void **state) {
  (void)state;
  char *dir = tu_tmpdir("alloc");
  size_t base = indaga__alloc_mapped_blocks();
  indaga_writer *w = NULL;
  indaga_writer_options wo = INDAGA_WRITER_OPTIONS_INIT;
  char *msg = NULL;
  assert_int_equal(indaga_writer_open(&w, dir, &wo, &msg), INDAGA_OK);
  indaga_sync_report rep;
  memset(&rep, 0, sizeof rep);
  assert_int_equal(indaga_writer_sync(w, CORPUS, &rep), INDAGA_OK);
  assert_true(rep.added > 0);
  /* the writer's large buffers are the library's own pages */
  assert_true(indaga__alloc_mapped_blocks() > base);
  uint64_t gen = 0;
  assert_int_equal(indaga_writer_commit(w, &gen), INDAGA_OK);
  indaga_writer_close(w);
  assert_int_equal(indaga__alloc_mapped_blocks(), base);   /* none left behind */

  /*
  ** glibc maps a block of 30 MiB (its threshold is at most 32 MiB) and, on
  ** freeing it, raises its threshold to that size, so that a 16 MiB block
  ** then comes from the heap. A threshold fixed by mallopt (1 MiB, as the
  ** writer used to set) turns that off: the 16 MiB block would be mapped.
  */
  void *p;
  assert_true(glibc_maps(30 * MIB, &p));
  free(p);
  int mapped = glibc_maps(16 * MIB, &p);
  free(p);
  if (mapped) fail_msg("after a writer, glibc's mmap threshold no longer slides: mallopt was called");
  tu_rm_rf(dir);
  free(dir);
}
#else
static void test_alloc__writer_leaves_malloc_alone(void **state) {
  (void)state;
  printf("SKIP: glibc 2.33 or later (mallinfo2) without a sanitizer is needed to watch malloc\n");
  skip();
}
#endif

/* ------------------------------------------------------------------------
** Blocks on both sides of the threshold.
*/
static void test_alloc__large_blocks_are_mapped(void **state) {
  (void)state;
  size_t base = indaga__alloc_mapped_blocks();
  static const size_t sizes[] = { 1, 16, 4000, T / 4, T - 1, T, T + 1, 3 * T + 17, 40 * MIB };
  void *p[ARRAY_SIZE(sizes)];
  for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33) && ALLOC_MAPS
    struct mallinfo2 before = mallinfo2();
#endif
    p[i] = indaga__malloc(sizes[i]);
    assert_non_null(p[i]);
    assert_true(aligned(p[i]));
    if (sizes[i] >= ALLOC_MAP_MIN) {
      assert_mapped(p[i], sizes[i]);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33) && ALLOC_MAPS
      struct mallinfo2 after = mallinfo2();   /* not glibc's: neither mapped by it nor heap */
      assert_int_equal(after.hblks, before.hblks);
      assert_int_equal(after.hblkhd, before.hblkhd);
      assert_true(after.uordblks - before.uordblks < 4096);
#endif
    } else {
      assert_int_equal(indaga__alloc_mapped(p[i]), 0);
    }
    fill(p[i], sizes[i], (unsigned)i);
  }
  assert_int_equal(indaga__alloc_mapped_blocks(), base + (ALLOC_MAPS ? 4 : 0));
  for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) assert_true(holds(p[i], sizes[i], (unsigned)i));
  for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) indaga__free(p[i]);
  assert_int_equal(indaga__alloc_mapped_blocks(), base);

  /* calloc: zeroed on both sides; the mapped one is fresh pages */
  unsigned char *z = indaga__calloc(3, MIB);
  unsigned char *s = indaga__calloc(1000, 3);
  assert_non_null(z);
  assert_non_null(s);
  assert_mapped(z, 3 * MIB);
  for (size_t i = 0; i < 3 * MIB; i++) assert_int_equal(z[i], 0);
  for (size_t i = 0; i < 3000; i++) assert_int_equal(s[i], 0);
  indaga__free(z);
  indaga__free(s);

  /* sizes that overflow once rounded up to pages, or that no system can map
     (ASan aborts on such a request to its malloc rather than return NULL) */
  assert_null(indaga__calloc(SIZE_MAX / 2, 3));
  if (ALLOC_MAPS) {
    assert_null(indaga__malloc(SIZE_MAX));
    assert_null(indaga__malloc(SIZE_MAX - 8192));
    assert_null(indaga__calloc((size_t)1 << 62, 1));
  }
  assert_int_equal(indaga__alloc_mapped_blocks(), base);
  indaga__free(NULL);
}

static void test_alloc__realloc_across_threshold(void **state) {
  (void)state;
  size_t base = indaga__alloc_mapped_blocks();
  /* small -> large -> larger -> smaller large -> small -> large, bytes kept each time */
  static const size_t steps[] = { T / 5, 3 * MIB, 64 * MIB + 5, 2 * MIB - 3, T, T - 1, T / 2, 2 * MIB, 5 };
  unsigned char *p = indaga__malloc(steps[0]);
  assert_non_null(p);
  fill(p, steps[0], 7);
  for (size_t k = 1; k < ARRAY_SIZE(steps); k++) {
    size_t kept = steps[k - 1] < steps[k] ? steps[k - 1] : steps[k];
    unsigned char *q = indaga__realloc(p, steps[k]);
    assert_non_null(q);
    assert_true(aligned(q));
    if (!holds(q, kept, 7)) fail_msg("realloc %zu -> %zu lost bytes", steps[k - 1], steps[k]);
    if (steps[k] >= ALLOC_MAP_MIN) assert_mapped(q, steps[k]);
    else assert_int_equal(indaga__alloc_mapped(q), 0);
    assert_int_equal(indaga__alloc_mapped_blocks(), base + (ALLOC_MAPS && steps[k] >= ALLOC_MAP_MIN));
    fill(q, steps[k], 7);
    p = q;
  }
  indaga__free(p);

  /* realloc(NULL, n) on both sides */
  p = indaga__realloc(NULL, 2 * MIB);
  assert_non_null(p);
  assert_mapped(p, 2 * MIB);
  indaga__free(p);
  p = indaga__realloc(NULL, 10);
  assert_non_null(p);
  assert_int_equal(indaga__alloc_mapped(p), 0);
  indaga__free(p);

  /* an array doubled from 16 elements to 64 MiB: moved by the kernel, never lost */
  uint32_t *v = NULL;
  size_t n = 0, cap = 0;
  for (uint32_t i = 0; i < 16u << 20; i++) {
    if (n == cap) {
      uint32_t *nv = indaga__grow(v, &cap, sizeof *nv, 16);
      assert_non_null(nv);
      v = nv;
    }
    v[n++] = i * 2654435761u;
  }
  assert_mapped(v, cap * sizeof *v);
  for (uint32_t i = 0; i < n; i++)
    if (v[i] != i * 2654435761u) fail_msg("grown array: element %u lost", i);
  indaga__free(v);

  /* a realloc that cannot be made leaves the block whole (not asked of ASan's malloc, which aborts) */
  if (ALLOC_MAPS) {
    p = indaga__malloc(4 * MIB);
    assert_non_null(p);
    fill(p, 4 * MIB, 3);
    assert_null(indaga__realloc(p, SIZE_MAX - 100));
    assert_true(holds(p, 4 * MIB, 3));
    assert_mapped(p, 4 * MIB);
    unsigned char *small = indaga__malloc(500);
    assert_non_null(small);
    fill(small, 500, 4);
    assert_null(indaga__realloc(small, SIZE_MAX - 100));
    assert_true(holds(small, 500, 4));
    indaga__free(small);
    indaga__free(p);
  }
  assert_int_equal(indaga__alloc_mapped_blocks(), base);
}

/* ------------------------------------------------------------------------
** The fault hook counts and fails large blocks as it does small ones.
*/
static void test_alloc__fail_injection_counts_large(void **state) {
  (void)state;
  size_t base = indaga__alloc_mapped_blocks();
  indaga__alloc_fail_at(0, 0);
  unsigned char *a = indaga__malloc(100);              /* 1 */
  unsigned char *b = indaga__malloc(2 * MIB);          /* 2 */
  unsigned char *c = indaga__calloc(1, 3 * MIB);       /* 3 */
  assert_non_null(a);
  assert_non_null(b);
  assert_non_null(c);
  fill(a, 100, 1);
  fill(b, 2 * MIB, 2);
  a = indaga__realloc(a, 2 * MIB);                     /* 4: small -> large */
  b = indaga__realloc(b, 5 * MIB);                     /* 5: large -> large */
  c = indaga__realloc(c, 1000);                        /* 6: large -> small */
  assert_non_null(a);
  assert_non_null(b);
  assert_non_null(c);
  assert_int_equal(indaga__alloc_fail_at(1, 0), 6);   /* and the next one fails */
  assert_null(indaga__malloc(8 * MIB));
  void *d = indaga__malloc(8 * MIB);                   /* only that one */
  assert_non_null(d);
  indaga__free(d);

  /* a failed realloc keeps the block, on either side */
  indaga__alloc_fail_at(1, 0);
  assert_null(indaga__realloc(b, 9 * MIB));
  assert_true(holds(b, 2 * MIB, 2));
  assert_mapped(b, 5 * MIB);
  indaga__alloc_fail_at(1, 0);
  assert_null(indaga__realloc(a, 3 * MIB));
  assert_true(holds(a, 100, 1));
  indaga__alloc_fail_at(1, 0);
  assert_null(indaga__realloc(c, 4 * MIB));
  assert_int_equal(indaga__alloc_mapped(c), 0);
  indaga__alloc_fail_at(1, 0);
  assert_null(indaga__calloc(2, 2 * MIB));

  /* sticky: every one from the second on */
  indaga__alloc_fail_at(2, 1);
  d = indaga__malloc(2 * MIB);
  assert_non_null(d);
  assert_null(indaga__malloc(2 * MIB));
  assert_null(indaga__malloc(10));
  assert_null(indaga__realloc(d, 20 * MIB));
  assert_int_equal(indaga__alloc_fail_at(0, 0), 4);
  indaga__free(d);
  indaga__free(a);
  indaga__free(b);
  indaga__free(c);
  assert_int_equal(indaga__alloc_mapped_blocks(), base);
}

/* ------------------------------------------------------------------------
** A custom allocator receives every allocation, the large ones too.
*/
typedef struct counting {
  size_t mallocs, reallocs, frees, largest;
} counting;

static void *c_malloc(size_t n, void *ctx) {
  counting *c = ctx;
  c->mallocs++;
  if (n > c->largest) c->largest = n;
  return malloc(n);
}

static void *c_realloc(void *p, size_t n, void *ctx) {
  counting *c = ctx;
  c->reallocs++;
  if (n > c->largest) c->largest = n;
  return realloc(p, n);
}

static void c_free(void *p, void *ctx) {
  counting *c = ctx;
  c->frees++;
  free(p);
}

static void test_alloc__custom_allocator_gets_large_blocks(void **state) {
  (void)state;
  size_t base = indaga__alloc_mapped_blocks();
  counting c = { 0, 0, 0, 0 };
  indaga_allocator a = { c_malloc, c_realloc, c_free, &c };
  assert_int_equal(indaga_config_allocator(&a), INDAGA_OK);
  unsigned char *p = indaga__malloc(2 * MIB);
  unsigned char *z = indaga__calloc(4, MIB);
  unsigned char *s = indaga__malloc(50);
  assert_non_null(p);
  assert_non_null(z);
  assert_non_null(s);
  assert_int_equal(c.mallocs, 3);
  assert_int_equal(c.largest, 4 * MIB);
  for (size_t i = 0; i < 4 * MIB; i++) assert_int_equal(z[i], 0);
  fill(p, 2 * MIB, 5);
  fill(s, 50, 6);
  p = indaga__realloc(p, 6 * MIB);
  s = indaga__realloc(s, 3 * MIB);
  z = indaga__realloc(z, 100);
  assert_non_null(p);
  assert_non_null(s);
  assert_non_null(z);
  assert_int_equal(c.reallocs, 3);
  assert_int_equal(c.largest, 6 * MIB);
  assert_true(holds(p, 2 * MIB, 5));
  assert_true(holds(s, 50, 6));
  assert_int_equal(indaga__alloc_mapped(p), 0);
  assert_int_equal(indaga__alloc_mapped(s), 0);
  assert_int_equal(indaga__alloc_mapped_blocks(), base);
  indaga__free(p);
  indaga__free(s);
  indaga__free(z);
  assert_int_equal(c.frees, 3);
  assert_int_equal(indaga_config_allocator(NULL), INDAGA_OK);
  p = indaga__malloc(2 * MIB);   /* the default again: mapped */
  assert_non_null(p);
  assert_mapped(p, 2 * MIB);
  indaga__free(p);
  assert_int_equal(c.mallocs, 3);
  assert_int_equal(c.frees, 3);
}

/* ------------------------------------------------------------------------
** The table of mapped blocks: hundreds live (it grows), freed in a
** scrambled order (its deletions shift entries back), from many threads.
*/
#define NLIVE 700

static void test_alloc__many_blocks_scrambled(void **state) {
  (void)state;
  size_t base = indaga__alloc_mapped_blocks();
  static unsigned char *p[NLIVE];
  for (unsigned i = 0; i < NLIVE; i++) {
    size_t n = T + (size_t)(i % 7) * 4096 + i;
    p[i] = indaga__malloc(n);
    assert_non_null(p[i]);
    p[i][0] = (unsigned char)i;
    p[i][n - 1] = (unsigned char)(i * 3);
  }
  assert_int_equal(indaga__alloc_mapped_blocks(), base + (ALLOC_MAPS ? NLIVE : 0));
  /* free in the order i * 263 mod NLIVE (263 is prime to 700), checking the rest each time */
  for (unsigned k = 0; k < NLIVE; k++) {
    unsigned i = (k * 263u) % NLIVE;
    size_t n = T + (size_t)(i % 7) * 4096 + i;
    assert_int_equal(p[i][0], (unsigned char)i);
    assert_int_equal(p[i][n - 1], (unsigned char)(i * 3));
    indaga__free(p[i]);
    p[i] = NULL;
    if (k % 50 == 0)
      for (unsigned j = 0; j < NLIVE; j++)
        if (p[j]) assert_mapped(p[j], T + (size_t)(j % 7) * 4096 + j);
  }
  assert_int_equal(indaga__alloc_mapped_blocks(), base);
}

typedef struct worker {
  unsigned seed;
  int bad;
} worker;

/* Random mallocs, reallocs and frees on both sides of the threshold; every block tagged. */
static void *work(void *arg) {
  worker *w = arg;
  enum { SLOTS = 24, ROUNDS = 1500 };
  unsigned char *p[SLOTS] = { 0 };
  size_t n[SLOTS] = { 0 };
  unsigned tag[SLOTS] = { 0 };
  for (unsigned r = 0; r < ROUNDS; r++) {
    unsigned i = (unsigned)rand_r(&w->seed) % SLOTS;
    unsigned pick = (unsigned)rand_r(&w->seed) % 4;
    size_t size = pick == 0 ? 1 + (size_t)rand_r(&w->seed) % 5000
                : pick == 1 ? T - 64 + (size_t)rand_r(&w->seed) % 128
                : T + (size_t)rand_r(&w->seed) % (2 * MIB);
    if (p[i] && (p[i][0] != (unsigned char)tag[i] || p[i][n[i] - 1] != (unsigned char)(tag[i] >> 8))) {
      w->bad = 1;
      break;
    }
    if (p[i] && rand_r(&w->seed) % 3 == 0) {
      indaga__free(p[i]);
      p[i] = NULL;
      continue;
    }
    unsigned char *q = p[i] ? indaga__realloc(p[i], size) : indaga__malloc(size);
    if (!q) { w->bad = 2; break; }
    if (p[i] && q[0] != (unsigned char)tag[i]) { w->bad = 3; break; }
    p[i] = q;
    n[i] = size;
    tag[i] = (unsigned)rand_r(&w->seed);
    q[0] = (unsigned char)tag[i];
    q[size - 1] = (unsigned char)(tag[i] >> 8);
  }
  for (unsigned i = 0; i < SLOTS; i++) indaga__free(p[i]);
  return NULL;
}

static void test_alloc__threads(void **state) {
  (void)state;
  size_t base = indaga__alloc_mapped_blocks();
  enum { NT = 4 };
  pthread_t t[NT];
  worker w[NT];
  for (unsigned i = 0; i < NT; i++) {
    w[i].seed = 17 + i;
    w[i].bad = 0;
    assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
  }
  for (unsigned i = 0; i < NT; i++) {
    assert_int_equal(pthread_join(t[i], NULL), 0);
    if (w[i].bad) fail_msg("thread %u: a block lost its bytes (%d)", i, w[i].bad);
  }
  assert_int_equal(indaga__alloc_mapped_blocks(), base);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    /* first, while glibc's threshold is the process's own */
    cmocka_unit_test(test_alloc__writer_leaves_malloc_alone),
    cmocka_unit_test(test_alloc__large_blocks_are_mapped),
    cmocka_unit_test(test_alloc__realloc_across_threshold),
    cmocka_unit_test(test_alloc__fail_injection_counts_large),
    cmocka_unit_test(test_alloc__custom_allocator_gets_large_blocks),
    cmocka_unit_test(test_alloc__many_blocks_scrambled),
    cmocka_unit_test(test_alloc__threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
