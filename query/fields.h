/*
** fields.h: filters on document fields, date ranges, symbol bodies, and the
** dates of hits (fields.c), over the segments' field columns
** (indexer/segfields.h). Facets are order.c's.
**
** Filters (the QN_FILTER kinds QF_FIELD, QF_DATE, QF_YEAR, QF_BODY):
**   name:value     any field: the value folded like text (case, accents)
**                  equals the document's, or matches it as a glob (* ?)
**   name:a..b      a range: dates when both bounds are dates (yyyy,
**                  yyyy-mm, yyyy-mm-dd), numbers when both are numbers,
**                  else folded text; a bound may be left out (..b, a..)
**   date:d, year:y the document's date (segfields.h: "the" date), a day,
**                  month or year, or a range of them
**   body:S         a UN symbol of the document is S or starts with "S/"
** A filter is decided per distinct value of a segment (then per document
** by its value id), never by reading metadata text.
*/
#ifndef INDAGA_QUERY_FIELDS_H
#define INDAGA_QUERY_FIELDS_H

#include "query/query.h"
#include "indexer/index.h"
#include "indexer/segfields.h"

typedef struct qf_spec qf_spec;

/* The filter kinds fields.c decides. */
static inline int qf_handles(qf_kind k) { return k == QF_FIELD || k == QF_DATE || k == QF_YEAR || k == QF_BODY; }

#define QF_UNKNOWN 1   /* qf_compile: no segment holds the field */

/*
** Compile filter @f (text "name:value" for QF_FIELD, the value for the
** others) against snapshot @s. *out is NULL when the filter is ignored: a
** note in @notes says why, and QF_UNKNOWN is returned when the field is
** not in the index (the note names the fields it holds). Returns INDAGA_OK,
** QF_UNKNOWN, INDAGA_ENOMEM or INDAGA_ECORRUPT (*err set; caller frees).
*/
int qf_compile(qa_arena *a, const ix_snapshot *s, const qnode *f, qf_spec **out, ia_buf *notes, char **err);

/* 1 when document @did of segment @r passes, 0 when not, <0 on error (*err set). */
int qf_doc_pass(qf_spec *sp, const seg_reader *r, uint32_t did, char **err);

/*
** The paragraphs of the documents of @s that pass every filter
** sps[0..n) (compiled against @s; deleted paragraphs included): an upper
** bound of the matches of a query that requires those filters. One pass
** over the documents (their value ids), no metadata text.
*/
uint64_t qf_pass_paras(qf_spec *const *sps, size_t n, const ix_snapshot *s);

/* The date of the document of paragraph @pid of @r (yyyymmdd, 0: none); its document in *did. */
int qf_para_date(const seg_reader *r, uint32_t pid, uint32_t *ymd, uint32_t *did, char **err);

#endif /* INDAGA_QUERY_FIELDS_H */
