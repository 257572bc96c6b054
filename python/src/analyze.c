/*
** analyze.c: analyze(text), how the indexer and the query parser see a
** text: its tokens with their terms and keys, offsets as str indices.
*/
#include "pyindaga.h"

/*
** analyze(text) -> ([(token, term, key, pos, start, end, stop, symbol,
** number, part)...], invalid). Offsets are code point indices into text.
*/
PyObject *pyi_analyze(PyObject *self, PyObject *arg) {
  (void)self;
  const char *s;
  Py_ssize_t n;
  int from_bytes = 0;
  if (PyUnicode_Check(arg)) {
    if (!(s = PyUnicode_AsUTF8AndSize(arg, &n))) return NULL;
  } else if (PyBytes_Check(arg)) {
    s = PyBytes_AS_STRING(arg);
    n = PyBytes_GET_SIZE(arg);
    from_bytes = 1;
  } else {
    return PyErr_Format(PyExc_TypeError, "analyze: text must be str or bytes, not %.100s",
                        Py_TYPE(arg)->tp_name);
  }
  indaga_analysis *a = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = indaga_analyze(&a, s, (size_t)n);
  Py_END_ALLOW_THREADS
  if (rc != INDAGA_OK) return pyi_raise(rc, NULL, 0);
  size_t count = indaga_analysis_count(a);
  PyObject *list = PyList_New((Py_ssize_t)count), *ret = NULL;
  pyi_cursor c;
  pyi_cursor_init(&c, s, (size_t)n);
  if (from_bytes) c.ascii = 1;      /* bytes in, byte offsets out */
  for (size_t i = 0; list && i < count; i++) {
    const indaga_token *t = indaga_analysis_token(a, i);
    size_t start = pyi_cursor_cp(&c, t->start), end = pyi_cursor_cp(&c, t->end);
    PyObject *tok = Py_BuildValue(
        "(NNNInnOOOO)", PyUnicode_DecodeUTF8(t->token, (Py_ssize_t)t->token_len, "replace"),
        PyUnicode_DecodeUTF8(t->term, (Py_ssize_t)t->term_len, "replace"),
        PyUnicode_DecodeUTF8(t->key, (Py_ssize_t)t->key_len, "replace"), (unsigned)t->pos,
        (Py_ssize_t)start, (Py_ssize_t)end, t->stop ? Py_True : Py_False,
        t->symbol ? Py_True : Py_False, t->number ? Py_True : Py_False, t->part ? Py_True : Py_False);
    if (!tok) {
      Py_CLEAR(list);
      break;
    }
    PyList_SET_ITEM(list, (Py_ssize_t)i, tok);
  }
  if (list) ret = Py_BuildValue("(Nn)", list, (Py_ssize_t)indaga_analysis_invalid(a));
  indaga_analysis_free(a);
  return ret;
}
