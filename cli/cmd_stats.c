/* cmd_stats.c: `indaga stats` (being built; see issues). */
#include "cli/cli.h"

int cmd_stats(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_error("'stats' is not available in this build yet");
}
