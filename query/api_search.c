/*
** api_search.c: indaga_search() and indaga_results (include/indaga.h).
**
** One search: borrow a context (an analyzer and a stored-text reader, pool.c)
** -> parse (parse.c) -> compile against the snapshot and find the
** top k+offset (eval.c) -> for each kept hit, in document order so that
** hits sharing a stored-text block decompress it once, read its paragraph and
** document tables, build the snippet from the stored text (re-analysing the
** paragraph to find the words that matched, as written) and the context
** paragraphs -> give the context back. Parsing and evaluation use a work arena freed before
** returning; the results own a second arena holding every string and array
** they hand out, so a hit stays valid until indaga_results_free().
**
** An empty query (nothing left to search after parsing and analysis) is
** INDAGA_EMISUSE with a message beginning "empty query", so that callers
** can tell the user what to change.
**
** The work budget (budget.h, indaga.h): one qb_budget per search, started
** with the time and memory of the options (defaults for a version 1
** caller). Both arenas (the work arena and the results') charge their
** blocks to it; parsing, expansion and evaluation check it in their loops
** (qb_step), and hit building checks it once per hit. Its phase names what
** the search was doing for the message. When the time runs out while
** evaluating and the caller asked for partial results, the hits collected
** so far are built (the clock no longer checked: at most k hits) and the
** results are marked partial. Before returning, the results' arena is
** detached from the budget, which lives on this function's stack.
*/
#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "query/query.h"
#include "query/fields.h"
#include "query/order.h"
#include "query/suggest.h"
#include "indexer/index.h"

struct indaga_results {
  qa_arena a;              /* every string and array below */
  indaga_hit *hits;
  size_t n;
  qx_counts counts;        /* total, all_words, exact (query.h) */
  uint64_t took_us;
  char *errmsg;            /* in the arena, or a static string */
  char *note;              /* how the query was read, or NULL */
  int partial;             /* out of time: the hits found so far */
  indaga_facet *facets;    /* facet counts (order.c) */
  size_t nfacets;
  char *suggestion;        /* the query with misspelled words corrected (suggest.c), or NULL */
  int fix_unknown;         /* the suggestion corrects a word no paragraph holds */
  int corrected;           /* the hits are the suggestion's (see indaga_search) */
  const char **labels;     /* each index's label, copied at its first hit (index_label), or NULL */
};

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Set the results' message; keeps the first one. */
static void set_err(indaga_results *r, const char *msg) {
  if (r->errmsg) return;
  r->errmsg = qa_strndup(&r->a, msg, strlen(msg));
  if (!r->errmsg) r->errmsg = (char *)(uintptr_t)"out of memory";
}

/* Bytes of a version 1 indaga_search_options: up to and including `snippets`. */
#define OPTIONS_V1_SIZE (offsetof(indaga_search_options, snippets) + sizeof(int))

#define WEAK 0x80000000u   /* a stopword match, kept only between two matched words */

/* Drop weak matches not standing between two (non-weak) matches one space away. */
static size_t keep_weak_between(snip_match *m, size_t nm) {
  size_t o = 0;
  for (size_t i = 0; i < nm; i++) {
    if (m[i].group & WEAK) {
      size_t j = i + 1;
      while (j < nm && (m[j].group & WEAK) && m[j].start <= m[j - 1].end + 2) j++;
      int left = o > 0 && !(m[o - 1].group & WEAK) && m[i].start <= m[o - 1].end + 2;
      int right = j < nm && !(m[j].group & WEAK) && m[j].start <= m[j - 1].end + 2;
      if (!left || !right) continue;
      m[i].group &= ~WEAK;
    }
    m[o++] = m[i];
  }
  return o;
}

typedef struct snip_ctx {
  const qx_query *q;
  size_t seg;
  ia_buf m;                /* snip_match[] */
} snip_ctx;

static int snip_tok(void *ctx, const ia_token *t) {
  snip_ctx *sc = ctx;
  uint32_t g;
  int how = qx_match_token(sc->q, sc->seg, t, &g);
  if (!how) return 0;
  snip_match m = { (uint32_t)t->start, (uint32_t)t->end, how == 2 ? g | WEAK : g };
  buf_append(&sc->m, &m, sizeof m);
  return sc->m.err;
}

