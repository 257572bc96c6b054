/*
** bench_analyze.c: throughput of the analysis pipeline against the naive
** way, on one thread. A program, not a test: run it by hand, rarely (the
** machine is shared).
**
**   bench_analyze DIR [MAX_MB [analyzer|baseline]]
**
** (the third argument runs one side only, for perf record).
** DIR is a tree of text files, e.g. the legislation corpus:
**   tar -I zstd -xf ../shared/data/legalize-pe-national.tar.zst -C /tmp/x   (-> /tmp/x/pe, 287 MB)
** Every regular file under DIR is mapped (up to MAX_MB megabytes, default
** all) and read once to warm the page cache; then, over the same bytes:
**
**   analyzer   analyzer_run(): UTF-8 decoding, tokens with positions and
**              byte ranges, numbers, ordinals, UN symbols, lowercase,
**              accent folding, Snowball stem, stopwords, the word cache.
**              The callback sums term lengths so nothing is optimised away.
**   baseline   split into words (runs of ASCII letters and digits and of
**              non-ASCII bytes), lowercase ASCII, sb_stemmer_stem() on
**              every word: what an indexer without a cache does, and less
**              (no Unicode, no folding, no positions).
**
** three times, interleaved, and prints the best CPU time of each side as
** MB/s, the ratio (target: analyzer >= 4x baseline), the token counts and
** the cache's misses, evictions and entries they kept (a new analyzer each round). Exits 2 with a message
** naming the path when the tree cannot be read.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libstemmer.h>
#include "common/common.h"
#include "common/os.h"
#include "stemmer/analyze.h"
#include "stemmer/analyzer_int.h"

#define ROUNDS 3
#define ROUNDS_STR "3"

typedef struct corpus {
  os_map *maps;
  size_t n, cap;
  uint64_t bytes, max_bytes;
  char *err;
} corpus;

typedef struct walk {
  corpus *c;
  const char *dir;
} walk;

static int walk_dir(corpus *c, const char *dir);

/* os_listdir callback: map regular files, descend into directories. */
static int walk_entry(void *ctx, const char *name) {
  walk *w = ctx;
  corpus *c = w->c;
  if (c->max_bytes && c->bytes >= c->max_bytes) return 0;
  char *path = indaga__sprintf("%s/%s", w->dir, name);
  if (!path) return INDAGA_ENOMEM;
  os_stat_info st;
  int rc = os_stat(path, &st, &c->err);
  if (rc == INDAGA_OK && st.is_dir) {
    rc = walk_dir(c, path);
  } else if (rc == INDAGA_OK && st.is_reg && st.size > 0) {
    if (c->n == c->cap) {
      size_t cap = c->cap ? c->cap * 2 : 1024;
      os_map *m = indaga__realloc(c->maps, cap * sizeof *m);
      if (!m) { indaga__free(path); return INDAGA_ENOMEM; }
      c->maps = m;
      c->cap = cap;
    }
    rc = os_map_file(path, &c->maps[c->n], &c->err);
    if (rc == INDAGA_OK) c->bytes += c->maps[c->n++].n;
  }
  indaga__free(path);
  return rc;
}

/* Map every regular file under @dir. Returns INDAGA_OK or a status with c->err set. */
static int walk_dir(corpus *c, const char *dir) {
  walk w = { c, dir };
  return os_listdir(dir, walk_entry, &w, &c->err);
}

/*
** CPU time of this thread: the machine is shared, and wall time under load
** measures the neighbours. Wall time is printed beside it.
*/
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct sums {
  uint64_t tokens, symbols, term_bytes;
} sums;

static int sum_cb(void *ctx, const ia_token *t) {
  sums *s = ctx;
  s->tokens++;
  s->term_bytes += t->nterm;
  if (t->flags & TOK_SYMBOL) s->symbols++;
  return 0;
}

