"""The writer: sync, add, add_file, delete, commit; callbacks; the context manager."""
import json
import os
import subprocess

import pytest

import indaga
from conftest import CORPUS


def test_sync_equals_cli(tmp_path, cli):
    r = subprocess.run([cli, "index", "--index", str(tmp_path / "cli"), "--json", CORPUS],
                       capture_output=True, text=True, check=True)
    want = [json.loads(l) for l in r.stdout.splitlines() if '"type":"index"' in l][0]
    calls = []
    with indaga.Writer(str(tmp_path / "py"), progress=lambda *a: calls.append(a)) as w:
        rep = w.sync(CORPUS)
        gen = w.commit()
    assert {f: getattr(rep, f) for f in ("added", "updated", "removed", "unchanged", "skipped", "paragraphs")} == \
        {f: want[f] for f in ("added", "updated", "removed", "unchanged", "skipped", "paragraphs")}
    assert gen == want["generation"] == 1
    assert rep.bytes > 0 and w.warnings == []
    # progress: one call per file at least, ending with every file done
    assert len(calls) >= rep.added
    assert calls[-1][0] == calls[-1][1] == rep.added and calls[-1][2] == calls[-1][3]
    with indaga.open(str(tmp_path / "py")) as a, indaga.open(str(tmp_path / "cli")) as b:
        assert a.stats()[1:3] == b.stats()[1:3]
        q = "combatientes terroristas extranjeros"
        assert [(h.doc, h.paragraph, h.snippet) for h in a.search(q)] == \
            [(h.doc, h.paragraph, h.snippet) for h in b.search(q)]
    # again: nothing changed, no new generation
    with indaga.Writer(str(tmp_path / "py")) as w:
        rep = w.sync(CORPUS)
        assert rep.unchanged == rep_total(rep) and w.commit() == 1


def rep_total(rep):
    return rep.added + rep.updated + rep.unchanged


def test_add_delete_commit(tmp_path):
    d = str(tmp_path / "idx")
    f = tmp_path / "ley.md"
    f.write_text("---\ntitle: Ley de prueba\ndate: 2020-03-04\n---\n\nArtículo 1. La financiación pública.\n",
                 encoding="utf-8")
    with indaga.Writer(d) as w:
        w.add("uno.txt", "El Consejo de Seguridad decide seguir ocupándose de la cuestión.")
        w.add("dos.txt", "Segunda nota sobre la financiación.".encode("utf-8"))
        w.add_file("ley.md", str(f))
        assert w.commit() == 1
    with indaga.open(d) as ix:
        assert ix.stats().documents == 3
        hits = ix.search("financiacion", n=10)
        assert sorted(h.doc for h in hits) == ["dos.txt", "ley.md"]
        ley = [h for h in hits if h.doc == "ley.md"][0]
        assert (ley.title, ley.date) == ("Ley de prueba", "2020-03-04")
        with indaga.Writer(d) as w:
            w.delete("dos.txt")
            w.add("uno.txt", "Texto nuevo del documento uno: financiación.")
        # the open snapshot still reads generation 1; refresh moves it to 2
        assert ix.generation == 1 and len(ix.search("financiacion")) == 2
        assert ix.refresh() is True and ix.generation == 2
        assert sorted(h.doc for h in ix.search("financiacion")) == ["ley.md", "uno.txt"]
        assert ix.refresh() is False


def test_context_manager_discards_on_error(tmp_path):
    d = str(tmp_path / "idx")
    with indaga.Writer(d) as w:
        w.add("a.txt", "primero")
    with pytest.raises(RuntimeError, match="boom"):
        with indaga.Writer(d) as w:
            w.add("b.txt", "segundo")
            raise RuntimeError("boom")
    assert w.closed
    with indaga.open(d) as ix:
        assert ix.stats().documents == 1 and ix.generation == 1


def test_warnings_and_callback_errors(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "bueno.txt").write_text("Un documento legible sobre el terrorismo.", encoding="utf-8")
    (tree / "binario.txt").write_bytes(bytes(range(256)) * 64)
    seen = []
    with indaga.Writer(str(tmp_path / "idx"), on_warning=lambda p, m: seen.append((p, m))) as w:
        rep = w.sync(str(tree))
    assert rep.skipped == 1 and rep.added == 1
    assert len(seen) == 1 and seen == w.warnings
    assert seen[0][0].endswith("binario.txt") and seen[0][1]

    def bad_progress(*args):
        raise KeyError("from the callback")
    w = indaga.Writer(str(tmp_path / "idx2"), progress=bad_progress)
    with pytest.raises(KeyError, match="from the callback"):
        w.sync(str(tree))
    w.close()


def test_full_and_compact(tmp_path):
    d = str(tmp_path / "idx")
    for i in range(3):
        with indaga.Writer(d) as w:
            w.add("doc%d.txt" % i, "documento número %d sobre la paz" % i)
    with indaga.Writer(d) as w:
        gen = w.compact()
    with indaga.open(d) as ix:
        assert ix.generation == gen and ix.stats().segments == 1 and ix.stats().documents == 3
    with indaga.Writer(d, full=True) as w:
        w.add("solo.txt", "un documento")
    with indaga.open(d) as ix:
        assert ix.stats().documents == 1


def test_roots_refused_prune_dry_run_rollback(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d, word in ((a, "primero"), (b, "segundo")):
        d.mkdir()
        (d / ("%s.txt" % word)).write_text("Documento %s sobre la paz." % word, encoding="utf-8")
    idx = str(tmp_path / "idx")
    with indaga.Writer(idx) as w:
        w.sync(str(a))
    with indaga.open(idx) as ix:
        assert ix.roots == (os.path.realpath(str(a)),) and ix.note is None
    # other roots: refused, nothing changed
    with indaga.Writer(idx) as w:
        with pytest.raises(indaga.RefusedError) as e:
            w.sync(str(b))
        assert str(a) in str(e.value) and str(b) in str(e.value) and e.value.code == -12
    # a dry run says what it would do and commits nothing
    changes = []
    with indaga.Writer(idx, prune=True, dry_run=True, on_change=lambda c, d: changes.append((c, d))) as w:
        rep = w.sync(str(b))
    assert (rep.added, rep.removed) == (1, 1)
    assert sorted(changes) == [("add", "segundo.txt"), ("remove", "primero.txt")]
    with indaga.open(idx) as ix:
        assert ix.generation == 1 and [h.doc for h in ix.search("paz")] == ["primero.txt"]
    # prune: b replaces a; rollback returns to a
    with indaga.Writer(idx, prune=True) as w:
        w.sync(str(b))
    with indaga.open(idx) as ix:
        assert ix.generation == 2 and [h.doc for h in ix.search("paz")] == ["segundo.txt"]
        with indaga.Writer(idx) as w:
            assert w.rollback() == 3
        assert ix.refresh() and ix.roots == (os.path.realpath(str(a)),)
        assert [h.doc for h in ix.search("paz")] == ["primero.txt"]
    # add_roots: both
    with indaga.Writer(idx, add_roots=True) as w:
        rep = w.sync(str(b))
    with indaga.open(idx) as ix:
        assert sorted(ix.roots) == sorted(os.path.realpath(str(d)) for d in (a, b))
        assert sorted(h.doc for h in ix.search("paz")) == ["a/primero.txt", "b/segundo.txt"]
