"""Reading: open(), Index, Results, Document, Paragraph, Stats."""
from __future__ import annotations

import os
from typing import Dict, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union, overload

from . import _indaga
from ._hit import Hit
from ._query import FilterValue, apply_filters, check_sort

__all__ = ["open", "Index", "Results", "Document", "Paragraph", "Stats"]

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

_MAX_U32 = 2 ** 32 - 1


class Stats(NamedTuple):
    """Figures of one snapshot (``indaga stats``)."""

    generation: int  #: the snapshot's generation (0: empty index)
    documents: int   #: live documents
    paragraphs: int  #: live paragraphs
    terms: int       #: distinct terms, summed over segments
    segments: int    #: segment count
    bytes: int       #: bytes on disk of the snapshot's files


class Paragraph(NamedTuple):
    """One paragraph of a document, as ``indaga show`` lists it."""

    part: int              #: 0 for the body, N for the Nth annex
    ordinal: int           #: 1-based within its part
    label: Optional[str]   #: printed label ("3.", "a)"), or None
    heading: bool          #: a heading line
    byte_start: int        #: its range in the source file, in bytes
    byte_end: int
    text: str              #: display text (markup removed)


class Document:
    """One indexed document: its metadata, parts and paragraphs (copies)."""

    __slots__ = ("doc", "meta", "parts", "paragraphs")

    def __init__(self, doc: str, meta: Dict[str, str], parts: List[Optional[str]],
                 paragraphs: List[Paragraph]) -> None:
        self.doc = doc                #: the document id
        self.meta = meta              #: metadata: "symbol", "title", "date", "year", "language", ...
        self.parts = parts            #: part labels: parts[0] is the body (None), parts[N] annex N
        self.paragraphs = paragraphs  #: every paragraph, in document order

    @property
    def symbol(self) -> Optional[str]:
        """The UN symbol, or None."""
        return self.meta.get("symbol")

    @property
    def title(self) -> Optional[str]:
        """The title, or None."""
        return self.meta.get("title")

    @property
    def date(self) -> Optional[str]:
        """The date, ISO 8601 ("2017-11-22"), or None."""
        return self.meta.get("date")

    def paragraph(self, part: int, ordinal: int) -> Paragraph:
        """Paragraph ``ordinal`` (1-based) of part ``part``; KeyError when there is none."""
        for p in self.paragraphs:
            if p.part == part and p.ordinal == ordinal:
                return p
        raise KeyError((part, ordinal))

    def __repr__(self) -> str:
        return "<indaga.Document %r: %d parts, %d paragraphs>" % (
            self.doc, len(self.parts), len(self.paragraphs))


class Results(Sequence[Hit]):
    """The hits of one search (a sequence of :class:`Hit`) and its summary.

    - ``total``: matching paragraphs (an estimate when ``total_exact`` is False);
    - ``total_exact``: True when ``total`` is an exact count, False when it
      is an estimate (``indaga_results_total_exact()``);
    - ``suggestion``: a corrected query when a word looks misspelled, else
      None (always None with this libindaga, which has no suggestions yet);
    - ``note``: how the query was read when not literally (ignored
      operators, unbalanced quotes, ...), or None;
    - ``took_us``: microseconds the library spent; ``query``: the query run.
    """

    __slots__ = ("hits", "total", "total_exact", "suggestion", "note", "took_us", "query")

    def __init__(self, hits: Tuple[Hit, ...], total: int, total_exact: bool, suggestion: Optional[str],
                 note: Optional[str], took_us: int, query: str) -> None:
        self.hits = hits
        self.total = total
        self.total_exact = total_exact
        self.suggestion = suggestion
        self.note = note
        self.took_us = took_us
        self.query = query

    @overload
    def __getitem__(self, i: int) -> Hit: ...
    @overload
    def __getitem__(self, i: slice) -> Tuple[Hit, ...]: ...

    def __getitem__(self, i: Union[int, slice]) -> Union[Hit, Tuple[Hit, ...]]:
        return self.hits[i]

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __repr__(self) -> str:
        return "<indaga.Results %r: %d of %s%d hits>" % (
            self.query, len(self.hits), "" if self.total_exact else "~", self.total)