/* Snippet of hit @h (paragraph text in @text). Returns INDAGA_OK or INDAGA_ENOMEM. */
static int make_snippet(indaga_results *r, analyzer *an, const qx_query *q, size_t seg,
                        const char *text, size_t ntext, unsigned width, indaga_hit *h) {
  snip_ctx sc = { q, seg, { 0 } };
  int rc = analyzer_run(an, text, ntext, snip_tok, &sc, NULL);
  if (rc) { buf_free(&sc.m); return rc < 0 ? rc : INDAGA_ENOMEM; }
  size_t nm = keep_weak_between((snip_match *)(void *)sc.m.p, sc.m.n / sizeof(snip_match));
  indaga_range *hl = qa_alloc(&r->a, (nm ? nm : 1) * sizeof *hl);
  ia_buf out = { 0 };
  size_t nhl = 0;
  if (hl) rc = snippet_build(text, ntext, (const snip_match *)(void *)sc.m.p, nm,
                             width, &out, hl, &nhl);
  else rc = INDAGA_ENOMEM;
  buf_free(&sc.m);
  if (!rc) {
    h->snippet = qa_strndup(&r->a, out.n ? (const char *)out.p : "", out.n);
    h->snippet_len = out.n;
    h->highlights = hl;
    h->nhighlights = nhl;
    if (!h->snippet) rc = INDAGA_ENOMEM;
  }
  buf_free(&out);
  return rc;
}

/* Texts of up to @n paragraphs before and after @pid within document @d (read through @tr). */
static int make_context(indaga_results *r, seg_text_reader *tr, const seg_reader *sr, const seg_doc *d,
                        uint32_t pid, unsigned n, indaga_hit *h) {
  const char **before = qa_alloc(&r->a, (n ? n : 1) * sizeof *before);
  const char **after = qa_alloc(&r->a, (n ? n : 1) * sizeof *after);
  if (!before || !after) return INDAGA_ENOMEM;
  const char *t = NULL;
  size_t nt = 0;
  int rc = INDAGA_OK;
  uint32_t lo = pid - d->first_para >= n ? pid - n : d->first_para;
  for (uint32_t p = lo; p < pid && !rc; p++) {
    rc = seg_text_read(tr, sr, p, &t, &nt);
    if (!rc && !(before[h->nbefore++] = qa_strndup(&r->a, nt ? t : "", nt))) rc = INDAGA_ENOMEM;
  }
  uint32_t end = d->first_para + d->npara;
  for (uint32_t p = pid + 1; p < end && h->nafter < n && !rc; p++) {
    rc = seg_text_read(tr, sr, p, &t, &nt);
    if (!rc && !(after[h->nafter++] = qa_strndup(&r->a, nt ? t : "", nt))) rc = INDAGA_ENOMEM;
  }
  h->before = before;
  h->after = after;
  return rc;
}

/* An arena copy of field @key of @d, or NULL. */
static const char *meta_dup(indaga_results *r, const seg_doc *d, const char *key) {
  const char *v;
  size_t nv;
  if (seg_doc_meta_find(d, key, &v, &nv) != 1) return NULL;
  return qa_strndup(&r->a, v, nv);
}

/*
** The label of the index segment @seg comes from, copied into the results
** once per index (r->labels). INDAGA_OK or INDAGA_ENOMEM.
*/
static int index_label(indaga_results *r, const indaga_index *idx, uint32_t seg, const char **out) {
  const ix_snapshot *s = ix_index_snapshot(idx);
  size_t m = ix_seg_member(s, seg), nm = ix_snapshot_nmembers(s);
  if (!r->labels) {
    r->labels = qa_alloc(&r->a, nm * sizeof *r->labels);
    if (!r->labels) return INDAGA_ENOMEM;
  }
  if (!r->labels[m]) {
    const char *l = ix_index_seg_label(idx, seg);
    if (!(r->labels[m] = qa_strndup(&r->a, l, strlen(l)))) return INDAGA_ENOMEM;
  }
  *out = r->labels[m];
  return INDAGA_OK;
}

/* A hit's place in document order, for reading hits block by block. */
typedef struct hit_ord { uint32_t seg, pid; size_t i; } hit_ord;

