/*
** common.h: the bottom layer of libindaga. Allocation (one replaceable,
** fault-injectable entry point), growable byte buffers, error messages and
** little-endian integer helpers. Every other module includes this.
**
** Conventions (STYLE.md): p+n for byte ranges, z for NUL-terminated strings,
** status codes are the INDAGA_* values of include/indaga.h.
*/
#ifndef INDAGA_COMMON_H
#define INDAGA_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <string.h>
#include "indaga.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/**************************************************************************
** Allocation (alloc.c). Every allocation of the library goes through these,
** so that indaga_config_allocator() and the fault-injection hook below see
** all of it. indaga__free(NULL) is a no-op.
*/
void *indaga__malloc(size_t n);
void *indaga__calloc(size_t count, size_t size);   /* overflow-checked */
void *indaga__realloc(void *p, size_t n);
void indaga__free(void *p);
char *indaga__strdup(const char *z);
char *indaga__strndup(const char *p, size_t n);
/*
** Grow an array of @elem-byte elements, now of capacity *cap, to twice that
** (@first when empty): returns the reallocated array and updates *cap, or
** NULL (array and *cap untouched) on allocation failure or overflow. The
** idiom, for an array v of n used elements:
**   if (n == cap) { T *nv = indaga__grow(v, &cap, sizeof *nv, 64); if (!nv) fail; v = nv; }
*/
void *indaga__grow(void *p, size_t *cap, size_t elem, size_t first);
/* printf into a fresh string; NULL on allocation failure. */
char *indaga__sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *indaga__vsprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
** Large blocks (alloc.c). Where ALLOC_MAPS is 1 (Linux, and no sanitizer
** that replaces malloc: ASan must see every block to report its overflows
** and leaks), a block of ALLOC_MAP_MIN bytes or more taken with the default
** allocator is mapped on pages of its own, which leave the process when it
** is freed, rather than left by malloc as a hole in its heaps that counts
** in the resident size; malloc's settings are never changed.
** indaga__alloc_mapped gives the mapped length of @p when it is such a
** block, else 0; indaga__alloc_mapped_blocks the number of them now live.
*/
#define ALLOC_MAP_MIN ((size_t)512 << 10)
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_HWADDRESS__)
#define ALLOC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(hwaddress_sanitizer) || \
    __has_feature(memory_sanitizer)
#define ALLOC_SANITIZED 1
#endif
#endif
#if defined(__linux__) && !defined(ALLOC_SANITIZED)
#define ALLOC_MAPS 1
#else
#define ALLOC_MAPS 0
#endif
size_t indaga__alloc_mapped(const void *p);
size_t indaga__alloc_mapped_blocks(void);
/*
** Fault injection for tests: fail the Nth allocation from now (1 = the next
** one), then every one after it if sticky, or only that one. n == 0 disables.
** Returns the number of allocations made since the last call.
*/
uint64_t indaga__alloc_fail_at(uint64_t n, int sticky);

/**************************************************************************
** Growable byte buffer (buf.c). A zeroed ia_buf is empty and valid.
** Appends carry a sticky error: after one failure every append is a no-op
** and buf->err is INDAGA_ENOMEM, so a pipeline of appends is checked once.
*/
typedef struct ia_buf {
  unsigned char *p;   /* bytes; NUL-terminated when n < cap */
  size_t n;           /* bytes used */
  size_t cap;         /* bytes allocated */
  int err;            /* INDAGA_OK or INDAGA_ENOMEM (sticky) */
} ia_buf;

