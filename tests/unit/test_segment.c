/*
** test_segment.c: segment files end to end (indexer/seg*.c).
**
** Real UN documents (tests/data/segment: three whole documents and 41 files
** of 2015) are parsed and analysed, built into a segment, and everything
** read back is compared with a reference built here, independently, from
** the same analyzer output: every term's postings and positions, the
** paragraph and document tables, metadata, the vocabulary and the stored
** text. Then: seg_merge of three segments with deleted documents equals a
** direct build of the survivors; flipped bytes and truncations give
** INDAGA_ECORRUPT; and the committed golden segment still opens, verifies
** and holds the postings it held when it was written.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>
#include <xxhash.h>
#include "common/common.h"
#include "common/os.h"
#include "indexer/segfields.h"
#include "indexer/segimpl.h"
#include "indexer/segwriter.h"

#define DATA INDAGA_SOURCE_DIR "/tests/data/segment"
#define GOLDEN INDAGA_SOURCE_DIR "/tests/data/golden/un-v7.seg"
#define GOLDEN_V6 INDAGA_SOURCE_DIR "/tests/data/golden/un-v6.seg"
#define GOLDEN_V5 INDAGA_SOURCE_DIR "/tests/data/golden/un-v5.seg"
#define GOLDEN_V4 INDAGA_SOURCE_DIR "/tests/data/golden/un-v4.seg"
#define GOLDEN_V3 INDAGA_SOURCE_DIR "/tests/data/golden/un-v3.seg"
#define GOLDEN_V1 INDAGA_SOURCE_DIR "/tests/data/golden/un-v1.seg"
#define GOLDEN_V2 INDAGA_SOURCE_DIR "/tests/data/golden/un-v2.seg"
#define GOLDEN_FINGERPRINT 0x7fd54a3881a0409full

/**************************************************************************
** Input documents
*/
typedef struct corpus {
  seg_doc_in *docs;
  size_t n;
} corpus;

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parse and analyse the files of DATA (sorted by name), those whose index i has keep(i). */
static void corpus_load(corpus *c, int (*keep)(size_t i)) {
  DIR *d = opendir(DATA);
  assert_non_null(d);
  char *names[256];
  size_t nn = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.' && nn < 256) names[nn++] = strdup(e->d_name);
  closedir(d);
  qsort(names, nn, sizeof *names, cmp_str);
  assert_true(nn >= 44);
  c->docs = calloc(nn, sizeof *c->docs);
  c->n = 0;
  analyzer *an;
  assert_int_equal(analyzer_new(&an), INDAGA_OK);
  for (size_t i = 0; i < nn; i++) {
    if (keep && !keep(i)) { free(names[i]); continue; }
    char path[1024], *text, *why = NULL;
    size_t n;
    snprintf(path, sizeof path, "%s/%s", DATA, names[i]);
    assert_int_equal(os_read_file(path, &text, &n, NULL), INDAGA_OK);
    seg_doc_in *in = &c->docs[c->n++];
    assert_int_equal(dm_parse(&in->doc, names[i], text, n, &why), INDAGA_OK);
    in->id = indaga__strdup(names[i]);
    in->size = n;
    in->mtime_ns = 1500000000000000000ll + (int64_t)i * 1000;
    in->hash = XXH64(text, n, 0);
    assert_int_equal(seg_analyze_doc(an, in), INDAGA_OK);
    indaga__free(text);
    free(names[i]);
  }
  analyzer_free(an);
}

static void corpus_free(corpus *c) {
  for (size_t i = 0; i < c->n; i++) seg_doc_in_clear(&c->docs[i]);
  free(c->docs);
}

static int keep_all(size_t i) { (void)i; return 1; }

/* Parse document @i of @c again from its file with its lines joined: one long paragraph. */
static void corpus_join_lines(corpus *c, size_t i) {
  seg_doc_in *in = &c->docs[i];
  char path[1024], *text, *why = NULL;
  size_t n;
  snprintf(path, sizeof path, "%s/%s", DATA, in->id);
  assert_int_equal(os_read_file(path, &text, &n, NULL), INDAGA_OK);
  for (size_t k = 0; k < n; k++)
    if (text[k] == '\n') text[k] = ' ';
  char *id = indaga__strdup(in->id);
  int64_t mtime = in->mtime_ns;
  seg_doc_in_clear(in);
  memset(in, 0, sizeof *in);
  assert_int_equal(dm_parse(&in->doc, id, text, n, &why), INDAGA_OK);
  in->id = id;
  in->size = n;
  in->mtime_ns = mtime;
  in->hash = XXH64(text, n, 0);
  analyzer *an;
  assert_int_equal(analyzer_new(&an), INDAGA_OK);
  assert_int_equal(seg_analyze_doc(an, in), INDAGA_OK);
  analyzer_free(an);
  indaga__free(text);
}

/* Build a segment of @c's docs at @path. */
static void build(const corpus *c, const char *path) {
  seg_builder *b;
  char *err = NULL;
  assert_int_equal(seg_builder_new(&b), INDAGA_OK);
  for (size_t i = 0; i < c->n; i++) assert_int_equal(seg_builder_add(b, &c->docs[i]), INDAGA_OK);
  assert_int_equal(seg_builder_ndocs(b), c->n);
  assert_true(seg_builder_mem(b) > 0);
  int rc = seg_builder_write(b, path, &err);
  if (rc) fprintf(stderr, "%s\n", err ? err : "?");
  assert_int_equal(rc, INDAGA_OK);
  seg_builder_free(b);
}

/*
** How many of @r's text blocks are zstd frames carrying a content checksum
** (bit 2 of the frame header descriptor, after the 4-byte magic).
*/
static uint64_t checksummed_frames(const seg_reader *r) {
  uint64_t k = 0;
  for (uint64_t b = 0; b < r->ntextblk; b++) {
    uint64_t off = get_u64(r->sec[SEC_TEXT_IDX] + 16 * b);
    assert_true(off + 5 <= r->nsec[SEC_TEXT]);
    k += (r->sec[SEC_TEXT][off + 4] >> 2) & 1u;
  }
  return k;
}

static seg_reader *open_verified(const char *path) {
  seg_reader *r = NULL;
  char *err = NULL;
  int rc = seg_open(&r, path, &err);
  if (rc) fprintf(stderr, "%s\n", err ? err : "?");
  assert_int_equal(rc, INDAGA_OK);
  rc = seg_verify(r, &err);
  if (rc) fprintf(stderr, "%s\n", err ? err : "?");
  assert_int_equal(rc, INDAGA_OK);
  return r;
}

static char tmpdir[512];

static int setup(void **state) {
  (void)state;
  snprintf(tmpdir, sizeof tmpdir, "%s/test_segment.XXXXXX", INDAGA_BINARY_DIR);
  assert_non_null(mkdtemp(tmpdir));
  return 0;
}

