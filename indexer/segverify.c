/*
** segverify.c: seg_verify, the full structural check of an open segment.
**
** seg_open already checked the section table (and the checksum of a small
** file); this verifies the checksum of the whole file, then walks
** every record and cross-reference, so that a segment which passes can be
** read by any call without an INDAGA_ECORRUPT (barring a bad disk):
**
**   dictionary  terms strictly ascending; each list decodes (ids ascending
**               and < npara, block directory consistent with its blocks),
**               df / cf / max_tf / min_len equal to what the list holds,
**               positions ascending and < the paragraph's length, list
**               offsets ascending; the count equals the footer's
**   vocabulary  keys strictly ascending, each key's terms strictly ascending
**               and present in the dictionary; the count equals the footer's
**   paragraphs  each record decodes; doc ids non-decreasing, each paragraph
**               inside its document's range and part < nparts; its text
**               decompresses (bounds checked); lengths sum to total_len
**   documents   records decode; first_para/npara tile the paragraphs;
**               metadata and part labels decode exactly; DOC_SORT is a
**               permutation in strictly ascending (id, piece) order, so an
**               (id, piece) pair is never there twice
**   text        blocks back to back, each decompressing to its stated size
**   fields      (version 7) every field record checks (segfields.c), and
**               the section equals the one derived from the documents'
**               metadata (sf_verify)
**
** The first problem found is reported in *errmsg naming the file.
*/
#include <stdlib.h>
#include <xxhash.h>
#include <zstd.h>
#include "indexer/segfields.h"
#include "indexer/segimpl.h"
#include "indexer/segwriter.h"

static int cmp_mem(const unsigned char *a, size_t na, const unsigned char *b, size_t nb) {
  size_t m = na < nb ? na : nb;
  int c = m ? memcmp(a, b, m) : 0;
  if (c) return c;
  return na < nb ? -1 : na > nb;
}

/*
** Do the impacts of directory entry @e cover a posting of @tf in a paragraph
** of @len tokens? They must also be well formed: a first step in use, tf
** and length ascending, unused steps only at the end.
*/
static int covered(const unsigned char *e, uint32_t tf, uint32_t len) {
  uint32_t maxtf = get_u32(e + 4), pt = 0, pl = 0;
  int hit = 0, used = 1;
  for (uint32_t j = 0; j < SEG_IMPACTS; j++) {
    uint32_t t = get_u16(e + 20 + 4 * j), l = get_u16(e + 22 + 4 * j);
    if (t == 0) {
      if (l != 0 || j == 0) return 0;
      used = 0;
      continue;
    }
    if (!used || (j > 0 && (t <= pt || l <= pl))) return 0;
    pt = t;
    pl = l;
    if (t == 0xffffu) t = maxtf;
    if (tf <= t && len >= l) hit = 1;
  }
  return hit;
}

