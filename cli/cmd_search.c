/*
** cmd_search.c: `indaga search [options] QUERY...` and `--batch FILE`
** (doc/CLI.md). Built on include/indaga.h alone.
**
** The words of QUERY are joined with spaces into one query. Options may
** come anywhere; an argument starting with '-' is an exclusion
** (`indaga search terrorismo -financiación`) unless it is a short option
** alone ("-n", "-h") or "-n" with its number ("-n5"); everything after
** `--` is query text.
**
** Human output, per hit: the citation (symbol or document · annex · párr.
** label) and the snippet, the matched words bold and coloured on a terminal
** only (--color); with --context, the paragraphs around it. Everything that
** comes from the documents is escaped and bounded (cli.h). --json prints
** JSON Lines: one "hit" object per hit and one "summary" per query, or one
** "error" line for a query that failed. A suggested correction of
** misspelled words comes first ("¿Quisiste decir: ...?", or "Mostrando
** resultados de: ..." when the query found nothing and the hits are the
** correction's), and in the summary ("suggestion", "corrected"). With --batch, each non-blank line
** of FILE ("-": standard input) is one query, numbered from 0 (query_no);
** lines are read in bounded memory (lines.h).
**
** Work budget: each query runs within --timeout MS and --max-memory MB
** (the library's defaults, 2000 ms and 64 MiB; 0: no limit). A query over
** its budget is an error ("query over its work budget: ...", status 2);
** with --partial, one that runs out of time while collecting matches shows
** the hits found so far, marked partial (a note on stderr; "partial":true
** in the JSON summary).
**
** Several --index options search those indexes as one (indaga_index_open_many):
** each hit then carries its index's label, "[label] " before the citation and
** "index" in JSON.
**
** Exit: 0 when some query found hits, 1 when none did, 2 on any error
** (no index, empty or failed query, a query over its work budget,
** unreadable batch), 64 on bad usage.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/lines.h"

enum { OPT_LIMIT = CLI_OPT_FIRST, OPT_OFFSET, OPT_GROUP, OPT_CONTEXT, OPT_NO_SNIPPETS, OPT_BATCH,
       OPT_TIMEOUT, OPT_MAX_MEMORY, OPT_PARTIAL, OPT_ALL, OPT_SORT, OPT_FACET };

static const cli_option opts[] = {
  { "index", 0, "DIR", CLI_OPT_INDEX, "the index directory (default $INDAGA_INDEX, else ./.indaga); repeat it to search several as one" },
  { "limit", 'n', "K", OPT_LIMIT, "hits to show, 1 to 100000 (default 10)" },
  { "offset", 0, "N", OPT_OFFSET, "skip the first N hits (paging), 0 to 1000000" },
  { "all", 0, NULL, OPT_ALL, "every word required (as if each were +word), not a best match" },
  { "group", 0, NULL, OPT_GROUP, "at most one hit (the best paragraph) per document" },
  { "context", 0, "N", OPT_CONTEXT, "also show N paragraphs before and after each hit, 0 to 1000" },
  { "no-snippets", 0, NULL, OPT_NO_SNIPPETS, "no snippet text (faster)" },
  { "batch", 0, "FILE", OPT_BATCH, "one query per non-blank line of FILE ('-': standard input)" },
  { "timeout", 0, "MS", OPT_TIMEOUT, "time limit per query in ms, 0 (none) to 3600000 (default 2000)" },
  { "max-memory", 0, "MB", OPT_MAX_MEMORY, "memory limit per query in MiB, 0 (none) to 65536 (default 64)" },
  { "partial", 0, NULL, OPT_PARTIAL, "out of time: show the hits found so far, marked partial" },
  { "sort", 0, "ORDER", OPT_SORT, "relevance (default), date (oldest first), -date (newest first) or doc" },
  { "facet", 0, "FIELD", OPT_FACET, "count matching paragraphs and documents per value of FIELD (year, status, ...); repeatable, up to 16" },
  CLI_ROW_JSON("JSON Lines: a \"hit\" per hit, a \"summary\" or an \"error\" per query"),
  CLI_ROW_COLOR,
  CLI_ROW_HELP,
};

static const cli_command search_cmd = {
  "search",
  "usage: indaga search [--index DIR]... [-n K] [--offset N] [--all] [--group] [--context N]\n"
  "                     [--no-snippets] [--timeout MS] [--max-memory MB] [--partial]\n"
  "                     [--sort ORDER] [--facet FIELD]... [--color WHEN] [--json] [--] QUERY...\n"
  "       indaga search [--index DIR]... [-n K] [--json] --batch FILE\n",
  "Search the index. Plain words are a best match: paragraphs holding all of\n"
  "them come first, then those holding most of them; +word, a AND b, or --all\n"
  "require words. Question words (qu\xC3\xA9, cu\xC3\xA1ntos, d\xC3\xB3nde...) never restrict. Also\n"
  "\"exact phrase\", OR, NOT or -word, (grouping), prefix*, a NEAR/n b, and the\n"
  "filters symbol:, doc:, annex:, title:, body: (body:S, body:A/RES), date: and\n"
  "year: (a day, month or year, or a range: date:2015-01..2016-06,\n"
  "year:2015..2019, date:..2010), and any field of the documents\n"
  "(status:in_force, rank:ley, original:ruso). Accents and inflections do not\n"
  "matter: informacion finds informaci\xC3\xB3n and informaciones; ano never finds a\xC3\xB1o.\n"
  "\n"
  "An argument starting with '-' excludes a word, unless it is -n or -h (or -n\n"
  "with its number, -n5); after --, everything is query text. A query, or a\n"
  "--batch line, longer than 1 MiB is an error; a batch line holding a NUL byte\n"
  "too. Highlights in --json are byte offsets within the snippet.\n"
  "\n"
  "Each query runs within a work budget (--timeout, --max-memory); a query over\n"
  "it is an error (status 2) naming the limit, unless --partial shows the hits\n"
  "found before the time ran out.\n"
  "\n"
  "With --index given several times, the indexes are searched as one, with the\n"
  "statistics of all of them (scores and order as one index over them all); each\n"
  "hit says its index (\"[un] ...\"; \"index\" in JSON). The same index twice, or\n"
  "two directories of one name, is a usage error (status 64).\n",
  opts, CLI_NOPTS(opts),
  "exit status: 0 hits found, 1 nothing found, 2 error (or a query over its budget)\n",
  CLI_DASH_WORDS,
};

typedef struct search_args {
  const char *indexes[INDAGA_OPEN_MANY_MAX];   /* --index, in order (none: the default directory) */
  size_t nindexes;
  const char *batch;
  long k, offset, context, timeout_ms, max_memory_mb;
  int group, json, nosnip, color, partial, all, sort;
  const char *facets[INDAGA_FACETS_MAX];
  size_t nfacets;
  char *query;            /* joined QUERY words (malloc) */
  size_t query_len;
} search_args;

