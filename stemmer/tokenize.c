/*
** tokenize.c: analyzer_run(), bytes -> tokens (see analyze.h for the
** contract and word.c for what happens to each word).
**
** One pass over the bytes, no copy of the input:
**
**   - UTF-8 is decoded by common/utf8.h's utf8_decode; each maximal invalid
**     subpart counts as one invalid sequence and acts as a separator, like
**     the U+FFFD it stands for. NUL is a separator like any control byte.
**   - A word is a run of letters (L*), digits (Nd) and combining marks (M*,
**     never first). Everything else separates words: spaces, punctuation,
**     Markdown markup (* _ [ ] ( ) # \ `), quotes (" ' “ ” « » ‘ ’),
**     hyphens and dashes ("costo-beneficio" is two words).
**   - Words longer than IA_MAX_WORD bytes are cut, at a codepoint boundary,
**     into tokens of at most IA_MAX_WORD bytes (Lucene's maxTokenLength).
**   - Numbers: a run of ASCII digits goes on over '.' or ',' when a digit
**     follows ("24.042.875", "0,75", "1.2" stay one TOK_NUMBER token, term
**     as written) and over ".º"/".ª" (the ordinal "1.º", term "1º").
**   - Ordinals: digits and one marker ("16ª", "72º") are one token, term
**     "16ª", then the plain number "16" as a TOK_PART token at the same
**     position and with the byte range of the digits.
**   - HTML entities (found in converted legislation): "&iacute;" and the
**     other Latin-1 letter entities, "&ordm;", "&#237;" and "&#xED;" are
**     the letter they name, inside a word too ("Apur&iacute;mac" is one
**     token, key "apurimac", byte range over the entity as written); any
**     other "&name;" ("&nbsp;", "&quot;") is a separator.
**   - UN symbols (match_symbol below) are one extra TOK_SYMBOL token before
**     their parts, which are tokenized as usual and flagged TOK_PART.
**   - Numbering abbreviations ("Nº", "N°", "N.º", "Nro.", "Núm.", "No."
**     before a number; match_numero below) are one token, the number sign
**     "nº" (term and key), not the word "número".
*/
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "stemmer/analyzer_int.h"

static int is_alnum_ascii(unsigned c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_digit_ascii(unsigned c) { return c >= '0' && c <= '9'; }
static int is_upper_ascii(unsigned c) { return c >= 'A' && c <= 'Z'; }

/*
** The end of the run of ASCII letters and digits at p[j..n). With SSE2,
** 16 bytes at a time: one compare per word instead of a branch per byte.
*/
static inline size_t alnum_run(const uint8_t *bk, const unsigned char *p, size_t j, size_t n) {
#if defined(__SSE2__)
  while (j + 16 <= n) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + j));
    __m128i lo = _mm_or_si128(v, _mm_set1_epi8(0x20));   /* ASCII letters to lowercase */
    /* Signed compares: bytes >= 0x80 are negative and in neither range. */
    __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lo, _mm_set1_epi8('a' - 1)),
                                   _mm_cmplt_epi8(lo, _mm_set1_epi8('z' + 1)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(letter, digit));
    if (m != 0xFFFFu) return j + (size_t)__builtin_ctz(~m);
    j += 16;
  }
#endif
  while (j < n && bk[p[j]] == IA_B_ALNUM) j++;
  return j;
}

