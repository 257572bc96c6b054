/*
** errors.c: library status codes as Python exceptions. Every exception
** carries the library's message (naming the file and what went wrong) as
** its text and the INDAGA_E* status as its `code` attribute.
**
**   Error                     any failure of the library (INDAGA_ERROR, EMISUSE)
**     BusyError               another writer holds the index (EBUSY)
**     CorruptError            a file fails its checksum or structure (ECORRUPT)
**     VersionError            written by an incompatible version (EVERSION)
**     NotFoundError           no such document (ENOTFOUND); also a LookupError
**       NoIndexError          no index at the path (ENOINDEX)
**     QueryError              a query with nothing to search for (EMISUSE
**                             from a search); also a ValueError
**       LimitError            a query over its work budget or cancelled (ELIMIT,
**                             ECANCELED)
**     StorageError            a read, write or fsync failed, or the disk is full (EIO, ENOSPC)
**     InputError              a document cannot be read as text (EINPUT)
**     RefusedError            a sync's roots differ from the index's (EREFUSED)
** INDAGA_ENOMEM raises MemoryError.
*/
#include <string.h>
#include "pyindaga.h"

PyObject *pyi_Error, *pyi_BusyError, *pyi_CorruptError, *pyi_VersionError, *pyi_NotFoundError,
    *pyi_NoIndexError, *pyi_QueryError, *pyi_StorageError, *pyi_InputError, *pyi_LimitError,
    *pyi_RefusedError;

/* Create indaga.NAME with @bases (a class or a tuple) and @doc, add it to @m. */
static int add_exc(PyObject *m, PyObject **out, const char *name, PyObject *bases, const char *doc) {
  char full[64];
  PyOS_snprintf(full, sizeof full, "indaga.%s", name);
  *out = PyErr_NewExceptionWithDoc(full, doc, bases, NULL);
  if (!*out) return -1;
  Py_INCREF(*out);
  if (PyModule_AddObject(m, name, *out) < 0) {
    Py_DECREF(*out);
    return -1;
  }
  return 0;
}

/* Create a two-base class NAME(@a, @b). */
static int add_exc2(PyObject *m, PyObject **out, const char *name, PyObject *a, PyObject *b,
                    const char *doc) {
  PyObject *bases = PyTuple_Pack(2, a, b);
  if (!bases) return -1;
  int rc = add_exc(m, out, name, bases, doc);
  Py_DECREF(bases);
  return rc;
}

int pyi_errors_init(PyObject *m) {
  if (add_exc(m, &pyi_Error, "Error", PyExc_Exception,
              "A failure of the indaga library. str(e) is the library's message, naming the\n"
              "file and what went wrong; e.code is the library's status (INDAGA_E*, negative)."))
    return -1;
  if (add_exc(m, &pyi_BusyError, "BusyError", pyi_Error,
              "Another writer holds the index lock (open the Writer with wait=True to wait)."))
    return -1;
  if (add_exc(m, &pyi_CorruptError, "CorruptError", pyi_Error,
              "An index file fails its checksum or structure."))
    return -1;
  if (add_exc(m, &pyi_VersionError, "VersionError", pyi_Error,
              "The index was written by an incompatible version of indaga."))
    return -1;
  if (add_exc2(m, &pyi_NotFoundError, "NotFoundError", pyi_Error, PyExc_LookupError,
               "The named document does not exist in the index."))
    return -1;
  if (add_exc(m, &pyi_NoIndexError, "NoIndexError", pyi_NotFoundError,
              "There is no index at the given path."))
    return -1;
  if (add_exc2(m, &pyi_QueryError, "QueryError", pyi_Error, PyExc_ValueError,
               "A query the library cannot run: nothing to search for (empty, punctuation,\n"
               "exclusions only); the message begins \"empty query\"."))
    return -1;
  if (add_exc(m, &pyi_LimitError, "LimitError", pyi_QueryError,
              "A query that went over its work budget (time or memory; the message begins\n"
              "\"query over its work budget\") or was cancelled (\"query cancelled\")."))
    return -1;
  if (add_exc(m, &pyi_StorageError, "StorageError", pyi_Error,
              "A read, write, fsync or rename failed, or the disk is full; the last good\n"
              "index is intact."))
    return -1;
  if (add_exc(m, &pyi_InputError, "InputError", pyi_Error,
              "A document cannot be read as text (binary, unreadable), or two roots give\n"
              "the same document id."))
    return -1;
  if (add_exc(m, &pyi_RefusedError, "RefusedError", pyi_Error,
              "A sync whose roots differ from the index's recorded roots; nothing changed.\n"
              "The message names both lists. Writer(prune=True) makes the sync's roots the\n"
              "new ones, Writer(add_roots=True) adds them."))
    return -1;
  return 0;
}

PyObject *pyi_raise(int rc, const char *msg, int in_search) {
  PyObject *cls;
  if (!msg) msg = indaga_strerror(rc);
  switch (rc) {
  case INDAGA_ENOMEM: PyErr_SetString(PyExc_MemoryError, msg); return NULL;
  case INDAGA_EBUSY: cls = pyi_BusyError; break;
  case INDAGA_ECORRUPT: cls = pyi_CorruptError; break;
  case INDAGA_EVERSION: cls = pyi_VersionError; break;
  case INDAGA_ENOTFOUND: cls = pyi_NotFoundError; break;
  case INDAGA_ENOINDEX: cls = pyi_NoIndexError; break;
  case INDAGA_EIO: case INDAGA_ENOSPC: cls = pyi_StorageError; break;
  case INDAGA_EINPUT: cls = pyi_InputError; break;
  case INDAGA_EMISUSE: cls = in_search ? pyi_QueryError : pyi_Error; break;
  case INDAGA_EREFUSED: cls = pyi_RefusedError; break;
  case INDAGA_ELIMIT: case INDAGA_ECANCELED: cls = pyi_LimitError; break;
  default: cls = pyi_Error; break;
  }
  PyObject *text = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace");
  if (!text) return NULL;
  PyObject *e = PyObject_CallOneArg(cls, text);
  Py_DECREF(text);
  if (!e) return NULL;
  PyObject *code = PyLong_FromLong(rc);
  if (!code || PyObject_SetAttrString(e, "code", code) < 0) {
    Py_XDECREF(code);
    Py_DECREF(e);
    return NULL;
  }
  Py_DECREF(code);
  PyErr_SetObject(cls, e);
  Py_DECREF(e);
  return NULL;
}