/* The naive pipeline over p[0..n): words, ASCII lowercase, Snowball. */
static uint64_t baseline(struct sb_stemmer *st, const unsigned char *p, size_t n, uint64_t *stem_bytes) {
  unsigned char w[256];
  uint64_t words = 0;
  size_t i = 0;
  while (i < n) {
    while (i < n && !(p[i] >= 0x80 || (p[i] >= '0' && p[i] <= '9') || ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z')))
      i++;
    size_t k = 0;
    while (i < n && (p[i] >= 0x80 || (p[i] >= '0' && p[i] <= '9') || ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z'))) {
      unsigned char c = p[i++];
      if (k < sizeof w) w[k++] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
    }
    if (!k) continue;
    const sb_symbol *s = sb_stemmer_stem(st, w, (int)k);
    if (s) *stem_bytes += (uint64_t)sb_stemmer_length(st);
    words++;
  }
  return words;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 4 || !strcmp(argv[1], "--help")) {
    fprintf(stderr, "usage: bench_analyze DIR [MAX_MB [analyzer|baseline]]\n");
    return 2;
  }
  corpus c = { 0 };
  const char *only = argc == 4 ? argv[3] : "";
  if (argc >= 3) c.max_bytes = (uint64_t)strtoull(argv[2], NULL, 10) << 20;
  int rc = walk_dir(&c, argv[1]);
  if (rc != INDAGA_OK) {
    fprintf(stderr, "bench_analyze: %s: %s\n", argv[1], c.err ? c.err : indaga_strerror(rc));
    return 2;
  }
  if (!c.bytes) {
    fprintf(stderr, "bench_analyze: %s: no non-empty files\n", argv[1]);
    return 2;
  }
  /* Warm the page cache. */
  uint64_t x = 0;
  for (size_t i = 0; i < c.n; i++)
    for (size_t k = 0; k < c.maps[i].n; k += 4096) x += c.maps[i].p[k];
  double mb = (double)c.bytes / 1e6;
  printf("corpus: %s, %zu files, %.1f MB (touch %llu)\n", argv[1], c.n, mb, (unsigned long long)(x & 1));

  analyzer *a = NULL;
  struct sb_stemmer *st = sb_stemmer_new("spanish", "UTF_8");
  if (analyzer_new(&a) != INDAGA_OK || !st) {
    fprintf(stderr, "bench_analyze: out of memory\n");
    return 2;
  }
  /*
  ** ROUNDS rounds, analyzer then baseline in each; the best CPU time of
  ** each side counts (the machine is shared: the best round is the one
  ** least disturbed). Each round starts with a new analyzer, its cache
  ** empty, so no round profits from an earlier one.
  */
  sums s = { 0 };
  size_t total_inv = 0;
  uint64_t words = 0, stem_bytes = 0, misses = 0, resets = 0, kept = 0;
  double t_an = 1e30, w_an = 0, t_base = 1e30, w_base = 0;
  for (int round = 0; round < ROUNDS; round++) {
    if (strcmp(only, "baseline")) {
      size_t ninv = 0;
      analyzer_free(a);
      a = NULL;
      if (analyzer_new(&a) != INDAGA_OK) {
        fprintf(stderr, "bench_analyze: out of memory\n");
        return 2;
      }
      memset(&s, 0, sizeof s);
      total_inv = 0;
      double t0 = now(), w0 = wall();
      for (size_t i = 0; i < c.n; i++) {
        if (analyzer_run(a, (const char *)c.maps[i].p, c.maps[i].n, sum_cb, &s, &ninv) != INDAGA_OK) {
          fprintf(stderr, "bench_analyze: out of memory\n");
          return 2;
        }
        total_inv += ninv;
      }
      double t = now() - t0, w = wall() - w0;
      if (t < t_an) { t_an = t; w_an = w; }
      misses = a->cache_misses;
      resets = a->cache_resets;
      kept = a->cache_kept;
    }
    if (strcmp(only, "analyzer")) {
      words = stem_bytes = 0;
      double t0 = now(), w0 = wall();
      for (size_t i = 0; i < c.n; i++) words += baseline(st, c.maps[i].p, c.maps[i].n, &stem_bytes);
      double t = now() - t0, w = wall() - w0;
      if (t < t_base) { t_base = t; w_base = w; }
    }
  }

  printf("%-10s %8s %8s %8s %12s  %s\n", "pipeline", "cpu s", "wall s", "MB/s", "tokens",
         "notes (best of " ROUNDS_STR " rounds; MB/s over CPU time)");
  if (strcmp(only, "baseline"))
    printf("%-10s %8.2f %8.2f %8.1f %12llu  %llu symbols, %zu invalid UTF-8, "
           "cache %llu misses %llu evictions keeping %llu (each round)\n",
           "analyzer", t_an, w_an, mb / t_an, (unsigned long long)s.tokens,
           (unsigned long long)s.symbols, total_inv, (unsigned long long)misses,
           (unsigned long long)resets, (unsigned long long)kept);
  if (strcmp(only, "analyzer"))
    printf("%-10s %8.2f %8.2f %8.1f %12llu  split + sb_stemmer_stem per word\n", "baseline", t_base,
           w_base, mb / t_base, (unsigned long long)words);
  if (!only[0])
    printf("ratio: analyzer is %.2fx the baseline (target >= 4x)  [checksums %llu %llu]\n",
           t_base / t_an, (unsigned long long)s.term_bytes, (unsigned long long)stem_bytes);

  sb_stemmer_delete(st);
  analyzer_free(a);
  for (size_t i = 0; i < c.n; i++) os_unmap(&c.maps[i]);
  indaga__free(c.maps);
  return 0;
}