/* Append @w to the query with a space. Returns 0 or -1 (no memory). */
static int add_word(search_args *a, const char *w) {
  size_t n = strlen(w);
  char *q = realloc(a->query, a->query_len + n + 2);
  if (!q) return -1;
  if (a->query_len) q[a->query_len++] = ' ';
  memcpy(q + a->query_len, w, n + 1);
  a->query = q;
  a->query_len += n;
  return 0;
}

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, search_args *a) {
  a->k = 10;
  a->timeout_ms = INDAGA_SEARCH_TIME_MS_DEFAULT;
  a->max_memory_mb = (long)(INDAGA_SEARCH_MEMORY_DEFAULT >> 20);
  cli_parser p;
  cli_parser_init(&p, &search_cmd, argc, argv);
  for (int o; (o = cli_next(&p)) != CLI_DONE;) {
    switch (o) {
    case CLI_EXIT: return p.status;
    case CLI_OPERAND:
      if (add_word(a, p.arg)) return cli_error("search: out of memory");
      break;
    case CLI_OPT_INDEX:
      if (a->nindexes == INDAGA_OPEN_MANY_MAX) return cli_usage("search", "at most 256 --index directories");
      a->indexes[a->nindexes++] = p.arg;
      break;
    case CLI_OPT_JSON: a->json = 1; break;
    case CLI_OPT_COLOR:
      if (cli_value_color(&p, &a->color)) return EXIT_USAGE;
      break;
    case OPT_LIMIT:
      if (cli_value_long(&p, 1, 100000, &a->k)) return EXIT_USAGE;
      break;
    case OPT_OFFSET:
      if (cli_value_long(&p, 0, 1000000, &a->offset)) return EXIT_USAGE;
      break;
    case OPT_CONTEXT:
      if (cli_value_long(&p, 0, 1000, &a->context)) return EXIT_USAGE;
      break;
    case OPT_GROUP: a->group = 1; break;
    case OPT_ALL: a->all = 1; break;
    case OPT_NO_SNIPPETS: a->nosnip = 1; break;
    case OPT_BATCH: a->batch = p.arg; break;
    case OPT_TIMEOUT:
      if (cli_value_long(&p, 0, 3600000, &a->timeout_ms)) return EXIT_USAGE;
      break;
    case OPT_MAX_MEMORY:
      if (cli_value_long(&p, 0, 65536, &a->max_memory_mb)) return EXIT_USAGE;
      break;
    case OPT_PARTIAL: a->partial = 1; break;
    case OPT_SORT:
      if (!strcmp(p.arg, "relevance")) a->sort = INDAGA_SORT_RELEVANCE;
      else if (!strcmp(p.arg, "date")) a->sort = INDAGA_SORT_DATE;
      else if (!strcmp(p.arg, "-date")) a->sort = INDAGA_SORT_DATE_DESC;
      else if (!strcmp(p.arg, "doc")) a->sort = INDAGA_SORT_DOC;
      else return cli_usage("search", "--sort takes relevance, date, -date or doc");
      break;
    case OPT_FACET:
      if (a->nfacets == INDAGA_FACETS_MAX) return cli_usage("search", "at most 16 --facet fields");
      if (!p.arg[0]) return cli_usage("search", "--facet takes a field name");
      a->facets[a->nfacets++] = p.arg;
      break;
    default: return cli_usage("search", "unexpected option");
    }
  }
  if (a->batch && a->query) return cli_usage("search", "give either QUERY or --batch FILE, not both");
  if (!a->batch && !a->query) return cli_usage("search", "no query given");
  return -1;
}

