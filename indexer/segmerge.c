/*
** segmerge.c: seg_merge, n segments into one, dropping deleted documents.
**
**  1. Documents and paragraphs: inputs in order, each input's surviving
**     documents in order, so document order is kept. Each surviving
**     paragraph gets the next new id (remap[i][pid], deleted ones SEG_END;
**     an input without deleted documents needs no remap: its ids move up
**     by base[i]) and its record, length and text (read through a
**     one-block decompression cache, then recompressed in new blocks) go
**     to the sink. The documents' fields (FIELDS) of an input of version 7
**     without deleted documents are mapped from its section; of any other
**     input, the sink derives them from the metadata.
**  2. Terms: a k-way merge of the inputs' dictionaries (a heap orders
**     the inputs by their current terms, kway.h). For the smallest term,
**     each input that has it is read with a cursor in input order;
**     surviving postings are renumbered and appended with their
**     paragraphs' lengths (noted in step 1), their positions handed to
**     the sink as they are read. Because new ids ascend with (input, old
**     id), the merged list is sorted. A term whose postings were all deleted is dropped.
**     The sink re-encodes blocks, directory and bounds from scratch.
**  3. Vocabulary: a k-way merge by key; a key's terms are the sorted union
**     of its terms in every input, keeping only terms that survived step 2
**     (binary search over the emitted terms, which were emitted in order;
**     kept only when some input has deleted documents, since otherwise
**     every term of an input survives).
**     A (key, term) pair whose only source was a deleted document may
**     survive when the term itself survives elsewhere: a query then expands
**     to one extra term that exists, which costs nothing in correctness.
*/
#include <stdlib.h>
#include "common/testhook.h"
#include "indexer/kway.h"
#include "indexer/segfields.h"
#include "indexer/segimpl.h"
#include "indexer/segwriter.h"

/*
** A merge's memory does not grow with its inputs: the sections the sink
** writes after the postings spill to scratch files past SPOOL_LIMIT bytes
** each (spool.h; the test knob TEST_SPOOL_LIMIT lowers it), a term's
** positions go to the sink as they are read, and the inputs' pages are
** dropped each time about DROP_EVERY bytes of them have been read, so the
** mapped inputs do not stay resident beside it.
**
** The block impacts of the merged lists need each posting's paragraph
** length. Looked up in the inputs' PARA_LEN sections, a posting at a time,
** the rare terms' postings touched nearly every page of them (4 bytes a
** paragraph) in each DROP_EVERY window: at 16x the legislation those pages
** were most of the merge's resident size, faulted in again after every
** drop (17% of compact's CPU time in perf). So step 1 notes the lengths of
** the output's paragraphs as it copies them, a byte each (OUT_LONG: look
** among the long ones, kept apart as (paragraph, length) pairs in order;
** lng_at[b] is the first pair of paragraph b * 2^LONG_SHIFT or later, so
** that a look-up searches the few pairs of one run of paragraphs, not all
** of them: at 16x a binary search over all was 20% of seg_merge's time).
*/
#define SPOOL_LIMIT ((size_t)1 << 20)
#define DROP_EVERY ((size_t)16 << 20)
/* A term with more postings than this in its inputs goes to the sink a
   block at a time (segsink_term_begin), not gathered whole (its ids, tfs
   and lengths took 12 bytes a posting: 384 MB for the commonest word of
   the legislation at 16x); the test knob TEST_STREAM_MIN lowers it. */
#define STREAM_MIN ((uint64_t)1 << 16)
#define OUT_LONG 255u
#define LONG_SHIFT 8

typedef struct longlen { uint32_t pid, len; } longlen;

