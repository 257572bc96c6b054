/*
** bench_index.c: indaga's side of the indexing benchmark, through the public
** API only (the same calls `indaga index` makes).
**
**   bench_index build   TREE INDEX THREADS   full build from an empty index
**   bench_index reindex TREE INDEX           sync the unchanged tree again
**
** Design. `build` opens a writer with INDAGA_WRITER_FULL and THREADS
** analysis threads, runs indaga_writer_sync() over TREE (parsing every file
** itself: its time includes the document parser, unlike the peers, which
** read bench_dump's output) and commits. It prints
**
**     build_s=.. cpu_s=.. rss_kb=.. index_bytes=.. paragraphs=.. files=..
**     warnings=.. first_s=.. tail_s=..
**
** with wall time from writer open to the end of the commit, CPU time
** (user + sys, all threads) and peak RSS from getrusage(RUSAGE_SELF), and
** the index size from indaga_index_stats() of the committed snapshot.
** first_s and tail_s are the serial ends of the build (bench/smallend): from
** writer open to the first file done (the progress callback's first call:
** open, walk, first parse), and from the last file done to the end of the
** commit (the last segment's write, the commit).
** `reindex` opens the writer without FULL over the same tree, syncs and
** commits, and prints reindex_s=.. with the sync report: on an unchanged
** tree every document must come back unchanged.
**
** Errors: any failed call prints the library's message (naming the file or
** index) and exits with status 2.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "indaga.h"
#include "peers/peer_common.h"

typedef struct watch {
  unsigned long warnings;
  double first, last;     /* peer_now() at the first and the last progress call, 0 before */
} watch;

static void warn_cb(void *ctx, const char *path, const char *message) {
  watch *wt = ctx;
  if (wt->warnings++ < 10) fprintf(stderr, "bench_index: warning: %s: %s\n", path, message);
}

static void progress_cb(void *ctx, uint64_t files_done, uint64_t files_total, uint64_t bytes_done,
                        uint64_t bytes_total) {
  (void)files_done, (void)files_total, (void)bytes_done, (void)bytes_total;
  watch *wt = ctx;
  wt->last = peer_now();
  if (wt->first == 0) wt->first = wt->last;
}

static int fail(const char *what, int rc, const char *msg) {
  fprintf(stderr, "bench_index: %s: %s%s%s\n", what, indaga_strerror(rc), msg ? ": " : "",
          msg ? msg : "");
  return 2;
}

static int run(const char *tree, const char *index, int full, unsigned threads) {
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  indaga_writer *w = NULL;
  indaga_index *idx = NULL;
  indaga_sync_report rep;
  indaga_stats st;
  long rss_kb;
  char *err = NULL;
  watch wt = { 0, 0, 0 };
  uint64_t gen = 0;
  double t0, t1, cpu;
  int rc;

  memset(&rep, 0, sizeof rep);
  o.flags = full ? INDAGA_WRITER_FULL : 0;
  o.threads = threads;
  o.on_warning = warn_cb;
  o.on_progress = progress_cb;
  o.ctx = &wt;
  t0 = peer_now();
  rc = indaga_writer_open(&w, index, &o, &err);
  if (rc != INDAGA_OK) return fail(index, rc, err);
  rc = indaga_writer_sync(w, tree, &rep);
  if (rc != INDAGA_OK) return fail(tree, rc, indaga_writer_errmsg(w));
  rc = indaga_writer_commit(w, &gen);
  if (rc != INDAGA_OK) return fail(index, rc, indaga_writer_errmsg(w));
  indaga_writer_close(w);
  t1 = peer_now();
  peer_rusage(&cpu, &rss_kb);
  rc = indaga_index_open(&idx, index, NULL, &err);
  if (rc != INDAGA_OK) return fail(index, rc, err);
  indaga_index_stats(idx, &st);
  indaga_index_close(idx);
  if (full)
    printf("build_s=%.3f cpu_s=%.3f rss_kb=%ld index_bytes=%llu paragraphs=%llu files=%llu "
           "warnings=%lu first_s=%.3f tail_s=%.3f\n", t1 - t0, cpu, rss_kb, (unsigned long long)st.bytes,
           (unsigned long long)st.paragraphs, (unsigned long long)rep.added, wt.warnings,
           wt.first ? wt.first - t0 : 0, wt.last ? t1 - wt.last : 0);
  else
    printf("reindex_s=%.3f added=%llu updated=%llu removed=%llu unchanged=%llu "
           "generation=%llu\n", t1 - t0, (unsigned long long)rep.added,
           (unsigned long long)rep.updated, (unsigned long long)rep.removed,
           (unsigned long long)rep.unchanged, (unsigned long long)gen);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "build") == 0 && atoi(argv[4]) > 0)
    return run(argv[2], argv[3], 1, (unsigned)atoi(argv[4]));
  if (argc == 4 && strcmp(argv[1], "reindex") == 0) return run(argv[2], argv[3], 0, 0);
  fprintf(stderr, "usage: bench_index build TREE INDEX THREADS\n"
                  "       bench_index reindex TREE INDEX\n");
  return 2;
}
