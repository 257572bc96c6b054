/*
** bench_dump.c: write every paragraph of a tree, as indaga's own document
** parser sees it, in the dump format the peers read (bench/peers/).
**
**   bench_dump ROOT OUT
**
** Design. The three engines of the benchmark must index the same
** paragraphs, and only indaga has a parser for UN documents (annexes,
** numbered paragraphs, YAML front matter, Markdown markup). So this program
** lists ROOT with the writer's own walk (walk_tree(): .txt and .md files,
** recursively, hidden names skipped, sorted by id), parses each file with
** dm_parse() and writes, for every paragraph in document order, the record
**
**     doc \t part \t ordinal \t nbytes \n  <nbytes of display text> \n
**
** where doc is the path relative to ROOT (indaga's document id), part is 0
** for the body and N for the Nth annex, and ordinal is the paragraph's
** 1-based ordinal within its part: the triple names a hit in every engine.
** The time this takes is not charged to the peers (bench/RESULTS.md).
**
** Errors: an unreadable file or one the parser skips as not text is
** reported on stderr (naming the file) and left out; a failure to list a
** directory, to allocate or to write OUT exits with status 2 and a message.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "common/os.h"
#include "indexer/docmodel.h"
#include "indexer/walk.h"

static void die(const char *what, char *msg) {
  fprintf(stderr, "bench_dump: %s: %s\n", what, msg ? msg : "out of memory");
  indaga__free(msg);
  exit(2);
}

static void warn_cb(void *ctx, const char *path, const char *message) {
  (void)ctx;
  fprintf(stderr, "bench_dump: skipped: %s: %s\n", path, message);
}

/* Parse the file at @full (document id @rel) and append its records to @b.
** Returns the paragraph count (0 for a skipped file); exits on allocation
** failure. */
static size_t dump_file(const char *full, const char *rel, ia_buf *b) {
  char *err = NULL, *why = NULL;
  os_map m = {0};
  dm_doc *d = NULL;
  size_t i, count = 0;
  int rc;
  if (os_map_file(full, &m, &err) != INDAGA_OK) {
    fprintf(stderr, "bench_dump: skipped: %s\n", err ? err : full);
    indaga__free(err);
    return 0;
  }
  rc = dm_parse(&d, rel, (const char *)m.p, m.n, &why);
  if (rc == DM_SKIP) {
    fprintf(stderr, "bench_dump: skipped: %s\n", why ? why : full);
    indaga__free(why);
  } else if (rc != INDAGA_OK) {
    die(full, indaga__sprintf("cannot parse: %s", indaga_strerror(rc)));
  } else {
    for (i = 0; i < d->nparas; i++) {
      const dm_para *p = &d->paras[i];
      buf_printf(b, "%s\t%u\t%u\t%zu\n", rel, (unsigned)p->part, (unsigned)p->ordinal, p->ntext);
      buf_append(b, p->text, p->ntext);
      buf_putc(b, '\n');
    }
    count = d->nparas;
    dm_doc_free(d);
  }
  os_unmap(&m);
  return count;
}

int main(int argc, char **argv) {
  walk_list files = {0};
  ia_buf b = {0};
  os_wfile f;
  char *err = NULL;
  size_t i, nfiles, paras = 0;
  if (argc != 3) {
    fprintf(stderr, "usage: bench_dump ROOT OUT\n");
    return 2;
  }
  if (walk_tree(argv[1], NULL, 0, &files, warn_cb, NULL, &err) != INDAGA_OK) die(argv[1], err);
  if (os_wfile_open(&f, argv[2], &err) != INDAGA_OK) die(argv[2], err);
  for (i = 0; i < files.n; i++) {
    paras += dump_file(files.v[i].path, files.v[i].id, &b);
    if (b.err) die(argv[2], NULL);
    if (b.n >= (1u << 20) || i + 1 == files.n) {
      if (os_wfile_write(&f, b.p, b.n, &err) != INDAGA_OK) die(argv[2], err);
      buf_reset(&b);
    }
  }
  if (os_wfile_commit(&f, &err) != INDAGA_OK) die(argv[2], err);
  nfiles = files.n;
  buf_free(&b);
  walk_list_free(&files);
  fprintf(stderr, "bench_dump: %zu files, %zu paragraphs -> %s\n", nfiles, paras, argv[2]);
  return 0;
}
