/*
** manifest.h: the root records of an index directory (DESIGN.md, "The
** on-disk index"), shared by the writer (writer.c) and readers (snapshot.c).
**
**   manifest.<N>        the live segment list of generation N
**   seg-<id>.seg        an immutable segment (segwriter.h)
**   seg-<id>.del.<N>    the deleted documents of segment <id> as of generation N
**   pending.<N>         a writer is writing generation N (ix_pending_mark)
**
** Both record kinds are small, written whole under a temporary name, fsynced
** and renamed into place (os_wfile), and end in an xxh64 of every byte before
** it, so a reader either sees a complete record or rejects it.
**
**   manifest (format version 2):
**     8 bytes  magic "IXMANIF1"
**     u32      format version (IX_FORMAT_VERSION)
**     u32      nsegs
**     u64      generation N (must equal the N of the file name)
**     u64      next segment id (ids below it may exist on disk)
**     u64      index id: random, nonzero, made when the index was created;
**              every segment's footer (format.h) and deletion file repeats it
**     u64      previous generation: the one this generation was committed
**              upon (0: none), < N
**     u32      flags: bit 0 (IX_PREV_KEPT) the previous generation's manifest
**              and files are kept on disk (indaga rollback returns to it);
**              other bits 0
**     u32      nroots
**     nsegs x {
**       u64 segment id
**       u64 deletion generation (0: no deletion file)
**       u64 segment generation: the generation that wrote the segment, as
**           its footer says (cross-checked), 1..N
**       u32 documents in the segment      (cross-checked with the segment)
**       u32 paragraphs in the segment     (cross-checked with the segment)
**       u64 sum of paragraph lengths (tokens) over the whole segment
**       u32 deleted documents             (cross-checked with the deletion file)
**       u32 reserved, 0
**     }
**     nroots x {                the index's roots: the PATHs `indaga index`
**       u32 length, 1..IX_ROOT_MAX         was given, absolute and canonical
**       length bytes: the path, starting with '/', no NUL byte
**     }
**     u64      xxh64 (seed 0) of all bytes above
**
**   deletion file (format version 2):
**     8 bytes  magic "IXDELET1"
**     u32      format version
**     u32      documents in the segment
**     u64      segment id
**     u64      generation
**     u64      index id (as the manifest's)
**     u32      count
**     u32      reserved, 0
**     count x u32  deleted document numbers, strictly ascending, < documents
**     u64      xxh64 of all bytes above
**
** All integers little-endian (common.h helpers).
*/
#ifndef INDAGA_MANIFEST_H
#define INDAGA_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include "common/common.h"

#define IX_FORMAT_VERSION 2u
#define IX_PREV_KEPT      1u      /* manifest flags: the previous generation is kept */
#define IX_ROOT_MAX       4096u   /* bytes of one root path at most */

typedef struct ix_seg_entry {
  uint64_t id;            /* segment id: file seg-<id>.seg */
  uint64_t del_gen;       /* its deletion file seg-<id>.del.<del_gen>, 0 for none */
  uint32_t ndoc;          /* documents in the segment */
  uint32_t npara;         /* paragraphs in the segment */
  uint64_t total_len;     /* sum of paragraph lengths, all paragraphs */
  uint32_t ndeleted;      /* documents listed in the deletion file */
  uint64_t seg_gen;       /* the generation that wrote the segment (its footer's) */
} ix_seg_entry;

typedef struct ix_manifest {
  uint64_t generation;
  uint64_t next_seg_id;
  ix_seg_entry *segs;     /* owned */
  size_t nsegs;
  uint64_t index_id;      /* nonzero */
  uint64_t prev_gen;      /* the generation this one was committed upon, 0 for none */
  uint32_t flags;         /* IX_PREV_KEPT */
  char **roots;           /* nroots absolute canonical paths (owned, each NUL-terminated) */
  size_t nroots;
} ix_manifest;

/* File names, fresh strings (NULL on allocation failure). */
char *ix_manifest_path(const char *dir, uint64_t gen);
char *ix_seg_path(const char *dir, uint64_t id);
char *ix_del_path(const char *dir, uint64_t id, uint64_t gen);

/*
** Parse manifest bytes p[0..n) read from file @name, expected to hold
** generation @gen. INDAGA_OK, INDAGA_ECORRUPT (message names @name and what
** is wrong), INDAGA_EVERSION or INDAGA_ENOMEM.
*/
int ix_manifest_parse(ix_manifest *m, const char *name, uint64_t gen,
                      const unsigned char *p, size_t n, char **errmsg);
