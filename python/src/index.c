/*
** index.c: indaga._indaga.Index, a read snapshot of an index directory.
**
** Threads. The library lets any number of threads search one snapshot at
** once, so search() and document() release the GIL around the library
** call. The snapshot is reference counted (with the GIL held): the Index
** holds one reference and every call in flight another, so close() or
** refresh() in one thread never frees a snapshot another thread is still
** searching; the last reference closes it. refresh() therefore opens the
** newest generation beside the old one instead of calling
** indaga_index_refresh(), which would close the old one under the searches.
**
** Hit fields the C API does not give yet are filled here, each in one
** function to switch to the library's field when it has it:
**   - date: the document's "date" metadata (indaga_document_meta_get),
**     looked up once per document and snapshot and cached (hit_dates).
**     indaga_document_get() loads the whole document, paragraphs and all,
**     so a document's first hit costs time in proportion to its size
**     (milliseconds for a large law); search(dates=False) skips it;
**   - total_exact: indaga_results_total_exact();
**   - the whole paragraph (text=True): a second search of the same page
**     with snippet_bytes = 0 (whole paragraphs), matched hit by hit.
*/
#include <string.h>
#include "pyindaga.h"

typedef struct snap {
  indaga_index *idx;
  Py_ssize_t refs;        /* the Index's own reference and calls in flight */
  uint64_t generation;
  PyObject *dates;        /* dict: document id -> date str or None */
} snap;

typedef struct {
  PyObject_HEAD
  snap *cur;              /* NULL once closed */
  PyObject *path;         /* bytes, as given to the library */
} IndexObject;

/* Drop one reference to @s (GIL held); the last one closes the snapshot. */
static void snap_release(snap *s) {
  if (!s || --s->refs > 0) return;
  Py_XDECREF(s->dates);
  indaga_index_close(s->idx);
  PyMem_RawFree(s);
}

/* Open the snapshot of @path, the GIL released meanwhile. NULL with an exception set. */
static snap *snap_open(const char *path) {
  indaga_index *idx = NULL;
  char *err = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = indaga_index_open(&idx, path, NULL, &err);
  Py_END_ALLOW_THREADS
  if (rc != INDAGA_OK) {
    pyi_raise(rc, err, 0);
    indaga_free(err);
    return NULL;
  }
  indaga_stats st;
  memset(&st, 0, sizeof st);
  snap *s = NULL;
  PyObject *dates = NULL;
  if ((rc = indaga_index_stats(idx, &st)) != INDAGA_OK) pyi_raise(rc, "cannot read the index's figures", 0);
  else if (!(dates = PyDict_New())) { /* MemoryError set */ }
  else if (!(s = PyMem_RawCalloc(1, sizeof *s))) PyErr_NoMemory();
  if (!s) {
    Py_XDECREF(dates);
    indaga_index_close(idx);
    return NULL;
  }
  s->idx = idx;
  s->refs = 1;
  s->generation = st.generation;
  s->dates = dates;
  return s;
}

/* The current snapshot with a reference taken, or NULL (ValueError) when closed. */
static snap *snap_take(IndexObject *self, const char *what) {
  if (!self->cur) {
    PyErr_Format(PyExc_ValueError, "%s on a closed index", what);
    return NULL;
  }
  self->cur->refs++;
  return self->cur;
}

static int index_init(IndexObject *self, PyObject *args, PyObject *kw) {
  static char *kwlist[] = { "path", NULL };
  PyObject *path = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O&:Index", kwlist, PyUnicode_FSConverter, &path))
    return -1;
  snap *s = snap_open(PyBytes_AS_STRING(path));
  if (!s) {
    Py_DECREF(path);
    return -1;
  }
  snap_release(self->cur);
  Py_XSETREF(self->path, path);
  self->cur = s;
  return 0;
}

