/*
** segbuild.c: analysing documents and building a segment in memory.
**
** Work is split so that the single-threaded part is cheap:
**
**  seg_analyze_doc (any thread, one analyzer each) runs the analyzer over
**    every paragraph's display text (analyzer_run_ids: a word met before in
**    the document comes back as its local term id, remembered in the
**    analyzer's word cache, so only a document's first token of each word
**    is hashed and interned here) and reduces the token stream to what
**    the builder needs: the document's distinct terms (with their XXH3
**    hashes), its distinct (key, term) pairs, the occurrences grouped by
**    term (paragraph << 32 | position, ascending, de-duplicated: a
**    counting sort of the whole document) and each paragraph's length
**    (distinct positions).
**
**  seg_builder_add (one thread, documents in order) maps each distinct
**    local term to a global term id once per document through an
**    open-addressing table (hash precomputed; a pair known from an earlier
**    document is found by an inline probe, and a batch's global entries
**    are prefetched before they are read), writes the paragraph records,
**    then term by term appends the document's postings to the term's own
**    growable buffer: varint paragraph gap, varint tf, varint positions
**    (first, then differences - 1). A term's buffer is thus touched once
**    per document, not once per paragraph; the term slots and buffer
**    tails, scattered over the builder's memory, are prefetched 16 and 8
**    terms ahead.
**
**  seg_builder_write sorts the terms bytewise (a radix sort of 8-byte
**    prefixes, then ties by memcmp), decodes each term's ids and tfs into
**    arrays (the usual posting, with a gap of one or two bytes and a tf of
**    one, from a single 8-byte load) and copies its positions, the varints
**    of the POSITIONS section, 8 bytes at a time straight to the end of
**    that section in the sink (segsink.c), which encodes the postings
**    blocks; each term's slot, bytes and buffer are prefetched 16 and 8
**    terms ahead, and its buffer goes back to the pool (or is freed) as
**    soon as it is consumed.
**
** seg_builder_mem() counts every buffer's capacity, tables included (term
** buffers by their capacities, as if each were allocated on its own, not
** by the pool blocks they are carved from);
** seg_builder_write_mem() what the write adds at its peak, mostly the
** positions section, which the sink holds until the end (its exact size is
** known: the builder's buffers hold the same varints).
*/
#include <assert.h>
#include <stdlib.h>
#define XXH_INLINE_ALL   /* the analysis hashes short strings: no call, no dispatch */
#include <xxhash.h>
#include "indexer/segimpl.h"
#include "indexer/segwriter.h"

/**************************************************************************
** An interning table of byte strings: id -> bytes, bytes -> id.
**
** A probe slot holds the high half of the hash and the entry's offset and
** length, so a lookup touches one slot and then the bytes it compares: two
** memory misses at most on a large table, instead of four with the
** offset and length in arrays of their own (the builder's global table of a
** 100 MB segment outgrows the cache). strtab_prefetch() lets a caller that
** knows its hashes ahead overlap the slot misses of several lookups.
*/
typedef struct tslot {
  uint32_t h;                /* hash >> 32 */
  uint32_t id;               /* entry id + 1; 0 for an empty slot */
  uint32_t off, len;         /* the entry's bytes */
} tslot;

typedef struct strtab {
  ia_buf bytes;
  uint32_t *off, *len;
  uint64_t *hash;
  uint32_t n, cap;
  tslot *slots;
  uint32_t mask;             /* slots - 1 */
} strtab;

static void strtab_free(strtab *t) {
  buf_free(&t->bytes);
  indaga__free(t->off);
  indaga__free(t->len);
  indaga__free(t->hash);
  indaga__free(t->slots);
  memset(t, 0, sizeof *t);
}

static size_t strtab_mem(const strtab *t) {
  return t->bytes.cap + (size_t)t->cap * 16u + (t->slots ? ((size_t)t->mask + 1) * sizeof(tslot) : 0);
}

/* Double the slot array. INDAGA_OK or INDAGA_ENOMEM. */
static int strtab_rehash(strtab *t) {
  uint32_t nslots = t->slots ? (t->mask + 1) * 2 : 256;
  tslot *s = indaga__calloc(nslots, sizeof *s);
  if (!s) return INDAGA_ENOMEM;
  for (uint32_t i = 0; i < t->n; i++) {
    uint32_t j = (uint32_t)t->hash[i] & (nslots - 1);
    while (s[j].id) j = (j + 1) & (nslots - 1);
    tslot v = { (uint32_t)(t->hash[i] >> 32), i + 1, t->off[i], t->len[i] };
    s[j] = v;
  }
  indaga__free(t->slots);
  t->slots = s;
  t->mask = nslots - 1;
  return INDAGA_OK;
}

/*
** Make @t (empty) ready for about @n entries without regrowing: 2n slots
** (a power of two, at least 256) and room for n entries. INDAGA_OK or
** INDAGA_ENOMEM (t is then still empty and valid).
*/
static int strtab_presize(strtab *t, uint32_t n) {
  uint32_t nslots = 256;
  while (nslots < n * 2 && nslots < (1u << 30)) nslots *= 2;
  tslot *s = indaga__calloc(nslots, sizeof *s);
  uint32_t cap = nslots / 2;
  uint32_t *o = indaga__malloc((size_t)cap * 4), *l = indaga__malloc((size_t)cap * 4);
  uint64_t *h = indaga__malloc((size_t)cap * 8);
  if (!s || !o || !l || !h) {
    indaga__free(s); indaga__free(o); indaga__free(l); indaga__free(h);
    return INDAGA_ENOMEM;
  }
  indaga__free(t->slots); indaga__free(t->off); indaga__free(t->len); indaga__free(t->hash);
  t->slots = s;
  t->mask = nslots - 1;
  t->off = o;
  t->len = l;
  t->hash = h;
  t->cap = cap;
  return INDAGA_OK;
}

/* Hint that the lookup of hash @h comes soon. */
static inline void strtab_prefetch(const strtab *t, uint64_t h) {
#if defined(__GNUC__)
  if (t->slots) __builtin_prefetch(&t->slots[(uint32_t)h & t->mask]);
#else
  (void)t; (void)h;
#endif
}

/* The second step of a prefetch: the bytes of the first slot that may match @h. */
static inline void strtab_prefetch_bytes(const strtab *t, uint64_t h) {
#if defined(__GNUC__)
  if (!t->slots) return;
  const tslot *s = &t->slots[(uint32_t)h & t->mask];
  if (s->id && s->off < t->bytes.n) __builtin_prefetch(t->bytes.p + s->off);
#else
  (void)t; (void)h;
#endif
}

