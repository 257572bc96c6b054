/*
** fields.c: field filters, date ranges, symbol bodies and hit dates over
** the segments' field columns (fields.h, indexer/segfields.h).
**
** qf_compile decides, for each segment, each distinct value of the field
** once (a byte per value id), so qf_doc_pass is two array reads. Dates
** are compared as yyyymmdd integers: a bound "2015" is 20150000..20159999,
** "2015-06" 20150600..20150699, and a document dated by its year only
** (yyyy0000) lies in a range when the range holds all of that year's
** first "day" 0000.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "query/fields.h"

typedef struct qf_seg {
  const seg_reader *r;
  const seg_fields *f;
  long fi;                 /* the field (QF_FIELD, QF_BODY), -1 when absent */
  long fi2;                /* QF_BODY: "symbol" as well */
  uint8_t *vpass, *vpass2; /* per value id: 1 passes */
} qf_seg;

enum { R_NONE, R_DATE, R_NUM, R_TEXT };

struct qf_spec {
  qf_kind kind;
  const char *name; size_t nname;    /* folded field name */
  const char *val; size_t nval;      /* folded value (or the range's text) */
  int glob;
  int rtype;                         /* R_*: a range or a date value */
  uint32_t dlo, dhi;                 /* R_DATE bounds, inclusive */
  double nlo, nhi;                   /* R_NUM bounds */
  const char *slo, *shi; size_t nslo, nshi;   /* R_TEXT bounds (folded) */
  int has_lo, has_hi;
  qf_seg *seg; size_t nsegs;
};

/* Fold p[0..n) into the arena. */
static const char *afold(qa_arena *a, const char *p, size_t n, size_t *out_n) {
  ia_buf b = { 0 };
  if (sf_fold(p, n, &b)) { buf_free(&b); a->err = a->err ? a->err : INDAGA_ENOMEM; return NULL; }
  const char *s = qa_strndup(a, b.p ? (const char *)b.p : "", b.n);
  *out_n = b.n;
  buf_free(&b);
  return s;
}

/* Glob (* any run, ? one byte) of folded pattern @pat over s[0..n): iterative, O(|pat| n). */
static int glob(const char *pat, const char *s, size_t n) {
  const char *star = NULL;
  size_t i = 0, si = 0;
  while (i < n) {
    if (*pat == '*') { star = ++pat; si = i; continue; }
    if (*pat && (*pat == '?' || *pat == s[i])) { pat++; i++; continue; }
    if (!star) return 0;
    pat = star;
    i = ++si;
  }
  while (*pat == '*') pat++;
  return *pat == 0;
}

/* Date bound of p[0..n): 1 and *ymd (the first day, or with @high the last, of what it names). */
static int date_bound(const char *p, size_t n, int high, uint32_t *ymd) {
  int parts;
  if (!sf_parse_date(p, n, ymd, &parts)) return 0;
  if (high && parts == 1) *ymd += 9999;
  else if (high && parts == 2) *ymd += 99;
  return 1;
}

static int number(const char *p, size_t n, double *v) {
  char tmp[64];
  if (!n || n >= sizeof tmp) return 0;
  memcpy(tmp, p, n);
  tmp[n] = 0;
  char *e;
  *v = strtod(tmp, &e);
  return e == tmp + n && ((tmp[0] >= '0' && tmp[0] <= '9') || tmp[0] == '-' || tmp[0] == '+');
}

/* A document value as a date (its first 10 bytes when an ISO time follows). */
static int value_date(const char *v, size_t n, uint32_t *ymd) {
  if (n > 10 && (v[10] == 't' || v[10] == ' ')) n = 10;
  return sf_parse_date(v, n, ymd, NULL);
}

/* Read a range "a..b" (either side may be empty) or a date value into @sp. 1 when it is one. */
static int read_range(qa_arena *a, qf_spec *sp, const char *p, size_t n) {
  const char *dots = NULL;
  for (size_t i = 0; i + 1 < n; i++) if (p[i] == '.' && p[i + 1] == '.') { dots = p + i; break; }
  if (!dots) {
    if (!date_bound(p, n, 0, &sp->dlo) || !date_bound(p, n, 1, &sp->dhi)) return 0;
    sp->rtype = R_DATE;
    sp->has_lo = sp->has_hi = 1;
    return 1;
  }
  const char *lo = p, *hi = dots + 2;
  size_t nlo = (size_t)(dots - p), nhi = (size_t)(p + n - hi);
  sp->has_lo = nlo > 0;
  sp->has_hi = nhi > 0;
  if (!sp->has_lo && !sp->has_hi) return 0;
  if ((!nlo || date_bound(lo, nlo, 0, &sp->dlo)) && (!nhi || date_bound(hi, nhi, 1, &sp->dhi))) {
    sp->rtype = R_DATE;
    if (!nlo) sp->dlo = 0;
    if (!nhi) sp->dhi = UINT32_MAX;
    return 1;
  }
  if ((!nlo || number(lo, nlo, &sp->nlo)) && (!nhi || number(hi, nhi, &sp->nhi))) { sp->rtype = R_NUM; return 1; }
  sp->rtype = R_TEXT;
  sp->slo = afold(a, lo, nlo, &sp->nslo);
  sp->shi = afold(a, hi, nhi, &sp->nshi);
  return sp->slo && sp->shi;
}