/* ------------------------------------------------------------------------
** HTML entities
*/
static const struct { const char *name; int32_t cp; } entities[] = {
  { "aacute", 0xE1 }, { "Aacute", 0xC1 }, { "eacute", 0xE9 }, { "Eacute", 0xC9 },
  { "iacute", 0xED }, { "Iacute", 0xCD }, { "oacute", 0xF3 }, { "Oacute", 0xD3 },
  { "uacute", 0xFA }, { "Uacute", 0xDA }, { "yacute", 0xFD }, { "Yacute", 0xDD },
  { "ntilde", 0xF1 }, { "Ntilde", 0xD1 }, { "uuml", 0xFC },   { "Uuml", 0xDC },
  { "auml", 0xE4 },   { "Auml", 0xC4 },   { "euml", 0xEB },   { "Euml", 0xCB },
  { "iuml", 0xEF },   { "Iuml", 0xCF },   { "ouml", 0xF6 },   { "Ouml", 0xD6 },
  { "agrave", 0xE0 }, { "Agrave", 0xC0 }, { "egrave", 0xE8 }, { "Egrave", 0xC8 },
  { "igrave", 0xEC }, { "Igrave", 0xCC }, { "ograve", 0xF2 }, { "Ograve", 0xD2 },
  { "ugrave", 0xF9 }, { "Ugrave", 0xD9 }, { "acirc", 0xE2 },  { "Acirc", 0xC2 },
  { "ecirc", 0xEA },  { "Ecirc", 0xCA },  { "icirc", 0xEE },  { "Icirc", 0xCE },
  { "ocirc", 0xF4 },  { "Ocirc", 0xD4 },  { "ucirc", 0xFB },  { "Ucirc", 0xDB },
  { "atilde", 0xE3 }, { "Atilde", 0xC3 }, { "otilde", 0xF5 }, { "Otilde", 0xD5 },
  { "ccedil", 0xE7 }, { "Ccedil", 0xC7 }, { "ordf", 0xAA },   { "ordm", 0xBA },
  { "szlig", 0xDF },  { "aring", 0xE5 },  { "Aring", 0xC5 },  { "aelig", 0xE6 },
  { "AElig", 0xC6 },  { "oslash", 0xF8 }, { "Oslash", 0xD8 },
};

/*
** If p[0..n) (p[0] == '&') starts an entity, return its length and set *cp
** to the character it names (-1 for a named entity that is no letter we
** know: a separator). Return 0 when it is no entity (a plain '&').
*/
static size_t entity_at(const unsigned char *p, size_t n, int32_t *cp) {
  size_t k = 1;
  if (k < n && p[k] == '#') {
    k++;
    int hex = 0;
    if (k < n && (p[k] == 'x' || p[k] == 'X')) { hex = 1; k++; }
    size_t s = k;
    uint32_t v = 0;
    while (k < n && k - s < 7) {
      unsigned c = p[k];
      unsigned d;
      if (is_digit_ascii(c)) d = c - '0';
      else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else break;
      v = v * (hex ? 16u : 10u) + d;
      k++;
    }
    if (k == s || k >= n || p[k] != ';') return 0;
    *cp = (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) ? -1 : (int32_t)v;
    return k + 1;
  }
  size_t s = k;
  while (k < n && k - s < 32 && is_alnum_ascii(p[k])) k++;
  if (k - s < 2 || k >= n || p[k] != ';') return 0;
  *cp = -1;
  for (size_t e = 0; e < ARRAY_SIZE(entities); e++) {
    size_t len = strlen(entities[e].name);
    if (len == k - s && memcmp(entities[e].name, p + s, len) == 0) { *cp = entities[e].cp; break; }
  }
  return k + 1;
}

/* ------------------------------------------------------------------------
** UN document symbols
**
**   symbol  := first ('/' part)+ [ space* '\'? '(' space* yyyy space* '\'? ')' ]
**   first   := [A-Z]{1,10}                    (A, S, E, ST, CEDAW, UNEP ...)
**   part    := [A-Za-z0-9]+ ('.' [A-Za-z0-9]+)*   (69, RES, Add.2, CN.6, L.1)
**
** at least one part holds a digit or an uppercase letter (so "A/b" is not a
** symbol), the first starts a word, the last is not followed by a letter or
** digit, at most 128 bytes. Lowercase or digit first components ("y/o",
** "4/5") never start a symbol. The term is the symbol lowercased, with a
** year suffix written " (yyyy)" whatever the spacing or Markdown escapes.
*/
static size_t skip_space(const unsigned char *p, size_t n, size_t k) {
  size_t lim = n - k > 8 ? k + 8 : n;   /* a few blanks, not a page of them */
  n = lim;
  while (k < n) {
    if (p[k] == ' ' || p[k] == '\t' || p[k] == '\r' || p[k] == '\n') k++;
    else if (p[k] == 0xC2 && k + 1 < n && p[k + 1] == 0xA0) k += 2;   /* no-break space */
    else break;
  }
  return k;
}

