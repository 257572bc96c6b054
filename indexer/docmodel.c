/*
** docmodel.c: one input file -> document, parts, paragraphs
** (indexer/docmodel.h; DESIGN.md "The data model").
**
** The parse is one pass over the lines of the file, with one paragraph
** "open" at a time, so time is linear in the input and memory is the output
** plus one paragraph's text. The paragraphs' texts and labels go into one
** block per document (dm_doc.text_block), not one allocation each:
**
**  0. Sniff: NUL bytes or a UTF-16 byte order mark in the first 8 KB, or more
**     than 10% (and at least 8) control bytes or invalid UTF-8 sequences
**     there, mean "not text": DM_SKIP
**     with a message naming the file. An empty file (or one with no text)
**     is a document with no paragraphs and a warning, so that the indexer
**     records it and does not retry it on every run. Invalid UTF-8 elsewhere
**     is repaired (U+FFFD) with one warning giving the count and the first
**     offset. A UTF-8 byte order mark is skipped.
**  1. YAML front matter, when the file opens with "---" (docmodel_meta.c).
**     Without it, lines of the UN header (symbols, "Distr. general", the
**     date, "Español", "Original: ruso") are metadata rather than text, up to
**     the first long paragraph (the "header zone").
**  2. Lines. "\n", "\r\n" and a lone "\r" end a line; leading blanks
**     (spaces, tabs, no-break spaces) and "> " quote markers are skipped.
**     A blank line closes the open paragraph. Otherwise a line
**       - that is a rule ("---", "===", "***") closes it; after text "---"
**         and "===" underline it as a heading (setext);
**       - that is a Markdown heading ("# ...") is a paragraph of its own;
**       - that starts an item opens a new paragraph: a bullet ("- ", "* ",
**         "+ ", "• "; no label), a numbered item ("1.", "2)", "1.1",
**         "a)", "iv)", "(a)", "**1.-**", label as printed without a
**         trailing "-"), or an article ("Artículo 5", "ARTÍCULO 5.-",
**         "Art. 5", "Artículo único", "Artículo Primero"; label "Artículo
**         5"). An article label must end the line or be followed by
**         punctuation (".", ":", "-", "–") or closing emphasis, so a wrapped
**         line "Artículo 152 del Código Penal" is not an item. An article
**         alone on its line is a heading;
**       - that begins a block with the word Anexo / ANEXO / Apéndice /
**         APÉNDICE (not ANEXOS; not a long sentence ending in "." or ";")
**         opens the next part: its label is the short form ("Anexo I",
**         "ANEXO Nº 1", "APÉNDICE A"), its full heading the first paragraph.
**         A mention inside a sentence never opens a part, since only the
**         first line of a block is looked at;
**       - a wholly bold first line followed by more lines is a heading;
**       - a line that starts like a sentence (capital, opening quote, ¿ ¡)
**         after a line of more than 100 bytes that ended one (". : ;") opens
**         a new paragraph: text extracted from PDF often puts one paragraph
**         per line with no blank lines, while hard-wrapped text wraps at
**         about 80 columns;
**       - anything else continues the open paragraph (a wrapped line).
**  3. Closing a paragraph joins its lines with single spaces and cleans the
**     result (docmodel_text.c); a paragraph of one line (most of them) is
**     cleaned straight from the source. Bullet and number markers are not
**     part of the text (they are the label); an article keeps its words
**     ("Artículo 5.- Quedan ..."). A paragraph is also a heading when it is
**     wholly bold, an all-capitals line of at most 150 bytes, or (without
**     front matter) the document's first block when that is one short line
**     without final punctuation. A paragraph that cleans to nothing is
**     dropped, so there is never an empty paragraph. Ordinals count from 1 in each part.
**     src_start..src_end run from the first visible byte of the first line
**     to the end of the last line (trailing blanks excluded) in the source.
**  4. Title, when no front matter gave one: the "Carta de fecha ...
**     dirigida ..." (or "Nota verbal de fecha ...") paragraph of the body,
**     else the first heading that is not just organ names ("Asamblea
**     General", "Consejo de Seguridad"); with front matter, only the first
**     "# " heading.
*/
#include <assert.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/utf8.h"
#include "indexer/docmodel.h"

enum { K_NONE, K_BULLET, K_NUMBER, K_ARTICLE, K_ANNEX };

#define SNIFF_BYTES 8192
#define MAX_LABEL 64
#define NO_LABEL SIZE_MAX

typedef struct parser {
  const char *name;     /* file name for messages */
  const char *p;        /* the input */
  size_t n;
  dm_doc *d;            /* the document being built */
  int rc;               /* sticky INDAGA_ENOMEM */
  size_t cap_paras;     /* allocated entries of d->paras */
  ia_buf raw;           /* the open paragraph's lines, joined (when it has several) */
  ia_buf txt;           /* the texts and labels of the paragraphs so far, each
                           NUL-terminated: at the end, d->text_block */
  size_t *toff;         /* per paragraph, the offsets in txt of its text and of
                           its label (NO_LABEL: none); cap_paras pairs */

  int open;             /* a paragraph is open */
  size_t ps, pe;        /* its source range */
  size_t cs, ce;        /* its text: from after the first line's marker to the end */
  int nlines;           /* lines so far */
  int kind;             /* K_* */
  int heading;          /* known to be a heading (ATX, setext, annex, lone article) */
  int atx;              /* a "# " heading */
  int first_bold;       /* its only line so far is wholly bold */
  size_t last_s;        /* start of its last line */
  char label[MAX_LABEL]; /* its label */
  size_t nlabel;
  char dlabel[MAX_LABEL]; /* the label the last detect_item/detect_annex found */
  size_t ndlabel;

  uint32_t part;        /* current part */
  uint32_t ord;         /* last ordinal given in it */
  uint64_t base;        /* file offset of p[0] (a piece: docmodel_stream.c) */
  uint64_t nbefore;     /* paragraphs of the earlier pieces */
  uint32_t piece;       /* which piece this is (0: the first, or the whole file) */
  int zone;             /* still in the UN header zone */
  size_t zone_lines;
  size_t first_atx;     /* 1 + index of the first "# " heading paragraph, or 0 */
} parser;

