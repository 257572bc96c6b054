/*
** bench_segment.c: speed and size of segment building, on one thread.
**
**   bench_segment DIR [MAX_MB] [OUT.seg]
**
** Walks DIR (walk_tree: .txt/.md in id order), reads files until MAX_MB
** megabytes (default 64) of input, and times each stage separately on one
** thread: parse (dm_parse), analyse (seg_analyze_doc), add
** (seg_builder_add), write (seg_builder_write), then seg_open + seg_verify
** and a 2-way seg_merge of the two halves. Prints MB/s (of CPU time, as the
** machine is shared) per stage over the
** input bytes, the builder's memory estimate, and the segment's size per
** input byte with a breakdown by section. The writer runs parse+analyse on
** 2 threads and add+write on one, so "add+write" bounds indexing speed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <time.h>
#include "common/common.h"
#include "common/os.h"
#include "indexer/segimpl.h"
#include "indexer/segwriter.h"
#include "indexer/walk.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);   /* CPU time: the machine is shared */
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *sec_names[SEGF_NSECT] = {
  "postings", "positions", "dict", "dict_idx", "vocab", "vocab_idx", "para", "para_idx",
  "para_len", "docs", "doc_idx", "doc_sort", "text", "text_idx", "checks", "fields"
};

static void die(const char *what, int rc, char *err) {
  fprintf(stderr, "bench_segment: %s: %s (%s)\n", what, err ? err : "", indaga_strerror(rc));
  exit(1);
}

