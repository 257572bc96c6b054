/*
** writer.c: the single writer of an index (indaga_writer_* of indaga.h).
**
** A writer session starts from the live generation (a snapshot, "base") and
** collects changes until indaga_writer_commit():
**
**   slots     every segment the next manifest may list: the base segments
**             first (slot i = snapshot segment i), then segments written in
**             this session (flushed builders, merge outputs). Each slot keeps
**             its deleted-document bitmap: the base deletions plus this
**             session's.
**   builder   the segment being filled. Its documents are addressed as slot
**             nslots (the slot it becomes when flushed), so a document's
**             location (slot << 32 | doc) never changes until the commit.
**   docs      id -> location (or DELETED) for every document this session
**             added, replaced or deleted; it overrides the base snapshot.
**
** Adding a document that exists deletes the old copy (a bit in its slot, or
** an entry of bdel while it is still in the builder). The memory budget
** bounds the process, not only the builder: when the builder's memory, plus
** what writing it will add (seg_builder_write_mem), plus the analyzers and
** the documents parsed ahead reach the budget (builder_full), the builder
** is written as a segment (seg_builder_write fsyncs and renames it), so
** memory does not grow with the corpus.
**
** Commit follows LMDB's order (STYLE.md): flush the builder; merge tiers
** (>= MERGE_FACTOR segments of similar size become one, with the deleted
** documents dropped); write a deletion file seg-<id>.del.<N+1> for each slot
** whose set changed; fsync the directory and write manifest.<N+1> (temp,
** fsync, rename, fsync the directory), the first two fsyncs at once on two
** threads (ix_manifest_publish). Before the first file of generation N+1
** (a flush, a merge, a deletion file) pending.<N+1> is written (manifest.h),
** so files without a manifest are known as a commit under way, not as a
** deleted manifest. The fsyncs of a commit that writes one segment, and
** what each protects: the directory after the pending mark's rename (the
** mark is durable before any file of N+1 is); the segment's temp file
** before its rename (no segment name over partial bytes); the directory
** beside the manifest's temp file (the segment's and deletion files' names
** durable before the manifest that lists them; the manifest's bytes before
** its name); the directory after the manifest's rename (the commit is
** durable when it returns). The pending mark's own bytes are not fsynced:
** its name alone counts. Every segment is stamped with the index id and N+1
** (seg_stamp), every manifest records the index id, its predecessor N (kept
** or not: IX_PREV_KEPT) and the roots. Only then are files that neither
** manifest N+1 nor manifest N names removed (after a rebuild or a compact,
** every file that N+1 does not name; the pending mark last): a reader that
** has just opened N keeps its files, and one that loses a longer race
** reopens (snapshot.c). If any step fails, manifest.<N+1> is removed if it
** got renamed into place, the files written by the attempt are removed,
** the session's changes are dropped, and the index stays at generation N.
**
** The writer opens on the newest valid manifest, and refuses (ECORRUPT)
** when the newest manifest is damaged or a later one is missing
** (ix_gap_note), unless it rebuilds. indaga_writer_rollback publishes the
** kept predecessor's segment list and roots again as N+1, with N kept.
**
** The roots: a sync canonicalises its roots and compares them with the
** recorded ones (settle_roots): the same set goes on, other roots are
** INDAGA_EREFUSED unless PRUNE or ADD (which walks every recorded root
** too); the next commit records them (take_roots). Every document the walk
** did not meet is removed, for file roots too. A dry run (dry_sync) walks,
** compares size, mtime and content hash, reports each change and writes
** nothing.
**
** indaga_writer_sync() walks a tree (walk.c; indaga_writer_sync_many()
** several, as one list, prefixing each directory's ids with its name when
** there are two or more directories), compares size and mtime with
** the document table and, where they differ, the content hash; the files to
** (re)index are read, parsed (dm_parse) and analysed (seg_analyze_doc) by
** worker threads, each with its own analyzer, while this thread adds the
** results to the builder strictly in walk order, so the index is the same
** whatever the thread count. Documents the walk could not reach (an
** unreadable directory, an entry that cannot be examined: walk_is_kept)
** are not deleted as gone; a rebuild, which has no old version to keep,
** fails instead. The workers are as many as the budget affords, THREAD_SHARE
** each out of half of it, and parse ahead of this thread only while the
** documents in flight fit their shares (can_take). With several threads, a full builder is
** written on a thread of its own (flushjob) while the next one fills, so
** the workers never wait for a segment write: its slot is reserved at
** hand-over (the next builder's documents are addressed past it) and its
** reader opened when the write is joined, at the next flush, at the end of
** the sync, or when the next builder would exceed the budget while it is
** pending. The budget then holds both: a builder is full at budget -
** budget / ASYNC_RESERVE_DIV, and its successor may use that reserve (or
** what the written one's memory leaves) until the write is joined. Near
** the end of the run a large builder is handed over early, and the next
** one once more when it is large enough (tail_due), so
** the one write that nothing overlaps, the last, is small. Only
** this thread touches the writer's state; durability steps (kill points)
** are counted here, before the hand-over and after the join.
**
** A file larger than a piece (dm_piece_size: budget / 32 within [1, 32]
** MiB) is never loaded whole: one worker streams it (docmodel_stream.c:
** pass 1 hashes it, and an unchanged hash ends there; pass 2 parses it in
** pieces), analysing each piece and handing it to this thread, which adds
** it as it comes; the worker hands over a piece only once the previous one
** is added, and starts such a file only when this thread has reached it,
** so at most two pieces are in memory. Each piece is a document record
** (id, piece); the builder may be flushed between pieces, so a document's
** pieces may lie in several segments. The docs map and the snapshot find
** a document by its piece 0 (which carries the file's size, mtime and
** hash, for unchanged detection); replacing or deleting it deletes every
** piece (delete_doc). A file that fails or is skipped halfway loses the
** pieces already added (drop_pieces): no partial document is committed.
**
** Testing hook (test builds only, common/testhook.h): with
** INDAGA_TEST_KILL_AT=N in the environment the process raises SIGKILL at
** its Nth durability step (segment, deletion file, directory fsync,
** manifest, each removal), for tests/cli/test_crash.sh.
*/
#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>
#include <xxhash.h>
#include "common/common.h"
#include "common/os.h"
#include "common/testhook.h"
#include "indexer/docmodel/extract.h"
#include "indexer/manifest.h"
#include "indexer/segment.h"
#include "indexer/segwriter.h"
#include "indexer/walk.h"

#define DEFAULT_BUDGET ((size_t)256 << 20)
#define MERGE_FACTOR 8
#define TIER_BASE ((uint64_t)256 << 10)   /* segments below 256 KiB share tier 0 */
#define DELETED UINT64_MAX
#define MAX_THREADS 8
#define PROCESS_BUDGET_MIN ((size_t)32 << 20)
#define DOC_MEM_FACTOR 3   /* a parsed, analysed document holds about 3 bytes per source byte */
#define PIECE_MEM_FACTOR 4 /* a piece: measured 3.7 (16 MiB pieces of short UN paragraphs) */
#define THREAD_SHARE ((size_t)16 << 20)  /* per analysing thread: its analyzer (ANALYZER_MAX_MEM) */
                                         /* and its documents parsed ahead (the rest, 3 MiB) */
#define ASYNC_RESERVE_DIV 4  /* a builder written on its own thread leaves budget/4 to the next one */
#define TAIL_RATIO 3         /* hand the builder over when it holds 3x the input still to come, */
#define SESSION_SHARE_DIV 4  /* per-document session state counts up to budget/4 (session_mem) */
#define TAIL_MIN_DIV 16      /* and at least budget/16 of it (16 MiB by default; tail_due) */
#define TAIL_NEXT_MIN ((size_t)4 << 20)  /* the second hand-over: at least 4 MiB (tail_due) */
#define TAIL_MAX 2           /* hand-overs near the end of a run, at most */
#define ID_BLOCK ((size_t)64 << 10)  /* interned ids lie in blocks of 64 KiB (intern) */

typedef struct wslot {
  ix_seg_entry e;         /* as it will appear in the manifest (del_gen, ndeleted updated at commit) */
  const seg_reader *r;    /* borrowed from base, or == owned */
  seg_reader *owned;      /* segments written in this session */
  uint8_t *del;           /* ndoc bits of deleted documents, NULL when none */
  uint32_t ndel;          /* bits set in del */
  int del_changed;        /* needs a new deletion file */
  int dropped;            /* merged into another slot */
  uint64_t bytes;         /* segment file size, for merge tiers */
} wslot;

struct indaga_writer {
  char *dir;
  int lock_fd;
  unsigned flags;
  size_t budget;
  size_t piece;               /* files larger than this are indexed in pieces (dm_piece_size) */
  ex_limits lim;              /* PDF, DOCX, ODT, HTML: limits from the budget (extract.h) */
  unsigned threads;
  indaga_warning_fn on_warning;
  indaga_progress_fn on_progress;
  indaga_change_fn on_change;
  void *ctx;
  char *err;                  /* message of the last failure */
  uint64_t index_id;          /* the index's id (manifest.h), stamped into every file written */
  char **roots;               /* the roots the next commit records (owned), when have_roots */
  size_t nroots;
  int have_roots;             /* a sync set roots in this session; else the live ones stand */
  int keep_prev;              /* the commit under way keeps the live generation as the previous one */
  uint64_t pending_gen;       /* pending.<G> marked for this generation (ix_pending_mark), or 0 */
  ix_snapshot *base;          /* live generation, NULL when none (or rebuilding) */
  ix_manifest live, prev;     /* manifests kept on disk: the live one and the one before */
  uint64_t max_gen;           /* highest generation named on disk */
  uint64_t next_seg_id;
  wslot *slots;
  size_t nslots, capslots;
  seg_builder *builder;
  uint32_t *bdel;             /* builder documents deleted again in this session */
  size_t nbdel, capbdel;
  ix_map docs;                /* id -> location | DELETED (keys in ids) */
  char **ids;                 /* blocks of owned id strings, keys of docs (intern) */
  size_t nids, capids;
  char *ids_next;             /* free bytes at the end of the last block */
  size_t ids_room;            /* how many */
  size_t ids_mem;             /* heap bytes of those blocks (str_mem) */
  size_t sync_mem;            /* heap bytes of the sync under way: its walk list and sync_files */
  int dirty;                  /* something to commit */
  int stale;                  /* base must be reopened before use */
  analyzer *an;               /* for add_file/add_buffer */
  struct flushjob *fj;        /* a builder being written on its own thread, or NULL */
  int async;                  /* flush on a thread (sync with several threads) */
  int broken;                 /* a flush failed: the session only accepts commit (which fails) or close */
  int wrote;                  /* a segment was written in this session */
  unsigned workers;           /* analysing threads running (sync) */
  size_t inflight;            /* estimated bytes of parsed documents not yet added */
  uint64_t bbytes;            /* input bytes (file sizes) of the documents in the builder */
  uint64_t kill_at, kill_count; /* TEST_KILL_AT (common/testhook.h) */
  uint64_t tail_next_min;     /* TAIL_NEXT_MIN, or TEST_TAIL_NEXT_MIN */
};

/**************************************************************************
** Errors and the test hook
*/
/* Record @msg (owned, may be NULL) as the writer's message; returns rc. */
static int fail_msg(indaga_writer *w, int rc, char *msg) {
  indaga__free(w->err);
  w->err = msg ? msg : indaga__sprintf("%s: %s", w->dir, indaga_strerror(rc));
  return rc;
}