typedef struct merge {
  const seg_reader *const *in;
  size_t n;
  uint32_t **remap;          /* per input: old paragraph id -> new, or SEG_END; NULL: */
  uint32_t *base;            /* an input kept whole, its paragraph p is base[i] + p */
  segsink *sink;
  uint32_t *docs, *tfs, *lens;   /* the term's list: new ids, tfs, paragraph lengths */
  size_t capd, captf, capl, ndocs;
  ia_buf posb;               /* one posting's positions, encoded again (copy_positions) */
  uint64_t npos;             /* bytes of the term's positions given to the sink */
  uint64_t *posoff;          /* where each block's positions start among them */
  size_t capoff;
  ia_buf terms;              /* emitted terms, back to back */
  size_t *toff;              /* their offsets, nterms + 1 */
  size_t nterms, captoff;
  int pruned;                /* some input has deleted documents: terms may vanish */
  int stream;                /* the current term goes to the sink block by block */
  uint64_t read;             /* input bytes read since their pages were last dropped */
  uint64_t stream_min;       /* STREAM_MIN, or the test knob's */
  unsigned char *len8;       /* per output paragraph: its length, or OUT_LONG */
  longlen *lng;              /* the lengths of OUT_LONG or more, by paragraph */
  size_t nlng, caplng;
  uint32_t *lng_at;          /* per run of 2^LONG_SHIFT paragraphs: its first pair in lng */
  char **errmsg;
} merge;

/* @n more bytes of the inputs were read: drop their pages every DROP_EVERY. */
static void consumed(merge *m, uint64_t n) {
  m->read += n;
  if (m->read < DROP_EVERY) return;
  for (size_t i = 0; i < m->n; i++) seg_drop_pages(m->in[i]);
  m->read = 0;
}

static int cmp_mem(const unsigned char *a, size_t na, const unsigned char *b, size_t nb) {
  size_t m = na < nb ? na : nb;
  int c = m ? memcmp(a, b, m) : 0;
  if (c) return c;
  return na < nb ? -1 : na > nb;
}

/* Note the length of the output's paragraph @pid (the next one: len8 holds every input's). */
static int note_len(merge *m, uint32_t pid, uint32_t len) {
  m->len8[pid] = (unsigned char)(len < OUT_LONG ? len : OUT_LONG);
  if (len < OUT_LONG) return INDAGA_OK;
  if (m->nlng == m->caplng) {
    longlen *g = indaga__grow(m->lng, &m->caplng, sizeof *g, 256);
    if (!g) return INDAGA_ENOMEM;
    m->lng = g;
  }
  m->lng[m->nlng++] = (longlen){ pid, len };
  return INDAGA_OK;
}

/* Index the long paragraphs' pairs once step 1 has noted them all (@npara paragraphs). */
static int index_long(merge *m, size_t npara) {
  size_t nb = (npara >> LONG_SHIFT) + 2, j = 0;
  if (!(m->lng_at = indaga__malloc(nb * sizeof *m->lng_at))) return INDAGA_ENOMEM;
  for (size_t b = 0; b < nb; b++) {
    while (j < m->nlng && m->lng[j].pid < ((uint64_t)b << LONG_SHIFT)) j++;
    m->lng_at[b] = (uint32_t)j;
  }
  return INDAGA_OK;
}

/* The length of the output's paragraph @pid. */
static uint32_t out_len(const merge *m, uint32_t pid) {
  if (m->len8[pid] < OUT_LONG) return m->len8[pid];
  size_t lo = m->lng_at[pid >> LONG_SHIFT], hi = m->lng_at[(pid >> LONG_SHIFT) + 1];
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->lng[mid].pid <= pid) lo = mid; else hi = mid;
  }
  return m->lng[lo].len;   /* noted with the paragraph: lng[lo].pid == pid */
}

