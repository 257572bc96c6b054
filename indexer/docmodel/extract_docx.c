/*
** extract_docx.c: Word (Office Open XML) documents. The zip is read with
** libarchive (zipread.c) and word/document.xml, word/numbering.xml and
** word/footnotes.xml with libxml2 (ex_xml_parse: no network, no entity
** substitution, no DTD).
**
** Each w:p is a paragraph (table cells hold paragraphs, so each cell is one
** too); w:br and w:cr are line breaks, a page break is not a paragraph
** break, w:tab is a space; deleted text (w:delText) and field codes are
** not text. Automatic numbering becomes the label a reader sees: a
** paragraph's w:numPr (or its style's) names a w:num, whose abstract
** definition gives per level a start, a format (decimal, lowerLetter,
** upperRoman, ..., bullet) and a text such as "%1." or "%1)"; counters run
** per abstract list as Word counts them (a w:num's startOverride restarts
** its list on first use; a level resets the levels below it). A bullet is
** "-". The footnotes a paragraph refers to follow it, each a paragraph.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "indexer/docmodel/extract.h"

#define MAX_LISTS 2048       /* w:num and w:abstractNum definitions read */
#define MAX_DEPTH 256
#define MAX_NOTES_PER_PARA 64

typedef struct lvl_def { int start; char fmt[24]; char text[40]; } lvl_def;
typedef struct abs_def { long id; lvl_def lvl[9]; int count[9]; } abs_def;
typedef struct num_def { long id; long abs; int start[9]; int used; } num_def;
typedef struct style_num { char id[64]; long num; int ilvl; } style_num;

typedef struct docx {
  ex_out *o;
  abs_def *abs; size_t nabs;
  num_def *num; size_t nnum;
  style_num *sty; size_t nsty;
  xmlDocPtr notes;
  long pending[MAX_NOTES_PER_PARA]; size_t npending;
} docx;

int ex_sniff_docx(const char *name, const char *p, size_t n, const ex_limits *lim) {
  (void)name;
  return ex_zip_has(p, n, "word/document.xml", lim ? lim->max_entries : 10000);
}

static int named(const xmlNode *x, const char *local) {
  return x && x->type == XML_ELEMENT_NODE && !strcmp((const char *)x->name, local);
}

static xmlNode *child(xmlNode *x, const char *local) {
  for (xmlNode *c = x ? x->children : NULL; c; c = c->next)
    if (named(c, local)) return c;
  return NULL;
}

static long val_long(xmlNode *x, const char *attr, long dflt) {
  xmlChar *v = x ? xmlGetProp(x, (const xmlChar *)attr) : NULL;
  if (!v) return dflt;
  char *end;
  long r = strtol((const char *)v, &end, 10);
  if (end == (char *)v) r = dflt;
  xmlFree(v);
  return r;
}

static void val_str(xmlNode *x, const char *attr, char *dst, size_t cap) {
  xmlChar *v = x ? xmlGetProp(x, (const xmlChar *)attr) : NULL;
  dst[0] = 0;
  if (v) { snprintf(dst, cap, "%s", (const char *)v); xmlFree(v); }
}

static abs_def *find_abs(docx *d, long id) {
  for (size_t i = 0; i < d->nabs; i++) if (d->abs[i].id == id) return &d->abs[i];
  return NULL;
}

static num_def *find_num(docx *d, long id) {
  for (size_t i = 0; i < d->nnum; i++) if (d->num[i].id == id) return &d->num[i];
  return NULL;
}

/* Read word/numbering.xml's definitions. */
static void load_numbering(docx *d, xmlDocPtr doc) {
  xmlNode *root = xmlDocGetRootElement(doc);
  size_t na = 0, nn = 0;
  for (xmlNode *c = root ? root->children : NULL; c; c = c->next) {
    if (named(c, "abstractNum")) na++;
    else if (named(c, "num")) nn++;
  }
  if (na > MAX_LISTS) na = MAX_LISTS;
  if (nn > MAX_LISTS) nn = MAX_LISTS;
  d->abs = na ? indaga__malloc(na * sizeof *d->abs) : NULL;
  d->num = nn ? indaga__malloc(nn * sizeof *d->num) : NULL;
  if ((na && !d->abs) || (nn && !d->num)) { d->o->rc = INDAGA_ENOMEM; return; }
  for (xmlNode *c = root ? root->children : NULL; c; c = c->next) {
    if (named(c, "abstractNum") && d->nabs < na) {
      abs_def *a = &d->abs[d->nabs++];
      memset(a, 0, sizeof *a);
      a->id = val_long(c, "abstractNumId", -1);
      for (int k = 0; k < 9; k++) { a->lvl[k].start = 1; strcpy(a->lvl[k].fmt, "decimal"); }
      for (xmlNode *l = c->children; l; l = l->next) {
        long k = named(l, "lvl") ? val_long(l, "ilvl", -1) : -1;
        if (k < 0 || k > 8) continue;
        a->lvl[k].start = (int)val_long(child(l, "start"), "val", 1);
        val_str(child(l, "numFmt"), "val", a->lvl[k].fmt, sizeof a->lvl[k].fmt);
        val_str(child(l, "lvlText"), "val", a->lvl[k].text, sizeof a->lvl[k].text);
      }
    } else if (named(c, "num") && d->nnum < nn) {
      num_def *m = &d->num[d->nnum++];
      memset(m, 0, sizeof *m);
      m->id = val_long(c, "numId", -1);
      m->abs = val_long(child(c, "abstractNumId"), "val", -1);
      for (int k = 0; k < 9; k++) m->start[k] = -1;
      for (xmlNode *ov = c->children; ov; ov = ov->next) {
        long k = named(ov, "lvlOverride") ? val_long(ov, "ilvl", -1) : -1;
        if (k >= 0 && k <= 8 && child(ov, "startOverride"))
          m->start[k] = (int)val_long(child(ov, "startOverride"), "val", 1);
      }
    }
  }
}

