/* cmd_search.c: `indaga search` (being built; see issues). */
#include "cli/cli.h"

int cmd_search(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_error("'search' is not available in this build yet");
}
