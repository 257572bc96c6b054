/*
** order.c: sorting every match by date or document, and facet counts over
** every match (order.h; indaga.h INDAGA_SORT_*, indaga_facet).
**
** Both work on the full list of matches (api_search.c collects it with an
** exhaustive evaluation) and read only the segments' field columns
** (indexer/segfields.h): the document of a paragraph by bisection over the
** documents' first paragraphs, its date or value id by array lookup. A
** facet visits the matches in document order and looks a value up once
** per document (a hash table of folded values), so its cost is one pass
** over the matches plus one lookup per matching document.
*/
#include <stdlib.h>
#include <string.h>
#include "query/order.h"
#include "query/fields.h"

typedef struct okey {
  uint32_t date;             /* yyyymmdd, 0 none */
  const char *id; size_t nid;
  qx_hit h;
} okey;

static int better_score(const qx_hit *x, const qx_hit *y) {
  if (x->score != y->score) return x->score > y->score ? -1 : 1;
  if (x->seg != y->seg) return x->seg < y->seg ? -1 : 1;
  return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int cmp_date(const void *a, const void *b) {
  const okey *x = a, *y = b;
  if (!x->date != !y->date) return x->date ? -1 : 1;       /* undated last */
  if (x->date != y->date) return x->date < y->date ? -1 : 1;
  return better_score(&x->h, &y->h);
}

static int cmp_date_desc(const void *a, const void *b) {
  const okey *x = a, *y = b;
  if (!x->date != !y->date) return x->date ? -1 : 1;
  if (x->date != y->date) return x->date > y->date ? -1 : 1;
  return better_score(&x->h, &y->h);
}

static int cmp_doc(const void *a, const void *b) {
  const okey *x = a, *y = b;
  size_t n = x->nid < y->nid ? x->nid : y->nid;
  int c = memcmp(x->id, y->id, n);
  if (c) return c;
  if (x->nid != y->nid) return x->nid < y->nid ? -1 : 1;
  if (x->h.seg != y->h.seg) return x->h.seg < y->h.seg ? -1 : 1;
  return x->h.pid < y->h.pid ? -1 : x->h.pid > y->h.pid;
}

int qo_sort(qa_arena *a, const ix_snapshot *s, qx_hit *h, size_t n, int sort, char **err) {
  if (n < 2) return INDAGA_OK;
  okey *k = qa_alloc(a, n * sizeof *k);
  if (!k) return a->err;
  for (size_t i = 0; i < n; i++) {
    const seg_reader *r = ix_seg(s, h[i].seg);
    uint32_t did;
    k[i].h = h[i];
    int rc = qf_para_date(r, h[i].pid, &k[i].date, &did, err);
    if (rc) return rc;
    if (sort == INDAGA_SORT_DOC) {
      seg_doc d;
      rc = seg_doc_get(r, did, &d);
      if (rc) { *err = indaga__sprintf("index segment %s: %s while reading the document table", seg_name(r), indaga_strerror(rc)); return rc; }
      k[i].id = d.id;
      k[i].nid = d.nid;
    }
  }
  qsort(k, n, sizeof *k, sort == INDAGA_SORT_DATE ? cmp_date : sort == INDAGA_SORT_DATE_DESC ? cmp_date_desc : cmp_doc);
  for (size_t i = 0; i < n; i++) h[i] = k[i].h;
  return INDAGA_OK;
}

/**************************************************************************
** Facets
*/
typedef struct fslot {
  const char *key; size_t nkey;     /* folded value (arena) */
  const char *disp;                 /* as first written (arena, NUL-terminated) */
  uint64_t paras, docs;
} fslot;

typedef struct ftab {
  fslot *v; size_t n, cap;
  uint32_t *ix; size_t nix;         /* open addressing: slot + 1, 0 empty */
} ftab;

static uint64_t fhash(const char *p, size_t n) {
  uint64_t h = 1469598103934665603u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211u;
  return h;
}

/* The slot of key k[0..nk), added when new. NULL on allocation failure. */
static fslot *fslot_of(qa_arena *a, ftab *t, const char *k, size_t nk, const char *d, size_t nd) {
  if (2 * (t->n + 1) > t->nix) {
    size_t ni = t->nix ? t->nix * 2 : 64;
    uint32_t *ix = qa_alloc(a, ni * sizeof *ix);
    if (!ix) return NULL;
    for (size_t i = 0; i < t->n; i++) {
      size_t j = (size_t)fhash(t->v[i].key, t->v[i].nkey) & (ni - 1);
      while (ix[j]) j = (j + 1) & (ni - 1);
      ix[j] = (uint32_t)i + 1;
    }
    t->ix = ix;
    t->nix = ni;
  }
  size_t j = (size_t)fhash(k, nk) & (t->nix - 1);
  while (t->ix[j]) {
    fslot *e = &t->v[t->ix[j] - 1];
    if (e->nkey == nk && !memcmp(e->key, k, nk)) return e;
    j = (j + 1) & (t->nix - 1);
  }
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 32;
    fslot *v = qa_alloc(a, cap * sizeof *v);
    if (!v) return NULL;
    if (t->n) memcpy(v, t->v, t->n * sizeof *v);
    t->v = v;
    t->cap = cap;
  }
  fslot *e = &t->v[t->n];
  e->key = qa_strndup(a, k, nk);
  e->nkey = nk;
  e->disp = qa_strndup(a, d, nd);
  if (!e->key || !e->disp) return NULL;
  t->ix[j] = (uint32_t)++t->n;
  return e;
}

