/*
** snapshot.c: opening one generation of an index for reading (the ix_*
** functions of segment.h, plus the extras of manifest.h).
**
** A reader never takes the writer's lock. It lists manifest.<N> files, takes
** the newest one whose checksum holds (an older one when the newest is
** corrupt: LMDB's "newest valid meta wins"), maps every segment it names
** (seg_open) and loads each segment's deletion file into two bitmaps, one
** over documents and one over paragraphs, so ix_is_deleted() is one bit test.
**
** Each segment's footer must carry the manifest's index id and the
** generation its entry records (check_stamp), each deletion file the index
** id: a segment copied in from another index, or an older copy under a live
** segment's name, is ECORRUPT even when its counts agree. Falling back past
** a damaged newest manifest, or opening a generation that is not the newest
** committed (ix_gap_note: its kept predecessor gone, or files of a later
** generation with no pending mark), is never silent: the snapshot carries a
** note (ix_snapshot_note, indaga_index_note). With no manifest at all, a
** segment written by generation 2 or later makes it ECORRUPT, not ENOINDEX.
**
** The writer removes files that neither of the two newest manifests names.
** A reader that read manifest N just before the writer published N+2 may find
** a segment gone: it then lists the manifests again and retries, as long as
** the newest generation moved meanwhile. A file missing while its manifest is
** still the newest is corruption and is reported as such.
**
** The document id -> (segment, document) map is built on the first
** ix_find_doc() call, under a mutex, so that opening a snapshot for one
** search does not pay for it.
**
** A union (ix_snapshot_union) is one snapshot over the segments of several
** indexes' snapshots, for a search of several indexes at once: it borrows
** its members (which outlive it) and their segments, deletions and counts, so the query
** engine sees one index whose statistics (paragraphs, lengths, each term's
** df summed over segments) are those of all of them. Each of its segments
** knows its member and that member's label (ix_seg_member, ix_seg_label).
*/
#include <assert.h>
#include <pthread.h>
#include "common/common.h"
#include "common/os.h"
#include "indexer/manifest.h"
#include "indexer/segment.h"
#include "indexer/segwriter.h"

#define OPEN_RETRIES 64

/* A segment's document starts and (id, piece) ranks (ix_para_place), built on first use. */
typedef struct seg_order {
  uint32_t *starts;       /* ndoc + 1: first paragraph of each document, then npara */
  uint32_t *rank;         /* ndoc: the document's place in DOC_SORT; published last */
  int ordered;            /* ix_seg_ordered: 0 not known yet, 1 no, 2 yes (atomic) */
} seg_order;

typedef struct snap_seg {
  seg_reader *r;          /* owned */
  const ix_seg_entry *e;  /* into the snapshot's manifest */
  uint32_t *deleted;      /* deleted document numbers, ascending (owned), or NULL */
  uint32_t ndeleted;
  uint8_t *del_doc;       /* ndoc bits, NULL when nothing is deleted */
  uint8_t *del_para;      /* npara bits, NULL when nothing is deleted */
} snap_seg;

struct ix_snapshot {
  char *dir;              /* NULL for a union */
  ix_manifest m;          /* zeroed for a union */
  size_t nsegs;           /* segments: m.nsegs, or the members' together */
  const ix_snapshot **members; /* a union's snapshots, whose segments it borrows, else NULL */
  char **labels;          /* a union: each member's label (owned) */
  size_t nmembers;
  uint32_t *seg_member;   /* a union: the member of each segment */
  seg_order *orders;      /* nsegs, each built on first use under mu (ix_para_place) */
  int ordered;            /* ix_snapshot_ordered: -1 not known yet, else 0 or 1 (atomic) */
  char *note;             /* what opening noticed about newer generations (ix_snapshot_note), or NULL */
  snap_seg *segs;         /* nsegs entries */
  uint64_t live_docs, live_paras, total_len, bytes;
  pthread_mutex_t mu;     /* guards the lazy builds of docs and orders */
  int docs_built;
  ix_map docs;            /* id -> seg << 32 | did, live documents only */
};

static int bit(const uint8_t *b, uint32_t i) { return (b[i >> 3] >> (i & 7)) & 1; }
static void set_bit(uint8_t *b, uint32_t i) { b[i >> 3] = (uint8_t)(b[i >> 3] | (1u << (i & 7))); }

