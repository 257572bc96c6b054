/*
** fuzz_manifest.c: a damaged manifest (indexer/manifest.h), the root record
** every reader and writer trusts first, two ways.
**
**  1. The bytes go to ix_manifest_parse, which must return INDAGA_OK,
**     INDAGA_ECORRUPT or INDAGA_EVERSION with a message naming the file, or
**     INDAGA_ENOMEM; on success the entries and roots fit the size
**     and the generation the one asked for.
**  2. The bytes become the only manifest of a real index directory (built
**     once through the public API from tests/data/segment with a 64 KiB
**     memory budget, so it has several segments, merges and a deletion
**     file; its own manifests are then removed), named manifest.<N> with
**     the N the bytes claim. indaga_index_open must answer with a status,
**     never crash, and when it opens the index, stats and a search work.
**     This reaches snapshot.c's cross-checks of manifest entries against
**     segment files and deletion files.
**
** As in fuzz_segment.c, the trailing xxh64 is rewritten to match the
** mutated bytes, so the fuzzer gets past the checksum to the fields behind
** it; likewise the index id, to the directory's. Seeds are this directory's real manifests, as `indaga index
** --memory 0.0625` writes them for the same tree (generation 1; generation
** 2 after removing a_68_908.txt and a_69_680.txt).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>
#include "indaga.h"
#include "common/common.h"
#include "indexer/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef INDAGA_SOURCE_DIR
#define INDAGA_SOURCE_DIR "."
#endif

static char dir[] = "/tmp/indaga-fuzzman-XXXXXX";
static char tree[] = "/tmp/indaga-fuzzmantree-XXXXXX";

static void remove_dirs(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, tree);
  if (system(cmd) != 0) fprintf(stderr, "fuzz_manifest: could not remove %s\n", dir);
}

static int sync_commit(void) {
  indaga_writer *w = NULL;
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.memory_budget = 65536;
  o.threads = 1;
  indaga_sync_report rep;
  int rc = indaga_writer_open(&w, dir, &o, NULL);
  if (rc == INDAGA_OK) rc = indaga_writer_sync(w, tree, &rep);
  if (rc == INDAGA_OK) rc = indaga_writer_commit(w, NULL);
  indaga_writer_close(w);
  return rc;
}

/* Build the index directory once, then remove its manifests. 0 on success. */
static uint64_t index_id;   /* the built index's id (manifest bytes 32..40) */

static int build_dir(void) {
  if (!mkdtemp(dir) || !mkdtemp(tree)) return -1;
  atexit(remove_dirs);
  char cmd[512];
  snprintf(cmd, sizeof cmd, "cp '%s'/tests/data/segment/*.txt '%s' && chmod u+w '%s'/*", INDAGA_SOURCE_DIR,
           tree, tree);
  if (system(cmd) != 0 || sync_commit() != INDAGA_OK) return -1;
  snprintf(cmd, sizeof cmd, "rm '%s/a_68_908.txt' '%s/a_69_680.txt'", tree, tree);
  if (system(cmd) != 0 || sync_commit() != INDAGA_OK) return -1;
  ix_manifest m;
  if (ix_manifest_read(&m, dir, 2, NULL) != INDAGA_OK) return -1;
  index_id = m.index_id;
  ix_manifest_clear(&m);
  snprintf(cmd, sizeof cmd, "rm -f '%s'/manifest.*", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void parse_only(const unsigned char *p, size_t size, uint64_t gen) {
  static const char name[] = "fuzzdir/manifest.N";
  ix_manifest m;
  char *err = NULL;
  int rc = ix_manifest_parse(&m, name, gen, p, size, &err);
  if (rc == INDAGA_OK) {
    /* a 56-byte header, 48 bytes per entry, roots of 5 bytes or more, 8 of checksum */
    if (size < 64 || m.nsegs * 48 + m.nroots * 5 > size - 64 || m.generation != gen || !m.index_id) abort();
    for (size_t i = 0; i < m.nroots; i++)
      if (m.roots[i][0] != '/') abort();
    for (size_t i = 0; i < m.nsegs; i++)
      if (m.segs[i].ndeleted > m.segs[i].ndoc) abort();
  } else if (rc == INDAGA_ECORRUPT || rc == INDAGA_EVERSION) {
    if (!err || !strstr(err, name)) abort();
  } else if (rc != INDAGA_ENOMEM) {
    abort();
  }
  indaga__free(err);
  ix_manifest_clear(&m);
}

static void open_dir(const unsigned char *p, size_t size, uint64_t gen) {
  char path[128];
  snprintf(path, sizeof path, "%s/manifest.%llu", dir, (unsigned long long)gen);
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  if (size && fwrite(p, 1, size, f) != size) abort();
  if (fclose(f) != 0) abort();
  indaga_index *idx = NULL;
  char *err = NULL;
  int rc = indaga_index_open(&idx, dir, NULL, &err);
  if (rc == INDAGA_OK) {
    indaga_stats st;
    if (indaga_index_stats(idx, &st) != INDAGA_OK) abort();
    indaga_results *r = NULL;
    rc = indaga_search(&r, idx, "consejo OR derechos", NULL);
    if (rc != INDAGA_OK && rc != INDAGA_ECORRUPT && rc != INDAGA_ENOMEM) abort();
    indaga_results_free(r);
  } else if (rc != INDAGA_ECORRUPT && rc != INDAGA_EVERSION && rc != INDAGA_ENOINDEX &&
             rc != INDAGA_ENOMEM && rc != INDAGA_EIO) {
    fprintf(stderr, "fuzz_manifest: open: unexpected status %d: %s\n", rc, err ? err : "");
    abort();
  }
  if (rc != INDAGA_OK && rc != INDAGA_ENOMEM && (!err || !*err)) abort();   /* a failure says why */
  indaga_free(err);
  indaga_index_close(idx);
  unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  if (!ready) {
    if (build_dir() != 0) abort();
    ready = 1;
  }
  unsigned char *p = malloc(size ? size : 1);
  if (!p) return 0;
  memcpy(p, data, size);
  /* the index id of the directory built here, so the seeds' entries reach
     the segments (a manifest of another index is refused at its first one) */
  if (size >= 48) put_u64(p + 32, index_id);
  if (size >= 8) put_u64(p + size - 8, XXH64(p, size - 8, 0));
  uint64_t gen = size >= 24 ? get_u64(p + 16) : 1;
  parse_only(p, size, gen);
  parse_only(p, size, gen + 1);   /* the file name disagreeing with the bytes */
  open_dir(p, size, gen);
  free(p);
  return 0;
}
