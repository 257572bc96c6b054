/*
** cmd_index.c: `indaga index [--index DIR] [--full] [--prune | --add]
** [--dry-run] [--wait] [--json] [--threads N] [--memory MB] PATH...`.
**
** Opens the index's writer (creating the index), brings it in line with all
** the PATHs together (indaga_writer_sync_many: documents under none of them
** are removed; with several directories each one's ids start with its
** name), and commits once. The index remembers its PATHs (its roots): other
** PATHs are refused (exit 4, nothing changed) unless --prune (they replace
** the roots) or --add (they join them). --dry-run lists what would be
** added, updated and removed and commits nothing. Warnings (skipped or
** repaired files) go to stderr, and with --json also as JSON lines before
** the summary. A progress bar is drawn on stderr only when stderr is a
** terminal.
**
** Exit 0; 5 when the commit succeeded but some files were skipped or kept
** at their previous version (indaga_sync_report.warnings; a repair such as
** invalid UTF-8 replaced is a warning too, but not a reason for 5); 4 when
** the PATHs differ from the roots; 3 when another writer holds the index;
** 2 on an error, with a message naming the file or index; 64 on a usage
** error.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"

enum { OPT_FULL = CLI_OPT_FIRST, OPT_THREADS, OPT_MEMORY, OPT_PRUNE, OPT_ADD, OPT_DRY_RUN, OPT_FOLLOW };

static const cli_option opts[] = {
  CLI_ROW_INDEX,
  { "full", 0, NULL, OPT_FULL, "rebuild from scratch instead of updating" },
  { "prune", 0, NULL, OPT_PRUNE, "the PATHs become the index's roots; documents under none of them are removed" },
  { "add", 0, NULL, OPT_ADD, "the PATHs join the index's roots (the run covers them all)" },
  { "dry-run", 0, NULL, OPT_DRY_RUN, "list what would be added, updated and removed; commit nothing" },
  CLI_ROW_WAIT,
  { "follow-symlinks", 0, NULL, OPT_FOLLOW, "follow symbolic links that stay inside the PATH (default: none)" },
  { "threads", 0, "N", OPT_THREADS, "analysis threads, 1 to 64 (default: one per core, at most 8)" },
  { "memory", 0, "MB", OPT_MEMORY, "memory budget before a segment is written (default 256; 0.5 allowed)" },
  CLI_ROW_JSON("JSON lines: warnings and errors, then one {\"type\":\"index\",...} summary"),
  CLI_ROW_HELP,
};

static const cli_command index_cmd = {
  "index",
  "usage: indaga index [--index DIR] [--full] [--prune | --add] [--dry-run] [--wait]\n"
  "                    [--follow-symlinks] [--threads N] [--memory MB] [--json] PATH...\n",
  "Add, update and remove documents so that the index matches the PATHs\n"
  "(directories, walked recursively for .txt, .md, .pdf, .docx, .odt, .html and\n"
  ".htm files, and single files).\n"
  "Unchanged files are skipped; documents that none of the PATHs yields (files\n"
  "gone, or under no PATH) are removed, whether the PATHs are directories or\n"
  "files. One commit per run; searches keep working while it runs.\n"
  "\n"
  "The index remembers its PATHs (its roots, as absolute paths). A run with\n"
  "other PATHs changes nothing and exits 4, naming both, unless --prune (the\n"
  "PATHs replace the roots) or --add (they join them). A PATH that does not\n"
  "exist is an error, never an empty tree. 'indaga rollback' undoes a run.\n"
  "Symbolic links below a PATH are not followed (with --follow-symlinks, only\n"
  "those that stay inside it); FIFOs and devices are skipped with a warning.\n"
  "A file or directory that cannot be read keeps what the index had of it.\n"
  "\n"
  "Document ids are paths relative to the directory (a file: its name). With\n"
  "several directories, each one's ids start with its name: 'un/carta.txt'.\n",
  opts, CLI_NOPTS(opts),
  "exit status: 0 success, 2 error, 3 busy (another writer holds the index),\n"
  "4 refused (the PATHs differ from the index's roots; nothing changed),\n"
  "5 committed with warnings (some files skipped or kept at their previous version)\n",
  0,
};

typedef struct index_ui {
  int progress;           /* draw a progress bar on stderr */
  int json;               /* --json: dry-run changes as JSON lines */
  double t0;              /* start, seconds */
  double last_draw;
  int drawn;
} index_ui;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void clear_bar(index_ui *ui) {
  if (ui->drawn) { fputs("\r\033[K", stderr); ui->drawn = 0; }
}

static void on_warning(void *ctx, const char *path, const char *message) {
  index_ui *ui = ctx;
  clear_bar(ui);
  cli_warning(path, "%s", message ? message : "");
}

