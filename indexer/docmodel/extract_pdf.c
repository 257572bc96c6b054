/*
** extract_pdf.c: PDF through poppler-glib, read as a person reads a UN
** document. For each page, poppler gives the text in reading order with a
** box per character (poppler_page_get_text_layout) and font sizes
** (poppler_page_get_text_attributes); from them:
**
**  1. Lines, each with its box and the font size of its first character.
**  2. The running header and footer are not text: a line whose middle is
**     in the top or bottom 7.5% of the page, made only of page numbers ("2/5", "3"),
**     job numbers ("17-20803", "(S)", "GE.17-12345", "*1720803*") and
**     document symbols ("A/72/565", "S/2017/968"), or whose text (digits
**     aside) recurs in that band on most of the other pages.
**  3. Footnotes: the lines at the foot of a page in a font smaller than the
**     page's body (85% or less), after the last body line; each starts at a
**     line opening with its number. They become paragraphs of their own,
**     written after the paragraph that is open at the page's end.
**  4. Paragraphs: a vertical gap over 1.3 times the page's usual line step
**     ends one. Across a page break the paragraph goes on when the last
**     line ends in a hyphen, the next starts in lower case, or the next
**     line's first word would not have fitted at the end of the last
**     (which ends without . : or ;): a line breaker fills lines.
**  5. Lines of a paragraph: a word hyphenated at a line end ("Seguri-" +
**     "dad") is joined (poppler's text output joins most such words itself;
**     what it leaves, a letter, "-" and a line starting in lower case, is
**     joined here); a wrapped line (its first word would not have
**     fitted on the line before) is joined with a space; a line broken by
**     choice (the UN header block) stays a line. A paragraph opening with
**     a bullet (•, –, ▪) gets "-".
**
** Encrypted PDFs, corrupt or truncated ones, and PDFs without a text
** layer ("no text layer; OCR is not supported") are refused with a message
** naming the file.
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <pthread.h>
#include <poppler.h>
#include "indexer/docmodel/extract.h"

/*
** poppler-glib is loaded with dlopen the first time a PDF is met, not
** linked: with its dependencies (cairo, NSS, fontconfig, ...) it adds about
** 10 MiB to the resident size of every process, which a writer held to a
** small memory budget cannot afford for text files. INDAGA_POPPLER_SONAME
** is the library CMake found ("libpoppler-glib.so.8"). glib and gobject
** are linked (they are small).
*/
static struct {
  int ok;
  __typeof__(&poppler_document_new_from_bytes) new_from_bytes;
  __typeof__(&poppler_document_get_n_pages) get_n_pages;
  __typeof__(&poppler_document_get_page) get_page;
  __typeof__(&poppler_page_get_text) get_text;
  __typeof__(&poppler_page_get_text_layout) get_text_layout;
  __typeof__(&poppler_page_get_text_attributes) get_text_attributes;
  __typeof__(&poppler_page_free_text_attributes) free_text_attributes;
  __typeof__(&poppler_page_get_size) get_size;
  __typeof__(&poppler_error_quark) error_quark;
} pp;
static pthread_once_t pp_once = PTHREAD_ONCE_INIT;

static int sym(void *h, const char *name, void *fp, size_t n) {
  void *p = dlsym(h, name);
  memcpy(fp, &p, n);                   /* POSIX: a function's address from dlsym */
  return p != NULL;
}

static void pp_load(void) {
  void *h = dlopen(INDAGA_POPPLER_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!h) return;
  pp.ok = sym(h, "poppler_document_new_from_bytes", &pp.new_from_bytes, sizeof pp.new_from_bytes) &&
          sym(h, "poppler_document_get_n_pages", &pp.get_n_pages, sizeof pp.get_n_pages) &&
          sym(h, "poppler_document_get_page", &pp.get_page, sizeof pp.get_page) &&
          sym(h, "poppler_page_get_text", &pp.get_text, sizeof pp.get_text) &&
          sym(h, "poppler_page_get_text_layout", &pp.get_text_layout, sizeof pp.get_text_layout) &&
          sym(h, "poppler_page_get_text_attributes", &pp.get_text_attributes, sizeof pp.get_text_attributes) &&
          sym(h, "poppler_page_free_text_attributes", &pp.free_text_attributes, sizeof pp.free_text_attributes) &&
          sym(h, "poppler_page_get_size", &pp.get_size, sizeof pp.get_size) &&
          sym(h, "poppler_error_quark", &pp.error_quark, sizeof pp.error_quark);
}

