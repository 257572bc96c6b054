/*
** api_index.c: the public read side that is not searching: opening and
** refreshing snapshots (indaga_index_*), their figures, loading one document
** with its metadata, parts and paragraphs (indaga_document_*: all of them, or
** a range of one part, for which only the text blocks of the paragraphs in
** the range are decompressed), and verifying
** a whole index directory (indaga_check).
**
** indaga_document copies what it returns out of the segment mapping, so a
** document stays valid after its snapshot is closed. indaga_check opens every
** generation on disk (each manifest, segment footer and deletion file
** checksum, and each segment's and deletion file's ties to the index id and
** generation), runs seg_verify() once per segment, cross-checks what the
** manifest records against the segments (counts, total lengths) and that a
** live document id appears once in a generation, and that the newest
** manifest is the newest generation committed (ix_gap_note).
*/
#include <assert.h>
#include "common/common.h"
#include "common/os.h"
#include "indexer/index.h"
#include "indexer/manifest.h"
#include "indexer/segment.h"
#include "indexer/segwriter.h"

/**************************************************************************
** Snapshots
*/
const ix_snapshot *ix_index_snapshot(const indaga_index *idx) { return idx->snap; }

const char *ix_index_seg_label(const indaga_index *idx, size_t seg) {
  return idx->members ? idx->members[ix_seg_member(idx->snap, seg)]->label : idx->label;
}

int indaga_index_open(indaga_index **out, const char *path, const indaga_open_options *opts,
                      char **errmsg) {
  (void)opts;
  if (errmsg) *errmsg = NULL;
  if (!out || !path) return INDAGA_EMISUSE;
  *out = NULL;
  indaga_index *idx = indaga__calloc(1, sizeof *idx);
  if (!idx) return INDAGA_ENOMEM;
  idx->dir = indaga__strdup(path);
  idx->label = ix_default_label(path);
  int rc = idx->dir && idx->label ? ix_snapshot_open(&idx->snap, path, errmsg) : INDAGA_ENOMEM;
  if (rc) { indaga_index_close(idx); return rc; }
  *out = idx;
  return INDAGA_OK;
}

int indaga_index_refresh(indaga_index **pidx, char **errmsg) {
  if (errmsg) *errmsg = NULL;
  if (!pidx || !*pidx) return INDAGA_EMISUSE;
  if ((*pidx)->members) return ix_index_refresh_many(pidx, errmsg);
  indaga_index *old = *pidx;
  indaga_index *nw = NULL;
  int rc = indaga_index_open(&nw, old->dir, NULL, errmsg);
  if (rc) return rc;
  char *label = indaga__strdup(old->label);   /* a label given at opening stays */
  if (!label) { indaga_index_close(nw); return INDAGA_ENOMEM; }
  indaga__free(nw->label);
  nw->label = label;
  if (ix_generation(nw->snap) == ix_generation(old->snap)) {
    indaga_index_close(nw);
    return INDAGA_OK;
  }
  indaga_index_close(old);
  *pidx = nw;
  return INDAGA_OK;
}

void indaga_index_close(indaga_index *idx) {
  if (!idx) return;
  if (idx->search_pool_free) idx->search_pool_free(idx->search_pool);
  ix_snapshot_free(idx->snap);   /* a union before the members it borrows from */
  for (size_t i = 0; i < idx->nmembers; i++) indaga_index_close(idx->members[i]);
  indaga__free(idx->members);
  indaga__free(idx->note);
  indaga__free(idx->label);
  indaga__free(idx->dir);
  indaga__free(idx);
}

/*
** Live document records that are pieces 1.. of a file indexed in pieces:
** part of a document, not documents of their own. An unreadable record
** counts as a document (indaga check reports it).
*/
static uint64_t later_pieces(const ix_snapshot *s) {
  uint64_t n = 0;
  for (size_t i = 0; i < ix_nsegs(s); i++) {
    const seg_reader *r = ix_seg(s, i);
    for (uint32_t did = 0; did < seg_ndoc(r); did++) {
      seg_doc d;
      if (!ix_doc_deleted(s, i, did) && seg_doc_get(r, did, &d) == INDAGA_OK && d.piece) n++;
    }
  }
  return n;
}

