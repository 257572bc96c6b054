/*
** docmodel_text.c: display text of one paragraph (indexer/docmodel.h).
**
** The structure parser (docmodel.c) hands over the lines of a paragraph
** already joined with single spaces. This file turns that Markdown-ish run
** into the text people read and the indexer tokenizes, in one left-to-right
** pass with bounded look-ahead, so a 10 MB paragraph costs linear time:
**
**   - backslash escapes (\( \* \_) give the literal character; a trailing
**     backslash (Markdown's hard line break) is dropped;
**   - HTML entities, named (&aacute; &ntilde; &amp; ...; the HTML 4 Latin-1
**     set plus typographic ones) and numeric (&#243; &#xF3;), are decoded;
**     an invalid code point becomes U+FFFD, an unknown name stays literal;
**   - emphasis: a run of '*' or '_' that touches a word on at least one side
**     is a delimiter and is dropped (we never need to pair them up, which is
**     what keeps this linear). A run with spaces on both sides is literal
**     ("5 * 3"), so is a single '*' between punctuation ("(*)"), a '_' inside
**     a word (snake_case) and a run of three or more '_' (a blank to fill in);
**   - [text](url) and ![alt](url) become text / alt; the look-ahead for the
**     closing bracket stops at the next '[' and for the closing parenthesis
**     at a space or '[', so each byte is looked at a bounded number of times;
**   - a known HTML tag (<br>, <td>, </p>, ...) becomes a space; an autolink
**     <http://...> keeps its address; any other '<' is literal;
**   - invalid UTF-8 becomes U+FFFD (one per maximal subpart, the rule of
**     common/utf8.h), counted for the caller's warning;
**   - control characters, no-break and other special spaces become spaces,
**     soft hyphens, zero-width spaces and byte order marks disappear, and
**     runs of whitespace collapse to one space, trimmed at both ends.
*/
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/utf8.h"
#include "indexer/docmodel.h"

/* The named HTML entities we decode, sorted by name (memcmp order). */
typedef struct entity {
  const char *name;
  uint32_t cp;
} entity;

