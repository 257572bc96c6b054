/*
** extract_html.c: HTML through libxml2's HTML parser (never a hand-written
** tag scanner). Block elements (p, div, h1-h6, li, td, th, dt, dd, pre,
** blockquote, ...) end paragraphs; <br> is a line break; an <ol> item gets
** a label from start= and value=: "3." for type 1 as a browser prints it,
** "c)" and "iv)" for letters and roman numerals (a browser prints "c.",
** which the document model would read as text), a <ul> item "-"; each table cell is a paragraph;
** <head>, <script>, <style>, <template> and <noscript> are not text, nor
** is a footnote mark (<sup><a href="#n1">1</a></sup>). The
** parser runs without network access; a document that declares no
** charset is read as UTF-8. Recursion is bounded (MAX_DEPTH).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/HTMLparser.h>
#include "indexer/docmodel/extract.h"

#define MAX_DEPTH 256

int ex_sniff_html(const char *name, const char *p, size_t n, const ex_limits *lim) {
  (void)lim;
  size_t i = 0;
  if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) i = 3;
  while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) i++;
  if (i < n && p[i] != '<') return 0;
  if (n - i >= 14 && !strncasecmp(p + i, "<!doctype html", 14)) return 1;
  if (n - i >= 5 && !strncasecmp(p + i, "<html", 5) && (n - i == 5 || !((p[i + 5] | 32) >= 'a' && (p[i + 5] | 32) <= 'z')))
    return 1;
  /* Markup in a file named .html / .htm (a fragment without <html>). */
  size_t k = name ? strlen(name) : 0;
  return i < n && ((k > 5 && !strcasecmp(name + k - 5, ".html")) || (k > 4 && !strcasecmp(name + k - 4, ".htm")));
}

static int is(const xmlNode *x, const char *tag) { return !strcasecmp((const char *)x->name, tag); }

static int skipped(const xmlNode *x) {
  return is(x, "head") || is(x, "script") || is(x, "style") || is(x, "template") || is(x, "noscript");
}

static int block(const xmlNode *x) {
  static const char *const tags[] = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th",
                                     "tr", "table", "dt", "dd", "dl", "pre", "blockquote", "section",
                                     "article", "header", "footer", "main", "aside", "nav", "figure",
                                     "figcaption", "caption", "address", "hr", "ul", "ol", "body", "center"};
  for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
    if (is(x, tags[i])) return 1;
  return 0;
}

static long attr_long(xmlNode *x, const char *a, long dflt) {
  xmlChar *v = xmlGetProp(x, (const xmlChar *)a);
  if (!v) return dflt;
  char *end;
  long r = strtol((const char *)v, &end, 10);
  if (end == (char *)v || r < 0 || r > 1000000) r = dflt;
  xmlFree(v);
  return r;
}

/* The format of an <ol>'s numbers: its type attribute ("1", "a", "A", "i", "I"). */
static void ol_type(xmlNode *x, char fmt[2]) {
  xmlChar *v = xmlGetProp(x, (const xmlChar *)"type");
  fmt[0] = v && strchr("1aAiI", v[0]) && v[0] ? (char)v[0] : '1';
  fmt[1] = 0;
  if (v) xmlFree(v);
}

static void walk(ex_out *o, xmlNode *x, int depth);

/* The items of an <ol> or <ul>. */
static void list(ex_out *o, xmlNode *l, int depth) {
  int ordered = is(l, "ol");
  char fmt[2];
  ol_type(l, fmt);
  long n = ordered ? attr_long(l, "start", 1) : 0;
  for (xmlNode *c = l->children; c && !ex_failed(o); c = c->next) {
    if (c->type != XML_ELEMENT_NODE || !is(c, "li")) { walk(o, c, depth + 1); continue; }
    char label[48] = "-";
    if (ordered) {
      n = attr_long(c, "value", n);
      /* "3." for numbers; letters and roman numerals "c)", as UN documents print them (the
         document model reads "c." as the start of a sentence, not as a label) */
      if (!ex_number_label(label, sizeof label, (unsigned)n, fmt, "", fmt[0] == '1' ? "." : ")"))
        snprintf(label, sizeof label, "%ld.", n);
      n++;
    }
    ex_item(o, label);
    for (xmlNode *k = c->children; k && !ex_failed(o); k = k->next) walk(o, k, depth + 1);
    ex_para(o);
  }
}

/* A footnote mark: <sup> holding only a link within the page (<a href="#n1">1</a>). */
static int note_mark(xmlNode *x) {
  xmlNode *a = NULL;
  for (xmlNode *c = x->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE && c->content && strspn((const char *)c->content, " \t\r\n") == strlen((const char *)c->content))
      continue;
    if (a || c->type != XML_ELEMENT_NODE || !is(c, "a")) return 0;
    a = c;
  }
  xmlChar *href = a ? xmlGetProp(a, (const xmlChar *)"href") : NULL;
  int yes = href && href[0] == '#';
  if (href) xmlFree(href);
  return yes;
}

static void walk(ex_out *o, xmlNode *x, int depth) {
  if (ex_failed(o)) return;
  if (depth > MAX_DEPTH) { ex_fail(o, "HTML nested more than %d elements deep", MAX_DEPTH); return; }
  if (x->type == XML_TEXT_NODE || x->type == XML_CDATA_SECTION_NODE) {
    if (x->content) ex_text(o, (const char *)x->content, strlen((const char *)x->content));
    return;
  }
  if (x->type != XML_ELEMENT_NODE && x->type != XML_HTML_DOCUMENT_NODE) return;
  if (x->type == XML_ELEMENT_NODE) {
    if (skipped(x) || (is(x, "sup") && note_mark(x))) return;
    if (is(x, "br")) { ex_line(o); return; }
    if (is(x, "ol") || is(x, "ul")) { ex_para(o); list(o, x, depth); return; }
  }
  int blk = x->type == XML_ELEMENT_NODE && block(x);
  if (blk) ex_para(o);
  for (xmlNode *c = x->children; c && !ex_failed(o); c = c->next) walk(o, c, depth + 1);
  if (blk) ex_para(o);
}

/* Nonzero when the first 4 KiB declare a charset (meta or XML declaration). */
static int declares_charset(const char *p, size_t n) {
  size_t k = n < 4096 ? n : 4096;
  for (size_t i = 0; i + 7 <= k; i++)
    if (!strncasecmp(p + i, "charset", 7) || !strncasecmp(p + i, "encoding", 7)) return 1;
  return 0;
}

void ex_extract_html(ex_out *o, const char *p, size_t n) {
  if (n > (size_t)INT32_MAX) { ex_fail(o, "HTML too large"); return; }
  int opts = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER |
             HTML_PARSE_NOIMPLIED;
  htmlDocPtr doc = htmlReadMemory(p, (int)n, NULL, declares_charset(p, n) ? NULL : "UTF-8", opts);
  if (!doc) { ex_fail(o, "HTML that cannot be parsed"); return; }
  for (xmlNode *c = doc->children; c && !ex_failed(o); c = c->next) walk(o, c, 0);
  xmlFreeDoc(doc);
}
