/*
** snippet.c: the display window of a paragraph (DESIGN.md, "Snippets").
**
** Input: the paragraph's display text and its matched words (byte ranges
** found by re-analysing the text, tagged with the query group each one
** matches). Output: about `width` bytes of text and highlight ranges.
**
**   1. Candidate windows start at each match; a window holds the matches
**      that end within `width` bytes of its first one. The best window has
**      the most distinct groups, then the most matches, then comes first:
**      in a long paragraph this is where the query's words meet, not merely
**      the first occurrence.
**   2. The window is centred on its matches and cut at word boundaries
**      (white space), never inside a UTF-8 sequence, with "… " / " …"
**      where text was cut.
**   3. Runs of white space and control characters become one space, and
**      each highlight is mapped to its bytes in the output.
*/
#include "query/query.h"

static int is_ws(unsigned char c) { return c <= 0x20 || c == 0x7f; }

/* Step back from @i to the start of a UTF-8 sequence. */
static size_t utf8_floor(const char *t, size_t i) {
  while (i > 0 && ((unsigned char)t[i] & 0xC0) == 0x80) i--;
  return i;
}

/* Choose the best window's first and last match (inclusive). */
static void best_window(const snip_match *m, size_t nm, size_t width, size_t *bi, size_t *bj) {
  unsigned best_d = 0;
  size_t best_c = 0;
  *bi = *bj = 0;
  for (size_t i = 0, j = 0; i < nm; i++) {
    if (j < i) j = i;
    while (j + 1 < nm && m[j + 1].end - m[i].start <= width) j++;
    uint64_t seen = 0;
    unsigned d = 0;
    for (size_t k = i; k <= j; k++) {
      uint64_t bit = 1ull << (m[k].group & 63);
      if (!(seen & bit)) { seen |= bit; d++; }
    }
    size_t c = j - i + 1;
    if (d > best_d || (d == best_d && c > best_c)) { best_d = d; best_c = c; *bi = i; *bj = j; }
  }
}

/* Pick [*ps, *pe) of text[0..n), about @width bytes, around matches mi..mj. */
static void place(const char *t, size_t n, const snip_match *m, size_t nm, size_t width,
                  size_t *ps, size_t *pe) {
  size_t first = 0, last = 0, bi = 0, bj = 0;
  if (nm) {
    best_window(m, nm, width, &bi, &bj);
    first = m[bi].start;
    last = m[bj].end;
    if (last - first > width) last = first + width;   /* one huge match */
  }
  size_t extra = width - (last - first);
  size_t s = first > extra / 2 ? first - extra / 2 : 0;
  size_t e = s + width;
  if (e > n) { e = n; s = n > width ? n - width : 0; }
  /* 2. start at a word start, not after the first match */
  if (s > 0 && !is_ws((unsigned char)t[s - 1])) {
    size_t k = s;
    while (k < first && !is_ws((unsigned char)t[k])) k++;
    if (k < first) s = k;          /* the space before the next word */
    else s = first;                /* the match itself starts a word */
  }
  while (s < first && is_ws((unsigned char)t[s])) s++;
  /* end at a word end, not before the last match */
  if (e < n && !is_ws((unsigned char)t[e]) && !is_ws((unsigned char)t[e - 1])) {
    size_t k = e;
    while (k > last && !is_ws((unsigned char)t[k - 1])) k--;
    if (k > last) e = k;
    else {
      while (e < n && !is_ws((unsigned char)t[e]) && e - last < 64) e++;
    }
  }
  s = utf8_floor(t, s);
  if (e < n) e = utf8_floor(t, e);
  while (e > s && is_ws((unsigned char)t[e - 1])) e--;
  *ps = s;
  *pe = e;
}

/* Build the snippet; see query.h. Returns INDAGA_OK or INDAGA_ENOMEM. */
int snippet_build(const char *text, size_t n, const snip_match *m, size_t nm,
                  size_t width, ia_buf *out, indaga_range *hl, size_t *nhl) {
  size_t s = 0, e = n;
  *nhl = 0;
  if (width && n > width) place(text, n, m, nm, width, &s, &e);
  while (s < e && is_ws((unsigned char)text[s])) s++;
  while (e > s && is_ws((unsigned char)text[e - 1])) e--;
  size_t base = out->n;
  if (s > 0) buf_puts(out, "\xE2\x80\xA6 ");
  size_t k = 0;
  while (k < nm && m[k].start < s) k++;
  int space = 0;
  for (size_t i = s; i <= e; i++) {
    /* 3. highlights: record output offsets as the input passes them */
    if (k < nm && m[k].start == i && m[k].end <= e) {
      if (space) { buf_putc(out, ' '); space = 0; }
      hl[*nhl].start = (uint32_t)(out->n - base);
      buf_append(out, text + m[k].start, m[k].end - m[k].start);
      hl[*nhl].end = (uint32_t)(out->n - base);
      (*nhl)++;
      i = m[k].end - 1;
      k++;
      while (k < nm && m[k].start < m[k - 1].end) k++;   /* overlapping: keep the first */
      continue;
    }
    while (k < nm && m[k].start <= i) k++;
    if (i == e) break;
    unsigned char c = (unsigned char)text[i];
    if (is_ws(c)) { space = 1; continue; }
    if (space) { buf_putc(out, ' '); space = 0; }
    buf_putc(out, c);
  }
  if (e < n) buf_puts(out, " \xE2\x80\xA6");
  return out->err ? INDAGA_ENOMEM : INDAGA_OK;
}
