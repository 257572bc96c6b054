/*
** segsink.c: writes one segment file (grammar in format.h) from documents,
** paragraphs, terms and vocabulary entries given in their final order.
**
** Documents and paragraphs arrive first and are encoded into memory as they
** come: paragraph records in chunks with an offset index, lengths in a flat
** array, and display text gathered into blocks of about SEGF_TEXT_BLOCK
** bytes, each zstd-compressed as soon as it fills, so only compressed text
** is held. segsink_open() then creates "<path>.tmp" and writes the header;
** terms follow in bytewise order: each list, its positions already encoded
** by the builder, is encoded by pst_encode_ids() (a merge's long lists block
** by block: segsink_term_begin) and its postings streamed to the file through a 1 MiB buffer (positions and
** the dictionary are held, being written after the postings); the
** vocabulary comes last. The sections held until then whose size follows
** the segment's (PARA, PARA_LEN, TEXT, POSITIONS, DICT, VOCAB) are spools
** (spool.h): a builder keeps them in memory, a merge (segsink_spill) keeps
** a few MiB of each and spills the rest to scratch files; the bytes
** written are the same either way. So is DOCS: a document's record is
** written there when the next document starts (its paragraphs are then
** known), its fields go to the FIELDS encoder (segfields_enc.c) at the same
** time, and of its id and metadata only the id is kept, for DOC_SORT.
** segsink_finish() writes the remaining sections (FIELDS, from the
** encoder) and the footer, hashing every byte with XXH3 as it goes (the whole file, and
** each section on its own for the footer's section checksums), then fsyncs and
** renames (os_wfile_commit). Errors are sticky in s->rc.
**
** Text compression can run on a thread of its own (segsink_async, used by
** the writer when it indexes with several threads, so the one thread that
** adds documents in order does not also compress): a full block is handed
** over by swapping buffers into a ring of ZQ slots, the helper (woken once
** ZWAKE blocks wait, or when the sink needs a frame) compresses
** slots in order, and the sink appends the frames in order as they come
** back (at the latest before segsink_open writes anything). A block's
** number is assigned when it is handed over, so paragraph records and the
** file's bytes are exactly those of the synchronous path.
*/
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <xxhash.h>
#include <zstd.h>
#include "common/os.h"
#include "indexer/segfields.h"
#include "indexer/segimpl.h"
#include "indexer/spool.h"

/*
** The ring is deep and the thread is woken in batches because with two
** indexing threads five threads share the two cores: with a ring of 8
** blocks woken for each, the thread was often not scheduled in time, the
** adding thread blocked on a full ring, the parsing threads then ran out
** of window and slept, and a core idled. perf's sched_switch call graphs
** put half the futex waits of a two-thread build of the legislation corpus
** in the ring; 64 blocks woken by 8 halved the context switches (17.2k to
** 9.6k) and cut the build's wall time by about 6% (2.90 s to 2.73 s, five
** interleaved runs each).
*/
#define ZQ 64     /* text blocks in flight to the compressing thread */
/*
** A block larger than ZMAX (a paragraph of megabytes: a file of one long
** line) is compressed here, after the blocks before it, not queued: the
** ring's buffers keep their size, so 64 slots that once held such blocks
** would hold gigabytes outside any budget (a 300 MB one-line file, two
** threads: 414 MB peak against 256). So a slot holds at most ZMAX bytes,
** and the sink's own block buffer is given back after such a block.
*/
#define ZMAX (2 * SEGF_TEXT_BLOCK)
#define ZWAKE 8   /* blocks queued before an idle compressing thread is woken */

/* One block handed to the compressing thread. */
typedef struct zjob {
  ia_buf raw;               /* the block's text (swapped with the sink's open block) */
  unsigned char *out;       /* its zstd frame */
  size_t nout, capout;
  int rc;                   /* INDAGA_OK, or the failure */
} zjob;

/*
** The compressing thread and its ring: slots [collected, queued) are handed
** over, [collected, compressed) of them done. The sink alone writes queued
** (under mu) and collected; the thread alone writes compressed, atomically,
** so the sink collects finished blocks without the mutex. Either side
** sleeps under mu: the thread (idle) when nothing is queued, the sink
** (waiting) when it needs a block not yet done. waiting and compressed
** are sequentially consistent: the thread stores compressed then reads
** waiting, the sink stores waiting then reads compressed, so one of them
** sees the other and no wake-up is lost.
*/
typedef struct zpool {
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t work_cv, done_cv;
  zjob ring[ZQ];
  uint64_t queued;          /* blocks handed over */
  _Atomic uint64_t compressed;   /* blocks the thread has finished */
  uint64_t collected;       /* blocks appended to the sink's text */
  int idle;                 /* the thread waits for work (work_cv; under mu) */
  atomic_int waiting;       /* the sink waits for a block (done_cv) */
  int stop;
  ZSTD_CCtx *zc;
} zpool;

/* The last document given (segsink_doc), its record not yet written: its bytes are in pbytes. */
typedef struct sdoc {
  size_t id_len, meta_len, parts_len;
  uint64_t size, hash;
  int64_t mtime_ns;
  uint32_t nparts, first_para;
  uint32_t piece, more;
  const seg_reader *fr;     /* segsink_doc_fields: the fields come from document fdid of fr, */
  const struct seg_fields *ff;   /* whose fields are ff (NULL: derived from the metadata) */
  uint32_t fdid;
} sdoc;