/*
** Add an entry of @n bytes and hash @h to @t at slot @j (the empty slot that
** ended its probe). Returns where the caller writes the entry's bytes (a NUL
** follows them), or NULL with *rc INDAGA_ENOMEM, or INDAGA_ERROR past 4 GiB
** of strings (t is then unchanged).
*/
static unsigned char *strtab_add_at(strtab *t, uint32_t j, uint64_t h, size_t n, uint32_t *id, int *rc) {
  *rc = INDAGA_ERROR;
  if (t->bytes.n + n > UINT32_MAX || t->n == UINT32_MAX - 1) return NULL;
  *rc = INDAGA_ENOMEM;
  if (t->n == t->cap) {
    uint32_t cap = t->cap ? t->cap * 2 : 64;
    uint32_t *o = indaga__realloc(t->off, (size_t)cap * 4), *l = o ? indaga__realloc(t->len, (size_t)cap * 4) : NULL;
    if (o) t->off = o;
    if (l) t->len = l;
    uint64_t *hh2 = l ? indaga__realloc(t->hash, (size_t)cap * 8) : NULL;
    if (!hh2) return NULL;
    t->hash = hh2;
    t->cap = cap;
  }
  if (t->bytes.n + n >= t->bytes.cap && buf_reserve(&t->bytes, n)) { *rc = t->bytes.err; return NULL; }
  unsigned char *dst = t->bytes.p + t->bytes.n;
  t->bytes.n += n;
  t->bytes.p[t->bytes.n] = 0;
  t->off[t->n] = (uint32_t)(t->bytes.n - n);
  t->len[t->n] = (uint32_t)n;
  t->hash[t->n] = h;
  tslot v = { (uint32_t)(h >> 32), t->n + 1, t->off[t->n], (uint32_t)n };
  t->slots[j] = v;
  *id = t->n++;
  *rc = INDAGA_OK;
  return dst;
}

/* Make room in @t's slots for one more entry. INDAGA_OK or INDAGA_ENOMEM. */
static inline int strtab_room(strtab *t) {
  if (!t->slots || (uint64_t)t->n * 2 >= (uint64_t)t->mask + 1) return strtab_rehash(t);
  return INDAGA_OK;
}

/*
** The id of p[0..n) (hash @h) in @t, or UINT32_MAX when absent, with *@end
** (when not NULL) the empty slot that ended the probe. The compare is
** inline (entries are short, and a memcmp call cost more than the compare:
** 108 instructions a probe under callgrind). Cannot fail.
*/
static inline uint32_t strtab_find(const strtab *t, const void *p, size_t n, uint64_t h, uint32_t *end) {
  if (!t->slots) return UINT32_MAX;
  uint32_t hh = (uint32_t)(h >> 32), j = (uint32_t)h & t->mask;
  for (const tslot *sl; (sl = &t->slots[j])->id != 0; j = (j + 1) & t->mask)
    if (sl->h == hh && sl->len == n && indaga__same_bytes(t->bytes.p + sl->off, p, n)) return sl->id - 1;
  if (end) *end = j;
  return UINT32_MAX;
}

/*
** Find p[0..n) (hash @h) in @t, adding it when absent (*added = 1).
** INDAGA_OK, INDAGA_ENOMEM, or INDAGA_ERROR past 4 GiB of strings.
*/
static int strtab_intern(strtab *t, const void *p, size_t n, uint64_t h, uint32_t *id, int *added) {
  int rc = strtab_room(t);
  if (rc) return rc;
  uint32_t j = 0;
  if ((*id = strtab_find(t, p, n, h, &j)) != UINT32_MAX) {
    *added = 0;
    return INDAGA_OK;
  }
  unsigned char *dst = strtab_add_at(t, j, h, n, id, &rc);
  if (!dst) return rc;
  memcpy(dst, p, n);
  *added = 1;
  return INDAGA_OK;
}

/* Room for entry @i of the array *v of capacity *cap (doubled, from @first). INDAGA_OK or INDAGA_ENOMEM. */
static int room_u32(uint32_t **v, size_t *cap, uint32_t i, size_t first) {
  if (i < *cap) return INDAGA_OK;
  uint32_t *nv = indaga__grow(*v, cap, sizeof *nv, first);
  if (!nv) return INDAGA_ENOMEM;
  *v = nv;
  return INDAGA_OK;
}

/**************************************************************************
** Analysis (seg_analyze_doc): the opaque seg_doc_in.tokens.
*/
typedef struct seg_tokens {
  strtab terms;              /* the document's distinct terms */
  strtab surf;               /* distinct (term, key): u32 nterm, term, key */
  uint32_t *surf_term;       /* local term id of each surf entry */
  size_t capsurf;
  uint64_t *occ;             /* while analysing: (term << 32 | pos) in text order;
                                then grouped by term: (paragraph << 32 | pos) ascending */
  size_t nocc, capocc;
  uint32_t *tstart;          /* terms.n + 1: where each term's group of occ starts */
  uint32_t *pn;              /* occurrences per paragraph, while analysing */
  uint32_t *plen;            /* length per paragraph */
  size_t npara;
} seg_tokens;

static void tokens_free(seg_tokens *t) {
  if (!t) return;
  strtab_free(&t->terms);
  strtab_free(&t->surf);
  indaga__free(t->surf_term);
  indaga__free(t->occ);
  indaga__free(t->tstart);
  indaga__free(t->pn);
  indaga__free(t->plen);
  indaga__free(t);
}

typedef struct actx {
  seg_tokens *t;
} actx;

/*
** The local term of @tok through the document's surface table, whose
** entries are (u32 nterm, term, key): the pair's hash is XXH3 of the key
** seeded with XXH3 of the term (which is the term's own hash in t->terms),
** and a probe compares a slot's pair in place, so the pair is never built
** for a lookup; a new pair is written straight into the table and interns
** its term. Returns INDAGA_OK or a status.
*/
static int intern_token(actx *a, const ia_token *tok, uint32_t *lid) {
  seg_tokens *t = a->t;
  strtab *s = &t->surf;
  size_t nt = tok->nterm, nk = tok->nkey, np = 4 + nt + nk;
  if (nt > UINT32_MAX / 2) return INDAGA_ERROR;
  uint64_t ht = XXH3_64bits(tok->term, nt);
  uint64_t h = XXH3_64bits_withSeed(tok->key, nk, ht);
  int rc = strtab_room(s);
  if (rc) return rc;
  uint32_t j = (uint32_t)h & s->mask, hh = (uint32_t)(h >> 32);
  for (const tslot *q; (q = &s->slots[j])->id != 0; j = (j + 1) & s->mask) {
    if (q->h != hh || q->len != np) continue;
    const unsigned char *b = s->bytes.p + q->off;
    if (get_u32(b) == nt && memcmp(b + 4, tok->term, nt) == 0 && memcmp(b + 4 + nt, tok->key, nk) == 0) {
      *lid = t->surf_term[q->id - 1];
      return INDAGA_OK;
    }
  }
  uint32_t sid, l;
  unsigned char *dst = strtab_add_at(s, j, h, np, &sid, &rc);
  if (!dst) return rc;
  put_u32(dst, (uint32_t)nt);
  memcpy(dst + 4, tok->term, nt);
  memcpy(dst + 4 + nt, tok->key, nk);
  if ((rc = room_u32(&t->surf_term, &t->capsurf, sid, 256)) != INDAGA_OK) return rc;
  int added;
  if ((rc = strtab_intern(&t->terms, tok->term, nt, ht, &l, &added)) != INDAGA_OK) return rc;
  t->surf_term[sid] = l;
  *lid = l;
  return INDAGA_OK;
}

