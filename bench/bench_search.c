/*
** bench_search.c: indaga's side of the query benchmark, through the public
** API only (include/indaga.h), measured exactly as the peers measure
** themselves (bench/peers/).
**
**   bench_search latency INDEX QUERIES SNIPPETS PASSES
**   bench_search each    INDEX QUERIES SNIPPETS PASSES   (per query and per kind)
**   bench_search topk    INDEX QUERIES
**   bench_search fields  INDEX PASSES   (filters, sorts, facets: see fields_cmd)
**
** Design. QUERIES holds one query per line in indaga's syntax (blank lines
** are skipped but keep their line number), or is bench/queries.txt itself:
** a line holding a tab is `KIND \t query \t ...` (the kind and indaga's
** column are taken), a line starting with # a comment, skipped. `latency`
** opens the index once, runs every query once untimed (warm caches, as the
** peers do), then PASSES
** times over the set, timing each query from indaga_search() through
** reading every hit (and its snippet when SNIPPETS is 1) to
** indaga_results_free(): k = 10, snippets on or off. It prints one line
**
**     errors=E queries=N p50_us=.. p95_us=.. p99_us=.. qps=.. hits=H
**
** (nearest-rank percentiles over all timed queries; qps = N / the summed
** timed sections). `each` runs the same passes and prints, after that line,
** one line per query (its median and largest time over the passes, the
** median of its thread CPU time, its hits and its total), one per kind
** and one for all (p50/p99 over the timed queries, of wall and of CPU
** time), to find which queries drive the percentiles. CPU time is the work
** done, which the machine's load changes far less than it changes the wall
** time (a query longer than a scheduler slice waits for the other
** processes). `topk` prints each query's top 10 as
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
** Run query @q; print its hits to @out when not NULL, and store its total
** in *@total when not NULL. Returns the number of hits, or -1 when the
** search failed (reported on stderr when @report).
*/
static int run_query(const indaga_index *idx, const char *q, const indaga_search_options *o,
                     FILE *out, size_t qno, int report, uint64_t *total) {
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
  if (total) *total = indaga_results_total(r);
  for (i = 0; i < n; i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    if (out) fprintf(out, "%zu\t%u\t%s\t%u\t%u\n", qno, h->rank, h->doc, h->part, h->paragraph);
  }
  hits = (int)n;
  indaga_results_free(r);
  return hits;
}

/*
** Split the query lines: a line holding a tab is `KIND \t query \t ...`
** (queries.txt), its kind kept in @kind; a comment line (#) becomes blank.
*/
static void split_kinds(char **q, size_t nq, const char **kind) {
  for (size_t i = 0; i < nq; i++) {
    char *tab = strchr(q[i], '\t');
    kind[i] = "-";
    if (q[i][0] == '#') { q[i] += strlen(q[i]); continue; }
    if (!tab) continue;
    *tab = '\0';
    kind[i] = q[i];
    q[i] = tab + 1;
    if ((tab = strchr(q[i], '\t')) != NULL) *tab = '\0';
  }
}

/* The calling thread's CPU time in seconds. */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Into @v, sorted: the timed samples of query @i (all of its kind when @whole); returns their count. */
static size_t samples(char **q, const char **kind, size_t nq, size_t i, int whole, const double *lat,
                      int passes, double *v) {
  size_t n = 0;
  for (size_t j = whole ? 0 : i; j < (whole ? nq : i + 1); j++)
    if (q[j][0] && strcmp(kind[j], kind[i]) == 0)
      for (int p = 0; p < passes; p++) v[n++] = lat[(size_t)p * nq + j];
  qsort(v, n, sizeof *v, peer_cmp_double);
  return n;
}