static void on_progress(void *ctx, uint64_t files_done, uint64_t files_total,
                        uint64_t bytes_done, uint64_t bytes_total) {
  index_ui *ui = ctx;
  double t = now_s();
  if (files_done < files_total && t - ui->last_draw < 0.1) return;
  ui->last_draw = t;
  double el = t - ui->t0, mb = (double)bytes_done / 1e6, mbt = (double)bytes_total / 1e6;
  double rate = el > 0 ? mb / el : 0;
  double frac = bytes_total ? (double)bytes_done / (double)bytes_total
                            : files_total ? (double)files_done / (double)files_total : 1;
  int fill = (int)(frac * 24);
  char bar[25];
  for (int i = 0; i < 24; i++) bar[i] = i < fill ? '#' : '.';
  bar[24] = 0;
  double eta = rate > 0 ? (mbt - mb) / rate : 0;
  fprintf(stderr, "\r\033[K[%s] %llu/%llu files  %.1f/%.1f MB  %.1f MB/s  ETA %d:%02d", bar,
          (unsigned long long)files_done, (unsigned long long)files_total, mb, mbt, rate,
          (int)eta / 60, (int)eta % 60);
  fflush(stderr);
  ui->drawn = 1;
}

/* --dry-run: one line per document that would change. */
static void on_change(void *ctx, int kind, const char *doc) {
  index_ui *ui = ctx;
  static const char *const what[] = { "", "add", "update", "remove" };
  const char *k = kind >= 1 && kind <= 3 ? what[kind] : "change";
  clear_bar(ui);
  if (ui->json) {
    printf("{\"type\":\"change\",\"change\":\"%s\"", k);
    json_name(stdout, 1, "doc", doc);
    fputs("}\n", stdout);
  } else {
    printf("%-6s ", k);
    out_str(stdout, doc, CLI_NAME_MAX);
    putchar('\n');
  }
}

/* Parse the value of --memory: a size in MB (fractions allowed: 0.5). Returns 0 or EXIT_USAGE. */
static int parse_mb(const char *z, double *out) {
  char *end;
  double v = 0;
  if (z && *z && *z != '-' && *z != '+') {
    errno = 0;
    v = strtod(z, &end);
    if (!errno && !*end && v >= 1.0 / 16 && v <= 1048576) { *out = v; return 0; }
  }
  return cli_usage("index", "--memory needs a size in MB from 0.0625 to 1048576, not '%.64s'", z);
}

typedef struct index_args {
  const char *index;
  int full, wait, json, prune, add, dry_run, follow;
  long threads;
  double memory_mb;
  const char **paths;
  int npaths;
} index_args;

/* Parse the command line. Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, index_args *a) {
  cli_parser p;
  cli_parser_init(&p, &index_cmd, argc, argv);
  for (int o; (o = cli_next(&p)) != CLI_DONE;) {
    switch (o) {
    case CLI_EXIT: return p.status;
    case CLI_OPERAND: a->paths[a->npaths++] = p.arg; break;
    case CLI_OPT_INDEX:
      if (!*p.arg) return cli_usage("index", "--index needs a directory");
      a->index = p.arg;
      break;
    case CLI_OPT_JSON: a->json = 1; break;
    case CLI_OPT_WAIT: a->wait = 1; break;
    case OPT_FULL: a->full = 1; break;
    case OPT_PRUNE: a->prune = 1; break;
    case OPT_ADD: a->add = 1; break;
    case OPT_DRY_RUN: a->dry_run = 1; break;
    case OPT_FOLLOW: a->follow = 1; break;
    case OPT_THREADS:
      if (cli_value_long(&p, 1, 64, &a->threads)) return EXIT_USAGE;
      break;
    case OPT_MEMORY:
      if (parse_mb(p.arg, &a->memory_mb)) return EXIT_USAGE;
      break;
    default: return cli_usage("index", "unexpected option");
    }
  }
  if (a->npaths == 0) return cli_usage("index", "no PATH given");
  if (a->prune && a->add) return cli_usage("index", "--prune and --add exclude each other");
  return -1;
}

/*
** Check that each PATH is a file or a directory, so a typo is reported
** before the index is locked. Returns -1 to go on, else EXIT_ERR.
*/
static int check_paths(const index_args *a) {
  for (int i = 0; i < a->npaths; i++) {
    struct stat st;
    if (stat(a->paths[i], &st) != 0)
      return cli_fail(EXIT_ERR, a->paths[i], "%s: %s", a->paths[i], strerror(errno));
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
      return cli_fail(EXIT_ERR, a->paths[i], "%s: not a file or directory", a->paths[i]);
  }
  return -1;
}

/* The generation readers see now (0 when there is no index yet). */
static uint64_t current_generation(const char *dir) {
  indaga_index *idx = NULL;
  indaga_stats st = { 0 };
  if (indaga_index_open(&idx, dir, NULL, NULL) == INDAGA_OK) indaga_index_stats(idx, &st);
  indaga_index_close(idx);
  return st.generation;
}