def _count(name: str, v: int, low: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError("%s must be an int, not %s" % (name, type(v).__name__))
    if not low <= v <= _MAX_U32:
        raise ValueError("%s must be from %d to %d, not %d" % (name, low, _MAX_U32, v))
    return v


class Index(_indaga.Index):
    """A read snapshot of the index in a directory: ``indaga.open(path)``.

    Searching is thread-safe and runs without the GIL, so threads searching
    one Index run in parallel. The snapshot keeps reading the generation it
    opened while a writer commits; :meth:`refresh` moves to the newest. Use it
    as a context manager, or call :meth:`close`; what it returned stays valid
    after it is closed.

    Raises NoIndexError when there is no index at ``path``, CorruptError or
    VersionError when it cannot be read.
    """

    __slots__ = ()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def search(self, query: str, n: int = 10, offset: int = 0, *, all: bool = False,
               sort: str = "relevance", filters: Optional[Mapping[str, FilterValue]] = None,
               group: bool = False, context: int = 0, snippets: bool = True,
               text: bool = False, dates: bool = True) -> Results:
        """Run ``query`` (the query language of ``indaga search``) and return
        its hits ``offset+1`` to ``offset+n`` as :class:`Results`.

        - ``all``: require every word. With this libindaga plain words are
          always all required, so ``all=True`` and ``all=False`` search alike;
          once the library ranks best matches by default, ``all=False`` is that.
        - ``sort``: ``"relevance"`` (the only order this libindaga has; any
          other raises ValueError).
        - ``filters``: a mapping of ``symbol``, ``doc``, ``annex``, ``year``,
          ``title`` to a value or a list of values (any of them), written as
          the query language's filters: ``{"year": 2015}`` is ``year:2015``.
        - ``group``: at most one hit (the best paragraph) per document.
        - ``context``: also give up to N paragraphs before and after each hit.
        - ``snippets``: False skips the snippets (faster).
        - ``text``: also give each hit's whole paragraph as ``hit.text``.
        - ``dates``: fill ``hit.date``. This libindaga gives hits no date, so
          it is read from each document's metadata, which loads the whole
          document the first time (then it is cached until refresh()): on
          large documents the first searches are slower. ``dates=False``
          skips it (``hit.date`` is then None).

        Raises QueryError when the query has nothing to search for (empty,
        punctuation, exclusions only), ValueError on a closed index.
        """
        if not isinstance(query, str):
            raise TypeError("query must be a str, not %s" % type(query).__name__)
        check_sort(sort)
        q = apply_filters(query, filters) if filters else query
        # all: the library's only mode today requires every word (see the docstring).
        hits, total, exact, took_us, note = self._search(
            q, _count("n", n, 1), _count("offset", offset, 0), bool(group),
            _count("context", context, 0), bool(snippets), bool(text), bool(dates))
        return Results(hits, total, exact, None, note, took_us, q)

    def document(self, doc: str) -> Document:
        """Document ``doc`` (its id, as in ``hit.doc``) with its metadata and
        paragraphs. Raises NotFoundError when the index has no such document."""
        did, meta, parts, paras = self._document(doc)
        return Document(did, dict(meta), parts, [Paragraph(*p) for p in paras])

    def stats(self) -> Stats:
        """The snapshot's figures (generation, documents, paragraphs, terms, segments, bytes)."""
        return Stats(*self._stats())

    def __repr__(self) -> str:
        if self.closed:
            return "<indaga.Index %r closed>" % (self.path,)
        return "<indaga.Index %r generation %d>" % (self.path, self.generation)


def open(path: PathLike) -> Index:
    """Open the index in directory ``path`` for searching (a context manager).

    >>> with indaga.open("indice") as ix:                     # doctest: +SKIP
    ...     for hit in ix.search("combatientes terroristas extranjeros"):
    ...         print(hit.doc, hit.label, hit.highlighted("terminal"))
    """
    return Index(path)