/**************************************************************************
** Small scanners over p[s..e)
*/

/* Bytes of the blank character at p[i] (space, tab, \f, \v, U+00A0, U+3000), or 0. */
static size_t blank_at(const char *p, size_t i, size_t e) {
  unsigned char c = (unsigned char)p[i];
  if (c == ' ' || c == '\t' || c == '\f' || c == '\v') return 1;
  if (c == 0xC2 && i + 1 < e && (unsigned char)p[i + 1] == 0xA0) return 2;
  if (c == 0xE3 && i + 2 < e && (unsigned char)p[i + 1] == 0x80 && (unsigned char)p[i + 2] == 0x80) return 3;
  return 0;
}

static size_t skip_ws(const char *p, size_t s, size_t e) {
  size_t k;
  while (s < e && (k = blank_at(p, s, e)) != 0) s += k;
  return s;
}

static size_t rtrim(const char *p, size_t s, size_t e) {
  if (e > s && (unsigned char)p[e - 1] > ' ' && (unsigned char)p[e - 1] != 0xA0) return e;   /* most lines */
  for (;;) {
    if (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t' || p[e - 1] == '\f' || p[e - 1] == '\v')) e--;
    else if (e >= s + 2 && (unsigned char)p[e - 2] == 0xC2 && (unsigned char)p[e - 1] == 0xA0) e -= 2;
    else return e;
  }
}

/* Skip blanks and blockquote markers at the start of a line. */
static size_t line_start(const char *p, size_t s, size_t e) {
  unsigned char c = s < e ? (unsigned char)p[s] : 0;
  if (c > ' ' && c != '>' && c != 0xC2 && c != 0xE3) return s;   /* most lines: no blank, no marker */
  for (;;) {
    s = skip_ws(p, s, e);
    if (s < e && p[s] == '>') s++;
    else return s;
  }
}

/*
** Line ends, found with memchr: one call per line for the next '\n', while
** the next '\r' is remembered (no '\r' in [from, cr); p[cr] is one when
** cr < end, the bound of that search), so a file without '\r' is searched
** for one once rather than at every line.
*/
typedef struct eol_scan {
  size_t from, cr, end;
} eol_scan;

#define EOL_SCAN_INIT {1, 0, 0}   /* no knowledge: the first call searches */

/* Index of the first '\n' or '\r' in p[i..e), or e. */
static size_t eol(eol_scan *x, const char *p, size_t i, size_t e) {
  const char *nl;
  size_t le;
  if (i < x->from || i > x->cr || (x->cr == x->end && e > x->end)) {
    const char *r = memchr(p + i, '\r', e - i);
    x->from = i;
    x->end = e;
    x->cr = r ? (size_t)(r - p) : e;
  }
  nl = memchr(p + i, '\n', e - i);
  le = nl ? (size_t)(nl - p) : e;
  return le < x->cr ? le : x->cr;
}

static size_t next_line(const char *p, size_t le, size_t n) {
  if (le >= n) return n;
  if (p[le] == '\r' && le + 1 < n && p[le + 1] == '\n') return le + 2;
  return le + 1;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_alnum(char c) { return is_digit(c) || is_upper(c) || is_lower(c) || (unsigned char)c >= 0x80; }

/* Is c one of the bytes of set (never true for NUL)? */
static int in_set(char c, const char *set) {
  for (; c && *set; set++)   /* sets of a few bytes: a loop the compiler unrolls, not a call to strchr */
    if (*set == c) return 1;
  return 0;
}

static size_t skip_emph(const char *p, size_t s, size_t e) {
  size_t k = 0;
  while (s < e && k < 3 && (p[s] == '*' || p[s] == '_')) { s++; k++; }
  return s;
}

/* A rule line: three or more of one of - = * _ (two for - and =), blanks allowed. */
static int is_rule(const char *p, size_t s, size_t e) {
  char c = p[s];
  size_t count = 0;
  for (; s < e; s++) {
    if (p[s] == c) count++;
    else if (p[s] != ' ' && p[s] != '\t') return 0;
  }
  return count >= ((c == '-' || c == '=') ? 2u : 3u);
}

/* A Markdown table's separator row: only | - : and blanks, with both | and -. */
static int is_table_sep(const char *p, size_t s, size_t e) {
  int bar = 0, dash = 0;
  for (; s < e; s++) {
    if (p[s] == '|') bar = 1;
    else if (p[s] == '-') dash = 1;
    else if (p[s] != ':' && p[s] != ' ' && p[s] != '\t') return 0;
  }
  return bar && dash;
}

/* Does p[s..e) start with the bytes of z? */
static int starts(const char *p, size_t s, size_t e, const char *z) {
  size_t len = strlen(z);
  return e - s >= len && !memcmp(p + s, z, len);
}

/* Length of the dash-like separator at p[s] ("-", "–", "—"), or 0. */
static size_t dash_at(const char *p, size_t s, size_t e) {
  if (s < e && p[s] == '-') return 1;
  if (starts(p, s, e, "\xe2\x80\x93") || starts(p, s, e, "\xe2\x80\x94")) return 3;
  return 0;
}

static void set_label(parser *P, const char *a, size_t n) {
  if (n >= MAX_LABEL) n = MAX_LABEL - 1;
  memcpy(P->dlabel, a, n);
  P->ndlabel = n;
}

static void add_label(parser *P, const char *a, size_t n) {
  if (P->ndlabel + 1 + n >= MAX_LABEL) return;
  P->dlabel[P->ndlabel++] = ' ';
  memcpy(P->dlabel + P->ndlabel, a, n);
  P->ndlabel += n;
}

/**************************************************************************
** Items: bullets, numbers, articles
*/

/*
** A number label at p[q]: "1." "1)" "1.-" "1º." "1.1" "1.1." "a)" "iv)"
** "(a)" "(1)". Returns the index after it (after a trailing "-" too) and
** sets *lab_end to the end of the printed label, or returns 0.
*/
static size_t number_label(const char *p, size_t q, size_t e, size_t *lab_end) {
  size_t i = q, k;
  int levels = 0;
  if (i < e && p[i] == '(') {
    for (k = ++i; i < e && i - k < 5 && (is_digit(p[i]) || (p[i] >= 'a' && p[i] <= 'z')); i++) {}
    if (i == k || i >= e || p[i] != ')') return 0;
    if (i - k > 1 && !is_digit(p[k]))
      for (size_t r = k; r < i; r++)
        if (!in_set(p[r], "ivxl")) return 0;
    *lab_end = i + 1;
    return i + 1;
  }
  if (i < e && is_digit(p[i])) {
    for (k = i; i < e && is_digit(p[i]); i++) {}
    if (i - k > 3) return 0;
    while (i + 1 < e && p[i] == '.' && is_digit(p[i + 1])) {
      for (k = ++i; i < e && is_digit(p[i]); i++) {}
      if (i - k > 3 || ++levels > 4) return 0;
    }
    if (starts(p, i, e, "\xc2\xba") || starts(p, i, e, "\xc2\xb0")) i += 2;
    if (i < e && (p[i] == '.' || p[i] == ')')) {
      *lab_end = ++i;
      return i + dash_at(p, i, e);
    }
    if (levels && i + 1 < e && p[i] == ' ' && !is_digit(p[i + 1])) { *lab_end = i; return i; }
    return 0;
  }
  if (i < e && (is_lower(p[i]) || is_upper(p[i]))) {
    for (k = i; i < e && i - k < 5 && in_set(p[i], "ivxl"); i++) {}
    if (i == k) i = k + 1;                           /* a single letter */
    if (i < e && p[i] == ')') { *lab_end = i + 1; return i + 1; }
  }
  return 0;
}

/* The word of an article heading at p[q], with its length, or 0. */
static size_t article_word(const char *p, size_t q, size_t e) {
  static const char *const words[] = {
    "Art\xc3\xad" "culo", "ART\xc3\x8d" "CULO", "ARTICULO", "Articulo", "Art.", "ART."};
  size_t k;
  for (k = 0; k < ARRAY_SIZE(words); k++)
    if (starts(p, q, e, words[k])) return strlen(words[k]);
  return 0;
}

/* Length of the article number at p[i] ("5", "IV", "único", "Primero"), or 0. */
static size_t article_number(const char *p, size_t i, size_t e) {
  static const char *const ordinals[] = {
    "\xc3\xba" "nico", "\xc3\x9a" "nico", "\xc3\x9a" "NICO", "UNICO", "Unico",
    "Primero", "Segundo", "Tercero", "Cuarto", "Quinto", "Sexto", "S\xc3\xa9ptimo", "Octavo",
    "Noveno", "D\xc3\xa9" "cimo", "PRIMERO", "SEGUNDO", "TERCERO", "CUARTO", "QUINTO", "SEXTO",
    "S\xc3\x89PTIMO", "SEPTIMO", "OCTAVO", "NOVENO", "D\xc3\x89" "CIMO", "DECIMO"};
  size_t j = i, k;
  if (j < e && is_digit(p[j])) {
    while (j < e && is_digit(p[j])) j++;
    if (j - i > 4) return 0;
  } else if (j < e && in_set(p[j], "IVXLC")) {
    while (j < e && j - i < 8 && in_set(p[j], "IVXLC")) j++;
  } else {
    for (k = 0; k < ARRAY_SIZE(ordinals); k++)
      if (starts(p, j, e, ordinals[k])) { j += strlen(ordinals[k]); break; }
    if (j == i) return 0;
  }
  if (j < e && is_alnum(p[j]) && !starts(p, j, e, "\xc2\xba") && !starts(p, j, e, "\xc2\xb0")) return 0;
  if (starts(p, j, e, "\xc2\xba") || starts(p, j, e, "\xc2\xb0")) j += 2;
  if ((starts(p, j, e, " bis") || starts(p, j, e, " BIS") || starts(p, j, e, "-A") || starts(p, j, e, " ter")) &&
      (j + 4 >= e || !is_alnum(p[j + 4])))
    j += p[j] == '-' ? 2 : 4;
  return j - i;
}

/*
** Recognise an item at the start of the line p[s..e). Sets the label,
** *cs (where the text starts) and *alone (an article alone on its line).
*/
static int detect_item(parser *P, size_t s, size_t e, size_t *cs, int *alone) {
  const char *p = P->p;
  size_t q, w, num, t, x, lab_end;
  *alone = 0;
  P->ndlabel = 0;
  if ((p[s] == '-' || p[s] == '*' || p[s] == '+') && (s + 1 == e || p[s + 1] == ' ' || p[s + 1] == '\t')) {
    *cs = skip_ws(p, s + 1, e);
    return K_BULLET;
  }
  if (starts(p, s, e, "\xe2\x80\xa2")) {                                 /* • */
    *cs = skip_ws(p, s + 3, e);
    return K_BULLET;
  }
  q = skip_emph(p, s, e);
  if (q < e && p[q] == 'A' && (w = article_word(p, q, e)) != 0 && q + w < e && p[q + w] == ' ') {   /* every word starts with 'A' */
    t = skip_ws(p, q + w, e);
    if ((num = article_number(p, t, e)) != 0) {
      t += num;
      x = skip_emph(p, t, e);
      if (x == e) *alone = 1;
      else if (p[x] == '.' || p[x] == ':' || dash_at(p, x, e) || (x > t && (p[x] == ' ' || p[x] == '\t'))) {
        size_t r = x;
        while (r < e && (p[r] == '.' || p[r] == ':' || p[r] == '*' || p[r] == '_' || p[r] == ' ' || dash_at(p, r, e)))
          r += dash_at(p, r, e) ? dash_at(p, r, e) : 1;
        *alone = (r == e);
      } else return K_NONE;
      set_label(P, p + q, w);
      add_label(P, p + q + w + (size_t)(skip_ws(p, q + w, e) - (q + w)), num);
      *cs = s;
      return K_ARTICLE;
    }
  }
  t = number_label(p, q, e, &lab_end);
  if (t) {
    x = skip_emph(p, t, e);
    if (x < e && p[x] != ' ' && p[x] != '\t') return K_NONE;
    set_label(P, p + q, lab_end - q);
    *cs = skip_ws(p, x, e);
    return K_NUMBER;
  }
  return K_NONE;
}

/*
** Does the block starting with line p[s..e) open an annex? Sets the label to
** its short form when it does.
*/
static int detect_annex(parser *P, size_t s, size_t e) {
  static const char *const words[] = {
    "Anexo", "ANEXO", "Ap\xc3\xa9ndice", "AP\xc3\x89NDICE", "Apendice", "APENDICE"};
  static const char *const marks[] = {"N\xc2\xba", "N\xc2\xb0", "N.\xc2\xba", "No.", "Nro.", "N\xc3\xbam."};
  const char *p = P->p;
  size_t q = s, w = 0, k, i, id;
  if (e - s > 300) return 0;
  while (q < e && p[q] == '#') q++;
  q = skip_emph(p, skip_ws(p, q, e), e);
  for (k = 0; k < ARRAY_SIZE(words) && !w && q < e && p[q] == 'A'; k++)   /* every word starts with 'A' */
    if (starts(p, q, e, words[k])) w = strlen(words[k]);
  P->ndlabel = 0;
  if (!w || (q + w < e && is_alnum(p[q + w]))) return 0;
  i = rtrim(p, q, e);
  if (i - q > 120 && (p[i - 1] == '.' || p[i - 1] == ';' || p[i - 1] == ',')) return 0;   /* a sentence */
  set_label(P, p + q, w);
  i = skip_ws(p, q + w, e);
  for (k = 0; k < ARRAY_SIZE(marks); k++) {
    size_t len = strlen(marks[k]);
    if (starts(p, i, e, marks[k]) && i + len < e && (p[i + len] == ' ' || is_digit(p[i + len]))) {
      size_t j = skip_ws(p, i + len, e);
      if (j < e && is_alnum(p[j])) { add_label(P, p + i, len); i = j; }
      break;
    }
  }
  id = i;
  if (id < e && is_digit(p[id])) {
    while (id < e && id - i < 3 && is_digit(p[id])) id++;
  } else if (id < e && is_upper(p[id])) {
    size_t r = id;
    while (r < e && r - i < 6 && in_set(p[r], "IVXLC")) r++;
    if (r > id && (r == e || !is_alnum(p[r]))) id = r;                        /* roman */
    else {
      while (id < e && id - i < 3 && is_upper(p[id])) id++;
      while (id < e && id - i < 6 && is_digit(p[id])) id++;
      if (id - i > 1 && !is_digit(p[id - 1])) id = i;                         /* a word: "DE" */
    }
  }
  if (id > i && (id == e || !is_alnum(p[id]))) add_label(P, p + i, id - i);
  return 1;
}

/**************************************************************************
** Paragraphs
*/

static void open_para(parser *P, size_t s, size_t e, size_t cs, int kind) {
  P->open = 1;
  P->ps = s;
  P->pe = P->ce = e;
  P->cs = cs;
  P->last_s = s;
  P->nlines = 1;
  P->kind = kind;
  P->heading = 0;
  P->atx = 0;
  P->first_bold = 0;
  P->nlabel = 0;
  if (kind == K_NUMBER || kind == K_ARTICLE || kind == K_ANNEX) {
    memcpy(P->label, P->dlabel, P->ndlabel);
    P->nlabel = P->ndlabel;
  }
  if (kind == K_NONE && e - s > 4) {
    size_t a = s, b = e;
    if ((starts(P->p, a, b, "**") && P->p[b - 1] == '*' && P->p[b - 2] == '*') ||
        (starts(P->p, a, b, "__") && P->p[b - 1] == '_' && P->p[b - 2] == '_'))
      P->first_bold = 1;
  }
}

/* Is the whole block p[s..e) wrapped in one pair of ** (or __)? */
static int bold_block(const char *p, size_t s, size_t e) {
  size_t i, runs = 0;
  char c;
  if (e - s < 5 || e - s > 400) return 0;
  c = p[s];
  if ((c != '*' && c != '_') || p[s + 1] != c || p[e - 1] != c || p[e - 2] != c) return 0;
  for (i = s; i + 1 < e; i++) {
    if (p[i] == c && p[i + 1] == c) {
      runs++;
      while (i + 1 < e && p[i + 1] == c) i++;
    }
  }
  return runs == 2;
}

/* Letters all capitals (ASCII and Latin-1), at least two of them. */
static int all_caps(const unsigned char *t, size_t n) {
  size_t i, letters = 0;
  for (i = 0; i < n; i++) {
    if (t[i] >= 'a' && t[i] <= 'z') return 0;
    if (t[i] >= 'A' && t[i] <= 'Z') letters++;
    else if (t[i] == 0xC3 && i + 1 < n) {
      if (t[i + 1] >= 0x9F) return 0;
      letters++;
      i++;
    }
  }
  return letters >= 2;
}

/*
** The text of a line of the open paragraph, p[*a..*b): from @s (the first
** line's text start, or a later line's start) to @le, without leading blanks
** and quote markers (later lines), trailing blanks, or a trailing backslash
** (Markdown's hard line break).
*/
static void line_text(const char *p, size_t s, size_t le, int first, size_t *a, size_t *b) {
  *a = first ? s : line_start(p, s, le);
  *b = rtrim(p, *a, le);
  if (*b > *a && p[*b - 1] == '\\') *b = rtrim(p, *a, *b - 1);
}

/* Join the open paragraph's lines into P->raw. */
static void join_lines(parser *P) {
  const char *p = P->p;
  size_t s = P->cs, end = P->ce;
  int first = 1;
  eol_scan x = EOL_SCAN_INIT;
  buf_reset(&P->raw);
  while (s <= end) {
    size_t le = eol(&x, p, s, end), a, b;
    line_text(p, s, le, first, &a, &b);
    if (b > a && !(!first && is_table_sep(p, a, b))) {
      if (P->raw.n) buf_putc(&P->raw, ' ');
      buf_append(&P->raw, p + a, b - a);
    }
    first = 0;
    if (le >= end) break;
    s = next_line(p, le, end);
  }
}

static int is_organ_heading(const char *t) {
  static const char *const organs[] = {"Naciones Unidas", "Asamblea General", "Consejo de Seguridad",
                                       "Consejo Econ\xc3\xb3mico y Social"};
  size_t k;
  while (*t) {
    while (*t == ' ') t++;
    if (!*t) break;
    for (k = 0; k < ARRAY_SIZE(organs); k++)
      if (!strncmp(t, organs[k], strlen(organs[k]))) { t += strlen(organs[k]); break; }
    if (k == ARRAY_SIZE(organs)) return 0;
  }
  return 1;
}

/* Room for one more paragraph in d->paras and P->toff. INDAGA_OK or INDAGA_ENOMEM. */
static int grow_paras(parser *P) {
  dm_doc *d = P->d;
  size_t cap = P->cap_paras ? P->cap_paras * 2 : 64;
  dm_para *a;
  size_t *o;
  if (d->nparas < P->cap_paras) return INDAGA_OK;
  if (!(a = indaga__realloc(d->paras, cap * sizeof(*a)))) return INDAGA_ENOMEM;
  d->paras = a;
  if (!(o = indaga__realloc(P->toff, 2 * cap * sizeof(*o)))) return INDAGA_ENOMEM;
  P->toff = o;
  P->cap_paras = cap;
  return INDAGA_OK;
}

/*
** Close the open paragraph: clean its text onto the end of P->txt and
** append the paragraph unless the text is empty. A paragraph of one line
** is cleaned straight from the source, one of several from their join.
*/
static void close_para(parser *P) {
  dm_doc *d = P->d;
  dm_para *q;
  const unsigned char *t;
  size_t n, t0 = P->txt.n, a, b;
  if (!P->open) return;
  P->open = 0;
  if (P->rc) return;
  if (!P->heading && P->kind == K_NONE && bold_block(P->p, P->ps, P->pe)) P->heading = 1;
  if (P->zone && P->pe - P->ps > 200) P->zone = 0;
  if (P->nlines == 1) {
    line_text(P->p, P->cs, P->ce, 1, &a, &b);
    dm__clean_inline_avail(&P->txt, P->p + a, b > a ? b - a : 0, P->n - a);
  } else {
    join_lines(P);
    dm_clean_inline(&P->txt, P->raw.p ? (const char *)P->raw.p : "", P->raw.n);
  }
  if (P->raw.err || P->txt.err) { P->rc = INDAGA_ENOMEM; return; }
  n = P->txt.n - t0;
  if (n == 0) return;
  t = P->txt.p + t0;
  if (!P->heading && n <= 150 && all_caps(t, n)) P->heading = 1;
  if (!P->heading && !d->has_front_matter && P->nbefore + d->nparas == 0 && P->part == 0 && P->kind == K_NONE &&
      P->nlines == 1 && n <= 200 && !in_set((char)t[n - 1], ".,;:"))
    P->heading = 1;
  if (grow_paras(P) != INDAGA_OK) { P->rc = INDAGA_ENOMEM; return; }
  buf_putc(&P->txt, 0);
  P->toff[2 * d->nparas] = t0;
  P->toff[2 * d->nparas + 1] = P->nlabel ? P->txt.n : NO_LABEL;
  if (P->nlabel) {
    buf_append(&P->txt, P->label, P->nlabel);
    buf_putc(&P->txt, 0);
  }
  if (P->txt.err) { P->rc = INDAGA_ENOMEM; return; }
  q = &d->paras[d->nparas];
  memset(q, 0, sizeof(*q));          /* text and label are set by finish_texts */
  q->ntext = n;
  q->part = P->part;
  q->ordinal = ++P->ord;
  q->heading = P->heading;
  q->src_start = P->base + P->ps;
  q->src_end = P->base + P->pe;
  if (P->atx && !P->first_atx) P->first_atx = d->nparas + 1;
  d->nparas++;
}

/*
** After the last paragraph: P->txt becomes d->text_block (cut to its size)
** and each paragraph's text and label point into it. Cannot fail: when the
** block cannot be shrunk it is kept as it is.
*/
static void finish_texts(parser *P) {
  dm_doc *d = P->d;
  char *blk;
  size_t i;
  if (!d->nparas) return;
  blk = indaga__realloc(P->txt.p, P->txt.n);
  if (!blk) blk = (char *)P->txt.p;
  memset(&P->txt, 0, sizeof P->txt);
  d->text_block = blk;
  for (i = 0; i < d->nparas; i++) {
    d->paras[i].text = blk + P->toff[2 * i];
    d->paras[i].label = P->toff[2 * i + 1] == NO_LABEL ? NULL : blk + P->toff[2 * i + 1];
  }
}

static void new_part(parser *P) {
  dm_doc *d = P->d;
  char **a;
  char *label;
  if (P->rc) return;
  a = indaga__realloc(d->part_labels, (d->nparts + 1) * sizeof(*a));
  if (!a) { P->rc = INDAGA_ENOMEM; return; }
  d->part_labels = a;
  label = indaga__strndup(P->dlabel, P->ndlabel);
  if (!label) { P->rc = INDAGA_ENOMEM; return; }
  d->part_labels[d->nparts] = label;
  P->part = (uint32_t)d->nparts++;
  P->ord = 0;
  P->zone = 0;
}

/* A "# heading" line p[s..e): one paragraph, maybe an annex's. */
static void atx_heading(parser *P, size_t s, size_t e) {
  const char *p = P->p;
  size_t cs = s, ce, x;
  int kind = K_NONE, alone = 0;
  while (cs < e && p[cs] == '#') cs++;
  cs = skip_ws(p, cs, e);
  ce = e;
  while (ce > cs && p[ce - 1] == '#') ce--;                   /* closing hashes */
  ce = rtrim(p, cs, ce);
  if (detect_annex(P, s, e)) { new_part(P); kind = K_ANNEX; }
  else if (cs < ce && detect_item(P, cs, ce, &x, &alone) == K_ARTICLE) kind = K_ARTICLE;
  open_para(P, s, e, cs, kind);
  P->ce = ce;
  P->heading = 1;
  P->atx = 1;
  close_para(P);
}

/* Does the line p[s..e) end a sentence (". : ;", maybe inside closing quotes)? */
static int ends_sentence(const char *p, size_t s, size_t e) {
  if (e > s && (p[e - 1] == '"' || p[e - 1] == ')')) e--;
  else if (e >= s + 3 && starts(p, e - 3, e, "\xe2\x80\x9d")) e -= 3;   /* ” */
  return e > s && in_set(p[e - 1], ".:;");
}

/* Does the line p[s..e) start like a sentence (a capital, an opening quote, ¿ ¡)? */
static int starts_sentence(const char *p, size_t s, size_t e) {
  unsigned char c = (unsigned char)p[s], c1 = s + 1 < e ? (unsigned char)p[s + 1] : 0;
  if (is_upper(p[s]) || c == '"') return 1;
  if (c == 0xC3 && c1 >= 0x80 && c1 <= 0x9E) return 1;                   /* Á É Í Ó Ú Ñ ... */
  if (c == 0xC2 && (c1 == 0xBF || c1 == 0xA1)) return 1;                 /* ¿ ¡ */
  return starts(p, s, e, "\xe2\x80\x9c");                                /* “ */
}

/* One line p[ls..le) of the body. */
static void do_line(parser *P, size_t ls, size_t le) {
  const char *p = P->p;
  size_t s = line_start(p, ls, le), e = rtrim(p, s, le), cs;
  int kind, alone;
  if (s == e) { close_para(P); return; }
  if (P->zone && ++P->zone_lines > 80) P->zone = 0;
  if (in_set(p[s], "-=*_") && is_rule(p, s, e)) {
    if (P->open && (p[s] == '-' || p[s] == '=') && (P->kind == K_NONE || P->kind == K_ARTICLE)) P->heading = 1;
    close_para(P);
    return;
  }
  if ((p[s] == '|' || p[s] == '-' || p[s] == ':') && is_table_sep(p, s, e)) return;
  if (P->zone && dm__header_line(P->d, p + s, e - s, &P->rc)) { close_para(P); return; }
  if (p[s] == '#') {
    size_t h = s;
    while (h < e && p[h] == '#') h++;
    if (h - s <= 6 && (h == e || p[h] == ' ' || p[h] == '\t')) {
      close_para(P);
      atx_heading(P, s, e);
      return;
    }
  }
  kind = detect_item(P, s, e, &cs, &alone);
  if (kind != K_NONE) {
    close_para(P);
    open_para(P, s, e, cs, kind);
    if (alone) { P->heading = 1; close_para(P); }
    return;
  }
  if (!P->open) {
    if (detect_annex(P, s, e)) {
      new_part(P);
      open_para(P, s, e, s, K_ANNEX);
      P->heading = 1;
    } else open_para(P, s, e, s, K_NONE);
    return;
  }
  if (P->nlines == 1 && P->first_bold) {                      /* "**Heading**" then text */
    P->heading = 1;
    close_para(P);
    P->nlabel = 0;
    open_para(P, s, e, s, K_NONE);
    return;
  }
  if (P->pe - P->last_s > 100 && ends_sentence(p, P->last_s, P->pe) && starts_sentence(p, s, e)) {
    close_para(P);                                            /* one paragraph per line */
    open_para(P, s, e, s, K_NONE);
    return;
  }
  P->pe = P->ce = e;
  P->last_s = s;
  P->nlines++;
}

/**************************************************************************
** The document
*/

void dm_doc_free(dm_doc *d) {
  size_t i;
  if (!d) return;
  for (i = 0; i < d->nmeta; i++) { indaga__free(d->meta[i].key); indaga__free(d->meta[i].value); }
  for (i = 0; i < d->nparts; i++) indaga__free(d->part_labels[i]);
  if (d->text_block) indaga__free(d->text_block);
  else
    for (i = 0; i < d->nparas; i++) { indaga__free(d->paras[i].label); indaga__free(d->paras[i].text); }
  for (i = 0; i < d->nwarnings; i++) indaga__free(d->warnings[i]);
  indaga__free(d->meta);
  indaga__free(d->part_labels);
  indaga__free(d->paras);
  indaga__free(d->warnings);
  indaga__free(d);
}

const char *dm_meta_get(const dm_doc *d, const char *key) {
  size_t i;
  for (i = 0; d && i < d->nmeta; i++)
    if (!strcmp(d->meta[i].key, key)) return d->meta[i].value;
  return NULL;
}

/*
** From p[i], the first index in p[i..lim) that is neither ASCII nor part
** of a two-byte UTF-8 character (U+0080..U+07FF) wholly inside a 16-byte
** block, or lim; *odd is increased by the control bytes skipped that are
** not whitespace (0x00..0x1F but \t \n \v \f \r, and 0x7F). Without SSE2
** it returns i: the caller's loop does the work byte by byte.
*/
static size_t sniff_run(const unsigned char *p, size_t i, size_t lim, size_t *odd) {
#if defined(__SSE2__)
  while (i + 16 <= lim) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
    unsigned ok = dm__utf8_2byte_mask16(v);
    __m128i ctl = _mm_andnot_si128(_mm_cmplt_epi8(v, _mm_setzero_si128()), _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
    __m128i ws = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x08)), _mm_cmplt_epi8(v, _mm_set1_epi8(0x0E)));
    unsigned bad = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(ws, ctl), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F))));
    if (ok != 0xFFFFu) {
      unsigned k = (unsigned)__builtin_ctz(~ok);
      *odd += (size_t)__builtin_popcount(bad & ((1u << k) - 1u));
      return i + k;
    }
    *odd += (size_t)__builtin_popcount(bad);
    i += 16;
  }
