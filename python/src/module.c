/*
** module.c: the extension module indaga._indaga, the C half of the indaga
** package (python/indaga/ is the Python half users import). It puts
** together the types (Index, Writer, Hit), the exceptions and the functions
** of the files listed in pyindaga.h.
*/
#include "pyindaga.h"

static PyObject *mod_libversion(PyObject *self, PyObject *unused) {
  (void)self;
  (void)unused;
  return PyUnicode_FromString(indaga_libversion());
}

static PyMethodDef mod_methods[] = {
  { "analyze", (PyCFunction)pyi_analyze, METH_O,
    "analyze(text) -> (tokens, invalid): raw tuples; use indaga.analyze()." },
  { "check", (PyCFunction)pyi_check, METH_O,
    "check(path)\n\n"
    "Verify every checksum and cross-reference of the index at path; raises\n"
    "CorruptError (or NoIndexError, StorageError) saying what is wrong and where." },
  { "libversion", (PyCFunction)mod_libversion, METH_NOARGS,
    "libversion() -> str: the version of the linked libindaga." },
  { "_set_hit_class", (PyCFunction)pyi_set_hit_class, METH_O,
    "_set_hit_class(cls): searches build instances of cls (a Hit subclass without fields)." },
  { NULL, NULL, 0, NULL },
};

/* FEATURES: the newer parts of the C API this module was built with (setup.py's PYI_HAVE_*). */
static int add_features(PyObject *m) {
  static const char *const names[] = {
#ifdef PYI_HAVE_MATCH_MODE
    "match_mode",
#endif
#ifdef PYI_HAVE_TOTAL_EXACT
    "total_exact",
#endif
#ifdef PYI_HAVE_ALL_WORDS
    "all_words",
#endif
#ifdef PYI_HAVE_SUGGESTION
    "suggestion",
#endif
#ifdef PYI_HAVE_SORT
    "sort",
#endif
#ifdef PYI_HAVE_OPEN_MANY
    "open_many",
#endif
    NULL
  };
  PyObject *set = PyFrozenSet_New(NULL);
  for (size_t i = 0; set && names[i]; i++) {
    PyObject *n = PyUnicode_FromString(names[i]);
    if (!n || PySet_Add(set, n) < 0) Py_CLEAR(set);
    Py_XDECREF(n);
  }
  if (!set || PyModule_AddObject(m, "FEATURES", set) < 0) {
    Py_XDECREF(set);
    return -1;
  }
  return 0;
}

static struct PyModuleDef mod_def = {
  PyModuleDef_HEAD_INIT,
  .m_name = "indaga._indaga",
  .m_doc = "The C half of the indaga package (a binding of include/indaga.h); import indaga instead.",
  .m_size = -1,
  .m_methods = mod_methods,
};

PyMODINIT_FUNC PyInit__indaga(void);

PyMODINIT_FUNC PyInit__indaga(void) {
  PyObject *m = PyModule_Create(&mod_def);
  if (!m) return NULL;
  if (pyi_errors_init(m) < 0 || pyi_hit_init(m) < 0 || pyi_index_init(m) < 0 ||
      pyi_writer_init(m) < 0 || pyi_cancel_init(m) < 0 || PyModule_AddStringConstant(m, "VERSION", INDAGA_VERSION_STRING) < 0 ||
      add_features(m) < 0 ||
      PyModule_AddIntConstant(m, "SEARCH_TIME_MS_DEFAULT", (long)INDAGA_SEARCH_TIME_MS_DEFAULT) < 0 ||
      PyModule_AddObject(m, "SEARCH_MEMORY_DEFAULT",
                         PyLong_FromSize_t(INDAGA_SEARCH_MEMORY_DEFAULT)) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