struct segsink {
  int rc;
  /* documents and paragraphs */
  uint32_t ndoc;
  sdoc pend;                /* document ndoc - 1, its record not yet written (ndoc > 0) */
  ia_buf pbytes;            /* its id, metadata and part labels */
  spool drecs;              /* DOCS: the records written so far */
  ia_buf didx;              /* DOC_IDX */
  ia_buf ids;               /* per document: varint length, varint piece, id (for DOC_SORT) */
  sf_enc *fe;               /* FIELDS: the records' fields so far */
  int frc;                  /* the encoder's failure (reported by segsink_finish), */
  uint32_t fbad;            /* the document whose metadata did not parse, */
  char *fmsg;               /* or the message of a merge input's unreadable fields */
  spool para;               /* PARA */
  spool paralen;            /* PARA_LEN: native order until finish, unless spilling (then little-endian) */
  ia_buf paraidx;
  uint32_t npara;
  uint64_t total_len;
  uint32_t pdoc, ptblk;     /* the previous paragraph's doc and text block */
  uint64_t psrc_end;        /* and source end */
  /* text */
  ia_buf raw;               /* the open text block, decompressed */
  uint32_t rawparas;        /* paragraphs in it (a block of empty texts is still a block) */
  spool text;               /* TEXT: the compressed blocks */
  ia_buf textidx;
  uint32_t ntextblk;
  ZSTD_CCtx *zc;
  zpool *zp;                /* compressing thread (segsink_async), or NULL */
  /* file */
  int open;
  os_wfile f;
  XXH3_state_t *xx;          /* the whole file */
  XXH3_state_t *xsec;        /* the section being written */
  uint64_t sec_hash[SEGF_NSECT];
  XXH3_state_t *xchunk;      /* the chunk being written (SEGF_CHUNKED sections) */
  int cur_sec;               /* section being written, -1 before POSTINGS */
  size_t chunk_fill;         /* bytes in the current chunk */
  size_t checks_at;          /* where the current section's entries start in checks */
  ia_buf checks;             /* the CHECKS section so far */
  uint64_t written;         /* bytes written to the file so far */
  seg_stamp stamp;          /* index id and generation for the footer (segsink_stamp) */
  uint64_t sec_off[SEGF_NSECT], sec_len[SEGF_NSECT];
  /* terms */
  ia_buf post;              /* postings not yet written */
  spool posb, dict;         /* POSITIONS, DICT */
  ia_buf dictidx, prevterm;
  uint64_t nterms, prev_post, prev_pos;
  uint32_t *lens;           /* scratch: paragraph lengths of a list */
  uint32_t caplens;
  pst_enc enc;              /* the list given by blocks (segsink_term_begin), */
  pst_stats enc_st;         /* its statistics so far */
  uint64_t enc_post_at, enc_pos_at;   /* and where it starts */
  /* vocabulary */
  spool vocab;              /* VOCAB */
  ia_buf vocabidx, vkey, vterms, prevkey;
  uint64_t nkeys;
  uint32_t vnterms;
};

/*
** A compression context for text blocks: level SEGF_TEXT_LEVEL with a hash
** table of 2^SEGF_TEXT_HASHLOG entries, matches of SEGF_TEXT_MINMATCH bytes
** or more, and no XXH64 content checksum (the TEXT section's bytes are
** covered by the chunk checksums of CHECKS, which every read of a frame
** verifies first). Returns NULL when out of memory.
*/
static ZSTD_CCtx *text_cctx_new(void) {
  ZSTD_CCtx *zc = ZSTD_createCCtx();
  if (zc && (ZSTD_isError(ZSTD_CCtx_setParameter(zc, ZSTD_c_compressionLevel, SEGF_TEXT_LEVEL)) ||
             ZSTD_isError(ZSTD_CCtx_setParameter(zc, ZSTD_c_hashLog, SEGF_TEXT_HASHLOG)) ||
             ZSTD_isError(ZSTD_CCtx_setParameter(zc, ZSTD_c_minMatch, SEGF_TEXT_MINMATCH)) ||
             ZSTD_isError(ZSTD_CCtx_setParameter(zc, ZSTD_c_checksumFlag, 0)))) {
    ZSTD_freeCCtx(zc);
    zc = NULL;
  }
  return zc;
}

int segsink_new(segsink **out) {
  segsink *s = indaga__calloc(1, sizeof *s);
  if (!s) return INDAGA_ENOMEM;
  s->f.fd = -1;
  spool *sp[] = { &s->para, &s->paralen, &s->text, &s->posb, &s->dict, &s->vocab, &s->drecs };
  for (size_t i = 0; i < ARRAY_SIZE(sp); i++) spool_init(sp[i]);
  s->zc = text_cctx_new();
  s->xx = XXH3_createState();
  s->xsec = XXH3_createState();
  s->xchunk = XXH3_createState();
  s->cur_sec = -1;
  if (!s->zc || !s->xx || !s->xsec || !s->xchunk || sf_enc_new(&s->fe) != INDAGA_OK) {
    segsink_free(s);
    return INDAGA_ENOMEM;
  }
  *out = s;
  return INDAGA_OK;
}

void segsink_abort(segsink *s) {
  if (s && s->open) {
    os_wfile_abort(&s->f);
    s->open = 0;
  }
}

static void zpool_stop(segsink *s);

void segsink_free(segsink *s) {
  if (!s) return;
  segsink_abort(s);
  zpool_stop(s);
  ZSTD_freeCCtx(s->zc);
  XXH3_freeState(s->xx);
  XXH3_freeState(s->xsec);
  XXH3_freeState(s->xchunk);
  buf_free(&s->checks);
  ia_buf *bufs[] = { &s->pbytes, &s->didx, &s->ids, &s->paraidx, &s->raw, &s->textidx, &s->post,
                     &s->dictidx, &s->prevterm, &s->vocabidx, &s->vkey, &s->vterms, &s->prevkey };
  for (size_t i = 0; i < ARRAY_SIZE(bufs); i++) buf_free(bufs[i]);
  spool *sp[] = { &s->para, &s->paralen, &s->text, &s->posb, &s->dict, &s->vocab, &s->drecs };
  for (size_t i = 0; i < ARRAY_SIZE(sp); i++) spool_free(sp[i]);
  sf_enc_free(s->fe);
  indaga__free(s->fmsg);
  indaga__free(s->lens);
  indaga__free(s);
}

uint32_t segsink_npara(const segsink *s) { return s->npara; }
uint32_t segsink_ndoc(const segsink *s) { return s->ndoc; }
const uint32_t *segsink_para_lens(const segsink *s) {
  /* paralen holds native-order u32 values until segsink_finish converts them */
  return s->paralen.limit ? NULL : (const uint32_t *)(const void *)s->paralen.b.p;
}

