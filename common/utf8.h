/*
** utf8.h: the one UTF-8 rule of libindaga, used wherever bytes become
** characters (the document model's display text in indexer/, the analyzer's
** tokens and query words in stemmer/), so that a document and a query with
** the same bytes read as the same characters.
**
** Valid: the shortest form of a code point up to U+10FFFF that is not a
** surrogate (Unicode 3.9, table 3-7). Invalid bytes are replaced by U+FFFD,
** one for each maximal subpart of an ill-formed sequence (Unicode 3.9,
** "U+FFFD Substitution of Maximal Subparts", as the WHATWG decoder does): a
** lead byte followed by the continuation bytes it can take, up to the first
** byte that cannot follow, is one U+FFFD; a stray continuation byte, an
** overlong or surrogate lead (C0, C1, F5..FF, E0 80, ED A0) is one U+FFFD for
** each byte. So "a\x80\x80b" reads as a, U+FFFD, U+FFFD, b, and "\xE2\x82b"
** (a truncated euro sign) as U+FFFD, b.
*/
#ifndef INDAGA_UTF8_H
#define INDAGA_UTF8_H

#include <stddef.h>
#include <stdint.h>
#include "common/common.h"

/*
** Decode one sequence at p[0..n), n >= 1. Returns its code point and sets
** *len to its length (1..4); for an invalid sequence returns -1 and sets
** *len to the length of its maximal subpart (1..3), the bytes one U+FFFD
** replaces.
*/
static inline int32_t utf8_decode(const unsigned char *p, size_t n, size_t *len) {
  unsigned c = p[0];
  if (c < 0x80) { *len = 1; return (int32_t)c; }
  if (c < 0xC2 || c > 0xF4) { *len = 1; return -1; }
  if (c < 0xE0) {
    if (n < 2 || (p[1] & 0xC0) != 0x80) { *len = 1; return -1; }
    *len = 2;
    return (int32_t)(((c & 0x1Fu) << 6) | (p[1] & 0x3Fu));
  }
  unsigned lo = 0x80, hi = 0xBF;   /* what may follow the lead: no overlong, surrogate, > U+10FFFF */
  if (c == 0xE0) lo = 0xA0;
  else if (c == 0xED) hi = 0x9F;
  else if (c == 0xF0) lo = 0x90;
  else if (c == 0xF4) hi = 0x8F;
  if (n < 2 || p[1] < lo || p[1] > hi) { *len = 1; return -1; }
  if (n < 3 || (p[2] & 0xC0) != 0x80) { *len = 2; return -1; }
  if (c < 0xF0) {
    *len = 3;
    return (int32_t)(((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu));
  }
  if (n < 4 || (p[3] & 0xC0) != 0x80) { *len = 3; return -1; }
  *len = 4;
  return (int32_t)(((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
                   (p[3] & 0x3Fu));
}

/* Encode code point @cp (<= U+10FFFF) into t; returns its length (1..4). */
size_t utf8_encode(int32_t cp, unsigned char t[4]);
/* Append code point @cp to @b (sticky error in b->err). */
void utf8_put(ia_buf *b, int32_t cp);

#endif