void ix_snapshot_free(ix_snapshot *s) {
  if (!s) return;
  for (size_t i = 0; s->segs && !s->members && i < s->nsegs; i++) {
    seg_close(s->segs[i].r);
    indaga__free(s->segs[i].deleted);
    indaga__free(s->segs[i].del_doc);
    indaga__free(s->segs[i].del_para);
  }
  indaga__free(s->segs);
  for (size_t i = 0; s->orders && i < s->nsegs; i++) {
    indaga__free(s->orders[i].starts);
    indaga__free(s->orders[i].rank);
  }
  indaga__free(s->orders);
  for (size_t i = 0; s->labels && i < s->nmembers; i++) indaga__free(s->labels[i]);
  indaga__free(s->members);
  indaga__free(s->labels);
  indaga__free(s->seg_member);
  ix_manifest_clear(&s->m);
  ix_map_free(&s->docs);
  pthread_mutex_destroy(&s->mu);
  indaga__free(s->note);
  indaga__free(s->dir);
  indaga__free(s);
}

/* Add the size of file @path to s->bytes (a vanished file is ENOTFOUND). */
static int add_size(ix_snapshot *s, const char *path, char **errmsg) {
  os_stat_info st;
  int rc = os_stat(path, &st, errmsg);
  if (rc == INDAGA_OK) s->bytes += st.size;
  return rc;
}

/*
** Load the deletion file of segment @g into its bitmaps and subtract the
** deleted paragraphs from the totals. ENOTFOUND when the file is gone,
** ECORRUPT (naming the file) when it disagrees with the segment or manifest.
*/
static int load_deletions(ix_snapshot *s, snap_seg *g, char **errmsg) {
  const ix_seg_entry *e = g->e;
  int rc = ix_del_read(s->dir, s->m.index_id, e->id, e->del_gen, e->ndoc, &g->deleted, &g->ndeleted, errmsg);
  if (rc) return rc;
  char *path = ix_del_path(s->dir, e->id, e->del_gen);
  if (!path) return INDAGA_ENOMEM;
  rc = add_size(s, path, errmsg);
  if (rc == INDAGA_OK && g->ndeleted != e->ndeleted) {
    if (errmsg) *errmsg = indaga__sprintf("%s: corrupt: %u deleted documents, manifest.%llu says %u",
                                          path, g->ndeleted, (unsigned long long)s->m.generation,
                                          e->ndeleted);
    rc = INDAGA_ECORRUPT;
  }
  if (rc == INDAGA_OK) {
    g->del_doc = indaga__calloc((size_t)e->ndoc / 8 + 1, 1);
    g->del_para = indaga__calloc((size_t)e->npara / 8 + 1, 1);
    if (!g->del_doc || !g->del_para) rc = INDAGA_ENOMEM;
  }
  for (uint32_t i = 0; rc == INDAGA_OK && i < g->ndeleted; i++) {
    seg_doc d;
    uint32_t did = g->deleted[i];
    set_bit(g->del_doc, did);
    rc = seg_doc_get(g->r, did, &d);
    if (rc) {
      if (errmsg && !*errmsg) *errmsg = indaga__sprintf("%s: cannot read document %u", seg_name(g->r), did);
      break;
    }
    if ((uint64_t)d.first_para + d.npara > e->npara) {
      if (errmsg) *errmsg = indaga__sprintf("%s: corrupt: document %u has paragraphs past the end",
                                            seg_name(g->r), did);
      rc = INDAGA_ECORRUPT;
      break;
    }
    for (uint32_t p = d.first_para; p < d.first_para + d.npara; p++) {
      set_bit(g->del_para, p);
      s->total_len -= seg_para_len(g->r, p);
    }
    s->live_paras -= d.npara;
    s->live_docs--;
  }
  indaga__free(path);
  return rc;
}

