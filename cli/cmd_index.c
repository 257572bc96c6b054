/* cmd_index.c: `indaga index` (being built; see issues). */
#include "cli/cli.h"

int cmd_index(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_error("'index' is not available in this build yet");
}