static int failf(indaga_writer *w, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(indaga_writer *w, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *z = indaga__vsprintf(fmt, ap);
  va_end(ap);
  return fail_msg(w, rc, z);
}

/* One durability step done: die here if the test hook says so. */
static void kill_point(indaga_writer *w) {
  if (w->kill_at && ++w->kill_count == w->kill_at) raise(SIGKILL);
}

/* Report @msg about @path (a message of common/os.c starts with the path: not twice). */
static void warn(indaga_writer *w, const char *path, const char *msg) {
  size_t n = strlen(path);
  if (!strncmp(msg, path, n) && msg[n] == ':' && msg[n + 1] == ' ') msg += n + 2;
  if (w->on_warning) w->on_warning(w->ctx, path, msg);
}

static void warn_cb(void *ctx, const char *path, const char *msg) { warn(ctx, path, msg); }

/**************************************************************************
** Small helpers: bitmaps, interned ids
*/
static int bit(const uint8_t *b, uint32_t i) { return b && ((b[i >> 3] >> (i & 7)) & 1); }

/* Heap bytes of a string of @n bytes, as malloc rounds it (an estimate: 16-byte steps, a header). */
static size_t str_mem(size_t n) { return (n + 1 + 8 + 15) & ~(size_t)15; }

/*
** A copy of @id owned by the writer (for map keys), or NULL on ENOMEM. The
** copies lie end to end in blocks of ID_BLOCK bytes (an id longer gets a
** block of its own): no allocation, header or rounding per id.
*/
static const char *intern(indaga_writer *w, const char *id) {
  size_t n = strlen(id) + 1;
  if (n > w->ids_room) {
    if (w->nids == w->capids) {
      char **v = indaga__grow(w->ids, &w->capids, sizeof *v, 16);
      if (!v) return NULL;
      w->ids = v;
    }
    size_t size = n > ID_BLOCK ? n : ID_BLOCK;
    char *b = indaga__malloc(size);
    if (!b) return NULL;
    w->ids[w->nids++] = b;
    w->ids_next = b;
    w->ids_room = size;
    w->ids_mem += str_mem(size);
  }
  char *z = memcpy(w->ids_next, id, n);
  w->ids_next += n;
  w->ids_room -= n;
  return z;
}

/* Set @m[id] = v, interning the key when new. INDAGA_OK or ENOMEM. */
static int map_set(indaga_writer *w, ix_map *m, const char *id, uint64_t v) {
  uint64_t old;
  size_t n = strlen(id);
  if (ix_map_get(m, id, n, &old)) return ix_map_put(m, id, n, v);   /* keeps its key */
  const char *k = intern(w, id);
  return k ? ix_map_put(m, k, n, v) : INDAGA_ENOMEM;
}

/**************************************************************************
** Sessions
*/
static void free_slots(indaga_writer *w) {
  for (size_t i = 0; i < w->nslots; i++) {
    seg_close(w->slots[i].owned);
    indaga__free(w->slots[i].del);
  }
  indaga__free(w->slots);
  w->slots = NULL;
  w->nslots = w->capslots = 0;
}

/* Append a zeroed slot; returns it or NULL on ENOMEM. */
static wslot *new_slot(indaga_writer *w) {
  if (w->nslots == w->capslots) {
    wslot *v = indaga__grow(w->slots, &w->capslots, sizeof *v, 16);
    if (!v) return NULL;
    w->slots = v;
  }
  wslot *s = &w->slots[w->nslots++];
  memset(s, 0, sizeof *s);
  return s;
}

/* Drop everything of the session (uncommitted changes included). */
static void clear_session(indaga_writer *w) {
  free_slots(w);
  seg_builder_free(w->builder);
  w->builder = NULL;
  w->bbytes = 0;
  indaga__free(w->bdel);
  w->bdel = NULL;
  w->nbdel = w->capbdel = 0;
  ix_map_free(&w->docs);
  for (size_t i = 0; i < w->nids; i++) indaga__free(w->ids[i]);
  indaga__free(w->ids);
  w->ids = NULL;
  w->nids = w->capids = 0;
  w->ids_next = NULL;
  w->ids_room = 0;
  w->ids_mem = 0;
  for (size_t i = 0; i < w->nroots; i++) indaga__free(w->roots[i]);
  indaga__free(w->roots);
  w->roots = NULL;
  w->nroots = 0;
  w->have_roots = 0;
  w->dirty = 0;
  w->broken = 0;
  w->wrote = 0;
}

/* File size of segment @id (0 when it cannot be read: only a merge hint). */
static uint64_t seg_bytes(indaga_writer *w, uint64_t id) {
  char *p = ix_seg_path(w->dir, id);
  os_stat_info st;
  uint64_t n = (p && os_stat(p, &st, NULL) == INDAGA_OK) ? st.size : 0;
  indaga__free(p);
  return n;
}

/* Make one slot per base segment, with the base deletions as bitmaps. */
static int load_base_slots(indaga_writer *w) {
  const ix_manifest *m = ix_snapshot_manifest(w->base);
  for (size_t i = 0; i < m->nsegs; i++) {
    wslot *s = new_slot(w);
    if (!s) return INDAGA_ENOMEM;
    s->e = m->segs[i];
    s->r = ix_seg(w->base, i);
    s->bytes = seg_bytes(w, s->e.id);
    uint32_t n;
    const uint32_t *del = ix_deleted_docs(w->base, i, &n);
    if (n) {
      s->del = indaga__calloc((size_t)s->e.ndoc / 8 + 1, 1);
      if (!s->del) return INDAGA_ENOMEM;
      for (uint32_t j = 0; j < n; j++) s->del[del[j] >> 3] |= (uint8_t)(1u << (del[j] & 7));
      s->ndel = n;
    }
  }
  return INDAGA_OK;
}

/*
** (Re)open the base snapshot of the live generation and start an empty
** session on it. On failure the writer is left stale (retried by the next
** call) and the error recorded.
*/
static int start_session(indaga_writer *w) {
  clear_session(w);
  ix_snapshot_free(w->base);
  w->base = NULL;
  w->stale = 1;
  if (w->live.generation) {
    char *msg = NULL;
    int rc = ix_snapshot_open_gen(&w->base, w->dir, w->live.generation, &msg);
    if (rc) return fail_msg(w, rc, msg);
    rc = load_base_slots(w);
    if (rc) { clear_session(w); return fail_msg(w, rc, NULL); }
  }
  w->stale = 0;
  return INDAGA_OK;
}

static int ensure_session(indaga_writer *w) {
  return w->stale ? start_session(w) : INDAGA_OK;
}

/**************************************************************************
** Garbage: files no kept manifest names
*/
typedef struct gc_ctx {
  indaga_writer *w;
  const ix_manifest *keep[2];
  char **names;              /* files to remove */
  size_t n, cap;
  int err;
} gc_ctx;

/* Parse a decimal number at *pz, advancing it. 0 when there are no digits. */
static int parse_u64(const char **pz, uint64_t *out) {
  const char *z = *pz;
  uint64_t v = 0;
  if (*z < '0' || *z > '9') return 0;
  while (*z >= '0' && *z <= '9') {
    if (v > (UINT64_MAX - 9) / 10) return 0;
    v = v * 10 + (uint64_t)(*z++ - '0');
  }
  *pz = z;
  *out = v;
  return 1;
}

/*
** 1 when file @name is named by a kept manifest, or is not ours. Our
** temporary files ("manifest.*.tmp", "pending.*.tmp", "seg-*.tmp": a
** segment being written, or a merge's scratch file "seg-N.seg.<tag>.tmp",
** spool.h, which a crash may leave between its creation and its
** unlinking) are never kept: none is in use when this runs.
*/
static int gc_keeps(const gc_ctx *g, const char *name) {
  size_t n = strlen(name);
  if (n > 4 && !strcmp(name + n - 4, ".tmp")) {
    return strncmp(name, "manifest.", 9) && strncmp(name, "seg-", 4) && strncmp(name, "pending.", 8);
  }
  const char *z = name;
  uint64_t a = 0, b = 0;
  if (!strncmp(z, "pending.", 8)) {   /* the mark of the generation this writer is writing */
    z += 8;
    if (!parse_u64(&z, &a) || *z) return 1;
    return a == g->w->pending_gen && a > g->w->live.generation;
  }
  if (!strncmp(z, "manifest.", 9)) {
    z += 9;
    if (!parse_u64(&z, &a) || *z) return 1;
    for (int i = 0; i < 2; i++) if (g->keep[i] && g->keep[i]->generation == a) return 1;
    /* Never remove a manifest newer than the live one: not ours to judge here. */
    return g->keep[0] && a > g->keep[0]->generation;
  }
  if (strncmp(z, "seg-", 4)) return 1;
  z += 4;
  if (!parse_u64(&z, &a)) return 1;
  int is_seg = !strcmp(z, ".seg");
  int is_del = !strncmp(z, ".del.", 5);
  if (is_del) { z += 5; if (!parse_u64(&z, &b) || *z) return 1; }
  if (!is_seg && !is_del) return 1;
  for (int i = 0; i < 2; i++) {
    const ix_manifest *m = g->keep[i];
    for (size_t j = 0; m && j < m->nsegs; j++) {
      if (m->segs[j].id != a) continue;
      if (is_seg || m->segs[j].del_gen == b) return 1;
    }
  }
  return 0;
}

static int gc_collect(void *ctx, const char *name) {
  gc_ctx *g = ctx;
  if (gc_keeps(g, name)) return 0;
  if (g->n == g->cap) {
    char **v = indaga__grow(g->names, &g->cap, sizeof *v, 32);
    if (!v) { g->err = INDAGA_ENOMEM; return 1; }
    g->names = v;
  }
  g->names[g->n] = indaga__sprintf("%s/%s", g->w->dir, name);
  if (!g->names[g->n]) { g->err = INDAGA_ENOMEM; return 1; }
  g->n++;
  return 0;
}

/* 0 a manifest, 2 a pending mark, 1 anything else. */
static int gc_rank(const char *name) {
  return !strncmp(name, "manifest.", 9) ? 0 : !strncmp(name, "pending.", 8) ? 2 : 1;
}

/* Order of removal: manifests first, so no manifest outlives its files;
   pending marks last, so no file of a later generation outlives its mark. */
static int gc_cmp(const void *a, const void *b) {
  const char *x = strrchr(*(char *const *)a, '/') + 1, *y = strrchr(*(char *const *)b, '/') + 1;
  int rx = gc_rank(x), ry = gc_rank(y);
  if (rx != ry) return rx - ry;
  return strcmp(x, y);
}

/*
** Before the first file of generation max_gen + 1 (a segment, a merge
** output, a deletion file): mark it pending (manifest.h), so that until
** its manifest is published its files are known for what they are.
*/
static int mark_pending(indaga_writer *w) {
  uint64_t gen = w->max_gen + 1;
  if (w->pending_gen == gen) return INDAGA_OK;
  char *msg = NULL;
  kill_point(w);
  int rc = ix_pending_mark(w->dir, gen, &msg);
  if (rc) return fail_msg(w, rc, msg);
  w->pending_gen = gen;
  return INDAGA_OK;
}

/*
** Remove every index file that neither w->live nor w->prev names, and stray
** temporary files. Best effort: a file that cannot be removed now is removed
** by a later commit, so failures are ignored.
*/
static void collect_garbage(indaga_writer *w) {
  gc_ctx g = { 0 };
  g.w = w;
  g.keep[0] = w->live.generation ? &w->live : NULL;
  g.keep[1] = w->prev.generation ? &w->prev : NULL;
  /* A listing cut short (ENOMEM) removes nothing: the order below, which
     keeps every manifest's files until it is gone, needs every name. */
  if (os_listdir(w->dir, gc_collect, &g, NULL) < 0 || g.err) {
    for (size_t i = 0; i < g.n; i++) indaga__free(g.names[i]);
    g.n = 0;
  }
  if (g.n > 1) qsort(g.names, g.n, sizeof *g.names, gc_cmp);
  for (size_t i = 0; i < g.n; i++) {
    if (os_remove(g.names[i], NULL) == INDAGA_OK) kill_point(w);
    indaga__free(g.names[i]);
  }
  indaga__free(g.names);
}

/**************************************************************************
** Opening
*/
static size_t default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  return n > MAX_THREADS ? MAX_THREADS : (size_t)n;
}

/* Append " run 'indaga index --full' to rebuild the index" to *msg. */
static char *hint_full(char *msg) {
  char *z = indaga__sprintf("%s; run 'indaga index --full' to rebuild the index", msg ? msg : "");
  if (!z) return msg;
  indaga__free(msg);
  return z;
}

/*
** Read the live manifest (the newest valid one), the previous generation
** when the live one keeps it (IX_PREV_KEPT), the highest generation on
** disk and the index id. Without @full, a damaged newest manifest or a
** missing newer generation (ix_gap_note) is INDAGA_ECORRUPT: the writer
** never builds on a generation that is not the newest committed. With
** @full, damaged manifests are passed over (the rebuild replaces them);
** the index id and roots come from the newest readable one.
*/
static int load_manifests(indaga_writer *w, int full) {
  uint64_t *gens = NULL;
  size_t n = 0;
  char *msg = NULL;
  int rc = ix_manifest_list(w->dir, &gens, &n, &msg);
  if (rc) { indaga__free(gens); return fail_msg(w, rc, msg); }
  w->max_gen = n ? gens[0] : 0;
  for (size_t i = 0; rc == INDAGA_OK && i < n; i++) {
    rc = ix_manifest_read(&w->live, w->dir, gens[i], &msg);
    if (rc == INDAGA_OK) break;
    if ((rc == INDAGA_ECORRUPT || rc == INDAGA_EVERSION) && full) {
      indaga__free(msg);   /* rebuilding: a damaged manifest is replaced */
      msg = NULL;
      rc = INDAGA_OK;
      continue;
    }
    if (rc == INDAGA_ECORRUPT) msg = hint_full(msg);
  }
  if (rc == INDAGA_OK && w->live.generation && !full) {
    char *gap = ix_gap_note(w->dir, &w->live, gens, n);
    if (gap) {
      msg = hint_full(indaga__sprintf("%s: corrupt: %s", w->dir, gap));
      indaga__free(gap);
      rc = INDAGA_ECORRUPT;
    }
  }
  indaga__free(gens);
  if (rc) return fail_msg(w, rc, msg);
  if (w->live.flags & IX_PREV_KEPT) {
    /* the rollback target; when it is damaged it is simply not kept */
    if (ix_manifest_read(&w->prev, w->dir, w->live.prev_gen, &msg) != INDAGA_OK) ix_manifest_clear(&w->prev);
    indaga__free(msg);
  }
  w->index_id = w->live.index_id ? w->live.index_id : os_random_id();
  w->next_seg_id = w->live.next_seg_id > w->prev.next_seg_id ? w->live.next_seg_id
                                                              : w->prev.next_seg_id;
  if (w->next_seg_id == 0) w->next_seg_id = 1;
  return INDAGA_OK;
}

