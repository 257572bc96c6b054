/*
** word.c: one word's normal forms, and the cache that makes them cheap.
**
** For a word as written (a run of letters, digits and marks):
**
**   lower  lowercase (utf8proc_tolower per codepoint), then NFC, accents kept
**   key    lower with accents folded: canonical decomposition, combining
**          marks dropped, except that ñ/Ñ stay whole (ü -> u, á -> a, ç -> c)
**   term   for a word without digits: Snowball Spanish stem of lower (the
**          stemmer needs the accents: -ación, -logía), then folded; for a
**          word with digits: the key (numbers are not stemmed)
**   stop   the key is one of Snowball's Spanish stopwords, themselves
**          folded; so "esta"/"está", "si"/"sí", "el"/"él" are all stopwords
**
** A word that is all digits (with '.' or ',' between digit groups, and an
** optional final ordinal marker ª/º) is a number (TOK_NUMBER). "1.º" is the
** same ordinal as "1º": the dot is dropped from its term and key.
**
** Snowball 3.0.0 added one rule to the Spanish algorithm: -acion and
** -ucion, written without their accent, are removed like -ación and
** -ución. Debian's libstemmer predates it (2.2), so a word ending in
** "acion"/"ucion" is given to the stemmer as "ación"/"ución": the regions
** (R1, R2, RV) count ó as the vowel o, no other suffix of any step ends in
** "ón" or "on", and the accent is removed at the end in both versions, so
** this gives exactly 3.0's stem (checked against all of Snowball's test
** vocabulary in test_stemmer.c). Typed without accents, "informacion"
** then meets "información" through the term as well as the key.
**
** ASCII fast path: a word of ASCII bytes is lowercased by a table, is its
** own key and never reaches utf8proc.
**
** The cache (analyzer_int.h) maps the bytes as written to (term, key,
** flags); words longer than 255 bytes are normalised but never cached
** (analyzer_run never makes such words: it cuts them at IA_MAX_WORD).
*/
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <libstemmer.h>
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "common/os.h"
#include "stemmer/analyzer_int.h"
#include "stemmer/stopwords.h"

/* ------------------------------------------------------------------------
** Characters
*/
unsigned ia_class_slow(int32_t cp) {
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
  case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    return IA_C_LETTER;
  case UTF8PROC_CATEGORY_ND:
    return IA_C_DIGIT;
  case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    return IA_C_MARK;
  default:
    return IA_C_SEP;
  }
}

static int is_ordinal_marker(int32_t cp) { return cp == 0xAA || cp == 0xBA; }

/*
** Fold accents out of p[0..n) into out (appended). ñ/Ñ are kept, also when
** written decomposed (n + U+0303); every other combining mark is dropped
** after canonical decomposition. Invalid UTF-8 becomes U+FFFD.
** Returns INDAGA_OK or INDAGA_ENOMEM (out->err is then set too).
*/
int fold_accents(const char *p, size_t n, ia_buf *out) {
  const unsigned char *s = (const unsigned char *)p;
  size_t i = 0;
  while (i < n) {
    size_t run = i;
    while (run < n && s[run] < 0x80) run++;
    if (run > i) { buf_append(out, s + i, run - i); i = run; continue; }
    size_t len;
    int32_t cp = utf8_decode(s + i, n - i, &len);
    i += len;
    if (cp < 0) { utf8_put(out, 0xFFFD); continue; }
    if (cp == 0xF1 || cp == 0xD1) { utf8_put(out, cp); continue; }
    if (cp == 0x303 && out->n > 0 && (out->p[out->n - 1] == 'n' || out->p[out->n - 1] == 'N')) {
      unsigned char base = out->p[out->n - 1];
      out->n--;
      utf8_put(out, base == 'n' ? 0xF1 : 0xD1);
      continue;
    }
    int32_t d[8];
    int bc = 0;
    utf8proc_ssize_t nd = utf8proc_decompose_char(cp, d, 8, UTF8PROC_DECOMPOSE, &bc);
    if (nd < 0 || nd > 8) { utf8_put(out, cp); continue; }
    for (utf8proc_ssize_t k = 0; k < nd; k++) {
      utf8proc_category_t cat = utf8proc_category(d[k]);
      if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME) continue;
      utf8_put(out, d[k]);
    }
  }
  if (out->err) return out->err;
  /* Keep the buffer NUL-terminated for callers that print it. */
  if (buf_reserve(out, 1) != INDAGA_OK) return INDAGA_ENOMEM;
  out->p[out->n] = 0;
  return INDAGA_OK;
}