static void index_dealloc(IndexObject *self) {
  snap_release(self->cur);
  self->cur = NULL;
  Py_XDECREF(self->path);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *index_close(IndexObject *self, PyObject *unused) {
  (void)unused;
  snap *s = self->cur;
  self->cur = NULL;
  snap_release(s);
  Py_RETURN_NONE;
}

/* ---- search ------------------------------------------------------------ */

/*
** The date of each hit's document into @dates[i] (new references), from
** the cache of @s or, for documents not seen yet, from their metadata
** (loaded with the GIL released). @docs[i] are the hits' ids as str.
*/
static int hit_dates(snap *s, const indaga_results *r, size_t n, PyObject **docs, PyObject **dates) {
  size_t missing = 0;
  for (size_t i = 0; i < n; i++) {
    dates[i] = PyDict_GetItemWithError(s->dates, docs[i]);
    if (dates[i]) Py_INCREF(dates[i]);
    else if (PyErr_Occurred()) return -1;
    else missing++;
  }
  if (!missing) return 0;
  /* Load each missing document once: ids and dates as C strings, no Python objects. */
  const char **ids = PyMem_RawCalloc(missing, sizeof *ids);
  char **found = PyMem_RawCalloc(missing, sizeof *found);
  size_t nid = 0;
  int rc = INDAGA_OK;
  char *err = NULL;
  if (!ids || !found) {
    PyMem_RawFree(ids);
    PyMem_RawFree(found);
    PyErr_NoMemory();
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    if (dates[i]) continue;
    const char *id = indaga_results_hit(r, i)->doc;
    size_t j = 0;
    while (j < nid && strcmp(ids[j], id)) j++;
    if (j == nid) ids[nid++] = id;
  }
  Py_BEGIN_ALLOW_THREADS
  for (size_t j = 0; j < nid && rc == INDAGA_OK; j++) {
    indaga_document *d = NULL;
    rc = indaga_document_get(&d, s->idx, ids[j], &err);
    const char *v = rc == INDAGA_OK ? indaga_document_meta_get(d, "date") : NULL;
    if (v) {
      size_t nv = strlen(v) + 1;
      if ((found[j] = PyMem_RawMalloc(nv))) memcpy(found[j], v, nv);
      else rc = INDAGA_ENOMEM;
    }
    indaga_document_free(d);
  }
  Py_END_ALLOW_THREADS
  int ret = 0;
  if (rc != INDAGA_OK) {
    pyi_raise(rc, err, 0);
    ret = -1;
  }
  indaga_free(err);
  for (size_t j = 0; j < nid && ret == 0; j++) {
    PyObject *key = pyi_id(ids[j]), *val = key ? pyi_str(found[j]) : NULL;
    if (!val || PyDict_SetItem(s->dates, key, val) < 0) ret = -1;
    Py_XDECREF(key);
    Py_XDECREF(val);
  }
  for (size_t i = 0; i < n && ret == 0; i++) {
    if (dates[i]) continue;
    dates[i] = PyDict_GetItemWithError(s->dates, docs[i]);
    if (!dates[i]) {
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "document date lost from the cache");
      ret = -1;
    } else {
      Py_INCREF(dates[i]);
    }
  }
  for (size_t j = 0; j < nid; j++) PyMem_RawFree(found[j]);
  PyMem_RawFree(ids);
  PyMem_RawFree(found);
  return ret;
}

/* Whether the results' total is exact (indaga_results_total_exact()). */
static int total_exact(const indaga_results *r, size_t count, unsigned k) {
  (void)count; (void)k;
  return indaga_results_total_exact(r) != 0;
}