/* Check one term's postings list against its dictionary entry. */
static int verify_list(const seg_reader *r, const ia_buf *term, const seg_term *t, char **errmsg) {
  seg_cursor c;
  int rc = seg_cursor_open(&c, r, t);
  uint64_t cf = 0;
  uint32_t n = 0, maxtf = 0, minlen = UINT32_MAX, bmax = 0, bmin = UINT32_MAX;
  while (rc == INDAGA_OK && c.doc != SEG_END) {
    uint32_t len = seg_para_len(r, c.doc);
    const uint32_t *pos;
    uint32_t np;
    if ((rc = seg_cursor_positions(&c, &pos, &np)) != INDAGA_OK) break;
    for (uint32_t k = 0; k < np; k++)
      if (pos[k] >= len) {
        rc = seg__corrupt(r, errmsg, "term '%.*s': position %u beyond paragraph %u (length %u)",
                          (int)term->n, (const char *)term->p, pos[k], c.doc, len);
        break;
      }
    if (rc) break;
    if (c.blk && !covered(c.blk + (size_t)c.iblock * SEGF_SKIP_SIZE, c.freq, len))
      rc = seg__corrupt(r, errmsg, "term '%.*s': block %u impacts do not cover paragraph %u",
                        (int)term->n, (const char *)term->p, c.iblock, c.doc);
    if (rc) break;
    cf += c.freq;
    if (c.freq > bmax) bmax = c.freq;
    if (len < bmin) bmin = len;
    n++;
    if (n % SEG_BLOCK == 0 || n == t->df) {
      /* end of a block: the directory's bounds must be the block's */
      if (c.blk) {
        const unsigned char *e = c.blk + (size_t)c.iblock * SEGF_SKIP_SIZE;
        if (get_u32(e + 4) != bmax || get_u32(e + 8) != bmin)
          rc = seg__corrupt(r, errmsg, "term '%.*s': block %u bounds disagree with its postings",
                            (int)term->n, (const char *)term->p, c.iblock);
      }
      if (bmax > maxtf) maxtf = bmax;
      if (bmin < minlen) minlen = bmin;
      bmax = 0;
      bmin = UINT32_MAX;
    }
    if (!rc) rc = seg_cursor_next(&c);
  }
  seg_cursor_close(&c);
  if (rc == INDAGA_ECORRUPT)
    return seg__corrupt(r, errmsg, "term '%.*s': malformed postings", (int)term->n, (const char *)term->p);
  if (rc) return rc;
  if (n != t->df || cf != t->cf || maxtf != t->max_tf || minlen != t->min_len)
    return seg__corrupt(r, errmsg, "term '%.*s': dictionary statistics disagree with its postings",
                        (int)term->n, (const char *)term->p);
  return INDAGA_OK;
}

static int verify_dict(const seg_reader *r, char **errmsg) {
  seg_dict_iter it;
  seg_dict_iter_init(&it, r);
  ia_buf prev = { 0 };
  uint64_t prev_post = 0, prev_pos = 0;
  int rc;
  while ((rc = seg_dict_iter_next(&it)) == 1) {
    if (it.i > 1 && cmp_mem(prev.p, prev.n, it.term.p, it.term.n) >= 0) {
      rc = seg__corrupt(r, errmsg, "dictionary out of order at term %llu", (unsigned long long)it.i);
      break;
    }
    if (it.i > 1 && (it.t.priv[0] <= prev_post || it.t.priv[1] <= prev_pos)) {
      rc = seg__corrupt(r, errmsg, "postings offsets not ascending at term %llu", (unsigned long long)it.i);
      break;
    }
    prev_post = it.t.priv[0];
    prev_pos = it.t.priv[1];
    if ((rc = verify_list(r, &it.term, &it.t, errmsg)) != INDAGA_OK) break;
    buf_reset(&prev);
    buf_append(&prev, it.term.p, it.term.n);
    if ((rc = prev.err) != INDAGA_OK) break;
  }
  if (rc == 0 && r->nterms && it.p != r->sec[SEC_DICT] + r->nsec[SEC_DICT])
    rc = seg__corrupt(r, errmsg, "bytes after the last dictionary entry");
  if (rc == 0 && !r->nterms && r->nsec[SEC_DICT]) rc = seg__corrupt(r, errmsg, "dictionary bytes without terms");
  if (rc == INDAGA_ECORRUPT) rc = seg__corrupt(r, errmsg, "malformed dictionary entry %llu", (unsigned long long)it.i);
  buf_free(&prev);
  seg_dict_iter_free(&it);
  return rc;
}

