/*
** cli.h: shared pieces of the `indaga` command. The command is built on the
** public API (include/indaga.h) alone; nothing here includes internal headers.
**
** Exit codes (CLI.md): 0 success; 1 `search` found nothing; 2 any error.
*/
#ifndef INDAGA_CLI_H
#define INDAGA_CLI_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include "indaga.h"

#define EXIT_OK     0
#define EXIT_NOHITS 1
#define EXIT_ERR    2

/* Each command: argv[0] is the command name. Returns the exit code. */
int cmd_index(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compact(int argc, char **argv);

/* The index directory: --index value if given, else $INDAGA_INDEX, else ./.indaga. */
const char *cli_index_dir(const char *flag);

/* Print "no index at DIR; run 'indaga index PATH' first" and return EXIT_ERR. */
int cli_no_index(const char *dir);

/*
** Open the index at @dir for a command. On failure print the message every
** command prints (no index yet, or "<what>: <the library's message>") and
** return NULL.
*/
indaga_index *cli_open_index(const char *dir, const char *what);

/*
** The options of a command that takes only --index DIR and --json (stats,
** check): parse argv into *index and *json. Returns -1 to go on, or the exit
** code when the command is done (--help printed, or a usage error reported).
*/
int cli_index_options(const char *cmd, const char *usage, int argc, char **argv,
                      const char **index, int *json);

/* 1 when colour may be used on @f: a terminal and NO_COLOR unset (or empty). */
int cli_color(FILE *f);

/* Print an error "indaga: <fmt>" to stderr and return EXIT_ERR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write p[0..n) as a JSON string literal (with quotes); NULL prints null. */
void json_str(FILE *f, const char *p, size_t n);
void json_strz(FILE *f, const char *z);

/*
** Read a whole stream (stdin for analyze) into a malloc'd buffer.
** Returns 0 or -1 (errno set).
*/
int cli_read_stream(FILE *in, char **out, size_t *n);

/* Common long options every command accepts: --help, --index DIR, --json. */
#define CLI_HELP_EXIT(usage) do { fputs(usage, stdout); return EXIT_OK; } while (0)

#endif /* INDAGA_CLI_H */
