"""indaga: full-text search for Spanish documents, from Python.

A binding of libindaga (the C library of the ``indaga`` command): every hit
is a paragraph, cited as document, annex and paragraph number, with the
matching words highlighted; accents and inflections do not matter
(``informacion`` finds ``información`` and ``informaciones``) and UN symbols
such as ``S/RES/2354 (2017)`` are found exactly.

Searching::

    import indaga
    with indaga.open("indice") as ix:
        res = ix.search("combatientes terroristas extranjeros", n=5)
        print(res.total, "paragraphs")
        for hit in res:
            print(hit.symbol or hit.doc, hit.part_label or "", hit.label or hit.paragraph)
            print("   ", hit.highlighted("terminal"))

Indexing::

    with indaga.Writer("indice") as w:        # commits when the block ends
        w.sync("documentos/")                 # add, replace, remove to match the tree
        w.add("nota.txt", "Texto de la nota ...")

Contents:

- :func:`open` -> :class:`Index`: ``search()`` -> :class:`Results` of
  :class:`Hit`; ``document()`` -> :class:`Document`; ``stats()``; ``refresh()``;
  ``roots``, ``note``; a work budget per search and :class:`Cancel` to stop
  one from another thread.
- :class:`Writer`: ``sync()``, ``add()``, ``add_file()``, ``delete()``,
  ``commit()``, ``compact()``, ``rollback()``; progress, warning and change
  callbacks; recorded roots (``prune``, ``add_roots``), dry runs.
- :func:`analyze` -> list of :class:`Token`; :func:`check`.
- :class:`Error` and its subclasses: BusyError, CorruptError, VersionError,
  NotFoundError (NoIndexError), QueryError (LimitError), StorageError,
  InputError, RefusedError. The message is the library's, naming the file.

``FEATURES`` names the newer parts of the C API this build has
("match_mode", "total_exact", "all_words", "suggestion", "sort"); without them
``search(all=...)`` changes nothing, ``total_exact`` is derived and
``suggestion`` is None (see :class:`Results`).

Offsets (``Hit.highlights``, ``Token.start``/``end``) are str indices
(code points), never bytes. The GIL is released while the library works, so
threads searching one index run in parallel; hits and documents are copies
and outlive the index they came from.
"""
from ._indaga import (FEATURES, VERSION, BusyError, Cancel, CorruptError, Error, InputError, LimitError, NoIndexError,
                      NotFoundError, QueryError, RefusedError, StorageError, VersionError, check,
                      libversion)
from ._hit import Hit
from ._index import Document, Facet, Index, Paragraph, Results, Stats, open
from ._writer import SyncReport, Writer
from ._analyze import Token, analyze
from ._query import FILTER_FIELDS, SORT_ORDERS

__version__ = VERSION

# help() and repr() name the public classes as users import them.
for _cls in (Index, Results, Facet, Hit, Document, Paragraph, Stats, Writer, SyncReport, Token):
    _cls.__module__ = __name__
del _cls

__all__ = [
    "open", "Index", "Results", "Facet", "Hit", "Cancel", "Document", "Paragraph", "Stats",
    "Writer", "SyncReport", "analyze", "Token", "check", "libversion",
    "Error", "BusyError", "CorruptError", "VersionError", "NotFoundError", "NoIndexError",
    "QueryError", "LimitError", "StorageError", "InputError", "RefusedError",
    "FILTER_FIELDS", "SORT_ORDERS", "VERSION", "FEATURES",
]
