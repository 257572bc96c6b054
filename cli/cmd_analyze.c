/*
** cmd_analyze.c: `indaga analyze [--json] [TEXT...]`, the analysis pipeline
** made visible: what the indexer and the query parser make of some text.
**
** The text is the arguments joined by single spaces, or standard input when
** there are none. Output, one token per row, in order of start offset:
**
**   - for people, an aligned table: token (as written), term (what the
**     index matches), key (accent-free lowercase), pos, bytes (start-end in
**     the text) and flags (stop, symbol, number, part);
**   - with --json, JSON Lines as CLI.md fixes them:
**     {"type":"token","token":..,"term":..,"key":..,"pos":0,"start":0,"end":13,"stop":false}
**     with "symbol":true, "number":true, "part":true added when they hold.
**
** Invalid UTF-8 is reported as a warning (how many sequences were
** replaced; with --json also a warning line after the tokens); the exit
** status stays 0. Unreadable input exits 2, a usage error 64.
** Uses include/indaga.h only.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static const cli_option opts[] = {
  CLI_ROW_JSON("one JSON object per token (JSON Lines): {\"type\":\"token\",\"token\":...,\"term\":...,\n"
               "                         \"key\":...,\"pos\":N,\"start\":N,\"end\":N,\"stop\":BOOL} plus \"symbol\",\n"
               "                         \"number\", \"part\" when true"),
  CLI_ROW_COLOR,
  CLI_ROW_HELP,
};

static const cli_command analyze_cmd = {
  "analyze",
  "usage: indaga analyze [--json] [--color WHEN] [--] [TEXT...]\n",
  "Show how text becomes index terms: tokens, their terms (Snowball Spanish stem,\n"
  "accents folded, \xC3\xB1 kept), keys (lowercase, accents folded), positions, byte ranges\n"
  "and flags. UN symbols (S/RES/2354 (2017)) and ordinals (16\xC2\xAA) are tokens of their\n"
  "own, followed by their parts.\n"
  "\n"
  "The text is the TEXT arguments joined by spaces, or standard input (at most\n"
  "64 MiB) when none is given. Use -- before text that starts with '-'.\n",
  opts, CLI_NOPTS(opts),
  "exit status: 0 success, 2 error (unreadable input)\n",
  0,
};

/* Display width of p[0..n): its codepoints (every token is letters, digits or a symbol). */
static size_t width(const char *p, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)p[i] & 0xC0) != 0x80) w++;
  return w;
}

/* Print p[0..n) padded to @w columns; control characters (a symbol's spacing) as spaces. */
static void cell(const char *p, size_t n, size_t w) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    putchar(c < 0x20 || c == 0x7f ? ' ' : c);
  }
  for (size_t k = width(p, n); k < w; k++) putchar(' ');
}

static void flags_of(const indaga_token *t, char *out, size_t cap) {
  out[0] = 0;
  const char *names[4];
  size_t k = 0;
  if (t->stop) names[k++] = "stop";
  if (t->symbol) names[k++] = "symbol";
  if (t->number) names[k++] = "number";
  if (t->part) names[k++] = "part";
  for (size_t i = 0; i < k; i++) {
    if (i) strncat(out, ",", cap - strlen(out) - 1);
    strncat(out, names[i], cap - strlen(out) - 1);
  }
}

static void print_table(const indaga_analysis *an, int color) {
  size_t n = indaga_analysis_count(an);
  size_t wt = strlen("token"), wm = strlen("term"), wk = strlen("key"), wp = strlen("pos"),
         wb = strlen("bytes");
  char tmp[64];
  for (size_t i = 0; i < n; i++) {
    const indaga_token *t = indaga_analysis_token(an, i);
    size_t w;
    if ((w = width(t->token, t->token_len)) > wt) wt = w;
    if ((w = width(t->term, t->term_len)) > wm) wm = w;
    if ((w = width(t->key, t->key_len)) > wk) wk = w;
    if ((w = (size_t)snprintf(tmp, sizeof tmp, "%u", (unsigned)t->pos)) > wp) wp = w;
    if ((w = (size_t)snprintf(tmp, sizeof tmp, "%zu-%zu", t->start, t->end)) > wb) wb = w;
  }
  if (color) fputs("\033[1m", stdout);
  printf("%-*s  %-*s  %-*s  %*s  %-*s  flags", (int)wt, "token", (int)wm, "term", (int)wk, "key",
         (int)wp, "pos", (int)wb, "bytes");
  if (color) fputs("\033[0m", stdout);
  putchar('\n');
  for (size_t i = 0; i < n; i++) {
    const indaga_token *t = indaga_analysis_token(an, i);
    char flags[64];
    flags_of(t, flags, sizeof flags);
    if (color && t->stop) fputs("\033[2m", stdout);
    cell(t->token, t->token_len, wt);
    fputs("  ", stdout);
    cell(t->term, t->term_len, wm);
    fputs("  ", stdout);
    cell(t->key, t->key_len, wk);
    snprintf(tmp, sizeof tmp, "%zu-%zu", t->start, t->end);
    if (flags[0]) printf("  %*u  %-*s  %s", (int)wp, (unsigned)t->pos, (int)wb, tmp, flags);
    else printf("  %*u  %s", (int)wp, (unsigned)t->pos, tmp);   /* no trailing blanks */
    if (color && t->stop) fputs("\033[0m", stdout);
    putchar('\n');
  }
}

