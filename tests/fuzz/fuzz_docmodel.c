/*
** fuzz_docmodel.c: arbitrary bytes as a document, parsed whole (dm_parse)
** and then in pieces (dm_parse_piece), cut after every k-th blank line
** (k from the first byte), as docmodel_stream.c cuts a large file. Checks,
** both ways, that every paragraph's byte range lies inside the input,
** ranges are ordered, no paragraph is empty, and parts are numbered within
** range. (The piece parse may legitimately differ from the whole one in
** the UN header zone, which ends with piece 0; tests/unit/test_pieces.c
** checks that real documents give identical paragraphs.)
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "common/common.h"
#include "indexer/docmodel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Check one parse's paragraphs; *last is the previous paragraph's start. */
static void check_doc(const dm_doc *d, size_t size, uint64_t *last) {
  for (size_t i = 0; i < d->nparas; i++) {
    const dm_para *p = &d->paras[i];
    if (p->src_start > p->src_end || p->src_end > size) abort();
    if (p->src_start < *last) abort();
    if (p->ntext == 0 || p->text == NULL) abort();
    if (p->part >= d->nparts || p->ordinal == 0) abort();
    *last = p->src_start;
  }
}

/* Parse data[0..size) in pieces cut after every @k-th blank line. */
static void parse_in_pieces(const uint8_t *data, size_t size, unsigned k) {
  dm_cont c;
  memset(&c, 0, sizeof c);
  uint64_t last = 0;
  size_t at = 0;
  unsigned blanks = 0;
  for (size_t i = 0; at < size; i++) {
    int cut = i + 1 >= size;
    if (!cut && data[i] == '\n' && i + 1 < size && data[i + 1] == '\n' && ++blanks % k == 0) cut = 1;
    if (!cut) continue;
    size_t end = i + 1 >= size ? size : i + 2;
    dm_doc *d = NULL;
    char *why = NULL;
    int rc = dm_parse_piece(&d, "fuzz.txt", (const char *)data + at, end - at, end == size, &c, &why);
    indaga__free(why);
    if (rc == DM_SKIP && at == 0) break;   /* not text: only piece 0 may say so */
    if (rc != INDAGA_OK) abort();
    check_doc(d, size, &last);
    dm_doc_free(d);
    at = end;
    i = end - 1;
  }
  dm_cont_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  dm_doc *d = NULL;
  char *why = NULL;
  int rc = dm_parse(&d, "fuzz.txt", (const char *)data, size, &why);
  if (rc == DM_SKIP) { indaga__free(why); return 0; }
  if (rc != INDAGA_OK) abort();
  uint64_t last = 0;
  check_doc(d, size, &last);
  dm_doc_free(d);
  if (size > 0) parse_in_pieces(data, size, 1u + data[0] % 4u);
  return 0;
}
