/*
** cmd_stats.c: `indaga stats [--index DIR] [--json]`: the figures of the
** newest generation (indaga_index_stats). Exit 0, or 2 with a message naming
** the index.
*/
#include <string.h>
#include "cli/cli.h"

static const char usage[] =
  "usage: indaga stats [--index DIR] [--json]\n"
  "\n"
  "Print the newest generation of the index: documents, paragraphs, distinct\n"
  "terms, segments and bytes on disk.\n"
  "\n"
  "options:\n"
  "  --index DIR    the index directory (default $INDAGA_INDEX, else ./.indaga)\n"
  "  --json         one JSON line {\"type\":\"stats\",...}\n"
  "  --help         this text\n"
  "\n"
  "exit status: 0 success, 2 error\n";

int cmd_stats(int argc, char **argv) {
  const char *index = NULL;
  int json = 0;
  int ex = cli_index_options("stats", usage, argc, argv, &index, &json);
  if (ex >= 0) return ex;
  const char *dir = cli_index_dir(index);
  indaga_index *idx = cli_open_index(dir, "stats");
  if (!idx) return EXIT_ERR;
  indaga_stats st;
  indaga_index_stats(idx, &st);
  if (json) {
    printf("{\"type\":\"stats\",\"generation\":%llu,\"documents\":%llu,\"paragraphs\":%llu,"
           "\"terms\":%llu,\"segments\":%llu,\"bytes\":%llu}\n",
           (unsigned long long)st.generation, (unsigned long long)st.documents,
           (unsigned long long)st.paragraphs, (unsigned long long)st.terms,
           (unsigned long long)st.segments, (unsigned long long)st.bytes);
  } else {
    printf("index       %s\n", dir);
    printf("generation  %llu\n", (unsigned long long)st.generation);
    printf("documents   %llu\n", (unsigned long long)st.documents);
    printf("paragraphs  %llu\n", (unsigned long long)st.paragraphs);
    printf("terms       %llu\n", (unsigned long long)st.terms);
    printf("segments    %llu\n", (unsigned long long)st.segments);
    printf("bytes       %llu (%.1f MB)\n", (unsigned long long)st.bytes, (double)st.bytes / 1e6);
  }
  indaga_index_close(idx);
  return EXIT_OK;
}
