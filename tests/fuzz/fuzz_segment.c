/*
** fuzz_segment.c: a segment file made of fuzzed bytes (indexer/segwriter.h,
** indexer/segment.h).
**
** The bytes are written to a temporary file and opened with seg_open, as
** the library opens every segment (mmap). A random mutation almost always
** breaks the XXH3 checksums, which seg_open rejects first; so that the
** fuzzer reaches the structures behind them, the target reseals the file
** (reseal()): where the footer's section table still tiles the file, it
** recomputes the chunk checksums of CHECKS, the section checksums and the
** footer checksum; then, always, the whole-file checksum (the 8 bytes
** before the footer magic), as a disk that returns wrong but
** self-consistent data would. Seeds are
** real segments: the golden segments of tests/data/golden (the older ones
** for the refusal of old versions), small version-3 segments of indexes of
** tests/data/segment and tests/data/legalize-sample, and a document in
** pieces (pieces-v7.seg, from test_segment__pieces; older versions are
** refused by version).
**
** If the segment opens, seg_verify runs, and then every reader call walks
** the whole segment: the dictionary (each term looked up again by
** seg_term_get, each postings list walked with positions, seeks and block
** bounds), the vocabulary (seg_vocab_get and seg_vocab_prefix), every
** paragraph record and text, every document (metadata, part labels,
** seg_doc_find_piece of its (id, piece), seg_doc_find of its id), and the
** fields (indexer/segfields.h: every field record loaded, each document's
** first paragraph, date, value and its strings). Each call must return a status, never crash or
** read outside the mapping (ASan). And seg_verify's promise is checked:
** when it accepts the segment, no call may then report INDAGA_ECORRUPT.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>
#include "common/common.h"
#include "indexer/segfields.h"
#include "indexer/segimpl.h"
#include "indexer/segwriter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WALK_LIMIT 4000u    /* postings, keys, paragraphs, documents visited per input */
#define TEXT_LIMIT 64u      /* paragraph texts decompressed per input (a block each) */

static int verified;   /* seg_verify accepted the current input */

/* A status from a reader call: abort on one that must not happen. */
static int check(int rc, const char *what) {
  if (rc >= 0 || rc == INDAGA_ENOMEM) return rc;
  if (rc != INDAGA_ECORRUPT && rc != INDAGA_ENOTFOUND) {
    fprintf(stderr, "fuzz_segment: %s: unexpected status %d\n", what, rc);
    abort();
  }
  if (rc == INDAGA_ECORRUPT && verified) {
    fprintf(stderr, "fuzz_segment: %s: ECORRUPT from a segment seg_verify accepted\n", what);
    abort();
  }
  return rc;
}

/* Walk one term's postings: ids ascend below npara, positions ascend. */
static void walk_list(const seg_reader *r, const seg_term *t, unsigned *budget) {
  seg_cursor c;
  int rc = check(seg_cursor_open(&c, r, t), "cursor open");
  uint32_t last = 0, n = 0;
  while (rc == INDAGA_OK && c.doc != SEG_END && *budget > 0) {
    (*budget)--;
    if (c.doc >= seg_npara(r) || (n && c.doc <= last)) abort();
    last = c.doc;
    n++;
    const uint32_t *pos;
    uint32_t np;
    if (check(seg_cursor_positions(&c, &pos, &np), "positions") == INDAGA_OK)
      for (uint32_t k = 1; k < np; k++)
        if (pos[k] <= pos[k - 1]) abort();
    rc = check(seg_cursor_next(&c), "cursor next");
  }
  if (rc == INDAGA_OK && c.doc == SEG_END && n > t->df) abort();
  seg_cursor_close(&c);
  /* seeks by halves of the id space, with the block bounds before each */
  if (check(seg_cursor_open(&c, r, t), "cursor reopen") == INDAGA_OK) {
    uint32_t np = seg_npara(r);
    for (uint32_t target = np / 4; c.doc != SEG_END && target < np; target += np / 4 + 1) {
      uint32_t blast, bmax, bmin;
      seg_cursor_block(&c, target, &blast, &bmax, &bmin);
      if (check(seg_cursor_seek(&c, target), "cursor seek") != INDAGA_OK) break;
      if (c.doc != SEG_END && c.doc < target) abort();
    }
  }
  seg_cursor_close(&c);
}