static const entity entities[] = {
  {"AElig", 0x00C6}, {"Aacute", 0x00C1}, {"Acirc", 0x00C2}, {"Agrave", 0x00C0}, {"Aring", 0x00C5},
  {"Atilde", 0x00C3}, {"Auml", 0x00C4}, {"Ccedil", 0x00C7}, {"Dagger", 0x2021}, {"ETH", 0x00D0},
  {"Eacute", 0x00C9}, {"Ecirc", 0x00CA}, {"Egrave", 0x00C8}, {"Euml", 0x00CB}, {"Iacute", 0x00CD},
  {"Icirc", 0x00CE}, {"Igrave", 0x00CC}, {"Iuml", 0x00CF}, {"Ntilde", 0x00D1}, {"OElig", 0x0152},
  {"Oacute", 0x00D3}, {"Ocirc", 0x00D4}, {"Ograve", 0x00D2}, {"Omega", 0x03A9}, {"Oslash", 0x00D8},
  {"Otilde", 0x00D5}, {"Ouml", 0x00D6}, {"Prime", 0x2033}, {"Scaron", 0x0160}, {"THORN", 0x00DE},
  {"Uacute", 0x00DA}, {"Ucirc", 0x00DB}, {"Ugrave", 0x00D9}, {"Uuml", 0x00DC}, {"Yacute", 0x00DD},
  {"Yuml", 0x0178}, {"aacute", 0x00E1}, {"acirc", 0x00E2}, {"acute", 0x00B4}, {"aelig", 0x00E6},
  {"agrave", 0x00E0}, {"alpha", 0x03B1}, {"amp", 0x0026}, {"apos", 0x0027}, {"aring", 0x00E5},
  {"asymp", 0x2248}, {"atilde", 0x00E3}, {"auml", 0x00E4}, {"bdquo", 0x201E}, {"beta", 0x03B2},
  {"brvbar", 0x00A6}, {"bull", 0x2022}, {"ccedil", 0x00E7}, {"cedil", 0x00B8}, {"cent", 0x00A2},
  {"circ", 0x02C6}, {"copy", 0x00A9}, {"curren", 0x00A4}, {"dagger", 0x2020}, {"darr", 0x2193},
  {"deg", 0x00B0}, {"delta", 0x03B4}, {"divide", 0x00F7}, {"eacute", 0x00E9}, {"ecirc", 0x00EA},
  {"egrave", 0x00E8}, {"emsp", 0x2003}, {"ensp", 0x2002}, {"equiv", 0x2261}, {"eth", 0x00F0},
  {"euml", 0x00EB}, {"euro", 0x20AC}, {"fnof", 0x0192}, {"frac12", 0x00BD}, {"frac14", 0x00BC},
  {"frac34", 0x00BE}, {"gamma", 0x03B3}, {"ge", 0x2265}, {"gt", 0x003E}, {"harr", 0x2194},
  {"hellip", 0x2026}, {"iacute", 0x00ED}, {"icirc", 0x00EE}, {"iexcl", 0x00A1}, {"igrave", 0x00EC},
  {"infin", 0x221E}, {"iquest", 0x00BF}, {"iuml", 0x00EF}, {"laquo", 0x00AB}, {"larr", 0x2190},
  {"ldquo", 0x201C}, {"le", 0x2264}, {"lrm", 0x200E}, {"lsaquo", 0x2039}, {"lsquo", 0x2018},
  {"lt", 0x003C}, {"macr", 0x00AF}, {"mdash", 0x2014}, {"micro", 0x00B5}, {"middot", 0x00B7},
  {"minus", 0x2212}, {"mu", 0x03BC}, {"nbsp", 0x00A0}, {"ndash", 0x2013}, {"ne", 0x2260},
  {"not", 0x00AC}, {"ntilde", 0x00F1}, {"oacute", 0x00F3}, {"ocirc", 0x00F4}, {"oelig", 0x0153},
  {"ograve", 0x00F2}, {"oline", 0x203E}, {"ordf", 0x00AA}, {"ordm", 0x00BA}, {"oslash", 0x00F8},
  {"otilde", 0x00F5}, {"ouml", 0x00F6}, {"para", 0x00B6}, {"permil", 0x2030}, {"pi", 0x03C0},
  {"plusmn", 0x00B1}, {"pound", 0x00A3}, {"prime", 0x2032}, {"quot", 0x0022}, {"raquo", 0x00BB},
  {"rarr", 0x2192}, {"rdquo", 0x201D}, {"reg", 0x00AE}, {"rlm", 0x200F}, {"rsaquo", 0x203A},
  {"rsquo", 0x2019}, {"sbquo", 0x201A}, {"scaron", 0x0161}, {"sect", 0x00A7}, {"shy", 0x00AD},
  {"sigma", 0x03C3}, {"sum", 0x2211}, {"sup1", 0x00B9}, {"sup2", 0x00B2}, {"sup3", 0x00B3},
  {"szlig", 0x00DF}, {"thinsp", 0x2009}, {"thorn", 0x00FE}, {"tilde", 0x02DC}, {"times", 0x00D7},
  {"trade", 0x2122}, {"uacute", 0x00FA}, {"uarr", 0x2191}, {"ucirc", 0x00FB}, {"ugrave", 0x00F9},
  {"uml", 0x00A8}, {"uuml", 0x00FC}, {"yacute", 0x00FD}, {"yen", 0x00A5}, {"yuml", 0x00FF},
  {"zwj", 0x200D}, {"zwnj", 0x200C},
};

/**************************************************************************
** UTF-8
*/

/*
** The first index in p[i..n) (i at a character boundary) from which the
** bytes are not ASCII or two-byte UTF-8 (U+0080..U+07FF), or n; it is at a
** character boundary too. With SSE2, 16 bytes at a time; a lead in a
** block's last byte ends its run, to be looked at by the caller.
*/
size_t dm__utf8_2byte_end(const unsigned char *p, size_t i, size_t n) {
#if defined(__SSE2__)
  while (i + 16 <= n) {
    unsigned ok = dm__utf8_2byte_mask16(_mm_loadu_si128((const __m128i *)(const void *)(p + i)));
    if (ok != 0xFFFFu) return i + (size_t)__builtin_ctz(~ok);
    i += 16;
  }
#endif
  while (i < n) {
    if (p[i] < 0x80) i++;
    else if (p[i] >= 0xC2 && p[i] <= 0xDF && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) i += 2;
    else break;
  }
  return i;
}

