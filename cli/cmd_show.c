/*
** cmd_show.c: `indaga show [--index DIR] [--json] [--context N] DOC [PART [PARAGRAPH]]`.
**
** DOC alone: the document's metadata and an outline of its parts, each
** paragraph on one line (label and the start of its text). DOC PART: the
** paragraphs of that part in full. DOC PART PARAGRAPH: that paragraph, with
** up to N paragraphs of the same part before and after it (--context N).
** PART is 0 for the body and N for the Nth annex; PARAGRAPH is the 1-based
** ordinal within the part, as search hits cite them.
**
** --json prints one {"type":"document",...} line (metadata and parts) and
** then one {"type":"paragraph",...} line per paragraph shown.
** Exit 0, or 2 with a message naming the document or index.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static const char usage[] =
  "usage: indaga show [--index DIR] [--json] [--context N] DOC [PART [PARAGRAPH]]\n"
  "\n"
  "Show an indexed document: its metadata and an outline of its parts and\n"
  "paragraphs; with PART, that part's paragraphs in full; with PART and\n"
  "PARAGRAPH, that paragraph (and N paragraphs around it with --context N).\n"
  "PART is 0 for the body, N for the Nth annex; PARAGRAPH counts from 1.\n"
  "\n"
  "options:\n"
  "  --index DIR    the index directory (default $INDAGA_INDEX, else ./.indaga)\n"
  "  --context N    paragraphs before and after PARAGRAPH (default 0)\n"
  "  --json         JSON lines: one document line, then one line per paragraph\n"
  "  --help         this text\n"
  "\n"
  "exit status: 0 success, 2 error (no such document, part or paragraph)\n";

typedef struct show_args {
  const char *index, *doc;
  int json;
  long part, para, context;   /* -1: not given */
} show_args;

/* Parse a non-negative decimal; 0 when @z is not one. */
static int parse_num(const char *z, long *out) {
  char *end;
  if (!z || !*z || *z == '-' || *z == '+') return 0;
  errno = 0;
  long v = strtol(z, &end, 10);
  if (errno || *end || v < 0) return 0;
  *out = v;
  return 1;
}

/* Returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, show_args *a) {
  const char *pos[3];
  int npos = 0, only = 0;
  a->part = a->para = -1;
  a->context = 0;
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (!only && s[0] == '-' && s[1]) {
      if (!strcmp(s, "--")) { only = 1; continue; }
      if (!strcmp(s, "--help") || !strcmp(s, "-h")) CLI_HELP_EXIT(usage);
      if (!strcmp(s, "--json")) { a->json = 1; continue; }
      if (!strncmp(s, "--index=", 8)) { a->index = s + 8; continue; }
      if (!strcmp(s, "--index") && i + 1 < argc) { a->index = argv[++i]; continue; }
      const char *v = !strncmp(s, "--context=", 10) ? s + 10
                      : (!strcmp(s, "--context") && i + 1 < argc) ? argv[++i] : NULL;
      if (v || !strcmp(s, "--context")) {
        if (!parse_num(v, &a->context) || a->context > 1000)
          return cli_error("show: --context needs a number from 0 to 1000");
        continue;
      }
      if (!strcmp(s, "--index")) return cli_error("show: --index needs a directory");
      return cli_error("show: unknown option '%s' (try 'indaga show --help')", s);
    }
    if (npos == 3) return cli_error("show: too many arguments (DOC [PART [PARAGRAPH]])");
    pos[npos++] = s;
  }
  if (npos == 0) return cli_error("show: no DOC given (try 'indaga show --help')");
  a->doc = pos[0];
  if (npos > 1 && !parse_num(pos[1], &a->part))
    return cli_error("show: PART must be a number (0 for the body), not '%s'", pos[1]);
  if (npos > 2 && (!parse_num(pos[2], &a->para) || a->para == 0))
    return cli_error("show: PARAGRAPH must be a number from 1, not '%s'", pos[2]);
  return -1;
}

/* Paragraphs of part @part. */
static size_t part_size(const indaga_document *d, unsigned part) {
  size_t n = 0;
  for (size_t i = 0; i < indaga_document_paragraph_count(d); i++)
    if (indaga_document_paragraph(d, i)->part == part) n++;
  return n;
}