int  buf_reserve(ia_buf *b, size_t extra);
void buf_append(ia_buf *b, const void *p, size_t n);
void buf_putc(ia_buf *b, int c);
void buf_puts(ia_buf *b, const char *z);
void buf_printf(ia_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_put_u8(ia_buf *b, uint8_t v);
void buf_put_u16(ia_buf *b, uint16_t v);
void buf_put_u32(ia_buf *b, uint32_t v);
void buf_put_u64(ia_buf *b, uint64_t v);
void buf_put_varint(ia_buf *b, uint64_t v);     /* LEB128 */
void buf_reset(ia_buf *b);                        /* n = 0, keeps memory and clears err */
void buf_free(ia_buf *b);
/* Detach the bytes as a NUL-terminated string owned by the caller. */
char *buf_detach(ia_buf *b);

/**************************************************************************
** Little-endian helpers. Integers on disk are read and written only here.
*/
static inline uint16_t get_u16(const unsigned char *a) {
  return (uint16_t)(a[0] | (a[1] << 8));
}
static inline uint32_t get_u32(const unsigned char *a) {
  return (uint32_t)a[0] | ((uint32_t)a[1] << 8) | ((uint32_t)a[2] << 16) | ((uint32_t)a[3] << 24);
}
static inline uint64_t get_u64(const unsigned char *a) {
  return (uint64_t)get_u32(a) | ((uint64_t)get_u32(a + 4) << 32);
}
static inline void put_u16(unsigned char *a, uint16_t v) {
  a[0] = (unsigned char)v; a[1] = (unsigned char)(v >> 8);
}
static inline void put_u32(unsigned char *a, uint32_t v) {
  a[0] = (unsigned char)v; a[1] = (unsigned char)(v >> 8);
  a[2] = (unsigned char)(v >> 16); a[3] = (unsigned char)(v >> 24);
}
static inline void put_u64(unsigned char *a, uint64_t v) {
  put_u32(a, (uint32_t)v); put_u32(a + 4, (uint32_t)(v >> 32));
}
/*
** 1 when x[0..n) and y[0..n) hold the same bytes: 8 at a time, the last (or
** only) chunk loaded overlapping the one before, so no byte loop, no load
** outside either range and no library call (short keys: the word cache, the
** builder's tables).
*/
static inline int indaga__same_bytes(const void *xv, const void *yv, size_t n) {
  const unsigned char *x = (const unsigned char *)xv, *y = (const unsigned char *)yv;
  uint64_t u, v;
  if (n >= 8) {
    for (size_t k = 0; k + 8 < n; k += 8) {
      memcpy(&u, x + k, 8);
      memcpy(&v, y + k, 8);
      if (u != v) return 0;
    }
    memcpy(&u, x + n - 8, 8);
    memcpy(&v, y + n - 8, 8);
    return u == v;
  }
  if (n >= 4) {
    uint32_t a, b, c, d;
    memcpy(&a, x, 4);
    memcpy(&b, y, 4);
    memcpy(&c, x + n - 4, 4);
    memcpy(&d, y + n - 4, 4);
    return a == b && c == d;
  }
  /* 0..3 bytes: the first, middle and last cover them all */
  return n == 0 || (x[0] == y[0] && x[n >> 1] == y[n >> 1] && x[n - 1] == y[n - 1]);
}

/* Write @v as a LEB128 varint at @w (room for 10 bytes); returns the byte after it. */
static inline unsigned char *put_varint(unsigned char *w, uint64_t v) {
  while (v >= 0x80) { *w++ = (unsigned char)(v | 0x80); v >>= 7; }
  *w++ = (unsigned char)v;
  return w;
}

/*
** Decode a LEB128 varint from [*pp, end). On success advances *pp and
** returns 0; on truncation or overlong input returns -1 (corrupt data)
** and leaves *pp unchanged.
*/
static inline int get_varint(const unsigned char **pp, const unsigned char *end, uint64_t *out) {
  const unsigned char *p = *pp;
  uint64_t v = 0;
  unsigned shift = 0;
  while (p < end && shift < 64) {
    unsigned char c = *p++;
    v |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80)) { *pp = p; *out = v; return 0; }
    shift += 7;
  }
  return -1;
}

/**************************************************************************
** Errors (error.c)
*/
/* Map an errno value to a status code (ENOSPC/EDQUOT -> INDAGA_ENOSPC, ENOMEM, else EIO). */
int indaga__errno_status(int e);

#endif /* INDAGA_COMMON_H */