static int teardown(void **state) {
  (void)state;
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

static void tmp_path(char *out, size_t n, const char *name) {
  snprintf(out, n, "%s/%s", tmpdir, name);
}

/**************************************************************************
** The reference: what the analyzer says, gathered independently.
*/
typedef struct occ { char *term; uint32_t pid, pos; } occ;
typedef struct kt { char *key, *term; } kt;

typedef struct ref {
  occ *o; size_t no, capo;
  kt *k; size_t nk, capk;
  uint32_t *plen;            /* per paragraph */
  uint32_t npara;
  uint32_t cur_pid, cur_max, cur_distinct;
} ref;

static int ref_token(void *ctx, const ia_token *t) {
  ref *r = ctx;
  if (t->nterm == 0) return 0;
  if (r->no == r->capo) { r->capo = r->capo ? r->capo * 2 : 4096; r->o = realloc(r->o, r->capo * sizeof *r->o); }
  r->o[r->no].term = strndup(t->term, t->nterm);
  r->o[r->no].pid = r->cur_pid;
  r->o[r->no++].pos = t->pos;
  if (t->nkey) {
    if (r->nk == r->capk) { r->capk = r->capk ? r->capk * 2 : 4096; r->k = realloc(r->k, r->capk * sizeof *r->k); }
    r->k[r->nk].key = strndup(t->key, t->nkey);
    r->k[r->nk++].term = strndup(t->term, t->nterm);
  }
  if (r->cur_distinct == 0 || t->pos > r->cur_max) { r->cur_distinct++; r->cur_max = t->pos; }
  return 0;
}

static int cmp_occ(const void *a, const void *b) {
  const occ *x = a, *y = b;
  int c = strcmp(x->term, y->term);
  if (c) return c;
  if (x->pid != y->pid) return x->pid < y->pid ? -1 : 1;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_kt(const void *a, const void *b) {
  const kt *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : strcmp(x->term, y->term);
}

static void ref_build(ref *r, const corpus *c) {
  memset(r, 0, sizeof *r);
  analyzer *an;
  assert_int_equal(analyzer_new(&an), INDAGA_OK);
  size_t np = 0;
  for (size_t i = 0; i < c->n; i++) np += c->docs[i].doc->nparas;
  r->plen = calloc(np + 1, sizeof *r->plen);
  for (size_t i = 0; i < c->n; i++) {
    const dm_doc *d = c->docs[i].doc;
    for (size_t j = 0; j < d->nparas; j++) {
      r->cur_pid = r->npara;
      r->cur_max = r->cur_distinct = 0;
      assert_int_equal(analyzer_run(an, d->paras[j].text, d->paras[j].ntext, ref_token, r, NULL), INDAGA_OK);
      r->plen[r->npara++] = r->cur_distinct;
    }
  }
  analyzer_free(an);
  qsort(r->o, r->no, sizeof *r->o, cmp_occ);
  qsort(r->k, r->nk, sizeof *r->k, cmp_kt);
}

static void ref_free(ref *r) {
  for (size_t i = 0; i < r->no; i++) free(r->o[i].term);
  for (size_t i = 0; i < r->nk; i++) { free(r->k[i].key); free(r->k[i].term); }
  free(r->o); free(r->k); free(r->plen);
}

/* Every term of the reference has exactly its postings and positions in @s. */
static void check_terms(const seg_reader *s, const ref *r) {
  uint64_t nterms = 0;
  for (size_t i = 0; i < r->no;) {
    size_t j = i;
    while (j < r->no && strcmp(r->o[j].term, r->o[i].term) == 0) j++;
    const char *t = r->o[i].term;
    seg_term st;
    assert_int_equal(seg_term_get(s, t, strlen(t), &st), 1);
    seg_cursor c;
    assert_int_equal(seg_cursor_open(&c, s, &st), INDAGA_OK);
    uint32_t df = 0;
    uint64_t cf = 0;
    for (size_t k = i; k < j;) {
      size_t e = k;
      /* one posting: same paragraph, positions distinct */
      uint32_t want[4096], nw = 0;
      while (e < j && r->o[e].pid == r->o[k].pid) {
        if (nw == 0 || want[nw - 1] != r->o[e].pos) want[nw++] = r->o[e].pos;
        e++;
      }
      assert_int_equal(c.doc, r->o[k].pid);
      assert_int_equal(c.freq, nw);
      const uint32_t *pos;
      uint32_t n;
      assert_int_equal(seg_cursor_positions(&c, &pos, &n), INDAGA_OK);
      assert_int_equal(n, nw);
      assert_memory_equal(pos, want, nw * sizeof *pos);
      df++;
      cf += nw;
      assert_int_equal(seg_cursor_next(&c), INDAGA_OK);
      k = e;
    }
    assert_int_equal(c.doc, SEG_END);
    seg_cursor_close(&c);
    assert_int_equal(st.df, df);
    assert_true(st.cf == cf);
    nterms++;
    i = j;
  }
  assert_true(seg_nterms(s) == nterms);
  seg_term st;
  assert_int_equal(seg_term_get(s, "zzzz-no-such-term", 17, &st), 0);
  assert_int_equal(seg_term_get(s, "", 0, &st), 0);
}

typedef struct coll { char buf[65536]; size_t n; size_t count; } coll;

static int coll_term(void *ctx, const char *t, size_t nt) {
  coll *c = ctx;
  memcpy(c->buf + c->n, t, nt);
  c->n += nt;
  c->buf[c->n++] = '|';
  c->count++;
  return 0;
}

static int coll_kt(void *ctx, const char *k, size_t nk, const char *t, size_t nt) {
  coll *c = ctx;
  memcpy(c->buf + c->n, k, nk);
  c->n += nk;
  c->buf[c->n++] = '=';
  return coll_term(ctx, t, nt);
}

static void check_vocab(const seg_reader *s, const ref *r) {
  static coll got, want;
  for (size_t i = 0; i < r->nk;) {
    size_t j = i;
    want.n = want.count = 0;
    got.n = got.count = 0;
    for (; j < r->nk && strcmp(r->k[j].key, r->k[i].key) == 0; j++)
      if (j == i || strcmp(r->k[j].term, r->k[j - 1].term) != 0)
        coll_term(&want, r->k[j].term, strlen(r->k[j].term));
    assert_int_equal(seg_vocab_get(s, r->k[i].key, strlen(r->k[i].key), coll_term, &got), INDAGA_OK);
    assert_int_equal(got.n, want.n);
    assert_memory_equal(got.buf, want.buf, got.n);
    i = j;
  }
  /* prefix: every (key, term) whose key starts with "naci" */
  want.n = want.count = got.n = got.count = 0;
  for (size_t i = 0; i < r->nk; i++)
    if (strncmp(r->k[i].key, "naci", 4) == 0 && (i == 0 || cmp_kt(&r->k[i], &r->k[i - 1]) != 0))
      coll_kt(&want, r->k[i].key, strlen(r->k[i].key), r->k[i].term, strlen(r->k[i].term));
  assert_int_equal(seg_vocab_prefix(s, "naci", 4, coll_kt, &got), INDAGA_OK);
  assert_true(want.count >= 3);   /* nacional, naciones, nación ... */
  assert_int_equal(got.n, want.n);
  assert_memory_equal(got.buf, want.buf, got.n);
  got.n = got.count = 0;
  assert_int_equal(seg_vocab_get(s, "qqqqnokey", 9, coll_term, &got), INDAGA_OK);
  assert_int_equal(got.count, 0);
}

/* Paragraph table, stored text and document table equal the parsed input. */
static void check_tables(const seg_reader *s, const corpus *c, const ref *r) {
  assert_int_equal(seg_ndoc(s), c->n);
  assert_int_equal(seg_npara(s), r->npara);
  uint32_t pid = 0;
  uint64_t total = 0;
  ia_buf text = { 0 };
  for (uint32_t did = 0; did < c->n; did++) {
    const seg_doc_in *in = &c->docs[did];
    const dm_doc *d = in->doc;
    seg_doc sd;
    assert_int_equal(seg_doc_get(s, did, &sd), INDAGA_OK);
    assert_int_equal(sd.nid, strlen(in->id));
    assert_memory_equal(sd.id, in->id, sd.nid);
    assert_int_equal(sd.first_para, pid);
    assert_int_equal(sd.npara, d->nparas);
    assert_int_equal(sd.nparts, d->nparts ? d->nparts : 1);
    assert_true(sd.size == in->size && sd.mtime_ns == in->mtime_ns && sd.hash == in->hash);
    uint32_t found;
    assert_int_equal(seg_doc_find(s, in->id, strlen(in->id), &found), INDAGA_OK);
    assert_int_equal(found, did);
    for (size_t m = 0; m < d->nmeta; m++) {
      const char *k, *v;
      size_t nk, nv;
      assert_int_equal(seg_doc_meta(&sd, m, &k, &nk, &v, &nv), 1);
      assert_int_equal(nk, strlen(d->meta[m].key));
      assert_memory_equal(k, d->meta[m].key, nk);
      assert_int_equal(nv, strlen(d->meta[m].value));
      assert_memory_equal(v, d->meta[m].value, nv);
    }
    const char *k, *v;
    size_t nk, nv;
    assert_int_equal(seg_doc_meta(&sd, d->nmeta, &k, &nk, &v, &nv), 0);
    if (d->nmeta) {
      assert_int_equal(seg_doc_meta_find(&sd, d->meta[0].key, &v, &nv), 1);
      assert_int_equal(nv, strlen(d->meta[0].value));
    }
    assert_int_equal(seg_doc_meta_find(&sd, "no-such-field", &v, &nv), 0);
    for (size_t p = 1; p < d->nparts; p++) {
      const char *l;
      size_t nl;
      assert_int_equal(seg_doc_part_label(&sd, (uint32_t)p, &l, &nl), 1);
      assert_int_equal(nl, strlen(d->part_labels[p]));
      assert_memory_equal(l, d->part_labels[p], nl);
    }
    for (size_t j = 0; j < d->nparas; j++, pid++) {
      const dm_para *dp = &d->paras[j];
      seg_para sp;
      assert_int_equal(seg_para_get(s, pid, &sp), INDAGA_OK);
      assert_int_equal(sp.doc, did);
      assert_int_equal(sp.part, dp->part);
      assert_int_equal(sp.ordinal, dp->ordinal);
      assert_int_equal(!!sp.heading, !!dp->heading);
      assert_true(sp.src_start == dp->src_start && sp.src_end == dp->src_end);
      assert_int_equal(sp.len, r->plen[pid]);
      assert_int_equal(seg_para_len(s, pid), r->plen[pid]);
      if (dp->label) {
        assert_int_equal(sp.nlabel, strlen(dp->label));
        assert_memory_equal(sp.label, dp->label, sp.nlabel);
      } else {
        assert_null(sp.label);
      }
      buf_reset(&text);
      assert_int_equal(seg_para_text(s, pid, &text), INDAGA_OK);
      assert_int_equal(text.n, dp->ntext);
      assert_memory_equal(text.p, dp->text, text.n);
      total += r->plen[pid];
    }
  }
  assert_true(seg_total_len(s) == total);
  seg_para sp;
  assert_int_equal(seg_para_get(s, pid, &sp), INDAGA_ENOTFOUND);
  seg_doc sd;
  assert_int_equal(seg_doc_get(s, (uint32_t)c->n, &sd), INDAGA_ENOTFOUND);
  uint32_t found;
  assert_int_equal(seg_doc_find(s, "no/such/doc.txt", 15, &found), INDAGA_ENOTFOUND);
  buf_free(&text);
}

/**************************************************************************
** Tests
*/
static void test_segment__round_trip_real_documents(void **state) {
  (void)state;
  corpus c;
  corpus_load(&c, keep_all);
  assert_true(c.n >= 44);
  ref r;
  ref_build(&r, &c);
  char path[600];
  tmp_path(path, sizeof path, "seg-1.seg");
  build(&c, path);
  seg_reader *s = open_verified(path);
  check_tables(s, &c, &r);
  check_terms(s, &r);
  check_vocab(s, &r);
  /* text frames carry no XXH64 checksum: CHECKS covers their bytes */
  assert_true(s->ntextblk > 1);
  assert_true(checksummed_frames(s) == 0);
  seg_close(s);
  ref_free(&r);
  corpus_free(&c);
}

/* Every postings list, paragraph, text and document of @a equals @b's. */
static void check_same(const seg_reader *a, const seg_reader *b) {
  assert_int_equal(seg_ndoc(a), seg_ndoc(b));
  assert_int_equal(seg_npara(a), seg_npara(b));
  assert_true(seg_nterms(a) == seg_nterms(b));
  assert_true(seg_total_len(a) == seg_total_len(b));
  seg_dict_iter ia, ib;
  seg_dict_iter_init(&ia, a);
  seg_dict_iter_init(&ib, b);
  int ra, rb;
  while ((ra = seg_dict_iter_next(&ia)) == 1) {
    assert_int_equal((rb = seg_dict_iter_next(&ib)), 1);
    assert_int_equal(ia.term.n, ib.term.n);
    assert_memory_equal(ia.term.p, ib.term.p, ia.term.n);
    assert_true(ia.t.df == ib.t.df && ia.t.cf == ib.t.cf && ia.t.max_tf == ib.t.max_tf && ia.t.min_len == ib.t.min_len);
    seg_cursor ca, cb;
    assert_int_equal(seg_cursor_open(&ca, a, &ia.t), INDAGA_OK);
    assert_int_equal(seg_cursor_open(&cb, b, &ib.t), INDAGA_OK);
    while (ca.doc != SEG_END) {
      assert_int_equal(ca.doc, cb.doc);
      assert_int_equal(ca.freq, cb.freq);
      const uint32_t *pa, *pb;
      uint32_t na, nb;
      assert_int_equal(seg_cursor_positions(&ca, &pa, &na), INDAGA_OK);
      assert_int_equal(seg_cursor_positions(&cb, &pb, &nb), INDAGA_OK);
      assert_int_equal(na, nb);
      assert_memory_equal(pa, pb, na * sizeof *pa);
      assert_int_equal(seg_cursor_next(&ca), INDAGA_OK);
      assert_int_equal(seg_cursor_next(&cb), INDAGA_OK);
    }
    assert_int_equal(cb.doc, SEG_END);
    seg_cursor_close(&ca);
    seg_cursor_close(&cb);
  }
  assert_int_equal(ra, 0);
  assert_int_equal(seg_dict_iter_next(&ib), 0);
  seg_dict_iter_free(&ia);
  seg_dict_iter_free(&ib);
  ia_buf ta = { 0 }, tb = { 0 };
  for (uint32_t p = 0; p < seg_npara(a); p++) {
    seg_para x, y;
    assert_int_equal(seg_para_get(a, p, &x), INDAGA_OK);
    assert_int_equal(seg_para_get(b, p, &y), INDAGA_OK);
    assert_true(x.doc == y.doc && x.part == y.part && x.ordinal == y.ordinal && x.len == y.len &&
                x.src_start == y.src_start && x.src_end == y.src_end && x.nlabel == y.nlabel);
    buf_reset(&ta);
    buf_reset(&tb);
    assert_int_equal(seg_para_text(a, p, &ta), INDAGA_OK);
    assert_int_equal(seg_para_text(b, p, &tb), INDAGA_OK);
    assert_int_equal(ta.n, tb.n);
    assert_memory_equal(ta.p, tb.p, ta.n);
  }
  buf_free(&ta);
  buf_free(&tb);
  for (uint32_t d = 0; d < seg_ndoc(a); d++) {
    seg_doc x, y;
    assert_int_equal(seg_doc_get(a, d, &x), INDAGA_OK);
    assert_int_equal(seg_doc_get(b, d, &y), INDAGA_OK);
    assert_int_equal(x.nid, y.nid);
    assert_memory_equal(x.id, y.id, x.nid);
    assert_true(x.first_para == y.first_para && x.npara == y.npara && x.nparts == y.nparts &&
                x.hash == y.hash && x.size == y.size && x.mtime_ns == y.mtime_ns && x.nmeta == y.nmeta);
    assert_memory_equal(x.meta, y.meta, x.nmeta);
  }
}

static int contains(const char *h, size_t nh, const char *nd, size_t n) {
  for (size_t i = 0; i + n <= nh; i++)
    if ((i == 0 || h[i - 1] == '|') && memcmp(h + i, nd, n) == 0) return 1;
  return 0;
}

/* Every (key, term) of @b's vocabulary is in @a's, and @a's terms all exist (seg_verify). */
static void check_vocab_superset(const seg_reader *a, const seg_reader *b) {
  seg_vocab_iter it;
  seg_vocab_iter_init(&it, b);
  static coll got;
  size_t keys = 0;
  while (seg_vocab_iter_next(&it) == 1) {
    got.n = got.count = 0;
    assert_int_equal(seg_vocab_get(a, (const char *)it.key.p, it.key.n, coll_term, &got), INDAGA_OK);
    for (size_t j = 0; j < it.nterms; j++) {
      char t[300];
      size_t nt = it.toff[j + 1] - it.toff[j];
      memcpy(t, it.terms.p + it.toff[j], nt);
      t[nt] = '|';
      assert_true(contains(got.buf, got.n, t, nt + 1));
    }
    keys++;
  }
  assert_true(keys > 100);
  seg_vocab_iter_free(&it);
}

/* Every field of @a equals @b's: names, per document date, first paragraph, value and display. */
static void fields_equal(const seg_reader *ra, const seg_reader *rb) {
  const seg_fields *a, *b;
  assert_int_equal(seg_fields_get(ra, &a, NULL), INDAGA_OK);
  assert_int_equal(seg_fields_get(rb, &b, NULL), INDAGA_OK);
  assert_int_equal(seg_ndoc(ra), seg_ndoc(rb));
  assert_int_equal(sf_nfields(a), sf_nfields(b));
  for (uint32_t d = 0; d <= seg_ndoc(ra); d++) assert_int_equal(sf_start(a, d), sf_start(b, d));
  for (uint32_t d = 0; d < seg_ndoc(ra); d++) assert_int_equal(sf_date(a, d), sf_date(b, d));
  for (size_t i = 0; i < sf_nfields(a); i++) {
    long j = sf_find(b, sf_name(a, i), strlen(sf_name(a, i)));
    assert_true(j >= 0);
    assert_int_equal(sf_load(ra, a, i, NULL), INDAGA_OK);
    assert_int_equal(sf_load(rb, b, (size_t)j, NULL), INDAGA_OK);
    for (uint32_t d = 0; d < seg_ndoc(ra); d++) {
      uint32_t x = sf_id(a, i, d), y = sf_id(b, (size_t)j, d);
      assert_int_equal(x == 0, y == 0);
      if (!x) continue;
      size_t nx, ny;
      const char *vx = sf_value(a, i, x, &nx), *vy = sf_value(b, (size_t)j, y, &ny);
      assert_true(nx == ny && !memcmp(vx, vy, nx));
      vx = sf_display(a, i, x, &nx);
      vy = sf_display(b, (size_t)j, y, &ny);
      assert_true(nx == ny && !memcmp(vx, vy, nx));
    }
  }
}

/* Merge @in (@fn: the deleted documents, or NULL) into tmpdir/@name and open the result, checked. */
static seg_reader *merged(seg_reader *const *in, size_t n, int (*fn)(void *, size_t, uint32_t), const char *name) {
  char path[600], *err = NULL;
  tmp_path(path, sizeof path, name);
  int rc = seg_merge((const seg_reader *const *)in, n, fn, NULL, NULL, path, &err);
  if (rc) fprintf(stderr, "%s\n", err ? err : "?");
  assert_int_equal(rc, INDAGA_OK);
  return open_verified(path);
}

/* Build @c directly into tmpdir/@name and open it, checked. */
static seg_reader *built(const corpus *c, const char *name) {
  char path[600];
  tmp_path(path, sizeof path, name);
  build(c, path);
  return open_verified(path);
}

static size_t g_split;
static int keep_first(size_t i) { return i < g_split; }
static int doc_deleted_fn(void *ctx, size_t seg, uint32_t did) {
  (void)ctx;
  return (did + seg) % 4 == 1;   /* a quarter of each segment's documents */
}

static void test_segment__merge_equals_direct_build(void **state) {
  (void)state;
  corpus all;
  corpus_load(&all, keep_all);
  corpus_join_lines(&all, 20);   /* lengths of 255 and more: the merge keeps them apart */
  /* three segments: docs [0, 15), [15, 30), [30, n) */
  size_t cut[4] = { 0, 15, 30, all.n };
  seg_reader *in[3];
  char path[600];
  corpus surv = { calloc(all.n, sizeof(seg_doc_in)), 0 };
  for (int k = 0; k < 3; k++) {
    corpus part = { all.docs + cut[k], cut[k + 1] - cut[k] };
    snprintf(path, sizeof path, "%s/in-%d.seg", tmpdir, k);
    build(&part, path);
    in[k] = open_verified(path);
    for (size_t i = 0; i < part.n; i++)
      if (!doc_deleted_fn(NULL, (size_t)k, (uint32_t)i)) surv.docs[surv.n++] = part.docs[i];
  }
  seg_reader *m = merged(in, 3, doc_deleted_fn, "merged.seg");
  seg_reader *d = built(&surv, "direct.seg");
  assert_true(seg_ndoc(d) < all.n && seg_ndoc(d) > all.n / 2);
  check_same(m, d);
  check_vocab_superset(m, d);
  /* the fields of a merge with deletions are derived from the documents kept: the direct build's */
  fields_equal(m, d);
  assert_int_equal(m->nsec[SEC_FIELDS], d->nsec[SEC_FIELDS]);
  assert_memory_equal(m->sec[SEC_FIELDS], d->sec[SEC_FIELDS], d->nsec[SEC_FIELDS]);
  /* merging without deletions keeps everything, in order */
  seg_reader *ma = merged(in, 3, NULL, "merged-all.seg");
  seg_reader *da = built(&all, "direct-all.seg");
  uint32_t nlong = 0;
  for (uint32_t p = 0; p < seg_npara(da); p++) nlong += seg_para_len(da, p) >= 255;
  assert_true(nlong > 0);
  /* a merge without deletions writes the bytes of the direct build, block impacts included */
  assert_true(ma->map.n == da->map.n && !memcmp(ma->map.p, da->map.p, da->map.n));
  check_same(ma, da);
  fields_equal(ma, da);
  check_vocab_superset(ma, da);
  check_vocab_superset(da, ma);
  /* a document id twice (a segment merged with itself) is refused, naming the id */
  const seg_reader *twice[2] = { in[0], in[0] };
  tmp_path(path, sizeof path, "twice.seg");
  char *err = NULL;
  assert_int_equal(seg_merge(twice, 2, NULL, NULL, NULL, path, &err), INDAGA_EMISUSE);
  assert_non_null(err);
  assert_non_null(strstr(err, "added twice"));
  indaga__free(err);
  assert_int_equal(access(path, F_OK), -1);
  for (int k = 0; k < 3; k++) seg_close(in[k]);
  seg_close(m); seg_close(d); seg_close(ma); seg_close(da);
  free(surv.docs);
  corpus_free(&all);
  (void)keep_first;
}

/*
** Many inputs of unequal sizes, some of one document: the k-way merge
** (kway.h) must take each term's inputs in input order at every depth of
** its heap, or the merged lists would come out unsorted or reordered; the
** bytes must be the direct build's.
*/
static void test_segment__merge_of_many_equals_direct_build(void **state) {
  (void)state;
  corpus all;
  corpus_load(&all, keep_all);
  enum { K = 13 };
  seg_reader *in[K];
  size_t k = 0, at = 0;
  char path[600];
  for (; k < K && at < all.n; k++) {
    size_t n = k == K - 1 ? all.n - at : 1 + (k * 3) % 4;   /* 1, 4, 3, 2, 1, ...: 30, then the rest */
    corpus part = { all.docs + at, n };
    snprintf(path, sizeof path, "%s/many-%zu.seg", tmpdir, k);
    build(&part, path);
    in[k] = open_verified(path);
    at += n;
  }
  assert_int_equal(k, K);
  assert_int_equal(at, all.n);
  seg_reader *m = merged(in, K, NULL, "merged-many.seg");
  seg_reader *d = built(&all, "direct-many.seg");
  assert_true(m->map.n == d->map.n && !memcmp(m->map.p, d->map.p, d->map.n));
  check_same(m, d);
  for (size_t i = 0; i < K; i++) seg_close(in[i]);
  seg_close(m);
  seg_close(d);
  corpus_free(&all);
}

/* Read every structure of @path; the result must be OK or ECORRUPT, never a crash. */
static int open_and_read(const char *path) {
  seg_reader *r = NULL;
  char *err = NULL;
  int rc = seg_open(&r, path, &err);
  indaga__free(err);
  err = NULL;
  if (rc) return rc;
  rc = seg_verify(r, &err);
  indaga__free(err);
  seg_close(r);
  return rc;
}

static void write_file(const char *path, const unsigned char *p, size_t n) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(p, 1, n, f), n);
  fclose(f);
}