static void print_doc_json(const indaga_document *d) {
  fputs("{\"type\":\"document\",\"doc\":", stdout);
  json_strz(stdout, indaga_document_id(d));
  fputs(",\"meta\":{", stdout);
  for (size_t i = 0; i < indaga_document_meta_count(d); i++) {
    const char *k, *v;
    indaga_document_meta(d, i, &k, &v);
    if (i) fputc(',', stdout);
    json_strz(stdout, k);
    fputc(':', stdout);
    json_strz(stdout, v);
  }
  fputs("},\"parts\":[", stdout);
  for (size_t p = 0; p < indaga_document_part_count(d); p++) {
    printf("%s{\"part\":%zu,\"label\":", p ? "," : "", p);
    json_strz(stdout, indaga_document_part_label(d, p));
    printf(",\"paragraphs\":%zu}", part_size(d, (unsigned)p));
  }
  printf("],\"paragraphs\":%zu}\n", indaga_document_paragraph_count(d));
}

static void print_para_json(const indaga_paragraph *p) {
  printf("{\"type\":\"paragraph\",\"part\":%u,\"paragraph\":%u,\"label\":", p->part, p->ordinal);
  json_strz(stdout, p->label);
  printf(",\"heading\":%s,\"byte_start\":%llu,\"byte_end\":%llu,\"text\":",
         p->heading ? "true" : "false", (unsigned long long)p->byte_start,
         (unsigned long long)p->byte_end);
  json_strz(stdout, p->text);
  fputs("}\n", stdout);
}

/* Print at most @max bytes of @z, cut at a UTF-8 boundary, with "..." when cut. */
static void print_cut(const char *z, size_t max) {
  size_t n = strlen(z);
  if (n <= max) { fputs(z, stdout); return; }
  while (max > 0 && ((unsigned char)z[max] & 0xC0) == 0x80) max--;
  printf("%.*s...", (int)max, z);
}

static void print_para_human(const indaga_paragraph *p, int outline) {
  printf("  %4u  %-10s ", p->ordinal, p->label ? p->label : (p->heading ? "#" : ""));
  if (outline) print_cut(p->text, 90);
  else fputs(p->text, stdout);
  fputc('\n', stdout);
}

static void print_doc_human(const indaga_document *d) {
  printf("%s\n", indaga_document_id(d));
  for (size_t i = 0; i < indaga_document_meta_count(d); i++) {
    const char *k, *v;
    indaga_document_meta(d, i, &k, &v);
    printf("  %-10s %s\n", k, v);
  }
}

static void print_part_header(const indaga_document *d, unsigned part) {
  const char *l = indaga_document_part_label(d, part);
  printf("\n[part %u] %s (%zu paragraphs)\n", part, l ? l : "Body", part_size(d, part));
}

/* Show the selected paragraphs. Returns the exit code. */
static int show(const show_args *a, const indaga_document *d) {
  size_t np = indaga_document_part_count(d);
  if (a->part >= 0 && (size_t)a->part >= np)
    return cli_error("%s has no part %ld (parts 0 to %zu)", a->doc, a->part, np ? np - 1 : 0);
  size_t psize = a->part >= 0 ? part_size(d, (unsigned)a->part) : 0;
  if (a->para > 0 && (size_t)a->para > psize)
    return cli_error("%s part %ld has no paragraph %ld (it has %zu)", a->doc, a->part, a->para, psize);
  if (a->json) print_doc_json(d);
  else print_doc_human(d);
  long lo = a->para > 0 ? a->para - a->context : 1, hi = a->para > 0 ? a->para + a->context : -1;
  unsigned cur = (unsigned)-1;
  for (size_t i = 0; i < indaga_document_paragraph_count(d); i++) {
    const indaga_paragraph *p = indaga_document_paragraph(d, i);
    if (a->part >= 0 && p->part != (unsigned)a->part) continue;
    if (a->para > 0 && ((long)p->ordinal < lo || (long)p->ordinal > hi)) continue;
    if (a->json) { print_para_json(p); continue; }
    if (p->part != cur) { print_part_header(d, p->part); cur = p->part; }
    print_para_human(p, a->part < 0);
  }
  return EXIT_OK;
}

int cmd_show(int argc, char **argv) {
  show_args a = { 0 };
  int ex = parse_args(argc, argv, &a);
  if (ex >= 0) return ex;
  const char *dir = cli_index_dir(a.index);
  indaga_index *idx = cli_open_index(dir, "show");
  if (!idx) return EXIT_ERR;
  indaga_document *d = NULL;
  char *err = NULL;
  int rc = indaga_document_get(&d, idx, a.doc, &err);
  if (rc) ex = cli_error("%s", err ? err : indaga_strerror(rc));
  else ex = show(&a, d);
  indaga_free(err);
  indaga_document_free(d);
  indaga_index_close(idx);
  return ex;
}