/*
** The segment of @g belongs to this index and is the file its manifest
** entry names: its footer's index id and generation agree with the
** manifest. INDAGA_OK or INDAGA_ECORRUPT naming @path.
*/
static int check_stamp(const ix_snapshot *s, const snap_seg *g, const char *path, char **errmsg) {
  seg_stamp st = seg_get_stamp(g->r);
  if (st.index_id == s->m.index_id && st.generation == g->e->seg_gen) return INDAGA_OK;
  if (errmsg) {
    indaga__free(*errmsg);
    if (st.index_id != s->m.index_id)
      *errmsg = indaga__sprintf("%s: corrupt: segment belongs to another index (its index id %016llx, "
                                "manifest.%llu's %016llx)", path, (unsigned long long)st.index_id,
                                (unsigned long long)s->m.generation, (unsigned long long)s->m.index_id);
    else
      *errmsg = indaga__sprintf("%s: corrupt: not the segment manifest.%llu names (written by generation "
                                "%llu, not %llu: a stale or foreign copy)", path,
                                (unsigned long long)s->m.generation, (unsigned long long)st.generation,
                                (unsigned long long)g->e->seg_gen);
  }
  return INDAGA_ECORRUPT;
}

/*
** Map every segment of s->m and load its deletions. Returns INDAGA_ENOTFOUND
** when a file is gone (the caller decides whether that is a race).
*/
static int load_segments(ix_snapshot *s, char **errmsg) {
  s->segs = indaga__calloc(s->m.nsegs ? s->m.nsegs : 1, sizeof *s->segs);
  s->orders = indaga__calloc(s->m.nsegs ? s->m.nsegs : 1, sizeof *s->orders);
  if (!s->segs || !s->orders) return INDAGA_ENOMEM;
  s->nsegs = s->m.nsegs;
  for (size_t i = 0; i < s->m.nsegs; i++) {
    snap_seg *g = &s->segs[i];
    g->e = &s->m.segs[i];
    char *path = ix_seg_path(s->dir, g->e->id);
    if (!path) return INDAGA_ENOMEM;
    int rc = seg_open(&g->r, path, errmsg);
    /* the open checked its index sections, touching their pages: dropped
       one segment at a time, a large index is not resident whole at once
       (at 16x the legislation, 367 MB) but read again from the page cache
       as searches need it */
    if (rc == INDAGA_OK) seg_drop_pages(g->r);
    if (rc == INDAGA_OK) rc = add_size(s, path, errmsg);
    if (rc == INDAGA_OK && (seg_ndoc(g->r) != g->e->ndoc || seg_npara(g->r) != g->e->npara)) {
      if (errmsg)
        *errmsg = indaga__sprintf("%s: corrupt: %u documents and %u paragraphs, manifest.%llu says %u and %u",
                                  path, seg_ndoc(g->r), seg_npara(g->r),
                                  (unsigned long long)s->m.generation, g->e->ndoc, g->e->npara);
      rc = INDAGA_ECORRUPT;
    }
    if (rc == INDAGA_OK) rc = check_stamp(s, g, path, errmsg);
    indaga__free(path);
    if (rc) return rc;
    s->live_docs += g->e->ndoc;
    s->live_paras += g->e->npara;
    s->total_len += g->e->total_len;
    if (g->e->del_gen) {
      rc = load_deletions(s, g, errmsg);
      if (rc) return rc;
    }
  }
  return INDAGA_OK;
}

/*
** Open generation @gen of @dir. *manifest_ok tells whether the manifest itself
** parsed. Errors: see ix_manifest_read and load_segments.
*/
static int open_one(ix_snapshot **out, const char *dir, uint64_t gen, char **errmsg,
                    int *manifest_ok) {
  *out = NULL;
  *manifest_ok = 0;
  ix_snapshot *s = indaga__calloc(1, sizeof *s);
  if (!s) return INDAGA_ENOMEM;
  pthread_mutex_init(&s->mu, NULL);
  s->dir = indaga__strdup(dir);
  s->ordered = -1;
  int rc = s->dir ? ix_manifest_read(&s->m, dir, gen, errmsg) : INDAGA_ENOMEM;
  if (rc == INDAGA_OK) {
    *manifest_ok = 1;
    char *mp = ix_manifest_path(dir, gen);
    rc = mp ? add_size(s, mp, errmsg) : INDAGA_ENOMEM;
    indaga__free(mp);
  }
  if (rc == INDAGA_OK) rc = load_segments(s, errmsg);
  if (rc) { ix_snapshot_free(s); return rc; }
  *out = s;
  return INDAGA_OK;
}

int ix_snapshot_open_gen(ix_snapshot **out, const char *dir, uint64_t gen, char **errmsg) {
  int mok;
  return open_one(out, dir, gen, errmsg, &mok);
}

/* Replace *errmsg by a fresh message (frees the old one). */
static void set_msg(char **errmsg, char *z) {
  if (!errmsg) { indaga__free(z); return; }
  indaga__free(*errmsg);
  *errmsg = z;
}

