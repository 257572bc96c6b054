/*
** fts5_peer.c: the SQLite FTS5 peer of bench/ (see bench/README.md).
**
**   fts5_peer build   DUMP DB                  index a paragraph dump
**   fts5_peer latency DB QUERIES SNIPPETS PASSES   time top-10 searches
**   fts5_peer topk    DB QUERIES               print the top 10 of each query
**
** Design. One FTS5 table t(body, doc UNINDEXED, part UNINDEXED,
** ord UNINDEXED) holds one row per paragraph of the dump. Text goes through
** a custom tokenizer "es_snowball", registered through the fts5_api pointer
** (SELECT fts5(?1) with sqlite3_bind_pointer): tokens are runs of letters
** and digits (utf8proc categories L*, N*, with combining marks), lowercased,
** stripped of diacritics (as unicode61 remove_diacritics does, so ñ -> n)
** and then stemmed with libstemmer's Spanish stemmer. This is the usual
** FTS5 setup for Spanish; DESIGN.md explains why folding before stemming
** loses some inflections. To give the peer its best speed the tokenizer
** keeps a direct-mapped word -> stem cache (text is Zipfian), and prefix
** query tokens ("constitu*") are folded but not stemmed.
**
** Build: journal_mode=OFF and synchronous=OFF (no rollback journal, no
** fsync: the fastest bulk load SQLite offers; a crash mid-build loses the
** database, which a benchmark can afford), one transaction for all inserts,
** then INSERT INTO t(t) VALUES('optimize') to merge into one b-tree. Build
** time covers open, inserts, commit and optimize. A VACUUM after it (not
** timed) drops the pages optimize freed, so the size is the compact file.
**
** Search: ORDER BY rank (bm25()) LIMIT 10; snippets with snippet(t, 0,
** '<b>', '</b>', '...', 40) (about 240 bytes of Spanish, indaga's default).
** Only the prepared statement's bind/step/column/reset is timed.
**
** Errors: any failure prints a message naming the file and exits 2.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <libstemmer.h>
#include <utf8proc.h>
#include "peer_common.h"

/* ---------------------------------------------------------------- tokenizer */

#define TOK_MAX    255          /* longer tokens are cut (OCR noise) */
#define CACHE_SLOTS 65536u      /* direct-mapped word -> stem cache */
#define CACHE_WORD 31
#define FOLD_TABLE 0x800        /* precomputed folding below U+0800 */

typedef struct stem_slot {
  unsigned char nword, nstem;
  char word[CACHE_WORD];
  char stem[CACHE_WORD];
} stem_slot;

typedef struct es_tokenizer {
  struct sb_stemmer *stemmer;
  stem_slot *cache;
  unsigned char fold_len[FOLD_TABLE];   /* 0: not a token character */
  char fold[FOLD_TABLE][8];             /* folded UTF-8 of each code point */
} es_tokenizer;

static int is_token_cp(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
  case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
  case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
  case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
    return 1;
  default:
    return 0;
  }
}

/* Lowercase cp and strip its marks into out (at most 8 bytes); returns the
** byte count, 0 for a bare mark (dropped) or when it does not fit. */
static int fold_cp(utf8proc_int32_t cp, char *out) {
  utf8proc_int32_t dec[4];
  int last = 0, k = 0;
  utf8proc_ssize_t i, nd;
  nd = utf8proc_decompose_char(utf8proc_tolower(cp), dec, 4,
                               UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK, &last);
  if (nd < 0 || nd > 4) return 0;
  for (i = 0; i < nd; i++) {
    unsigned char tmp[4];
    utf8proc_ssize_t e = utf8proc_encode_char(dec[i], tmp);
    if (k + e > 8) return 0;
    memcpy(out + k, tmp, (size_t)e);
    k += (int)e;
  }
  return k;
}

