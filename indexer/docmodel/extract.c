/*
** extract.c: the table from content type to extractor, the normalised
** text every extractor writes (ex_out), list labels, safe XML parsing and
** the limits derived from the writer's memory budget. See extract.h.
*/
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <libxml/parser.h>
#include "indexer/docmodel.h"
#include "indexer/docmodel/extract.h"

/* The formats, tried in order: the first whose sniff accepts the bytes. */
static const ex_format formats[] = {
  { "application/pdf", "PDF", ex_sniff_pdf, ex_extract_pdf },
  { "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX",
    ex_sniff_docx, ex_extract_docx },
  { "application/vnd.oasis.opendocument.text", "ODT", ex_sniff_odt, ex_extract_odt },
  { "text/html", "HTML", ex_sniff_html, ex_extract_html },
};

/*
** From the budget (256 MiB by default): the file itself up to budget/8, its
** text up to budget/16 (the parsed document then takes about 3 bytes per
** byte of it: DOC_MEM_FACTOR in writer.c), so a file, its text and its
** parse stay within 3/8 of the budget, about what writer.c's job_mem
** reserves for a file larger than a piece (9/32); a zip is expanded up to
** budget/8 over at most 10000 entries. Each within a floor (4 MiB, 2 MiB)
** that keeps small budgets usable.
*/
void ex_limits_for_budget(ex_limits *l, size_t budget) {
  size_t q = budget / 8, e = budget / 16;
  l->max_input = q > ((size_t)4 << 20) ? q : (size_t)4 << 20;
  l->max_text = e > ((size_t)2 << 20) ? e : (size_t)2 << 20;
  l->max_expanded = l->max_input;
  l->max_entries = 10000;
}

void ex_fail(ex_out *o, const char *fmt, ...) {
  if (o->rc) return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  o->rc = DM_SKIP;
  o->why = indaga__sprintf("%s: not indexed: %s", o->name, msg);
  if (!o->why) o->rc = INDAGA_ENOMEM;
}

static void put(ex_out *o, const char *p, size_t n) {
  if (o->rc) return;
  if (o->out.n + n + 2 > o->lim->max_text) {
    ex_fail(o, "its text exceeds %zu bytes (the limit for the memory budget)", o->lim->max_text);
    return;
  }
  buf_append(&o->out, p, n);
  if (o->out.err) o->rc = INDAGA_ENOMEM;
}

void ex_text(ex_out *o, const char *p, size_t n) {
  size_t i = 0;
  while (i < n && !o->rc) {
    if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r' || p[i] == '\f' || p[i] == '\v') {
      o->space = 1;
      i++;
      continue;
    }
    size_t j = i;
    while (j < n && !(p[j] == ' ' || p[j] == '\t' || p[j] == '\n' || p[j] == '\r' || p[j] == '\f' ||
                      p[j] == '\v'))
      j++;
    if (o->space && o->in_para == 1) put(o, " ", 1);
    o->space = 0;
    put(o, p + i, j - i);
    o->in_para = 1;
    i = j;
  }
}

void ex_line(ex_out *o) {
  if (o->in_para == 1) put(o, "\n", 1);
  if (o->in_para) o->in_para = 2;      /* 2: at a line start: no space before the next text */
  o->space = 0;
}

void ex_para(ex_out *o) {
  if (o->in_para) put(o, "\n\n", 2);
  o->in_para = 0;
  o->space = 0;
}

void ex_item(ex_out *o, const char *label) {
  ex_para(o);
  if (label && *label) {
    put(o, label, strlen(label));
    put(o, " ", 1);
    o->in_para = 2;
  }
}

/* Roman numeral of n (1..3999) in lower or upper case. */
static void roman(char *dst, size_t cap, unsigned n, int upper) {
  static const unsigned v[] = {1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1};
  static const char *const s[] = {"m", "cm", "d", "cd", "c", "xc", "l", "xl", "x", "ix", "v", "iv", "i"};
  size_t k = 0;
  for (size_t i = 0; i < 13 && n; i++)
    while (n >= v[i]) {
      for (const char *c = s[i]; *c && k + 1 < cap; c++) dst[k++] = upper ? (char)toupper(*c) : *c;
      n -= v[i];
    }
  dst[k] = 0;
}

