/*
** arena.c: the per-search arena. A chain of blocks, each at least 16 KiB
** (larger requests get a block of their own), handed out by bumping an
** offset. Nothing is freed before qa_free(), which releases every block:
** parse trees, iterator trees and result strings of one search share one
** lifetime, so there is no per-node bookkeeping and no per-posting malloc.
**
** Budget: an arena with a budget (a->bud, budget.h) charges each block
** before allocating it and gives the bytes back in qa_free(); a block that
** would pass the budget's memory is not allocated and the arena's sticky
** error becomes INDAGA_ELIMIT (INDAGA_ECANCELED once the search is
** cancelled), so a query's memory is bounded by its budget
** whatever its shape (blocks are the only memory an arena takes).
*/
#include <assert.h>
#include "query/query.h"

struct qa_block {
  qa_block *next;
  size_t cap;
  _Alignas(16) unsigned char data[];
};

#define QA_MIN_BLOCK 16384u

/* Zeroed, 16-byte aligned memory; NULL (and a->err set) on failure. */
void *qa_alloc(qa_arena *a, size_t n) {
  if (a->err) return NULL;
  n = (n + 15u) & ~(size_t)15u;
  if (n == 0) n = 16;
  if (!a->head || a->cap - a->used < n) {
    size_t cap = n > QA_MIN_BLOCK ? n : QA_MIN_BLOCK;
    if (a->head && a->head->cap * 2 > cap && a->head->cap < (1u << 20)) cap = a->head->cap * 2;
    if (cap > SIZE_MAX - sizeof(qa_block)) { a->err = INDAGA_ENOMEM; return NULL; }
    int brc = qb_charge(a->bud, sizeof(qa_block) + cap);
    if (brc) { a->err = brc; return NULL; }
    qa_block *b = indaga__malloc(sizeof(qa_block) + cap);
    if (!b) { qb_uncharge(a->bud, sizeof(qa_block) + cap); a->err = INDAGA_ENOMEM; return NULL; }
    a->bytes += sizeof(qa_block) + cap;
    b->next = a->head;
    b->cap = cap;
    a->head = b;
    a->cap = cap;
    a->used = 0;
  }
  void *p = a->head->data + a->used;
  a->used += n;
  memset(p, 0, n);
  return p;
}

/* A NUL-terminated copy of p[0..n) in the arena; NULL on failure. */
char *qa_strndup(qa_arena *a, const char *p, size_t n) {
  char *z = qa_alloc(a, n + 1);
  if (z && n) memcpy(z, p, n);
  return z;
}

/* Release every block (and their charge to the budget). Never fails. */
void qa_free(qa_arena *a) {
  qa_block *b = a->head;
  while (b) {
    qa_block *next = b->next;
    indaga__free(b);
    b = next;
  }
  qb_uncharge(a->bud, a->bytes);
  a->head = NULL;
  a->used = a->cap = a->bytes = 0;
  a->err = INDAGA_OK;
}
