/*
** fuzz_extract.c: arbitrary bytes as a published document
** (indexer/docmodel/extract.h). The format is found by content as the
** writer finds it (ex_find: PDF, DOCX, ODT, HTML); bytes no format claims
** go to the HTML parser, so libxml2's HTML path sees every input. Limits
** are small (64 KiB of text, 1 MiB expanded, 64 zip entries) so limit
** paths are reached. Checks: a success gives NUL-terminated text within
** the text limit that the document model parses (or refuses as binary);
** a refusal gives a message naming the file; nothing leaks (ASan).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "common/common.h"
#include "indexer/docmodel.h"
#include "indexer/docmodel/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ex_format html = { "text/html", "HTML", ex_sniff_html, ex_extract_html };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ex_limits lim = { (size_t)4 << 20, (size_t)64 << 10, (size_t)1 << 20, 64 };
  const char *p = (const char *)data;
  const ex_format *f = ex_find("fuzz.bin", p, size, &lim);
  if (!f) f = &html;
  char *text = NULL, *why = NULL;
  size_t n = 0;
  int rc = ex_extract(f, "fuzz.bin", p, size, &lim, &text, &n, &why);
  if (rc == INDAGA_OK) {
    if (!text || n > lim.max_text || text[n] != 0) abort();
    dm_doc *d = NULL;
    char *w = NULL;
    int r2 = dm_parse(&d, "fuzz.bin", text, n, &w);
    if (r2 != INDAGA_OK && r2 != DM_SKIP) abort();
    for (size_t i = 0; d && i < d->nparas; i++)
      if (d->paras[i].src_end > n) abort();
    dm_doc_free(d);
    indaga__free(w);
  } else if (rc == DM_SKIP) {
    if (!why || strncmp(why, "fuzz.bin: not indexed: ", 23)) abort();
  } else if (rc != INDAGA_ENOMEM) {
    abort();
  }
  indaga__free(text);
  indaga__free(why);
  return 0;
}