size_t dm_utf8_repair(ia_buf *out, const char *z, size_t n) {
  const unsigned char *p = (const unsigned char *)z;
  size_t i = 0, run = 0, bad = 0;
  while ((i = dm__utf8_2byte_end(p, i, n)) < n) {
    size_t len;
    int32_t cp = utf8_decode(p + i, n - i, &len);
    i += len;
    if (cp >= 0) continue;
    buf_append(out, p + run, i - len - run);
    utf8_put(out, 0xFFFD);
    bad++;
    run = i;
  }
  buf_append(out, p + run, n - run);
  return bad;
}

/**************************************************************************
** The cleaning pass
*/

typedef struct cleaner {
  ia_buf *out;
  size_t base;      /* out->n when the call began: no space is emitted before it */
  int space;        /* a space is pending before the next visible character */
  size_t bad;       /* invalid UTF-8 sequences replaced */
} cleaner;

/*
** Append the pending space, if any, and p[0..n) to the output: in place
** when they fit (the caller reserves room for most text), else through
** buf_append (which sets out->err when it cannot grow the buffer).
*/
static void emit(cleaner *c, const unsigned char *p, size_t n) {
  ia_buf *b = c->out;
  size_t sp = c->space && b->n > c->base;
  c->space = 0;
  if (!b->err && n < b->cap - b->n - sp) {   /* room for the bytes and the NUL after them */
    if (sp) b->p[b->n++] = ' ';
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = 0;
    return;
  }
  if (sp) buf_putc(b, ' ');
  buf_append(b, p, n);
}

static void emit_cp(cleaner *c, uint32_t cp) {
  unsigned char t = (unsigned char)cp;
  if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0xA0 || cp == 0x2007 ||
      cp == 0x202F || cp == 0x3000 || cp == 0x2028 || cp == 0x2029 || (cp >= 0x2000 && cp <= 0x200A)) {
    c->space = 1;                                  /* controls and special spaces */
    return;
  }
  if (cp == 0xAD || cp == 0x200B || cp == 0xFEFF || cp == 0x2060) return;  /* invisible */
  if (cp < 0x80) { emit(c, &t, 1); return; }
  if (c->space && c->out->n > c->base) buf_putc(c->out, ' ');
  c->space = 0;
  utf8_put(c->out, (int32_t)cp);
}

static int is_ascii_punct(unsigned char ch) {
  return (ch >= 0x21 && ch <= 0x2F) || (ch >= 0x3A && ch <= 0x40) ||
         (ch >= 0x5B && ch <= 0x60) || (ch >= 0x7B && ch <= 0x7E);
}

static int is_alnum_byte(unsigned char ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch >= 0x80;
}

/* Is the character ending just before p[i] (or the start) whitespace? */
static int space_before(const unsigned char *p, size_t i) {
  if (i == 0) return 1;
  if (p[i - 1] == ' ' || p[i - 1] == '\t' || p[i - 1] < 0x20) return 1;
  return i >= 2 && p[i - 2] == 0xC2 && p[i - 1] == 0xA0;
}

/* Is the character starting at p[j] (or the end) whitespace? */
static int space_at(const unsigned char *p, size_t n, size_t j) {
  if (j >= n) return 1;
  if (p[j] == ' ' || p[j] == '\t' || p[j] < 0x20) return 1;
  return j + 1 < n && p[j] == 0xC2 && p[j + 1] == 0xA0;
}

static int entity_cmp(const void *key, const void *elt) {
  return strcmp((const char *)key, ((const entity *)elt)->name);
}

