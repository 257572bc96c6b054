/*
** segread.c: reading a segment file (grammar in format.h).
**
** seg_open maps the file and checks, in order: the header magic, the footer
** magic and, for a file of at most SEG_FULL_CHECK_MAX bytes, the XXH3
** checksum of everything before it, the format versions, then that every
** section lies inside the file in order and that the fixed-width sections
** have the sizes the footer's counts imply. A larger file is not read whole
** on open (a search process would otherwise read the entire index first):
** instead every byte is checked before it is first read. The dictionary,
** vocabulary, document and index sections (a few percent of the file) are
** checked on open against their checksums in the footer, with the
** consistency of their offsets; postings, positions, paragraph records and
** stored text are checked in chunks of SEGF_CHECK_CHUNK bytes against the
** CHECKS section (seg__range_check): a cursor verifies the chunks its list
** can span when it opens, a paragraph read its record chunk's bytes, a text
** read its zstd frame's, each chunk once per reader. So a search never uses
** a byte that was not verified, and pays only for what it reads; the
** whole-file checksum is verified by seg_verify (indaga check) and by
** seg_merge before it copies anything.
** After that, lookups trust only those bounds:
** every varint and record is decoded against an explicit end pointer, and a
** malformed one gives INDAGA_ECORRUPT; cross-references between sections
** (term order, ids below npara, positions within paragraphs...) are checked
** by seg_verify (segverify.c), which a reader need not run.
**
** Lookups: a term is found by binary search of the dictionary blocks' first
** terms (stored whole), then a scan of at most SEGF_DICT_BLOCK front-coded
** entries; the vocabulary likewise. A document id is found by binary search
** of DOC_SORT. Paragraph records are read by decoding at most
** SEGF_PARA_CHUNK records of a chunk. Stored text is one zstd frame per
** block; seg_para_text decompresses the paragraph's block.
*/
#include <assert.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <xxhash.h>
#include <zstd.h>
#include "common/testhook.h"
#include "indexer/segimpl.h"
#include "indexer/segfields.h"
#include "indexer/segwriter.h"

int seg__corrupt(const seg_reader *r, char **errmsg, const char *fmt, ...) {
  if (errmsg && !*errmsg) {
    va_list ap;
    va_start(ap, fmt);
    char *m = indaga__vsprintf(fmt, ap);
    va_end(ap);
    *errmsg = indaga__sprintf("%s: corrupt segment: %s", r && r->name ? r->name : "?", m ? m : "");
    indaga__free(m);
  }
  return INDAGA_ECORRUPT;
}

/* Read a varint that must fit in 32 bits. */
static int get_v32(const unsigned char **pp, const unsigned char *end, uint32_t *out) {
  uint64_t v;
  if (get_varint(pp, end, &v) || v > UINT32_MAX) return -1;
  *out = (uint32_t)v;
  return 0;
}

/* Read a varint length and check that many bytes follow; *s points at them. */
static int get_bytes(const unsigned char **pp, const unsigned char *end, const unsigned char **s, size_t *n) {
  uint64_t v;
  const unsigned char *p = *pp;
  if (get_varint(&p, end, &v) || v > (uint64_t)(end - p)) return -1;
  *s = p;
  *n = (size_t)v;
  *pp = p + v;
  return 0;
}

/* Check the section table and fixed-size sections of a checksummed file. */
static int check_layout(seg_reader *r, const unsigned char *foot, char **errmsg) {
  const unsigned char *w = foot;
  const int nsect = SEGF_NSECT;
  if (get_u32(w) != (uint32_t)nsect) return seg__corrupt(r, errmsg, "section count %u", get_u32(w));
  w += 4;
  uint64_t at = SEGF_HEADER_SIZE, limit = (uint64_t)(foot - r->map.p);
  for (int i = 0; i < nsect; i++) r->sechash[i] = get_u64(w + 16 * (size_t)nsect + 8 * (size_t)i);
  for (int i = 0; i < nsect; i++, w += 16) {
    uint64_t off = get_u64(w), len = get_u64(w + 8);
    if (off != at || len > limit - off)
      return seg__corrupt(r, errmsg, "section %d at offset %llu, length %llu, out of place", i,
                          (unsigned long long)off, (unsigned long long)len);
    r->sec[i] = r->map.p + off;
    r->nsec[i] = (size_t)len;
    at = off + len;
  }
  if (at != limit) return seg__corrupt(r, errmsg, "sections end at %llu, footer at %llu",
                                       (unsigned long long)at, (unsigned long long)limit);
  w += 8 * (size_t)nsect;
  r->npara = get_u32(w);
  r->ndoc = get_u32(w + 4);
  r->nterms = get_u64(w + 8);
  r->nkeys = get_u64(w + 16);
  r->total_len = get_u64(w + 24);
  r->stamp.index_id = get_u64(w + 32);
  r->stamp.generation = get_u64(w + 40);
  r->ndictblk = (r->nterms + SEGF_DICT_BLOCK - 1) / SEGF_DICT_BLOCK;
  r->nvocabblk = (r->nkeys + SEGF_VOCAB_BLOCK - 1) / SEGF_VOCAB_BLOCK;
  r->nparachunk = ((uint64_t)r->npara + SEGF_PARA_CHUNK - 1) / SEGF_PARA_CHUNK;
  r->ntextblk = r->nsec[SEC_TEXT_IDX] / 16;
  if (r->nsec[SEC_DICT_IDX] != r->ndictblk * 4 || r->nsec[SEC_VOCAB_IDX] != r->nvocabblk * 4 ||
      r->nsec[SEC_PARA_IDX] != r->nparachunk * 4 || r->nsec[SEC_PARA_LEN] != (uint64_t)r->npara * 4 ||
      r->nsec[SEC_DOC_IDX] != (uint64_t)r->ndoc * 8 || r->nsec[SEC_DOC_SORT] != (uint64_t)r->ndoc * 4 ||
      r->nsec[SEC_TEXT_IDX] % 16 != 0 || r->npara == UINT32_MAX || r->ndoc == UINT32_MAX)
    return seg__corrupt(r, errmsg, "index section sizes disagree with the footer counts");
  return INDAGA_OK;
}