/*
** Step 1: documents, paragraphs and text of input @i. An input kept whole
** needs no remap array (4 bytes a paragraph): its paragraphs, which its
** documents cover in order (checked here), keep their order.
*/
static int merge_docs(merge *m, size_t i, int (*deleted)(void *, size_t, uint32_t), void *ctx) {
  const seg_reader *r = m->in[i];
  seg_text_cache tc;
  memset(&tc, 0, sizeof tc);
  int rc = INDAGA_OK;
  /* an input kept whole: its fields are mapped, not derived again (segfields.h) */
  const seg_fields *f = NULL;
  int whole = 1;
  for (uint32_t did = 0; whole && deleted && did < seg_ndoc(r); did++) whole = !deleted(ctx, i, did);
  m->base[i] = segsink_npara(m->sink);
  if (whole && (rc = seg_fields_get(r, &f, m->errmsg)) != INDAGA_OK) return rc;
  if (!whole) {
    m->pruned = 1;
    m->remap[i] = indaga__malloc(((size_t)seg_npara(r) + 1) * sizeof **m->remap);
    if (!m->remap[i]) return INDAGA_ENOMEM;
    for (uint32_t p = 0; p < seg_npara(r); p++) m->remap[i][p] = SEG_END;
  }
  uint32_t next = 0;   /* a whole input's next paragraph */
  for (uint32_t did = 0; did < seg_ndoc(r) && !rc; did++) {
    if (deleted && deleted(ctx, i, did)) continue;
    seg_doc d;
    if ((rc = seg_doc_get(r, did, &d)) != INDAGA_OK) break;
    if (whole && d.first_para != next) { rc = INDAGA_ECORRUPT; break; }
    next = d.first_para + d.npara;
    rc = segsink_doc(m->sink, d.id, d.nid, d.piece, d.more, d.size, d.mtime_ns, d.hash, d.meta, d.nmeta,
                     d.parts, d.nparts_bytes, d.nparts);
    if (!rc && f) rc = segsink_doc_fields(m->sink, r, f, did);
    for (uint32_t pid = d.first_para; pid < d.first_para + d.npara && !rc; pid++) {
      seg_para p;
      const char *t;
      size_t nt;
      if ((rc = seg__para_read(r, pid, &tc, &p, &t, &nt)) != INDAGA_OK) break;
      rc = segsink_para(m->sink, p.part, p.ordinal, p.len, p.heading, p.src_start, p.src_end,
                        p.label, p.nlabel, t, nt);
      if (!whole) m->remap[i][pid] = segsink_npara(m->sink) - 1;
      if (!rc) rc = note_len(m, segsink_npara(m->sink) - 1, p.len);
      consumed(m, nt + p.nlabel);
    }
  }
  if (!rc && whole && next != seg_npara(r)) rc = INDAGA_ECORRUPT;
  buf_free(&tc.raw);
  if (rc == INDAGA_ECORRUPT || rc == INDAGA_ENOTFOUND)
    rc = seg__corrupt(r, m->errmsg, "unreadable document or paragraph during merge");
  return rc;
}

/* Grow an array of u32 to hold @need. */
static int grow(uint32_t **a, size_t *cap, size_t need) {
  if (need <= *cap) return INDAGA_OK;
  size_t c = *cap ? *cap * 2 : 1024;
  while (c < need) c *= 2;
  uint32_t *p = indaga__realloc(*a, c * sizeof *p);
  if (!p) return INDAGA_ENOMEM;
  *a = p;
  *cap = c;
  return INDAGA_OK;
}

/*
** Give the current posting's positions of @c to the sink: their bytes as
** stored, or, when an input holds a varint in a longer form than needed,
** decoded and encoded again (the merged file's bytes are then those of a
** fresh build).
*/
static int copy_positions(merge *m, seg_cursor *c) {
  const unsigned char *raw;
  size_t nraw;
  int rc = pst_cursor_positions_raw(c, &raw, &nraw);
  if (rc == 1) {
    const uint32_t *pos;
    uint32_t n;
    if ((rc = seg_cursor_positions(c, &pos, &n)) != INDAGA_OK) return rc;
    buf_reset(&m->posb);
    for (uint32_t k = 0; k < n; k++) buf_put_varint(&m->posb, k ? pos[k] - pos[k - 1] - 1u : pos[0]);
    if ((rc = m->posb.err) != INDAGA_OK) return rc;
    raw = m->posb.p;
    nraw = m->posb.n;
  } else if (rc != INDAGA_OK) {
    return rc;
  }
  m->npos += nraw;
  consumed(m, nraw + 2);
  return segsink_positions_add(m->sink, raw, nraw);
}