int indaga_writer_open(indaga_writer **out, const char *path,
                       const indaga_writer_options *opts, char **errmsg) {
  indaga_writer_options def = INDAGA_WRITER_OPTIONS_INIT;
  if (errmsg) *errmsg = NULL;
  if (!out) return INDAGA_EMISUSE;
  *out = NULL;
  if (!path || !*path) return INDAGA_EMISUSE;
  if (!opts) opts = &def;
  unsigned v2flags = INDAGA_WRITER_PRUNE | INDAGA_WRITER_ADD | INDAGA_WRITER_DRY_RUN |
                     INDAGA_WRITER_FOLLOW_SYMLINKS;
  if (opts->version < 1 || opts->version > INDAGA_WRITER_OPTIONS_VERSION ||
      (opts->flags & ~(INDAGA_WRITER_WAIT | INDAGA_WRITER_FULL | v2flags)) ||
      (opts->version < 2 && (opts->flags & v2flags)) ||
      (opts->flags & INDAGA_WRITER_PRUNE && opts->flags & INDAGA_WRITER_ADD)) {
    if (errmsg) *errmsg = indaga__sprintf("%s: invalid writer options (version %u, flags %#x)", path,
                                          opts->version, opts->flags);
    return INDAGA_EMISUSE;
  }
  indaga_writer *w = indaga__calloc(1, sizeof *w);
  if (!w) return INDAGA_ENOMEM;
  w->lock_fd = -1;
  w->dir = indaga__strdup(path);
  w->flags = opts->flags;
  w->budget = opts->memory_budget ? opts->memory_budget : DEFAULT_BUDGET;
  w->piece = dm_piece_size(w->budget);
  ex_limits_for_budget(&w->lim, w->budget);
  w->threads = opts->threads ? (opts->threads > MAX_THREADS ? MAX_THREADS : opts->threads)
                             : (unsigned)default_threads();
  w->on_warning = opts->on_warning;
  w->on_progress = opts->on_progress;
  w->on_change = opts->version >= 2 ? opts->on_change : NULL;
  w->ctx = opts->ctx;
  w->kill_at = test_knob(TEST_KILL_AT, 0);
  w->tail_next_min = test_knob(TEST_TAIL_NEXT_MIN, TAIL_NEXT_MIN);
  char *msg = NULL;
  /* A dry run of an index not made yet makes nothing, not even its directory. */
  os_stat_info dst;
  int fresh_dry = (opts->flags & INDAGA_WRITER_DRY_RUN) && os_stat(path, &dst, NULL) == INDAGA_ENOTFOUND;
  int rc = w->dir ? INDAGA_OK : INDAGA_ENOMEM;
  if (rc == INDAGA_OK && !fresh_dry) rc = os_mkdir_p(path, &msg);
  if (rc == INDAGA_OK && !fresh_dry) rc = os_lock(path, (opts->flags & INDAGA_WRITER_WAIT) != 0, &w->lock_fd, &msg);
  if (rc == INDAGA_OK && fresh_dry) {
    w->index_id = os_random_id();
    w->next_seg_id = 1;
  } else if (rc == INDAGA_OK) {
    rc = load_manifests(w, (opts->flags & INDAGA_WRITER_FULL) != 0);
    if (rc) { msg = w->err; w->err = NULL; }
  }
  if (rc == INDAGA_OK && (opts->flags & INDAGA_WRITER_FULL)) {
    w->stale = 0;
  } else if (rc == INDAGA_OK) {
    rc = start_session(w);
    if (rc) { msg = w->err; w->err = NULL; }
    if ((rc == INDAGA_ECORRUPT || rc == INDAGA_EVERSION) && !(msg && strstr(msg, "index --full"))) {
      char *z = indaga__sprintf("%s; run 'indaga index --full' to rebuild the index", msg ? msg : path);
      if (z) { indaga__free(msg); msg = z; }
    }
  }
  /* A rebuild replaces the old generation even with an empty tree, and the
     first commit creates the index even when it holds no document. */
  if (rc == INDAGA_OK && ((opts->flags & INDAGA_WRITER_FULL) || w->max_gen == 0)) w->dirty = 1;
  /* leftovers of a crashed writer (a dry run removes nothing) */
  if (rc == INDAGA_OK && !(w->flags & INDAGA_WRITER_DRY_RUN)) collect_garbage(w);
  if (rc) {
    if (errmsg) *errmsg = msg ? msg : indaga__sprintf("%s: %s", path, indaga_strerror(rc));
    else indaga__free(msg);
    indaga_writer_close(w);
    return rc;
  }
  *out = w;
  return INDAGA_OK;
}

static int flush_wait(indaga_writer *w);

void indaga_writer_close(indaga_writer *w) {
  if (!w) return;
  flush_wait(w);
  int wrote = w->wrote;   /* segments flushed but never published are removed */
  for (size_t i = 0; i < w->nslots; i++) wrote |= w->slots[i].owned != NULL;
  clear_session(w);
  if (wrote && w->lock_fd >= 0) collect_garbage(w);
  ix_snapshot_free(w->base);
  ix_manifest_clear(&w->live);
  ix_manifest_clear(&w->prev);
  analyzer_free(w->an);
  os_unlock(w->lock_fd);
  indaga__free(w->err);
  indaga__free(w->dir);
  indaga__free(w);
}

const char *indaga_writer_errmsg(const indaga_writer *w) { return w ? w->err : NULL; }

/**************************************************************************
** Documents: lookup, delete, add
*/
#define LOC(slot, did) ((uint64_t)(slot) << 32 | (did))

/* Find live document @id: 1 and its location, 0 when absent, <0 on error. */
static int lookup(indaga_writer *w, const char *id, size_t *slot, uint32_t *did) {
  uint64_t v;
  if (ix_map_get(&w->docs, id, strlen(id), &v)) {
    if (v == DELETED) return 0;
    *slot = (size_t)(v >> 32);
    *did = (uint32_t)v;
    return 1;
  }
  if (!w->base) return 0;
  int rc = ix_find_doc(w->base, id, slot, did);
  if (rc == INDAGA_ENOTFOUND) return 0;
  return rc ? rc : 1;
}

/* Mark the document at (slot, did) deleted. INDAGA_OK or ENOMEM. */
static int delete_loc(indaga_writer *w, size_t slot, uint32_t did) {
  if (slot == w->nslots) {   /* still in the builder */
    if (w->nbdel == w->capbdel) {
      uint32_t *v = indaga__grow(w->bdel, &w->capbdel, sizeof *v, 16);
      if (!v) return INDAGA_ENOMEM;
      w->bdel = v;
    }
    w->bdel[w->nbdel++] = did;
    return INDAGA_OK;
  }
  wslot *s = &w->slots[slot];
  if (!s->del) {
    s->del = indaga__calloc((size_t)s->e.ndoc / 8 + 1, 1);
    if (!s->del) return INDAGA_ENOMEM;
  }
  if (!bit(s->del, did)) {
    s->del[did >> 3] |= (uint8_t)(1u << (did & 7));
    s->ndel++;
    s->del_changed = 1;
  }
  return INDAGA_OK;
}

/* Open segment @path for its slot: seg_open, its pages dropped after the check. */
static int open_written(seg_reader **r, const char *path, char **msg) {
  int rc = seg_open(r, path, msg);
  if (rc == INDAGA_OK) seg_drop_pages(*r);   /* checked whole on open: its pages would stay resident, outside the budget */
  return rc;
}

/*
** Make segment @id, just written, slot @s's (its deletions kept), with
** reader @r when the write's thread opened it, else opening @path.
*/
static int open_slot_with(indaga_writer *w, wslot *s, uint64_t id, const char *path, seg_reader *r) {
  char *msg = NULL;
  int rc = r ? INDAGA_OK : open_written(&r, path, &msg);
  if (rc) return fail_msg(w, rc, msg);
  s->owned = r;
  s->r = r;
  s->e.id = id;
  s->e.ndoc = seg_ndoc(r);
  s->e.npara = seg_npara(r);
  s->e.total_len = seg_total_len(r);
  s->e.seg_gen = seg_get_stamp(r).generation;
  s->bytes = seg_bytes(w, id);
  return INDAGA_OK;
}

static int open_slot(indaga_writer *w, wslot *s, uint64_t id, const char *path) {
  return open_slot_with(w, s, id, path, NULL);
}

/* Open the segment just written as @id and append it as a slot. */
static int add_written_slot(indaga_writer *w, uint64_t id, const char *path) {
  wslot *s = new_slot(w);
  if (!s) return fail_msg(w, INDAGA_ENOMEM, NULL);
  int rc = open_slot(w, s, id, path);
  if (rc) w->nslots--;
  return rc;
}

/*
** A builder being written (seg_builder_write) on a thread of its own while
** the next one fills. Its slot is reserved when the write starts, so the
** next builder's documents are addressed past it; the slot gets its reader
** when the write is joined (flush_wait).
*/
typedef struct flushjob {
  pthread_t th;
  int started;            /* th runs the write */
  atomic_int done;        /* th has finished: flush_wait will not wait (tail_due) */
  seg_builder *b;
  uint64_t id;
  char *path;
  size_t slot;            /* the reserved slot */
  size_t mem;             /* the builder's memory plus its write's, at hand-over */
  int rc;                 /* seg_builder_write's status, then seg_open's */
  char *msg;              /* and message */
  seg_reader *r;          /* the written segment, opened (and checked) on th */
} flushjob;

/* Write the builder; on a thread of its own, open the segment there too, off the consumer's path. */
static void *flush_main(void *arg) {
  flushjob *f = arg;
  f->rc = seg_builder_write(f->b, f->path, &f->msg);
  if (f->rc == INDAGA_OK && f->started) f->rc = open_written(&f->r, f->path, &f->msg);
  atomic_store_explicit(&f->done, 1, memory_order_release);
  return NULL;
}

/*
** Finish the pending write, if any: join it and open its segment in its
** slot. On failure the slot is dropped, the message recorded, and the
** session marked broken (only a failing commit or close remain).
*/
static int flush_wait(indaga_writer *w) {
  flushjob *f = w->fj;
  if (!f) return INDAGA_OK;
  w->fj = NULL;
  if (f->started) pthread_join(f->th, NULL);
  seg_builder_free(f->b);
  int rc = f->rc;
  if (rc) {
    fail_msg(w, rc, f->msg);
    f->msg = NULL;
  } else {
    w->wrote = 1;
    kill_point(w);
    rc = open_slot_with(w, &w->slots[f->slot], f->id, f->path, f->r);
  }
  if (rc) {
    assert(f->slot == w->nslots - 1);   /* nothing adds slots while a write is pending */
    indaga__free(w->slots[f->slot].del);
    w->nslots--;
    w->broken = rc;
  }
  indaga__free(f->path);
  indaga__free(f->msg);
  indaga__free(f);
  return rc;
}

/*
** Write the builder as a new segment (when it holds documents): on a thread
** of its own when @async (joined by the next flush_wait), else now. Any
** pending write is finished first. The builder's deletions become its
** slot's at once.
*/
static int flush_builder(indaga_writer *w, int async) {
  int rc = flush_wait(w);
  if (rc) return rc;
  if (w->broken) return w->broken;   /* its message stands */
  if (!w->builder || seg_builder_ndocs(w->builder) == 0) return INDAGA_OK;
  if ((rc = mark_pending(w)) != 0) return rc;
  flushjob *f = indaga__calloc(1, sizeof *f);
  wslot *s = f ? new_slot(w) : NULL;
  if (!s) { indaga__free(f); return fail_msg(w, INDAGA_ENOMEM, NULL); }
  f->slot = w->nslots - 1;
  f->id = w->next_seg_id++;
  f->path = ix_seg_path(w->dir, f->id);
  f->b = w->builder;
  f->mem = seg_builder_mem(f->b) + seg_builder_write_mem(f->b);
  s->e.id = f->id;
  s->e.ndoc = seg_builder_ndocs(f->b);
  seg_stamp st = { w->index_id, w->max_gen + 1 };
  seg_builder_stamp(f->b, &st);
  w->builder = NULL;
  w->bbytes = 0;
  w->fj = f;
  rc = f->path ? INDAGA_OK : INDAGA_ENOMEM;
  for (size_t i = 0; rc == INDAGA_OK && i < w->nbdel; i++) rc = delete_loc(w, f->slot, w->bdel[i]);
  w->nbdel = 0;
  if (rc) { f->rc = rc; return flush_wait(w); }
  kill_point(w);
  f->started = async;   /* read by flush_main: set before the thread starts */
  if (async && pthread_create(&f->th, NULL, flush_main, f) == 0) return INDAGA_OK;
  f->started = 0;
  flush_main(f);
  return flush_wait(w);
}

/*
** Delete live document @id whose piece 0 is at (@slot, @did): every piece of
** it, wherever they are (a large file's pieces may lie in several
** segments). Pieces are found through segment readers, so a builder that
** may hold some (piece 0 there, or a pieced document added in this
** session) is flushed first. Returns INDAGA_OK or a status, the message
** recorded.
*/
static int delete_doc(indaga_writer *w, const char *id, size_t slot, uint32_t did) {
  size_t n = strlen(id);
  uint64_t v;
  int rc, in_session = ix_map_get(&w->docs, id, n, &v) && v != DELETED;
  /* a segment still being written has no reader yet: finish it first */
  if ((rc = flush_wait(w)) != 0) return rc;
  if (slot == w->nslots && (rc = flush_builder(w, 0)) != 0) return rc;
  if (slot >= w->nslots) return failf(w, INDAGA_ERROR, "%s: document %s not found", w->dir, id);
  seg_doc d;
  if ((rc = seg_doc_get(w->slots[slot].r, did, &d)) != 0)
    return failf(w, rc, "%s: cannot read document %u", seg_name(w->slots[slot].r), did);
  if ((rc = delete_loc(w, slot, did)) != 0) return fail_msg(w, rc, NULL);
  if (d.more && in_session && (rc = flush_builder(w, 0)) != 0) return rc;
  for (uint32_t k = 1; d.more; k++) {
    int found = 0;
    for (size_t i = 0; i < w->nslots && !found; i++) {
      uint32_t x;
      if (w->slots[i].dropped) continue;
      rc = seg_doc_find_piece(w->slots[i].r, id, n, k, &x);
      if (rc == INDAGA_ENOTFOUND) continue;
      if (rc == INDAGA_OK) rc = seg_doc_get(w->slots[i].r, x, &d);
      if (rc) return failf(w, rc, "%s: cannot read the document table", seg_name(w->slots[i].r));
      if (bit(w->slots[i].del, x)) continue;   /* a copy replaced earlier */
      if ((rc = delete_loc(w, i, x)) != 0) return fail_msg(w, rc, NULL);
      found = 1;
    }
    if (!found) break;   /* a piece is missing (indaga check reports it): nothing more to delete */
  }
  return INDAGA_OK;
}