static int verify_vocab(const seg_reader *r, char **errmsg) {
  seg_vocab_iter it;
  seg_vocab_iter_init(&it, r);
  ia_buf prev = { 0 };
  int rc;
  while ((rc = seg_vocab_iter_next(&it)) == 1) {
    rc = INDAGA_OK;
    if (it.i > 1 && cmp_mem(prev.p, prev.n, it.key.p, it.key.n) >= 0)
      rc = seg__corrupt(r, errmsg, "vocabulary out of order at key %llu", (unsigned long long)it.i);
    for (size_t j = 0; j < it.nterms && !rc; j++) {
      const unsigned char *t = it.terms.p + it.toff[j];
      size_t nt = it.toff[j + 1] - it.toff[j];
      seg_term st;
      if (j && cmp_mem(it.terms.p + it.toff[j - 1], it.toff[j] - it.toff[j - 1], t, nt) >= 0)
        rc = seg__corrupt(r, errmsg, "vocabulary key '%.*s': terms out of order", (int)it.key.n, (const char *)it.key.p);
      else if ((rc = seg_term_get(r, (const char *)t, nt, &st)) == 0)
        rc = seg__corrupt(r, errmsg, "vocabulary key '%.*s': term '%.*s' not in the dictionary",
                          (int)it.key.n, (const char *)it.key.p, (int)nt, (const char *)t);
      else if (rc == 1)
        rc = INDAGA_OK;
    }
    if (rc) break;
    buf_reset(&prev);
    buf_append(&prev, it.key.p, it.key.n);
    if ((rc = prev.err) != INDAGA_OK) break;
  }
  if (rc == 0 && it.p != r->sec[SEC_VOCAB] + r->nsec[SEC_VOCAB] && (r->nkeys || r->nsec[SEC_VOCAB]))
    rc = seg__corrupt(r, errmsg, "bytes after the last vocabulary entry");
  if (rc == INDAGA_ECORRUPT) rc = seg__corrupt(r, errmsg, "malformed vocabulary entry %llu", (unsigned long long)it.i);
  buf_free(&prev);
  seg_vocab_iter_free(&it);
  return rc;
}

/* Metadata and part labels of @d decode exactly. */
static int verify_doc_blobs(const seg_doc *d) {
  const char *k, *v;
  size_t nk, nv, i = 0;
  int rc;
  while ((rc = seg_doc_meta(d, i, &k, &nk, &v, &nv)) == 1) i++;
  if (rc < 0) return rc;
  const unsigned char *p = d->parts, *end = d->parts + d->nparts_bytes;
  for (uint32_t j = 1; j < d->nparts; j++) {
    uint64_t n;
    if (get_varint(&p, end, &n) || (n && n - 1 > (uint64_t)(end - p))) return INDAGA_ECORRUPT;
    if (n) p += n - 1;
  }
  return p == end ? INDAGA_OK : INDAGA_ECORRUPT;
}

/* (id, piece) order of DOC_SORT: <0, 0 (the same document piece: never valid), >0. */
static int doc_order(const seg_doc *a, const seg_doc *b) {
  int c = cmp_mem((const unsigned char *)a->id, a->nid, (const unsigned char *)b->id, b->nid);
  if (c) return c;
  return a->piece < b->piece ? -1 : a->piece > b->piece;
}

static int verify_docs(const seg_reader *r, char **errmsg) {
  uint32_t next = 0;
  for (uint32_t did = 0; did < r->ndoc; did++) {
    seg_doc d;
    if (seg_doc_get(r, did, &d) || verify_doc_blobs(&d))
      return seg__corrupt(r, errmsg, "malformed document record %u", did);
    if (d.first_para != next) return seg__corrupt(r, errmsg, "document %u does not start at paragraph %u", did, next);
    next = d.first_para + d.npara;
  }
  if (next != r->npara) return seg__corrupt(r, errmsg, "documents cover %u of %u paragraphs", next, r->npara);
  unsigned char *seen = indaga__calloc(r->ndoc ? r->ndoc : 1, 1);
  if (!seen) return INDAGA_ENOMEM;
  int rc = INDAGA_OK;
  seg_doc prev;
  memset(&prev, 0, sizeof prev);
  for (uint32_t i = 0; i < r->ndoc && !rc; i++) {
    uint32_t did = get_u32(r->sec[SEC_DOC_SORT] + 4 * (size_t)i);
    seg_doc d;
    if (did >= r->ndoc || seen[did] || seg_doc_get(r, did, &d))
      rc = seg__corrupt(r, errmsg, "document id index entry %u invalid", i);
    else if (i && doc_order(&prev, &d) >= 0)
      rc = seg__corrupt(r, errmsg, "document id index out of order (or an (id, piece) twice) at %u", i);
    else {
      seen[did] = 1;
      prev = d;
    }
  }
  indaga__free(seen);
  return rc;
}