/*
** Each hit of @r as a Hit, in a tuple; @whole (or NULL) has the same hits
** with whole paragraphs; @dates_on: look the documents' dates up (else None).
*/
static PyObject *make_hits(snap *s, const indaga_results *r, const indaga_results *whole, int dates_on) {
  size_t n = indaga_results_count(r);
  PyObject *hits = PyTuple_New((Py_ssize_t)n);
  PyObject **docs = PyMem_Calloc(2 * n + 1, sizeof *docs), **dates = docs + n;
  size_t i;
  if (!hits || !docs) {
    Py_XDECREF(hits);
    PyMem_Free(docs);
    return PyErr_NoMemory();
  }
  for (i = 0; i < n; i++)
    if (!(docs[i] = pyi_id(indaga_results_hit(r, i)->doc))) goto fail;
  if (dates_on) {
    if (hit_dates(s, r, n, docs, dates) < 0) goto fail;
  } else {
    for (i = 0; i < n; i++) dates[i] = Py_NewRef(Py_None);
  }
  for (i = 0; i < n; i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    PyObject *text = Py_None, *hit;
    Py_INCREF(text);
    if (whole) {
      const indaga_hit *w = indaga_results_hit(whole, i);
      if (!w || strcmp(w->doc, h->doc) || w->part != h->part || w->paragraph != h->paragraph ||
          !w->snippet) {
        Py_DECREF(text);
        pyi_raise(INDAGA_ERROR, "text=True: the search of whole paragraphs gave other hits", 0);
        goto fail;
      }
      Py_DECREF(text);
      if (pyi_text_ranges(w->snippet, w->snippet_len, NULL, 0, &text, NULL) < 0) goto fail;
    }
    hit = pyi_hit_new(h, docs[i], dates[i], text);
    Py_DECREF(text);
    if (!hit) goto fail;
    PyTuple_SET_ITEM(hits, (Py_ssize_t)i, hit);
  }
  for (i = 0; i < 2 * n; i++) Py_XDECREF(docs[i]);
  PyMem_Free(docs);
  return hits;
fail:
  for (i = 0; i < 2 * n; i++) Py_XDECREF(docs[i]);
  PyMem_Free(docs);
  Py_DECREF(hits);
  return NULL;
}

/*
** _search(query, k, offset, group, context, snippets, text, dates)
**   -> (hits, total, total_exact, took_us, note)
*/
static PyObject *index_search(IndexObject *self, PyObject *args, PyObject *kw) {
  static char *kwlist[] = { "query", "k", "offset", "group", "context", "snippets", "text", "dates", NULL };
  PyObject *query;
  unsigned int k = 10, offset = 0, context = 0;
  int group = 0, snippets = 1, text = 0, dates = 1;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "U|IIpIppp:_search", kwlist, &query, &k, &offset,
                                   &group, &context, &snippets, &text, &dates))
    return NULL;
  Py_ssize_t nq;
  const char *q = PyUnicode_AsUTF8AndSize(query, &nq);
  if (!q) return NULL;
  if (strlen(q) != (size_t)nq) return PyErr_Format(PyExc_ValueError, "the query contains a NUL character");
  snap *s = snap_take(self, "search");
  if (!s) return NULL;
  indaga_search_options o = INDAGA_SEARCH_OPTIONS_INIT;
  o.k = k;
  o.offset = offset;
  o.group = group;
  o.context = context;
  o.snippets = snippets;
  indaga_results *r = NULL, *whole = NULL;
  int rc, rc2 = INDAGA_OK;
  Py_BEGIN_ALLOW_THREADS
  rc = indaga_search(&r, s->idx, q, &o);
  if (rc == INDAGA_OK && text && indaga_results_count(r) > 0) {
    indaga_search_options w = o;
    w.snippets = 1;
    w.snippet_bytes = 0;      /* the whole paragraph */
    w.context = 0;
    rc2 = indaga_search(&whole, s->idx, q, &w);
  }
  Py_END_ALLOW_THREADS
  PyObject *ret = NULL;
  if (rc != INDAGA_OK || rc2 != INDAGA_OK) {
    const indaga_results *bad = rc != INDAGA_OK ? r : whole;
    pyi_raise(rc != INDAGA_OK ? rc : rc2, bad ? indaga_results_errmsg(bad) : NULL, 1);
  } else {
    PyObject *hits = make_hits(s, r, whole, dates);
    if (hits) {
      PyObject *note = pyi_str(indaga_results_note(r));
      if (note)
        ret = Py_BuildValue("(NKOKN)", hits, (unsigned long long)indaga_results_total(r),
                            total_exact(r, indaga_results_count(r), k) ? Py_True : Py_False,
                            (unsigned long long)indaga_results_took_us(r), note);
      else
        Py_DECREF(hits);
    }
  }
  indaga_results_free(r);
  indaga_results_free(whole);
  snap_release(s);
  return ret;
}

