#!/usr/bin/python3
"""Make the published-format fixtures of tests/cli/test_formats.sh.

From five of the UN documents in corpus/ (the Krasnodar letter, the
Universal Declaration, the Charter's chapters I-III and two 2015 documents
that speak of foreign terrorist fighters) this writes, into this folder,
each document as DOCX, ODT, HTML and PDF:

  DOCX  written as Office Open XML by hand (zipfile): numbered items use
        Word's automatic numbering (w:numPr -> numbering.xml, "%1."),
        bullets a bullet list; the label is not in the text.
  ODT   content.xml with text:list and list styles (num-suffix ".",
        start-value), bullets a bullet style.
  HTML  <ol start=N>, <ul>, <p> and <br>.
  PDF   laid out the UN way with reportlab: A4, a running header with the
        document's symbol on pages 2.., a footer with the job number
        ("17-20803 (S)"), a barcode line on page 1 and "n/N" page numbers;
        text wrapped greedily with words hyphenated at line ends, headings
        kept with the paragraph that follows them.

The text is the .txt's: blocks between blank lines are paragraphs, list
items ("1.", "-") their own paragraphs, other lines of a block kept as line
breaks; Markdown emphasis, links, escapes and setext underlines removed.
YAML front matter becomes the symbol line that opens a UN document.

structure/ holds estructura.{docx,odt,html,pdf}: a list numbered a), b)
by the word processor, a footnote, a table; the PDF a paragraph running
over a page break with a footnote at the foot of page 1.

bad/ holds input every extractor must refuse: an encrypted PDF, a PDF
without a text layer, truncated PDF and DOCX, a DOCX whose XML expands to
8 MiB, one with nested entities (billion laughs) and one with an external
entity.

Run: /usr/bin/python3 tests/data/formats/make_fixtures.py  (needs
python3-reportlab and fonts-dejavu-core; the tests need neither).
"""
import html
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))

# (corpus file, running-header symbol, job number)
DOCS = [
    ("corpus/carta_krasnodar_2017.txt", "A/72/565 S/2017/968", "17-20803 (S)"),
    ("corpus/declaracion_universal_derechos_humanos.txt", "A/RES/217 (III)", "GE.48-00217 (S)"),
    ("corpus/carta_naciones_unidas_cap1-3.txt", "ST/DPI/511", "GE.45-00511 (S)"),
    ("corpus/un2015/e_cn_15_2015_12.txt", "E/CN.15/2015/12", "15-01512 (S)"),
    ("corpus/un2015/s_2015_123.txt", "S/2015/123", "15-02123 (S)"),
]

LABEL = re.compile(r"^(\d{1,3}\.|-)\s+")


def clean(s):
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)
    s = s.replace("**", "").replace("\\", "")
    s = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", s)
    return re.sub(r"\s+", " ", s).strip()


def read_blocks(path):
    """The .txt as blocks; a block is a list of items (label, [lines])."""
    text = open(path, encoding="utf-8").read()
    if text.startswith("---\n"):
        end = text.index("\n---\n", 4)
        sym = re.search(r"^symbol:\s*(.+)$", text[4:end], re.M)
        text = (sym.group(1).strip() + "\n\n" if sym else "") + text[end + 5:]
    blocks = []
    for raw in re.split(r"\n[ \t]*\n", text):
        lines = [l for l in raw.split("\n") if l.strip() and not re.match(r"^\s*[-=]{3,}\s*$", l)]
        items = []
        for l in lines:
            m = LABEL.match(l)
            if m or not items:
                items.append((m.group(1) if m else None, [clean(l[m.end():] if m else l)]))
            else:
                items[-1][1].append(clean(l))
        items = [(lab, [x for x in ls if x]) for lab, ls in items]
        items = [it for it in items if it[1] or it[0]]
        if items:
            blocks.append(items)
    return blocks


def runs(blocks):
    """Paragraphs in order: (kind, label, lines); kind 'num', 'bullet' or 'p'."""
    out = []
    for items in blocks:
        for lab, ls in items:
            kind = "p" if lab is None else ("bullet" if lab == "-" else "num")
            out.append((kind, lab, ls))
    return out