/*
** The id of a token for analyzer_run_ids: its local term (intern_token),
** or IA_ID_SKIP for a token without a term. The analyzer remembers the id
** of a word for the rest of the document (analyzer_ids_scope), so this is
** called about once per distinct word of a document, and every other
** token costs the analyzer one append of (term << 32 | position).
*/
static int id_of_token(void *ctx, const ia_token *tok, uint32_t *id) {
  if (tok->nterm == 0) { *id = IA_ID_SKIP; return 0; }
  return intern_token(ctx, tok, id);
}

static int cmp_u64(const void *x, const void *y) {
  uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return a < b ? -1 : a > b;
}

/*
** Group the document's occurrences (t->occ, (term << 32 | pos) in text
** order, t->pn[i] of them in paragraph i) by local term into a fresh array
** of (paragraph << 32 | pos), each term's group ascending and without
** repeats of a position (a token and its parts may share one), with
** t->tstart[l] where term l's group starts, and set each paragraph's length
** t->plen[i] (its distinct positions). A counting sort by term keeps
** text order within a group, which is ascending: paragraphs come in order
** and the analyzer gives positions in non-decreasing order; should a
** group come out of order, it is sorted. The builder then appends a
** term's postings in the document one after the other, touching the
** term's buffer once per document instead of once per paragraph.
** INDAGA_OK, INDAGA_ENOMEM, or INDAGA_ERROR past 2^32 occurrences.
*/
static int group_doc(seg_tokens *t) {
  uint32_t nt = t->terms.n;
  if (t->nocc >= UINT32_MAX) return INDAGA_ERROR;
  uint32_t *st = indaga__calloc((size_t)nt + 2, sizeof *st);
  uint64_t *out = indaga__malloc((t->nocc ? t->nocc : 1) * sizeof *out);
  if (!st || !out) { indaga__free(st); indaga__free(out); return INDAGA_ENOMEM; }
  for (size_t k = 0; k < t->nocc; k++) st[(t->occ[k] >> 32) + 2]++;
  for (uint32_t l = 0; l < nt; l++) st[l + 2] += st[l + 1];
  /* st[l + 1] is now where term l's group starts: fill it, moving it to the group's end */
  /* and count each paragraph's distinct positions on the way (its length) */
  const uint64_t *o = t->occ;
  for (size_t i = 0; i < t->npara; i++) {
    uint64_t para = (uint64_t)i << 32;
    uint32_t distinct = 0, maxpos = 0;
    for (uint32_t k = 0; k < t->pn[i]; k++, o++) {
      uint32_t pos = (uint32_t)*o;
      out[st[(*o >> 32) + 1]++] = para | pos;
      if (distinct == 0 || pos > maxpos) { distinct++; maxpos = pos; }
    }
    t->plen[i] = distinct;
  }
  /* st[l] is where term l starts, st[l + 1] where it ends: sort if need be, drop repeats.
  ** A group strictly ascending (nearly all) is one compare per occurrence, and moves
  ** only once a repeat was dropped before it. */
  uint32_t w = 0;
  for (uint32_t l = 0; l < nt; l++) {
    uint32_t b = st[l], e = st[l + 1], k = b + 1;
    while (k < e && out[k] > out[k - 1]) k++;
    st[l] = w;
    if (k < e) {   /* out of order or a repeat */
      for (uint32_t q = k; q < e; q++)
        if (out[q] < out[q - 1]) { qsort(out + b, e - b, sizeof *out, cmp_u64); break; }
      for (uint32_t q = b; q < e; q++)
        if (w == st[l] || out[q] != out[w - 1]) out[w++] = out[q];
    } else if (w == b) {
      w = e;
    } else {
      memmove(out + w, out + b, (size_t)(e - b) * sizeof *out);
      w += e - b;
    }
  }
  st[nt] = w;
  indaga__free(t->occ);
  t->occ = out;
  t->nocc = t->capocc = w;
  t->tstart = st;
  return INDAGA_OK;
}

/* The integer square root of @x (rounded down). */
static uint32_t isqrt(size_t x) {
  uint64_t v = x, r = 0;
  for (uint64_t b = (uint64_t)1 << 62; b; b >>= 2) {
    if (v >= r + b) { v -= r + b; r = (r >> 1) + b; }
    else r >>= 1;
  }
  return r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}