#define BAND 0.075         /* header / footer band: this fraction of the page height */
#define GAP 1.3            /* a step this many times the usual one ends a paragraph */
#define SMALL 0.85         /* footnote font: at most this fraction of the body's */

typedef struct line {
  double x0, y0, x1, y1, size;
  double h;                /* the page's height */
  char *t;                 /* NUL-terminated, trimmed */
  int page;
  int kind;                /* 0 body, 1 header/footer, 2 footnote */
} line;

typedef struct pdf {
  ex_out *o;
  line *l; size_t n, cap;
  size_t bytes;
} pdf;

int ex_sniff_pdf(const char *name, const char *p, size_t n, const ex_limits *lim) {
  (void)name;
  (void)lim;
  size_t k = n < 1024 ? n : 1024;          /* the header may follow some junk */
  for (size_t i = 0; i + 5 <= k; i++)
    if (p[i] == '%' && !memcmp(p + i, "%PDF-", 5)) return 1;
  return 0;
}

static int add_line(pdf *d, int page, double h, const char *t, size_t n, double x0, double y0, double x1,
                    double y1, double size) {
  while (n && isspace((unsigned char)t[n - 1])) n--;
  while (n && isspace((unsigned char)*t)) { t++; n--; }
  if (!n) return 0;
  d->bytes += n + 2;
  if (d->bytes > d->o->lim->max_text) {
    ex_fail(d->o, "its text exceeds %zu bytes (the limit for the memory budget)", d->o->lim->max_text);
    return -1;
  }
  if (d->n == d->cap) {
    size_t nc = d->cap ? d->cap * 2 : 256;
    line *nl = indaga__realloc(d->l, nc * sizeof *nl);
    if (!nl) { d->o->rc = INDAGA_ENOMEM; return -1; }
    d->l = nl;
    d->cap = nc;
  }
  char *z = indaga__malloc(n + 1);
  if (!z) { d->o->rc = INDAGA_ENOMEM; return -1; }
  memcpy(z, t, n);
  z[n] = 0;
  d->l[d->n++] = (line){x0, y0, x1, y1, size, h, z, page, 0};
  return 0;
}

/* Font size of character @idx from poppler's attribute runs. */
static double size_at(GList *attrs, int idx) {
  for (GList *a = attrs; a; a = a->next) {
    PopplerTextAttributes *t = a->data;
    if (idx >= t->start_index && idx <= t->end_index) return t->font_size;
  }
  return 0;
}

/* Step 1: the lines of one page. */
static int page_lines(pdf *d, PopplerPage *pg, int page) {
  char *text = pp.get_text(pg);
  PopplerRectangle *r = NULL;
  guint nr = 0;
  if (!text) return 0;
  if (!pp.get_text_layout(pg, &r, &nr)) nr = 0;
  GList *attrs = pp.get_text_attributes(pg);
  double w = 0, h = 0;
  pp.get_size(pg, &w, &h);
  int rc = 0, ci = 0;
  const char *s = text, *q = text;
  double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9, sz = -1;
  for (;; q = g_utf8_next_char(q), ci++) {
    if (*q == '\n' || *q == 0) {
      if (q > s && (rc = add_line(d, page, h, s, (size_t)(q - s), x0, y0, x1, y1, sz < 0 ? 0 : sz)) != 0) break;
      if (*q == 0) break;
      s = q + 1;
      x0 = y0 = 1e9; x1 = y1 = -1e9; sz = -1;
      continue;
    }
    if ((guint)ci < nr && !isspace((unsigned char)*q)) {
      PopplerRectangle *b = &r[ci];
      if (b->x1 < x0) x0 = b->x1;
      if (b->y1 < y0) y0 = b->y1;
      if (b->x2 > x1) x1 = b->x2;
      if (b->y2 > y1) y1 = b->y2;
      if (sz < 0) sz = size_at(attrs, ci);
    }
  }
  pp.free_text_attributes(attrs);
  g_free(r);
  g_free(text);
  return rc;
}

