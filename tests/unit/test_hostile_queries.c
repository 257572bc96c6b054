/*
** test_hostile_queries.c: queries nobody should type, through the public API
** (issues 8 and 16). They run over two indexes: the project's corpus/
** (real UN documents, always) and the 534 UN documents of the shared data
** ($INDAGA_SHARED_DATA/un, else the build's default path; skipped with a
** line saying so when absent), each built once in a temporary directory.
**
** Every query must come back within its work budget (indaga.h, the default
** 2 s and 64 MiB unless a case says otherwise) with an answer (INDAGA_OK,
** hits or none), a clear error (INDAGA_EMISUSE "empty query ...") or, for
** the cases allowed to, INDAGA_ELIMIT "query over its work budget: ...";
** never a crash, and in bounded memory: the test reads its own peak RSS
** (getrusage) after each case and fails when one query raised it by more
** than 256 MiB (the budget's 64 MiB, plus what the sanitizers keep). There
** is no timing threshold; ctest's timeout stops a query that would not
** end, and the per-case time is printed for the report.
**
** Cases: 10,000 terms; 1 MB of real text as one query; 100,000 nested
** parentheses (and unbalanced ones, and nested quotes/NOT); "*" alone and
** other operator-only strings; only stopwords; NUL-free binary junk; very
** long words and prefixes; NEAR/999999999; a prefix repeated 1000 times
** (merged: one expansion), 1000 distinct prefixes, prefixes under NEAR;
** and the budget itself: a small memory budget, a time budget, partial
** results, cancellation before and during a search (from another thread),
** and a version 1 options struct.
*/
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "indaga.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { IX_CORPUS, IX_UN, IX_COUNT };
static const char *const g_names[IX_COUNT] = { "corpus/", "UN 534" };
static char g_dirs[IX_COUNT][64];
static indaga_index *g_all[IX_COUNT];
static indaga_index *g_idx;          /* the index the cases run on now */
static const char *g_name;

static long peak_rss_kb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Index the files under @src into a new temporary directory; the snapshot in g_all[@i]. */
static int build(int i, const char *src) {
  snprintf(g_dirs[i], sizeof g_dirs[i], "/tmp/indaga-hq-XXXXXX");
  if (!mkdtemp(g_dirs[i])) return -1;
  indaga_writer *w = NULL;
  indaga_sync_report rep;
  if (indaga_writer_open(&w, g_dirs[i], NULL, NULL) != INDAGA_OK) return -1;
  int rc = indaga_writer_sync(w, src, &rep);
  if (rc == INDAGA_OK) rc = indaga_writer_commit(w, NULL);
  indaga_writer_close(w);
  if (rc != INDAGA_OK) return -1;
  printf("  index %s: %llu documents, %llu paragraphs\n", g_names[i], (unsigned long long)rep.added,
         (unsigned long long)rep.paragraphs);
  return indaga_index_open(&g_all[i], g_dirs[i], NULL, NULL) == INDAGA_OK ? 0 : -1;
}

static int setup(void **state) {
  (void)state;
  if (build(IX_CORPUS, INDAGA_SOURCE_DIR "/corpus")) return -1;
  const char *shared = getenv("INDAGA_SHARED_DATA");
  char un[1024];
  snprintf(un, sizeof un, "%s/un", shared && *shared ? shared : INDAGA_SHARED_DATA);
  if (access(un, R_OK) == 0) return build(IX_UN, un);
  printf("SKIP: the 534 UN documents (%s) are absent; the hostile queries run over corpus/ only\n", un);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  for (int i = 0; i < IX_COUNT; i++) {
    indaga_index_close(g_all[i]);
    if (!g_dirs[i][0]) continue;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dirs[i]);
    if (system(cmd) != 0) return -1;
  }
  return 0;
}

/* for each index built: g_idx and g_name set */
#define EACH_INDEX \
  for (int ix_ = 0; ix_ < IX_COUNT; ix_++) \
    if ((g_idx = g_all[ix_]) != NULL && (g_name = g_names[ix_]) != NULL && printf("  [%s]\n", g_name) > 0)

#define MAY_EMPTY 0x1   /* INDAGA_EMISUSE "empty query" is an answer */
#define MAY_LIMIT 0x2   /* INDAGA_ELIMIT "query over its work budget" is an answer */