static int verify_paras(const seg_reader *r, char **errmsg) {
  seg_text_cache tc;
  memset(&tc, 0, sizeof tc);
  uint64_t total = 0;
  uint32_t doc = 0;
  seg_doc d;
  int rc = INDAGA_OK;
  memset(&d, 0, sizeof d);
  for (uint32_t pid = 0; pid < r->npara && !rc; pid++) {
    seg_para p;
    const char *t;
    size_t nt;
    if ((rc = seg__para_read(r, pid, &tc, &p, &t, &nt)) != INDAGA_OK) {
      if (rc == INDAGA_ECORRUPT) rc = seg__corrupt(r, errmsg, "paragraph %u: malformed record or stored text", pid);
      break;
    }
    if (p.doc < doc || p.doc >= r->ndoc) {
      rc = seg__corrupt(r, errmsg, "paragraph %u: document %u out of order", pid, p.doc);
      break;
    }
    if ((pid == 0 || p.doc != doc) && seg_doc_get(r, p.doc, &d)) {
      rc = seg__corrupt(r, errmsg, "paragraph %u: bad document %u", pid, p.doc);
      break;
    }
    doc = p.doc;
    if (pid < d.first_para || pid - d.first_para >= d.npara || p.part >= d.nparts)
      rc = seg__corrupt(r, errmsg, "paragraph %u outside its document %u or part %u", pid, p.doc, p.part);
    total += p.len;
  }
  buf_free(&tc.raw);
  if (!rc && total != r->total_len) rc = seg__corrupt(r, errmsg, "paragraph lengths do not sum to the footer's");
  return rc;
}

static int verify_text(const seg_reader *r, char **errmsg) {
  uint64_t at = 0;
  for (uint64_t b = 0; b < r->ntextblk; b++) {
    const unsigned char *e = r->sec[SEC_TEXT_IDX] + 16 * b;
    uint64_t off = get_u64(e);
    uint32_t clen = get_u32(e + 8), rlen = get_u32(e + 12);
    if (off != at || clen > r->nsec[SEC_TEXT] - off)
      return seg__corrupt(r, errmsg, "text block %llu out of place", (unsigned long long)b);
    unsigned long long fs = ZSTD_getFrameContentSize(r->sec[SEC_TEXT] + off, clen);
    size_t fl = ZSTD_findFrameCompressedSize(r->sec[SEC_TEXT] + off, clen);
    if (fs != rlen || ZSTD_isError(fl) || fl != clen)
      return seg__corrupt(r, errmsg, "text block %llu is not one zstd frame of %u bytes", (unsigned long long)b, rlen);
    at = off + clen;
  }
  if (at != r->nsec[SEC_TEXT]) return seg__corrupt(r, errmsg, "text blocks do not fill the text section");
  return INDAGA_OK;
}

/* Every section against its footer checksum, and every chunk against CHECKS. */
static int verify_sections(const seg_reader *r, char **errmsg) {
  for (int i = 0; i < SEGF_NSECT; i++) {
    if (!seg__section_ok(r, i))
      return seg__corrupt(r, errmsg, "section %d does not match its checksum", i);
    for (uint64_t c = 0; SEGF_CHUNKED(i) && c * SEGF_CHECK_CHUNK < r->nsec[i]; c++)
      if (!seg__chunk_ok(r, i, c))
        return seg__corrupt(r, errmsg, "section %d, bytes %llu+: chunk checksum mismatch", i,
                            (unsigned long long)(c * SEGF_CHECK_CHUNK));
  }
  return INDAGA_OK;
}

int seg_verify(const seg_reader *r, char **errmsg) {
  int rc = seg__checksum(r, errmsg);
  if (!rc) rc = verify_sections(r, errmsg);
  if (!rc) rc = verify_text(r, errmsg);
  if (!rc) rc = verify_docs(r, errmsg);
  if (!rc) rc = verify_paras(r, errmsg);
  if (!rc) rc = verify_dict(r, errmsg);
  if (!rc) rc = verify_vocab(r, errmsg);
  if (!rc) rc = sf_verify(r, errmsg);
  return rc;
}
