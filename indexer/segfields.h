/*
** segfields.h: a segment's document-level fields as columns, for filters,
** ranges, facets and sorting (README "Fields and dates").
**
** The columns are the segment's FIELDS section (format.h), written when the
** segment is (sf_enc_*, segfields_enc.c) and read in place from the mapped
** file (segfields.c): per document its first paragraph and its date as
** yyyymmdd; per field its name, its dictionary of distinct values, folded
** like the analyzer's keys (lowercase, accents out, ñ kept, white space
** collapsed) with the first original spelling for display, and per document
** the id of its value. So a filter, a range or a facet over a million
** paragraphs reads integers, never metadata text.
**
** "The" date of a document: its `date` field (front matter `date`/`fecha`,
** else the UN header's date line, else front matter `publication_date`, as
** docmodel_meta.c sets it) as yyyymmdd; without one, its `year` field as
** yyyy0000; else 0 (no date).
**
** Threads: seg_fields_get and sf_load may race (the first published wins,
** the others free theirs); the accessors only read.
*/
#ifndef INDAGA_SEGFIELDS_H
#define INDAGA_SEGFIELDS_H

#include <stddef.h>
#include <stdint.h>
#include "common/common.h"
#include "indexer/segment.h"

typedef struct seg_fields seg_fields;

/*
** The fields of @r in *out (owned by @r, valid until seg_close): the
** section's header checked (and its checksum, when the file was not
** checksummed whole on open).
** Returns INDAGA_OK, INDAGA_ENOMEM or INDAGA_ECORRUPT (*errmsg names the
** file; caller frees).
*/
int seg_fields_get(const seg_reader *r, const seg_fields **out, char **errmsg);
void seg_fields_free(seg_fields *f);                   /* accepts NULL */

/* The document holding paragraph @pid (< seg_npara): by bisection, or O(1)
** when @hint (a document number, e.g. the previous answer) holds it or is
** just before it. */
uint32_t sf_doc_of(const seg_fields *f, uint32_t pid, uint32_t hint);
/* The first paragraph of document @did (<= ndoc; ndoc gives npara). */
uint32_t sf_start(const seg_fields *f, uint32_t did);
/* The date of document @did as yyyymmdd (yyyy0000 for a year only), 0 for none. */
uint32_t sf_date(const seg_fields *f, uint32_t did);

size_t sf_nfields(const seg_fields *f);
/* Name of field @fi (NUL-terminated, folded). */
const char *sf_name(const seg_fields *f, size_t fi);
/* The field named @name (folded), or -1. */
long sf_find(const seg_fields *f, const char *name, size_t n);
/*
** Check field @fi's record (once per open segment; threads may race, the
** first published wins). Required before sf_nvalues, sf_value, sf_display
** and sf_id of @fi. INDAGA_OK, INDAGA_ENOMEM, INDAGA_ECORRUPT (*errmsg).
*/
int sf_load(const seg_reader *r, const seg_fields *f, size_t fi, char **errmsg);
/* Distinct values of field @fi: ids 1..sf_nvalues. */
uint32_t sf_nvalues(const seg_fields *f, size_t fi);
/* Value @vid of field @fi, folded, and as first written; both NUL-terminated
** (a value may hold a NUL byte itself: *n is its length). */
const char *sf_value(const seg_fields *f, size_t fi, uint32_t vid, size_t *n);
const char *sf_display(const seg_fields *f, size_t fi, uint32_t vid, size_t *n);
/* The value id of field @fi of document @did (0: the document lacks the field). */
uint32_t sf_id(const seg_fields *f, size_t fi, uint32_t did);

/*
** Check the whole section of @r: its header and every field record, and
** that it equals the section derived from the document table.
** INDAGA_OK, INDAGA_ENOMEM, INDAGA_ECORRUPT (*errmsg names the file).
*/
int sf_verify(const seg_reader *r, char **errmsg);

/**************************************************************************
** Writing the section (segfields_enc.c): sf_enc_doc for every document in
** order, then sf_enc_finish. A status is sticky.
*/
typedef struct sf_enc sf_enc;
int  sf_enc_new(sf_enc **out);
void sf_enc_free(sf_enc *e);                           /* accepts NULL */
size_t sf_enc_mem(const sf_enc *e);                    /* bytes held, roughly */
/* Add the next document: its first paragraph and its encoded metadata
** (format.h, DOCS meta). INDAGA_OK, INDAGA_ENOMEM, or INDAGA_ECORRUPT when
** @meta does not parse. */
int  sf_enc_doc(sf_enc *e, uint32_t first_para, const unsigned char *meta, size_t nmeta);
/*
** Add the next document from document @did of segment @r (version 7, its
** fields @f): its date and values mapped, not derived. Gives the bytes
** sf_enc_doc would when every document of @r before @did was added in
** order too (a merge of a segment without deleted documents): fields and
** values are met in the same order. INDAGA_OK, INDAGA_ENOMEM, ECORRUPT.
*/
int  sf_enc_doc_from(sf_enc *e, uint32_t first_para, const seg_reader *r, const seg_fields *f, uint32_t did,
                     char **errmsg);
/* Append the section's bytes to @out (@npara: the segment's paragraphs).
** INDAGA_OK or INDAGA_ENOMEM (also for a section past 4 GiB). */
int  sf_enc_finish(sf_enc *e, uint32_t npara, ia_buf *out);

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