/*
** One pass over the listed generations, newest first. Falls back to an older
** generation only when a manifest fails its own checks, and then says so in
** the snapshot's note (never silently); sets *raced when a file vanished
** while the newest generation moved (the caller retries).
*/
static int open_pass(ix_snapshot **out, const char *dir, const uint64_t *gens, size_t n,
                     uint64_t last_newest, int may_retry, int *raced, char **msg) {
  int first_rc = INDAGA_OK, rc = INDAGA_OK, mok = 0;
  char *first_msg = NULL;
  *raced = 0;
  for (size_t i = 0; i < n; i++) {
    indaga__free(*msg);
    *msg = NULL;
    rc = open_one(out, dir, gens[i], msg, &mok);
    if (rc == INDAGA_OK) {
      if (first_msg)
        (*out)->note = indaga__sprintf("%s; reading generation %llu instead, which is not the newest",
                                       first_msg, (unsigned long long)gens[i]);
      break;
    }
    if (!mok && rc == INDAGA_ECORRUPT && i + 1 < n) {
      if (!first_msg) { first_msg = *msg; first_rc = rc; *msg = NULL; }
      continue;
    }
    if (rc == INDAGA_ENOTFOUND) {
      *raced = may_retry && gens[0] != last_newest;
      rc = INDAGA_ECORRUPT;
    }
    break;
  }
  if (rc != INDAGA_OK && first_msg) {
    indaga__free(*msg);
    *msg = first_msg;
    rc = first_rc;
  } else {
    indaga__free(first_msg);
  }
  return rc;
}

typedef struct seg_names {
  char **v;
  size_t n;
} seg_names;

#define ORPHANS_MAX 16   /* segment files no_manifest looks at, at most */

static int collect_seg(void *ctx, const char *name) {
  seg_names *l = ctx;
  size_t len = strlen(name);
  if (strncmp(name, "seg-", 4) || len < 9 || strcmp(name + len - 4, ".seg")) return 0;
  if (l->n == ORPHANS_MAX) return 1;
  l->v[l->n] = indaga__strdup(name);
  if (l->v[l->n]) l->n++;
  return 0;
}

/*
** No manifest at @dir: ENOINDEX, unless a segment file there was written by
** generation 2 or later, which only happens once generation 1 was
** committed: then the manifests were deleted, ECORRUPT. (The segments of a
** first commit that never finished are stamped 1, and are no index yet.)
*/
static int no_manifest(const char *dir, char **errmsg) {
  char *names[ORPHANS_MAX];
  seg_names l = { names, 0 };
  int found = 0;
  os_listdir(dir, collect_seg, &l, NULL);
  for (size_t i = 0; i < l.n; i++) {
    char *path = found ? NULL : indaga__sprintf("%s/%s", dir, l.v[i]);
    seg_reader *r = NULL;
    if (path && seg_open(&r, path, NULL) == INDAGA_OK && seg_get_stamp(r).generation > 1) {
      found = 1;
      set_msg(errmsg, indaga__sprintf("%s: corrupt: no manifest, but %s was written by generation %llu: "
                                      "the index's manifests were deleted; run 'indaga index --full' "
                                      "to rebuild it", dir, l.v[i],
                                      (unsigned long long)seg_get_stamp(r).generation));
    }
    seg_close(r);
    indaga__free(path);
    indaga__free(l.v[i]);
  }
  if (found) return INDAGA_ECORRUPT;
  set_msg(errmsg, indaga__sprintf("no index at %s", dir));
  return INDAGA_ENOINDEX;
}