static utf8proc_int32_t lower_cp(utf8proc_int32_t cp, void *ctx) {
  (void)ctx;
  return utf8proc_tolower(cp);
}

/* Lowercase + NFC of valid UTF-8 w[0..n) into a->lower. */
static int lower_unicode(analyzer *a, const char *w, size_t n) {
  utf8proc_ssize_t need = (utf8proc_ssize_t)n + 8;
  for (;;) {
    if ((size_t)need + 1 > a->ucs_cap) {
      size_t cap = (size_t)need + 1;
      int32_t *u = indaga__realloc(a->ucs, cap * sizeof *u);
      if (!u) return INDAGA_ENOMEM;
      a->ucs = u;
      a->ucs_cap = cap;
    }
    utf8proc_ssize_t got = utf8proc_decompose_custom(
        (const utf8proc_uint8_t *)w, (utf8proc_ssize_t)n, a->ucs,
        (utf8proc_ssize_t)(a->ucs_cap - 1), UTF8PROC_DECOMPOSE | UTF8PROC_STABLE,
        lower_cp, NULL);
    if (got < 0) return INDAGA_ERROR;   /* not reached: w is valid UTF-8 */
    if ((size_t)got + 1 > a->ucs_cap) { need = got; continue; }
    utf8proc_ssize_t nb = utf8proc_reencode(a->ucs, got, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    if (nb < 0) return INDAGA_ERROR;
    buf_reset(&a->lower);
    buf_append(&a->lower, a->ucs, (size_t)nb);
    return a->lower.err;
  }
}

/* ------------------------------------------------------------------------
** Stopwords: the list folded, sorted, searched by bisection (cache misses only).
*/
static int stop_cmp(const char *blob, const ia_stop *s, const char *p, size_t n) {
  size_t m = s->n < n ? s->n : n;
  int c = memcmp(blob + s->off, p, m);
  if (c) return c;
  return s->n < n ? -1 : s->n > n ? 1 : 0;
}

static int is_stop(const analyzer *a, const char *p, size_t n) {
  size_t lo = 0, hi = a->nstops;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = stop_cmp(a->stop_blob, &a->stops[mid], p, n);
    if (c == 0) return 1;
    if (c < 0) lo = mid + 1; else hi = mid;
  }
  return 0;
}

/* Build the folded stopword set. Returns INDAGA_OK or INDAGA_ENOMEM. */
static int build_stops(analyzer *a) {
  ia_buf blob = { 0 };
  a->stops = indaga__calloc(ia_nstopwords, sizeof *a->stops);
  if (!a->stops) return INDAGA_ENOMEM;
  for (size_t i = 0; i < ia_nstopwords; i++) {
    size_t off = blob.n;
    if (fold_accents(ia_stopwords[i], strlen(ia_stopwords[i]), &blob) != INDAGA_OK) {
      buf_free(&blob);
      return INDAGA_ENOMEM;
    }
    a->stops[i].off = (uint32_t)off;
    a->stops[i].n = (uint32_t)(blob.n - off);
  }
  a->stop_blob = (char *)blob.p;
  /* The blob no longer moves: sort by content (insertion sort: qsort has no
  ** context argument, and the list is short), then drop duplicates (está, esta). */
  for (size_t i = 1; i < ia_nstopwords; i++) {
    ia_stop x = a->stops[i];
    size_t j = i;
    while (j > 0 && stop_cmp(a->stop_blob, &a->stops[j - 1], a->stop_blob + x.off, x.n) > 0) {
      a->stops[j] = a->stops[j - 1];
      j--;
    }
    a->stops[j] = x;
  }
  size_t k = 0;
  for (size_t i = 0; i < ia_nstopwords; i++) {
    if (k > 0 && stop_cmp(a->stop_blob, &a->stops[k - 1], a->stop_blob + a->stops[i].off,
                          a->stops[i].n) == 0)
      continue;
    a->stops[k++] = a->stops[i];
  }
  a->nstops = k;
  return INDAGA_OK;
}

