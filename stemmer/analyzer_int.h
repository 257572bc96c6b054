/*
** analyzer_int.h: the inside of an analyzer, shared by the files of
** stemmer/ and nothing else.
**
**   word.c      analyzer_new/free, the word cache, one word's normalisation
**               (lowercase, Snowball stem, accent folding, stopword flag),
**               fold_accents(), analyzer_word()
**   tokenize.c  UTF-8 decoding, character classes, word runs, numbers,
**               ordinals, UN symbols, HTML entities: analyzer_run()
**
** The word cache maps a word's bytes as written to its normal forms, so a
** repeated word costs one hash, one cache line and one compare. It is an
** open-addressed table (linear probing) of 32-byte aligned entries (two to
** a cache line); an entry holds the word, then the key unless it is the
** word itself, then the term unless it is a prefix of the key (the usual
** case: "informaciones" -> key "informaciones", term "inform" are stored
** as the word alone), inline when they fit in 24 bytes, else at an offset
** into a string arena. Table and arena
** grow to a cap (IA_CACHE_MAX_SLOTS, IA_CACHE_MAX_ARENA); when either is
** full, the entries looked up again since the last eviction stay (IA_HOT:
** met in a second document in ids mode, a second time otherwise; or, when
** those fill more than half the room, the ones marked twice, IA_HOTTER)
** and lose their marks, and the rest go; if even those are too many, the
** cache is emptied whole (cache_evict). So memory stays bounded on any
** input, and the common words survive an eviction. (Emptying it whole at
** every eviction, as before, made every common word miss again: one
** analyzer over 1x the legislation, 4x the scale corpus (2.5x the
** vocabulary), bench_analyze: 298506 and 1439095 misses then, 239569 and
** 1061854 now.)
** (Measured on the 287 MB legislation corpus, bench/bench_analyze.c: with
** the strings out of line, the second memory miss per lookup cost a third
** of the analyzer's time; a cap of 2^15, 2^16, 2^17, 2^18 slots gave 1.56M,
** 0.86M, 0.47M, 0.30M misses and 136, 162, 175, 188 MB/s.)
**
** Each entry also holds a tag for analyzer_run_ids: IA_TAG_STAMP_BITS of
** scope stamp, then the id its caller gave the entry's word in that scope.
** A tag is zero when its entry is made (and an emptied table is all zero),
** it moves with its entry when the table grows (same word, same scope), and
** a stamp is never reused without zeroing every tag first, so a tag of the
** current stamp always speaks of its entry's word in the current scope.
** The tag is in the entry, not in an array beside the table, so a word seen
** before in the scope costs one cache line, not two: a one-thread build
** of the legislation corpus spent ~14% of the run loop waiting after the
** two prefetches, and the separate 1 MiB tag array was the second of them.
** The entry keeps no hash bits (the tag took their place): a probe compares
** lengths, then the bytes, inline in the same line for all but long words.
*/
#ifndef INDAGA_ANALYZER_INT_H
#define INDAGA_ANALYZER_INT_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "common/utf8.h"
#include "stemmer/analyze.h"

struct sb_stemmer;

/* Character classes of codepoints. */
#define IA_C_SEP    0u   /* separator: punctuation, space, symbols, controls */
#define IA_C_LETTER 1u   /* Unicode L* */
#define IA_C_DIGIT  2u   /* Unicode Nd */
#define IA_C_MARK   3u   /* M*: continues a word, never starts one */

/* Internal word flags (beside TOK_STOP 0x01 and TOK_NUMBER 0x04). */
#define IA_ORDINAL  0x10u   /* digits then one ordinal marker (16ª, 1º, 1.º) */
#define IA_KEYSAME  0x20u   /* cache entry: the key is the word itself (not stored) */
#define IA_TERMPFX  0x40u   /* cache entry: the term is a prefix of the key (not stored) */
#define IA_EXT      0x80u   /* cache entry: strings in the arena, not inline */
#define IA_HOT      0x08u   /* cache entry: looked up again since the last eviction */
#define IA_HOTTER   0x02u   /* cache entry: and again after that */
#define IA_CACHE_BITS (IA_KEYSAME | IA_TERMPFX | IA_EXT | IA_HOT | IA_HOTTER)

#define IA_CACHE_MIN_SLOTS  4096u
#define IA_CACHE_MAX_SLOTS  (1u << 18)          /* 262144 entries, 8 MiB */
#define IA_CACHE_MIN_ARENA  ((size_t)1 << 14)
#define IA_CACHE_MAX_ARENA  ((size_t)3 << 20)   /* 3 MiB of long strings */

#define IA_TAG_STAMP_BITS   8u
#define IA_TAG_ID_MASK      ((1u << (32 - IA_TAG_STAMP_BITS)) - 1)   /* ids this or above: not tagged */
#define IA_TAG_SKIP         IA_TAG_ID_MASK   /* tag of a word whose tokens are IA_ID_SKIP */
#define IA_CACHE_INLINE     24u