/*
** The small index sections of a file opened without its checksum: offsets
** ascending from 0 and inside the sections they index, text blocks back to
** back, DOC_SORT entries below ndoc, paragraph lengths summing to
** total_len. INDAGA_OK or INDAGA_ECORRUPT.
*/
static int check_indexes(const seg_reader *r, char **errmsg) {
  static const struct { int idx, data; } u32idx[] = {
    { SEC_DICT_IDX, SEC_DICT }, { SEC_VOCAB_IDX, SEC_VOCAB }, { SEC_PARA_IDX, SEC_PARA } };
  for (size_t k = 0; k < ARRAY_SIZE(u32idx); k++) {
    const unsigned char *p = r->sec[u32idx[k].idx];
    size_t n = r->nsec[u32idx[k].idx] / 4, lim = r->nsec[u32idx[k].data];
    for (size_t i = 0; i < n; i++) {
      uint32_t v = get_u32(p + 4 * i);
      if ((i == 0 ? v != 0 : v <= get_u32(p + 4 * i - 4)) || v >= lim)
        return seg__corrupt(r, errmsg, "index of section %d: entry %zu (%u) out of order", u32idx[k].data, i, v);
    }
  }
  for (uint32_t i = 0; i < r->ndoc; i++) {
    uint64_t v = get_u64(r->sec[SEC_DOC_IDX] + 8 * (size_t)i);
    if ((i == 0 ? v != 0 : v <= get_u64(r->sec[SEC_DOC_IDX] + 8 * (size_t)i - 8)) || v >= r->nsec[SEC_DOCS])
      return seg__corrupt(r, errmsg, "document index: entry %u out of order", i);
    if (get_u32(r->sec[SEC_DOC_SORT] + 4 * (size_t)i) >= r->ndoc)
      return seg__corrupt(r, errmsg, "document order: entry %u out of range", i);
  }
  uint64_t at = 0, sum = 0;
  for (uint64_t b = 0; b < r->ntextblk; b++) {
    const unsigned char *e = r->sec[SEC_TEXT_IDX] + 16 * b;
    if (get_u64(e) != at || get_u32(e + 8) == 0)
      return seg__corrupt(r, errmsg, "text block %llu not back to back", (unsigned long long)b);
    at += get_u32(e + 8);
  }
  if (at != r->nsec[SEC_TEXT]) return seg__corrupt(r, errmsg, "text blocks end at %llu", (unsigned long long)at);
  for (uint32_t i = 0; i < r->npara; i++) sum += get_u32(r->sec[SEC_PARA_LEN] + 4 * (size_t)i);
  if (sum != r->total_len) return seg__corrupt(r, errmsg, "paragraph lengths do not sum to the footer's total");
  return INDAGA_OK;
}

/* Number of SEGF_CHECK_CHUNK chunks of a section of @len bytes. */
static uint64_t nchunks(uint64_t len) { return (len + SEGF_CHECK_CHUNK - 1) / SEGF_CHECK_CHUNK; }

uint64_t seg__hash(const seg_reader *r, const unsigned char *p, size_t n) {
  uint64_t off = (uint64_t)(p - r->map.p);
  XXH3_state_t *x = n > SEG_HASH_PIECE ? XXH3_createState() : NULL;
  if (!x) {   /* a piece, or (out of memory) hashed at once */
    uint64_t h = XXH3_64bits(p, n);
    os_map_drop_range(&r->map, off, n);
    return h;
  }
  XXH3_64bits_reset(x);
  for (size_t at = 0; at < n; at += SEG_HASH_PIECE) {
    size_t k = n - at < SEG_HASH_PIECE ? n - at : SEG_HASH_PIECE;
    XXH3_64bits_update(x, p + at, k);
    os_map_drop_range(&r->map, off + at, k);
  }
  uint64_t h = XXH3_64bits_digest(x);
  XXH3_freeState(x);
  return h;
}

int seg__section_ok(const seg_reader *r, int sec) {
  if (!SEGF_CHUNKED(sec)) return seg__hash(r, r->sec[sec], r->nsec[sec]) == r->sechash[sec];
  return XXH3_64bits(r->sec[SEC_CHECKS] + 8 * r->chunk0[sec], 8 * nchunks(r->nsec[sec])) == r->sechash[sec];
}

int seg__chunk_ok(const seg_reader *r, int sec, uint64_t c) {
  uint64_t at = c * SEGF_CHECK_CHUNK, n = r->nsec[sec] - at;
  if (n > SEGF_CHECK_CHUNK) n = SEGF_CHECK_CHUNK;
  return XXH3_64bits(r->sec[sec] + at, (size_t)n) == get_u64(r->sec[SEC_CHECKS] + 8 * (r->chunk0[sec] + c));
}

int seg__range_check(const seg_reader *r, int sec, uint64_t off, uint64_t len) {
  if (atomic_load_explicit(&r->whole_ok, memory_order_relaxed) || len == 0 || off >= r->nsec[sec]) return INDAGA_OK;
  if (len > r->nsec[sec] - off) len = r->nsec[sec] - off;
  for (uint64_t c = off / SEGF_CHECK_CHUNK, last = (off + len - 1) / SEGF_CHECK_CHUNK; c <= last; c++) {
    uint64_t k = r->chunk0[sec] + c;
    int st = atomic_load_explicit(&r->chunkok[k], memory_order_acquire);
    if (st == 0) {
      st = seg__chunk_ok(r, sec, c) ? 1 : -1;
      atomic_store_explicit(&r->chunkok[k], (signed char)st, memory_order_release);
    }
    if (st < 0) return INDAGA_ECORRUPT;
  }
  return INDAGA_OK;
}

/* Where each chunked section's entries start in CHECKS; 0 when CHECKS has their number. */
static int chunk_layout(seg_reader *r) {
  uint64_t k = 0;
  for (int i = 0; i < SEGF_NSECT; i++) {
    if (!SEGF_CHUNKED(i)) continue;
    r->chunk0[i] = k;
    k += nchunks(r->nsec[i]);
  }
  return r->nsec[SEC_CHECKS] == k * 8 ? 0 : -1;
}

int seg__checksum(const seg_reader *r, char **errmsg) {
  size_t n = r->map.n;
  if (seg__hash(r, r->map.p, n - 16) != get_u64(r->map.p + n - 16))
    return seg__corrupt(r, errmsg, "checksum mismatch");
  /* A merge checks its inputs whole before it reads them: its cursors then
     need not hash, when they open, every chunk their lists could span (at
     16x the legislation those hashes made up to 250 MB of its inputs
     resident between two drops of their pages). The reader's verification
     state changes behind const, as its chunk flags do. */
  atomic_store_explicit(&((seg_reader *)(uintptr_t)r)->whole_ok, 1, memory_order_relaxed);
  return INDAGA_OK;
}

/* Files up to this size are checksummed whole on open (about a millisecond);
   a test build may lower it to reach the large-file path (common/testhook.h). */
static size_t full_check_max(void) {
  uint64_t v = test_knob(TEST_FULL_CHECK_MAX, SEG_FULL_CHECK_MAX);
  return v > SIZE_MAX ? SIZE_MAX : (size_t)v;
}