/*
** Heap bytes of what the session keeps per document, outside the builder:
** the id map of every document added (its slots and keys) and, during a
** sync, the walk list and the files to read (a few hundred bytes a file; it grows
** with the corpus, not with the segment).
*/
static size_t session_mem(const indaga_writer *w) {
  return w->docs.cap * sizeof *w->docs.slots + w->capids * sizeof *w->ids + w->ids_mem +
         w->sync_mem;
}

/*
** 1 when the builder has reached its share of the budget: its memory, plus
** what writing it adds, plus what the budget must leave outside it (the
** analyzers, the documents parsed but not yet added and, with several
** threads, the ring of the thread compressing its text; at most half the
** budget), plus, with flushes on a thread, the builder being written or,
** when none is, the room its successor fills meanwhile (budget /
** ASYNC_RESERVE_DIV), plus the per-document state of the session
** (session_mem; counted up to a quarter of the budget, so that a tree of
** very many small files still gets builders of some size). A budget below
** PROCESS_BUDGET_MIN cannot even hold the analyzers: it bounds the builder
** alone (tests use such budgets to force flushes).
*/
static int builder_full(const indaga_writer *w) {
  size_t mem = seg_builder_mem(w->builder);
  if (w->budget < PROCESS_BUDGET_MIN) return mem >= w->budget;
  size_t n = (size_t)(w->workers + (w->an ? 1u : 0u)) * ANALYZER_MAX_MEM + w->inflight +
             (w->threads > 1 ? seg_builder_async_mem() : 0);
  if (n > w->budget / 2) n = w->budget / 2;
  size_t other = w->fj ? w->fj->mem : w->async ? w->budget / ASYNC_RESERVE_DIV : 0;
  size_t state = session_mem(w);
  if (state > w->budget / SESSION_SHARE_DIV) state = w->budget / SESSION_SHARE_DIV;
  return mem + seg_builder_write_mem(w->builder) + n + other + state >= w->budget;
}

/*
** Add analysed document @in, replacing any live document with its id.
** *replaced tells whether one existed. Flushes the builder past the budget.
*/
static int add_doc(indaga_writer *w, const seg_doc_in *in, int *replaced) {
  size_t slot;
  uint32_t did;
  if (w->broken) return w->broken;   /* its message stands */
  int rc;
  *replaced = 0;
  if (in->piece == 0) {   /* a later piece follows its piece 0, which did the replacing */
    rc = lookup(w, in->id, &slot, &did);
    if (rc < 0) return fail_msg(w, rc, NULL);
    *replaced = rc;
    if (rc == 1 && (rc = delete_doc(w, in->id, slot, did)) != 0) return rc;
  }
  if (!w->builder) {   /* with several threads, stored text is compressed on one more */
    if ((rc = seg_builder_new(&w->builder)) == 0 && w->threads > 1) rc = seg_builder_async(w->builder);
    if (rc) return fail_msg(w, rc, NULL);
  }
  did = seg_builder_ndocs(w->builder);
  rc = seg_builder_add(w->builder, in);
  if (rc) return failf(w, rc, "%s: cannot add document: %s", in->id, indaga_strerror(rc));
  if (in->piece == 0 && (rc = map_set(w, &w->docs, in->id, LOC(w->nslots, did))) != 0)
    return fail_msg(w, rc, NULL);
  if (in->piece == 0) w->bbytes += in->size;
  w->dirty = 1;
  /* Full while the previous builder is still being written: wait for that
     write (its memory returns) before deciding. */
  if (w->fj && builder_full(w) && (rc = flush_wait(w)) != 0) return rc;
  /* A piece of a large file is written here and now: pieces come in a
     stream that would otherwise fill a second builder beside the one being
     written (1 GiB file, two threads: peak RSS 304 -> 257 MiB, 1 s more). */
  if (builder_full(w)) return flush_builder(w, w->async && in->piece == 0 && !in->more);
  return INDAGA_OK;
}

int indaga_writer_delete(indaga_writer *w, const char *doc) {
  if (!w || !doc) return INDAGA_EMISUSE;
  int rc = ensure_session(w);
  if (rc) return rc;
  size_t slot;
  uint32_t did;
  rc = lookup(w, doc, &slot, &did);
  if (rc < 0) return fail_msg(w, rc, NULL);
  if (rc == 0) return failf(w, INDAGA_ENOTFOUND, "%s: no such document in %s", doc, w->dir);
  if ((rc = delete_doc(w, doc, slot, did)) != 0) return rc;
  if ((rc = map_set(w, &w->docs, doc, DELETED)) != 0) return fail_msg(w, rc, NULL);
  w->dirty = 1;
  return INDAGA_OK;
}

/*
** Parse and analyse p[0..n) as document @id into @in. A published format
** (PDF, DOCX, ODT, HTML: found by content, extract.h) is first turned into
** text within @lim, and the document model parses that text. Returns
** INDAGA_OK, DM_SKIP (not text, or refused by its extractor; *why says
** so), or <0 (ENOMEM). Frees @in on failure.
*/
static int prepare_doc(analyzer *an, const char *id, const char *p, size_t n, uint64_t hash,
                       int64_t mtime_ns, const ex_limits *lim, seg_doc_in *in, char **why) {
  memset(in, 0, sizeof *in);
  *why = NULL;
  char *text = NULL;
  size_t ntext = n;
  const ex_format *f = p ? ex_find(id, p, n, lim) : NULL;
  int rc = f ? ex_extract(f, id, p, n, lim, &text, &ntext, why) : INDAGA_OK;
  if (rc == INDAGA_OK) rc = dm_parse(&in->doc, id, text ? text : p ? p : "", ntext, why);
  indaga__free(text);
  if (rc != INDAGA_OK) return rc;
  in->id = indaga__strdup(id);
  in->size = n;
  in->mtime_ns = mtime_ns;
  in->hash = hash;
  rc = in->id ? seg_analyze_doc(an, in) : INDAGA_ENOMEM;
  if (rc) seg_doc_in_clear(in);
  return rc;
}

/*
** Memory of a job's file while it is parsed and analysed ahead of the
** consumer: about DOC_MEM_FACTOR bytes per source byte for a file read
** whole; for a file indexed in pieces, two pieces at most (one being added,
** one being parsed: the worker hands over a piece only once the previous
** one is added) plus its read window.
*/
static uint64_t job_mem(const indaga_writer *w, uint64_t size) {
  if (size > w->piece) return (uint64_t)w->piece * (2 * PIECE_MEM_FACTOR + 1);
  return size * DOC_MEM_FACTOR;
}

/* Report the repair warnings of a parsed document. */
static void doc_warnings(indaga_writer *w, const char *path, const dm_doc *d) {
  for (size_t i = 0; d && i < d->nwarnings; i++) warn(w, path, d->warnings[i]);
}

/* Add a document from bytes on the caller's thread (add_file, add_buffer). */
static int add_bytes(indaga_writer *w, const char *doc, const char *name, const char *p,
                     size_t n, int64_t mtime_ns) {
  int rc = ensure_session(w);
  if (rc) return rc;
  if (!w->an && (rc = analyzer_new(&w->an)) != 0) return fail_msg(w, rc, NULL);
  seg_doc_in in;
  char *why = NULL;
  rc = prepare_doc(w->an, doc, p, n, XXH64(p ? p : "", n, 0), mtime_ns, &w->lim, &in, &why);
  if (rc == DM_SKIP) return fail_msg(w, INDAGA_EINPUT, why);
  indaga__free(why);
  if (rc) return failf(w, rc, "%s: %s", name, indaga_strerror(rc));
  doc_warnings(w, name, in.doc);
  int replaced;
  rc = add_doc(w, &in, &replaced);
  seg_doc_in_clear(&in);
  return rc;
}

int indaga_writer_add_buffer(indaga_writer *w, const char *doc, const char *text, size_t n) {
  if (!w || !doc || !*doc || (!text && n)) return INDAGA_EMISUSE;
  return add_bytes(w, doc, doc, text, n, 0);
}

/**************************************************************************
** Jobs: one file each, read whole or streamed in pieces
*/
enum { J_PENDING, J_READY, J_PIECES, J_UNCHANGED, J_SKIP, J_FAIL, J_STOPPED };

typedef struct job {
  const walk_entry *e;
  int has_old;            /* a live document has this id */
  uint64_t old_hash;
  int big;                /* larger than a piece: streamed (docmodel_stream.c) */
  const ex_limits *lim;   /* for a published format read whole (extract.h) */
  int state;              /* J_* once processed; J_PIECES: every piece handed over */
  int rc;                 /* J_FAIL / J_STOPPED status */
  char *msg;              /* J_SKIP / J_FAIL message */
  seg_doc_in in;          /* J_READY; threaded big job: the piece handed over */
  int has_piece;          /* threaded big job: @in holds a piece not yet taken */
  uint32_t produced;      /* pieces handed over */
  uint32_t added;         /* pieces the consumer has added */
  int replaced;           /* piece 0 replaced a live document */
  size_t no;              /* its file's place in the sync's list of files */
} job;

/*
** A file the sync must read: its walk entry and, when a live document has
** its id, that document's hash. The sync keeps one per file (24 bytes) and
** a job (136) only for the files in flight (run_pipeline's ring).
*/
typedef struct sync_file {
  const walk_entry *e;
  uint64_t old_hash;
  int has_old;
} sync_file;

/* Make @j the fresh job of file @t, number @no of the sync. */
static void job_init(const indaga_writer *w, job *j, const sync_file *t, size_t no) {
  memset(j, 0, sizeof *j);
  j->e = t->e;
  j->has_old = t->has_old;
  j->old_hash = t->old_hash;
  j->big = t->e->size > w->piece;
  j->lim = &w->lim;
  j->no = no;
}

/* Hands a finished piece to the consumer; takes @in (cleared); nonzero stops the job. */
typedef int (*piece_fn)(void *ctx, job *j, seg_doc_in *in);

/*
** Stream big job @j (worker side, no writer state but through @emit):
** hash the file (pass 1; an unchanged hash ends the job), then parse and
** analyse each piece and hand it to @emit in order. Returns the job's new
** state: J_PIECES, J_UNCHANGED, J_SKIP / J_FAIL (j->msg, j->rc), or
** J_STOPPED when @emit refused a piece (the consumer failed); J_READY when
** the file is a published format, read whole by run_whole.
*/
static int run_whole(job *j, analyzer *an);

static int run_big(job *j, analyzer *an, size_t piece_size, piece_fn emit, void *ctx) {
  dm_stream *s = NULL;
  char *msg = NULL;
  uint64_t h = 0;
  int rc = dm_stream_open_beneath(&s, j->e->root, j->e->rel, j->e->path, j->e->id, piece_size, &msg);
  if (rc == INDAGA_OK) rc = dm_stream_hash(s, &h, &msg);
  if (rc == INDAGA_OK && j->has_old && h == j->old_hash) { dm_stream_close(s); return J_UNCHANGED; }
  size_t nhead = 0;
  const unsigned char *head = rc == INDAGA_OK ? dm_stream_head(s, &nhead) : NULL;
  if (head && ex_is_container(j->e->path, (const char *)head, nhead)) {   /* a published format */
    dm_stream_close(s);
    return run_whole(j, an);
  }
  for (int last = 0; rc == INDAGA_OK && !last;) {
    seg_doc_in in;
    memset(&in, 0, sizeof in);
    rc = dm_stream_next(s, &in.doc, &in.piece, &last, &msg);
    if (rc) break;
    in.more = !last;
    in.id = indaga__strdup(j->e->id);
    in.size = dm_stream_size(s);
    in.mtime_ns = j->e->mtime_ns;
    in.hash = h;
    rc = in.id ? seg_analyze_doc(an, &in) : INDAGA_ENOMEM;
    if (rc == INDAGA_OK && emit(ctx, j, &in) != 0) {
      seg_doc_in_clear(&in);
      dm_stream_close(s);
      return J_STOPPED;
    }
    seg_doc_in_clear(&in);
  }
  dm_stream_close(s);
  if (rc == INDAGA_OK) return J_PIECES;
  j->rc = rc;
  j->msg = msg;
  if (rc == DM_SKIP) j->rc = INDAGA_EINPUT;
  return rc == INDAGA_ENOMEM ? J_FAIL : J_SKIP;
}