static int es_create(void *ctx, const char **azArg, int nArg, Fts5Tokenizer **ppOut) {
  es_tokenizer *t = calloc(1, sizeof *t);
  utf8proc_int32_t cp;
  (void)ctx; (void)azArg; (void)nArg;
  if (!t) return SQLITE_NOMEM;
  t->stemmer = sb_stemmer_new("spanish", "UTF_8");
  t->cache = calloc(CACHE_SLOTS, sizeof *t->cache);
  if (!t->stemmer || !t->cache) {
    sb_stemmer_delete(t->stemmer);
    free(t->cache);
    free(t);
    return SQLITE_NOMEM;
  }
  for (cp = 0; cp < FOLD_TABLE; cp++) {
    if (is_token_cp(cp)) {
      int k = fold_cp(cp, t->fold[cp]);
      /* a bare combining mark is part of a token but folds to nothing */
      t->fold_len[cp] = (unsigned char)(k > 0 ? k : 0);
      if (k == 0) t->fold_len[cp] = 0xff;
    }
  }
  *ppOut = (Fts5Tokenizer *)t;
  return SQLITE_OK;
}

static void es_delete(Fts5Tokenizer *p) {
  es_tokenizer *t = (es_tokenizer *)p;
  if (!t) return;
  sb_stemmer_delete(t->stemmer);
  free(t->cache);
  free(t);
}

/* Stem word[0..n) through the cache; *out and *nout borrowed until the next call.
** Returns SQLITE_OK or SQLITE_NOMEM. */
static int stem_word(es_tokenizer *t, const char *w, int n, const char **out, int *nout) {
  uint32_t h = 2166136261u;
  const sb_symbol *s;
  stem_slot *slot = NULL;
  int i, ns;
  if (n <= CACHE_WORD) {
    for (i = 0; i < n; i++) h = (h ^ (unsigned char)w[i]) * 16777619u;
    slot = &t->cache[h & (CACHE_SLOTS - 1)];
    if (slot->nword == n && memcmp(slot->word, w, (size_t)n) == 0) {
      *out = slot->stem;
      *nout = slot->nstem;
      return SQLITE_OK;
    }
  }
  s = sb_stemmer_stem(t->stemmer, (const sb_symbol *)w, n);
  if (!s) return SQLITE_NOMEM;
  ns = sb_stemmer_length(t->stemmer);
  if (slot && ns <= CACHE_WORD) {
    slot->nword = (unsigned char)n;
    memcpy(slot->word, w, (size_t)n);
    slot->nstem = (unsigned char)ns;
    memcpy(slot->stem, s, (size_t)ns);
  }
  *out = (const char *)s;
  *nout = ns;
  return SQLITE_OK;
}

typedef int (*fts5_token_cb)(void *, int, const char *, int, int, int);

static int es_tokenize(Fts5Tokenizer *p, void *pCtx, int flags, const char *pText, int nText,
                       fts5_token_cb xToken) {
  es_tokenizer *t = (es_tokenizer *)p;
  const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)pText;
  char word[TOK_MAX + 8];
  int i = 0, nword = 0, start = -1, rc = SQLITE_OK;
  int prefix = (flags & FTS5_TOKENIZE_PREFIX) != 0;

  while (rc == SQLITE_OK && i <= nText) {
    utf8proc_int32_t cp = -1;
    int len = 1, flen = 0;
    const char *f = NULL;
    char tmp[8];
    if (i < nText) {
      if (s[i] < 0x80) {
        cp = s[i];
      } else {
        utf8proc_ssize_t r = utf8proc_iterate(s + i, nText - i, &cp);
        if (r < 1) cp = -1; else len = (int)r;
      }
      if (cp >= 0 && cp < FOLD_TABLE) {
        flen = t->fold_len[cp];
        f = t->fold[cp];
      } else if (cp >= FOLD_TABLE && is_token_cp(cp)) {
        flen = fold_cp(cp, tmp);
        f = tmp;
        if (flen == 0) flen = 0xff;
      }
    }
    if (flen) {                       /* a token character */
      if (start < 0) { start = i; nword = 0; }
      if (flen != 0xff && nword + flen <= TOK_MAX) {
        memcpy(word + nword, f, (size_t)flen);
        nword += flen;
      }
    } else if (start >= 0) {          /* end of a token */
      const char *stem = word;
      int nstem = nword;
      if (nword > 0) {
        if (!prefix) rc = stem_word(t, word, nword, &stem, &nstem);
        if (rc == SQLITE_OK) rc = xToken(pCtx, 0, stem, nstem, start, i);
      }
      start = -1;
    }
    i += len;
  }
  return rc;
}

