/*
** docmodel_meta.c: a document's metadata (indexer/docmodel.h).
**
** Two sources, never mixed in one document:
**
** 1. YAML front matter: a first line "---", then "key: value" lines, then a
**    line "---" (or "..."). We read the subset documents use, line by line,
**    and never fail on the rest:
**      key: plain value          # a comment after " #" is dropped
**      key: "double \"quoted\""  (escapes \" \\ \n \t \uXXXX) or 'single ''quoted'''
**      key: value that wraps     continuation lines (indented) are joined with a space
**        onto the next line
**      key: [a, b]               flow list      -> "a, b"
**      key:                      block list     -> "a, b"
**        - a
**        - b
**      key: |  or  key: >        block scalar   -> lines joined with "\n" / " "
**      key:                      one nested level -> "key.sub"
**        sub: value
**    Keys are lowercased; "titulo"/"título", "fecha", "lang", "símbolo" are
**    read as title, date, language, symbol. A list under "symbols" is joined
**    with spaces (the convention of the UN header below). A later duplicate
**    key replaces the earlier value. An unterminated front matter is not
**    front matter: the file is read as text, with a warning.
**
** 2. The UN header, for files without front matter: docmodel.c passes each
**    line of the first blocks to dm__header_line, which recognises whole
**    lines only: document symbols ("A/72/565–S/2017/968", or one per line;
**    the first is "symbol", all of them "symbols", space separated),
**    "Distr. general" (-> distribution), the first date line ("22 de
**    noviembre de 2017" -> date 2017-11-22), "Español" (-> language es) and
**    "Original: ruso" (-> original). Recognised lines are not paragraphs,
**    except the session ("Septuagésimo segundo período de sesiones" ->
**    session 72) and agenda item ("Temas 33 y 38 del programa" -> agenda
**    "33, 38") lines, recorded but kept as text.
**
** Finally dm__meta_finish normalises: date to ISO yyyy-mm-dd (also taken from
** publication_date when there is no date), year from the date when absent,
** symbols from symbol when absent; a front-matter title is cleaned like text
** (HTML entities decoded, Markdown emphasis removed).
*/
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "indexer/docmodel.h"

/**************************************************************************
** Fields and warnings
*/

int dm__meta_set(dm_doc *d, const char *key, const char *p, size_t n) {
  ia_buf b = {0};
  size_t i;
  char *v;
  dm_utf8_repair(&b, p, n);
  buf_putc(&b, 0);               /* make sure the buffer exists and is terminated */
  if (b.err) { buf_free(&b); return INDAGA_ENOMEM; }
  v = (char *)b.p;
  for (i = 0; i < d->nmeta; i++) {
    if (!strcmp(d->meta[i].key, key)) {
      indaga__free(d->meta[i].value);
      d->meta[i].value = v;
      return INDAGA_OK;
    }
  }
  if (d->nmeta == 0 || (d->nmeta >= 8 && (d->nmeta & (d->nmeta - 1)) == 0)) {   /* 8, 16, 32, ... */
    size_t cap = d->nmeta ? d->nmeta * 2 : 8;
    dm_meta *m = indaga__realloc(d->meta, cap * sizeof(*m));
    if (!m) { indaga__free(v); return INDAGA_ENOMEM; }
    d->meta = m;
  }
  d->meta[d->nmeta].key = indaga__strdup(key);
  if (!d->meta[d->nmeta].key) { indaga__free(v); return INDAGA_ENOMEM; }
  d->meta[d->nmeta].value = v;
  d->nmeta++;
  return INDAGA_OK;
}

int dm__warn(dm_doc *d, const char *fmt, ...) {
  va_list ap;
  char *msg;
  char **w;
  va_start(ap, fmt);
  msg = indaga__vsprintf(fmt, ap);
  va_end(ap);
  if (!msg) return INDAGA_ENOMEM;
  w = indaga__realloc(d->warnings, (d->nwarnings + 1) * sizeof(*w));
  if (!w) { indaga__free(msg); return INDAGA_ENOMEM; }
  d->warnings = w;
  d->warnings[d->nwarnings++] = msg;
  return INDAGA_OK;
}

