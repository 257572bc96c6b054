/* cmd_check.c: `indaga check` (being built; see issues). */
#include "cli/cli.h"

int cmd_check(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_error("'check' is not available in this build yet");
}
