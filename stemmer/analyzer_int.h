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
** repeated word costs one hash and one memcmp. It is an open-addressed table
** of fixed-size entries whose strings live in one arena; both grow to a cap
** (IA_CACHE_MAX_SLOTS, IA_CACHE_MAX_ARENA) and the cache is emptied when
** either is full, so memory stays bounded on any input.
*/
#ifndef INDAGA_ANALYZER_INT_H
#define INDAGA_ANALYZER_INT_H

#include <stdint.h>
#include <stddef.h>
#include "stemmer/analyze.h"

struct sb_stemmer;

/* Character classes of codepoints. */
#define IA_C_SEP    0u   /* separator: punctuation, space, symbols, controls */
#define IA_C_LETTER 1u   /* Unicode L* */
#define IA_C_DIGIT  2u   /* Unicode Nd */
#define IA_C_MARK   3u   /* M*: continues a word, never starts one */

/* Internal word flag (beside TOK_*): digits then one ordinal marker (16ª, 1º). */
#define IA_ORDINAL  0x100u

#define IA_CACHE_MIN_SLOTS  4096u
#define IA_CACHE_MAX_SLOTS  (1u << 17)          /* 131072 entries, 3 MiB */
#define IA_CACHE_MIN_ARENA  ((size_t)1 << 16)
#define IA_CACHE_MAX_ARENA  ((size_t)4 << 20)   /* 4 MiB of strings */

typedef struct ia_cache_ent {
  uint64_t h;          /* hash of the word bytes */
  uint32_t off;        /* arena offset of word, then term, then key */
  uint16_t nword;      /* 0: empty slot (words are never empty) */
  uint16_t nterm;
  uint16_t nkey;
  uint16_t flags;      /* TOK_STOP, TOK_NUMBER, IA_ORDINAL */
} ia_cache_ent;

/* A normalised word: pointers into the analyzer, valid until its next call. */
typedef struct ia_word {
  const char *term;
  size_t nterm;
  const char *key;
  size_t nkey;
  unsigned flags;      /* TOK_STOP, TOK_NUMBER, IA_ORDINAL */
} ia_word;

typedef struct ia_stop {
  uint32_t off;        /* in stop_blob */
  uint32_t n;
} ia_stop;

struct analyzer {
  struct sb_stemmer *stemmer;
  uint8_t cls[0x800];             /* IA_C_* of codepoints below U+0800 */

  ia_cache_ent *slots;            /* power-of-two table */
  uint32_t nslots;
  uint32_t nused;
  unsigned char *arena;
  size_t narena, arena_cap;
  uint64_t cache_resets;          /* for tests and the benchmark */
  uint64_t cache_misses;

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
** Decode one UTF-8 sequence at p[0..n), n >= 1. Returns the codepoint and
** sets *len to its length; for an invalid sequence returns -1 and sets *len
** to the length of its maximal subpart (Unicode's U+FFFD substitution rule).
*/
static inline int32_t ia_utf8_decode(const unsigned char *p, size_t n, size_t *len) {
  unsigned c = p[0];
  if (c < 0x80) { *len = 1; return (int32_t)c; }
  if (c < 0xC2 || c > 0xF4) { *len = 1; return -1; }
  if (c < 0xE0) {
    if (n < 2 || (p[1] & 0xC0) != 0x80) { *len = 1; return -1; }
    *len = 2;
    return (int32_t)(((c & 0x1Fu) << 6) | (p[1] & 0x3Fu));
  }
  unsigned lo = 0x80, hi = 0xBF;
  if (c == 0xE0) lo = 0xA0;
  else if (c == 0xED) hi = 0x9F;
  else if (c == 0xF0) lo = 0x90;
  else if (c == 0xF4) hi = 0x8F;
  if (n < 2 || p[1] < lo || p[1] > hi) { *len = 1; return -1; }
  if (n < 3 || (p[2] & 0xC0) != 0x80) { *len = 2; return -1; }
  if (c < 0xF0) {
    *len = 3;
    return (int32_t)(((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu));
  }
  if (n < 4 || (p[3] & 0xC0) != 0x80) { *len = 3; return -1; }
  *len = 4;
  return (int32_t)(((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
                   (p[3] & 0x3Fu));
}

/* Encode codepoint @cp (<= U+10FFFF) as UTF-8 into t; returns its length. */
size_t ia_utf8_encode(int32_t cp, unsigned char t[4]);
/* Append codepoint @cp as UTF-8 to @b (sticky error in b->err). */
void ia_buf_put_cp(ia_buf *b, int32_t cp);

/*
** Normalise word w[0..n) (valid UTF-8, letters, digits and marks) through
** the cache. Returns INDAGA_OK or INDAGA_ENOMEM (then *out is untouched).
*/
int ia_word_lookup(analyzer *a, const char *w, size_t n, ia_word *out);

#endif /* INDAGA_ANALYZER_INT_H */