/*
** Run @q with options @o (NULL: defaults and one paragraph of context); it
** must answer as @how allows. Hits must be well formed. Returns the status;
** the number of hits in *nhits when not NULL.
*/
static int run_with(const char *name, const char *q, const indaga_search_options *o, int how, size_t *nhits) {
  long rss0 = peak_rss_kb();
  double t0 = now_s();
  indaga_search_options def = INDAGA_SEARCH_OPTIONS_INIT;
  def.context = 1;
  indaga_results *r = NULL;
  int rc = indaga_search(&r, g_idx, q, o ? o : &def);
  double dt = now_s() - t0;
  size_t n = 0;
  const char *m = r ? indaga_results_errmsg(r) : NULL;
  if (rc == INDAGA_EMISUSE && (how & MAY_EMPTY)) {
    assert_non_null(m);
    if (strncmp(m, "empty query", 11) != 0) fail_msg("%s: EMISUSE with message '%s'", name, m);
  } else if (rc == INDAGA_ELIMIT && (how & MAY_LIMIT)) {
    assert_non_null(m);
    if (strncmp(m, "query over its work budget: ", 28) != 0) fail_msg("%s: ELIMIT with message '%s'", name, m);
    assert_int_equal(indaga_results_count(r), 0);
  } else if (rc == INDAGA_OK) {
    n = indaga_results_count(r);
    for (size_t i = 0; i < n; i++) {
      const indaga_hit *h = indaga_results_hit(r, i);
      assert_non_null(h);
      assert_non_null(h->doc);
      for (size_t j = 0; j < h->nhighlights; j++)
        assert_true(h->highlights[j].start < h->highlights[j].end &&
                    h->highlights[j].end <= h->snippet_len);
    }
  } else {
    fail_msg("%s: status %d (%s): %s", name, rc, indaga_strerror(rc), m ? m : "");
  }
  const char *note = r ? indaga_results_note(r) : NULL;
  printf("  %-30s %zu bytes: status %d, %zu hits, %.3f s, peak RSS +%ld KiB%s%.100s%s%.100s\n", name, strlen(q),
         rc, n, dt, peak_rss_kb() - rss0, note ? ", note: " : "", note ? note : "", rc && m ? ", " : "",
         rc && m ? m : "");
  indaga_results_free(r);
  if (peak_rss_kb() - rss0 > 256L * 1024) fail_msg("%s: peak RSS grew by %ld KiB", name, peak_rss_kb() - rss0);
  if (nhits) *nhits = n;
  return rc;
}

/* run_with() under the default budget, answers as @how allows; returns the number of hits. */
static size_t run_how(const char *name, const char *q, int how) {
  size_t n = 0;
  run_with(name, q, NULL, how, &n);
  return n;
}

/*
** Run @q; it must answer (INDAGA_OK) or, when @may_be_empty, say
** "empty query". Returns the number of hits.
*/
static size_t run(const char *name, const char *q, int may_be_empty) {
  return run_how(name, q, may_be_empty ? MAY_EMPTY : 0);
}

/* A buffer of @n copies of @unit followed by @tail (caller frees). */
static char *repeat(const char *head, const char *unit, size_t n, const char *tail) {
  size_t nh = strlen(head), nu = strlen(unit), nt = strlen(tail);
  char *q = malloc(nh + nu * n + nt + 1);
  assert_non_null(q);
  memcpy(q, head, nh);
  for (size_t i = 0; i < n; i++) memcpy(q + nh + i * nu, unit, nu);
  memcpy(q + nh + nu * n, tail, nt + 1);
  return q;
}

/* run() on repeat(@head, @unit, @n, @tail); returns the hits. */
static size_t run_repeated(const char *name, const char *head, const char *unit, size_t n,
                           const char *tail, int may_be_empty) {
  char *q = repeat(head, unit, n, tail);
  size_t hits = run(name, q, may_be_empty);
  free(q);
  return hits;
}

