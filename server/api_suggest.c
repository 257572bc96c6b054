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
** "suggestion":null}. "words" holds the completed words alone. q ending in
** a space, or a last word with no letter, has no completions. "suggestion"
** (a spelling correction of the whole query) is null: the library offers
** none yet.
*/
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "server/server.h"

#define SRV_SUGGEST_QMAX 512u

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
  FILE *f = srv_body(rq);
  if (!f) {
    indaga_completions_free(c);
    return srv_error(rq, 503, "out of memory");
  }
  size_t k = indaga_completions_count(c);
  fputs("{\"completions\":[", f);
  for (size_t i = 0; i < k; i++) {
    const char *w = indaga_completions_word(c, i, NULL);
    size_t nw = strlen(w);
    char *line = malloc(at + nw);   /* q before the word, then the word */
    if (!line) {
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
  fputs("],\"suggestion\":null}", f);
  indaga_completions_free(c);
  return srv_reply(rq, 200);
}
