/*
** writer.c: indaga._indaga.Writer, the single writer of an index.
**
** The C writer belongs to one thread at a time: a call made while another
** thread's call on the same Writer is running raises RuntimeError instead of
** entering the library twice. Every call releases the GIL, so readers in
** other threads search on meanwhile.
**
** Callbacks. The library reports skipped or repaired files (on_warning),
** progress (on_progress) and, in a dry run, each document a sync would
** change (on_change), possibly from its own threads; each callback takes
** the GIL (PyGILState_Ensure) and calls the Python callable. Warnings are
** also kept in the `warnings` list as (path, message) pairs. The library
** cannot be stopped mid-call, so an exception raised by a callback is kept
** (the first one; later ones are dropped, their callbacks not called) and
** raised when the library call returns.
*/
#include <string.h>
#include "pyindaga.h"
#include "structmember.h"   /* after Python.h */

typedef struct {
  PyObject_HEAD
  indaga_writer *w;
  int busy;                       /* a call is in the library (GIL released) */
  PyObject *progress;             /* callable or NULL */
  PyObject *on_warning;           /* callable or NULL */
  PyObject *on_change;            /* callable or NULL (dry runs) */
  PyObject *warnings;             /* list of (path, message) */
  PyObject *exc_type, *exc_value, *exc_tb;   /* a callback's exception, raised later */
} WriterObject;

/* Keep the exception being raised (the first one) for after the library call. */
static void keep_exception(WriterObject *self) {
  if (self->exc_type) {
    PyErr_Clear();
    return;
  }
  PyErr_Fetch(&self->exc_type, &self->exc_value, &self->exc_tb);
}

static void on_warning(void *ctx, const char *path, const char *message) {
  WriterObject *self = ctx;
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *pair = Py_BuildValue("(NN)", pyi_id(path), pyi_str(message));
  if (!pair || PyList_Append(self->warnings, pair) < 0) keep_exception(self);
  else if (self->on_warning && !self->exc_type) {
    PyObject *r = PyObject_CallObject(self->on_warning, pair);
    if (r) Py_DECREF(r);
    else keep_exception(self);
  }
  Py_XDECREF(pair);
  PyGILState_Release(g);
}

static void on_progress(void *ctx, uint64_t files_done, uint64_t files_total, uint64_t bytes_done,
                        uint64_t bytes_total) {
  WriterObject *self = ctx;
  PyGILState_STATE g = PyGILState_Ensure();
  if (self->progress && !self->exc_type) {
    PyObject *r = PyObject_CallFunction(self->progress, "KKKK", (unsigned long long)files_done,
                                        (unsigned long long)files_total, (unsigned long long)bytes_done,
                                        (unsigned long long)bytes_total);
    if (r) Py_DECREF(r);
    else keep_exception(self);
  }
  PyGILState_Release(g);
}

static void on_change(void *ctx, int change, const char *doc) {
  WriterObject *self = ctx;
  PyGILState_STATE g = PyGILState_Ensure();
  if (self->on_change && !self->exc_type) {
    const char *what = change == INDAGA_CHANGE_ADD ? "add" : change == INDAGA_CHANGE_UPDATE ? "update"
                     : change == INDAGA_CHANGE_REMOVE ? "remove" : "?";
    PyObject *r = PyObject_CallFunction(self->on_change, "sN", what, pyi_id(doc));
    if (r) Py_DECREF(r);
    else keep_exception(self);
  }
  PyGILState_Release(g);
}

