/*
** peer_common.h: what the programs that measure share: the two benchmark
** peers (xapian_peer.cc, fts5_peer.c) and indaga's own bench_index and
** bench_search, as static inline functions compiled into each of them
** (valid C11 and C++), so all three engines are timed the same way.
**
** The peers are independent of libindaga on purpose: they read the paragraph
** dump written by bench_dump (indaga's own document parser), so all three
** engines index exactly the same paragraphs. The dump is a sequence of records
**
**     doc \t part \t ordinal \t nbytes \n  <nbytes of display text> \n
**
** Measurement is the same in every program of bench/: wall time from
** CLOCK_MONOTONIC, CPU time and peak RSS from getrusage(RUSAGE_SELF), and
** one line of key=value figures on stdout that bench/run.sh parses. Query
** files hold one query per line (already in the engine's own syntax).
**
** Errors: every function here that can fail prints a message naming the
** file to stderr and exits with status 2 (these are programs, not a library).
** The dump is streamed, never held whole in memory.
*/
#ifndef PEER_COMMON_H
#define PEER_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>

/* A whole file in memory, NUL-terminated. Exits with a message on failure. */
static inline char *peer_slurp(const char *path, size_t *n_out) {
  FILE *f = fopen(path, "rb");
  char *p = NULL;
  size_t cap = 1 << 20, n = 0, got;
  if (!f) {
    fprintf(stderr, "peer: cannot open %s: %s\n", path, strerror(errno));
    exit(2);
  }
  p = (char *)malloc(cap + 1);
  while (p && (got = fread(p + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      char *q = (char *)realloc(p, cap * 2 + 1);
      if (!q) { free(p); p = NULL; break; }
      p = q;
      cap *= 2;
    }
  }
  if (!p || ferror(f)) {
    fprintf(stderr, "peer: cannot read %s: %s\n", path, p ? strerror(errno) : "out of memory");
    exit(2);
  }
  fclose(f);
  p[n] = '\0';
  *n_out = n;
  return p;
}

/* One paragraph record of a dump; the pointers are the reader's and are
** valid until its next call. */
typedef struct peer_rec {
  const char *doc;  size_t ndoc;
  unsigned part;
  unsigned ordinal;
  const char *text; size_t ntext;
} peer_rec;

/* A dump read as a stream, one record at a time (memory stays at the size
** of the largest paragraph, so the peers' peak RSS is their own). */
typedef struct peer_dump {
  FILE *f;
  const char *path;
  char *line;  size_t cap_line;   /* the header line (getline) */
  char *text;  size_t cap_text;   /* the record's text */
  unsigned long long off;         /* byte offset of the next record */
} peer_dump;

static inline void peer_dump_open(peer_dump *d, const char *path) {
  memset(d, 0, sizeof *d);
  d->path = path;
  d->f = fopen(path, "rb");
  if (!d->f) {
    fprintf(stderr, "peer: cannot open %s: %s\n", path, strerror(errno));
    exit(2);
  }
}

static inline void peer_dump_close(peer_dump *d) {
  if (d->f) fclose(d->f);
  free(d->line);
  free(d->text);
}

/*
** Read the next record into *r. Returns 1, or 0 at the end of the dump;
** exits with a message naming the file and offset on a malformed record.
*/
static inline int peer_dump_next(peer_dump *d, peer_rec *r) {
  ssize_t n = getline(&d->line, &d->cap_line, d->f);
  char *tab, *end = NULL;
  unsigned long part, ord;
  unsigned long long nbytes;
  if (n < 0) {
    if (ferror(d->f)) goto bad;
    return 0;
  }
  tab = (char *)memchr(d->line, '\t', (size_t)n);
  if (!tab || d->line[n - 1] != '\n') goto bad;
  errno = 0;
  part = strtoul(tab + 1, &end, 10);
  if (*end != '\t') goto bad;
  ord = strtoul(end + 1, &end, 10);
  if (*end != '\t') goto bad;
  nbytes = strtoull(end + 1, &end, 10);
  if (*end != '\n' || errno || nbytes > ((size_t)-1) / 2) goto bad;
  if (nbytes + 1 > d->cap_text) {
    char *q = (char *)realloc(d->text, (size_t)nbytes + 1);
    if (!q) goto bad;
    d->text = q;
    d->cap_text = (size_t)nbytes + 1;
  }
  if (fread(d->text, 1, (size_t)nbytes + 1, d->f) != nbytes + 1 || d->text[nbytes] != '\n')
    goto bad;
  r->doc = d->line;
  r->ndoc = (size_t)(tab - d->line);
  r->part = (unsigned)part;
  r->ordinal = (unsigned)ord;
  r->text = d->text;
  r->ntext = (size_t)nbytes;
  d->off += (unsigned long long)n + nbytes + 1;
  return 1;
bad:
  fprintf(stderr, "peer: %s: malformed or unreadable dump record at byte %llu\n", d->path, d->off);
  exit(2);
}

/* Split p (modified in place) into lines; blank lines are kept as "" so
** line numbers stay aligned with the query file. Caller frees the array. */
static inline char **peer_lines(char *p, size_t n, size_t *count) {
  size_t cap = 64, k = 0, i, start = 0;
  char **v = (char **)malloc(cap * sizeof *v);
  if (!v) { fprintf(stderr, "peer: out of memory\n"); exit(2); }
  for (i = 0; i <= n; i++) {
    if (i == n || p[i] == '\n') {
      if (i == n && start == n) break;
      if (k == cap) {
        char **q = (char **)realloc(v, cap * 2 * sizeof *v);
        if (!q) { fprintf(stderr, "peer: out of memory\n"); exit(2); }
        v = q;
        cap *= 2;
      }
      if (i < n) p[i] = '\0';
      v[k++] = p + start;
      start = i + 1;
    }
  }
  *count = k;
  return v;
}

static inline double peer_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + sys) and peak RSS in KiB of this process so far. */
static inline void peer_rusage(double *cpu_s, long *maxrss_kb) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  *cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  *maxrss_kb = ru.ru_maxrss;
}

static inline int peer_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile q (0..100] of the sorted array v[0..n). */
static inline double peer_pct(const double *v, size_t n, double q) {
  size_t r;
  if (n == 0) return 0.0;
  r = (size_t)((q / 100.0) * (double)n + 0.999999);
  if (r < 1) r = 1;
  if (r > n) r = n;
  return v[r - 1];
}

/*
** Print the latency line of a run: lat[0..n) in microseconds (sorted here),
** total the sum of the timed sections in seconds.
*/
static inline void peer_print_latency(double *lat, size_t n, double total_s, unsigned long long hits) {
  qsort(lat, n, sizeof *lat, peer_cmp_double);
  printf("queries=%zu p50_us=%.1f p95_us=%.1f p99_us=%.1f qps=%.1f hits=%llu\n", n,
         peer_pct(lat, n, 50), peer_pct(lat, n, 95), peer_pct(lat, n, 99),
         total_s > 0 ? (double)n / total_s : 0.0, hits);
}

#endif /* PEER_COMMON_H */
