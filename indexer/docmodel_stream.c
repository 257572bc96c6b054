/*
** docmodel_stream.c: a source file larger than a piece, read in bounded
** windows and parsed as consecutive pieces (docmodel.h, "Large files").
**
** One buffer of one piece size holds the window: bytes [off, off + have)
** of the file. A piece is cut from its front (find_cut), parsed with the
** continuation state (dm_parse_piece), and the bytes after the cut move to
** the front to start the next window, which is then filled up to the piece
** size. So every byte is read once per pass, memory is the buffer plus the
** piece being parsed, and pieces never depend on how reads fall.
**
** Only the first dm_stream_size() bytes (the size at the open) are read:
** a file that grows meanwhile is indexed as it was, and the hash of pass 2
** tells whether it changed since pass 1.
*/
#include <string.h>
#define XXH_STATIC_LINKING_ONLY   /* XXH64_state_t as a complete type: no allocation outside indaga__malloc */
#include <xxhash.h>
#include "common/os.h"
#include "indexer/docmodel.h"

#define PIECE_MIN ((size_t)1 << 20)
#define PIECE_MAX ((size_t)32 << 20)

enum { CUT_BLANK, CUT_LINE, CUT_SPACE, CUT_CHAR };

struct dm_stream {
  os_rfile f;
  char *name;
  size_t piece;             /* window size */
  unsigned char *buf;       /* the window */
  size_t have;              /* bytes in it, from file offset off */
  uint64_t off;
  dm_cont cont;
  XXH64_state_t h2;         /* pass 2's hash */
  uint64_t hash1;           /* pass 1's, when has_hash1 */
  int has_hash1;
  int done;
  unsigned char head[DM_STREAM_HEAD]; /* the file's first bytes, kept by pass 1 */
  size_t nhead;
};

size_t dm_piece_size(size_t budget) {
  size_t p = budget / 32;
  return p < PIECE_MIN ? PIECE_MIN : p > PIECE_MAX ? PIECE_MAX : p;
}

int dm_stream_open(dm_stream **out, const char *path, const char *name, size_t piece, char **errmsg) {
  return dm_stream_open_beneath(out, NULL, NULL, path, name, piece, errmsg);
}

int dm_stream_open_beneath(dm_stream **out, const char *root, const char *rel, const char *path,
                           const char *name, size_t piece, char **errmsg) {
  *out = NULL;
  if (errmsg) *errmsg = NULL;
  if (piece < 4096) piece = 4096;
  dm_stream *s = indaga__calloc(1, sizeof *s);
  if (!s) return INDAGA_ENOMEM;
  s->f.fd = -1;
  s->piece = piece;
  s->name = indaga__strdup(name ? name : path);
  s->buf = indaga__malloc(piece);
  if (!s->name || !s->buf) { dm_stream_close(s); return INDAGA_ENOMEM; }
  XXH64_reset(&s->h2, 0);
  int rc = os_rfile_open_beneath(&s->f, root, rel, path, errmsg);
  if (rc) { dm_stream_close(s); return rc; }
  *out = s;
  return INDAGA_OK;
}

void dm_stream_close(dm_stream *s) {
  if (!s) return;
  os_rfile_close(&s->f);
  dm_cont_free(&s->cont);
  indaga__free(s->buf);
  indaga__free(s->name);
  indaga__free(s);
}

uint64_t dm_stream_size(const dm_stream *s) { return s->f.size; }

static int shrank(const dm_stream *s, char **errmsg) {
  if (errmsg && !*errmsg)
    *errmsg = indaga__sprintf("%s: the file shrank while it was being read: not indexed", s->name);
  return INDAGA_EINPUT;
}

int dm_stream_hash(dm_stream *s, uint64_t *hash, char **errmsg) {
  XXH64_state_t h;
  XXH64_reset(&h, 0);
  int rc = INDAGA_OK;
  for (uint64_t off = 0; off < s->f.size && rc == INDAGA_OK;) {
    uint64_t left = s->f.size - off;
    size_t want = left < s->piece ? (size_t)left : s->piece, got;
    rc = os_rfile_read(&s->f, s->buf, want, off, &got, errmsg);
    if (rc == INDAGA_OK && got < want) rc = shrank(s, errmsg);
    if (rc == INDAGA_OK) XXH64_update(&h, s->buf, got);
    if (rc == INDAGA_OK && off == 0) {
      s->nhead = got < DM_STREAM_HEAD ? got : DM_STREAM_HEAD;
      memcpy(s->head, s->buf, s->nhead);
    }
    off += got;
  }
  if (rc == INDAGA_OK) {
    *hash = s->hash1 = XXH64_digest(&h);
    s->has_hash1 = 1;
  }
  return rc;
}

