/*
** op_filter.c: the filter operator (op.h): symbol:, doc:, annex:, title:
** and the filters of fields.c (any field, date:, year:, body:) restrict the
** paragraphs to those of documents (and parts) that pass a predicate on the
** document table's metadata or the segment's field columns. The iterator
** walks paragraphs document by document, deciding each document once
** (cached), so whole documents that fail are skipped at once; a filter on
** the field columns finds the documents there too (their first
** paragraphs), reading no document record. A filter never scores.
*/
#include "query/op.h"
#include "query/fields.h"

/* Roman numeral or decimal annex number; 0 when unreadable. */
static unsigned annex_number(const char *p, size_t n) {
  unsigned v = 0;
  if (n && p[0] >= '0' && p[0] <= '9') {
    for (size_t i = 0; i < n && p[i] >= '0' && p[i] <= '9' && v < 100000; i++) v = v * 10 + (unsigned)(p[i] - '0');
    return v;
  }
  unsigned prev = 0;
  for (size_t i = n; i-- > 0;) {
    unsigned d;
    switch (p[i] | 0x20) {
    case 'i': d = 1; break; case 'v': d = 5; break; case 'x': d = 10; break;
    case 'l': d = 50; break; case 'c': d = 100; break;
    default: return 0;
    }
    if (d < prev) v -= d; else { v += d; prev = d; }
  }
  return v;
}

/* The cnode of filter @f; NULL when it is ignored (a note says why) or on error. */
cnode *qx_filter_compile(qx_query *q, const qnode *f) {
  cnode *c = qx_cnode(q, C_FILTER, &qx_op_filter, 0);
  if (!c) return NULL;
  c->fk = f->filter;
  c->val = f->p;
  c->nval = f->n;
  if (f->filter == QF_ANNEX) {
    if (!strcmp(f->p, "*") || !strcmp(f->p, "any")) c->annex_any = 1;
    else if (!strcmp(f->p, "0")) c->annex = 0;
    else {
      c->annex = annex_number(f->p, f->n);
      if (c->annex == 0) {
        qx_note(q, "annex: takes 0 (body), a number or a roman numeral; filter ignored");
        return NULL;
      }
    }
  } else if (f->filter == QF_TITLE) {
    qx_tokv v;
    if (qx_analyse(q, f->p, f->n, &v)) return NULL;
    c->tterms = qx_alloc(q, (v.n + 1) * sizeof *c->tterms);
    c->ntterms = qx_alloc(q, (v.n + 1) * sizeof *c->ntterms);
    if (!c->tterms || !c->ntterms) return NULL;
    size_t nstop = 0;
    for (size_t i = 0; i < v.n; i++) nstop += (v.t[i].flags & TOK_STOP) != 0;
    for (size_t i = 0; i < v.n; i++) {
      if ((v.t[i].flags & (TOK_STOP | TOK_PART)) && nstop < v.n) continue;
      c->tterms[c->ntitle] = v.term[i];
      c->ntterms[c->ntitle++] = v.t[i].nterm;
    }
    if (!c->ntitle) { qx_note(q, "title: without words; filter ignored"); return NULL; }
  }
  return c;
}


/*
** Glob match of pattern @pat ('*' any run, '?' one byte, ASCII case ignored)
** against s[0..n): the classic iterative matcher that backtracks to the
** last '*' only, so it runs in O(|pat| * n). Never fails.
*/
static int glob_match(const char *pat, const char *s, size_t n) {
  const char *star = NULL;
  size_t i = 0, si = 0;
  while (i < n) {
    char pc = *pat;
    if (pc == '*') { star = ++pat; si = i; continue; }
    if (pc && (pc == '?' || (pc | 0x20) == (s[i] | 0x20) || pc == s[i])) {
      if (pc != '?' && pc != s[i] && !((pc >= 'A' && pc <= 'Z') || (pc >= 'a' && pc <= 'z'))) goto back;
      pat++; i++;
      continue;
    }
  back:
    if (!star) return 0;
    pat = star;
    i = ++si;
  }
  while (*pat == '*') pat++;
  return *pat == 0;
}

/* Does some symbol of document @d match the filter's pattern? */
static int symbol_match(const cnode *c, const seg_doc *d) {
  const char *v;
  size_t nv;
  if (seg_doc_meta_find(d, "symbol", &v, &nv) == 1 && glob_match(c->val, v, nv)) return 1;
  if (seg_doc_meta_find(d, "symbols", &v, &nv) != 1) return 0;
  size_t i = 0;
  while (i < nv) {
    while (i < nv && v[i] == ' ') i++;
    size_t j = i;
    while (j < nv && v[j] != ' ') j++;
    if (j > i && glob_match(c->val, v + i, j - i)) return 1;
    /* "S/RES/2354 (2017)": a symbol followed by its year */
    if (j + 1 < nv && v[j + 1] == '(') {
      size_t k = j + 1;
      while (k < nv && v[k] != ' ') k++;
      if (glob_match(c->val, v + i, k - i)) return 1;
    }
    i = j;
  }
  return 0;
}

typedef struct title_ctx { const cnode *c; uint64_t seen; } title_ctx;
static int title_tok(void *ctx, const ia_token *t) {
  title_ctx *tc = ctx;
  for (size_t i = 0; i < tc->c->ntitle && i < 64; i++)
    if (tc->c->ntterms[i] == t->nterm && !memcmp(tc->c->tterms[i], t->term, t->nterm)) tc->seen |= 1ull << i;
  return 0;
}

