/*
** pyindaga.h: the internal interface between the files of the extension
** module indaga._indaga (python/src/), a CPython binding of include/indaga.h.
**
**   module.c   the module: its types, exceptions and functions put together
**   errors.c   library status codes -> indaga.Error and its subclasses
**   text.c     C strings -> str, UTF-8 byte offsets -> code point offsets
**   hit.c      the Hit type: one search hit, copied out of the results
**   index.c    the Index type: a read snapshot, searched without the GIL
**   writer.c   the Writer type: the single writer, its callbacks
**   cancel.c   the Cancel type: a flag that stops searches from another thread
**   analyze.c  analyze(): text -> tokens
**
** Every object handed to Python owns copies of what it shows: nothing keeps
** a pointer into a library handle once the call that made it returns, so
** hits and documents outlive the index they came from.
**
** The GIL is released around every library call that can take time
** (opening, searching, loading a document, analysing, every writer call);
** Python objects are only touched with it held.
*/
#ifndef PYINDAGA_H
#define PYINDAGA_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include "indaga.h"

/* ---- errors.c ---------------------------------------------------------- */

/* The exception classes (new references held by the module). */
extern PyObject *pyi_Error, *pyi_BusyError, *pyi_CorruptError, *pyi_VersionError,
    *pyi_NotFoundError, *pyi_NoIndexError, *pyi_QueryError, *pyi_StorageError,
    *pyi_InputError, *pyi_LimitError, *pyi_RefusedError;

/* Create the exception classes and add them to module @m. 0 or -1. */
int pyi_errors_init(PyObject *m);

/*
** Raise the exception of status @rc with message @msg (the library's; NULL:
** indaga_strerror(rc)). @in_search: INDAGA_EMISUSE is a bad query
** (QueryError) rather than a misuse. Always returns NULL.
*/
PyObject *pyi_raise(int rc, const char *msg, int in_search);

/* ---- text.c ------------------------------------------------------------ */

/* A str copy of NUL-terminated UTF-8 @s (invalid bytes as U+FFFD); None for NULL. */
PyObject *pyi_str(const char *s);

/*
** A document id or path as a str: invalid UTF-8 bytes (a file name that is
** not UTF-8) become lone surrogates (surrogateescape, as os.fsdecode does),
** so pyi_id_bytes() gives back the very bytes. None for NULL.
*/
PyObject *pyi_id(const char *s);

/* @o (a str, or bytes as they are) as NUL-free bytes for the library; @what names it in errors. */
PyObject *pyi_id_bytes(PyObject *o, const char *what);

/*
** Walks one UTF-8 string converting byte offsets into code point offsets.
** Offsets may come in any order; each step costs the distance from the last.
*/
typedef struct pyi_cursor {
  const unsigned char *s;
  size_t n;        /* bytes */
  size_t byte;     /* the cursor's byte offset */
  size_t cp;       /* code point starts in s[0..byte) */
  int ascii;       /* every byte < 0x80: offsets are equal */
} pyi_cursor;

void pyi_cursor_init(pyi_cursor *c, const char *s, size_t n);
/* The code point offset of byte offset @byte (clamped to the string's end). */
size_t pyi_cursor_cp(pyi_cursor *c, size_t byte);

/*
** @s[0..@n) as a str in *@out and the byte ranges @r[0..@nr) as a tuple of
** (start, end) code point pairs in *@ranges (when @ranges is not NULL).
** Invalid UTF-8 (which the library never stores) is decoded with U+FFFD
** replacements and the ranges counted in the replaced text. 0 or -1.
*/
int pyi_text_ranges(const char *s, size_t n, const indaga_range *r, size_t nr,
                    PyObject **out, PyObject **ranges);

/* ---- hit.c ------------------------------------------------------------- */

extern PyTypeObject pyi_HitType;

/* Ready the Hit type and add it to @m. 0 or -1. */
int pyi_hit_init(PyObject *m);

/* _set_hit_class(cls): make search() build instances of @cls, a subclass of Hit without new fields. */
PyObject *pyi_set_hit_class(PyObject *self, PyObject *cls);

/*
** A new Hit copied from @h, with @doc (its id as a str), @date and @text
** (new references are taken; None allowed). NULL with an exception set.
*/
PyObject *pyi_hit_new(const indaga_hit *h, PyObject *doc, PyObject *date, PyObject *text);

/* ---- index.c ----------------------------------------------------------- */

extern PyTypeObject pyi_IndexType;
int pyi_index_init(PyObject *m);

/* check(path) -> None: module function (indaga_check). */
PyObject *pyi_check(PyObject *self, PyObject *path);

/* ---- cancel.c ---------------------------------------------------------- */

extern PyTypeObject pyi_CancelType;
int pyi_cancel_init(PyObject *m);
/* The flag of Cancel @o, or NULL (TypeError) when @o is not a Cancel. */
const volatile int *pyi_cancel_flag(PyObject *o);

/* ---- writer.c ---------------------------------------------------------- */

extern PyTypeObject pyi_WriterType;
int pyi_writer_init(PyObject *m);

/* ---- analyze.c --------------------------------------------------------- */

/* analyze(text) -> (tokens, invalid): module function. */
PyObject *pyi_analyze(PyObject *self, PyObject *text);

#endif /* PYINDAGA_H */