/*
** Read, hash, parse and analyse one job's file (worker side, no writer
** state). A big job's pieces go through @emit (a big PDF, DOCX, ODT or
** HTML file is read whole: run_big sees its first bytes and hands it to
** run_whole). Returns the job's new state; the caller stores it (under the
** pipeline's mutex when threaded).
*/
static int run_job(job *j, analyzer *an, size_t piece_size, piece_fn emit, void *ctx) {
  if (j->big) return run_big(j, an, piece_size, emit, ctx);
  return run_whole(j, an);
}

/*
** Read one job's file whole, hash, parse and analyse it: a file up to a
** piece, or a published format (PDF, zip, HTML) of any size up to the
** extractor's input limit.
*/
static int run_whole(job *j, analyzer *an) {
  char *text = NULL, *msg = NULL;
  size_t ntext = 0;
  int state;
  int rc = os_load_file_beneath(j->e->root, j->e->rel, j->e->path, j->big ? j->lim->max_input : UINT64_MAX,
                                &text, &ntext, &msg);
  if (rc) {
    j->rc = rc;
    j->msg = msg;
    return rc == INDAGA_ENOMEM ? J_FAIL : J_SKIP;
  }
  uint64_t h = XXH64(text, ntext, 0);
  if (j->has_old && h == j->old_hash) {
    state = J_UNCHANGED;
  } else {
    rc = prepare_doc(an, j->e->id, text, ntext, h, j->e->mtime_ns, j->lim, &j->in, &msg);
    if (rc == DM_SKIP) { state = J_SKIP; j->rc = INDAGA_EINPUT; j->msg = msg; }
    else if (rc) { state = J_FAIL; j->rc = rc; indaga__free(msg); }
    else { state = J_READY; indaga__free(msg); }
  }
  indaga__free(text);
  return state;
}

typedef struct sync_state {
  indaga_writer *w;
  indaga_sync_report *rep;
  uint64_t files_total, files_done, bytes_total, bytes_done;
} sync_state;

/*
** Consumer side: add piece @in of big job @j (piece 0 replaces any live
** copy); clears @in. Progress is reported per piece, up to the piece's last
** paragraph, so a large file moves the bar as it goes.
*/
static int add_piece(sync_state *st, job *j, seg_doc_in *in) {
  indaga_writer *w = st->w;
  int replaced = 0;
  uint64_t np = in->doc ? in->doc->nparas : 0;
  uint64_t done = np ? in->doc->paras[np - 1].src_end : 0;
  doc_warnings(w, j->e->path, in->doc);
  int rc = add_doc(w, in, &replaced);
  if (rc == INDAGA_OK) {
    if (in->piece == 0) j->replaced = replaced;
    st->rep->paragraphs += np;
    if (w->on_progress && done && done < j->e->size)
      w->on_progress(w->ctx, st->files_done, st->files_total, st->bytes_done + done, st->bytes_total);
  }
  seg_doc_in_clear(in);
  return rc;
}

/* The one-thread hand-over: add the piece at once. */
static int emit_inline(void *ctx, job *j, seg_doc_in *in) {
  int rc = add_piece(ctx, j, in);
  if (rc == INDAGA_OK) j->added++;
  else j->rc = rc;
  return rc;
}

/*
** A big job that ends without all of its pieces (skipped, failed): delete
** the pieces already added, so no partial document is ever committed (the
** document is then absent and retried by the next sync).
*/
static int drop_pieces(indaga_writer *w, const job *j) {
  size_t slot;
  uint32_t did;
  if (j->added == 0) return INDAGA_OK;
  int rc = lookup(w, j->e->id, &slot, &did);
  if (rc < 0) return fail_msg(w, rc, NULL);
  if (rc == 1 && (rc = delete_doc(w, j->e->id, slot, did)) != 0) return rc;
  if ((rc = map_set(w, &w->docs, j->e->id, DELETED)) != 0) return fail_msg(w, rc, NULL);
  return INDAGA_OK;
}

int indaga_writer_add_file(indaga_writer *w, const char *doc, const char *path) {
  if (!w || !doc || !*doc || !path) return INDAGA_EMISUSE;
  os_stat_info st;
  char *text = NULL, *msg = NULL;
  size_t ntext = 0;
  int rc = os_stat(path, &st, &msg);
  if (rc == INDAGA_OK && st.size > w->piece) {   /* streamed in pieces on this thread */
    if ((rc = ensure_session(w)) != 0) return rc;
    if (!w->an && (rc = analyzer_new(&w->an)) != 0) return fail_msg(w, rc, NULL);
    walk_entry e = { (char *)(uintptr_t)doc, (char *)(uintptr_t)path, NULL, NULL, st.size, st.mtime_ns };
    indaga_sync_report rep;
    memset(&rep, 0, sizeof rep);
    sync_state ss = { w, &rep, 1, 0, st.size, 0 };
    job j;
    memset(&j, 0, sizeof j);
    j.e = &e;
    j.big = 1;
    j.lim = &w->lim;
    w->inflight = (size_t)job_mem(w, st.size);
    int state = run_big(&j, w->an, w->piece, emit_inline, &ss);
    w->inflight = 0;
    if (state == J_PIECES || state == J_UNCHANGED) return INDAGA_OK;
    if (state == J_READY) {                   /* a published format, read whole */
      int replaced;
      doc_warnings(w, path, j.in.doc);
      rc = add_doc(w, &j.in, &replaced);
      seg_doc_in_clear(&j.in);
      return rc;
    }
    if (state == J_STOPPED) return j.rc;   /* adding a piece failed: its message is recorded */
    rc = drop_pieces(w, &j);
    if (rc == INDAGA_OK) rc = fail_msg(w, j.rc, j.msg);
    else indaga__free(j.msg);
    return rc;
  }
  if (rc == INDAGA_OK) rc = os_load_file(path, UINT64_MAX, &text, &ntext, &msg);
  if (rc) return fail_msg(w, rc == INDAGA_ENOTFOUND ? INDAGA_EINPUT : rc, msg);
  rc = add_bytes(w, doc, path, text, ntext, st.mtime_ns);
  indaga__free(text);
  return rc;
}

/**************************************************************************
** Sync: the parallel parse/analyse pipeline
**
** Workers take jobs in walk order, at most `window` ahead of the consumer
** (this thread), which adds results strictly in order. A big job is
** streamed by the one worker that took it: it hands each piece over
** through the job (has_piece) once the previous piece is added, and the
** consumer adds pieces as they come. A worker starts a big job only when
** the consumer has reached it, so at most one file's pieces are in memory.
** Job k lives in ring[k % nring], nring = window + 1: the slot is made job
** k's when job k - nring is consumed, before a worker may take job k.
*/
typedef struct pipeline {
  const sync_file *files;  /* the files, in walk order */
  size_t n;
  job *ring;              /* the jobs in flight */
  size_t nring;
  size_t next_take;       /* next job a worker takes */
  size_t consumed;        /* jobs the consumer is done with */
  size_t window;          /* jobs in flight beyond the consumer at most */
  uint64_t ahead_mem;     /* job_mem of the jobs taken and not yet consumed */
  uint64_t mem_cap;       /* ahead_mem allowed (one job may pass it when none is ahead) */
  const indaga_writer *w; /* for job_mem only */
  size_t want;            /* job the consumer sleeps on, SIZE_MAX when awake */
  unsigned idle;          /* workers sleeping for window space */
  int stop;
  size_t piece;           /* piece size */
  pthread_mutex_t mu;
  pthread_cond_t done_cv, space_cv, piece_cv;
} pipeline;

/* Threaded hand-over of a piece: wait until the previous one is added. */
static int emit_threaded(void *ctx, job *j, seg_doc_in *in) {
  pipeline *p = ctx;
  pthread_mutex_lock(&p->mu);
  while (!p->stop && j->added < j->produced) pthread_cond_wait(&p->piece_cv, &p->mu);
  int stopped = p->stop;
  if (!stopped) {
    j->in = *in;
    memset(in, 0, sizeof *in);
    j->has_piece = 1;
    j->produced++;
    if (p->want == j->no) pthread_cond_signal(&p->done_cv);
  }
  pthread_mutex_unlock(&p->mu);
  if (stopped) j->rc = INDAGA_ERROR;
  return stopped;
}

typedef struct worker_arg {
  pipeline *p;
  int rc;                 /* analyzer_new failure */
} worker_arg;

/*
** May a worker take the next job now? (under p->mu) Within the window of
** jobs, and of memory: the documents parsed ahead of the consumer stay
** within mem_cap, but for the one it waits for.
*/
static int can_take(const pipeline *p) {
  if (p->next_take >= p->consumed + p->window) return 0;
  if (p->consumed == p->next_take) return 1;
  uint64_t size = p->files[p->next_take].e->size;
  if (size > p->piece) return 0;   /* a big job waits for the consumer */
  return p->ahead_mem + job_mem(p->w, size) <= p->mem_cap;
}

static void *worker_main(void *arg) {
  worker_arg *wa = arg;
  pipeline *p = wa->p;
  analyzer *an = NULL;
  wa->rc = analyzer_new(&an);
  for (;;) {
    pthread_mutex_lock(&p->mu);
    while (!p->stop && p->next_take < p->n && !can_take(p)) {
      p->idle++;
      pthread_cond_wait(&p->space_cv, &p->mu);
      p->idle--;
    }
    if (p->stop || p->next_take >= p->n) { pthread_mutex_unlock(&p->mu); break; }
    size_t mine = p->next_take++;
    job *j = &p->ring[mine % p->nring];
    p->ahead_mem += job_mem(p->w, j->e->size);
    pthread_mutex_unlock(&p->mu);
    int state = J_FAIL;
    if (an) state = run_job(j, an, p->piece, emit_threaded, p);
    else j->rc = wa->rc;
    pthread_mutex_lock(&p->mu);
    j->state = state;
    if (p->want == mine) pthread_cond_signal(&p->done_cv);   /* wake the consumer only for its job */
    pthread_mutex_unlock(&p->mu);
  }
  analyzer_free(an);
  return NULL;
}

/*
** 1 when skipped job @j could not be read (not merely not text, nor gone)
** in a rebuild: there is no previous version to keep, so the sync fails.
*/
static int unreadable_in_rebuild(const indaga_writer *w, const job *j) {
  return (w->flags & INDAGA_WRITER_FULL) && j->rc && j->rc != INDAGA_EINPUT &&
         j->rc != INDAGA_ENOTFOUND;
}

/* Consume one processed job in order: add, count, warn. */
static int consume(sync_state *st, job *j) {
  indaga_writer *w = st->w;
  int rc = INDAGA_OK;
  st->files_done++;
  st->bytes_done += j->e->size;
  if ((j->state == J_SKIP || j->state == J_FAIL) && j->added &&
      (rc = drop_pieces(w, j)) != 0) {
    indaga__free(j->msg);
    j->msg = NULL;
    return rc;
  }
  switch (j->state) {
  case J_UNCHANGED:
    st->rep->unchanged++;
    break;
  case J_SKIP:
    if (unreadable_in_rebuild(w, j)) {
      rc = failf(w, INDAGA_EIO, "%s; a rebuild (--full) stops rather than commit an index "
                 "without it", j->msg ? j->msg : j->e->path);
      break;
    }
    st->rep->skipped++;
    st->rep->warnings++;
    warn(w, j->e->path, j->msg ? j->msg : "skipped");
    break;
  case J_FAIL:
    rc = j->msg ? fail_msg(w, j->rc, j->msg) : failf(w, j->rc, "%s: %s", j->e->path, indaga_strerror(j->rc));
    j->msg = NULL;
    break;
  case J_STOPPED:   /* a piece failed to be added: the message is recorded */
    rc = j->rc ? j->rc : INDAGA_ERROR;
    break;
  case J_PIECES:
    if (j->replaced) st->rep->updated++;
    else st->rep->added++;
    st->rep->bytes += j->e->size;
    break;
  case J_READY: {
    int replaced = 0;
    doc_warnings(w, j->e->path, j->in.doc);
    uint64_t np = j->in.doc ? j->in.doc->nparas : 0;
    rc = add_doc(w, &j->in, &replaced);
    if (rc == INDAGA_OK) {
      if (replaced) st->rep->updated++;
      else st->rep->added++;
      st->rep->paragraphs += np;
      st->rep->bytes += j->in.size;
    }
    break;
  }
  default:
    assert(0);
  }
  if (j->state == J_READY) seg_doc_in_clear(&j->in);
  j->state = J_UNCHANGED;   /* consumed: nothing left to free */
  indaga__free(j->msg);
  j->msg = NULL;
  if (w->on_progress)
    w->on_progress(w->ctx, st->files_done, st->files_total, st->bytes_done, st->bytes_total);
  return rc;
}

/*
** Consumer side of job @i when threaded: add its pieces as they are handed
** over, until the job has a final state. Called and returns with p->mu held.
*/
static int take_pieces(sync_state *st, pipeline *p, size_t i) {
  job *j = &p->ring[i % p->nring];
  for (;;) {
    while (j->state == J_PENDING && !j->has_piece) {
      p->want = i;
      pthread_cond_wait(&p->done_cv, &p->mu);
    }
    p->want = SIZE_MAX;
    if (!j->has_piece) return INDAGA_OK;
    seg_doc_in in = j->in;
    memset(&j->in, 0, sizeof j->in);
    j->has_piece = 0;
    pthread_mutex_unlock(&p->mu);
    int rc = add_piece(st, j, &in);
    pthread_mutex_lock(&p->mu);
    if (rc == INDAGA_OK) j->added++;
    pthread_cond_broadcast(&p->piece_cv);
    if (rc) return rc;
  }
}

