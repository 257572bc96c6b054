/*
** spool.c: an in-memory buffer that spills to a scratch file past a limit
** (spool.h).
*/
#include <string.h>
#include "indexer/spool.h"

#define DRAIN_CHUNK ((size_t)1 << 20)   /* bytes read back from the file at a time */

void spool_init(spool *sp) {
  memset(sp, 0, sizeof *sp);
  sp->f.fd = -1;
}

int spool_set_limit(spool *sp, size_t limit, const char *base, const char *tag) {
  indaga__free(sp->path);
  sp->path = indaga__sprintf("%s.%s.tmp", base, tag);
  if (!sp->path) return sp->err = INDAGA_ENOMEM;
  sp->limit = limit;
  return INDAGA_OK;
}

void spool_free(spool *sp) {
  os_tfile_close(&sp->f);
  buf_free(&sp->b);
  indaga__free(sp->path);
  indaga__free(sp->msg);
  spool_init(sp);
}

/* Append @n bytes at @p to the scratch file, creating it first if need be. */
static int spill(spool *sp, const void *p, size_t n) {
  if (sp->err || n == 0) return sp->err;
  if (sp->f.fd < 0 && (sp->err = os_tfile_open(&sp->f, sp->path, &sp->msg)) != INDAGA_OK) return sp->err;
  if ((sp->err = os_tfile_write(&sp->f, p, n, &sp->msg)) != INDAGA_OK) return sp->err;
  sp->spilled += n;
  return INDAGA_OK;
}

int spool_check(spool *sp) {
  if (!sp->err && sp->b.err) sp->err = sp->b.err;
  if (sp->err || sp->limit == 0 || sp->b.n < sp->limit) return sp->err;
  if (spill(sp, sp->b.p, sp->b.n) == INDAGA_OK) buf_reset(&sp->b);
  return sp->err;
}

int spool_append(spool *sp, const void *p, size_t n) {
  if (sp->err) return sp->err;
  if (sp->limit && sp->b.n + n > sp->limit) {
    if (spill(sp, sp->b.p, sp->b.n) != INDAGA_OK) return sp->err;
    buf_reset(&sp->b);
    if (n >= sp->limit) return spill(sp, p, n);
  }
  buf_append(&sp->b, p, n);
  return spool_check(sp);
}

int spool_drain(spool *sp, int (*out)(void *ctx, const unsigned char *p, size_t n), void *ctx) {
  if (sp->err) return sp->err;
  int rc = INDAGA_OK;
  if (sp->spilled) {
    unsigned char *chunk = indaga__malloc(DRAIN_CHUNK);
    if (!chunk) return sp->err = INDAGA_ENOMEM;
    for (uint64_t off = 0; off < sp->spilled && !rc; off += DRAIN_CHUNK) {
      size_t n = sp->spilled - off < DRAIN_CHUNK ? (size_t)(sp->spilled - off) : DRAIN_CHUNK;
      if ((rc = os_tfile_read(&sp->f, off, chunk, n, &sp->msg)) != INDAGA_OK) sp->err = rc;
      else rc = out(ctx, chunk, n);
    }
    indaga__free(chunk);
    os_tfile_close(&sp->f);
    sp->spilled = 0;
  }
  if (!rc && sp->b.n) rc = out(ctx, sp->b.p, sp->b.n);
  buf_free(&sp->b);
  return rc;
}