size_t segsink_mem(const segsink *s) {
  const ia_buf *bufs[] = { &s->pbytes, &s->didx, &s->ids, &s->paraidx, &s->raw, &s->textidx, &s->post,
                           &s->dictidx, &s->vocabidx };
  const spool *sp[] = { &s->para, &s->paralen, &s->text, &s->posb, &s->dict, &s->vocab, &s->drecs };
  size_t m = sizeof *s + sf_enc_mem(s->fe);
  for (size_t i = 0; i < ARRAY_SIZE(bufs); i++) m += bufs[i]->cap;
  for (size_t i = 0; i < ARRAY_SIZE(sp); i++) m += spool_mem(sp[i]);
  /* Not counted: the ring of the compressing thread (segsink_async_mem),
     and, like everywhere, the compression contexts (zstd's own memory). */
  return m;
}

size_t segsink_async_mem(void) {   /* a slot's text buffer may have grown to twice ZMAX */
  return (size_t)ZQ * (2 * ZMAX + ZSTD_compressBound(ZMAX));
}

/* Record a sticky error from a buffer or call. */
static int keep(segsink *s, int rc) {
  if (rc && !s->rc) s->rc = rc;
  return s->rc;
}

int segsink_spill(segsink *s, const char *path, size_t limit) {
  spool *sp[] = { &s->para, &s->paralen, &s->text, &s->posb, &s->dict, &s->vocab, &s->drecs };
  static const char *const tag[] = { "para", "plen", "text", "pos", "dict", "vocab", "docs" };
  for (size_t i = 0; i < ARRAY_SIZE(sp) && !s->rc; i++) keep(s, spool_set_limit(sp[i], limit, path, tag[i]));
  return s->rc;
}

int segsink_status(segsink *s, char **errmsg) {
  spool *sp[] = { &s->para, &s->paralen, &s->text, &s->posb, &s->dict, &s->vocab, &s->drecs };
  for (size_t i = 0; i < ARRAY_SIZE(sp) && errmsg && !*errmsg; i++)
    if (sp[i]->msg) {
      *errmsg = sp[i]->msg;
      sp[i]->msg = NULL;
    }
  return s->rc;
}

void seg__put_label(ia_buf *b, const char *p, size_t n, int present) {
  buf_put_varint(b, present ? (uint64_t)n + 1 : 0);
  if (present) buf_append(b, p, n);
}

/*
** Write the record of the pending document (its paragraphs end at s->npara)
** to DOCS and its fields to the encoder.
*/
static void put_doc(segsink *s) {
  const sdoc *d = &s->pend;
  const unsigned char *id = s->pbytes.p, *meta = id + d->id_len, *parts = meta + d->meta_len;
  ia_buf *b = &s->drecs.b;
  buf_put_u64(&s->didx, spool_size(&s->drecs));
  buf_put_varint(b, d->id_len);
  buf_append(b, id, d->id_len);
  buf_put_varint(b, d->piece);
  buf_put_varint(b, d->more);
  buf_put_varint(b, d->first_para);
  buf_put_varint(b, s->npara - d->first_para);
  buf_put_varint(b, d->nparts);
  buf_put_varint(b, d->size);
  buf_put_u64(b, (uint64_t)d->mtime_ns);
  buf_put_u64(b, d->hash);
  buf_put_varint(b, d->meta_len);
  buf_append(b, meta, d->meta_len);
  buf_put_varint(b, d->parts_len);
  buf_append(b, parts, d->parts_len);
  if (keep(s, b->err ? b->err : s->didx.err) || keep(s, spool_check(&s->drecs))) return;
  if (s->frc) return;
  s->frc = d->ff ? sf_enc_doc_from(s->fe, d->first_para, d->fr, d->ff, d->fdid, &s->fmsg)
                 : sf_enc_doc(s->fe, d->first_para, meta, d->meta_len);
  if (s->frc == INDAGA_ENOMEM) keep(s, s->frc);
  if (s->frc == INDAGA_ECORRUPT && !d->ff) {
    s->frc = INDAGA_EMISUSE;
    s->fbad = s->ndoc - 1;
  }
}

int segsink_doc(segsink *s, const char *id, size_t nid, uint32_t piece, int more,
                uint64_t size, int64_t mtime_ns,
                uint64_t hash, const unsigned char *meta, size_t nmeta,
                const unsigned char *parts, size_t nparts_bytes, uint32_t nparts) {
  if (s->rc) return s->rc;
  if (s->open || s->ndoc == UINT32_MAX - 1) return keep(s, INDAGA_EMISUSE);
  if (s->ndoc) put_doc(s);
  buf_put_varint(&s->ids, nid);
  buf_put_varint(&s->ids, piece);
  buf_append(&s->ids, id, nid);
  sdoc *d = &s->pend;
  buf_reset(&s->pbytes);
  buf_append(&s->pbytes, id, nid);
  buf_append(&s->pbytes, meta, nmeta);
  buf_append(&s->pbytes, parts, nparts_bytes);
  d->id_len = nid; d->meta_len = nmeta; d->parts_len = nparts_bytes;
  d->size = size; d->hash = hash; d->mtime_ns = mtime_ns;
  d->nparts = nparts; d->first_para = s->npara;
  d->piece = piece; d->more = more ? SEGF_PIECE_MORE : 0;
  d->fr = NULL; d->ff = NULL; d->fdid = 0;
  s->ndoc++;
  return keep(s, s->pbytes.err ? s->pbytes.err : s->ids.err);
}

int segsink_doc_fields(segsink *s, const seg_reader *r, const struct seg_fields *f, uint32_t did) {
  if (s->rc) return s->rc;
  if (s->open || !s->ndoc) return keep(s, INDAGA_EMISUSE);
  s->pend.fr = r; s->pend.ff = f; s->pend.fdid = did;
  return INDAGA_OK;
}