/* Return the end of the symbol starting at p[i] (0: none) and its term in a->sym. */
static size_t match_symbol(analyzer *a, const unsigned char *p, size_t n, size_t i) {
  /* Look at most 129 bytes ahead (symbols are shorter), so a long run of
  ** capitals or of "A/..." costs linear time, not quadratic. */
  size_t m = n;
  if (n - i > 129) n = i + 129;
  size_t j = i;
  while (j < n && is_upper_ascii(p[j])) j++;
  if (j == i || j - i > 10 || j >= n || p[j] != '/') return 0;
  size_t end = j, ncomp = 0;
  int good = 0;
  while (j < n && p[j] == '/') {
    size_t k = j + 1, start = k;
    int g = 0;
    for (;;) {
      while (k < n && is_alnum_ascii(p[k])) {
        if (is_digit_ascii(p[k]) || is_upper_ascii(p[k])) g = 1;
        k++;
      }
      if (k > start && k + 1 < n && p[k] == '.' && is_alnum_ascii(p[k + 1])) { k++; continue; }
      break;
    }
    if (k == start) break;
    ncomp++;
    good |= g;
    end = j = k;
    if (end - i > 128) return 0;
  }
  if (!ncomp || !good || (end == n && n < m)) return 0;
  n = m;
  if (end < n && p[end] >= 0x80) {
    size_t len;
    int32_t cp = utf8_decode(p + end, n - end, &len);
    if (cp >= 0 && ia_class(a, cp) != IA_C_SEP) return 0;
  }
  buf_reset(&a->sym);
  if (buf_reserve(&a->sym, end - i + 8) != INDAGA_OK) return 0;
  for (size_t k = i; k < end; k++)
    a->sym.p[a->sym.n++] = (unsigned char)(is_upper_ascii(p[k]) ? p[k] + 32 : p[k]);
  a->sym.p[a->sym.n] = 0;

  /* A year suffix: "S/RES/2354 (2017)", "S/RES/2354(2017)", "2354 \(2017\)". */
  size_t k = skip_space(p, n, end);
  if (k < n && p[k] == '\\') k++;
  if (k < n && p[k] == '(') {
    k = skip_space(p, n, k + 1);
    size_t y = k;
    while (k < n && k - y < 5 && is_digit_ascii(p[k])) k++;
    if (k - y == 4) {
      size_t yend = k;
      k = skip_space(p, n, k);
      if (k < n && p[k] == '\\') k++;
      if (k < n && p[k] == ')') {
        buf_append(&a->sym, " (", 2);
        buf_append(&a->sym, p + y, yend - y);
        buf_putc(&a->sym, ')');
        end = k + 1;
      }
    }
  }
  return a->sym.err ? 0 : end;
}

/* ------------------------------------------------------------------------
** Numbering abbreviations
**
** Spanish legal and UN text writes "número" before a number in many ways:
** "Nº 1326", "N° 1326" (degree sign, a separator), "N.º", "N.°", "Nro.",
** "Núm."/"Num.", and "No."/"no." (only when a number follows: else it is
** the word "no"), each also plural ("Nºs.", "N°s", "Nros.", "Núms.",
** "Nos. 3 y 4"). Each is one token, the number sign: term and key "nº",
** whatever the spelling. So "Decreto Legislativo Nº 1326", "N° 1326" and
** "Nro. 1326" are the same terms at the same positions, and the number
** stays its own token after it.
**
** The sign is not the word "número": it marks a citation ("Ley Nº 27444"),
** and the legislation writes it about 13 times as often as the word, so a
** query for the word would otherwise match every citation. A query puts
** them together where they mean the same, before a number ("número 1326"
** finds "Nº 1326" and back: query/compile.c, numero_node).
**
**   abbrev  := [Nn] ( ('º'|'°') | '.' ('º'|'°') | [Rr][Oo] ) [sS]? '.'?
**            | [Nn] ([Úú]|[Uu]) [Mm] [sS]? '.'
**            | [Nn] [Oo] [sS]? '.' space* [0-9]
**
** and no letter or digit right after it, except that a digit may follow the
** forms with º or ° ("Nº1326"). The token's byte range is the
** abbreviation as written, its final dot included.
*/
static const char numero_sign[] = "n\xc2\xba";   /* "nº" */

