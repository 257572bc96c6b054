"""Errors are exceptions carrying the library's message."""
import os

import pytest

import indaga


def test_no_index(tmp_path):
    missing = str(tmp_path / "none")
    with pytest.raises(indaga.NoIndexError) as e:
        indaga.open(missing)
    assert str(e.value) == "no index at %s" % missing
    assert e.value.code == -8
    assert isinstance(e.value, indaga.NotFoundError) and isinstance(e.value, indaga.Error)


def test_empty_query(ix):
    for q in ("*", "", "  ", "-terrorismo", "¿?"):
        with pytest.raises(indaga.QueryError, match="^empty query") as e:
            ix.search(q)
        assert isinstance(e.value, ValueError) and e.value.code == -7


def test_no_document(ix):
    with pytest.raises(indaga.NotFoundError, match="no-such.txt: no such document") as e:
        ix.document("no-such.txt")
    assert isinstance(e.value, LookupError)


def test_bad_arguments(ix):
    with pytest.raises(TypeError):
        ix.search(b"bytes")
    with pytest.raises(ValueError, match="NUL"):
        ix.search("terrorismo\0x")
    with pytest.raises(ValueError, match="n must be from 1"):
        ix.search("terrorismo", n=0)
    with pytest.raises(ValueError, match="offset must be from 0"):
        ix.search("terrorismo", offset=-1)
    with pytest.raises(TypeError):
        ix.search("terrorismo", n=2.5)
    with pytest.raises(ValueError, match="n must be from 1 to 100000"):
        ix.search("terrorismo", n=2 ** 32 - 1)     # would allocate the top n up front
    with pytest.raises(ValueError, match="offset must be from 0 to 1000000"):
        ix.search("terrorismo", offset=2 ** 40)
    with pytest.raises(ValueError, match="context must be from 0 to 1000"):
        ix.search("terrorismo", context=5000)
    assert len(ix.search("terrorismo", n=100000)) == ix.search("terrorismo").total


def test_busy(tmp_path):
    d = str(tmp_path / "idx")
    with indaga.Writer(d) as w:
        with pytest.raises(indaga.BusyError) as e:
            indaga.Writer(d)
        assert e.value.code == -6 and str(e.value)
        w.add("a.txt", "uno")
    with indaga.Writer(d) as w2:            # the lock was released
        w2.add("b.txt", "dos")


def test_corrupt(tmp_path):
    d = tmp_path / "idx"
    with indaga.Writer(str(d)) as w:
        w.add("a.txt", "La financiación del terrorismo internacional. " * 50)
    # flip one byte in the middle of every segment file
    segs = [p for p in d.iterdir() if p.name.startswith("seg-")]
    assert segs
    for p in segs:
        b = bytearray(p.read_bytes())
        b[len(b) // 2] ^= 0xFF
        p.write_bytes(bytes(b))
    with pytest.raises(indaga.CorruptError) as e:
        indaga.check(str(d))
    assert "seg-" in str(e.value) and e.value.code == -5
    with pytest.raises(indaga.CorruptError):
        with indaga.open(str(d)) as ix:
            ix.search("financiacion")
            ix.document("a.txt")


def test_closed_index(corpus_index):
    ix = indaga.open(corpus_index)
    res = ix.search("combatientes terroristas extranjeros", context=1, text=True)
    doc = ix.document(res[0].doc)
    ix.close()
    ix.close()                              # twice is harmless
    assert ix.closed
    with pytest.raises(ValueError, match="closed index"):
        ix.search("terrorismo")
    with pytest.raises(ValueError, match="closed index"):
        ix.document("carta_krasnodar_2017.txt")
    with pytest.raises(ValueError, match="closed index"):
        ix.stats()
    with pytest.raises(ValueError, match="closed index"):
        ix.refresh()
    # what it gave stays valid: copies, not pointers into the closed index
    del ix
    h = res[0]
    assert h.snippet[h.highlights[0][0]:h.highlights[0][1]].lower() == "combatientes"
    assert h.text and h.title and h.doc == "carta_krasnodar_2017.txt" and h.after
    assert doc.paragraphs[-1].text and repr(h) and h.highlighted()


def test_closed_writer(tmp_path):
    w = indaga.Writer(str(tmp_path / "idx"))
    w.close()
    with pytest.raises(ValueError, match="closed writer"):
        w.add("a.txt", "uno")
    with pytest.raises(ValueError, match="closed writer"):
        w.commit()


def test_writer_errors(tmp_path):
    d = str(tmp_path / "idx")
    with indaga.Writer(d) as w:
        with pytest.raises(indaga.NotFoundError):
            w.delete("none.txt")
        with pytest.raises(indaga.Error) as e:
            w.add_file("x.txt", str(tmp_path / "missing.txt"))
        assert "missing.txt" in str(e.value)
        with pytest.raises(ValueError, match="NUL"):
            w.add("a\0b", "x")
        with pytest.raises(TypeError):
            w.add("a.txt", 5)
        with pytest.raises(TypeError, match="at least one root"):
            w.sync()
    for bad in ({"threads": -1}, {"memory": -5}, {"progress": 3}):
        with pytest.raises(ValueError):
            indaga.Writer(d, **bad)


def test_work_budget_and_cancel(ix):
    with pytest.raises(indaga.LimitError, match="^query over its work budget: the memory limit") as e:
        ix.search("seguridad", max_memory=1)
    assert isinstance(e.value, indaga.QueryError) and e.value.code == -13
    flag = indaga.Cancel()
    assert len(ix.search("seguridad", cancel=flag)) == 10 and not flag.cancelled
    flag.cancel()
    with pytest.raises(indaga.LimitError, match="^query cancelled") as e:
        ix.search("seguridad", cancel=flag)
    assert e.value.code == -14 and flag.cancelled
    flag.reset()
    res = ix.search("seguridad", cancel=flag, timeout_ms=0, max_memory=0, partial=True)
    assert len(res) == 10 and not res.partial
    with pytest.raises(TypeError, match="indaga.Cancel"):
        ix.search("seguridad", cancel=object())
    with pytest.raises(ValueError, match="timeout_ms"):
        ix.search("seguridad", timeout_ms=-1)
