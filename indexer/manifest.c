/*
** manifest.c: manifests and deletion files (the grammar is in manifest.h),
** plus the small id -> value hash map the snapshot and the writer share.
**
** Records are encoded into one buffer, checksummed with xxh64 and written
** through os_wfile (temp name, fsync, rename), so a crash leaves either the
** old file set or the new one. A pending mark is renamed without an fsync
** of its bytes (its name alone counts; the directory fsync publishes it).
** ix_manifest_publish fsyncs the directory, which makes the commit's
** earlier renames durable, and the manifest's temp file at once, on two
** threads, before the rename: one fsync wait where there were two. Parsing checks every length against the end of
** the bytes before reading them and never trusts a count read from disk.
*/
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <xxhash.h>
#include "common/common.h"
#include "common/os.h"
#include "indexer/manifest.h"

#define MANIFEST_MAGIC "IXMANIF1"
#define DEL_MAGIC      "IXDELET1"
#define MANIFEST_HEAD  56u   /* magic, version, nsegs, generation, next id, index id, previous, flags, nroots */
#define MANIFEST_ENTRY 48u
#define DEL_HEAD       48u

char *ix_manifest_path(const char *dir, uint64_t gen) {
  return indaga__sprintf("%s/manifest.%llu", dir, (unsigned long long)gen);
}

char *ix_seg_path(const char *dir, uint64_t id) {
  return indaga__sprintf("%s/seg-%llu.seg", dir, (unsigned long long)id);
}

char *ix_del_path(const char *dir, uint64_t id, uint64_t gen) {
  return indaga__sprintf("%s/seg-%llu.del.%llu", dir, (unsigned long long)id,
                         (unsigned long long)gen);
}

static void free_roots(char **roots, size_t n) {
  for (size_t i = 0; i < n; i++) indaga__free(roots[i]);
  indaga__free(roots);
}

void ix_manifest_clear(ix_manifest *m) {
  indaga__free(m->segs);
  free_roots(m->roots, m->nroots);
  memset(m, 0, sizeof *m);
}

int ix_manifest_set_roots(ix_manifest *m, const char *const *roots, size_t n) {
  char **v = indaga__calloc(n ? n : 1, sizeof *v);
  if (!v) return INDAGA_ENOMEM;
  for (size_t i = 0; i < n; i++)
    if (!(v[i] = indaga__strdup(roots[i]))) { free_roots(v, i); return INDAGA_ENOMEM; }
  free_roots(m->roots, m->nroots);
  m->roots = v;
  m->nroots = n;
  return INDAGA_OK;
}

int ix_manifest_copy(ix_manifest *dst, const ix_manifest *src) {
  *dst = *src;
  dst->segs = NULL;
  dst->roots = NULL;
  dst->nroots = 0;
  dst->segs = indaga__calloc(src->nsegs ? src->nsegs : 1, sizeof *dst->segs);
  if (!dst->segs || ix_manifest_set_roots(dst, (const char *const *)src->roots, src->nroots)) {
    ix_manifest_clear(dst);
    return INDAGA_ENOMEM;
  }
  if (src->nsegs) memcpy(dst->segs, src->segs, src->nsegs * sizeof *dst->segs);
  return INDAGA_OK;
}

/* Store a corruption message naming @name; returns INDAGA_ECORRUPT. */
static int corrupt(char **errmsg, const char *name, const char *what) {
  if (errmsg) *errmsg = indaga__sprintf("%s: corrupt: %s", name, what);
  return INDAGA_ECORRUPT;
}

