/*
** cmd_index.c: `indaga index [--index DIR] [--full] [--wait] [--json]
** [--threads N] [--memory MB] PATH...`.
**
** Opens the index's writer (creating the index), brings it in line with all
** the PATHs together (indaga_writer_sync_many: documents under none of them
** are removed; with several directories each one's ids start with its
** name), and commits once. Warnings (skipped or repaired files)
** go to stderr, or as JSON lines before the summary with --json. A progress
** bar is drawn on stderr only when stderr is a terminal.
**
** Exit 0, or 2 with a message naming the file or index (EXIT_ERR).
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"

static const char usage[] =
  "usage: indaga index [--index DIR] [--full] [--wait] [--json] [--threads N] [--memory MB] PATH...\n"
  "\n"
  "Add, update and remove documents so that the index matches the PATHs\n"
  "(directories, walked recursively for .txt and .md files, and single files).\n"
  "Unchanged files are skipped; documents whose files are gone are removed.\n"
  "One commit per run; searches keep working while it runs.\n"
  "\n"
  "options:\n"
  "  --index DIR    the index directory (default $INDAGA_INDEX, else ./.indaga)\n"
  "  --full         rebuild from scratch instead of updating\n"
  "  --wait         wait for another writer to finish instead of failing\n"
  "  --json         print JSON lines (warnings, then one summary)\n"
  "  --threads N    analysis threads (default: one per core, at most 8)\n"
  "  --memory MB    memory budget before a segment is written (default 256; 0.5 allowed)\n"
  "  --help         this text\n"
  "\n"
  "Document ids are paths relative to the directory (a file: its name). With\n"
  "several directories, each one's ids start with its name: 'un/carta.txt'.\n"
  "exit status: 0 success, 2 error\n";

typedef struct index_ui {
  int json;
  int progress;           /* draw a progress bar on stderr */
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
  if (ui->json) {
    fputs("{\"type\":\"warning\",\"path\":", stdout);
    json_strz(stdout, path);
    fputs(",\"message\":", stdout);
    json_strz(stdout, message);
    fputs("}\n", stdout);
  } else {
    fprintf(stderr, "indaga: warning: %s: %s\n", path, message);
  }
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

/* Parse a positive size in MB (fractions allowed: 0.5). 0 when @z is not one. */
static int parse_mb(const char *z, double *out) {
  char *end;
  if (!z || !*z || *z == '-') return 0;
  errno = 0;
  double v = strtod(z, &end);
  if (errno || *end || !(v >= 1.0 / 16) || v > 1048576) return 0;
  *out = v;
  return 1;
}

/* Parse a positive integer option value. 0 when @z is not one. */
static int parse_count(const char *z, unsigned long *out) {
  char *end;
  if (!z || !*z || *z == '-') return 0;
  errno = 0;
  unsigned long v = strtoul(z, &end, 10);
  if (errno || *end || v == 0) return 0;
  *out = v;
  return 1;
}