/**************************************************************************
** Dates
*/

static const char *const months[12] = {
  "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
  "septiembre", "octubre", "noviembre", "diciembre"};

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_sp(char c) { return c == ' ' || c == '\t'; }

/* Parse 1..maxd digits at p[*i]; -1 when there are none. */
static int digits(const char *p, size_t n, size_t *i, int maxd) {
  int v = 0, k = 0;
  while (*i < n && k < maxd && is_digit(p[*i])) { v = v * 10 + (p[*i] - '0'); (*i)++; k++; }
  return k ? v : -1;
}

/* Skip spaces, then the word @w (ASCII, case-insensitive) followed by a space. */
static int word(const char *p, size_t n, size_t *i, const char *w) {
  size_t k, len = strlen(w);
  while (*i < n && is_sp(p[*i])) (*i)++;
  if (n - *i < len) return 0;
  for (k = 0; k < len; k++)
    if ((p[*i + k] | 0x20) != w[k]) return 0;
  if (*i + len < n && !is_sp(p[*i + len])) return 0;
  *i += len;
  return 1;
}

static int month_number(const char *p, size_t n, size_t *i) {
  size_t s, k;
  while (*i < n && is_sp(p[*i])) (*i)++;
  s = *i;
  while (*i < n && ((p[*i] | 0x20) >= 'a' && (p[*i] | 0x20) <= 'z')) (*i)++;
  for (k = 0; k < 12; k++) {
    size_t len = strlen(months[k]);
    size_t j;
    int eq = (*i - s == len);
    for (j = 0; eq && j < len; j++) eq = ((p[s + j] | 0x20) == months[k][j]);
    if (eq) return (int)k + 1;
  }
  if (*i - s == 9 && !strncmp("setiembre", p + s, 9)) return 9;
  if (*i - s == 9 && !strncmp("Setiembre", p + s, 9)) return 9;
  return 0;
}

int dm_parse_date(const char *p, size_t n, char iso[11]) {
  size_t i = 0;
  int y, m, dd;
  while (n && (is_sp(p[n - 1]) || p[n - 1] == '.')) n--;
  while (i < n && is_sp(p[i])) i++;
  if (n - i >= 10 && is_digit(p[i]) && p[i + 4] == '-' && p[i + 7] == '-') {   /* ISO */
    size_t j = i;
    y = digits(p, n, &j, 4);
    j++;
    m = digits(p, n, &j, 2);
    j++;
    dd = digits(p, n, &j, 2);
    if (j != i + 10 || (j < n && p[j] != 'T' && p[j] != ' ')) return 0;
  } else {                                                           /* Spanish */
    dd = digits(p, n, &i, 2);
    if (dd < 0) return 0;
    if (i + 1 < n && (unsigned char)p[i] == 0xC2 && ((unsigned char)p[i + 1] == 0xBA || (unsigned char)p[i + 1] == 0xB0))
      i += 2;                                                        /* 1º, 1° */
    if (!word(p, n, &i, "de")) return 0;
    m = month_number(p, n, &i);
    if (!m) return 0;
    if (!word(p, n, &i, "de") && !word(p, n, &i, "del")) return 0;
    while (i < n && is_sp(p[i])) i++;
    y = digits(p, n, &i, 4);
    if (i != n) return 0;
  }
  if (y < 1000 || m < 1 || m > 12 || dd < 1 || dd > 31) return 0;
  iso[0] = (char)('0' + y / 1000); iso[1] = (char)('0' + y / 100 % 10);
  iso[2] = (char)('0' + y / 10 % 10); iso[3] = (char)('0' + y % 10);
  iso[4] = '-'; iso[5] = (char)('0' + m / 10); iso[6] = (char)('0' + m % 10);
  iso[7] = '-'; iso[8] = (char)('0' + dd / 10); iso[9] = (char)('0' + dd % 10);
  iso[10] = 0;
  return 1;
}

/**************************************************************************
** Front matter
*/

typedef struct fm_line {
  size_t s, e;        /* the line without its end (and without a trailing \r) */
  size_t next;        /* start of the next line */
  size_t indent;      /* leading spaces */
} fm_line;