#else
  (void)p;
  (void)lim;
  (void)odd;
#endif
  return i;
}

/*
** Is p[0..n) text? Returns NULL if so, else a static reason.
*/
static const char *sniff(const unsigned char *p, size_t n) {
  size_t lim = n < SNIFF_BYTES ? n : SNIFF_BYTES, i = 0, odd = 0;
  if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
    return "UTF-16 text (convert it to UTF-8)";
  if (memchr(p, 0, lim)) return "binary file (NUL bytes in the first 8 KB)";
  while ((i = sniff_run(p, i, lim, &odd)) < lim) {
    size_t len;
    if (p[i] < 0x80) {
      if ((p[i] < 0x20 || p[i] == 0x7F) && p[i] != '\t' && p[i] != '\n' && p[i] != '\r' && p[i] != '\f' &&
          p[i] != '\v')
        odd++;
      i++;
      continue;
    }
    if (utf8_decode(p + i, n - i, &len) < 0) { odd++; len = 1; }   /* each byte of it */
    i += len;
  }
  if (odd >= 8 && odd * 10 > lim) return "binary file (mostly control bytes or invalid UTF-8 in the first 8 KB)";
  return NULL;
}

/* Count invalid UTF-8 sequences in p[0..n); *first gets the first one's offset. */
static size_t count_invalid(const unsigned char *p, size_t n, size_t *first) {
  size_t i = 0, bad = 0;
  while ((i = dm__utf8_2byte_end(p, i, n)) < n) {
    size_t len;
    if (utf8_decode(p + i, n - i, &len) < 0 && !bad++) *first = i;   /* one per U+FFFD (common/utf8.h) */
    i += len;
  }
  return bad;
}

