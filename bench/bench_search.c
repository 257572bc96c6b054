/*
** bench_search.c: indaga's side of the query benchmark, through the public
** API only (include/indaga.h), measured exactly as the peers measure
** themselves (bench/peers/).
**
**   bench_search latency INDEX QUERIES SNIPPETS PASSES
**   bench_search topk    INDEX QUERIES
**   bench_search fields  INDEX PASSES   (filters, sorts, facets: see fields_cmd)
**
** Design. QUERIES holds one query per line in indaga's syntax (blank lines
** are skipped but keep their line number). `latency` opens the index once,
** runs every query once untimed (warm caches, as the peers do), then PASSES
** times over the set, timing each query from indaga_search() through
** reading every hit (and its snippet when SNIPPETS is 1) to
** indaga_results_free(): k = 10, snippets on or off. It prints one line
**
**     errors=E queries=N p50_us=.. p95_us=.. p99_us=.. qps=.. hits=H
**
** (nearest-rank percentiles over all timed queries; qps = N / the summed
** timed sections). `topk` prints each query's top 10 as
** "qno \t rank \t doc \t part \t paragraph" lines, for the known-item MRR.
**
** Errors: an index that cannot be opened or a query file that cannot be
** read exits with status 2 and a message naming it; a failed search is
** reported with its message and counted in errors=, never skipped silently.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "indaga.h"
#include "common/common.h"
#include "common/os.h"
#include "peers/peer_common.h"

/*
** Run query @q; print its hits to @out when not NULL. Returns the number of
** hits, or -1 when the search failed (reported on stderr when @report).
*/
static int run_query(const indaga_index *idx, const char *q, const indaga_search_options *o,
                     FILE *out, size_t qno, int report) {
  indaga_results *r = NULL;
  size_t i, n;
  int rc = indaga_search(&r, idx, q, o), hits;
  if (rc != INDAGA_OK) {
    if (report)
      fprintf(stderr, "bench_search: query %zu [%s]: %s: %s\n", qno + 1, q, indaga_strerror(rc),
              r && indaga_results_errmsg(r) ? indaga_results_errmsg(r) : "");
    indaga_results_free(r);
    return -1;
  }
  n = indaga_results_count(r);
  for (i = 0; i < n; i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    if (out) fprintf(out, "%zu\t%u\t%s\t%u\t%u\n", qno, h->rank, h->doc, h->part, h->paragraph);
  }
  hits = (int)n;
  indaga_results_free(r);
  return hits;
}

static int cmd(const char *index, const char *qpath, int topk, int snippets, int passes) {
  indaga_index *idx = NULL;
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  char *text = NULL, *err = NULL, **q;
  size_t n = 0, nq = 0, i, nlat = 0;
  double *lat, total = 0;
  unsigned long long hits = 0;
  int rc, p, errors = 0;

  if (os_read_file(qpath, &text, &n, &err) != INDAGA_OK) {
    fprintf(stderr, "bench_search: %s\n", err ? err : qpath);
    return 2;
  }
  rc = indaga_index_open(&idx, index, NULL, &err);
  if (rc != INDAGA_OK) {
    fprintf(stderr, "bench_search: %s: %s\n", index, err ? err : indaga_strerror(rc));
    indaga_free(err);
    return 2;
  }
  q = peer_lines(text, n, &nq);
  o.k = 10;
  o.snippets = snippets;
  if (topk) {
    for (i = 0; i < nq; i++) if (q[i][0]) (void)run_query(idx, q[i], &o, stdout, i, 1);
  } else {
    lat = indaga__malloc((nq * (size_t)passes + 1) * sizeof *lat);
    if (!lat) { fprintf(stderr, "bench_search: out of memory\n"); return 2; }
    for (i = 0; i < nq; i++)                        /* warm-up pass, untimed */
      if (q[i][0] && run_query(idx, q[i], &o, NULL, i, 1) < 0) errors++;
    for (p = 0; p < passes; p++) {
      for (i = 0; i < nq; i++) {
        double t0, dt;
        int h;
        if (!q[i][0]) continue;
        t0 = peer_now();
        h = run_query(idx, q[i], &o, NULL, i, 0);
        dt = peer_now() - t0;
        total += dt;
        lat[nlat++] = dt * 1e6;
        if (h > 0) hits += (unsigned long long)h;
      }
    }
    printf("errors=%d ", errors);
    peer_print_latency(lat, nlat, total, hits);
    indaga__free(lat);
  }
  indaga_index_close(idx);
  free(q);
  indaga__free(text);
  return 0;
}

