/*
** hit.c: indaga._indaga.Hit, one search hit copied out of the library's
** results into Python objects (so it stays valid after the results, and
** the index, are gone). Numbers are kept as C values and read through
** member descriptors; strings are str objects, offsets code points.
**
** indaga.Hit (python/indaga/_hit.py) subclasses it with the helpers written
** in Python (highlighted(), repr) and registers itself through
** _set_hit_class(), so searches build that class directly.
*/
#include <stddef.h>
#include "pyindaga.h"
#include "structmember.h"   /* after Python.h */

typedef struct {
  PyObject_HEAD
  unsigned rank, part, paragraph;
  double score;
  unsigned long long byte_start, byte_end;
  PyObject *doc, *symbol, *title, *date, *part_label, *label;
  PyObject *snippet, *highlights, *text, *before, *after;
  PyObject *index;        /* the label of the index it comes from, or None (a libindaga without it) */
} HitObject;

static PyTypeObject *hit_class = &pyi_HitType;

static void hit_dealloc(HitObject *h) {
  Py_XDECREF(h->doc);
  Py_XDECREF(h->symbol);
  Py_XDECREF(h->title);
  Py_XDECREF(h->date);
  Py_XDECREF(h->part_label);
  Py_XDECREF(h->label);
  Py_XDECREF(h->snippet);
  Py_XDECREF(h->highlights);
  Py_XDECREF(h->text);
  Py_XDECREF(h->before);
  Py_XDECREF(h->after);
  Py_XDECREF(h->index);
  Py_TYPE(h)->tp_free((PyObject *)h);
}

#define RO READONLY
static PyMemberDef hit_members[] = {
  { "rank", T_UINT, offsetof(HitObject, rank), RO, "1-based rank in the whole result list (offset included)." },
  { "score", T_DOUBLE, offsetof(HitObject, score), RO, "BM25 plus proximity; larger is better." },
  { "doc", T_OBJECT, offsetof(HitObject, doc), RO, "Document id: the file's path relative to the indexed root." },
  { "symbol", T_OBJECT, offsetof(HitObject, symbol), RO, "UN symbol (\"S/2015/123\"), or None." },
  { "title", T_OBJECT, offsetof(HitObject, title), RO, "Document title, or None." },
  { "date", T_OBJECT, offsetof(HitObject, date), RO, "The document's date, ISO 8601 (\"2017-11-22\"), or None." },
  { "part", T_UINT, offsetof(HitObject, part), RO, "0 for the body, N for the Nth annex." },
  { "part_label", T_OBJECT, offsetof(HitObject, part_label), RO, "Annex heading as printed (\"Anexo I\"), None for the body." },
  { "paragraph", T_UINT, offsetof(HitObject, paragraph), RO, "1-based ordinal of the paragraph within its part." },
  { "label", T_OBJECT, offsetof(HitObject, label), RO, "Printed paragraph label (\"3.\", \"a)\"), or None." },
  { "byte_start", T_ULONGLONG, offsetof(HitObject, byte_start), RO, "Start of the paragraph in the source file, in bytes." },
  { "byte_end", T_ULONGLONG, offsetof(HitObject, byte_end), RO, "End of the paragraph in the source file, in bytes." },
  { "snippet", T_OBJECT, offsetof(HitObject, snippet), RO, "Display text around the matches, or None with snippets=False." },
  { "highlights", T_OBJECT, offsetof(HitObject, highlights), RO,
    "The matched words as (start, end) pairs of str indices into snippet:\n"
    "hit.snippet[start:end] is the word." },
  { "text", T_OBJECT, offsetof(HitObject, text), RO, "The whole paragraph with search(text=True), else None." },
  { "before", T_OBJECT, offsetof(HitObject, before), RO, "Up to `context` paragraph texts before the hit, in order (a tuple)." },
  { "after", T_OBJECT, offsetof(HitObject, after), RO, "Up to `context` paragraph texts after the hit, in order (a tuple)." },
  { "index", T_OBJECT, offsetof(HitObject, index), RO,
    "The label of the index the hit comes from (open([a, b]): each directory's name), or None." },
  { NULL, 0, 0, 0, NULL },
};