void seg_drop_pages(const seg_reader *r) { os_map_drop_pages(&r->map); }

/*
** Ask for the sections a large file's open verifies (those seg__section_ok
** hashes: the unchunked ones but FIELDS, and CHECKS for the chunked ones)
** before touching them. A fault on a page not cached reads the device's
** read-ahead around it (8 MB on some virtual disks), so without the hints
** opening a cold segment read up to half of it, mostly postings and text
** that `indaga stats` or a short search never use.
*/
static void open_hints(const seg_reader *r) {
  for (int i = 0; i < SEGF_NSECT; i++)
    if (!SEGF_CHUNKED(i) && i != SEC_FIELDS)
      os_map_will_need(&r->map, (uint64_t)(r->sec[i] - r->map.p), r->nsec[i]);
}

int seg_open(seg_reader **out, const char *path, char **errmsg) {
  *out = NULL;
  seg_reader *r = indaga__calloc(1, sizeof *r);
  if (!r) return INDAGA_ENOMEM;
  int rc = INDAGA_ENOMEM;
  r->name = indaga__strdup(path);
  if (!r->name) goto done;
  if ((rc = os_map_file(path, &r->map, errmsg)) != INDAGA_OK) goto done;
  const unsigned char *p = r->map.p;
  size_t n = r->map.n;
  /* the header and footer alone, not the read-ahead around them (open_hints) */
  os_map_will_need(&r->map, 0, SEGF_HEADER_SIZE);
  if (n >= SEGF_FOOTER_SIZE) os_map_will_need(&r->map, n - SEGF_FOOTER_SIZE, SEGF_FOOTER_SIZE);
  rc = INDAGA_ECORRUPT;
  if (n < SEGF_HEADER_SIZE + SEGF_FOOTER_TAIL || memcmp(p, SEGF_MAGIC, 8) != 0) {
    seg__corrupt(r, errmsg, "not an indaga segment (bad header or too short: %zu bytes)", n);
    goto done;
  }
  if (memcmp(p + n - 8, SEGF_FOOTER_MAGIC, 8) != 0) {
    seg__corrupt(r, errmsg, "no footer (truncated file?)");
    goto done;
  }
  uint32_t hv = get_u32(p + 8), fv = get_u32(p + n - 32), flags = get_u32(p + 12);
  int known = hv == fv && hv == SEGF_VERSION && flags == 0;
  /* an unexpected version is either damage or a newer file: the checksum tells */
  int whole = n <= full_check_max() || !known;
  if (whole && seg__checksum(r, errmsg) != INDAGA_OK) goto done;   /* rc is ECORRUPT */
  if (!known) {
    if (errmsg && !*errmsg)
      *errmsg = indaga__sprintf("%s: segment format version %u (flags %#x); this indaga reads version %u%s",
                                path, hv, flags, SEGF_VERSION,
                                hv < SEGF_VERSION ? ": rebuild the index with 'indaga index --full'" : "");
    rc = INDAGA_EVERSION;
    goto done;
  }
  const uint32_t fsize = SEGF_FOOTER_SIZE;
  if (n < SEGF_HEADER_SIZE + fsize || get_u32(p + n - 28) != fsize) {
    seg__corrupt(r, errmsg, "footer size %u", get_u32(p + n - 28));
    goto done;
  }
  if (XXH3_64bits(p + n - fsize, fsize - 24) != get_u64(p + n - 24)) {
    seg__corrupt(r, errmsg, "footer checksum mismatch");
    goto done;
  }
  if ((rc = check_layout(r, p + n - fsize, errmsg)) != INDAGA_OK) goto done;
  atomic_store_explicit(&r->whole_ok, whole, memory_order_relaxed);
  if (chunk_layout(r)) {
    rc = seg__corrupt(r, errmsg, "chunk checksums: %zu bytes for the sections' size", r->nsec[SEC_CHECKS]);
    goto done;
  }
  if (!whole) open_hints(r);
  for (int i = 0; !whole && i < SEGF_NSECT; i++)
    if (i != SEC_FIELDS && !seg__section_ok(r, i)) {   /* a chunked one: its CHECKS entries; FIELDS on first use */
      rc = seg__corrupt(r, errmsg, "section %d does not match its checksum", i);
      goto done;
    }
  if (!whole) {
    rc = INDAGA_ENOMEM;
    uint64_t nk = r->nsec[SEC_CHECKS] / 8;
    if (!(r->chunkok = indaga__calloc(nk ? nk : 1, sizeof *r->chunkok))) goto done;
    for (uint64_t k = 0; k < nk; k++) atomic_init(&r->chunkok[k], 0);
    if ((rc = check_indexes(r, errmsg)) != INDAGA_OK) goto done;
  }
  *out = r;
  r = NULL;
done:
  seg_close(r);
  return rc;
}

void seg_close(seg_reader *r) {
  if (!r) return;
  os_unmap(&r->map);
  indaga__free(r->name);
  indaga__free(r->chunkok);
  seg_fields_free(r->fields);
  indaga__free(r);
}

const char *seg_name(const seg_reader *r) { return r->name; }
uint32_t seg_npara(const seg_reader *r) { return r->npara; }
uint32_t seg_ndoc(const seg_reader *r) { return r->ndoc; }
uint64_t seg_nterms(const seg_reader *r) { return r->nterms; }
seg_stamp seg_get_stamp(const seg_reader *r) { return r->stamp; }

uint32_t seg_para_len(const seg_reader *r, uint32_t pid) {
  if (pid >= r->npara) return 0;
  return get_u32(r->sec[SEC_PARA_LEN] + 4 * (size_t)pid);
}

const unsigned char *seg_para_lens(const seg_reader *r) { return r->sec[SEC_PARA_LEN]; }

/**************************************************************************
** Dictionary
*/

/* Start of dictionary (or vocab) block @b of section @sec, or NULL when its offset is out of range. */
static const unsigned char *block_at(const seg_reader *r, int sec, uint64_t b) {
  uint32_t off = get_u32(r->sec[sec + 1] + 4 * b);
  if (off >= r->nsec[sec]) return NULL;
  return r->sec[sec] + off;
}

/* The whole first term (prefix 0) of a block: 0 ok, -1 corrupt. */
static int first_term(const unsigned char *p, const unsigned char *end, const unsigned char **t, size_t *n) {
  uint64_t shared;
  if (get_varint(&p, end, &shared) || shared != 0) return -1;
  return get_bytes(&p, end, t, n);
}

static int cmp_bytes(const unsigned char *a, size_t na, const char *b, size_t nb) {
  size_t m = na < nb ? na : nb;
  int c = m ? memcmp(a, b, m) : 0;
  if (c) return c;
  return na < nb ? -1 : na > nb;
}