/* Title from the text when no front matter gave one (step 4 above). */
static int find_title(parser *P) {
  dm_doc *d = P->d;
  size_t i;
  static const char *const starts_[] = {
    "Carta de fecha", "Carta id\xc3\xa9ntica de fecha", "Cartas id\xc3\xa9nticas de fecha",
    "Nota verbal de fecha", "Nota de fecha"};
  if (dm_meta_get(d, "title")) return INDAGA_OK;
  if (d->has_front_matter) {
    if (!P->first_atx) return INDAGA_OK;
    i = P->first_atx - 1;
    return dm__meta_set(d, "title", d->paras[i].text, d->paras[i].ntext);
  }
  for (i = 0; i < d->nparas && i < 40 && d->paras[i].part == 0; i++) {
    size_t k;
    for (k = 0; k < ARRAY_SIZE(starts_); k++) {
      if (!strncmp(d->paras[i].text, starts_[k], strlen(starts_[k])) && strstr(d->paras[i].text, " dirigid"))
        return dm__meta_set(d, "title", d->paras[i].text, d->paras[i].ntext);
    }
  }
  for (i = 0; i < d->nparas && i < 40 && d->paras[i].part == 0; i++) {
    if (d->paras[i].heading && !is_organ_heading(d->paras[i].text))
      return dm__meta_set(d, "title", d->paras[i].text, d->paras[i].ntext);
  }
  return INDAGA_OK;
}