/* Print @h's snippet, escaped, the highlights in bold colour when @color. */
static void print_snippet(FILE *f, const indaga_hit *h, int color) {
  size_t at = 0;
  for (size_t i = 0; i < h->nhighlights; i++) {
    size_t s = h->highlights[i].start, e = h->highlights[i].end;
    if (s < at || e < s || e > h->snippet_len) continue;
    out_prose(f, h->snippet + at, s - at);
    if (color) fputs("\033[1;31m", f);
    out_prose(f, h->snippet + s, e - s);
    if (color) fputs("\033[0m", f);
    at = e;
  }
  out_prose(f, h->snippet + at, h->snippet_len - at);
}

static void print_context(FILE *f, const char *const *texts, size_t n, int color) {
  for (size_t i = 0; i < n; i++) {
    fputs(color ? "   \033[2m" : "   ", f);
    out_prose(f, texts[i], strlen(texts[i]));
    fputs(color ? "\033[0m\n" : "\n", f);
  }
}

static void print_human(const indaga_hit *h, int color, int several) {
  FILE *f = stdout;
  printf("%u. ", h->rank);
  if (several) {   /* the index it comes from */
    fputc('[', f);
    out_str(f, indaga_hit_index(h), CLI_FIELD_MAX);
    fputs("] ", f);
  }
  if (color) fputs("\033[1m", f);
  if (h->symbol) out_str(f, h->symbol, CLI_FIELD_MAX);
  else out_str(f, h->doc, CLI_NAME_MAX);
  if (h->part) {
    fputs(" \xC2\xB7 ", f);
    if (h->part_label) out_str(f, h->part_label, CLI_FIELD_MAX);
    else printf("Anexo %u", h->part);
  }
  fputs(" \xC2\xB7 p\xC3\xA1rr. ", f);
  if (h->label) out_str(f, h->label, CLI_FIELD_MAX);
  else printf("%u", h->paragraph);
  if (color) fputs("\033[0m", f);
  if (h->symbol) {
    fputs("  (", f);
    out_str(f, h->doc, CLI_NAME_MAX);
    fputc(')', f);
  }
  putchar('\n');
  if (h->date || h->title) {               /* the document: its date and title */
    fputs("   ", f);
    if (h->date) out_str(f, h->date, CLI_FIELD_MAX);
    if (h->date && h->title) fputs(" \xC2\xB7 ", f);
    if (h->title) out_str(f, h->title, CLI_FIELD_MAX);
    putchar('\n');
  }
  print_context(f, h->before, h->nbefore, color);
  if (h->snippet) {
    fputs("   ", f);
    print_snippet(f, h, color);
    putchar('\n');
  }
  print_context(f, h->after, h->nafter, color);
  putchar('\n');
}

static void print_json(const indaga_hit *h, long query_no, int several) {
  printf("{\"type\":\"hit\",\"query_no\":%ld,", query_no);
  json_hit(stdout, h, several);
  fputs("}\n", stdout);
}

