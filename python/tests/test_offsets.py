"""Offsets are str indices: they slice whole words out of accented text."""
import pytest

import indaga

TEXT = ("La información sobre la financiación del terrorismo y las «aportaciones» "
        "de los Estados Miembros: año 2015, señaló la Oficina contra la Droga y el Delito (ONUDD). "
        "El Comité pidió más coordinación entre órganos; la niña y el niño, según el artículo 5.")


@pytest.fixture(scope="module")
def accented(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("accented") / "idx")
    with indaga.Writer(d) as w:
        w.add("acentos.txt", TEXT)
        w.add("marcas.txt", 'Un <b>párrafo</b> con "comillas" & signos <script>alert(1)</script> información.')
    return d


@pytest.mark.parametrize("query,words", [
    ("informacion", ["información"]),
    ("financiacion terrorismo", ["financiación", "terrorismo"]),
    ("año", ["año"]),
    ("señalo", ["señaló"]),
    ('"Comité pidió más coordinación"', ["Comité", "pidió", "más", "coordinación"]),
    ("organos", ["órganos"]),
    ("niña", ["niña", "niño"]),             # one stem, niñ: ñ kept, never "nina"
    ("segun articulo", ["según", "artículo"]),
    ("aportaciones", ["aportaciones"]),
])
def test_highlights_slice_words(accented, query, words):
    with indaga.open(accented) as ix:
        res = ix.search(query, filters={"doc": "acentos.txt"})
    assert len(res) == 1
    hit = res[0]
    got = [hit.snippet[a:b] for a, b in hit.highlights]
    assert [w.lower() for w in got] == [w.lower() for w in words]
    for a, b in hit.highlights:
        # whole words: no letter just outside the range
        assert a == 0 or not hit.snippet[a - 1].isalnum()
        assert b == len(hit.snippet) or not hit.snippet[b].isalnum()


def test_ano_is_not_año(accented):
    with indaga.open(accented) as ix:
        assert len(ix.search("ano")) == 0


def test_highlighted_html_is_escaped(accented):
    with indaga.open(accented) as ix:
        hit = ix.search("informacion comillas")[0]
    assert hit.doc == "marcas.txt"
    html = hit.highlighted("html")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html and "&quot;<mark>comillas</mark>&quot;" in html
    assert "<mark>información</mark>" in html


def test_analyze_offsets():
    toks = indaga.analyze(TEXT)
    assert toks[0].token == "La"
    for t in toks:
        if not t.part:
            assert TEXT[t.start:t.end] == t.token
    info = [t for t in toks if t.token == "información"][0]
    assert (info.term, info.key, info.stop) == ("inform", "informacion", False)
    assert [t.term for t in indaga.analyze("Informaciones información")] == ["inform", "inform"]
    sym = indaga.analyze("véase S/RES/2354 (2017) año")
    whole = [t for t in sym if t.symbol][0]
    assert whole.token == "S/RES/2354 (2017)" and "véase S/RES/2354 (2017) año"[whole.start:whole.end] == whole.token
    assert [t for t in sym if t.token == "año"][0].start == len("véase S/RES/2354 (2017) ")
    num = indaga.analyze("la 16ª Reunión")
    assert [(t.token, t.number, t.part) for t in num[1:3]] == [("16ª", True, False), ("16", True, True)]
    assert indaga.analyze("") == []
    with pytest.raises(TypeError):
        indaga.analyze(b"bytes")


def test_four_byte_characters(tmp_path):
    """Characters outside the BMP (4 UTF-8 bytes, one str index) before a match."""
    d = str(tmp_path / "idx")
    text = "𝐀𝐁 emoji 😀😀 antes de la palabra terrorismo y después 😀."
    with indaga.Writer(d) as w:
        w.add("emoji.txt", text)
    with indaga.open(d) as ix:
        hit = ix.search("terrorismo")[0]
    (a, b), = hit.highlights
    assert hit.snippet[a:b] == "terrorismo"