/* Value of option argv[*i] ("--x V" or "--x=V"); NULL when missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (*i + 1 >= argc) return NULL;
  return argv[++*i];
}

static int is_opt(const char *arg, const char *name) {
  size_t n = strlen(name);
  return !strncmp(arg, name, n) && (arg[n] == 0 || arg[n] == '=');
}

typedef struct index_args {
  const char *index;
  int full, wait, json;
  unsigned long threads;
  double memory_mb;
  const char **paths;
  int npaths;
} index_args;

/* Parse the command line. Returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, index_args *a) {
  int only_paths = 0;
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (only_paths || s[0] != '-' || !s[1]) { a->paths[a->npaths++] = s; continue; }
    if (!strcmp(s, "--")) { only_paths = 1; continue; }
    if (!strcmp(s, "--help") || !strcmp(s, "-h")) CLI_HELP_EXIT(usage);
    if (!strcmp(s, "--full")) { a->full = 1; continue; }
    if (!strcmp(s, "--wait")) { a->wait = 1; continue; }
    if (!strcmp(s, "--json")) { a->json = 1; continue; }
    if (is_opt(s, "--index")) {
      if (!(a->index = opt_value(argc, argv, &i, "--index")) || !*a->index)
        return cli_error("index: --index needs a directory");
      continue;
    }
    if (is_opt(s, "--threads")) {
      if (!parse_count(opt_value(argc, argv, &i, "--threads"), &a->threads) || a->threads > 64)
        return cli_error("index: --threads needs a number from 1 to 64");
      continue;
    }
    if (is_opt(s, "--memory")) {
      if (!parse_mb(opt_value(argc, argv, &i, "--memory"), &a->memory_mb))
        return cli_error("index: --memory needs a size in MB (0.0625 to 1048576)");
      continue;
    }
    return cli_error("index: unknown option '%s' (try 'indaga index --help')", s);
  }
  if (a->npaths == 0) return cli_error("index: no PATH given (try 'indaga index --help')");
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
      return cli_error("%s: %s", a->paths[i], strerror(errno));
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
      return cli_error("%s: not a file or directory", a->paths[i]);
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
           "\"skipped\":%llu,\"paragraphs\":%llu,\"generation\":%llu,\"took_ms\":%llu}\n",
           (unsigned long long)r->added, (unsigned long long)r->updated,
           (unsigned long long)r->removed, (unsigned long long)r->unchanged,
           (unsigned long long)r->skipped, (unsigned long long)r->paragraphs,
           (unsigned long long)gen, (unsigned long long)took_ms);
    return;
  }
  printf("%s: %llu added, %llu updated, %llu removed, %llu unchanged, %llu skipped; "
         "%llu paragraphs indexed\n",
         dir, (unsigned long long)r->added, (unsigned long long)r->updated,
         (unsigned long long)r->removed, (unsigned long long)r->unchanged,
         (unsigned long long)r->skipped, (unsigned long long)r->paragraphs);
  if (gen == prev_gen)
    printf("nothing changed; generation %llu (%llu ms)\n", (unsigned long long)gen,
           (unsigned long long)took_ms);
  else
    printf("committed generation %llu (%llu ms)\n", (unsigned long long)gen,
           (unsigned long long)took_ms);
}

int cmd_index(int argc, char **argv) {
  index_args a = { 0 };
  a.paths = calloc((size_t)argc + 1, sizeof *a.paths);
  if (!a.paths) return cli_error("out of memory");
  int ex = parse_args(argc, argv, &a);
  if (ex < 0) ex = check_paths(&a);
  if (ex >= 0) { free(a.paths); return ex; }
  const char *dir = cli_index_dir(a.index);
  index_ui ui = { 0 };
  ui.json = a.json;
  ui.t0 = now_s();
  ui.progress = isatty(fileno(stderr));
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.flags = (a.full ? INDAGA_WRITER_FULL : 0) | (a.wait ? INDAGA_WRITER_WAIT : 0);
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
    fprintf(stderr, "indaga: %s\nindaga: rebuilding the index in full in this version's format\n",
            err ? err : indaga_strerror(rc));
    indaga_free(err);
    err = NULL;
    o.flags |= INDAGA_WRITER_FULL;
    rc = indaga_writer_open(&w, dir, &o, &err);
  }
  if (rc) {
    ex = cli_error("%s%s", err ? err : indaga_strerror(rc),
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
  if (rc) {
    const char *m = indaga_writer_errmsg(w);
    ex = cli_error("%s (the index is unchanged)", m ? m : indaga_strerror(rc));
  } else {
    print_summary(&a, &total, gen, prev_gen, (uint64_t)((now_s() - ui.t0) * 1000), dir);
    ex = EXIT_OK;
  }
  indaga_writer_close(w);
  free(a.paths);
  return ex;
}
