/* cmd_show.c: `indaga show` (being built; see issues). */
#include "cli/cli.h"

int cmd_show(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_error("'show' is not available in this build yet");
}
