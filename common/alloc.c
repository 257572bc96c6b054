/*
** alloc.c: the single allocation entry point of the library.
**
** All allocation goes through indaga__malloc/realloc/free, which call the
** allocator installed by indaga_config_allocator() (malloc by default). The
** same place hosts the fault-injection hook the OOM loop tests use: a
** countdown that makes the Nth allocation fail. The counters are atomics so
** that a multi-threaded test under TSan stays clean.
**
** indaga__alloc_bound_heap() fixes glibc's mmap threshold for the writer:
** glibc raises it, up to 32 MiB, each time a block it had mapped is freed,
** so once the first segment builder is freed every buffer of the next ones
** (grown by doubling, freed a segment later, on another thread than the
** one that allocated it) lands in the heaps and arenas, whose freed holes
** stay resident: the legislation indexed twice over peaked at 300 MiB
** against 226 MB of heap in use; with the threshold fixed at 1 MiB, at
** 208 MiB (256 KiB: 200 MiB, but 2.7 times the page faults and a quarter
** more system time, each document's larger buffers mapped and unmapped;
** tests/cli/test_memory.sh, bench/README.md).
*/
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include "common/common.h"
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define MMAP_THRESHOLD ((int)1 << 20)   /* blocks from 1 MiB are mapped, and unmapped when freed */

static void *def_malloc(size_t n, void *ctx) { (void)ctx; return malloc(n); }
static void *def_realloc(void *p, size_t n, void *ctx) { (void)ctx; return realloc(p, n); }
static void def_free(void *p, void *ctx) { (void)ctx; free(p); }

static indaga_allocator g_alloc = { def_malloc, def_realloc, def_free, NULL };

static _Atomic uint64_t g_count;      /* allocations since the last arming */
static _Atomic uint64_t g_fail_at;    /* fail when g_count reaches this; 0 = never */
static _Atomic int g_sticky;

int indaga_config_allocator(const indaga_allocator *a) {
  if (a == NULL) {
    indaga_allocator d = { def_malloc, def_realloc, def_free, NULL };
    g_alloc = d;
  } else {
    if (!a->malloc_fn || !a->realloc_fn || !a->free_fn) return INDAGA_EMISUSE;
    g_alloc = *a;
  }
  return INDAGA_OK;
}

#ifdef __GLIBC__
static void fix_threshold(void) { mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD); }
#endif

void indaga__alloc_bound_heap(void) {
#ifdef __GLIBC__
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  if (g_alloc.malloc_fn == def_malloc) pthread_once(&once, fix_threshold);
#endif
}

uint64_t indaga__alloc_fail_at(uint64_t n, int sticky) {
  uint64_t c = atomic_exchange(&g_count, 0);
  atomic_store(&g_sticky, sticky);
  atomic_store(&g_fail_at, n);
  return c;
}

/* Return 1 when this allocation must fail. */
static int should_fail(void) {
  uint64_t at = atomic_load(&g_fail_at);
  uint64_t c = atomic_fetch_add(&g_count, 1) + 1;
  if (at == 0) return 0;
  if (c == at) return 1;
  return c > at && atomic_load(&g_sticky);
}

void *indaga__malloc(size_t n) {
  if (should_fail()) return NULL;
  return g_alloc.malloc_fn(n ? n : 1, g_alloc.ctx);
}

void *indaga__calloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) return NULL;
  void *p = indaga__malloc(count * size);
  if (p) memset(p, 0, count * size);
  return p;
}

void *indaga__realloc(void *p, size_t n) {
  if (should_fail()) return NULL;
  return g_alloc.realloc_fn(p, n ? n : 1, g_alloc.ctx);
}

void indaga__free(void *p) {
  if (p) g_alloc.free_fn(p, g_alloc.ctx);
}

void indaga_free(void *p) { indaga__free(p); }

void *indaga__grow(void *p, size_t *cap, size_t elem, size_t first) {
  if (*cap > SIZE_MAX / 2) return NULL;
  size_t c = *cap ? *cap * 2 : first;
  if (c == 0 || elem == 0 || c > SIZE_MAX / elem) return NULL;
  void *v = indaga__realloc(p, c * elem);
  if (v) *cap = c;
  return v;
}

char *indaga__strndup(const char *p, size_t n) {
  char *z = indaga__malloc(n + 1);
  if (z) { if (n) memcpy(z, p, n); z[n] = 0; }
  return z;
}

char *indaga__strdup(const char *z) {
  return z ? indaga__strndup(z, strlen(z)) : NULL;
}

char *indaga__vsprintf(const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return NULL;
  char *z = indaga__malloc((size_t)n + 1);
  if (z) vsnprintf(z, (size_t)n + 1, fmt, ap);
  return z;
}

char *indaga__sprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *z = indaga__vsprintf(fmt, ap);
  va_end(ap);
  return z;
}