/* Whether p[j] (j < n) continues a word: an ASCII letter or digit, or a
** non-ASCII letter, digit or mark. */
static int word_char_at(const analyzer *a, const unsigned char *p, size_t n, size_t j) {
  if (p[j] < 0x80) return a->bk[p[j]] == IA_B_ALNUM;
  size_t len;
  int32_t cp = utf8_decode(p + j, n - j, &len);
  return cp >= 0 && ia_class(a, cp) != IA_C_SEP;
}

/*
** If a numbering abbreviation starts at p[i] (a word start, p[i] is 'N' or
** 'n'), return its end; else return 0.
*/
static size_t match_numero(const analyzer *a, const unsigned char *p, size_t n, size_t i) {
  size_t j = i + 1;
  int sign = 0, dot = 0;   /* a º/° form; the final dot is required */
  if (j + 1 < n && p[j] == 0xC2 && (p[j + 1] == 0xBA || p[j + 1] == 0xB0)) {
    j += 2; sign = 1;
  } else if (j + 2 < n && p[j] == '.' && p[j + 1] == 0xC2 && (p[j + 2] == 0xBA || p[j + 2] == 0xB0)) {
    j += 3; sign = 1;
  } else if (j + 1 < n && (p[j] | 0x20) == 'r' && (p[j + 1] | 0x20) == 'o') {
    j += 2;
  } else if (j + 1 < n && (p[j] | 0x20) == 'u' && (p[j + 1] | 0x20) == 'm') {
    j += 2; dot = 1;
  } else if (j + 2 < n && p[j] == 0xC3 && (p[j + 1] == 0xBA || p[j + 1] == 0x9A) && (p[j + 2] | 0x20) == 'm') {
    j += 3; dot = 1;
  } else if (j < n && (p[j] | 0x20) == 'o') {
    j += 1; dot = 2;
  } else {
    return 0;
  }
  if (j < n && (p[j] | 0x20) == 's') j++;   /* plural */
  if (j < n && p[j] == '.') {
    j++;   /* what follows the dot is another word */
  } else if (dot) {
    return 0;
  } else if (j < n && word_char_at(a, p, n, j) && !(sign && is_digit_ascii(p[j]))) {
    return 0;   /* "Nrosa", "Nºx": a longer word */
  }
  if (dot == 2) {   /* "No.": only before a number */
    size_t k = skip_space(p, n, j);
    if (k >= n || !is_digit_ascii(p[k])) return 0;
  }
  return j;
}

/* ------------------------------------------------------------------------
** The run
**
** Memory, not arithmetic, bounds the hot path: the cache entry of a word is
** usually a cache miss. So the run looks IA_AHEAD words ahead: it scans
** word k, hashes it and prefetches its cache entry, and only then looks up
** and emits word k-IA_AHEAD (words wait in a small ring, `pending`).
** Symbols and words rebuilt from entities are emitted at once, after the
** pending words, so the order of tokens is the order of the text.
**
** analyzer_run_ids runs the same loop with r->out set: a word whose cache
** entry carries a tag of the current scope is one number appended to
** r->out, with no token built and no call; any other token goes to r->idfn
** (deliver), and a cached word's id becomes its entry's tag.
*/
typedef struct run {
  analyzer *a;
  const unsigned char *p;
  size_t n;
  token_fn cb;
  void *ctx;
  uint32_t pos;
  size_t sym_end;     /* tokens starting before this offset are symbol parts */
  ia_id_fn idfn;      /* ids mode (out != NULL): the caller's id of a token */
  ia_occs *out;       /* ids mode: where (id << 32 | pos) go */
} run;

