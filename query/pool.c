/*
** pool.c: reusable per-search state, kept on the index handle.
**
** A search needs an analyzer (an sb_stemmer, character tables and a word
** cache) and, for snippets, a stored-text reader (a zstd decompression
** context, about 100 KiB). Creating an analyzer costs tens of microseconds,
** and a new one starts with an empty cache, so every word of every snippet
** paragraph would go through the Snowball stemmer; a new zstd context per
** paragraph costs an allocation the kernel must map. Searches therefore
** borrow a qx_ctx (both) from the handle's pool and give it back.
**
** Threading: the handle is shared by searching threads (indaga.h). The pool
** is created by the first search and published with a compare-and-swap (a
** thread that loses the race frees its own); borrowing and returning take
** the pool's mutex for a few instructions. An analyzer itself is used by
** one search (one thread) at a time. At most QX_POOL_MAX contexts are
** kept; more concurrent searches create and free their own.
*/
#include <pthread.h>
#include "query/query.h"
#include "indexer/index.h"

#define QX_POOL_MAX 8        /* each analyzer's word cache may grow to 12 MiB */

typedef struct qx_pool {
  pthread_mutex_t mu;
  qx_ctx *free[QX_POOL_MAX];
  size_t n;
} qx_pool;

/* Free a context. Accepts NULL. */
static void ctx_free(qx_ctx *c) {
  if (!c) return;
  analyzer_free(c->an);
  seg_text_reader_free(c->tr);
  indaga__free(c);
}

/* A new context. INDAGA_OK or INDAGA_ENOMEM. */
static int ctx_new(qx_ctx **out) {
  qx_ctx *c = indaga__calloc(1, sizeof *c);
  *out = NULL;
  if (!c) return INDAGA_ENOMEM;
  int rc = analyzer_new(&c->an);
  if (!rc) rc = seg_text_reader_new(&c->tr);
  if (rc) { ctx_free(c); return rc; }
  *out = c;
  return INDAGA_OK;
}

/* Free a pool and its analyzers (the index's search_pool_free). Never fails. */
static void pool_free(void *p) {
  qx_pool *pool = p;
  if (!pool) return;
  for (size_t i = 0; i < pool->n; i++) ctx_free(pool->free[i]);
  pthread_mutex_destroy(&pool->mu);
  indaga__free(pool);
}

/* The pool of @idx, created on first use; NULL when out of memory. */
static qx_pool *pool_of(const indaga_index *cidx) {
  indaga_index *idx = (indaga_index *)(uintptr_t)cidx;   /* the pool is a cache, not the index's state */
  qx_pool *p = __atomic_load_n(&idx->search_pool, __ATOMIC_ACQUIRE);
  if (p) return p;
  qx_pool *np = indaga__calloc(1, sizeof *np);
  if (!np) return NULL;
  if (pthread_mutex_init(&np->mu, NULL)) { indaga__free(np); return NULL; }
  void *expected = NULL;
  if (__atomic_compare_exchange_n(&idx->search_pool, &expected, np, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    __atomic_store_n(&idx->search_pool_free, pool_free, __ATOMIC_RELEASE);
    return np;
  }
  pool_free(np);
  return expected;
}

int qx_pool_get(const indaga_index *idx, qx_ctx **out) {
  *out = NULL;
  qx_pool *p = pool_of(idx);
  if (p) {
    pthread_mutex_lock(&p->mu);
    if (p->n) *out = p->free[--p->n];
    pthread_mutex_unlock(&p->mu);
    if (*out) {
      seg_text_reader_reset((*out)->tr);   /* each search reads its own text */
      return INDAGA_OK;
    }
  }
  return ctx_new(out);
}

void qx_pool_put(const indaga_index *idx, qx_ctx *c) {
  if (!c) return;
  qx_pool *p = __atomic_load_n(&((indaga_index *)(uintptr_t)idx)->search_pool, __ATOMIC_ACQUIRE);
  if (p) {
    pthread_mutex_lock(&p->mu);
    int kept = p->n < QX_POOL_MAX;
    if (kept) p->free[p->n++] = c;
    pthread_mutex_unlock(&p->mu);
    if (kept) return;
  }
  ctx_free(c);
}
