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
** then one {"type":"paragraph",...} line per paragraph shown. Ids, labels
** and metadata are bounded and, for people, escaped (cli.h).
** Exit 0, 2 with a message naming the document or index, 64 on bad usage.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

enum { OPT_CONTEXT = CLI_OPT_FIRST };

static const cli_option opts[] = {
  CLI_ROW_INDEX,
  { "context", 0, "N", OPT_CONTEXT, "paragraphs before and after PARAGRAPH, 0 to 1000 (default 0)" },
  CLI_ROW_JSON("JSON lines: one document line, then one line per paragraph; errors too"),
  CLI_ROW_HELP,
};

static const cli_command show_cmd = {
  "show",
  "usage: indaga show [--index DIR] [--context N] [--json] DOC [PART [PARAGRAPH]]\n",
  "Show an indexed document: its metadata and an outline of its parts and\n"
  "paragraphs; with PART, that part's paragraphs in full; with PART and\n"
  "PARAGRAPH, that paragraph (and N paragraphs around it with --context N).\n"
  "PART is 0 for the body, N for the Nth annex; PARAGRAPH counts from 1.\n"
  "A DOC that starts with '-' goes after '--'.\n",
  opts, CLI_NOPTS(opts),
  "exit status: 0 success, 2 error (no index; no such document, part or paragraph)\n",
  0,
};

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

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, show_args *a) {
  const char *pos[3];
  int npos = 0;
  a->part = a->para = -1;
  a->context = 0;
  cli_parser p;
  cli_parser_init(&p, &show_cmd, argc, argv);
  for (int o; (o = cli_next(&p)) != CLI_DONE;) {
    switch (o) {
    case CLI_EXIT: return p.status;
    case CLI_OPT_INDEX: a->index = p.arg; break;
    case CLI_OPT_JSON: a->json = 1; break;
    case OPT_CONTEXT:
      if (cli_value_long(&p, 0, 1000, &a->context)) return EXIT_USAGE;
      break;
    case CLI_OPERAND:
      if (npos == 3) return cli_usage("show", "too many arguments (DOC [PART [PARAGRAPH]])");
      pos[npos++] = p.arg;
      break;
    default: return cli_usage("show", "unexpected option");
    }
  }
  if (npos == 0) return cli_usage("show", "no DOC given");
  a->doc = pos[0];
  if (npos > 1 && !parse_num(pos[1], &a->part))
    return cli_usage("show", "PART must be a number (0 for the body), not '%.64s'", pos[1]);
  if (npos > 2 && (!parse_num(pos[2], &a->para) || a->para == 0))
    return cli_usage("show", "PARAGRAPH must be a number from 1, not '%.64s'", pos[2]);
  return -1;
}

static void print_doc_json(const indaga_document *d) {
  fputs("{\"type\":\"document\",", stdout);
  json_document(stdout, d);
  fputs("}\n", stdout);
}

static void print_para_json(const indaga_paragraph *p) {
  fputs("{\"type\":\"paragraph\",", stdout);
  json_paragraph(stdout, p);
  fputs("}\n", stdout);
}

/* A label column @w bytes wide (as printf's %-10s pads): escaped and cut at CLI_FIELD_MAX. */
static void print_label(const char *z, size_t w) {
  out_str(stdout, z, CLI_FIELD_MAX);
  for (size_t k = strlen(z); k < w; k++) putchar(' ');
}

static void print_para_human(const indaga_paragraph *p, int outline) {
  printf("  %4u  ", p->ordinal);
  print_label(p->label ? p->label : (p->heading ? "#" : ""), 10);
  putchar(' ');
  size_t n = strlen(p->text);
  if (outline) out_text(stdout, p->text, n, 90);
  else out_prose(stdout, p->text, n);
  fputc('\n', stdout);
}

static void print_doc_human(const indaga_document *d) {
  out_str(stdout, indaga_document_id(d), CLI_NAME_MAX);
  putchar('\n');
  for (size_t i = 0; i < indaga_document_meta_count(d); i++) {
    const char *k, *v;
    indaga_document_meta(d, i, &k, &v);
    fputs("  ", stdout);
    print_label(k, 10);
    putchar(' ');
    out_str(stdout, v, CLI_FIELD_MAX);
    putchar('\n');
  }
}

static void print_part_header(const indaga_document *d, unsigned part) {
  const char *l = indaga_document_part_label(d, part);
  printf("\n[part %u] ", part);
  out_str(stdout, l ? l : "Body", CLI_FIELD_MAX);
  printf(" (%zu paragraphs)\n", json_part_size(d, part));
}

/* Show the selected paragraphs. Returns the exit code. */
static int show(const show_args *a, const indaga_document *d) {
  size_t np = indaga_document_part_count(d);
  if (a->part >= 0 && (size_t)a->part >= np)
    return cli_fail(EXIT_ERR, a->doc, "%s has no part %ld (parts 0 to %zu)", a->doc, a->part,
                    np ? np - 1 : 0);
  size_t psize = a->part >= 0 ? json_part_size(d, (unsigned)a->part) : 0;
  if (a->para > 0 && (size_t)a->para > psize)
    return cli_fail(EXIT_ERR, a->doc, "%s part %ld has no paragraph %ld (it has %zu)", a->doc, a->part,
                    a->para, psize);
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
  indaga_index *idx = cli_open_index(dir, "show", &ex);
  if (!idx) return ex;
  indaga_document *d = NULL;
  char *err = NULL;
  /* One paragraph (and its context): read only those, whatever the document's size. */
  int rc = a.para > 0 ? indaga_document_get_paragraphs(&d, idx, a.doc, (unsigned)a.part,
                                                        (unsigned)(a.para > a.context ? a.para - a.context : 1),
                                                        (unsigned)(a.para + a.context), &err)
                      : indaga_document_get(&d, idx, a.doc, &err);
  if (rc) ex = cli_fail(cli_status(rc), a.doc, "%s", err ? err : indaga_strerror(rc));
  else ex = show(&a, d);
  indaga_free(err);
  indaga_document_free(d);
  indaga_index_close(idx);
  return ex;
}