/* Append @v to @o. Returns INDAGA_OK or INDAGA_ENOMEM (o is kept). */
static inline int occ_put(ia_occs *o, uint64_t v) {
  if (o->n == o->cap) {
    uint64_t *nv = indaga__grow(o->v, &o->cap, sizeof *nv, 1024);
    if (!nv) return INDAGA_ENOMEM;
    o->v = nv;
  }
  o->v[o->n++] = v;
  return INDAGA_OK;
}

/*
** Hand token @t to the caller: to the callback, or in ids mode to r->idfn
** and then as one number to r->out; @tag says the token's word (t->wid) may
** keep its id as a tag. Returns INDAGA_OK, INDAGA_ENOMEM or the caller's
** nonzero value.
*/
static inline int deliver(run *r, const ia_token *t, int tag) {
  if (!r->out) return r->cb(r->ctx, t);
  uint32_t id;
  int rc = r->idfn(r->ctx, t, &id);
  if (rc) return rc;
  if (tag && t->wid && (id < IA_TAG_ID_MASK || id == IA_ID_SKIP))
    r->a->slots[(uint32_t)t->wid - 1].tag = r->a->tag_stamp << (32 - IA_TAG_STAMP_BITS) |
                                       (id == IA_ID_SKIP ? IA_TAG_SKIP : id);
  return id == IA_ID_SKIP ? INDAGA_OK : occ_put(r->out, (uint64_t)id << 32 | t->pos);
}

#define IA_AHEAD 8u   /* a power of two */

typedef struct pending {
  struct {
    size_t i, j;      /* the word as written */
    uint64_t h;       /* its hash (words of at most 255 bytes) */
    int part;
    int wide;         /* at most 16 bytes, 16 readable from i: ia_hash16, ia_same16 */
    int sign;         /* a numbering abbreviation: its token is the number sign */
  } w[IA_AHEAD];
  unsigned head, count;
} pending;

/*
** Emit the word p[i..j) whose normalisable bytes are w[0..wn) (the input
** itself, or a->word when entities were decoded), @h their hash, @e its
** cache entry when the caller looked it up (found = 1; e NULL: not cached).
** Returns INDAGA_OK, INDAGA_ENOMEM or the callback's value.
*/
static int emit_word(run *r, size_t i, size_t j, const char *w, size_t wn, uint64_t h, int part,
                     const ia_cache_ent *e, int found) {
  ia_word nw;
  int rc;
  if (!found && wn <= 255 && !is_digit_ascii((unsigned char)w[0])) e = ia_cache_find(r->a, w, wn, h, 0);
  if (e) {
    ia_cache_touch(r->a, e);
    ia_cache_word(r->a, e, &nw);
  } else if ((rc = ia_word_lookup_h(r->a, w, wn, h, &nw)) != INDAGA_OK) return rc;
  ia_token t;
  t.pos = r->pos;
  t.flags = (nw.flags & (TOK_STOP | TOK_NUMBER)) | (part ? TOK_PART : 0u);
  t.start = i;
  t.end = j;
  t.term = nw.term;
  t.nterm = nw.nterm;
  t.key = nw.key;
  t.nkey = nw.nkey;
  t.wid = nw.wid;
  if ((rc = deliver(r, &t, !(nw.flags & IA_ORDINAL))) != 0) return rc;
  if ((nw.flags & IA_ORDINAL) && !part) {
    /* The plain number: drop the 2-byte marker (ª, º) and a dot before it. */
    size_t dn = wn - 2;
    if (dn > 0 && w[dn - 1] == '.') dn--;
    if ((rc = ia_word_lookup(r->a, w, dn, &nw)) != INDAGA_OK) return rc;
    t.flags = TOK_NUMBER | TOK_PART;
    t.end = memcmp(r->p + i, w, dn) == 0 ? i + dn : j;
    t.term = nw.term;
    t.nterm = nw.nterm;
    t.key = nw.key;
    t.nkey = nw.nkey;
    t.wid = nw.wid;
    if ((rc = deliver(r, &t, 0)) != 0) return rc;
  }
  r->pos++;
  return INDAGA_OK;
}