/* Real words: the corpus's own text, split on blanks. */
static char *real_text(size_t want) {
  FILE *f = fopen(INDAGA_SOURCE_DIR "/tests/data/docmodel/carta_krasnodar_2017.txt", "rb");
  assert_non_null(f);
  char src[8192];
  size_t ns = fread(src, 1, sizeof src, f);
  fclose(f);
  assert_true(ns > 1000);
  char *q = malloc(want + 1);
  assert_non_null(q);
  for (size_t i = 0; i < want; i++) {
    char c = src[i % ns];
    q[i] = c == 0 ? ' ' : c;
  }
  q[want] = 0;
  return q;
}

static void test_hostile_queries__many_terms(void **state) {
  (void)state;
  EACH_INDEX {
    /* 10,000 distinct-ish real terms ANDed: nothing matches all, the answer is no hits */
    char *q = real_text(120000);
    size_t words = 0, i = 0;
    for (; q[i] && words < 10000; i++)
      if (q[i] == ' ' || q[i] == '\n') words++;
    q[i] = 0;
    assert_int_equal(run("10,000 terms (AND)", q, 0), 0);
    free(q);
    /* 10,000 terms ORed (four words repeated: merged), a real answer, top 10 */
    assert_int_equal(run_repeated("10,000 terms (OR)", "",
                                  "combatientes OR terroristas OR informacion OR consejo OR ", 2500,
                                  "seguridad", 0), 10);
    /* 10,000 OR terms that differ: the first 1024 words are kept (parse.c), an answer */
    char *d = malloc(10000 * 16);
    assert_non_null(d);
    size_t n = 0;
    for (unsigned k = 0; k < 10000; k++)
      n += (size_t)sprintf(d + n, "%s%c%c%u", k ? " OR " : "", 'a' + k % 26, 'a' + (k / 26) % 26, k);
    run("10,000 distinct OR terms", d, 0);
    free(d);
  }
}

static void test_hostile_queries__megabyte(void **state) {
  (void)state;
  EACH_INDEX {
    char *q = real_text(1 << 20);
    run("1 MB of real text", q, 0);
    free(q);
    assert_true(run_repeated("40,000 phrases", "", "\"Consejo de Seguridad\" ", 40000, "", 0) > 0);
  }
}

static void test_hostile_queries__nesting(void **state) {
  (void)state;
  EACH_INDEX {
    char *opened = repeat("", "(", 100000, "terroristas");
    assert_true(run_repeated("100,000 nested ( )", opened, ")", 100000, "", 0) > 0);
    free(opened);
    run_repeated("100,000 unclosed (", "", "(", 100000, "", 1);
    assert_true(run_repeated("100,000 unopened )", "terroristas ", ")", 100000, "", 0) > 0);
    run_repeated("30,000 NOT ( nested", "", "NOT (", 30000, "terroristas", 1);
    run_repeated("100,000 minus signs", "", "-", 100000, "terroristas", 1);
    run_repeated("100,001 quotes", "", "\"", 100001, "consejo", 1);
  }
}

static void test_hostile_queries__operators_alone(void **state) {
  (void)state;
  static const char *const qs[] = { "*", "**", "* * *", "OR", "AND", "NOT", "NEAR/5", "\"\"", "()",
                                    "-", "symbol:", "year:", "doc:*", "title:\"\"", "NEAR/99999999999",
                                    "NEAR/999999999", "a NEAR/4294967296 b", "", " \t\n" };
  EACH_INDEX {
    for (size_t i = 0; i < ARRAY_LEN(qs); i++) run(qs[i][0] ? qs[i] : "(empty)", qs[i], 1);
    /* real words with hostile operators still answer */
    assert_true(run("NEAR with the largest distance", "combatientes NEAR/9999 extranjeros", 0) > 0);
    assert_true(run("NEAR/999999999", "combatientes NEAR/999999999 extranjeros", 0) > 0);
    /* more digits than NEAR/n takes: the token is read as words (DESIGN.md), no hits, no error */
    run("NEAR with a 2^32-1 distance", "combatientes NEAR/4294967295 extranjeros", 0);
    assert_true(run("prefix of one letter", "c*", 0) > 0);
    run_how("NEAR/999999999 of prefixes", "a* NEAR/999999999 e* NEAR/999999999 c*", MAY_LIMIT);
  }
}