static int on_term(void *ctx, const char *t, size_t nt) {
  (void)t;
  (void)nt;
  (*(unsigned *)ctx)++;
  return 0;
}

static int on_prefix(void *ctx, const char *k, size_t nk, const char *t, size_t nt) {
  (void)k; (void)nk; (void)t; (void)nt;
  return ++*(unsigned *)ctx > 50;
}

static void walk_terms(const seg_reader *r, unsigned *budget) {
  seg_dict_iter it;
  seg_dict_iter_init(&it, r);
  int rc;
  while (*budget > 0 && (rc = check(seg_dict_iter_next(&it), "dictionary")) == 1) {
    seg_term t;
    int got = check(seg_term_get(r, (const char *)it.term.p, it.term.n, &t), "term get");
    if (verified && got != 1) abort();   /* a listed term must be found */
    walk_list(r, &it.t, budget);
  }
  seg_dict_iter_free(&it);

  seg_vocab_iter vi;
  seg_vocab_iter_init(&vi, r);
  unsigned nkeys = 0;
  while (*budget > 0 && nkeys < 2000 && (rc = check(seg_vocab_iter_next(&vi), "vocabulary")) == 1) {
    unsigned found = 0;
    nkeys++;
    (*budget)--;
    check(seg_vocab_get(r, (const char *)vi.key.p, vi.key.n, on_term, &found), "vocab get");
    if (verified && found != vi.nterms) abort();
  }
  seg_vocab_iter_free(&vi);
  unsigned n = 0;
  check(seg_vocab_prefix(r, "co", 2, on_prefix, &n), "vocab prefix");
  n = 0;
  check(seg_vocab_prefix(r, "", 0, on_prefix, &n), "vocab prefix (empty)");
}

static void walk_tables(const seg_reader *r, unsigned *budget) {
  ia_buf text = { 0 };
  uint32_t np = seg_npara(r), nd = seg_ndoc(r);
  for (uint32_t pid = 0; pid < np && *budget > 0; pid++, (*budget)--) {
    seg_para p;
    if (check(seg_para_get(r, pid, &p), "paragraph") == INDAGA_OK && p.doc >= nd && verified) abort();
    buf_reset(&text);
    if (pid < TEXT_LIMIT || pid + TEXT_LIMIT >= np) check(seg_para_text(r, pid, &text), "paragraph text");
    (void)seg_para_len(r, pid);
  }
  for (uint32_t did = 0; did < nd && *budget > 0; did++, (*budget)--) {
    seg_doc d;
    if (check(seg_doc_get(r, did, &d), "document") != INDAGA_OK) continue;
    const char *k, *v, *l;
    size_t nk, nv, nl;
    for (size_t i = 0; i < 64 && check(seg_doc_meta(&d, i, &k, &nk, &v, &nv), "metadata") == 1; i++) {}
    check(seg_doc_meta_find(&d, "symbol", &v, &nv), "metadata find");
    for (uint32_t part = 0; part < d.nparts && part < 64; part++)
      check(seg_doc_part_label(&d, part, &l, &nl), "part label");
    uint32_t back;
    if (check(seg_doc_find_piece(r, d.id, d.nid, d.piece, &back), "document find") == INDAGA_OK && verified &&
        back != did)
      abort();
    check(seg_doc_find(r, d.id, d.nid, &back), "document find, lowest piece");
  }
  buf_free(&text);
}

/* The fields: every record loaded, then per document its paragraphs' document, date and values. */
static void walk_fields(const seg_reader *r, unsigned *budget) {
  const seg_fields *f;
  if (check(seg_fields_get(r, &f, NULL), "fields") != INDAGA_OK) return;
  for (size_t i = 0; i < sf_nfields(f); i++) {
    if (check(sf_load(r, f, i, NULL), "field record") != INDAGA_OK) continue;
    if (sf_find(f, sf_name(f, i), strlen(sf_name(f, i))) < 0) abort();
    for (uint32_t did = 0; did < seg_ndoc(r) && *budget; did++, (*budget)--) {
      uint32_t id = sf_id(f, i, did);
      if (id > sf_nvalues(f, i)) abort();
      size_t n, m;
      const char *v = id ? sf_value(f, i, id, &n) : NULL, *d = id ? sf_display(f, i, id, &m) : NULL;
      if (v && (v[n] != 0 || d[m] != 0)) abort();
    }
  }
  uint32_t hint = UINT32_MAX;
  for (uint32_t pid = 0; pid < seg_npara(r) && *budget; pid++, (*budget)--) {
    hint = sf_doc_of(f, pid, hint);
    if (hint >= seg_ndoc(r) || sf_start(f, hint) > pid) abort();
    (void)sf_date(f, hint);
  }
}