/* Steps 1-4 over a text file, or over a piece of one (@last: the final piece). */
static int parse_text(parser *P, int last) {
  dm_doc *d = P->d;
  const char *p = P->p;
  size_t n = P->n, start = 0, body = 0, i, first = 0, bad;
  int rc;
  if (P->piece == 0) {
    if (n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) start = 3;
    if ((rc = dm__front_matter(d, P->name, p, n, start, &body)) != INDAGA_OK) return rc;
    P->zone = !d->has_front_matter;
  }
  /* the texts are mostly the body less its markup: one block of that size, cut to fit at the end */
  if (buf_reserve(&P->txt, n - body + 64) != INDAGA_OK) return INDAGA_ENOMEM;
  eol_scan x = EOL_SCAN_INIT;
  for (i = body; i < n && !P->rc;) {
    size_t le = eol(&x, p, i, n);
    do_line(P, i, le);
    i = next_line(p, le, n);
  }
  close_para(P);
  if (P->rc) return P->rc;
  finish_texts(P);
  if (P->piece == 0 && ((rc = find_title(P)) != INDAGA_OK || (rc = dm__meta_finish(d)) != INDAGA_OK))
    return rc;
  bad = count_invalid((const unsigned char *)p, n, &first);
  if (bad && (rc = dm__warn(d, "%s: %zu invalid UTF-8 sequence%s replaced by U+FFFD (first at byte %llu)",
                            P->name, bad, bad == 1 ? "" : "s",
                            (unsigned long long)(P->base + first))) != INDAGA_OK)
    return rc;
  rc = INDAGA_OK;
  if (last && P->nbefore + d->nparas == 0) {
    if (n == 0 && P->piece == 0) rc = dm__warn(d, "%s: empty file; indexed with no paragraphs", P->name);
    else if (d->has_front_matter) rc = dm__warn(d, "%s: no text after the front matter; indexed with no paragraphs", P->name);
    else rc = dm__warn(d, "%s: no text; indexed with no paragraphs", P->name);
  }
  return rc;
}