typedef struct ia_cache_ent {
  uint32_t tag;        /* analyzer_run_ids: stamp << (32 - IA_TAG_STAMP_BITS) | id, or 0 */
  uint8_t nword;       /* 0: empty slot (words are never empty) */
  uint8_t nterm;
  uint8_t nkey;
  uint8_t flags;       /* TOK_STOP, TOK_NUMBER, IA_ORDINAL, IA_CACHE_BITS */
  union {
    unsigned char inl[IA_CACHE_INLINE];   /* word, [key], [term] */
    uint32_t off;                         /* IA_EXT: arena offset of the same */
  } s;
} ia_cache_ent;

/* A normalised word: pointers into the analyzer, valid until its next call. */
typedef struct ia_word {
  const char *term;
  size_t nterm;
  const char *key;
  size_t nkey;
  unsigned flags;      /* TOK_STOP, TOK_NUMBER, IA_ORDINAL */
  uint64_t wid;        /* epoch << 32 | cache slot + 1, or 0 when not cached (ia_token.wid) */
} ia_word;

typedef struct ia_stop {
  uint32_t off;        /* in stop_blob */
  uint32_t n;
} ia_stop;

/* Byte kinds for the scanner's fast loops. */
#define IA_B_SEP    0u   /* an ASCII separator */
#define IA_B_ALNUM  1u   /* an ASCII letter or digit */
#define IA_B_OTHER  2u   /* a byte >= 0x80, or '&' (maybe an entity) */

struct analyzer {
  struct sb_stemmer *stemmer;
  uint8_t bk[256];                /* IA_B_* of each byte */
  uint8_t cls[0x800];             /* IA_C_* of codepoints below U+0800 */

  ia_cache_ent *slots;            /* power-of-two table, 64-byte aligned */
  void *slots_mem;                /* what was allocated for it */
  uint32_t nslots;
  uint32_t nused;
  unsigned char *arena;
  size_t narena, arena_cap;
  uint64_t cache_resets;          /* for tests and the benchmark: evictions, */
  uint64_t cache_kept;            /* the entries they kept in all, */
  uint64_t cache_misses;          /* and the words normalised */
  uint32_t epoch;                 /* bumped whenever entries move or go (grow, eviction) */
  uint32_t tag_stamp;             /* the current scope's stamp, 1 .. 2^IA_TAG_STAMP_BITS - 1 */

  char *stop_blob;                /* folded stopwords, sorted index below */
  ia_stop *stops;
  size_t nstops;

  int32_t *ucs;                   /* scratch codepoints for utf8proc */
  size_t ucs_cap;
  ia_buf lower;                   /* scratch: lowercase accented word */
  ia_buf key;                     /* scratch: folded key */
  ia_buf term;                    /* scratch: folded stem */
  ia_buf word;                    /* scratch: a word rebuilt (entities, U+FFFD) */
  ia_buf sym;                     /* scratch: a symbol's term */
};

/* IA_C_* of codepoint @cp (valid, <= U+10FFFF). */
unsigned ia_class_slow(int32_t cp);
static inline unsigned ia_class(const analyzer *a, int32_t cp) {
  return cp < 0x800 ? a->cls[cp] : ia_class_slow(cp);
}

/*
** Normalise word w[0..n) (valid UTF-8, letters, digits and marks) through
** the cache. Returns INDAGA_OK or INDAGA_ENOMEM (then *out is untouched).
** The _h form takes ia_hash(w, n), computed ahead by the caller.
*/
int ia_word_lookup(analyzer *a, const char *w, size_t n, ia_word *out);
int ia_word_lookup_h(analyzer *a, const char *w, size_t n, uint64_t h, ia_word *out);