/* Recompute every checksum of p[0..n) that the layout lets us find (see the top). */
static void reseal(unsigned char *p, size_t n) {
  const int nsect = SEGF_NSECT;
  const size_t fsize = SEGF_FOOTER_SIZE;
  if (n < SEGF_HEADER_SIZE + fsize) {
    if (n >= 24) put_u64(p + n - 16, XXH3_64bits(p, n - 16));
    return;
  }
  unsigned char *foot = p + n - fsize;
  uint64_t off[SEGF_NSECT], len[SEGF_NSECT], at = SEGF_HEADER_SIZE, limit = n - fsize;
  int tiles = get_u32(foot) == (uint32_t)nsect;
  for (int i = 0; tiles && i < nsect; i++) {
    off[i] = get_u64(foot + 4 + 16 * i);
    len[i] = get_u64(foot + 12 + 16 * i);
    tiles = off[i] == at && len[i] <= limit - at;
    at += tiles ? len[i] : 0;
  }
  if (tiles && at == limit) {
    uint64_t k = 0, first[SEGF_NSECT];
    for (int i = 0; i < nsect; i++) {
      first[i] = k;
      if (SEGF_CHUNKED(i)) k += (len[i] + SEGF_CHECK_CHUNK - 1) / SEGF_CHECK_CHUNK;
    }
    unsigned char *checks = p + off[SEC_CHECKS];
    int chunks_fit = len[SEC_CHECKS] == 8 * k;
    for (int i = 0; chunks_fit && i < nsect; i++)
      for (uint64_t c = 0; SEGF_CHUNKED(i) && c * SEGF_CHECK_CHUNK < len[i]; c++) {
        uint64_t m = len[i] - c * SEGF_CHECK_CHUNK;
        put_u64(checks + 8 * (first[i] + c),
                XXH3_64bits(p + off[i] + c * SEGF_CHECK_CHUNK, m < SEGF_CHECK_CHUNK ? m : SEGF_CHECK_CHUNK));
      }
    for (int i = 0; i < nsect; i++) {
      uint64_t h = SEGF_CHUNKED(i) && chunks_fit
                 ? XXH3_64bits(checks + 8 * first[i], 8 * ((len[i] + SEGF_CHECK_CHUNK - 1) / SEGF_CHECK_CHUNK))
                 : XXH3_64bits(p + off[i], len[i]);
      put_u64(foot + 4 + 16 * (size_t)nsect + 8 * (size_t)i, h);
    }
  }
  put_u64(p + n - 24, XXH3_64bits(foot, fsize - 24));
  put_u64(p + n - 16, XXH3_64bits(p, n - 16));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char path[64];
  if (!path[0]) snprintf(path, sizeof path, "/tmp/indaga-fuzz-seg-%ld.seg", (long)getpid());
  unsigned char *copy = malloc(size ? size : 1);
  if (!copy) return 0;
  memcpy(copy, data, size);
  reseal(copy, size);
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  if (size && fwrite(copy, 1, size, f) != size) abort();
  if (fclose(f) != 0) abort();
  free(copy);

  seg_reader *r = NULL;
  char *err = NULL;
  int rc = seg_open(&r, path, &err);
  indaga__free(err);
  err = NULL;
  verified = 0;
  if (rc == INDAGA_OK) {
    rc = seg_verify(r, &err);
    if (rc != INDAGA_OK && rc != INDAGA_ECORRUPT && rc != INDAGA_ENOMEM) abort();
    if (rc == INDAGA_ECORRUPT && (!err || !strstr(err, path))) abort();   /* the message names the file */
    indaga__free(err);
    verified = rc == INDAGA_OK;
    unsigned budget = WALK_LIMIT;
    walk_terms(r, &budget);
    walk_tables(r, &budget);
    walk_fields(r, &budget);
  } else if (rc != INDAGA_ECORRUPT && rc != INDAGA_EVERSION && rc != INDAGA_ENOMEM && rc != INDAGA_EIO) {
    abort();
  }
  seg_close(r);
  unlink(path);
  return 0;
}
