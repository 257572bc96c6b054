/*
** segfields_enc.c: deriving a segment's FIELDS section (format.h) from its
** documents' metadata (segfields.h, sf_enc_*).
**
** The sink (segsink.c) feeds every document's encoded metadata here when it
** writes a segment, whether the builder or a merge feeds the sink (a merge
** of a version 7 segment without deleted documents maps that segment's
** fields instead, sf_enc_doc_from: the same bytes, no text folded), and
** seg_verify compares a file's section with a derivation from its document
** table (segfields.c). So there is one definition of the
** columns: a field's key and value are folded (sf_fold); a record whose
** folded key or value is empty is skipped; when a document holds a field
** twice, its last value counts; fields and values get their numbers in order
** of first appearance, and a value keeps its first spelling for display.
**
** Memory: per document 8 bytes, per (document, field) pair 8 bytes, plus the
** distinct names and values (each value stored folded and as written) and
** their hash tables (open addressing, doubled at half full). The section's
** size is bounded by the same: a field held by few documents is written
** sparse (document, id pairs) rather than as a column over every document.
*/
#include <string.h>

#include "indexer/segfields.h"
#include "indexer/segment.h"

/* Interned strings: each an id 1..n, its bytes and a second string (the display form). */
typedef struct strtab {
  ia_buf b;                    /* per id: key bytes, 0, second bytes, 0 */
  uint32_t *off;               /* [id]: offset of the key in b (0 unused) */
  uint32_t *klen, *dlen;       /* [id]: key and second lengths */
  uint32_t n, cap;
  uint32_t *slot, nslot;       /* hash table of ids, 0 empty */
} strtab;

typedef struct pair { uint32_t did, id; } pair;

typedef struct encfield {
  strtab vals;                 /* folded values, with their first spelling */
  pair *p; uint32_t np, capp;  /* (document, value) in document order, one per document */
} encfield;

/* A merge's source segment: its fields and values mapped to the output's (0: not yet). */
typedef struct srcmap {
  const seg_fields *f;
  uint32_t *fmap;              /* per source field: the output field */
  uint32_t **vmap;             /* per source field, per value id: the output value id */
} srcmap;

struct sf_enc {
  int rc;                      /* sticky status */
  srcmap *src; size_t nsrc;    /* sf_enc_doc_from's sources */
  uint32_t *start, *date;      /* per document */
  uint32_t ndoc, capdoc;
  strtab names;                /* field names (folded) */
  encfield *f; uint32_t capf;  /* names.n of them */
  ia_buf kb, vb;               /* scratch: folded key and value */
};

static uint64_t hash(const unsigned char *p, size_t n) {
  uint64_t h = 1469598103934665603u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211u;
  return h;
}

static void strtab_free(strtab *t) {
  buf_free(&t->b);
  indaga__free(t->off);
  indaga__free(t->klen);
  indaga__free(t->dlen);
  indaga__free(t->slot);
}

/* Grow @t's arrays and hash table for one more id. 0, or -1 when out of memory. */
static int strtab_grow(strtab *t) {
  if (t->n + 1 >= t->cap) {
    uint32_t cap = t->cap ? t->cap * 2 : 16;
    uint32_t *o = indaga__realloc(t->off, (size_t)cap * sizeof *o);
    if (o) t->off = o;
    uint32_t *k = indaga__realloc(t->klen, (size_t)cap * sizeof *k);
    if (k) t->klen = k;
    uint32_t *d = indaga__realloc(t->dlen, (size_t)cap * sizeof *d);
    if (d) t->dlen = d;
    if (!o || !k || !d) return -1;
    t->cap = cap;
  }
  if (2 * (t->n + 1) >= t->nslot) {
    uint32_t ns = t->nslot ? t->nslot * 2 : 64;
    uint32_t *s = indaga__calloc(ns, sizeof *s);
    if (!s) return -1;
    for (uint32_t id = 1; id <= t->n; id++) {
      uint32_t i = (uint32_t)hash(t->b.p + t->off[id], t->klen[id]) & (ns - 1);
      while (s[i]) i = (i + 1) & (ns - 1);
      s[i] = id;
    }
    indaga__free(t->slot);
    t->slot = s;
    t->nslot = ns;
  }
  return 0;
}