/**************************************************************************
** The compressing thread
*/
/* Compress @j's text with @zc into j->out. */
static void zjob_run(zjob *j, ZSTD_CCtx *zc) {
  size_t bound = ZSTD_compressBound(j->raw.n);
  if (bound > j->capout) {
    unsigned char *o = indaga__realloc(j->out, bound);
    if (!o) { j->rc = INDAGA_ENOMEM; return; }
    j->out = o;
    j->capout = bound;
  }
  size_t k = ZSTD_compress2(zc, j->out, bound, j->raw.p, j->raw.n);
  if (ZSTD_isError(k)) { j->rc = INDAGA_ENOMEM; return; }
  j->nout = k;
  j->rc = INDAGA_OK;
}

static void *zpool_main(void *arg) {
  zpool *z = arg;
  pthread_mutex_lock(&z->mu);
  for (;;) {
    while (!z->stop && atomic_load(&z->compressed) == z->queued) {
      z->idle = 1;
      pthread_cond_wait(&z->work_cv, &z->mu);
      z->idle = 0;
    }
    uint64_t q = z->queued, c = atomic_load(&z->compressed);
    if (c == q) break;   /* stopping, nothing left */
    pthread_mutex_unlock(&z->mu);
    for (; c < q; c++) {   /* every block queued so far, without the mutex */
      zjob_run(&z->ring[c % ZQ], z->zc);
      atomic_store(&z->compressed, c + 1);
      if (atomic_load(&z->waiting)) {
        pthread_mutex_lock(&z->mu);
        pthread_cond_signal(&z->done_cv);
        pthread_mutex_unlock(&z->mu);
      }
    }
    pthread_mutex_lock(&z->mu);
  }
  pthread_mutex_unlock(&z->mu);
  return NULL;
}

int segsink_async(segsink *s) {
  if (s->rc || s->zp) return s->rc;
  if (s->open || s->ntextblk || s->raw.n) return keep(s, INDAGA_EMISUSE);
  zpool *z = indaga__calloc(1, sizeof *z);
  if (!z) return keep(s, INDAGA_ENOMEM);
  z->zc = text_cctx_new();
  if (!z->zc) {
    indaga__free(z);
    return keep(s, INDAGA_ENOMEM);
  }
  pthread_mutex_init(&z->mu, NULL);
  pthread_cond_init(&z->work_cv, NULL);
  pthread_cond_init(&z->done_cv, NULL);
  if (pthread_create(&z->th, NULL, zpool_main, z) != 0) {   /* no thread: stay synchronous */
    pthread_cond_destroy(&z->work_cv);
    pthread_cond_destroy(&z->done_cv);
    pthread_mutex_destroy(&z->mu);
    ZSTD_freeCCtx(z->zc);
    indaga__free(z);
    return INDAGA_OK;
  }
  s->zp = z;
  return INDAGA_OK;
}

/* Append a compressed block (frame p[0..k), @nraw bytes of text) to the text section. */
static void add_frame(segsink *s, const unsigned char *p, size_t k, size_t nraw) {
  buf_put_u64(&s->textidx, spool_size(&s->text));
  buf_put_u32(&s->textidx, (uint32_t)k);
  buf_put_u32(&s->textidx, (uint32_t)nraw);
  keep(s, spool_append(&s->text, p, k));
  keep(s, s->textidx.err);
}

/* Sleep until the thread has finished block @have (compressed > have). */
static void zpool_wait(zpool *z, uint64_t have) {
  pthread_mutex_lock(&z->mu);
  atomic_store(&z->waiting, 1);
  if (z->idle) pthread_cond_signal(&z->work_cv);   /* fewer than ZWAKE blocks wait for it */
  while (atomic_load(&z->compressed) == have) pthread_cond_wait(&z->done_cv, &z->mu);
  atomic_store(&z->waiting, 0);
  pthread_mutex_unlock(&z->mu);
}

/* Append the compressed blocks back from the thread, in order; @all waits for every one. */
static void zpool_collect(segsink *s, int all) {
  zpool *z = s->zp;
  for (;;) {
    uint64_t c = atomic_load(&z->compressed);
    for (; z->collected < c; z->collected++) {
      zjob *j = &z->ring[z->collected % ZQ];
      if (j->rc) keep(s, j->rc);
      else add_frame(s, j->out, j->nout, j->raw.n);
    }
    if (!all || z->collected == z->queued) return;
    zpool_wait(z, z->collected);
  }
}

/* Stop and free the compressing thread (its remaining results are dropped). */
static void zpool_stop(segsink *s) {
  zpool *z = s->zp;
  if (!z) return;
  pthread_mutex_lock(&z->mu);
  z->stop = 1;
  pthread_cond_signal(&z->work_cv);
  pthread_mutex_unlock(&z->mu);
  pthread_join(z->th, NULL);
  for (size_t i = 0; i < ZQ; i++) {
    buf_free(&z->ring[i].raw);
    indaga__free(z->ring[i].out);
  }
  pthread_cond_destroy(&z->work_cv);
  pthread_cond_destroy(&z->done_cv);
  pthread_mutex_destroy(&z->mu);
  ZSTD_freeCCtx(z->zc);
  indaga__free(z);
  s->zp = NULL;
}

/* Hand the open text block to the compressing thread (its number is taken now). */
static void queue_text(segsink *s) {
  zpool *z = s->zp;
  if (z->queued - z->collected == ZQ) {   /* full: wait for the oldest block */
    zpool_collect(s, 0);
    if (z->queued - z->collected == ZQ) {
      zpool_wait(z, z->collected);
      zpool_collect(s, 0);
    }
  }
  zjob *j = &z->ring[z->queued % ZQ];
  ia_buf t = j->raw;   /* swap buffers: the sink keeps the slot's old one, emptied */
  j->raw = s->raw;
  s->raw = t;
  buf_reset(&s->raw);
  pthread_mutex_lock(&z->mu);
  z->queued++;
  if (z->idle && z->queued - atomic_load(&z->compressed) >= ZWAKE) pthread_cond_signal(&z->work_cv);
  pthread_mutex_unlock(&z->mu);
  s->ntextblk++;
  s->rawparas = 0;
  zpool_collect(s, 0);
}