int ix_snapshot_open(ix_snapshot **out, const char *dir, char **errmsg) {
  *out = NULL;
  if (errmsg) *errmsg = NULL;
  uint64_t last_newest = 0;
  for (int attempt = 0;; attempt++) {
    uint64_t *gens = NULL;
    size_t n = 0;
    char *msg = NULL;
    int rc = ix_manifest_list(dir, &gens, &n, &msg);
    if (rc == INDAGA_ENOTFOUND) {
      indaga__free(msg);
      set_msg(errmsg, indaga__sprintf("no index at %s", dir));
      return INDAGA_ENOINDEX;
    }
    if (rc == INDAGA_OK && n == 0) {
      indaga__free(gens);
      return no_manifest(dir, errmsg);
    }
    if (rc) { set_msg(errmsg, msg); return rc; }
    int raced = 0;
    rc = open_pass(out, dir, gens, n, last_newest, attempt < OPEN_RETRIES, &raced, &msg);
    last_newest = gens[0];
    if (rc == INDAGA_OK && !(*out)->note) {
      /* Is the generation opened the newest committed? (A writer's commit
         may make it look otherwise for a moment: look again before saying so.) */
      char *gap = ix_gap_note(dir, &(*out)->m, gens, n);
      if (gap && attempt < OPEN_RETRIES) {
        uint64_t *again = NULL;
        size_t n2 = 0;
        if (ix_manifest_list(dir, &again, &n2, NULL) == INDAGA_OK && n2 && again[0] != gens[0]) raced = 1;
        indaga__free(again);
      }
      if (raced) { indaga__free(gap); ix_snapshot_free(*out); *out = NULL; }
      else (*out)->note = gap;
    }
    indaga__free(gens);
    if (raced) { indaga__free(msg); continue; }
    if (rc == INDAGA_OK) indaga__free(msg);
    else set_msg(errmsg, msg);
    return rc;
  }
}

int ix_snapshot_union(ix_snapshot **out, const ix_snapshot *const *members, const char *const *labels,
                      size_t n) {
  *out = NULL;
  ix_snapshot *u = indaga__calloc(1, sizeof *u);
  if (!u) return INDAGA_ENOMEM;
  pthread_mutex_init(&u->mu, NULL);
  u->ordered = -1;
  size_t nsegs = 0;
  for (size_t i = 0; i < n; i++) nsegs += members[i]->nsegs;
  u->members = indaga__calloc(n ? n : 1, sizeof *u->members);
  u->labels = indaga__calloc(n ? n : 1, sizeof *u->labels);
  u->segs = indaga__calloc(nsegs ? nsegs : 1, sizeof *u->segs);
  u->seg_member = indaga__calloc(nsegs ? nsegs : 1, sizeof *u->seg_member);
  u->orders = indaga__calloc(nsegs ? nsegs : 1, sizeof *u->orders);
  int rc = u->members && u->labels && u->segs && u->seg_member && u->orders ? INDAGA_OK : INDAGA_ENOMEM;
  for (size_t i = 0; i < n && rc == INDAGA_OK; i++)
    if (!(u->labels[i] = indaga__strdup(labels[i]))) rc = INDAGA_ENOMEM;
  u->nmembers = n;
  if (rc) { ix_snapshot_free(u); return rc; }
  for (size_t i = 0; i < n; i++) {
    const ix_snapshot *m = members[i];
    for (size_t j = 0; j < m->nsegs; j++) {
      u->seg_member[u->nsegs] = (uint32_t)i;
      u->segs[u->nsegs++] = m->segs[j];   /* borrowed: freed with the member */
    }
    u->members[i] = members[i];
    u->live_docs += m->live_docs;
    u->live_paras += m->live_paras;
    u->total_len += m->total_len;
    u->bytes += m->bytes;
  }
  *out = u;
  return INDAGA_OK;
}

size_t ix_snapshot_nmembers(const ix_snapshot *s) { return s->members ? s->nmembers : 1; }

size_t ix_seg_member(const ix_snapshot *s, size_t seg) { return s->members ? s->seg_member[seg] : 0; }

const char *ix_seg_label(const ix_snapshot *s, size_t seg) {
  return s->members ? s->labels[s->seg_member[seg]] : NULL;
}

uint64_t ix_generation(const ix_snapshot *s) { return s->m.generation; }
size_t ix_nsegs(const ix_snapshot *s) { return s->nsegs; }
const seg_reader *ix_seg(const ix_snapshot *s, size_t i) { return s->segs[i].r; }

int ix_is_deleted(const ix_snapshot *s, size_t seg, uint32_t pid) {
  const snap_seg *g = &s->segs[seg];
  return g->del_para && pid < g->e->npara && bit(g->del_para, pid);
}

int ix_doc_deleted(const ix_snapshot *s, size_t seg, uint32_t did) {
  const snap_seg *g = &s->segs[seg];
  return g->del_doc && did < g->e->ndoc && bit(g->del_doc, did);
}