static void line_at(const char *p, size_t n, size_t at, fm_line *l) {
  const char *nl = memchr(p + at, '\n', n - at);
  l->s = at;
  l->e = nl ? (size_t)(nl - p) : n;
  l->next = nl ? l->e + 1 : n;
  if (l->e > l->s && p[l->e - 1] == '\r') l->e--;
  l->indent = 0;
  while (l->s + l->indent < l->e && (p[l->s + l->indent] == ' ' || p[l->s + l->indent] == '\t')) l->indent++;
}

static int is_fence(const char *p, const fm_line *l, char c) {
  size_t e = l->e;
  while (e > l->s && is_sp(p[e - 1])) e--;
  return e - l->s == 3 && p[l->s] == c && p[l->s + 1] == c && p[l->s + 2] == c;
}

static int blank(const char *p, const fm_line *l) {
  return l->s + l->indent == l->e || p[l->s + l->indent] == '#';
}

/* Trim spaces at both ends of [*s, *e). */
static void trim(const char *p, size_t *s, size_t *e) {
  while (*s < *e && is_sp(p[*s])) (*s)++;
  while (*e > *s && is_sp(p[*e - 1])) (*e)--;
}

/*
** Append the scalar p[s..e) to @out: unquoted if quoted, else with a
** " # comment" dropped.
*/
static void scalar(ia_buf *out, const char *p, size_t s, size_t e) {
  trim(p, &s, &e);
  if (s < e && p[s] == '"') {
    size_t i;
    for (i = s + 1; i < e && p[i] != '"'; i++) {
      if (p[i] == '\\' && i + 1 < e) {
        char c = p[++i];
        if (c == 'n') buf_putc(out, '\n');
        else if (c == 't') buf_putc(out, '\t');
        else if (c == 'u' && i + 4 < e) {
          unsigned v = 0, k;
          for (k = 1; k <= 4; k++) {
            char h = p[i + k];
            v = v * 16 + (unsigned)(is_digit(h) ? h - '0' : ((h | 0x20) >= 'a' && (h | 0x20) <= 'f') ? (h | 0x20) - 'a' + 10 : 0);
          }
          i += 4;
          if (v >= 0xD800 && v <= 0xDFFF) v = 0xFFFD;
          if (v < 0x80) buf_putc(out, (int)v);
          else if (v < 0x800) { buf_putc(out, (int)(0xC0 | (v >> 6))); buf_putc(out, (int)(0x80 | (v & 0x3F))); }
          else {
            buf_putc(out, (int)(0xE0 | (v >> 12))); buf_putc(out, (int)(0x80 | ((v >> 6) & 0x3F)));
            buf_putc(out, (int)(0x80 | (v & 0x3F)));
          }
        } else buf_putc(out, c);
      } else buf_putc(out, p[i]);
    }
  } else if (s < e && p[s] == '\'') {
    size_t i;
    for (i = s + 1; i < e; i++) {
      if (p[i] == '\'') {
        if (i + 1 < e && p[i + 1] == '\'') { buf_putc(out, '\''); i++; }
        else break;
      } else buf_putc(out, p[i]);
    }
  } else {
    size_t i;
    for (i = s; i + 1 < e; i++)
      if (is_sp(p[i]) && p[i + 1] == '#') { e = i; break; }
    trim(p, &s, &e);
    buf_append(out, p + s, e - s);
  }
}

/* Append the items of the flow list p[s..e) ("[a, 'b', c]") joined by @sep. */
static void flow_list(ia_buf *out, const char *p, size_t s, size_t e, const char *sep) {
  size_t i, item;
  int q = 0;
  s++;                                            /* past '[' */
  while (e > s && (is_sp(p[e - 1]) || p[e - 1] == ']')) e--;
  for (item = s, i = s; i <= e; i++) {
    if (i < e && (p[i] == '"' || p[i] == '\'')) q = !q;
    if (i == e || (p[i] == ',' && !q)) {
      size_t a = item, b = i;
      trim(p, &a, &b);
      if (a < b) {
        if (out->n) buf_puts(out, sep);
        scalar(out, p, a, b);
      }
      item = i + 1;
    }
  }
}