static void print_json(const indaga_analysis *an) {
  size_t n = indaga_analysis_count(an);
  for (size_t i = 0; i < n; i++) {
    const indaga_token *t = indaga_analysis_token(an, i);
    fputs("{\"type\":\"token\",\"token\":", stdout);
    json_str(stdout, t->token, t->token_len);
    fputs(",\"term\":", stdout);
    json_str(stdout, t->term, t->term_len);
    fputs(",\"key\":", stdout);
    json_str(stdout, t->key, t->key_len);
    printf(",\"pos\":%u,\"start\":%zu,\"end\":%zu,\"stop\":%s", (unsigned)t->pos, t->start, t->end,
           t->stop ? "true" : "false");
    if (t->symbol) fputs(",\"symbol\":true", stdout);
    if (t->number) fputs(",\"number\":true", stdout);
    if (t->part) fputs(",\"part\":true", stdout);
    fputs("}\n", stdout);
  }
}

int cmd_analyze(int argc, char **argv) {
  int json = 0, color = CLI_COLOR_AUTO;
  const char **words = calloc((size_t)argc + 1, sizeof *words);
  if (!words) return cli_error("analyze: %s", indaga_strerror(INDAGA_ENOMEM));
  size_t nwords = 0, total = 1;
  cli_parser p;
  cli_parser_init(&p, &analyze_cmd, argc, argv);
  for (int o; (o = cli_next(&p)) != CLI_DONE;) {
    switch (o) {
    case CLI_EXIT: free(words); return p.status;
    case CLI_OPT_JSON: json = 1; break;
    case CLI_OPT_COLOR:
      if (cli_value_color(&p, &color)) { free(words); return EXIT_USAGE; }
      break;
    case CLI_OPERAND:
      words[nwords++] = p.arg;
      total += strlen(p.arg) + 1;
      break;
    default: free(words); return cli_usage("analyze", "unexpected option");
    }
  }

  char *text = NULL;
  size_t n = 0;
  if (nwords) {
    /* The arguments joined by single spaces. */
    text = malloc(total);
    if (!text) { free(words); return cli_error("analyze: %s", indaga_strerror(INDAGA_ENOMEM)); }
    for (size_t i = 0; i < nwords; i++) {
      size_t len = strlen(words[i]);
      if (i) text[n++] = ' ';
      memcpy(text + n, words[i], len);
      n += len;
    }
    text[n] = 0;
  } else if (cli_read_stream(stdin, CLI_ANALYZE_MAX, &text, &n) != 0) {
    free(words);
    if (errno == EFBIG) return cli_error("analyze: standard input is longer than %u bytes", CLI_ANALYZE_MAX);
    return cli_error("analyze: cannot read standard input: %s", strerror(errno));
  }
  free(words);

  indaga_analysis *an = NULL;
  int rc = indaga_analyze(&an, text, n);
  free(text);
  if (rc != INDAGA_OK) return cli_error("analyze: %s", indaga_strerror(rc));
  if (json) print_json(an);
  else print_table(an, cli_color(stdout, color));
  size_t bad = indaga_analysis_invalid(an);
  indaga_analysis_free(an);
  if (bad)
    cli_warning(NULL, "analyze: %zu invalid UTF-8 sequence%s replaced by U+FFFD", bad, bad == 1 ? "" : "s");
  return EXIT_OK;
}
