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
** Parts of the C API are newer than others. setup.py looks in indaga.h for
** them and defines PYI_HAVE_MATCH_MODE (indaga_search_options.mode),
** PYI_HAVE_TOTAL_EXACT (indaga_results_total_exact), PYI_HAVE_ALL_WORDS
** (indaga_results_all_words) and PYI_HAVE_SUGGESTION
** (indaga_results_suggestion, _corrected) and PYI_HAVE_SORT
** (indaga_search_options.sort, .facets, indaga_results_facet) and
** PYI_HAVE_OPEN_MANY (indaga_index_open_many, indaga_hit_index); without them:
**   - all: not passed (plain words are all required: all=True is what the
**     library does anyway);
**   - total_exact: True when fewer hits than asked came back (every match
**     was collected, so the total was counted, not estimated), else False,
**     "may be an estimate" (total_exact());
**   - all_words: None; suggestion: None, corrected: False;
**   - sort other than 0 (relevance) and facets: ValueError (search() checks
**     FEATURES first);
**   - several paths: ValueError; Hit.index: None.
** Index(paths), a list or tuple of directories, opens them as one index
** (indaga_index_open_many): self->path is then a tuple of bytes, and a
** snapshot's generations are its indexes' (refresh moves when one moved).
** The whole paragraph (text=True), which no version of the C API gives, is
** a second search of the same page with snippet_bytes = 0 (whole
** paragraphs), matched hit by hit.
*/
#include <string.h>
#include "pyindaga.h"

/* The most facets one search counts (the library's bound, where it has one). */
#ifdef INDAGA_FACETS_MAX
#define PYI_FACETS_MAX INDAGA_FACETS_MAX
#else
#define PYI_FACETS_MAX 16
#endif

/* Indexes one Index may span (the library's bound, where it has one). */
#ifdef INDAGA_OPEN_MANY_MAX
#define PYI_PATHS_MAX INDAGA_OPEN_MANY_MAX
#else
#define PYI_PATHS_MAX 1
#endif

typedef struct snap {
  indaga_index *idx;
  Py_ssize_t refs;        /* the Index's own reference and calls in flight */
  uint64_t generation;    /* 0 for several indexes: see gens */
  uint64_t gens[PYI_PATHS_MAX]; /* each index's generation (several indexes) */
  size_t ngens;
} snap;

typedef struct {
  PyObject_HEAD
  snap *cur;              /* NULL once closed */
  PyObject *path;         /* bytes, as given to the library; a tuple of them for several */
} IndexObject;

/* Drop one reference to @s (GIL held); the last one closes the snapshot. */
static void snap_release(snap *s) {
  if (!s || --s->refs > 0) return;
  indaga_index_close(s->idx);
  PyMem_RawFree(s);
}

/* Open @paths[0..@n) (@many: as several indexes), the GIL released. A status, *idx and *err set. */
static int open_paths(indaga_index **idx, const char *const *paths, size_t n, int many, char **err) {
  int rc;
#ifdef PYI_HAVE_OPEN_MANY
  Py_BEGIN_ALLOW_THREADS
  rc = many ? indaga_index_open_many(idx, paths, NULL, n, NULL, err) : indaga_index_open(idx, paths[0], NULL, err);
  Py_END_ALLOW_THREADS
#else
  (void)n;
  (void)many;
  Py_BEGIN_ALLOW_THREADS
  rc = indaga_index_open(idx, paths[0], NULL, err);
  Py_END_ALLOW_THREADS
#endif
  return rc;
}