static void test_segment__corruption_detected(void **state) {
  (void)state;
  corpus c;
  corpus_load(&c, keep_all);
  char path[600], bad[600];
  tmp_path(path, sizeof path, "good.seg");
  tmp_path(bad, sizeof bad, "bad.seg");
  build(&c, path);
  corpus_free(&c);
  seg_reader *r = open_verified(path);
  size_t n = r->map.n;
  unsigned char *orig = malloc(n), *copy = malloc(n);
  memcpy(orig, r->map.p, n);
  /* offsets: header, 24 spread over every non-empty section, the footer */
  size_t offs[2048], no = 0;
  for (size_t i = 0; i < SEGF_HEADER_SIZE; i++) offs[no++] = i;
  for (int s = 0; s < SEGF_NSECT; s++) {
    size_t base = (size_t)(r->sec[s] - r->map.p), len = r->nsec[s];
    assert_true(len > 0);   /* this corpus fills every section */
    for (size_t k = 0; k < 24 && k < len; k++) offs[no++] = base + k * len / 24;
    offs[no++] = base + len - 1;
  }
  for (size_t i = n - SEGF_FOOTER_SIZE; i < n; i += 3) offs[no++] = i;
  seg_close(r);
  for (size_t i = 0; i < no; i++) {
    memcpy(copy, orig, n);
    copy[offs[i]] ^= (unsigned char)(1u << (i % 8));
    write_file(bad, copy, n);
    int rc = open_and_read(bad);
    if (rc != INDAGA_ECORRUPT) fprintf(stderr, "flip at %zu gave %d\n", offs[i], rc);
    assert_int_equal(rc, INDAGA_ECORRUPT);
  }
  /* truncations */
  for (size_t len = 0; len < n; len += 1 + len / 7) {
    write_file(bad, orig, len);
    assert_int_equal(open_and_read(bad), INDAGA_ECORRUPT);
  }
  write_file(bad, orig, n - 1);
  assert_int_equal(open_and_read(bad), INDAGA_ECORRUPT);
  /*
  ** Flips behind a recomputed checksum (a writer bug, not a disk error):
  ** reading may succeed or report ECORRUPT, never crash; and the structural
  ** checks must catch flips in the index sections.
  */
  int caught = 0, tried = 0;
  for (size_t i = SEGF_HEADER_SIZE; i < n - SEGF_FOOTER_SIZE; i += 1 + n / 1500) {
    memcpy(copy, orig, n);
    copy[i] ^= 0x10;
    put_u64(copy + n - 16, XXH3_64bits(copy, n - 16));
    write_file(bad, copy, n);
    int rc = open_and_read(bad);
    assert_true(rc == INDAGA_OK || rc == INDAGA_ECORRUPT);
    caught += rc == INDAGA_ECORRUPT;
    tried++;
  }
  assert_true(caught > tried / 2);
  /* a future format version is refused as such */
  memcpy(copy, orig, n);
  put_u32(copy + 8, SEGF_VERSION + 1);
  put_u32(copy + n - 32, SEGF_VERSION + 1);
  put_u64(copy + n - 16, XXH3_64bits(copy, n - 16));
  write_file(bad, copy, n);
  char *err = NULL;
  seg_reader *x = NULL;
  assert_int_equal(seg_open(&x, bad, &err), INDAGA_EVERSION);
  assert_non_null(strstr(err, "bad.seg"));
  indaga__free(err);
  free(orig);
  free(copy);
}

