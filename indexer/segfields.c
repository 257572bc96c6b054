/*
** segfields.c: a segment's fields as columns (segfields.h), built from the
** document table once per open segment.
**
** Building: one pass over the documents for their first paragraphs, dates
** and field names (keys folded, values untouched); then, per field on its
** first use (sf_load), a pass that folds that field's values and looks each
** up in the field's hash table of distinct values (open addressing,
** doubled at half full), giving its id. Memory: 8 bytes per document, plus
** 4 per document per field used, plus its distinct values (each stored
** twice: folded and as written).
*/
#include <stdatomic.h>
#include <string.h>
#include <utf8proc.h>

#include "indexer/segfields.h"
#include "indexer/segimpl.h"
#include "stemmer/analyze.h"

typedef struct sf_val { size_t off, n, doff, dn; } sf_val;

/* One field's column and value dictionary (built by sf_load). */
typedef struct sf_col {
  uint32_t *col;               /* ndoc value ids */
  sf_val *v;                   /* [0] unused; 1..nv */
  uint32_t nv, capv;
  uint32_t *slot;              /* hash table of value ids (build only) */
  uint32_t nslot;
  ia_buf strs;                 /* the values, folded and as written, NUL-terminated */
} sf_col;

typedef struct sf_field {
  size_t name;                 /* offset in names */
  struct sf_col *_Atomic col;  /* NULL until sf_load */
} sf_field;

struct seg_fields {
  uint32_t ndoc;
  uint32_t *start, *date;
  sf_field *f;
  size_t nf, capf;
  ia_buf names;                /* field names, NUL-terminated */
};

int sf_fold(const char *p, size_t n, ia_buf *out) {
  size_t i = 0;
  while (i < n && (unsigned char)p[i] < 0x80) i++;
  if (i == n) {                                   /* ASCII: lowercase and collapse spaces, no decoding */
    if (buf_reserve(out, n + 1)) return INDAGA_ENOMEM;
    size_t start = out->n;
    int space = 1;
    for (i = 0; i < n; i++) {
      char c = p[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (!space) out->p[out->n++] = ' ';
        space = 1;
        continue;
      }
      space = 0;
      out->p[out->n++] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    while (out->n > start && out->p[out->n - 1] == ' ') out->n--;
    out->p[out->n] = 0;
    return INDAGA_OK;
  }
  ia_buf t = { 0 };
  int rc = fold_accents(p, n, &t);
  if (rc) { buf_free(&t); return rc; }
  const utf8proc_uint8_t *s = t.p;
  utf8proc_ssize_t left = (utf8proc_ssize_t)t.n;
  size_t start = out->n;
  int space = 1;                                   /* drops leading spaces */
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(s, left, &cp);
    if (k <= 0) { cp = 0xFFFD; k = 1; }
    s += k;
    left -= k;
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0) {
      if (!space) buf_putc(out, ' ');
      space = 1;
      continue;
    }
    space = 0;
    utf8proc_uint8_t e[4];
    utf8proc_ssize_t ne = utf8proc_encode_char(utf8proc_tolower(cp), e);
    buf_append(out, e, (size_t)ne);
  }
  while (out->n > start && out->p[out->n - 1] == ' ') out->n--;
  buf_free(&t);
  buf_putc(out, 0);
  if (!out->err) out->n--;
  return out->err;
}

static int dig(char c) { return c >= '0' && c <= '9'; }

int sf_parse_date(const char *p, size_t n, uint32_t *ymd, int *parts) {
  uint32_t v[3] = { 0, 0, 0 };
  size_t i = 0;
  int k = 0;
  while (k < 3) {
    size_t s = i;
    uint32_t x = 0;
    while (i < n && dig(p[i]) && i - s < 4) x = x * 10 + (uint32_t)(p[i++] - '0');
    size_t len = i - s;
    if (k == 0 ? len != 4 : (len < 1 || len > 2)) return 0;
    v[k++] = x;
    if (i == n) break;
    if (p[i] != '-' && p[i] != '/') return 0;
    i++;
  }
  if (i != n) return 0;
  if (v[0] < 1000 || (k > 1 && (v[1] < 1 || v[1] > 12)) || (k > 2 && (v[2] < 1 || v[2] > 31))) return 0;
  *ymd = v[0] * 10000 + v[1] * 100 + v[2];
  if (parts) *parts = k;
  return 1;
}