/* A token of a running header or footer: page number, job number, symbol, barcode text. */
static int furniture_token(const char *t, size_t n) {
  size_t i = 0, d1 = 0, d2 = 0;
  if (n == 0) return 1;
  if (n == 1 && strchr("-*|", t[0])) return 1;
  if (n == 3 && !memcmp(t, "\xe2\x80\x93", 3)) return 1;                     /* – */
  if (t[0] == '(' && n == 3 && isupper((unsigned char)t[1]) && t[2] == ')') return 1;   /* (S) */
  if (t[0] == '*' && t[n - 1] == '*' && n > 2) {                               /* *1720803* */
    for (i = 1; i + 1 < n && isdigit((unsigned char)t[i]); i++) {}
    return i + 1 == n;
  }
  if (n > 3 && !memcmp(t, "GE.", 3)) { t += 3; n -= 3; }
  for (i = 0; i < n && isdigit((unsigned char)t[i]); i++) d1++;
  if (d1 == n) return d1 <= 4;                                                 /* page number */
  if (d1 && (t[i] == '/' || t[i] == '-')) {                                   /* 2/5, 17-20803 */
    for (i++; i < n && isdigit((unsigned char)t[i]); i++) d2++;
    if (i == n && d2) return 1;
  }
  /* a UN symbol: capitals, then /-separated parts (A/72/565, S/RES/2354, E/CN.15/2015/12) */
  if (!isupper((unsigned char)t[0]) || !memchr(t, '/', n)) return 0;
  for (i = 0; i < n; i++)
    if (!(isalnum((unsigned char)t[i]) || strchr("/.()-", t[i]))) return 0;
  return 1;
}

static int furniture(const char *t) {
  while (*t) {
    while (*t == ' ' || *t == '\t') t++;
    const char *e = t;
    while (*e && *e != ' ' && *e != '\t') e++;
    if (e > t && !furniture_token(t, (size_t)(e - t))) return 0;
    t = e;
  }
  return 1;
}

/* Two header/footer lines alike but for their digits. */
static int same_but_digits(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
      while (isdigit((unsigned char)a[1])) a++;
      while (isdigit((unsigned char)b[1])) b++;
    } else if (*a != *b) {
      return 0;
    }
  }
  return *a == *b;
}

/* Where line @a sits: 1 in the top band, 2 in the bottom band, 0 in the body. */
static int band(const line *a) {
  double mid = (a->y0 + a->y1) / 2;
  return mid < a->h * BAND ? 1 : mid > a->h * (1 - BAND) ? 2 : 0;
}