/* Last block of section @sec (DICT or VOCAB) whose first entry is <= @t, or -1; -2 corrupt. */
static int64_t find_block(const seg_reader *r, int sec, uint64_t nblk, const char *t, size_t n) {
  uint64_t lo = 0, hi = nblk;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    const unsigned char *p = block_at(r, sec, mid), *s;
    size_t ns;
    if (!p || first_term(p, r->sec[sec] + r->nsec[sec], &s, &ns)) return -2;
    if (cmp_bytes(s, ns, t, n) <= 0) lo = mid + 1; else hi = mid;
  }
  return (int64_t)lo - 1;
}

/*
** Decode one dictionary entry at *pp: the term into @term (front coding
** against its previous contents), the entry into @out. @first: first of its
** block (offsets absolute). Returns 0 or -1 (corrupt).
*/
static int dict_entry(const seg_reader *r, const unsigned char **pp, const unsigned char *end,
                      ia_buf *term, int first, seg_term *out) {
  const unsigned char *p = *pp, *suf;
  uint64_t shared, cfx, mtf, post, pos;
  uint32_t df, minlen;
  size_t nsuf;
  if (get_varint(&p, end, &shared) || shared > term->n || (first && shared) ||
      get_bytes(&p, end, &suf, &nsuf))
    return -1;
  term->n = (size_t)shared;
  buf_append(term, suf, nsuf);
  if (term->err) return -1;
  if (get_v32(&p, end, &df) || df == 0 || get_varint(&p, end, &cfx) || cfx > UINT64_MAX - df ||
      get_varint(&p, end, &mtf) || mtf >= UINT32_MAX || get_v32(&p, end, &minlen) ||
      get_varint(&p, end, &post) || get_varint(&p, end, &pos))
    return -1;
  if (!first) {
    if (post > UINT64_MAX - out->priv[0] || pos > UINT64_MAX - out->priv[1]) return -1;
    post += out->priv[0];
    pos += out->priv[1];
  }
  if (post > r->nsec[SEC_POSTINGS] || pos > r->nsec[SEC_POSITIONS]) return -1;
  uint32_t last = 0;
  if (df <= SEG_BLOCK && get_v32(&p, end, &last)) return -1;
  out->df = df;
  out->cf = cfx + df;
  out->max_tf = (uint32_t)mtf + 1;
  out->min_len = minlen;
  out->priv[0] = post;
  out->priv[1] = pos;
  out->priv[2] = last;
  out->priv[3] = 0;
  *pp = p;
  return 0;
}

int seg_term_get(const seg_reader *r, const char *t, size_t n, seg_term *out) {
  int64_t b = find_block(r, SEC_DICT, r->ndictblk, t, n);
  if (b == -2) return seg__corrupt(r, NULL, "dictionary");
  if (b < 0) return 0;
  const unsigned char *p = block_at(r, SEC_DICT, (uint64_t)b), *end = r->sec[SEC_DICT] + r->nsec[SEC_DICT];
  ia_buf term = { 0 };
  seg_term e;
  memset(&e, 0, sizeof e);
  int rc = 0;
  uint64_t count = r->nterms - (uint64_t)b * SEGF_DICT_BLOCK;
  if (count > SEGF_DICT_BLOCK) count = SEGF_DICT_BLOCK;
  for (uint64_t i = 0; i < count; i++) {
    if (dict_entry(r, &p, end, &term, i == 0, &e)) { rc = term.err ? term.err : INDAGA_ECORRUPT; break; }
    int c = cmp_bytes(term.p, term.n, t, n);
    if (c == 0) { *out = e; rc = 1; break; }
    if (c > 0) break;
  }
  buf_free(&term);
  return rc;
}

void seg__term_list(const seg_reader *r, const seg_term *t, pst_list *l) {
  uint64_t post = t->priv[0] <= r->nsec[SEC_POSTINGS] ? t->priv[0] : r->nsec[SEC_POSTINGS];
  uint64_t pos = t->priv[1] <= r->nsec[SEC_POSITIONS] ? t->priv[1] : r->nsec[SEC_POSITIONS];
  l->post = r->sec[SEC_POSTINGS] + post;
  l->post_end = r->sec[SEC_POSTINGS] + r->nsec[SEC_POSTINGS];
  l->pos = r->sec[SEC_POSITIONS] + pos;
  l->pos_end = r->sec[SEC_POSITIONS] + r->nsec[SEC_POSITIONS];
  l->df = t->df;
  l->last_doc = (uint32_t)t->priv[2];
  l->max_tf = t->max_tf;
  l->min_len = t->min_len;
  l->limit = r->npara;
}

int seg_cursor_open(seg_cursor *c, const seg_reader *r, const seg_term *t) {
  pst_list l;
  seg__term_list(r, t, &l);
  /* Verify the chunks the list can span: a block takes at most 2 + 2 * SEG_BLOCK * 4
     bytes after its directory entry, a position at most a 5-byte varint. */
  uint64_t nb = ((uint64_t)t->df + SEG_BLOCK - 1) / SEG_BLOCK;
  uint64_t postmax = nb * (nb > 1 ? SEGF_SKIP_SIZE : 0) + nb * (2 + 8 * (uint64_t)SEG_BLOCK);
  if (seg__range_check(r, SEC_POSTINGS, (uint64_t)(l.post - r->sec[SEC_POSTINGS]), postmax) ||
      seg__range_check(r, SEC_POSITIONS, (uint64_t)(l.pos - r->sec[SEC_POSITIONS]),
                       t->cf > UINT64_MAX / 5 ? UINT64_MAX : t->cf * 5))
    l.df = 0;   /* opens exhausted, INDAGA_ECORRUPT */
  return pst_cursor_open(c, r, &l);
}

void seg_dict_iter_init(seg_dict_iter *it, const seg_reader *r) {
  memset(it, 0, sizeof *it);
  it->r = r;
}

int seg_dict_iter_next(seg_dict_iter *it) {
  const seg_reader *r = it->r;
  if (it->i >= r->nterms) return 0;
  int first = it->i % SEGF_DICT_BLOCK == 0;
  if (first) {
    const unsigned char *b = block_at(r, SEC_DICT, it->i / SEGF_DICT_BLOCK);
    if (!b || (it->i > 0 && b != it->p) || (it->i == 0 && b != r->sec[SEC_DICT])) return INDAGA_ECORRUPT;
    it->p = b;
    it->end = r->sec[SEC_DICT] + r->nsec[SEC_DICT];
  }
  if (dict_entry(r, &it->p, it->end, &it->term, first, &it->t))
    return it->term.err ? it->term.err : INDAGA_ECORRUPT;
  it->i++;
  return 1;
}

