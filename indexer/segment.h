/*
** segment.h: reading an index (DESIGN.md, "The on-disk index").
**
** An index directory holds immutable segments and manifests; a snapshot
** (ix_snapshot) is one generation: the manifest's segment list, each segment
** mmapped (seg_reader), and each segment's deleted-paragraph set as of that
** generation. The query engine reads only through this header.
**
** Paragraph ids are segment-local, 0..seg_npara()-1, in document order: the
** paragraphs of one document are contiguous. Document ids likewise.
** Segments in a snapshot are ordered oldest first; "document order" across
** the index is (segment index, paragraph id).
**
** Every function that reads bytes from disk returns INDAGA_ECORRUPT (with a
** message naming the file and offset, see seg_errmsg) on malformed data, and
** never asserts on it.
**
** Threading: a snapshot and its readers are immutable after opening and may
** be used from any number of threads. A seg_cursor belongs to one thread.
*/
#ifndef INDAGA_SEGMENT_H
#define INDAGA_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include "common/common.h"

#define SEG_END UINT32_MAX   /* cursor position past the last paragraph */
#define SEG_BLOCK 128        /* postings per block */
#define SEG_IMPACTS 4        /* (tf, length) steps per block (format.h, postings.c) */

typedef struct seg_reader seg_reader;
typedef struct ix_snapshot ix_snapshot;

/*
** What ties a segment to its index: the index's id (random, made when the
** index was created) and the generation whose commit wrote the segment.
** Both are in the segment's footer; the manifest that lists the segment
** must agree (snapshot.c), so a segment copied in from another index, or an
** older file put back under a live segment's name, is refused.
*/
typedef struct seg_stamp {
  uint64_t index_id;
  uint64_t generation;
} seg_stamp;

/**************************************************************************
** Snapshots
*/
/* Open the newest valid generation in @dir. INDAGA_ENOINDEX when none. */
int  ix_snapshot_open(ix_snapshot **out, const char *dir, char **errmsg);
void ix_snapshot_free(ix_snapshot *s);   /* accepts NULL */
uint64_t ix_generation(const ix_snapshot *s);
size_t   ix_nsegs(const ix_snapshot *s);
const seg_reader *ix_seg(const ix_snapshot *s, size_t i);
/* 1 when paragraph @pid of segment @seg is deleted in this snapshot. */
int ix_is_deleted(const ix_snapshot *s, size_t seg, uint32_t pid);
/* 1 when document @did of segment @seg is deleted in this snapshot. */
int ix_doc_deleted(const ix_snapshot *s, size_t seg, uint32_t did);
/* Live paragraphs and the sum of their lengths (tokens), for BM25. */
uint64_t ix_live_paras(const ix_snapshot *s);
uint64_t ix_total_len(const ix_snapshot *s);
/*
** A union: one snapshot over the segments of @members[0..@n) in that order
** (several indexes searched as one), whose counts and lengths are their
** sums, so that every statistic the query engine takes from a snapshot is
** that of the whole. It borrows the members, which must outlive it (their
** segments, deletions and documents are read through it); @labels name
** them (copied). ix_find_doc and ix_find_piece are
** for a member, not a union; its generation is 0 and it has no manifest.
*/
int ix_snapshot_union(ix_snapshot **out, const ix_snapshot *const *members, const char *const *labels,
                      size_t n);