uint64_t ix_live_paras(const ix_snapshot *s) { return s->live_paras; }
uint64_t ix_total_len(const ix_snapshot *s) { return s->total_len; }
uint64_t ix_live_docs(const ix_snapshot *s) { return s->live_docs; }
uint64_t ix_snapshot_bytes(const ix_snapshot *s) { return s->bytes; }
const char *ix_snapshot_note(const ix_snapshot *s) { return s->note; }
const ix_manifest *ix_snapshot_manifest(const ix_snapshot *s) { return &s->m; }

const uint32_t *ix_deleted_docs(const ix_snapshot *s, size_t seg, uint32_t *count) {
  *count = s->segs[seg].ndeleted;
  return s->segs[seg].deleted;
}

/* Build the order tables of segment @seg (s->mu held). INDAGA_OK, ENOMEM or ECORRUPT. */
static int build_order(ix_snapshot *s, size_t seg) {
  const seg_reader *r = s->segs[seg].r;
  uint32_t nd = seg_ndoc(r);
  uint32_t *starts = indaga__malloc(((size_t)nd + 1) * sizeof *starts);
  uint32_t *rank = indaga__malloc((nd ? nd : 1) * sizeof *rank);
  int rc = starts && rank ? INDAGA_OK : INDAGA_ENOMEM;
  for (uint32_t d = 0; rc == INDAGA_OK && d < nd; d++) {
    seg_doc doc;
    rc = seg_doc_get(r, d, &doc);
    if (rc == INDAGA_OK && d && doc.first_para < starts[d - 1]) rc = INDAGA_ECORRUPT;
    if (rc == INDAGA_OK) starts[d] = doc.first_para;
  }
  if (rc == INDAGA_OK) memset(rank, 0xff, (nd ? nd : 1) * sizeof *rank);
  for (uint32_t i = 0; rc == INDAGA_OK && i < nd; i++) {   /* each entry is below nd (segread.c checks) */
    uint32_t d = seg_doc_sorted(r, i);
    if (rank[d] != UINT32_MAX) rc = INDAGA_ECORRUPT;   /* not a permutation */
    else rank[d] = i;
  }
  if (rc) {
    indaga__free(starts);
    indaga__free(rank);
    return rc == INDAGA_ENOTFOUND ? INDAGA_ECORRUPT : rc;
  }
  starts[nd] = seg_npara(r);
  s->orders[seg].starts = starts;
  __atomic_store_n(&s->orders[seg].rank, rank, __ATOMIC_RELEASE);
  return INDAGA_OK;
}

int ix_para_place(const ix_snapshot *cs, size_t seg, uint32_t pid, uint32_t *did, uint32_t *rank) {
  ix_snapshot *s = (ix_snapshot *)(uintptr_t)cs;   /* the lazy tables are internal state */
  seg_order *o = &s->orders[seg];
  const uint32_t *rk = __atomic_load_n(&o->rank, __ATOMIC_ACQUIRE);
  if (!rk) {
    int rc = INDAGA_OK;
    pthread_mutex_lock(&s->mu);
    if (!o->rank) rc = build_order(s, seg);
    pthread_mutex_unlock(&s->mu);
    if (rc) return rc;
    rk = o->rank;
  }
  uint32_t nd = seg_ndoc(s->segs[seg].r);
  if (nd == 0 || pid >= o->starts[nd]) return INDAGA_ECORRUPT;
  uint32_t lo = 0, hi = nd;   /* the last document starting at or before pid */
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (o->starts[mid] <= pid) lo = mid; else hi = mid;
  }
  *did = lo;
  *rank = rk[lo];
  return INDAGA_OK;
}

/*
** Compare the (id, label, piece) of document @da of segment @a with that
** of @db of @b: <0, 0, >0; *rc set when a record cannot be read.
*/
static int doc_key_cmp(const ix_snapshot *s, size_t a, uint32_t da, size_t b, uint32_t db, int *rc) {
  seg_doc x, y;
  if ((*rc = seg_doc_get(s->segs[a].r, da, &x)) != INDAGA_OK || (*rc = seg_doc_get(s->segs[b].r, db, &y)) != INDAGA_OK)
    return 0;
  size_t n = x.nid < y.nid ? x.nid : y.nid;
  int c = n ? memcmp(x.id, y.id, n) : 0;
  if (c || x.nid != y.nid) return c ? c : x.nid < y.nid ? -1 : 1;
  const char *la = ix_seg_label(s, a), *lb = ix_seg_label(s, b);
  if (la && lb && (c = strcmp(la, lb)) != 0) return c;
  return x.piece < y.piece ? -1 : x.piece > y.piece;
}

