/*
** segfields.c: a segment's fields as columns (segfields.h), read in place
** from its FIELDS section (format.h; segfields_enc.c writes it).
**
** seg_fields_get checks the section's header once per open segment: the
** documents' first paragraphs ascending up to npara, the field records'
** offsets ascending inside the section, each name NUL-terminated. sf_load
** checks a field's record on its first use: value entries ascending with
** their NUL bytes in place, the column's size, every id at most the
** number of values, sparse documents ascending. After that the accessors
** read without checks. Memory: a small table per field; the columns stay
** in the mapped file. sf_verify derives the section from the document
** table in memory and compares it with the file's.
*/
#include <stdatomic.h>
#include <string.h>
#include <utf8proc.h>

#include "indexer/segfields.h"
#include "indexer/segimpl.h"
#include "stemmer/analyze.h"

/* One field's checked record (sf_load). */
typedef struct sf_col {
  uint32_t nv, np;             /* values; documents with a value */
  unsigned w;                  /* bytes per value id */
  int sparse;                  /* column as (document, id) pairs */
  const unsigned char *ent;    /* nv + 1 entries { u32 offset, u32 folded length } */
  const unsigned char *strs;
  const unsigned char *col;
} sf_col;

typedef struct sf_field {
  const char *name; size_t nname;
  const unsigned char *rec, *end;   /* the record: name, then the rest */
  struct sf_col *_Atomic col;       /* NULL until sf_load */
} sf_field;