# ---------------------------------------------------------------- DOCX
def docx(paras, dst):
    W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body, nums, expect = [], [], None
    for kind, lab, ls in paras:
        ppr = ""
        if kind == "num":
            n = int(lab[:-1])
            if expect != n:                      # a new list instance starting at n
                nums.append(n)
            expect = n + 1
            ppr = '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="%d"/></w:numPr></w:pPr>' % (len(nums) + 1)
        else:
            expect = None
            if kind == "bullet":
                ppr = '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
        runs_ = '<w:r><w:br/></w:r>'.join('<w:r><w:t xml:space="preserve">%s</w:t></w:r>' % html.escape(l, False)
                                          for l in ls)
        body.append("<w:p>%s%s</w:p>" % (ppr, runs_))
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document %s><w:body>%s'
           '<w:sectPr/></w:body></w:document>' % (W, "".join(body)))
    numbering = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:numbering %s>'
                 '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                 '<w:numFmt w:val="bullet"/><w:lvlText w:val="\u2022"/></w:lvl></w:abstractNum>'
                 '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                 '<w:numFmt w:val="decimal"/><w:lvlText w:val="%%1."/></w:lvl></w:abstractNum>'
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>' % W)
    for i, start in enumerate(nums):
        numbering += ('<w:num w:numId="%d"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0">'
                      '<w:startOverride w:val="%d"/></w:lvlOverride></w:num>' % (i + 2, start))
    numbering += "</w:numbering>"
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.wordprocessingml.document.main+xml"/>'
          '<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.wordprocessingml.numbering+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    drels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships/numbering" Target="numbering.xml"/></Relationships>')
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", ct), ("_rels/.rels", rels), ("word/document.xml", doc),
                           ("word/_rels/document.xml.rels", drels), ("word/numbering.xml", numbering)):
            z.writestr(zipfile.ZipInfo(name, (2017, 11, 22, 0, 0, 0)), data)


