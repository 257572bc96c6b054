/*
** text.c: how the command writes text it did not write itself (document
** ids, file names, metadata, labels, snippets, queries, library messages):
** as JSON string literals, or for a terminal with control characters
** escaped, and in both cases bounded (cli.h, doc/CLI.md "Output safety").
*/
#include <string.h>
#include "cli/cli.h"

/*
** Length of the well-formed UTF-8 sequence at @p (< @end) starting with a
** byte >= 0x80, or 0 when it is not one (stray continuation, overlong form,
** surrogate, above U+10FFFF, truncated).
*/
static size_t utf8_len(const unsigned char *p, const unsigned char *end) {
  unsigned char c = p[0];
  size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n == 0 || (size_t)(end - p) < n) return 0;
  for (size_t k = 1; k < n; k++)
    if ((p[k] & 0xc0) != 0x80) return 0;
  if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
      (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
    return 0;
  return n;
}

/* The code point of the well-formed sequence p[0..n) (n from utf8_len). */
static unsigned utf8_cp(const unsigned char *p, size_t n) {
  unsigned cp = n == 2 ? p[0] & 0x1fu : n == 3 ? p[0] & 0x0fu : p[0] & 0x07u;
  for (size_t k = 1; k < n; k++) cp = cp << 6 | (p[k] & 0x3fu);
  return cp;
}

int cli_utf8_valid(const char *p, size_t n) {
  const unsigned char *s = (const unsigned char *)p, *end = s + n;
  while (s < end) {
    if (*s < 0x80) { s++; continue; }
    size_t m = utf8_len(s, end);
    if (!m) return 0;
    s += m;
  }
  return 1;
}

/* Where to cut p[0..n) to at most @max bytes without splitting a UTF-8 sequence. */
static size_t cut_at(const char *p, size_t n, size_t max) {
  if (n <= max) return n;
  size_t k = max;
  while (k > 0 && max - k < 3 && ((unsigned char)p[k] & 0xC0) == 0x80) k--;
  return k;
}

/* Write the characters of p[0..n) escaped for inside a JSON string; invalid bytes as U+FFFD. */
static void json_chars(FILE *f, const char *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c >= 0x80) {
      size_t k = utf8_len((const unsigned char *)p + i, (const unsigned char *)p + n);
      if (k == 0) fputs("\\ufffd", f);
      else fwrite(p + i, 1, k, f);
      i += k ? k - 1 : 0;
      continue;
    }
    switch (c) {
    case '"':  fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\r': fputs("\\r", f); break;
    case '\t': fputs("\\t", f); break;
    default:
      if (c < 0x20 || c == 0x7f) fprintf(f, "\\u%04x", c);
      else fputc(c, f);
    }
  }
}

int json_text(FILE *f, const char *p, size_t n, size_t max) {
  if (!p) { fputs("null", f); return 0; }
  size_t m = cut_at(p, n, max);
  fputc('"', f);
  json_chars(f, p, m);
  fputc('"', f);
  return m < n;
}

void json_str(FILE *f, const char *p, size_t n) { json_text(f, p, n, n); }

void json_strz(FILE *f, const char *z) { json_str(f, z, z ? strlen(z) : 0); }

void json_name(FILE *f, int comma, const char *key, const char *z) {
  fprintf(f, "%s\"%s\":", comma ? "," : "", key);
  if (!z) { fputs("null", f); return; }
  size_t n = strlen(z), m = cut_at(z, n, CLI_NAME_MAX);
  json_text(f, z, m, m);
  if (cli_utf8_valid(z, m)) return;
  /* The reversible form: \xHH for each byte outside a UTF-8 character, \\ for a backslash. */
  fprintf(f, ",\"%s_bytes\":\"", key);
  const unsigned char *s = (const unsigned char *)z, *end = s + m;
  while (s < end) {
    size_t k = *s < 0x80 ? 1 : utf8_len(s, end);
    if (k == 0) fprintf(f, "\\\\x%02x", *s++);
    else if (*s == '\\') { fputs("\\\\\\\\", f); s++; }
    else { json_chars(f, (const char *)s, k); s += k; }
  }
  fputc('"', f);
}

/* 1 when code point @cp must not reach a terminal raw: C1 controls, bidirectional overrides. */
static int unsafe_cp(unsigned cp) {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

/* Escape p[0..n) for a terminal; @prose lets newlines and tabs through. */
static void term_chars(FILE *f, const char *p, size_t n, int prose) {
  const unsigned char *s = (const unsigned char *)p, *end = s + n;
  while (s < end) {
    unsigned char c = *s;
    if (c < 0x80) {
      if ((c < 0x20 || c == 0x7f) && !(prose && (c == '\n' || c == '\t'))) fprintf(f, "\\x%02x", c);
      else fputc(c, f);
      s++;
      continue;
    }
    size_t k = utf8_len(s, end);
    if (k == 0) { fprintf(f, "\\x%02x", c); s++; continue; }
    unsigned cp = utf8_cp(s, k);
    if (unsafe_cp(cp)) fprintf(f, "\\u%04x", cp);
    else fwrite(s, 1, k, f);
    s += k;
  }
}

static void term_text(FILE *f, const char *p, size_t n, size_t max, int prose) {
  if (!p) return;
  size_t m = cut_at(p, n, max);
  term_chars(f, p, m, prose);
  if (m < n) fputs("...", f);
}

void out_text(FILE *f, const char *p, size_t n, size_t max) { term_text(f, p, n, max, 0); }

void out_str(FILE *f, const char *z, size_t max) {
  if (z) term_text(f, z, strlen(z), max, 0);
}

void out_prose(FILE *f, const char *p, size_t n) { term_text(f, p, n, n, 1); }
