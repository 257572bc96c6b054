/*
** segwriter.h: building, opening, verifying and merging segment files
** (indexer/format.h holds the normative on-disk grammar).
**
** The write path of one indexing run:
**
**   worker threads:  dm_parse() -> seg_analyze_doc()   (each with its own analyzer)
**   one thread:      seg_builder_add() for each analysed doc, in order;
**                    when seg_builder_mem() passes the budget, seg_builder_write()
**                    a segment and start a new builder.
**   one more thread: with several workers, seg_builder_write() of the full
**                    builder while the next one fills (writer.c); a builder
**                    is only ever used by one thread at a time.
**
** A segment file is written under a temporary name, fsynced and renamed into
** place by seg_builder_write(); the caller fsyncs the directory and then
** publishes a manifest (manifest.h). Segments are immutable once written.
*/
#ifndef INDAGA_SEGWRITER_H
#define INDAGA_SEGWRITER_H

#include <stddef.h>
#include <stdint.h>
#include "common/common.h"
#include "indexer/docmodel.h"
#include "indexer/segment.h"
#include "stemmer/analyze.h"

/* One document, parsed and analysed, ready for a builder. Owned by the caller. */
typedef struct seg_doc_in {
  char *id;                 /* document id */
  uint64_t size;            /* source size in bytes */
  int64_t mtime_ns;         /* source mtime */
  uint64_t hash;            /* xxh64 of the source bytes */
  uint32_t piece;           /* 0, or the piece number of a large file (docmodel_stream.c) */
  int more;                 /* another piece of this id follows */
  dm_doc *doc;              /* parsed document (owned) */
  void *tokens;             /* analysis output, opaque (owned) */
} seg_doc_in;

/* Analyse @d's paragraphs with @a (one analyzer per thread). Fills in->tokens. */
int  seg_analyze_doc(analyzer *a, seg_doc_in *in);
void seg_doc_in_clear(seg_doc_in *in);   /* frees everything it owns */

typedef struct seg_builder seg_builder;
int    seg_builder_new(seg_builder **out);
void   seg_builder_free(seg_builder *b);
/* Compress stored text on a thread of the builder's own (call before the
** first add; the segment's bytes are the same). INDAGA_OK or ENOMEM. */
int    seg_builder_async(seg_builder *b);
size_t seg_builder_async_mem(void);   /* what that thread holds, beside seg_builder_mem (estimate) */
/* Add one analysed document (the builder copies what it needs). */
int    seg_builder_add(seg_builder *b, const seg_doc_in *in);
size_t seg_builder_mem(const seg_builder *b);     /* bytes held */
size_t seg_builder_write_mem(const seg_builder *b); /* bytes seg_builder_write adds at its peak (estimate) */
uint32_t seg_builder_ndocs(const seg_builder *b);
/* The index id and generation the segment's footer records (segment.h,
** seg_stamp); zero when never called. Call before seg_builder_write. */
void   seg_builder_stamp(seg_builder *b, const seg_stamp *st);
/*
** Write the segment to @path (tmp + fsync + rename). Afterwards, whether it
** succeeded or not, and likewise after a failed seg_builder_add, the builder
** only accepts seg_builder_free (other calls give INDAGA_EMISUSE). A failed
** write leaves no file behind. A document (id, piece) added twice gives
** INDAGA_EMISUSE naming the id and the piece.
*/
int    seg_builder_write(seg_builder *b, const char *path, char **errmsg);

/* Open (mmap) a segment file and check its footer and checksum. */
int  seg_open(seg_reader **out, const char *path, char **errmsg);
void seg_close(seg_reader *r);
/* Verify every structure and cross-reference of the segment. */
int  seg_verify(const seg_reader *r, char **errmsg);

/*
** Merge segments @in[0..n) into one new segment at @path, dropping the
** paragraphs of documents marked deleted (@deleted[i] is segment i's deleted
** document set as a callback). Document order is kept, so the pieces of a
** file stay in order. A document (id, piece) present in two inputs (and
** not deleted in either) gives INDAGA_EMISUSE. The output's footer records
** @stamp (NULL: zero).
*/
int seg_merge(const seg_reader *const *in, size_t n,
              int (*doc_deleted)(void *ctx, size_t seg, uint32_t did), void *ctx,
              const seg_stamp *stamp, const char *path, char **errmsg);

#endif /* INDAGA_SEGWRITER_H */