/*
** Decode the entity at p[0] == '&'. Returns the bytes it spans and its code
** point in *cp, or 0 when p does not start a recognised entity.
*/
static size_t decode_entity(const unsigned char *p, size_t n, uint32_t *cp) {
  size_t i = 1;
  if (n > 2 && p[1] == '#') {
    uint32_t v = 0;
    int hex = (p[2] == 'x' || p[2] == 'X');
    size_t digits = 0;
    for (i = hex ? 3 : 2; i < n && digits < 8; i++, digits++) {
      unsigned char ch = p[i];
      unsigned d;
      if (ch >= '0' && ch <= '9') d = (unsigned)(ch - '0');
      else if (hex && ch >= 'a' && ch <= 'f') d = (unsigned)(ch - 'a' + 10);
      else if (hex && ch >= 'A' && ch <= 'F') d = (unsigned)(ch - 'A' + 10);
      else break;
      v = v * (hex ? 16u : 10u) + d;
    }
    if (digits == 0 || i >= n || p[i] != ';') return 0;
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) v = 0xFFFD;
    *cp = v;
    return i + 1;
  } else {
    char name[12];
    const entity *e;
    while (i < n && i <= 10 && is_alnum_byte(p[i]) && p[i] < 0x80) i++;
    if (i == 1 || i >= n || p[i] != ';') return 0;
    memcpy(name, p + 1, i - 1);
    name[i - 1] = 0;
    e = bsearch(name, entities, ARRAY_SIZE(entities), sizeof(entities[0]), entity_cmp);
    if (!e) return 0;
    *cp = e->cp;
    return i + 1;
  }
}

/* Is p[0..n) (starting after '<' or '</') a tag name we strip? */
static int known_tag(const unsigned char *p, size_t n) {
  static const char *const tags[] = {
    "a", "b", "big", "br", "center", "div", "em", "font", "hr", "i", "img", "li", "ol", "p",
    "s", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "u", "ul"};
  char name[8];
  size_t i;
  for (i = 0; i < n && i < sizeof(name) - 1 && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z'));
       i++)
    name[i] = (char)(p[i] | 0x20);
  if (i == 0 || i >= n || (p[i] != '>' && p[i] != ' ' && p[i] != '/')) return 0;
  name[i] = 0;
  for (size_t k = 0; k < ARRAY_SIZE(tags); k++)
    if (!strcmp(name, tags[k])) return 1;
  return 0;
}

/*
** At p[i] == '<': the bytes a tag or autolink spans (0 if neither). For an
** autolink, in_s and in_e delimit its address.
*/
static size_t angle_span(const unsigned char *p, size_t n, size_t i, size_t *in_s, size_t *in_e) {
  size_t j, lim = n - i > 512 ? i + 512 : n;
  *in_s = *in_e = 0;
  if ((n - i > 8 && (!memcmp(p + i + 1, "http://", 7) || !memcmp(p + i + 1, "https://", 8))) ||
      (n - i > 8 && !memcmp(p + i + 1, "mailto:", 7))) {
    for (j = i + 1; j < lim && p[j] != '>' && p[j] != ' ' && p[j] != '<'; j++) {}
    if (j < lim && p[j] == '>') { *in_s = i + 1; *in_e = j; return j + 1 - i; }
    return 0;
  }
  j = i + 1;
  if (j < n && p[j] == '/') j++;
  if (!known_tag(p + j, n - j)) return 0;
  for (; j < lim && p[j] != '>' && p[j] != '<'; j++) {}
  return (j < lim && p[j] == '>') ? j + 1 - i : 0;
}

/*
** At p[i] == '[': if a Markdown link [text](dest) starts here, set ts, te
** to its text and return the index just past ')'; else return 0.
*/
static size_t link_end(const unsigned char *p, size_t n, size_t i, size_t *ts, size_t *te) {
  size_t k, m;
  int depth = 0;
  for (k = i + 1; k < n && p[k] != ']' && p[k] != '['; k++) {
    if (p[k] == '\\' && k + 1 < n && p[k + 1] != '[') k++;   /* \] does not close */
  }
  if (k + 1 >= n || p[k] != ']' || p[k + 1] != '(') return 0;
  for (m = k + 2; m < n && p[m] != ' ' && p[m] != '['; m++) {
    if (p[m] == '(') depth++;
    else if (p[m] == ')' && depth-- == 0) break;
  }
  if (m >= n || p[m] != ')') return 0;
  *ts = i + 1;
  *te = k;
  return m + 1;
}

static void clean_range(cleaner *c, const unsigned char *p, size_t n, size_t lim, int in_link);