int seg_analyze_doc(analyzer *an, seg_doc_in *in) {
  if (!in || !in->doc) return INDAGA_EMISUSE;
  const dm_doc *d = in->doc;
  seg_tokens *t = indaga__calloc(1, sizeof *t);
  actx a = { t };
  int rc = INDAGA_ENOMEM;
  if (!t) goto done;
  t->npara = d->nparas;
  t->pn = indaga__calloc(d->nparas ? d->nparas : 1, sizeof *t->pn);
  t->plen = indaga__calloc(d->nparas ? d->nparas : 1, sizeof *t->plen);
  if (!t->pn || !t->plen) goto done;
  analyzer_ids_scope(an);
  /* Room for the document's tokens at once (the legislation corpus has one
  ** per 7.2 bytes of text; at most one per 2, and analyzer_run_ids grows it). */
  size_t ntext = 0;
  for (size_t i = 0; i < d->nparas; i++) ntext += d->paras[i].ntext;
  ia_occs o = { NULL, 0, ntext / 6 + 64 };
  if (!(o.v = indaga__malloc(o.cap * sizeof *o.v))) goto done;
  /* and for its distinct words, which grow as the square root of the text
  ** (Heaps' law; over the legislation corpus a document of n bytes has a
  ** median of 1.3 sqrt(n) (small) to 6.5 sqrt(n) (large) distinct pairs, a
  ** 90th percentile under 8 sqrt(n) up to 128 KB, and fewer terms: under
  ** 6 sqrt(n)): 8 and 6 sqrt(n), at most 16384; the tables grow past that.
  ** (One per 32 bytes before: 4798 regrowths over the corpus, and 2-3 times
  ** the slots needed for the largest documents.) */
  uint32_t root = isqrt(ntext);
  uint32_t nsurf = root > 2048 ? 16384 : root * 8, nterms = root > 2730 ? 16384 : root * 6;
  if (strtab_presize(&t->surf, nsurf) || strtab_presize(&t->terms, nterms) ||
      buf_reserve(&t->surf.bytes, (size_t)nsurf * 24) || buf_reserve(&t->terms.bytes, (size_t)nterms * 8)) {
    t->occ = o.v;
    goto done;
  }
  rc = INDAGA_OK;
  for (size_t i = 0; i < d->nparas; i++) {
    size_t start = o.n;
    rc = analyzer_run_ids(an, d->paras[i].text, d->paras[i].ntext, id_of_token, &a, &o, NULL);
    if (rc) break;
    if (o.n - start >= UINT32_MAX) { rc = INDAGA_ERROR; break; }
    t->pn[i] = (uint32_t)(o.n - start);
  }
  t->occ = o.v;
  t->nocc = o.n;
  t->capocc = o.cap;
  if (rc) goto done;
  if ((rc = group_doc(t)) != 0) goto done;
  indaga__free(t->pn);
  t->pn = NULL;
  /* the builder needs neither probe table */
  indaga__free(t->terms.slots);
  indaga__free(t->surf.slots);
  t->terms.slots = t->surf.slots = NULL;
  rc = INDAGA_OK;
done:
  if (rc) { tokens_free(t); t = NULL; }
  tokens_free(in->tokens);
  in->tokens = t;
  return rc;
}

void seg_doc_in_clear(seg_doc_in *in) {
  if (!in) return;
  indaga__free(in->id);
  dm_doc_free(in->doc);
  tokens_free(in->tokens);
  memset(in, 0, sizeof *in);
}

/**************************************************************************
** The builder
*/
typedef struct tpost {
  unsigned char *p;          /* varint postings of the term */
  uint32_t n, cap;
  uint32_t last;             /* last paragraph id */
  uint32_t df;
  uint64_t cf;
} tpost;

/*
** The term buffers' allocator. A buffer's capacity is 16 << k bytes; up to
** POOL_MAX it comes from a free list per size class, refilled by carving
** POOL_BLOCK blocks, and goes back to its list when the buffer grows or is
** written; larger buffers are plain allocations. A full build grows a
** term's buffer about 2.4 million times, and this turns each such
** realloc into a pop, a copy and a push, with no per-chunk header. The
** builder's memory count (sum of capacities) is the same as with plain
** allocations, so the builder fills to the same point.
*/
#define POOL_MIN_LOG 4u                    /* 16 bytes: the smallest capacity */
#define POOL_MAX_LOG 16u                   /* 64 KiB: larger buffers are plain allocations */
#define POOL_MAX ((size_t)1 << POOL_MAX_LOG)
#define POOL_BLOCK ((size_t)1 << 20)

typedef struct tpool {
  unsigned char **blocks;    /* every block, freed with the builder */
  size_t nblocks, capblocks;
  unsigned char *at, *end;   /* the uncarved rest of the last block */
  unsigned char *free[POOL_MAX_LOG + 1];   /* free chunks by log2 size; the next pointer in each */
} tpool;

/*
** Under AddressSanitizer the pool tells it which bytes are not handed out
** (free chunks, the uncarved rest of a block), so a term buffer written past
** its capacity into one of them is reported as a heap overflow, as it would
** be with one allocation per buffer. A free chunk's first bytes hold the free
** list's link: it is unpoisoned before the link is read.
*/
#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#ifdef POOL_ASAN
#include <sanitizer/asan_interface.h>
#define POOL_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define POOL_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POOL_POISON(p, n) ((void)(p), (void)(n))
#define POOL_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

static void tpool_free(tpool *pl) {
  for (size_t i = 0; i < pl->nblocks; i++) {
    POOL_UNPOISON(pl->blocks[i], POOL_BLOCK);
    indaga__free(pl->blocks[i]);
  }
  indaga__free(pl->blocks);
  memset(pl, 0, sizeof *pl);
}

/* The free-list link kept in the first bytes of free chunk @c. */
static unsigned char *link_get(const unsigned char *c) {
  unsigned char *next;
  memcpy(&next, c, sizeof next);
  return next;
}
static void link_set(unsigned char *c, unsigned char *next) { memcpy(c, &next, sizeof next); }

/* Log2 of a pooled capacity (a power of two in [16, POOL_MAX]). */
static unsigned pool_class(size_t cap) { return (unsigned)__builtin_ctzll((unsigned long long)cap); }

/* A chunk of 2^@k bytes, or NULL (ENOMEM). */
static unsigned char *pool_get(tpool *pl, unsigned k) {
  unsigned char *c = pl->free[k];
  size_t size = (size_t)1 << k;
  if (c) {
    POOL_UNPOISON(c, size);
    pl->free[k] = link_get(c);
    return c;
  }
  if ((size_t)(pl->end - pl->at) < size) {
    if (pl->nblocks == pl->capblocks) {
      size_t cap = pl->capblocks ? pl->capblocks * 2 : 64;
      unsigned char **bl = indaga__realloc(pl->blocks, cap * sizeof *bl);
      if (!bl) return NULL;
      pl->blocks = bl;
      pl->capblocks = cap;
    }
    /* the rest of the old block goes to the free lists, largest pieces first */
    while (pl->end - pl->at >= (ptrdiff_t)((size_t)1 << POOL_MIN_LOG)) {
      unsigned j = POOL_MAX_LOG;
      while (((size_t)1 << j) > (size_t)(pl->end - pl->at)) j--;
      POOL_UNPOISON(pl->at, (size_t)1 << j);
      link_set(pl->at, pl->free[j]);
      pl->free[j] = pl->at;
      POOL_POISON(pl->at, (size_t)1 << j);
      pl->at += (size_t)1 << j;
    }
    unsigned char *blk = indaga__malloc(POOL_BLOCK);
    if (!blk) return NULL;
    POOL_POISON(blk, POOL_BLOCK);
    pl->blocks[pl->nblocks++] = blk;
    pl->at = blk;
    pl->end = blk + POOL_BLOCK;
  }
  c = pl->at;
  pl->at += size;
  POOL_UNPOISON(c, size);
  return c;
}

/* Give back chunk @c of 2^@k bytes. */
static void pool_put(tpool *pl, unsigned char *c, unsigned k) {
  link_set(c, pl->free[k]);
  pl->free[k] = c;
  POOL_POISON(c, (size_t)1 << k);
}