/* Read manifest.<gen> of @dir. Also INDAGA_ENOTFOUND when it is gone, EIO. */
int ix_manifest_read(ix_manifest *m, const char *dir, uint64_t gen, char **errmsg);
/*
** Write manifest.<m->generation> durably: temp file, fsync, rename, fsync
** the directory. On failure nothing named manifest.<N> exists unless the
** rename itself happened; returns the os.c status (ENOSPC, EIO, ENOMEM).
*/
int ix_manifest_write(const ix_manifest *m, const char *dir, char **errmsg);
/*
** ix_manifest_write after the files a commit renamed into @dir: the
** directory is fsynced (so they are durable before the manifest can be)
** while the manifest's temp file is, on another thread; then the rename
** and the directory fsync. The same statuses.
*/
int ix_manifest_publish(const ix_manifest *m, const char *dir, char **errmsg);
void ix_manifest_clear(ix_manifest *m);   /* frees segs and roots; accepts a zeroed one */
/* Replace @m's roots by copies of @roots[0..n). INDAGA_OK or INDAGA_ENOMEM (roots unchanged). */
int  ix_manifest_set_roots(ix_manifest *m, const char *const *roots, size_t n);
/* A deep copy of @src into @dst. INDAGA_OK or INDAGA_ENOMEM (@dst zeroed). */
int  ix_manifest_copy(ix_manifest *dst, const ix_manifest *src);

/*
** The generations of every file named manifest.<N> in @dir, descending,
** in a fresh array (*gens, free with indaga__free). INDAGA_OK with *n == 0
** when there are none; INDAGA_ENOTFOUND when @dir does not exist.
*/
int ix_manifest_list(const char *dir, uint64_t **gens, size_t *n, char **errmsg);

/*
** Whether manifest @m, the newest valid one among the generations
** @gens[0..n) on disk in @dir, is the newest committed. Two things show a
** later generation whose manifest is missing: a generation @m keeps as its
** predecessor (IX_PREV_KEPT) is gone (only a later commit removes it); or a
** file of a later generation is there (a segment whose id is not below
** @m's next id, a deletion file of a later generation) and no pending.<G>
** mark says a writer is writing, or crashed writing, generation G > @m's.
** NULL when nothing is amiss, else a fresh message saying what.
*/
char *ix_gap_note(const char *dir, const ix_manifest *m, const uint64_t *gens, size_t n);

/*
** pending.<G>: written (temp, rename, directory fsync; its bytes are not
** fsynced, as its name alone counts) by a writer
** before the first file of generation G, removed after the commit of G (or
** after the files of a failed attempt), last: it tells a reader that files
** of generation G without manifest.<G> are a commit under way or a
** crashed one's leftovers, not a deleted manifest. Its bytes: "IXPENDG1",
** u64 G, u64 xxh64 of the bytes before it (the name alone is what counts).
*/
char *ix_pending_path(const char *dir, uint64_t gen);
int ix_pending_mark(const char *dir, uint64_t gen, char **errmsg);

/*
** Read deletion file seg-<id>.del.<gen> of a segment with @ndoc documents,
** of index @index_id. *docs receives the ascending document numbers (free
** with indaga__free). INDAGA_OK, INDAGA_ENOTFOUND, INDAGA_ECORRUPT (naming
** the file; also when it belongs to another index), EIO, ENOMEM.
*/
int ix_del_read(const char *dir, uint64_t index_id, uint64_t id, uint64_t gen, uint32_t ndoc,
                uint32_t **docs, uint32_t *count, char **errmsg);
/* Write a deletion file (temp, fsync, rename; the caller fsyncs the directory). */
int ix_del_write(const char *dir, uint64_t index_id, uint64_t id, uint64_t gen, uint32_t ndoc,
                 const uint32_t *docs, uint32_t count, char **errmsg);

/**************************************************************************
** A string -> u64 hash map with borrowed keys (the caller keeps each key's
** bytes alive as long as the map). Used for document ids by the snapshot
** (keys point into the segment mappings) and by the writer.
*/
typedef struct ix_map_slot {
  const char *k;
  size_t nk;
  uint64_t h;
  uint64_t v;
} ix_map_slot;

typedef struct ix_map {
  ix_map_slot *slots;
  size_t cap;           /* power of two, or 0 */
  size_t n;
} ix_map;

/* Insert or overwrite. INDAGA_OK or INDAGA_ENOMEM. */
int  ix_map_put(ix_map *m, const char *k, size_t nk, uint64_t v);
/* 1 and *v when present, else 0. */
int  ix_map_get(const ix_map *m, const char *k, size_t nk, uint64_t *v);
void ix_map_free(ix_map *m);

/**************************************************************************
** What snapshot.c offers the writer, indaga_check and the stats call beyond
** segment.h.
*/
typedef struct ix_snapshot ix_snapshot;

/* Open generation @gen exactly (not the newest). Errors as ix_snapshot_open. */
int ix_snapshot_open_gen(ix_snapshot **out, const char *dir, uint64_t gen, char **errmsg);
/* The manifest the snapshot was opened from (borrowed). */
const ix_manifest *ix_snapshot_manifest(const ix_snapshot *s);
/*
** What opening the snapshot noticed about newer generations (snapshot.c):
** a newer manifest that is damaged, a missing one, so that the snapshot is
** not the newest generation committed; NULL when nothing (borrowed).
*/
const char *ix_snapshot_note(const ix_snapshot *s);
/* Bytes on disk of the snapshot's files (manifest, segments, deletion files). */
uint64_t ix_snapshot_bytes(const ix_snapshot *s);
/* Live documents. */
uint64_t ix_live_docs(const ix_snapshot *s);
/* The deleted-document numbers of segment @seg, ascending (borrowed), and their count. */
const uint32_t *ix_deleted_docs(const ix_snapshot *s, size_t seg, uint32_t *count);

#endif /* INDAGA_MANIFEST_H */
