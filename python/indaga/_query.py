"""search()'s keyword arguments that become query text or are checked here.

filters: the C API takes filters only in the query language (symbol:, doc:,
annex:, year:, title:), so a filters mapping is written as those filters in
front of the query. sort: the library's orders where it has them
(``"sort" in FEATURES``); a libindaga without them ranks by relevance only,
and any other order is refused rather than faked.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Optional, Union

from . import _indaga

__all__ = ["FILTER_FIELDS", "SORT_ORDERS", "FilterValue", "apply_filters", "check_sort"]

#: The fields a filters mapping may name (the query language's filters).
FILTER_FIELDS = ("symbol", "doc", "annex", "year", "title")
#: The orders search(sort=...) accepts with this library: relevance, then
#: (with ``"sort" in FEATURES``) date (oldest first), -date (newest first)
#: and doc (document id, then paragraph order), as ``indaga search --sort``.
SORT_ORDERS = ("relevance", "date", "-date", "doc") if "sort" in _indaga.FEATURES else ("relevance",)

FilterValue = Union[str, int, Iterable[Union[str, int]]]


def check_sort(sort: str) -> int:
    """The library's code of order ``sort`` (its index in SORT_ORDERS)."""
    if sort not in SORT_ORDERS:
        raise ValueError("sort=%r: this libindaga orders by %s" % (sort, ", ".join(map(repr, SORT_ORDERS))))
    return SORT_ORDERS.index(sort)


def _one(field: str, value: Union[str, int]) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError("filters[%r]: a str or int (or a list of them), not %s"
                        % (field, type(value).__name__))
    v = str(value)
    if not v:
        raise ValueError("filters[%r]: an empty value" % (field,))
    if '"' in v or "\0" in v:
        raise ValueError("filters[%r]: the query language cannot quote %r (a double quote or NUL)"
                         % (field, v))
    if any(c.isspace() or c in '()“”«»' for c in v):
        return '%s:"%s"' % (field, v)
    return "%s:%s" % (field, v)


def apply_filters(query: str, filters: Optional[Mapping[str, FilterValue]]) -> str:
    """The query with the filters in front: ``year:2015 (QUERY)``.

    Each field's value is a str or int, or a list of them meaning any of
    them: ``{"year": [2015, 2016]}`` is ``(year:2015 OR year:2016)``. The
    query is put in parentheses so that its own operators (a leading OR, an
    unclosed quote) cannot reach the filters.
    """
    if not filters:
        return query
    parts = []
    for field, value in filters.items():
        if field not in FILTER_FIELDS:
            raise ValueError("filters: unknown field %r (known: %s)" % (field, ", ".join(FILTER_FIELDS)))
        if isinstance(value, (str, int)):
            parts.append(_one(field, value))
            continue
        values = list(value)
        if not values:
            raise ValueError("filters[%r]: an empty list" % (field,))
        if len(values) == 1:
            parts.append(_one(field, values[0]))
        else:
            parts.append("(" + " OR ".join(_one(field, v) for v in values) + ")")
    return " ".join(parts) + " (" + query + ")"