struct seg_fields {
  uint32_t ndoc;
  const unsigned char *start;  /* ndoc + 1 u32 */
  const unsigned char *date;   /* ndoc u32 */
  sf_field *f;
  size_t nf;
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

/* Derive the section of @r from its document table into @out. */
static int derive(const seg_reader *r, ia_buf *out, char **errmsg) {
  sf_enc *e = NULL;
  int rc = sf_enc_new(&e);
  for (uint32_t did = 0; did < seg_ndoc(r) && !rc; did++) {
    seg_doc d;
    if ((rc = seg_doc_get(r, did, &d))) break;
    rc = sf_enc_doc(e, d.first_para, d.meta, d.nmeta);
    if (rc == INDAGA_ECORRUPT) seg__corrupt(r, errmsg, "bad metadata of document %u", did);
  }
  if (!rc) rc = sf_enc_finish(e, seg_npara(r), out);
  sf_enc_free(e);
  return rc;
}

/* Read the header of section p[0..n) of @r into @f (format.h). */
static int parse(const seg_reader *r, seg_fields *f, const unsigned char *p, size_t n, char **errmsg) {
  uint64_t ndoc = seg_ndoc(r), table = 4 + 4 * (ndoc + 1) + 4 * ndoc;
  if (n < table) return seg__corrupt(r, errmsg, "fields section of %zu bytes for %llu documents", n, (unsigned long long)ndoc);
  uint64_t nf = get_u32(p);
  if (nf > (n - table) / 4) return seg__corrupt(r, errmsg, "fields section: %llu fields", (unsigned long long)nf);
  f->ndoc = (uint32_t)ndoc;
  f->start = p + 4;
  f->date = p + 4 + 4 * (ndoc + 1);
  uint32_t prev = 0;
  for (uint64_t d = 0; d <= ndoc; d++) {
    uint32_t s = get_u32(f->start + 4 * d);
    if (s < prev || (d == 0 && s != 0) || (d == ndoc && s != seg_npara(r)))
      return seg__corrupt(r, errmsg, "fields section: first paragraph of document %llu", (unsigned long long)d);
    prev = s;
  }
  f->f = indaga__calloc(nf ? nf : 1, sizeof *f->f);
  if (!f->f) return INDAGA_ENOMEM;
  f->nf = nf;
  for (uint64_t i = 0; i < nf; i++) {
    uint64_t off = get_u32(p + table + 4 * i);
    uint64_t next = i + 1 < nf ? get_u32(p + table + 4 * i + 4) : n;
    if ((i == 0 && off != table + 4 * nf) || next > n || next < off + 5)   /* ascending: the next starts at next */
      return seg__corrupt(r, errmsg, "fields section: field %llu at offset %llu", (unsigned long long)i,
                          (unsigned long long)off);
    sf_field *x = &f->f[i];
    x->rec = p + off;
    x->end = p + next;
    uint64_t nn = get_u32(x->rec);
    if (nn > (uint64_t)(x->end - x->rec) - 5 || x->rec[4 + nn] != 0 || memchr(x->rec + 4, 0, nn))
      return seg__corrupt(r, errmsg, "fields section: name of field %llu", (unsigned long long)i);
    x->name = (const char *)x->rec + 4;
    x->nname = nn;
    atomic_init(&x->col, NULL);
  }
  return INDAGA_OK;
}

/* Build @r's fields from its section. */
static int build(const seg_reader *r, seg_fields **out, char **errmsg) {
  seg_fields *f = indaga__calloc(1, sizeof *f);
  if (!f) return INDAGA_ENOMEM;
  int rc = INDAGA_OK;
  if (!atomic_load_explicit(&r->whole_ok, memory_order_relaxed) && !seg__section_ok(r, SEC_FIELDS))
    rc = seg__corrupt(r, errmsg, "fields section does not match its checksum");
  if (!rc) rc = parse(r, f, r->sec[SEC_FIELDS], r->nsec[SEC_FIELDS], errmsg);
  if (rc) { seg_fields_free(f); return rc; }
  *out = f;
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
  for (size_t i = 0; i < f->nf; i++) indaga__free(atomic_load(&f->f[i].col));
  indaga__free(f->f);
  indaga__free(f);
}

static unsigned id_width(uint32_t nv) { return nv < 0x100 ? 1 : nv < 0x10000 ? 2 : 4; }

static uint32_t get_id(const unsigned char *p, unsigned w) {
  return w == 1 ? p[0] : w == 2 ? get_u16(p) : get_u32(p);
}

/* Check the record of field @x into @c. 0, or -1 when it does not hold. */
static int check_field(const seg_fields *f, const sf_field *x, sf_col *c) {
  const unsigned char *p = x->rec + 4 + x->nname + 1, *end = x->end;   /* after the name parse() checked */
  if (end - p < 12) return -1;
  c->nv = get_u32(p);
  c->np = get_u32(p + 4);
  c->w = p[8];
  c->sparse = p[9];
  if (c->w != id_width(c->nv) || c->sparse > 1 || get_u16(p + 10) != 0 || c->np > f->ndoc) return -1;
  p += 12;
  if ((uint64_t)(end - p) < 8 * ((uint64_t)c->nv + 1) + 4) return -1;
  c->ent = p;
  p += 8 * ((size_t)c->nv + 1);
  uint64_t ns = get_u32(p);
  p += 4;
  if ((uint64_t)(end - p) < ns) return -1;
  c->strs = p;
  p += ns;
  if (get_u32(c->ent + 8 * (size_t)c->nv) != ns || get_u32(c->ent + 8 * (size_t)c->nv + 4) != 0) return -1;
  uint64_t at = 0;
  for (uint32_t v = 0; v < c->nv; v++) {
    uint64_t off = get_u32(c->ent + 8 * (size_t)v), fl = get_u32(c->ent + 8 * (size_t)v + 4);
    uint64_t next = get_u32(c->ent + 8 * (size_t)v + 8);
    if (off != at || next < off + fl + 2 || next > ns || c->strs[off + fl] != 0 || c->strs[next - 1] != 0) return -1;
    at = next;
  }
  c->col = p;
  uint64_t left = (uint64_t)(end - p);
  if (!c->sparse) {
    if (left != (uint64_t)f->ndoc * c->w) return -1;
    for (uint32_t d = 0; d < f->ndoc; d++)
      if (get_id(p + (size_t)d * c->w, c->w) > c->nv) return -1;
    return 0;
  }
  if (left != (uint64_t)c->np * (4 + c->w)) return -1;
  for (uint32_t i = 0; i < c->np; i++) {
    const unsigned char *e = p + (size_t)i * (4 + c->w);
    uint32_t id = get_id(e + 4, c->w);
    if (get_u32(e) >= f->ndoc || (i && get_u32(e) <= get_u32(e - 4 - c->w)) || id == 0 || id > c->nv) return -1;
  }
  return 0;
}

int sf_load(const seg_reader *r, const seg_fields *fc, size_t fi, char **errmsg) {
  sf_field *x = &((seg_fields *)(uintptr_t)fc)->f[fi];   /* the checked records are the mutable cache */
  if (atomic_load_explicit(&x->col, memory_order_acquire)) return INDAGA_OK;
  sf_col *c = indaga__calloc(1, sizeof *c);
  if (!c) return INDAGA_ENOMEM;
  if (check_field(fc, x, c)) {
    indaga__free(c);
    return seg__corrupt(r, errmsg, "fields section: record of field \"%s\"", x->name);
  }
  sf_col *expect = NULL;
  if (!atomic_compare_exchange_strong_explicit(&x->col, &expect, c, memory_order_acq_rel, memory_order_acquire))
    indaga__free(c);
  return INDAGA_OK;
}

int sf_verify(const seg_reader *r, char **errmsg) {
  const seg_fields *f;
  int rc = seg_fields_get(r, &f, errmsg);
  for (size_t i = 0; !rc && i < f->nf; i++) rc = sf_load(r, f, i, errmsg);
  if (rc) return rc;
  ia_buf b = { 0 };
  rc = derive(r, &b, errmsg);
  if (!rc && (b.n != r->nsec[SEC_FIELDS] || memcmp(b.p, r->sec[SEC_FIELDS], b.n)))
    rc = seg__corrupt(r, errmsg, "fields section differs from the fields of the document table");
  buf_free(&b);
  return rc;
}

uint32_t sf_start(const seg_fields *f, uint32_t did) { return get_u32(f->start + 4 * (size_t)did); }

uint32_t sf_doc_of(const seg_fields *f, uint32_t pid, uint32_t hint) {
  if (hint < f->ndoc && sf_start(f, hint) <= pid) {
    if (pid < sf_start(f, hint + 1)) return hint;
    if (hint + 1 < f->ndoc && pid < sf_start(f, hint + 2)) return hint + 1;
  }
  uint32_t lo = 0, hi = f->ndoc;           /* the last document whose start <= pid */
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (sf_start(f, mid) <= pid) lo = mid; else hi = mid;
  }
  return lo;
}