void seg_dict_iter_free(seg_dict_iter *it) { buf_free(&it->term); }

/**************************************************************************
** Vocabulary
*/
void seg_vocab_iter_init(seg_vocab_iter *it, const seg_reader *r) {
  memset(it, 0, sizeof *it);
  it->r = r;
  it->seq = 1;
}

void seg_vocab_iter_free(seg_vocab_iter *it) {
  buf_free(&it->key);
  buf_free(&it->terms);
  indaga__free(it->toff);
}

int seg_vocab_iter_next(seg_vocab_iter *it) {
  const seg_reader *r = it->r;
  if (it->i >= r->nkeys) return 0;
  int first = it->i % SEGF_VOCAB_BLOCK == 0;
  if (first) {
    const unsigned char *b = block_at(r, SEC_VOCAB, it->i / SEGF_VOCAB_BLOCK);
    if (!b || (it->seq && it->i > 0 && b != it->p) || (it->i == 0 && b != r->sec[SEC_VOCAB]))
      return INDAGA_ECORRUPT;
    it->p = b;
    it->end = r->sec[SEC_VOCAB] + r->nsec[SEC_VOCAB];
  }
  const unsigned char *p = it->p, *s;
  uint64_t shared, nt;
  size_t ns;
  if (get_varint(&p, it->end, &shared) || shared > it->key.n || (first && shared) ||
      get_bytes(&p, it->end, &s, &ns) || get_varint(&p, it->end, &nt) || nt == 0 ||
      nt > (uint64_t)(it->end - p))
    return INDAGA_ECORRUPT;
  it->key.n = (size_t)shared;
  buf_append(&it->key, s, ns);
  if (it->key.err) return INDAGA_ENOMEM;   /* else a short key reads as corrupt below */
  if (it->keys_only) {   /* the terms checked and passed over */
    for (uint64_t j = 0; j < nt; j++) {
      uint64_t ts;
      if (get_varint(&p, it->end, &ts) || ts > it->key.n || get_bytes(&p, it->end, &s, &ns))
        return INDAGA_ECORRUPT;
    }
    it->nterms = 0;
    it->p = p;
    it->i++;
    return 1;
  }
  if (nt + 1 > it->cap) {
    size_t *o = indaga__realloc(it->toff, (size_t)(nt + 1) * sizeof *o);
    if (!o) return INDAGA_ENOMEM;
    it->toff = o;
    it->cap = (size_t)nt + 1;
  }
  buf_reset(&it->terms);
  it->nterms = (size_t)nt;
  for (size_t j = 0; j < it->nterms; j++) {
    uint64_t ts;
    it->toff[j] = it->terms.n;
    if (get_varint(&p, it->end, &ts) || ts > it->key.n || get_bytes(&p, it->end, &s, &ns))
      return INDAGA_ECORRUPT;
    buf_append(&it->terms, it->key.p, (size_t)ts);
    buf_append(&it->terms, s, ns);
  }
  it->toff[it->nterms] = it->terms.n;
  if (it->key.err || it->terms.err) return INDAGA_ENOMEM;
  it->p = p;
  it->i++;
  return 1;
}

/* Position @it on the first key >= @k (it->i = keys before it). 0 ok, <0 status. */
static int vocab_seek(seg_vocab_iter *it, const char *k, size_t n) {
  int64_t b = find_block(it->r, SEC_VOCAB, it->r->nvocabblk, k, n);
  if (b == -2) return INDAGA_ECORRUPT;
  it->i = b < 0 ? 0 : (uint64_t)b * SEGF_VOCAB_BLOCK;
  it->seq = 0;
  return INDAGA_OK;
}

/*
** Like vocab_seek, for an iterator that has returned keys below @k: move to
** the block of the first key >= @k only when that block is past the current
** one (reading on within a block is cheaper than decoding it again).
*/
static int vocab_seek_after(seg_vocab_iter *it, const char *k, size_t n) {
  /* Gallop from the current block (targets are mostly near), then bisect. */
  const seg_reader *r = it->r;
  uint64_t cur = it->i ? (it->i - 1) / SEGF_VOCAB_BLOCK : 0, lo = cur + 1, step = 1, hi;
  for (;;) {
    hi = lo + step - 1;
    if (hi >= r->nvocabblk) { hi = r->nvocabblk; break; }
    const unsigned char *p = block_at(r, SEC_VOCAB, hi), *s;
    size_t ns;
    if (!p || first_term(p, r->sec[SEC_VOCAB] + r->nsec[SEC_VOCAB], &s, &ns)) return INDAGA_ECORRUPT;
    if (cmp_bytes(s, ns, k, n) > 0) break;
    lo = hi + 1;
    step *= 2;
  }
  /* blocks before lo start at or below k; hi starts above it (or is the end) */
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    const unsigned char *p = block_at(r, SEC_VOCAB, mid), *s;
    size_t ns;
    if (!p || first_term(p, r->sec[SEC_VOCAB] + r->nsec[SEC_VOCAB], &s, &ns)) return INDAGA_ECORRUPT;
    if (cmp_bytes(s, ns, k, n) <= 0) lo = mid + 1; else hi = mid;
  }
  uint64_t b = lo - 1;   /* the last block starting at or below k (>= cur) */
  if (b > cur) {
    it->i = b * SEGF_VOCAB_BLOCK;
    it->seq = 0;
  }
  return INDAGA_OK;
}

int seg_vocab_get(const seg_reader *r, const char *key, size_t n,
                  int (*cb)(void *ctx, const char *t, size_t nt), void *ctx) {
  seg_vocab_iter it;
  seg_vocab_iter_init(&it, r);
  int rc = vocab_seek(&it, key, n);
  while (rc == INDAGA_OK && (rc = seg_vocab_iter_next(&it)) == 1) {
    int c = cmp_bytes(it.key.p, it.key.n, key, n);
    rc = INDAGA_OK;
    if (c > 0) break;
    if (c == 0) {
      for (size_t j = 0; j < it.nterms; j++)
        if (cb(ctx, (const char *)it.terms.p + it.toff[j], it.toff[j + 1] - it.toff[j])) break;
      break;
    }
  }
  seg_vocab_iter_free(&it);
  return rc < 0 ? rc : INDAGA_OK;
}