static int cmp_hit_ord(const void *x, const void *y) {
  const hit_ord *a = x, *b = y;
  if (a->seg != b->seg) return a->seg < b->seg ? -1 : 1;
  return a->pid < b->pid ? -1 : a->pid > b->pid;
}

/* Fill hit @h from @x. Returns a status; the message is set by the caller. */
static int make_hit(indaga_results *r, qx_ctx *cx, const qx_query *q, const ix_snapshot *s,
                    const qx_hit *x, const indaga_search_options *o, const char *label, indaga_hit *h) {
  const seg_reader *sr = ix_seg(s, x->seg);
  seg_para p;
  seg_doc d;
  int rc = seg_para_get(sr, x->pid, &p);
  if (!rc) rc = seg_doc_get(sr, p.doc, &d);
  if (rc) return rc;
  h->score = x->score;
  h->doc = qa_strndup(&r->a, d.id, d.nid);
  h->index = label;
  h->symbol = meta_dup(r, &d, "symbol");
  h->title = meta_dup(r, &d, "title");
  h->part = p.part;
  const char *l = NULL;
  size_t nl = 0;
  if (p.part && seg_doc_part_label(&d, p.part, &l, &nl) == 1 && l) h->part_label = qa_strndup(&r->a, l, nl);
  h->paragraph = p.ordinal;
  if (p.label && p.nlabel) h->label = qa_strndup(&r->a, p.label, p.nlabel);
  h->byte_start = p.src_start;
  h->byte_end = p.src_end;
  uint32_t ymd, did;
  char *ferr = NULL;
  if (qf_para_date(sr, x->pid, &ymd, &did, &ferr) == INDAGA_OK && ymd % 100) {   /* a full date; a year alone is not one */
    char ds[16];
    snprintf(ds, sizeof ds, "%04u-%02u-%02u", ymd / 10000, ymd / 100 % 100, ymd % 100);
    h->date = qa_strndup(&r->a, ds, strlen(ds));
  }
  indaga__free(ferr);
  if (r->a.err) return INDAGA_ENOMEM;
  if (o->snippets) {
    const char *text;
    size_t ntext;
    rc = seg_text_read(cx->tr, sr, x->pid, &text, &ntext);
    if (!rc) rc = make_snippet(r, cx->an, q, x->seg, text, ntext, o->snippet_bytes, h);
    if (rc) return rc;
  }
  if (o->context) rc = make_context(r, cx->tr, sr, &d, x->pid, o->context, h);
  return rc;
}

/*
** Every match of @tree (one hit per document with @group), unordered: an
** exhaustive run collecting all. *out is the query holding them; free them
** with qx_all_free(*out) when done.
*/
static int all_matches(qa_arena *wa, qx_ctx *cx, const ix_snapshot *s, const qnode *tree, const qx_opts *base,
                       int group, qx_hit **hits, size_t *nhits, qx_query **out, char **err) {
  qx_opts xo = *base;
  xo.group = group;
  xo.exhaustive = 1;
  xo.all = 1;
  xo.k = 1024;
  qx_query *q = NULL;
  qx_counts counts;
  *hits = NULL;
  *nhits = 0;
  int rc = qx_compile(wa, cx->an, s, tree, &xo, &q, NULL, err);
  if (!rc && q) rc = qx_topk(q, hits, nhits, &counts, err);
  qx_release(q);
  *out = q;
  return rc;
}

/*
** A sort: @hits holds every match, unordered (qx_opts.all): the options'
** facets (over every matching paragraph) into @r, then the page's hits,
** sorted by the options' order, in hits[0..*nhits).
*/
static int sort_and_count(indaga_results *r, qa_arena *wa, qx_ctx *cx, const ix_snapshot *s, const qnode *tree,
                          const qx_opts *xo, const indaga_search_options *o, qx_hit **hits, size_t *nhits,
                          char **err) {
  int rc = INDAGA_OK;
  if (o->nfacets) {
    const qx_hit *paras = *hits;
    size_t npara = *nhits;
    qx_query *pq = NULL;
    if (o->group) {   /* the hits are documents: count over the paragraphs */
      qx_hit *v = NULL;
      rc = all_matches(wa, cx, s, tree, xo, 0, &v, &npara, &pq, err);
      paras = v;
    }
    if (!rc) rc = qo_facets(wa, &r->a, s, paras, npara, o->facets, o->nfacets, &r->facets, &r->nfacets, err);
    qx_all_free(pq);
    if (rc) return rc;
  }
  return qo_select(wa, s, *hits, *nhits, o->sort, (size_t)o->offset + o->k, nhits, err);
}


