/*
** bench_threads.c: the reference for bench/python_bench.py's threads
** figure: the same queries through the C API, by one thread and by THREADS
** threads sharing one indaga_index, so that Python's speed-up can be read
** against what the library and the machine allow at that moment.
**
**   bench_threads INDEX QUERIES PASSES THREADS
**
** One job is PASSES passes over QUERIES (one query per line, blank lines
** skipped), top 10 with snippets, every hit read. After an untimed job,
** one thread runs THREADS jobs in turn, then THREADS threads run one job
** each at once. It prints one line
**
**     one_s=.. threads_s=.. errors=E
**
** (wall seconds). Errors: an index or query file that cannot be opened
** exits 2 with a message naming it; failed searches are counted in errors=.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "indaga.h"
#include "common/common.h"
#include "common/os.h"
#include "peers/peer_common.h"

typedef struct job {
  const indaga_index *idx;
  char **q;
  size_t nq;
  int passes;
  int errors;
} job;

static void *run_job(void *arg) {
  job *j = arg;
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = 10;
  for (int p = 0; p < j->passes; p++) {
    for (size_t i = 0; i < j->nq; i++) {
      indaga_results *r = NULL;
      if (!j->q[i][0]) continue;
      if (indaga_search(&r, j->idx, j->q[i], &o) != INDAGA_OK) j->errors++;
      for (size_t h = 0; r && h < indaga_results_count(r); h++) {
        const indaga_hit *hit = indaga_results_hit(r, h);
        if (!hit->doc || (hit->snippet_len && !hit->snippet)) j->errors++;
      }
      indaga_results_free(r);
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 5 || atoi(argv[3]) <= 0 || atoi(argv[4]) <= 0 || atoi(argv[4]) > 64) {
    fprintf(stderr, "usage: bench_threads INDEX QUERIES PASSES THREADS(1-64)\n");
    return 2;
  }
  int passes = atoi(argv[3]), nthreads = atoi(argv[4]), errors = 0;
  char *text = NULL, *err = NULL;
  size_t n = 0, nq = 0;
  if (os_read_file(argv[2], &text, &n, &err) != INDAGA_OK) {
    fprintf(stderr, "bench_threads: %s\n", err ? err : argv[2]);
    return 2;
  }
  indaga_index *idx = NULL;
  int rc = indaga_index_open(&idx, argv[1], NULL, &err);
  if (rc != INDAGA_OK) {
    fprintf(stderr, "bench_threads: %s: %s\n", argv[1], err ? err : indaga_strerror(rc));
    indaga_free(err);
    return 2;
  }
  char **q = peer_lines(text, n, &nq);
  job jobs[64];
  pthread_t th[64];
  for (int t = 0; t < nthreads; t++) jobs[t] = (job){ idx, q, nq, passes, 0 };
  run_job(&jobs[0]);                                  /* warm-up, untimed */
  double t0 = peer_now();
  for (int t = 0; t < nthreads; t++) run_job(&jobs[t]);
  double one = peer_now() - t0;
  t0 = peer_now();
  int started = 0;
  for (int t = 0; t < nthreads; t++)
    if (pthread_create(&th[started], NULL, run_job, &jobs[t]) == 0) started++;
    else errors++;
  for (int t = 0; t < started; t++) pthread_join(th[t], NULL);
  double many = peer_now() - t0;
  for (int t = 0; t < nthreads; t++) errors += jobs[t].errors;
  printf("one_s=%.4f threads_s=%.4f errors=%d\n", one, many, errors);
  indaga_index_close(idx);
  free(q);
  indaga__free(text);
  return errors ? 1 : 0;
}