/*
** The id of key k[0..nk) in @t, added (with second string d[0..nd)) when
** new; *added tells. 0 when out of memory or past 2^31 ids or bytes.
*/
static uint32_t strtab_id(strtab *t, const unsigned char *k, size_t nk, const char *d, size_t nd, int *added) {
  *added = 0;
  if (strtab_grow(t)) return 0;
  uint32_t i = (uint32_t)hash(k, nk) & (t->nslot - 1);
  while (t->slot[i]) {
    uint32_t id = t->slot[i];
    if (t->klen[id] == nk && !memcmp(t->b.p + t->off[id], k, nk)) return id;
    i = (i + 1) & (t->nslot - 1);
  }
  if (t->n >= INT32_MAX - 1 || t->b.n + nk + nd + 2 > INT32_MAX) return 0;
  uint32_t id = ++t->n;
  t->off[id] = (uint32_t)t->b.n;
  t->klen[id] = (uint32_t)nk;
  t->dlen[id] = (uint32_t)nd;
  buf_append(&t->b, k, nk);
  buf_putc(&t->b, 0);
  buf_append(&t->b, d, nd);
  buf_putc(&t->b, 0);
  if (t->b.err) { t->n--; return 0; }
  t->slot[i] = id;
  *added = 1;
  return id;
}

int sf_enc_new(sf_enc **out) {
  *out = indaga__calloc(1, sizeof **out);
  return *out ? INDAGA_OK : INDAGA_ENOMEM;
}

void sf_enc_free(sf_enc *e) {
  if (!e) return;
  for (size_t i = 0; i < e->nsrc; i++) {
    for (size_t k = 0; k < sf_nfields(e->src[i].f); k++) indaga__free(e->src[i].vmap[k]);
    indaga__free(e->src[i].vmap);
    indaga__free(e->src[i].fmap);
  }
  indaga__free(e->src);
  for (uint32_t i = 1; i <= e->names.n; i++) {
    strtab_free(&e->f[i].vals);
    indaga__free(e->f[i].p);
  }
  indaga__free(e->f);
  strtab_free(&e->names);
  indaga__free(e->start);
  indaga__free(e->date);
  buf_free(&e->kb);
  buf_free(&e->vb);
  indaga__free(e);
}

static size_t strtab_mem(const strtab *t) {
  return t->b.cap + (size_t)t->cap * 3 * sizeof(uint32_t) + (size_t)t->nslot * sizeof(uint32_t);
}

