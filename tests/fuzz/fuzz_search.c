/*
** fuzz_search.c: arbitrary bytes as a query against a small real index
** (built once from corpus/ in a temporary directory, through the public
** API). Any string must parse and answer: INDAGA_OK, or INDAGA_EMISUSE
** "empty query" when nothing is left to search for; never a crash.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "indaga.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef INDAGA_SOURCE_DIR
#define INDAGA_SOURCE_DIR "."
#endif

static char dir[] = "/tmp/indaga-fuzz-XXXXXX";

/* Remove the temporary index when the process ends (replay and libFuzzer alike). */
static void remove_index(void) {
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "fuzz_search: could not remove %s\n", dir);
}

static indaga_index *open_index(void) {
  if (!mkdtemp(dir)) return NULL;
  atexit(remove_index);
  indaga_writer *w = NULL;
  if (indaga_writer_open(&w, dir, NULL, NULL) != INDAGA_OK) return NULL;
  indaga_sync_report rep;
  if (indaga_writer_sync(w, INDAGA_SOURCE_DIR "/corpus", &rep) != INDAGA_OK ||
      indaga_writer_commit(w, NULL) != INDAGA_OK) {
    indaga_writer_close(w);
    return NULL;
  }
  indaga_writer_close(w);
  indaga_index *idx = NULL;
  if (indaga_index_open(&idx, dir, NULL, NULL) != INDAGA_OK) return NULL;
  return idx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static indaga_index *idx;
  if (!idx && !(idx = open_index())) abort();
  char *q = malloc(size + 1);
  if (!q) return 0;
  memcpy(q, data, size);
  q[size] = 0;
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.context = 1;
  indaga_results *r = NULL;
  int rc = indaga_search(&r, idx, q, &o);
  /* indaga.h: a query with nothing to search for is INDAGA_EMISUSE, "empty query ..." */
  if (rc == INDAGA_EMISUSE && r && indaga_results_errmsg(r) &&
      strncmp(indaga_results_errmsg(r), "empty query", 11) == 0)
    rc = INDAGA_OK;
  if (rc != INDAGA_OK && rc != INDAGA_ENOMEM) abort();
  for (size_t i = 0; i < indaga_results_count(r); i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    for (size_t j = 0; j < h->nhighlights; j++)
      if (h->highlights[j].start > h->highlights[j].end || h->highlights[j].end > h->snippet_len) abort();
  }
  indaga_results_free(r);
  free(q);
  return 0;
}
