/*
** cmd_compact.c: `indaga compact [--index DIR] [--wait] [--json]`: merge
** every segment into one, dropping deleted documents, in one commit
** (indaga_writer_compact). Exit 0; 3 when another writer holds the index;
** 2 on another error, with a message naming the index.
*/
#include <string.h>
#include "cli/cli.h"

static const cli_option opts[] = {
  CLI_ROW_INDEX,
  CLI_ROW_WAIT,
  CLI_ROW_JSON("one JSON line {\"type\":\"compact\",...}; errors as JSON lines too"),
  CLI_ROW_HELP,
};

static const cli_command compact_cmd = {
  "compact",
  "usage: indaga compact [--index DIR] [--wait] [--json]\n",
  "Merge all segments of the index into one, dropping deleted documents.\n"
  "Searches keep working while it runs.\n",
  opts, CLI_NOPTS(opts),
  "exit status: 0 success, 2 error, 3 busy (another writer holds the index)\n",
  0,
};

int cmd_compact(int argc, char **argv) {
  cli_common a = { 0 };
  int ex = cli_parse_common(&compact_cmd, argc, argv, &a);
  if (ex >= 0) return ex;
  const char *dir = cli_index_dir(a.index);
  indaga_writer *w = cli_open_writer(dir, a.wait, NULL, &ex);
  if (!w) return ex;
  uint64_t gen = 0;
  int rc = indaga_writer_compact(w, &gen);
  if (rc) return cli_writer_fail(w, dir, rc);
  indaga_writer_close(w);
  indaga_stats st = cli_stats_now(dir);
  if (a.json) {
    printf("{\"type\":\"compact\",\"generation\":%llu,\"segments\":%llu,\"documents\":%llu,"
           "\"paragraphs\":%llu,\"bytes\":%llu}\n",
           (unsigned long long)gen, (unsigned long long)st.segments,
           (unsigned long long)st.documents, (unsigned long long)st.paragraphs,
           (unsigned long long)st.bytes);
  } else {
    out_str(stdout, dir, CLI_NAME_MAX);
    printf(": compacted into %llu segment%s; generation %llu\n", (unsigned long long)st.segments,
           st.segments == 1 ? "" : "s", (unsigned long long)gen);
  }
  return EXIT_OK;
}