void dm_cont_free(dm_cont *c) {
  if (!c) return;
  for (size_t i = 0; i < c->nmeta; i++) { indaga__free(c->meta[i].key); indaga__free(c->meta[i].value); }
  for (size_t i = 0; i < c->nparts; i++) indaga__free(c->part_labels[i]);
  indaga__free(c->meta);
  indaga__free(c->part_labels);
  memset(c, 0, sizeof *c);
}

/* Copy the labels a[from..n) (NULL entries stay NULL) into b[from..n). INDAGA_OK or ENOMEM. */
static int copy_labels(char **b, char *const *a, size_t from, size_t n) {
  for (size_t i = from; i < n; i++)
    if (a[i] && !(b[i] = indaga__strdup(a[i]))) return INDAGA_ENOMEM;
  return INDAGA_OK;
}

/* Copy metadata a[0..n) into a fresh array *out. INDAGA_OK or ENOMEM (nothing allocated). */
static int copy_meta(dm_meta **out, size_t *nout, const dm_meta *a, size_t n) {
  *out = NULL;
  *nout = 0;
  if (!n) return INDAGA_OK;
  dm_meta *m = indaga__calloc(n, sizeof *m);
  if (!m) return INDAGA_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    m[i].key = indaga__strdup(a[i].key);
    m[i].value = indaga__strdup(a[i].value);
    if (!m[i].key || !m[i].value) {
      for (size_t j = 0; j <= i; j++) { indaga__free(m[j].key); indaga__free(m[j].value); }
      indaga__free(m);
      return INDAGA_ENOMEM;
    }
  }
  *out = m;
  *nout = n;
  return INDAGA_OK;
}