/* Build a segment of docs [from, to) at @path; returns the seconds spent in add and write. */
static void build(seg_doc_in *docs, size_t from, size_t to, const char *path, double *t_add,
                  double *t_write, size_t *mem) {
  seg_builder *b;
  char *err = NULL;
  int rc = seg_builder_new(&b);
  if (rc) die("builder", rc, NULL);
  struct mallinfo2 mi0 = mallinfo2();
  size_t heap0 = mi0.uordblks + mi0.hblkhd;
  double t0 = now();
  for (size_t i = from; i < to; i++)
    if ((rc = seg_builder_add(b, &docs[i])) != INDAGA_OK) die("add", rc, NULL);
  double t1 = now();
  if (mem) {
    *mem = seg_builder_mem(b);
    printf("builder: seg_builder_mem %.1f MB, heap growth while adding %.1f MB\n", (double)*mem / 1e6,
           (double)(mallinfo2().uordblks + mallinfo2().hblkhd - heap0) / 1e6);
  }
  if ((rc = seg_builder_write(b, path, &err)) != INDAGA_OK) die("write", rc, err);
  double t2 = now();
  seg_builder_free(b);
  if (t_add) *t_add = t1 - t0;
  if (t_write) *t_write = t2 - t1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_segment DIR [MAX_MB] [OUT.seg]\n");
    return 2;
  }
  double max_mb = argc > 2 ? atof(argv[2]) : 64;
  const char *out = argc > 3 ? argv[3] : "/tmp/bench_segment.seg";
  walk_list wl = { 0 };
  char *err = NULL;
  int rc = walk_tree(argv[1], NULL, 0, &wl, NULL, NULL, &err);
  if (rc) die("walk", rc, err);
  seg_doc_in *docs = calloc(wl.n, sizeof *docs);
  analyzer *an;
  if (analyzer_new(&an)) die("analyzer", INDAGA_ENOMEM, NULL);
  size_t n = 0;
  uint64_t bytes = 0;
  double t_parse = 0, t_an = 0;
  for (size_t i = 0; i < wl.n && (double)bytes < max_mb * 1e6; i++) {
    char *text, *why = NULL;
    size_t len;
    if (os_read_file(wl.v[i].path, &text, &len, &err)) die("read", INDAGA_EIO, err);
    double t0 = now();
    seg_doc_in *in = &docs[n];
    rc = dm_parse(&in->doc, wl.v[i].id, text, len, &why);
    double t1 = now();
    t_parse += t1 - t0;
    indaga__free(text);
    if (rc == DM_SKIP) { indaga__free(why); continue; }
    if (rc) die("parse", rc, NULL);
    in->id = indaga__strdup(wl.v[i].id);
    in->size = len;
    in->mtime_ns = wl.v[i].mtime_ns;
    if ((rc = seg_analyze_doc(an, in)) != INDAGA_OK) die("analyze", rc, NULL);
    t_an += now() - t1;
    bytes += len;
    n++;
  }
  double t_add, t_write;
  size_t mem;
  build(docs, 0, n, out, &t_add, &t_write, &mem);
  double mb = (double)bytes / 1e6;
  printf("input: %zu documents, %.1f MB\n", n, mb);
  printf("parse     %7.2f s  %8.1f MB/s\n", t_parse, mb / t_parse);
  printf("analyse   %7.2f s  %8.1f MB/s\n", t_an, mb / t_an);
  printf("add       %7.2f s  %8.1f MB/s   (builder memory %.1f MB)\n", t_add, mb / t_add, (double)mem / 1e6);
  printf("write     %7.2f s  %8.1f MB/s\n", t_write, mb / t_write);
  printf("add+write %7.2f s  %8.1f MB/s\n", t_add + t_write, mb / (t_add + t_write));
  seg_reader *r;
  double t0 = now();
  if ((rc = seg_open(&r, out, &err)) != INDAGA_OK) die("open", rc, err);
  double t1 = now();
  if ((rc = seg_verify(r, &err)) != INDAGA_OK) die("verify", rc, err);
  double t2 = now();
  printf("open      %7.3f s  (checksum over %.1f MB)\nverify    %7.2f s\n", t1 - t0,
         (double)r->map.n / 1e6, t2 - t1);
  printf("segment: %zu bytes = %.3f bytes per input byte; %u paragraphs, %llu terms, %llu keys\n",
         r->map.n, (double)r->map.n / (double)bytes, seg_npara(r), (unsigned long long)seg_nterms(r),
         (unsigned long long)r->nkeys);
  for (int s = 0; s < SEGF_NSECT; s++)
    printf("  %-10s %11zu  %.3f\n", sec_names[s], r->nsec[s], (double)r->nsec[s] / (double)bytes);
  /* decoding speed: every postings list, then every list with positions */
  for (int withpos = 0; withpos < 2; withpos++) {
    seg_dict_iter it;
    seg_dict_iter_init(&it, r);
    uint64_t np = 0, sum = 0;
    double d0 = now();
    while (seg_dict_iter_next(&it) == 1) {
      seg_cursor c;
      seg_cursor_open(&c, r, &it.t);
      for (; c.doc != SEG_END; seg_cursor_next(&c)) {
        np++;
        sum += c.doc;
        if (withpos) {
          const uint32_t *p;
          uint32_t k;
          seg_cursor_positions(&c, &p, &k);
          sum += k ? p[k - 1] : 0;
        }
      }
      seg_cursor_close(&c);
    }
    double d1 = now();
    seg_dict_iter_free(&it);
    printf("decode%s %7.3f s  %8.1f M postings/s (checksum %llu)\n", withpos ? "+pos" : "    ", d1 - d0,
           (double)np / 1e6 / (d1 - d0), (unsigned long long)sum);
  }
  seg_close(r);
  /* merge of the two halves */
  char pa[4096], pb[4096], pm[4096];
  snprintf(pa, sizeof pa, "%s.a", out);
  snprintf(pb, sizeof pb, "%s.b", out);
  snprintf(pm, sizeof pm, "%s.m", out);
  build(docs, 0, n / 2, pa, NULL, NULL, NULL);
  build(docs, n / 2, n, pb, NULL, NULL, NULL);
  seg_reader *in[2];
  if (seg_open(&in[0], pa, &err) || seg_open(&in[1], pb, &err)) die("open halves", INDAGA_ERROR, err);
  t0 = now();
  if ((rc = seg_merge((const seg_reader *const *)in, 2, NULL, NULL, NULL, pm, &err)) != INDAGA_OK) die("merge", rc, err);
  printf("merge 2   %7.2f s  %8.1f MB/s of input\n", now() - t0, mb / (now() - t0));
  seg_close(in[0]);
  seg_close(in[1]);
  os_remove(pa, NULL);
  os_remove(pb, NULL);
  os_remove(pm, NULL);
  for (size_t i = 0; i < n; i++) seg_doc_in_clear(&docs[i]);
  free(docs);
  analyzer_free(an);
  walk_list_free(&wl);
  return 0;
}
