/*
** extract.h: documents as they are published (PDF, DOCX, ODT, HTML) ->
** the plain text the document model (indexer/docmodel.h) parses.
**
** A file's format is found from its content (magic bytes, the entries of
** a zip, the markup), not from its name: ex_find() walks a table from
** content type to extractor (extract.c), one file per format:
**
**   application/pdf   extract_pdf.c   poppler-glib: text with its layout
**   DOCX              extract_docx.c  libarchive (zip) + libxml2
**   ODT               extract_odt.c   libarchive (zip) + libxml2
**   text/html         extract_html.c  libxml2's HTML parser
**
** A new format is one new file and one row of that table.
**
** Every extractor writes the same normalised text through the ex_out
** helpers below: paragraphs separated by a blank line, a line break inside
** a paragraph as one '\n', a list item as its own paragraph opening with
** the label a reader sees ("3.", "a)"; "-" for a bullet), table cells as
** paragraphs, footnotes as paragraphs of their own, headings as paragraphs.
** The document model's rules then find the UN header, the annexes and the
** paragraph labels in it exactly as in a .txt file. Byte ranges of such a
** document refer to this extracted text, which is what the index stores.
**
** Limits (ex_limits, from the writer's memory budget) bound the input
** size, the text produced, and for a zip the number of entries and the
** bytes expanded. XML is parsed without network access, without entity
** substitution and without loading a DTD; a part with a document type
** declaration is refused unparsed. Bad input (encrypted, truncated, corrupt,
** over a limit, a PDF without a text layer) is refused with a message
** naming the file; nothing is ever half-extracted.
*/
#ifndef INDAGA_EXTRACT_H
#define INDAGA_EXTRACT_H

#include <stddef.h>
#include <stdint.h>
#include "common/common.h"

typedef struct ex_limits {
  size_t max_input;     /* bytes of the file itself */
  size_t max_text;      /* bytes of extracted text */
  size_t max_expanded;  /* zip: bytes expanded from all entries read */
  size_t max_entries;   /* zip: entries in the archive */
} ex_limits;

/* The limits for a writer memory budget of @budget bytes (see extract.c). */
void ex_limits_for_budget(ex_limits *l, size_t budget);

/*
** The extraction state every extractor writes through. Text goes to @out;
** the first failure is kept in @rc (sticky) with @why (a message naming
** the file, caller frees).
*/
typedef struct ex_out {
  const char *name;          /* the file, for messages */
  const ex_limits *lim;
  ia_buf out;                /* the normalised text */
  int rc;                    /* INDAGA_OK, DM_SKIP (refused) or INDAGA_ENOMEM */
  char *why;
  int in_para;               /* text written since the last paragraph end */
  int space;                 /* a space is pending before the next text */
} ex_out;

/* Append text p[0..n), whitespace runs collapsed to one space. */
void ex_text(ex_out *o, const char *p, size_t n);
/* A line break inside the current paragraph. */
void ex_line(ex_out *o);
/* End the current paragraph (a blank line), if any text is open. */
void ex_para(ex_out *o);
/* Start a list item: a new paragraph opening with @label and a space. */
void ex_item(ex_out *o, const char *label);
/* Refuse the document: rc = DM_SKIP, why = "NAME: not indexed: <message>" (first one wins). */
void ex_fail(ex_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Nonzero once @o has failed: extractors stop early. */
static inline int ex_failed(const ex_out *o) { return o->rc != 0; }

/*
** The printed label of item @n (1-based) in a list numbered in @fmt
** ("decimal", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman",
** or the ODF "1", "a", "A", "i", "I"), between @prefix and @suffix: e.g.
** (3, "decimal", "", ".") -> "3.", (1, "a", "", ")") -> "a)". Writes at most
** @cap bytes with the NUL; returns 0 when the format is not a numbering.
*/
int ex_number_label(char *dst, size_t cap, unsigned n, const char *fmt, const char *prefix,
                    const char *suffix);

/**************************************************************************
** Zip containers (zipread.c): the entries DOCX and ODT need, read through
** libarchive within the limits (entries counted, bytes expanded bounded
** while reading: a header's size is not trusted).
*/
typedef struct ex_zip_entry {
  const char *name;          /* wanted entry, e.g. "word/document.xml" */
  char *data;                /* its bytes, NUL-terminated, or NULL if absent */
  size_t n;
} ex_zip_entry;

/*
** Read the entries named in want[0..nwant) from the zip p[0..n). Missing
** entries are left NULL. Returns INDAGA_OK, or fails @o (corrupt,
** encrypted, over a limit). Free the data with ex_zip_free.
*/
int ex_zip_read(ex_out *o, const char *p, size_t n, ex_zip_entry *want, size_t nwant);
void ex_zip_free(ex_zip_entry *want, size_t nwant);
/* Nonzero when the zip p[0..n) has an entry named @entry (headers only). */
int ex_zip_has(const char *p, size_t n, const char *entry, size_t max_entries);

/*
** Parse XML p[0..n) safely (no network, no entity substitution, no DTD
** loaded; a document type declaration is refused before parsing). Returns an xmlDoc (void * here to keep
** libxml2 out of this header; free with xmlFreeDoc) or NULL with @o failed
** naming @what ("word/document.xml").
*/
void *ex_xml_parse(ex_out *o, const char *p, size_t n, const char *what);

/**************************************************************************
** The formats.
*/
typedef struct ex_format {
  const char *type;          /* content type */
  const char *label;         /* "PDF", "DOCX", ... for messages */
  /* Nonzero when p[0..n) (file @name) is of this format. */
  int (*sniff)(const char *name, const char *p, size_t n, const ex_limits *lim);
  /* Write the text of p[0..n) through @o. */
  void (*extract)(ex_out *o, const char *p, size_t n);
} ex_format;

int  ex_sniff_pdf(const char *name, const char *p, size_t n, const ex_limits *lim);
void ex_extract_pdf(ex_out *o, const char *p, size_t n);
int  ex_sniff_docx(const char *name, const char *p, size_t n, const ex_limits *lim);
void ex_extract_docx(ex_out *o, const char *p, size_t n);
int  ex_sniff_odt(const char *name, const char *p, size_t n, const ex_limits *lim);
void ex_extract_odt(ex_out *o, const char *p, size_t n);
int  ex_sniff_html(const char *name, const char *p, size_t n, const ex_limits *lim);
void ex_extract_html(ex_out *o, const char *p, size_t n);

/*
** The format of p[0..n) (file @name), or NULL for plain text / Markdown.
** A zip that is neither DOCX nor ODT is NULL too (the text model then
** refuses it as binary).
*/
const ex_format *ex_find(const char *name, const char *p, size_t n, const ex_limits *lim);

/*
** Nonzero when the first bytes p[0..n) (n >= 8 when the file is that long)
** show a container format (PDF, zip) or HTML: such a file is read whole,
** never streamed in pieces as text.
*/
int ex_is_container(const char *name, const char *p, size_t n);

/*
** Extract p[0..n) (file @name) with format @f into *text (NUL-terminated,
** caller frees with indaga__free) and *ntext. Returns INDAGA_OK, DM_SKIP
** with *why naming the file (refused: corrupt, encrypted, over a limit, no
** text), or INDAGA_ENOMEM.
*/
int ex_extract(const ex_format *f, const char *name, const char *p, size_t n,
               const ex_limits *lim, char **text, size_t *ntext, char **why);

#endif /* INDAGA_EXTRACT_H */