/*
** 1 when the builder should be written now, on its thread, although not
** full: the write of the last builder follows the last file and nothing
** overlaps it (one core idles), so near the end of a threaded run a builder
** holding TAIL_RATIO times the input still to come (and at least budget /
** TAIL_MIN_DIV) is handed over, and its write overlaps the last files; the
** last segment is then small. Legislation corpus, two threads: the serial
** tail was about 0.25 s of a 3 s build. The next builder is handed over
** once more on the same rule if the previous write is done by then (never
** waiting for it) and it holds TAIL_NEXT_MIN or more (@tails: hand-overs
** so far): on the first 60 MB of the legislation the one tail left a 15 MB
** last segment, 0.1 to 0.3 s of serial write under load, two leave about
** 4 MB. Not more than TAIL_MAX: each adds a segment, and at 287 MB a third
** and a fourth cost more CPU (segments written) than the tail they saved.
** The second depends on timing (the write being done), so where segments
** begin may differ between two runs; what they hold does not.
*/
static int tail_due(const indaga_writer *w, const sync_state *st, unsigned tails) {
  uint64_t rest = st->bytes_total > st->bytes_done ? st->bytes_total - st->bytes_done : 0;
  if (!w->async || !w->builder || rest == 0 || tails >= TAIL_MAX) return 0;
  if (w->fj && !atomic_load_explicit(&w->fj->done, memory_order_acquire)) return 0;
  uint64_t least = tails ? w->tail_next_min : w->budget / TAIL_MIN_DIV;
  return w->bbytes >= least && w->bbytes / TAIL_RATIO >= rest;
}

/* Process the files @files[0..n) in order with w->threads workers (inline for one). */
static int run_pipeline(sync_state *st, const sync_file *files, size_t n) {
  indaga_writer *w = st->w;
  int rc = INDAGA_OK;
  if (n == 0) return INDAGA_OK;
  if (w->threads <= 1 || n == 1) {
    if (!w->an && (rc = analyzer_new(&w->an)) != 0) return fail_msg(w, rc, NULL);
    for (size_t i = 0; i < n && rc == INDAGA_OK; i++) {
      job j;
      job_init(w, &j, &files[i], i);
      w->inflight = (size_t)job_mem(w, j.e->size);
      j.state = run_job(&j, w->an, w->piece, emit_inline, st);
      rc = consume(st, &j);
    }
    w->inflight = 0;
    return rc;
  }
  /* The analysing threads take at most half the budget, THREAD_SHARE each. */
  unsigned threads = w->threads;
  size_t afford = w->budget / 2 / THREAD_SHARE;
  if (w->budget >= PROCESS_BUDGET_MIN && threads > afford) threads = afford ? (unsigned)afford : 1;
  pipeline p = { 0 };
  p.files = files;
  p.n = n;
  p.w = w;
  p.window = (size_t)threads * 8;
  p.nring = p.window + 1;
  p.ring = indaga__calloc(p.nring, sizeof *p.ring);
  if (!p.ring) return fail_msg(w, INDAGA_ENOMEM, NULL);
  for (size_t k = 0; k < n && k < p.nring; k++) job_init(w, &p.ring[k], &files[k], k);
  p.mem_cap = (uint64_t)threads * (THREAD_SHARE - ANALYZER_MAX_MEM);
  p.want = SIZE_MAX;
  p.piece = w->piece;
  pthread_mutex_init(&p.mu, NULL);
  pthread_cond_init(&p.done_cv, NULL);
  pthread_cond_init(&p.space_cv, NULL);
  pthread_cond_init(&p.piece_cv, NULL);
  pthread_t tids[MAX_THREADS];
  worker_arg args[MAX_THREADS];
  unsigned started = 0;
  for (unsigned t = 0; t < threads; t++) {
    args[t].p = &p;
    args[t].rc = 0;
    if (pthread_create(&tids[t], NULL, worker_main, &args[t]) != 0) break;
    started++;
  }
  if (started == 0) rc = failf(w, INDAGA_ENOMEM, "%s: cannot start indexing threads", w->dir);
  w->workers = started;
  w->async = 1;   /* a full builder is written on a thread while the next one fills */
  unsigned tails = 0;   /* builders handed over early (tail_due) */
  uint64_t ahead = 0;   /* memory of jobs i .. i + window: parsed or being parsed */
  for (size_t i = 0; i < n && i < p.window; i++) ahead += job_mem(w, files[i].e->size);
  for (size_t i = 0; i < n && rc == INDAGA_OK; i++) {
    if (i) ahead -= job_mem(w, files[i - 1].e->size);
    if (i + p.window < n) ahead += job_mem(w, files[i + p.window].e->size);
    uint64_t most = p.mem_cap + job_mem(w, files[i].e->size);   /* what can_take allows */
    w->inflight = (size_t)(ahead < most ? ahead : most);
    pthread_mutex_lock(&p.mu);
    rc = take_pieces(st, &p, i);
    pthread_mutex_unlock(&p.mu);
    if (rc) break;
    rc = consume(st, &p.ring[i % p.nring]);
    if (rc == INDAGA_OK && tail_due(w, st, tails)) {
      tails++;
      rc = flush_builder(w, 1);
    }
    pthread_mutex_lock(&p.mu);
    p.consumed = i + 1;
    p.ahead_mem -= job_mem(w, files[i].e->size);
    if (i + p.nring < n) job_init(w, &p.ring[i % p.nring], &files[i + p.nring], i + p.nring);
    /* Wake sleeping workers in batches, once half the window is free, or
       at once when the next job to take is a big one the consumer reached. */
    if (p.idle && (p.next_take <= p.consumed + p.window / 2 || p.next_take == p.consumed ||
                   p.ahead_mem <= p.mem_cap / 2))
      pthread_cond_broadcast(&p.space_cv);
    pthread_mutex_unlock(&p.mu);
  }
  pthread_mutex_lock(&p.mu);
  p.stop = 1;
  pthread_cond_broadcast(&p.space_cv);
  pthread_cond_broadcast(&p.piece_cv);
  pthread_mutex_unlock(&p.mu);
  for (unsigned t = 0; t < started; t++) pthread_join(tids[t], NULL);
  w->workers = 0;
  w->inflight = 0;
  w->async = 0;
  int frc = flush_wait(w);   /* no write outlives the sync */
  if (rc == INDAGA_OK) rc = frc;
  for (size_t k = 0; k < p.nring; k++) {   /* results left after a failure */
    job *j = &p.ring[k];
    if (j->state == J_READY || j->has_piece) seg_doc_in_clear(&j->in);
    indaga__free(j->msg);
  }
  indaga__free(p.ring);
  pthread_cond_destroy(&p.done_cv);
  pthread_cond_destroy(&p.space_cv);
  pthread_cond_destroy(&p.piece_cv);
  pthread_mutex_destroy(&p.mu);
  return rc;
}

/*
** Decide for walk entry @e: unchanged by size and mtime (counted), or a
** file to read, into @t (with the old hash when the document exists; for a
** file indexed in pieces, piece 0 holds the whole file's size, mtime and
** hash). 1 when it must be read.
*/
static int needs_job(indaga_writer *w, const walk_entry *e, sync_file *t, int *err) {
  size_t slot;
  uint32_t did;
  memset(t, 0, sizeof *t);
  t->e = e;
  *err = INDAGA_OK;
  int rc = lookup(w, e->id, &slot, &did);
  if (rc < 0) { *err = rc; return 0; }
  if (rc == 1 && slot < w->nslots) {
    seg_doc d;
    rc = seg_doc_get(w->slots[slot].r, did, &d);
    if (rc) { *err = rc; return 0; }
    if (d.size == e->size && d.mtime_ns == e->mtime_ns) return 0;
    t->has_old = 1;
    t->old_hash = d.hash;
  }
  return 1;
}

/* qsort order of strings. */
static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
** The ids of walk list @l, sorted (borrowed from @l), for met(): 8 bytes a
** file, where a map of them took 64 to 128 (and, kept for the session,
** another copy of each id). NULL on ENOMEM.
*/
static const char **sorted_ids(const walk_list *l) {
  const char **v = indaga__malloc((l->n ? l->n : 1) * sizeof *v);
  if (!v) return NULL;
  for (size_t i = 0; i < l->n; i++) v[i] = l->v[i].id;
  qsort(v, l->n, sizeof *v, cmp_str);
  return v;
}

/* 1 when id p[0..n) is among the @nv ids of @v (sorted_ids). */
static int met(const char *const *v, size_t nv, const char *p, size_t n) {
  size_t lo = 0, hi = nv;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2, m = strlen(v[mid]);
    int c = memcmp(v[mid], p, m < n ? m : n);
    if (c == 0) c = (m > n) - (m < n);
    if (c == 0) return 1;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

/*
** Delete every live document the walk (@l, its ids sorted in @ids) did not
** meet, but those under something the walk could not read (@l's kept ids),
** which keep what the index had of them.
*/
static int remove_unseen(indaga_writer *w, const walk_list *l, const char *const *ids,
                         indaga_sync_report *rep) {
  uint64_t v;
  size_t nbase = w->base ? ix_nsegs(w->base) : 0;
  for (size_t i = 0; i < nbase; i++) {
    wslot *s = &w->slots[i];
    for (uint32_t did = 0; did < s->e.ndoc; did++) {
      if (bit(s->del, did)) continue;
      seg_doc d;
      int rc = seg_doc_get(s->r, did, &d);
      if (rc) return failf(w, rc, "%s: cannot read document %u", seg_name(s->r), did);
      if (d.piece != 0) continue;   /* deleted with its piece 0 */
      if (met(ids, l->n, d.id, d.nid) || ix_map_get(&w->docs, d.id, d.nid, &v)) continue;
      if (walk_is_kept(l, d.id, d.nid)) continue;
      char *id = indaga__strndup(d.id, d.nid);
      if (!id) return fail_msg(w, INDAGA_ENOMEM, NULL);
      rc = delete_doc(w, id, i, did);
      if (rc == INDAGA_OK && (rc = map_set(w, &w->docs, id, DELETED)) != 0) fail_msg(w, rc, NULL);
      indaga__free(id);
      if (rc) return rc;
      rep->removed++;
      w->dirty = 1;
    }
  }
  for (size_t i = 0; i < w->docs.cap; i++) {   /* documents added earlier in this session */
    ix_map_slot *ms = &w->docs.slots[i];
    if (!ms->h || ms->v == DELETED || met(ids, l->n, ms->k, ms->nk)) continue;
    if (walk_is_kept(l, ms->k, ms->nk)) continue;
    int rc = delete_doc(w, ms->k, (size_t)(ms->v >> 32), (uint32_t)ms->v);
    if (rc) return rc;
    ms->v = DELETED;
    rep->removed++;
    w->dirty = 1;
  }
  return INDAGA_OK;
}

/* qsort order of walk entries by id. */
static int cmp_entry_id(const void *a, const void *b) {
  return strcmp((*(const walk_entry *const *)a)->id, (*(const walk_entry *const *)b)->id);
}

/*
** The names of the directories among @roots[0..n) when there are two or
** more (*names[i] NULL for a file root), else all NULL. Two directories of
** one name are INDAGA_EINPUT naming both. Failures are recorded in @w.
*/
static int root_prefixes(indaga_writer *w, const char *const *roots, size_t n, char **names) {
  size_t ndirs = 0;
  int rc = INDAGA_OK;
  char *msg = NULL;
  for (size_t i = 0; i < n; i++) {
    os_stat_info st;
    if ((rc = os_stat(roots[i], &st, &msg)) != 0) return fail_msg(w, rc, msg);
    if (st.is_dir && n > 1 && (rc = walk_root_name(roots[i], &names[i], &msg)) != 0)
      return fail_msg(w, rc, msg);
    ndirs += st.is_dir != 0;
  }
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; names[i] && j < i; j++)
      if (names[j] && !strcmp(names[i], names[j]))
        return failf(w, INDAGA_EINPUT, "%s and %s: two directories named '%s' (with several "
                     "directories, each one's documents are named '<directory>/<path>')",
                     roots[j], roots[i], names[i]);
  }
  if (ndirs < 2)
    for (size_t i = 0; i < n; i++) { indaga__free(names[i]); names[i] = NULL; }
  return INDAGA_OK;
}