const char *indaga_index_note(const indaga_index *idx) {
  if (!idx) return NULL;
  return idx->members ? idx->note : ix_snapshot_note(idx->snap);
}

size_t indaga_index_root_count(const indaga_index *idx) {
  return idx ? ix_snapshot_manifest(idx->snap)->nroots : 0;
}

const char *indaga_index_root(const indaga_index *idx, size_t i) {
  if (!idx || i >= ix_snapshot_manifest(idx->snap)->nroots) return NULL;
  return ix_snapshot_manifest(idx->snap)->roots[i];
}

int indaga_index_stats(const indaga_index *idx, indaga_stats *out) {
  if (!idx || !out) return INDAGA_EMISUSE;
  const ix_snapshot *s = idx->snap;
  memset(out, 0, sizeof *out);
  out->generation = ix_generation(s);   /* 0 for a union: each member has its own */
  out->documents = ix_live_docs(s) - later_pieces(s);
  out->paragraphs = ix_live_paras(s);
  out->segments = ix_nsegs(s);
  out->bytes = ix_snapshot_bytes(s);
  for (size_t i = 0; i < ix_nsegs(s); i++) out->terms += seg_nterms(ix_seg(s, i));
  return INDAGA_OK;
}

/**************************************************************************
** Documents
*/
struct indaga_document {
  char *id;
  char **keys, **values;        /* nmeta each */
  size_t nmeta;
  char **part_labels;           /* nparts, [0] NULL */
  uint64_t *part_paras;         /* nparts: paragraphs of each part, loaded or not */
  size_t nparts;
  indaga_paragraph *paras;      /* the loaded ones; strings owned (label, text) */
  size_t nparas;
};

/* Which paragraphs to load with their text: all, or ordinals [first, last] of one part. */
typedef struct para_range {
  int all;
  unsigned part, first, last;
} para_range;

void indaga_document_free(indaga_document *d) {
  if (!d) return;
  for (size_t i = 0; i < d->nmeta; i++) {
    indaga__free(d->keys[i]);
    indaga__free(d->values[i]);
  }
  for (size_t i = 0; i < d->nparts; i++) indaga__free(d->part_labels[i]);
  for (size_t i = 0; i < d->nparas; i++) {
    indaga__free((char *)(uintptr_t)d->paras[i].label);
    indaga__free((char *)(uintptr_t)d->paras[i].text);
  }
  indaga__free(d->keys);
  indaga__free(d->values);
  indaga__free(d->part_labels);
  indaga__free(d->part_paras);
  indaga__free(d->paras);
  indaga__free(d->id);
  indaga__free(d);
}

/* Copy the metadata of @sd into @d. INDAGA_OK, ENOMEM, ECORRUPT. */
static int load_meta(indaga_document *d, const seg_doc *sd) {
  size_t n = 0;
  const char *k, *v;
  size_t nk, nv;
  int rc;
  while ((rc = seg_doc_meta(sd, n, &k, &nk, &v, &nv)) == 1) n++;
  if (rc < 0) return rc;
  d->keys = indaga__calloc(n ? n : 1, sizeof *d->keys);
  d->values = indaga__calloc(n ? n : 1, sizeof *d->values);
  if (!d->keys || !d->values) return INDAGA_ENOMEM;
  for (size_t i = 0; i < n; i++, d->nmeta++) {
    if (seg_doc_meta(sd, i, &k, &nk, &v, &nv) != 1) return INDAGA_ECORRUPT;
    d->keys[i] = indaga__strndup(k, nk);
    d->values[i] = indaga__strndup(v, nv);
    if (!d->keys[i] || !d->values[i]) { d->nmeta++; return INDAGA_ENOMEM; }
  }
  return INDAGA_OK;
}