/*
** The line before the hits when a word looked misspelled: the hits are the
** correction's ("Mostrando resultados de ...": the query found nothing, or
** had a word no paragraph holds) or the query's ("¿Quisiste decir ...?").
*/
static void print_suggestion(const char *query, size_t len, const char *fix, int corrected) {
  if (corrected) {
    fputs("Mostrando resultados de: ", stdout);
    out_text(stdout, fix, strlen(fix), CLI_ECHO_MAX);
    fputs(" (en lugar de: ", stdout);
    out_text(stdout, query, len, CLI_ECHO_MAX);
    fputs(")\n\n", stdout);
  } else {
    fputs("\xC2\xBFQuisiste decir: ", stdout);
    out_text(stdout, fix, strlen(fix), CLI_ECHO_MAX);
    fputs("?\n\n", stdout);
  }
}

/* @v with Spanish thousands separators ("1.100") into @out (at least 27 bytes). */
static void thousands(uint64_t v, char out[32]) {
  char d[24];
  int n = snprintf(d, sizeof d, "%llu", (unsigned long long)v), o = 0;
  for (int i = 0; i < n; i++) {
    if (i && (n - i) % 3 == 0) out[o++] = '.';
    out[o++] = d[i];
  }
  out[o] = 0;
}

/* Run one query, query[0..len). Returns 0 hits found, 1 none, 2 error. */
static int run_query(const indaga_index *idx, const search_args *a, const char *query, size_t len,
                     long query_no) {
  if (len > CLI_QUERY_MAX)
    return cli_query_fail(query_no, EXIT_ERR, "search: the query is longer than %u bytes",
                          CLI_QUERY_MAX);
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = (unsigned)a->k;
  o.offset = (unsigned)a->offset;
  o.group = a->group;
  o.context = (unsigned)a->context;
  o.snippets = !a->nosnip;
  o.time_ms = (unsigned)a->timeout_ms;
  o.memory_bytes = (size_t)a->max_memory_mb << 20;
  o.partial = a->partial;
  o.mode = a->all ? INDAGA_MATCH_ALL : INDAGA_MATCH_BEST;
  o.sort = a->sort;
  o.facets = a->facets;
  o.nfacets = a->nfacets;
  indaga_results *r = NULL;
  int rc = indaga_search(&r, idx, query, &o);
  if (rc) {
    const char *m = r ? indaga_results_errmsg(r) : NULL;
    const char *why = m ? m : indaga_strerror(rc);
    int ex = a->batch ? cli_query_fail(query_no, cli_status(rc), "search: query %ld: %s", query_no, why)
                      : cli_query_fail(query_no, cli_status(rc), "search: %s", why);
    indaga_results_free(r);
    return ex;
  }
  size_t n = indaga_results_count(r);
  const char *note = indaga_results_note(r);
  const char *fix = indaga_results_suggestion(r);
  int corrected = indaga_results_corrected(r);
  int partial = indaga_results_partial(r);
  int color = !a->json && cli_color(stdout, a->color);
  uint64_t total = indaga_results_total(r), all = indaga_results_all_words(r);
  int exact = indaga_results_total_exact(r);
  if (!a->json && fix) print_suggestion(query, len, fix, corrected);
  for (size_t i = 0; i < n; i++) {
    if (a->json) { print_json(indaga_results_hit(r, i), query_no, a->nindexes > 1); continue; }
    /* best match: say where the paragraphs holding every word end (all_words 0 is always exact) */
    if (i == 0 && all == 0) puts("no paragraph holds all the words; these hold some of them:\n");
    else if (exact && all > 0 && all < total && (uint64_t)a->offset + i == all && a->sort == INDAGA_SORT_RELEVANCE)
      puts("the paragraphs below hold some of the words, not all:\n");
    print_human(indaga_results_hit(r, i), color, a->nindexes > 1);
  }
  for (size_t i = 0; i < indaga_results_facet_count(r); i++) {
    const indaga_facet *fc = indaga_results_facet(r, i);
    if (a->json) {
      printf("{\"type\":\"facet\",\"query_no\":%ld,", query_no);
      json_facet(stdout, fc);
      fputs("}\n", stdout);
    } else {
      out_str(stdout, fc->field, CLI_FIELD_MAX);
      fputs(": ", stdout);
      out_str(stdout, fc->value, CLI_FIELD_MAX);
      printf("  %llu paragraphs in %llu documents\n", (unsigned long long)fc->paragraphs,
             (unsigned long long)fc->documents);
    }
  }
  if (a->json) {
    printf("{\"type\":\"summary\",\"query_no\":%ld,", query_no);
    json_summary(stdout, r, query, len);
    fputs("}\n", stdout);
  } else {
    if (note) {
      fputs("indaga: note: ", stderr);
      out_str(stderr, note, CLI_MESSAGE_MAX);
      fputc('\n', stderr);
    }
    if (partial)
      fprintf(stderr, "indaga: note: partial results: the time limit of %ld ms ran out before every "
              "match was seen\n", a->timeout_ms);
    char num[32];
    thousands(total, num);
    if (n) {
      printf("%zu of %s%s hits (%.1f ms)\n", n, exact ? "" : "about ", num,
             (double)indaga_results_took_us(r) / 1000.0);
    } else if (total) {
      printf("no more hits: %s%s in all\n", exact ? "" : "about ", num);   /* a page past the end */
    } else {
      fputs("no hits for: ", stdout);
      out_text(stdout, query, len, CLI_ECHO_MAX);
      putchar('\n');
    }
  }
  fflush(stdout);
  indaga_results_free(r);
  return n ? EXIT_OK : EXIT_NOHITS;
}