/* ------------------------------------------------------------------------
** Analyzer lifetime
*/
_Static_assert(sizeof(ia_cache_ent) == 32, "two cache entries to a cache line");
static int slots_alloc(uint32_t n, ia_cache_ent **slots, void **mem);

int analyzer_new(analyzer **out) {
  *out = NULL;
  analyzer *a = indaga__calloc(1, sizeof *a);
  if (!a) return INDAGA_ENOMEM;
  a->stemmer = sb_stemmer_new("spanish", "UTF_8");
  if (!a->stemmer) goto nomem;
  for (unsigned b = 0; b < 256; b++) {
    int alnum = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    a->bk[b] = (uint8_t)(alnum ? IA_B_ALNUM : (b >= 0x80 || b == '&') ? IA_B_OTHER : IA_B_SEP);
  }
  for (int32_t cp = 0; cp < 0x800; cp++) {
    unsigned c;
    if (cp < 0x80) {
      c = (cp >= '0' && cp <= '9') ? IA_C_DIGIT
        : ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) ? IA_C_LETTER : IA_C_SEP;
    } else {
      c = ia_class_slow(cp);
    }
    a->cls[cp] = (uint8_t)c;
  }
  if (slots_alloc(IA_CACHE_MIN_SLOTS, &a->slots, &a->slots_mem) != INDAGA_OK) goto nomem;
  a->nslots = IA_CACHE_MIN_SLOTS;
  if (build_stops(a) != INDAGA_OK) goto nomem;
  *out = a;
  return INDAGA_OK;
nomem:
  analyzer_free(a);
  return INDAGA_ENOMEM;
}

void analyzer_free(analyzer *a) {
  if (!a) return;
  if (a->stemmer) sb_stemmer_delete(a->stemmer);
  indaga__free(a->slots_mem);
  indaga__free(a->arena);
  indaga__free(a->stop_blob);
  indaga__free(a->stops);
  indaga__free(a->ucs);
  buf_free(&a->lower);
  buf_free(&a->key);
  buf_free(&a->term);
  buf_free(&a->word);
  buf_free(&a->sym);
  indaga__free(a);
}

/* ------------------------------------------------------------------------
** Normalisation of one word (the cache-miss path)
*/

