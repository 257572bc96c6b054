/*
** docmodel.h: one input file -> a document: metadata, parts (body and
** annexes) and paragraphs (DESIGN.md, "The data model").
**
** Input is UTF-8 plain text or Markdown, with or without YAML front matter.
** Metadata comes from the front matter where present, otherwise from the UN
** header (symbols, "Distr. general", the date line, "Original: ruso", the
** title line). Part 0 is the body; part N is the Nth annex ("Anexo",
** "Anexo I", "ANEXO 1", "Apéndice ..."), labelled with its heading line.
** A paragraph is a block between blank lines, or a list item / numbered item
** even without blank lines around it; it keeps its printed label, its
** 1-based ordinal within its part, its byte range in the source, and its
** display text (Markdown emphasis, links, escapes and HTML entities removed).
**
** The parser never fails on content: bad input (binary, invalid UTF-8, no
** text) yields warnings, and either a document or DM_SKIP.
*/
#ifndef INDAGA_DOCMODEL_H
#define INDAGA_DOCMODEL_H

#include <stddef.h>
#include <stdint.h>
#include "common/common.h"

typedef struct dm_meta {
  char *key;           /* lowercase field name: symbol, title, date, year, language, ... */
  char *value;
} dm_meta;

typedef struct dm_para {
  uint32_t part;       /* 0 body, N the Nth annex */
  uint32_t ordinal;    /* 1-based within the part */
  char *label;         /* printed label ("3.", "a)", "Artículo 5"), or NULL */
  int heading;         /* nonzero for a heading */
  uint64_t src_start;  /* byte range in the source file */
  uint64_t src_end;
  char *text;          /* display text, NUL-terminated */
  size_t ntext;
} dm_para;

typedef struct dm_doc {
  dm_meta *meta;       /* metadata fields in source order; "symbol", "title",
                          "date" (ISO yyyy-mm-dd), "year", "language" normalised */
  size_t nmeta;
  char **part_labels;  /* nparts entries; [0] is NULL (the body) */
  size_t nparts;
  dm_para *paras;      /* in document order */
  size_t nparas;
  char **warnings;     /* messages about repaired input (e.g. invalid UTF-8) */
  size_t nwarnings;
} dm_doc;

#define DM_SKIP 1      /* dm_parse: the input is not a text document (binary) */

/*
** Parse p[0..n). @name names the file in warnings. On success *out is a new
** document (free with dm_doc_free) and INDAGA_OK is returned. For input that
** is not text, returns DM_SKIP with *why set to a message naming @name
** (free with indaga__free). Returns INDAGA_ENOMEM on allocation failure.
*/
int dm_parse(dm_doc **out, const char *name, const char *p, size_t n, char **why);
void dm_doc_free(dm_doc *d);

/* Value of metadata field @key, or NULL. */
const char *dm_meta_get(const dm_doc *d, const char *key);

#endif /* INDAGA_DOCMODEL_H */