/* The date of a document from its "date" value, else its "year" (segfields.h). */
static uint32_t doc_date(const seg_doc *d) {
  const char *v;
  size_t nv;
  uint32_t ymd;
  if (seg_doc_meta_find(d, "date", &v, &nv) == 1) {
    if (nv > 10 && (v[10] == 'T' || v[10] == ' ')) nv = 10;
    if (sf_parse_date(v, nv, &ymd, NULL)) return ymd;
  }
  if (seg_doc_meta_find(d, "year", &v, &nv) == 1 && nv == 4 && sf_parse_date(v, 4, &ymd, NULL)) return ymd;
  return 0;
}

static uint64_t hash(const unsigned char *p, size_t n) {
  uint64_t h = 1469598103934665603u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211u;
  return h;
}

/* The index of field @k (folded), added when new; -1 on allocation failure. */
static long field(seg_fields *f, const char *k, size_t nk) {
  for (size_t i = 0; i < f->nf; i++) {
    const char *name = (const char *)f->names.p + f->f[i].name;
    if (strlen(name) == nk && !memcmp(name, k, nk)) return (long)i;
  }
  if (f->nf == f->capf) {
    size_t cap = f->capf ? f->capf * 2 : 16;
    sf_field *v = indaga__realloc(f->f, cap * sizeof *v);
    if (!v) return -1;
    f->f = v;
    f->capf = cap;
  }
  sf_field *x = &f->f[f->nf];
  memset(x, 0, sizeof *x);
  x->name = f->names.n;
  buf_append(&f->names, k, nk);
  buf_putc(&f->names, 0);
  if (f->names.err) return -1;
  return (long)f->nf++;
}

/* The id of folded value @fv (as written: @v) in @x, added when new; 0 on failure. */
static uint32_t value_id(sf_col *x, const unsigned char *fv, size_t nfv, const char *v, size_t nv) {
  if (2 * (x->nv + 1) >= x->nslot) {
    uint32_t ns = x->nslot ? x->nslot * 2 : 64;
    uint32_t *s = indaga__calloc(ns, sizeof *s);
    if (!s) return 0;
    for (uint32_t id = 1; id <= x->nv; id++) {
      uint64_t h = hash(x->strs.p + x->v[id].off, x->v[id].n);
      uint32_t i = (uint32_t)h & (ns - 1);
      while (s[i]) i = (i + 1) & (ns - 1);
      s[i] = id;
    }
    indaga__free(x->slot);
    x->slot = s;
    x->nslot = ns;
  }
  uint32_t i = (uint32_t)hash(fv, nfv) & (x->nslot - 1);
  while (x->slot[i]) {
    const sf_val *e = &x->v[x->slot[i]];
    if (e->n == nfv && !memcmp(x->strs.p + e->off, fv, nfv)) return x->slot[i];
    i = (i + 1) & (x->nslot - 1);
  }
  if (x->nv + 1 >= x->capv) {
    uint32_t cap = x->capv ? x->capv * 2 : 16;
    sf_val *nvv = indaga__realloc(x->v, cap * sizeof *nvv);
    if (!nvv) return 0;
    x->v = nvv;
    x->capv = cap;
  }
  uint32_t id = ++x->nv;
  sf_val *e = &x->v[id];
  e->off = x->strs.n;
  e->n = nfv;
  buf_append(&x->strs, fv, nfv);
  buf_putc(&x->strs, 0);
  e->doff = x->strs.n;
  e->dn = nv;
  buf_append(&x->strs, v, nv);
  buf_putc(&x->strs, 0);
  if (x->strs.err) return 0;
  x->slot[i] = id;
  return id;
}