/*
** A file larger than seg_open's whole-file check (forced here with
** INDAGA_TEST_FULL_CHECK_MAX=0) opens without being read whole: damage to
** its small sections is found on open by their section checksums, damage
** to postings, positions, paragraph records or stored text by the first
** read of that section (so a search never uses an unverified byte), and
** any flipped byte at all by seg_verify (indaga check) and seg_merge, so a
** merge never copies damage into a freshly checksummed file. The one byte
** range a reader cannot judge without reading everything is the
** whole-file checksum itself.
*/
static int none_deleted(void *ctx, size_t seg, uint32_t did) { (void)ctx; (void)seg; (void)did; return 0; }

/* 1 when reading every list, paragraph record, text and field record of @r meets ECORRUPT. */
static int reads_fail(const seg_reader *r) {
  const seg_fields *f;
  int frc = seg_fields_get(r, &f, NULL);
  for (size_t i = 0; frc == INDAGA_OK && i < sf_nfields(f); i++) frc = sf_load(r, f, i, NULL);
  int bad = frc == INDAGA_ECORRUPT;
  seg_dict_iter it;
  seg_dict_iter_init(&it, r);
  while (!bad && seg_dict_iter_next(&it) == 1) {
    seg_cursor c;
    int rc = seg_cursor_open(&c, r, &it.t);
    while (rc == INDAGA_OK && c.doc != SEG_END) {
      const uint32_t *p;
      uint32_t n;
      rc = seg_cursor_positions(&c, &p, &n);
      if (rc == INDAGA_OK) rc = seg_cursor_next(&c);
    }
    bad = rc == INDAGA_ECORRUPT;
    seg_cursor_close(&c);
  }
  seg_dict_iter_free(&it);
  ia_buf t = { 0 };
  for (uint32_t pid = 0; !bad && pid < seg_npara(r); pid++) {
    seg_para sp;
    bad = seg_para_get(r, pid, &sp) == INDAGA_ECORRUPT || seg_para_text(r, pid, &t) == INDAGA_ECORRUPT;
  }
  buf_free(&t);
  return bad;
}