/*
** Step 2: mark header and footer lines (kind 1). Only lines in the bands
** are compared with each other (a few per page), not every line.
*/
static void mark_furniture(pdf *d, int npages) {
  size_t nb = 0, *b = d->n ? indaga__malloc(d->n * sizeof *b) : NULL;
  if (d->n && !b) { d->o->rc = INDAGA_ENOMEM; return; }
  for (size_t i = 0; i < d->n; i++)
    if (band(&d->l[i])) b[nb++] = i;
  for (size_t i = 0; i < nb; i++) {
    line *a = &d->l[b[i]];
    if (furniture(a->t)) { a->kind = 1; continue; }
    int pages = 0, last = a->page, where = band(a);
    for (size_t j = 0; j < nb; j++) {
      const line *o = &d->l[b[j]];
      if (o->page != a->page && o->page != last && band(o) == where && same_but_digits(a->t, o->t)) {
        pages++;
        last = o->page;
      }
    }
    if (pages >= 1 && pages * 2 >= npages - 1) a->kind = 1;   /* on most other pages */
  }
  indaga__free(b);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The page's body font size (the median) and usual line step (see below). */
static void page_stats(const pdf *d, size_t s, size_t e, double *size, double *step) {
  double v[512], u[512];
  size_t nv = 0, nu = 0;
  const line *prev = NULL;
  for (size_t i = s; i < e; i++) {
    const line *a = &d->l[i];
    if (a->kind == 1) continue;
    if (nv < 512 && a->size > 0) v[nv++] = a->size;
    if (prev && a->y0 > prev->y0 && nu < 512) u[nu++] = a->y0 - prev->y0;
    prev = a;
  }
  qsort(v, nv, sizeof v[0], cmp_double);
  qsort(u, nu, sizeof u[0], cmp_double);
  *size = nv ? v[nv / 2] : 0;
  *step = nu ? u[nu / 5] : 0;          /* a low quantile: most steps may be paragraph gaps */
  if (*size > 0 && *step > *size * 1.5) *step = *size * 1.2;   /* a page of one-line paragraphs */
}

/* Step 3: footnote lines (kind 2) at the foot of pages [s, e). */
static void mark_footnotes(pdf *d, size_t s, size_t e, double size) {
  if (size <= 0) return;
  size_t k = e;
  while (k > s && (d->l[k - 1].kind == 1 || (d->l[k - 1].size > 0 && d->l[k - 1].size <= size * SMALL))) k--;
  for (size_t i = k; i < e; i++)
    if (d->l[i].kind == 0) d->l[i].kind = 2;
}

static int label_like(const char *t) {
  size_t i = 0;
  if ((t[0] == '-' || t[0] == '*' || t[0] == '+' || t[0] == '#' || t[0] == '>') && (t[1] == ' ' || !t[1])) return 1;
  if (t[0] == '(') return strchr(t, ')') && strchr(t, ')') - t < 8;
  while (isdigit((unsigned char)t[i]) && i < 4) i++;
  if (i == 0 && isalpha((unsigned char)t[0])) i = 1;
  return i > 0 && (t[i] == '.' || t[i] == ')') && (t[i + 1] == ' ' || !t[i + 1]);
}

/* A paragraph's first line: bullets become "- ". */
static void open_para(ex_out *o, const char *t) {
  static const char *const bullets[] = {"\xe2\x80\xa2", "\xe2\x80\x93", "\xe2\x96\xaa", "\xef\x82\xb7", "\xc2\xb7"};
  for (size_t b = 0; b < sizeof bullets / sizeof bullets[0]; b++) {
    size_t k = strlen(bullets[b]);
    if (!strncmp(t, bullets[b], k) && (t[k] == ' ' || t[k] == '\t')) {
      ex_item(o, "-");
      ex_text(o, t + k, strlen(t + k));
      return;
    }
  }
  ex_text(o, t, strlen(t));
}

static int room_for_word(const line *prev, const line *next, double right);

static int lower_start(const char *t) {
  return g_utf8_validate(t, -1, NULL) && g_unichar_islower(g_utf8_get_char(t));
}

/*
** Append line @a to the open paragraph whose last line is @prev (@right:
** the right margin, 0 when unknown). A wrapped line (its first word would
** not have fitted on @prev) is joined with a space, so the document model
** never takes a wrapped "Artículo 110" or "3." for the start of an item; a
** line @prev ended by choice (a line break, as in the UN header block)
** stays a line ('\n').
*/
static void join_line(ex_out *o, const line *prev, const line *a, double right) {
  size_t n = strlen(prev->t);
  const char *t = a->t;
  int letter = n >= 2 && (isalpha((unsigned char)prev->t[n - 2]) || (unsigned char)prev->t[n - 2] >= 0x80);
  if (letter && prev->t[n - 1] == '-' && lower_start(t)) {
    o->out.n--;                         /* drop the hyphen just written */
    if (o->out.p) o->out.p[o->out.n] = 0;
    o->in_para = 2;                     /* no space before the rest of the word */
  } else if (right > 0 && room_for_word(prev, a, right)) {
    ex_line(o);
  } else {
    o->space = 1;
  }
  ex_text(o, t, strlen(t));
}

/* Characters (not bytes) of UTF-8 text t[0..n). */
static size_t chars(const char *t, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++) c += ((unsigned char)t[i] & 0xC0) != 0x80;
  return c;
}

/*
** Nonzero when the first word of @next would have fitted at the end of
** @prev (right margin @right): then @prev ended its paragraph, as a line
** breaker fills each line before it starts the next. Widths come from the
** lines' average character width.
*/
static int room_for_word(const line *prev, const line *next, double right) {
  size_t n = strlen(next->t), w = strcspn(next->t, " \t");
  size_t c = chars(next->t, n);
  if (!c || next->x1 <= next->x0) return 0;
  double cw = (next->x1 - next->x0) / (double)c;
  return prev->x1 + cw * (double)(chars(next->t, w) + 1) <= right;
}