/*
** Each non-blank line of the batch file is a query. A line longer than the
** query limit, or holding a NUL byte, is that query's error; the reading
** stops at a line that runs on past CLI_SKIP_MAX bytes, or at a read error.
*/
static int run_batch(const indaga_index *idx, const search_args *a) {
  FILE *f = strcmp(a->batch, "-") ? fopen(a->batch, "r") : stdin;
  if (!f) return cli_fail(EXIT_ERR, a->batch, "search: cannot read %s: %s", a->batch, strerror(errno));
  cli_lines l;
  if (cli_lines_init(&l, f, CLI_QUERY_MAX)) {
    if (f != stdin) fclose(f);
    return cli_error("search: out of memory");
  }
  int any = 0, failed = 0;
  long qno = 0;
  for (;;) {
    int got = cli_lines_next(&l);
    if (got == CLI_LINE_EOF) break;
    if (got == CLI_LINE_ERROR) {
      failed = 1;
      cli_fail(EXIT_ERR, a->batch, "search: cannot read %s after line %llu: %s", a->batch,
               (unsigned long long)l.lineno, strerror(errno));
      break;
    }
    const char *line = l.buf;
    while (*line == ' ' || *line == '\t') line++;
    if (got == CLI_LINE_OK && !*line && !l.nul) continue;   /* a blank line is no query */
    long q = qno++;
    int rc;
    if (got == CLI_LINE_LONG) {
      rc = cli_query_fail(q, EXIT_ERR, "search: query %ld (line %llu of %s): longer than %u bytes",
                          q, (unsigned long long)l.lineno, a->batch, CLI_QUERY_MAX);
      int end = cli_lines_skip(&l, CLI_SKIP_MAX);
      if (end != CLI_LINE_OK) {
        failed = 1;
        if (end == CLI_LINE_LONG)
          cli_fail(EXIT_ERR, a->batch, "search: line %llu of %s runs past %u bytes without an end; "
                   "the rest of %s is not read", (unsigned long long)l.lineno, a->batch,
                   CLI_SKIP_MAX, a->batch);
        else
          cli_fail(EXIT_ERR, a->batch, "search: cannot read %s after line %llu: %s", a->batch,
                   (unsigned long long)l.lineno, strerror(errno));
        break;
      }
    } else if (l.nul) {
      rc = cli_query_fail(q, EXIT_ERR, "search: query %ld (line %llu of %s): a binary line "
                          "(it holds a NUL byte)", q, (unsigned long long)l.lineno, a->batch);
    } else {
      rc = run_query(idx, a, line, l.len - (size_t)(line - l.buf), q);
    }
    if (rc == EXIT_OK) any = 1;
    else if (rc != EXIT_NOHITS) failed = 1;
    if (ferror(stdout)) break;   /* nobody reads the rest: main reports the write error */
  }
  cli_lines_free(&l);
  if (f != stdin) fclose(f);
  fflush(stdout);
  return failed ? EXIT_ERR : any ? EXIT_OK : EXIT_NOHITS;
}

int cmd_search(int argc, char **argv) {
  search_args a;
  memset(&a, 0, sizeof a);
  int rc = parse_args(argc, argv, &a);
  if (rc >= 0) { free(a.query); return rc; }
  if (a.nindexes <= 1) a.indexes[0] = cli_index_dir(a.nindexes ? a.indexes[0] : NULL);
  if (a.nindexes == 0) a.nindexes = 1;
  indaga_index *idx = cli_open_indexes(a.indexes, a.nindexes, "search", &rc);
  if (!idx) {
    free(a.query);
    return rc;
  }
  rc = a.batch ? run_batch(idx, &a) : run_query(idx, &a, a.query, a.query_len, 0);
  indaga_index_close(idx);
  free(a.query);
  return rc;
}