PyTypeObject pyi_HitType = {
  PyVarObject_HEAD_INIT(NULL, 0)
  .tp_name = "indaga._indaga.Hit",
  .tp_basicsize = sizeof(HitObject),
  .tp_dealloc = (destructor)hit_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
  .tp_doc = "One search hit: a paragraph, its citation and its snippet (read-only).",
  .tp_members = hit_members,
};

int pyi_hit_init(PyObject *m) {
  if (PyType_Ready(&pyi_HitType) < 0) return -1;
  Py_INCREF(&pyi_HitType);
  if (PyModule_AddObject(m, "Hit", (PyObject *)&pyi_HitType) < 0) {
    Py_DECREF(&pyi_HitType);
    return -1;
  }
  return 0;
}

PyObject *pyi_set_hit_class(PyObject *self, PyObject *cls) {
  (void)self;
  if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, &pyi_HitType))
    return PyErr_Format(PyExc_TypeError, "_set_hit_class: need a subclass of Hit");
  PyTypeObject *t = (PyTypeObject *)cls;
  if (t->tp_basicsize != pyi_HitType.tp_basicsize || t->tp_dictoffset)
    return PyErr_Format(PyExc_TypeError, "_set_hit_class: %s must add no fields (__slots__ = ())",
                        t->tp_name);
  Py_INCREF(cls);
  if (hit_class != &pyi_HitType) Py_DECREF(hit_class);
  hit_class = t;
  Py_RETURN_NONE;
}

/* A tuple of str copies of @v[0..@n). */
static PyObject *str_tuple(const char *const *v, size_t n) {
  PyObject *t = PyTuple_New((Py_ssize_t)n);
  for (size_t i = 0; t && i < n; i++) {
    PyObject *s = pyi_str(v[i]);
    if (!s) {
      Py_CLEAR(t);
      break;
    }
    PyTuple_SET_ITEM(t, (Py_ssize_t)i, s);
  }
  return t;
}

PyObject *pyi_hit_new(const indaga_hit *h, PyObject *doc, PyObject *date, PyObject *text) {
  HitObject *o = (HitObject *)hit_class->tp_alloc(hit_class, 0);
  if (!o) return NULL;
  o->rank = h->rank;
  o->score = h->score;
  o->part = h->part;
  o->paragraph = h->paragraph;
  o->byte_start = (unsigned long long)h->byte_start;
  o->byte_end = (unsigned long long)h->byte_end;
  Py_INCREF(doc);
  o->doc = doc;
  Py_INCREF(date);
  o->date = date;
  Py_INCREF(text);
  o->text = text;
  if (!(o->symbol = pyi_str(h->symbol)) || !(o->title = pyi_str(h->title)) ||
      !(o->part_label = pyi_str(h->part_label)) || !(o->label = pyi_str(h->label)))
    goto fail;
  if (h->snippet) {
    if (pyi_text_ranges(h->snippet, h->snippet_len, h->highlights, h->nhighlights, &o->snippet,
                        &o->highlights) < 0)
      goto fail;
  } else {
    Py_INCREF(Py_None);
    o->snippet = Py_None;
    if (!(o->highlights = PyTuple_New(0))) goto fail;
  }
  if (!(o->before = str_tuple(h->before, h->nbefore)) || !(o->after = str_tuple(h->after, h->nafter)))
    goto fail;
#ifdef PYI_HAVE_OPEN_MANY
  if (!(o->index = pyi_str(indaga_hit_index(h)))) goto fail;
#else
  Py_INCREF(Py_None);
  o->index = Py_None;
#endif
  return (PyObject *)o;
fail:
  Py_DECREF(o);
  return NULL;
}
