/*
** alloc.c: the single allocation entry point of the library.
**
** All allocation goes through indaga__malloc/realloc/free, which call the
** allocator installed by indaga_config_allocator() (malloc by default). The
** same place hosts the fault-injection hook the OOM loop tests use: a
** countdown that makes the Nth allocation fail. The counters are atomics so
** that a multi-threaded test under TSan stays clean.
**
** With the default allocator, a block of ALLOC_MAP_MIN (512 KiB) or more
** is not malloc's: it gets pages of its own (os_pages_map), which leave the
** process when it is freed and which the kernel moves rather than copies
** when it grows (mremap). glibc's malloc maps large blocks too, but raises
** its mmap threshold, up to 32 MiB, each time it frees one, so once the
** first segment builder was freed every buffer of the next ones (grown by
** doubling, freed a segment later, on another thread than the one that
** allocated it) landed in the heaps and arenas, whose freed holes stay
** resident: indexing the legislation peaked at 236 MiB of RSS, and at
** 416 MiB at 16 times its size, for a 256 MiB budget. Fixing the threshold
** at 1 MiB with mallopt held the budget but changed malloc for the whole
** process hosting the library; mapping our own blocks changes nothing
** outside it. Why 512 KiB and not 1 MiB: glibc still maps, then frees, the
** blocks below our threshold, so its own threshold rises to their size and
** the free memory it leaves at the top of each arena (twice that) with it;
** at 1 MiB, 12,816 UN files under a 32 MiB budget peaked up to 6 MiB higher
** than with the mallopt, at 512 KiB no higher. Lower still costs page
** faults: per-document buffers mapped afresh each time (256 KiB: 45% more
** faults than the mallopt on the legislation, 512 KiB: 18 to 25%;
** bench/README.md, "Indexing memory at scale").
**
** A mapped block starts on a page, and a table of the mapped blocks
** (address -> mapped length; open addressing, on pages of its own, under
** a mutex) tells them apart: indaga__free and indaga__realloc look a
** pointer up only when it starts a page and some block is mapped, so small
** blocks carry no header and malloc's pointers pass untouched (the one in
** 256 of them that starts a page pays a lookup).
**
** Under AddressSanitizer (or another sanitizer that replaces malloc to
** watch its blocks) every block is malloc's: ASan then reports a write one
** byte past a large block and LeakSanitizer a large block never freed,
** neither of which it could see on pages mapped here.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include "common/common.h"
#include "common/os.h"

#if ALLOC_MAPS
#include <malloc.h>   /* malloc_usable_size: glibc, musl */
#endif

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

#if ALLOC_MAPS
/* ------------------------------------------------------------------------
** The table of mapped blocks. A slot with p == NULL is free; at most three
** quarters of the slots are used, so a probe always ends on a free one.
*/
typedef struct big_ent {
  void *p;     /* the block, page aligned */
  size_t n;    /* its mapped length: the size asked, rounded up to pages */
} big_ent;

static pthread_mutex_t g_big_mu = PTHREAD_MUTEX_INITIALIZER;
static big_ent *g_big;            /* g_big_cap slots (a power of two), or NULL */
static size_t g_big_cap;
static _Atomic size_t g_big_used; /* written under g_big_mu; read without it as a hint */

static size_t big_home(const void *p, size_t cap) {
  uint64_t h = (uint64_t)((uintptr_t)p >> 12) * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 24) & (cap - 1);
}

/* The slot holding @p, or SIZE_MAX. Under g_big_mu. */
static size_t big_find(const void *p) {
  if (!g_big) return SIZE_MAX;
  for (size_t i = big_home(p, g_big_cap);; i = (i + 1) & (g_big_cap - 1)) {
    if (g_big[i].p == p) return i;
    if (!g_big[i].p) return SIZE_MAX;
  }
}

/* Store @p (absent, a free slot certain to exist). Under g_big_mu. */
static void big_put(void *p, size_t n) {
  size_t i = big_home(p, g_big_cap);
  while (g_big[i].p) i = (i + 1) & (g_big_cap - 1);
  g_big[i].p = p;
  g_big[i].n = n;
  atomic_store_explicit(&g_big_used, atomic_load_explicit(&g_big_used, memory_order_relaxed) + 1,
                        memory_order_relaxed);
}

/* Empty slot @i, shifting back the entries its probe sequence passed. Under g_big_mu. */
static void big_remove(size_t i) {
  size_t mask = g_big_cap - 1;
  for (size_t j = (i + 1) & mask; g_big[j].p; j = (j + 1) & mask) {
    size_t k = big_home(g_big[j].p, g_big_cap);
    /* entry j may move to i when its home is not cyclically within (i, j] */
    if (j > i ? (k <= i || k > j) : (k <= i && k > j)) {
      g_big[i] = g_big[j];
      i = j;
    }
  }
  g_big[i].p = NULL;
  g_big[i].n = 0;
  atomic_store_explicit(&g_big_used, atomic_load_explicit(&g_big_used, memory_order_relaxed) - 1,
                        memory_order_relaxed);
}

/* Store @p, doubling the table when it would pass three quarters full: 0, or -1 (no memory). */
static int big_insert(void *p, size_t n) {
  size_t used = atomic_load_explicit(&g_big_used, memory_order_relaxed);
  if (!g_big || used + 1 > g_big_cap / 4 * 3) {
    size_t cap = g_big ? g_big_cap * 2 : os_page_size() / sizeof(big_ent);
    if (cap > SIZE_MAX / sizeof(big_ent)) return -1;
    big_ent *t = os_pages_map(cap * sizeof(big_ent));
    if (!t) return -1;
    big_ent *old = g_big;
    size_t ocap = g_big_cap;
    g_big = t;
    g_big_cap = cap;
    atomic_store_explicit(&g_big_used, 0, memory_order_relaxed);
    for (size_t i = 0; i < ocap; i++)
      if (old[i].p) big_put(old[i].p, old[i].n);
    if (old) os_pages_unmap(old, ocap * sizeof(big_ent));
  }
  big_put(p, n);
  return 0;
}