/*
** Walk @roots[0..n) into one list in root order. An id that two roots both
** give (a file beside a directory holding a file of that name) is
** INDAGA_EINPUT naming both paths. Failures are recorded in @w.
*/
static int walk_roots(indaga_writer *w, const char *const *roots, size_t n, walk_list *out) {
  memset(out, 0, sizeof *out);
  char **names = indaga__calloc(n, sizeof *names);
  if (!names) return fail_msg(w, INDAGA_ENOMEM, NULL);
  int rc = root_prefixes(w, roots, n, names);
  for (size_t i = 0; rc == INDAGA_OK && i < n; i++) {
    walk_list l;
    char *msg = NULL;
    rc = walk_tree(roots[i], names[i], (w->flags & INDAGA_WRITER_FOLLOW_SYMLINKS) ? WALK_FOLLOW_LINKS : 0,
                   &l, warn_cb, w, &msg);
    if (rc) { fail_msg(w, rc, msg); break; }
    if ((rc = walk_list_take(out, &l)) != 0) { walk_list_free(&l); fail_msg(w, rc, NULL); }
  }
  walk_kept_sort(out);
  /* A rebuild has nothing to keep: it fails rather than commit without what it could not read. */
  if (rc == INDAGA_OK && out->nkept && (w->flags & INDAGA_WRITER_FULL))
    rc = failf(w, INDAGA_EIO, "%s: cannot be read; a rebuild (--full) stops rather than commit "
               "an index without it", out->first_kept);
  for (size_t i = 0; i < n; i++) indaga__free(names[i]);
  indaga__free(names);
  if (rc == INDAGA_OK && n > 1 && out->n > 1) {
    const walk_entry **by = indaga__malloc(out->n * sizeof *by);
    if (!by) rc = fail_msg(w, INDAGA_ENOMEM, NULL);
    for (size_t i = 0; by && i < out->n; i++) by[i] = &out->v[i];
    if (by) qsort(by, out->n, sizeof *by, cmp_entry_id);
    for (size_t i = 1; by && i < out->n && rc == INDAGA_OK; i++)
      if (!strcmp(by[i - 1]->id, by[i]->id))
        rc = failf(w, INDAGA_EINPUT, "%s and %s would both be the document '%s'",
                   by[i - 1]->path, by[i]->path, by[i]->id);
    indaga__free(by);
  }
  if (rc) walk_list_free(out);
  return rc;
}

/**************************************************************************
** The roots: which PATHs the index was built from (manifest.h)
*/
static void free_strs(char **v, size_t n) {
  for (size_t i = 0; v && i < n; i++) indaga__free(v[i]);
  indaga__free(v);
}

static int in_list(const char *z, char *const *v, size_t n) {
  for (size_t i = 0; i < n; i++) if (!strcmp(z, v[i])) return 1;
  return 0;
}

/* 1 when @a[0..na) and @b[0..nb) hold the same paths (as sets). */
static int same_set(char *const *a, size_t na, char *const *b, size_t nb) {
  for (size_t i = 0; i < na; i++) if (!in_list(a[i], b, nb)) return 0;
  for (size_t i = 0; i < nb; i++) if (!in_list(b[i], a, na)) return 0;
  return 1;
}

/* "a, b, c" (fresh), for messages; NULL on ENOMEM. */
static char *join_paths(char *const *v, size_t n) {
  ia_buf b = { 0 };
  for (size_t i = 0; i < n; i++) {
    if (i) buf_append(&b, ", ", 2);
    buf_append(&b, v[i], strlen(v[i]));
  }
  buf_putc(&b, 0);
  if (b.err) { buf_free(&b); return NULL; }
  return (char *)b.p;
}

/*
** The roots a sync of @roots[0..n) works on, decided against the recorded
** ones (the session's, else the live generation's): *out the canonical
** roots the next commit records (owned, *nout), *walk the paths to walk
** (*nwalk; the given path for a given root, the canonical one for a
** recorded root joined by INDAGA_WRITER_ADD; the strings belong to @roots
** or *out). INDAGA_OK, INDAGA_EREFUSED (message naming both lists), or the
** error of a root that cannot be resolved; all recorded in @w.
*/
static int settle_roots(indaga_writer *w, const char *const *roots, size_t n, char ***out,
                        size_t *nout, const char ***walk, size_t *nwalk) {
  char *const *old = w->have_roots ? w->roots : w->live.roots;
  size_t nold = w->have_roots ? w->nroots : w->live.nroots;
  char **canon = indaga__calloc(n + nold, sizeof *canon);
  const char **paths = indaga__calloc(n + nold, sizeof *paths);
  size_t nc = 0, np = 0;
  int rc = canon && paths ? INDAGA_OK : fail_msg(w, INDAGA_ENOMEM, NULL);
  for (size_t i = 0; rc == INDAGA_OK && i < n; i++) {
    char *msg = NULL, *z = NULL;
    if ((rc = os_realpath(roots[i], &z, &msg)) != 0) { fail_msg(w, rc, msg); break; }
    if (in_list(z, canon, nc)) { indaga__free(z); continue; }   /* the same root twice */
    canon[nc++] = z;
    paths[np++] = roots[i];
  }
  int same = rc == INDAGA_OK && same_set(canon, nc, old, nold);
  if (rc == INDAGA_OK && nold && !same && !(w->flags & (INDAGA_WRITER_PRUNE | INDAGA_WRITER_ADD))) {
    char *a = join_paths(old, nold), *b = join_paths(canon, nc);
    rc = a && b ? failf(w, INDAGA_EREFUSED, "%s was indexed from %s; this run names %s: refused, "
                        "nothing changed", w->dir, a, b)
                : fail_msg(w, INDAGA_ENOMEM, NULL);
    indaga__free(a);
    indaga__free(b);
  }
  if (rc == INDAGA_OK && !same && (w->flags & INDAGA_WRITER_ADD)) {
    /* the recorded roots not given join the walk, first, in their order */
    size_t k = 0;
    for (size_t i = 0; i < nold; i++) if (!in_list(old[i], canon, nc)) k++;
    memmove(canon + k, canon, nc * sizeof *canon);
    memmove(paths + k, paths, np * sizeof *paths);
    for (size_t i = 0, j = 0; rc == INDAGA_OK && i < nold; i++) {
      if (in_list(old[i], canon + k, nc)) continue;
      if (!(canon[j] = indaga__strdup(old[i]))) {
        for (; j < k; j++) canon[j] = NULL;
        rc = fail_msg(w, INDAGA_ENOMEM, NULL);
        break;
      }
      paths[j] = canon[j];
      j++;
    }
    nc += k;
    np += k;
  }
  if (rc) {
    free_strs(canon, nc);
    indaga__free(paths);
    return rc;
  }
  *out = canon;
  *nout = nc;
  *walk = paths;
  *nwalk = np;
  return INDAGA_OK;
}

/* Make @roots[0..n) (owned, taken) the roots the next commit records. */
static void take_roots(indaga_writer *w, char **roots, size_t n) {
  char *const *cur = w->have_roots ? w->roots : w->live.roots;
  size_t ncur = w->have_roots ? w->nroots : w->live.nroots;
  if (!same_set(roots, n, cur, ncur) || !same_set(roots, n, w->live.roots, w->live.nroots)) w->dirty = 1;
  free_strs(w->roots, w->nroots);
  w->roots = roots;
  w->nroots = n;
  w->have_roots = 1;
}

/**************************************************************************
** Dry run: what a sync would change, changing nothing
*/
static void change(indaga_writer *w, int kind, const char *id) {
  if (w->on_change) w->on_change(w->ctx, kind, id);
}

/* The content hash of walk entry @e (streamed). INDAGA_OK or a status with *msg. */
static int hash_file(const indaga_writer *w, const walk_entry *e, uint64_t *h, char **msg) {
  dm_stream *ds = NULL;
  int rc = dm_stream_open_beneath(&ds, e->root, e->rel, e->path, e->id, w->piece, msg);
  if (rc == INDAGA_OK) rc = dm_stream_hash(ds, h, msg);
  dm_stream_close(ds);
  return rc;
}

/*
** Report what indexing @list would do: a file not in the index is added,
** one whose size or mtime and then content hash differ is updated, a live
** document the walk did not meet is removed. A file that cannot be read is
** skipped with a warning (the real run keeps its old version).
*/
static int dry_sync(indaga_writer *w, const walk_list *list, indaga_sync_report *rep) {
  const char **ids = sorted_ids(list);
  int rc = ids ? INDAGA_OK : fail_msg(w, INDAGA_ENOMEM, NULL);
  for (size_t i = 0; rc == INDAGA_OK && i < list->n; i++) {
    const walk_entry *e = &list->v[i];
    sync_file j;
    if (!needs_job(w, e, &j, &rc)) {
      if (rc) failf(w, rc, "%s: cannot read the document table", w->dir);
      else rep->unchanged++;
      continue;
    }
    uint64_t h = 0;
    char *msg = NULL;
    int hrc = hash_file(w, e, &h, &msg);
    if (hrc == INDAGA_ENOMEM) { rc = fail_msg(w, hrc, msg); break; }
    if (hrc) {
      rep->skipped++;
      rep->warnings++;
      warn(w, e->path, msg ? msg : indaga_strerror(hrc));
    } else if (j.has_old && h == j.old_hash) {
      rep->unchanged++;
    } else {
      change(w, j.has_old ? INDAGA_CHANGE_UPDATE : INDAGA_CHANGE_ADD, e->id);
      if (j.has_old) rep->updated++;
      else rep->added++;
      rep->bytes += e->size;
    }
    indaga__free(msg);
  }
  size_t nbase = w->base ? ix_nsegs(w->base) : 0;
  for (size_t i = 0; rc == INDAGA_OK && i < nbase; i++) {
    const wslot *s = &w->slots[i];
    for (uint32_t did = 0; rc == INDAGA_OK && did < s->e.ndoc; did++) {
      seg_doc d;
      uint64_t v;
      if (bit(s->del, did)) continue;
      if ((rc = seg_doc_get(s->r, did, &d)) != 0) {
        failf(w, rc, "%s: cannot read document %u", seg_name(s->r), did);
        break;
      }
      if (d.piece != 0 || met(ids, list->n, d.id, d.nid) || ix_map_get(&w->docs, d.id, d.nid, &v)) continue;
      if (walk_is_kept(list, d.id, d.nid)) continue;   /* unreadable: kept */
      char *id = indaga__strndup(d.id, d.nid);
      if (!id) { rc = fail_msg(w, INDAGA_ENOMEM, NULL); break; }
      change(w, INDAGA_CHANGE_REMOVE, id);
      rep->removed++;
      indaga__free(id);
    }
  }
  indaga__free(ids);
  return rc;
}

int indaga_writer_sync_many(indaga_writer *w, const char *const *roots, size_t nroots,
                            indaga_sync_report *report) {
  indaga_sync_report dummy;
  if (!w || !roots || !nroots) return INDAGA_EMISUSE;
  for (size_t i = 0; i < nroots; i++) if (!roots[i]) return INDAGA_EMISUSE;
  if (!report) report = &dummy;
  memset(report, 0, sizeof *report);
  int rc = ensure_session(w);
  if (rc) return rc;
  char **canon = NULL;
  const char **paths = NULL;
  size_t ncanon = 0, npaths = 0;
  if ((rc = settle_roots(w, roots, nroots, &canon, &ncanon, &paths, &npaths)) != 0) return rc;
  walk_list list;
  if ((rc = walk_roots(w, paths, npaths, &list)) != 0) {
    free_strs(canon, ncanon);
    indaga__free(paths);
    return rc;
  }
  indaga__free(paths);
  if (w->flags & INDAGA_WRITER_DRY_RUN) {
    report->warnings = list.warnings;
    rc = dry_sync(w, &list, report);
    free_strs(canon, ncanon);
    walk_list_free(&list);
    return rc;
  }
  sync_file *jobs = indaga__calloc(list.n ? list.n : 1, sizeof *jobs);
  size_t njobs = 0;
  w->sync_mem = list.cap * sizeof *list.v + list.n * sizeof *jobs + list.blocks_mem;
  sync_state st = { w, report, list.n, 0, 0, 0 };
  if (!jobs) rc = fail_msg(w, INDAGA_ENOMEM, NULL);
  for (size_t i = 0; rc == INDAGA_OK && i < list.n; i++) {
    if (needs_job(w, &list.v[i], &jobs[njobs], &rc)) {
      st.bytes_total += list.v[i].size;
      njobs++;
    } else if (rc == INDAGA_OK) {
      report->unchanged++;
      st.files_done++;
    } else {
      failf(w, rc, "%s: cannot read the document table", w->dir);
    }
  }
  report->warnings = list.warnings;
  if (rc == INDAGA_OK) rc = run_pipeline(&st, jobs, njobs);
  indaga__free(jobs);
  w->sync_mem = 0;
  /* the roots are the index's: what none of them yields goes, file roots included,
     but for what the walk could not read (kept) */
  const char **ids = rc == INDAGA_OK ? sorted_ids(&list) : NULL;
  if (rc == INDAGA_OK && !ids) rc = fail_msg(w, INDAGA_ENOMEM, NULL);
  if (rc == INDAGA_OK) rc = remove_unseen(w, &list, ids, report);
  indaga__free(ids);
  if (rc == INDAGA_OK) take_roots(w, canon, ncanon);
  else free_strs(canon, ncanon);
  walk_list_free(&list);
  return rc;
}

int indaga_writer_sync(indaga_writer *w, const char *root, indaga_sync_report *report) {
  if (!root) return INDAGA_EMISUSE;
  return indaga_writer_sync_many(w, &root, 1, report);
}

/**************************************************************************
** Merging
*/
typedef struct merge_ctx {
  indaga_writer *w;
  const size_t *idx;      /* slot of each input */
} merge_ctx;

static int merge_deleted(void *ctx, size_t i, uint32_t did) {
  const merge_ctx *m = ctx;
  return bit(m->w->slots[m->idx[i]].del, did);
}

