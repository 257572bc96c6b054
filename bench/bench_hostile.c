/*
** bench_hostile.c: hostile queries timed beside normal ones, under the work
** budget (issue 16; README.md "Work budget"), through the public API only.
**
**   bench_hostile INDEX [REPS]
**
** Design. The index is opened once; every query below runs once untimed
** (warm caches), then REPS times (default 5) with the default options
** (k = 10, snippets, the default budget: 2000 ms, 64 MiB), each timed from
** indaga_search() to indaga_results_free(). One line per query:
**
**     query=NAME bytes=B status=S hits=H p50_ms=.. max_ms=.. rss_kib=R
**
** (status: 0, or the INDAGA_E* code of the last run, e.g. -13 for
** INDAGA_ELIMIT; rss_kib: how much the process's peak RSS grew during that
** query's runs), then one summary line for bench/run.sh:
**
**     normal_p50_ms=.. worst=NAME worst_p50_ms=.. worst_max_ms=.. worst_status=S peak_rss_mib=..
**
** where "worst" is the hostile query of largest median time (its name with
** '_' for blanks, so that the line splits on blanks), and peak_rss_mib the
** process's peak RSS, the mapped index pages it read included. The hostile
** set: a prefix repeated 1000 times (`a* OR a* ...`, the 57 s query of issue
** 16), 676 distinct two-letter prefixes ORed, 676 NEAR/999999999 of
** prefixes, 10,000 OR terms, 100,000 nested parentheses, `*` alone,
** NEAR/999999999, 1 MiB of words, 64 KiB of binary junk.
**
** Errors: an index that cannot be opened exits with status 2 and a message
** naming it; a status other than OK, ELIMIT or "empty query" (EMISUSE) is
** reported and makes the exit status 1.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "indaga.h"

typedef struct bq { const char *name; char *q; int hostile; } bq;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long peak_rss_kib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* A heap string of @n copies of @unit joined by @sep; NULL when out of memory. */
static char *repeat(const char *unit, size_t n, const char *sep) {
  size_t nu = strlen(unit), ns = strlen(sep);
  char *q = malloc(n * (nu + ns) + 1), *p = q;
  if (!q) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (i) { memcpy(p, sep, ns); p += ns; }
    memcpy(p, unit, nu);
    p += nu;
  }
  *p = 0;
  return q;
}

/* 676 distinct two-letter prefixes, alone or each in a NEAR/999999999 with its reverse, ORed. */
static char *prefixes(int near) {
  char *q = malloc(676 * 40 + 1);
  size_t o = 0;
  if (!q) return NULL;
  for (int k = 0; k < 676; k++) {
    char a = (char)('a' + k % 26), b = (char)('a' + k / 26);
    o += (size_t)(near ? sprintf(q + o, "%s(%c%c* NEAR/999999999 %c%c*)", k ? " OR " : "", a, b, b, a)
                       : sprintf(q + o, "%s%c%c*", k ? " OR " : "", a, b));
  }
  return q;
}

/* 10,000 distinct OR terms ("ab0 OR bc1 OR ..."). */
static char *or_terms(void) {
  char *q = malloc(10000 * 16 + 1);
  size_t o = 0;
  if (!q) return NULL;
  for (unsigned k = 0; k < 10000; k++)
    o += (size_t)sprintf(q + o, "%s%c%c%u", k ? " OR " : "", 'a' + k % 26, 'a' + (k / 26) % 26, k);
  return q;
}

/* 100,000 nested parentheses around a word. */
static char *parens(void) {
  size_t n = 100000;
  char *q = malloc(2 * n + 8);
  if (!q) return NULL;
  memset(q, '(', n);
  memcpy(q + n, "consejo", 7);
  memset(q + n + 7, ')', n);
  q[2 * n + 7] = 0;
  return q;
}

