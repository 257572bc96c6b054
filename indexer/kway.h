/*
** kway.h: the inputs of a k-way merge in order of their current keys.
**
** seg_merge merges the dictionaries and the vocabularies of its k inputs
** (k is the number of segments compacted: 69 for the legislation at 16
** times its size). Finding each next key by scanning every input cost k
** comparisons a key; this binary min-heap of input numbers costs about
** log2 k. Inputs whose keys are equal come out in input order, which the
** merge relies on (new paragraph ids ascend with the input).
*/
#ifndef INDAGA_KWAY_H
#define INDAGA_KWAY_H

#include <stddef.h>

/* Compare the current keys of inputs @a and @b: <0, 0 or >0. */
typedef int (*kway_cmp)(const void *ctx, size_t a, size_t b);

typedef struct kway {
  size_t *h;         /* input numbers, a heap by (key, input) */
  size_t n;          /* inputs in the heap */
  kway_cmp cmp;
  const void *ctx;
} kway;

/* An empty heap for inputs 0..@k-1. INDAGA_OK or INDAGA_ENOMEM. */
int kway_init(kway *q, size_t k, kway_cmp cmp, const void *ctx);
void kway_free(kway *q);
/* Empty the heap and order it by @cmp over @ctx from now on. */
void kway_restart(kway *q, kway_cmp cmp, const void *ctx);
/* Add input @i, whose key is current (at most k inputs at once). */
void kway_push(kway *q, size_t i);
/* Remove and return the input with the smallest key (q->n > 0). */
size_t kway_pop(kway *q);
/* The input with the smallest key, left in place (q->n > 0). */
static inline size_t kway_top(const kway *q) { return q->h[0]; }

#endif
