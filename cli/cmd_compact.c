/*
** cmd_compact.c: `indaga compact [--index DIR] [--wait] [--json]`: merge
** every segment into one, dropping deleted documents, in one commit
** (indaga_writer_compact). Exit 0, or 2 with a message naming the index.
*/
#include <string.h>
#include "cli/cli.h"

static const char usage[] =
  "usage: indaga compact [--index DIR] [--wait] [--json]\n"
  "\n"
  "Merge all segments of the index into one, dropping deleted documents.\n"
  "Searches keep working while it runs.\n"
  "\n"
  "options:\n"
  "  --index DIR    the index directory (default $INDAGA_INDEX, else ./.indaga)\n"
  "  --wait         wait for another writer to finish instead of failing\n"
  "  --json         one JSON line {\"type\":\"compact\",...}\n"
  "  --help         this text\n"
  "\n"
  "exit status: 0 success, 2 error\n";

int cmd_compact(int argc, char **argv) {
  const char *index = NULL;
  int json = 0, wait = 0;
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (!strcmp(s, "--help") || !strcmp(s, "-h")) CLI_HELP_EXIT(usage);
    else if (!strcmp(s, "--json")) json = 1;
    else if (!strcmp(s, "--wait")) wait = 1;
    else if (!strncmp(s, "--index=", 8)) index = s + 8;
    else if (!strcmp(s, "--index") && i + 1 < argc) index = argv[++i];
    else if (!strcmp(s, "--index")) return cli_error("compact: --index needs a directory");
    else if (s[0] == '-') return cli_error("compact: unknown option '%s' (try 'indaga compact --help')", s);
    else return cli_error("compact: unexpected argument '%s'", s);
  }
  const char *dir = cli_index_dir(index);
  indaga_index *idx = NULL;
  char *err = NULL;
  int rc = indaga_index_open(&idx, dir, NULL, &err);   /* never create an index here */
  indaga_index_close(idx);
  if (rc == INDAGA_ENOINDEX) {
    indaga_free(err);
    return cli_no_index(dir);
  }
  indaga_free(err);
  err = NULL;
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.flags = wait ? INDAGA_WRITER_WAIT : 0;
  indaga_writer *w = NULL;
  rc = indaga_writer_open(&w, dir, &o, &err);
  if (rc) {
    int ex = cli_error("%s%s", err ? err : indaga_strerror(rc),
                       rc == INDAGA_EBUSY ? " (use --wait to wait for it)" : "");
    indaga_free(err);
    return ex;
  }
  uint64_t gen = 0;
  rc = indaga_writer_compact(w, &gen);
  if (rc) {
    const char *m = indaga_writer_errmsg(w);
    int ex = cli_error("%s (the index is unchanged)", m ? m : indaga_strerror(rc));
    indaga_writer_close(w);
    return ex;
  }
  indaga_writer_close(w);
  indaga_stats st = { 0 };
  if (indaga_index_open(&idx, dir, NULL, NULL) == INDAGA_OK) indaga_index_stats(idx, &st);
  indaga_index_close(idx);
  if (json)
    printf("{\"type\":\"compact\",\"generation\":%llu,\"segments\":%llu,\"documents\":%llu,"
           "\"paragraphs\":%llu,\"bytes\":%llu}\n",
           (unsigned long long)gen, (unsigned long long)st.segments,
           (unsigned long long)st.documents, (unsigned long long)st.paragraphs,
           (unsigned long long)st.bytes);
  else
    printf("%s: compacted into %llu segment%s; generation %llu\n", dir,
           (unsigned long long)st.segments, st.segments == 1 ? "" : "s", (unsigned long long)gen);
  return EXIT_OK;
}
