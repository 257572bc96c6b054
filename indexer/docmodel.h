/*
** docmodel.h: one input file -> a document: metadata, parts (body and
** annexes) and paragraphs (DESIGN.md, "The data model").
**
** Input is UTF-8 plain text or Markdown, with or without YAML front matter.
** Metadata comes from the front matter where present, otherwise from the UN
** header (symbols, "Distr. general", the date line, "Original: ruso", the
** title line). Part 0 is the body; part N is the Nth annex ("Anexo",
** "Anexo I", "ANEXO 1", "Apéndice ..."), labelled with its heading line.
** A paragraph is a block between blank lines, or a list item / numbered item
** even without blank lines around it; it keeps its printed label, its
** 1-based ordinal within its part, its byte range in the source, and its
** display text (Markdown emphasis, links, escapes and HTML entities removed).
**
** The parser never fails on content: bad input (binary, invalid UTF-8, no
** text) yields warnings, and either a document or DM_SKIP.
*/
#ifndef INDAGA_DOCMODEL_H
#define INDAGA_DOCMODEL_H

#include <stddef.h>
#include <stdint.h>
#include "common/common.h"

typedef struct dm_meta {
  char *key;           /* lowercase field name: symbol, title, date, year, language, ... */
  char *value;
} dm_meta;

typedef struct dm_para {
  uint32_t part;       /* 0 body, N the Nth annex */
  uint32_t ordinal;    /* 1-based within the part */
  char *label;         /* printed label ("3.", "a)", "Artículo 5"), or NULL */
  int heading;         /* nonzero for a heading */
  uint64_t src_start;  /* byte range in the source file */
  uint64_t src_end;
  char *text;          /* display text, NUL-terminated */
  size_t ntext;
} dm_para;

typedef struct dm_doc {
  dm_meta *meta;       /* metadata fields in source order; "symbol", "title",
                          "date" (ISO yyyy-mm-dd), "year", "language" normalised */
  size_t nmeta;
  char **part_labels;  /* nparts entries; [0] is NULL (the body) */
  size_t nparts;
  dm_para *paras;      /* in document order */
  size_t nparas;
  char **warnings;     /* messages about repaired input (e.g. invalid UTF-8) */
  size_t nwarnings;
  int has_front_matter; /* nonzero when the file opened with YAML front matter */
  char *text_block;    /* when non-NULL (a parsed document), one allocation holding
                          every paragraph's text and label; when NULL (a document
                          built by hand), dm_doc_free frees each one */
} dm_doc;

#define DM_SKIP 1      /* dm_parse: the input is not a text document (binary) */

/*
** Parse p[0..n). @name names the file in warnings. On success *out is a new
** document (free with dm_doc_free) and INDAGA_OK is returned. For input that
** is not text, returns DM_SKIP with *why set to a message naming @name
** (free with indaga__free). Returns INDAGA_ENOMEM on allocation failure.
*/
int dm_parse(dm_doc **out, const char *name, const char *p, size_t n, char **why);
void dm_doc_free(dm_doc *d);

/*
** A document parsed in pieces (a file larger than a piece, see docmodel_stream.c).
** The file is cut only where a whole-file parse has no paragraph open (after
** a blank line, when there is one), and dm_cont carries from one piece to
** the next what that parse would carry: the current part and the last
** ordinal given in it, the part labels so far, the count of paragraphs
** (the "first block is a heading" rule), the metadata and whether there was
** front matter. So each piece's paragraphs, labels, parts, ordinals and
** source offsets (absolute in the file) are those of a whole-file parse.
**
** What only piece 0 does: the binary sniff, the byte order mark, front
** matter, the UN header zone (it ends with piece 0), the title and the
** derived metadata (from piece 0's paragraphs). Every piece's dm_doc holds
** the document's metadata (a copy), nparts as at its end, and the labels of
** the parts its paragraphs are in (from its first paragraph's part on;
** earlier labels are NULL). Warnings name byte offsets in the file.
*/
typedef struct dm_cont {
  uint64_t offset;        /* file offset of the next piece's first byte */
  uint32_t piece;         /* the next piece's number: 0 before the first */
  uint32_t part, ord;     /* current part, last ordinal given in it */
  uint64_t nparas;        /* paragraphs of the pieces so far */
  int has_front_matter;
  dm_meta *meta;          /* the document's metadata, from piece 0 */
  size_t nmeta;
  char **part_labels;     /* labels of the parts begun so far ([0] NULL) */
  size_t nparts;
} dm_cont;