static void test_hostile_queries__stopwords(void **state) {
  (void)state;
  EACH_INDEX {
    run("only stopwords", "de la el y en los del las por", 1);
    run_repeated("40,000 stopwords", "", "de la que el en y a los ", 5000, "", 1);
    /* as a phrase, stopwords are searchable (DESIGN.md: they are indexed with positions) */
    assert_true(run("stopword phrase", "\"de la\"", 0) > 0);
  }
}

static void test_hostile_queries__binary_junk(void **state) {
  (void)state;
  EACH_INDEX {
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int round = 0; round < 20; round++) {
      size_t n = (size_t)1 << (round % 16);
      char *q = malloc(n + 1);
      assert_non_null(q);
      for (size_t i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        q[i] = (char)(x % 255 + 1);   /* 1..255: NUL-free */
      }
      q[n] = 0;
      char name[32];
      snprintf(name, sizeof name, "binary junk #%d", round);
      run(name, q, 1);
      free(q);
    }
    run_repeated("invalid UTF-8, 900 KB", "", "\xff\xfe\xc3", 300000, "", 1);
  }
}

static void test_hostile_queries__long_words(void **state) {
  (void)state;
  EACH_INDEX {
    run_repeated("one 1 MB word", "", "a", 1 << 20, "", 1);
    run_repeated("600 KB prefix", "", "terror", 100000, "*", 1);
    run_repeated("500,000-digit number", "", "9", 500000, "", 1);
    run_repeated("250 KB symbol-like token", "S/RES/", "2354/", 50000, "", 1);
  }
}

/* The notes of @q under the default budget (caller frees), and its hits in *nhits. */
static char *notes_of(const char *q, size_t *nhits) {
  indaga_results *r = NULL;
  int rc = indaga_search(&r, g_idx, q, NULL);
  if (rc) fail_msg("%s: status %d: %s", q, rc, indaga_results_errmsg(r));
  *nhits = indaga_results_count(r);
  const char *n = indaga_results_note(r);
  char *copy = strdup(n ? n : "");
  indaga_results_free(r);
  return copy;
}

/* The top hits' (doc, paragraph, score) of @q under the default budget, as one string (caller frees). */
static char *top_of(const char *q) {
  indaga_results *r = NULL;
  assert_int_equal(indaga_search(&r, g_idx, q, NULL), INDAGA_OK);
  size_t cap = 64 + 300 * indaga_results_count(r), n = 0;
  char *s = malloc(cap);
  assert_non_null(s);
  s[0] = 0;
  for (size_t i = 0; i < indaga_results_count(r); i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    n += (size_t)snprintf(s + n, cap - n, "%.200s#%u:%u %.6f\n", h->doc, h->part, h->paragraph, h->score);
  }
  indaga_results_free(r);
  return s;
}

/*
** Issue 16: `a* OR a* OR ...` took 57 s and 209 MB. Duplicates are merged
** while parsing: the query gives exactly the hits of `a*` alone, and says so.
*/
static void test_hostile_queries__repeated_prefixes(void **state) {
  (void)state;
  EACH_INDEX {
    char *q = repeat("a*", " OR a*", 999, "");
    assert_true(run("a* OR a* ... (1000 times)", q, 0) > 0);
    size_t n = 0;
    char *notes = notes_of(q, &n);
    assert_non_null(strstr(notes, "repeated words merged"));
    free(notes);
    char *one = top_of("a*"), *many = top_of(q);
    assert_string_equal(one, many);
    free(one);
    free(many);
    free(q);
    /* case differs, same expansion; an AND of the same prefix; repeated subtrees */
    q = repeat("A*", " OR a*", 999, "");
    assert_true(run("A* OR a* ... (1000 times)", q, 0) > 0);
    free(q);
    q = repeat("consejo", " consejo", 999, "");
    assert_true(run("consejo x 1000 (AND)", q, 0) > 0);
    free(q);
    q = repeat("(consejo OR seguridad*)", " OR (consejo OR seguridad*)", 999, "");
    assert_true(run("(w OR p*) OR ... x 1000", q, 0) > 0);
    free(q);
    q = repeat("(a* NEAR/5 b*)", " (a* NEAR/5 b*)", 300, "");
    run_how("(a* NEAR/5 b*) x 300", q, MAY_LIMIT);
    free(q);
  }
}

