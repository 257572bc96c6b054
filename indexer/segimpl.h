/*
** segimpl.h: internals shared by the segment files (segsink.c, segbuild.c,
** segread.c, segverify.c, segmerge.c); nothing outside them includes it.
**
**   segsink   turns documents, paragraphs, terms and vocabulary entries,
**             given in final order, into a segment file (format.h). Both the
**             builder (seg_builder_write) and seg_merge feed one.
**   seg_reader the mapped file and its section table, plus iterators over
**             the dictionary and vocabulary in sorted order, for merge and
**             verify.
*/
#ifndef INDAGA_SEGIMPL_H
#define INDAGA_SEGIMPL_H

#include "common/common.h"
#include "common/os.h"
#include "indexer/format.h"
#include "indexer/segment.h"
#include "indexer/postings.h"

struct seg_reader {
  os_map map;
  char *name;                          /* the path, for messages */
  const unsigned char *sec[SEGF_NSECT];
  size_t nsec[SEGF_NSECT];
  uint32_t npara, ndoc;
  uint64_t nterms, nkeys, total_len;
  seg_stamp stamp;                     /* the footer's index id and generation */
  uint64_t ndictblk, nvocabblk, nparachunk, ntextblk;
  uint64_t sechash[SEGF_NSECT];        /* the footer's section checksums */
  _Atomic int whole_ok;                /* the whole-file checksum was verified (on open, or later by
                                          seg__checksum): reads skip their chunk checks */
  uint64_t chunk0[SEGF_NSECT];         /* first CHECKS entry of each chunked section */
  _Atomic signed char *chunkok;        /* per CHECKS entry: 0 unchecked, 1 good, -1 bad */
  struct seg_fields *_Atomic fields;   /* the fields as columns, read on first use (segfields.c) */
};

/* seg_open checksums files up to this size whole; larger ones, see segread.c. */
#define SEG_FULL_CHECK_MAX ((size_t)8 << 20)

/*
** Checks hash a large file or section SEG_HASH_PIECE bytes at a time, the
** pages of each piece dropped once hashed (seg__hash): so they do not make
** it resident whole (opening the segment of a compacted 4 GB index touched
** 250 MB of index sections at once); the bytes stay in the page cache.
*/
#define SEG_HASH_PIECE ((size_t)16 << 20)
/* XXH3 of p[0..n), bytes of @r's map, dropping their pages as it goes. */
uint64_t seg__hash(const seg_reader *r, const unsigned char *p, size_t n);
/* Verify the XXH3 checksum of the whole file, and once it matches, spare the reads that follow
   their chunk checks (whole_ok). INDAGA_OK or INDAGA_ECORRUPT. */
int seg__checksum(const seg_reader *r, char **errmsg);
/*
** Before reading bytes [off, off + len) of chunked section @sec (format.h,
** SEGF_CHUNKED; clamped to the section): verify the chunks they touch
** against CHECKS, each once per reader (the answer is remembered; threads
** may race to compute it, harmlessly). A no-op when the whole file was
** checksummed on open. INDAGA_OK or INDAGA_ECORRUPT.
*/
int seg__range_check(const seg_reader *r, int sec, uint64_t off, uint64_t len);
/* 1 when section @sec matches its footer checksum (a chunked section: its
** CHECKS entries do), else 0. */
int seg__section_ok(const seg_reader *r, int sec);
/* 1 when chunk @c of chunked section @sec matches its CHECKS entry, else 0. */
int seg__chunk_ok(const seg_reader *r, int sec, uint64_t c);

