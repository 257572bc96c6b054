/*
** extract_odt.c: OpenDocument text. The zip is read with libarchive
** (zipread.c): its "mimetype" entry must say application/vnd.oasis.
** opendocument.text; content.xml and styles.xml are parsed with libxml2
** (ex_xml_parse: no network, no entity substitution, no DTD).
**
** text:p and text:h are paragraphs (table cells hold them, so each cell is
** one too); text:line-break is a line break, text:tab a space, text:s
** spaces; text:soft-page-break is not a paragraph break. A text:list-item
** gets the label a reader sees: a text:number the writer stored, else the
** number its list style gives (text:list-level-style-number: num-format,
** num-prefix, num-suffix, start-value; a bullet style gives "-"), counted
** per list and level; a list with text:continue-numbering or
** text:continue-list goes on from the last list of its style. A note's
** body (footnote) follows its paragraph as paragraphs of its own.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "indexer/docmodel/extract.h"

#define MAX_DEPTH 256
#define MAX_STYLES 1024
#define MAX_NOTES_PER_PARA 64
#define ODT_MIME "application/vnd.oasis.opendocument.text"

typedef struct lvl_style { int bullet; int start; char fmt[8]; char prefix[16]; char suffix[16]; } lvl_style;
typedef struct list_style { char name[64]; lvl_style lvl[10]; int count[10]; } list_style;

typedef struct odt {
  ex_out *o;
  list_style *ls; size_t nls, cap;
  xmlNode *notes[MAX_NOTES_PER_PARA]; size_t nnotes;
  int in_note;
} odt;

int ex_sniff_odt(const char *name, const char *p, size_t n, const ex_limits *lim) {
  (void)name;
  (void)lim;
  /* The ODF package: "mimetype" first and stored, so its name and value sit at fixed offsets. */
  static const char head[] = "mimetype" ODT_MIME;
  return n > 30 + sizeof head && !memcmp(p, "PK\3\4", 4) && !memcmp(p + 30, head, sizeof head - 1);
}

static int named(const xmlNode *x, const char *local) {
  return x && x->type == XML_ELEMENT_NODE && !strcmp((const char *)x->name, local);
}

static void attr(xmlNode *x, const char *a, char *dst, size_t cap) {
  xmlChar *v = x ? xmlGetProp(x, (const xmlChar *)a) : NULL;
  dst[0] = 0;
  if (v) { snprintf(dst, cap, "%s", (const char *)v); xmlFree(v); }
}

static int attr_int(xmlNode *x, const char *a, int dflt) {
  char v[24];
  attr(x, a, v, sizeof v);
  char *end;
  long r = strtol(v, &end, 10);
  return end == v || r < 0 || r > 1000000 ? dflt : (int)r;
}

static list_style *find_style(odt *d, const char *name) {
  for (size_t i = 0; i < d->nls; i++) if (!strcmp(d->ls[i].name, name)) return &d->ls[i];
  return NULL;
}

/* Read every text:list-style under @x (automatic and common styles). */
static void load_styles(odt *d, xmlNode *x, int depth) {
  for (xmlNode *c = x ? x->children : NULL; c && depth < 8; c = c->next) {
    if (!named(c, "list-style")) {
      if (named(c, "automatic-styles") || named(c, "styles")) load_styles(d, c, depth + 1);
      continue;
    }
    if (d->nls == d->cap) {
      if (d->cap >= MAX_STYLES) return;
      size_t nc = d->cap ? d->cap * 2 : 16;
      list_style *ns = indaga__realloc(d->ls, nc * sizeof *ns);
      if (!ns) { d->o->rc = INDAGA_ENOMEM; return; }
      d->ls = ns;
      d->cap = nc;
    }
    list_style *s = &d->ls[d->nls++];
    memset(s, 0, sizeof *s);
    attr(c, "name", s->name, sizeof s->name);
    for (int k = 0; k < 10; k++) { s->lvl[k].bullet = 1; s->lvl[k].start = 1; }
    for (xmlNode *l = c->children; l; l = l->next) {
      int k = attr_int(l, "level", 0) - 1;
      if (k < 0 || k > 9) continue;
      lvl_style *v = &s->lvl[k];
      v->bullet = !named(l, "list-level-style-number");
      v->start = attr_int(l, "start-value", 1);
      attr(l, "num-format", v->fmt, sizeof v->fmt);
      attr(l, "num-prefix", v->prefix, sizeof v->prefix);
      attr(l, "num-suffix", v->suffix, sizeof v->suffix);
    }
  }
}

static void body_walk(odt *d, xmlNode *x, int depth, list_style *ls, int level);

static void inline_walk(odt *d, xmlNode *x, int depth) {
  ex_out *o = d->o;
  for (xmlNode *c = x->children; c && !ex_failed(o); c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content) ex_text(o, (const char *)c->content, strlen((const char *)c->content));
      continue;
    }
    if (c->type != XML_ELEMENT_NODE) continue;
    if (named(c, "line-break")) ex_line(o);
    else if (named(c, "tab") || named(c, "s")) ex_text(o, " ", 1);
    else if (named(c, "note")) {
      if (d->nnotes < MAX_NOTES_PER_PARA) d->notes[d->nnotes++] = c;
    } else if (named(c, "annotation") || named(c, "tracked-changes") || named(c, "bookmark-ref") ||
               named(c, "soft-page-break")) {
      continue;
    } else if (depth < MAX_DEPTH) {
      inline_walk(d, c, depth + 1);     /* span, a, ruby, ... */
    }
  }
}