/*
** Open the snapshot of @path (bytes, or a tuple of bytes for several
** indexes), the GIL released meanwhile. NULL with an exception set.
*/
static snap *snap_open(PyObject *path) {
  indaga_index *idx = NULL;
  char *err = NULL;
  const char *paths[PYI_PATHS_MAX];
  int many = PyTuple_Check(path);
  size_t n = many ? (size_t)PyTuple_GET_SIZE(path) : 1;
  if (n == 0 || n > PYI_PATHS_MAX) {
    PyErr_Format(PyExc_ValueError, "open: from 1 to %d index directories, not %zu", PYI_PATHS_MAX, n);
    return NULL;
  }
  for (size_t i = 0; i < n; i++)
    paths[i] = PyBytes_AS_STRING(many ? PyTuple_GET_ITEM(path, (Py_ssize_t)i) : path);
  int rc = open_paths(&idx, paths, n, many, &err);
  if (rc != INDAGA_OK) {
    pyi_raise(rc, err, 0);
    indaga_free(err);
    return NULL;
  }
  indaga_stats st;
  memset(&st, 0, sizeof st);
  snap *s = NULL;
  if ((rc = indaga_index_stats(idx, &st)) != INDAGA_OK) pyi_raise(rc, "cannot read the index's figures", 0);
  else if (!(s = PyMem_RawCalloc(1, sizeof *s))) PyErr_NoMemory();
  if (!s) {
    indaga_index_close(idx);
    return NULL;
  }
  s->idx = idx;
  s->refs = 1;
  s->generation = st.generation;
#ifdef PYI_HAVE_OPEN_MANY
  for (size_t i = 0; many && i < n; i++) {
    indaga_stats ms;
    memset(&ms, 0, sizeof ms);
    indaga_index_stats(indaga_index_member(idx, i), &ms);
    s->gens[s->ngens++] = ms.generation;
  }
#endif
  return s;
}

/* Does @a read the same generations as @b? */
static int same_generations(const snap *a, const snap *b) {
  if (a->generation != b->generation || a->ngens != b->ngens) return 0;
  for (size_t i = 0; i < a->ngens; i++)
    if (a->gens[i] != b->gens[i]) return 0;
  return 1;
}