/* Hand the postings gathered, one block of a streamed term, to the sink. */
static int flush_block(merge *m) {
  int rc = segsink_term_block(m->sink, m->docs, m->tfs, m->lens, (uint32_t)m->ndocs, m->posoff[0]);
  m->ndocs = 0;
  return rc;
}

/* Add to *n the postings of term @t in input @i that survive. */
static int count_live(merge *m, size_t i, const seg_term *t, uint64_t *n) {
  seg_cursor c;
  int rc = seg_cursor_open(&c, m->in[i], t);
  while (rc == INDAGA_OK && c.doc != SEG_END) {
    if (!m->remap[i] || m->remap[i][c.doc] != SEG_END) (*n)++;
    consumed(m, 2);
    rc = seg_cursor_next(&c);
  }
  seg_cursor_close(&c);
  if (rc == INDAGA_ECORRUPT) rc = seg__corrupt(m->in[i], m->errmsg, "malformed postings during merge");
  return rc;
}

/*
** The postings' paragraph lengths (len8) are looked up in the order of the
** lists' ids, scattered over all the output's paragraphs: at 16x the
** legislation that array outgrows the caches, and the load was more than
** half of seg_merge's own time in perf. gather asks for the length of the
** posting PREFETCH_AHEAD places on in the cursor's block (at the block's
** start, for the ones up to there too), so that it has arrived when it is
** read. An input with deleted documents maps its ids through remap: its
** entry is what is asked for then. The hint is written out in gather's
** loop: GCC 12 finds a function whose only effect is a prefetch pure and
** drops its calls (the first try at this did nothing for that reason).
*/
#define PREFETCH_AHEAD 16u
#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* Append input @i's surviving postings of term @t (a streamed term: block by block to the sink). */
static int gather(merge *m, size_t i, const seg_term *t) {
  seg_cursor c;
  int rc = seg_cursor_open(&c, m->in[i], t);
  while (rc == INDAGA_OK && c.doc != SEG_END) {
    for (uint32_t k = seg_cursor_in_block(&c) ? PREFETCH_AHEAD : 0; k <= PREFETCH_AHEAD; k++) {
      uint32_t a = seg_cursor_ahead(&c, k);
      if (a == SEG_END) break;
      PREFETCH(m->remap[i] ? (const void *)&m->remap[i][a] : &m->len8[m->base[i] + a]);
    }
    uint32_t np = m->remap[i] ? m->remap[i][c.doc] : m->base[i] + c.doc;
    if (np != SEG_END) {
      if ((rc = grow(&m->docs, &m->capd, m->ndocs + 1)) != INDAGA_OK) break;
      if ((rc = grow(&m->tfs, &m->captf, m->ndocs + 1)) != INDAGA_OK) break;
      if ((rc = grow(&m->lens, &m->capl, m->ndocs + 1)) != INDAGA_OK) break;
      if (m->ndocs % SEG_BLOCK == 0) {   /* a block starts: where its positions do */
        size_t b = m->ndocs / SEG_BLOCK;
        if (b >= m->capoff) {
          uint64_t *o = indaga__grow(m->posoff, &m->capoff, sizeof *o, 64);
          if (!o) { rc = INDAGA_ENOMEM; break; }
          m->posoff = o;
        }
        m->posoff[b] = m->npos;
      }
      if ((rc = copy_positions(m, &c)) != INDAGA_OK) break;
      m->docs[m->ndocs] = np;
      m->lens[m->ndocs] = out_len(m, np);
      m->tfs[m->ndocs++] = c.freq;
      if (m->stream && m->ndocs == SEG_BLOCK && (rc = flush_block(m)) != INDAGA_OK) break;
    }
    rc = seg_cursor_next(&c);
  }
  seg_cursor_close(&c);
  if (rc == INDAGA_ECORRUPT) rc = seg__corrupt(m->in[i], m->errmsg, "malformed postings during merge");
  return rc;
}

