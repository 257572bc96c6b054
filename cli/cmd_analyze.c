/* cmd_analyze.c: `indaga analyze` (being built; see issues). */
#include "cli/cli.h"

int cmd_analyze(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_error("'analyze' is not available in this build yet");
}
