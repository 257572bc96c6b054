/*
** cmd_stats.c: `indaga stats [--index DIR] [--json]`: the figures of the
** newest generation (indaga_index_stats). Exit 0, or 2 with a message naming
** the index.
*/
#include <string.h>
#include "cli/cli.h"

static const cli_option opts[] = {
  CLI_ROW_INDEX,
  CLI_ROW_JSON("one JSON line {\"type\":\"stats\",...}; errors as JSON lines too"),
  CLI_ROW_HELP,
};

static const cli_command stats_cmd = {
  "stats",
  "usage: indaga stats [--index DIR] [--json]\n",
  "Print the newest generation of the index: documents, paragraphs, distinct\n"
  "terms, segments and bytes on disk.\n",
  opts, CLI_NOPTS(opts),
  "exit status: 0 success, 2 error (no index, corrupt index)\n",
  0,
};

int cmd_stats(int argc, char **argv) {
  cli_common a = { 0 };
  int ex = cli_parse_common(&stats_cmd, argc, argv, &a);
  if (ex >= 0) return ex;
  const char *dir = cli_index_dir(a.index);
  indaga_index *idx = cli_open_index(dir, "stats", &ex);
  if (!idx) return ex;
  indaga_stats st;
  indaga_index_stats(idx, &st);
  if (a.json) {
    fputs("{\"type\":\"stats\",", stdout);
    json_stats(stdout, &st);
    fputs(",\"roots\":[", stdout);
    for (size_t i = 0; i < indaga_index_root_count(idx); i++) {
      if (i) putchar(',');
      json_strz(stdout, indaga_index_root(idx, i));
    }
    fputs("]}\n", stdout);
  } else {
    fputs("index       ", stdout);
    out_str(stdout, dir, CLI_NAME_MAX);
    putchar('\n');
    printf("generation  %llu\n", (unsigned long long)st.generation);
    printf("documents   %llu\n", (unsigned long long)st.documents);
    printf("paragraphs  %llu\n", (unsigned long long)st.paragraphs);
    printf("terms       %llu\n", (unsigned long long)st.terms);
    printf("segments    %llu\n", (unsigned long long)st.segments);
    printf("bytes       %llu (%.1f MB)\n", (unsigned long long)st.bytes, (double)st.bytes / 1e6);
    for (size_t i = 0; i < indaga_index_root_count(idx); i++) {
      fputs(i ? "            " : "roots       ", stdout);
      out_str(stdout, indaga_index_root(idx, i), CLI_NAME_MAX);
      putchar('\n');
    }
  }
  indaga_index_close(idx);
  return EXIT_OK;
}