/* Check the trailing xxh64 of p[0..n). 0 when it holds. */
static int bad_checksum(const unsigned char *p, size_t n) {
  if (n < 8) return 1;
  return XXH64(p, n - 8, 0) != get_u64(p + n - 8);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/*
** Refuse a manifest that lists a segment twice: sort a copy of the ids
** (n log n, so a crafted manifest of many entries cannot stall a reader).
** On failure clears @m and returns INDAGA_ECORRUPT or INDAGA_ENOMEM.
*/
static int no_duplicate_ids(ix_manifest *m, const char *name, char **errmsg) {
  if (m->nsegs < 2) return INDAGA_OK;
  uint64_t *ids = indaga__calloc(m->nsegs, sizeof *ids);
  if (!ids) { ix_manifest_clear(m); return INDAGA_ENOMEM; }
  for (size_t i = 0; i < m->nsegs; i++) ids[i] = m->segs[i].id;
  qsort(ids, m->nsegs, sizeof *ids, cmp_u64);
  int dup = 0;
  for (size_t i = 1; i < m->nsegs && !dup; i++) dup = ids[i] == ids[i - 1];
  indaga__free(ids);
  if (!dup) return INDAGA_OK;
  ix_manifest_clear(m);
  return corrupt(errmsg, name, "segment listed twice");
}

/*
** Decode the roots at p[0..n) (the bytes between the entries and the
** checksum) into @m. INDAGA_OK, or a reason in *why, or INDAGA_ENOMEM.
*/
static int parse_roots(ix_manifest *m, uint32_t nroots, const unsigned char *p, size_t n,
                       const char **why) {
  if (nroots > n / 5) { *why = "root count does not match the file size"; return INDAGA_ECORRUPT; }
  m->roots = indaga__calloc(nroots ? nroots : 1, sizeof *m->roots);
  if (!m->roots) return INDAGA_ENOMEM;
  size_t at = 0;
  for (uint32_t i = 0; i < nroots; i++) {
    uint32_t len = n - at >= 4 ? get_u32(p + at) : 0;
    if (len == 0 || len > IX_ROOT_MAX || len > n - at - 4) { *why = "root path length out of range"; return INDAGA_ECORRUPT; }
    const unsigned char *z = p + at + 4;
    if (z[0] != '/' || memchr(z, 0, len)) { *why = "root path not absolute"; return INDAGA_ECORRUPT; }
    if (!(m->roots[i] = indaga__strndup((const char *)z, len))) return INDAGA_ENOMEM;
    m->nroots++;
    at += 4 + (size_t)len;
  }
  if (at != n) { *why = "bytes after the roots"; return INDAGA_ECORRUPT; }
  return INDAGA_OK;
}

/* Decode and check one segment entry at @e into @s; NULL or what is wrong. */
static const char *parse_entry(ix_seg_entry *s, const unsigned char *e, const ix_manifest *m) {
  s->id = get_u64(e);
  s->del_gen = get_u64(e + 8);
  s->seg_gen = get_u64(e + 16);
  s->ndoc = get_u32(e + 24);
  s->npara = get_u32(e + 28);
  s->total_len = get_u64(e + 32);
  s->ndeleted = get_u32(e + 40);
  if (s->id >= m->next_seg_id) return "segment id not below the next id";
  if (s->del_gen > m->generation) return "deletion file newer than the manifest";
  if (s->seg_gen == 0 || s->seg_gen > m->generation) return "segment generation out of range";
  if ((s->del_gen == 0) != (s->ndeleted == 0)) return "deletion count without a file";
  if (s->ndeleted > s->ndoc) return "more deleted documents than documents";
  if (get_u32(e + 44) != 0) return "reserved field not 0";
  return NULL;
}

int ix_manifest_parse(ix_manifest *m, const char *name, uint64_t gen,
                      const unsigned char *p, size_t n, char **errmsg) {
  memset(m, 0, sizeof *m);
  if (n < 16 + 8 || memcmp(p, MANIFEST_MAGIC, 8) != 0)   /* magic, version, a count: every version's */
    return corrupt(errmsg, name, "not a manifest (bad magic or too short)");
  if (bad_checksum(p, n)) return corrupt(errmsg, name, "checksum mismatch");
  if (get_u32(p + 8) == IX_FORMAT_VERSION && n < MANIFEST_HEAD + 8)
    return corrupt(errmsg, name, "too short");
  if (get_u32(p + 8) != IX_FORMAT_VERSION) {
    if (errmsg) *errmsg = indaga__sprintf("%s: format version %u, this build reads %u%s",
                                          name, get_u32(p + 8), IX_FORMAT_VERSION,
                                          get_u32(p + 8) < IX_FORMAT_VERSION
                                            ? ": rebuild the index with 'indaga index --full'" : "");
    return INDAGA_EVERSION;
  }
  uint32_t nsegs = get_u32(p + 12);
  if ((uint64_t)nsegs * MANIFEST_ENTRY > n - MANIFEST_HEAD - 8)
    return corrupt(errmsg, name, "segment count does not match the file size");
  m->generation = get_u64(p + 16);
  m->next_seg_id = get_u64(p + 24);
  m->index_id = get_u64(p + 32);
  m->prev_gen = get_u64(p + 40);
  m->flags = get_u32(p + 48);
  uint32_t nroots = get_u32(p + 52);
  const char *why = NULL;
  if (m->generation != gen) why = "generation differs from the file name";
  else if (m->index_id == 0) why = "no index id";
  else if (m->prev_gen >= m->generation) why = "previous generation not below the generation";
  else if ((m->flags & ~IX_PREV_KEPT) || ((m->flags & IX_PREV_KEPT) && !m->prev_gen)) why = "unknown flags";
  if (why) { ix_manifest_clear(m); return corrupt(errmsg, name, why); }
  if (nsegs) {
    m->segs = indaga__calloc(nsegs, sizeof *m->segs);
    if (!m->segs) { ix_manifest_clear(m); return INDAGA_ENOMEM; }
  }
  m->nsegs = nsegs;
  const unsigned char *e = p + MANIFEST_HEAD;
  for (uint32_t i = 0; i < nsegs && !why; i++, e += MANIFEST_ENTRY) why = parse_entry(&m->segs[i], e, m);
  int rc = why ? INDAGA_ECORRUPT : parse_roots(m, nroots, e, (size_t)(p + n - 8 - e), &why);
  if (rc) {
    ix_manifest_clear(m);
    return rc == INDAGA_ECORRUPT ? corrupt(errmsg, name, why) : rc;
  }
  return no_duplicate_ids(m, name, errmsg);
}

int ix_manifest_read(ix_manifest *m, const char *dir, uint64_t gen, char **errmsg) {
  memset(m, 0, sizeof *m);
  char *path = ix_manifest_path(dir, gen);
  if (!path) return INDAGA_ENOMEM;
  os_map map;
  int rc = os_map_file(path, &map, errmsg);
  if (rc == INDAGA_OK) {
    rc = ix_manifest_parse(m, path, gen, map.p, map.n, errmsg);
    os_unmap(&map);
  }
  indaga__free(path);
  return rc;
}

/* Write buffer @b to @path through os_wfile (tmp, fsync, rename). */
static int write_whole(const char *path, const ia_buf *b, char **errmsg) {
  if (b->err) return b->err;
  os_wfile f;
  int rc = os_wfile_open(&f, path, errmsg);
  if (rc) return rc;
  rc = os_wfile_write(&f, b->p, b->n, errmsg);
  if (rc == INDAGA_OK) rc = os_wfile_commit(&f, errmsg);
  if (rc) os_wfile_abort(&f);
  return rc;
}

/*
** Write buffer @b to @path under a temp name and rename it, with no fsync:
** for a file whose name alone counts (a pending mark), made durable by the
** caller's directory fsync.
*/
static int write_unsynced(const char *path, const ia_buf *b, char **errmsg) {
  if (b->err) return b->err;
  os_wfile f;
  int rc = os_wfile_open(&f, path, errmsg);
  if (rc) return rc;
  rc = os_wfile_write(&f, b->p, b->n, errmsg);
  if (rc == INDAGA_OK) rc = os_wfile_rename(&f, errmsg);
  if (rc) os_wfile_abort(&f);
  return rc;
}

/* A directory fsync run on a thread of its own (write_published). */
typedef struct dir_sync {
  const char *dir;
  int rc;
  char *msg;
} dir_sync;

static void *dir_sync_main(void *arg) {
  dir_sync *d = arg;
  d->rc = os_fsync_dir(d->dir, &d->msg);
  return NULL;
}

/*
** write_whole, with @dir fsynced before the rename, at the same time as the
** temp file (two fsyncs on two threads, one wait): whatever was renamed
** into @dir before is durable before @path can be. Serial when no thread
** can be started.
*/
static int write_after_dir(const char *path, const char *dir, const ia_buf *b, char **errmsg) {
  if (b->err) return b->err;
  os_wfile f;
  int rc = os_wfile_open(&f, path, errmsg);
  if (rc) return rc;
  rc = os_wfile_write(&f, b->p, b->n, errmsg);
  dir_sync d = { dir, INDAGA_OK, NULL };
  pthread_t th;
  int threaded = rc == INDAGA_OK && pthread_create(&th, NULL, dir_sync_main, &d) == 0;
  if (rc == INDAGA_OK) rc = os_wfile_sync(&f, errmsg);
  if (threaded) pthread_join(th, NULL);
  else if (rc == INDAGA_OK) dir_sync_main(&d);
  if (rc == INDAGA_OK && d.rc) {
    rc = d.rc;
    if (errmsg) *errmsg = d.msg;
    d.msg = NULL;
  }
  indaga__free(d.msg);
  if (rc == INDAGA_OK) rc = os_wfile_commit(&f, errmsg);
  if (rc) os_wfile_abort(&f);
  return rc;
}

/* Append the xxh64 of everything in @b so far. */
static void put_checksum(ia_buf *b) {
  uint64_t h = b->err ? 0 : XXH64(b->p, b->n, 0);
  buf_put_u64(b, h);
}

/* Write @m into @dir: after a directory fsync of its own (publish) or not. */
static int manifest_write(const ix_manifest *m, const char *dir, int after_dir, char **errmsg) {
  ia_buf b = { 0 };
  buf_append(&b, MANIFEST_MAGIC, 8);
  buf_put_u32(&b, IX_FORMAT_VERSION);
  buf_put_u32(&b, (uint32_t)m->nsegs);
  buf_put_u64(&b, m->generation);
  buf_put_u64(&b, m->next_seg_id);
  buf_put_u64(&b, m->index_id);
  buf_put_u64(&b, m->prev_gen);
  buf_put_u32(&b, m->flags);
  buf_put_u32(&b, (uint32_t)m->nroots);
  for (size_t i = 0; i < m->nsegs; i++) {
    const ix_seg_entry *s = &m->segs[i];
    buf_put_u64(&b, s->id);
    buf_put_u64(&b, s->del_gen);
    buf_put_u64(&b, s->seg_gen);
    buf_put_u32(&b, s->ndoc);
    buf_put_u32(&b, s->npara);
    buf_put_u64(&b, s->total_len);
    buf_put_u32(&b, s->ndeleted);
    buf_put_u32(&b, 0);
  }
  for (size_t i = 0; i < m->nroots; i++) {
    size_t len = strlen(m->roots[i]);
    if (len == 0 || len > IX_ROOT_MAX || m->roots[i][0] != '/') { buf_free(&b); return INDAGA_EMISUSE; }
    buf_put_u32(&b, (uint32_t)len);
    buf_append(&b, m->roots[i], len);
  }
  put_checksum(&b);
  char *path = ix_manifest_path(dir, m->generation);
  int rc = !path ? INDAGA_ENOMEM
           : after_dir ? write_after_dir(path, dir, &b, errmsg) : write_whole(path, &b, errmsg);
  if (rc == INDAGA_OK) rc = os_fsync_dir(dir, errmsg);
  indaga__free(path);
  buf_free(&b);
  return rc;
}

/* Parse "manifest.<digits>" into *gen. 1 on a match. */
static int manifest_name(const char *name, uint64_t *gen) {
  if (strncmp(name, "manifest.", 9) != 0) return 0;
  const char *d = name + 9;
  if (*d < '0' || *d > '9') return 0;
  uint64_t v = 0;
  for (; *d; d++) {
    if (*d < '0' || *d > '9' || v > (UINT64_MAX - 9) / 10) return 0;
    v = v * 10 + (uint64_t)(*d - '0');
  }
  *gen = v;
  return v > 0;
}

typedef struct gen_list {
  uint64_t *v;
  size_t n, cap;
  int err;
} gen_list;

static int collect_gen(void *ctx, const char *name) {
  gen_list *l = ctx;
  uint64_t g;
  if (!manifest_name(name, &g)) return 0;
  if (l->n == l->cap) {
    uint64_t *v = indaga__grow(l->v, &l->cap, sizeof *v, 8);
    if (!v) { l->err = INDAGA_ENOMEM; return 1; }
    l->v = v;
  }
  l->v[l->n++] = g;
  return 0;
}

static int cmp_desc(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? 1 : x > y ? -1 : 0;
}

int ix_manifest_list(const char *dir, uint64_t **gens, size_t *n, char **errmsg) {
  gen_list l = { 0 };
  *gens = NULL;
  *n = 0;
  int rc = os_listdir(dir, collect_gen, &l, errmsg);
  if (rc == 1) rc = l.err;
  if (rc) { indaga__free(l.v); return rc; }
  if (l.n > 1) qsort(l.v, l.n, sizeof *l.v, cmp_desc);
  *gens = l.v;
  *n = l.n;
  return INDAGA_OK;
}

int ix_manifest_write(const ix_manifest *m, const char *dir, char **errmsg) {
  return manifest_write(m, dir, 0, errmsg);
}

int ix_manifest_publish(const ix_manifest *m, const char *dir, char **errmsg) {
  return manifest_write(m, dir, 1, errmsg);
}

char *ix_pending_path(const char *dir, uint64_t gen) {
  return indaga__sprintf("%s/pending.%llu", dir, (unsigned long long)gen);
}

int ix_pending_mark(const char *dir, uint64_t gen, char **errmsg) {
  ia_buf b = { 0 };
  buf_append(&b, "IXPENDG1", 8);
  buf_put_u64(&b, gen);
  put_checksum(&b);
  char *path = ix_pending_path(dir, gen);
  int rc = path ? write_unsynced(path, &b, errmsg) : INDAGA_ENOMEM;
  if (rc == INDAGA_OK) rc = os_fsync_dir(dir, errmsg);
  indaga__free(path);
  buf_free(&b);
  return rc;
}

/* Parse decimal digits at *pz into *v, advancing; 0 when there are none or too many. */
static int digits(const char **pz, uint64_t *v) {
  const char *z = *pz;
  *v = 0;
  if (*z < '0' || *z > '9') return 0;
  for (; *z >= '0' && *z <= '9'; z++) {
    if (*v > (UINT64_MAX - 9) / 10) return 0;
    *v = *v * 10 + (uint64_t)(*z - '0');
  }
  *pz = z;
  return 1;
}

/* What a listing finds beyond manifest @m: files of a later generation, and pending marks. */
typedef struct orphan_scan {
  const ix_manifest *m;
  char name[64];          /* the first file of a later generation seen, "" when none */
  uint64_t pending;       /* the highest generation of a pending.<G> mark, 0 when none */
} orphan_scan;

static int scan_orphan(void *ctx, const char *name) {
  orphan_scan *o = ctx;
  const char *z = name;
  uint64_t a, b;
  if (!strncmp(z, "pending.", 8)) {
    z += 8;
    if (digits(&z, &a) && !*z && a > o->pending) o->pending = a;
    return 0;
  }
  if (strncmp(z, "seg-", 4)) return 0;
  z += 4;
  if (!digits(&z, &a)) return 0;
  int later = 0;
  if (!strcmp(z, ".seg")) later = a >= o->m->next_seg_id;
  else if (!strncmp(z, ".del.", 5) && (z += 5, digits(&z, &b)) && !*z) later = b > o->m->generation;
  if (later && !o->name[0] && strlen(name) < sizeof o->name) memcpy(o->name, name, strlen(name) + 1);
  return 0;
}

char *ix_gap_note(const char *dir, const ix_manifest *m, const uint64_t *gens, size_t n) {
  int kept = 1;
  if (m->flags & IX_PREV_KEPT) {
    kept = 0;
    for (size_t i = 0; i < n && !kept; i++) kept = gens[i] == m->prev_gen;
  }
  if (!kept)
    return indaga__sprintf("manifest.%llu is missing, though manifest.%llu says its previous generation "
                           "is kept: a newer generation was committed and its manifest deleted (or "
                           "manifest.%llu itself was); generation %llu may not be the newest",
                           (unsigned long long)m->prev_gen, (unsigned long long)m->generation,
                           (unsigned long long)m->prev_gen, (unsigned long long)m->generation);
  orphan_scan o;
  memset(&o, 0, sizeof o);
  o.m = m;
  if (os_listdir(dir, scan_orphan, &o, NULL) != INDAGA_OK || !o.name[0] || o.pending > m->generation)
    return NULL;
  return indaga__sprintf("%s belongs to a generation after %llu, and no writer left it pending: "
                         "manifest.%llu was deleted; generation %llu may not be the newest", o.name,
                         (unsigned long long)m->generation, (unsigned long long)m->generation + 1,
                         (unsigned long long)m->generation);
}

/* Check and decode deletion-file bytes; see ix_del_read. */
static int del_parse(const char *name, const unsigned char *p, size_t n, uint64_t index_id,
                     uint64_t id, uint64_t gen, uint32_t ndoc, uint32_t **docs, uint32_t *count,
                     char **errmsg) {
  if (n < DEL_HEAD + 8 || memcmp(p, DEL_MAGIC, 8) != 0)
    return corrupt(errmsg, name, "not a deletion file (bad magic or too short)");
  if (bad_checksum(p, n)) return corrupt(errmsg, name, "checksum mismatch");
  if (get_u32(p + 8) != IX_FORMAT_VERSION) return corrupt(errmsg, name, "unknown format version");
  if (get_u32(p + 12) != ndoc) return corrupt(errmsg, name, "document count differs from its segment");
  if (get_u64(p + 16) != id || get_u64(p + 24) != gen)
    return corrupt(errmsg, name, "segment id or generation differs from the file name");
  if (get_u64(p + 32) != index_id) return corrupt(errmsg, name, "belongs to another index (its index id differs)");
  if (get_u32(p + 44) != 0) return corrupt(errmsg, name, "reserved field not 0");
  uint32_t c = get_u32(p + 40);
  if ((uint64_t)c * 4 != n - DEL_HEAD - 8) return corrupt(errmsg, name, "count does not match the file size");
  uint32_t *v = indaga__malloc((size_t)c * sizeof *v);
  if (!v) return INDAGA_ENOMEM;
  for (uint32_t i = 0; i < c; i++) {
    v[i] = get_u32(p + DEL_HEAD + 4 * (size_t)i);
    if (v[i] >= ndoc || (i > 0 && v[i] <= v[i - 1])) {
      indaga__free(v);
      return corrupt(errmsg, name, "document numbers out of range or not ascending");
    }
  }
  *docs = v;
  *count = c;
  return INDAGA_OK;
}

int ix_del_read(const char *dir, uint64_t index_id, uint64_t id, uint64_t gen, uint32_t ndoc,
                uint32_t **docs, uint32_t *count, char **errmsg) {
  *docs = NULL;
  *count = 0;
  char *path = ix_del_path(dir, id, gen);
  if (!path) return INDAGA_ENOMEM;
  os_map map;
  int rc = os_map_file(path, &map, errmsg);
  if (rc == INDAGA_OK) {
    rc = del_parse(path, map.p, map.n, index_id, id, gen, ndoc, docs, count, errmsg);
    os_unmap(&map);
  }
  indaga__free(path);
  return rc;
}

int ix_del_write(const char *dir, uint64_t index_id, uint64_t id, uint64_t gen, uint32_t ndoc,
                 const uint32_t *docs, uint32_t count, char **errmsg) {
  ia_buf b = { 0 };
  buf_append(&b, DEL_MAGIC, 8);
  buf_put_u32(&b, IX_FORMAT_VERSION);
  buf_put_u32(&b, ndoc);
  buf_put_u64(&b, id);
  buf_put_u64(&b, gen);
  buf_put_u64(&b, index_id);
  buf_put_u32(&b, count);
  buf_put_u32(&b, 0);
  for (uint32_t i = 0; i < count; i++) buf_put_u32(&b, docs[i]);
  put_checksum(&b);
  char *path = ix_del_path(dir, id, gen);
  int rc = path ? write_whole(path, &b, errmsg) : INDAGA_ENOMEM;
  indaga__free(path);
  buf_free(&b);
  return rc;
}

/**************************************************************************
** The hash map: open addressing, linear probing, load factor at most 1/2.
*/
static uint64_t key_hash(const char *k, size_t nk) {
  uint64_t h = XXH64(k, nk, 0);
  return h ? h : 1;   /* 0 marks an empty slot */
}

static int map_grow(ix_map *m) {
  size_t cap = m->cap ? m->cap * 2 : 64;
  ix_map_slot *s = indaga__calloc(cap, sizeof *s);
  if (!s) return INDAGA_ENOMEM;
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->slots[i].h) continue;
    size_t j = (size_t)m->slots[i].h & (cap - 1);
    while (s[j].h) j = (j + 1) & (cap - 1);
    s[j] = m->slots[i];
  }
  indaga__free(m->slots);
  m->slots = s;
  m->cap = cap;
  return INDAGA_OK;
}