struct seg_builder {
  segsink *sink;
  tpool pool;                /* term buffers of up to POOL_MAX bytes */
  strtab terms;              /* global terms */
  tpost *tp;                 /* per global term */
  uint32_t captp;
  strtab surf;               /* distinct (term, key) pairs, as in seg_tokens */
  uint32_t *surf_term;       /* global term of each pair */
  size_t capsurf;
  uint32_t *map;             /* local -> global term, scratch */
  uint32_t capmap;
  ia_buf scratch, scratch2;
  size_t postmem;            /* sum of tp[].cap */
  uint64_t posbytes;         /* bytes of positions in the tp buffers (= the POSITIONS section) */
  uint64_t maxcf;            /* largest cf of a term */
  int done;                  /* written (or failed): only free remains */
};

int seg_builder_new(seg_builder **out) {
  seg_builder *b = indaga__calloc(1, sizeof *b);
  if (!b) return INDAGA_ENOMEM;
  int rc = segsink_new(&b->sink);
  if (rc) { indaga__free(b); return rc; }
  *out = b;
  return INDAGA_OK;
}

int seg_builder_async(seg_builder *b) {
  if (b->done || seg_builder_ndocs(b)) return INDAGA_EMISUSE;
  return segsink_async(b->sink);
}

size_t seg_builder_async_mem(void) { return segsink_async_mem(); }

void seg_builder_free(seg_builder *b) {
  if (!b) return;
  segsink_free(b->sink);
  strtab_free(&b->terms);
  strtab_free(&b->surf);
  indaga__free(b->surf_term);
  for (uint32_t i = 0; i < b->captp && b->tp; i++)
    if (b->tp[i].cap > POOL_MAX) indaga__free(b->tp[i].p);
  tpool_free(&b->pool);
  indaga__free(b->tp);
  indaga__free(b->map);
  buf_free(&b->scratch);
  buf_free(&b->scratch2);
  indaga__free(b);
}

size_t seg_builder_mem(const seg_builder *b) {
  return sizeof *b + segsink_mem(b->sink) + strtab_mem(&b->terms) + strtab_mem(&b->surf) +
         (size_t)b->capsurf * 4 +
         (size_t)b->captp * sizeof(tpost) + b->postmem + (size_t)b->capmap * 4 + b->scratch.cap +
         b->scratch2.cap;
}

uint32_t seg_builder_ndocs(const seg_builder *b) { return segsink_ndoc(b->sink); }

size_t seg_builder_write_mem(const seg_builder *b) {
  uint64_t n = b->terms.n > b->surf.n ? b->terms.n : b->surf.n;
  uint64_t m = b->posbytes                      /* the positions section, held until the end */
             + 12 * b->maxcf                    /* one term decoded: ids, tfs, paragraph lengths */
             + n * sizeof(void *) * 4           /* the sort array of terms or vocabulary pairs */
             + b->terms.bytes.n + 12 * (uint64_t)b->terms.n   /* dictionary */
             + b->surf.bytes.n + 4 * (uint64_t)b->surf.n      /* vocabulary */
             + ((uint64_t)2 << 20);             /* postings write buffer */
  return m > SIZE_MAX ? SIZE_MAX : (size_t)m;
}

/*
** Encode @d's metadata and the labels of parts 1..nparts-1 (format.h, DOCS)
** into scratch and scratch2; parts the parser did not label are unlabelled.
*/
static int encode_doc_blobs(seg_builder *b, const dm_doc *d, uint32_t nparts) {
  ia_buf *m = &b->scratch, *p = &b->scratch2;
  buf_reset(m);
  buf_reset(p);
  for (size_t i = 0; i < d->nmeta; i++) {
    const char *k = d->meta[i].key ? d->meta[i].key : "", *v = d->meta[i].value ? d->meta[i].value : "";
    size_t nk = strlen(k), nv = strlen(v);
    buf_put_varint(m, nk);
    buf_append(m, k, nk);
    buf_put_varint(m, nv);
    buf_append(m, v, nv);
  }
  for (size_t i = 1; i < nparts; i++) {
    const char *l = d->part_labels && i < d->nparts ? d->part_labels[i] : NULL;
    seg__put_label(p, l, l ? strlen(l) : 0, l != NULL);
  }
  return m->err ? m->err : p->err;
}

/*
** Make term @t's buffer hold @need bytes (t->n of them in use): capacities
** double from 16, pooled up to POOL_MAX. INDAGA_OK, ENOMEM, or ERROR past
** 4 GiB.
*/
static int grow_buf(seg_builder *b, tpost *t, size_t need) {
  if (need > UINT32_MAX) return INDAGA_ERROR;
  size_t cap = t->cap ? (size_t)t->cap * 2 : 16;
  while (cap < need) cap *= 2;
  if (cap > UINT32_MAX) cap = UINT32_MAX;
  unsigned char *p;
  if (t->cap > POOL_MAX) {   /* already out of the pool */
    p = indaga__realloc(t->p, cap);
  } else {   /* from the pool, or out of it now; the old (pooled) buffer goes back */
    p = cap <= POOL_MAX ? pool_get(&b->pool, pool_class(cap)) : indaga__malloc(cap);
    if (p && t->p) {
      memcpy(p, t->p, t->n);
      pool_put(&b->pool, t->p, pool_class(t->cap));
    }
  }
  if (!p) return INDAGA_ENOMEM;
  b->postmem += cap - t->cap;
  t->p = p;
  t->cap = (uint32_t)cap;
  return INDAGA_OK;
}

/*
** Append a document's postings of term @g: its occurrences o[0..e), sorted,
** grouped by paragraph (paragraph < @npara, global id pid0 + paragraph).
** Each posting is checked for room as it comes (10 bytes + 5 a position:
** the buffer grows at the same points as one posting at a time would) and
** written as varints: paragraph gap, tf, positions. The term's counters
** live in locals meanwhile (the byte stores would otherwise make the
** compiler reload them after each). INDAGA_OK, EMISUSE (a paragraph out of
** range), or grow_buf's failure; the term is then partly appended.
*/
static int append_term(seg_builder *b, uint32_t g, uint32_t pid0, uint32_t npara, const uint64_t *o,
                       const uint64_t *e) {
  tpost *t = &b->tp[g];
  uint32_t n = t->n, last = t->last, df = t->df, cap = t->cap;
  uint64_t cf = t->cf, posbytes = 0;
  unsigned char *buf = t->p;
  int rc = INDAGA_OK;
  while (o < e) {
    uint32_t k = 1, para = (uint32_t)(o[0] >> 32);
    while (o + k < e && (uint32_t)(o[k] >> 32) == para) k++;
    if (para >= npara) { rc = INDAGA_EMISUSE; break; }
    uint32_t pid = pid0 + para;
    size_t need = (size_t)n + 10 + (size_t)k * 5;
    if (need > cap) {
      t->n = n;
      if ((rc = grow_buf(b, t, need)) != 0) break;
      buf = t->p;
      cap = t->cap;
    }
    unsigned char *w = buf + n, *wpos;
    w = put_varint(w, df ? pid - last : pid);
    w = put_varint(w, k);
    wpos = w;
    w = put_varint(w, (uint32_t)o[0]);
    for (uint32_t j = 1; j < k; j++) w = put_varint(w, (uint32_t)o[j] - (uint32_t)o[j - 1] - 1u);
    posbytes += (uint64_t)(w - wpos);
    n = (uint32_t)(w - buf);
    last = pid;
    df++;
    cf += k;
    o += k;
  }
  t->n = n;
  t->last = last;
  t->df = df;
  t->cf = cf;
  b->posbytes += posbytes;
  if (cf > b->maxcf) b->maxcf = cf;
  return rc;
}