static void canonical_key(const char *p, size_t n, char *key, size_t cap) {
  size_t i, k = 0;
  for (i = 0; i < n && k + 1 < cap; i++) {
    char c = p[i];
    key[k++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
  }
  key[k] = 0;
  if (!strcmp(key, "titulo") || !strcmp(key, "t\xc3\xadtulo")) strcpy(key, "title");
  else if (!strcmp(key, "fecha")) strcpy(key, "date");
  else if (!strcmp(key, "lang") || !strcmp(key, "idioma")) strcpy(key, "language");
  else if (!strcmp(key, "simbolo") || !strcmp(key, "s\xc3\xadmbolo")) strcpy(key, "symbol");
}

/*
** Read the value of @key whose first line's rest is p[vs..ve); the lines
** after it start at *at (advanced past what the value consumed, up to @end).
*/
static int fm_value(dm_doc *d, const char *key, const char *p, size_t vs, size_t ve, size_t *at, size_t end) {
  ia_buf v = {0};
  fm_line l;
  int rc;
  const char *sep = strcmp(key, "symbols") ? ", " : " ";
  trim(p, &vs, &ve);
  if (vs < ve && (p[vs] == '|' || p[vs] == '>')) {                    /* block scalar */
    int folded = p[vs] == '>';
    size_t ind = 0;
    for (; *at < end; *at = l.next) {
      line_at(p, end, *at, &l);
      if (l.s + l.indent < l.e && l.indent == 0) break;
      if (l.s + l.indent == l.e) { if (v.n) buf_putc(&v, '\n'); continue; }
      if (!ind) ind = l.indent;
      if (v.n && v.p[v.n - 1] != '\n') buf_putc(&v, folded ? ' ' : '\n');
      buf_append(&v, p + l.s + (l.indent < ind ? l.indent : ind), l.e - l.s - (l.indent < ind ? l.indent : ind));
    }
    while (v.n && v.p[v.n - 1] == '\n') v.n--;
  } else if (vs < ve && p[vs] == '[') {                               /* flow list */
    ia_buf raw = {0};
    buf_append(&raw, p + vs, ve - vs);
    for (; *at < end && raw.p && !memchr(raw.p, ']', raw.n); *at = l.next) {  /* wrapped list */
      line_at(p, end, *at, &l);
      if (l.indent == 0) break;
      buf_putc(&raw, ' ');
      buf_append(&raw, p + l.s + l.indent, l.e - l.s - l.indent);
    }
    if (!raw.err) flow_list(&v, (const char *)raw.p, 0, raw.n, sep);
    if (raw.err) v.err = raw.err;
    buf_free(&raw);
  } else if (vs == ve) {                                              /* list or nested map */
    for (; *at < end; *at = l.next) {
      size_t s, e, c;
      line_at(p, end, *at, &l);
      if (blank(p, &l)) continue;
      s = l.s + l.indent;
      e = l.e;
      if (p[s] == '-' && (s + 1 == e || is_sp(p[s + 1]))) {
        if (v.n) buf_puts(&v, sep);
        scalar(&v, p, s + 1, e);
        continue;
      }
      if (l.indent == 0) break;
      for (c = s; c < e && p[c] != ':'; c++) {}
      if (c < e && (c + 1 == e || is_sp(p[c + 1]))) {
        ia_buf sub = {0};
        char k2[96], full[192];
        canonical_key(p + s, c - s, k2, sizeof(k2));
        snprintf(full, sizeof(full), "%s.%s", key, k2);
        scalar(&sub, p, c + 1, e);
        rc = sub.err ? INDAGA_ENOMEM : dm__meta_set(d, full, sub.p ? (const char *)sub.p : "", sub.n);
        buf_free(&sub);
        if (rc) { buf_free(&v); return rc; }
      }
    }
    if (!v.n && !v.err) { buf_free(&v); return INDAGA_OK; }
  } else {                                                            /* scalar, maybe wrapped */
    ia_buf raw = {0};
    buf_append(&raw, p + vs, ve - vs);
    for (; *at < end; *at = l.next) {
      line_at(p, end, *at, &l);
      if (l.indent == 0 || l.s + l.indent == l.e) break;
      buf_putc(&raw, ' ');
      buf_append(&raw, p + l.s + l.indent, l.e - l.s - l.indent);
    }
    if (!raw.err) scalar(&v, (const char *)raw.p, 0, raw.n);
    if (raw.err) v.err = raw.err;
    buf_free(&raw);
  }
  rc = v.err ? INDAGA_ENOMEM : dm__meta_set(d, key, v.p ? (const char *)v.p : "", v.n);
  buf_free(&v);
  return rc;
}

int dm__front_matter(dm_doc *d, const char *name, const char *p, size_t n, size_t start, size_t *body) {
  fm_line l;
  size_t at, end = 0, first;
  *body = start;
  if (start >= n) return INDAGA_OK;
  line_at(p, n, start, &l);
  if (!is_fence(p, &l, '-')) return INDAGA_OK;
  first = l.next;
  for (at = first; at < n; at = l.next) {
    line_at(p, n, at, &l);
    if (is_fence(p, &l, '-') || is_fence(p, &l, '.')) { end = at; break; }
  }
  if (at >= n)
    return dm__warn(d, "%s: front matter opened by \"---\" on line 1 is never closed; read as text", name);
  *body = l.next;
  d->has_front_matter = 1;
  for (at = first; at < end;) {
    size_t s, c;
    char key[96];
    int rc;
    line_at(p, end, at, &l);
    at = l.next;
    if (blank(p, &l) || l.indent) continue;                 /* stray indented lines are skipped */
    s = l.s;
    for (c = s; c < l.e && p[c] != ':'; c++) {}
    if (c == l.e || c == s || (c + 1 < l.e && !is_sp(p[c + 1]))) continue;   /* not "key: value" */
    canonical_key(p + s, c - s, key, sizeof(key));
    rc = fm_value(d, key, p, c + 1, l.e, &at, end);
    if (rc) return rc;
  }
  return INDAGA_OK;
}

/**************************************************************************
** The UN header
*/

static int upper(char c) { return c >= 'A' && c <= 'Z'; }
static int alnum(char c) { return upper(c) || is_digit(c) || (c >= 'a' && c <= 'z'); }

/*
** Length of the UN document symbol at p[0..n) ("A/72/565", "S/RES/2354
** (2017)", "A/69/102/Add.2", "E/CN.6/2015/1"), or 0.
*/
static size_t symbol_len(const char *p, size_t n) {
  size_t i = 0, slashes = 0;
  if (!n || !upper(p[0])) return 0;
  while (i < n && i < 12 && (upper(p[i]) || is_digit(p[i]) || p[i] == '.')) i++;
  while (i < n && p[i] == '/') {
    size_t s = ++i;
    while (i < n && (alnum(p[i]) || p[i] == '.')) i++;
    if (i == s) return 0;
    slashes++;
  }
  if (!slashes) return 0;
  if (i + 7 <= n && p[i] == ' ' && p[i + 1] == '(' && is_digit(p[i + 2]) && is_digit(p[i + 3]) &&
      is_digit(p[i + 4]) && is_digit(p[i + 5]) && p[i + 6] == ')')
    i += 7;                                                         /* S/RES/2354 (2017) */
  return i;
}

/* Record a line made only of symbols and separators. Returns 1 if it was one. */
static int symbol_line(dm_doc *d, const char *p, size_t n, int *rc) {
  size_t i = 0, k, count = 0;
  while (i < n) {                                  /* first pass: is it all symbols? */
    k = symbol_len(p + i, n - i);
    if (!k) return 0;
    i += k;
    count++;
    while (i < n && (is_sp(p[i]) || p[i] == ',' || p[i] == '-')) i++;
    if (i + 3 <= n && (unsigned char)p[i] == 0xE2 && (unsigned char)p[i + 1] == 0x80 &&
        ((unsigned char)p[i + 2] == 0x93 || (unsigned char)p[i + 2] == 0x94)) i += 3;   /* – — */
    while (i < n && is_sp(p[i])) i++;
  }
  for (i = 0; i < n && count && !*rc;) {           /* second pass: record them */
    const char *old = dm_meta_get(d, "symbols");
    char *joined;
    k = symbol_len(p + i, n - i);
    if (!dm_meta_get(d, "symbol")) *rc = dm__meta_set(d, "symbol", p + i, k);
    joined = old ? indaga__sprintf("%s %.*s", old, (int)k, p + i) : indaga__strndup(p + i, k);
    if (!joined) { *rc = INDAGA_ENOMEM; break; }
    if (!*rc) *rc = dm__meta_set(d, "symbols", joined, strlen(joined));
    indaga__free(joined);
    i += k;
    while (i < n && symbol_len(p + i, n - i) == 0) i++;
  }
  return 1;
}

/*
** Spanish ordinal words ("septuagésimo segundo", "décimo", "tercer") of
** p[0..n), lowercase with é folded, as a number; 0 when they are not one.
*/
static unsigned ordinal_words(const char *p, size_t n) {
  static const struct { const char *w; unsigned v; } words[] = {
    { "primer", 1 }, { "primero", 1 }, { "segundo", 2 }, { "tercer", 3 }, { "tercero", 3 }, { "cuarto", 4 },
    { "quinto", 5 }, { "sexto", 6 }, { "septimo", 7 }, { "setimo", 7 }, { "octavo", 8 }, { "noveno", 9 },
    { "decimo", 10 }, { "undecimo", 11 }, { "duodecimo", 12 }, { "vigesimo", 20 }, { "trigesimo", 30 },
    { "cuadragesimo", 40 }, { "quincuagesimo", 50 }, { "sexagesimo", 60 }, { "septuagesimo", 70 },
    { "octogesimo", 80 }, { "nonagesimo", 90 }, { "centesimo", 100 },
  };
  char w[20];
  size_t i = 0;
  unsigned total = 0;
  while (i < n) {
    size_t k = 0;
    while (i < n && is_sp(p[i])) i++;
    if (i == n) break;
    while (i < n && !is_sp(p[i])) {
      unsigned char c = (unsigned char)p[i];
      if (c == 0xC3 && i + 1 < n && ((unsigned char)p[i + 1] == 0xA9 || (unsigned char)p[i + 1] == 0x89)) {
        c = 'e';
        i++;
      }
      if (k + 1 >= sizeof w) return 0;
      w[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
      i++;
    }
    w[k] = 0;
    size_t j = 0;
    while (j < ARRAY_SIZE(words) && strcmp(words[j].w, w)) j++;
    if (j == ARRAY_SIZE(words)) return 0;
    total += words[j].v;
  }
  return total;
}

/*
** The UN header's session ("Septuagésimo segundo período de sesiones", "59º
** período de sesiones" -> session 72, 59) and agenda item ("Tema 109 del
** programa", "Temas 33 y 38 del programa provisional" -> agenda "109",
** "33, 38"): recorded once each; the line stays text (it is often inside
** a paragraph of the header's other lines).
*/
static void session_agenda(dm_doc *d, const char *p, size_t n, int *rc) {
  static const char ses[] = " per\xc3\xadodo de sesiones";
  static const char prog[] = " del programa";
  size_t ns = sizeof ses - 1, np = sizeof prog - 1;
  if (n > ns && n < 80 && !memcmp(p + n - ns, ses, ns) && !dm_meta_get(d, "session")) {
    size_t e = n - ns;
    unsigned v = 0;
    if (is_digit(p[0])) {
      size_t i = 0;
      while (i < e && is_digit(p[i]) && v < 100000) v = v * 10 + (unsigned)(p[i++] - '0');
      if (i + 2 <= e && (unsigned char)p[i] == 0xC2 && ((unsigned char)p[i + 1] == 0xBA || (unsigned char)p[i + 1] == 0xB0)) i += 2;
      if (i != e) v = 0;
    } else {
      v = ordinal_words(p, e);
    }
    if (v) {
      char num[16];
      int k = snprintf(num, sizeof num, "%u", v);
      *rc = dm__meta_set(d, "session", num, (size_t)k);
    }
    return;
  }
  size_t t = n >= 6 && !memcmp(p, "Temas ", 6) ? 6 : n >= 5 && !memcmp(p, "Tema ", 5) ? 5 : 0;
  if (t && n < 80 && is_digit(p[t]) && !dm_meta_get(d, "agenda")) {
    size_t e = t;
    while (e + np <= n && memcmp(p + e, prog, np)) e++;
    if (e + np > n) return;
    size_t rest = e + np;                          /* nothing but " provisional" may follow */
    if (rest < n && !(n - rest == 12 && !memcmp(p + rest, " provisional", 12))) return;
    ia_buf v = { 0 };
    for (size_t i = t; i < e; i++) {
      if (i + 3 <= e && !memcmp(p + i, " y ", 3)) { buf_puts(&v, ", "); i += 2; }
      else buf_putc(&v, p[i]);
    }
    *rc = v.err ? INDAGA_ENOMEM : dm__meta_set(d, "agenda", (const char *)v.p, v.n);
    buf_free(&v);
  }
}

int dm__header_line(dm_doc *d, const char *p, size_t n, int *rc) {
  char iso[11];
  size_t i;
  while (n && (is_sp(*p) || *p == '*' || *p == '_' || *p == '#')) { p++; n--; }
  while (n && (is_sp(p[n - 1]) || p[n - 1] == '*' || p[n - 1] == '_')) n--;
  if (!n) return 0;
  session_agenda(d, p, n, rc);
  if (*rc) return 0;
  if (n > 6 && !memcmp(p, "Distr.", 6)) {
    i = 6;
    if (p[i] == ':') i++;
    while (i < n && is_sp(p[i])) i++;
    if (i < n && n - i < 20) {
      char w[20];
      size_t k;
      for (k = 0; i + k < n; k++) w[k] = (char)(upper(p[i + k]) ? p[i + k] + 32 : p[i + k]);
      *rc = dm__meta_set(d, "distribution", w, k);
      return 1;
    }
    return 0;
  }
  if (n > 9 && !memcmp(p, "Original:", 9)) {
    for (i = 9; i < n && is_sp(p[i]); i++) {}
    if (i < n && n - i < 60) { *rc = dm__meta_set(d, "original", p + i, n - i); return 1; }
    return 0;
  }
  if ((n == 8 && (!memcmp(p, "Espa\xc3\xb1ol", 8) || !memcmp(p, "ESPA\xc3\x91OL", 8)))) {
    if (!dm_meta_get(d, "language")) *rc = dm__meta_set(d, "language", "es", 2);
    return 1;
  }
  if (n < 40 && is_digit(p[0]) && dm_parse_date(p, n, iso)) {
    if (dm_meta_get(d, "date")) return 0;       /* a second date line is text */
    *rc = dm__meta_set(d, "date", iso, 10);
    return 1;
  }
  if (n < 120 && upper(p[0])) return symbol_line(d, p, n, rc);
  return 0;
}

int dm__meta_finish(dm_doc *d) {
  char iso[11];
  const char *v = dm_meta_get(d, "date");
  int rc = INDAGA_OK;
  if (v && dm_parse_date(v, strlen(v), iso)) rc = dm__meta_set(d, "date", iso, 10);
  else if (!v && (v = dm_meta_get(d, "publication_date")) && dm_parse_date(v, strlen(v), iso))
    rc = dm__meta_set(d, "date", iso, 10);
  v = dm_meta_get(d, "date");
  if (!rc && v && !dm_meta_get(d, "year") && dm_parse_date(v, strlen(v), iso)) rc = dm__meta_set(d, "year", iso, 4);
  v = dm_meta_get(d, "title");
  if (!rc && v && d->has_front_matter) {         /* titles carry entities and emphasis too */
    ia_buf t = {0};
    dm_clean_inline(&t, v, strlen(v));
    rc = t.err ? INDAGA_ENOMEM : dm__meta_set(d, "title", t.p ? (const char *)t.p : "", t.n);
    buf_free(&t);
  }
  v = dm_meta_get(d, "symbol");
  if (!rc && v && !dm_meta_get(d, "symbols")) rc = dm__meta_set(d, "symbols", v, strlen(v));
  return rc;
}
