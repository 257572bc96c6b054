/*
** order.c: sorting every match by date or document, and facet counts over
** every match (order.h; indaga.h INDAGA_SORT_*, indaga_facet).
**
** A sort works on the full list of matches (api_search.c collects it with
** an exhaustive evaluation); a facet is a tally fed one match at a time,
** by the count pass of a plain search (eval.c, qx_opts.visit: no match
** scored) or from a sort's list. Both read only the segments' field columns
** (indexer/segfields.h): the document of a paragraph from the documents'
** first paragraphs (O(1) from the previous match's document, else by
** bisection), its date or value id by a read. A facet takes a document's
** value once; a value id maps to its count's slot once per segment (a hash
** table of folded values joins the segments), so its cost is a step per
** match plus one read per matching document.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "query/order.h"
#include "query/fields.h"

typedef struct okey {
  uint32_t date;             /* yyyymmdd, 0 none */
  const char *id; size_t nid;
  qx_hit h;
  const ix_snapshot *s;      /* for the tie order (qsort's comparator reaches nothing else) */
} okey;

/* Relevance, as the evaluator ranks: best-match tier, score, then the tie order (tie.c). */
static int better_score(const okey *x, const okey *y) {
  if (x->h.tier != y->h.tier) return x->h.tier > y->h.tier ? -1 : 1;
  if (x->h.score != y->h.score) return x->h.score > y->h.score ? -1 : 1;
  return qx_tie_cmp(x->s, &x->h, &y->h);
}

static int cmp_date(const void *a, const void *b) {
  const okey *x = a, *y = b;
  if (!x->date != !y->date) return x->date ? -1 : 1;       /* undated last */
  if (x->date != y->date) return x->date < y->date ? -1 : 1;
  return better_score(x, y);
}

static int cmp_date_desc(const void *a, const void *b) {
  const okey *x = a, *y = b;
  if (!x->date != !y->date) return x->date ? -1 : 1;
  if (x->date != y->date) return x->date > y->date ? -1 : 1;
  return better_score(x, y);
}

/* By document id, then (one id in two indexes, pieces, paragraphs) the tie order. */
static int cmp_doc(const void *a, const void *b) {
  const okey *x = a, *y = b;
  size_t n = x->nid < y->nid ? x->nid : y->nid;
  int c = n ? memcmp(x->id, y->id, n) : 0;
  if (c) return c;
  if (x->nid != y->nid) return x->nid < y->nid ? -1 : 1;
  return qx_tie_cmp(x->s, &x->h, &y->h);
}

typedef int (*okey_cmp)(const void *, const void *);

static int cmp_rel(const void *a, const void *b) {
  return better_score(a, b);
}

/* Sift k[i] down the heap k[0..n) whose top is the worst by @cmp. */
static void sift(okey *k, size_t n, size_t i, okey_cmp cmp) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, w = i;
    if (l < n && cmp(&k[l], &k[w]) > 0) w = l;
    if (r < n && cmp(&k[r], &k[w]) > 0) w = r;
    if (w == i) return;
    okey t = k[i]; k[i] = k[w]; k[w] = t;
    i = w;
  }
}

