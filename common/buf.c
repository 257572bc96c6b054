/*
** buf.c: growable byte buffers with a sticky allocation error.
*/
#include <assert.h>
#include <stdio.h>
#include "common/common.h"

int buf_reserve(ia_buf *b, size_t extra) {
  if (b->err) return b->err;
  if (extra > SIZE_MAX - b->n - 1) { b->err = INDAGA_ENOMEM; return b->err; }
  size_t need = b->n + extra + 1;   /* room for a NUL terminator */
  if (need <= b->cap) return INDAGA_OK;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  unsigned char *p = indaga__realloc(b->p, cap);
  if (!p) { b->err = INDAGA_ENOMEM; return b->err; }
  b->p = p;
  b->cap = cap;
  return INDAGA_OK;
}

void buf_append(ia_buf *b, const void *p, size_t n) {
  if (buf_reserve(b, n)) return;
  if (n) memcpy(b->p + b->n, p, n);
  b->n += n;
  b->p[b->n] = 0;
}

void buf_putc(ia_buf *b, int c) {
  unsigned char ch = (unsigned char)c;
  buf_append(b, &ch, 1);
}

void buf_puts(ia_buf *b, const char *z) { buf_append(b, z, strlen(z)); }

void buf_printf(ia_buf *b, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n >= 0 && buf_reserve(b, (size_t)n) == INDAGA_OK) {
    vsnprintf((char *)b->p + b->n, (size_t)n + 1, fmt, ap);
    b->n += (size_t)n;
  }
  va_end(ap);
}

void buf_put_u8(ia_buf *b, uint8_t v) { buf_append(b, &v, 1); }
void buf_put_u16(ia_buf *b, uint16_t v) { unsigned char a[2]; put_u16(a, v); buf_append(b, a, 2); }
void buf_put_u32(ia_buf *b, uint32_t v) { unsigned char a[4]; put_u32(a, v); buf_append(b, a, 4); }
void buf_put_u64(ia_buf *b, uint64_t v) { unsigned char a[8]; put_u64(a, v); buf_append(b, a, 8); }

void buf_put_varint(ia_buf *b, uint64_t v) {
  unsigned char a[10];
  size_t n = 0;
  do {
    unsigned char c = (unsigned char)(v & 0x7f);
    v >>= 7;
    a[n++] = (unsigned char)(c | (v ? 0x80 : 0));
  } while (v);
  buf_append(b, a, n);
}

void buf_reset(ia_buf *b) {
  b->n = 0;
  b->err = INDAGA_OK;
  if (b->p) b->p[0] = 0;
}

void buf_free(ia_buf *b) {
  indaga__free(b->p);
  memset(b, 0, sizeof *b);
}

char *buf_detach(ia_buf *b) {
  if (b->err || buf_reserve(b, 0)) { buf_free(b); return NULL; }
  char *z = (char *)b->p;
  memset(b, 0, sizeof *b);
  return z;
}