/* Members of a union, 1 for a plain snapshot. */
size_t ix_snapshot_nmembers(const ix_snapshot *s);
/* The member of segment @seg (0 for a plain snapshot), and its label (NULL for a plain snapshot). */
size_t ix_seg_member(const ix_snapshot *s, size_t seg);
const char *ix_seg_label(const ix_snapshot *s, size_t seg);
/*
** Where paragraph @pid of segment @seg stands: *did its document, *rank
** that document's place in the segment's (id, piece) order (seg_doc_sorted),
** from two tables built for the segment on first use (a lookup of the
** document starts by bisection, then one load), so that ordering two
** paragraphs of one segment by document id costs no string. INDAGA_OK,
** INDAGA_ENOMEM, INDAGA_ECORRUPT (the document table disagrees with itself).
*/
int ix_para_place(const ix_snapshot *s, size_t seg, uint32_t pid, uint32_t *did, uint32_t *rank);
/*
** 1 when the snapshot's documents lie in (id, label, piece) order: each
** segment's documents in id order (DOC_SORT the identity) and each
** segment's ids after the ones before it (a fresh index of a sorted walk).
** Then (segment, paragraph) order is the tie order of the query engine
** (query/tie.c), which may compare places instead of ids. Found on the
** first call (one pass over the segments' DOC_SORT), then remembered;
** 0 when it cannot be read.
*/
int ix_snapshot_ordered(const ix_snapshot *s);
/*
** 1 when the documents of segment @seg lie in (id, piece) order (its
** DOC_SORT is the identity), so the tie keys of its paragraphs grow with
** the paragraph. Found on the first call for the segment, then remembered.
*/
int ix_seg_ordered(const ix_snapshot *s, size_t seg);
/*
** Find live document @id: the segment and document number of its piece 0
** (the whole document, unless its file was indexed in pieces). INDAGA_ENOTFOUND if absent.
*/
int ix_find_doc(const ix_snapshot *s, const char *id, size_t *seg, uint32_t *did);
/* The same for piece @piece of @id (a search of each segment's DOC_SORT). */
int ix_find_piece(const ix_snapshot *s, const char *id, uint32_t piece, size_t *seg, uint32_t *did);

/**************************************************************************
** Terms. A term's postings: paragraph ids ascending with term frequencies,
** in blocks of SEG_BLOCK, each block with its last id, max tf and min
** paragraph length (an upper bound of any BM25 contribution in the block).
*/
typedef struct seg_term {
  uint32_t df;            /* paragraphs containing the term */
  uint32_t max_tf;        /* over the whole list (for MaxScore bounds) */
  uint32_t min_len;       /* over the whole list */
  uint64_t cf;            /* total occurrences */
  uint64_t priv[4];       /* reader's own: offsets of postings and positions */
} seg_term;

/* Look up an exact term. 1 found, 0 absent, <0 status. */
int seg_term_get(const seg_reader *r, const char *t, size_t n, seg_term *out);

/*
** The vocabulary maps a key (accent-free lowercase word) to the terms of
** every indexed surface form with that key. Calls cb(ctx, term, nterm) for
** each term of @key; cb returns nonzero to stop. Returns INDAGA_OK or <0.
*/
int seg_vocab_get(const seg_reader *r, const char *key, size_t n,
                  int (*cb)(void *ctx, const char *t, size_t nt), void *ctx);
/* Same, for every key starting with @prefix: cb(ctx, key, nkey, term, nterm). */
int seg_vocab_prefix(const seg_reader *r, const char *prefix, size_t n,
                     int (*cb)(void *ctx, const char *k, size_t nk, const char *t, size_t nt),
                     void *ctx);
/*
** Walk the keys of the vocabularies of segments r[0..n) in order, merged:
** a key held by several segments is given once (for suggestions: an
** automaton over the sorted keys that skips what cannot match, as Lucene's
** FuzzyQuery intersects its terms dictionary). @cb gets each key and
** returns 0 (go on), 1 (stop) or 2 (seek: the next key given is the first
** >= *seek, *nseek bytes, which cb sets and which must stay valid until cb
** is called again; a target in a later block is reached without decoding
** the blocks between). Returns INDAGA_OK or <0 (ECORRUPT, ENOMEM).
*/
typedef int (*seg_key_fn)(void *ctx, const char *k, size_t nk, const char **seek, size_t *nseek);
int seg_vocab_walk(const seg_reader *const *r, size_t n, seg_key_fn cb, void *ctx);
/* Number of distinct terms. */
uint64_t seg_nterms(const seg_reader *r);