static int search_once(indaga_results *r, const indaga_index *idx, const char *query,
                       indaga_search_options o, int suggest);

/* qx_opts.visit for a facet without a sort: each match into the tally (order.c). */
static int visit_tally(void *tally, uint32_t seg, const uint32_t *pids, size_t n) {
  return qo_tally_add(tally, seg, pids, n);
}

/*
** The search. When it has a corrected query (suggest.c) and either finds
** nothing or corrects a word no paragraph holds (which then matches
** nothing: with best match the other words' paragraphs would be the
** answer, the misspelled word's meaning lost), and the correction finds
** something, the results are the correction's, marked so.
*/
int indaga_search(indaga_results **out, const indaga_index *idx, const char *query,
                  const indaga_search_options *opts) {
  if (!out) return INDAGA_EMISUSE;
  *out = NULL;
  indaga_results *r = indaga__calloc(1, sizeof *r);
  if (!r) return INDAGA_ENOMEM;
  *out = r;
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  if (opts) {
    if (opts->version < 1 || opts->version > INDAGA_SEARCH_OPTIONS_VERSION) {
      set_err(r, "indaga_search: unknown options version");
      return INDAGA_EMISUSE;
    }
    /* an older caller's struct ends before the fields of later versions: copy what it
    ** has, keep the defaults after */
    if (opts->version == 1) memcpy(&o, opts, OPTIONS_V1_SIZE);
    else if (opts->version == 2) memcpy(&o, opts, offsetof(indaga_search_options, correct));
    else if (opts->version == 3) memcpy(&o, opts, offsetof(indaga_search_options, sort));
    else o = *opts;
    o.version = INDAGA_SEARCH_OPTIONS_VERSION;
  }
  if (!idx || !query) {
    set_err(r, "indaga_search: index and query must not be NULL");
    return INDAGA_EMISUSE;
  }
  if (o.sort < INDAGA_SORT_RELEVANCE || o.sort > INDAGA_SORT_DOC || o.nfacets > INDAGA_FACETS_MAX ||
      (o.nfacets && !o.facets)) {
    set_err(r, "indaga_search: sort must be an INDAGA_SORT_* value, and facets at most INDAGA_FACETS_MAX names");
    return INDAGA_EMISUSE;
  }
  for (size_t i = 0; i < o.nfacets; i++)
    if (!o.facets[i] || !o.facets[i][0]) {
      set_err(r, "indaga_search: a facet name is NULL or empty");
      return INDAGA_EMISUSE;
    }
  if (o.k1 < 0 || o.b < 0 || o.b > 1) {
    set_err(r, "indaga_search: k1 must be >= 0 and b within [0, 1]");
    return INDAGA_EMISUSE;
  }
  if (o.mode != INDAGA_MATCH_BEST && o.mode != INDAGA_MATCH_ALL) {
    set_err(r, "indaga_search: mode must be INDAGA_MATCH_BEST or INDAGA_MATCH_ALL");
    return INDAGA_EMISUSE;
  }
  uint64_t t0 = now_us();
  int rc = search_once(r, idx, query, o, 1);
  if (rc == INDAGA_OK && o.correct && r->suggestion && (r->counts.total == 0 || r->fix_unknown)) {
    indaga_results *c = indaga__calloc(1, sizeof *c);
    if (c && search_once(c, idx, r->suggestion, o, 0) == INDAGA_OK && c->counts.total > 0 &&
        (c->suggestion = qa_strndup(&c->a, r->suggestion, strlen(r->suggestion))) != NULL) {
      indaga_results t = *r;
      *r = *c;
      *c = t;
      r->corrected = 1;
    }
    indaga_results_free(c);   /* the other one */
  }
  r->took_us = now_us() - t0;
  return rc;
}