/*
** Remember an emitted term for the vocabulary step; only when some input
** has deleted documents: else every term of the inputs is emitted.
*/
static int remember(merge *m, const unsigned char *t, size_t n) {
  if (!m->pruned) return INDAGA_OK;
  if (m->nterms + 2 > m->captoff) {
    size_t *o = indaga__grow(m->toff, &m->captoff, sizeof *o, 1024);
    if (!o) return INDAGA_ENOMEM;
    m->toff = o;
  }
  m->toff[m->nterms++] = m->terms.n;
  buf_append(&m->terms, t, n);
  m->toff[m->nterms] = m->terms.n;
  return m->terms.err;
}

static int emitted(const merge *m, const unsigned char *t, size_t n) {
  if (!m->pruned) return 1;
  size_t lo = 0, hi = m->nterms;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = cmp_mem(m->terms.p + m->toff[mid], m->toff[mid + 1] - m->toff[mid], t, n);
    if (c == 0) return 1;
    if (c < 0) lo = mid + 1; else hi = mid;
  }
  return 0;
}

static int dict_cmp(const void *ctx, size_t a, size_t b) {
  const seg_dict_iter *it = ctx;
  return cmp_mem(it[a].term.p, it[a].term.n, it[b].term.p, it[b].term.n);
}

static int vocab_cmp(const void *ctx, size_t a, size_t b) {
  const seg_vocab_iter *it = ctx;
  return cmp_mem(it[a].key.p, it[a].key.n, it[b].key.p, it[b].key.n);
}

/* Take from @q every input whose key equals the smallest into @grp, in input order; their number. */
static size_t take_group(kway *q, size_t *grp) {
  size_t ng = 0;
  grp[ng++] = kway_pop(q);
  while (q->n && q->cmp(q->ctx, kway_top(q), grp[0]) == 0) grp[ng++] = kway_pop(q);
  return ng;
}

/*
** Input @i's iterator has moved on, with @rc: 1 (an entry, and @i goes back
** into @q), 0 (it is done) or an error, returned (a malformed @what named).
*/
static int requeue(merge *m, kway *q, size_t i, int rc, const char *what) {
  if (rc == 1) {
    kway_push(q, i);
    return INDAGA_OK;
  }
  if (rc == INDAGA_ECORRUPT) return seg__corrupt(m->in[i], m->errmsg, "malformed %s during merge", what);
  return rc;
}