static int cmp_text(const char *x, size_t nx, const char *y, size_t ny) {
  int c = memcmp(x, y, nx < ny ? nx : ny);
  return c ? c : (nx > ny) - (nx < ny);
}

/* Does folded value v[0..n) of a QF_FIELD pass? */
static int value_pass(const qf_spec *sp, const char *v, size_t n) {
  uint32_t ymd;
  double x;
  switch (sp->rtype) {
  case R_DATE:
    if (value_date(v, n, &ymd) && ymd >= sp->dlo && ymd <= sp->dhi) return 1;
    break;
  case R_NUM:
    return number(v, n, &x) && (!sp->has_lo || x >= sp->nlo) && (!sp->has_hi || x <= sp->nhi);
  case R_TEXT:
    return (!sp->has_lo || cmp_text(v, n, sp->slo, sp->nslo) >= 0) && (!sp->has_hi || cmp_text(v, n, sp->shi, sp->nshi) <= 0);
  }
  if (sp->glob ? glob(sp->val, v, n) : n == sp->nval && !memcmp(v, sp->val, n)) return 1;
  /* a list ("a, b": front matter lists, agenda items): one of its items */
  for (size_t i = 0; i + 1 < n; i++) {
    if (v[i] != ',' || v[i + 1] != ' ') continue;
    size_t s = 0;
    for (size_t j = 0; j <= n; j++) {
      if (j == n || (v[j] == ',' && j + 1 < n && v[j + 1] == ' ')) {
        if (sp->glob ? glob(sp->val, v + s, j - s) : j - s == sp->nval && !memcmp(v + s, sp->val, j - s)) return 1;
        s = j + 2;
        j++;
      }
    }
    break;
  }
  return 0;
}

/* body: does a symbol of the space-separated list v[0..n) equal the body or start with it and '/'? */
static int body_pass(const qf_spec *sp, const char *v, size_t n) {
  size_t i = 0;
  while (i < n) {
    while (i < n && v[i] == ' ') i++;
    size_t j = i;
    while (j < n && v[j] != ' ') j++;
    size_t len = j - i;
    if (len >= sp->nval && !memcmp(v + i, sp->val, sp->nval) && (len == sp->nval || v[i + sp->nval] == '/'))
      return 1;
    i = j;
  }
  return 0;
}

/* Per value id of field @fi of @f, 1 when it passes. */
static uint8_t *value_table(qa_arena *a, const qf_spec *sp, const seg_fields *f, long fi) {
  if (fi < 0) return NULL;
  uint32_t nv = sf_nvalues(f, (size_t)fi);
  uint8_t *t = qa_alloc(a, (size_t)nv + 1);
  if (!t) return NULL;
  for (uint32_t id = 1; id <= nv; id++) {
    size_t n;
    const char *v = sf_value(f, (size_t)fi, id, &n);
    /* the work budget: a glob costs up to its length times the value's (a hostile pattern is long) */
    int brc = qb_step(a->bud, 1 + (sp->glob ? sp->nval / 16 * (n + 1) : 0) + (sp->nval + n) / 16);
    if (brc) { a->err = brc; return NULL; }
    t[id] = (uint8_t)(sp->kind == QF_BODY ? body_pass(sp, v, n) : value_pass(sp, v, n));
  }
  return t;
}

static int cmp_names(const void *x, const void *y) { return strcmp(*(const char *const *)x, *(const char *const *)y); }

/* The note for a field no segment holds: its name and the fields there are. */
static void unknown_note(const ix_snapshot *s, const qf_spec *sp, ia_buf *notes) {
  if (!notes) return;
  if (notes->n) buf_puts(notes, "; ");
  buf_printf(notes, "no field \"%.*s\" in this index, searched as words (fields:", (int)sp->nname, sp->name);
  const char *seen[128] = { "annex", "body", "date", "doc", "symbol", "title", "year" };
  size_t nseen = 7;
  for (size_t s_ = 0; s_ < ix_nsegs(s); s_++) {
    const seg_fields *f;
    char *e = NULL;
    if (seg_fields_get(ix_seg(s, s_), &f, &e)) { indaga__free(e); continue; }
    for (size_t i = 0; i < sf_nfields(f) && nseen < ARRAY_SIZE(seen); i++) {
      const char *nm = sf_name(f, i);
      size_t k = 0;
      while (k < nseen && strcmp(seen[k], nm)) k++;
      if (k == nseen) seen[nseen++] = nm;
    }
  }
  if (nseen > 1) qsort(seen, nseen, sizeof *seen, cmp_names);
  for (size_t i = 0; i < nseen; i++) buf_printf(notes, "%s %s", i ? "," : "", seen[i]);
  buf_putc(notes, ')');
}