int ix_seg_ordered(const ix_snapshot *cs, size_t seg) {
  ix_snapshot *s = (ix_snapshot *)(uintptr_t)cs;   /* the lazy flag is internal state */
  int v = __atomic_load_n(&s->orders[seg].ordered, __ATOMIC_ACQUIRE);
  if (v) return v == 2;
  const seg_reader *r = s->segs[seg].r;
  uint32_t nd = seg_ndoc(r), d = 0;
  while (d < nd && seg_doc_sorted(r, d) == d) d++;
  __atomic_store_n(&s->orders[seg].ordered, d == nd ? 2 : 1, __ATOMIC_RELEASE);   /* the same whoever finds it */
  return d == nd;
}

/* Are the documents of @s in (id, label, piece) order? (ix_snapshot_ordered) */
static int find_ordered(const ix_snapshot *s) {
  size_t prev = SIZE_MAX;   /* the last segment holding a document */
  for (size_t i = 0; i < s->nsegs; i++) {
    uint32_t nd = seg_ndoc(s->segs[i].r);
    if (!ix_seg_ordered(s, i)) return 0;
    if (!nd) continue;
    int rc = INDAGA_OK;
    if (prev != SIZE_MAX && doc_key_cmp(s, prev, seg_ndoc(s->segs[prev].r) - 1, i, 0, &rc) >= 0) return 0;
    if (rc) return 0;
    prev = i;
  }
  return 1;
}

int ix_snapshot_ordered(const ix_snapshot *cs) {
  ix_snapshot *s = (ix_snapshot *)(uintptr_t)cs;   /* the lazy flag is internal state */
  int v = __atomic_load_n(&s->ordered, __ATOMIC_ACQUIRE);
  if (v >= 0) return v;
  v = find_ordered(s);   /* the same answer whichever thread finds it */
  __atomic_store_n(&s->ordered, v, __ATOMIC_RELEASE);
  return v;
}

/* Build the id map of live documents. INDAGA_OK, ENOMEM or ECORRUPT. */
static int build_docs(ix_snapshot *s) {
  for (size_t i = 0; i < s->nsegs; i++) {
    const seg_reader *r = s->segs[i].r;
    uint32_t nd = seg_ndoc(r);
    for (uint32_t did = 0; did < nd; did++) {
      if (ix_doc_deleted(s, i, did)) continue;
      seg_doc d;
      int rc = seg_doc_get(r, did, &d);
      if (rc) return rc;
      if (d.piece != 0) continue;   /* a document is found by its piece 0 (ix_find_piece for the others) */
      rc = ix_map_put(&s->docs, d.id, d.nid, (uint64_t)i << 32 | did);
      if (rc) return rc;
    }
  }
  return INDAGA_OK;
}

int ix_find_doc(const ix_snapshot *cs, const char *id, size_t *seg, uint32_t *did) {
  ix_snapshot *s = (ix_snapshot *)(uintptr_t)cs;   /* the lazy map is internal state */
  int rc = INDAGA_OK;
  pthread_mutex_lock(&s->mu);
  if (!s->docs_built) {
    rc = build_docs(s);
    if (rc) ix_map_free(&s->docs);
    else s->docs_built = 1;
  }
  pthread_mutex_unlock(&s->mu);
  if (rc) return rc;
  uint64_t v;
  if (!ix_map_get(&s->docs, id, strlen(id), &v)) return INDAGA_ENOTFOUND;
  *seg = (size_t)(v >> 32);
  *did = (uint32_t)v;
  return INDAGA_OK;
}

int ix_find_piece(const ix_snapshot *s, const char *id, uint32_t piece, size_t *seg, uint32_t *did) {
  if (piece == 0) return ix_find_doc(s, id, seg, did);
  size_t n = strlen(id);
  for (size_t i = 0; i < s->nsegs; i++) {
    uint32_t x;
    int rc = seg_doc_find_piece(s->segs[i].r, id, n, piece, &x);
    if (rc == INDAGA_ENOTFOUND || (rc == INDAGA_OK && ix_doc_deleted(s, i, x))) continue;
    if (rc) return rc;
    *seg = i;
    *did = x;
    return INDAGA_OK;
  }
  return INDAGA_ENOTFOUND;
}