/*
** Parse the next piece, p[0..n) at file offset c->offset, into *out; @last
** is nonzero for the file's final piece. Updates @c for the next piece
** (zero it before piece 0; free with dm_cont_free). Returns as dm_parse
** (DM_SKIP only for piece 0).
*/
int dm_parse_piece(dm_doc **out, const char *name, const char *p, size_t n, int last, dm_cont *c,
                   char **why);
void dm_cont_free(dm_cont *c);   /* frees what @c holds and zeroes it */

/**************************************************************************
** Large files (docmodel_stream.c). A file larger than a piece is never
** loaded whole: it is read in windows of one piece size with pread, each
** piece ending where a whole-file parse has no paragraph open:
**   1. after the last blank line in the window's last three quarters;
**   2. failing that (a paragraph longer than 3/4 of a piece), at the end of
**      its last line, with a warning: a paragraph there may be split;
**   3. failing that (a line that long), after its last space or tab, and
**      4. failing that, between two UTF-8 characters, with a warning.
** The bytes after the cut start the next window (they are not read twice).
** The content hash (xxh64) is computed over the same windows by
** dm_stream_hash (pass 1: the writer needs it in piece 0's record and to
** see an unchanged file) and again while parsing (pass 2): a file that
** changes in between is refused (INDAGA_EINPUT, "changed while indexed").
** Memory: one window plus the piece being parsed.
*/
typedef struct dm_stream dm_stream;

/*
** The piece size for memory budget @budget: budget / 32, within [1 MiB,
** 32 MiB] (8 MiB for the default 256 MiB). A parsed and analysed piece
** takes up to 4 bytes per source byte (measured 3.7 on 16 MiB pieces of
** short UN paragraphs), and the writer holds at most two pieces of one
** file at once (one being added, one being parsed) plus the read window,
** so a large file costs about 9/32 of the budget outside the builder.
*/
size_t dm_piece_size(size_t budget);

/*
** Open @path (named @name in warnings) to be read in pieces of @piece bytes
** (>= 4096). Its size and mtime are taken at the open. Returns INDAGA_OK,
** INDAGA_ENOMEM, or the status and message of os_rfile_open.
*/
int  dm_stream_open(dm_stream **out, const char *path, const char *name, size_t piece, char **errmsg);
/* dm_stream_open of a file found by a tree walk: @rel under @root, never through a link (os_rfile_open_beneath). */
int  dm_stream_open_beneath(dm_stream **out, const char *root, const char *rel, const char *path,
                            const char *name, size_t piece, char **errmsg);
void dm_stream_close(dm_stream *s);     /* accepts NULL */
uint64_t dm_stream_size(const dm_stream *s);
/* Pass 1: the xxh64 of the file's first dm_stream_size() bytes. INDAGA_OK, an I/O status, or INDAGA_EINPUT (it shrank). */
int  dm_stream_hash(dm_stream *s, uint64_t *hash, char **errmsg);
/*
** The file's first bytes (up to DM_STREAM_HEAD), as pass 1 read them: the
** writer looks there for a published format (extract.h), which is read
** whole rather than in pieces. Empty before dm_stream_hash.
*/
#define DM_STREAM_HEAD 1024
const unsigned char *dm_stream_head(const dm_stream *s, size_t *n);
/*
** Pass 2: read and parse the next piece into *out (*piece its number,
** *last nonzero for the final one). Returns INDAGA_OK, DM_SKIP (piece 0
** is not text; *errmsg says why), INDAGA_EINPUT (the file shrank, or
** changed since dm_stream_hash), an I/O status or INDAGA_ENOMEM, with
** *errmsg naming the file. Not to be called after the last piece.
*/
int  dm_stream_next(dm_stream *s, dm_doc **out, uint32_t *piece, int *last, char **errmsg);

/* Value of metadata field @key, or NULL. */
const char *dm_meta_get(const dm_doc *d, const char *key);

/**************************************************************************
** Helpers shared by indexer/docmodel*.c, exposed for their unit tests.
*/