static void col_free(sf_col *c) {
  if (!c) return;
  indaga__free(c->col);
  indaga__free(c->v);
  indaga__free(c->slot);
  buf_free(&c->strs);
  indaga__free(c);
}

/*
** The next metadata record of document @did (@d) at *@p: its key and value,
** and *@p past it. Returns 1 for a record, 0 at the end of @d's metadata, or
** INDAGA_ECORRUPT (with *@errmsg) for a record that does not parse. Walks the
** records directly: seg_doc_meta(i) would rescan the first i.
*/
static int meta_next(const seg_reader *r, const seg_doc *d, uint32_t did, const unsigned char **p,
                     const char **k, size_t *nk, const char **v, size_t *nv, char **errmsg) {
  const unsigned char *end = d->meta + d->nmeta;
  if (*p >= end) return 0;
  seg_doc one = *d;
  one.meta = *p;
  one.nmeta = (size_t)(end - *p);
  if (seg_doc_meta(&one, 0, k, nk, v, nv) != 1)
    return seg__corrupt(r, errmsg, "bad metadata of document %u", did);
  *p = (const unsigned char *)*v + *nv;
  return 1;
}

/* Pass 1: first paragraphs, dates and the field names (keys folded; values untouched). */
static int build(const seg_reader *r, seg_fields **out, char **errmsg) {
  seg_fields *f = indaga__calloc(1, sizeof *f);
  if (!f) return INDAGA_ENOMEM;
  f->ndoc = seg_ndoc(r);
  f->start = indaga__malloc(((size_t)f->ndoc + 1) * sizeof *f->start);
  f->date = indaga__calloc(f->ndoc ? f->ndoc : 1, sizeof *f->date);
  int rc = f->start && f->date ? INDAGA_OK : INDAGA_ENOMEM;
  ia_buf kb = { 0 };
  for (uint32_t did = 0; did < f->ndoc && !rc; did++) {
    seg_doc d;
    rc = seg_doc_get(r, did, &d);
    if (rc) break;
    f->start[did] = d.first_para;
    f->date[did] = doc_date(&d);
    const unsigned char *p = d.meta;
    const char *k, *v;
    size_t nk, nv;
    int more;
    while ((more = meta_next(r, &d, did, &p, &k, &nk, &v, &nv, errmsg)) > 0) {
      buf_reset(&kb);
      if (sf_fold(k, nk, &kb)) { rc = INDAGA_ENOMEM; break; }
      if (kb.n && field(f, (const char *)kb.p, kb.n) < 0) { rc = INDAGA_ENOMEM; break; }
    }
    if (more < 0) rc = more;
  }
  if (!rc) f->start[f->ndoc] = seg_npara(r);
  buf_free(&kb);
  if (rc) { seg_fields_free(f); return rc; }
  *out = f;
  return INDAGA_OK;
}

int sf_load(const seg_reader *r, const seg_fields *fc, size_t fi, char **errmsg) {
  seg_fields *f = (seg_fields *)(uintptr_t)fc;   /* the columns are the mutable cache of a built table */
  sf_field *x = &f->f[fi];
  if (atomic_load_explicit(&x->col, memory_order_acquire)) return INDAGA_OK;
  sf_col *c = indaga__calloc(1, sizeof *c);
  if (!c) return INDAGA_ENOMEM;
  c->col = indaga__calloc(f->ndoc ? f->ndoc : 1, sizeof *c->col);
  int rc = c->col ? INDAGA_OK : INDAGA_ENOMEM;
  const char *name = (const char *)f->names.p + x->name;
  size_t nname = strlen(name);
  ia_buf kb = { 0 }, vb = { 0 };
  for (uint32_t did = 0; did < f->ndoc && !rc; did++) {
    seg_doc d;
    rc = seg_doc_get(r, did, &d);
    if (rc) break;
    const unsigned char *p = d.meta;
    const char *k, *v;
    size_t nk, nv;
    int more;
    while ((more = meta_next(r, &d, did, &p, &k, &nk, &v, &nv, errmsg)) > 0) {
      buf_reset(&kb);
      if (sf_fold(k, nk, &kb)) { rc = INDAGA_ENOMEM; break; }
      if (kb.n != nname || memcmp(kb.p, name, nname)) continue;
      buf_reset(&vb);
      if (sf_fold(v, nv, &vb)) { rc = INDAGA_ENOMEM; break; }
      if (!vb.n) continue;
      uint32_t id = value_id(c, vb.p, vb.n, v, nv);
      if (!id) { rc = INDAGA_ENOMEM; break; }
      c->col[did] = id;
    }
    if (more < 0) rc = more;
  }
  buf_free(&kb);
  buf_free(&vb);
  indaga__free(c->slot);
  c->slot = NULL;
  if (rc) { col_free(c); return rc; }
  sf_col *expect = NULL;
  if (!atomic_compare_exchange_strong_explicit(&x->col, &expect, c, memory_order_acq_rel, memory_order_acquire))
    col_free(c);
  return INDAGA_OK;
}