/*
** Step 2: the k-way merge of the dictionaries. @q orders the inputs by
** their current terms; @grp receives the inputs that hold the smallest.
*/
static int merge_terms(merge *m, seg_dict_iter *it, kway *q, size_t *grp) {
  int rc = INDAGA_OK;
  for (size_t i = 0; i < m->n && !rc; i++) {
    seg_dict_iter_init(&it[i], m->in[i]);
    rc = requeue(m, q, i, seg_dict_iter_next(&it[i]), "dictionary");
  }
  while (!rc && q->n) {
    size_t ng = take_group(q, grp);
    m->ndocs = 0;
    m->npos = 0;
    const ia_buf *t = &it[grp[0]].term;
    uint64_t df = 0;   /* postings in the inputs, then (a streamed term) those that survive */
    for (size_t g = 0; g < ng; g++) df += it[grp[g]].t.df;
    m->stream = df > m->stream_min;
    if (m->stream && m->pruned) {
      df = 0;
      for (size_t g = 0; g < ng && !rc; g++) rc = count_live(m, grp[g], &it[grp[g]].t, &df);
    }
    if (!rc && m->stream && df > UINT32_MAX) rc = seg__corrupt(m->in[grp[0]], m->errmsg, "document frequencies past 2^32");
    if (!rc && m->stream && df) rc = segsink_term_begin(m->sink, (uint32_t)df);
    for (size_t g = 0; g < ng && !rc && (!m->stream || df); g++) rc = gather(m, grp[g], &it[grp[g]].t);
    if (!rc && m->stream && df) {
      if (m->ndocs) rc = flush_block(m);
      if (!rc) rc = segsink_term_end(m->sink, (const char *)t->p, t->n, m->errmsg);
      if (rc == INDAGA_EMISUSE)   /* the lists do not hold the postings their entries count */
        rc = seg__corrupt(m->in[grp[0]], m->errmsg, "term '%.*s': postings and document frequency disagree during merge",
                          (int)t->n, (const char *)t->p);
      if (!rc) rc = remember(m, t->p, t->n);
    } else if (!rc && m->ndocs) {
      rc = segsink_term_enc(m->sink, (const char *)t->p, t->n, m->docs, m->tfs, m->lens, (uint32_t)m->ndocs, NULL,
                            m->npos, m->posoff, m->errmsg);
      if (!rc) rc = remember(m, t->p, t->n);
    }
    /* advance every input on this term */
    for (size_t g = 0; g < ng && !rc; g++) {
      size_t i = grp[g];
      consumed(m, it[i].term.n + 16);   /* about a dictionary entry */
      rc = requeue(m, q, i, seg_dict_iter_next(&it[i]), "dictionary");
    }
  }
  return rc;
}

/* Step 3: the k-way merge of the vocabularies (@q and @grp as in step 2; @at, k places). */
static int merge_vocab(merge *m, seg_vocab_iter *it, kway *q, size_t *grp, size_t *at) {
  int rc = INDAGA_OK;
  for (size_t i = 0; i < m->n && !rc; i++) {
    seg_vocab_iter_init(&it[i], m->in[i]);
    rc = requeue(m, q, i, seg_vocab_iter_next(&it[i]), "vocabulary");
  }
  while (!rc && q->n) {
    size_t ng = take_group(q, grp);
    const ia_buf *key = &it[grp[0]].key;
    /* emit the union of the terms in order, merging the inputs' lists
       (each sorted, without repeats): at[g] is where input grp[g] is */
    for (size_t g = 0; g < ng; g++) at[g] = 0;
    for (;;) {
      const unsigned char *best = NULL;
      size_t nbest = 0;
      for (size_t g = 0; g < ng; g++) {
        const seg_vocab_iter *v = &it[grp[g]];
        if (at[g] == v->nterms) continue;
        const unsigned char *t = v->terms.p + v->toff[at[g]];
        size_t nt = v->toff[at[g] + 1] - v->toff[at[g]];
        if (!best || cmp_mem(t, nt, best, nbest) < 0) { best = t; nbest = nt; }
      }
      if (!best) break;
      if (emitted(m, best, nbest) &&
          (rc = segsink_vocab(m->sink, (const char *)key->p, key->n, (const char *)best, nbest)) != INDAGA_OK)
        break;
      for (size_t g = 0; g < ng; g++) {
        const seg_vocab_iter *v = &it[grp[g]];
        if (at[g] < v->nterms && cmp_mem(v->terms.p + v->toff[at[g]], v->toff[at[g] + 1] - v->toff[at[g]], best, nbest) == 0)
          at[g]++;
      }
    }
    /* advance every input on this key */
    for (size_t g = 0; g < ng && !rc; g++) {
      size_t i = grp[g];
      consumed(m, it[i].key.n + it[i].terms.n + 4);
      rc = requeue(m, q, i, seg_vocab_iter_next(&it[i]), "vocabulary");
    }
  }
  return rc;
}