static void test_segment__large_file_checked_lazily(void **state) {
  (void)state;
  corpus c;
  corpus_load(&c, keep_all);
  char path[600], bad[600], out[600];
  tmp_path(path, sizeof path, "lazy.seg");
  tmp_path(bad, sizeof bad, "lazybad.seg");
  tmp_path(out, sizeof out, "lazymerged.seg");
  build(&c, path);
  corpus_free(&c);
  assert_int_equal(setenv("INDAGA_TEST_FULL_CHECK_MAX", "0", 1), 0);
  seg_reader *r = open_verified(path);
  size_t n = r->map.n;
  unsigned char *orig = malloc(n), *copy = malloc(n);
  assert_non_null(orig);
  assert_non_null(copy);
  memcpy(orig, r->map.p, n);
  size_t offs[1024], no = 0;
  for (int sec = 0; sec < SEGF_NSECT; sec++) {
    size_t base = (size_t)(r->sec[sec] - r->map.p), len = r->nsec[sec];
    for (size_t k = 0; k < 8 && k < len; k++) offs[no++] = base + k * len / 8;
    offs[no++] = base + len - 1;
  }
  for (size_t i = n - SEGF_FOOTER_SIZE; i < n; i += 5) offs[no++] = i;
  size_t plen = (size_t)(r->sec[SEC_PARA_LEN] - r->map.p), tidx = (size_t)(r->sec[SEC_TEXT_IDX] - r->map.p);
  seg_close(r);
  int at_open = 0;
  for (size_t i = 0; i < no; i++) {
    memcpy(copy, orig, n);
    copy[offs[i]] ^= (unsigned char)(1u << (i % 8));
    write_file(bad, copy, n);
    seg_reader *x = NULL;
    char *err = NULL;
    int rc = seg_open(&x, bad, &err);
    assert_true(rc == INDAGA_OK || rc == INDAGA_ECORRUPT);
    if (rc == INDAGA_ECORRUPT) { at_open++; assert_non_null(strstr(err, "lazybad.seg")); }
    indaga__free(err);
    err = NULL;
    if (rc) continue;
    if ((offs[i] < n - 16 || offs[i] >= n - 8) && !reads_fail(x)) {
      int sec = -1;
      for (int k = 0; k < SEGF_NSECT; k++)
        if (offs[i] >= (size_t)(x->sec[k] - x->map.p) && offs[i] < (size_t)(x->sec[k] - x->map.p) + x->nsec[k]) sec = k;
      fprintf(stderr, "byte %zu of %zu (section %d) flipped: every read succeeds\n", offs[i], n, sec);
      fail();
    }
    assert_int_equal(seg_verify(x, &err), INDAGA_ECORRUPT);
    assert_non_null(strstr(err, "lazybad.seg"));
    indaga__free(err);
    err = NULL;
    const seg_reader *in[1] = { x };
    assert_int_equal(seg_merge(in, 1, none_deleted, NULL, NULL, out, &err), INDAGA_ECORRUPT);
    indaga__free(err);
    assert_int_equal(access(out, F_OK), -1);   /* nothing written */
    seg_close(x);
  }
  assert_true(at_open > 0);
  /* Paragraph lengths and the text block table are checked on open. */
  size_t must[2] = { plen, tidx + 8 };
  for (size_t i = 0; i < 2; i++) {
    memcpy(copy, orig, n);
    copy[must[i]] ^= 0x01;
    write_file(bad, copy, n);
    seg_reader *x = NULL;
    assert_int_equal(seg_open(&x, bad, NULL), INDAGA_ECORRUPT);
  }
  /* The intact file still opens, verifies and merges. */
  r = open_verified(path);
  const seg_reader *in[1] = { r };
  assert_int_equal(seg_merge(in, 1, none_deleted, NULL, NULL, out, NULL), INDAGA_OK);
  seg_close(r);
  seg_close(open_verified(out));
  assert_int_equal(unsetenv("INDAGA_TEST_FULL_CHECK_MAX"), 0);
  free(orig);
  free(copy);
}

static void test_segment__missing_file_and_garbage(void **state) {
  (void)state;
  char path[600];
  tmp_path(path, sizeof path, "nonexistent.seg");
  seg_reader *r = NULL;
  char *err = NULL;
  assert_int_equal(seg_open(&r, path, &err), INDAGA_ENOTFOUND);
  assert_non_null(strstr(err, "nonexistent.seg"));
  indaga__free(err);
  err = NULL;
  tmp_path(path, sizeof path, "garbage.seg");
  unsigned char junk[4096];
  for (size_t i = 0; i < sizeof junk; i++) junk[i] = (unsigned char)(i * 131 + 7);
  write_file(path, junk, sizeof junk);
  assert_int_equal(seg_open(&r, path, &err), INDAGA_ECORRUPT);
  assert_non_null(strstr(err, "garbage.seg"));
  indaga__free(err);
  assert_null(r);
}

/*
** The golden segment of the current format (version 7), built once from the
** files listed below. After an intended format change, bump SEGF_VERSION,
** add un-v<N>.seg with INDAGA_WRITE_GOLDEN=1 (the expectations are then
** printed) and keep the old files: they must be refused with EVERSION.
*/
static int keep_golden(size_t i) { return i == 0 || i == 16 || i == 17 || i == 19 || i == 33; }

/* XXH64 over every term, its postings and positions, every paragraph's text and record. */
static uint64_t fingerprint(const seg_reader *r) {
  XXH64_state_t *h = XXH64_createState();
  XXH64_reset(h, 0);
  seg_dict_iter it;
  seg_dict_iter_init(&it, r);
  while (seg_dict_iter_next(&it) == 1) {
    XXH64_update(h, it.term.p, it.term.n);
    seg_cursor c;
    assert_int_equal(seg_cursor_open(&c, r, &it.t), INDAGA_OK);
    for (; c.doc != SEG_END; assert_int_equal(seg_cursor_next(&c), INDAGA_OK)) {
      const uint32_t *p;
      uint32_t n;
      assert_int_equal(seg_cursor_positions(&c, &p, &n), INDAGA_OK);
      uint32_t v[2] = { c.doc, c.freq };
      XXH64_update(h, v, sizeof v);
      XXH64_update(h, p, n * sizeof *p);
    }
    seg_cursor_close(&c);
  }
  seg_dict_iter_free(&it);
  ia_buf t = { 0 };
  for (uint32_t pid = 0; pid < seg_npara(r); pid++) {
    seg_para sp;
    assert_int_equal(seg_para_get(r, pid, &sp), INDAGA_OK);
    uint64_t v[6] = { sp.doc, sp.part, sp.ordinal, sp.len, sp.src_start, sp.src_end };
    XXH64_update(h, v, sizeof v);
    assert_int_equal(seg_para_text(r, pid, &t), INDAGA_OK);
  }
  XXH64_update(h, t.p, t.n);
  buf_free(&t);
  uint64_t d = XXH64_digest(h);
  XXH64_freeState(h);
  return d;
}

static void test_segment__golden_file(void **state) {
  (void)state;
  if (getenv("INDAGA_WRITE_GOLDEN")) {
    corpus c;
    corpus_load(&c, keep_golden);
    build(&c, GOLDEN);
    corpus_free(&c);
  }
  seg_reader *r = open_verified(GOLDEN);
  /* written after 0.1.0: text frames without zstd's checksum (CHECKS covers them) */
  assert_true(r->ntextblk > 0);
  assert_true(checksummed_frames(r) == 0);
  uint64_t fp = fingerprint(r);
  printf("golden: ndoc=%u npara=%u nterms=%llu total_len=%llu fingerprint=%#llx\n", seg_ndoc(r),
         seg_npara(r), (unsigned long long)seg_nterms(r), (unsigned long long)seg_total_len(r),
         (unsigned long long)fp);
  assert_int_equal(seg_ndoc(r), 5);
  assert_int_equal(seg_npara(r), 187);
  assert_true(seg_nterms(r) == 862);
  assert_true(seg_total_len(r) == 4384);
  /* "consej" (consejo, consejos...): 14 paragraphs, the first is 9 at position 2 */
  seg_term t;
  assert_int_equal(seg_term_get(r, "consej", 6, &t), 1);
  assert_true(t.df == 14 && t.cf == 16);
  seg_cursor c;
  assert_int_equal(seg_cursor_open(&c, r, &t), INDAGA_OK);
  const uint32_t *p;
  uint32_t n;
  assert_int_equal(c.doc, 9);
  assert_int_equal(seg_cursor_positions(&c, &p, &n), INDAGA_OK);
  assert_true(n == 1 && p[0] == 2);
  seg_cursor_close(&c);
  assert_int_equal(seg_term_get(r, "krasnod", 7, &t), 1);
  assert_true(t.df == 2 && t.cf == 2);
  assert_int_equal(seg_cursor_open(&c, r, &t), INDAGA_OK);
  assert_int_equal(c.doc, 13);
  assert_int_equal(seg_cursor_positions(&c, &p, &n), INDAGA_OK);
  assert_true(n == 1 && p[0] == 32);
  seg_cursor_close(&c);
  uint32_t did;
  assert_int_equal(seg_doc_find(r, "carta_krasnodar_2017.txt", 24, &did), INDAGA_OK);
  assert_true(fp == GOLDEN_FINGERPRINT);
  seg_close(r);
  /* version 1 (StreamVByte blocks, absolute paragraph fields) is refused by name */
  char *err = NULL;
  r = NULL;
  assert_int_equal(seg_open(&r, GOLDEN_V1, &err), INDAGA_EVERSION);
  assert_null(r);
  assert_non_null(strstr(err, "un-v1.seg"));
  assert_non_null(strstr(err, "version 1"));
  indaga__free(err);
  /* version 2 (no piece numbers, no section and chunk checksums) too, telling how to rebuild */
  err = NULL;
  assert_int_equal(seg_open(&r, GOLDEN_V2, &err), INDAGA_EVERSION);
  assert_null(r);
  assert_non_null(strstr(err, "un-v2.seg"));
  assert_non_null(strstr(err, "version 2"));
  assert_non_null(strstr(err, "indaga index --full"));
  indaga__free(err);
  /* version 3 (no index id and generation in the footer) too */
  err = NULL;
  assert_int_equal(seg_open(&r, GOLDEN_V3, &err), INDAGA_EVERSION);
  assert_null(r);
  assert_non_null(strstr(err, "un-v3.seg"));
  assert_non_null(strstr(err, "version 3"));
  assert_non_null(strstr(err, "indaga index --full"));
  indaga__free(err);
  /* version 4 (terms of the analysis before numbering abbreviations were "número") is refused */
  err = NULL;
  assert_int_equal(seg_open(&r, GOLDEN_V4, &err), INDAGA_EVERSION);
  assert_null(r);
  assert_non_null(strstr(err, "un-v4.seg"));
  assert_non_null(strstr(err, "version 4"));
  assert_non_null(strstr(err, "indaga index --full"));
  indaga__free(err);
  /* version 5 (block directories without impacts; numbering abbreviations
     were the word "número", not the sign "nº") too */
  err = NULL;
  assert_int_equal(seg_open(&r, GOLDEN_V5, &err), INDAGA_EVERSION);
  assert_null(r);
  assert_non_null(strstr(err, "un-v5.seg"));
  assert_non_null(strstr(err, "version 5"));
  assert_non_null(strstr(err, "indaga index --full"));
  indaga__free(err);
  /* version 6 (no FIELDS section; the fields derived from the documents on use) too */
  err = NULL;
  assert_int_equal(seg_open(&r, GOLDEN_V6, &err), INDAGA_EVERSION);
  assert_null(r);
  assert_non_null(strstr(err, "un-v6.seg"));
  assert_non_null(strstr(err, "version 6"));
  assert_non_null(strstr(err, "indaga index --full"));
  indaga__free(err);
}