/* One search of @query into the empty results @r; with @suggest, also its suggestion. */
static int search_once(indaga_results *r, const indaga_index *idx, const char *query,
                       indaga_search_options o, int suggest) {
  const ix_snapshot *s = ix_index_snapshot(idx);
  qb_budget bud;
  qb_init(&bud, o.time_ms, o.memory_bytes, o.cancel);
  qa_arena wa = { 0 };
  wa.bud = &bud;
  r->a.bud = &bud;
  ia_buf notes = { 0 };
  qx_ctx *cx = NULL;
  qnode *tree = NULL;
  qx_query *q = NULL;
  qx_hit *hits = NULL;
  size_t nhits = 0;
  qo_tally *tally = NULL;
  char *err = NULL;
  bud.phase = "preparing";
  int rc = qx_pool_get(idx, &cx);
  if (!rc) rc = qb_check(&bud);
  bud.phase = "parsing";
  if (!rc) rc = qp_parse(&wa, query, strlen(query), &tree, &notes);
  if (!rc) rc = qb_check(&bud);
  if (rc) goto done;
  const int full = o.sort != INDAGA_SORT_RELEVANCE;   /* every match is collected, then sorted */
  qx_opts xo = { o.k + o.offset, o.group, o.k1, o.b, full,
                 o.mode == INDAGA_MATCH_ALL ? QX_MODE_ALL : QX_MODE_BEST, 0, full, NULL, NULL };
  if (o.k > UINT32_MAX / 2 || o.offset > UINT32_MAX / 2) xo.k = UINT32_MAX;
  if (o.k == 0) goto done;
  if (full) xo.k = 1024;   /* every match is collected (qx_opts.all): the first room */
  if (o.nfacets && !full) {
    /* the top k stays pruned; the count pass hands every match, unscored, to the tally */
    bud.phase = "preparing facets";
    rc = qo_tally_new(&wa, s, o.facets, o.nfacets, &tally, &err);
    if (rc) goto done;
    xo.visit = visit_tally;
    xo.visit_ctx = tally;
  }
  bud.phase = "expanding the query's words";
  rc = qx_compile(&wa, cx->an, s, tree, &xo, &q, &notes, &err);
  if (rc) goto done;
  if (!q) {
    ia_buf m = { 0 };
    buf_puts(&m, "empty query: nothing to search for");
    if (notes.n) { buf_puts(&m, " ("); buf_append(&m, notes.p, notes.n); buf_putc(&m, ')'); }
    else buf_puts(&m, " (only punctuation, or words that are not searchable)");
    set_err(r, m.err ? "empty query" : (const char *)m.p);
    buf_free(&m);
    rc = INDAGA_EMISUSE;
    goto done;
  }
  bud.phase = "collecting matches";
  rc = qx_topk(q, &hits, &nhits, &r->counts, &err);
  if (rc == INDAGA_ELIMIT && o.partial && bud.kind == QB_TIME) {
    /* out of time while collecting: the hits so far, marked partial; their building is not timed */
    r->partial = 1;
    bud.no_time = 1;
    bud.rc = INDAGA_OK;   /* memory and cancellation still apply */
    bud.kind = QB_NONE;
    indaga__free(err);
    err = NULL;
    rc = INDAGA_OK;
  }
  if (!rc && tally) {
    bud.phase = "counting facets";
    rc = qo_tally_end(tally, &r->a, &r->facets, &r->nfacets);
  }
  if (!rc && full) {
    bud.phase = "sorting and counting matches";
    rc = sort_and_count(r, &wa, cx, s, tree, &xo, &o, &hits, &nhits, &err);
  }
  if (rc) goto done;
  if (suggest) {
    char *fix = NULL;
    bud.phase = "looking up suggestions";
    rc = qs_suggest(&wa, cx->an, s, tree, query, strlen(query), &fix, &r->fix_unknown, &err);
    if (rc) goto done;
    if (fix && !(r->suggestion = qa_strndup(&r->a, fix, strlen(fix)))) { rc = INDAGA_ENOMEM; goto done; }
  }
  bud.phase = "building hits";
  if (nhits > o.offset) {
    r->n = nhits - o.offset;
    r->hits = qa_alloc(&r->a, r->n * sizeof *r->hits);
    if (!r->hits) { rc = INDAGA_ENOMEM; r->n = 0; goto done; }
    /*
    ** Hits are read in document order (segment, paragraph), not rank order,
    ** so hits whose paragraphs share a stored-text block decompress it once
    ** (the text reader keeps the block read last).
    */
    hit_ord *ord = qa_alloc(&wa, r->n * sizeof *ord);
    if (!ord) { rc = INDAGA_ENOMEM; r->n = 0; goto done; }
    for (size_t i = 0; i < r->n; i++) {
      ord[i].seg = hits[o.offset + i].seg;
      ord[i].pid = hits[o.offset + i].pid;
      ord[i].i = i;
    }
    if (r->n > 1) qsort(ord, r->n, sizeof *ord, cmp_hit_ord);
    for (size_t k = 0; k < r->n && !rc; k++) {
      size_t i = ord[k].i;
      r->hits[i].rank = (unsigned)(o.offset + i + 1);
      rc = qb_check(&bud);
      const char *label = NULL;
      if (!rc) rc = index_label(r, idx, hits[o.offset + i].seg, &label);
      if (!rc) rc = make_hit(r, cx, q, s, &hits[o.offset + i], &o, label, &r->hits[i]);
      if (rc && bud.rc && (rc == INDAGA_ENOMEM || rc == bud.rc)) rc = bud.rc;   /* the budget's, with its message */
      else if (rc && !err) err = indaga__sprintf("index segment %s: %s while reading a hit",
                                                  seg_name(ix_seg(s, hits[o.offset + i].seg)), indaga_strerror(rc));
    }
    if (rc) r->n = 0;
  }
done:
  if (rc && bud.rc && (rc == INDAGA_ENOMEM || rc == bud.rc)) {   /* the budget ran out: its status and message */
    rc = bud.rc;
    if (!err) err = qb_message(&bud);
  }
  r->a.bud = NULL;   /* the budget dies with this call; the results' blocks stay */
  if (r->a.err == INDAGA_ELIMIT || r->a.err == INDAGA_ECANCELED) r->a.err = INDAGA_OK;   /* room for the message */
  if (rc && rc != INDAGA_EMISUSE) {
    set_err(r, err ? err : indaga_strerror(rc));
  }
  if (notes.n && !notes.err) r->note = qa_strndup(&r->a, (const char *)notes.p, notes.n);
  indaga__free(err);
  qx_release(q);
  qx_all_free(q);
  qa_free(&wa);
  buf_free(&notes);
  qx_pool_put(idx, cx);
  return rc;
}