int seg_merge(const seg_reader *const *in, size_t n,
              int (*doc_deleted)(void *ctx, size_t seg, uint32_t did), void *ctx,
              const seg_stamp *stamp, const char *path, char **errmsg) {
  merge m;
  memset(&m, 0, sizeof m);
  m.in = in;
  m.n = n;
  m.errmsg = errmsg;
  seg_dict_iter *dit = NULL;
  seg_vocab_iter *vit = NULL;
  kway q = { 0 };
  size_t *grp = NULL;
  int rc = INDAGA_ENOMEM;
  if (n == 0) return INDAGA_EMISUSE;
  m.remap = indaga__calloc(n, sizeof *m.remap);
  m.base = indaga__calloc(n, sizeof *m.base);
  dit = indaga__calloc(n, sizeof *dit);
  vit = indaga__calloc(n, sizeof *vit);
  grp = indaga__calloc(2 * n, sizeof *grp);   /* then merge_vocab's places */
  size_t npara = 1;
  for (size_t i = 0; i < n; i++) npara += seg_npara(in[i]);
  m.len8 = indaga__malloc(npara);
  if (!m.remap || !m.base || !dit || !vit || !grp || !m.len8 || kway_init(&q, n, dict_cmp, dit) != INDAGA_OK ||
      (rc = segsink_new(&m.sink)) != INDAGA_OK) goto done;
  segsink_stamp(m.sink, stamp);
  m.stream_min = test_knob(TEST_STREAM_MIN, STREAM_MIN);
  if ((rc = segsink_spill(m.sink, path, (size_t)test_knob(TEST_SPOOL_LIMIT, SPOOL_LIMIT))) != INDAGA_OK) goto done;
  /* A large input was opened without its checksum: never copy damage into
     a new file whose own checksum would then hide it. */
  /* Every DROP_EVERY bytes read the inputs' pages are dropped (consumed,
     seg_drop_pages): they are read from the page cache again when needed,
     rather than kept in the resident size beside the merge's own memory
     (the writer's budget counts the latter). */
  for (size_t i = 0; i < n && !rc; i++) rc = seg__checksum(in[i], errmsg);
  for (size_t i = 0; i < n && !rc; i++) {
    rc = merge_docs(&m, i, doc_deleted, ctx);
    seg_drop_pages(in[i]);
  }
  if (!rc) rc = index_long(&m, npara);
  if (!rc) rc = segsink_open(m.sink, path, errmsg);
  if (!rc) rc = merge_terms(&m, dit, &q, grp);
  for (size_t i = 0; i < n; i++) seg_drop_pages(in[i]);
  if (!rc) {
    kway_restart(&q, vocab_cmp, vit);
    rc = merge_vocab(&m, vit, &q, grp, grp + n);
  }
  if (!rc) rc = segsink_finish(m.sink, errmsg);
done:
  if (rc && m.sink) segsink_status(m.sink, errmsg);
  if (rc && errmsg && !*errmsg) *errmsg = indaga__sprintf("%s: merge failed: %s", path, indaga_strerror(rc));
  for (size_t i = 0; i < n; i++) {
    if (dit) seg_dict_iter_free(&dit[i]);
    if (vit) seg_vocab_iter_free(&vit[i]);
    if (m.remap) indaga__free(m.remap[i]);
  }
  segsink_free(m.sink);
  indaga__free(m.remap);
  indaga__free(m.base);
  indaga__free(dit);
  indaga__free(vit);
  indaga__free(grp);
  kway_free(&q);
  indaga__free(m.docs);
  indaga__free(m.tfs);
  indaga__free(m.lens);
  buf_free(&m.posb);
  indaga__free(m.posoff);
  indaga__free(m.len8);
  indaga__free(m.lng);
  indaga__free(m.lng_at);
  indaga__free(m.toff);
  buf_free(&m.terms);
  return rc;
}