/* Recompute the FIELDS section's checksum, the footer's and the file's of p[0..n). */
static void rechecksum_fields(unsigned char *p, size_t n, const seg_reader *r) {
  unsigned char *foot = p + n - SEGF_FOOTER_SIZE;
  size_t off = (size_t)(r->sec[SEC_FIELDS] - r->map.p);
  put_u64(foot + 4 + 16 * SEGF_NSECT + 8 * SEC_FIELDS, XXH3_64bits(p + off, r->nsec[SEC_FIELDS]));
  put_u64(p + n - 24, XXH3_64bits(foot, SEGF_FOOTER_SIZE - 24));
  put_u64(p + n - 16, XXH3_64bits(p, n - 16));
}

/*
** The FIELDS section: written by the builder and by a merge, read in place
** (a merge with deletions derives them: test_segment__merge_equals_direct_build),
** checked by seg_verify: a flipped byte is an error
** naming the file, whether the checksums catch it or, recomputed, the
** section's own checks and its comparison with the documents' metadata do.
*/
static void test_segment__fields_section(void **state) {
  (void)state;
  seg_reader *cur = open_verified(GOLDEN);
  assert_true(cur->nsec[SEC_FIELDS] > 0);
  char out[600], bad[600];
  tmp_path(out, sizeof out, "fieldsmerged.seg");
  tmp_path(bad, sizeof bad, "fieldsbad.seg");
  /* real values: the Krasnodar letter's fields are its metadata, folded; its date the date line's */
  const seg_fields *f;
  uint32_t did;
  assert_int_equal(seg_fields_get(cur, &f, NULL), INDAGA_OK);
  assert_int_equal(seg_doc_find(cur, "carta_krasnodar_2017.txt", 24, &did), INDAGA_OK);
  assert_int_equal(sf_date(f, did), 20171122);
  seg_doc d;
  assert_int_equal(seg_doc_get(cur, did, &d), INDAGA_OK);
  const char *k, *v;
  size_t nk, nv, nfound = 0;
  ia_buf fk = { 0 }, fv = { 0 };
  for (size_t i = 0; seg_doc_meta(&d, i, &k, &nk, &v, &nv) == 1; i++) {
    buf_reset(&fk);
    buf_reset(&fv);
    assert_int_equal(sf_fold(k, nk, &fk), INDAGA_OK);
    assert_int_equal(sf_fold(v, nv, &fv), INDAGA_OK);
    long fi = sf_find(f, (const char *)fk.p, fk.n);
    assert_true(fi >= 0);
    assert_int_equal(sf_load(cur, f, (size_t)fi, NULL), INDAGA_OK);
    uint32_t id = sf_id(f, (size_t)fi, did);
    assert_true(id >= 1);
    size_t n;
    const char *sv = sf_value(f, (size_t)fi, id, &n);
    assert_true(n == fv.n && !memcmp(sv, fv.p, n));
    nfound++;
  }
  assert_true(nfound >= 4);
  buf_free(&fk);
  buf_free(&fv);
  const seg_reader *in[1] = { cur };
  assert_int_equal(seg_merge(in, 1, none_deleted, NULL, NULL, out, NULL), INDAGA_OK);
  seg_reader *m = open_verified(out);
  fields_equal(m, cur);
  assert_int_equal(m->nsec[SEC_FIELDS], cur->nsec[SEC_FIELDS]);
  assert_memory_equal(m->sec[SEC_FIELDS], cur->sec[SEC_FIELDS], cur->nsec[SEC_FIELDS]);
  seg_close(m);
  /* every byte of the section flipped, its checksums recomputed: verify names the file */
  size_t len = cur->map.n, base = (size_t)(cur->sec[SEC_FIELDS] - cur->map.p);
  unsigned char *copy = malloc(len);
  assert_non_null(copy);
  for (size_t i = 0; i < cur->nsec[SEC_FIELDS]; i += 1 + i / 64) {
    memcpy(copy, cur->map.p, len);
    copy[base + i] ^= (unsigned char)(1u << (i % 8));
    if (i % 2) rechecksum_fields(copy, len, cur);
    write_file(bad, copy, len);
    seg_reader *x = NULL;
    char *err = NULL;
    int rc = seg_open(&x, bad, &err);
    if (rc == INDAGA_OK) rc = seg_verify(x, &err);
    assert_int_equal(rc, INDAGA_ECORRUPT);
    assert_non_null(strstr(err, "fieldsbad.seg"));
    indaga__free(err);
    if (x && i % 2) {   /* the readers' own checks: an error or a value, never a crash */
      const seg_fields *xf;
      if (seg_fields_get(x, &xf, NULL) == INDAGA_OK)
        for (size_t fk2 = 0; fk2 < sf_nfields(xf); fk2++)
          if (sf_load(x, xf, fk2, NULL) == INDAGA_OK)
            for (uint32_t dd = 0; dd < seg_ndoc(x); dd++) {
              uint32_t id = sf_id(xf, fk2, dd);
              size_t n;
              if (id) { sf_value(xf, fk2, id, &n); sf_display(xf, fk2, id, &n); }
            }
    }
    seg_close(x);
  }
  free(copy);
  seg_close(cur);
}

/* A segment without documents, and documents without paragraphs or text, are valid. */
static void test_segment__empty_cases(void **state) {
  (void)state;
  char path[600], *err = NULL;
  seg_builder *b;
  tmp_path(path, sizeof path, "empty.seg");
  assert_int_equal(seg_builder_new(&b), INDAGA_OK);
  assert_int_equal(seg_builder_write(b, path, &err), INDAGA_OK);
  assert_int_equal(seg_builder_write(b, path, &err), INDAGA_EMISUSE);   /* once only */
  seg_builder_free(b);
  seg_reader *r = open_verified(path);
  assert_int_equal(seg_ndoc(r), 0);
  assert_int_equal(seg_npara(r), 0);
  assert_true(seg_nterms(r) == 0);
  seg_term t;
  assert_int_equal(seg_term_get(r, "a", 1, &t), 0);
  coll got = { .n = 0, .count = 0 };
  assert_int_equal(seg_vocab_prefix(r, "", 0, coll_kt, &got), INDAGA_OK);
  assert_int_equal(got.count, 0);
  uint32_t did;
  assert_int_equal(seg_doc_find(r, "x", 1, &did), INDAGA_ENOTFOUND);
  seg_close(r);

  /* hand-made documents: one with no paragraphs, one with an empty paragraph */
  analyzer *an;
  assert_int_equal(analyzer_new(&an), INDAGA_OK);
  seg_doc_in in[2];
  memset(in, 0, sizeof in);
  char *labels[1] = { NULL };
  dm_doc *d0 = indaga__calloc(1, sizeof *d0), *d1 = indaga__calloc(1, sizeof *d1);
  d0->part_labels = indaga__calloc(1, sizeof(char *));
  d0->nparts = 1;
  d1->part_labels = indaga__calloc(1, sizeof(char *));
  d1->nparts = 1;
  d1->paras = indaga__calloc(1, sizeof *d1->paras);
  d1->nparas = 1;
  d1->paras[0].ordinal = 1;
  d1->paras[0].part = 2;   /* a part the parser did not list: the table grows to hold it */
  d1->paras[0].text = indaga__strdup("");
  (void)labels;
  in[0].id = indaga__strdup("vacio.txt");
  in[0].doc = d0;
  in[1].id = indaga__strdup("blanco.txt");
  in[1].doc = d1;
  assert_int_equal(seg_analyze_doc(an, &in[0]), INDAGA_OK);
  assert_int_equal(seg_analyze_doc(an, &in[1]), INDAGA_OK);
  corpus c = { in, 2 };
  tmp_path(path, sizeof path, "blank.seg");
  build(&c, path);
  r = open_verified(path);
  assert_int_equal(seg_ndoc(r), 2);
  assert_int_equal(seg_npara(r), 1);
  assert_int_equal(seg_para_len(r, 0), 0);
  ia_buf text = { 0 };
  assert_int_equal(seg_para_text(r, 0, &text), INDAGA_OK);
  assert_int_equal(text.n, 0);
  assert_int_equal(seg_doc_find(r, "blanco.txt", 10, &did), INDAGA_OK);
  assert_int_equal(did, 1);
  seg_doc sd;
  assert_int_equal(seg_doc_get(r, 0, &sd), INDAGA_OK);
  assert_int_equal(sd.npara, 0);
  assert_int_equal(seg_doc_get(r, 1, &sd), INDAGA_OK);
  assert_int_equal(sd.nparts, 3);
  const char *lab;
  size_t nlab;
  assert_int_equal(seg_doc_part_label(&sd, 2, &lab, &nlab), 1);
  assert_null(lab);
  assert_int_equal(seg_doc_part_label(&sd, 3, &lab, &nlab), 0);
  buf_free(&text);
  seg_close(r);
  seg_doc_in_clear(&in[0]);
  seg_doc_in_clear(&in[1]);
  analyzer_free(an);
}

/*
** Threads: documents analysed on two threads (one analyzer each, as the
** writer does) build a segment byte-identical to the one-thread build, and
** four threads reading one reader at once all see the same postings and
** text (run under TSan in CI).
*/
typedef struct athread { seg_doc_in *docs; size_t from, to; int rc; } athread;

static void *analyse_range(void *arg) {
  athread *t = arg;
  analyzer *an;
  t->rc = analyzer_new(&an);
  for (size_t i = t->from; i < t->to && !t->rc; i++) t->rc = seg_analyze_doc(an, &t->docs[i]);
  analyzer_free(an);
  return NULL;
}