static int cmp_slot(const void *a, const void *b) {
  const fslot *x = a, *y = b;
  if (x->paras != y->paras) return x->paras > y->paras ? -1 : 1;
  size_t n = x->nkey < y->nkey ? x->nkey : y->nkey;
  int c = memcmp(x->key, y->key, n);
  return c ? c : (x->nkey > y->nkey) - (x->nkey < y->nkey);
}

static int cmp_pos(const void *a, const void *b) {
  const qx_hit *x = a, *y = b;
  if (x->seg != y->seg) return x->seg < y->seg ? -1 : 1;
  return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* The facet field for the name asked: folded, Spanish names read as their English ones. */
static const char *facet_field(qa_arena *a, const char *name, size_t *n) {
  const char *f = NULL;
  ia_buf b = { 0 };
  if (sf_fold(name, strlen(name), &b)) { buf_free(&b); return NULL; }
  const char *z = b.p ? (const char *)b.p : "";
  if (!strcmp(z, "ano") || !strcmp(z, "a\xc3\xb1o")) z = "year";
  else if (!strcmp(z, "fecha")) z = "date";
  else if (!strcmp(z, "titulo")) z = "title";
  else if (!strcmp(z, "simbolo")) z = "symbol";
  *n = strlen(z);
  f = qa_strndup(a, z, *n);
  buf_free(&b);
  return f;
}

int qo_facets(qa_arena *wa, qa_arena *ra, const ix_snapshot *s, qx_hit *h, size_t n,
              const char *const *names, size_t nf, indaga_facet **out, size_t *nout, char **err) {
  *out = NULL;
  *nout = 0;
  qsort(h, n, sizeof *h, cmp_pos);
  ftab *tabs = qa_alloc(wa, (nf ? nf : 1) * sizeof *tabs);
  if (!tabs) return wa->err;
  size_t total = 0;
  for (size_t f = 0; f < nf; f++) {
    size_t nname;
    const char *field = facet_field(wa, names[f], &nname);
    if (!field) return wa->err ? wa->err : INDAGA_ENOMEM;
    ftab *t = &tabs[f];
    uint32_t pseg = UINT32_MAX, pdid = UINT32_MAX;
    fslot *cur = NULL;
    for (size_t i = 0; i < n; i++) {
      const seg_reader *r = ix_seg(s, h[i].seg);
      const seg_fields *sf;
      int rc = seg_fields_get(r, &sf, err);
      if (rc) return rc;
      uint32_t did = sf_doc_of(sf, h[i].pid);
      if (h[i].seg != pseg || did != pdid) {
        pseg = h[i].seg;
        pdid = did;
        const char *k, *d;
        size_t nk, nd;
        char buf[16];
        rc = qf_facet_value(r, field, did, &k, &nk, &d, &nd, buf, err);
        if (rc < 0) return rc;
        cur = rc == 1 ? fslot_of(wa, t, k, nk, d, nd) : NULL;
        if (rc == 1 && !cur) return wa->err ? wa->err : INDAGA_ENOMEM;
        if (cur) cur->docs++;
      }
      if (cur) cur->paras++;
    }
    qsort(t->v, t->n, sizeof *t->v, cmp_slot);
    total += t->n;
  }
  indaga_facet *v = qa_alloc(ra, (total ? total : 1) * sizeof *v);
  if (!v) return ra->err;
  size_t o = 0;
  for (size_t f = 0; f < nf; f++) {
    const char *fname = qa_strndup(ra, names[f], strlen(names[f]));
    if (!fname) return ra->err;
    for (size_t i = 0; i < tabs[f].n; i++) {
      v[o].field = fname;
      v[o].value = qa_strndup(ra, tabs[f].v[i].disp, strlen(tabs[f].v[i].disp));
      if (!v[o].value) return ra->err;
      v[o].paragraphs = tabs[f].v[i].paras;
      v[o++].documents = tabs[f].v[i].docs;
    }
  }
  *out = v;
  *nout = o;
  return INDAGA_OK;
}