/* ---- documents, figures, refresh ---------------------------------------- */

/* document(doc) -> (id, [(key, value)...], [part label...], [(part, ordinal, label, heading, start, end, text)...]) */
static PyObject *index_document(IndexObject *self, PyObject *arg) {
  PyObject *id = pyi_id_bytes(arg, "the document id");
  if (!id) return NULL;
  snap *s = snap_take(self, "document");
  if (!s) {
    Py_DECREF(id);
    return NULL;
  }
  indaga_document *d = NULL;
  char *err = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = indaga_document_get(&d, s->idx, PyBytes_AS_STRING(id), &err);
  Py_END_ALLOW_THREADS
  Py_DECREF(id);
  PyObject *ret = NULL, *meta = NULL, *parts = NULL, *paras = NULL;
  if (rc != INDAGA_OK) {
    pyi_raise(rc, err, 0);
    goto done;
  }
  size_t nm = indaga_document_meta_count(d), np = indaga_document_part_count(d),
         nr = indaga_document_paragraph_count(d);
  if (!(meta = PyList_New((Py_ssize_t)nm)) || !(parts = PyList_New((Py_ssize_t)np)) ||
      !(paras = PyList_New((Py_ssize_t)nr)))
    goto done;
  for (size_t i = 0; i < nm; i++) {
    const char *key = NULL, *value = NULL;
    indaga_document_meta(d, i, &key, &value);
    PyObject *kv = Py_BuildValue("(NN)", pyi_str(key), pyi_str(value));
    if (!kv) goto done;
    PyList_SET_ITEM(meta, (Py_ssize_t)i, kv);
  }
  for (size_t i = 0; i < np; i++) {
    PyObject *l = pyi_str(indaga_document_part_label(d, i));
    if (!l) goto done;
    PyList_SET_ITEM(parts, (Py_ssize_t)i, l);
  }
  for (size_t i = 0; i < nr; i++) {
    const indaga_paragraph *p = indaga_document_paragraph(d, i);
    PyObject *t = Py_BuildValue("(IINOKKN)", p->part, p->ordinal, pyi_str(p->label),
                                p->heading ? Py_True : Py_False, (unsigned long long)p->byte_start,
                                (unsigned long long)p->byte_end, pyi_str(p->text));
    if (!t) goto done;
    PyList_SET_ITEM(paras, (Py_ssize_t)i, t);
  }
  ret = Py_BuildValue("(NOOO)", pyi_id(indaga_document_id(d)), meta, parts, paras);
done:
  Py_XDECREF(meta);
  Py_XDECREF(parts);
  Py_XDECREF(paras);
  indaga_document_free(d);
  indaga_free(err);
  snap_release(s);
  return ret;
}

/* stats() -> (generation, documents, paragraphs, terms, segments, bytes) */
static PyObject *index_stats(IndexObject *self, PyObject *unused) {
  (void)unused;
  snap *s = snap_take(self, "stats");
  if (!s) return NULL;
  indaga_stats st;
  memset(&st, 0, sizeof st);
  int rc = indaga_index_stats(s->idx, &st);
  snap_release(s);
  if (rc != INDAGA_OK) return pyi_raise(rc, NULL, 0);
  return Py_BuildValue("(KKKKKK)", (unsigned long long)st.generation, (unsigned long long)st.documents,
                       (unsigned long long)st.paragraphs, (unsigned long long)st.terms,
                       (unsigned long long)st.segments, (unsigned long long)st.bytes);
}

/* refresh() -> bool: move to the newest generation; True when there was a newer one. */
static PyObject *index_refresh(IndexObject *self, PyObject *unused) {
  (void)unused;
  if (!self->cur) return PyErr_Format(PyExc_ValueError, "refresh on a closed index");
  snap *s = snap_open(PyBytes_AS_STRING(self->path));
  if (!s) return NULL;
  if (!self->cur) {                     /* closed by another thread meanwhile */
    snap_release(s);
    return PyErr_Format(PyExc_ValueError, "refresh on a closed index");
  }
  if (s->generation == self->cur->generation) {
    snap_release(s);
    Py_RETURN_FALSE;
  }
  snap *old = self->cur;
  self->cur = s;
  snap_release(old);
  Py_RETURN_TRUE;
}

