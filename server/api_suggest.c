/*
** api_suggest.c: GET /api/suggest, for a search box that suggests as one
** types (doc/CLI.md, "HTTP API").
**
**   q   what is typed so far (required, at most SRV_SUGGEST_QMAX bytes)
**   n   completions, 1 to SRV_SUGGEST_MAX (default 8)
**
** The last word of q (after the last space; a leading +, - or " is kept)
** is completed from the index's vocabulary (indaga_complete), and each
** completion is q with that word completed, commonest first:
** {"completions":["combatientes terroristas extranjeros",...],"words":[...],
** "suggestion":"terrorismo extr"}. "words" holds the completed words alone.
** q ending in a space, or a last word with no letter, has no completions.
**
** "suggestion" is q with its misspelled words corrected
** (indaga_results_suggestion of a search of k 1 without snippets or
** correction, within the search's work budget), or null. A last word that
** has completions is still being typed, not misspelled: then only the text
** before it is corrected, and the word is kept as typed (else "comb" would
** be corrected to "como"). A q that is no query (exclusions only) or over
** its budget has no suggestion.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "server/server.h"

#define SRV_SUGGEST_QMAX 512u

/*
** The spelling suggestion for @q[0..@len) into a malloc'd string, or NULL
** in *out when there is none; the word being typed, @q[@ws..@len) when
** @typing, is kept as typed. 0, or an INDAGA_E* code for a failure to answer.
*/
static int suggestion(char **out, const indaga_index *idx, const char *q, size_t len, size_t ws,
                      int typing) {
  *out = NULL;
  size_t nq = typing ? ws : len;
  char *text = malloc(nq + 1);
  if (!text) return INDAGA_ENOMEM;
  memcpy(text, q, nq);
  text[nq] = '\0';
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = 1;
  o.snippets = 0;
  o.correct = 0;
  o.time_ms = SRV_SEARCH_MS;
  o.memory_bytes = SRV_SEARCH_MEMORY;
  o.partial = 1;
  indaga_results *r = NULL;
  int rc = nq ? indaga_search(&r, idx, text, &o) : INDAGA_EMISUSE;
  free(text);
  if (rc == INDAGA_EMISUSE || rc == INDAGA_ELIMIT) rc = INDAGA_OK;   /* no query, over budget */
  const char *fix = rc ? NULL : indaga_results_suggestion(r);
  if (fix) {
    size_t nf = strlen(fix), nw = typing ? len - ws : 0;
    while (nw && nf && (fix[nf - 1] == ' ' || fix[nf - 1] == '\t')) nf--;   /* one space before the word */
    *out = malloc(nf + 1 + nw + 1);
    if (!*out) rc = INDAGA_ENOMEM;
    else if (nw) snprintf(*out, nf + nw + 2, "%.*s %.*s", (int)nf, fix, (int)nw, q + ws);
    else memcpy(*out, fix, nf + 1);
  }
  indaga_results_free(r);
  return rc;
}

/* Where the word to complete starts in q[0..n): after the last space and any +, -, " or (. */
static size_t word_start(const char *q, size_t n) {
  size_t i = n;
  while (i > 0 && q[i - 1] != ' ' && q[i - 1] != '\t') i--;
  while (i < n && (q[i] == '+' || q[i] == '-' || q[i] == '"' || q[i] == '(')) i++;
  return i;
}

int api_suggest(srv_req *rq) {
  long n;
  const char *q = srv_param_text(rq, "q", SRV_SUGGEST_QMAX, 1);
  if (!q || srv_param_long(rq, "n", 1, SRV_SUGGEST_MAX, 8, &n)) return -1;
  srv_snap *s = srv_req_snap(rq);
  if (!s) return -1;
  size_t len = strlen(q), at = word_start(q, len);
  indaga_completions *c = NULL;
  int rc = at < len ? indaga_complete(&c, srv_snap_index(s), q + at, (size_t)n) : INDAGA_EMISUSE;
  if (rc && rc != INDAGA_EMISUSE)   /* EMISUSE: nothing to complete (no word, too long) */
    return srv_error(rq, rc == INDAGA_ENOMEM ? 503 : 500, "%s", indaga_strerror(rc));
  size_t k = indaga_completions_count(c), ws = len;
  while (ws > 0 && q[ws - 1] != ' ' && q[ws - 1] != '\t') ws--;   /* the last word, its +-"( too */
  char *fix = NULL;
  rc = suggestion(&fix, srv_snap_index(s), q, len, ws, k > 0);
  if (rc) {
    indaga_completions_free(c);
    return srv_error(rq, rc == INDAGA_ENOMEM ? 503 : 500, "%s", indaga_strerror(rc));
  }
  FILE *f = srv_body(rq);
  if (!f) {
    free(fix);
    indaga_completions_free(c);
    return srv_error(rq, 503, "out of memory");
  }
  fputs("{\"completions\":[", f);
  for (size_t i = 0; i < k; i++) {
    const char *w = indaga_completions_word(c, i, NULL);
    size_t nw = strlen(w);
    char *line = malloc(at + nw);   /* q before the word, then the word */
    if (!line) {
      free(fix);
      indaga_completions_free(c);
      return srv_error(rq, 503, "out of memory");
    }
    memcpy(line, q, at);
    memcpy(line + at, w, nw);
    if (i) fputc(',', f);
    json_str(f, line, at + nw);
    free(line);
  }
  fputs("],\"words\":[", f);
  for (size_t i = 0; i < k; i++) {
    if (i) fputc(',', f);
    json_strz(f, indaga_completions_word(c, i, NULL));
  }
  fputs("],\"suggestion\":", f);
  json_text(f, fix, fix ? strlen(fix) : 0, CLI_ECHO_MAX);
  fputc('}', f);
  free(fix);
  indaga_completions_free(c);
  return srv_reply(rq, 200);
}
