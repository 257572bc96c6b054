/*
** fuzz_analyze.c: arbitrary bytes through the analysis pipeline. Checks the
** token invariants: byte ranges inside the input and in order, non-empty
** terms and keys, positions non-decreasing.
*/
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include "common/common.h"
#include "stemmer/analyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct check { size_t n; size_t last_start; uint32_t last_pos; size_t count; } check;

static int on_token(void *ctx, const ia_token *t) {
  check *c = ctx;
  if (t->start >= t->end || t->end > c->n) abort();
  if (t->nterm == 0 || t->nkey == 0) abort();
  if (c->count && (t->start < c->last_start)) abort();
  if (c->count && (t->pos + 1 < c->last_pos)) abort();
  c->last_start = t->start;
  c->last_pos = t->pos;
  c->count++;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static analyzer *a;
  if (!a && analyzer_new(&a) != INDAGA_OK) return 0;
  check c = { size, 0, 0, 0 };
  size_t invalid = 0;
  int rc = analyzer_run(a, (const char *)data, size, on_token, &c, &invalid);
  if (rc != INDAGA_OK) abort();
  return 0;
}