typedef struct rthread { const seg_reader *r; uint64_t sum; int rc; } rthread;

static void *read_all(void *arg) {
  rthread *t = arg;
  seg_dict_iter it;
  seg_dict_iter_init(&it, t->r);
  while (!t->rc && seg_dict_iter_next(&it) == 1) {
    seg_cursor c;
    t->rc = seg_cursor_open(&c, t->r, &it.t);
    while (!t->rc && c.doc != SEG_END) {
      const uint32_t *p;
      uint32_t n;
      t->rc = seg_cursor_positions(&c, &p, &n);
      t->sum = t->sum * 31 + c.doc + (n ? p[n - 1] : 0);
      if (!t->rc) t->rc = seg_cursor_next(&c);
    }
    seg_cursor_close(&c);
  }
  seg_dict_iter_free(&it);
  ia_buf text = { 0 };
  for (uint32_t pid = 0; pid < seg_npara(t->r) && !t->rc; pid++) {
    buf_reset(&text);
    t->rc = seg_para_text(t->r, pid, &text);
    for (size_t i = 0; i < text.n; i++) t->sum = t->sum * 31 + text.p[i];
  }
  buf_free(&text);
  return NULL;
}

/* Stored text compressed on the builder's own thread: the very same file. */
static void test_segment__async_text_same_bytes(void **state) {
  (void)state;
  corpus c;
  corpus_load(&c, keep_all);
  char one[600], two[600];
  tmp_path(one, sizeof one, "sync-text.seg");
  tmp_path(two, sizeof two, "async-text.seg");
  build(&c, one);
  seg_builder *b;
  assert_int_equal(seg_builder_new(&b), INDAGA_OK);
  assert_int_equal(seg_builder_async(b), INDAGA_OK);
  for (size_t i = 0; i < c.n; i++) assert_int_equal(seg_builder_add(b, &c.docs[i]), INDAGA_OK);
  assert_int_equal(seg_builder_async(b), INDAGA_EMISUSE);   /* only before the first document */
  assert_int_equal(seg_builder_write(b, two, NULL), INDAGA_OK);
  seg_builder_free(b);
  /* a builder dropped with blocks in flight leaves nothing behind */
  assert_int_equal(seg_builder_new(&b), INDAGA_OK);
  assert_int_equal(seg_builder_async(b), INDAGA_OK);
  for (size_t i = 0; i < c.n; i++) assert_int_equal(seg_builder_add(b, &c.docs[i]), INDAGA_OK);
  seg_builder_free(b);
  corpus_free(&c);
  char *x, *y;
  size_t nx, ny;
  assert_int_equal(os_read_file(one, &x, &nx, NULL), INDAGA_OK);
  assert_int_equal(os_read_file(two, &y, &ny, NULL), INDAGA_OK);
  assert_int_equal(nx, ny);
  assert_memory_equal(x, y, nx);
  indaga__free(x);
  indaga__free(y);
  seg_close(open_verified(two));
}

static void test_segment__threads(void **state) {
  (void)state;
  corpus c;
  corpus_load(&c, keep_all);
  char one[600], two[600];
  tmp_path(one, sizeof one, "one-thread.seg");
  build(&c, one);
  /* analyse again on two threads, into fresh token sets */
  for (size_t i = 0; i < c.n; i++) {
    void *old = c.docs[i].tokens;
    c.docs[i].tokens = NULL;
    seg_doc_in tmp = c.docs[i];
    tmp.tokens = old;
    tmp.id = NULL;
    tmp.doc = NULL;
    seg_doc_in_clear(&tmp);   /* frees only the old tokens */
  }
  athread at[2] = { { c.docs, 0, c.n / 2, 0 }, { c.docs, c.n / 2, c.n, 0 } };
  pthread_t th[4];
  for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&th[i], NULL, analyse_range, &at[i]), 0);
  for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
  assert_int_equal(at[0].rc, INDAGA_OK);
  assert_int_equal(at[1].rc, INDAGA_OK);
  tmp_path(two, sizeof two, "two-threads.seg");
  build(&c, two);
  char *a, *b;
  size_t na, nb;
  assert_int_equal(os_read_file(one, &a, &na, NULL), INDAGA_OK);
  assert_int_equal(os_read_file(two, &b, &nb, NULL), INDAGA_OK);
  assert_int_equal(na, nb);
  assert_memory_equal(a, b, na);
  indaga__free(a);
  indaga__free(b);
  seg_reader *r = open_verified(two);
  rthread rt[4];
  memset(rt, 0, sizeof rt);
  for (int i = 0; i < 4; i++) {
    rt[i].r = r;
    assert_int_equal(pthread_create(&th[i], NULL, read_all, &rt[i]), 0);
  }
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < 4; i++) {
    assert_int_equal(rt[i].rc, INDAGA_OK);
    assert_true(rt[i].sum == rt[0].sum);
  }
  seg_close(r);
  corpus_free(&c);
}

/*
** The OOM loop: fail the Nth allocation and every one after it, for N = 1,
** 2, ... until build, write, open, verify, text and merge all succeed. Each
** run must end in success or INDAGA_ENOMEM, leave no temporary file, and
** leak nothing (ASan build).
*/
static int keep_small(size_t i) { return i == 1 || i == 2 || i == 40; }

static int oom_run(const corpus *c, const char *path, const char *mpath) {
  seg_builder *b = NULL;
  seg_reader *r = NULL, *m = NULL;
  char *err = NULL;
  ia_buf t = { 0 };
  int rc = seg_builder_new(&b);
  for (size_t i = 0; i < c->n && !rc; i++) rc = seg_builder_add(b, &c->docs[i]);
  if (!rc) {
    rc = seg_builder_write(b, path, &err);
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_equal(access(tmp, F_OK), -1);   /* gone before the builder is freed */
  }
  seg_builder_free(b);
  indaga__free(err);
  err = NULL;
  if (!rc) rc = seg_open(&r, path, &err);
  indaga__free(err);
  err = NULL;
  if (!rc) rc = seg_verify(r, &err);
  indaga__free(err);
  err = NULL;
  if (!rc) rc = seg_para_text(r, 1, &t);
  if (!rc) {
    const seg_reader *in[1] = { r };   /* one input: merge must not see an id twice */
    rc = seg_merge(in, 1, doc_deleted_fn, NULL, NULL, mpath, &err);
    indaga__free(err);
    err = NULL;
  }
  if (!rc) rc = seg_open(&m, mpath, &err);
  indaga__free(err);
  buf_free(&t);
  seg_close(r);
  seg_close(m);
  return rc;
}

static void test_segment__oom_loop(void **state) {
  (void)state;
  corpus c;
  corpus_load(&c, keep_small);
  char path[600], mpath[600], tmp[700];
  tmp_path(path, sizeof path, "oom.seg");
  tmp_path(mpath, sizeof mpath, "oom-merged.seg");
  int rc = INDAGA_ENOMEM;
  uint64_t n;
  for (n = 1; rc != INDAGA_OK; n++) {
    indaga__alloc_fail_at(n, 1);
    rc = oom_run(&c, path, mpath);
    indaga__alloc_fail_at(0, 0);
    if (rc != INDAGA_OK && rc != INDAGA_ENOMEM) fprintf(stderr, "allocation %llu: %d\n", (unsigned long long)n, rc);
    assert_true(rc == INDAGA_OK || rc == INDAGA_ENOMEM);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_equal(access(tmp, F_OK), -1);
    snprintf(tmp, sizeof tmp, "%s.tmp", mpath);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_true(n < 100000);
  }
  assert_true(n > 50);   /* the loop did fail allocations all along the way */
  seg_reader *r = open_verified(mpath);
  seg_close(r);
  corpus_free(&c);
}

/*
** A merge spills the sections it writes after the postings to scratch
** files once they pass a limit (spool.c) and hands long lists to the sink
** block by block: with the limit lowered to 512 bytes
** (INDAGA_TEST_SPOOL_LIMIT) and every list streamed
** (INDAGA_TEST_STREAM_MIN=0), merges of three segments of real text,
** with and without deleted documents, give files byte for byte those of
** merges with every section in memory. Every failed write, open or
** allocation along such a merge (ENOSPC injected at each file operation in
** turn, then each allocation) fails cleanly: no scratch file and no
** temporary segment stays in the directory, and a failed scratch write
** names its file.
*/
static void load_file(const char *path, ia_buf *out) {
  char *p = NULL;
  size_t n = 0;
  assert_int_equal(os_load_file(path, UINT64_MAX, &p, &n, NULL), INDAGA_OK);
  buf_reset(out);
  buf_append(out, p, n);
  indaga__free(p);
  assert_int_equal(out->err, INDAGA_OK);
}

/* The number of files in tmpdir whose names end in ".tmp". */
static int count_tmp(void) {
  DIR *d = opendir(tmpdir);
  assert_non_null(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t k = strlen(e->d_name);
    if (k > 4 && !strcmp(e->d_name + k - 4, ".tmp")) n++;
  }
  closedir(d);
  return n;
}