# ---------------------------------------------------------------- ODT
def odt(paras, dst):
    NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"')
    out, cur, expect = [], None, None
    def close():
        if cur:
            out.append("</text:list>")
    for kind, lab, ls in paras:
        p = "<text:p>%s</text:p>" % "<text:line-break/>".join(html.escape(l, False) for l in ls)
        if kind == "num":
            n = int(lab[:-1])
            if cur != "num" or expect != n:
                close()
                out.append('<text:list text:style-name="LNum">')
                cur = "num"
                out.append('<text:list-item text:start-value="%d">%s</text:list-item>' % (n, p))
            else:
                out.append("<text:list-item>%s</text:list-item>" % p)
            expect = n + 1
        elif kind == "bullet":
            if cur != "bullet":
                close()
                out.append('<text:list text:style-name="LBul">')
                cur = "bullet"
            out.append("<text:list-item>%s</text:list-item>" % p)
        else:
            close()
            cur = expect = None
            out.append(p)
    close()
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content %s office:version="1.2">'
               '<office:automatic-styles>'
               '<text:list-style style:name="LNum"><text:list-level-style-number text:level="1" '
               'style:num-suffix="." style:num-format="1"/></text:list-style>'
               '<text:list-style style:name="LBul"><text:list-level-style-bullet text:level="1" '
               'text:bullet-char="\u2022"/></text:list-style>'
               '</office:automatic-styles><office:body><office:text>%s</office:text></office:body>'
               '</office:document-content>' % (NS, "".join(out)))
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.'
                'opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(dst, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype", (2017, 11, 22, 0, 0, 0)), "application/vnd.oasis.opendocument.text",
                   compress_type=zipfile.ZIP_STORED)
        for name, data in (("content.xml", content), ("META-INF/manifest.xml", manifest)):
            z.writestr(zipfile.ZipInfo(name, (2017, 11, 22, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)


# ---------------------------------------------------------------- HTML
def page_html(paras, title, dst):
    out, cur, expect = [], None, None
    def close():
        if cur:
            out.append("</ol>" if cur == "num" else "</ul>")
    for kind, lab, ls in paras:
        body = "<br>\n".join(html.escape(l, False) for l in ls)
        if kind == "num":
            n = int(lab[:-1])
            if cur != "num" or expect != n:
                close()
                out.append('<ol start="%d">' % n)
                cur = "num"
            expect = n + 1
            out.append("<li>%s</li>" % body)
        elif kind == "bullet":
            if cur != "bullet":
                close()
                out.append("<ul>")
                cur = "bullet"
            out.append("<li>%s</li>" % body)
        else:
            close()
            cur = expect = None
            out.append("<p>%s</p>" % body)
    close()
    with open(dst, "w", encoding="utf-8") as f:
        f.write('<!DOCTYPE html>\n<html lang="es">\n<head><meta charset="utf-8"><title>%s</title>\n'
                "<style>body{max-width:40em}</style></head>\n<body>\n%s\n</body>\n</html>\n"
                % (html.escape(title), "\n".join(out)))


# ---------------------------------------------------------------- PDF
def pdf(paras, symbol, job, dst):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(TTFont("DejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    W, H = 595.0, 842.0
    left, width, top, bottom = 72.0, 451.0, 770.0, 80.0
    size, lead, gap = 10.0, 12.0, 8.0
    sw = lambda s: pdfmetrics.stringWidth(s, "DejaVu", size)

    def split_word(word, room):
        """Prefix (with '-') of a long word that fits @room, and the rest; or None."""
        m = re.match(r"^([^\W\d_]+)(.*)$", word)
        if not m or len(m.group(1)) < 8:
            return None
        letters = m.group(1)
        vowels = "aeiouáéíóúü"
        for k in range(len(letters) - 3, 2, -1):
            a, b = letters[k - 1].lower(), letters[k].lower()
            if a in vowels and b not in vowels and k + 1 < len(letters) and letters[k + 1].lower() in vowels:
                if sw(letters[:k] + "-") <= room:
                    return letters[:k] + "-", letters[k:] + m.group(2)
        return None

    def wrap(text, first_indent=0.0):
        words, lines, cur = text.split(" "), [], ""
        i = 0
        while i < len(words):
            w = words[i]
            cand = (cur + " " + w) if cur else w
            if sw(cand) <= width - (first_indent if not lines else 0):
                cur = cand
                i += 1
                continue
            room = width - (first_indent if not lines else 0) - sw(cur + " ") if cur else width
            sp = split_word(w, room)
            if sp and cur:
                lines.append(cur + " " + sp[0])
                words[i] = sp[1]
                cur = ""
                continue
            if not cur:                      # a word longer than a line
                lines.append(w)
                i += 1
                continue
            lines.append(cur)
            cur = ""
        if cur:
            lines.append(cur)
        return lines

    # lay out: a list of pages, each a list of (x, text) lines at successive y
    laid = []
    for kind, lab, ls in paras:
        lines = []
        for l in ls:
            prefix = ("\u2022 " if kind == "bullet" else lab + " ") if (kind != "p" and not lines) else ""
            lines.extend(wrap(prefix + l))
        laid.append(lines)
    pages, y, cur = [], top, []
    for k, lines in enumerate(laid):
        # keep with next: a heading (a short paragraph without final
        # punctuation) never ends a page, as in the UN's templates
        heading = len(lines) <= 3 and not re.search(r"[.,;:]$", lines[-1]) and k + 1 < len(laid)
        if heading and cur and y - lead * len(lines) - gap < bottom:
            pages.append(cur)
            cur, y = [], top
        for ln in lines:
            if y < bottom:
                pages.append(cur)
                cur, y = [], top
            cur.append((y, ln))
            y -= lead
        y -= gap
    pages.append(cur)
    c = canvas.Canvas(dst, pagesize=(W, H), invariant=1)
    c.setTitle(symbol)
    total = len(pages)
    digits = re.sub(r"\D", "", job)
    for i, lines in enumerate(pages):
        c.setFont("DejaVu", 8)
        if i > 0:
            c.drawRightString(W - 72, H - 40, symbol)            # running header
        c.drawString(72, 40, job)                                 # footer: job number
        c.drawRightString(W - 72, 40, "%d/%d" % (i + 1, total))   # and page number
        if i == 0:
            c.drawString(72, 28, "*%s*" % digits)                 # the barcode's text line
        c.setFont("DejaVu", size)
        for y, ln in lines:
            c.drawString(left, y, ln)
        c.showPage()
    c.save()


# ---------------------------------------------------------------- bad input
def bad(dst):
    """Files every extractor must refuse with a warning, the run going on."""
    from reportlab.pdfgen import canvas
    os.makedirs(dst, exist_ok=True)
    c = canvas.Canvas(os.path.join(dst, "encrypted.pdf"), encrypt="secreto", invariant=1)
    c.drawString(72, 700, "Texto cifrado del Consejo de Seguridad")
    c.showPage()
    c.save()
    c = canvas.Canvas(os.path.join(dst, "scanned.pdf"), invariant=1)   # no text layer: only shapes
    for k in range(40):
        c.rect(72, 760 - 16 * k, 300 + (k * 37) % 150, 9, fill=1)
    c.showPage()
    c.save()
    good = open(os.path.join(HERE, "carta_krasnodar_2017.pdf"), "rb").read()
    open(os.path.join(dst, "truncated.pdf"), "wb").write(good[:len(good) // 3])
    good = open(os.path.join(HERE, "carta_krasnodar_2017.docx"), "rb").read()
    open(os.path.join(dst, "truncated.docx"), "wb").write(good[:len(good) // 2])
    def docx_with(name, document):
        with zipfile.ZipFile(os.path.join(dst, name), "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(zipfile.ZipInfo("[Content_Types].xml", (2017, 1, 1, 0, 0, 0)), "<Types/>")
            z.writestr(zipfile.ZipInfo("word/document.xml", (2017, 1, 1, 0, 0, 0)), document,
                       compress_type=zipfile.ZIP_DEFLATED)
    W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    # 8 MiB of XML from a few KiB: over the expansion limit of `--memory 16`
    docx_with("bomb.docx", '<w:document %s><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></w:document>'
              % (W, " " * (8 << 20)))
    laughs = "".join('<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">' % ((i,) + (i - 1,) * 10)
                     for i in range(1, 10))
    docx_with("laughs.docx", '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "jaja">%s]>'
              '<w:document %s><w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>' % (laughs, W))
    docx_with("external.docx", '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM '
              '"file:///etc/passwd">]><w:document %s><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p>'
              '</w:body></w:document>' % W)


# ---------------------------------------------------------------- structure
STRUCT_INTRO = "Los participantes en la 16\u00aa Reuni\u00f3n decidieron:"
STRUCT_ITEMS = ["Emitir una declaraci\u00f3n conjunta en apoyo de la resoluci\u00f3n 2354 (2017) del Consejo de "
                "Seguridad.", "Estrechar la cooperaci\u00f3n entre los asociados para interceptar los canales de "
                "difusi\u00f3n de la ideolog\u00eda terrorista."]
STRUCT_NOTE = "V\u00e9ase la resoluci\u00f3n 2354 (2017) del Consejo de Seguridad."
STRUCT_CELLS = ["Krasnodar", "4 y 5 de octubre de 2017"]


def structure(dst):
    """estructura.*: a list numbered a), b) by the word processor, a
    footnote, a table of two cells; the PDF a paragraph running over a page
    break with a footnote (smaller type) at the foot of the first page."""
    W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    r = lambda t: '<w:r><w:t xml:space="preserve">%s</w:t></w:r>' % html.escape(t, False)
    item = lambda t: '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="5"/></w:numPr></w:pPr>%s</w:p>' % r(t)
    doc = ('<?xml version="1.0" encoding="UTF-8"?>\n<w:document %s><w:body><w:p>%s<w:r><w:footnoteReference '
           'w:id="1"/></w:r></w:p>%s<w:tbl><w:tr><w:tc><w:p>%s</w:p></w:tc><w:tc><w:p>%s</w:p></w:tc></w:tr></w:tbl>'
           '<w:sectPr/></w:body></w:document>' % (W, r(STRUCT_INTRO), "".join(item(t) for t in STRUCT_ITEMS),
                                                  r(STRUCT_CELLS[0]), r(STRUCT_CELLS[1])))
    numbering = ('<?xml version="1.0" encoding="UTF-8"?>\n<w:numbering %s><w:abstractNum w:abstractNumId="7">'
                 '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%%1)"/>'
                 '</w:lvl></w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="7"/></w:num></w:numbering>' % W)
    notes = ('<?xml version="1.0" encoding="UTF-8"?>\n<w:footnotes %s><w:footnote w:id="0"><w:p/></w:footnote>'
             '<w:footnote w:id="1"><w:p>%s</w:p></w:footnote></w:footnotes>' % (W, r(STRUCT_NOTE)))
    with zipfile.ZipFile(os.path.join(dst, "estructura.docx"), "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", "<Types/>"), ("word/document.xml", doc),
                           ("word/numbering.xml", numbering), ("word/footnotes.xml", notes)):
            z.writestr(zipfile.ZipInfo(name, (2017, 11, 22, 0, 0, 0)), data)
    NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"')
    e = lambda t: html.escape(t, False)
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content %s><office:automatic-styles>'
               '<text:list-style style:name="La"><text:list-level-style-number text:level="1" style:num-format="a" '
               'style:num-suffix=")"/></text:list-style></office:automatic-styles><office:body><office:text>'
               '<text:p>%s<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>'
               '<text:note-body><text:p>%s</text:p></text:note-body></text:note></text:p>'
               '<text:list text:style-name="La">%s</text:list>'
               '<table:table><table:table-row><table:table-cell><text:p>%s</text:p></table:table-cell>'
               '<table:table-cell><text:p>%s</text:p></table:table-cell></table:table-row></table:table>'
               '</office:text></office:body></office:document-content>'
               % (NS, e(STRUCT_INTRO), e(STRUCT_NOTE),
                  "".join("<text:list-item><text:p>%s</text:p></text:list-item>" % e(t) for t in STRUCT_ITEMS),
                  e(STRUCT_CELLS[0]), e(STRUCT_CELLS[1])))
    with zipfile.ZipFile(os.path.join(dst, "estructura.odt"), "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype", (2017, 11, 22, 0, 0, 0)), "application/vnd.oasis.opendocument.text")
        z.writestr(zipfile.ZipInfo("content.xml", (2017, 11, 22, 0, 0, 0)), content, compress_type=zipfile.ZIP_DEFLATED)
    with open(os.path.join(dst, "estructura.html"), "w", encoding="utf-8") as f:
        f.write('<!DOCTYPE html><html><head><title>x</title><script>var no = "texto";</script></head><body>'
                '<p>%s<sup><a href="#n1">1</a></sup></p><ol type="a" start="1">%s</ol><table><tr><td>%s</td>'
                '<td>%s</td></tr></table><aside id="n1"><p>%s</p></aside></body></html>\n'
                % (e(STRUCT_INTRO), "".join("<li>%s</li>" % e(t) for t in STRUCT_ITEMS), e(STRUCT_CELLS[0]),
                   e(STRUCT_CELLS[1]), e(STRUCT_NOTE)))
    # PDF: one paragraph from the bottom of page 1 to the top of page 2, a footnote under it on page 1
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(TTFont("DejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    c = canvas.Canvas(os.path.join(dst, "estructura.pdf"), pagesize=(595, 842), invariant=1)
    c.setFont("DejaVu", 10)
    c.drawString(72, 770, STRUCT_INTRO)
    c.drawString(72, 130, "La Reuni\u00f3n expres\u00f3 su apoyo a la Estrategia Global de las Naciones Unidas de Lucha")
    c.drawString(72, 118, "contra el Terrorismo y a las resoluciones del Consejo de Seguridad, y")
    c.setFont("DejaVu", 8)
    c.drawString(72, 96, "1 " + STRUCT_NOTE)
    c.drawString(72, 40, "17-20803 (S)")
    c.drawRightString(523, 40, "1/2")
    c.showPage()
    c.setFont("DejaVu", 8)
    c.drawRightString(523, 802, "A/72/565 S/2017/968")
    c.setFont("DejaVu", 10)
    c.drawString(72, 770, "reafirm\u00f3 su compromiso con la cooperaci\u00f3n internacional.")
    c.drawString(72, 750, "Krasnodar, 5 de octubre de 2017.")
    c.setFont("DejaVu", 8)
    c.drawString(72, 40, "17-20803 (S)")
    c.drawRightString(523, 40, "2/2")
    c.showPage()
    c.save()


def main():
    for src, symbol, job in DOCS:
        base = os.path.splitext(os.path.basename(src))[0]
        paras = runs(read_blocks(os.path.join(ROOT, src)))
        docx(paras, os.path.join(HERE, base + ".docx"))
        odt(paras, os.path.join(HERE, base + ".odt"))
        page_html(paras, base, os.path.join(HERE, base + ".html"))
        pdf(paras, symbol, job, os.path.join(HERE, base + ".pdf"))
        print("wrote", base, file=sys.stderr)
    bad(os.path.join(HERE, "bad"))
    os.makedirs(os.path.join(HERE, "structure"), exist_ok=True)
    structure(os.path.join(HERE, "structure"))


if __name__ == "__main__":
    main()