/* Compress the open text block. */
static void flush_text(segsink *s) {
  if (s->rc || s->rawparas == 0) return;
  if (s->zp && s->raw.n <= ZMAX) { queue_text(s); return; }
  if (s->zp) zpool_collect(s, 1);   /* the blocks before this one first */
  if (s->rc) return;
  size_t bound = ZSTD_compressBound(s->raw.n);
  ia_buf *t = &s->text.b;
  if (keep(s, buf_reserve(t, bound))) return;
  size_t k = ZSTD_compress2(s->zc, t->p + t->n, bound, s->raw.p, s->raw.n);
  if (ZSTD_isError(k)) { keep(s, INDAGA_ENOMEM); return; }
  buf_put_u64(&s->textidx, spool_size(&s->text));
  buf_put_u32(&s->textidx, (uint32_t)k);
  buf_put_u32(&s->textidx, (uint32_t)s->raw.n);
  t->n += k;
  keep(s, spool_check(&s->text));
  s->ntextblk++;
  s->rawparas = 0;
  if (s->raw.cap > 2 * ZMAX) buf_free(&s->raw);   /* a block of one huge paragraph */
  else buf_reset(&s->raw);
  keep(s, s->textidx.err);
}

int segsink_para(segsink *s, uint32_t part, uint32_t ordinal, uint32_t len, int heading,
                 uint64_t src_start, uint64_t src_end, const char *label, size_t nlabel,
                 const char *text, size_t ntext) {
  if (s->rc) return s->rc;
  if (s->open || s->ndoc == 0 || s->npara == UINT32_MAX - 1 || ntext > UINT32_MAX / 2)
    return keep(s, INDAGA_EMISUSE);
  if (spool_size(&s->para) > UINT32_MAX - 4096) return keep(s, INDAGA_ERROR);
  if (s->npara % SEGF_PARA_CHUNK == 0) buf_put_u32(&s->paraidx, (uint32_t)spool_size(&s->para));
  ia_buf *b = &s->para.b;
  int first = s->npara % SEGF_PARA_CHUNK == 0, newdoc = first || s->pdoc != s->ndoc - 1;
  uint64_t len_src = src_end >= src_start ? src_end - src_start : 0;
  /* the record's varints gather on the stack, around the label: the buffer
     grows exactly as with one append per field, so its capacity (counted
     by segsink_mem) is the same after each record */
  unsigned char rec[8 * 10], *w = rec;
  w = put_varint(w, first ? s->ndoc - 1 : s->ndoc - 1 - s->pdoc);
  w = put_varint(w, part);
  w = put_varint(w, ordinal);
  w = put_varint(w, heading ? 1 : 0);
  if (newdoc) {
    w = put_varint(w, src_start);
  } else {   /* zigzag of the distance from the previous paragraph's end */
    int64_t d = (int64_t)(src_start - s->psrc_end);
    w = put_varint(w, ((uint64_t)d << 1) ^ (uint64_t)(d >> 63));
  }
  w = put_varint(w, len_src);
  buf_append(b, rec, (size_t)(w - rec));
  seg__put_label(b, label, nlabel, label != NULL);
  w = rec;
  if (first) {
    w = put_varint(w, s->ntextblk);
    w = put_varint(w, s->raw.n);
  } else {
    w = put_varint(w, s->ntextblk - s->ptblk);
  }
  s->pdoc = s->ndoc - 1;
  s->ptblk = s->ntextblk;
  s->psrc_end = src_start + len_src;
  w = put_varint(w, ntext);
  buf_append(b, rec, (size_t)(w - rec));
  buf_append(&s->raw, text, ntext);
  s->rawparas++;
  if (s->paralen.limit) {   /* spilling: little-endian at once */
    unsigned char le[4];
    put_u32(le, len);
    spool_append(&s->paralen, le, sizeof le);
  } else {
    buf_append(&s->paralen.b, &len, sizeof len);   /* native order until finish */
  }
  s->npara++;
  s->total_len += len;
  if (keep(s, spool_check(&s->para)) ||
      keep(s, spool_check(&s->paralen)) || keep(s, s->raw.err ? s->raw.err : s->paraidx.err))
    return s->rc;
  if (s->raw.n >= SEGF_TEXT_BLOCK) flush_text(s);
  return s->rc;
}

/* Close the current chunk of a chunked section: its hash goes to CHECKS. */
static void chunk_end(segsink *s) {
  if (s->chunk_fill == 0) return;
  buf_put_u64(&s->checks, XXH3_64bits_digest(s->xchunk));
  XXH3_64bits_reset(s->xchunk);
  s->chunk_fill = 0;
}

/* Hash @n bytes of the current section chunk by chunk, if it is chunked. */
static void chunk_feed(segsink *s, const unsigned char *p, size_t n) {
  if (s->cur_sec < 0 || !SEGF_CHUNKED(s->cur_sec)) return;
  while (n > 0) {
    size_t m = SEGF_CHECK_CHUNK - s->chunk_fill;
    if (m > n) m = n;
    XXH3_64bits_update(s->xchunk, p, m);
    s->chunk_fill += m;
    p += m;
    n -= m;
    if (s->chunk_fill == SEGF_CHECK_CHUNK) chunk_end(s);
  }
}

/* Section @id starts at the current offset. */
static void section_start(segsink *s, int id) {
  chunk_end(s);
  s->cur_sec = id;
  s->checks_at = s->checks.n;
  s->sec_off[id] = s->written;
  XXH3_64bits_reset(s->xsec);
}

/* The current section @id ends here. */
static void section_end(segsink *s, int id) {
  chunk_end(s);
  s->sec_len[id] = s->written - s->sec_off[id];
  /* a chunked section's footer checksum is that of its chunk checksums */
  const unsigned char *checks = s->checks.p ? s->checks.p + s->checks_at : NULL;   /* none yet: NULL, 0 */
  s->sec_hash[id] = SEGF_CHUNKED(id) ? XXH3_64bits(checks, s->checks.n - s->checks_at) : XXH3_64bits_digest(s->xsec);
  s->cur_sec = -1;
}