/* Emit the numbering abbreviation p[i..j) as the number sign. Returns as emit_word. */
static int emit_sign(run *r, size_t i, size_t j) {
  ia_token t;
  t.pos = r->pos;
  t.flags = 0;
  t.start = i;
  t.end = j;
  t.term = t.key = numero_sign;
  t.nterm = t.nkey = sizeof numero_sign - 1;
  t.wid = 0;
  int rc = deliver(r, &t, 0);
  if (rc == INDAGA_OK) r->pos++;
  return rc;
}

/* run_text and its helpers are compiled twice, for each mode (ids constant). */
#if defined(__GNUC__)
#define IA_INLINE inline __attribute__((always_inline))
#else
#define IA_INLINE inline
#endif

/*
** Emit the oldest pending word. In ids mode (@ids: r->out is set), the
** common case inline: a cached word whose tag is of the current scope is
** one append.
*/
static IA_INLINE int emit_oldest(run *r, pending *pw, const int ids) {
  unsigned k = pw->head;
  pw->head = (pw->head + 1) & (IA_AHEAD - 1);
  pw->count--;
  if (pw->w[k].sign) return emit_sign(r, pw->w[k].i, pw->w[k].j);
  const char *w = (const char *)r->p + pw->w[k].i;
  size_t wn = pw->w[k].j - pw->w[k].i;
  const ia_cache_ent *e = NULL;
  int found = 0;
  if (ids && wn <= 255 && !is_digit_ascii((unsigned char)w[0])) {
    analyzer *a = r->a;
    e = ia_cache_find(a, w, wn, pw->w[k].h, pw->w[k].wide);
    found = 1;
    uint32_t tg;
    if (e && !(e->flags & IA_ORDINAL) &&
        (tg = e->tag) >> (32 - IA_TAG_STAMP_BITS) == a->tag_stamp) {
      tg &= IA_TAG_ID_MASK;
      if (tg != IA_TAG_SKIP) {
        ia_occs *o = r->out;
        if (o->n == o->cap) {
          int rc = occ_put(o, (uint64_t)tg << 32 | r->pos);
          if (rc) return rc;
        } else {
          o->v[o->n++] = (uint64_t)tg << 32 | r->pos;
        }
      }
      r->pos++;
      return INDAGA_OK;
    }
  }
  return emit_word(r, pw->w[k].i, pw->w[k].j, w, wn, pw->w[k].h, pw->w[k].part, e, found);
}

/* Emit every pending word, in order. */
static IA_INLINE int flush(run *r, pending *pw, const int ids) {
  int rc = INDAGA_OK;
  while (pw->count && rc == INDAGA_OK) rc = emit_oldest(r, pw, ids);
  return rc;
}

/* p[0..n) is digits, '.' and ',' only (a number so far), n >= 1. */
static int numeric_run(const unsigned char *p, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (!is_digit_ascii(p[k]) && p[k] != '.' && p[k] != ',') return 0;
  return 1;
}

/* At p[j] == '.' or ',' after number w[0..wn): how many bytes continue the number (0: none). */
static size_t number_continues(const unsigned char *p, size_t n, size_t j,
                               const unsigned char *w, size_t wn) {
  if (wn == 0 || !numeric_run(w, wn)) return 0;
  if (j + 1 < n && is_digit_ascii(p[j + 1]) && wn + 2 <= IA_MAX_WORD) return 1;
  if (p[j] == '.' && j + 2 < n && p[j + 1] == 0xC2 && (p[j + 2] == 0xAA || p[j + 2] == 0xBA) &&
      is_digit_ascii(w[wn - 1]) && wn + 3 <= IA_MAX_WORD)
    return 3;
  return 0;
}

