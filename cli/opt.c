/*
** opt.c: the getopt_long-style parser and the generated --help (opt.h).
*/
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

void cli_parser_init(cli_parser *p, const cli_command *cmd, int argc, char **argv) {
  memset(p, 0, sizeof *p);
  p->cmd = cmd;
  p->argc = argc;
  p->argv = argv;
  p->i = 1;
  for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
    if (!strcmp(argv[i], "--json")) cli_set_json(1);
}

int cli_usage(const char *cmd, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (cmd) return cli_fail(EXIT_USAGE, NULL, "%s: %s (try 'indaga %s --help')", cmd, msg, cmd);
  return cli_fail(EXIT_USAGE, NULL, "%s (try 'indaga --help')", msg);
}

/* Report a usage error while parsing; returns CLI_EXIT. */
static int bad(cli_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(cli_parser *p, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  p->status = cli_usage(p->cmd->name, "%s", msg);
  return CLI_EXIT;
}

/* The option is found: act on --help and --json, else hand it to the command. */
static int found(cli_parser *p, const cli_option *o) {
  p->opt = o;
  if (o->id == CLI_OPT_HELP) {
    cli_help(p->cmd);
    p->status = EXIT_OK;
    return CLI_EXIT;
  }
  if (o->id == CLI_OPT_JSON) cli_set_json(1);
  return o->id;
}

static const cli_option *find_short(const cli_command *c, int ch) {
  for (size_t k = 0; k < c->nopts; k++)
    if (c->opts[k].short_name == ch) return &c->opts[k];
  return NULL;
}

/* The option named @s[0..n) exactly, or NULL. */
static const cli_option *find_long(const cli_command *c, const char *s, size_t n) {
  for (size_t k = 0; k < c->nopts; k++)
    if (c->opts[k].name && !strncmp(c->opts[k].name, s, n) && c->opts[k].name[n] == 0) return &c->opts[k];
  return NULL;
}

/*
** "--name[=value]" at @s (after the dashes): an exact name; else a
** one-letter name that is a short option ("--n=5" is "-n 5"); else the one
** option the name is a prefix of.
*/
static int long_option(cli_parser *p, const char *s) {
  const char *eq = strchr(s, '=');
  size_t n = eq ? (size_t)(eq - s) : strlen(s);
  const cli_option *hit = find_long(p->cmd, s, n);
  if (!hit && n == 1) hit = find_short(p->cmd, (unsigned char)s[0]);
  const cli_option *prefix_of = NULL;
  int nprefix = 0;
  for (size_t k = 0; k < p->cmd->nopts; k++) {
    const cli_option *o = &p->cmd->opts[k];
    if (o->name && n && !strncmp(o->name, s, n)) { prefix_of = o; nprefix++; }
  }
  if (!hit && nprefix == 1) hit = prefix_of;
  if (!hit && nprefix == 0) return bad(p, "unknown option '--%.*s'", (int)(n > 200 ? 200 : n), s);
  if (!hit) {
    char names[512] = "";
    for (size_t k = 0; k < p->cmd->nopts; k++) {
      const cli_option *o = &p->cmd->opts[k];
      if (!o->name || strncmp(o->name, s, n)) continue;
      size_t used = strlen(names);
      snprintf(names + used, sizeof names - used, "%s--%s", used ? ", " : "", o->name);
    }
    return bad(p, "option '--%.*s' is ambiguous (%s)", (int)(n > 200 ? 200 : n), s, names);
  }
  p->spelled = hit->name;
  char name[80];
  if (hit->name) snprintf(name, sizeof name, "--%s", hit->name);
  else snprintf(name, sizeof name, "-%c", hit->short_name);
  if (hit->arg) {
    if (eq) p->arg = eq + 1;
    else if (p->i < p->argc) p->arg = p->argv[p->i++];
    else return bad(p, "option '%s' needs a value (%s)", name, hit->arg);
  } else if (eq) {
    return bad(p, "option '%s' takes no value", name);
  }
  return found(p, hit);
}

/* The next short flag of the bundle p->bundle. */
static int short_option(cli_parser *p) {
  int ch = (unsigned char)*p->bundle++;
  const cli_option *o = find_short(p->cmd, ch);
  if (!o) {
    if (ch >= 0x20 && ch < 0x7f) return bad(p, "unknown option '-%c'", ch);
    return bad(p, "unknown option (byte 0x%02x after '-')", (unsigned)ch);
  }
  p->spelled = NULL;
  if (o->arg) {
    if (*p->bundle) p->arg = p->bundle;
    else if (p->i < p->argc) p->arg = p->argv[p->i++];
    else { p->bundle = NULL; return bad(p, "option '-%c' needs a value (%s)", ch, o->arg); }
    p->bundle = NULL;
  } else if (!*p->bundle) {
    p->bundle = NULL;
  }
  return found(p, o);
}

int cli_next(cli_parser *p) {
  p->arg = NULL;
  p->opt = NULL;
  if (p->bundle) return short_option(p);
  if (p->i >= p->argc) return CLI_DONE;
  const char *s = p->argv[p->i++];
  if (p->operands_only || s[0] != '-' || s[1] == 0) { p->arg = s; return CLI_OPERAND; }
  if (s[1] == '-') {
    if (s[2] == 0) {
      p->operands_only = 1;
      return cli_next(p);
    }
    return long_option(p, s + 2);
  }
  /*
  ** With CLI_DASH_WORDS (search: "-word" excludes a word), "-x..." is an
  ** option only when it is a short option alone ("-n", "-h") or one that
  ** takes a value followed by a digit ("-n5"); any other "-word" is an
  ** operand.
  */
  if (p->cmd->flags & CLI_DASH_WORDS) {
    const cli_option *o = find_short(p->cmd, (unsigned char)s[1]);
    if (!o || (s[2] && !(o->arg && s[2] >= '0' && s[2] <= '9'))) {
      p->arg = s;
      return CLI_OPERAND;
    }
  }
  p->bundle = s + 1;
  return short_option(p);
}

/* The option's name as written, for messages: "--limit" or "-n". */
static void spelled(const cli_parser *p, char *out, size_t cap) {
  if (p->spelled) snprintf(out, cap, "--%s", p->spelled);
  else snprintf(out, cap, "-%c", p->opt ? p->opt->short_name : '?');
}

int cli_value_long(cli_parser *p, long lo, long hi, long *out) {
  const char *z = p->arg;
  char *end = NULL;
  long v = 0;
  int ok = z && *z && *z != '+' && (*z != '-' || lo < 0);
  if (ok) {
    errno = 0;
    v = strtol(z, &end, 10);
    ok = !errno && !*end && v >= lo && v <= hi;
  }
  if (ok) { *out = v; return 0; }
  char name[80];
  spelled(p, name, sizeof name);
  return cli_usage(p->cmd->name, "%s needs a number from %ld to %ld, not '%.64s'", name, lo, hi,
                   z ? z : "");
}

int cli_value_color(cli_parser *p, int *mode) {
  static const char *const names[] = { "auto", "always", "never" };
  for (int k = 0; k < 3; k++)
    if (!strcmp(p->arg, names[k])) { *mode = k; return 0; }
  return cli_usage(p->cmd->name, "--color needs auto, always or never, not '%.64s'", p->arg);
}

int cli_parse_common(const cli_command *cmd, int argc, char **argv, cli_common *out) {
  cli_parser p;
  cli_parser_init(&p, cmd, argc, argv);
  for (int o; (o = cli_next(&p)) != CLI_DONE;) {
    switch (o) {
    case CLI_EXIT: return p.status;
    case CLI_OPT_INDEX: out->index = p.arg; break;
    case CLI_OPT_JSON: out->json = 1; break;
    case CLI_OPT_WAIT: out->wait = 1; break;
    default: return cli_usage(cmd->name, "unexpected argument '%.200s'", p.arg ? p.arg : "");
    }
  }
  return -1;
}

void cli_help(const cli_command *c) {
  fputs(c->synopsis, stdout);
  fputs("\n", stdout);
  fputs(c->about, stdout);
  fputs("\noptions:\n", stdout);
  for (size_t k = 0; k < c->nopts; k++) {
    const cli_option *o = &c->opts[k];
    char left[80];
    int n = 0;
    if (o->short_name && o->name) n = snprintf(left, sizeof left, "-%c, --%s", o->short_name, o->name);
    else if (o->short_name) n = snprintf(left, sizeof left, "-%c", o->short_name);
    else n = snprintf(left, sizeof left, "    --%s", o->name);
    if (o->arg && n >= 0 && (size_t)n < sizeof left)
      snprintf(left + n, sizeof left - (size_t)n, " %s", o->arg);
    printf("  %-22s %s\n", left, o->help);
  }
  fputs("\n", stdout);
  fputs(c->exits, stdout);
  fputs("64 usage error (unknown option, bad value, missing argument). With --json, errors\n"
        "and warnings are also JSON lines on stdout. See doc/CLI.md and indaga(1).\n", stdout);
}