/*
** Add the part labels of @sd to @d's: a piece of a file indexed in pieces
** labels only the parts its paragraphs are in, so the labels of all pieces
** are joined (a part keeps the first label found). INDAGA_OK, ENOMEM, ECORRUPT.
*/
/* Grow @d's part arrays to @n parts (new ones unlabelled, no paragraphs). */
static int grow_parts(indaga_document *d, size_t n) {
  if (n <= d->nparts) return INDAGA_OK;
  char **v = indaga__realloc(d->part_labels, n * sizeof *v);
  if (v) d->part_labels = v;
  uint64_t *c = v ? indaga__realloc(d->part_paras, n * sizeof *c) : NULL;
  if (!c) return INDAGA_ENOMEM;
  d->part_paras = c;
  memset(v + d->nparts, 0, (n - d->nparts) * sizeof *v);
  memset(c + d->nparts, 0, (n - d->nparts) * sizeof *c);
  d->nparts = n;
  return INDAGA_OK;
}

static int load_parts(indaga_document *d, const seg_doc *sd) {
  int rc = grow_parts(d, sd->nparts);
  if (rc) return rc;
  for (uint32_t p = 0; p < sd->nparts; p++) {
    const char *l = NULL;
    size_t nl = 0;
    if (d->part_labels[p]) continue;
    rc = seg_doc_part_label(sd, p, &l, &nl);
    if (rc < 0) return rc;
    if (rc == 1 && l) {
      d->part_labels[p] = indaga__strndup(l, nl);
      if (!d->part_labels[p]) return INDAGA_ENOMEM;
    }
  }
  return INDAGA_OK;
}

/* 1 when paragraph @sp is one @want asks for. */
static int wanted(const para_range *want, const seg_para *sp) {
  return want->all || (sp->part == want->part && sp->ordinal >= want->first && sp->ordinal <= want->last);
}

/*
** Count the paragraphs of @sd per part, and append those @want asks for
** (with their display text) to @d's. Only their text blocks are
** decompressed: the paragraph table says where each paragraph is.
*/
static int load_paras(indaga_document *d, const seg_reader *r, const seg_doc *sd, const para_range *want) {
  ia_buf text = { 0 };
  int rc = INDAGA_OK;
  size_t room = want->all ? sd->npara : 0;
  indaga_paragraph *v = indaga__realloc(d->paras, (d->nparas + room + 1) * sizeof *v);
  if (!v) return INDAGA_ENOMEM;
  memset(v + d->nparas, 0, (room + 1) * sizeof *v);
  d->paras = v;
  for (uint32_t i = 0; i < sd->npara && rc == INDAGA_OK; i++) {
    seg_para sp;
    rc = seg_para_get(r, sd->first_para + i, &sp);
    if (rc == INDAGA_OK && sp.part >= sd->nparts) rc = INDAGA_ECORRUPT;   /* load_parts grew d to sd's */
    if (rc) break;
    d->part_paras[sp.part]++;
    if (!wanted(want, &sp)) continue;
    if (!want->all) {   /* a range: room for one more */
      v = indaga__realloc(d->paras, (d->nparas + 2) * sizeof *v);
      if (!v) { rc = INDAGA_ENOMEM; break; }
      memset(v + d->nparas, 0, 2 * sizeof *v);
      d->paras = v;
    }
    buf_reset(&text);
    rc = seg_para_text(r, sd->first_para + i, &text);
    if (rc == INDAGA_OK && text.err) rc = text.err;
    if (rc) break;
    indaga_paragraph *p = &d->paras[d->nparas++];
    p->part = sp.part;
    p->ordinal = sp.ordinal;
    p->heading = sp.heading;
    p->byte_start = sp.src_start;
    p->byte_end = sp.src_end;
    p->label = sp.label ? indaga__strndup(sp.label, sp.nlabel) : NULL;
    p->text = indaga__strndup(text.n ? (const char *)text.p : "", text.n);
    if (!p->text || (sp.label && !p->label)) rc = INDAGA_ENOMEM;
  }
  buf_free(&text);
  return rc;
}