enum { P_PREFIX, P_NEAR, P_PHRASE };

/*
** A query of @n distinct two-letter prefixes ("ab*"), each alone, in a
** NEAR/999999999 with its reverse, or in a phrase, by @shape, joined by
** @op (caller frees).
*/
static char *distinct_prefixes(size_t n, const char *op, int shape) {
  char *q = malloc(n * (strlen(op) + 40) + 1);
  assert_non_null(q);
  size_t o = 0;
  for (size_t k = 0; k < n; k++) {
    char a = (char)('a' + k % 26), b = (char)('a' + (k / 26) % 26);
    if (k) o += (size_t)sprintf(q + o, "%s", op);
    if (shape == P_PREFIX) o += (size_t)sprintf(q + o, "%c%c*", a, b);
    else if (shape == P_NEAR) o += (size_t)sprintf(q + o, "(%c%c* NEAR/999999999 %c%c*)", a, b, b, a);
    else o += (size_t)sprintf(q + o, "\"%c%c* de la\"", a, b);
  }
  q[o] = 0;
  return q;
}

/* Distinct prefixes cannot be merged: the budget bounds their expansions. */
static void test_hostile_queries__distinct_prefixes(void **state) {
  (void)state;
  EACH_INDEX {
    char *q = distinct_prefixes(676, " OR ", P_PREFIX);
    run_how("676 distinct prefixes (OR)", q, MAY_LIMIT);
    free(q);
    q = distinct_prefixes(676, " ", P_PREFIX);
    run_how("676 distinct prefixes (AND)", q, MAY_LIMIT);
    free(q);
    q = distinct_prefixes(676, " OR ", P_NEAR);
    run_how("676 NEAR/999999999 of prefixes", q, MAY_LIMIT);
    free(q);
    q = distinct_prefixes(676, " OR ", P_PHRASE);
    run_how("676 phrases with prefixes", q, MAY_LIMIT);
    free(q);
  }
}

/*
** The memory budget: with 1 MiB, a query that needs more is refused with
** INDAGA_ELIMIT naming the memory, and a small one still answers.
*/
static void test_hostile_queries__memory_budget(void **state) {
  (void)state;
  EACH_INDEX {
    indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
    o.memory_bytes = 1u << 20;
    char *q = distinct_prefixes(676, " OR ", P_NEAR);
    indaga_results *r = NULL;
    assert_int_equal(indaga_search(&r, g_idx, q, &o), INDAGA_ELIMIT);
    printf("  1 MiB budget: %s\n", indaga_results_errmsg(r));
    assert_non_null(strstr(indaga_results_errmsg(r), "query over its work budget: the memory limit of 1 MiB"));
    assert_int_equal(indaga_results_count(r), 0);
    indaga_results_free(r);
    free(q);
    size_t n = 0;
    assert_int_equal(run_with("consejo (1 MiB budget)", "consejo", &o, 0, &n), INDAGA_OK);
    assert_true(n > 0);
    /* the hits' memory counts too: a thousand hits with their context do not fit in 64 KiB */
    o.memory_bytes = 64u << 10;
    o.k = 1000;
    o.context = 5;
    assert_int_equal(run_with("de, k=1000 (64 KiB budget)", "de", &o, MAY_LIMIT, NULL), INDAGA_ELIMIT);
    /* prefix expansion follows the budget: with 256 KiB, 64 terms at most, and a note */
    o.k = 10;
    o.context = 0;
    o.memory_bytes = 256u << 10;
    r = NULL;
    int rc = indaga_search(&r, g_idx, "c*", &o);
    printf("  c* with 256 KiB: status %d, note %s\n", rc, indaga_results_note(r));
    assert_int_equal(rc, INDAGA_OK);
    assert_non_null(indaga_results_note(r));
    assert_non_null(strstr(indaga_results_note(r), "a prefix matched more words than the query's work budget allows"));
    indaga_results_free(r);
  }
}