/**************************************************************************
** Postings cursors
*/
typedef struct seg_cursor {
  uint32_t doc;           /* current paragraph id, SEG_END when exhausted */
  uint32_t freq;          /* tf in the current paragraph */
  /* reader's own state below */
  const seg_reader *r;
  const unsigned char *blk, *end; /* block directory cursor */
  uint32_t nblocks, iblock;       /* blocks in the list, current block */
  uint32_t ndocs;                 /* docs decoded in current block */
  uint32_t idx;                   /* index within the current block */
  uint32_t docs[SEG_BLOCK];
  uint32_t tfs[SEG_BLOCK];
  uint64_t priv[8];
  uint32_t *pos;                  /* positions buffer (owned) */
  uint32_t npos, cappos;
  int decoded;                    /* current block decoded */
  uint32_t nimp;                  /* seg_cursor_block: the block's impacts, tf ascending */
  uint32_t imp_tf[SEG_IMPACTS], imp_len[SEG_IMPACTS];
} seg_cursor;

/*
** Open @c on @t's postings, positioned on the first posting (c->doc, c->freq).
** Returns INDAGA_OK or INDAGA_ECORRUPT (the cursor is then exhausted).
** Close with seg_cursor_close (it owns the positions buffer).
*/
int  seg_cursor_open(seg_cursor *c, const seg_reader *r, const seg_term *t);
void seg_cursor_close(seg_cursor *c);
/* Advance to the next paragraph. Returns INDAGA_OK (doc may become SEG_END) or <0. */
int  seg_cursor_next(seg_cursor *c);
/* Advance to the first paragraph >= target. */
int  seg_cursor_seek(seg_cursor *c, uint32_t target);
/*
** Hints, for prefetching what a reader will look up for the postings to
** come: the current posting's place in the cursor's decoded block, and the
** paragraph @k postings on when that block holds it (else SEG_END).
*/
static inline uint32_t seg_cursor_in_block(const seg_cursor *c) { return c->idx; }
static inline uint32_t seg_cursor_ahead(const seg_cursor *c, uint32_t k) {
  return c->doc != SEG_END && c->idx + k < c->ndocs ? c->docs[c->idx + k] : SEG_END;
}
/*
** Block-max: move the block pointer (not the cursor) to the block that would
** hold @target without decoding it, and report that block's last paragraph
** id and bounds. Also sets the block's impacts, c->nimp steps (1 to
** SEG_IMPACTS, tf ascending): every posting of the block has tf <=
** c->imp_tf[j] and length >= c->imp_len[j] for some j (a list without a
** directory has one step, its max tf and min length). Returns 0, or 1 when
** no block remains (then *last = SEG_END).
*/
int  seg_cursor_block(seg_cursor *c, uint32_t target, uint32_t *last,
                      uint32_t *max_tf, uint32_t *min_len);
/*
** The postings of the cursor's current block from the cursor on: *ids and
** *tfs (c->doc is (*ids)[0]) and their count, 0 when the cursor is
** exhausted. Valid until the cursor moves; for loops that score a block at
** a time and then move on with seg_cursor_seek. Never fails.
*/
static inline uint32_t seg_cursor_run(const seg_cursor *c, const uint32_t **ids, const uint32_t **tfs) {
  if (c->doc == SEG_END || !c->decoded || c->idx >= c->ndocs) return 0;
  *ids = c->docs + c->idx;
  *tfs = c->tfs + c->idx;
  return c->ndocs - c->idx;
}
/* Positions of the term in the current paragraph, ascending. Valid until the cursor moves. */
int  seg_cursor_positions(seg_cursor *c, const uint32_t **pos, uint32_t *n);

/**************************************************************************
** Paragraph and document tables
*/
typedef struct seg_para {
  uint32_t doc;           /* segment-local document number */
  uint32_t part;          /* 0 body, N annex N */
  uint32_t ordinal;       /* 1-based within the part */
  uint32_t len;           /* tokens, for BM25 */
  int heading;
  uint64_t src_start, src_end;
  const char *label;      /* printed label or NULL; points into the mapping */
  size_t nlabel;
} seg_para;