/* Load document @doc with the paragraphs @want asks for. */
static int document_load(indaga_document **out, const indaga_index *idx, const char *doc,
                         const para_range *want, char **errmsg) {
  if (errmsg) *errmsg = NULL;
  if (!out || !idx || !doc) return INDAGA_EMISUSE;
  *out = NULL;
  if (idx->members) {   /* several indexes: the one that holds it */
    const indaga_index *m = NULL;
    int rc = ix_index_member_of(idx, doc, &m, errmsg);
    return rc ? rc : document_load(out, m, doc, want, errmsg);
  }
  size_t seg;
  uint32_t did;
  int rc = ix_find_doc(idx->snap, doc, &seg, &did);
  if (rc == INDAGA_ENOTFOUND) {
    if (errmsg) *errmsg = indaga__sprintf("%s: no such document in %s", doc, idx->dir);
    return rc;
  }
  const seg_reader *r = rc ? NULL : ix_seg(idx->snap, seg);
  seg_doc sd;
  if (rc == INDAGA_OK) rc = seg_doc_get(r, did, &sd);
  indaga_document *d = rc ? NULL : indaga__calloc(1, sizeof *d);
  if (rc == INDAGA_OK && !d) rc = INDAGA_ENOMEM;
  if (rc == INDAGA_OK) {
    d->id = indaga__strdup(doc);
    rc = d->id ? load_meta(d, &sd) : INDAGA_ENOMEM;
  }
  if (rc == INDAGA_OK) rc = load_parts(d, &sd);
  if (rc == INDAGA_OK) rc = load_paras(d, r, &sd, want);
  /* A file indexed in pieces: the paragraphs of every piece in order, and
     the part labels of them all. */
  for (uint32_t k = 1; rc == INDAGA_OK && sd.more; k++) {
    rc = ix_find_piece(idx->snap, doc, k, &seg, &did);
    if (rc == INDAGA_ENOTFOUND) rc = INDAGA_ECORRUPT;   /* a piece is missing */
    if (rc == INDAGA_OK) rc = seg_doc_get(r = ix_seg(idx->snap, seg), did, &sd);
    if (rc == INDAGA_OK) rc = load_parts(d, &sd);
    if (rc == INDAGA_OK) rc = load_paras(d, r, &sd, want);
  }
  if (rc) {
    indaga_document_free(d);
    if (errmsg)
      *errmsg = indaga__sprintf("%s: cannot load document %s: %s",
                                r ? seg_name(r) : idx->dir, doc, indaga_strerror(rc));
    return rc;
  }
  *out = d;
  return INDAGA_OK;
}

int indaga_document_get(indaga_document **out, const indaga_index *idx, const char *doc,
                        char **errmsg) {
  para_range all = { 1, 0, 0, 0 };
  return document_load(out, idx, doc, &all, errmsg);
}

int indaga_document_get_paragraphs(indaga_document **out, const indaga_index *idx, const char *doc,
                                   unsigned part, unsigned first, unsigned last, char **errmsg) {
  para_range range = { 0, part, first, last };
  return document_load(out, idx, doc, &range, errmsg);
}

const char *indaga_document_id(const indaga_document *d) { return d ? d->id : NULL; }
size_t indaga_document_meta_count(const indaga_document *d) { return d ? d->nmeta : 0; }

int indaga_document_meta(const indaga_document *d, size_t i, const char **key, const char **value) {
  if (!d || i >= d->nmeta) return INDAGA_ENOTFOUND;
  if (key) *key = d->keys[i];
  if (value) *value = d->values[i];
  return INDAGA_OK;
}

const char *indaga_document_meta_get(const indaga_document *d, const char *key) {
  for (size_t i = 0; d && key && i < d->nmeta; i++)
    if (!strcmp(d->keys[i], key)) return d->values[i];
  return NULL;
}

size_t indaga_document_part_count(const indaga_document *d) { return d ? d->nparts : 0; }

const char *indaga_document_part_label(const indaga_document *d, size_t i) {
  return d && i < d->nparts ? d->part_labels[i] : NULL;
}

uint64_t indaga_document_part_paragraphs(const indaga_document *d, size_t i) {
  return d && i < d->nparts ? d->part_paras[i] : 0;
}

size_t indaga_document_paragraph_count(const indaga_document *d) { return d ? d->nparas : 0; }

const indaga_paragraph *indaga_document_paragraph(const indaga_document *d, size_t i) {
  return d && i < d->nparas ? &d->paras[i] : NULL;
}

/**************************************************************************
** Checking
*/
typedef struct checked {
  uint64_t *ids;              /* segments already verified */
  size_t n, cap;
} checked;

