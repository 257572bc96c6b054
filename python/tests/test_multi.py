"""indaga.open([a, b, c]): several indexes searched as one.

The UN documents split into three indexes (file i of the sorted list into
index i mod 3) against one index of them all: the same hits, scores (equal
floats), order and counts, each hit's ``index`` the directory that holds
its document; the command's JSON over the same three agrees; refresh after
a commit to one of them; the same index twice refused.
"""
import json
import os
import shutil
import subprocess

import pytest

import indaga

from conftest import _un, cli_index

pytestmark = pytest.mark.skipif("open_many" not in indaga.FEATURES,
                                reason="this libindaga opens one index at a time")

QUERIES = [
    "combatientes terroristas extranjeros", "financiacion del terrorismo", '"Consejo de Seguridad"',
    "terroris*", "seguridad symbol:S/2015/*", "cuántos combatientes terroristas extranjeros hay en Krasnodar",
    "derechos humanos de los migrantes", "terrorismo year:2015", "terrorizmo internasional",
]
NAMES = ("un-a", "un-b", "un-c")


@pytest.fixture(scope="module")
def split(tmp_path_factory, cli, un_index):
    """The three indexes: {"dirs": [...], "where": {doc: label}, "src": root of their trees}."""
    un = _un()
    base = tmp_path_factory.mktemp("split")
    where = {}
    for i, name in enumerate(sorted(os.listdir(un))):
        label = NAMES[i % 3]
        os.makedirs(base / "src" / label, exist_ok=True)
        shutil.copy2(os.path.join(un, name), base / "src" / label / name)
        where[name] = label
    dirs = []
    for label in NAMES:
        cli_index(cli, base / label, str(base / "src" / label))
        dirs.append(str(base / label))
    return {"dirs": dirs, "where": where, "base": base}


def test_same_as_one_index(split, un_index):
    with indaga.open(un_index) as one, indaga.open(split["dirs"]) as many:
        assert many.paths == tuple(split["dirs"])
        for q in QUERIES:
            for kw in ({}, {"group": True}, {"sort": "date"}, {"facets": ["year"]}):
                a, b = one.search(q, n=30, **kw), many.search(q, n=30, **kw)
                assert [(h.doc, h.part, h.paragraph, h.score) for h in a] == \
                       [(h.doc, h.part, h.paragraph, h.score) for h in b], (q, kw)
                assert (a.total_exact, a.suggestion, a.corrected) == (b.total_exact, b.suggestion, b.corrected)
                if a.total_exact:
                    assert (a.total, a.all_words) == (b.total, b.all_words), (q, kw)
                assert a.facets == b.facets
                assert all(h.index == split["where"][h.doc] for h in b), q
                assert all(h.index == os.path.basename(un_index) for h in a)


def test_cli_agrees(split, cli):
    args = [cli, "search", "--json", "-n", "20"]
    for d in split["dirs"]:
        args += ["--index", d]
    out = subprocess.run(args + ["combatientes terroristas extranjeros"], capture_output=True, text=True, check=True)
    lines = [json.loads(x) for x in out.stdout.splitlines() if '"type":"hit"' in x]
    with indaga.open(split["dirs"]) as many:
        hits = many.search("combatientes terroristas extranjeros", n=20)
        assert [(x["doc"], x["index"], x["paragraph"]) for x in lines] == [(h.doc, h.index, h.paragraph) for h in hits]


def test_refresh_and_errors(split, cli, tmp_path):
    small = [str(tmp_path / "uno"), str(tmp_path / "dos")]
    for i, d in enumerate(small):
        src = tmp_path / ("src%d" % i)
        src.mkdir()
        (src / ("nota%d.txt" % i)).write_text("Una nota sobre el agua potable número %d.\n" % i, encoding="utf-8")
        cli_index(cli, d, str(src))
    with indaga.open(small) as ix:
        assert [h.index for h in ix.search("agua")] == ["uno", "dos"]
        assert ix.refresh() is False
        (tmp_path / "src1" / "otra.txt").write_text("Otra nota sobre el agua de lluvia.\n", encoding="utf-8")
        cli_index(cli, small[1], str(tmp_path / "src1"))
        assert ix.refresh() is True
        assert sorted(h.doc for h in ix.search("agua")) == ["nota0.txt", "nota1.txt", "otra.txt"]
        assert ix.document("otra.txt").paragraphs[0].text == "Otra nota sobre el agua de lluvia."
    with pytest.raises(indaga.Error, match="are the same index"):
        indaga.open([small[0], small[0] + "/"])
    with pytest.raises(indaga.NoIndexError, match="no index at"):
        indaga.open([small[0], str(tmp_path / "nada")])
    with pytest.raises(ValueError):
        indaga.open([])