int seg_vocab_prefix(const seg_reader *r, const char *prefix, size_t n,
                     int (*cb)(void *ctx, const char *k, size_t nk, const char *t, size_t nt),
                     void *ctx) {
  seg_vocab_iter it;
  seg_vocab_iter_init(&it, r);
  int rc = vocab_seek(&it, prefix, n), stop = 0;
  while (!stop && rc == INDAGA_OK && (rc = seg_vocab_iter_next(&it)) == 1) {
    rc = INDAGA_OK;
    if (it.key.n >= n && (n == 0 || memcmp(it.key.p, prefix, n) == 0)) {
      for (size_t j = 0; j < it.nterms && !stop; j++)
        stop = cb(ctx, (const char *)it.key.p, it.key.n, (const char *)it.terms.p + it.toff[j],
                  it.toff[j + 1] - it.toff[j]);
    } else if (cmp_bytes(it.key.p, it.key.n, prefix, n) > 0) {
      break;
    }
  }
  seg_vocab_iter_free(&it);
  return rc < 0 ? rc : INDAGA_OK;
}

/* Move @it on to its first key >= k[0..n): 1 there, 0 at the end, <0 status. */
static int vocab_advance(seg_vocab_iter *it, const char *k, size_t n) {
  int rc = vocab_seek_after(it, k, n);
  if (rc) return rc;
  while ((rc = seg_vocab_iter_next(it)) == 1 && cmp_bytes(it->key.p, it->key.n, k, n) < 0) {}
  return rc;
}

int seg_vocab_walk(const seg_reader *const *r, size_t n, seg_key_fn cb, void *ctx) {
  if (n == 0) return INDAGA_OK;
  seg_vocab_iter *it = indaga__calloc(n, sizeof *it);
  unsigned char *live = indaga__calloc(n, 1);   /* it[i] is on a key */
  ia_buf target = { 0 };
  int rc = it && live ? INDAGA_OK : INDAGA_ENOMEM;
  size_t ninit = 0;
  for (; rc == INDAGA_OK && ninit < n; ninit++) {
    seg_vocab_iter_init(&it[ninit], r[ninit]);
    it[ninit].keys_only = 1;
    rc = seg_vocab_iter_next(&it[ninit]);
    live[ninit] = rc == 1;
    if (rc == 1) rc = INDAGA_OK;
  }
  while (rc == INDAGA_OK) {
    size_t m = n;   /* the iterator on the smallest key */
    for (size_t i = 0; i < n; i++)
      if (live[i] && (m == n || cmp_bytes(it[i].key.p, it[i].key.n, (const char *)it[m].key.p,
                                          it[m].key.n) < 0))
        m = i;
    if (m == n) break;
    const char *seek = NULL;
    size_t nseek = 0;
    int c = cb(ctx, (const char *)it[m].key.p, it[m].key.n, &seek, &nseek);
    if (c == 1) break;
    if (c == 2) {
      buf_reset(&target);
      buf_append(&target, seek, nseek);
      if (target.err) { rc = INDAGA_ENOMEM; break; }
    }
    /* every iterator on this key moves past it, m last (the others compare with its key) */
    for (size_t k = 0; k < n && rc == INDAGA_OK; k++) {
      size_t i = k == n - 1 ? m : k < m ? k : k + 1;
      if (!live[i] || (i != m && cmp_bytes(it[i].key.p, it[i].key.n, (const char *)it[m].key.p,
                                           it[m].key.n) != 0))
        continue;
      rc = seg_vocab_iter_next(&it[i]);
      live[i] = rc == 1;
      if (rc == 1) rc = INDAGA_OK;
    }
    /* and every iterator below the target seeks it */
    for (size_t i = 0; c == 2 && i < n && rc == INDAGA_OK; i++) {
      if (!live[i] || cmp_bytes(it[i].key.p, it[i].key.n, (const char *)target.p, target.n) >= 0)
        continue;
      rc = vocab_advance(&it[i], (const char *)target.p, target.n);
      live[i] = rc == 1;
      if (rc == 1) rc = INDAGA_OK;
    }
  }
  buf_free(&target);
  for (size_t i = 0; i < ninit; i++) seg_vocab_iter_free(&it[i]);
  indaga__free(it);
  indaga__free(live);
  return rc < 0 ? rc : INDAGA_OK;
}

/**************************************************************************
** Paragraphs
*/
typedef seg_para_rec para_rec;

/*
** Decode one paragraph record at *pp (format.h, PARA). @o holds the
** previous record of the chunk, or is ignored when @first. 0 or -1 (corrupt).
*/
static int para_record(const unsigned char **pp, const unsigned char *end, para_rec *o, int first) {
  const unsigned char *p = *pp;
  uint64_t doc, flags, s, len, lab, tb;
  uint32_t pdoc = first ? 0 : o->p.doc;
  uint64_t pend = first ? 0 : o->p.src_end;
  if (get_varint(&p, end, &doc) || doc > UINT32_MAX - pdoc || get_v32(&p, end, &o->p.part) ||
      get_v32(&p, end, &o->p.ordinal) || get_varint(&p, end, &flags) || flags > 1 ||
      get_varint(&p, end, &s) || get_varint(&p, end, &len) || get_varint(&p, end, &lab) ||
      (lab && lab - 1 > (uint64_t)(end - p)))
    return -1;
  if (!first && doc == 0) s = pend + (uint64_t)((int64_t)(s >> 1) ^ -(int64_t)(s & 1));   /* zigzag */
  if (len > UINT64_MAX - s) return -1;
  o->p.doc = pdoc + (uint32_t)doc;
  o->p.heading = (int)flags;
  o->p.src_start = s;
  o->p.src_end = s + len;
  o->p.label = lab ? (const char *)p : NULL;
  o->p.nlabel = lab ? (size_t)(lab - 1) : 0;
  if (lab) p += lab - 1;
  if (first) {
    if (get_v32(&p, end, &o->tblk) || get_v32(&p, end, &o->toff)) return -1;
  } else {
    if (get_varint(&p, end, &tb) || tb > UINT32_MAX - o->tblk) return -1;
    if (tb) { o->tblk += (uint32_t)tb; o->toff = 0; }
    else if (o->tlen > UINT32_MAX - o->toff) return -1;
    else o->toff += o->tlen;
  }
  if (get_v32(&p, end, &o->tlen)) return -1;
  *pp = p;
  return 0;
}