/* A run of '*' or '_' at p[i..j): drop it when it is an emphasis delimiter. */
static void emphasis_run(cleaner *c, const unsigned char *p, size_t n, size_t i, size_t j) {
  int sb = space_before(p, i), sa = space_at(p, n, j);
  int literal;
  if (p[i] == '_' && j - i >= 3) literal = 1;               /* a blank to fill in: "______" */
  else if (sb && sa) literal = (j - i == 1);               /* "5 * 3", "a _ b"; a lone "**" is markup */
  else if (p[i] == '*')
    literal = (j - i == 1 && !sb && !sa && is_ascii_punct(p[i - 1]) && is_ascii_punct(p[j])) ||
              (j - i == 1 && !sb && !sa && is_alnum_byte(p[i - 1]) && is_alnum_byte(p[j]));
  else
    literal = !sb && !sa && is_alnum_byte(p[i - 1]) && is_alnum_byte(p[j]);
  if (literal) emit(c, p + i, j - i);
}

/* Printable ASCII the cleaner copies as it is: 0x21..0x7E except \\ & * _ [ ! < */
static const unsigned char plain[256] = {
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
};

#if defined(__SSE2__)
/*
** Of the 16 bytes at p[i] (p[i + 16] readable), the mask of those the
** scalar loop of plain_run would take, or that it would copy as they are:
** plain bytes; two-byte UTF-8 characters led by 0xC3..0xDF (Latin letters:
** á é ñ ..., none of them a space or invisible), the lead and its
** continuation byte both in the block; and spaces followed by either. Each
** byte is classified with signed compares (bytes >= 0x80 are negative: the
** continuation bytes 0x80..0xBF are those below (signed char)0xC0).
*/
static unsigned plain_mask16(const unsigned char *p, size_t i) {
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
  __m128i in = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmplt_epi8(v, _mm_set1_epi8(0x7F)));
  __m128i mark = _mm_or_si128(
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')), _mm_cmpeq_epi8(v, _mm_set1_epi8('&'))),
                   _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('*')), _mm_cmpeq_epi8(v, _mm_set1_epi8('_')))),
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('[')), _mm_cmpeq_epi8(v, _mm_set1_epi8('!'))),
                   _mm_cmpeq_epi8(v, _mm_set1_epi8('<'))));
  __m128i lead = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)0xC2)), _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xE0)));
  __m128i cont = _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xC0));
  unsigned pl = (unsigned)_mm_movemask_epi8(_mm_andnot_si128(mark, in));
  unsigned sp = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
  unsigned cb = (unsigned)_mm_movemask_epi8(cont);
  unsigned lok = (unsigned)_mm_movemask_epi8(lead) & (cb >> 1);   /* a lead with its continuation */
  unsigned cok = cb & (lok << 1);                                  /* a continuation after such a lead */
  unsigned next = (pl >> 1) | ((unsigned)plain[p[i + 16]] << 15) | (lok >> 1);
  return pl | (sp & next) | lok | cok;
}
#endif

static int is_cont(unsigned char b) { return (b & 0xC0) == 0x80; }

/*
** The end of the run of bytes from p[i] that the cleaner copies unchanged:
** printable ASCII that is not markup (\ & * _ [ ! <), single spaces between
** such bytes, and valid two- and
** three-byte UTF-8 sequences of characters that are neither controls,
** special spaces nor invisible (those take the slow path through emit_cp).
** Most text is such runs: with SSE2 they are taken 16 bytes at a time
** (plain_mask16), else at one table load per byte. p[0..lim) is readable
** (lim >= n): where the range ends inside a block that can still be loaded,
** the block's bytes before the range's last one are taken by its mask (what
** follows each of them is inside the range, so the mask says what the
** scalar loop would), and the last byte by the scalar loop.
*/
static size_t plain_run(const unsigned char *p, size_t n, size_t lim, size_t i) {
  size_t start = i;
  if (i < n && p[i] == ' ') return i;   /* a leading space is the slow path's (pending) */
  while (i < n) {
    unsigned char b;
#if defined(__SSE2__)
    if (i + 16 < lim) {
      unsigned m = plain_mask16(p, i);
      if (i + 16 < n) {
        if (m == 0xFFFFu) { i += 16; continue; }
        i += (size_t)__builtin_ctz(~m);
      } else {   /* n - i <= 16: bits 0 .. n - i - 2, not ending in a lead whose continuation is cut off */
        unsigned k = (unsigned)__builtin_ctz(~(m & ((1u << (n - i - 1)) - 1u)));
        if (k > 0 && p[i + k - 1] >= 0xC0) k--;
        i += k;
      }
    }
#else
    (void)lim;
#endif
    b = p[i];
    if (b < 0x80) {
      /* one space between plain bytes is copied as it is: what the slow
         path would make of it (a pending space, then the next byte) */
      if (!plain[b] && !(b == ' ' && i > start && i + 1 < n && plain[p[i + 1]])) break;
      i++;
    } else if (b >= 0xC2 && b <= 0xDF) {   /* U+0080..U+07FF */
      if (i + 1 >= n || !is_cont(p[i + 1])) break;
      if (b == 0xC2 && (p[i + 1] <= 0xA0 || p[i + 1] == 0xAD)) break;   /* C1 controls, NBSP, soft hyphen */
      i += 2;
    } else if (b >= 0xE1 && b <= 0xEF && b != 0xED) {   /* U+1000..U+FFFF, no surrogates */
      if (i + 2 >= n || !is_cont(p[i + 1]) || !is_cont(p[i + 2])) break;
      unsigned b1 = p[i + 1], b2 = p[i + 2];
      if (b == 0xE2 && b1 == 0x80 && (b2 <= 0x8B || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF)) break;
      if (b == 0xE2 && b1 == 0x81 && b2 == 0xA0) break;   /* U+2060 */
      if (b == 0xE3 && b1 == 0x80 && b2 == 0x80) break;   /* U+3000 */
      if (b == 0xEF && b1 == 0xBB && b2 == 0xBF) break;   /* U+FEFF */
      i += 3;
    } else {
      break;
    }
  }
  return i;
}