/* Letters: a..z, then aa..zz, as word processors count. */
static void letters(char *dst, size_t cap, unsigned n, int upper) {
  size_t k = 0, rep = (n - 1) / 26 + 1;
  for (size_t i = 0; i < rep && i < 8 && k + 1 < cap; i++) dst[k++] = (char)((upper ? 'A' : 'a') + (n - 1) % 26);
  dst[k] = 0;
}

int ex_number_label(char *dst, size_t cap, unsigned n, const char *fmt, const char *prefix,
                    const char *suffix) {
  char num[32];
  if (n == 0) n = 1;
  if (!strcmp(fmt, "decimal") || !strcmp(fmt, "1")) snprintf(num, sizeof num, "%u", n);
  else if (!strcmp(fmt, "lowerLetter") || !strcmp(fmt, "a")) letters(num, sizeof num, n, 0);
  else if (!strcmp(fmt, "upperLetter") || !strcmp(fmt, "A")) letters(num, sizeof num, n, 1);
  else if ((!strcmp(fmt, "lowerRoman") || !strcmp(fmt, "i")) && n < 4000) roman(num, sizeof num, n, 0);
  else if ((!strcmp(fmt, "upperRoman") || !strcmp(fmt, "I")) && n < 4000) roman(num, sizeof num, n, 1);
  else return 0;
  snprintf(dst, cap, "%s%s%s", prefix ? prefix : "", num, suffix ? suffix : "");
  return 1;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void) { xmlInitParser(); }

static int has_doctype(const char *p, size_t n) {
  for (const char *q = p; (q = memchr(q, '<', n - (size_t)(q - p))) != NULL; q++)
    if (n - (size_t)(q - p) >= 9 && !memcmp(q, "<!DOCTYPE", 9)) return 1;
  return 0;
}

void *ex_xml_parse(ex_out *o, const char *p, size_t n, const char *what) {
  pthread_once(&xml_once, xml_init);
  if (n > (size_t)INT32_MAX) { ex_fail(o, "%s is too large", what); return NULL; }
  /* A package part never has a document type declaration: one is refused unparsed. */
  if (has_doctype(p, n)) {
    ex_fail(o, "%s declares a DTD (refused: entity expansion and external entities)", what);
    return NULL;
  }
  /* No XML_PARSE_NOENT (entities stay references), no DTDLOAD/DTDATTR, no HUGE. */
  int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  xmlDocPtr doc = xmlReadMemory(p, (int)n, NULL, NULL, opts);
  if (!doc) { ex_fail(o, "%s is not well-formed XML (corrupt or truncated)", what); return NULL; }
  if (doc->intSubset && (doc->intSubset->entities || doc->intSubset->children)) {
    xmlFreeDoc(doc);
    ex_fail(o, "%s declares a DTD with entities (refused: entity expansion)", what);
    return NULL;
  }
  return doc;
}

const ex_format *ex_find(const char *name, const char *p, size_t n, const ex_limits *lim) {
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if (formats[i].sniff(name, p, n, lim)) return &formats[i];
  return NULL;
}

int ex_is_container(const char *name, const char *p, size_t n) {
  if (n >= 4 && !memcmp(p, "PK\3\4", 4)) return 1;
  return ex_sniff_pdf(name, p, n, NULL) || ex_sniff_html(name, p, n, NULL);
}

int ex_extract(const ex_format *f, const char *name, const char *p, size_t n,
               const ex_limits *lim, char **text, size_t *ntext, char **why) {
  ex_out o;
  memset(&o, 0, sizeof o);
  o.name = name;
  o.lim = lim;
  *text = NULL;
  *ntext = 0;
  *why = NULL;
  if (n > lim->max_input)
    ex_fail(&o, "%s of %zu bytes exceeds %zu bytes (the limit for the memory budget)", f->label, n,
            lim->max_input);
  else
    f->extract(&o, p, n);
  ex_para(&o);
  if (!o.rc && o.out.n == 0) ex_fail(&o, "%s with no text", f->label);
  if (o.rc) {
    buf_free(&o.out);
    if (o.rc == INDAGA_ENOMEM) { indaga__free(o.why); return INDAGA_ENOMEM; }
    *why = o.why;
    return DM_SKIP;
  }
  *ntext = o.out.n;
  *text = buf_detach(&o.out);
  return *text ? INDAGA_OK : INDAGA_ENOMEM;
}
