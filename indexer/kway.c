/*
** kway.c: a binary min-heap of input numbers (kway.h).
*/
#include "common/common.h"
#include "indexer/kway.h"

int kway_init(kway *q, size_t k, kway_cmp cmp, const void *ctx) {
  q->h = indaga__malloc((k ? k : 1) * sizeof *q->h);
  q->n = 0;
  q->cmp = cmp;
  q->ctx = ctx;
  return q->h ? INDAGA_OK : INDAGA_ENOMEM;
}

void kway_free(kway *q) {
  indaga__free(q->h);
  q->h = NULL;
  q->n = 0;
}

void kway_restart(kway *q, kway_cmp cmp, const void *ctx) {
  q->n = 0;
  q->cmp = cmp;
  q->ctx = ctx;
}

/* Input @a goes before input @b: a smaller key, or an equal key and a lower input. */
static int before(const kway *q, size_t a, size_t b) {
  int c = q->cmp(q->ctx, a, b);
  return c < 0 || (c == 0 && a < b);
}

void kway_push(kway *q, size_t i) {
  size_t j = q->n++;
  while (j > 0 && before(q, i, q->h[(j - 1) / 2])) {
    q->h[j] = q->h[(j - 1) / 2];
    j = (j - 1) / 2;
  }
  q->h[j] = i;
}

size_t kway_pop(kway *q) {
  size_t top = q->h[0], last = q->h[--q->n], j = 0;
  for (;;) {
    size_t c = 2 * j + 1;
    if (c >= q->n) break;
    if (c + 1 < q->n && before(q, q->h[c + 1], q->h[c])) c++;
    if (!before(q, q->h[c], last)) break;
    q->h[j] = q->h[c];
    j = c;
  }
  if (q->n) q->h[j] = last;
  return top;
}
