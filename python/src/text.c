/*
** text.c: strings between the library (NUL-terminated UTF-8, byte offsets)
** and Python (str, code point offsets).
*/
#include <string.h>
#include "pyindaga.h"

PyObject *pyi_str(const char *s) {
  if (!s) Py_RETURN_NONE;
  return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

PyObject *pyi_id(const char *s) {
  if (!s) Py_RETURN_NONE;
  return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "surrogateescape");
}

PyObject *pyi_id_bytes(PyObject *o, const char *what) {
  PyObject *b;
  if (PyUnicode_Check(o)) {
    b = PyUnicode_AsEncodedString(o, "utf-8", "surrogateescape");
    if (!b) return NULL;
  } else if (PyBytes_Check(o)) {
    b = o;
    Py_INCREF(b);
  } else {
    return PyErr_Format(PyExc_TypeError, "%s must be str or bytes, not %.100s", what,
                        Py_TYPE(o)->tp_name);
  }
  if (memchr(PyBytes_AS_STRING(b), 0, (size_t)PyBytes_GET_SIZE(b))) {
    Py_DECREF(b);
    return PyErr_Format(PyExc_ValueError, "%s contains a NUL character", what);
  }
  return b;
}

void pyi_cursor_init(pyi_cursor *c, const char *s, size_t n) {
  c->s = (const unsigned char *)s;
  c->n = n;
  c->byte = 0;
  c->cp = 0;
  c->ascii = 1;
  for (size_t i = 0; i < n; i++)
    if (c->s[i] & 0x80) { c->ascii = 0; break; }
}

/* A code point starts at every byte that is not a continuation byte (10xxxxxx). */
#define IS_START(b) (((b) & 0xC0) != 0x80)

size_t pyi_cursor_cp(pyi_cursor *c, size_t byte) {
  if (byte > c->n) byte = c->n;
  if (c->ascii) return byte;
  /* cp is the number of code point starts in s[0..byte) */
  while (c->byte < byte) {
    if (IS_START(c->s[c->byte])) c->cp++;
    c->byte++;
  }
  while (c->byte > byte) {
    c->byte--;
    if (IS_START(c->s[c->byte])) c->cp--;
  }
  return c->cp;
}

/* Code points of the first @off bytes of @s after U+FFFD replacement. */
static Py_ssize_t replaced_len(const char *s, size_t off) {
  PyObject *u = PyUnicode_DecodeUTF8(s, (Py_ssize_t)off, "replace");
  if (!u) return -1;
  Py_ssize_t n = PyUnicode_GET_LENGTH(u);
  Py_DECREF(u);
  return n;
}

int pyi_text_ranges(const char *s, size_t n, const indaga_range *r, size_t nr,
                    PyObject **out, PyObject **ranges) {
  int valid = 1;
  *out = PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, NULL);
  if (!*out) {
    if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) return -1;
    PyErr_Clear();
    valid = 0;
    *out = PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "replace");
    if (!*out) return -1;
  }
  if (!ranges) return 0;
  size_t good = 0;
  for (size_t i = 0; i < nr; i++)
    if (r[i].start <= r[i].end && r[i].end <= n) good++;
  PyObject *t = PyTuple_New((Py_ssize_t)good);
  if (!t) goto fail;
  pyi_cursor c;
  pyi_cursor_init(&c, s, n);
  size_t k = 0;
  for (size_t i = 0; i < nr; i++) {
    if (!(r[i].start <= r[i].end && r[i].end <= n)) continue;   /* out of the snippet: skipped */
    Py_ssize_t a, b;
    if (valid) {
      a = (Py_ssize_t)pyi_cursor_cp(&c, r[i].start);
      b = (Py_ssize_t)pyi_cursor_cp(&c, r[i].end);
    } else if ((a = replaced_len(s, r[i].start)) < 0 || (b = replaced_len(s, r[i].end)) < 0) {
      Py_DECREF(t);
      goto fail;
    }
    PyObject *pair = Py_BuildValue("(nn)", a, b);
    if (!pair) {
      Py_DECREF(t);
      goto fail;
    }
    PyTuple_SET_ITEM(t, (Py_ssize_t)k++, pair);
  }
  *ranges = t;
  return 0;
fail:
  Py_CLEAR(*out);
  return -1;
}