/*
** The time budget. With 1 ms, a query that needs far more (1000 distinct
** prefixes, hundreds of milliseconds unbounded) stops with INDAGA_ELIMIT
** naming the time; with partial results asked for, a search whose time
** runs out while collecting matches answers with the hits so far, marked
** partial. No assertion on how long anything took.
*/
static void test_hostile_queries__time_budget(void **state) {
  (void)state;
  EACH_INDEX {
    indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
    o.time_ms = 1;
    o.memory_bytes = 0;
    char *q = distinct_prefixes(676, " OR ", P_NEAR);
    indaga_results *r = NULL;
    int rc = indaga_search(&r, g_idx, q, &o);
    printf("  1 ms budget: status %d, %s, %.3f ms\n", rc, indaga_results_errmsg(r),
           (double)indaga_results_took_us(r) / 1000.0);
    if (rc == INDAGA_OK) {
      /* a machine fast enough to finish it in 1 ms: nothing to check */
      indaga_results_free(r);
      free(q);
      continue;
    }
    assert_int_equal(rc, INDAGA_ELIMIT);
    assert_non_null(strstr(indaga_results_errmsg(r), "query over its work budget: the time limit of 1 ms ran out while"));
    indaga_results_free(r);
    free(q);
    /*
    ** Partial results: time limits from 1 ms to 1 s over three queries (the
    ** last, real words ORed, expands fast and collects long); a limit
    ** reached while collecting matches gives the hits so far, marked
    ** partial; one reached before (expanding) gives ELIMIT, since there is
    ** nothing to show yet; one not reached gives the whole answer.
    */
    char *qs[3] = { distinct_prefixes(676, " OR ", P_NEAR), distinct_prefixes(676, " OR ", P_PREFIX),
                    real_text(120000) };
    for (char *c = qs[2]; *c; c++)
      if (*c == ' ' || *c == '\n') *c = '|';   /* each blank becomes " OR " below */
    char *ors = malloc(4 * strlen(qs[2]) + 1), *w = ors;
    assert_non_null(ors);
    for (const char *c = qs[2]; *c; c++) {
      if (*c == '|') { memcpy(w, " OR ", 4); w += 4; }
      else *w++ = *c;
    }
    *w = 0;
    free(qs[2]);
    qs[2] = ors;
    unsigned partials = 0, limits = 0, whole = 0;
    o.partial = 1;
    for (int k = 0; k < 3; k++) {
      for (unsigned ms = 1; ms <= 1024; ms = ms * 3 / 2 + 1) {
        o.time_ms = ms;
        r = NULL;
        rc = indaga_search(&r, g_idx, qs[k], &o);
        if (rc == INDAGA_OK && indaga_results_partial(r)) {
          partials++;
          assert_true(indaga_results_count(r) <= o.k);
          for (size_t i = 0; i < indaga_results_count(r); i++) assert_non_null(indaga_results_hit(r, i)->snippet);
        } else if (rc == INDAGA_OK) {
          whole++;
        } else {
          assert_int_equal(rc, INDAGA_ELIMIT);
          assert_non_null(strstr(indaga_results_errmsg(r), "the time limit of"));
          assert_null(strstr(indaga_results_errmsg(r), "collecting matches"));
          limits++;
        }
        indaga_results_free(r);
      }
    }
    printf("  partial sweep (1 ms to 1 s, x1.5): %u partial answers, %u ELIMIT before collecting, %u whole\n",
           partials, limits, whole);
    for (int k = 0; k < 3; k++) free(qs[k]);
    assert_true(partials > 0);
    /* a complete answer is never marked partial */
    o.time_ms = 0;
    r = NULL;
    assert_int_equal(indaga_search(&r, g_idx, "consejo", &o), INDAGA_OK);
    assert_int_equal(indaga_results_partial(r), 0);
    indaga_results_free(r);
  }
}

typedef struct cancel_job {
  const char *q;
  volatile int flag;
  volatile int started;
  int rc;
  unsigned runs;
  char msg[200];
  double returned;
} cancel_job;

/* Run j->q again and again, without a time limit, until a search does not answer INDAGA_OK. */
static void *cancel_search(void *p) {
  cancel_job *j = p;
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.time_ms = 0;          /* only the flag (or the memory) stops it */
  o.cancel = &j->flag;
  j->started = 1;
  do {
    indaga_results *r = NULL;
    j->rc = indaga_search(&r, g_idx, j->q, &o);
    j->returned = now_s();
    j->runs++;
    snprintf(j->msg, sizeof j->msg, "%s", indaga_results_errmsg(r) ? indaga_results_errmsg(r) : "");
    indaga_results_free(r);
  } while (j->rc == INDAGA_OK);
  return NULL;
}