/* 1 when document @did of the current segment passes filter @c (all but annex). */
static int doc_pass(qx_query *q, const cnode *c, uint32_t did, seg_doc *d) {
  const char *v;
  size_t nv;
  switch (c->fk) {
  case QF_SYMBOL: return symbol_match(c, d);
  case QF_DOC: {
    if (glob_match(c->val, d->id, d->nid)) return 1;
    const char *slash = d->id, *p;
    for (p = d->id; p < d->id + d->nid; p++) if (*p == '/') slash = p + 1;
    size_t nb = (size_t)(d->id + d->nid - slash);
    if (glob_match(c->val, slash, nb)) return 1;
    const char *dot = memchr(slash, '.', nb);
    return dot && glob_match(c->val, slash, (size_t)(dot - slash));
  }
  case QF_YEAR: case QF_FIELD: case QF_DATE: case QF_BODY:   /* fields.c, over the field columns */
    return c->spec && qf_doc_pass(c->spec, q->r, did, NULL) == 1;
  case QF_TITLE: {
    if (seg_doc_meta_find(d, "title", &v, &nv) != 1) return 0;
    title_ctx tc = { c, 0 };
    int rc = analyzer_run(q->an, v, nv, title_tok, &tc, NULL);
    if (rc) { qx_fail(q, rc < 0 ? rc : INDAGA_ENOMEM, "reading a title"); return 0; }
    size_t n = c->ntitle < 64 ? c->ntitle : 64;
    return tc.seen == (n == 64 ? UINT64_MAX : (1ull << n) - 1);
  }
  case QF_ANNEX:
    return c->annex_any ? d->nparts > 1 : c->annex < d->nparts;
  }
  (void)did;
  return 0;
}

/* Load document @did of the current segment into filter iterator @it. */
static int filter_load(qx_query *q, qit *it, uint32_t did) {
  seg_doc d;
  int rc = seg_doc_get(q->r, did, &d);
  if (rc) { qx_fail(q, rc, "reading the document table"); return rc; }
  it->fdid = did;
  it->ffirst = d.first_para;
  it->fend = d.first_para + d.npara;
  if (!it->dcache[did]) it->dcache[did] = doc_pass(q, it->c, did, &d) ? 1 : 2;
  return q->rc;
}

/*
** FILTER seek over the field columns (QF_FIELD, QF_DATE, QF_YEAR, QF_BODY):
** the document of t from the documents' first paragraphs (O(1) from the
** current one, else by bisection), its verdict from the value ids; a
** failing document is skipped whole. No document record is read.
*/
static void filter_seek_columns(qx_query *q, qit *it, uint32_t t) {
  uint32_t np = seg_npara(q->r), did = it->fdid;
  while (t < np) {
    did = sf_doc_of(it->ff, t, did);
    if (!it->dcache[did]) it->dcache[did] = qf_doc_pass(it->c->spec, q->r, did, NULL) == 1 ? 1 : 2;
    if (it->dcache[did] == 1) {
      it->fdid = did;
      it->doc = t;
      return;
    }
    t = sf_start(it->ff, did + 1);
  }
}

/* FILTER seek: the first paragraph >= t of a passing document (and part). */
static void filter_seek(qx_query *q, qit *it, uint32_t t) {
  const cnode *c = it->c;
  uint32_t np = seg_npara(q->r);
  it->doc = SEG_END;
  if (it->ndoc == 0) return;
  if (it->ff) { filter_seek_columns(q, it, t); return; }
  if (!it->dcache[it->ndoc]) {   /* the slot past the documents: "a document is loaded" */
    if (filter_load(q, it, 0)) return;
    it->dcache[it->ndoc] = 1;
  }
  while (t < np) {
    while (t >= it->fend) {
      if (it->fdid + 1 >= it->ndoc) return;
      if (filter_load(q, it, it->fdid + 1)) return;
    }
    if (t < it->ffirst) t = it->ffirst;
    if (it->dcache[it->fdid] != 1) { t = it->fend; continue; }
    if (c->fk == QF_ANNEX) {
      seg_para p;
      int rc = seg_para_get(q->r, t, &p);
      if (rc) { qx_fail(q, rc, "reading the paragraph table"); return; }
      if (c->annex_any ? p.part == 0 : p.part != c->annex) { t++; continue; }
    }
    it->doc = t;
    return;
  }
}

static qit *filter_build(qx_query *q, const cnode *c) {
  qit *it = qx_it_new(q, c);
  if (!it) return NULL;
  it->ndoc = seg_ndoc(q->r);
  it->dcache = qx_alloc(q, it->ndoc + 1);
  if (!it->dcache) return NULL;
  it->cost = seg_npara(q->r);
  it->fdid = UINT32_MAX;
  if (qf_handles(c->fk) && c->spec) {
    char *err = NULL;
    int rc = seg_fields_get(q->r, &it->ff, &err);
    indaga__free(err);   /* qx_fail names the segment */
    if (rc) { qx_fail(q, rc, "reading the field columns"); return NULL; }
  }
  return it;
}

static void filter_seek_at(qx_query *q, qit *it, uint32_t t) {
  filter_seek(q, it, t);
  it->at = 1;
}

static double filter_score(qx_query *q, const qit *it, uint32_t d, double len) {
  (void)q; (void)it; (void)d; (void)len;
  return 0.0;
}

/* A filter knows no length floor (0) and adds nothing to a bound. */
static uint32_t filter_bound_prep(qx_query *q, qit *it, uint32_t d, uint32_t *last) {
  (void)q; (void)d; (void)last;
  it->bfloor = 0;
  return 0;
}

static double filter_bound_eval(qx_query *q, const qit *it, uint32_t lfloor) {
  (void)q; (void)it; (void)lfloor;
  return 0.0;
}

static void filter_release(qx_query *q, qit *it) { (void)q; (void)it; }

const qx_op qx_op_filter = {
  "filter", filter_build, filter_seek_at, filter_score, filter_bound_prep, filter_bound_eval,
  NULL, filter_release
};