/* A text:p or text:h, then the notes it cites, each body's paragraphs. */
static void paragraph(odt *d, xmlNode *p, int depth) {
  if (!d->in_note) d->nnotes = 0;
  inline_walk(d, p, depth + 1);
  ex_para(d->o);
  if (d->in_note) return;
  size_t n = d->nnotes;
  xmlNode *notes[MAX_NOTES_PER_PARA];
  memcpy(notes, d->notes, n * sizeof notes[0]);
  d->in_note = 1;
  for (size_t i = 0; i < n; i++)
    for (xmlNode *b = notes[i]->children; b; b = b->next)
      if (named(b, "note-body")) body_walk(d, b, depth + 1, NULL, 0);
  d->in_note = 0;
}

/* The label of item @it at list level @level of style @ls (counted). */
static void item_label(list_style *ls, xmlNode *it, int level, char *out, size_t cap) {
  out[0] = 0;
  for (xmlNode *c = it->children; c; c = c->next)
    if (named(c, "number")) {                 /* the label as the writer printed it */
      xmlChar *t = xmlNodeGetContent(c);
      if (t) { snprintf(out, cap, "%s", (const char *)t); xmlFree(t); }
      return;
    }
  if (!ls) { snprintf(out, cap, "-"); return; }
  int k = level > 9 ? 9 : level;
  lvl_style *v = &ls->lvl[k];
  int sv = attr_int(it, "start-value", -1);
  ls->count[k] = sv >= 0 ? sv : ls->count[k] ? ls->count[k] + 1 : v->start;
  for (int j = k + 1; j < 10; j++) ls->count[j] = 0;
  if (v->bullet) { snprintf(out, cap, "-"); return; }
  if (!v->fmt[0]) return;                    /* num-format="" : no label */
  ex_number_label(out, cap, (unsigned)ls->count[k], v->fmt, v->prefix, v->suffix);
}

static void list_walk(odt *d, xmlNode *l, int depth, list_style *ls, int level) {
  char name[64], cont[8], contlist[64];
  attr(l, "style-name", name, sizeof name);
  attr(l, "continue-numbering", cont, sizeof cont);
  attr(l, "continue-list", contlist, sizeof contlist);
  if (name[0]) {
    list_style *s = find_style(d, name);
    if (s && level == 0 && strcmp(cont, "true") && !contlist[0]) memset(s->count, 0, sizeof s->count);
    if (s) ls = s;
  }
  for (xmlNode *it = l->children; it && !ex_failed(d->o); it = it->next) {
    if (named(it, "list-header")) { body_walk(d, it, depth + 1, ls, level + 1); continue; }
    if (!named(it, "list-item")) continue;
    char label[64];
    item_label(ls, it, level, label, sizeof label);
    int first = 1;
    for (xmlNode *c = it->children; c && !ex_failed(d->o); c = c->next) {
      if (named(c, "p") || named(c, "h")) {
        if (first && label[0]) ex_item(d->o, label);
        first = 0;
        paragraph(d, c, depth + 1);
      } else if (named(c, "list")) {
        first = 0;
        list_walk(d, c, depth + 1, ls, level + 1);
      }
    }
  }
}

static void body_walk(odt *d, xmlNode *x, int depth, list_style *ls, int level) {
  if (depth > MAX_DEPTH) { ex_fail(d->o, "ODT nested more than %d levels deep", MAX_DEPTH); return; }
  for (xmlNode *c = x->children; c && !ex_failed(d->o); c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (named(c, "p") || named(c, "h")) paragraph(d, c, depth);
    else if (named(c, "list")) list_walk(d, c, depth + 1, ls, level);
    else if (named(c, "tracked-changes") || named(c, "sequence-decls") || named(c, "variable-decls") ||
             named(c, "forms") || named(c, "annotation"))
      continue;
    else body_walk(d, c, depth + 1, ls, level);   /* section, table, table-row, table-cell, ... */
  }
}

static xmlNode *path(xmlNode *x, const char *a, const char *b) {
  for (xmlNode *c = x ? x->children : NULL; c; c = c->next)
    if (named(c, a)) {
      for (xmlNode *k = c->children; k; k = k->next)
        if (named(k, b)) return k;
    }
  return NULL;
}

void ex_extract_odt(ex_out *o, const char *p, size_t n) {
  ex_zip_entry e[] = {{"mimetype", NULL, 0}, {"content.xml", NULL, 0}, {"styles.xml", NULL, 0}};
  odt d;
  memset(&d, 0, sizeof d);
  d.o = o;
  xmlDocPtr doc = NULL, sty = NULL;
  if (ex_zip_read(o, p, n, e, 3)) goto done;
  if (!e[0].data || strncmp(e[0].data, ODT_MIME, sizeof ODT_MIME - 1)) {
    ex_fail(o, "an OpenDocument package that is not a text document");
    goto done;
  }
  if (!e[1].data) { ex_fail(o, "ODT without content.xml"); goto done; }
  if (!(doc = ex_xml_parse(o, e[1].data, e[1].n, "content.xml"))) goto done;
  if (e[2].data && (sty = ex_xml_parse(o, e[2].data, e[2].n, "styles.xml")))
    load_styles(&d, xmlDocGetRootElement(sty), 0);
  if (!ex_failed(o)) load_styles(&d, xmlDocGetRootElement(doc), 0);
  xmlNode *text = path(xmlDocGetRootElement(doc), "body", "text");
  if (!ex_failed(o) && text) body_walk(&d, text, 0, NULL, 0);
done:
  if (doc) xmlFreeDoc(doc);
  if (sty) xmlFreeDoc(sty);
  indaga__free(d.ls);
  ex_zip_free(e, 3);
}