/* ------------------------------------------------------------------ sqlite */

static void die_db(sqlite3 *db, const char *path, const char *what) {
  fprintf(stderr, "fts5_peer: %s: %s: %s\n", path, what, db ? sqlite3_errmsg(db) : "cannot open");
  exit(2);
}

static void exec_sql(sqlite3 *db, const char *path, const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "fts5_peer: %s: %s: %s\n", path, sql, err ? err : "error");
    exit(2);
  }
}

/* Open @path and register the es_snowball tokenizer on the connection. */
static sqlite3 *open_db(const char *path, int create) {
  static fts5_tokenizer tok = { es_create, es_delete, es_tokenize };
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  fts5_api *api = NULL;
  int fl = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2(path, &db, fl, NULL) != SQLITE_OK) die_db(db, path, "open");
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
    die_db(db, path, "this SQLite has no FTS5");
  sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
  sqlite3_step(st);
  sqlite3_finalize(st);
  if (!api || api->iVersion < 2) die_db(db, path, "no fts5_api pointer");
  if (api->xCreateTokenizer(api, "es_snowball", NULL, &tok, NULL) != SQLITE_OK)
    die_db(db, path, "register tokenizer");
  return db;
}

static int cmd_build(const char *dump_path, const char *db_path) {
  size_t rows = 0;
  peer_dump dump;
  double t0, t1, cpu;
  long rss;
  sqlite3 *db;
  sqlite3_stmt *ins = NULL;
  peer_rec r;
  struct stat sb;

  remove(db_path);
  peer_dump_open(&dump, dump_path);
  t0 = peer_now();
  db = open_db(db_path, 1);
  exec_sql(db, db_path, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                        "PRAGMA cache_size=-262144;");
  exec_sql(db, db_path, "CREATE VIRTUAL TABLE t USING fts5(body, doc UNINDEXED, "
                        "part UNINDEXED, ord UNINDEXED, tokenize='es_snowball')");
  exec_sql(db, db_path, "BEGIN");
  if (sqlite3_prepare_v2(db, "INSERT INTO t(body, doc, part, ord) VALUES(?1, ?2, ?3, ?4)",
                         -1, &ins, NULL) != SQLITE_OK)
    die_db(db, db_path, "prepare insert");
  while (peer_dump_next(&dump, &r)) {
    sqlite3_bind_text(ins, 1, r.text, (int)r.ntext, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 2, r.doc, (int)r.ndoc, SQLITE_TRANSIENT);
    sqlite3_bind_int(ins, 3, (int)r.part);
    sqlite3_bind_int(ins, 4, (int)r.ordinal);
    if (sqlite3_step(ins) != SQLITE_DONE) die_db(db, db_path, "insert");
    sqlite3_reset(ins);
    rows++;
  }
  sqlite3_finalize(ins);
  exec_sql(db, db_path, "COMMIT");
  exec_sql(db, db_path, "INSERT INTO t(t) VALUES('optimize')");
  t1 = peer_now();
  peer_rusage(&cpu, &rss);
  exec_sql(db, db_path, "VACUUM");
  if (sqlite3_close(db) != SQLITE_OK) die_db(db, db_path, "close");
  if (stat(db_path, &sb) != 0) { perror(db_path); return 2; }
  printf("build_s=%.3f cpu_s=%.3f rss_kb=%ld index_bytes=%lld paragraphs=%zu\n",
         t1 - t0, cpu, rss, (long long)sb.st_size, rows);
  peer_dump_close(&dump);
  return 0;
}