size_t sf_enc_mem(const sf_enc *e) {
  size_t m = sizeof *e + (size_t)e->capdoc * 2 * sizeof(uint32_t) + strtab_mem(&e->names) +
             (size_t)e->capf * sizeof *e->f + e->kb.cap + e->vb.cap;
  for (uint32_t i = 1; i <= e->names.n; i++) m += strtab_mem(&e->f[i].vals) + (size_t)e->f[i].capp * sizeof(pair);
  return m;   /* not counted: a merge's maps of its inputs' values (src) */
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

/* Record value @id of field @fi for the current document (the last of its values wins). */
static int add_pair(sf_enc *e, uint32_t fi, uint32_t id) {
  encfield *x = &e->f[fi];
  uint32_t did = e->ndoc - 1;
  if (x->np && x->p[x->np - 1].did == did) { x->p[x->np - 1].id = id; return 0; }
  if (x->np == x->capp) {
    uint32_t cap = x->capp ? x->capp * 2 : 16;
    pair *p = indaga__realloc(x->p, (size_t)cap * sizeof *p);
    if (!p) return -1;
    x->p = p;
    x->capp = cap;
  }
  x->p[x->np++] = (pair){ did, id };
  return 0;
}

/* The field of folded name k[0..nk), added when new; 0 when out of memory. */
static uint32_t field_of(sf_enc *e, const unsigned char *k, size_t nk) {
  int added;
  uint32_t fi = strtab_id(&e->names, k, nk, "", 0, &added);
  if (!fi || !added) return fi;
  if (fi >= e->capf) {
    uint32_t cap = e->capf ? e->capf * 2 : 16;
    encfield *f = indaga__realloc(e->f, (size_t)cap * sizeof *f);
    if (!f) { e->names.n--; return 0; }   /* the name's bytes stay unreferenced */
    e->f = f;
    e->capf = cap;
  }
  memset(&e->f[fi], 0, sizeof e->f[fi]);
  return fi;
}

/* Start the next document: its first paragraph and date. */
static int add_doc(sf_enc *e, uint32_t first_para, uint32_t date) {
  if (e->ndoc == e->capdoc) {
    uint32_t cap = e->capdoc ? e->capdoc * 2 : 64;
    uint32_t *s = indaga__realloc(e->start, (size_t)cap * sizeof *s);
    if (s) e->start = s;
    uint32_t *d = indaga__realloc(e->date, (size_t)cap * sizeof *d);
    if (d) e->date = d;
    if (!s || !d || e->ndoc == UINT32_MAX - 1) return e->rc = INDAGA_ENOMEM;
    e->capdoc = cap;
  }
  e->start[e->ndoc] = first_para;
  e->date[e->ndoc] = date;
  e->ndoc++;
  return INDAGA_OK;
}

int sf_enc_doc(sf_enc *e, uint32_t first_para, const unsigned char *meta, size_t nmeta) {
  if (e->rc) return e->rc;
  seg_doc d;
  memset(&d, 0, sizeof d);
  d.meta = meta;
  d.nmeta = nmeta;
  if (add_doc(e, first_para, doc_date(&d))) return e->rc;
  const unsigned char *p = meta, *end = meta + nmeta;
  while (p < end) {
    const char *k, *v;
    size_t nk, nv;
    d.meta = p;
    d.nmeta = (size_t)(end - p);
    if (seg_doc_meta(&d, 0, &k, &nk, &v, &nv) != 1) return e->rc = INDAGA_ECORRUPT;
    p = (const unsigned char *)v + nv;
    buf_reset(&e->kb);
    if (sf_fold(k, nk, &e->kb)) return e->rc = INDAGA_ENOMEM;
    if (!e->kb.n) continue;
    buf_reset(&e->vb);
    if (sf_fold(v, nv, &e->vb)) return e->rc = INDAGA_ENOMEM;
    if (!e->vb.n) continue;
    uint32_t fi = field_of(e, e->kb.p, e->kb.n);
    if (!fi) return e->rc = INDAGA_ENOMEM;
    int added;
    /* the display form: empty when it is the folded one (format.h) */
    int same = e->vb.n == nv && !memcmp(e->vb.p, v, nv);
    uint32_t id = strtab_id(&e->f[fi].vals, e->vb.p, e->vb.n, v, same ? 0 : nv, &added);
    if (!id || add_pair(e, fi, id)) return e->rc = INDAGA_ENOMEM;
  }
  return INDAGA_OK;
}

/* The map of source @f, added (its fields loaded) when new; NULL on error (e->rc). */
static srcmap *src_of(sf_enc *e, const seg_reader *r, const seg_fields *f, char **errmsg) {
  for (size_t i = 0; i < e->nsrc; i++) if (e->src[i].f == f) return &e->src[i];
  for (size_t k = 0; k < sf_nfields(f); k++)
    if ((e->rc = sf_load(r, f, k, errmsg))) return NULL;
  srcmap *v = indaga__realloc(e->src, (e->nsrc + 1) * sizeof *v);
  if (!v) { e->rc = INDAGA_ENOMEM; return NULL; }
  e->src = v;
  srcmap *m = &e->src[e->nsrc];
  m->f = f;
  m->fmap = indaga__calloc(sf_nfields(f) + 1, sizeof *m->fmap);
  m->vmap = indaga__calloc(sf_nfields(f) + 1, sizeof *m->vmap);
  if (!m->fmap || !m->vmap) {
    indaga__free(m->fmap);
    indaga__free(m->vmap);
    e->rc = INDAGA_ENOMEM;
    return NULL;
  }
  e->nsrc++;
  return m;
}

int sf_enc_doc_from(sf_enc *e, uint32_t first_para, const seg_reader *r, const seg_fields *f, uint32_t did,
                    char **errmsg) {
  if (e->rc) return e->rc;
  srcmap *m = src_of(e, r, f, errmsg);
  if (!m || add_doc(e, first_para, sf_date(f, did))) return e->rc;
  for (size_t k = 0; k < sf_nfields(f); k++) {   /* the source's field order: first appearance, as here */
    uint32_t id = sf_id(f, k, did);
    if (!id) continue;
    if (!m->fmap[k]) {
      const char *name = sf_name(f, k);
      if (!(m->fmap[k] = field_of(e, (const unsigned char *)name, strlen(name)))) return e->rc = INDAGA_ENOMEM;
    }
    if (!m->vmap[k] && !(m->vmap[k] = indaga__calloc((size_t)sf_nvalues(f, k) + 1, sizeof **m->vmap)))
      return e->rc = INDAGA_ENOMEM;
    uint32_t of = m->fmap[k], nid = m->vmap[k][id];
    if (!nid) {
      size_t n, nd;
      const char *v = sf_value(f, k, id, &n), *d = sf_display(f, k, id, &nd);
      int added;
      nid = strtab_id(&e->f[of].vals, (const unsigned char *)v, n, d, d == v ? 0 : nd, &added);   /* d == v: the same spelling */
      if (!nid) return e->rc = INDAGA_ENOMEM;
      m->vmap[k][id] = nid;
    }
    if (add_pair(e, of, nid)) return e->rc = INDAGA_ENOMEM;
  }
  return INDAGA_OK;
}

/* The bytes of a value id: 1, 2 or 4. */
static unsigned id_width(uint32_t nv) { return nv < 0x100 ? 1 : nv < 0x10000 ? 2 : 4; }

static void put_id(ia_buf *b, uint32_t id, unsigned w) {
  if (w == 1) buf_put_u8(b, (uint8_t)id);
  else if (w == 2) buf_put_u16(b, (uint16_t)id);
  else buf_put_u32(b, id);
}

/* Append field @fi's record (format.h, SECTION FIELDS) to @out. */
static void put_field(const sf_enc *e, uint32_t fi, ia_buf *out) {
  const encfield *x = &e->f[fi];
  const strtab *t = &x->vals;
  buf_put_u32(out, e->names.klen[fi]);
  buf_append(out, e->names.b.p + e->names.off[fi], e->names.klen[fi]);
  buf_putc(out, 0);
  unsigned w = id_width(t->n);
  int sparse = (uint64_t)x->np * (4 + w) < (uint64_t)e->ndoc * w;
  buf_put_u32(out, t->n);
  buf_put_u32(out, x->np);
  buf_put_u8(out, (uint8_t)w);
  buf_put_u8(out, (uint8_t)sparse);
  buf_put_u16(out, 0);
  for (uint32_t id = 1; id <= t->n; id++) {
    buf_put_u32(out, t->off[id]);
    buf_put_u32(out, t->klen[id]);
  }
  buf_put_u32(out, (uint32_t)t->b.n);
  buf_put_u32(out, 0);
  buf_put_u32(out, (uint32_t)t->b.n);
  buf_append(out, t->b.p, t->b.n);
  if (sparse) {
    for (uint32_t i = 0; i < x->np; i++) {
      buf_put_u32(out, x->p[i].did);
      put_id(out, x->p[i].id, w);
    }
    return;
  }
  if (buf_reserve(out, (size_t)e->ndoc * w)) return;
  size_t at = out->n;
  memset(out->p + at, 0, (size_t)e->ndoc * w);
  out->n += (size_t)e->ndoc * w;
  for (uint32_t i = 0; i < x->np; i++) {
    unsigned char *c = out->p + at + (size_t)x->p[i].did * w;
    if (w == 1) *c = (unsigned char)x->p[i].id;
    else if (w == 2) put_u16(c, (uint16_t)x->p[i].id);
    else put_u32(c, x->p[i].id);
  }
}

int sf_enc_finish(sf_enc *e, uint32_t npara, ia_buf *out) {
  if (e->rc) return e->rc;
  uint32_t nf = e->names.n;
  buf_put_u32(out, nf);
  for (uint32_t i = 0; i < e->ndoc; i++) buf_put_u32(out, e->start[i]);
  buf_put_u32(out, npara);
  for (uint32_t i = 0; i < e->ndoc; i++) buf_put_u32(out, e->date[i]);
  size_t table = out->n;
  for (uint32_t i = 0; i < nf; i++) buf_put_u32(out, 0);
  size_t base = table - (4 + 8 * (size_t)e->ndoc + 4);   /* where the section starts in @out */
  for (uint32_t fi = 1; fi <= nf && !out->err; fi++) {
    if (out->n - base > UINT32_MAX) return e->rc = INDAGA_ENOMEM;
    put_u32(out->p + table + 4 * (size_t)(fi - 1), (uint32_t)(out->n - base));
    put_field(e, fi, out);
  }
  if (!out->err && out->n - base > UINT32_MAX) return e->rc = INDAGA_ENOMEM;
  return e->rc = out->err;
}