/* Set *errmsg (when not NULL) to "<name>: <fmt...>" and return INDAGA_ECORRUPT. */
int seg__corrupt(const seg_reader *r, char **errmsg, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

/**************************************************************************
** The sink (segsink.c). Call order: segsink_doc/segsink_para for every
** document and its paragraphs, then segsink_open, segsink_term_enc for
** every term in bytewise order, segsink_vocab for every (key, term) in (key,
** term) order, then segsink_finish. Every call returns INDAGA_OK or a
** status; after an error the sink only accepts segsink_free.
*/
typedef struct segsink segsink;
int  segsink_new(segsink **out);
void segsink_free(segsink *s);     /* removes a half-written temporary file */
void segsink_abort(segsink *s);    /* the same, now: close and remove the temporary file */
/* Start document ndoc, piece @piece of its id (@more: another piece follows);
** @meta and @parts are already encoded as in format.h. */
int  segsink_doc(segsink *s, const char *id, size_t nid, uint32_t piece, int more,
                 uint64_t size, int64_t mtime_ns,
                 uint64_t hash, const unsigned char *meta, size_t nmeta,
                 const unsigned char *parts, size_t nparts_bytes, uint32_t nparts);
/* The current document's fields are those of document @did of segment @r
** (its fields @f, open until segsink_finish): mapped, not derived
** from its metadata (segfields.h, sf_enc_doc_from: only for every document
** of @r, in order). */
int  segsink_doc_fields(segsink *s, const seg_reader *r, const struct seg_fields *f, uint32_t did);
/* Add a paragraph to the current document. */
int  segsink_para(segsink *s, uint32_t part, uint32_t ordinal, uint32_t len, int heading,
                  uint64_t src_start, uint64_t src_end, const char *label, size_t nlabel,
                  const char *text, size_t ntext);
uint32_t segsink_npara(const segsink *s);
uint32_t segsink_ndoc(const segsink *s);
/* npara lengths, for min_len; NULL in a spilling sink (segsink_spill) */
const uint32_t *segsink_para_lens(const segsink *s);
size_t segsink_mem(const segsink *s);
/* Hold at most about @limit bytes of each section written after the
** postings (PARA, PARA_LEN, TEXT, POSITIONS, DICT, VOCAB) in memory,
** spilling the rest to scratch files named after @path, the segment's
** (spool.h). Call before the first document; without it nothing is
** spilled (a builder). segsink_term_enc then needs its @lens. */
int  segsink_spill(segsink *s, const char *path, size_t limit);
/* s's status; on failure, when *errmsg is empty, the message of a failed
** scratch file, if any, moves to *errmsg. */
int  segsink_status(segsink *s, char **errmsg);
/* Compress text blocks on a thread of the sink's own from now on (before any
** paragraph; the file's bytes are unchanged). INDAGA_OK also when no thread
** could be started (then it stays synchronous). */
int  segsink_async(segsink *s);
/* The memory of that thread's ring of blocks (an estimate: its buffers are the thread's), not in segsink_mem. */
size_t segsink_async_mem(void);
/* The index id and generation the footer records (zero when never called). */
void segsink_stamp(segsink *s, const seg_stamp *st);
int  segsink_open(segsink *s, const char *path, char **errmsg);
/* Room for @n bytes of positions at once (no doubling as they come). */
int  segsink_reserve_positions(segsink *s, size_t n);
/* Where a list's positions can be written in place: room for @n bytes and
** 8 more past them at the end of the positions section; NULL on failure
** (ENOMEM, sticky in the sink). */
unsigned char *segsink_positions_tail(segsink *s, size_t n);
/* Add term @t's list (@df ids with their tfs), its positions already
** encoded as pst_encode writes them: pos[0..npos), block b's starting at
** posoff[b] (pst_encode_ids). When pos
** is what segsink_positions_tail returned, they are taken in place; when
** pos is NULL, they are the last @npos bytes given to segsink_positions_add
** (in pieces as they come, so a merge need not gather them). @lens,
** when not NULL, are the paragraphs' lengths (segsink_para_lens of each
** id, gathered by a caller that walks the ids anyway). */
int  segsink_term_enc(segsink *s, const char *t, size_t n, const uint32_t *docs, const uint32_t *tfs,
                      const uint32_t *lens, uint32_t df, const unsigned char *pos, size_t npos, const uint64_t *posoff,
                      char **errmsg);
/*
** segsink_term_enc a block at a time, for a list too long to hold whole (a
** merge): segsink_term_begin with its length @df, then for each block in
** order (SEG_BLOCK postings but the last) its positions by
** segsink_positions_add and segsink_term_block (@posoff: where its
** positions start from the list's first), then segsink_term_end. The
** bytes are those of segsink_term_enc.
*/
int  segsink_term_begin(segsink *s, uint32_t df);
int  segsink_term_block(segsink *s, const uint32_t *docs, const uint32_t *tfs, const uint32_t *lens,
                        uint32_t m, uint64_t posoff);
int  segsink_term_end(segsink *s, const char *t, size_t n, char **errmsg);
/* Append @n bytes of the next term's positions (see segsink_term_enc). */
int  segsink_positions_add(segsink *s, const void *p, size_t n);
int  segsink_vocab(segsink *s, const char *k, size_t nk, const char *t, size_t nt);
/* Write the remaining sections and the footer, fsync and rename into place. */
int  segsink_finish(segsink *s, char **errmsg);

/* Encoding helpers shared with the builder and merge. */
void seg__put_label(ia_buf *b, const char *p, size_t n, int present);

/**************************************************************************
** Dictionary and vocabulary iteration (segread.c).
*/
typedef struct seg_dict_iter {
  const seg_reader *r;
  uint64_t i;                /* terms returned so far */
  const unsigned char *p, *end;
  ia_buf term;               /* the current term */
  seg_term t;                /* its entry */
} seg_dict_iter;
/* Iterators read blocks back to back from the first and check that the
** block index agrees; at the end it->p is where the section's data ends. */
void seg_dict_iter_init(seg_dict_iter *it, const seg_reader *r);
/* 1: it->term/it->t hold the next term; 0: done; <0 status (ECORRUPT, ENOMEM). */
int  seg_dict_iter_next(seg_dict_iter *it);
void seg_dict_iter_free(seg_dict_iter *it);

typedef struct seg_vocab_iter {
  const seg_reader *r;
  uint64_t i;                /* keys returned so far */
  const unsigned char *p, *end;
  ia_buf key;                /* the current key */
  ia_buf terms;              /* its terms, back to back */
  size_t *toff;              /* nterms + 1 offsets into terms */
  size_t nterms, cap;
  int seq;                   /* reading from the start: blocks must be back to back */
  int keys_only;             /* the terms are checked but not kept (nterms 0) */
} seg_vocab_iter;
void seg_vocab_iter_init(seg_vocab_iter *it, const seg_reader *r);
int  seg_vocab_iter_next(seg_vocab_iter *it);
void seg_vocab_iter_free(seg_vocab_iter *it);

/* A decoded paragraph record with where its text is. */
typedef struct seg_para_rec {
  seg_para p;
  uint32_t tblk, toff, tlen;  /* text block, offset and length in it */
} seg_para_rec;

/*
** State for reading paragraphs in order (merge, verify): the last
** decompressed text block, and the record after the last one read, so the
** next paragraph of a chunk costs one record instead of the chunk's prefix.
*/
typedef struct seg_text_cache {
  uint64_t blk;              /* cached block + 1, 0 = none */
  ia_buf raw;
  uint32_t next;             /* pid + 1 of the paragraph in rec, 0 = none */
  const unsigned char *pp;   /* the record after it */
  seg_para_rec rec;
} seg_text_cache;
/*
** Read paragraph @pid: its record in *out (may be NULL) and its text in *p,
** *n, valid until @tc's next use. INDAGA_OK, INDAGA_ENOTFOUND, ECORRUPT or ENOMEM.
*/
int seg__para_read(const seg_reader *r, uint32_t pid, seg_text_cache *tc, seg_para *out,
                   const char **p, size_t *n);
/* The same, text only. */
int seg__para_text_ref(const seg_reader *r, uint32_t pid, seg_text_cache *tc,
                       const char **p, size_t *n);

/* Where term @t's postings and positions live, for pst_cursor_open. */
void seg__term_list(const seg_reader *r, const seg_term *t, pst_list *out);

#endif /* INDAGA_SEGIMPL_H */