/*
** The cleaning loop over p[0..n), of which p[0..lim) is readable (lim >= n,
** see plain_run). in_link is set inside a link's text, where a nested '['
** is literal.
*/
static void clean_range(cleaner *c, const unsigned char *p, size_t n, size_t lim, int in_link) {
  size_t i = 0;
  while (i < n) {
    unsigned char ch = p[i];
    uint32_t cp;
    size_t len, a, b;
    size_t j = plain_run(p, n, lim, i);
    if (j > i) {   /* a run of plain bytes in one append */
      emit(c, p + i, j - i);
      i = j;
      continue;
    }
    if (ch >= 0x80) {
      int32_t v = utf8_decode(p + i, n - i, &len);
      if (v < 0) c->bad++;
      emit_cp(c, v < 0 ? 0xFFFD : (uint32_t)v);
      i += len;
      continue;
    }
    switch (ch) {
    case '\\':
      if (i + 1 < n && is_ascii_punct(p[i + 1])) { emit(c, p + i + 1, 1); i += 2; }
      else if (i + 1 == n || p[i + 1] == ' ') { c->space = 1; i++; }   /* hard line break */
      else { emit(c, p + i, 1); i++; }
      break;
    case '&':
      len = decode_entity(p + i, n - i, &cp);
      if (len) { emit_cp(c, cp); i += len; }
      else { emit(c, p + i, 1); i++; }
      break;
    case '*': case '_':
      len = i;
      while (len < n && p[len] == ch) len++;
      emphasis_run(c, p, n, i, len);
      i = len;
      break;
    case '!':
    case '[':
      if (!in_link && (ch == '[' || (i + 1 < n && p[i + 1] == '['))) {
        size_t at = ch == '[' ? i : i + 1;
        size_t end = link_end(p, n, at, &a, &b);
        if (end) { clean_range(c, p + a, b - a, lim - a, 1); i = end; break; }
      }
      emit(c, p + i, 1);
      i++;
      break;
    case '<':
      len = angle_span(p, n, i, &a, &b);
      if (len && b > a) { emit(c, p + a, b - a); i += len; }
      else if (len) { c->space = 1; i += len; }
      else { emit(c, p + i, 1); i++; }
      break;
    default:
      if (ch <= 0x20 || ch == 0x7F) { c->space = 1; i++; }
      else { emit(c, p + i, 1); i++; }   /* not reached: plain_run takes the rest */
      break;
    }
  }
}

size_t dm__clean_inline_avail(ia_buf *out, const char *p, size_t n, size_t avail) {
  cleaner c;
  c.out = out;
  c.base = out->n;
  c.space = 0;
  c.bad = 0;
  clean_range(&c, (const unsigned char *)p, n, avail > n ? avail : n, 0);
  return c.bad;
}

size_t dm_clean_inline(ia_buf *out, const char *p, size_t n) {
  return dm__clean_inline_avail(out, p, n, n);
}