/*
** Append the display text of the Markdown inline text p[0..n) to @out:
** emphasis markers, [text](url) links, backslash escapes, a few HTML tags
** removed; HTML entities decoded; invalid UTF-8 replaced by U+FFFD; control
** characters and no-break spaces made spaces; whitespace collapsed and
** trimmed. Returns the number of invalid UTF-8 sequences replaced. On
** allocation failure out->err is set (sticky, see ia_buf).
*/
size_t dm_clean_inline(ia_buf *out, const char *p, size_t n);

/*
** Append p[0..n) to @out with invalid UTF-8 replaced by U+FFFD (one per
** maximal subpart, common/utf8.h) and nothing else changed. Returns the
** number of U+FFFD written.
*/
size_t dm_utf8_repair(ia_buf *out, const char *p, size_t n);

/*
** Parse a Spanish date ("22 de noviembre de 2017", "1º de enero de 2015")
** or an ISO one ("2017-11-22", "2017-11-22T10:00") occupying all of
** p[0..n) into iso as "yyyy-mm-dd" plus NUL. Returns 1 on success, 0 when
** the text is not such a date (iso is then untouched).
*/
int dm_parse_date(const char *p, size_t n, char iso[11]);

/*
** The first index in p[i..n) (i at a character boundary) from which the
** bytes are not ASCII or two-byte UTF-8 (U+0080..U+07FF), or n; it is at a
** character boundary too (SSE2: 16 bytes at a time).
*/
size_t dm__utf8_2byte_end(const unsigned char *p, size_t i, size_t n);

#if defined(__SSE2__)
#include <emmintrin.h>
/*
** Of the 16 bytes @v: bit k set when byte k is ASCII or part of a two-byte
** UTF-8 character (lead 0xC2..0xDF, then a continuation) wholly inside the
** 16 (dm__utf8_2byte_end, and the binary sniff of docmodel.c). Signed
** compares: leads are -62..-33, continuations 0x80..0xBF below -64.
*/
static inline unsigned dm__utf8_2byte_mask16(__m128i v) {
  __m128i lead = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)0xC1)), _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xE0)));
  unsigned hi = (unsigned)_mm_movemask_epi8(v);
  unsigned cb = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8((char)0xC0)));
  unsigned lok = (unsigned)_mm_movemask_epi8(lead) & (cb >> 1);
  return (~hi & 0xFFFFu) | lok | (cb & (lok << 1));
}
#endif

/*
** dm_clean_inline() of p[0..n), where the caller vouches that p[0..avail)
** (avail >= n) is readable: the cleaning loop may then read up to 16 bytes
** past n (never using them), so a paragraph's last bytes are classified 16
** at a time like the rest. The output is exactly dm_clean_inline()'s.
*/
size_t dm__clean_inline_avail(ia_buf *out, const char *p, size_t n, size_t avail);

/* Internal to docmodel*.c (the dm__ prefix): metadata and warnings. */
/* Set field @key (replacing an earlier value) to p[0..n), UTF-8 repaired. INDAGA_OK or INDAGA_ENOMEM. */
int dm__meta_set(dm_doc *d, const char *key, const char *p, size_t n);
/* Append a printf-formatted warning. INDAGA_OK or INDAGA_ENOMEM. */
int dm__warn(dm_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
** Read YAML front matter starting at p[start] into d->meta. *body is set to
** where the text begins: after the closing "---" line, or @start when there
** is no front matter or it is never closed (then with a warning naming
** @name). INDAGA_OK or INDAGA_ENOMEM.
*/
int dm__front_matter(dm_doc *d, const char *name, const char *p, size_t n, size_t start, size_t *body);
/*
** If the header line p[0..n) (a UN document's symbols, "Distr. general",
** date, "Español", "Original: ruso") is metadata, record it in d and return
** 1; else 0. *rc gets INDAGA_ENOMEM on allocation failure.
*/
int dm__header_line(dm_doc *d, const char *p, size_t n, int *rc);
/* Derive date (ISO), year and symbols from what was read. INDAGA_OK or INDAGA_ENOMEM. */
int dm__meta_finish(dm_doc *d);

#endif /* INDAGA_DOCMODEL_H */