int qf_compile(qa_arena *a, const ix_snapshot *s, const qnode *fq, qf_spec **out, ia_buf *notes, char **err) {
  *out = NULL;
  qf_spec *sp = qa_alloc(a, sizeof *sp);
  if (!sp) return a->err;
  sp->kind = fq->filter;
  const char *v = fq->p;
  size_t nv = fq->n;
  if (sp->kind == QF_FIELD) {
    const char *colon = memchr(fq->p, ':', fq->n);
    if (!colon) return INDAGA_OK;
    sp->name = afold(a, fq->p, (size_t)(colon - fq->p), &sp->nname);
    v = colon + 1;
    nv = fq->n - (size_t)(colon - fq->p) - 1;
  }
  sp->val = afold(a, v, nv, &sp->nval);
  if (!sp->val || (sp->kind == QF_FIELD && !sp->name)) return a->err;
  if (sp->kind == QF_DATE || sp->kind == QF_YEAR) {
    if (!read_range(a, sp, sp->val, sp->nval) || sp->rtype != R_DATE) {
      if (notes) {
        if (notes->n) buf_puts(notes, "; ");
        buf_printf(notes, "%s: takes yyyy, yyyy-mm, yyyy-mm-dd or a range a..b, ..b, a..; filter ignored",
                   sp->kind == QF_DATE ? "date" : "year");
      }
      return INDAGA_OK;
    }
  } else if (sp->kind == QF_FIELD) {
    if (!read_range(a, sp, sp->val, sp->nval)) sp->rtype = R_NONE;
    sp->glob = memchr(sp->val, '*', sp->nval) || memchr(sp->val, '?', sp->nval);
    if (a->err) return a->err;
  }
  sp->nsegs = ix_nsegs(s);
  sp->seg = qa_alloc(a, (sp->nsegs ? sp->nsegs : 1) * sizeof *sp->seg);
  if (!sp->seg) return a->err;
  int known = sp->kind != QF_FIELD;
  for (size_t i = 0; i < sp->nsegs; i++) {
    qf_seg *g = &sp->seg[i];
    g->r = ix_seg(s, i);
    int rc = seg_fields_get(g->r, &g->f, err);
    if (rc) return rc;
    g->fi = g->fi2 = -1;
    if (sp->kind == QF_FIELD) g->fi = sf_find(g->f, sp->name, sp->nname);
    else if (sp->kind == QF_BODY) { g->fi = sf_find(g->f, "symbols", 7); g->fi2 = sf_find(g->f, "symbol", 6); }
    if (g->fi >= 0) known = 1;
    if (g->fi >= 0 && (rc = sf_load(g->r, g->f, (size_t)g->fi, err))) return rc;
    if (g->fi2 >= 0 && (rc = sf_load(g->r, g->f, (size_t)g->fi2, err))) return rc;
    g->vpass = value_table(a, sp, g->f, g->fi);
    g->vpass2 = value_table(a, sp, g->f, g->fi2);
    if (a->err) return a->err;
  }
  if (!known && sp->nsegs) { unknown_note(s, sp, notes); return QF_UNKNOWN; }
  *out = sp;
  return INDAGA_OK;
}

int qf_doc_pass(qf_spec *sp, const seg_reader *r, uint32_t did, char **err) {
  (void)err;
  for (size_t i = 0; i < sp->nsegs; i++) {
    qf_seg *g = &sp->seg[i];
    if (g->r != r) continue;
    if (sp->kind == QF_DATE || sp->kind == QF_YEAR) {
      uint32_t d = sf_date(g->f, did);
      return d && d >= sp->dlo && d <= sp->dhi;
    }
    if (g->fi >= 0 && g->vpass) {
      uint32_t id = sf_id(g->f, (size_t)g->fi, did);
      if (id && g->vpass[id]) return 1;
    }
    if (g->fi2 >= 0 && g->vpass2) {
      uint32_t id = sf_id(g->f, (size_t)g->fi2, did);
      if (id && g->vpass2[id]) return 1;
    }
    return 0;
  }
  return 0;
}

int qf_para_date(const seg_reader *r, uint32_t pid, uint32_t *ymd, uint32_t *did, char **err) {
  const seg_fields *f;
  int rc = seg_fields_get(r, &f, err);
  if (rc) return rc;
  *did = sf_doc_of(f, pid, UINT32_MAX);
  *ymd = sf_date(f, *did);
  return INDAGA_OK;
}

uint64_t qf_pass_paras(qf_spec *const *sps, size_t n, const ix_snapshot *s) {
  uint64_t total = 0;
  for (size_t g = 0; g < ix_nsegs(s); g++) {
    const seg_reader *r = ix_seg(s, g);
    const seg_fields *f = n && g < sps[0]->nsegs ? sps[0]->seg[g].f : NULL;   /* qf_compile's order */
    if (!f) { total += seg_npara(r); continue; }
    for (uint32_t d = 0; d < seg_ndoc(r); d++) {
      int pass = 1;
      for (size_t i = 0; i < n && pass; i++) pass = qf_doc_pass(sps[i], r, d, NULL) == 1;
      if (pass) total += sf_start(f, d + 1) - sf_start(f, d);
    }
  }
  return total;
}
