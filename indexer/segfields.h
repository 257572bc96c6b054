/*
** segfields.h: a segment's document-level fields as columns, for filters,
** ranges, facets and sorting (README "Fields and dates").
**
** Built on first use from the DOCS section, then kept with the open
** segment until seg_close, so a filter, a range or a facet over a million
** paragraphs reads integers, not metadata text: per document its first
** paragraph and its date as yyyymmdd, and the names of the fields (one pass
** over the documents, values untouched); then, the first time a field is
** used (sf_load), per document the id of its value and the field's
** dictionary of distinct values, folded like the analyzer's keys
** (lowercase, accents out, ñ kept, white space collapsed), with the first
** original spelling for display.
**
** "The" date of a document: its `date` field (front matter `date`/`fecha`,
** else the UN header's date line, else front matter `publication_date`, as
** docmodel_meta.c sets it) as yyyymmdd; without one, its `year` field as
** yyyy0000; else 0 (no date). Built once per reader; threads may race to
** build it (the first published wins, the others free theirs).
*/
#ifndef INDAGA_SEGFIELDS_H
#define INDAGA_SEGFIELDS_H

#include <stddef.h>
#include <stdint.h>
#include "common/common.h"
#include "indexer/segment.h"

typedef struct seg_fields seg_fields;

/*
** The fields of @r in *out (owned by @r, valid until seg_close). Returns
** INDAGA_OK, INDAGA_ENOMEM or INDAGA_ECORRUPT (*errmsg names the file;
** caller frees).
*/
int seg_fields_get(const seg_reader *r, const seg_fields **out, char **errmsg);
void seg_fields_free(seg_fields *f);                   /* accepts NULL */

/* The document holding paragraph @pid (< seg_npara), by bisection. */
uint32_t sf_doc_of(const seg_fields *f, uint32_t pid);
/* First paragraph of each document: ndoc + 1 entries (the last is npara). */
const uint32_t *sf_starts(const seg_fields *f);
/* The date of document @did as yyyymmdd (yyyy0000 for a year only), 0 for none. */
uint32_t sf_date(const seg_fields *f, uint32_t did);

size_t sf_nfields(const seg_fields *f);
/* Name of field @fi (NUL-terminated, folded). */
const char *sf_name(const seg_fields *f, size_t fi);
/* The field named @name (folded), or -1. */
long sf_find(const seg_fields *f, const char *name, size_t n);
/*
** Build the column and value dictionary of field @fi (once; threads may
** race, the first published wins). Required before sf_nvalues, sf_value,
** sf_display and sf_column of @fi. INDAGA_OK, INDAGA_ENOMEM, INDAGA_ECORRUPT.
*/
int sf_load(const seg_reader *r, const seg_fields *f, size_t fi, char **errmsg);
/* Distinct values of field @fi: ids 1..sf_nvalues. */
uint32_t sf_nvalues(const seg_fields *f, size_t fi);
/* Value @vid of field @fi, folded (NUL-terminated), and as first written. */
const char *sf_value(const seg_fields *f, size_t fi, uint32_t vid, size_t *n);
const char *sf_display(const seg_fields *f, size_t fi, uint32_t vid, size_t *n);
/* Value id of field @fi per document (0: the document lacks the field). */
const uint32_t *sf_column(const seg_fields *f, size_t fi);

/*
** Append the folded form of p[0..n) to @out: lowercase, accents folded as
** the analyzer's keys are (fold_accents, ñ kept), runs of white space one
** space, trimmed. NUL-terminated. INDAGA_OK or INDAGA_ENOMEM.
*/
int sf_fold(const char *p, size_t n, ia_buf *out);

/*
** Parse a date bound: "2017-11-22", "2017-11", "2017" (also "2017/11/22")
** into yyyymmdd with the missing parts 00. Returns 1, or 0 when p[0..n)
** is not such a date.
*/
int sf_parse_date(const char *p, size_t n, uint32_t *ymd, int *parts);

#endif /* INDAGA_SEGFIELDS_H */