int qo_select(qa_arena *a, const ix_snapshot *s, qx_hit *h, size_t n, int sort, size_t want, size_t *out_n,
              char **err) {
  okey_cmp cmp = sort == INDAGA_SORT_DATE ? cmp_date : sort == INDAGA_SORT_DATE_DESC ? cmp_date_desc
               : sort == INDAGA_SORT_DOC ? cmp_doc : cmp_rel;
  if (want > n) want = n;
  *out_n = want;
  if (!want) return INDAGA_OK;
  okey *k = qa_alloc(a, want * sizeof *k);   /* a heap of the best @want so far, the worst on top */
  if (!k) return a->err;
  const seg_reader *r = NULL;
  const seg_fields *f = NULL;
  uint32_t rseg = UINT32_MAX, did = UINT32_MAX;
  size_t nk = 0;
  for (size_t i = 0; i < n; i++) {
    okey x;
    memset(&x, 0, sizeof x);
    x.h = h[i];
    x.s = s;
    if (sort != INDAGA_SORT_RELEVANCE) {
      if (h[i].seg != rseg) {
        rseg = h[i].seg;
        did = UINT32_MAX;
        r = ix_seg(s, rseg);
        int rc = seg_fields_get(r, &f, err);
        if (rc) return rc;
      }
      did = sf_doc_of(f, h[i].pid, did);
      x.date = sf_date(f, did);
      if (sort == INDAGA_SORT_DOC) {
        seg_doc d;
        int rc = seg_doc_get(r, did, &d);
        if (rc) {
          *err = indaga__sprintf("index segment %s: %s while reading the document table", seg_name(r), indaga_strerror(rc));
          return rc;
        }
        x.id = d.id;
        x.nid = d.nid;
      }
    }
    if (nk < want) {
      size_t j = nk++;
      k[j] = x;
      while (j > 0 && cmp(&k[(j - 1) / 2], &k[j]) < 0) {   /* sift up: the worst stays on top */
        okey t = k[j]; k[j] = k[(j - 1) / 2]; k[(j - 1) / 2] = t;
        j = (j - 1) / 2;
      }
    } else if (cmp(&x, &k[0]) < 0) {
      k[0] = x;
      sift(k, nk, 0, cmp);
    }
  }
  if (nk > 1) qsort(k, nk, sizeof *k, cmp);
  for (size_t i = 0; i < nk; i++) h[i] = k[i].h;
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

/* The key of date @d for a "year" (@year) or "date" facet: yyyy, yyyy-mm or yyyy-mm-dd. */
static size_t date_key(uint32_t d, int year, char buf[16]) {
  if (year || d % 10000 == 0) snprintf(buf, 16, "%04u", d / 10000);
  else if (d % 100 == 0) snprintf(buf, 16, "%04u-%02u", d / 10000, d / 100 % 100);
  else snprintf(buf, 16, "%04u-%02u-%02u", d / 10000, d / 100 % 100, d % 100);
  return strlen(buf);
}

/*
** The facet slot of document @did of segment @f for field @fi (-1: absent;
** -2 "year", -3 "date"): 1 for none, else 2 + its slot in @t. A field's
** value ids map to slots through @vmap (0: not yet seen); for "year", @vmap
** maps the year (below 10000) instead, across segments. 0 on error.
*/
static uint32_t doc_slot(qa_arena *a, ftab *t, const seg_fields *f, long fi, uint32_t *vmap, uint32_t did) {
  const char *k, *d;
  size_t nk, nd;
  char buf[16];
  uint32_t id = 0;
  if (fi == -1) return 1;
  if (fi < -1) {
    uint32_t ymd = sf_date(f, did);
    if (!ymd) return 1;
    if (fi == -2 && ymd / 10000 < 10000 && vmap[ymd / 10000]) return vmap[ymd / 10000];
    nk = nd = date_key(ymd, fi == -2, buf);
    k = d = buf;
    if (fi == -2 && ymd / 10000 < 10000) id = ymd / 10000;
  } else {
    if (!(id = sf_id(f, (size_t)fi, did))) return 1;
    if (vmap[id]) return vmap[id];
    k = sf_value(f, (size_t)fi, id, &nk);
    d = sf_display(f, (size_t)fi, id, &nd);
  }
  fslot *e = fslot_of(a, t, k, nk, d, nd);
  if (!e) return 0;
  uint32_t sl = 2 + (uint32_t)(e - t->v);
  if (id) vmap[id] = sl;
  return sl;
}

struct qo_tally {
  qa_arena *wa;
  size_t nf, nsegs;
  const char *const *names;
  ftab *tabs;                   /* per field */
  const seg_fields **sfs;       /* per segment */
  uint32_t ***slot;             /* per field, per segment, per document: 0 unseen, 1 none, 2 + slot */
  long **fis;                   /* per field, per segment: the field (doc_slot) */
  uint32_t ***vmap;             /* per field, per segment: value id -> slot */
  uint32_t seg, did;            /* the last match's segment and document (UINT32_MAX: none) */
  uint32_t dstart, dend;        /* that document's paragraphs: [dstart, dend) */
  uint64_t pending;             /* its matches not yet counted (tally_flush) */
};

int qo_tally_new(qa_arena *wa, const ix_snapshot *s, const char *const *names, size_t nf, qo_tally **out,
                 char **err) {
  *out = NULL;
  size_t nsegs = ix_nsegs(s), ns = nsegs ? nsegs : 1;
  qo_tally *t = qa_alloc(wa, sizeof *t);   /* qa_alloc zeroes: every count and map starts empty */
  if (!t) return wa->err;
  t->wa = wa;
  t->nf = nf;
  t->nsegs = nsegs;
  t->names = names;
  t->seg = t->did = UINT32_MAX;
  t->tabs = qa_alloc(wa, (nf ? nf : 1) * sizeof *t->tabs);
  t->sfs = qa_alloc(wa, ns * sizeof *t->sfs);
  t->slot = qa_alloc(wa, (nf ? nf : 1) * sizeof *t->slot);
  t->fis = qa_alloc(wa, (nf ? nf : 1) * sizeof *t->fis);
  t->vmap = qa_alloc(wa, (nf ? nf : 1) * sizeof *t->vmap);
  if (!t->tabs || !t->sfs || !t->slot || !t->fis || !t->vmap) return wa->err;
  for (size_t g = 0; g < nsegs; g++) {
    int rc = seg_fields_get(ix_seg(s, g), &t->sfs[g], err);
    if (rc) return rc;
  }
  for (size_t f = 0; f < nf; f++) {
    size_t nname;
    const char *field = facet_field(wa, names[f], &nname);
    if (!field) return wa->err ? wa->err : INDAGA_ENOMEM;
    t->slot[f] = qa_alloc(wa, ns * sizeof **t->slot);
    t->fis[f] = qa_alloc(wa, ns * sizeof **t->fis);
    t->vmap[f] = qa_alloc(wa, ns * sizeof **t->vmap);
    if (!t->slot[f] || !t->fis[f] || !t->vmap[f]) return wa->err;
    for (size_t g = 0; g < nsegs; g++) {
      size_t nd = (size_t)seg_ndoc(ix_seg(s, g)) + 1;
      t->slot[f][g] = qa_alloc(wa, nd * sizeof ***t->slot);
      if (!t->slot[f][g]) return wa->err;
      long fi = !strcmp(field, "year") ? -2 : !strcmp(field, "date") ? -3 : sf_find(t->sfs[g], field, nname);
      t->fis[f][g] = fi;
      if (fi == -2) {   /* one map of years for every segment */
        t->vmap[f][g] = g ? t->vmap[f][0] : qa_alloc(wa, 10000 * sizeof ***t->vmap);
        if (!t->vmap[f][g]) return wa->err;
      }
      if (fi < 0) continue;
      int rc = sf_load(ix_seg(s, g), t->sfs[g], (size_t)fi, err);
      if (rc) return rc;
      size_t nv = (size_t)sf_nvalues(t->sfs[g], (size_t)fi) + 1;
      t->vmap[f][g] = qa_alloc(wa, nv * sizeof ***t->vmap);
      if (!t->vmap[f][g]) return wa->err;
    }
  }
  *out = t;
  return INDAGA_OK;
}

/* Count the pending matches of the last document: its value at its first count. */
static int tally_flush(qo_tally *t) {
  if (!t->pending) return INDAGA_OK;
  uint32_t seg = t->seg, did = t->did;
  for (size_t f = 0; f < t->nf; f++) {
    ftab *tab = &t->tabs[f];
    uint32_t sl = t->slot[f][seg][did];
    if (!sl) {                      /* the document's first match: its value, counted once */
      sl = doc_slot(t->wa, tab, t->sfs[seg], t->fis[f][seg], t->vmap[f][seg], did);
      if (!sl) return t->wa->err ? t->wa->err : INDAGA_ENOMEM;
      if (sl >= 2) tab->v[sl - 2].docs++;
      t->slot[f][seg][did] = sl;
    }
    if (sl >= 2) tab->v[sl - 2].paras += t->pending;
  }
  t->pending = 0;
  return INDAGA_OK;
}

int qo_tally_add(qo_tally *t, uint32_t seg, const uint32_t *pids, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint32_t pid = pids[i];
    if (seg == t->seg && pid >= t->dstart && pid < t->dend) {   /* most matches: the last one's document */
      t->pending++;
      continue;
    }
    int rc = tally_flush(t);
    if (rc) return rc;
    if (seg != t->seg) { t->seg = seg; t->did = UINT32_MAX; }
    const seg_fields *f = t->sfs[seg];
    t->did = sf_doc_of(f, pid, t->did);
    t->dstart = sf_start(f, t->did);
    t->dend = sf_start(f, t->did + 1);
    t->pending = 1;
  }
  return INDAGA_OK;
}