int ix_map_put(ix_map *m, const char *k, size_t nk, uint64_t v) {
  if ((m->n + 1) * 2 > m->cap && map_grow(m)) return INDAGA_ENOMEM;
  uint64_t h = key_hash(k, nk);
  size_t j = (size_t)h & (m->cap - 1);
  while (m->slots[j].h) {
    ix_map_slot *s = &m->slots[j];
    if (s->h == h && s->nk == nk && !memcmp(s->k, k, nk)) { s->v = v; return INDAGA_OK; }
    j = (j + 1) & (m->cap - 1);
  }
  m->slots[j].k = k;
  m->slots[j].nk = nk;
  m->slots[j].h = h;
  m->slots[j].v = v;
  m->n++;
  return INDAGA_OK;
}

int ix_map_get(const ix_map *m, const char *k, size_t nk, uint64_t *v) {
  if (!m->cap) return 0;
  uint64_t h = key_hash(k, nk);
  size_t j = (size_t)h & (m->cap - 1);
  while (m->slots[j].h) {
    const ix_map_slot *s = &m->slots[j];
    if (s->h == h && s->nk == nk && !memcmp(s->k, k, nk)) { *v = s->v; return 1; }
    j = (j + 1) & (m->cap - 1);
  }
  return 0;
}

void ix_map_free(ix_map *m) {
  indaga__free(m->slots);
  memset(m, 0, sizeof *m);
}
