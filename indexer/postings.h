/*
** postings.h: the postings codec of a segment (indexer/format.h, sections
** POSTINGS and POSITIONS): one term's list of (paragraph id, tf, positions)
** encoded in blocks of SEG_BLOCK with a block directory, and the cursor that
** reads it back (the seg_cursor_* calls of segment.h are implemented here).
**
** Encoding is for trusted, in-memory input (the builder and merge): it
** asserts its preconditions. Decoding trusts nothing: every read is checked
** against an explicit end pointer, and malformed bytes give INDAGA_ECORRUPT.
*/
#ifndef INDAGA_POSTINGS_H
#define INDAGA_POSTINGS_H

#include <stddef.h>
#include <stdint.h>
#include "common/common.h"
#include "indexer/segment.h"

/* Summary of an encoded list, for the term's dictionary entry. */
typedef struct pst_stats {
  uint32_t df;        /* postings */
  uint32_t max_tf;    /* over the list */
  uint32_t min_len;   /* over the list */
  uint32_t last_doc;  /* the last paragraph id */
  uint64_t cf;        /* sum of tf */
} pst_stats;

/*
** Append one list to @post (directory + blocks) and its positions to @posb.
** docs[0..n) strictly ascending, tfs[i] >= 1, lens[i] the length of
** paragraph docs[i], pos the concatenated positions (tfs[i] ascending values
** for docs[i]); n >= 1. Fills *st. Returns INDAGA_OK, or INDAGA_ENOMEM (then
** the buffers' contents are unspecified), or INDAGA_ERROR when a block or
** its positions would exceed the 32-bit offsets of the directory.
*/
int pst_encode(ia_buf *post, ia_buf *posb, const uint32_t *docs, const uint32_t *tfs,
               const uint32_t *lens, const uint32_t *pos, uint32_t n, pst_stats *st);

/*
** The same with the positions already encoded and appended by the caller
** (the builder holds them as the same varints): only the directory and the
** blocks go to @post; posoff[b] is where block b's positions start, counted
** from the list's first positions byte (posoff[0] == 0). Returns as
** pst_encode; INDAGA_ERROR also when an offset passes 32 bits.
*/
int pst_encode_ids(ia_buf *post, const uint32_t *docs, const uint32_t *tfs, const uint32_t *lens,
                   const uint64_t *posoff, uint32_t n, pst_stats *st);

/*
** pst_encode_ids a block at a time, for a list too long to hold whole (a
** merge): pst_encode_begin with the list's length @n, then
** pst_encode_block for each block in order, SEG_BLOCK postings but the
** last (the rest), @posoff where the block's positions start. The bytes
** are those of pst_encode_ids. INDAGA_EMISUSE for a block of the wrong
** size or one too many; else as pst_encode_ids.
*/
typedef struct pst_enc {
  size_t dir_at, data_at;
  uint32_t n, nblocks, b, prev;
} pst_enc;
int pst_encode_begin(pst_enc *e, ia_buf *post, uint32_t n, pst_stats *st);
int pst_encode_block(pst_enc *e, ia_buf *post, const uint32_t *docs, const uint32_t *tfs,
                     const uint32_t *lens, uint32_t m, uint64_t posoff, pst_stats *st);

/* Where a list lives and what its dictionary entry says about it. */
typedef struct pst_list {
  const unsigned char *post;      /* the list's first byte */
  const unsigned char *post_end;  /* end of the POSTINGS section */
  const unsigned char *pos;       /* the list's first positions byte */
  const unsigned char *pos_end;   /* end of the POSITIONS section */
  uint32_t df;
  uint32_t last_doc, max_tf, min_len;   /* used when df <= SEG_BLOCK */
  uint32_t limit;                 /* every id must be < limit (npara) */
} pst_list;

/*
** Open @c on @l, positioned on the first posting (c->doc). @r is the reader
** the cursor reports against (may be NULL). Returns INDAGA_OK, or
** INDAGA_ECORRUPT when the list's first block is malformed (the cursor is
** then closed-safe and exhausted).
*/
int pst_cursor_open(seg_cursor *c, const seg_reader *r, const pst_list *l);

/*
** The current posting's positions as the bytes they are stored as (for
** merge, which copies them): checked as seg_cursor_positions checks them.
** INDAGA_OK (*raw, *nraw set), 1 when a varint is not in its shortest
** form (decode and encode them instead, so the output is canonical),
** INDAGA_EMISUSE or INDAGA_ECORRUPT.
*/
int pst_cursor_positions_raw(seg_cursor *c, const unsigned char **raw, size_t *nraw);

#endif /* INDAGA_POSTINGS_H */
