/*
** main.c: `indaga COMMAND ...`, dispatch and top-level help.
*/
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

static const char usage[] =
  "usage: indaga COMMAND [OPTIONS] [ARGS]\n"
  "\n"
  "Full-text search for Spanish documents (UN letters, reports, resolutions).\n"
  "\n"
  "commands:\n"
  "  index   [--index DIR] [--full] [--wait] [--json] PATH...  add, update and remove documents\n"
  "  search  [--index DIR] [-n K] [--group] [--context N] [--json] QUERY...\n"
  "  search  [--index DIR] [-n K] --batch FILE [--json]         one query per line\n"
  "  show    [--index DIR] [--context N] [--json] DOC [PART [PARAGRAPH]]\n"
  "  analyze [--json] [TEXT...]                                 text (or stdin) -> tokens -> terms\n"
  "  stats   [--index DIR] [--json]\n"
  "  check   [--index DIR] [--json]                             verify every checksum and structure\n"
  "  compact [--index DIR]                                      merge all segments into one\n"
  "\n"
  "The index directory is --index DIR, else $INDAGA_INDEX, else ./.indaga.\n"
  "`indaga COMMAND --help` describes each command.\n"
  "\n"
  "exit status:\n"
  "  0  success\n"
  "  1  search found nothing\n"
  "  2  error (the message on stderr names the file or index and what is wrong)\n"
  "\n"
  "environment:\n"
  "  INDAGA_INDEX  default index directory\n"
  "  NO_COLOR      when set, never colour the output\n";

static const struct {
  const char *name;
  int (*fn)(int, char **);
} commands[] = {
  { "index", cmd_index },     { "search", cmd_search }, { "show", cmd_show },
  { "analyze", cmd_analyze }, { "stats", cmd_stats },   { "check", cmd_check },
  { "compact", cmd_compact },
};

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage, stderr);
    return EXIT_ERR;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    fputs(usage, stdout);
    return EXIT_OK;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
    printf("indaga %s\n", indaga_libversion());
    return EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(cmd, commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  return cli_error("unknown command '%s' (try 'indaga --help')", cmd);
}