/*
** A new document carrying @c's metadata, its part count and the label of
** its current part (empty before piece 0). The labels of earlier parts stay
** NULL: no paragraph of this piece is in them, and copying them into every
** piece would cost quadratic space in a file of many annexes.
*/
static dm_doc *doc_from_cont(const dm_cont *c) {
  dm_doc *d = indaga__calloc(1, sizeof(*d));
  size_t np = c->nparts ? c->nparts : 1;
  if (!d) return NULL;
  d->part_labels = indaga__calloc(np, sizeof(char *));
  if (!d->part_labels) { indaga__free(d); return NULL; }
  d->nparts = np;
  d->has_front_matter = c->has_front_matter;
  if ((c->nparts && copy_labels(d->part_labels, c->part_labels, c->part ? c->part : 1, c->nparts) != INDAGA_OK) ||
      copy_meta(&d->meta, &d->nmeta, c->meta, c->nmeta) != INDAGA_OK) {
    dm_doc_free(d);
    return NULL;
  }
  return d;
}

/* After piece @d: carry its state into @c for the next piece. INDAGA_OK or ENOMEM. */
static int save_cont(dm_cont *c, const parser *P, const dm_doc *d, size_t n) {
  if (c->piece == 0 && copy_meta(&c->meta, &c->nmeta, d->meta, d->nmeta) != INDAGA_OK) return INDAGA_ENOMEM;
  if (d->nparts > c->nparts) {
    char **v = indaga__realloc(c->part_labels, d->nparts * sizeof *v);
    if (!v) return INDAGA_ENOMEM;
    c->part_labels = v;
    size_t from = c->nparts ? c->nparts : 1;
    for (size_t i = c->nparts; i < d->nparts; i++) v[i] = NULL;
    c->nparts = d->nparts;
    if (copy_labels(v, d->part_labels, from, d->nparts) != INDAGA_OK) return INDAGA_ENOMEM;
  }
  c->offset += n;
  c->piece++;
  c->part = P->part;
  c->ord = P->ord;
  c->nparas += d->nparas;
  c->has_front_matter = d->has_front_matter;
  return INDAGA_OK;
}

