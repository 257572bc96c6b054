/*
** api_analyze.c: the public analysis API (indaga_analyze() and friends in
** include/indaga.h), what `indaga analyze` prints.
**
** One call makes a fresh analyzer, runs it over the text and keeps every
** token. The strings (token as written, term, key; each NUL-terminated) are
** appended to one buffer while the run goes, as offsets, because the buffer
** moves as it grows; the pointers are set once the run is over. So an
** indaga_analysis is three allocations: the handle, the token array and the
** string buffer.
*/
#include "stemmer/analyze.h"

struct indaga_analysis {
  indaga_token *toks;
  size_t ntoks, cap;
  ia_buf strings;
  size_t ninvalid;
};

typedef struct collect {
  indaga_analysis *an;
  const char *text;
  int err;
} collect;

/* Append p[0..n) and a NUL to the string buffer; returns its offset. */
static size_t put_string(ia_buf *b, const char *p, size_t n) {
  size_t off = b->n;
  buf_append(b, p, n);
  buf_putc(b, 0);
  return off;
}

/* Keep one token; strings are stored as offsets (as pointers-to-be). */
static int collect_token(void *ctx, const ia_token *t) {
  collect *c = ctx;
  indaga_analysis *an = c->an;
  if (an->ntoks == an->cap) {
    indaga_token *nt = indaga__grow(an->toks, &an->cap, sizeof *nt, 64);
    if (!nt) { c->err = INDAGA_ENOMEM; return INDAGA_ENOMEM; }
    an->toks = nt;
  }
  indaga_token *o = &an->toks[an->ntoks];
  size_t toff = put_string(&an->strings, c->text + t->start, t->end - t->start);
  size_t moff = put_string(&an->strings, t->term, t->nterm);
  size_t koff = put_string(&an->strings, t->key, t->nkey);
  if (an->strings.err) { c->err = INDAGA_ENOMEM; return INDAGA_ENOMEM; }
  o->token = (const char *)(uintptr_t)toff;
  o->token_len = t->end - t->start;
  o->term = (const char *)(uintptr_t)moff;
  o->term_len = t->nterm;
  o->key = (const char *)(uintptr_t)koff;
  o->key_len = t->nkey;
  o->pos = t->pos;
  o->start = t->start;
  o->end = t->end;
  o->stop = (t->flags & TOK_STOP) != 0;
  o->symbol = (t->flags & TOK_SYMBOL) != 0;
  o->number = (t->flags & TOK_NUMBER) != 0;
  o->part = (t->flags & TOK_PART) != 0;
  an->ntoks++;
  return 0;
}

int indaga_analyze(indaga_analysis **out, const char *text, size_t n) {
  analyzer *a = NULL;
  indaga_analysis *an = NULL;
  collect c = { NULL, text, INDAGA_OK };
  const char *base;
  int rc;
  if (!out || (!text && n > 0)) return INDAGA_EMISUSE;
  *out = NULL;
  if (!text) text = "";
  an = indaga__calloc(1, sizeof *an);
  if (!an) return INDAGA_ENOMEM;
  if ((rc = analyzer_new(&a)) != INDAGA_OK) goto done;
  c.an = an;
  c.text = text;
  rc = analyzer_run(a, text, n, collect_token, &c, &an->ninvalid);
  if (rc == INDAGA_OK && c.err) rc = c.err;
  if (rc != INDAGA_OK) goto done;
  base = (const char *)an->strings.p;
  for (size_t i = 0; i < an->ntoks; i++) {
    indaga_token *t = &an->toks[i];
    t->token = base + (uintptr_t)t->token;
    t->term = base + (uintptr_t)t->term;
    t->key = base + (uintptr_t)t->key;
  }
  *out = an;
  an = NULL;
done:
  analyzer_free(a);
  indaga_analysis_free(an);
  return rc;
}

size_t indaga_analysis_count(const indaga_analysis *a) { return a ? a->ntoks : 0; }

const indaga_token *indaga_analysis_token(const indaga_analysis *a, size_t i) {
  return a && i < a->ntoks ? &a->toks[i] : NULL;
}

size_t indaga_analysis_invalid(const indaga_analysis *a) { return a ? a->ninvalid : 0; }

void indaga_analysis_free(indaga_analysis *a) {
  if (!a) return;
  indaga__free(a->toks);
  buf_free(&a->strings);
  indaga__free(a);
}