uint32_t seg_npara(const seg_reader *r);
uint32_t seg_ndoc(const seg_reader *r);
int seg_para_get(const seg_reader *r, uint32_t pid, seg_para *out);
/* Length in tokens of paragraph @pid (hot path for scoring). */
uint32_t seg_para_len(const seg_reader *r, uint32_t pid);
/*
** The same lengths as stored, for loops that read many: seg_npara()
** little-endian u32s, so get_u32(p + 4 * pid) == seg_para_len(r, pid) for
** every pid < seg_npara(). Borrowed from the mapping; never fails.
*/
const unsigned char *seg_para_lens(const seg_reader *r);
/* Append the display text of paragraph @pid to @out (decompressing as needed). */
int seg_para_text(const seg_reader *r, uint32_t pid, ia_buf *out);

/*
** Reading stored text for several paragraphs (snippets of one search): a
** seg_text_reader keeps one zstd decompression context and the last
** decompressed text block, so each read costs no context setup and a
** paragraph in the block read last costs no decompression. It belongs to
** one thread. seg_text_read's text (p, n) is borrowed until the reader's next
** use; it returns INDAGA_OK, INDAGA_ENOTFOUND, INDAGA_ECORRUPT or
** INDAGA_ENOMEM. seg_text_reader_reset forgets the cached block.
*/
typedef struct seg_text_reader seg_text_reader;
int  seg_text_reader_new(seg_text_reader **out);     /* INDAGA_OK or INDAGA_ENOMEM */
void seg_text_reader_free(seg_text_reader *t);       /* accepts NULL */
void seg_text_reader_reset(seg_text_reader *t);
int  seg_text_read(seg_text_reader *t, const seg_reader *r, uint32_t pid, const char **p, size_t *n);

typedef struct seg_doc {
  const char *id; size_t nid;        /* path relative to the indexed root */
  uint32_t piece;                    /* 0, or the piece of a file indexed in pieces */
  int more;                          /* another piece of this id follows */
  uint32_t first_para, npara;        /* its paragraphs */
  uint32_t nparts;                   /* 1 + annexes */
  uint64_t size;                     /* source size, mtime, content hash (xxh64) */
  int64_t mtime_ns;
  uint64_t hash;
  const unsigned char *meta; size_t nmeta;   /* encoded metadata, see seg_doc_meta */
  const unsigned char *parts; size_t nparts_bytes; /* encoded part labels */
} seg_doc;

int seg_doc_get(const seg_reader *r, uint32_t did, seg_doc *out);
/* Metadata field @i of @d (0-based); 1 when it exists, 0 past the end, <0 corrupt. Strings not NUL-terminated. */
int seg_doc_meta(const seg_doc *d, size_t i, const char **k, size_t *nk, const char **v, size_t *nv);
/* Value of field @key of @d, or 0 when absent (1 found). */
int seg_doc_meta_find(const seg_doc *d, const char *key, const char **v, size_t *nv);
/* Label of part @part of @d (0 gives NULL, 1). */
int seg_doc_part_label(const seg_doc *d, uint32_t part, const char **l, size_t *nl);

/*
** Find document @id (p+n): the document number of its lowest piece in this
** segment in *did (piece 0 for a document indexed whole). INDAGA_OK,
** INDAGA_ENOTFOUND when absent, INDAGA_ECORRUPT.
*/
int seg_doc_find(const seg_reader *r, const char *id, size_t n, uint32_t *did);
/* The same for piece @piece of @id exactly. */
int seg_doc_find_piece(const seg_reader *r, const char *id, size_t n, uint32_t piece, uint32_t *did);
/*
** The document number at position @i of the segment's documents sorted by
** (id bytewise, piece) (SECTION DOC_SORT; checked below seg_ndoc when the
** segment was opened), or SEG_END for @i >= seg_ndoc. Never fails.
*/
uint32_t seg_doc_sorted(const seg_reader *r, uint32_t i);
/* Sum of all paragraph lengths of the segment (deleted ones included). */
uint64_t seg_total_len(const seg_reader *r);

/* The segment's index id and generation (its footer's). */
seg_stamp seg_get_stamp(const seg_reader *r);

/* The file name of the segment, for messages. */
const char *seg_name(const seg_reader *r);
/*
** Give the resident pages of @r's mapping back (os_map_drop_pages): the
** writer calls it on a segment it has just written and verified, which it
** reads little of again, so that its pages count against no budget.
*/
void seg_drop_pages(const seg_reader *r);

#endif /* INDAGA_SEGMENT_H */