/* @n bytes of NUL-free binary junk (fixed seed). */
static char *junk(size_t n) {
  char *q = malloc(n + 1);
  uint64_t x = 0x9e3779b97f4a7c15u;
  if (!q) return NULL;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    q[i] = (char)(x % 255 + 1);
  }
  q[n] = 0;
  return q;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: bench_hostile INDEX [REPS]\n");
    return 2;
  }
  int reps = argc == 3 ? atoi(argv[2]) : 5;
  if (reps < 1 || reps > 1000) reps = 5;
  indaga_index *idx = NULL;
  char *msg = NULL;
  int rc = indaga_index_open(&idx, argv[1], NULL, &msg);
  if (rc) {
    fprintf(stderr, "bench_hostile: %s: %s\n", argv[1], msg ? msg : indaga_strerror(rc));
    indaga_free(msg);
    return 2;
  }
  bq qs[] = {
    { "normal: consejo de seguridad", repeat("consejo de seguridad", 1, ""), 0 },
    { "normal: derechos humanos mujeres", repeat("derechos humanos mujeres", 1, ""), 0 },
    { "normal: \"derechos humanos\"", repeat("\"derechos humanos\"", 1, ""), 0 },
    { "a* OR a* x1000", repeat("a*", 1000, " OR "), 1 },
    { "676 prefixes ORed", prefixes(0), 1 },
    { "676 NEAR/999999999 of prefixes", prefixes(1), 1 },
    { "10,000 OR terms", or_terms(), 1 },
    { "100,000 nested parentheses", parens(), 1 },
    { "* alone", repeat("*", 1, ""), 1 },
    { "NEAR/999999999", repeat("derechos NEAR/999999999 humanos", 1, ""), 1 },
    { "1 MiB of words", repeat("consejo seguridad derechos humanos paz", 1048576 / 39, " "), 1 },
    { "64 KiB of binary junk", junk(65536), 1 },
  };
  size_t nq = sizeof qs / sizeof qs[0];
  double *t = malloc((size_t)reps * sizeof *t);
  if (!t) { fprintf(stderr, "bench_hostile: out of memory\n"); return 2; }
  int bad = 0;
  double normal_sum = 0, worst_p50 = -1, worst_max = 0;
  int normal_n = 0, worst_status = 0;
  const char *worst = "none";
  long rss_start = peak_rss_kib();
  for (size_t i = 0; i < nq; i++) {
    if (!qs[i].q) { fprintf(stderr, "bench_hostile: out of memory\n"); return 2; }
    indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
    long rss0 = peak_rss_kib();
    size_t hits = 0;
    for (int r = -1; r < reps; r++) {   /* r = -1: the untimed warm-up */
      indaga_results *res = NULL;
      double t0 = now_ms();
      rc = indaga_search(&res, idx, qs[i].q, &o);
      hits = indaga_results_count(res);
      indaga_results_free(res);
      if (r >= 0) t[r] = now_ms() - t0;
      if (rc && rc != INDAGA_ELIMIT && rc != INDAGA_EMISUSE) {
        fprintf(stderr, "bench_hostile: %s: %s\n", qs[i].name, indaga_strerror(rc));
        bad = 1;
      }
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    double p50 = t[(reps - 1) / 2], mx = t[reps - 1];
    printf("query=\"%s\" bytes=%zu status=%d hits=%zu p50_ms=%.3f max_ms=%.3f rss_kib=%ld\n", qs[i].name,
           strlen(qs[i].q), rc, hits, p50, mx, peak_rss_kib() - rss0);
    if (!qs[i].hostile) { normal_sum += p50; normal_n++; }
    else if (p50 > worst_p50) { worst_p50 = p50; worst_max = mx; worst = qs[i].name; worst_status = rc; }
  }
  char wname[64];
  snprintf(wname, sizeof wname, "%s", worst);
  for (char *c = wname; *c; c++) if (*c == ' ') *c = '_';
  printf("normal_p50_ms=%.3f worst=%s worst_p50_ms=%.3f worst_max_ms=%.3f worst_status=%d "
         "peak_rss_mib=%.1f rss_growth_mib=%.1f reps=%d\n",
         normal_n ? normal_sum / normal_n : 0.0, wname, worst_p50, worst_max, worst_status,
         (double)peak_rss_kib() / 1024.0, (double)(peak_rss_kib() - rss_start) / 1024.0, reps);
  for (size_t i = 0; i < nq; i++) free(qs[i].q);
  free(t);
  indaga_index_close(idx);
  return bad;
}