/*
** Go on with a word that holds an entity: its bytes so far are in a->word,
** the text goes on at p[j]. Returns the end of the word in the text; the
** word's normalisable bytes are then a->word (check a->word.err).
*/
static size_t scan_rebuilt(analyzer *a, const unsigned char *p, size_t n, size_t j, int in_sym) {
  while (j < n) {
    unsigned b = p[j];
    size_t len = 1;
    if (b < 0x80) {
      if (a->cls[b] == IA_C_SEP) {
        if ((b == '.' || b == ',') && !in_sym) {
          size_t m = number_continues(p, n, j, a->word.p, a->word.n);
          if (m) { buf_append(&a->word, p + j, m); j += m; continue; }
          break;
        }
        if (b != '&') break;
        int32_t cp;
        size_t m = entity_at(p + j, n - j, &cp);
        if (!m || cp < 0 || ia_class(a, cp) == IA_C_SEP) break;
        unsigned char tmp[4];
        size_t tn = utf8_encode(cp, tmp);
        if (a->word.n + tn > IA_MAX_WORD) break;
        buf_append(&a->word, tmp, tn);
        j += m;
        continue;
      }
    } else {
      int32_t cp = utf8_decode(p + j, n - j, &len);
      if (cp < 0 || ia_class(a, cp) == IA_C_SEP) break;
    }
    if (a->word.n + len > IA_MAX_WORD) break;
    buf_append(&a->word, p + j, len);
    j += len;
  }
  return j;
}