static int was_checked(checked *c, uint64_t id) {
  for (size_t i = 0; i < c->n; i++) if (c->ids[i] == id) return 1;
  if (c->n == c->cap) {
    uint64_t *v = indaga__grow(c->ids, &c->cap, sizeof *v, 16);
    if (!v) return -1;
    c->ids = v;
  }
  c->ids[c->n++] = id;
  return 0;
}

/* Owned map keys: (id, NUL, u32 piece) strings, each allocated on its own so they never move. */
typedef struct keyset {
  char **v;
  size_t n, cap;
} keyset;

static void keyset_free(keyset *k) {
  for (size_t i = 0; i < k->n; i++) indaga__free(k->v[i]);
  indaga__free(k->v);
}

/* The key of (@d's id, @piece) into @out (@nout bytes): in @b, or owned by @k when @k. NULL on ENOMEM. */
static const char *piece_key(keyset *k, ia_buf *b, const seg_doc *d, uint32_t piece, size_t *nout) {
  buf_reset(b);
  buf_append(b, d->id, d->nid);
  buf_putc(b, 0);
  buf_put_u32(b, piece);
  if (b->err) return NULL;
  *nout = b->n;
  if (!k) return (const char *)b->p;
  if (k->n == k->cap) {
    char **v = indaga__grow(k->v, &k->cap, sizeof *v, 256);
    if (!v) return NULL;
    k->v = v;
  }
  char *z = indaga__malloc(b->n);
  if (!z) return NULL;
  memcpy(z, b->p, b->n);
  k->v[k->n++] = z;
  return z;
}

/*
** The pieces of each file indexed in pieces are all live: a piece that says
** another follows has its successor, and a piece k > 0 follows a live piece
** k - 1 that says so. INDAGA_OK, ECORRUPT (*errmsg) or ENOMEM.
*/
static int check_pieces(const ix_snapshot *s, const ix_map *ids, ia_buf *b, char **errmsg) {
  const ix_manifest *m = ix_snapshot_manifest(s);
  for (size_t i = 0; i < ids->cap; i++) {
    const ix_map_slot *ms = &ids->slots[i];
    uint64_t v;
    seg_doc d, e;
    size_t nk;
    if (!ms->h) continue;
    if (seg_doc_get(ix_seg(s, (size_t)(ms->v >> 32)), (uint32_t)ms->v, &d) != INDAGA_OK) return INDAGA_ECORRUPT;
    const char *bad = NULL;
    uint32_t other = 0;
    if (d.more) {
      const char *key = piece_key(NULL, b, &d, other = d.piece + 1, &nk);
      if (!key) return INDAGA_ENOMEM;
      if (!ix_map_get(ids, key, nk, &v)) bad = "says another follows, but piece";
    }
    if (!bad && d.piece > 0) {
      const char *key = piece_key(NULL, b, &d, other = d.piece - 1, &nk);
      if (!key) return INDAGA_ENOMEM;
      if (!ix_map_get(ids, key, nk, &v)) bad = "exists, but piece";
      else if (seg_doc_get(ix_seg(s, (size_t)(v >> 32)), (uint32_t)v, &e) != INDAGA_OK || !e.more)
        bad = "follows the last piece,";
    }
    if (bad) {
      if (errmsg)
        *errmsg = indaga__sprintf("manifest.%llu: corrupt: document %.*s: piece %u %s %u %s",
                                  (unsigned long long)m->generation, (int)d.nid, d.id, d.piece, bad,
                                  other, bad[0] == 'f' ? "" : "is missing");
      return INDAGA_ECORRUPT;
    }
  }
  return INDAGA_OK;
}