/* Decode paragraph @pid's record from its chunk start; *after (may be NULL) gets the next record's start. */
static int para_get(const seg_reader *r, uint32_t pid, para_rec *o, const unsigned char **after) {
  if (pid >= r->npara) return INDAGA_ENOTFOUND;
  uint64_t chunk = pid / SEGF_PARA_CHUNK;
  uint32_t off = get_u32(r->sec[SEC_PARA_IDX] + 4 * (size_t)chunk);
  uint64_t next = chunk + 1 < r->nparachunk ? get_u32(r->sec[SEC_PARA_IDX] + 4 * (size_t)(chunk + 1))
                                            : r->nsec[SEC_PARA];
  if (off > r->nsec[SEC_PARA] || next < off) return INDAGA_ECORRUPT;
  if (seg__range_check(r, SEC_PARA, off, next - off)) return INDAGA_ECORRUPT;
  const unsigned char *p = r->sec[SEC_PARA] + off, *end = r->sec[SEC_PARA] + r->nsec[SEC_PARA];
  for (uint32_t i = pid - pid % SEGF_PARA_CHUNK; i <= pid; i++)
    if (para_record(&p, end, o, i % SEGF_PARA_CHUNK == 0)) return INDAGA_ECORRUPT;
  o->p.len = seg_para_len(r, pid);
  if (after) *after = p;
  return INDAGA_OK;
}

int seg_para_get(const seg_reader *r, uint32_t pid, seg_para *out) {
  para_rec o;
  int rc = para_get(r, pid, &o, NULL);
  if (rc == INDAGA_OK) *out = o.p;
  return rc;
}

/* Decompress text block @b into @raw. */
static int text_block(const seg_reader *r, uint64_t b, ia_buf *raw) {
  if (b >= r->ntextblk) return INDAGA_ECORRUPT;
  const unsigned char *e = r->sec[SEC_TEXT_IDX] + 16 * b;
  uint64_t off = get_u64(e);
  uint32_t clen = get_u32(e + 8), rlen = get_u32(e + 12);
  if (off > r->nsec[SEC_TEXT] || clen > r->nsec[SEC_TEXT] - off) return INDAGA_ECORRUPT;
  if (seg__range_check(r, SEC_TEXT, off, clen)) return INDAGA_ECORRUPT;
  const unsigned char *src = r->sec[SEC_TEXT] + off;
  unsigned long long fs = ZSTD_getFrameContentSize(src, clen);
  if (fs != rlen) return INDAGA_ECORRUPT;
  buf_reset(raw);
  if (buf_reserve(raw, rlen)) return INDAGA_ENOMEM;
  size_t k = ZSTD_decompress(raw->p, rlen, src, clen);
  if (ZSTD_isError(k) || k != rlen) return INDAGA_ECORRUPT;
  raw->n = rlen;
  return INDAGA_OK;
}

int seg__para_read(const seg_reader *r, uint32_t pid, seg_text_cache *tc, seg_para *out,
                   const char **p, size_t *n) {
  int rc = INDAGA_OK;
  if (pid >= r->npara) return INDAGA_ENOTFOUND;
  if (tc->next == pid && pid % SEGF_PARA_CHUNK != 0 && tc->pp) {
    /* (tc->pp was set by para_get, which checked the section) */
    /* the next record of the chunk: decode just it */
    if (para_record(&tc->pp, r->sec[SEC_PARA] + r->nsec[SEC_PARA], &tc->rec, 0)) rc = INDAGA_ECORRUPT;
    else tc->rec.p.len = seg_para_len(r, pid);
  } else {
    rc = para_get(r, pid, &tc->rec, &tc->pp);
  }
  tc->next = 0;
  if (rc) return rc;
  tc->next = pid + 1;
  const para_rec *o = &tc->rec;
  if (tc->blk != (uint64_t)o->tblk + 1) {
    tc->blk = 0;
    if ((rc = text_block(r, o->tblk, &tc->raw)) != INDAGA_OK) return rc;
    tc->blk = (uint64_t)o->tblk + 1;
  }
  if (o->toff > tc->raw.n || o->tlen > tc->raw.n - o->toff) return INDAGA_ECORRUPT;
  *p = (const char *)tc->raw.p + o->toff;
  *n = o->tlen;
  if (out) *out = o->p;
  return INDAGA_OK;
}

int seg__para_text_ref(const seg_reader *r, uint32_t pid, seg_text_cache *tc,
                       const char **p, size_t *n) {
  return seg__para_read(r, pid, tc, NULL, p, n);
}

int seg_para_text(const seg_reader *r, uint32_t pid, ia_buf *out) {
  seg_text_cache tc;
  memset(&tc, 0, sizeof tc);
  const char *p;
  size_t n;
  int rc = seg__para_text_ref(r, pid, &tc, &p, &n);
  if (rc == INDAGA_OK) {
    buf_append(out, p, n);
    rc = out->err;
  }
  buf_free(&tc.raw);
  return rc;
}

/*
** seg_text_reader (segment.h): one ZSTD_DCtx for many reads, and the
** block decompressed last, keyed by (reader, block).
*/
struct seg_text_reader {
  ZSTD_DCtx *z;
  const seg_reader *r;       /* the reader of the cached block, NULL = none */
  uint64_t blk;              /* the cached block */
  ia_buf raw;
};

int seg_text_reader_new(seg_text_reader **out) {
  *out = indaga__calloc(1, sizeof **out);
  if (!*out) return INDAGA_ENOMEM;
  (*out)->z = ZSTD_createDCtx();
  if (!(*out)->z) { indaga__free(*out); *out = NULL; return INDAGA_ENOMEM; }
  return INDAGA_OK;
}

void seg_text_reader_free(seg_text_reader *t) {
  if (!t) return;
  ZSTD_freeDCtx(t->z);
  buf_free(&t->raw);
  indaga__free(t);
}

void seg_text_reader_reset(seg_text_reader *t) { t->r = NULL; }

int seg_text_read(seg_text_reader *t, const seg_reader *r, uint32_t pid, const char **p, size_t *n) {
  para_rec o;
  const unsigned char *pp;
  *p = NULL;
  *n = 0;
  if (pid >= r->npara) return INDAGA_ENOTFOUND;
  int rc = para_get(r, pid, &o, &pp);
  if (rc) return rc;
  if (t->r != r || t->blk != o.tblk) {
    t->r = NULL;
    if (o.tblk >= r->ntextblk) return INDAGA_ECORRUPT;
    const unsigned char *e = r->sec[SEC_TEXT_IDX] + 16 * (uint64_t)o.tblk;
    uint64_t off = get_u64(e);
    uint32_t clen = get_u32(e + 8), rlen = get_u32(e + 12);
    if (off > r->nsec[SEC_TEXT] || clen > r->nsec[SEC_TEXT] - off) return INDAGA_ECORRUPT;
    if (seg__range_check(r, SEC_TEXT, off, clen)) return INDAGA_ECORRUPT;
    const unsigned char *src = r->sec[SEC_TEXT] + off;
    if (ZSTD_getFrameContentSize(src, clen) != rlen) return INDAGA_ECORRUPT;
    buf_reset(&t->raw);
    if (buf_reserve(&t->raw, rlen)) return INDAGA_ENOMEM;
    size_t k = ZSTD_decompressDCtx(t->z, t->raw.p, rlen, src, clen);
    if (ZSTD_isError(k) || k != rlen) return INDAGA_ECORRUPT;
    t->raw.n = rlen;
    t->r = r;
    t->blk = o.tblk;
  }
  if (o.toff > t->raw.n || o.tlen > t->raw.n - o.toff) return INDAGA_ECORRUPT;
  *p = (const char *)t->raw.p + o.toff;
  *n = o.tlen;
  return INDAGA_OK;
}