/*
** @arg as what the library takes: bytes for a path, a tuple of bytes for
** a list or tuple of paths (several indexes). New reference, or NULL with
** an exception set.
*/
static PyObject *path_arg(PyObject *arg) {
  PyObject *one = NULL;
  if (!PyList_Check(arg) && !PyTuple_Check(arg)) return PyUnicode_FSConverter(arg, &one) ? one : NULL;
#ifndef PYI_HAVE_OPEN_MANY
  PyErr_SetString(PyExc_ValueError, "open: this libindaga opens one index at a time (\"open_many\" not in FEATURES)");
  return NULL;
#else
  PyObject *seq = PySequence_Tuple(arg);
  if (!seq) return NULL;
  Py_ssize_t n = PyTuple_GET_SIZE(seq);
  PyObject *out = PyTuple_New(n);
  for (Py_ssize_t i = 0; out && i < n; i++) {
    if (!PyUnicode_FSConverter(PyTuple_GET_ITEM(seq, i), &one)) Py_CLEAR(out);
    else PyTuple_SET_ITEM(out, i, one);
  }
  Py_DECREF(seq);
  return out;
#endif
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
  PyObject *arg = NULL;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O:Index", kwlist, &arg)) return -1;
  PyObject *path = path_arg(arg);
  if (!path) return -1;
  snap *s = snap_open(path);
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
** Whether the results' total is exact: the library's word when it has
** indaga_results_total_exact(). Before it, the C API said only that the
** total is exact unless pruning skipped matches, which can happen only once
** k hits were collected: fewer hits than asked means every match was counted.
*/
static int total_exact(const indaga_results *r, size_t count, unsigned k) {
#ifdef PYI_HAVE_TOTAL_EXACT
  (void)count;
  (void)k;
  return indaga_results_total_exact(r) != 0;
#else
  (void)r;
  return count < k;
#endif
}

/*
** The summary of @r: (total, total_exact, took_us, note, suggestion,
** corrected, all_words, partial), None/False where this libindaga has no
** such field.
*/
static PyObject *summary(const indaga_results *r, unsigned k) {
  PyObject *suggestion, *all_words;
  int corrected = 0;
#ifdef PYI_HAVE_SUGGESTION
  suggestion = pyi_str(indaga_results_suggestion(r));
  corrected = indaga_results_corrected(r) != 0;
#else
  suggestion = Py_NewRef(Py_None);
#endif
#ifdef PYI_HAVE_ALL_WORDS
  all_words = PyLong_FromUnsignedLongLong((unsigned long long)indaga_results_all_words(r));
#else
  all_words = Py_NewRef(Py_None);
#endif
  return Py_BuildValue("(KOKNNONO)", (unsigned long long)indaga_results_total(r),
                       total_exact(r, indaga_results_count(r), k) ? Py_True : Py_False,
                       (unsigned long long)indaga_results_took_us(r), pyi_str(indaga_results_note(r)),
                       suggestion, corrected ? Py_True : Py_False, all_words,
                       indaga_results_partial(r) ? Py_True : Py_False);
}

/* Each hit of @r as a Hit, in a tuple; @whole (or NULL) has the same hits with whole paragraphs. */
static PyObject *make_hits(const indaga_results *r, const indaga_results *whole) {
  size_t n = indaga_results_count(r);
  PyObject *hits = PyTuple_New((Py_ssize_t)n);
  for (size_t i = 0; hits && i < n; i++) {
    const indaga_hit *h = indaga_results_hit(r, i);
    PyObject *text = Py_NewRef(Py_None), *doc = NULL, *date = NULL, *hit = NULL;
    if (whole) {
      const indaga_hit *w = indaga_results_hit(whole, i);
      Py_CLEAR(text);
      if (!w || strcmp(w->doc, h->doc) || w->part != h->part || w->paragraph != h->paragraph ||
          !w->snippet)
        pyi_raise(INDAGA_ERROR, "text=True: the search of whole paragraphs gave other hits "
                                "(a partial search stopped at another point?)", 0);
      else
        (void)pyi_text_ranges(w->snippet, w->snippet_len, NULL, 0, &text, NULL);
    }
    if (text && (doc = pyi_id(h->doc)) && (date = pyi_str(h->date))) hit = pyi_hit_new(h, doc, date, text);
    Py_XDECREF(text);
    Py_XDECREF(doc);
    Py_XDECREF(date);
    if (!hit) Py_CLEAR(hits);
    else PyTuple_SET_ITEM(hits, (Py_ssize_t)i, hit);
  }
  return hits;
}

#ifdef PYI_HAVE_SORT
/* The facet counts of @r as a tuple of (field, value, paragraphs, documents). */
static PyObject *make_facets(const indaga_results *r) {
  size_t n = indaga_results_facet_count(r);
  PyObject *t = PyTuple_New((Py_ssize_t)n);
  for (size_t i = 0; t && i < n; i++) {
    const indaga_facet *fc = indaga_results_facet(r, i);
    PyObject *e = Py_BuildValue("(NNKK)", pyi_str(fc->field), pyi_str(fc->value),
                                (unsigned long long)fc->paragraphs, (unsigned long long)fc->documents);
    if (!e) Py_CLEAR(t);
    else PyTuple_SET_ITEM(t, (Py_ssize_t)i, e);
  }
  return t;
}
#endif

/*
** The field names of @seq (a tuple of str, at most @max, each
** without NUL) into @out, borrowed from @seq; their count, or -1 with an
** exception set.
*/
static Py_ssize_t facet_names(PyObject *seq, const char **out, size_t max) {
  if (!PyTuple_Check(seq)) {
    PyErr_SetString(PyExc_TypeError, "facets must be a tuple of str");
    return -1;
  }
  Py_ssize_t n = PyTuple_GET_SIZE(seq);
  if ((size_t)n > max) {
    PyErr_Format(PyExc_ValueError, "at most %zu facets", max);
    return -1;
  }
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject *f = PyTuple_GET_ITEM(seq, i);
    Py_ssize_t len;
    const char *z = PyUnicode_Check(f) ? PyUnicode_AsUTF8AndSize(f, &len) : NULL;
    if (!z) {
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "facets must be a tuple of str");
      return -1;
    }
    if (len == 0 || strlen(z) != (size_t)len) {
      PyErr_SetString(PyExc_ValueError, "a facet is a field name: not empty, no NUL character");
      return -1;
    }
    out[i] = z;
  }
  return n;
}

