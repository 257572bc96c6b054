/*
** json.c: the JSON objects that both `indaga ... --json` (JSON Lines) and
** `indaga serve` (the HTTP API) write, so that the two carry the same
** members under the same names (doc/CLI.md): a hit, a search summary, a
** facet count, a document and its paragraphs, the stats. Each writer writes members only,
** the first without a leading comma; the caller writes the braces and
** what belongs to its transport ("type" and "query_no" in JSON Lines).
** Text from documents and queries goes through json_text (text.c): escaped,
** valid UTF-8, bounded as cli.h says.
*/
#include <string.h>
#include "cli/cli.h"

/* A metadata-like member: JSON, null when absent, bounded. */
static void json_field(FILE *f, const char *key, const char *z) {
  fprintf(f, ",\"%s\":", key);
  json_text(f, z, z ? strlen(z) : 0, CLI_FIELD_MAX);
}

static void json_texts(FILE *f, const char *key, const char *const *v, size_t n) {
  fprintf(f, ",\"%s\":[", key);
  for (size_t i = 0; i < n; i++) {
    if (i) fputc(',', f);
    json_strz(f, v[i]);
  }
  fputc(']', f);
}

void json_hit(FILE *f, const indaga_hit *h, int several) {
  fprintf(f, "\"rank\":%u,\"score\":%.4f", h->rank, h->score);
  json_name(f, 1, "doc", h->doc);
  if (several) json_field(f, "index", indaga_hit_index(h));
  json_field(f, "symbol", h->symbol);
  json_field(f, "title", h->title);
  json_field(f, "date", h->date);
  fprintf(f, ",\"part\":%u", h->part);
  json_field(f, "part_label", h->part_label);
  fprintf(f, ",\"paragraph\":%u", h->paragraph);
  json_field(f, "label", h->label);
  fprintf(f, ",\"byte_start\":%llu,\"byte_end\":%llu", (unsigned long long)h->byte_start,
          (unsigned long long)h->byte_end);
  if (h->snippet) {
    fputs(",\"snippet\":", f);
    json_str(f, h->snippet, h->snippet_len);
    fputs(",\"highlights\":[", f);
    for (size_t i = 0; i < h->nhighlights; i++)
      fprintf(f, "%s[%u,%u]", i ? "," : "", h->highlights[i].start, h->highlights[i].end);
    fputc(']', f);
  }
  if (h->before || h->after) {
    json_texts(f, "before", h->before, h->nbefore);
    json_texts(f, "after", h->after, h->nafter);
  }
}

void json_summary(FILE *f, const indaga_results *r, const char *query, size_t len) {
  fputs("\"query\":", f);
  if (json_text(f, query, len, CLI_ECHO_MAX)) fprintf(f, ",\"query_cut\":true,\"query_bytes\":%zu", len);
  fprintf(f, ",\"hits\":%zu,\"total\":%llu,\"total_exact\":%s,\"all_words\":%llu",
          indaga_results_count(r), (unsigned long long)indaga_results_total(r),
          indaga_results_total_exact(r) ? "true" : "false", (unsigned long long)indaga_results_all_words(r));
  const char *fix = indaga_results_suggestion(r);
  fputs(",\"suggestion\":", f);
  json_text(f, fix, fix ? strlen(fix) : 0, CLI_ECHO_MAX);
  if (indaga_results_corrected(r)) fputs(",\"corrected\":true", f);
  fprintf(f, ",\"took_us\":%llu", (unsigned long long)indaga_results_took_us(r));
  const char *note = indaga_results_note(r);
  if (note) {
    fputs(",\"note\":", f);
    json_text(f, note, strlen(note), CLI_MESSAGE_MAX);
  }
  if (indaga_results_partial(r)) fputs(",\"partial\":true", f);
}

void json_facet(FILE *f, const indaga_facet *fc) {
  fputs("\"field\":", f);
  json_text(f, fc->field, strlen(fc->field), CLI_FIELD_MAX);
  fputs(",\"value\":", f);
  json_text(f, fc->value, strlen(fc->value), CLI_FIELD_MAX);
  fprintf(f, ",\"paragraphs\":%llu,\"documents\":%llu", (unsigned long long)fc->paragraphs,
          (unsigned long long)fc->documents);
}

size_t json_part_size(const indaga_document *d, unsigned part) {
  return (size_t)indaga_document_part_paragraphs(d, part);   /* loaded or not */
}

void json_document(FILE *f, const indaga_document *d) {
  json_name(f, 0, "doc", indaga_document_id(d));
  fputs(",\"meta\":{", f);
  for (size_t i = 0; i < indaga_document_meta_count(d); i++) {
    const char *k, *v;
    indaga_document_meta(d, i, &k, &v);
    if (i) fputc(',', f);
    json_text(f, k, strlen(k), CLI_FIELD_MAX);
    fputc(':', f);
    json_text(f, v, v ? strlen(v) : 0, CLI_FIELD_MAX);
  }
  fputs("},\"parts\":[", f);
  for (size_t p = 0; p < indaga_document_part_count(d); p++) {
    fprintf(f, "%s{\"part\":%zu", p ? "," : "", p);
    json_field(f, "label", indaga_document_part_label(d, p));
    fprintf(f, ",\"paragraphs\":%zu}", json_part_size(d, (unsigned)p));
  }
  size_t total = 0;   /* every paragraph, though a range may be all that was loaded */
  for (size_t p = 0; p < indaga_document_part_count(d); p++) total += json_part_size(d, (unsigned)p);
  fprintf(f, "],\"paragraphs\":%zu", total);
}

void json_paragraph(FILE *f, const indaga_paragraph *p) {
  fprintf(f, "\"part\":%u,\"paragraph\":%u", p->part, p->ordinal);
  json_field(f, "label", p->label);
  fprintf(f, ",\"heading\":%s,\"byte_start\":%llu,\"byte_end\":%llu,\"text\":",
          p->heading ? "true" : "false", (unsigned long long)p->byte_start,
          (unsigned long long)p->byte_end);
  json_strz(f, p->text);
}

void json_stats(FILE *f, const indaga_stats *st) {
  fprintf(f, "\"generation\":%llu,\"documents\":%llu,\"paragraphs\":%llu,"
          "\"terms\":%llu,\"segments\":%llu,\"bytes\":%llu",
          (unsigned long long)st->generation, (unsigned long long)st->documents,
          (unsigned long long)st->paragraphs, (unsigned long long)st->terms,
          (unsigned long long)st->segments, (unsigned long long)st->bytes);
}
