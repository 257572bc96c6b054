/*
** utf8.c: encoding, the other half of utf8.h (whose decoder is inline, on
** every hot path of the parser and the tokenizer).
*/
#include "common/utf8.h"

size_t utf8_encode(int32_t cp, unsigned char t[4]) {
  uint32_t c = (uint32_t)cp;
  if (c < 0x80) { t[0] = (unsigned char)c; return 1; }
  if (c < 0x800) {
    t[0] = (unsigned char)(0xC0 | (c >> 6)); t[1] = (unsigned char)(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    t[0] = (unsigned char)(0xE0 | (c >> 12)); t[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    t[2] = (unsigned char)(0x80 | (c & 0x3F));
    return 3;
  }
  t[0] = (unsigned char)(0xF0 | (c >> 18)); t[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
  t[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F)); t[3] = (unsigned char)(0x80 | (c & 0x3F));
  return 4;
}

void utf8_put(ia_buf *b, int32_t cp) {
  unsigned char t[4];
  buf_append(b, t, utf8_encode(cp, t));
}