/*
** Write @n bytes to the file, hashing them: into the whole file's hash, and
** into the chunk's (a chunked section) or the section's (any other; a
** chunked section's checksum is that of its chunk checksums, so its bytes
** are not hashed a third time).
*/
static void emit(segsink *s, const void *p, size_t n, char **errmsg) {
  if (s->rc || n == 0) return;
  int chunked = s->cur_sec >= 0 && SEGF_CHUNKED(s->cur_sec);
  if (chunked) chunk_feed(s, p, n);
  if (XXH3_64bits_update(s->xx, p, n) != XXH_OK || (!chunked && XXH3_64bits_update(s->xsec, p, n) != XXH_OK)) {
    keep(s, INDAGA_ERROR);
    return;
  }
  if (keep(s, os_wfile_write(&s->f, p, n, errmsg))) return;
  s->written += n;
}

void segsink_stamp(segsink *s, const seg_stamp *st) {
  if (st) s->stamp = *st;
}

int segsink_open(segsink *s, const char *path, char **errmsg) {
  if (s->rc) return s->rc;
  if (s->open) return keep(s, INDAGA_EMISUSE);
  flush_text(s);
  if (s->zp) {
    zpool_collect(s, 1);
    zpool_stop(s);
  }
  if (s->rc) return s->rc;
  if (keep(s, os_wfile_open(&s->f, path, errmsg))) return s->rc;
  s->open = 1;
  XXH3_64bits_reset(s->xx);
  XXH3_64bits_reset(s->xsec);
  unsigned char h[SEGF_HEADER_SIZE];
  memcpy(h, SEGF_MAGIC, 8);
  put_u32(h + 8, SEGF_VERSION);
  put_u32(h + 12, 0);
  emit(s, h, sizeof h, errmsg);
  XXH3_64bits_reset(s->xchunk);
  s->chunk_fill = 0;
  buf_reset(&s->checks);
  section_start(s, SEC_POSTINGS);
  return s->rc;
}

int segsink_reserve_positions(segsink *s, size_t n) {
  if (s->rc) return s->rc;
  return keep(s, buf_reserve(&s->posb.b, n));
}

/* Flush buffered postings to the file once they pass 1 MiB (or @force). */
static void flush_post(segsink *s, int force, char **errmsg) {
  if (s->post.n >= ((size_t)1 << 20) || (force && s->post.n)) {
    emit(s, s->post.p, s->post.n, errmsg);
    buf_reset(&s->post);
  }
}

/* Check a list about to be added and, with @gather, gather its paragraph lengths into s->lens. */
static int term_lens(segsink *s, const uint32_t *docs, uint32_t df, int gather) {
  if (s->rc) return s->rc;
  if (!s->open || df == 0 || docs[df - 1] >= s->npara) return keep(s, INDAGA_EMISUSE);
  if (!gather) return INDAGA_OK;
  if (s->paralen.limit) return keep(s, INDAGA_EMISUSE);   /* spilled: the caller gives the lengths */
  if (df > s->caplens) {
    uint32_t *l = indaga__realloc(s->lens, (size_t)df * sizeof *l);
    if (!l) return keep(s, INDAGA_ENOMEM);
    s->lens = l;
    s->caplens = df;
  }
  const uint32_t *plen = segsink_para_lens(s);
  for (uint32_t i = 0; i < df; i++) s->lens[i] = plen[docs[i]];
  return INDAGA_OK;
}

/*
** After a list was encoded (@rc its status; its postings start at @post_at
** of the section, its positions at @pos_at): the term's dictionary entry,
** front-coded against the previous term of the block.
*/
static int term_entry(segsink *s, int rc, const char *t, size_t n, const pst_stats *st,
                      uint64_t post_at, uint64_t pos_at, char **errmsg) {
  if (keep(s, rc)) {
    if (s->rc == INDAGA_ERROR && errmsg)
      *errmsg = indaga__sprintf("%s: the postings of one term exceed 4 GiB", s->f.path);
    return s->rc;
  }
  ia_buf *d = &s->dict.b;
  int first = s->nterms % SEGF_DICT_BLOCK == 0;
  size_t shared = 0;
  if (first) {
    if (spool_size(&s->dict) > UINT32_MAX) return keep(s, INDAGA_ERROR);
    buf_put_u32(&s->dictidx, (uint32_t)spool_size(&s->dict));
  } else {
    size_t m = s->prevterm.n < n ? s->prevterm.n : n;
    while (shared < m && s->prevterm.p[shared] == (unsigned char)t[shared]) shared++;
  }
  unsigned char rec[8 * 10], *w = rec;   /* the varints of the entry, gathered */
  w = put_varint(w, shared);
  w = put_varint(w, n - shared);
  buf_append(d, rec, (size_t)(w - rec));
  buf_append(d, t + shared, n - shared);
  w = rec;
  w = put_varint(w, st->df);
  w = put_varint(w, st->cf - st->df);
  w = put_varint(w, st->max_tf - 1);
  w = put_varint(w, st->min_len);
  w = put_varint(w, first ? post_at : post_at - s->prev_post);
  w = put_varint(w, first ? pos_at : pos_at - s->prev_pos);
  if (st->df <= SEG_BLOCK) w = put_varint(w, st->last_doc);
  buf_append(d, rec, (size_t)(w - rec));
  s->prev_post = post_at;
  s->prev_pos = pos_at;
  buf_reset(&s->prevterm);
  buf_append(&s->prevterm, t, n);
  s->nterms++;
  if (keep(s, spool_check(&s->dict)) || keep(s, s->dictidx.err ? s->dictidx.err : s->prevterm.err))
    return s->rc;
  flush_post(s, 0, errmsg);
  return s->rc;
}

int segsink_positions_add(segsink *s, const void *p, size_t n) {
  if (s->rc) return s->rc;
  if (!s->open) return keep(s, INDAGA_EMISUSE);
  return keep(s, spool_append(&s->posb, p, n));
}

unsigned char *segsink_positions_tail(segsink *s, size_t n) {
  if (s->rc) return NULL;
  if (n > SIZE_MAX - 8 || keep(s, buf_reserve(&s->posb.b, n + 8))) return NULL;
  return s->posb.b.p + s->posb.b.n;
}

