/*
** bench_docmodel: parse every file of a directory tree with the document
** model (indexer/docmodel.h) and report what it found and how fast.
**
**   bench_docmodel [--no-require-front-matter] [--quiet] DIR...
**   bench_docmodel --dump FILE          print one document's structure
**
** For a tree it prints one table: files, MB, paragraphs, headings,
** labelled paragraphs, annexes, warnings, skipped files, and the parse
** throughput (time inside dm_parse only, files already mapped) and the
** wall time including reading. It also checks every document, and exits 1
** when any check fails: an empty paragraph, a paragraph whose text is not
** valid UTF-8, ordinals that are not 1, 2, 3 ... within a part, a byte range
** outside the file or going backwards, or (unless
** --no-require-front-matter) a file without front matter. Each failure is
** listed on stderr with the file name (at most 20 of each kind). Exit 2 on a
** usage or I/O error.
**
** The walk and the reads go through common/os.h like the library's own.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "common/os.h"
#include "common/utf8.h"
#include "indexer/docmodel.h"

typedef struct stats {
  uint64_t files, bytes, paras, headings, labelled, annexes, docs_with_annexes;
  uint64_t warnings, skipped, empty_paras, bad_utf8, bad_order, bad_range, no_front_matter, io_errors;
  double parse_s;
  int require_fm;
  int quiet;
} stats;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void complain(uint64_t count, const char *path, const char *what) {
  if (count <= 20) fprintf(stderr, "bench_docmodel: %s: %s\n", path, what);
}

static int valid_utf8(const char *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    size_t len;
    if (utf8_decode((const unsigned char *)p + i, n - i, &len) < 0) return 0;
    i += len;
  }
  return 1;
}

/* Check one parsed document and add it to the counts. */
static void check_doc(stats *st, const char *path, const dm_doc *d, uint64_t size) {
  size_t i;
  uint64_t last_start = 0;
  st->paras += d->nparas;
  st->warnings += d->nwarnings;
  if (d->nparts > 1) { st->annexes += d->nparts - 1; st->docs_with_annexes++; }
  if (!d->has_front_matter && st->require_fm) complain(++st->no_front_matter, path, "no front matter");
  for (i = 0; i < d->nwarnings && !st->quiet; i++) fprintf(stderr, "warning: %s\n", d->warnings[i]);
  for (i = 0; i < d->nparas; i++) {
    const dm_para *q = &d->paras[i];
    uint32_t want = (i > 0 && d->paras[i - 1].part == q->part) ? d->paras[i - 1].ordinal + 1 : 1;
    if (q->heading) st->headings++;
    if (q->label) st->labelled++;
    if (q->ntext == 0 || q->text[0] == 0) complain(++st->empty_paras, path, "empty paragraph");
    if (!valid_utf8(q->text, q->ntext)) complain(++st->bad_utf8, path, "paragraph text is not valid UTF-8");
    if (q->ordinal != want || q->part >= d->nparts || (i > 0 && q->part < d->paras[i - 1].part))
      complain(++st->bad_order, path, "parts or ordinals out of order");
    if (q->src_start >= q->src_end || q->src_end > size || q->src_start < last_start)
      complain(++st->bad_range, path, "byte range outside the file or going backwards");
    last_start = q->src_start;
  }
}

static void parse_file(stats *st, const char *path) {
  os_map m = {0};
  char *err = NULL, *why = NULL;
  dm_doc *d = NULL;
  double t0;
  int rc;
  if (os_map_file(path, &m, &err) != INDAGA_OK) {
    fprintf(stderr, "bench_docmodel: %s\n", err ? err : path);
    indaga__free(err);
    st->io_errors++;
    return;
  }
  st->files++;
  st->bytes += m.n;
  t0 = now();
  rc = dm_parse(&d, path, (const char *)m.p, m.n, &why);
  st->parse_s += now() - t0;
  if (rc == DM_SKIP) {
    st->skipped++;
    if (!st->quiet) fprintf(stderr, "skip: %s\n", why);
  } else if (rc != INDAGA_OK) {
    fprintf(stderr, "bench_docmodel: %s: %s\n", path, indaga_strerror(rc));
    st->io_errors++;
  } else {
    check_doc(st, path, d, m.n);
  }
  indaga__free(why);
  dm_doc_free(d);
  os_unmap(&m);
}

typedef struct names {
  char **v;
  size_t n, cap;
} names;

