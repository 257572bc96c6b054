/*
** bench_dump.c: write every paragraph of a tree, as indaga's own document
** parser sees it, in the dump format the peers read (bench/peers/).
**
**   bench_dump ROOT OUT
**
** Design. The three engines of the benchmark must index the same
** paragraphs, and only indaga has a parser for UN documents (annexes,
** numbered paragraphs, YAML front matter, Markdown markup). So this program
** walks ROOT the way `indaga index` does (regular .txt and .md files,
** recursively; names starting with '.' are skipped), sorts the paths
** bytewise so the dump is reproducible, parses each file with dm_parse()
** and writes, for every paragraph in document order, the record
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

typedef struct path_list {
  char **v;
  size_t n, cap;
} path_list;

typedef struct walk_ctx {
  const char *dir;      /* directory being listed */
  path_list *names;     /* its entries */
} walk_ctx;

static void die(const char *what, char *msg) {
  fprintf(stderr, "bench_dump: %s: %s\n", what, msg ? msg : "out of memory");
  indaga__free(msg);
  exit(2);
}

static void list_push(path_list *l, char *z) {
  if (!z) die("walk", NULL);
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 256;
    char **v = indaga__realloc(l->v, cap * sizeof *v);
    if (!v) die("walk", NULL);
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = z;
}

static int collect_name(void *ctx, const char *name) {
  walk_ctx *w = ctx;
  if (name[0] != '.') list_push(w->names, indaga__strdup(name));
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int wanted(const char *name) {
  size_t n = strlen(name);
  return (n > 4 && strcmp(name + n - 4, ".txt") == 0) ||
         (n > 3 && strcmp(name + n - 3, ".md") == 0);
}

/* Append to @out the relative paths (under @rel) of every wanted file below
** @dir, in sorted order. Exits on a listing or allocation failure. */
static void walk(const char *dir, const char *rel, path_list *out) {
  path_list names = {0};
  walk_ctx w = { dir, &names };
  char *err = NULL;
  size_t i;
  if (os_listdir(dir, collect_name, &w, &err) != INDAGA_OK) die(dir, err);
  qsort(names.v, names.n, sizeof *names.v, cmp_str);
  for (i = 0; i < names.n; i++) {
    char *full = indaga__sprintf("%s/%s", dir, names.v[i]);
    char *r = rel[0] ? indaga__sprintf("%s/%s", rel, names.v[i]) : indaga__strdup(names.v[i]);
    os_stat_info st;
    if (!full || !r) die(dir, NULL);
    if (os_stat(full, &st, &err) != INDAGA_OK) {
      fprintf(stderr, "bench_dump: skipped: %s\n", err ? err : full);
      indaga__free(err);
      err = NULL;
      indaga__free(r);
    } else if (st.is_dir) {
      walk(full, r, out);
      indaga__free(r);
    } else if (st.is_reg && wanted(names.v[i])) {
      list_push(out, r);
    } else {
      indaga__free(r);
    }
    indaga__free(full);
    indaga__free(names.v[i]);
  }
  indaga__free(names.v);
}

/* Parse one file and append its records to @b. Returns the paragraph count
** (0 for a skipped file); exits on allocation failure. */
static size_t dump_file(const char *root, const char *rel, ia_buf *b) {
  char *full = indaga__sprintf("%s/%s", root, rel), *err = NULL, *why = NULL;
  os_map m = {0};
  dm_doc *d = NULL;
  size_t i, count = 0;
  int rc;
  if (!full) die(rel, NULL);
  if (os_map_file(full, &m, &err) != INDAGA_OK) {
    fprintf(stderr, "bench_dump: skipped: %s\n", err ? err : full);
    indaga__free(err);
    indaga__free(full);
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
  indaga__free(full);
  return count;
}

int main(int argc, char **argv) {
  path_list files = {0};
  ia_buf b = {0};
  os_wfile f;
  char *err = NULL;
  size_t i, paras = 0;
  if (argc != 3) {
    fprintf(stderr, "usage: bench_dump ROOT OUT\n");
    return 2;
  }
  walk(argv[1], "", &files);
  if (os_wfile_open(&f, argv[2], &err) != INDAGA_OK) die(argv[2], err);
  for (i = 0; i < files.n; i++) {
    paras += dump_file(argv[1], files.v[i], &b);
    if (b.err) die(argv[2], NULL);
    if (b.n >= (1u << 20) || i + 1 == files.n) {
      if (os_wfile_write(&f, b.p, b.n, &err) != INDAGA_OK) die(argv[2], err);
      buf_reset(&b);
    }
    indaga__free(files.v[i]);
  }
  if (os_wfile_commit(&f, &err) != INDAGA_OK) die(argv[2], err);
  buf_free(&b);
  indaga__free(files.v);
  fprintf(stderr, "bench_dump: %zu files, %zu paragraphs -> %s\n", files.n, paras, argv[2]);
  return 0;
}
