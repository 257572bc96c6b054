"""Hit: one search hit (a paragraph), and how to show its matched words."""
from __future__ import annotations

import html
from typing import Tuple, Union

from . import _indaga

__all__ = ["Hit"]

# What `indaga search` prints on a terminal around a matched word.
_TERMINAL = ("\033[1;31m", "\033[0m")


class Hit(_indaga.Hit):
    """One search hit: a paragraph, cited as document, annex and paragraph.

    Every field is a copy (no hit points into the index, which may be closed
    before its hits are used):

    - ``doc`` (the document id: the file's path relative to the indexed root),
      ``symbol`` (the UN symbol or None), ``title``, ``date`` (ISO 8601 or None);
    - ``part`` (0 for the body, N for the Nth annex), ``part_label``
      ("Anexo I", None for the body), ``paragraph`` (1-based within its part),
      ``label`` (the printed label, "3." or "a)", or None);
    - ``rank`` (1-based in the whole list), ``score`` (larger is better),
      ``byte_start``/``byte_end`` (the paragraph in the source file);
    - ``snippet`` (display text around the matches) and ``highlights``:
      (start, end) str indices into ``snippet`` of the matched words, so
      ``hit.snippet[start:end]`` is a whole word, accents included;
    - ``text`` (the whole paragraph with ``search(text=True)``, else None),
      ``before`` and ``after`` (paragraph texts around it with ``context=N``);
    - ``index``: the label of the index the hit comes from (the directory's
      name; several indexes opened as one tell their hits apart by it).
    """

    __slots__ = ()

    def highlighted(self, fmt: Union[str, Tuple[str, str]] = "html") -> str:
        """The snippet with its matched words marked.

        ``fmt="html"``: the text HTML-escaped, each matched word in
        ``<mark>...</mark>``. ``fmt="terminal"``: each matched word in bold red
        (ANSI escapes, as ``indaga search`` prints on a terminal). A pair of
        strings ``(before, after)``: inserted around each matched word, the
        text left as it is. An empty string when the hit has no snippet.
        """
        if isinstance(fmt, tuple):
            if len(fmt) != 2 or not all(isinstance(x, str) for x in fmt):
                raise TypeError("highlighted: fmt must be 'html', 'terminal' or a pair of str")
            before, after = fmt
            escape = _same
        elif fmt == "html":
            before, after = "<mark>", "</mark>"
            escape = _html
        elif fmt == "terminal":
            before, after = _TERMINAL
            escape = _same
        else:
            raise ValueError("highlighted: unknown format %r (use 'html', 'terminal' or a pair of str)" % (fmt,))
        s = self.snippet
        if s is None:
            return ""
        out = []
        at = 0
        for start, end in self.highlights:
            if start < at:                 # overlapping ranges: the first one wins
                continue
            out.append(escape(s[at:start]))
            out.append(before)
            out.append(escape(s[start:end]))
            out.append(after)
            at = end
        out.append(escape(s[at:]))
        return "".join(out)

    def __repr__(self) -> str:
        where = self.symbol or self.doc
        if self.part:
            where += " · " + (self.part_label or "Anexo %d" % self.part)
        where += " · párr. " + (self.label or str(self.paragraph))
        return "<indaga.Hit %d %s score=%.4f>" % (self.rank, where, self.score)


def _same(s: str) -> str:
    return s


def _html(s: str) -> str:
    return html.escape(s, quote=True)


_indaga._set_hit_class(Hit)