static const char SQL_PLAIN[] =
  "SELECT doc, part, ord FROM t WHERE t MATCH ?1 ORDER BY rank LIMIT 10";
static const char SQL_SNIP[] =
  "SELECT doc, part, ord, snippet(t, 0, '<b>', '</b>', '...', 40) "
  "FROM t WHERE t MATCH ?1 ORDER BY rank LIMIT 10";

/*
** Run one query; with out != NULL print its hits as "qno\trank\tdoc\tpart\tord".
** Returns the number of hits, or -1 on a query error (message to stderr once).
*/
static int run_query(sqlite3_stmt *st, const char *q, int snippets, FILE *out, size_t qno,
                     int report) {
  int rc, hits = 0;
  sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const unsigned char *doc = sqlite3_column_text(st, 0);
    int part = sqlite3_column_int(st, 1), ord = sqlite3_column_int(st, 2);
    hits++;
    if (snippets) (void)sqlite3_column_text(st, 3);
    if (out) fprintf(out, "%zu\t%d\t%s\t%d\t%d\n", qno, hits, (const char *)doc, part, ord);
  }
  if (rc != SQLITE_DONE) {
    if (report)
      fprintf(stderr, "fts5_peer: query %zu [%s]: %s\n", qno + 1, q,
              sqlite3_errmsg(sqlite3_db_handle(st)));
    hits = -1;
  }
  sqlite3_reset(st);
  return hits;
}

static int cmd_search(const char *db_path, const char *qpath, int topk, int snippets,
                      int passes) {
  size_t n = 0, nq = 0, i, nlat = 0;
  char *text = peer_slurp(qpath, &n);
  char **q = peer_lines(text, n, &nq);
  sqlite3 *db = open_db(db_path, 0);
  sqlite3_stmt *st = NULL;
  double *lat, total = 0;
  unsigned long long hits = 0;
  int p, errors = 0;

  if (sqlite3_prepare_v3(db, snippets ? SQL_SNIP : SQL_PLAIN, -1, SQLITE_PREPARE_PERSISTENT,
                         &st, NULL) != SQLITE_OK)
    die_db(db, db_path, "prepare search");
  if (topk) {
    for (i = 0; i < nq; i++) if (q[i][0]) (void)run_query(st, q[i], 0, stdout, i, 1);
  } else {
    lat = malloc((nq * (size_t)passes + 1) * sizeof *lat);
    if (!lat) { fprintf(stderr, "fts5_peer: out of memory\n"); return 2; }
    for (i = 0; i < nq; i++)                       /* warm-up pass, untimed */
      if (q[i][0] && run_query(st, q[i], snippets, NULL, i, 1) < 0) errors++;
    for (p = 0; p < passes; p++) {
      for (i = 0; i < nq; i++) {
        double t0, dt;
        int h;
        if (!q[i][0]) continue;
        t0 = peer_now();
        h = run_query(st, q[i], snippets, NULL, i, 0);
        dt = peer_now() - t0;
        total += dt;
        lat[nlat++] = dt * 1e6;
        if (h > 0) hits += (unsigned long long)h;
      }
    }
    printf("errors=%d ", errors);
    peer_print_latency(lat, nlat, total, hits);
    free(lat);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  free(q);
  free(text);
  return 0;
}

static int usage(void) {
  fprintf(stderr, "usage: fts5_peer build DUMP DB\n"
                  "       fts5_peer latency DB QUERIES SNIPPETS(0|1) PASSES\n"
                  "       fts5_peer topk DB QUERIES\n");
  return 2;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "build") == 0) return cmd_build(argv[2], argv[3]);
  if (argc == 4 && strcmp(argv[1], "topk") == 0) return cmd_search(argv[2], argv[3], 1, 0, 0);
  if (argc == 6 && strcmp(argv[1], "latency") == 0) {
    int passes = atoi(argv[5]);
    if (passes < 1) return usage();
    return cmd_search(argv[2], argv[3], 0, atoi(argv[4]) != 0, passes);
  }
  return usage();
}