int segsink_term_enc(segsink *s, const char *t, size_t n, const uint32_t *docs, const uint32_t *tfs,
                     const uint32_t *lens, uint32_t df, const unsigned char *pos, size_t npos,
                     const uint64_t *posoff, char **errmsg) {
  if (term_lens(s, docs, df, lens == NULL)) return s->rc;   /* lens: gathered by the caller */
  uint64_t post_at = s->written - s->sec_off[SEC_POSTINGS] + s->post.n, pos_at = spool_size(&s->posb);
  ia_buf *pb = &s->posb.b;
  if (!pos) {   /* appended by segsink_positions_add */
    if (npos > pos_at) return keep(s, INDAGA_EMISUSE);
    pos_at -= npos;
  } else if (pb->p && pos == pb->p + pb->n && pb->cap - pb->n > npos) {   /* in place */
    pb->n += npos;
    pb->p[pb->n] = 0;
    keep(s, spool_check(&s->posb));
  } else {
    keep(s, spool_append(&s->posb, pos, npos));
  }
  if (s->rc) return s->rc;
  pst_stats st;
  int rc = pst_encode_ids(&s->post, docs, tfs, lens ? lens : s->lens, posoff, df, &st);
  return term_entry(s, rc, t, n, &st, post_at, pos_at, errmsg);
}

int segsink_term_begin(segsink *s, uint32_t df) {
  if (s->rc) return s->rc;
  if (!s->open || df == 0) return keep(s, INDAGA_EMISUSE);
  s->enc_post_at = s->written - s->sec_off[SEC_POSTINGS] + s->post.n;
  s->enc_pos_at = spool_size(&s->posb);
  return keep(s, pst_encode_begin(&s->enc, &s->post, df, &s->enc_st));
}

int segsink_term_block(segsink *s, const uint32_t *docs, const uint32_t *tfs, const uint32_t *lens,
                       uint32_t m, uint64_t posoff) {
  if (s->rc) return s->rc;
  if (m == 0 || docs[m - 1] >= s->npara) return keep(s, INDAGA_EMISUSE);
  return keep(s, pst_encode_block(&s->enc, &s->post, docs, tfs, lens, m, posoff, &s->enc_st));
}

int segsink_term_end(segsink *s, const char *t, size_t n, char **errmsg) {
  if (s->rc) return s->rc;
  if (s->enc.b != s->enc.nblocks) return keep(s, INDAGA_EMISUSE);
  return term_entry(s, INDAGA_OK, t, n, &s->enc_st, s->enc_post_at, s->enc_pos_at, errmsg);
}

/* Emit the pending vocabulary key with its terms. */
static void flush_key(segsink *s) {
  if (s->rc || s->vnterms == 0) return;
  ia_buf *v = &s->vocab.b;
  size_t shared = 0;
  if (s->nkeys % SEGF_VOCAB_BLOCK == 0) {
    if (spool_size(&s->vocab) > UINT32_MAX) { keep(s, INDAGA_ERROR); return; }
    buf_put_u32(&s->vocabidx, (uint32_t)spool_size(&s->vocab));
  } else {
    size_t m = s->prevkey.n < s->vkey.n ? s->prevkey.n : s->vkey.n;
    while (shared < m && s->prevkey.p[shared] == s->vkey.p[shared]) shared++;
  }
  buf_put_varint(v, shared);
  buf_put_varint(v, s->vkey.n - shared);
  buf_append(v, s->vkey.p + shared, s->vkey.n - shared);
  buf_put_varint(v, s->vnterms);
  buf_append(v, s->vterms.p, s->vterms.n);
  buf_reset(&s->prevkey);
  buf_append(&s->prevkey, s->vkey.p, s->vkey.n);
  buf_reset(&s->vterms);
  s->vnterms = 0;
  s->nkeys++;
  if (!keep(s, spool_check(&s->vocab))) keep(s, s->vocabidx.err ? s->vocabidx.err : s->prevkey.err);
}

int segsink_vocab(segsink *s, const char *k, size_t nk, const char *t, size_t nt) {
  if (s->rc) return s->rc;
  if (!s->open) return keep(s, INDAGA_EMISUSE);
  if (s->vnterms && (s->vkey.n != nk || memcmp(s->vkey.p, k, nk) != 0)) flush_key(s);
  if (s->vnterms == 0) {
    buf_reset(&s->vkey);
    buf_append(&s->vkey, k, nk);
  }
  size_t shared = 0, m = nk < nt ? nk : nt;
  while (shared < m && k[shared] == t[shared]) shared++;
  buf_put_varint(&s->vterms, shared);
  buf_put_varint(&s->vterms, nt - shared);
  buf_append(&s->vterms, t + shared, nt - shared);
  s->vnterms++;
  return keep(s, s->vkey.err ? s->vkey.err : s->vterms.err);
}

/* Write a whole in-memory section. */
static void emit_section(segsink *s, int id, const ia_buf *b, char **errmsg) {
  section_start(s, id);
  if (b) emit(s, b->p, b->n, errmsg);
  section_end(s, id);
}

typedef struct emit_ctx { segsink *s; char **errmsg; } emit_ctx;

static int emit_chunk(void *ctx, const unsigned char *p, size_t n) {
  emit_ctx *e = ctx;
  emit(e->s, p, n, e->errmsg);
  return e->s->rc;
}

/* Write a spooled section, emptying its spool. */
static void emit_spool(segsink *s, int id, spool *sp, char **errmsg) {
  if (s->rc) return;
  emit_ctx e = { s, errmsg };
  section_start(s, id);
  if (keep(s, spool_drain(sp, emit_chunk, &e))) return;
  section_end(s, id);
}

typedef struct idref { const unsigned char *p; size_t n; uint32_t d, piece; } idref;