static int collect(void *ctx, const char *name) {
  names *ns = ctx;
  if (ns->n == ns->cap) {
    size_t cap = ns->cap ? ns->cap * 2 : 64;
    char **v = indaga__realloc(ns->v, cap * sizeof(*v));
    if (!v) return INDAGA_ENOMEM;
    ns->v = v;
    ns->cap = cap;
  }
  if (!(ns->v[ns->n] = indaga__strdup(name))) return INDAGA_ENOMEM;
  ns->n++;
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parse every regular file under @path (or @path itself). */
static void walk(stats *st, const char *path) {
  os_stat_info si;
  char *err = NULL;
  names ns = {0};
  size_t i;
  if (os_stat(path, &si, &err) != INDAGA_OK) {
    fprintf(stderr, "bench_docmodel: %s\n", err ? err : path);
    indaga__free(err);
    st->io_errors++;
    return;
  }
  if (si.is_reg) { parse_file(st, path); return; }
  if (!si.is_dir) return;
  if (os_listdir(path, collect, &ns, &err) != INDAGA_OK) {
    fprintf(stderr, "bench_docmodel: %s\n", err ? err : path);
    indaga__free(err);
    st->io_errors++;
  }
  qsort(ns.v, ns.n, sizeof(*ns.v), cmp_names);
  for (i = 0; i < ns.n; i++) {
    char *child = indaga__sprintf("%s/%s", path, ns.v[i]);
    if (child) walk(st, child);
    else st->io_errors++;
    indaga__free(child);
    indaga__free(ns.v[i]);
  }
  indaga__free(ns.v);
}

static int dump(const char *path) {
  os_map m = {0};
  char *err = NULL, *why = NULL;
  dm_doc *d = NULL;
  size_t i;
  int rc;
  if (os_map_file(path, &m, &err) != INDAGA_OK) {
    fprintf(stderr, "bench_docmodel: %s\n", err ? err : path);
    indaga__free(err);
    return 2;
  }
  rc = dm_parse(&d, path, (const char *)m.p, m.n, &why);
  if (rc == DM_SKIP) printf("skip: %s\n", why);
  else if (rc != INDAGA_OK) printf("error: %s\n", indaga_strerror(rc));
  else {
    for (i = 0; i < d->nmeta; i++) printf("meta %s = %s\n", d->meta[i].key, d->meta[i].value);
    for (i = 0; i < d->nwarnings; i++) printf("warning %s\n", d->warnings[i]);
    for (i = 1; i < d->nparts; i++) printf("part %zu = %s\n", i, d->part_labels[i]);
    for (i = 0; i < d->nparas; i++) {
      const dm_para *q = &d->paras[i];
      printf("%u.%u %s[%s] @%llu-%llu %.*s\n", q->part, q->ordinal, q->heading ? "H " : "",
             q->label ? q->label : "", (unsigned long long)q->src_start, (unsigned long long)q->src_end,
             q->ntext > 160 ? 160 : (int)q->ntext, q->text);
    }
  }
  indaga__free(why);
  dm_doc_free(d);
  os_unmap(&m);
  return rc == INDAGA_OK || rc == DM_SKIP ? 0 : 2;
}

int main(int argc, char **argv) {
  stats st;
  double t0, wall;
  int i, ndirs = 0;
  uint64_t failures;
  memset(&st, 0, sizeof(st));
  st.require_fm = 1;
  if (argc == 3 && !strcmp(argv[1], "--dump")) return dump(argv[2]);
  t0 = now();
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--no-require-front-matter")) st.require_fm = 0;
    else if (!strcmp(argv[i], "--quiet")) st.quiet = 1;
    else if (argv[i][0] == '-') {
      fprintf(stderr, "usage: bench_docmodel [--no-require-front-matter] [--quiet] DIR...\n"
                      "       bench_docmodel --dump FILE\n");
      return 2;
    } else { walk(&st, argv[i]); ndirs++; }
  }
  if (!ndirs) {
    fprintf(stderr, "usage: bench_docmodel [--no-require-front-matter] [--quiet] DIR...\n");
    return 2;
  }
  wall = now() - t0;
  printf("| files | MB | paragraphs | headings | labelled | annexes (docs) | warnings | skipped |"
         " parse MB/s | wall s |\n|---|---|---|---|---|---|---|---|---|---|\n");
  printf("| %llu | %.1f | %llu | %llu | %llu | %llu (%llu) | %llu | %llu | %.1f | %.2f |\n",
         (unsigned long long)st.files, (double)st.bytes / 1e6, (unsigned long long)st.paras,
         (unsigned long long)st.headings, (unsigned long long)st.labelled, (unsigned long long)st.annexes,
         (unsigned long long)st.docs_with_annexes, (unsigned long long)st.warnings,
         (unsigned long long)st.skipped, st.parse_s > 0 ? (double)st.bytes / 1e6 / st.parse_s : 0.0, wall);
  failures = st.empty_paras + st.bad_utf8 + st.bad_order + st.bad_range + st.no_front_matter;
  printf("checks: empty paragraphs %llu, invalid UTF-8 text %llu, order %llu, ranges %llu, "
         "missing front matter %llu, I/O errors %llu\n",
         (unsigned long long)st.empty_paras, (unsigned long long)st.bad_utf8, (unsigned long long)st.bad_order,
         (unsigned long long)st.bad_range, (unsigned long long)st.no_front_matter,
         (unsigned long long)st.io_errors);
  if (st.io_errors) return 2;
  return failures ? 1 : 0;
}
