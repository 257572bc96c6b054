"""test_browser.py: the search page of `indaga serve` in a real browser
(Debian's chromium, headless, driven by python3-selenium and chromium-driver).

It types "combatientes terroristas extranjeros" (seeing suggestions as it
types), sees the Krasnodar paragraphs with the words highlighted, applies a
filter, opens the document view at the hit (scrolled to it, highlighted,
focused), checks that hostile text stays text, and keeps screenshots as
artifacts: BUILDDIR/serve-search.png, serve-document.png and serve-phone.png.
Run by tests/cli/test_serve_browser.sh.
"""
import os
import shutil
import sys
import tempfile
import time
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servelib  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

INDAGA = servelib.env_or_skip("INDAGA")
SRCDIR = servelib.env_or_skip("SRCDIR")
BUILDDIR = servelib.env_or_skip("BUILDDIR")
QUERY = "combatientes terroristas extranjeros"
failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


def fold(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)).lower()


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1200,900", "--lang=es", "--no-proxy-server"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def results(d):
    return d.find_elements(By.CSS_SELECTOR, "#lista .resultado")


def run(d, base):
    w = WebDriverWait(d, 20)
    d.get(base + "/")
    w.until(lambda d: "documentos" in d.find_element(By.ID, "cifras").text)
    box = d.find_element(By.ID, "q")
    # Suggestions as one types.
    box.send_keys("combatientes terr")
    w.until(lambda d: d.find_element(By.ID, "sugerencias").is_displayed())
    opts = [li.text for li in d.find_elements(By.CSS_SELECTOR, "#sugerencias [role=option]")]
    check("combatientes terroristas" in opts, "suggestions as one types: %s" % opts[:4])
    check(box.get_attribute("aria-expanded") == "true", "the combobox says it is expanded")
    box.send_keys(Keys.ARROW_DOWN)
    active = box.get_attribute("aria-activedescendant")
    check(active and d.find_element(By.ID, active).get_attribute("aria-selected") == "true",
          "arrow keys move through the suggestions (aria-activedescendant)")
    box.send_keys(Keys.ESCAPE)
    check(not d.find_element(By.ID, "sugerencias").is_displayed(), "Escape closes the suggestions")
    box.send_keys(QUERY[len("combatientes terr"):])
    box.send_keys(Keys.ENTER)
    w.until(lambda d: results(d))
    rs = results(d)
    cites = [r.find_element(By.CSS_SELECTOR, ".cita").text for r in rs]
    check(len(cites) >= 2 and all(c.startswith("carta_krasnodar_2017.txt · Anexo I · párr. ") for c in cites[:2]),
          "the Krasnodar paragraphs first, cited by document, annex and paragraph: %s" % cites[:3])
    marks = {fold(m.text) for m in d.find_elements(By.CSS_SELECTOR, "#lista .fragmento mark")}
    check({"combatientes", "terroristas", "extranjeros"} <= marks, "the words are highlighted: %s" % sorted(marks))
    dates = [t.text for t in d.find_elements(By.CSS_SELECTOR, "#lista .fecha time")]
    check(dates[:2] == ["22 de noviembre de 2017"] * 2,
          "each result has its date: %s" % dates[:3])
    status = d.find_element(By.ID, "estado").text
    check("resultado" in status and QUERY in status, "the status line says what was found: %s" % status)
    d.save_screenshot(os.path.join(BUILDDIR, "serve-search.png"))

    # The order: by date, oldest first (the 2015 documents), then newest first (the 2017 letter).
    def first_cite(d):
        try:
            rs = results(d)
            return rs[0].find_element(By.CSS_SELECTOR, ".cita").text if rs else ""
        except StaleElementReferenceException:    # the list was being replaced
            return ""
    order = Select(d.find_element(By.ID, "orden"))
    order.select_by_value("date")
    w.until(lambda d: "sort=date" in d.current_url and first_cite(d)
            and not first_cite(d).startswith("carta_krasnodar"))
    check("2015" in first_cite(d), "sort by date, oldest first, puts a 2015 document first: %s" % first_cite(d))
    oldest = first_cite(d)
    order.select_by_value("-date")
    w.until(lambda d: "sort=-date" in d.current_url and first_cite(d) not in ("", oldest))
    check(first_cite(d).startswith("carta_krasnodar_2017.txt"),
          "sort by date, newest first, puts the 2017 letter first: %s" % first_cite(d))
    order.select_by_value("")
    w.until(lambda d: "sort=" not in d.current_url and first_cite(d).startswith("carta_krasnodar_2017.txt"))

    # The year counts beside the results; a click filters by that year.
    facets = {a.text.split()[0]: a for a in d.find_elements(By.CSS_SELECTOR, "#facetas a.faceta")}
    check({"2015", "2017"} <= set(facets) and d.find_element(By.ID, "facetas").is_displayed(),
          "the matches counted by year are shown: %s" % sorted(facets))
    if "2015" in facets:
        facets["2015"].click()
        w.until(lambda d: "year:2015" in d.find_element(By.ID, "estado").text)
        check(d.find_element(By.ID, "f-year").get_attribute("value") == "2015" and "year=2015" in d.current_url,
              "clicking the 2015 count filters by year 2015")

    # A filter: the year, then the part.
    year = d.find_element(By.ID, "f-year")
    year.clear()
    year.send_keys("2015")
    d.find_element(By.ID, "aplicar").click()
    w.until(lambda d: "year:2015" in d.find_element(By.ID, "estado").text)
    cites = [r.find_element(By.CSS_SELECTOR, ".cita").text for r in results(d)]
    dates = [t.text for t in d.find_elements(By.CSS_SELECTOR, "#lista .fecha time")]
    check(cites and not any("krasnodar" in c for c in cites) and all(t.endswith("2015") for t in dates),
          "year 2015 leaves out the 2017 letter: %s %s" % (cites[:2], dates[:2]))
    year.clear()
    year.send_keys("2017")
    Select(d.find_element(By.ID, "f-annex")).select_by_value("I")
    d.find_element(By.ID, "aplicar").click()
    w.until(lambda d: "annex:I" in d.find_element(By.ID, "estado").text and results(d))
    cites = [r.find_element(By.CSS_SELECTOR, ".cita").text for r in results(d)]
    check(cites and all(" · Anexo I · " in c for c in cites), "year 2017 and Anexo I: %s" % cites[:3])
    check("year=2017" in d.current_url and "annex=I" in d.current_url, "the filters are in the URL")

    # The document view at the hit.
    first = results(d)[0].find_element(By.CSS_SELECTOR, ".cita a")
    href = first.get_attribute("href")
    first.click()
    hit = w.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#documento .parrafo.hit"))[0]
    part, para = href.split("part=")[1].split("&")[0], href.split("paragraph=")[1].split("&")[0]
    check(hit.get_attribute("id") == "p-%s-%s" % (part, para), "the document opens at the hit (%s)" % hit.get_attribute("id"))
    time.sleep(0.3)
    inview = d.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight;", hit)
    check(inview, "the hit is scrolled into view")
    check(d.execute_script("return document.activeElement === arguments[0]", hit), "the hit has the focus")
    hm = {fold(m.text) for m in hit.find_elements(By.TAG_NAME, "mark")}
    check({"combatientes", "terroristas", "extranjeros"} & hm, "the words are marked in the hit: %s" % sorted(hm))
    heads = [h.text for h in d.find_elements(By.CSS_SELECTOR, "#documento h2")]
    check(heads == ["Anexo I", "Anexo II"], "the document shows its parts: %s" % heads)
    labels = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#documento .etiqueta") if e.text]
    check("3." in labels, "paragraph labels are shown")
    perma = hit.find_element(By.CSS_SELECTOR, ".enlace").get_attribute("href")
    check(perma.endswith("/?doc=carta_krasnodar_2017.txt&part=%s&paragraph=%s" % (part, para)),
          "every paragraph has a permalink: %s" % perma)
    d.save_screenshot(os.path.join(BUILDDIR, "serve-document.png"))
    d.back()
    w.until(lambda d: results(d))
    check(True, "back returns to the results")

    # The permalink opened afresh.
    d.get(perma)
    hit = w.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#documento .parrafo.hit"))[0]
    check(hit.get_attribute("id") == "p-%s-%s" % (part, para), "the permalink opens the paragraph")

    # A misspelled word: the hits are the suggestion's, and the page says so.
    d.get(base + "/?q=terrorizmo")
    w.until(lambda d: results(d))
    said = d.find_element(By.ID, "quisiste").text
    check(said == "Mostrando resultados de «terrorismo».", "the page says whose results it shows: %r" % said)
    d.get(base + "/?q=" + QUERY.replace(" ", "%20"))
    w.until(lambda d: results(d))
    check(not d.find_element(By.ID, "quisiste").is_displayed(), "no suggestion line for words spelled right")

    # Hostile text stays text.
    d.get(base + "/?q=zarandajas")
    w.until(lambda d: results(d))
    r = results(d)[0]
    check('<script>alert("x")</script>' in r.find_element(By.CSS_SELECTOR, ".titulo").text,
          "a title holding <script> is shown as text")
    check(not d.find_elements(By.CSS_SELECTOR, "#lista script, #lista img"), "no element comes from document text")
    d.get(base + "/?q=" + "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    w.until(lambda d: d.find_element(By.ID, "estado").text not in ("", "Buscando…"))
    check(not d.find_elements(By.CSS_SELECTOR, "main img"), "a query holding markup is shown as text")
    check(d.find_element(By.ID, "q").get_attribute("value") == "<img src=x onerror=alert(1)>",
          "the query is put back in the box as text")
    logs = [e["message"] for e in d.get_log("browser") if e["level"] == "SEVERE"]
    csp = [m for m in logs if "Content Security Policy" in m]
    check(not csp, "no Content-Security-Policy violation: %s" % csp[:2])

    # A phone's width.
    d.set_window_size(390, 800)
    d.get(base + "/?q=" + QUERY.replace(" ", "%20"))
    w.until(lambda d: results(d))
    wide = d.execute_script("return document.documentElement.scrollWidth <= innerWidth + 1")
    check(wide, "no sideways scrolling at a phone's width")
    check(d.find_element(By.ID, "caja-filtros").get_attribute("open") is None,
          "the filters are folded at a phone's width")
    d.save_screenshot(os.path.join(BUILDDIR, "serve-phone.png"))


def run_several(d, tmp):
    """serve --index A --index B: each result says its index before its citation, and a
    document whose id both indexes hold opens from the index of the hit clicked."""
    dirs = {k: os.path.join(tmp, "src-" + k) for k in ("col-a", "col-b")}
    for k, src in dirs.items():
        os.makedirs(src)
        with open(os.path.join(src, "dup.txt"), "w", encoding="utf-8") as f:
            f.write("Nota duplicada sobre la desalinizaci\u00f3n, copia %s.\n" % k)
    shutil.copy(os.path.join(SRCDIR, "corpus", "carta_krasnodar_2017.txt"), dirs["col-a"])
    idx = [os.path.join(tmp, k) for k in ("col-a", "col-b")]
    for k, i in zip(("col-a", "col-b"), idx):
        servelib.index(INDAGA, i, dirs[k])
    srv = servelib.Server(INDAGA, idx, threads=2)
    try:
        w = WebDriverWait(d, 20)
        d.get(srv.base + "/?q=" + QUERY.replace(" ", "%20"))
        w.until(lambda d: results(d))
        cite = results(d)[0].find_element(By.CSS_SELECTOR, ".cita").text
        check(cite.startswith("[col-a] carta_krasnodar_2017.txt · Anexo I · párr. "),
              "several indexes: the citation starts with the hit's index: %s" % cite)
        d.get(srv.base + "/?q=desalinizacion")
        w.until(lambda d: len(results(d)) == 2)
        cites = sorted(r.find_element(By.CSS_SELECTOR, ".cita").text for r in results(d))
        check(cites == ["[col-a] dup.txt · párr. 1", "[col-b] dup.txt · párr. 1"],
              "several indexes: one hit of dup.txt from each index: %s" % cites)
        link = [r.find_element(By.CSS_SELECTOR, ".cita a") for r in results(d)
                if r.find_element(By.CSS_SELECTOR, ".cita").text.startswith("[col-b] dup.txt")]
        link[0].click()
        w.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#documento .parrafo"))
        text = d.find_element(By.CSS_SELECTOR, "#documento .parrafo .texto").text
        check("index=col-b" in d.current_url and "copia col-b" in text,
              "several indexes: the document opens from the hit's index: %s" % text)
    finally:
        srv.stop()


def main():
    tmp = tempfile.mkdtemp(prefix="indaga-browser-")
    srv = None
    d = None
    try:
        docs = os.path.join(tmp, "docs")
        shutil.copytree(os.path.join(SRCDIR, "corpus"), docs)
        with open(os.path.join(docs, "hostil.txt"), "w", encoding="utf-8") as f:
            f.write("---\ntitle: Nota <script>alert(\"x\")</script> & \"comillas\"\ndate: 2099-01-02\n---\n\n"
                    "Texto <script>alert('pirata')</script> <img src=x onerror=alert(1)> y zarandajas.\n")
        index_dir = os.path.join(tmp, "idx")
        servelib.index(INDAGA, index_dir, docs)
        srv = servelib.Server(INDAGA, index_dir, threads=2)
        d = browser()
        run(d, srv.base)
        run_several(d, tmp)
    finally:
        if d:
            d.quit()
        if srv:
            srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("screenshots: " + ", ".join(os.path.join(BUILDDIR, n)
                                      for n in ("serve-search.png", "serve-document.png", "serve-phone.png")))
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)


main()