/*
** Cancellation: a flag already set stops the search at once; a flag set by
** another thread while searches run stops the one running (or the next,
** at its first check) with INDAGA_ECANCELED; the delay and what the search
** was doing are printed, not checked. The searches: 676 NEAR of prefixes,
** tens to hundreds of milliseconds each, one after the other.
*/
static void test_hostile_queries__cancel(void **state) {
  (void)state;
  EACH_INDEX {
    indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
    volatile int flag = 1;
    o.cancel = &flag;
    indaga_results *r = NULL;
    assert_int_equal(indaga_search(&r, g_idx, "consejo", &o), INDAGA_ECANCELED);
    assert_non_null(strstr(indaga_results_errmsg(r), "query cancelled"));
    assert_int_equal(indaga_results_count(r), 0);
    indaga_results_free(r);
    flag = 0;
    r = NULL;
    assert_int_equal(indaga_search(&r, g_idx, "consejo", &o), INDAGA_OK);
    assert_true(indaga_results_count(r) > 0);
    indaga_results_free(r);

    cancel_job j;
    memset(&j, 0, sizeof j);
    char *q = distinct_prefixes(676, " OR ", P_NEAR);
    j.q = q;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_search, &j), 0);
    while (!j.started) usleep(1000);
    usleep(50000);
    double t0 = now_s();
    __atomic_store_n(&j.flag, 1, __ATOMIC_RELAXED);
    assert_int_equal(pthread_join(t, NULL), 0);
    printf("  cancelled from another thread after %u searches: status %d (%s), returned %.3f ms after the flag\n",
           j.runs, j.rc, j.msg, (j.returned - t0) * 1000.0);
    assert_int_equal(j.rc, INDAGA_ECANCELED);
    assert_non_null(strstr(j.msg, "query cancelled by the caller while "));
    free(q);
  }
}

/* A version 1 options struct (before the budget fields) still works, under the default budget. */
typedef struct options_v1 {
  unsigned version, k, offset;
  int group;
  unsigned context, snippet_bytes;
  double k1, b;
  int snippets;
} options_v1;

static void test_hostile_queries__options_v1(void **state) {
  (void)state;
  assert_int_equal(offsetof(options_v1, snippets), offsetof(indaga_search_options, snippets));
  EACH_INDEX {
    options_v1 *v1 = malloc(sizeof *v1);   /* exactly its size: ASan catches a read past it */
    assert_non_null(v1);
    *v1 = (options_v1){ 1, 3, 0, 0, 0, 240, 1.2, 0.75, 1 };
    indaga_results *r = NULL;
    assert_int_equal(indaga_search(&r, g_idx, "consejo", (const indaga_search_options *)(void *)v1), INDAGA_OK);
    assert_int_equal(indaga_results_count(r), 3);
    indaga_results_free(r);
    char *q = repeat("a*", " OR a*", 999, "");
    r = NULL;
    assert_int_equal(indaga_search(&r, g_idx, q, (const indaga_search_options *)(void *)v1), INDAGA_OK);
    indaga_results_free(r);
    free(q);
    free(v1);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hostile_queries__many_terms),
    cmocka_unit_test(test_hostile_queries__megabyte),
    cmocka_unit_test(test_hostile_queries__nesting),
    cmocka_unit_test(test_hostile_queries__operators_alone),
    cmocka_unit_test(test_hostile_queries__stopwords),
    cmocka_unit_test(test_hostile_queries__binary_junk),
    cmocka_unit_test(test_hostile_queries__long_words),
    cmocka_unit_test(test_hostile_queries__repeated_prefixes),
    cmocka_unit_test(test_hostile_queries__distinct_prefixes),
    cmocka_unit_test(test_hostile_queries__memory_budget),
    cmocka_unit_test(test_hostile_queries__time_budget),
    cmocka_unit_test(test_hostile_queries__cancel),
    cmocka_unit_test(test_hostile_queries__options_v1),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
