/*
** opt.h: the option parser every command of `indaga` shares (doc/CLI.md).
**
** A command describes itself once, in a cli_command: its synopsis, what it
** does, and a table of options (cli_option). The same table drives the
** parser and the option list of `indaga COMMAND --help`, so the help names
** every flag that exists. Adding a flag is one table row and one case in
** the command's loop.
**
** Parsing is the getopt_long way: "-n5" and "-n 5", "--limit=5" and
** "--limit 5", an unambiguous prefix of a long name ("--lim 5"), a short
** option as a one-letter long one ("--n=5"), short flags bundled ("-hn5"),
** options and operands in any order, and "--" ends the options. An unknown option, a missing or unwanted value, or an
** ambiguous prefix is reported on stderr (and as a JSON error line with
** --json) and the command exits EXIT_USAGE (64).
*/
#ifndef INDAGA_CLI_OPT_H
#define INDAGA_CLI_OPT_H

#include <stddef.h>

/* Option ids every command shares; a command numbers its own from CLI_OPT_FIRST. */
enum {
  CLI_OPT_HELP = 1,    /* --help, -h: handled by the parser (prints the help) */
  CLI_OPT_INDEX,       /* --index DIR */
  CLI_OPT_JSON,        /* --json: also switches error and warning lines to JSON */
  CLI_OPT_WAIT,        /* --wait */
  CLI_OPT_COLOR,       /* --color WHEN */
  CLI_OPT_FIRST = 32
};

typedef struct cli_option {
  const char *name;    /* long name without "--", or NULL */
  int short_name;      /* the letter of "-x", or 0 */
  const char *arg;     /* the value's name in the help ("DIR") when it takes one, else NULL */
  int id;              /* what cli_next returns for it */
  const char *help;    /* its line in --help */
} cli_option;

/* Rows every command's table may hold. */
#define CLI_ROW_HELP  { "help", 'h', NULL, CLI_OPT_HELP, "print this help and exit" }
#define CLI_ROW_INDEX { "index", 0, "DIR", CLI_OPT_INDEX, \
                        "the index directory (default $INDAGA_INDEX, else ./.indaga)" }
#define CLI_ROW_JSON(what) { "json", 0, NULL, CLI_OPT_JSON, what }
#define CLI_ROW_WAIT  { "wait", 0, NULL, CLI_OPT_WAIT, \
                        "wait for another writer to finish instead of exiting 3 (busy)" }
#define CLI_ROW_COLOR { "color", 0, "WHEN", CLI_OPT_COLOR, \
                        "colour: auto (a terminal, NO_COLOR unset; default), always, never" }

/* Command flags. */
#define CLI_DASH_WORDS 0x1u  /* "-word" is an operand unless it is "-x" or "-x<digit>..." (search exclusions) */

typedef struct cli_command {
  const char *name;        /* "search" */
  const char *synopsis;    /* the "usage:" lines, each ending in "\n" */
  const char *about;       /* what the command does, paragraphs ending in "\n" */
  const cli_option *opts;
  size_t nopts;
  const char *exits;       /* the command's exit statuses, lines ending in "\n" */
  unsigned flags;
} cli_command;

#define CLI_NOPTS(table) (sizeof(table) / sizeof((table)[0]))

/* What cli_next returns besides an option id. */
#define CLI_DONE     (-1)  /* no more arguments */
#define CLI_EXIT     (-2)  /* stop: exit with p->status (help printed: 0; usage error: 64) */
#define CLI_OPERAND  0     /* an operand, in p->arg */

typedef struct cli_parser {
  const cli_command *cmd;
  int argc;
  char **argv;
  int i;                   /* next argv element */
  const char *bundle;      /* rest of a bundle of short flags ("-hn5" after -h: "n5") */
  int operands_only;       /* after "--" */
  const char *arg;         /* the option's value, or the operand */
  const cli_option *opt;   /* the option cli_next returned */
  const char *spelled;     /* how the user wrote it ("-n", "--limit"), for messages */
  int status;              /* exit status when CLI_EXIT */
} cli_parser;

/*
** Start parsing argv[1..argc) for command @cmd (argv[0] is the command's
** name). Turns JSON error lines on when "--json" is among the options, so
** that even a usage error before it comes out as JSON.
*/
void cli_parser_init(cli_parser *p, const cli_command *cmd, int argc, char **argv);

/*
** The next option (its id; p->arg holds its value when it takes one),
** CLI_OPERAND (p->arg), CLI_DONE, or CLI_EXIT (p->status: --help printed,
** or a usage error reported). --json switches JSON error lines on.
*/
int cli_next(cli_parser *p);

/*
** The whole command line of a command whose options are only shared ones
** (CLI_OPT_INDEX, CLI_OPT_JSON, CLI_OPT_WAIT) and that takes no operand
** (stats, check, compact). Returns -1 to go on, else the exit status.
*/
typedef struct cli_common {
  const char *index;   /* --index DIR, or NULL */
  int json, wait;
} cli_common;
int cli_parse_common(const cli_command *cmd, int argc, char **argv, cli_common *out);

/* Print @cmd's complete help (synopsis, about, every option, exit statuses) to stdout. */
void cli_help(const cli_command *cmd);

/*
** Parse the value of the option just returned as a whole number from @lo
** to @hi. Returns 0, or EXIT_USAGE after reporting "--name needs a number
** from lo to hi, not 'x'".
*/
int cli_value_long(cli_parser *p, long lo, long hi, long *out);

/* Parse p->arg as auto|always|never into a CLI_COLOR_* mode. Returns 0 or EXIT_USAGE. */
int cli_value_color(cli_parser *p, int *mode);

/* Report a usage error of @cmd ("indaga: CMD: message" and a hint) and return EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* INDAGA_CLI_OPT_H */
