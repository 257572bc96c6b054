/*
** cmd_search.c: `indaga search [options] QUERY...` and `--batch FILE`
** (CLI.md). Built on include/indaga.h alone.
**
** The words of QUERY are joined with spaces into one query. Options may
** come anywhere; an argument starting with '-' that is not an option is a
** query word (an exclusion: `indaga search terrorismo -financiación`), and
** everything after `--` is query text.
**
** Human output, per hit: the citation (symbol or document · annex · párr.
** label) and the snippet, the matched words bold and coloured on a terminal
** only (never with NO_COLOR, never into a pipe); with --context, the
** paragraphs around it. --json prints JSON Lines: one "hit" object per hit
** and one "summary" per query (CLI.md). With --batch, each non-blank line of
** FILE ("-": standard input) is one query, numbered from 0 (query_no).
**
** Exit: 0 when some query found hits, 1 when none did, 2 on any error
** (no index, empty query, bad option), with a message on stderr.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static const char usage[] =
  "usage: indaga search [--index DIR] [-n K] [--offset N] [--group] [--context N]\n"
  "                     [--json] [--no-snippets] QUERY...\n"
  "       indaga search [--index DIR] [-n K] [--json] --batch FILE\n"
  "\n"
  "Search the index. Words are all required; also \"exact phrase\", OR, NOT or\n"
  "-word, (grouping), prefix*, a NEAR/n b, and the filters symbol:, doc:,\n"
  "annex:, year:, title:. Accents and inflections do not matter: informacion\n"
  "finds información and informaciones; ano never finds año.\n"
  "\n"
  "options:\n"
  "  --index DIR     the index directory (default $INDAGA_INDEX, else ./.indaga)\n"
  "  -n K            hits to show (default 10)\n"
  "  --offset N      skip the first N hits (paging)\n"
  "  --group         at most one hit (the best paragraph) per document\n"
  "  --context N     also show N paragraphs before and after each hit\n"
  "  --json          JSON Lines: one \"hit\" object per hit, one \"summary\" per query\n"
  "  --no-snippets   no snippet text (faster)\n"
  "  --batch FILE    one query per non-blank line of FILE ('-': standard input)\n"
  "  --help          this text\n"
  "\n"
  "exit status: 0 hits found, 1 nothing found, 2 error\n";

typedef struct search_args {
  const char *index, *batch;
  long k, offset, context;
  int group, json, nosnip;
  char *query;            /* joined QUERY words (malloc) */
} search_args;

/* Parse a non-negative decimal up to @max; 0 when @z is not one. */
static int parse_num(const char *z, long max, long *out) {
  char *end;
  if (!z || !*z || *z == '-' || *z == '+') return 0;
  errno = 0;
  long v = strtol(z, &end, 10);
  if (errno || *end || v < 0 || v > max) return 0;
  *out = v;
  return 1;
}

/* Append @w to the query with a space. Returns 0 or -1 (no memory). */
static int add_word(search_args *a, const char *w) {
  size_t old = a->query ? strlen(a->query) : 0, n = strlen(w);
  char *q = realloc(a->query, old + n + 2);
  if (!q) return -1;
  if (old) q[old++] = ' ';
  memcpy(q + old, w, n + 1);
  a->query = q;
  return 0;
}

/* A numeric option @name (with "=v" or a following argument). 1 taken, 0 not this option, -1 bad value. */
static int num_opt(int argc, char **argv, int *i, const char *name, long max, long *out) {
  size_t n = strlen(name);
  const char *s = argv[*i], *v = NULL;
  if (!strncmp(s, name, n) && s[n] == '=') v = s + n + 1;
  else if (!strcmp(s, name)) v = *i + 1 < argc ? argv[++*i] : NULL;
  else return 0;
  return parse_num(v, max, out) ? 1 : -1;
}

/* Returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, search_args *a) {
  int only = 0;
  a->k = 10;
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (only || s[0] != '-' || !s[1] || (s[1] != '-' && s[1] != 'n' && s[1] != 'h')) {
      if (add_word(a, s)) return cli_error("search: out of memory");
      continue;
    }
    if (!strcmp(s, "--")) { only = 1; continue; }
    if (!strcmp(s, "--help") || !strcmp(s, "-h")) CLI_HELP_EXIT(usage);
    if (!strcmp(s, "--json")) { a->json = 1; continue; }
    if (!strcmp(s, "--group")) { a->group = 1; continue; }
    if (!strcmp(s, "--no-snippets")) { a->nosnip = 1; continue; }
    if (!strncmp(s, "--index=", 8)) { a->index = s + 8; continue; }
    if (!strcmp(s, "--index")) {
      if (i + 1 >= argc) return cli_error("search: --index needs a directory");
      a->index = argv[++i];
      continue;
    }
    if (!strncmp(s, "--batch=", 8)) { a->batch = s + 8; continue; }
    if (!strcmp(s, "--batch")) {
      if (i + 1 >= argc) return cli_error("search: --batch needs a file ('-' for standard input)");
      a->batch = argv[++i];
      continue;
    }
    int r;
    if ((r = num_opt(argc, argv, &i, "-n", 100000, &a->k)) != 0 ||
        (r = num_opt(argc, argv, &i, "--limit", 100000, &a->k)) != 0) {
      if (r < 0 || a->k == 0) return cli_error("search: -n needs a number from 1 to 100000");
      continue;
    }
    if ((r = num_opt(argc, argv, &i, "--offset", 1000000, &a->offset)) != 0) {
      if (r < 0) return cli_error("search: --offset needs a number from 0 to 1000000");
      continue;
    }
    if ((r = num_opt(argc, argv, &i, "--context", 1000, &a->context)) != 0) {
      if (r < 0) return cli_error("search: --context needs a number from 0 to 1000");
      continue;
    }
    if (s[1] == '-') return cli_error("search: unknown option '%s' (try 'indaga search --help')", s);
    if (add_word(a, s)) return cli_error("search: out of memory");   /* "-word": an exclusion */
  }
  if (a->batch && a->query) return cli_error("search: give either QUERY or --batch FILE, not both");
  if (!a->batch && !a->query) return cli_error("search: no query given (try 'indaga search --help')");
  return -1;
}

/* Print @h's snippet, the highlights in bold colour when @color. */
static void print_snippet(FILE *f, const indaga_hit *h, int color) {
  size_t at = 0;
  for (size_t i = 0; i < h->nhighlights; i++) {
    size_t s = h->highlights[i].start, e = h->highlights[i].end;
    if (s < at || e > h->snippet_len) continue;
    fwrite(h->snippet + at, 1, s - at, f);
    if (color) fputs("\033[1;31m", f);
    fwrite(h->snippet + s, 1, e - s, f);
    if (color) fputs("\033[0m", f);
    at = e;
  }
  fwrite(h->snippet + at, 1, h->snippet_len - at, f);
}

static void print_human(const indaga_hit *h, int color) {
  FILE *f = stdout;
  printf("%u. ", h->rank);
  if (color) fputs("\033[1m", f);
  fputs(h->symbol ? h->symbol : h->doc, f);
  if (h->part) {
    if (h->part_label) printf(" \xC2\xB7 %s", h->part_label);
    else printf(" \xC2\xB7 Anexo %u", h->part);
  }
  if (h->label) printf(" \xC2\xB7 p\xC3\xA1rr. %s", h->label);
  else printf(" \xC2\xB7 p\xC3\xA1rr. %u", h->paragraph);
  if (color) fputs("\033[0m", f);
  if (h->symbol) printf("  (%s)", h->doc);
  putchar('\n');
  for (size_t i = 0; i < h->nbefore; i++) printf("   %s%s%s\n", color ? "\033[2m" : "", h->before[i], color ? "\033[0m" : "");
  if (h->snippet) {
    fputs("   ", f);
    print_snippet(f, h, color);
    putchar('\n');
  }
  for (size_t i = 0; i < h->nafter; i++) printf("   %s%s%s\n", color ? "\033[2m" : "", h->after[i], color ? "\033[0m" : "");
  putchar('\n');
}

static void print_json(const indaga_hit *h, long query_no) {
  FILE *f = stdout;
  printf("{\"type\":\"hit\",\"query_no\":%ld,\"rank\":%u,\"score\":%.4f,\"doc\":", query_no, h->rank, h->score);
  json_strz(f, h->doc);
  fputs(",\"symbol\":", f); json_strz(f, h->symbol);
  fputs(",\"title\":", f); json_strz(f, h->title);
  printf(",\"part\":%u,\"part_label\":", h->part);
  json_strz(f, h->part_label);
  printf(",\"paragraph\":%u,\"label\":", h->paragraph);
  json_strz(f, h->label);
  printf(",\"byte_start\":%llu,\"byte_end\":%llu", (unsigned long long)h->byte_start,
         (unsigned long long)h->byte_end);
  if (h->snippet) {
    fputs(",\"snippet\":", f);
    json_str(f, h->snippet, h->snippet_len);
    fputs(",\"highlights\":[", f);
    for (size_t i = 0; i < h->nhighlights; i++)
      printf("%s[%u,%u]", i ? "," : "", h->highlights[i].start, h->highlights[i].end);
    fputc(']', f);
  }
  if (h->before || h->after) {
    fputs(",\"before\":[", f);
    for (size_t i = 0; i < h->nbefore; i++) { if (i) fputc(',', f); json_strz(f, h->before[i]); }
    fputs("],\"after\":[", f);
    for (size_t i = 0; i < h->nafter; i++) { if (i) fputc(',', f); json_strz(f, h->after[i]); }
    fputc(']', f);
  }
  fputs("}\n", f);
}

