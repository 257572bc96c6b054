"""The package reads well: help(indaga), docstrings, names."""
import pydoc

import indaga


def test_help_reads_well():
    text = pydoc.render_doc(indaga, renderer=pydoc.plaintext)
    for part in ("full-text search for Spanish documents", "indaga.open(", "class Hit", "class Writer",
                 "search(self, query", "highlighted(self", "(code points)", "class QueryError"):
        assert part in text, part


def test_everything_public_is_documented():
    for name in indaga.__all__:
        obj = getattr(indaga, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name
    for cls in (indaga.Index, indaga.Writer, indaga.Hit, indaga.Results, indaga.Document):
        for attr, member in vars(cls).items():
            if not attr.startswith("_") and callable(member):
                assert member.__doc__, "%s.%s" % (cls.__name__, attr)
    for attr in ("doc", "symbol", "title", "date", "part", "part_label", "paragraph", "label", "score",
                 "snippet", "highlights", "text"):
        assert getattr(indaga.Hit, attr).__doc__, attr
    assert indaga.Index.__module__ == "indaga" and repr(indaga.Hit).startswith("<class 'indaga.Hit'")


def test_versions():
    assert indaga.__version__ == indaga.VERSION == indaga.libversion()