/* Paragraph styles that carry numbering (word/styles.xml). */
static void load_styles(docx *d, xmlDocPtr doc) {
  xmlNode *root = xmlDocGetRootElement(doc);
  size_t ns = 0;
  for (xmlNode *c = root ? root->children : NULL; c; c = c->next)
    if (named(c, "style") && child(child(c, "pPr"), "numPr")) ns++;
  if (ns > MAX_LISTS) ns = MAX_LISTS;
  if (!ns) return;
  if (!(d->sty = indaga__malloc(ns * sizeof *d->sty))) { d->o->rc = INDAGA_ENOMEM; return; }
  for (xmlNode *c = root->children; c && d->nsty < ns; c = c->next) {
    xmlNode *np = named(c, "style") ? child(child(c, "pPr"), "numPr") : NULL;
    if (!np) continue;
    style_num *s = &d->sty[d->nsty++];
    val_str(c, "styleId", s->id, sizeof s->id);
    s->num = val_long(child(np, "numId"), "val", -1);
    s->ilvl = (int)val_long(child(np, "ilvl"), "val", 0);
  }
}

/*
** The label of a paragraph in list @numid at level @ilvl, counting it:
** "" for none or a bullet's "-".
*/
static void list_label(docx *d, long numid, long ilvl, char *out, size_t cap) {
  out[0] = 0;
  num_def *m = find_num(d, numid);
  abs_def *a = m ? find_abs(d, m->abs) : NULL;
  if (!a || ilvl < 0 || ilvl > 8) return;
  int k = (int)ilvl;
  if (!m->used) {                       /* first use: overrides restart the list */
    for (int j = 0; j < 9; j++) if (m->start[j] >= 0) a->count[j] = 0;
    m->used = 1;
  }
  int start = m->start[k] >= 0 ? m->start[k] : a->lvl[k].start;
  a->count[k] = a->count[k] ? a->count[k] + 1 : start;
  for (int j = k + 1; j < 9; j++) a->count[j] = 0;
  if (!strcmp(a->lvl[k].fmt, "bullet")) { snprintf(out, cap, "-"); return; }
  if (!strcmp(a->lvl[k].fmt, "none")) return;
  size_t w = 0;
  for (const char *t = a->lvl[k].text; *t && w + 1 < cap; t++) {
    if (t[0] == '%' && t[1] >= '1' && t[1] <= '9') {
      int j = t[1] - '1';
      int cnt = j <= k ? (a->count[j] ? a->count[j] : a->lvl[j].start) : 1;
      char num[32];
      if (!ex_number_label(num, sizeof num, (unsigned)cnt, a->lvl[j].fmt, "", ""))
        snprintf(num, sizeof num, "%d", cnt);
      for (const char *q = num; *q && w + 1 < cap; q++) out[w++] = *q;
      t++;
    } else {
      out[w++] = *t;
    }
  }
  out[w] = 0;
}

static void para_label(docx *d, xmlNode *p, char *label, size_t cap) {
  label[0] = 0;
  xmlNode *ppr = child(p, "pPr");
  xmlNode *np = child(ppr, "numPr");
  long numid = -1, ilvl = 0;
  if (np) {
    numid = val_long(child(np, "numId"), "val", -1);
    ilvl = val_long(child(np, "ilvl"), "val", 0);
  } else if (d->nsty) {
    char sid[64];
    val_str(child(ppr, "pStyle"), "val", sid, sizeof sid);
    for (size_t i = 0; sid[0] && i < d->nsty; i++)
      if (!strcmp(d->sty[i].id, sid)) { numid = d->sty[i].num; ilvl = d->sty[i].ilvl; break; }
  }
  if (numid > 0) list_label(d, numid, ilvl, label, cap);
}

static void inline_walk(docx *d, xmlNode *x, int depth);