/* The loop of analyzer_run (ids 0) and analyzer_run_ids (ids 1) over r->p[0..r->n). */
static IA_INLINE int run_text(run *rp, size_t *n_invalid, const int ids) {
  run r = *rp;
  analyzer *a = r.a;
  const unsigned char *p = r.p;
  size_t n = r.n;
  const uint8_t *bk = a->bk;
  pending pw;
  pw.head = pw.count = 0;
  size_t ninv = 0, i = 0;
  int rc = INDAGA_OK;

  while (i < n) {
    unsigned c = p[i];
    unsigned kind = bk[c];
    if (kind == IA_B_SEP) { i++; continue; }
    if (kind == IA_B_OTHER) {
      if (c == '&') {
        int32_t ecp;
        size_t m = entity_at(p + i, n - i, &ecp);
        if (!m) { i++; continue; }
        if (ecp < 0 || (ia_class(a, ecp) != IA_C_LETTER && ia_class(a, ecp) != IA_C_DIGIT)) {
          i += m;
          continue;
        }
        /* an entity naming a letter starts a word */
      } else {
        size_t len;
        int32_t cp = utf8_decode(p + i, n - i, &len);
        if (cp < 0) { ninv++; i += len; continue; }
        unsigned k = ia_class(a, cp);
        if (k != IA_C_LETTER && k != IA_C_DIGIT) { i += len; continue; }
      }
    }

    /* A word starts at i. Is it a UN symbol? */
    if (i >= r.sym_end && is_upper_ascii(c)) {
      size_t se = match_symbol(a, p, n, i);
      if (a->sym.err) { rc = INDAGA_ENOMEM; break; }
      if (se) {
        if ((rc = flush(&r, &pw, ids)) != 0) break;
        ia_token t;
        t.pos = r.pos;
        t.flags = TOK_SYMBOL;
        t.start = i;
        t.end = se;
        t.term = t.key = (const char *)a->sym.p;
        t.nterm = t.nkey = a->sym.n;
        t.wid = 0;
        if ((rc = deliver(&r, &t, 0)) != 0) break;
        r.sym_end = se;
      }
    }
    int in_sym = i < r.sym_end;

    /* A numbering abbreviation ("Nº", "N.°", "Nro.") stands for "número". */
    if ((c | 0x20) == 'n' && !in_sym) {
      size_t e = match_numero(a, p, n, i);
      if (e) {
        if (pw.count == IA_AHEAD && (rc = emit_oldest(&r, &pw, ids)) != 0) break;
        unsigned k = (pw.head + pw.count) & (IA_AHEAD - 1);
        pw.w[k].i = i;
        pw.w[k].j = e;
        pw.w[k].sign = 1;
        pw.w[k].h = 0;
        pw.w[k].part = 0;
        pw.w[k].wide = 0;
        pw.count++;
        i = e;
        continue;
      }
    }

    /* Scan the word: runs of ASCII letters and digits at full speed. */
    size_t j = i;
    int rebuilt = 0;
    /* Never look further than one byte past the longest word: a long run
    ** of letters is cut into words, each scanned once. */
    size_t lim = n - i > IA_MAX_WORD + 1 ? i + IA_MAX_WORD + 1 : n;
    for (;;) {
      j = alnum_run(bk, p, j, lim);
      if (j - i > IA_MAX_WORD) { j = i + IA_MAX_WORD; break; }
      if (j >= n) break;
      unsigned b = p[j];
      if (b >= 0x80) {
        size_t len;
        int32_t cp = utf8_decode(p + j, n - j, &len);
        if (cp < 0 || ia_class(a, cp) == IA_C_SEP || j - i + len > IA_MAX_WORD) break;
        j += len;
        continue;
      }
      if ((b == '.' || b == ',') && !in_sym) {
        size_t m = number_continues(p, n, j, p + i, j - i);
        if (m) { j += m; continue; }
        break;
      }
      if (b == '&') {
        int32_t cp;
        size_t m = entity_at(p + j, n - j, &cp);
        if (!m || cp < 0 || ia_class(a, cp) == IA_C_SEP) break;
        buf_reset(&a->word);
        buf_append(&a->word, p + i, j - i);
        j = scan_rebuilt(a, p, n, j, in_sym);
        rebuilt = 1;
      }
      break;
    }
    if (rebuilt) {
      if (a->word.err) { rc = INDAGA_ENOMEM; break; }
      if ((rc = flush(&r, &pw, ids)) != 0) break;
      if (j == i || a->word.n == 0) { i = j > i ? j : i + 1; continue; }
      rc = emit_word(&r, i, j, (const char *)a->word.p, a->word.n,
                     ia_hash((const char *)a->word.p, a->word.n), in_sym, NULL, 0);
      if (rc != 0) break;
      i = j;
      continue;
    }
    /* Look ahead: hash and prefetch this word, emit the one IA_AHEAD before. */
    int wide = j - i <= 16 && n - i >= 16;
    uint64_t h = wide ? ia_hash16((const char *)p + i, j - i) : ia_hash((const char *)p + i, j - i);
    ia_cache_prefetch(a, h);
    if (pw.count == IA_AHEAD && (rc = emit_oldest(&r, &pw, ids)) != 0) break;
    unsigned k = (pw.head + pw.count) & (IA_AHEAD - 1);
    pw.w[k].i = i;
    pw.w[k].j = j;
    pw.w[k].h = h;
    pw.w[k].part = in_sym;
    pw.w[k].wide = wide;
    pw.w[k].sign = 0;
    pw.count++;
    i = j;
  }
  if (rc == INDAGA_OK) rc = flush(&r, &pw, ids);
  if (n_invalid) *n_invalid = ninv;
  return rc;
}

int analyzer_run(analyzer *a, const char *text, size_t n, token_fn cb, void *ctx, size_t *n_invalid) {
  run r = { a, (const unsigned char *)text, n, cb, ctx, 0, 0, NULL, NULL };
  return run_text(&r, n_invalid, 0);
}

int analyzer_run_ids(analyzer *a, const char *text, size_t n, ia_id_fn fn, void *ctx, ia_occs *out,
                     size_t *n_invalid) {
  if (!a->tag_stamp) a->tag_stamp = 1;
  run r = { a, (const unsigned char *)text, n, NULL, ctx, 0, 0, fn, out };
  return run_text(&r, n_invalid, 1);
}

void analyzer_ids_scope(analyzer *a) {
  if (++a->tag_stamp >> IA_TAG_STAMP_BITS) {
    /* every stamp has been used: forget all of them */
    for (uint32_t j = 0; j < a->nslots; j++) a->slots[j].tag = 0;
    a->tag_stamp = 1;
  }
}