size_t indaga_results_count(const indaga_results *r) { return r ? r->n : 0; }
uint64_t indaga_results_total(const indaga_results *r) { return r ? r->counts.total : 0; }
int indaga_results_total_exact(const indaga_results *r) { return r ? r->counts.exact : 0; }
uint64_t indaga_results_all_words(const indaga_results *r) { return r ? r->counts.all_words : 0; }
uint64_t indaga_results_took_us(const indaga_results *r) { return r ? r->took_us : 0; }
int indaga_results_partial(const indaga_results *r) { return r ? r->partial : 0; }

const indaga_hit *indaga_results_hit(const indaga_results *r, size_t i) {
  return r && i < r->n ? &r->hits[i] : NULL;
}

const char *indaga_hit_index(const indaga_hit *h) { return h ? h->index : NULL; }

size_t indaga_results_facet_count(const indaga_results *r) { return r ? r->nfacets : 0; }

const indaga_facet *indaga_results_facet(const indaga_results *r, size_t i) {
  return r && i < r->nfacets ? &r->facets[i] : NULL;
}

const char *indaga_results_errmsg(const indaga_results *r) { return r ? r->errmsg : NULL; }
const char *indaga_results_note(const indaga_results *r) { return r ? r->note : NULL; }
const char *indaga_results_suggestion(const indaga_results *r) { return r ? r->suggestion : NULL; }
int indaga_results_corrected(const indaga_results *r) { return r ? r->corrected : 0; }

void indaga_results_free(indaga_results *r) {
  if (!r) return;
  qa_free(&r->a);
  indaga__free(r);
}