int qo_tally_end(qo_tally *t, qa_arena *ra, indaga_facet **out, size_t *nout) {
  *out = NULL;
  *nout = 0;
  int rc = tally_flush(t);
  if (rc) return rc;
  size_t total = 0;
  for (size_t f = 0; f < t->nf; f++) {
    ftab *tab = &t->tabs[f];
    if (tab->n > 1) qsort(tab->v, tab->n, sizeof *tab->v, cmp_slot);   /* tab->v is NULL with no value */
    total += tab->n;
  }
  indaga_facet *v = qa_alloc(ra, (total ? total : 1) * sizeof *v);
  if (!v) return ra->err;
  size_t o = 0;
  for (size_t f = 0; f < t->nf; f++) {
    const char *fname = qa_strndup(ra, t->names[f], strlen(t->names[f]));
    if (!fname) return ra->err;
    for (size_t i = 0; i < t->tabs[f].n; i++) {
      v[o].field = fname;
      v[o].value = qa_strndup(ra, t->tabs[f].v[i].disp, strlen(t->tabs[f].v[i].disp));
      if (!v[o].value) return ra->err;
      v[o].paragraphs = t->tabs[f].v[i].paras;
      v[o++].documents = t->tabs[f].v[i].docs;
    }
  }
  *out = v;
  *nout = o;
  return INDAGA_OK;
}

int qo_facets(qa_arena *wa, qa_arena *ra, const ix_snapshot *s, const qx_hit *h, size_t n,
              const char *const *names, size_t nf, indaga_facet **out, size_t *nout, char **err) {
  qo_tally *t = NULL;
  *out = NULL;
  *nout = 0;
  int rc = qo_tally_new(wa, s, names, nf, &t, err);
  for (size_t i = 0; i < n && !rc; i++) rc = qo_tally_add(t, h[i].seg, &h[i].pid, 1);
  return rc ? rc : qo_tally_end(t, ra, out, nout);
}
