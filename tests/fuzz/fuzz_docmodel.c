/*
** fuzz_docmodel.c: arbitrary bytes as a document. Checks that every
** paragraph's byte range lies inside the input, ranges are ordered, no
** paragraph is empty, and parts are numbered within range.
*/
#include <stdint.h>
#include <stdlib.h>
#include "common/common.h"
#include "indexer/docmodel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  dm_doc *d = NULL;
  char *why = NULL;
  int rc = dm_parse(&d, "fuzz.txt", (const char *)data, size, &why);
  if (rc == DM_SKIP) { indaga__free(why); return 0; }
  if (rc != INDAGA_OK) abort();
  uint64_t last = 0;
  for (size_t i = 0; i < d->nparas; i++) {
    const dm_para *p = &d->paras[i];
    if (p->src_start > p->src_end || p->src_end > size) abort();
    if (p->src_start < last) abort();
    if (p->ntext == 0 || p->text == NULL) abort();
    if (p->part >= d->nparts || p->ordinal == 0) abort();
    last = p->src_start;
  }
  dm_doc_free(d);
  return 0;
}
