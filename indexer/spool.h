/*
** spool.h: bytes written in order and read back once, in order, held in
** memory up to a limit and spilled past it to a scratch file.
**
** The segment sink (segsink.c) writes most sections of a segment after
** its postings, so it holds them until then. A builder's sections fit its
** budget and stay in memory (limit 0: never spill; the bytes are exactly
** those of a plain buffer). A merge's grow with its inputs, so a merge
** sets a limit: once the buffer holds that many bytes they are appended
** to an unlinked scratch file (os_tfile, named "<segment>.<tag>.tmp": a
** name the writer's garbage collection removes should a crash leave it
** between its creation and its unlinking), and spool_drain() gives the
** file's bytes and then the buffer's, in chunks, to the writer of the
** segment. Errors are sticky in sp->err, with a message in sp->msg.
*/
#ifndef INDAGA_SPOOL_H
#define INDAGA_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include "common/common.h"
#include "common/os.h"

typedef struct spool {
  ia_buf b;              /* the bytes after the spilled ones */
  uint64_t spilled;      /* bytes in the scratch file */
  size_t limit;          /* spill once b holds this many bytes; 0: never */
  char *path;            /* the scratch file's name, once a limit is set */
  os_tfile f;            /* fd -1 until the first spill */
  int err;               /* INDAGA_OK or the first failure (sticky) */
  char *msg;             /* its message, or NULL */
} spool;

void spool_init(spool *sp);
/* Spill past @limit bytes to "<base>.<tag>.tmp". INDAGA_OK or INDAGA_ENOMEM. */
int  spool_set_limit(spool *sp, size_t limit, const char *base, const char *tag);
void spool_free(spool *sp);          /* closes (and so removes) the scratch file */

static inline uint64_t spool_size(const spool *sp) { return sp->spilled + sp->b.n; }
static inline size_t spool_mem(const spool *sp) { return sp->b.cap; }

/* Append @n bytes (a run longer than the limit goes to the file directly). */
int  spool_append(spool *sp, const void *p, size_t n);
/* After bytes were added to sp->b directly: spill them once past the limit. */
int  spool_check(spool *sp);
/*
** Give every byte, in order, to @out (chunks of at most 1 MiB from the
** file, then the buffer), which returns INDAGA_OK or a status that stops
** the drain. The spool is left empty, its scratch file closed.
*/
int  spool_drain(spool *sp, int (*out)(void *ctx, const unsigned char *p, size_t n), void *ctx);

#endif /* INDAGA_SPOOL_H */
