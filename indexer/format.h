/*
** format.h: the normative grammar of an indaga segment file (doc/format.md
** says the same for people). Every integer is little-endian and read only
** through common.h (get_u32, get_u64, get_varint); "varint" is LEB128.
** Offsets named "abs" are from the start of the file; every other offset is
** relative to the start of the section it points into.
**
** FILE
**     header   (SEGF_HEADER_SIZE = 16 bytes)
**         8 bytes  magic "indagaSG"
**         u32      format version (SEGF_VERSION)
**         u32      flags (0; a reader rejects unknown bits with EVERSION)
**     sections, in the order of the section ids below, each starting where
**       the previous one ends (the footer lists offset and length of each)
**     footer   (SEGF_FOOTER_SIZE bytes, the last bytes of the file)
**         u32      number of sections (SEGF_NSECT)
**         SEGF_NSECT times { u64 abs offset, u64 length }
**         SEGF_NSECT times u64 XXH3_64bits of the section's bytes; for the
**                  sections CHECKS covers (SEGF_CHUNKED), of their CHECKS
**                  entries instead
**         u32      npara (paragraphs)
**         u32      ndoc (documents)
**         u64      nterms (distinct terms)
**         u64      nkeys (distinct vocabulary keys)
**         u64      total_len (sum of paragraph lengths)
**         u64      index id: the index the segment belongs to (random,
**                  made when the index was created; manifest.h)
**         u64      generation: the generation whose commit wrote the file
**                  (the manifests listing it record the same; manifest.h)
**         u32      format version (again)
**         u32      footer size
**         u64      footer checksum: XXH3_64bits of the footer's bytes before it
**         u64      checksum: XXH3_64bits of every byte of the file before it
**         8 bytes  magic "indagaFT"
**     A reader checks, in order: header magic, footer magic and checksum
**     (ECORRUPT), then the versions (EVERSION: other than SEGF_VERSION),
**     then section bounds. A reader may defer the whole-file checksum of a large file (segread.c):
**     it then checks each section's own checksum before it first reads the
**     section. A verifier and a merge check the whole file and every section.
**
** SECTION POSTINGS: for each term in dictionary order, its postings list
**     if nblocks > 1: a block directory, nblocks times (36 bytes each):
**         u32 last paragraph id of the block
**         u32 max tf in the block
**         u32 min paragraph length in the block
**         u32 offset of the block's data, from the end of the directory
**         u32 offset of the block's positions, from the term's positions start
**         SEG_IMPACTS (4) times u16 tf, u16 length: the block's impacts,
**             steps with tf and length ascending, unused ones (0, 0) at the
**             end, at least one used: every posting of the block has
**             tf <= tf_j and paragraph length >= length_j for some step j.
**             A tf of 0xffff stands for the block's max tf; a length above
**             0xffff is stored as 0xffff. The writer stores the Pareto
**             frontier of the block's (tf, length), neighbours merged into
**             (the larger tf, the smaller length) while more than 4.
**     then nblocks blocks, nblocks = ceil(df / SEG_BLOCK); every block holds
**     SEG_BLOCK postings but the last, which holds the rest (n):
**         u8  bd: bits per id gap (0..32)
**         u8  bt: bits per tf (0..32)
**         ceil(n * bd / 8) bytes: n values id[i] - id[i-1] - 1, where id[-1]
**             is the previous block's last id, or -1 for the first block
**         ceil(n * bt / 8) bytes: n values tf[i] - 1
**       Values are packed LSB first: value i occupies bits [i*w, (i+1)*w) of
**       the little-endian bit string. Ids are thus strictly ascending; they
**       must be < npara and end on the directory's (or dictionary's) last id.
**     A single-block list has no directory: its last id, max tf and min
**     length are in its dictionary entry.
**
** SECTION POSITIONS: for each term, for each of its postings in order, tf
**     varints: the first position, then (position - previous - 1). Positions
**     are strictly ascending and < the paragraph's length.
**
** SECTION DICT: the terms, sorted bytewise, in blocks of SEGF_DICT_BLOCK:
**     each term: varint shared prefix length with the previous term of the
**                block (0 for the first), varint suffix length, suffix bytes,
**                varint df, varint cf - df, varint max_tf - 1, varint min_len,
**                varint postings offset, varint positions offset (both from
**                their section start; for all but the first term of a block
**                as the difference from the previous term's offset),
**                and if df <= SEG_BLOCK: varint last paragraph id
** SECTION DICT_IDX: u32 offset of each DICT block (ceil(nterms/16) entries)
**
** SECTION VOCAB: (key, terms) sorted bytewise by key, in blocks of
**     SEGF_VOCAB_BLOCK keys: varint shared prefix with the previous key of the
**     block, varint suffix length, suffix, varint nterms (>= 1), then nterms
**     times { varint prefix shared with the key, varint suffix length, suffix }
**     in ascending term order. Every term is in DICT.
** SECTION VOCAB_IDX: u32 offset of each VOCAB block
**
** SECTION PARA: paragraph records in chunks of SEGF_PARA_CHUNK; a record is
**     coded against the previous record of its chunk (none for the first):
**     varint doc (the first: absolute; others: difference from the previous)
**     varint part, varint ordinal, varint flags (1 = heading),
**     varint src: the source start; when the doc is unchanged (not for the
**         first), the zigzag-coded difference start - previous source end
**     varint src_end - src_start,
**     varint label (length + 1, or 0 for no label), label bytes,
**     text: the first: varint block, varint offset in the block's text;
**           others: varint block - previous block; when 0 the offset is the
**           previous offset + previous length, else 0
**     varint text length
** SECTION PARA_IDX: u32 offset of each PARA chunk
** SECTION PARA_LEN: npara times u32 paragraph length in tokens (positions)
**
** SECTION DOCS: document records, each:
**     varint id length, id bytes, varint piece, varint piece flags,
**     varint first_para, varint npara,
**     varint nparts, varint size, u64 mtime_ns (two's complement), u64 hash,
**     varint meta length, meta bytes, varint parts length, parts bytes
**   piece: 0 for a document indexed whole; a source file larger than a piece
**     (indexer/docmodel_stream.c) is indexed as pieces 0..n-1, each a record with
**     the same id, possibly in different segments. piece flags: bit 0
**     (SEGF_PIECE_MORE) set when piece + 1 exists; other bits are 0.
**     size, mtime_ns and hash are the whole file's in every piece; meta is
**     the document's (the same in every piece); nparts counts the parts
**     begun up to the end of this piece, and parts labels those its
**     paragraphs are in (earlier parts are stored unlabelled: a reader
**     joins the labels of all pieces).
**   meta:  zero or more { varint nk, key, varint nv, value }
**   parts: nparts-1 labels (parts 1..): varint (length + 1, or 0 for none), bytes
**   Documents cover the paragraphs in order: doc d's first_para is the sum of
**   the npara of docs before it, and every paragraph's doc agrees.
** SECTION DOC_IDX: ndoc times u64 offset of each record in DOCS
** SECTION DOC_SORT: ndoc times u32 document number, sorted by (id bytewise,
**     piece) ((id, piece) pairs are unique)
**
** SECTION TEXT: zstd frames (with content size), one per text block, back
**     to back. A frame may carry zstd's XXH64 content checksum (segments
**     of indaga 0.1.0 do; zstd verifies it when present), but
**     need not: CHECKS covers the section's bytes.
** SECTION TEXT_IDX: per block: u64 offset in TEXT, u32 compressed length,
**     u32 decompressed length. A block holds the display text of consecutive
**     paragraphs (SEGF_TEXT_BLOCK bytes or more, except the last), each
**     paragraph wholly inside one block.
**
** SECTION CHECKS: for each of POSTINGS, POSITIONS, PARA and TEXT in that
**     order, ceil(length / SEGF_CHECK_CHUNK) times u64: XXH3_64bits of the
**     section's bytes [i * SEGF_CHECK_CHUNK, (i + 1) * SEGF_CHECK_CHUNK)
**     (the last chunk may be shorter). A reader of a large file verifies the
**     chunks it is about to read (segread.c).
**
** SECTION FIELDS (version 7): the documents' fields as columns (segfields.h;
**     derived from DOCS as segfields_enc.c says, and equal to that derivation):
**     u32 nfields
**     ndoc + 1 times u32: each document's first paragraph, then npara
**     ndoc times u32: the document's date, yyyymmdd (yyyy0000 for a year
**         only, 0 for none)
**     nfields times u32: the offset of each field record, the first right
**         after this table, each record running to the next (the last to
**         the section's end); fields in order of first appearance
**     field record:
**         u32 name length, the folded name (no 0 byte), a 0 byte
**         u32 nv (distinct values), u32 np (documents with a value)
**         u8 w: bytes of a value id, 1 when nv < 2^8, 2 when nv < 2^16, else 4
**         u8 layout: 1 sparse when np * (4 + w) < ndoc * w, else 0 dense
**         u16 0
**         nv + 1 times { u32 offset in the strings, u32 folded length }: the
**             values 1..nv in order of first appearance, then { strings
**             length, 0 }; offsets ascending from 0
**         u32 strings length, strings: per value its folded bytes, a 0 byte,
**             its first spelling (empty when equal to the folded bytes), a 0
**             byte, up to the next value's offset
**         dense: ndoc times a w-byte value id (0: the document lacks the field)
**         sparse: np times { u32 document, w-byte value id >= 1 }, documents
**             ascending
*/
#ifndef INDAGA_FORMAT_H
#define INDAGA_FORMAT_H