static PyObject *index_get_closed(IndexObject *self, void *unused) {
  (void)unused;
  return PyBool_FromLong(self->cur == NULL);
}

static PyObject *index_get_path(IndexObject *self, void *unused) {
  (void)unused;
  if (!self->path) Py_RETURN_NONE;
  return PyUnicode_DecodeFSDefaultAndSize(PyBytes_AS_STRING(self->path), PyBytes_GET_SIZE(self->path));
}

static PyObject *index_get_generation(IndexObject *self, void *unused) {
  (void)unused;
  if (!self->cur) return PyErr_Format(PyExc_ValueError, "generation of a closed index");
  return PyLong_FromUnsignedLongLong((unsigned long long)self->cur->generation);
}

PyObject *pyi_check(PyObject *self, PyObject *arg) {
  (void)self;
  PyObject *path = NULL;
  if (!PyUnicode_FSConverter(arg, &path)) return NULL;
  char *err = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = indaga_check(PyBytes_AS_STRING(path), &err);
  Py_END_ALLOW_THREADS
  Py_DECREF(path);
  if (rc != INDAGA_OK) {
    pyi_raise(rc, err, 0);
    indaga_free(err);
    return NULL;
  }
  Py_RETURN_NONE;
}

static PyMethodDef index_methods[] = {
  { "_search", (PyCFunction)(void (*)(void))index_search, METH_VARARGS | METH_KEYWORDS,
    "_search(query, k=10, offset=0, group=False, context=0, snippets=True, text=False, dates=True)\n"
    "-> (hits, total, total_exact, took_us, note): the raw search; use search()." },
  { "_document", (PyCFunction)index_document, METH_O,
    "_document(doc) -> (id, meta pairs, part labels, paragraph tuples); use document()." },
  { "_stats", (PyCFunction)index_stats, METH_NOARGS,
    "_stats() -> (generation, documents, paragraphs, terms, segments, bytes); use stats()." },
  { "refresh", (PyCFunction)index_refresh, METH_NOARGS,
    "refresh() -> bool\n\n"
    "Move to the newest committed generation of the index. Returns True when\n"
    "there was a newer one. Searches running in other threads finish on the\n"
    "generation they started with." },
  { "close", (PyCFunction)index_close, METH_NOARGS,
    "close()\n\n"
    "Close the index. Hits, results and documents taken from it stay valid;\n"
    "searches still running in other threads finish first. Closing twice is\n"
    "harmless." },
  { NULL, NULL, 0, NULL },
};

static PyGetSetDef index_getset[] = {
  { "closed", (getter)index_get_closed, NULL, "True once close() was called.", NULL },
  { "path", (getter)index_get_path, NULL, "The index directory, as given.", NULL },
  { "generation", (getter)index_get_generation, NULL, "The generation this snapshot reads.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject pyi_IndexType = {
  PyVarObject_HEAD_INIT(NULL, 0)
  .tp_name = "indaga._indaga.Index",
  .tp_basicsize = sizeof(IndexObject),
  .tp_dealloc = (destructor)index_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
  .tp_doc = "Index(path): a read snapshot of the index in directory path.",
  .tp_methods = index_methods,
  .tp_getset = index_getset,
  .tp_init = (initproc)index_init,
  .tp_new = PyType_GenericNew,
};

int pyi_index_init(PyObject *m) {
  if (PyType_Ready(&pyi_IndexType) < 0) return -1;
  Py_INCREF(&pyi_IndexType);
  if (PyModule_AddObject(m, "Index", (PyObject *)&pyi_IndexType) < 0) {
    Py_DECREF(&pyi_IndexType);
    return -1;
  }
  return 0;
}