/* (id, piece) order of DOC_SORT. */
static int cmp_idref(const void *a, const void *b) {
  const idref *x = a, *y = b;
  size_t m = x->n < y->n ? x->n : y->n;
  int c = m ? memcmp(x->p, y->p, m) : 0;
  if (c) return c;
  if (x->n != y->n) return x->n < y->n ? -1 : 1;
  return x->piece < y->piece ? -1 : x->piece > y->piece;
}

/* Encode the DOC_SORT section into @sorted, from the ids kept (segsink_doc). */
static void encode_sorted(segsink *s, ia_buf *sorted, char **errmsg) {
  idref *ids = s->ndoc ? indaga__malloc((size_t)s->ndoc * sizeof *ids) : NULL;
  if (s->ndoc && !ids) { keep(s, INDAGA_ENOMEM); return; }
  const unsigned char *p = s->ids.p, *end = s->ids.n ? p + s->ids.n : p;   /* no offset on NULL */
  for (uint32_t i = 0; i < s->ndoc; i++) {
    uint64_t n = 0, piece = 0;
    get_varint(&p, end, &n);   /* written by segsink_doc: they parse */
    get_varint(&p, end, &piece);
    ids[i] = (idref){ p, (size_t)n, i, (uint32_t)piece };
    p += n;
  }
  if (s->ndoc) qsort(ids, s->ndoc, sizeof *ids, cmp_idref);
  for (uint32_t i = 0; i < s->ndoc; i++) {
    if (i && cmp_idref(&ids[i - 1], &ids[i]) == 0) {
      if (errmsg && !*errmsg)
        *errmsg = indaga__sprintf("%s: document id '%.*s' (piece %u) added twice", s->f.path,
                                  (int)ids[i].n, (const char *)ids[i].p, ids[i].piece);
      keep(s, INDAGA_EMISUSE);
      break;
    }
    buf_put_u32(sorted, ids[i].d);
  }
  indaga__free(ids);
  keep(s, sorted->err);
}

/* The FIELDS section into @out, from the encoder the documents were given to (put_doc). */
static void encode_fields(segsink *s, ia_buf *out, char **errmsg) {
  if (s->rc) return;
  if (s->frc == INDAGA_EMISUSE && errmsg && !*errmsg)
    *errmsg = indaga__sprintf("%s: metadata of document %u does not parse", s->f.path, s->fbad);
  if (s->frc && s->fmsg && errmsg && !*errmsg) {
    *errmsg = s->fmsg;
    s->fmsg = NULL;
  }
  keep(s, s->frc ? s->frc : sf_enc_finish(s->fe, s->npara, out));
}

int segsink_finish(segsink *s, char **errmsg) {
  if (!s->rc && !s->open) keep(s, INDAGA_EMISUSE);
  flush_key(s);
  flush_post(s, 1, errmsg);
  if (s->rc) return s->rc;
  section_end(s, SEC_POSTINGS);
  /* paragraph lengths to little-endian, in place (a spilling sink wrote them so) */
  for (uint32_t i = 0; i < s->npara && !s->paralen.limit; i++) {
    uint32_t v;
    memcpy(&v, s->paralen.b.p + 4 * (size_t)i, 4);
    put_u32(s->paralen.b.p + 4 * (size_t)i, v);
  }
  if (s->ndoc) put_doc(s);
  ia_buf sorted = { 0 }, fields = { 0 };
  encode_sorted(s, &sorted, errmsg);
  encode_fields(s, &fields, errmsg);
  emit_spool(s, SEC_POSITIONS, &s->posb, errmsg);
  emit_spool(s, SEC_DICT, &s->dict, errmsg);
  emit_section(s, SEC_DICT_IDX, &s->dictidx, errmsg);
  emit_spool(s, SEC_VOCAB, &s->vocab, errmsg);
  emit_section(s, SEC_VOCAB_IDX, &s->vocabidx, errmsg);
  emit_spool(s, SEC_PARA, &s->para, errmsg);
  emit_section(s, SEC_PARA_IDX, &s->paraidx, errmsg);
  emit_spool(s, SEC_PARA_LEN, &s->paralen, errmsg);
  emit_spool(s, SEC_DOCS, &s->drecs, errmsg);
  emit_section(s, SEC_DOC_IDX, &s->didx, errmsg);
  emit_section(s, SEC_DOC_SORT, &sorted, errmsg);
  emit_spool(s, SEC_TEXT, &s->text, errmsg);
  emit_section(s, SEC_TEXT_IDX, &s->textidx, errmsg);
  keep(s, s->checks.err);   /* sticky: emit() then writes nothing */
  emit_section(s, SEC_CHECKS, &s->checks, errmsg);
  emit_section(s, SEC_FIELDS, &fields, errmsg);
  buf_free(&fields);
  buf_free(&sorted);
  /* footer */
  unsigned char f[SEGF_FOOTER_SIZE], *w = f;
  put_u32(w, SEGF_NSECT); w += 4;
  for (int i = 0; i < SEGF_NSECT; i++) {
    put_u64(w, s->sec_off[i]); put_u64(w + 8, s->sec_len[i]); w += 16;
  }
  for (int i = 0; i < SEGF_NSECT; i++, w += 8) put_u64(w, s->sec_hash[i]);
  put_u32(w, s->npara); put_u32(w + 4, s->ndoc); w += 8;
  put_u64(w, s->nterms); put_u64(w + 8, s->nkeys); put_u64(w + 16, s->total_len); w += 24;
  put_u64(w, s->stamp.index_id); put_u64(w + 8, s->stamp.generation); w += 16;
  put_u32(w, SEGF_VERSION); put_u32(w + 4, SEGF_FOOTER_SIZE); w += 8;
  put_u64(w, XXH3_64bits(f, (size_t)(w - f))); w += 8;
  emit(s, f, (size_t)(w - f), errmsg);
  if (s->rc) return s->rc;
  put_u64(w, XXH3_64bits_digest(s->xx));
  memcpy(w + 8, SEGF_FOOTER_MAGIC, 8);
  if (keep(s, os_wfile_write(&s->f, w, 16, errmsg))) return s->rc;
  if (keep(s, os_wfile_commit(&s->f, errmsg))) return s->rc;
  s->open = 0;
  return INDAGA_OK;
}