static int writer_init(WriterObject *self, PyObject *args, PyObject *kw) {
  static char *kwlist[] = { "path", "wait", "full", "prune", "add_roots", "dry_run", "threads", "memory",
                            "progress", "on_warning", "on_change", NULL };
  PyObject *path = NULL, *progress = Py_None, *warn = Py_None, *change = Py_None;
  int wait = 0, full = 0, prune = 0, add_roots = 0, dry_run = 0;
  Py_ssize_t threads = 0, memory = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|$pppppnnOOO:Writer", kwlist, PyUnicode_FSConverter,
                                   &path, &wait, &full, &prune, &add_roots, &dry_run, &threads, &memory,
                                   &progress, &warn, &change))
    return -1;
  if (self->w || self->busy) {
    Py_DECREF(path);
    PyErr_SetString(PyExc_RuntimeError, "Writer.__init__ called twice");
    return -1;
  }
  if (memory < 0 || threads < 0 || threads > 1024 || (progress != Py_None && !PyCallable_Check(progress)) ||
      (warn != Py_None && !PyCallable_Check(warn)) || (change != Py_None && !PyCallable_Check(change))) {
    Py_DECREF(path);
    PyErr_SetString(PyExc_ValueError,
                    memory < 0                      ? "memory must be >= 0 (bytes; 0: the default)"
                    : threads < 0 || threads > 1024 ? "threads must be from 0 (one per core) to 1024"
                                                    : "progress, on_warning and on_change must be callables or None");
    return -1;
  }
  if (!self->warnings && !(self->warnings = PyList_New(0))) {
    Py_DECREF(path);
    return -1;
  }
  Py_XSETREF(self->progress, progress == Py_None ? NULL : Py_NewRef(progress));
  Py_XSETREF(self->on_warning, warn == Py_None ? NULL : Py_NewRef(warn));
  Py_XSETREF(self->on_change, change == Py_None ? NULL : Py_NewRef(change));
  indaga_writer_options o = INDAGA_WRITER_OPTIONS_INIT;
  o.flags = (wait ? INDAGA_WRITER_WAIT : 0u) | (full ? INDAGA_WRITER_FULL : 0u) |
            (prune ? INDAGA_WRITER_PRUNE : 0u) | (add_roots ? INDAGA_WRITER_ADD : 0u) |
            (dry_run ? INDAGA_WRITER_DRY_RUN : 0u);
  o.on_change = on_change;
  o.memory_budget = (size_t)memory;
  o.threads = (unsigned)threads;      /* the library uses at most 8 */
  o.on_warning = on_warning;
  o.on_progress = on_progress;
  o.ctx = self;
  indaga_writer *w = NULL;
  char *err = NULL;
  int rc;
  self->busy = 1;
  Py_BEGIN_ALLOW_THREADS
  rc = indaga_writer_open(&w, PyBytes_AS_STRING(path), &o, &err);
  Py_END_ALLOW_THREADS
  self->busy = 0;
  Py_DECREF(path);
  if (rc != INDAGA_OK) {
    pyi_raise(rc, err, 0);
    indaga_free(err);
    return -1;
  }
  self->w = w;
  if (self->exc_type) {
    PyErr_Restore(self->exc_type, self->exc_value, self->exc_tb);
    self->exc_type = self->exc_value = self->exc_tb = NULL;
    return -1;
  }
  return 0;
}

