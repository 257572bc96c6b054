"""Reading: open(), Index, Results, Document, Paragraph, Stats."""
from __future__ import annotations

import os
from typing import Dict, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union, cast, overload

from . import _indaga
from ._hit import Hit
from ._query import FilterValue, apply_filters, check_sort

__all__ = ["open", "Index", "Results", "Facet", "Document", "Paragraph", "Stats"]

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

# The bounds of `indaga search` (-n, --offset, --context): the library
# allocates the top n + offset up front, so they bound a search's memory.
MAX_N = 100000
MAX_OFFSET = 1000000
MAX_CONTEXT = 1000
# Facets one search counts (the library's INDAGA_FACETS_MAX, `--facet` x 16).
MAX_FACETS = 16


class Facet(NamedTuple):
    """One facet count (``Results.facets``): of all the paragraphs that match
    (not only the hits returned), those whose document has ``value`` in the
    field, and the documents among them (``indaga search --facet``)."""
    value: str
    paragraphs: int
    documents: int


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

    - ``total``: matching paragraphs (documents with ``group``), an estimate
      when ``total_exact`` is False;
    - ``total_exact``: True when ``total`` is an exact count. From the library
      when it says so (``"total_exact" in indaga.FEATURES``); before that,
      True when fewer hits than asked came back (every match was collected)
      and False otherwise, meaning "may be an estimate";
    - ``all_words``: how many matching paragraphs hold every query word (best
      match ranks them first), or None when the library does not count them;
    - ``suggestion``: the query with misspelled words corrected, or None when
      no word looks misspelled (the summary's ``suggestion`` of
      ``indaga search --json``); ``corrected``: True when the hits are the
      suggestion's (the query as typed found nothing, or a word it corrects is
      in no paragraph), as ``"corrected":true``;
    - ``note``: how the query was read when not literally (ignored
      operators, unbalanced quotes, ...), or None;
    - ``partial``: True when the search ran out of time and returned the best
      hits found so far (``search(partial=True)``): others may rank higher;
    - ``facets``: for each field of ``search(facets=[...])``, in that order,
      its values as :class:`Facet` (value, paragraphs, documents) in the
      library's order, ``[]`` when no matching document has the field;
      ``{}`` without facets;
    - ``took_us``: microseconds the library spent; ``query``: the query run.
    """

    __slots__ = ("hits", "total", "total_exact", "suggestion", "note", "took_us", "query", "corrected",
                 "all_words", "partial", "facets")

    def __init__(self, hits: Tuple[Hit, ...], total: int, total_exact: bool, suggestion: Optional[str],
                 note: Optional[str], took_us: int, query: str, corrected: bool = False,
                 all_words: Optional[int] = None, partial: bool = False,
                 facets: Optional[Dict[str, List[Facet]]] = None) -> None:
        self.hits = hits
        self.total = total
        self.total_exact = total_exact
        self.suggestion = suggestion
        self.note = note
        self.took_us = took_us
        self.query = query
        self.corrected = corrected
        self.all_words = all_words
        self.partial = partial
        self.facets: Dict[str, List[Facet]] = facets if facets is not None else {}

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


def _count(name: str, v: int, low: int, high: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError("%s must be an int, not %s" % (name, type(v).__name__))
    if not low <= v <= high:
        raise ValueError("%s must be from %d to %d, not %d" % (name, low, high, v))
    return v


class Index(_indaga.Index):
    """A read snapshot of the index in a directory: ``indaga.open(path)``.

    Searching is thread-safe and runs without the GIL, so threads searching
    one Index run in parallel. The snapshot keeps reading the generation it
    opened while a writer commits; :meth:`refresh` moves to the newest. Use it
    as a context manager, or call :meth:`close`; what it returned stays valid
    after it is closed.

    Raises NoIndexError when there is no index at ``path``, CorruptError or
    VersionError when it cannot be read. ``Index([a, b, ...])`` opens several
    indexes as one (:func:`open`); ``paths`` names them all.
    """

    __slots__ = ()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def search(self, query: str, n: int = 10, offset: int = 0, *, all: bool = False,
               sort: str = "relevance", facets: Sequence[str] = (),
               filters: Optional[Mapping[str, FilterValue]] = None,
               group: bool = False, context: int = 0, snippets: bool = True,
               text: bool = False,
               timeout_ms: int = _indaga.SEARCH_TIME_MS_DEFAULT,
               max_memory: int = _indaga.SEARCH_MEMORY_DEFAULT, partial: bool = False,
               cancel: Optional[_indaga.Cancel] = None) -> Results:
        """Run ``query`` (the query language of ``indaga search``) and return
        its hits ``offset+1`` to ``offset+n`` as :class:`Results` (n from 1 to
        100000, offset up to 1000000, context up to 1000, as ``indaga search``).

        - ``all``: require every word. By default the library ranks best
          matches (paragraphs with all the words first, then those with most
          of them) when it has match modes (``"match_mode" in
          indaga.FEATURES``); a libindaga without them requires every word
          always, and ``all`` changes nothing.
        - ``sort``: ``"relevance"`` (the default), ``"date"`` (oldest
          first), ``"-date"`` (newest first) or ``"doc"`` (document id, then
          paragraph order), as ``indaga search --sort``, when the library
          sorts (``"sort" in indaga.FEATURES``); a libindaga without it has
          relevance only, and any other order raises ValueError. With a date
          order, hits without a date come last.
        - ``facets``: field names (``"year"``, ``"symbol"``, any front-matter
          field; at most 16) to count the matches by, as ``indaga search
          --facet``: ``Results.facets``. A sort or a facet visits every
          match, so ``total`` is then exact.
        - ``filters``: a mapping of ``symbol``, ``doc``, ``annex``, ``year``,
          ``title`` to a value or a list of values (any of them), written as
          the query language's filters: ``{"year": 2015}`` is ``year:2015``.
        - ``group``: at most one hit (the best paragraph) per document.
        - ``context``: also give up to N paragraphs before and after each hit.
        - ``snippets``: False skips the snippets (faster).
        - ``text``: also give each hit's whole paragraph as ``hit.text`` (a
          second search of the same page, for whole paragraphs; with
          ``partial=True`` the two may stop at different points, and then
          Error says they gave other hits).
        - ``timeout_ms``, ``max_memory`` (bytes): the search's work budget
          (defaults 2000 ms and 64 MiB, as the library's; 0: no limit). Over
          it the search raises LimitError, or with ``partial=True``, when the
          time ran out while matches were being collected, returns the best
          hits found so far with ``Results.partial`` True.
        - ``cancel``: an :class:`indaga.Cancel` whose ``cancel()``, called from
          another thread, stops the search (LimitError "query cancelled").

        Raises QueryError when the query has nothing to search for (empty,
        punctuation, exclusions only), LimitError when it goes over its budget
        or is cancelled, ValueError on a closed index.
        """
        if not isinstance(query, str):
            raise TypeError("query must be a str, not %s" % type(query).__name__)
        order = check_sort(sort)
        if isinstance(facets, str):
            raise TypeError("facets must be a list of field names, not a str")
        fields = tuple(facets)
        if len(fields) > MAX_FACETS:
            raise ValueError("facets: at most %d fields, not %d" % (MAX_FACETS, len(fields)))
        if fields and "sort" not in _indaga.FEATURES:
            raise ValueError("facets: this libindaga cannot count facets (\"sort\" not in FEATURES)")
        for f in fields:
            if not isinstance(f, str) or not f or "\0" in f:
                raise ValueError("facets: each a non-empty field name (str), not %r" % (f,))
        q = apply_filters(query, filters) if filters else query
        hits, (total, exact, took_us, note, suggestion, corrected, all_words, was_partial), counts = self._search(
            q, _count("n", n, 1, MAX_N), _count("offset", offset, 0, MAX_OFFSET), bool(group),
            _count("context", context, 0, MAX_CONTEXT), bool(snippets), bool(text), bool(all),
            _count("timeout_ms", timeout_ms, 0, 2 ** 32 - 1), _count("max_memory", max_memory, 0, 2 ** 63 - 1),
            bool(partial), cancel, order, fields)
        by_field: Dict[str, List[Facet]] = {f: [] for f in fields}
        for field, value, paragraphs, documents in counts:
            by_field.setdefault(field, []).append(Facet(value, paragraphs, documents))
        # the hits are indaga.Hit: _hit.py registered it with _set_hit_class()
        return Results(cast(Tuple[Hit, ...], hits), total, exact, suggestion, note, took_us, q, corrected,
                       all_words, was_partial, by_field)

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


def open(path: Union[PathLike, Sequence[PathLike]]) -> Index:
    """Open the index in directory ``path`` for searching (a context manager).

    >>> with indaga.open("indice") as ix:                     # doctest: +SKIP
    ...     for hit in ix.search("combatientes terroristas extranjeros"):
    ...         print(hit.doc, hit.label, hit.highlighted("terminal"))

    A list (or tuple) of directories opens those indexes as one, as
    ``indaga search --index A --index B``: searches use the statistics of
    them all, so hits, scores and order are those of one index over all
    their documents, and each hit's ``index`` is the name of the directory
    it comes from (``"open_many" in indaga.FEATURES``). The same index
    twice, or two directories of one name, raise Error.

    >>> with indaga.open(["idx/un", "idx/leyes"]) as ix:     # doctest: +SKIP
    ...     for hit in ix.search("terrorismo"):
    ...         print(hit.index, hit.doc)
    """
    return Index(path)