/*
** `fields INDEX PASSES`: the cost of filters, sorts and facets beside the
** plain query (README "Fields and dates"). For a rare, a middling and a
** common word: the plain top 10, the word with a field filter and with a
** date range, sorted by date, and with a facet over every match; each the
** median of PASSES timed runs after one untimed one, k = 10, no snippets.
** The index is opened once, so the first filter of the process, which
** reads the segments' FIELDS sections (or, for version 5 segments, derives
** the columns from the document tables), is timed apart (columns_ms).
*/
static int fields_cmd(const char *index, int passes) {
  static const char *const words[] = { "salud", "ley", "de" };
  static const struct { const char *name, *suffix; int sort; int facet; } kinds[] = {
    { "plain", "", INDAGA_SORT_RELEVANCE, 0 },
    { "status:in_force", " status:in_force", INDAGA_SORT_RELEVANCE, 0 },
    { "date:2000..2010", " date:2000..2010", INDAGA_SORT_RELEVANCE, 0 },
    { "--sort -date", "", INDAGA_SORT_DATE_DESC, 0 },
    { "--facet year", "", INDAGA_SORT_RELEVANCE, 1 },
  };
  static const char *const facet[] = { "year" };
  indaga_index *idx = NULL;
  char *err = NULL;
  if (indaga_index_open(&idx, index, NULL, &err) != INDAGA_OK) {
    fprintf(stderr, "bench_search: %s: %s\n", index, err ? err : "cannot open");
    return 2;
  }
  double *lat = malloc((size_t)passes * sizeof *lat);
  if (!lat) return 2;
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.snippets = 0;
  o.time_ms = 0;
  o.memory_bytes = 0;
  double t0 = peer_now();
  int hits = run_query(idx, "status:none_such date:1000", &o, NULL, 0, 1);   /* passes no document: the build alone */
  printf("columns_ms=%.1f (first filter of the process, %d hits)\n", (peer_now() - t0) * 1e3, hits);
  for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
    double plain = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
      char q[128];
      snprintf(q, sizeof q, "%s%s", words[w], kinds[k].suffix);
      o.sort = kinds[k].sort;
      o.facets = kinds[k].facet ? facet : NULL;
      o.nfacets = kinds[k].facet ? 1 : 0;
      indaga_results *r = NULL;
      uint64_t total = 0;
      int exact = 0;
      for (int p = -1; p < passes; p++) {
        double t = peer_now();
        int rc = indaga_search(&r, idx, q, &o);
        double dt = peer_now() - t;
        if (rc) {
          fprintf(stderr, "bench_search: %s: %s\n", q, indaga_results_errmsg(r));
          indaga_results_free(r);
          free(lat);
          indaga_index_close(idx);
          return 1;
        }
        total = indaga_results_total(r);
        exact = indaga_results_total_exact(r);
        indaga_results_free(r);
        if (p >= 0) lat[p] = dt;
      }
      for (int i = 1; i < passes; i++)   /* insertion sort: passes is small */
        for (int j = i; j > 0 && lat[j - 1] > lat[j]; j--) { double x = lat[j]; lat[j] = lat[j - 1]; lat[j - 1] = x; }
      double med = lat[passes / 2] * 1e3;
      if (k == 0) plain = med;
      printf("%-6s %-16s total=%-8llu exact=%d median_ms=%8.2f x_plain=%.2f\n", words[w], kinds[k].name,
             (unsigned long long)total, exact, med, plain > 0 ? med / plain : 0);
    }
  }
  free(lat);
  indaga_index_close(idx);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "fields") == 0 && atoi(argv[3]) > 0) return fields_cmd(argv[2], atoi(argv[3]));
  if (argc == 4 && strcmp(argv[1], "topk") == 0) return cmd(argv[2], argv[3], 1, 0, 0);
  if (argc == 6 && strcmp(argv[1], "latency") == 0 && atoi(argv[5]) > 0)
    return cmd(argv[2], argv[3], 0, atoi(argv[4]) != 0, atoi(argv[5]));
  fprintf(stderr, "usage: bench_search latency INDEX QUERIES SNIPPETS(0|1) PASSES\n"
                  "       bench_search topk INDEX QUERIES\n"
                  "       bench_search fields INDEX PASSES\n");
  return 2;
}