int seg_fields_get(const seg_reader *r, const seg_fields **out, char **errmsg) {
  seg_reader *w = (seg_reader *)(uintptr_t)r;   /* the cache slot is the one mutable part of a reader */
  seg_fields *f = atomic_load_explicit(&w->fields, memory_order_acquire);
  if (f) { *out = f; return INDAGA_OK; }
  int rc = build(r, &f, errmsg);
  if (rc) return rc;
  seg_fields *expect = NULL;
  if (!atomic_compare_exchange_strong_explicit(&w->fields, &expect, f, memory_order_acq_rel, memory_order_acquire)) {
    seg_fields_free(f);
    f = expect;
  }
  *out = f;
  return INDAGA_OK;
}

void seg_fields_free(seg_fields *f) {
  if (!f) return;
  for (size_t i = 0; i < f->nf; i++) col_free(atomic_load(&f->f[i].col));
  indaga__free(f->f);
  indaga__free(f->start);
  indaga__free(f->date);
  buf_free(&f->names);
  indaga__free(f);
}

uint32_t sf_doc_of(const seg_fields *f, uint32_t pid) {
  uint32_t lo = 0, hi = f->ndoc;           /* the last document whose start <= pid */
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (f->start[mid] <= pid) lo = mid; else hi = mid;
  }
  return lo;
}

const uint32_t *sf_starts(const seg_fields *f) { return f->start; }
uint32_t sf_date(const seg_fields *f, uint32_t did) { return did < f->ndoc ? f->date[did] : 0; }
size_t sf_nfields(const seg_fields *f) { return f->nf; }
const char *sf_name(const seg_fields *f, size_t fi) { return (const char *)f->names.p + f->f[fi].name; }

long sf_find(const seg_fields *f, const char *name, size_t n) {
  for (size_t i = 0; i < f->nf; i++) {
    const char *s = sf_name(f, i);
    if (strlen(s) == n && !memcmp(s, name, n)) return (long)i;
  }
  return -1;
}

static const sf_col *col_of(const seg_fields *f, size_t fi) {
  return atomic_load_explicit(&((seg_fields *)(uintptr_t)f)->f[fi].col, memory_order_acquire);
}

uint32_t sf_nvalues(const seg_fields *f, size_t fi) { return col_of(f, fi)->nv; }

const char *sf_value(const seg_fields *f, size_t fi, uint32_t vid, size_t *n) {
  const sf_col *c = col_of(f, fi);
  *n = c->v[vid].n;
  return (const char *)c->strs.p + c->v[vid].off;
}

const char *sf_display(const seg_fields *f, size_t fi, uint32_t vid, size_t *n) {
  const sf_col *c = col_of(f, fi);
  *n = c->v[vid].dn;
  return (const char *)c->strs.p + c->v[vid].doff;
}

const uint32_t *sf_column(const seg_fields *f, size_t fi) { return col_of(f, fi)->col; }
