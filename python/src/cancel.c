/*
** cancel.c: indaga._indaga.Cancel, a flag that stops searches from another
** thread (indaga_search_options.cancel). The library reads the flag through
** a volatile pointer while the search runs without the GIL; cancel() sets
** it with a plain store, which indaga.h allows. A search holds a reference
** to its Cancel (its arguments), so the flag outlives every search reading it.
*/
#include "pyindaga.h"

typedef struct {
  PyObject_HEAD
  volatile int flag;
} CancelObject;

static PyObject *cancel_cancel(CancelObject *self, PyObject *unused) {
  (void)unused;
  self->flag = 1;
  Py_RETURN_NONE;
}

static PyObject *cancel_reset(CancelObject *self, PyObject *unused) {
  (void)unused;
  self->flag = 0;
  Py_RETURN_NONE;
}

static PyObject *cancel_get_cancelled(CancelObject *self, void *unused) {
  (void)unused;
  return PyBool_FromLong(self->flag != 0);
}

static PyMethodDef cancel_methods[] = {
  { "cancel", (PyCFunction)cancel_cancel, METH_NOARGS,
    "cancel()\n\nStop the searches given this flag (running ones at their next check, within\n"
    "milliseconds, and later ones at once): they raise LimitError (\"query cancelled\")." },
  { "reset", (PyCFunction)cancel_reset, METH_NOARGS, "reset()\n\nClear the flag, for new searches." },
  { NULL, NULL, 0, NULL },
};

static PyGetSetDef cancel_getset[] = {
  { "cancelled", (getter)cancel_get_cancelled, NULL, "True once cancel() was called (until reset()).", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject pyi_CancelType = {
  PyVarObject_HEAD_INIT(NULL, 0)
  .tp_name = "indaga.Cancel",
  .tp_basicsize = sizeof(CancelObject),
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_doc = "Cancel(): a flag to stop searches from another thread:\n"
            "ix.search(q, cancel=flag) in one thread, flag.cancel() in another.",
  .tp_methods = cancel_methods,
  .tp_getset = cancel_getset,
  .tp_new = PyType_GenericNew,
};

const volatile int *pyi_cancel_flag(PyObject *o) {
  if (!PyObject_TypeCheck(o, &pyi_CancelType)) {
    PyErr_Format(PyExc_TypeError, "cancel must be an indaga.Cancel, not %.100s", Py_TYPE(o)->tp_name);
    return NULL;
  }
  return &((CancelObject *)o)->flag;
}

int pyi_cancel_init(PyObject *m) {
  if (PyType_Ready(&pyi_CancelType) < 0) return -1;
  Py_INCREF(&pyi_CancelType);
  if (PyModule_AddObject(m, "Cancel", (PyObject *)&pyi_CancelType) < 0) {
    Py_DECREF(&pyi_CancelType);
    return -1;
  }
  return 0;
}
