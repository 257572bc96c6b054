"""analyze(): how the indexer and the query parser see a text."""
from __future__ import annotations

from typing import List, NamedTuple

from . import _indaga

__all__ = ["analyze", "Token"]


class Token(NamedTuple):
    """One token of :func:`analyze` (``indaga analyze``'s columns)."""

    token: str    #: the word as written
    term: str     #: what the index matches (stemmed, accents folded, ñ kept)
    key: str      #: lowercase, accents folded: accent-insensitive matching goes through it
    pos: int      #: token position (a symbol's parts share its position)
    start: int    #: str index of its first character in the text
    end: int      #: str index just past it: text[start:end] == token
    stop: bool    #: a stopword (dropped from bag-of-words queries)
    symbol: bool  #: a whole UN symbol ("S/RES/2354 (2017)")
    number: bool  #: a number or ordinal ("16ª")
    part: bool    #: a part of a symbol or ordinal


def analyze(text: str) -> List[Token]:
    """The tokens of ``text`` exactly as the indexer and the query parser
    see them, in order of start: ``analyze("Informaciones")[0].term`` is
    ``"inform"``. A whole UN symbol comes before its parts, an ordinal
    ("16ª") before its plain number."""
    if not isinstance(text, str):
        raise TypeError("analyze: text must be a str, not %s" % type(text).__name__)
    tokens, _invalid = _indaga.analyze(text)   # a str encodes to valid UTF-8: nothing replaced
    return [Token(*t) for t in tokens]
