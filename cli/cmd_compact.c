/* cmd_compact.c: `indaga compact` (being built; see issues). */
#include "cli/cli.h"

int cmd_compact(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_error("'compact' is not available in this build yet");
}