/*
** _search(query, k, offset, group, context, snippets, text, all,
**         time_ms, memory, partial, cancel, sort, facets)
**   -> (hits, (total, total_exact, took_us, note, suggestion, corrected, all_words, partial),
**       ((field, value, paragraphs, documents)...))
*/
static PyObject *index_search(IndexObject *self, PyObject *args, PyObject *kw) {
  static char *kwlist[] = { "query", "k", "offset", "group", "context", "snippets", "text", "all",
                            "time_ms", "memory", "partial", "cancel", "sort", "facets", NULL };
  PyObject *query, *cancel = Py_None, *facets = NULL;
  unsigned int k = 10, offset = 0, context = 0, time_ms = INDAGA_SEARCH_TIME_MS_DEFAULT, sort = 0;
  Py_ssize_t memory = (Py_ssize_t)INDAGA_SEARCH_MEMORY_DEFAULT;
  int group = 0, snippets = 1, text = 0, all = 0, partial = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "U|IIpIpppInpOIO:_search", kwlist, &query, &k, &offset,
                                   &group, &context, &snippets, &text, &all, &time_ms, &memory,
                                   &partial, &cancel, &sort, &facets))
    return NULL;
  const char *fields[PYI_FACETS_MAX];
  Py_ssize_t nfields = facets ? facet_names(facets, fields, sizeof fields / sizeof fields[0]) : 0;
  if (nfields < 0) return NULL;
#ifdef PYI_HAVE_SORT
  if (sort > INDAGA_SORT_DOC) return PyErr_Format(PyExc_ValueError, "sort must be 0 to %d", INDAGA_SORT_DOC);
#else
  if (sort || nfields)
    return PyErr_Format(PyExc_ValueError, "this libindaga has no sort or facets (FEATURES lacks 'sort')");
#endif
  if (memory < 0) return PyErr_Format(PyExc_ValueError, "memory must be >= 0 (bytes; 0: no limit)");
  const volatile int *flag = cancel == Py_None ? NULL : pyi_cancel_flag(cancel);
  if (cancel != Py_None && !flag) return NULL;
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
  o.time_ms = time_ms;
  o.memory_bytes = (size_t)memory;
  o.partial = partial;
  o.cancel = flag;
#ifdef PYI_HAVE_MATCH_MODE
  o.mode = all ? INDAGA_MATCH_ALL : INDAGA_MATCH_BEST;
#else
  (void)all;                  /* every word is required: all=True is the library's only mode */
#endif
#ifdef PYI_HAVE_SORT
  o.sort = (int)sort;
  o.facets = nfields ? fields : NULL;
  o.nfacets = (size_t)nfields;