/**************************************************************************
** Documents
*/
int seg_doc_get(const seg_reader *r, uint32_t did, seg_doc *out) {
  if (did >= r->ndoc) return INDAGA_ENOTFOUND;
  uint64_t off = get_u64(r->sec[SEC_DOC_IDX] + 8 * (size_t)did);
  if (off > r->nsec[SEC_DOCS]) return INDAGA_ECORRUPT;
  const unsigned char *p = r->sec[SEC_DOCS] + off, *end = r->sec[SEC_DOCS] + r->nsec[SEC_DOCS], *s;
  size_t n;
  uint64_t size;
  memset(out, 0, sizeof *out);
  if (get_bytes(&p, end, &s, &n)) return INDAGA_ECORRUPT;
  out->id = (const char *)s;
  out->nid = n;
  uint32_t pflags;
  if (get_v32(&p, end, &out->piece) || get_v32(&p, end, &pflags) || (pflags & ~SEGF_PIECE_MORE))
    return INDAGA_ECORRUPT;
  out->more = (pflags & SEGF_PIECE_MORE) != 0;
  if (get_v32(&p, end, &out->first_para) || get_v32(&p, end, &out->npara) ||
      get_v32(&p, end, &out->nparts) || out->nparts == 0 || get_varint(&p, end, &size) || end - p < 16)
    return INDAGA_ECORRUPT;
  if (out->first_para > r->npara || out->npara > r->npara - out->first_para) return INDAGA_ECORRUPT;
  out->size = size;
  out->mtime_ns = (int64_t)get_u64(p);
  out->hash = get_u64(p + 8);
  p += 16;
  if (get_bytes(&p, end, &out->meta, &out->nmeta) || get_bytes(&p, end, &out->parts, &out->nparts_bytes))
    return INDAGA_ECORRUPT;
  return INDAGA_OK;
}

int seg_doc_meta(const seg_doc *d, size_t i, const char **k, size_t *nk, const char **v, size_t *nv) {
  const unsigned char *p = d->meta, *end = d->meta + d->nmeta, *ks, *vs;
  for (size_t j = 0;; j++) {
    if (p == end) return 0;
    if (get_bytes(&p, end, &ks, nk) || get_bytes(&p, end, &vs, nv)) return INDAGA_ECORRUPT;
    if (j == i) {
      *k = (const char *)ks;
      *v = (const char *)vs;
      return 1;
    }
  }
}

/* One pass over the fields (seg_doc_meta(i) for each i would re-read the first i). */
int seg_doc_meta_find(const seg_doc *d, const char *key, const char **v, size_t *nv) {
  const unsigned char *p = d->meta, *end = d->meta + d->nmeta, *ks, *vs;
  size_t nk, kl = strlen(key);
  while (p != end) {
    if (get_bytes(&p, end, &ks, &nk) || get_bytes(&p, end, &vs, nv)) return INDAGA_ECORRUPT;
    if (nk == kl && memcmp(ks, key, kl) == 0) {
      *v = (const char *)vs;
      return 1;
    }
  }
  return 0;
}

int seg_doc_part_label(const seg_doc *d, uint32_t part, const char **l, size_t *nl) {
  *l = NULL;
  *nl = 0;
  if (part >= d->nparts) return 0;
  if (part == 0) return 1;
  const unsigned char *p = d->parts, *end = d->parts + d->nparts_bytes;
  for (uint32_t i = 1; i <= part; i++) {
    uint64_t v;
    if (get_varint(&p, end, &v) || (v && v - 1 > (uint64_t)(end - p))) return INDAGA_ECORRUPT;
    if (i == part) {
      *l = v ? (const char *)p : NULL;
      *nl = v ? (size_t)(v - 1) : 0;
      return 1;
    }
    if (v) p += v - 1;
  }
  return 0;
}

/*
** The first DOC_SORT entry not below (@id, @piece): a lower bound, so with
** piece 0 the lowest piece of @id present. INDAGA_OK with *did (when that
** entry has this id and, if @exact, this piece), INDAGA_ENOTFOUND, ECORRUPT.
*/
static int doc_lower_bound(const seg_reader *r, const char *id, size_t n, uint32_t piece, int exact,
                           uint32_t *did) {
  uint32_t lo = 0, hi = r->ndoc;
  seg_doc doc;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2, d = get_u32(r->sec[SEC_DOC_SORT] + 4 * (size_t)mid);
    int rc = seg_doc_get(r, d, &doc);
    if (rc) return rc == INDAGA_ENOTFOUND ? INDAGA_ECORRUPT : rc;
    int c = cmp_bytes((const unsigned char *)doc.id, doc.nid, id, n);
    if (c == 0) c = doc.piece < piece ? -1 : doc.piece > piece;
    if (c < 0) lo = mid + 1; else hi = mid;
  }
  if (lo == r->ndoc) return INDAGA_ENOTFOUND;
  uint32_t d = get_u32(r->sec[SEC_DOC_SORT] + 4 * (size_t)lo);
  int rc = seg_doc_get(r, d, &doc);
  if (rc) return rc == INDAGA_ENOTFOUND ? INDAGA_ECORRUPT : rc;
  if (cmp_bytes((const unsigned char *)doc.id, doc.nid, id, n) != 0 || (exact && doc.piece != piece))
    return INDAGA_ENOTFOUND;
  *did = d;
  return INDAGA_OK;
}

int seg_doc_find(const seg_reader *r, const char *id, size_t n, uint32_t *did) {
  return doc_lower_bound(r, id, n, 0, 0, did);
}

int seg_doc_find_piece(const seg_reader *r, const char *id, size_t n, uint32_t piece, uint32_t *did) {
  return doc_lower_bound(r, id, n, piece, 1, did);
}

uint32_t seg_doc_sorted(const seg_reader *r, uint32_t i) {
  return i < r->ndoc ? get_u32(r->sec[SEC_DOC_SORT] + 4 * (size_t)i) : SEG_END;
}

uint64_t seg_total_len(const seg_reader *r) { return r->total_len; }