/* Verify one opened generation. INDAGA_OK or the first problem in *errmsg. */
static int check_generation(const ix_snapshot *s, checked *done, char **errmsg) {
  const ix_manifest *m = ix_snapshot_manifest(s);
  ix_map ids = { 0 };            /* (id, piece) -> segment << 32 | document */
  keyset keys = { 0 };
  ia_buf b = { 0 };
  int rc = INDAGA_OK;
  for (size_t i = 0; rc == INDAGA_OK && i < m->nsegs; i++) {
    const seg_reader *r = ix_seg(s, i);
    int seen = was_checked(done, m->segs[i].id);
    if (seen < 0) { rc = INDAGA_ENOMEM; break; }
    if (!seen && (rc = seg_verify(r, errmsg)) != INDAGA_OK) break;
    if (seg_total_len(r) != m->segs[i].total_len) {
      if (errmsg)
        *errmsg = indaga__sprintf("%s: corrupt: paragraph lengths sum to %llu, manifest.%llu says %llu",
                                  seg_name(r), (unsigned long long)seg_total_len(r),
                                  (unsigned long long)m->generation,
                                  (unsigned long long)m->segs[i].total_len);
      rc = INDAGA_ECORRUPT;
      break;
    }
    for (uint32_t did = 0; rc == INDAGA_OK && did < seg_ndoc(r); did++) {
      if (ix_doc_deleted(s, i, did)) continue;
      seg_doc d;
      uint64_t v;
      size_t nk;
      const char *key;
      rc = seg_doc_get(r, did, &d);
      if (rc) {
        if (errmsg) *errmsg = indaga__sprintf("%s: corrupt: document %u unreadable", seg_name(r), did);
      } else if (!(key = piece_key(&keys, &b, &d, d.piece, &nk))) {
        rc = INDAGA_ENOMEM;
      } else if (ix_map_get(&ids, key, nk, &v)) {
        if (errmsg)
          *errmsg = indaga__sprintf("manifest.%llu: corrupt: document %.*s%s is live in two segments (%s)",
                                    (unsigned long long)m->generation, (int)d.nid, d.id,
                                    d.piece ? " (a piece of it)" : "", seg_name(r));
        rc = INDAGA_ECORRUPT;
      } else {
        rc = ix_map_put(&ids, key, nk, (uint64_t)i << 32 | did);
      }
    }
  }
  if (rc == INDAGA_OK) rc = check_pieces(s, &ids, &b, errmsg);
  ix_map_free(&ids);
  keyset_free(&keys);
  buf_free(&b);
  return rc;
}

int indaga_check(const char *path, char **errmsg) {
  if (errmsg) *errmsg = NULL;
  if (!path) return INDAGA_EMISUSE;
  uint64_t *gens = NULL;
  size_t n = 0;
  checked done = { 0 };
  int rc = ix_manifest_list(path, &gens, &n, errmsg);
  if (rc == INDAGA_ENOTFOUND || (rc == INDAGA_OK && n == 0)) {
    if (errmsg) { indaga__free(*errmsg); *errmsg = indaga__sprintf("no index at %s", path); }
    indaga__free(gens);
    return INDAGA_ENOINDEX;
  }
  for (size_t i = 0; rc == INDAGA_OK && i < n; i++) {
    ix_snapshot *s = NULL;
    rc = ix_snapshot_open_gen(&s, path, gens[i], errmsg);
    if (rc == INDAGA_ENOTFOUND && i > 0) {
      /* An old generation removed by a writer meanwhile is not damage. */
      char *mp = ix_manifest_path(path, gens[i]);
      os_stat_info st;
      if (mp && os_stat(mp, &st, NULL) == INDAGA_ENOTFOUND) {
        if (errmsg) { indaga__free(*errmsg); *errmsg = NULL; }
        rc = INDAGA_OK;
        indaga__free(mp);
        continue;
      }
      indaga__free(mp);
    }
    if (rc == INDAGA_ENOTFOUND) rc = INDAGA_ECORRUPT;   /* a named file is missing */
    if (rc == INDAGA_OK) rc = check_generation(s, &done, errmsg);
    char *gap = rc == INDAGA_OK && i == 0 ? ix_gap_note(path, ix_snapshot_manifest(s), gens, n) : NULL;
    if (gap) {   /* the newest manifest is not the newest generation committed */
      if (errmsg) *errmsg = indaga__sprintf("%s: corrupt: %s", path, gap);
      indaga__free(gap);
      rc = INDAGA_ECORRUPT;
    }
    ix_snapshot_free(s);
  }
  indaga__free(done.ids);
  indaga__free(gens);
  return rc;
}
