/*
** bench_extract: extraction throughput per published format
** (indexer/docmodel/extract.h), beside pdftotext in bench/run.sh.
**
**   bench_extract [--rounds N] FILE...    one row per format
**   bench_extract --print FILE            the extracted text, as indexed
**
** Each file is read once (not timed), then found (ex_find) and extracted
** (ex_extract) N times (default 20); the table gives per format the files,
** input MB, text MB, the time inside ex_find + ex_extract per round, and
** the throughput in input MB/s and files/s. A file refused by its
** extractor is counted as skipped and named on stderr. Exit 2 on a usage
** or I/O error, 1 when a file was refused.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "common/os.h"
#include "indexer/docmodel/extract.h"

typedef struct row { const char *label; unsigned files, skipped; double in, text, secs; } row;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int print_one(const char *path, const ex_limits *lim) {
  char *p = NULL, *msg = NULL, *text = NULL, *why = NULL;
  size_t n = 0, nt = 0;
  if (os_read_file(path, &p, &n, &msg)) { fprintf(stderr, "bench_extract: %s\n", msg); return 2; }
  const ex_format *f = ex_find(path, p, n, lim);
  int rc = 0;
  if (!f) fwrite(p, 1, n, stdout);
  else if (ex_extract(f, path, p, n, lim, &text, &nt, &why) == 0) fwrite(text, 1, nt, stdout);
  else { fprintf(stderr, "bench_extract: %s\n", why ? why : "out of memory"); rc = 1; }
  indaga__free(p);
  indaga__free(text);
  indaga__free(why);
  return rc;
}

int main(int argc, char **argv) {
  ex_limits lim;
  ex_limits_for_budget(&lim, (size_t)256 << 20);
  int rounds = 20, i = 1;
  if (argc == 3 && !strcmp(argv[1], "--print")) return print_one(argv[2], &lim);
  if (argc > 2 && !strcmp(argv[1], "--rounds")) { rounds = atoi(argv[2]); i = 3; }
  if (i >= argc || rounds < 1) {
    fprintf(stderr, "usage: bench_extract [--rounds N] FILE... | --print FILE\n");
    return 2;
  }
  row rows[8];
  size_t nrows = 0;
  int status = 0;
  for (; i < argc; i++) {
    char *p = NULL, *msg = NULL;
    size_t n = 0;
    if (os_read_file(argv[i], &p, &n, &msg)) { fprintf(stderr, "bench_extract: %s\n", msg); return 2; }
    const ex_format *f = ex_find(argv[i], p, n, &lim);
    const char *label = f ? f->label : "text";
    row *r = NULL;
    for (size_t k = 0; k < nrows; k++) if (!strcmp(rows[k].label, label)) r = &rows[k];
    if (!r && nrows < 8) { r = &rows[nrows++]; memset(r, 0, sizeof *r); r->label = label; }
    if (!r) { indaga__free(p); continue; }
    r->files++;
    r->in += (double)n;
    double t0 = now();
    for (int k = 0; k < rounds && f; k++) {
      char *text = NULL, *why = NULL;
      size_t nt = 0;
      const ex_format *g = ex_find(argv[i], p, n, &lim);
      int rc = ex_extract(g, argv[i], p, n, &lim, &text, &nt, &why);
      if (rc) {
        fprintf(stderr, "bench_extract: %s\n", why ? why : "out of memory");
        r->skipped++;
        status = 1;
        indaga__free(why);
        break;
      }
      if (k == 0) r->text += (double)nt;
      indaga__free(text);
    }
    r->secs += (now() - t0) / rounds;
    indaga__free(p);
  }
  printf("%-6s %6s %8s %8s %10s %9s %9s\n", "format", "files", "in MB", "text MB", "ms/round", "MB/s", "files/s");
  for (size_t k = 0; k < nrows; k++) {
    row *r = &rows[k];
    printf("%-6s %6u %8.3f %8.3f %10.2f %9.2f %9.0f\n", r->label, r->files, r->in / 1e6, r->text / 1e6,
           r->secs * 1e3, r->secs > 0 ? r->in / 1e6 / r->secs : 0, r->secs > 0 ? r->files / r->secs : 0);
  }
  return status;
}