static void print_summary(const index_args *a, const indaga_sync_report *r, uint64_t gen,
                          uint64_t prev_gen, uint64_t took_ms, const char *dir) {
  if (a->json) {
    printf("{\"type\":\"index\",\"added\":%llu,\"updated\":%llu,\"removed\":%llu,\"unchanged\":%llu,"
           "\"skipped\":%llu,\"paragraphs\":%llu,\"generation\":%llu,\"took_ms\":%llu%s}\n",
           (unsigned long long)r->added, (unsigned long long)r->updated,
           (unsigned long long)r->removed, (unsigned long long)r->unchanged,
           (unsigned long long)r->skipped, (unsigned long long)r->paragraphs,
           (unsigned long long)gen, (unsigned long long)took_ms, a->dry_run ? ",\"dry_run\":true" : "");
    return;
  }
  if (a->dry_run) fputs("dry run: ", stdout);
  out_str(stdout, dir, CLI_NAME_MAX);
  printf(": %llu added, %llu updated, %llu removed, %llu unchanged, %llu skipped; "
         "%llu paragraphs indexed\n",
         (unsigned long long)r->added, (unsigned long long)r->updated,
         (unsigned long long)r->removed, (unsigned long long)r->unchanged,
         (unsigned long long)r->skipped, (unsigned long long)r->paragraphs);
  if (a->dry_run)
    printf("nothing committed (dry run); generation %llu (%llu ms)\n", (unsigned long long)gen,
           (unsigned long long)took_ms);
  else if (gen == prev_gen)
    printf("nothing changed; generation %llu (%llu ms)\n", (unsigned long long)gen,
           (unsigned long long)took_ms);
  else
    printf("committed generation %llu (%llu ms)\n", (unsigned long long)gen,
           (unsigned long long)took_ms);
}

int cmd_index(int argc, char **argv) {
  index_args a = { 0 };
  a.paths = calloc((size_t)argc + 1, sizeof *a.paths);
  if (!a.paths) return cli_error("index: out of memory");
  int ex = parse_args(argc, argv, &a);
  if (ex < 0) ex = check_paths(&a);
  if (ex >= 0) { free(a.paths); return ex; }
  const char *dir = cli_index_dir(a.index);
  index_ui ui = { 0 };
  ui.t0 = now_s();
  ui.progress = isatty(fileno(stderr)) && !a.dry_run;
  ui.json = a.json;
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.flags = (a.full ? INDAGA_WRITER_FULL : 0) | (a.wait ? INDAGA_WRITER_WAIT : 0) |
            (a.prune ? INDAGA_WRITER_PRUNE : 0) | (a.add ? INDAGA_WRITER_ADD : 0) |
            (a.dry_run ? INDAGA_WRITER_DRY_RUN : 0) | (a.follow ? INDAGA_WRITER_FOLLOW_SYMLINKS : 0);
  o.on_change = on_change;
  o.memory_budget = (size_t)(a.memory_mb * 1048576.0);
  o.threads = (unsigned)a.threads;
  o.on_warning = on_warning;
  o.on_progress = ui.progress ? on_progress : NULL;
  o.ctx = &ui;
  indaga_writer *w = NULL;
  char *err = NULL;
  uint64_t prev_gen = current_generation(dir);
  int rc = indaga_writer_open(&w, dir, &o, &err);
  if (rc == INDAGA_EVERSION && !(o.flags & INDAGA_WRITER_FULL)) {
    /* An index of another format version (segments of version 2 before
       large files were indexed in pieces): it mirrors the tree, so it is
       rebuilt from it, as 'indaga index --full' would. */
    cli_warning(dir, "%s; rebuilding the index in full in this version's format",
                err ? err : indaga_strerror(rc));
    indaga_free(err);
    err = NULL;
    o.flags |= INDAGA_WRITER_FULL;
    rc = indaga_writer_open(&w, dir, &o, &err);
  }
  if (rc) {
    ex = cli_fail(cli_status(rc), dir, "%s%s", err ? err : indaga_strerror(rc),
                  rc == INDAGA_EBUSY ? " (use --wait to wait for it)" : "");
    indaga_free(err);
    free(a.paths);
    return ex;
  }
  indaga_sync_report total = { 0 };
  rc = indaga_writer_sync_many(w, (const char *const *)a.paths, (size_t)a.npaths, &total);
  uint64_t gen = 0;
  if (rc == INDAGA_OK) rc = indaga_writer_commit(w, &gen);
  clear_bar(&ui);
  if (rc == INDAGA_EREFUSED) {
    const char *m = indaga_writer_errmsg(w);
    ex = cli_fail(EXIT_REFUSED, dir, "%s (--prune: these PATHs become the roots and the documents "
                  "outside them are removed; --add: they join the roots; with --dry-run, what either would do)",
                  m ? m : indaga_strerror(rc));
  } else if (rc) {
    const char *m = indaga_writer_errmsg(w);
    ex = cli_fail(cli_status(rc), NULL, "%s (the index is unchanged)", m ? m : indaga_strerror(rc));
  } else {
    print_summary(&a, &total, gen, prev_gen, (uint64_t)((now_s() - ui.t0) * 1000), dir);
    ex = total.warnings ? EXIT_WARNINGS : EXIT_OK;   /* skipped or kept; not repairs */
  }
  indaga_writer_close(w);
  free(a.paths);
  return ex;
}