/* Room for global term @g in b->tp. */
static int grow_tp(seg_builder *b, uint32_t g) {
  if (g < b->captp) return INDAGA_OK;
  uint32_t cap = b->captp ? b->captp * 2 : 1024;
  tpost *tp = indaga__realloc(b->tp, (size_t)cap * sizeof *tp);
  if (!tp) return INDAGA_ENOMEM;
  memset(tp + b->captp, 0, (size_t)(cap - b->captp) * sizeof *tp);
  b->tp = tp;
  b->captp = cap;
  return INDAGA_OK;
}

/*
** Map @tk's local terms to global ids in b->map through its distinct
** (term, key) pairs: a pair seen in an earlier document gives its global term
** at once (one probe, hash computed by the analysing thread); a new pair
** interns its term and is kept for the vocabulary. Pairs go in batches of
** MAP_BATCH: the first pass probes each pair's slot and bytes (prefetched
** ahead) and prefetches its surf_term entry, the second reads those
** entries, by then in the cache (a pair's entry is as scattered as its
** slot). On failure (ENOMEM, or ERROR past 4 GiB of strings) the builder is
** unusable (seg_builder_add marks it done).
*/
#define MAP_BATCH 64u

static int map_terms(seg_builder *b, const seg_tokens *tk) {
  if (tk->terms.n > b->capmap) {
    uint32_t *m = indaga__realloc(b->map, (size_t)tk->terms.n * 4);
    if (!m) return INDAGA_ENOMEM;
    b->map = m;
    b->capmap = tk->terms.n;
  }
  uint32_t gsv[MAP_BATCH];
  for (uint32_t i0 = 0; i0 < tk->surf.n; i0 += MAP_BATCH) {
    uint32_t i1 = tk->surf.n - i0 > MAP_BATCH ? i0 + MAP_BATCH : tk->surf.n;
    for (uint32_t i = i0; i < i1; i++) {
      if (i + 16 < tk->surf.n) strtab_prefetch(&b->surf, tk->surf.hash[i + 16]);
      if (i + 8 < tk->surf.n) strtab_prefetch_bytes(&b->surf, tk->surf.hash[i + 8]);
      const unsigned char *p = tk->surf.bytes.p + tk->surf.off[i];
      uint32_t lid = tk->surf_term[i], gs;
      if (lid >= tk->terms.n) return INDAGA_EMISUSE;
      int added = 0, rc = INDAGA_OK;
      gs = strtab_find(&b->surf, p, tk->surf.len[i], tk->surf.hash[i], NULL);
      if (gs == UINT32_MAX) rc = strtab_intern(&b->surf, p, tk->surf.len[i], tk->surf.hash[i], &gs, &added);
      if (rc) return rc;
      if (added) {
        if ((rc = room_u32(&b->surf_term, &b->capsurf, gs, 1024)) != INDAGA_OK) return rc;
        uint32_t g;
        rc = strtab_intern(&b->terms, tk->terms.bytes.p + tk->terms.off[lid], tk->terms.len[lid],
                           tk->terms.hash[lid], &g, &added);
        if (!rc) rc = grow_tp(b, g);
        if (rc) return rc;
        b->surf_term[gs] = g;
      }
#if defined(__GNUC__)
      else __builtin_prefetch(&b->surf_term[gs]);
#endif
      gsv[i - i0] = gs;
    }
    for (uint32_t i = i0; i < i1; i++) b->map[tk->surf_term[i]] = b->surf_term[gsv[i - i0]];
  }
  return INDAGA_OK;
}

int seg_builder_add(seg_builder *b, const seg_doc_in *in) {
  if (b->done) return INDAGA_EMISUSE;
  const seg_tokens *tk = in->tokens;
  const dm_doc *d = in->doc;
  if (!in->id || !d || !tk || tk->npara != d->nparas) return INDAGA_EMISUSE;
  if (d->nparas > UINT32_MAX - segsink_npara(b->sink) - 2) return INDAGA_ERROR;
  /* parts: as many as the parser says, and at least enough for every paragraph */
  uint64_t nparts = d->nparts ? d->nparts : 1;
  for (size_t i = 0; i < d->nparas; i++)
    if ((uint64_t)d->paras[i].part + 1 > nparts) nparts = (uint64_t)d->paras[i].part + 1;
  if (nparts > UINT32_MAX) return INDAGA_EMISUSE;
  int rc = encode_doc_blobs(b, d, (uint32_t)nparts);
  if (!rc) rc = segsink_doc(b->sink, in->id, strlen(in->id), in->piece, in->more, in->size, in->mtime_ns, in->hash,
                            b->scratch.p, b->scratch.n, b->scratch2.p, b->scratch2.n, (uint32_t)nparts);
  if (!rc) rc = map_terms(b, tk);
  /* Paragraph records, then the postings term by term: each term's
     paragraphs one after the other, its slot and buffer tail prefetched a
     few terms ahead (they are scattered over the builder's memory). */
  uint32_t pid0 = segsink_npara(b->sink);
  for (size_t i = 0; i < d->nparas && !rc; i++) {
    const dm_para *p = &d->paras[i];
    rc = segsink_para(b->sink, p->part, p->ordinal, tk->plen[i], p->heading, p->src_start, p->src_end,
                      p->label, p->label ? strlen(p->label) : 0, p->text, p->ntext);
  }
  uint32_t nt = tk->terms.n;
  for (uint32_t l = 0; l < nt && !rc; l++) {
#if defined(__GNUC__)
    if (l + 16 < nt) __builtin_prefetch(&b->tp[b->map[l + 16]]);
    if (l + 8 < nt) {
      const tpost *t = &b->tp[b->map[l + 8]];
      if (t->p) __builtin_prefetch(t->p + t->n, 1);
    }
#endif
    rc = append_term(b, b->map[l], pid0, (uint32_t)d->nparas, tk->occ + tk->tstart[l], tk->occ + tk->tstart[l + 1]);
  }
  if (rc) b->done = 1;   /* the builder's state is partial: refuse more */
  return rc;
}