/*
** Compute a->term, a->key and *flags for valid UTF-8 w[0..n).
** Returns INDAGA_OK, INDAGA_ENOMEM or INDAGA_ERROR (utf8proc refused the
** input: not reached for valid UTF-8).
*/
static int normalise(analyzer *a, const char *w, size_t n, unsigned *flags) {
  const unsigned char *s = (const unsigned char *)w;
  int ascii = 1, has_digit = 0, numeric = 1;
  size_t ndigits = 0, nmarkers = 0, ndots = 0;
  int rc;
  for (size_t i = 0; i < n;) {
    size_t len = 1;
    int32_t cp = s[i];
    if (cp >= 0x80) { ascii = 0; cp = utf8_decode(s + i, n - i, &len); }
    if (cp >= '0' && cp <= '9') { has_digit = 1; if (nmarkers) numeric = 0; ndigits++; }
    else if (cp >= 0x80 && ia_class(a, cp) == IA_C_DIGIT) { has_digit = 1; numeric = 0; }
    else if (is_ordinal_marker(cp) && ndigits) nmarkers++;
    else if ((cp == '.' || cp == ',') && !nmarkers) ndots++;
    else numeric = 0;
    i += len;
  }
  unsigned f = 0;
  if (has_digit && numeric && nmarkers <= 1) {
    f |= TOK_NUMBER;
    if (nmarkers == 1) f |= IA_ORDINAL;
  }

  if (ascii) {
    buf_reset(&a->lower);
    if (buf_reserve(&a->lower, n + 1) != INDAGA_OK) return INDAGA_ENOMEM;
    for (size_t i = 0; i < n; i++) {
      unsigned char c = s[i];
      a->lower.p[i] = (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    a->lower.n = n;
    a->lower.p[n] = 0;
  } else if ((rc = lower_unicode(a, w, n)) != INDAGA_OK) {
    return rc;
  }

  buf_reset(&a->key);
  if (ascii) buf_append(&a->key, a->lower.p, a->lower.n);
  else if (fold_accents((const char *)a->lower.p, a->lower.n, &a->key) != INDAGA_OK)
    return INDAGA_ENOMEM;
  if (a->key.err) return INDAGA_ENOMEM;

  /* "1.º" is written for "1º": one ordinal, without the dot. */
  if ((f & IA_ORDINAL) && ndots == 1 && a->key.n >= 4 && a->key.p[a->key.n - 3] == '.') {
    a->key.p[a->key.n - 3] = a->key.p[a->key.n - 2];
    a->key.p[a->key.n - 2] = a->key.p[a->key.n - 1];
    a->key.n--;
  }

  buf_reset(&a->term);
  if (has_digit) {
    buf_append(&a->term, a->key.p, a->key.n);
  } else {
    const unsigned char *in = a->lower.p;
    size_t nin = a->lower.n;
    unsigned char tmp[IA_MAX_WORD + 2];
    if (nin >= 5 && nin <= IA_MAX_WORD && (memcmp(in + nin - 5, "acion", 5) == 0 ||
                                           memcmp(in + nin - 5, "ucion", 5) == 0)) {
      /* Snowball 3.0 rule (see the top of this file): -acion as -ación. */
      memcpy(tmp, in, nin - 2);
      memcpy(tmp + nin - 2, "\xc3\xb3n", 3);
      in = tmp;
      nin++;
    }
    const sb_symbol *st = sb_stemmer_stem(a->stemmer, in, (int)nin);
    if (!st) return INDAGA_ENOMEM;
    int nst = sb_stemmer_length(a->stemmer);
    if (ascii) buf_append(&a->term, st, (size_t)nst);
    else if (fold_accents((const char *)st, (size_t)nst, &a->term) != INDAGA_OK)
      return INDAGA_ENOMEM;
    if (is_stop(a, (const char *)a->key.p, a->key.n)) f |= TOK_STOP;
  }
  if (a->term.err) return INDAGA_ENOMEM;
  *flags = f;
  return INDAGA_OK;
}

/* ------------------------------------------------------------------------
** The cache
*/

/*
** Allocate a zeroed table of @n slots into (slots, slots_mem), 64-byte
** aligned; a table of 2 MiB or more (2^16 slots and up) is 2 MiB aligned and
** advised onto huge pages: with 4 KiB pages the full table's 2048 pages
** overflow the TLB: perf of a one-thread full index of the legislation
** corpus put a quarter of the run loop's samples (run_text) on the
** instruction after the entry's prefetch, waiting for a page walk; with
** huge pages 14%, and the loop had 10% fewer samples (one run each, shared
** machine). The alignment's slack is never touched, so never resident.
*/
#define IA_HUGE ((size_t)2 << 20)
static int slots_alloc(uint32_t n, ia_cache_ent **slots, void **mem) {
  size_t table = (size_t)n * sizeof(ia_cache_ent);
  size_t align = table >= IA_HUGE ? IA_HUGE : 64;
  unsigned char *m = indaga__malloc(table + align);
  if (!m) return INDAGA_ENOMEM;
  uintptr_t u = ((uintptr_t)m + align - 1) & ~(uintptr_t)(align - 1);
  unsigned char *t = m + (u - (uintptr_t)m);
  if (align == IA_HUGE) os_advise_huge(t, table);
  memset(t, 0, table);
  *slots = (ia_cache_ent *)(void *)t;
  *mem = m;
  return INDAGA_OK;
}

static uint32_t slot_of(uint64_t h, uint32_t nslots) { return (uint32_t)h & (nslots - 1); }

/* Bytes of cache entry @e's strings (in the arena when IA_EXT). */
static size_t ent_bytes(const ia_cache_ent *e) {
  return (size_t)e->nword + ((e->flags & IA_KEYSAME) ? 0u : e->nkey) + ((e->flags & IA_TERMPFX) ? 0u : e->nterm);
}

/* The slot cache entry @e hashes to. */
static uint32_t ent_home(const analyzer *a, const ia_cache_ent *e) {
  const unsigned char *w = (e->flags & IA_EXT) ? a->arena + e->s.off : e->s.inl;
  return slot_of(ia_hash((const char *)w, e->nword), a->nslots);
}

/*
** Empty slot @i of the table, moving back the entries after it that could
** no longer be found past the hole (linear probing's deletion, Knuth's
** Algorithm R).
*/
static void slot_delete(analyzer *a, uint32_t i) {
  uint32_t mask = a->nslots - 1;
  for (uint32_t j = i;;) {
    a->slots[i].nword = 0;
    for (;;) {
      j = (j + 1) & mask;
      if (!a->slots[j].nword) return;
      uint32_t k = ent_home(a, &a->slots[j]);
      /* the entry at j stays when its home lies cyclically in (i, j] */
      if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
      break;
    }
    a->slots[i] = a->slots[j];
    i = j;
  }
}

/*
** Make room in a full cache: keep the entries looked up again since the
** last eviction (IA_HOT) or, when those hold more than half the table's
** room (3/8 of its slots) or half the arena, the ones looked up again
** twice (IA_HOTTER); if even those are too many, empty the cache whole. So
** an eviction frees at least half. The kept entries lose their marks; the
** kept strings of the arena move to a new one of at most half its size
** (the old one is freed after). Entries moved back by a deletion come from
** later slots, or are kept ones already passed: the scan meets every
** entry that goes.
*/
static void cache_evict(analyzer *a) {
  uint32_t hot[2] = { 0, 0 };
  size_t hot_bytes[2] = { 0, 0 };
  for (uint32_t i = 0; i < a->nslots; i++) {
    const ia_cache_ent *e = &a->slots[i];
    if (!e->nword || !(e->flags & IA_HOT)) continue;
    size_t nb = (e->flags & IA_EXT) ? ent_bytes(e) : 0;
    hot[0]++;
    hot_bytes[0] += nb;
    if (e->flags & IA_HOTTER) { hot[1]++; hot_bytes[1] += nb; }
  }
  int lv = 0;
  while (lv < 2 && ((size_t)hot[lv] * 8 > (size_t)a->nslots * 3 || hot_bytes[lv] * 2 > a->arena_cap)) lv++;
  unsigned char *na = NULL;
  size_t ncap = 0;
  if (lv < 2 && hot_bytes[lv]) {
    ncap = IA_CACHE_MIN_ARENA;
    while (ncap < hot_bytes[lv]) ncap *= 2;
    if (!(na = indaga__malloc(ncap))) lv = 2;
  }
  if (lv == 2) {
    memset(a->slots, 0, (size_t)a->nslots * sizeof *a->slots);
    a->nused = 0;
    a->narena = 0;
  } else {
    uint8_t mark = lv ? IA_HOTTER : IA_HOT;
    for (uint32_t i = 0; i < a->nslots; i++)
      while (a->slots[i].nword && !(a->slots[i].flags & mark)) slot_delete(a, i);
    size_t n = 0;
    for (uint32_t i = 0; i < a->nslots; i++) {
      ia_cache_ent *e = &a->slots[i];
      if (!e->nword) continue;
      e->flags &= (uint8_t)~(IA_HOT | IA_HOTTER);
      if (e->flags & IA_EXT) {
        size_t nb = ent_bytes(e);
        memcpy(na + n, a->arena + e->s.off, nb);
        e->s.off = (uint32_t)n;
        n += nb;
      }
    }
    if (na) {
      indaga__free(a->arena);
      a->arena = na;
      a->arena_cap = ncap;
    }
    a->narena = n;
    a->nused = hot[lv];
    a->cache_kept += hot[lv];
  }
  a->cache_resets++;
  a->epoch++;
}

/* Double the table (entries keep their tags). Returns INDAGA_OK or INDAGA_ENOMEM (the table is kept). */
static int cache_grow(analyzer *a) {
  uint32_t ncap = a->nslots * 2;
  ia_cache_ent *ns;
  void *mem;
  if (slots_alloc(ncap, &ns, &mem) != INDAGA_OK) return INDAGA_ENOMEM;
  for (uint32_t i = 0; i < a->nslots; i++) {
    const ia_cache_ent *e = &a->slots[i];
    if (!e->nword) continue;
    /* The low bits of the hash are not kept: hash the word again. */
    const unsigned char *w = (e->flags & IA_EXT) ? a->arena + e->s.off : e->s.inl;
    uint32_t j = slot_of(ia_hash((const char *)w, e->nword), ncap);
    while (ns[j].nword) j = (j + 1) & (ncap - 1);
    ns[j] = *e;
  }
  indaga__free(a->slots_mem);
  a->slots = ns;
  a->slots_mem = mem;
  a->nslots = ncap;
  a->epoch++;
  return INDAGA_OK;
}

/* 1 when the arena has or could be grown to (within its cap) room for @need more bytes. */
static int arena_room(analyzer *a, size_t need) {
  if (a->narena + need <= a->arena_cap) return 1;
  size_t cap = a->arena_cap ? a->arena_cap : IA_CACHE_MIN_ARENA;
  while (cap < a->narena + need && cap < IA_CACHE_MAX_ARENA) cap *= 2;
  if (cap > IA_CACHE_MAX_ARENA) cap = IA_CACHE_MAX_ARENA;
  unsigned char *na = NULL;
  if (a->narena + need <= cap) na = indaga__realloc(a->arena, cap);
  if (!na) return 0;
  a->arena = na;
  a->arena_cap = cap;
  return 1;
}

uint64_t ia_hash_long(const char *w, size_t n) { return XXH3_64bits(w, n); }

int ia_word_lookup(analyzer *a, const char *w, size_t n, ia_word *out) {
  return ia_word_lookup_h(a, w, n, n <= 255 ? ia_hash(w, n) : 0, out);
}

int ia_word_lookup_h(analyzer *a, const char *w, size_t n, uint64_t h, ia_word *out) {
  uint32_t j = 0;
  /* A plain number is its own term and key: no cache entry (numbers are
  ** many and mostly distinct, and would push words out of the cache). */
  if (n > 0 && w[0] >= '0' && w[0] <= '9') {
    size_t k = 1;
    while (k < n && ((w[k] >= '0' && w[k] <= '9') || w[k] == '.' || w[k] == ',')) k++;
    if (k == n) {
      out->term = out->key = w;
      out->nterm = out->nkey = n;
      out->flags = TOK_NUMBER;
      out->wid = 0;
      return INDAGA_OK;
    }
  }
  if (n <= 255) {
    const ia_cache_ent *e = ia_cache_find(a, w, n, h, 0);
    if (e) {
      ia_cache_touch(a, e);
      ia_cache_word(a, e, out);
      return INDAGA_OK;
    }
    /* Not there: j is the empty slot that ended the probe. */
    j = slot_of(h, a->nslots);
    while (a->slots[j].nword) j = (j + 1) & (a->nslots - 1);
  }
  a->cache_misses++;
  unsigned flags = 0;
  int rc = normalise(a, w, n, &flags);
  if (rc != INDAGA_OK) return rc;
  if (n > 255 || a->term.n > 255 || a->key.n > 255) {
    out->term = (const char *)a->term.p;
    out->nterm = a->term.n;
    out->key = (const char *)a->key.p;
    out->nkey = a->key.n;
    out->flags = flags;
    out->wid = 0;
    return INDAGA_OK;
  }

  /* Make room: grow the table or the arena up to their caps, else evict (cache_evict). */
  unsigned shape = 0;
  if (a->key.n == n && memcmp(a->key.p, w, n) == 0) shape |= IA_KEYSAME;
  if (a->term.n <= a->key.n && memcmp(a->term.p, a->key.p, a->term.n) == 0) shape |= IA_TERMPFX;
  size_t need = n + ((shape & IA_KEYSAME) ? 0 : a->key.n) + ((shape & IA_TERMPFX) ? 0 : a->term.n);
  int ext = need > IA_CACHE_INLINE;
  int moved = 0;
  if ((size_t)(a->nused + 1) * 4 > (size_t)a->nslots * 3) {
    if (a->nslots < IA_CACHE_MAX_SLOTS && cache_grow(a) == INDAGA_OK) moved = 1;
    else { cache_evict(a); moved = 1; }
  }
  if (ext && !arena_room(a, need)) {
    cache_evict(a);
    moved = 1;
    arena_room(a, need);
  }
  if (ext && a->narena + need > a->arena_cap) {
    /* Evicted, and the arena still cannot take it (no memory): do not cache. */
    out->term = (const char *)a->term.p;
    out->nterm = a->term.n;
    out->key = (const char *)a->key.p;
    out->nkey = a->key.n;
    out->flags = flags;
    out->wid = 0;
    return INDAGA_OK;
  }
  if (moved) {
    j = slot_of(h, a->nslots);
    while (a->slots[j].nword) j = (j + 1) & (a->nslots - 1);
  }
  ia_cache_ent *e = &a->slots[j];
  e->tag = 0;
  e->nword = (uint8_t)n;
  e->nterm = (uint8_t)a->term.n;
  e->nkey = (uint8_t)a->key.n;
  e->flags = (uint8_t)(flags | shape | (ext ? IA_EXT : 0u));
  unsigned char *dst;
  if (ext) {
    e->s.off = (uint32_t)a->narena;
    dst = a->arena + a->narena;
    a->narena += need;
  } else {
    dst = e->s.inl;
  }
  memcpy(dst, w, n);
  dst += n;
  if (!(shape & IA_KEYSAME)) { memcpy(dst, a->key.p, a->key.n); dst += a->key.n; }
  if (!(shape & IA_TERMPFX)) memcpy(dst, a->term.p, a->term.n);
  a->nused++;
  ia_cache_word(a, e, out);
  return INDAGA_OK;
}

/* ------------------------------------------------------------------------
** One word, for the query parser
*/
int analyzer_word(analyzer *a, const char *p, size_t n,
                  const char **term, size_t *nterm, const char **key, size_t *nkey, int *is_stop) {
  const unsigned char *s = (const unsigned char *)p;
  const char *w = p;
  /* Invalid UTF-8 is replaced by U+FFFD, as analyzer_run would. */
  for (size_t i = 0; i < n;) {
    size_t len;
    if (s[i] < 0x80) { i++; continue; }
    if (utf8_decode(s + i, n - i, &len) >= 0) { i += len; continue; }
    buf_reset(&a->word);
    for (size_t k = 0; k < n;) {
      int32_t cp = utf8_decode(s + k, n - k, &len);
      if (cp < 0) utf8_put(&a->word, 0xFFFD);
      else buf_append(&a->word, s + k, len);
      k += len;
    }
    if (a->word.err) return INDAGA_ENOMEM;
    w = (const char *)a->word.p;
    n = a->word.n;
    break;
  }
  ia_word r;
  int rc = ia_word_lookup(a, w, n, &r);
  if (rc != INDAGA_OK) return rc;
  if (term) *term = r.term;
  if (nterm) *nterm = r.nterm;
  if (key) *key = r.key;
  if (nkey) *nkey = r.nkey;
  if (is_stop) *is_stop = (r.flags & TOK_STOP) != 0;
  return INDAGA_OK;
}