/*
** The cache's hash of w[0..n): a word of up to 16 bytes (nearly all) is two
** 8-byte words, its bytes zero-padded to 16, folded by a 128-bit multiply
** (wyhash's mix), inline; longer words go to XXH3. Used only in memory,
** never on disk. ia_hash16 computes the same for 1 <= n <= 16 when 16 bytes
** can be read at w (the run loop, inside its text): two loads and masks,
** no branch on the length (word lengths are too varied to predict).
*/
uint64_t ia_hash_long(const char *w, size_t n);
static inline uint64_t ia_mix(uint64_t a, uint64_t b) {
  a ^= 0xa0761d6478bd642full;
  b ^= 0xe7037ed1a0b428dbull;
#if defined(__SIZEOF_INT128__) && defined(__GNUC__)
  __extension__ typedef unsigned __int128 ia_u128;
  ia_u128 m = (ia_u128)a * b;
  return (uint64_t)m ^ (uint64_t)(m >> 64);
#else
  uint64_t h = a * 0x9e3779b97f4a7c15ull ^ b;
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ull;
  return h ^ (h >> 32);
#endif
}
/* The masks that keep the first n bytes (1 <= n <= 16) of two 8-byte loads. */
static inline void ia_mask16(size_t n, uint64_t *ma, uint64_t *mb) {
  size_t na = n < 8 ? n : 8, nb = n - na;   /* bytes in the first (1..8), in the second (0..8) */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  *ma = ~0ull << (8 * (8 - na));
  *mb = nb ? ~0ull << (8 * (8 - nb)) : 0;
#else
  *ma = ~0ull >> (8 * (8 - na));
  *mb = nb ? ~0ull >> (8 * (8 - nb)) : 0;
#endif
}
/* The hash of w[0..n) (1 <= n <= 16) from the 16 bytes readable at w, masked. */
static inline uint64_t ia_hash16(const void *w, size_t n) {
  uint64_t a, b, ma, mb;
  memcpy(&a, w, 8);
  memcpy(&b, (const unsigned char *)w + 8, 8);
  ia_mask16(n, &ma, &mb);
  return ia_mix((a & ma) ^ n, (b & mb) ^ 0x8ebc6af09c88c6e3ull);
}
static inline uint64_t ia_hash(const char *w, size_t n) {
  if (n == 0 || n > 16) return ia_hash_long(w, n);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  /* The same two words without reading past w[n - 1]: overlapping loads. */
  const unsigned char *p = (const unsigned char *)w;
  uint64_t a, b = 0;
  if (n >= 8) {
    memcpy(&a, p, 8);
    if (n > 8) { memcpy(&b, p + n - 8, 8); b >>= 8 * (16 - n); }
  } else if (n >= 4) {
    uint32_t x, y;
    memcpy(&x, p, 4);
    memcpy(&y, p + n - 4, 4);
    a = (uint64_t)x | (uint64_t)y << (8 * (n - 4));
  } else {
    a = (uint64_t)p[0] | (uint64_t)p[n >> 1] << (8 * (n >> 1)) | (uint64_t)p[n - 1] << (8 * (n - 1));
  }
  return ia_mix(a ^ n, b ^ 0x8ebc6af09c88c6e3ull);
#else
  unsigned char pad[16] = { 0 };
  memcpy(pad, w, n);
  return ia_hash16(pad, n);
#endif
}

/*
** Equal words x and y of length n (1..16), 16 bytes readable at both: two
** loads each, masked, no branch on the length.
*/
static inline int ia_same16(const unsigned char *x, const char *y, size_t n) {
  uint64_t a1, b1, a2, b2, ma, mb;
  memcpy(&a1, x, 8);
  memcpy(&b1, x + 8, 8);
  memcpy(&a2, y, 8);
  memcpy(&b2, y + 8, 8);
  ia_mask16(n, &ma, &mb);
  return (((a1 ^ a2) & ma) | ((b1 ^ b2) & mb)) == 0;
}

/*
** The cache entry of word w[0..n) (1 <= n <= 255) of hash @h, or NULL: the
** hit path, inline. With @wide (n <= 16 and 16 bytes readable at w: the run
** loop, inside its text) an inline entry (24 bytes) is compared by
** ia_same16, without a branch on the length.
*/
static inline const ia_cache_ent *ia_cache_find(const analyzer *a, const char *w, size_t n, uint64_t h,
                                                int wide) {
  uint32_t mask = a->nslots - 1;
  for (uint32_t j = (uint32_t)h & mask;; j = (j + 1) & mask) {
    const ia_cache_ent *e = &a->slots[j];
    if (!e->nword) return NULL;
    if (e->nword != n) continue;
    if ((e->flags & IA_EXT) ? indaga__same_bytes(a->arena + e->s.off, w, n)
                            : wide ? ia_same16(e->s.inl, w, n) : indaga__same_bytes(e->s.inl, w, n))
      return e;
  }
}

/* The normal forms held by cache entry @e. */
static inline void ia_cache_word(const analyzer *a, const ia_cache_ent *e, ia_word *out) {
  const unsigned char *base = (e->flags & IA_EXT) ? a->arena + e->s.off : e->s.inl;
  const unsigned char *key = (e->flags & IA_KEYSAME) ? base : base + e->nword;
  size_t after_key = (e->flags & IA_KEYSAME) ? e->nword : (size_t)e->nword + e->nkey;
  out->key = (const char *)key;
  out->nkey = e->nkey;
  out->term = (const char *)((e->flags & IA_TERMPFX) ? key : base + after_key);
  out->nterm = e->nterm;
  out->flags = e->flags & ~IA_CACHE_BITS;
  out->wid = (uint64_t)a->epoch << 32 | (uint64_t)(e - a->slots + 1);
}

/* Mark cache entry @e, found by a lookup, as looked up again (IA_HOT, then IA_HOTTER). */
static inline void ia_cache_touch(analyzer *a, const ia_cache_ent *e) {
  ia_cache_ent *m = &a->slots[e - a->slots];
  if ((m->flags & (IA_HOT | IA_HOTTER)) != (IA_HOT | IA_HOTTER))
    m->flags |= (m->flags & IA_HOT) ? IA_HOTTER : IA_HOT;
}

/* Hint that the cache entry of hash @h is wanted soon. */
static inline void ia_cache_prefetch(const analyzer *a, uint64_t h) {
#if defined(__GNUC__)
  __builtin_prefetch(&a->slots[(uint32_t)h & (a->nslots - 1)]);
#else
  (void)a; (void)h;
#endif
}

#endif /* INDAGA_ANALYZER_INT_H */