const unsigned char *dm_stream_head(const dm_stream *s, size_t *n) {
  *n = s->nhead;
  return s->head;
}

static int is_blank_byte(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/*
** Where to end a piece whose window p[0..n) is full (more of the file
** follows): see docmodel.h. The cut is in (n/4, n); *how tells the rule.
*/
static size_t find_cut(const unsigned char *p, size_t n, int *how) {
  size_t lo = n / 4, j = n, i;
  /* 1. after a blank line (only blanks between two '\n') */
  while (j > lo) {
    size_t e = j;
    while (e > lo && p[e - 1] != '\n') e--;
    if (e <= lo) break;
    e--;                                   /* p[e] == '\n' */
    for (i = e; i > 0 && is_blank_byte(p[i - 1]); i--) {}
    if (i > 0 && p[i - 1] == '\n' && e + 1 < n) { *how = CUT_BLANK; return e + 1; }
    j = e;
  }
  /* 2. after the last line end */
  for (j = n - 1; j > lo; j--)
    if (p[j - 1] == '\n') { *how = CUT_LINE; return j; }
  /* 3. after the last space or tab */
  for (j = n - 1; j > lo; j--)
    if (p[j - 1] == ' ' || p[j - 1] == '\t') { *how = CUT_SPACE; return j; }
  /* 4. before a byte that starts a UTF-8 character */
  for (j = n - 1; j > lo && (p[j] & 0xC0) == 0x80; j--) {}
  *how = CUT_CHAR;
  return j > lo ? j : n - 1;
}

int dm_stream_next(dm_stream *s, dm_doc **out, uint32_t *piece, int *last, char **errmsg) {
  *out = NULL;
  if (errmsg) *errmsg = NULL;
  if (s->done) return INDAGA_EMISUSE;
  uint64_t left = s->f.size - s->off - s->have;
  size_t want = s->piece - s->have;
  if (left < want) want = (size_t)left;
  size_t got = 0;
  int rc = want ? os_rfile_read(&s->f, s->buf + s->have, want, s->off + s->have, &got, errmsg) : INDAGA_OK;
  if (rc) return rc;
  if (got < want) return shrank(s, errmsg);
  XXH64_update(&s->h2, s->buf + s->have, got);
  s->have += got;
  int fin = s->off + s->have == s->f.size, how = CUT_BLANK;
  size_t cut = fin ? s->have : find_cut(s->buf, s->have, &how);
  uint64_t at = s->off + cut;
  *piece = s->cont.piece;
  *last = fin;
  if (fin) {
    s->done = 1;
    if (s->has_hash1 && XXH64_digest(&s->h2) != s->hash1) {
      if (errmsg)
        *errmsg = indaga__sprintf("%s: the file changed while it was being indexed: not indexed", s->name);
      return INDAGA_EINPUT;
    }
  }
  rc = dm_parse_piece(out, s->name, (const char *)s->buf, cut, fin, &s->cont, errmsg);
  if (rc == INDAGA_OK && how != CUT_BLANK) {
    static const char *const what[] = {
      "", "at a line end (a paragraph there may be split in two)",
      "at a space inside a line (its paragraph is split in two)",
      "inside a run of text with no space (its paragraph is split in two)"};
    rc = dm__warn(*out, "%s: no blank line in the %zu bytes before byte %llu: piece %u ends %s", s->name,
                  s->have - s->have / 4, (unsigned long long)at, *piece, what[how]);
  }
  if (rc) {
    dm_doc_free(*out);
    *out = NULL;
    s->done = 1;
    return rc;
  }
  memmove(s->buf, s->buf + cut, s->have - cut);
  s->have -= cut;
  s->off = at;
  return INDAGA_OK;
}