/* A string to sort: p[0..n), then t[0..nt) on ties; @id its term, @ix its index in its table. */
typedef struct tref { const unsigned char *p; uint32_t n, id; const unsigned char *t; uint32_t nt, ix; } tref;

static int cmp_mem(const unsigned char *a, size_t na, const unsigned char *b, size_t nb) {
  size_t m = na < nb ? na : nb;
  int c = m ? memcmp(a, b, m) : 0;
  if (c) return c;
  return na < nb ? -1 : na > nb;
}

static int cmp_tref(const void *x, const void *y) {
  const tref *a = x, *b = y;
  int c = cmp_mem(a->p, a->n, b->p, b->n);
  return c ? c : cmp_mem(a->t, a->nt, b->t, b->nt);
}

/* Scratch of the write: one term's ids, tfs and paragraph lengths, and its blocks' positions offsets. */
typedef struct emit_arrays {
  uint32_t *docs, *tfs, *lens;
  size_t capd;
  uint64_t *posoff;
  size_t capb;
} emit_arrays;

/*
** Copy the @k varints at p[0..end) to @w; returns the byte after them in p
** (w advances as far), or NULL when fewer than k end before @end. Eight
** bytes at a time while eight are readable: the varints' last bytes are the
** bytes without their high bit; w must have 8 writable bytes past the copy.
*/
static inline const unsigned char *copy_varints(const unsigned char *p, const unsigned char *end, uint64_t k,
                                                unsigned char **w) {
  unsigned char *o = *w;
  while (end - p >= 8) {
    uint64_t x = get_u64(p), m = ~x & 0x8080808080808080ull;   /* last bytes */
    memcpy(o, p, 8);
    while (k > 1 && m) { m &= m - 1; k--; }
    if (m) {   /* the k-th last byte is the lowest left */
      size_t nb = (size_t)__builtin_ctzll(m) / 8 + 1;
      *w = o + nb;
      return p + nb;
    }
    p += 8;
    o += 8;
  }
  for (; k; p++) {
    if (p == end) return NULL;
    *o++ = *p;
    k -= !(*p & 0x80);
  }
  *w = o;
  return p;
}

/*
** Decode term @r's ids and tfs into @ea and pass them to the sink with its
** positions, which the buffer already holds as the varints the sink writes:
** they are copied out as bytes straight to the end of the sink's positions
** section (segsink_positions_tail), not decoded and encoded again. A
** posting whose gap has at most two bytes and whose tf has one is read from
** one 8-byte load. Frees the term's buffer. INDAGA_OK, ENOMEM, ERROR (a
** buffer that does not parse), or the sink's status.
*/
static int emit_term(seg_builder *b, const tref *r, emit_arrays *ea, char **errmsg) {
  tpost *t = &b->tp[r->id];
  size_t nblk = ((size_t)t->df + SEG_BLOCK - 1) / SEG_BLOCK;
  if (t->df > ea->capd) {
    uint32_t *d = indaga__realloc(ea->docs, (size_t)t->df * 4), *f = d ? indaga__realloc(ea->tfs, (size_t)t->df * 4) : NULL;
    if (d) ea->docs = d;
    if (f) ea->tfs = f;
    uint32_t *l = f ? indaga__realloc(ea->lens, (size_t)t->df * 4) : NULL;
    if (!l) return INDAGA_ENOMEM;
    ea->lens = l;
    ea->capd = t->df;
  }
  if (nblk > ea->capb) {
    uint64_t *o = indaga__realloc(ea->posoff, nblk * sizeof *o);
    if (!o) return INDAGA_ENOMEM;
    ea->posoff = o;
    ea->capb = nblk;
  }
  /* the positions are a part of the buffer: t->n bytes are room enough */
  unsigned char *w0 = segsink_positions_tail(b->sink, t->n), *w = w0;
  if (!w0) return INDAGA_ENOMEM;
  const unsigned char *p = t->p, *end = t->p + t->n;
  const uint32_t *plen = segsink_para_lens(b->sink);
  uint32_t doc = 0, npara = segsink_npara(b->sink);
  for (uint32_t i = 0; i < t->df; i++) {
    uint64_t gap, tf;
    uint64_t x = end - p >= 8 ? get_u64(p) : 0x8080u;   /* 0x8080: take the general path */
    if ((x & 0x8080) == 0) {   /* one-byte gap, one-byte tf */
      gap = x & 0x7f;
      tf = x >> 8 & 0x7f;
      p += 2;
    } else if ((x & 0x808080) == 0x80) {   /* two-byte gap, one-byte tf */
      gap = (x & 0x7f) | (x >> 1 & 0x3f80);
      tf = x >> 16 & 0x7f;
      p += 3;
    } else if (get_varint(&p, end, &gap) || get_varint(&p, end, &tf)) {
      return INDAGA_ERROR;
    }
    if (tf == 0) return INDAGA_ERROR;
    doc = i ? doc + (uint32_t)gap : (uint32_t)gap;
    if (doc >= npara) return INDAGA_ERROR;
    ea->docs[i] = doc;
    ea->lens[i] = plen[doc];
    ea->tfs[i] = (uint32_t)tf;
    if (i % SEG_BLOCK == 0) ea->posoff[i / SEG_BLOCK] = (uint64_t)(w - w0);
    if (!(p = copy_varints(p, end, tf, &w))) return INDAGA_ERROR;
  }
  int rc = segsink_term_enc(b->sink, (const char *)r->p, r->n, ea->docs, ea->tfs, ea->lens, t->df, w0,
                            (size_t)(w - w0), ea->posoff, errmsg);
  if (t->cap > POOL_MAX) indaga__free(t->p);
  else if (t->p) pool_put(&b->pool, t->p, pool_class(t->cap));
  b->postmem -= t->cap;
  t->p = NULL;
  t->n = t->cap = 0;
  return rc;
}

/*
** Sorting the terms and the vocabulary pairs: a stable LSD radix sort of
** (8-byte prefix, index) entries, then each run of entries with the same
** prefix sorted by the whole strings (qsort with cmp_tref). A prefix is the
** first 8 bytes, big-endian and zero-padded, so prefixes order as the
** strings do: one that is smaller belongs to the smaller string. Most terms
** differ in their first 8 bytes, so few memcmp calls remain.
*/
typedef struct skey { uint64_t k; uint32_t i, pad; } skey;