static void writer_dealloc(WriterObject *self) {
  PyObject_GC_UnTrack(self);
  if (self->w) {
    indaga_writer *w = self->w;     /* its threads may wait for the GIL in a callback */
    self->w = NULL;
    Py_BEGIN_ALLOW_THREADS
    indaga_writer_close(w);
    Py_END_ALLOW_THREADS
  }
  Py_XDECREF(self->progress);
  Py_XDECREF(self->on_warning);
  Py_XDECREF(self->on_change);
  Py_XDECREF(self->warnings);
  Py_XDECREF(self->exc_type);
  Py_XDECREF(self->exc_value);
  Py_XDECREF(self->exc_tb);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static int writer_traverse(WriterObject *self, visitproc visit, void *arg) {
  Py_VISIT(self->progress);
  Py_VISIT(self->on_warning);
  Py_VISIT(self->on_change);
  Py_VISIT(self->warnings);
  return 0;
}

static int writer_clear(WriterObject *self) {
  Py_CLEAR(self->progress);
  Py_CLEAR(self->on_warning);
  Py_CLEAR(self->on_change);
  return 0;
}

/* Enter a call: the writer is open and no other thread is in it. 0 or -1. */
static int enter(WriterObject *self, const char *what) {
  if (!self->w) {
    PyErr_Format(PyExc_ValueError, "%s on a closed writer", what);
    return -1;
  }
  if (self->busy) {
    PyErr_Format(PyExc_RuntimeError, "%s: the writer is in use by another thread", what);
    return -1;
  }
  self->busy = 1;
  return 0;
}

/* Leave a call that returned @rc: 0, or -1 with the library's or a callback's exception set. */
static int leave(WriterObject *self, int rc) {
  self->busy = 0;
  if (self->exc_type) {
    PyErr_Restore(self->exc_type, self->exc_value, self->exc_tb);
    self->exc_type = self->exc_value = self->exc_tb = NULL;
    return -1;
  }
  if (rc != INDAGA_OK) {
    pyi_raise(rc, indaga_writer_errmsg(self->w), 0);
    return -1;
  }
  return 0;
}

/* sync(*roots) -> (added, updated, removed, unchanged, skipped, paragraphs, bytes) */
static PyObject *writer_sync(WriterObject *self, PyObject *args) {
  Py_ssize_t n = PyTuple_GET_SIZE(args);
  if (n == 0) return PyErr_Format(PyExc_TypeError, "sync() needs at least one root (a directory or file)");
  PyObject **paths = PyMem_Calloc((size_t)n, sizeof *paths);
  const char **roots = PyMem_Calloc((size_t)n, sizeof *roots);
  PyObject *ret = NULL;
  Py_ssize_t i;
  if (!paths || !roots) {
    PyErr_NoMemory();
    goto done;
  }
  for (i = 0; i < n; i++) {
    if (!PyUnicode_FSConverter(PyTuple_GET_ITEM(args, i), &paths[i])) goto done;
    roots[i] = PyBytes_AS_STRING(paths[i]);
  }
  if (enter(self, "sync") < 0) goto done;
  indaga_sync_report rep;
  memset(&rep, 0, sizeof rep);
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = indaga_writer_sync_many(self->w, roots, (size_t)n, &rep);
  Py_END_ALLOW_THREADS
  if (leave(self, rc) == 0)
    ret = Py_BuildValue("(KKKKKKK)", (unsigned long long)rep.added, (unsigned long long)rep.updated,
                        (unsigned long long)rep.removed, (unsigned long long)rep.unchanged,
                        (unsigned long long)rep.skipped, (unsigned long long)rep.paragraphs,
                        (unsigned long long)rep.bytes);
done:
  for (i = 0; paths && i < n; i++) Py_XDECREF(paths[i]);
  PyMem_Free(paths);
  PyMem_Free(roots);
  return ret;
}

/* add(doc, text): text is a str (encoded to UTF-8) or bytes. */
static PyObject *writer_add(WriterObject *self, PyObject *args) {
  PyObject *doc, *text, *id, *buf;
  if (!PyArg_ParseTuple(args, "OO:add", &doc, &text)) return NULL;
  if (!(id = pyi_id_bytes(doc, "the document id"))) return NULL;
  if (PyUnicode_Check(text)) buf = PyUnicode_AsUTF8String(text);
  else if (PyBytes_Check(text)) buf = Py_NewRef(text);
  else buf = PyErr_Format(PyExc_TypeError, "add: text must be str or bytes, not %.100s", Py_TYPE(text)->tp_name);
  if (!buf || enter(self, "add") < 0) {
    Py_DECREF(id);
    Py_XDECREF(buf);
    return NULL;
  }
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = indaga_writer_add_buffer(self->w, PyBytes_AS_STRING(id), PyBytes_AS_STRING(buf),
                                (size_t)PyBytes_GET_SIZE(buf));
  Py_END_ALLOW_THREADS
  Py_DECREF(id);
  Py_DECREF(buf);
  if (leave(self, rc) < 0) return NULL;
  Py_RETURN_NONE;
}

/* add_file(doc, path) */
static PyObject *writer_add_file(WriterObject *self, PyObject *args) {
  PyObject *doc, *id, *path = NULL;
  if (!PyArg_ParseTuple(args, "OO&:add_file", &doc, PyUnicode_FSConverter, &path)) return NULL;
  if (!(id = pyi_id_bytes(doc, "the document id")) || enter(self, "add_file") < 0) {
    Py_XDECREF(id);
    Py_DECREF(path);
    return NULL;
  }
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = indaga_writer_add_file(self->w, PyBytes_AS_STRING(id), PyBytes_AS_STRING(path));
  Py_END_ALLOW_THREADS
  Py_DECREF(id);
  Py_DECREF(path);
  if (leave(self, rc) < 0) return NULL;
  Py_RETURN_NONE;
}

/* delete(doc) */
static PyObject *writer_delete(WriterObject *self, PyObject *doc) {
  PyObject *id = pyi_id_bytes(doc, "the document id");
  if (!id || enter(self, "delete") < 0) {
    Py_XDECREF(id);
    return NULL;
  }
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = indaga_writer_delete(self->w, PyBytes_AS_STRING(id));
  Py_END_ALLOW_THREADS
  Py_DECREF(id);
  if (leave(self, rc) < 0) return NULL;
  Py_RETURN_NONE;
}

/* commit() / compact() / rollback() -> generation */
enum finish { COMMIT, COMPACT, ROLLBACK };
static PyObject *writer_finish(WriterObject *self, enum finish what) {
  if (enter(self, what == COMMIT ? "commit" : what == COMPACT ? "compact" : "rollback") < 0) return NULL;
  uint64_t gen = 0;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = what == COMMIT    ? indaga_writer_commit(self->w, &gen)
     : what == COMPACT   ? indaga_writer_compact(self->w, &gen)
                         : indaga_writer_rollback(self->w, &gen);
  Py_END_ALLOW_THREADS
  if (leave(self, rc) < 0) return NULL;
  return PyLong_FromUnsignedLongLong((unsigned long long)gen);
}

static PyObject *writer_commit(WriterObject *self, PyObject *unused) {
  (void)unused;
  return writer_finish(self, COMMIT);
}

static PyObject *writer_compact(WriterObject *self, PyObject *unused) {
  (void)unused;
  return writer_finish(self, COMPACT);
}

static PyObject *writer_rollback(WriterObject *self, PyObject *unused) {
  (void)unused;
  return writer_finish(self, ROLLBACK);
}

static PyObject *writer_close(WriterObject *self, PyObject *unused) {
  (void)unused;
  if (self->busy) return PyErr_Format(PyExc_RuntimeError, "close: the writer is in use by another thread");
  indaga_writer *w = self->w;
  self->w = NULL;
  if (w) {
    Py_BEGIN_ALLOW_THREADS
    indaga_writer_close(w);
    Py_END_ALLOW_THREADS
  }
  Py_RETURN_NONE;
}

static PyObject *writer_get_closed(WriterObject *self, void *unused) {
  (void)unused;
  return PyBool_FromLong(self->w == NULL);
}

static PyMethodDef writer_methods[] = {
  { "_sync", (PyCFunction)writer_sync, METH_VARARGS,
    "_sync(*roots) -> (added, updated, removed, unchanged, skipped, paragraphs, bytes); use sync()." },
  { "add", (PyCFunction)writer_add, METH_VARARGS,
    "add(doc, text)\n\n"
    "Add (or replace) document `doc` (its id) with `text`: a str, or bytes of\n"
    "UTF-8 text or Markdown. Visible to readers after commit()." },
  { "add_file", (PyCFunction)writer_add_file, METH_VARARGS,
    "add_file(doc, path)\n\n"
    "Add (or replace) document `doc` from the file at `path` (any size: a large\n"
    "file is read in windows within the memory budget)." },
  { "delete", (PyCFunction)writer_delete, METH_O,
    "delete(doc)\n\nDelete document `doc`. Raises NotFoundError when there is none." },
  { "commit", (PyCFunction)writer_commit, METH_NOARGS,
    "commit() -> int\n\n"
    "Make every change so far durable and visible as one new generation and\n"
    "return its number (the current one when nothing changed)." },
  { "compact", (PyCFunction)writer_compact, METH_NOARGS,
    "compact() -> int\n\nMerge all segments into one and commit; returns the generation." },
  { "rollback", (PyCFunction)writer_rollback, METH_NOARGS,
    "rollback() -> int\n\n"
    "Make the previous generation the newest again (a new generation with its\n"
    "segments, deletions and roots) and return it; uncommitted changes are\n"
    "discarded. Raises NotFoundError when no previous generation is kept (after\n"
    "a compact or a rebuild), saying why." },
  { "close", (PyCFunction)writer_close, METH_NOARGS,
    "close()\n\nClose the writer, discarding uncommitted changes, and release the lock." },
  { NULL, NULL, 0, NULL },
};

static PyMemberDef writer_members[] = {
  { "warnings", T_OBJECT, offsetof(WriterObject, warnings), READONLY,
    "(path, message) for every file skipped or repaired so far (a list)." },
  { NULL, 0, 0, 0, NULL },
};

static PyGetSetDef writer_getset[] = {
  { "closed", (getter)writer_get_closed, NULL, "True once close() was called.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject pyi_WriterType = {
  PyVarObject_HEAD_INIT(NULL, 0)
  .tp_name = "indaga._indaga.Writer",
  .tp_basicsize = sizeof(WriterObject),
  .tp_dealloc = (destructor)writer_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
  .tp_doc = "Writer(path, *, wait=False, full=False, prune=False, add_roots=False, dry_run=False,\n"
            "       threads=0, memory=0, progress=None, on_warning=None, on_change=None):\n"
            "the single writer of the index in directory path.",
  .tp_traverse = (traverseproc)writer_traverse,
  .tp_clear = (inquiry)writer_clear,
  .tp_methods = writer_methods,
  .tp_members = writer_members,
  .tp_getset = writer_getset,
  .tp_init = (initproc)writer_init,
  .tp_new = PyType_GenericNew,
};

int pyi_writer_init(PyObject *m) {
  if (PyType_Ready(&pyi_WriterType) < 0) return -1;
  Py_INCREF(&pyi_WriterType);
  if (PyModule_AddObject(m, "Writer", (PyObject *)&pyi_WriterType) < 0) {
    Py_DECREF(&pyi_WriterType);
    return -1;
  }
  return 0;
}