#define SEGF_MAGIC        "indagaSG"
#define SEGF_FOOTER_MAGIC "indagaFT"
#define SEGF_VERSION      7u
#define SEGF_PIECE_MORE   1u       /* DOCS piece flags: another piece follows */
#define SEGF_HEADER_SIZE  16u

enum {
  SEC_POSTINGS, SEC_POSITIONS, SEC_DICT, SEC_DICT_IDX, SEC_VOCAB, SEC_VOCAB_IDX,
  SEC_PARA, SEC_PARA_IDX, SEC_PARA_LEN, SEC_DOCS, SEC_DOC_IDX, SEC_DOC_SORT,
  SEC_TEXT, SEC_TEXT_IDX, SEC_CHECKS, SEC_FIELDS,
  SEGF_NSECT
};

#define SEGF_FOOTER_SIZE  (4u + 24u * SEGF_NSECT + 4u + 4u + 8u + 8u + 8u + 8u + 8u + 4u + 4u + 8u + 8u + 8u)
#define SEGF_FOOTER_TAIL  32u      /* the footer's last bytes, the same in every version: version .. magic */
#define SEGF_DICT_BLOCK   16u      /* terms per dictionary block */
#define SEGF_VOCAB_BLOCK  16u      /* keys per vocabulary block */
#define SEGF_PARA_CHUNK   32u      /* paragraph records per chunk */
#define SEGF_TEXT_BLOCK   (16u * 1024u) /* target decompressed text block size: small, so a snippet decompresses little */
#define SEGF_SKIP_SIZE    36u      /* bytes per block directory entry */
#define SEGF_TEXT_LEVEL   1        /* zstd level of stored text */
#define SEGF_TEXT_HASHLOG 16       /* and its hash log (the default at 16 KiB is 15: 16 is ~10% faster, 0.5% smaller) */
#define SEGF_TEXT_MINMATCH 7       /* and its shortest match (default 5: 7 is ~5% faster, 1.2% larger) */
#define SEGF_CHECK_CHUNK  (64u * 1024u) /* bytes per chunk checksum of CHECKS */
/* The sections CHECKS covers chunk by chunk, in its order. */
#define SEGF_CHUNKED(sec) ((sec) == SEC_POSTINGS || (sec) == SEC_POSITIONS || (sec) == SEC_PARA || (sec) == SEC_TEXT)

#endif /* INDAGA_FORMAT_H */