/*
** Per query, then per kind: the `each` lines (lat[p * nq + i] the wall
** time of pass p of query i, cpu[] its CPU time, in us).
*/
static void print_each(char **q, const char **kind, const uint64_t *total, const int *hits, size_t nq,
                       const double *lat, const double *cpu, int passes) {
  double *v = indaga__malloc((nq * (size_t)passes + 1) * sizeof *v);
  double *c = indaga__malloc((nq * (size_t)passes + 1) * sizeof *c);
  if (!v || !c) { fprintf(stderr, "bench_search: out of memory\n"); indaga__free(v); return; }
  for (size_t i = 0; i < nq; i++) {
    if (!q[i][0]) continue;
    size_t n = samples(q, kind, nq, i, 0, lat, passes, v);
    (void)samples(q, kind, nq, i, 0, cpu, passes, c);
    printf("query %zu\t%s\tmedian_us=%.1f\tmax_us=%.1f\tcpu_us=%.1f\thits=%d\ttotal=%llu\t%s\n", i + 1,
           kind[i], v[n / 2], v[n - 1], c[n / 2], hits[i], (unsigned long long)total[i], q[i]);
  }
  for (size_t i = 0; i < nq; i++) {
    size_t j;
    if (!q[i][0]) continue;
    for (j = 0; j < i; j++) if (q[j][0] && strcmp(kind[j], kind[i]) == 0) break;
    if (j < i) continue;   /* kind already printed */
    size_t n = samples(q, kind, nq, i, 1, lat, passes, v);
    (void)samples(q, kind, nq, i, 1, cpu, passes, c);
    printf("kind %s\tqueries=%zu\tp50_us=%.1f\tp99_us=%.1f\tcpu_p50_us=%.1f\tcpu_p99_us=%.1f\n", kind[i],
           n / (size_t)passes, peer_pct(v, n, 50), peer_pct(v, n, 99), peer_pct(c, n, 50), peer_pct(c, n, 99));
  }
  size_t n = 0, m = 0;
  for (size_t i = 0; i < nq; i++)
    if (q[i][0])
      for (int p = 0; p < passes; p++) { v[n++] = lat[(size_t)p * nq + i]; c[m++] = cpu[(size_t)p * nq + i]; }
  qsort(v, n, sizeof *v, peer_cmp_double);
  qsort(c, m, sizeof *c, peer_cmp_double);
  printf("all\tqueries=%zu\tp50_us=%.1f\tp99_us=%.1f\tcpu_p50_us=%.1f\tcpu_p99_us=%.1f\n", n / (size_t)passes,
         peer_pct(v, n, 50), peer_pct(v, n, 99), peer_pct(c, n, 50), peer_pct(c, n, 99));
  indaga__free(c);
  indaga__free(v);
}

static int cmd(const char *index, const char *qpath, int topk, int snippets, int passes, int each) {
  indaga_index *idx = NULL;
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  char *text = NULL, *err = NULL, **q;
  const char **kind;
  size_t n = 0, nq = 0, i, nlat = 0;
  double *lat, *grid, *cpu, total = 0;
  uint64_t *totals;
  int *nhits;
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
  kind = indaga__malloc((nq + 1) * sizeof *kind);
  totals = indaga__calloc(nq + 1, sizeof *totals);
  nhits = indaga__calloc(nq + 1, sizeof *nhits);
  lat = indaga__malloc((nq * (size_t)passes + 1) * sizeof *lat);
  grid = indaga__calloc(nq * (size_t)passes + 1, sizeof *grid);
  cpu = indaga__calloc(nq * (size_t)passes + 1, sizeof *cpu);
  if (!kind || !totals || !nhits || !lat || !grid || !cpu) { fprintf(stderr, "bench_search: out of memory\n"); return 2; }
  split_kinds(q, nq, kind);
  o.k = 10;
  o.snippets = snippets;
  if (topk) {
    for (i = 0; i < nq; i++) if (q[i][0]) (void)run_query(idx, q[i], &o, stdout, i, 1, NULL);
  } else {
    for (i = 0; i < nq; i++)                        /* warm-up pass, untimed */
      if (q[i][0] && (nhits[i] = run_query(idx, q[i], &o, NULL, i, 1, &totals[i])) < 0) errors++;
    for (p = 0; p < passes; p++) {
      for (i = 0; i < nq; i++) {
        double t0, c0, dt;
        int h;
        if (!q[i][0]) continue;
        c0 = cpu_now();
        t0 = peer_now();
        h = run_query(idx, q[i], &o, NULL, i, 0, NULL);
        dt = peer_now() - t0;
        cpu[(size_t)p * nq + i] = (cpu_now() - c0) * 1e6;
        total += dt;
        lat[nlat++] = dt * 1e6;
        grid[(size_t)p * nq + i] = dt * 1e6;
        if (h > 0) hits += (unsigned long long)h;
      }
    }
    printf("errors=%d ", errors);
    peer_print_latency(lat, nlat, total, hits);
    if (each) print_each(q, kind, totals, nhits, nq, grid, cpu, passes);
  }
  indaga__free(cpu);
  indaga__free(grid);
  indaga__free(lat);
  indaga__free(nhits);
  indaga__free(totals);
  indaga__free(kind);
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
  int hits = run_query(idx, "status:none_such date:1000", &o, NULL, 0, 1, NULL);   /* passes no document: the build alone */
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
  if (argc == 4 && strcmp(argv[1], "topk") == 0) return cmd(argv[2], argv[3], 1, 0, 0, 0);
  if (argc == 6 && (strcmp(argv[1], "latency") == 0 || strcmp(argv[1], "each") == 0) && atoi(argv[5]) > 0)
    return cmd(argv[2], argv[3], 0, atoi(argv[4]) != 0, atoi(argv[5]), strcmp(argv[1], "each") == 0);
  fprintf(stderr, "usage: bench_search latency INDEX QUERIES SNIPPETS(0|1) PASSES\n"
                  "       bench_search each INDEX QUERIES SNIPPETS(0|1) PASSES\n"
                  "       bench_search topk INDEX QUERIES\n"
                  "       bench_search fields INDEX PASSES\n");
  return 2;
}