/*
** Merge slots @idx[0..n) into one new segment that takes the place of
** idx[0] in @order (entries of the others become SIZE_MAX).
*/
static int merge_slots(indaga_writer *w, const size_t *idx, size_t n, size_t *order, size_t norder) {
  int prc = mark_pending(w);
  if (prc) return prc;
  const seg_reader **in = indaga__malloc(n * sizeof *in);
  if (!in) return fail_msg(w, INDAGA_ENOMEM, NULL);
  for (size_t i = 0; i < n; i++) in[i] = w->slots[idx[i]].r;
  uint64_t id = w->next_seg_id++;
  char *path = ix_seg_path(w->dir, id);
  char *msg = NULL;
  merge_ctx mc = { w, idx };
  seg_stamp st = { w->index_id, w->max_gen + 1 };
  kill_point(w);
  int rc = path ? seg_merge(in, n, merge_deleted, &mc, &st, path, &msg) : INDAGA_ENOMEM;
  indaga__free(in);
  if (rc) { indaga__free(path); return fail_msg(w, rc, msg); }
  kill_point(w);
  size_t first = idx[0];
  rc = add_written_slot(w, id, path);
  indaga__free(path);
  if (rc) return rc;
  for (size_t i = 0; i < n; i++) w->slots[idx[i]].dropped = 1;
  for (size_t k = 0; k < norder; k++) {
    if (order[k] == first) order[k] = w->nslots - 1;
    else for (size_t i = 1; i < n; i++) if (order[k] == idx[i]) order[k] = SIZE_MAX;
  }
  return INDAGA_OK;
}

static unsigned tier_of(uint64_t bytes) {
  unsigned t = 0;
  for (uint64_t b = bytes / TIER_BASE; b >= MERGE_FACTOR; b /= MERGE_FACTOR) t++;
  return t;
}

/*
** The live slots in manifest order (slots with no live document left out),
** into a fresh array. Returns the count, or SIZE_MAX on ENOMEM.
*/
static size_t live_order(indaga_writer *w, size_t **out) {
  size_t *o = indaga__malloc((w->nslots ? w->nslots : 1) * sizeof *o);
  *out = o;
  if (!o) return SIZE_MAX;
  size_t n = 0;
  for (size_t i = 0; i < w->nslots; i++)
    if (!w->slots[i].dropped && w->slots[i].ndel < w->slots[i].e.ndoc) o[n++] = i;
  return n;
}

/* Compact @order in place (drop SIZE_MAX entries); returns the new count. */
static size_t squeeze(size_t *order, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) if (order[i] != SIZE_MAX) order[k++] = order[i];
  return k;
}

/*
** Tiered merge: while some tier holds MERGE_FACTOR segments, merge them,
** unless together they pass half the budget. Not for memory: a merge's is
** bounded at any size (segmerge.c; `indaga compact` of 972 MB in 15
** segments peaked at 142 MB resident). For the work: each tier above the
** cap would rewrite the index once more, so the bytes written and the CPU
** per byte indexed would grow with the corpus instead of staying flat (the
** legislation at 4x, 15 segments of 70 MB: one merge of 580 MB, 0.6 of
** the index rewritten, +25% of the build's 44 s of CPU at 19 s a GB; at
** 16x, 84 of 46 MB: ten merges into 370 MB and one into 3 GB, 1.7 of the
** index rewritten, +65% of its 194 s). Such segments are merged only by
** indaga_writer_compact, when the user chooses to. A budget under
** PROCESS_BUDGET_MIN bounds the builder alone (tests force flushes with
** such budgets): merges then keep half the default.
*/
static int merge_tiers(indaga_writer *w, size_t *order, size_t *norder) {
  size_t idx[MERGE_FACTOR];
  uint64_t cap = (uint64_t)(w->budget >= PROCESS_BUDGET_MIN ? w->budget : DEFAULT_BUDGET) / 2;
  for (;;) {
    int merged = 0;
    for (unsigned tier = 0; tier < 64 && !merged; tier++) {
      size_t k = 0;
      uint64_t bytes = 0;
      for (size_t i = 0; i < *norder && k < MERGE_FACTOR; i++)
        if (tier_of(w->slots[order[i]].bytes) == tier) {
          bytes += w->slots[order[i]].bytes;
          idx[k++] = order[i];
        }
      if (k < MERGE_FACTOR || bytes > cap) continue;
      int rc = merge_slots(w, idx, k, order, *norder);
      if (rc) return rc;
      *norder = squeeze(order, *norder);
      merged = 1;
    }
    if (!merged) return INDAGA_OK;
  }
}

/**************************************************************************
** Commit
*/
/* The deleted documents of slot @s as an ascending array (fresh). */
static uint32_t *del_list(const wslot *s) {
  uint32_t *v = indaga__malloc((size_t)(s->ndel ? s->ndel : 1) * sizeof *v);
  if (!v) return NULL;
  uint32_t k = 0;
  for (uint32_t d = 0; d < s->e.ndoc && k < s->ndel; d++) if (bit(s->del, d)) v[k++] = d;
  return v;
}

/*
** The header fields of new manifest @m: the index id, the previous
** generation (the live one, kept unless the commit rebuilds or compacts,
** or none) and the roots (the session's when a sync set them).
*/
static int set_meta(indaga_writer *w, ix_manifest *m) {
  m->index_id = w->index_id;
  m->prev_gen = w->live.generation;
  m->flags = m->prev_gen && w->keep_prev ? IX_PREV_KEPT : 0;
  if (w->have_roots) return ix_manifest_set_roots(m, (const char *const *)w->roots, w->nroots);
  return ix_manifest_set_roots(m, (const char *const *)w->live.roots, w->live.nroots);
}

/*
** Steps 2-4 of a commit: deletion files, directory fsync and manifest
** (ix_manifest_publish: the two fsyncs at once, then the rename). Fills
** @m (the new manifest) from @order.
*/
static int publish(indaga_writer *w, const size_t *order, size_t n, ix_manifest *m) {
  uint64_t gen = w->max_gen + 1;
  char *msg = NULL;
  m->generation = gen;
  m->segs = indaga__calloc(n ? n : 1, sizeof *m->segs);
  if (!m->segs) return fail_msg(w, INDAGA_ENOMEM, NULL);
  for (size_t i = 0; i < n; i++) {
    wslot *s = &w->slots[order[i]];
    ix_seg_entry *e = &m->segs[m->nsegs++];
    *e = s->e;
    e->ndeleted = s->ndel;
    if (s->ndel == 0) { e->del_gen = 0; continue; }
    if (!s->del_changed && s->e.del_gen) continue;
    int prc = mark_pending(w);
    if (prc) return prc;
    uint32_t *v = del_list(s);
    if (!v) return fail_msg(w, INDAGA_ENOMEM, NULL);
    kill_point(w);
    int rc = ix_del_write(w->dir, w->index_id, e->id, gen, e->ndoc, v, s->ndel, &msg);
    indaga__free(v);
    if (rc) return fail_msg(w, rc, msg);
    e->del_gen = gen;
    kill_point(w);
  }
  m->next_seg_id = w->next_seg_id;
  int rc = set_meta(w, m);
  if (rc) return fail_msg(w, rc, NULL);
  /* the directory fsync (this generation's segments and deletion files
     durable before its manifest) runs beside the manifest's own */
  kill_point(w);
  kill_point(w);
  rc = ix_manifest_publish(m, w->dir, &msg);
  if (rc) return fail_msg(w, rc, msg);
  kill_point(w);
  return INDAGA_OK;
}

/* After a failed commit: undo manifest.<N+1>, drop the attempt's files and the session. */
static void abandon(indaga_writer *w) {
  char *mp = ix_manifest_path(w->dir, w->max_gen + 1);
  if (mp && os_remove(mp, NULL) == INDAGA_OK) os_fsync_dir(w->dir, NULL);
  indaga__free(mp);
  clear_session(w);
  collect_garbage(w);
  start_session(w);
}

/* Drop the session's uncommitted changes (a dry run commits nothing). */
static void discard(indaga_writer *w) {
  flush_wait(w);
  clear_session(w);
  w->stale = 1;
}

/*
** Make @m, just published, the live generation: the old live one becomes
** the previous (kept) one when w->keep_prev, else it is dropped with the
** old previous one; then remove what no kept manifest names.
*/
static void adopt(indaga_writer *w, ix_manifest *m) {
  w->max_gen = m->generation;
  ix_manifest_clear(&w->prev);
  if (w->keep_prev) w->prev = w->live;
  else ix_manifest_clear(&w->live);
  w->live = *m;
  memset(m, 0, sizeof *m);
  w->flags &= ~INDAGA_WRITER_FULL;
  clear_session(w);
  kill_point(w);
  collect_garbage(w);
}

/*
** Commit with an optional full merge (compact). A rebuild and a compact
** keep nothing of the old generation: a rebuild because the old index may
** be why it rebuilds, a compact so that no second copy of the index stays
** on disk (a compact with nothing to merge still drops a kept previous
** generation). Readers still opening the old generation retry on the new
** one (snapshot.c); readers that opened it keep their mappings.
*/
static int commit(indaga_writer *w, int compact, uint64_t *generation) {
  size_t *order = NULL;
  ix_manifest m = { 0 };
  if (w->flags & INDAGA_WRITER_DRY_RUN) {
    discard(w);
    if (generation) *generation = w->live.generation;
    return INDAGA_OK;
  }
  int rc = ensure_session(w);
  if (rc) return rc;
  w->keep_prev = !compact && !(w->flags & INDAGA_WRITER_FULL);
  rc = flush_builder(w, 0);
  size_t n = rc ? 0 : live_order(w, &order);
  if (rc == INDAGA_OK && n == SIZE_MAX) rc = fail_msg(w, INDAGA_ENOMEM, NULL);
  if (rc == INDAGA_OK && compact && (n > 1 || (n == 1 && w->slots[order[0]].ndel))) {
    rc = merge_slots(w, order, n, order, n);
    n = squeeze(order, n);
    w->dirty = 1;
  } else if (rc == INDAGA_OK && w->dirty) {
    rc = merge_tiers(w, order, &n);
  }
  if (compact && w->prev.generation) w->dirty = 1;
  if (rc == INDAGA_OK && !w->dirty) {
    indaga__free(order);
    if (generation) *generation = w->live.generation;
    return INDAGA_OK;
  }
  if (rc == INDAGA_OK) rc = publish(w, order, n, &m);
  indaga__free(order);
  if (rc) {
    char *keep = w->err;
    w->err = NULL;
    ix_manifest_clear(&m);
    abandon(w);
    fail_msg(w, rc, keep);
    return rc;
  }
  adopt(w, &m);
  if (generation) *generation = w->live.generation;
  /* The next session starts when the next call needs it (ensure_session):
     opening the new generation checks its smaller segments whole, which
     would map them all in just before a program that only commits closes
     the writer (100 MB file, --memory 32: peak RSS 75 -> 30 MB). */
  ix_snapshot_free(w->base);
  w->base = NULL;
  w->stale = 1;
  return INDAGA_OK;
}

/*
** The previous generation of w->live, checked: it must be kept and open
** cleanly (every file there, every checksum and tie good). INDAGA_OK, or a
** status with the message recorded.
*/
static int check_prev(indaga_writer *w) {
  if (!w->live.generation) return failf(w, INDAGA_ENOTFOUND, "no index at %s: nothing to roll back", w->dir);
  if (!w->prev.generation) {
    if (w->live.flags & IX_PREV_KEPT)
      return failf(w, INDAGA_ENOTFOUND, "%s: manifest.%llu, the previous generation, cannot be read",
                   w->dir, (unsigned long long)w->live.prev_gen);
    return failf(w, INDAGA_ENOTFOUND, "%s: generation %llu keeps no previous generation (it is the "
                 "first, or 'indaga compact' or 'indaga index --full' made it)", w->dir,
                 (unsigned long long)w->live.generation);
  }
  ix_snapshot *s = NULL;
  char *msg = NULL;
  int rc = ix_snapshot_open_gen(&s, w->dir, w->prev.generation, &msg);
  ix_snapshot_free(s);
  if (rc == INDAGA_ENOTFOUND) rc = INDAGA_ECORRUPT;   /* a file it names is gone */
  if (rc) return fail_msg(w, rc, msg);
  return INDAGA_OK;
}

int indaga_writer_rollback(indaga_writer *w, uint64_t *generation) {
  if (!w) return INDAGA_EMISUSE;
  int rc = check_prev(w);
  if (rc) return rc;
  if (w->flags & INDAGA_WRITER_DRY_RUN) {
    discard(w);
    if (generation) *generation = w->prev.generation;
    return INDAGA_OK;
  }
  discard(w);
  /* The new generation: the previous one's segments, deletions and roots,
     with the live one as its kept predecessor (a second rollback undoes). */
  ix_manifest m;
  if (ix_manifest_copy(&m, &w->prev)) return fail_msg(w, INDAGA_ENOMEM, NULL);
  m.generation = w->max_gen + 1;
  m.next_seg_id = w->next_seg_id;
  m.index_id = w->index_id;
  m.prev_gen = w->live.generation;
  m.flags = IX_PREV_KEPT;
  w->keep_prev = 1;
  char *msg = NULL;
  kill_point(w);
  rc = ix_manifest_write(&m, w->dir, &msg);
  if (rc) {
    ix_manifest_clear(&m);
    abandon(w);
    return fail_msg(w, rc, msg);
  }
  kill_point(w);
  adopt(w, &m);
  if (generation) *generation = w->live.generation;
  start_session(w);
  return INDAGA_OK;
}

int indaga_writer_commit(indaga_writer *w, uint64_t *generation) {
  if (!w) return INDAGA_EMISUSE;
  return commit(w, 0, generation);
}

int indaga_writer_compact(indaga_writer *w, uint64_t *generation) {
  if (!w) return INDAGA_EMISUSE;
  return commit(w, 1, generation);
}