/* The text of runs and of what holds runs (hyperlinks, insertions, fields). */
static void inline_walk(docx *d, xmlNode *x, int depth) {
  ex_out *o = d->o;
  for (xmlNode *c = x->children; c && !ex_failed(o); c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    const char *n = (const char *)c->name;
    if (!strcmp(n, "t")) {
      xmlChar *t = xmlNodeGetContent(c);
      if (t) { ex_text(o, (const char *)t, strlen((const char *)t)); xmlFree(t); }
    } else if (!strcmp(n, "tab") || !strcmp(n, "noBreakHyphen")) {
      ex_text(o, !strcmp(n, "tab") ? " " : "-", 1);
    } else if (!strcmp(n, "br") || !strcmp(n, "cr")) {
      char type[16];
      val_str(c, "type", type, sizeof type);
      if (strcmp(type, "page") && strcmp(type, "column")) ex_line(o);
    } else if (!strcmp(n, "footnoteReference") || !strcmp(n, "endnoteReference")) {
      if (!strcmp(n, "footnoteReference") && d->npending < MAX_NOTES_PER_PARA)
        d->pending[d->npending++] = val_long(c, "id", -1);
    } else if (!strcmp(n, "delText") || !strcmp(n, "instrText") || !strcmp(n, "pPr") || !strcmp(n, "rPr") ||
               !strcmp(n, "del") || !strcmp(n, "moveFrom")) {
      continue;
    } else if (depth < MAX_DEPTH) {
      inline_walk(d, c, depth + 1);      /* r, hyperlink, ins, smartTag, fldSimple, sdtContent, ... */
    }
  }
}

static void block_walk(docx *d, xmlNode *x, int depth);

static void footnotes_after(docx *d, int depth) {
  xmlNode *root = d->notes ? xmlDocGetRootElement(d->notes) : NULL;
  size_t n = d->npending;
  long ids[MAX_NOTES_PER_PARA];
  memcpy(ids, d->pending, n * sizeof ids[0]);
  d->npending = 0;
  for (size_t i = 0; i < n && root; i++)
    for (xmlNode *f = root->children; f; f = f->next)
      if (named(f, "footnote") && val_long(f, "id", -2) == ids[i]) { block_walk(d, f, depth + 1); break; }
}

static void paragraph(docx *d, xmlNode *p, int depth) {
  char label[64];
  para_label(d, p, label, sizeof label);
  if (label[0]) ex_item(d->o, label);
  else ex_para(d->o);
  inline_walk(d, p, depth + 1);
  ex_para(d->o);
  if (d->npending) footnotes_after(d, depth);
}

/* Paragraphs, tables and containers of block content. */
static void block_walk(docx *d, xmlNode *x, int depth) {
  if (depth > MAX_DEPTH) { ex_fail(d->o, "DOCX nested more than %d levels deep", MAX_DEPTH); return; }
  for (xmlNode *c = x->children; c && !ex_failed(d->o); c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (named(c, "p")) paragraph(d, c, depth);
    else if (named(c, "sectPr") || named(c, "del")) continue;
    else block_walk(d, c, depth + 1);    /* body, tbl, tr, tc, sdt, sdtContent, ins, txbxContent ... */
  }
}

void ex_extract_docx(ex_out *o, const char *p, size_t n) {
  ex_zip_entry e[] = {{"word/document.xml", NULL, 0}, {"word/numbering.xml", NULL, 0},
                      {"word/footnotes.xml", NULL, 0}, {"word/styles.xml", NULL, 0}};
  docx d;
  memset(&d, 0, sizeof d);
  d.o = o;
  xmlDocPtr doc = NULL, num = NULL, sty = NULL;
  if (ex_zip_read(o, p, n, e, 4)) goto done;
  if (!e[0].data) { ex_fail(o, "DOCX without word/document.xml"); goto done; }
  if (!(doc = ex_xml_parse(o, e[0].data, e[0].n, "word/document.xml"))) goto done;
  if (e[1].data && (num = ex_xml_parse(o, e[1].data, e[1].n, "word/numbering.xml"))) load_numbering(&d, num);
  if (!ex_failed(o) && e[3].data && (sty = ex_xml_parse(o, e[3].data, e[3].n, "word/styles.xml"))) load_styles(&d, sty);
  if (!ex_failed(o) && e[2].data) d.notes = ex_xml_parse(o, e[2].data, e[2].n, "word/footnotes.xml");
  xmlNode *root = xmlDocGetRootElement(doc);
  xmlNode *body = child(root, "body");
  if (!ex_failed(o) && body) block_walk(&d, body, 0);
done:
  if (doc) xmlFreeDoc(doc);
  if (num) xmlFreeDoc(num);
  if (sty) xmlFreeDoc(sty);
  if (d.notes) xmlFreeDoc(d.notes);
  indaga__free(d.abs);
  indaga__free(d.num);
  indaga__free(d.sty);
  ex_zip_free(e, 4);
}
