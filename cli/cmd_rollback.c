/*
** cmd_rollback.c: `indaga rollback [--index DIR] [--wait] [--json]`: make
** the previous generation the newest again (indaga_writer_rollback): a new
** generation with the previous one's documents and roots. The generation
** rolled back from becomes the previous one, so a second rollback undoes
** the first. Exit 0; 2 when there is no previous generation (the first,
** or one made by compact or index --full) or another error; 3 when another
** writer holds the index.
*/
#include <string.h>
#include "cli/cli.h"

static const cli_option opts[] = {
  CLI_ROW_INDEX,
  CLI_ROW_WAIT,
  CLI_ROW_JSON("one JSON line {\"type\":\"rollback\",...}; errors as JSON lines too"),
  CLI_ROW_HELP,
};

static const cli_command rollback_cmd = {
  "rollback",
  "usage: indaga rollback [--index DIR] [--wait] [--json]\n",
  "Make the previous generation of the index the newest again: its documents\n"
  "and its roots (the PATHs of 'indaga index') come back, as a new generation.\n"
  "The previous generation is kept until the next successful commit after it;\n"
  "rolling back twice returns to where it started. 'indaga compact' and\n"
  "'indaga index --full' keep no previous generation.\n",
  opts, CLI_NOPTS(opts),
  "exit status: 0 success, 2 error (no previous generation kept, or it is damaged),\n"
  "3 busy (another writer holds the index)\n",
  0,
};

int cmd_rollback(int argc, char **argv) {
  cli_common a = { 0 };
  int ex = cli_parse_common(&rollback_cmd, argc, argv, &a);
  if (ex >= 0) return ex;
  const char *dir = cli_index_dir(a.index);
  uint64_t from = 0;
  indaga_writer *w = cli_open_writer(dir, a.wait, &from, &ex);
  if (!w) return ex;
  uint64_t gen = 0;
  int rc = indaga_writer_rollback(w, &gen);
  if (rc) return cli_writer_fail(w, dir, rc);
  indaga_writer_close(w);
  indaga_stats st = cli_stats_now(dir);
  if (a.json) {
    printf("{\"type\":\"rollback\",\"generation\":%llu,\"from\":%llu,\"documents\":%llu,"
           "\"paragraphs\":%llu}\n",
           (unsigned long long)gen, (unsigned long long)from, (unsigned long long)st.documents,
           (unsigned long long)st.paragraphs);
  } else {
    out_str(stdout, dir, CLI_NAME_MAX);
    printf(": rolled back from generation %llu; generation %llu holds the previous one's "
           "%llu documents\n", (unsigned long long)from, (unsigned long long)gen,
           (unsigned long long)st.documents);
  }
  return EXIT_OK;
}