/* @n rounded up to pages, or 0 when that overflows. */
static size_t page_round(size_t n) {
  size_t page = os_page_size();
  return n > SIZE_MAX - (page - 1) ? 0 : (n + page - 1) & ~(page - 1);
}

/* 0 when @p cannot be a block mapped here: it starts no page, or none is mapped. */
static int maybe_big(const void *p) {
  return p && !((uintptr_t)p & 4095) && atomic_load_explicit(&g_big_used, memory_order_relaxed);
}

/* The mapped length of @p when it is a block mapped here, else 0. */
static size_t big_len(const void *p) {
  if (!maybe_big(p)) return 0;
  pthread_mutex_lock(&g_big_mu);
  size_t i = big_find(p), n = i == SIZE_MAX ? 0 : g_big[i].n;
  pthread_mutex_unlock(&g_big_mu);
  return n;
}

/* Map a block of @n bytes (zeroed), or NULL. */
static void *big_new(size_t n) {
  size_t len = page_round(n);
  void *p = len ? os_pages_map(len) : NULL;
  if (!p) return NULL;
  pthread_mutex_lock(&g_big_mu);
  int rc = big_insert(p, len);
  pthread_mutex_unlock(&g_big_mu);
  if (rc == 0) return p;
  os_pages_unmap(p, len);
  return NULL;
}

/* Unmap @p if it is a block mapped here: 1, else 0. */
static int big_free(void *p) {
  if (!maybe_big(p)) return 0;
  pthread_mutex_lock(&g_big_mu);
  size_t i = big_find(p);
  if (i == SIZE_MAX) {
    pthread_mutex_unlock(&g_big_mu);
    return 0;
  }
  size_t len = g_big[i].n;
  big_remove(i);
  pthread_mutex_unlock(&g_big_mu);
  os_pages_unmap(p, len);   /* after the removal: the address may then be mapped again */
  return 1;
}

/* Resize mapped block @p (@len mapped) to @n >= ALLOC_MAP_MIN bytes, or NULL (@p kept). */
static void *big_resize(void *p, size_t len, size_t n) {
  size_t nlen = page_round(n);
  if (nlen == 0) return NULL;
  if (nlen == len) return p;
  pthread_mutex_lock(&g_big_mu);   /* held across mremap: @p's slot must not be reused meanwhile */
  size_t i = big_find(p);
  void *q = os_pages_resize(p, len, nlen);
  if (q) {
    big_remove(i);
    big_put(q, nlen);   /* as many entries as before: a free slot remains */
  }
  pthread_mutex_unlock(&g_big_mu);
  return q;
}

/* Bytes usable in @p, a block of the default allocator. */
static size_t small_size(void *p) { return malloc_usable_size(p); }

static int use_pages(size_t n) { return n >= ALLOC_MAP_MIN && g_alloc.malloc_fn == def_malloc; }

size_t indaga__alloc_mapped(const void *p) { return big_len(p); }

size_t indaga__alloc_mapped_blocks(void) {
  return atomic_load_explicit(&g_big_used, memory_order_relaxed);
}
#else   /* a sanitizer build, or no mremap: every block is the allocator's */
static size_t big_len(const void *p) { (void)p; return 0; }
static void *big_new(size_t n) { (void)n; return NULL; }
static int big_free(void *p) { (void)p; return 0; }
static void *big_resize(void *p, size_t len, size_t n) { (void)p; (void)len; (void)n; return NULL; }
static size_t small_size(void *p) { (void)p; return 0; }
static int use_pages(size_t n) { (void)n; return 0; }
size_t indaga__alloc_mapped(const void *p) { (void)p; return 0; }
size_t indaga__alloc_mapped_blocks(void) { return 0; }
#endif

void *indaga__malloc(size_t n) {
  if (should_fail()) return NULL;
  if (use_pages(n)) return big_new(n);
  return g_alloc.malloc_fn(n ? n : 1, g_alloc.ctx);
}

void *indaga__calloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) return NULL;
  size_t n = count * size;
  if (should_fail()) return NULL;
  if (use_pages(n)) return big_new(n);   /* fresh pages are zero: left untouched, not resident */
  void *p = g_alloc.malloc_fn(n ? n : 1, g_alloc.ctx);
  if (p) memset(p, 0, n);
  return p;
}

void *indaga__realloc(void *p, size_t n) {
  if (should_fail()) return NULL;
  size_t len = big_len(p);
  if (len && use_pages(n)) return big_resize(p, len, n);
  if (len) {   /* a mapped block shrunk below the threshold goes back to the allocator */
    void *q = g_alloc.malloc_fn(n ? n : 1, g_alloc.ctx);
    if (!q) return NULL;
    memcpy(q, p, n < len ? n : len);
    big_free(p);
    return q;
  }
  if (use_pages(n)) {   /* a malloc'd block (or none) growing past the threshold */
    void *q = big_new(n);
    if (!q || !p) return q;
    size_t old = small_size(p);
    memcpy(q, p, old < n ? old : n);
    g_alloc.free_fn(p, g_alloc.ctx);
    return q;
  }
  return g_alloc.realloc_fn(p, n ? n : 1, g_alloc.ctx);
}

void indaga__free(void *p) {
  if (p && !big_free(p)) g_alloc.free_fn(p, g_alloc.ctx);
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