/* Footnote lines notes[0..n): each footnote opens at a line starting with its number. */
static void write_notes(pdf *d, const size_t *notes, size_t n) {
  const line *np = NULL;
  for (size_t k = 0; k < n && !ex_failed(d->o); k++) {
    const line *a = &d->l[notes[k]];
    if (np && !isdigit((unsigned char)a->t[0])) join_line(d->o, np, a, 0);
    else { ex_para(d->o); open_para(d->o, a->t); }
    np = a;
  }
  ex_para(d->o);
}

/* Steps 4 and 5: write body lines as paragraphs, footnotes after. */
static void write_text(pdf *d) {
  ex_out *o = d->o;
  const line *prev = NULL;
  size_t nnotes = 0, *notes = d->n ? indaga__malloc(d->n * sizeof *notes) : NULL;
  if (d->n && !notes) { o->rc = INDAGA_ENOMEM; return; }
  for (size_t s = 0; s < d->n && !ex_failed(o);) {
    size_t e = s;
    while (e < d->n && d->l[e].page == d->l[s].page) e++;
    double size, step, right = 0;
    page_stats(d, s, e, &size, &step);
    mark_footnotes(d, s, e, size);
    for (size_t i = s; i < e; i++)
      if (d->l[i].kind == 0 && d->l[i].x1 > right) right = d->l[i].x1;
    for (size_t i = s; i < e && !ex_failed(o); i++) {
      const line *a = &d->l[i];
      if (a->kind == 2) { notes[nnotes++] = i; continue; }
      if (a->kind) continue;
      int cont = 0;
      if (prev && prev->page == a->page) {
        cont = !(step > 0 && a->y0 - prev->y0 > step * GAP) && a->y0 > prev->y0;
      } else if (prev) {                  /* across a page break */
        size_t pn = strlen(prev->t);
        char last = pn ? prev->t[pn - 1] : 0;
        cont = !label_like(a->t) && ((last == '-' && pn > 1) || lower_start(a->t) ||
                                     (!room_for_word(prev, a, right) && !strchr(".:;", last)));
      }
      if (cont) {
        join_line(o, prev, a, right);
      } else {
        ex_para(o);
        write_notes(d, notes, nnotes);
        nnotes = 0;
        open_para(o, a->t);
      }
      prev = a;
    }
    s = e;
  }
  ex_para(o);
  write_notes(d, notes, nnotes);
  indaga__free(notes);
}

void ex_extract_pdf(ex_out *o, const char *p, size_t n) {
  pthread_once(&pp_once, pp_load);
  if (!pp.ok) { ex_fail(o, "reading PDF needs %s (poppler-glib), which cannot be loaded", INDAGA_POPPLER_SONAME); return; }
  GError *err = NULL;
  GBytes *b = g_bytes_new_static(p, n);
  PopplerDocument *doc = pp.new_from_bytes(b, NULL, &err);
  pdf d;
  memset(&d, 0, sizeof d);
  d.o = o;
  if (!doc) {
    if (err && err->domain == pp.error_quark() && err->code == POPPLER_ERROR_ENCRYPTED)
      ex_fail(o, "encrypted PDF (it needs a password)");
    else
      ex_fail(o, "corrupt or truncated PDF (%s)", err && err->message ? err->message : "unreadable");
    goto done;
  }
  int np = pp.get_n_pages(doc);
  for (int i = 0; i < np && !ex_failed(o); i++) {
    PopplerPage *pg = pp.get_page(doc, i);
    if (!pg) continue;
    page_lines(&d, pg, i);
    g_object_unref(pg);
  }
  if (ex_failed(o)) goto done;
  if (d.n == 0) { ex_fail(o, "no text layer; OCR is not supported"); goto done; }
  mark_furniture(&d, np);
  write_text(&d);
done:
  for (size_t i = 0; i < d.n; i++) indaga__free(d.l[i].t);
  indaga__free(d.l);
  if (doc) g_object_unref(doc);
  if (err) g_error_free(err);
  g_bytes_unref(b);
}