#endif
  indaga_results *r = NULL, *whole = NULL;
  int rc, rc2 = INDAGA_OK;
  Py_BEGIN_ALLOW_THREADS
  rc = indaga_search(&r, s->idx, q, &o);
  if (rc == INDAGA_OK && text && indaga_results_count(r) > 0) {
    indaga_search_options w = o;
    w.snippets = 1;
    w.snippet_bytes = 0;      /* the whole paragraph */
    w.context = 0;
#ifdef PYI_HAVE_SORT
    w.nfacets = 0;            /* counted once, by the first search */
    w.facets = NULL;
#endif
    rc2 = indaga_search(&whole, s->idx, q, &w);
  }
  Py_END_ALLOW_THREADS
  PyObject *ret = NULL;
  if (rc != INDAGA_OK || rc2 != INDAGA_OK) {
    const indaga_results *bad = rc != INDAGA_OK ? r : whole;
    pyi_raise(rc != INDAGA_OK ? rc : rc2, bad ? indaga_results_errmsg(bad) : NULL, 1);
  } else {
    PyObject *hits = make_hits(r, whole);
#ifdef PYI_HAVE_SORT
    if (hits) ret = Py_BuildValue("(NNN)", hits, summary(r, k), make_facets(r));
#else
    if (hits) ret = Py_BuildValue("(NNN)", hits, summary(r, k), PyTuple_New(0));
#endif
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
  snap *s = snap_open(self->path);
  if (!s) return NULL;
  if (!self->cur) {                     /* closed by another thread meanwhile */
    snap_release(s);
    return PyErr_Format(PyExc_ValueError, "refresh on a closed index");
  }
  if (same_generations(s, self->cur)) {
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

static PyObject *path_str(PyObject *b) {
  return PyUnicode_DecodeFSDefaultAndSize(PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b));
}

static PyObject *index_get_path(IndexObject *self, void *unused) {
  (void)unused;
  if (!self->path) Py_RETURN_NONE;
  return path_str(PyTuple_Check(self->path) ? PyTuple_GET_ITEM(self->path, 0) : self->path);
}

static PyObject *index_get_paths(IndexObject *self, void *unused) {
  (void)unused;
  if (!self->path) return PyTuple_New(0);
  if (!PyTuple_Check(self->path)) return Py_BuildValue("(N)", path_str(self->path));
  Py_ssize_t n = PyTuple_GET_SIZE(self->path);
  PyObject *t = PyTuple_New(n);
  for (Py_ssize_t i = 0; t && i < n; i++) {
    PyObject *s = path_str(PyTuple_GET_ITEM(self->path, i));
    if (!s) Py_CLEAR(t);
    else PyTuple_SET_ITEM(t, i, s);
  }
  return t;
}

static PyObject *index_get_note(IndexObject *self, void *unused) {
  (void)unused;
  if (!self->cur) return PyErr_Format(PyExc_ValueError, "note of a closed index");
  return pyi_str(indaga_index_note(self->cur->idx));
}

static PyObject *index_get_roots(IndexObject *self, void *unused) {
  (void)unused;
  if (!self->cur) return PyErr_Format(PyExc_ValueError, "roots of a closed index");
  size_t n = indaga_index_root_count(self->cur->idx);
  PyObject *t = PyTuple_New((Py_ssize_t)n);
  for (size_t i = 0; t && i < n; i++) {
    PyObject *r = pyi_id(indaga_index_root(self->cur->idx, i));
    if (!r) {
      Py_CLEAR(t);
      break;
    }
    PyTuple_SET_ITEM(t, (Py_ssize_t)i, r);
  }
  return t;
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
    "_search(query, k=10, offset=0, group=False, context=0, snippets=True, text=False,\n"
    "        all=False, time_ms=2000, memory=64 MiB, partial=False, cancel=None, sort=0, facets=())\n"
    "-> (hits, (total, total_exact, took_us, note, suggestion, corrected, all_words, partial),\n"
    "    ((field, value, paragraphs, documents)...)):\n"
    "the raw search; use search()." },
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
  { "path", (getter)index_get_path, NULL, "The index directory, as given (the first one of several).", NULL },
  { "paths", (getter)index_get_paths, NULL, "The index directories, as given, a tuple (one for one index).", NULL },
  { "generation", (getter)index_get_generation, NULL, "The generation this snapshot reads.", NULL },
  { "note", (getter)index_get_note, NULL,
    "What opening noticed that does not stop reading, or None: the newest manifest\n"
    "is damaged or missing, so this snapshot may not be the newest generation\n"
    "committed (show it to the user; check() reports it as an error).", NULL },
  { "roots", (getter)index_get_roots, NULL,
    "The paths the snapshot's generation was indexed from (absolute, canonical), a tuple.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject pyi_IndexType = {
  PyVarObject_HEAD_INIT(NULL, 0)
  .tp_name = "indaga._indaga.Index",
  .tp_basicsize = sizeof(IndexObject),
  .tp_dealloc = (destructor)index_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
  .tp_doc = "Index(path): a read snapshot of the index in directory path (or of several, a list of paths, as one).",
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