int dm_parse_piece(dm_doc **out, const char *name, const char *p, size_t n, int last, dm_cont *c,
                   char **why) {
  parser P;
  dm_doc *d;
  const char *reason;
  int rc;
  *out = NULL;
  if (why) *why = NULL;
  if (!name) name = "(input)";
  if (!p) n = 0;
  reason = n && c->piece == 0 ? sniff((const unsigned char *)p, n) : NULL;
  if (reason) {
    if (why && !(*why = indaga__sprintf("%s: not indexed: %s", name, reason))) return INDAGA_ENOMEM;
    return DM_SKIP;
  }
  d = doc_from_cont(c);
  if (!d) return INDAGA_ENOMEM;
  memset(&P, 0, sizeof(P));
  P.name = name;
  P.p = p ? p : "";
  P.n = n;
  P.d = d;
  P.base = c->offset;
  P.nbefore = c->nparas;
  P.piece = c->piece;
  P.part = c->part;
  P.ord = c->ord;
  rc = parse_text(&P, last);
  buf_free(&P.raw);
  buf_free(&P.txt);
  indaga__free(P.toff);
  if (rc == INDAGA_OK && !last) rc = save_cont(c, &P, d, n);
  if (rc) { dm_doc_free(d); return rc; }
  *out = d;
  return INDAGA_OK;
}

int dm_parse(dm_doc **out, const char *name, const char *p, size_t n, char **why) {
  dm_cont c;
  memset(&c, 0, sizeof c);
  return dm_parse_piece(out, name, p, n, 1, &c, why);   /* the last piece keeps nothing in c */
}
