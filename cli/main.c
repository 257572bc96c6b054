/*
** main.c: `indaga COMMAND ...`, dispatch, top-level help and version.
*/
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

static const char usage[] =
  "usage: indaga COMMAND [OPTIONS] [ARGS]\n"
  "       indaga --version | -V\n"
  "       indaga --help | -h\n"
  "\n"
  "Full-text search for Spanish documents (UN letters, reports, resolutions).\n"
  "\n"
  "commands:\n"
  "  index   [--index DIR] [--full] [--prune | --add] [--dry-run] [--wait] [--threads N]\n"
  "          [--memory MB] [--json] PATH...     add, update and remove documents\n"
  "  search  [--index DIR] [-n K] [--offset N] [--group] [--context N] [--no-snippets]\n"
  "          [--color WHEN] [--json] QUERY...\n"
  "  search  [--index DIR] [-n K] [--json] --batch FILE   one query per line\n"
  "  show    [--index DIR] [--context N] [--json] DOC [PART [PARAGRAPH]]\n"
  "  analyze [--json] [--color WHEN] [TEXT...]          text (or stdin) -> tokens -> terms\n"
  "  stats   [--index DIR] [--json]\n"
  "  check   [--index DIR] [--json]                     verify every checksum and structure\n"
  "  compact [--index DIR] [--wait] [--json]            merge all segments into one\n"
  "  rollback [--index DIR] [--wait] [--json]           make the previous generation the newest\n"
  "  serve   [--index DIR] [--listen ADDR:PORT] [--threads N]\n"
  "                                  HTTP API and search page (127.0.0.1:8080)\n"
  "\n"
  "The index directory is --index DIR, else $INDAGA_INDEX, else ./.indaga.\n"
  "Options are parsed the getopt_long way: -n5 or -n 5, --limit=5 or --limit 5,\n"
  "-- ends the options. `indaga COMMAND --help` lists every option of a command.\n"
  "\n"
  "exit status:\n"
  "  0   success\n"
  "  1   search found nothing\n"
  "  2   error (the message on stderr names the file or index and what is wrong)\n"
  "  3   busy: another writer holds the index (without --wait)\n"
  "  4   refused: the PATHs differ from the index's roots (see index --help); nothing changed\n"
  "  5   committed with warnings: some files were skipped or kept at their previous version\n"
  "  64  usage: unknown option, bad value, missing argument\n"
  "With --json, errors and warnings are also JSON lines on stdout. See doc/CLI.md\n"
  "and indaga(1).\n"
  "\n"
  "environment:\n"
  "  INDAGA_INDEX  default index directory\n"
  "  NO_COLOR      when set and not empty, no colour with --color=auto\n";

static const struct {
  const char *name;
  int (*fn)(int, char **);
} commands[] = {
  { "index", cmd_index },     { "search", cmd_search }, { "show", cmd_show },
  { "analyze", cmd_analyze }, { "stats", cmd_stats },   { "check", cmd_check },
  { "compact", cmd_compact }, { "rollback", cmd_rollback },
  { "serve", cmd_serve },
};

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    fputs(usage, stdout);
    return EXIT_OK;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V") || !strcmp(cmd, "version")) {
    printf("indaga %s\n", indaga_libversion());
    return EXIT_OK;
  }
  /* A reader that goes away (`| head`) is a write error, reported, not a SIGPIPE death. */
  signal(SIGPIPE, SIG_IGN);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (strcmp(cmd, commands[i].name)) continue;
    int ex = commands[i].fn(argc - 1, argv + 1);
    if (fflush(stdout) != 0 || ferror(stdout)) {
      int err = errno;
      cli_set_json(0);   /* stdout is what failed */
      ex = cli_error("%s: cannot write the output: %s", cmd, strerror(err ? err : EIO));
    }
    return ex;
  }
  if (cmd[0] == '-') return cli_usage(NULL, "unknown option '%.200s'", cmd);
  return cli_usage(NULL, "unknown command '%.200s'", cmd);
}