static void test_segment__merge_spills_same_bytes(void **state) {
  (void)state;
  corpus all;
  corpus_load(&all, keep_all);
  size_t cut[4] = { 0, 15, 30, all.n };
  seg_reader *in[3];
  char path[600], mem[600], spilled[600];
  for (int k = 0; k < 3; k++) {
    corpus part = { all.docs + cut[k], cut[k + 1] - cut[k] };
    snprintf(path, sizeof path, "%s/sp-in-%d.seg", tmpdir, k);
    build(&part, path);
    in[k] = open_verified(path);
  }
  const seg_reader *const *ins = (const seg_reader *const *)in;
  ia_buf a = { 0 }, b = { 0 };
  for (int del = 0; del < 2; del++) {
    int (*fn)(void *, size_t, uint32_t) = del ? doc_deleted_fn : NULL;
    char *err = NULL;
    tmp_path(mem, sizeof mem, del ? "sp-mem-del.seg" : "sp-mem.seg");
    tmp_path(spilled, sizeof spilled, del ? "sp-spilled-del.seg" : "sp-spilled.seg");
    assert_int_equal(seg_merge(ins, 3, fn, NULL, NULL, mem, &err), INDAGA_OK);
    setenv("INDAGA_TEST_SPOOL_LIMIT", "512", 1);
    setenv("INDAGA_TEST_STREAM_MIN", "0", 1);
    int rc = seg_merge(ins, 3, fn, NULL, NULL, spilled, &err);
    unsetenv("INDAGA_TEST_SPOOL_LIMIT");
    unsetenv("INDAGA_TEST_STREAM_MIN");
    if (rc) fprintf(stderr, "%s\n", err ? err : "?");
    assert_int_equal(rc, INDAGA_OK);
    load_file(mem, &a);
    load_file(spilled, &b);
    assert_true(a.n > 100 * 512);   /* the spooled sections pass the limit many times over */
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.p, b.p, a.n);
    seg_close(open_verified(spilled));
  }
  /* failures along a spilling merge leave nothing behind */
  setenv("INDAGA_TEST_SPOOL_LIMIT", "512", 1);
  setenv("INDAGA_TEST_STREAM_MIN", "0", 1);
  tmp_path(path, sizeof path, "sp-fail.seg");
  int named = 0, rc = INDAGA_EIO;
  uint64_t n;
  for (n = 1; rc != INDAGA_OK; n++) {
    char *err = NULL;
    os__fail_at(OS_FAIL_ALL, n, ENOSPC, 1);
    rc = seg_merge(ins, 3, doc_deleted_fn, NULL, NULL, path, &err);
    os__fail_at(0, 0, 0, 0);
    assert_true(rc == INDAGA_OK || err != NULL);
    if (err && strstr(err, ".pos.tmp: cannot write: ")) named = 1;
    indaga__free(err);
    assert_int_equal(count_tmp(), 0);
    assert_int_equal(access(path, F_OK), rc == INDAGA_OK ? 0 : -1);
    assert_true(n < 100000);
  }
  assert_true(n > 100);   /* the scratch files' writes failed too, one after another */
  assert_true(named);
  load_file(path, &b);
  tmp_path(mem, sizeof mem, "sp-mem-del.seg");
  load_file(mem, &a);
  assert_true(a.n == b.n && !memcmp(a.p, b.p, a.n));
  remove(path);
  rc = INDAGA_ENOMEM;
  for (n = 1; rc != INDAGA_OK; n++) {
    indaga__alloc_fail_at(n, 1);
    rc = seg_merge(ins, 3, doc_deleted_fn, NULL, NULL, path, NULL);
    indaga__alloc_fail_at(0, 0);
    assert_true(rc == INDAGA_OK || rc == INDAGA_ENOMEM);
    assert_int_equal(count_tmp(), 0);
    assert_true(n < 100000);
  }
  unsetenv("INDAGA_TEST_SPOOL_LIMIT");
  unsetenv("INDAGA_TEST_STREAM_MIN");
  load_file(path, &b);
  assert_true(a.n == b.n && !memcmp(a.p, b.p, a.n));
  buf_free(&a);
  buf_free(&b);
  for (int k = 0; k < 3; k++) seg_close(in[k]);
  corpus_free(&all);
}

/*
** A document in pieces (docmodel_stream.c with 4 KiB windows): each piece a
** record (id, piece) with its 'more' flag; seg_doc_find gives the lowest
** piece, seg_doc_find_piece each one; verify accepts it; the same (id,
** piece) twice is refused by the builder; a merge of two segments holding
** the first and the last pieces keeps them in order. With
** INDAGA_WRITE_GOLDEN=1 the segment is also written as a fuzz seed
** (tests/fuzz/corpus/segment/pieces-v7.seg).
*/
#define PIECED INDAGA_SOURCE_DIR "/tests/data/docmodel/declaracion_universal_derechos_humanos.txt"

/* Stream PIECED in 4 KiB pieces into @in (analysed); returns the count. */
static size_t load_pieces(seg_doc_in *in, size_t max) {
  dm_stream *s = NULL;
  char *err = NULL;
  uint64_t h;
  analyzer *an;
  assert_int_equal(analyzer_new(&an), INDAGA_OK);
  assert_int_equal(dm_stream_open(&s, PIECED, "ddhh.txt", 4096, &err), INDAGA_OK);
  assert_int_equal(dm_stream_hash(s, &h, &err), INDAGA_OK);
  size_t n = 0;
  for (int last = 0; !last;) {
    assert_true(n < max);
    memset(&in[n], 0, sizeof in[n]);
    assert_int_equal(dm_stream_next(s, &in[n].doc, &in[n].piece, &last, &err), INDAGA_OK);
    in[n].more = !last;
    in[n].id = indaga__strdup("ddhh.txt");
    in[n].size = dm_stream_size(s);
    in[n].hash = h;
    assert_int_equal(seg_analyze_doc(an, &in[n]), INDAGA_OK);
    n++;
  }
  dm_stream_close(s);
  analyzer_free(an);
  return n;
}

static void build_range(const seg_doc_in *in, size_t from, size_t to, const char *path) {
  seg_builder *b;
  char *err = NULL;
  assert_int_equal(seg_builder_new(&b), INDAGA_OK);
  for (size_t i = from; i < to; i++) assert_int_equal(seg_builder_add(b, &in[i]), INDAGA_OK);
  assert_int_equal(seg_builder_write(b, path, &err), INDAGA_OK);
  seg_builder_free(b);
}

static void check_pieces(const seg_reader *r, size_t n) {
  uint32_t did;
  seg_doc d;
  assert_int_equal(seg_ndoc(r), n);
  assert_int_equal(seg_doc_find(r, "ddhh.txt", 8, &did), INDAGA_OK);
  assert_int_equal(seg_doc_get(r, did, &d), INDAGA_OK);
  assert_int_equal(d.piece, 0);
  for (uint32_t k = 0; k < n; k++) {
    assert_int_equal(seg_doc_find_piece(r, "ddhh.txt", 8, k, &did), INDAGA_OK);
    assert_int_equal(did, k);   /* added in order */
    assert_int_equal(seg_doc_get(r, did, &d), INDAGA_OK);
    assert_int_equal(d.piece, k);
    assert_int_equal(d.more, k + 1 < n);
    assert_int_equal(d.size, 12314);
  }
  assert_int_equal(seg_doc_find_piece(r, "ddhh.txt", 8, (uint32_t)n, &did), INDAGA_ENOTFOUND);
  assert_int_equal(seg_doc_find_piece(r, "ddhh.tx", 7, 0, &did), INDAGA_ENOTFOUND);
}

static void test_segment__pieces(void **state) {
  (void)state;
  seg_doc_in in[16];
  size_t n = load_pieces(in, 16);
  assert_true(n >= 3);
  char path[600], a[600], b[600], m[600], *err = NULL;
  tmp_path(path, sizeof path, "pieces.seg");
  build_range(in, 0, n, path);
  seg_reader *r = open_verified(path);
  check_pieces(r, n);
  seg_close(r);
  if (getenv("INDAGA_WRITE_GOLDEN")) {
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/tests/fuzz/corpus/segment/pieces-v7.seg'", path, INDAGA_SOURCE_DIR);
    assert_int_equal(system(cmd), 0);
  }
  /* the same (id, piece) twice */
  seg_builder *sb;
  assert_int_equal(seg_builder_new(&sb), INDAGA_OK);
  assert_int_equal(seg_builder_add(sb, &in[0]), INDAGA_OK);
  assert_int_equal(seg_builder_add(sb, &in[1]), INDAGA_OK);
  assert_int_equal(seg_builder_add(sb, &in[1]), INDAGA_OK);
  tmp_path(m, sizeof m, "twice.seg");
  assert_int_equal(seg_builder_write(sb, m, &err), INDAGA_EMISUSE);
  assert_non_null(strstr(err, "ddhh.txt"));
  assert_non_null(strstr(err, "piece 1"));
  indaga__free(err);
  err = NULL;
  seg_builder_free(sb);
  /* pieces split over two segments, merged back in order */
  tmp_path(a, sizeof a, "pieces-a.seg");
  tmp_path(b, sizeof b, "pieces-b.seg");
  tmp_path(m, sizeof m, "pieces-m.seg");
  build_range(in, 0, 2, a);
  build_range(in, 2, n, b);
  const seg_reader *ins[2] = { open_verified(a), open_verified(b) };
  assert_int_equal(seg_merge(ins, 2, NULL, NULL, NULL, m, &err), INDAGA_OK);
  seg_close((seg_reader *)(uintptr_t)ins[0]);
  seg_close((seg_reader *)(uintptr_t)ins[1]);
  r = open_verified(m);
  check_pieces(r, n);
  seg_close(r);
  for (size_t i = 0; i < n; i++) seg_doc_in_clear(&in[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_segment__round_trip_real_documents),
    cmocka_unit_test(test_segment__merge_equals_direct_build),
    cmocka_unit_test(test_segment__merge_of_many_equals_direct_build),
    cmocka_unit_test(test_segment__corruption_detected),
    cmocka_unit_test(test_segment__large_file_checked_lazily),
    cmocka_unit_test(test_segment__missing_file_and_garbage),
    cmocka_unit_test(test_segment__golden_file),
    cmocka_unit_test(test_segment__fields_section),
    cmocka_unit_test(test_segment__oom_loop),
    cmocka_unit_test(test_segment__empty_cases),
    cmocka_unit_test(test_segment__threads),
    cmocka_unit_test(test_segment__async_text_same_bytes),
    cmocka_unit_test(test_segment__pieces),
    cmocka_unit_test(test_segment__merge_spills_same_bytes),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