/* Run one query. Returns 0 hits found, 1 none, 2 error. */
static int run_query(const indaga_index *idx, const search_args *a, const char *query, long query_no) {
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = (unsigned)a->k;
  o.offset = (unsigned)a->offset;
  o.group = a->group;
  o.context = (unsigned)a->context;
  o.snippets = !a->nosnip;
  indaga_results *r = NULL;
  int rc = indaga_search(&r, idx, query, &o);
  if (rc) {
    const char *m = r ? indaga_results_errmsg(r) : NULL;
    if (a->batch) cli_error("search: query %ld: %s", query_no, m ? m : indaga_strerror(rc));
    else cli_error("search: %s", m ? m : indaga_strerror(rc));
    indaga_results_free(r);
    return EXIT_ERR;
  }
  size_t n = indaga_results_count(r);
  const char *note = indaga_results_note(r);
  int color = !a->json && cli_color(stdout);
  for (size_t i = 0; i < n; i++) {
    if (a->json) print_json(indaga_results_hit(r, i), query_no);
    else print_human(indaga_results_hit(r, i), color);
  }
  if (a->json) {
    printf("{\"type\":\"summary\",\"query_no\":%ld,\"query\":", query_no);
    json_strz(stdout, query);
    printf(",\"hits\":%zu,\"total\":%llu,\"took_us\":%llu", n,
           (unsigned long long)indaga_results_total(r), (unsigned long long)indaga_results_took_us(r));
    if (note) { fputs(",\"note\":", stdout); json_strz(stdout, note); }
    fputs("}\n", stdout);
  } else {
    if (note) fprintf(stderr, "indaga: note: %s\n", note);
    if (n) printf("%zu of %llu hits (%.1f ms)\n", n, (unsigned long long)indaga_results_total(r),
                  (double)indaga_results_took_us(r) / 1000.0);
    else printf("no hits for: %s\n", query);
  }
  indaga_results_free(r);
  return n ? EXIT_OK : EXIT_NOHITS;
}

/* Each non-blank line of the batch file is a query. */
static int run_batch(const indaga_index *idx, const search_args *a) {
  FILE *f = strcmp(a->batch, "-") ? fopen(a->batch, "r") : stdin;
  if (!f) return cli_error("search: cannot read %s: %s", a->batch, strerror(errno));
  char *text = NULL;
  size_t n = 0;
  int rr = cli_read_stream(f, &text, &n);
  int err = errno;
  if (f != stdin) fclose(f);
  if (rr) return cli_error("search: cannot read %s: %s", a->batch, strerror(err));
  int any = 0, failed = 0;
  long qno = 0;
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && text[j] != '\n') j++;
    size_t e = j;
    if (e > i && text[e - 1] == '\r') e--;
    text[e] = 0;
    const char *line = text + i;
    while (*line == ' ' || *line == '\t') line++;
    if (*line) {
      int rc = run_query(idx, a, line, qno++);
      if (rc == EXIT_OK) any = 1;
      if (rc == EXIT_ERR) failed = 1;
    }
    i = j + 1;
  }
  free(text);
  fflush(stdout);
  return failed ? EXIT_ERR : any ? EXIT_OK : EXIT_NOHITS;
}

int cmd_search(int argc, char **argv) {
  search_args a;
  memset(&a, 0, sizeof a);
  int rc = parse_args(argc, argv, &a);
  if (rc >= 0) { free(a.query); return rc; }
  const char *dir = cli_index_dir(a.index);
  indaga_index *idx = cli_open_index(dir, "search");
  if (!idx) {
    free(a.query);
    return EXIT_ERR;
  }
  rc = a.batch ? run_batch(idx, &a) : run_query(idx, &a, a.query, 0);
  indaga_index_close(idx);
  free(a.query);
  return rc;
}