uint32_t sf_date(const seg_fields *f, uint32_t did) { return did < f->ndoc ? get_u32(f->date + 4 * (size_t)did) : 0; }
size_t sf_nfields(const seg_fields *f) { return f->nf; }
const char *sf_name(const seg_fields *f, size_t fi) { return f->f[fi].name; }

long sf_find(const seg_fields *f, const char *name, size_t n) {
  for (size_t i = 0; i < f->nf; i++)
    if (f->f[i].nname == n && !memcmp(f->f[i].name, name, n)) return (long)i;
  return -1;
}

static const sf_col *col_of(const seg_fields *f, size_t fi) {
  return atomic_load_explicit(&f->f[fi].col, memory_order_acquire);
}

uint32_t sf_nvalues(const seg_fields *f, size_t fi) { return col_of(f, fi)->nv; }

const char *sf_value(const seg_fields *f, size_t fi, uint32_t vid, size_t *n) {
  const sf_col *c = col_of(f, fi);
  const unsigned char *e = c->ent + 8 * (size_t)(vid - 1);
  *n = get_u32(e + 4);
  return (const char *)c->strs + get_u32(e);
}

const char *sf_display(const seg_fields *f, size_t fi, uint32_t vid, size_t *n) {
  const sf_col *c = col_of(f, fi);
  const unsigned char *e = c->ent + 8 * (size_t)(vid - 1);
  size_t off = get_u32(e), fl = get_u32(e + 4), dn = get_u32(e + 8) - off - fl - 2;
  if (!dn) { *n = fl; return (const char *)c->strs + off; }
  *n = dn;
  return (const char *)c->strs + off + fl + 1;
}

uint32_t sf_id(const seg_fields *f, size_t fi, uint32_t did) {
  const sf_col *c = col_of(f, fi);
  if (did >= f->ndoc) return 0;
  if (!c->sparse) return get_id(c->col + (size_t)did * c->w, c->w);
  size_t stride = 4 + c->w, lo = 0, hi = c->np;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    uint32_t d = get_u32(c->col + mid * stride);
    if (d == did) return get_id(c->col + mid * stride + 4, c->w);
    if (d < did) lo = mid + 1; else hi = mid;
  }
  return 0;
}
