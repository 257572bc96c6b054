/*
** api_doc.c: GET /api/doc, a document with its metadata, parts and
** labelled paragraphs, or a part of it, or one paragraph (doc/CLI.md).
**
**   doc        the document id, as hits give it (required)
**   index      the label of the index holding it, as hits give it (with
**              several indexes; needed when two of them hold that id)
**   part       0 for the body, N for the Nth annex (optional)
**   paragraph  1-based ordinal within part (optional; needs part)
**   context    with paragraph: paragraphs of the same part before and
**              after it, 0 to SRV_CONTEXT_MAX (default 0)
**
** Answers {"document":{doc, meta, parts, paragraphs (the count)},
** "paragraphs":[{part, paragraph, label, heading, byte_start, byte_end,
** text}...]} with the members of `indaga show --json` (cli/json.c). An
** unknown document, part or paragraph is 404.
*/
#include <string.h>
#include "cli/cli.h"
#include "server/server.h"

/* The paragraphs asked for: part @part (-1: all), ordinals lo..hi (hi -1: all). */
static void write_doc(FILE *f, const indaga_document *d, long part, long lo, long hi) {
  fputs("{\"document\":{", f);
  json_document(f, d);
  fputs("},\"paragraphs\":[", f);
  int first = 1;
  for (size_t i = 0; i < indaga_document_paragraph_count(d); i++) {
    const indaga_paragraph *p = indaga_document_paragraph(d, i);
    if (part >= 0 && p->part != (unsigned long)part) continue;
    if (hi >= 0 && ((long)p->ordinal < lo || (long)p->ordinal > hi)) continue;
    fputs(first ? "{" : ",{", f);
    json_paragraph(f, p);
    fputc('}', f);
    first = 0;
  }
  fputs("]}", f);
}

int api_doc(srv_req *rq) {
  long part, para, context;
  const char *id = srv_param_text(rq, "doc", SRV_PARAM_MAX, 1);
  if (!id || srv_param_long(rq, "part", 0, 1000000, -1, &part) ||
      srv_param_long(rq, "paragraph", 1, 100000000, -1, &para) ||
      srv_param_long(rq, "context", 0, SRV_CONTEXT_MAX, 0, &context))
    return -1;
  if (para >= 0 && part < 0) return srv_error(rq, 400, "parameter 'paragraph' needs 'part'");
  const char *label = srv_param_text(rq, "index", SRV_PARAM_MAX, 0);
  if (!label) return -1;
  srv_snap *s = srv_req_snap(rq);
  if (!s) return -1;
  const indaga_index *idx = srv_snap_index(s);
  if (*label) {   /* the index of that label, among those served */
    const indaga_index *all = idx;
    idx = NULL;
    for (size_t i = 0; !idx && i < indaga_index_count(all); i++)
      if (!strcmp(indaga_index_label(all, i), label)) idx = indaga_index_member(all, i);
    if (!idx) return srv_error(rq, 404, "no index labelled '%s' is served", label);
  }
  indaga_document *d = NULL;
  char *err = NULL;
  /* one paragraph (and its context): read only those, whatever the document's size */
  int rc = para > 0 ? indaga_document_get_paragraphs(&d, idx, id, (unsigned)part,
                                                     (unsigned)(para > context ? para - context : 1),
                                                     (unsigned)(para + context), &err)
                    : indaga_document_get(&d, idx, id, &err);
  if (rc) {
    /* EMISUSE: several indexes hold that id, and no index= said which */
    unsigned st = rc == INDAGA_ENOTFOUND ? 404 : rc == INDAGA_ENOMEM ? 503 : rc == INDAGA_EMISUSE ? 400 : 500;
    srv_error(rq, st, "%s", err ? err : indaga_strerror(rc));
    indaga_free(err);
    return -1;
  }
  size_t np = indaga_document_part_count(d);
  size_t psize = part >= 0 && (size_t)part < np ? json_part_size(d, (unsigned)part) : 0;
  if (part >= 0 && (size_t)part >= np)
    rc = srv_error(rq, 404, "the document has no part %ld (parts 0 to %zu)", part, np ? np - 1 : 0);
  else if (para > 0 && (size_t)para > psize)
    rc = srv_error(rq, 404, "part %ld has no paragraph %ld (it has %zu)", part, para, psize);
  else if (!srv_body(rq))
    rc = srv_error(rq, 503, "out of memory");
  if (!rc) {
    write_doc(srv_body(rq), d, part, para > 0 ? para - context : 1, para > 0 ? para + context : -1);
    rc = srv_reply(rq, 200);
  }
  indaga_document_free(d);
  return rc;
}