static uint64_t prefix8(const unsigned char *p, size_t n) {
  if (n >= 8) return __builtin_bswap64(get_u64(p));
  uint64_t k = 0;
  for (size_t j = 0; j < 8; j++) k = k << 8 | (j < n ? p[j] : 0u);
  return k;
}

/* Sort a[0..n) by k, stably, through tmp[0..n); returns the sorted copy (a or tmp). */
static skey *radix_sort(skey *a, skey *tmp, uint32_t n) {
  enum { nd = 8 };   /* bytes of a key */
  uint32_t cnt[nd][256];
  memset(cnt, 0, sizeof cnt);
  for (uint32_t i = 0; i < n; i++)
    for (int d = 0; d < nd; d++) cnt[d][(a[i].k >> (8 * d)) & 255]++;
  for (int d = 0; d < nd; d++) {
    uint32_t *c = cnt[d];
    if (n == 0 || c[(a[0].k >> (8 * d)) & 255] == n) continue;   /* one digit for all: nothing moves */
    uint32_t sum = 0;
    for (int v = 0; v < 256; v++) { uint32_t x = c[v]; c[v] = sum; sum += x; }
    for (uint32_t i = 0; i < n; i++) tmp[c[(a[i].k >> (8 * d)) & 255]++] = a[i];
    skey *t = a; a = tmp; tmp = t;
  }
  return a;
}

/* Term @i, or with @vocab the vocabulary pair of surface entry @i, as a tref. */
static tref make_ref(const seg_builder *b, uint32_t i, int vocab) {
  if (!vocab) {
    tref r = { b->terms.bytes.p + b->terms.off[i], b->terms.len[i], i, NULL, 0, i };
    return r;
  }
  const unsigned char *p = b->surf.bytes.p + b->surf.off[i];
  uint32_t ntm = get_u32(p), g = b->surf_term[i];
  tref r = { p + 4 + ntm, b->surf.len[i] - 4 - ntm, g, b->terms.bytes.p + b->terms.off[g], b->terms.len[g], i };
  return r;
}

/*
** Sort a[0..n) (prefixes already in k) into *out (a or tmp) by make_ref's
** order; @run is scratch for runs of equal prefixes. INDAGA_OK or ENOMEM.
*/
static int sort_refs(const seg_builder *b, skey *a, skey *tmp, uint32_t n, int vocab, skey **out,
                     tref **run, size_t *caprun) {
  a = radix_sort(a, tmp, n);
  *out = a;
  for (uint32_t i = 0, j; i < n; i = j) {
    for (j = i + 1; j < n && a[j].k == a[i].k; j++) {}
    if (j - i < 2) continue;
    if (j - i > *caprun) {
      tref *r = indaga__realloc(*run, (size_t)(j - i) * sizeof *r);
      if (!r) return INDAGA_ENOMEM;
      *run = r;
      *caprun = j - i;
    }
    for (uint32_t k = i; k < j; k++) (*run)[k - i] = make_ref(b, a[k].i, vocab);
    qsort(*run, j - i, sizeof **run, cmp_tref);
    for (uint32_t k = i; k < j; k++) a[k].i = (*run)[k - i].ix;
  }
  return INDAGA_OK;
}

/* Write every term, then the vocabulary, to the sink. */
static int write_terms(seg_builder *b, char **errmsg) {
  uint32_t nt = b->terms.n, np = b->surf.n, nmax = nt > np ? nt : np;
  skey *keys = indaga__malloc(((size_t)nmax + 1) * 2 * sizeof *keys), *tmp = keys ? keys + nmax + 1 : NULL, *sorted = keys;
  tref *run = NULL;
  size_t caprun = 0;
  emit_arrays ea = { 0 };
  int rc = keys ? INDAGA_OK : INDAGA_ENOMEM;
  for (uint32_t i = 0; i < nt && !rc; i++) {
    keys[i].k = prefix8(b->terms.bytes.p + b->terms.off[i], b->terms.len[i]);
    keys[i].i = i;
  }
  if (!rc) rc = sort_refs(b, keys, tmp, nt, 0, &sorted, &run, &caprun);
  for (uint32_t i = 0; i < nt && !rc; i++) {
#if defined(__GNUC__)
    /* a term's slot, bytes and buffer are scattered over the builder's
       memory: prefetched in two steps, 16 and 8 terms ahead */
    if (i + 16 < nt) {
      uint32_t id = sorted[i + 16].i;
      __builtin_prefetch(&b->tp[id]);
      __builtin_prefetch(&b->terms.off[id]);
      __builtin_prefetch(&b->terms.len[id]);
    }
    if (i + 8 < nt) {
      uint32_t id = sorted[i + 8].i;
      __builtin_prefetch(b->terms.bytes.p + b->terms.off[id]);
      __builtin_prefetch(b->tp[id].p);
    }
#endif
    tref r = make_ref(b, sorted[i].i, 0);
    rc = emit_term(b, &r, &ea, errmsg);
  }
  indaga__free(ea.docs);
  indaga__free(ea.tfs);
  indaga__free(ea.lens);
  indaga__free(ea.posoff);
  /* vocabulary: (key, term) pairs sorted by key, then term */
  uint32_t nv = 0;
  for (uint32_t i = 0; i < np && !rc; i++) {
    tref r = make_ref(b, i, 1);
    if (r.n == 0) continue;   /* a token without a key adds nothing to the vocabulary */
    keys[nv].k = prefix8(r.p, r.n);
    keys[nv++].i = i;
  }
  if (!rc) rc = sort_refs(b, keys, tmp, nv, 1, &sorted, &run, &caprun);
  for (uint32_t i = 0; i < nv && !rc; i++) {
    tref r = make_ref(b, sorted[i].i, 1);
    rc = segsink_vocab(b->sink, (const char *)r.p, r.n, (const char *)r.t, r.nt);
  }
  indaga__free(run);
  indaga__free(keys);
  return rc;
}

void seg_builder_stamp(seg_builder *b, const seg_stamp *st) { segsink_stamp(b->sink, st); }

int seg_builder_write(seg_builder *b, const char *path, char **errmsg) {
  if (b->done) return INDAGA_EMISUSE;
  b->done = 1;
  int rc = segsink_open(b->sink, path, errmsg);
  if (!rc && b->posbytes > SIZE_MAX / 2) rc = INDAGA_ENOMEM;
  if (!rc) rc = segsink_reserve_positions(b->sink, (size_t)b->posbytes);
  if (!rc) rc = write_terms(b, errmsg);
  if (!rc) rc = segsink_finish(b->sink, errmsg);
  if (rc) segsink_abort(b->sink);
  if (rc && errmsg && !*errmsg)
    *errmsg = indaga__sprintf("%s: cannot write segment: %s", path, indaga_strerror(rc));
  return rc;
}
