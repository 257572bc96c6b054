"""test_api.py: the HTTP API of `indaga serve` against a running server on
127.0.0.1 (started and stopped here, on a free port): search, doc, suggest,
stats, healthz, errors, escaping, limits, malformed HTTP, sort and facets, a commit served
without a restart, no index (503), and SIGTERM/SIGINT.

Run by tests/cli/test_serve.sh with INDAGA and SRCDIR set.
"""
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import unicodedata
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servelib  # noqa: E402

INDAGA = servelib.env_or_skip("INDAGA")
SRCDIR = servelib.env_or_skip("SRCDIR")
failures = []


def check(cond, what):
    if cond:
        print("ok: " + what)
    else:
        print("FAIL: " + what)
        failures.append(what)


def q(s):
    return urllib.parse.quote(s, safe="")


def fold(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)).lower()


def raw(port, data, wait=5.0):
    """Send raw bytes; return what comes back before the server closes (or wait passes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    try:
        s.sendall(data)
        got = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
            if b"\r\n\r\n" in got:
                break
        return got
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        return b""
    finally:
        s.close()


HOSTILE = (
    "---\n"
    "title: Nota <script>alert(\"x\")</script> & \"comillas\"\n"
    "symbol: S/2099/1\n"
    "date: 2099-01-02\n"
    "---\n\n"
    "El texto <script>alert('pirata')</script> tiene \"comillas\" & <img src=x onerror=alert(1)> "
    "y zarandajas.\n"
)


def test_search(srv):
    st, j = srv.json("/api/search?q=" + q("combatientes terroristas extranjeros") + "&n=5")
    check(st == 200, "search answers 200")
    hits = j["hits"]
    check(len(hits) > 0 and all(h["doc"] == "carta_krasnodar_2017.txt" for h in hits),
          "search finds the Krasnodar paragraphs")
    h = hits[0]
    for k in ("rank", "score", "doc", "symbol", "title", "date", "part", "part_label", "paragraph",
              "label", "byte_start", "byte_end", "snippet", "highlights"):
        check(k in h, "a hit has %r (the CLI's field names)" % k)
    check("type" not in h and "query_no" not in h, "a hit has no JSON Lines members")
    check(h["date"] == "2017-11-22" and h["part_label"] == "Anexo I", "a hit has its date and annex")
    b = h["snippet"].encode("utf-8")
    words = {fold(b[s:e].decode("utf-8")) for s, e in h["highlights"]}
    check({"combatientes", "terroristas", "extranjeros"} <= words,
          "highlights are byte ranges of the matched words: %s" % sorted(words))
    s = j["summary"]
    check(s["query"] == "combatientes terroristas extranjeros" and s["hits"] == len(hits)
          and s["total"] >= len(hits) and s["generation"] == 1 and j["facets"] == [],
          "the summary: query, hits, total, generation")
    _, j2 = srv.json("/api/search?q=" + q("combatientes terroristas extranjeros") + "&n=1&offset=1")
    check(j2["hits"][0]["rank"] == 2 and j2["hits"][0]["paragraph"] == hits[1]["paragraph"],
          "offset pages through the same ranking")
    _, j3 = srv.json("/api/search?q=" + q("combatientes terroristas") + "&n=1&context=1")
    check(len(j3["hits"][0]["before"]) <= 1 and len(j3["hits"][0]["after"]) == 1, "context paragraphs")
    _, j4 = srv.json("/api/search?q=" + q("terroristas year:2017") + "&n=3")
    check(j4["hits"] and all(h["date"].startswith("2017") for h in j4["hits"]), "year: filter")
    _, j5 = srv.json("/api/search?q=" + q("terroristas annex:II") + "&n=50")
    check(j5["hits"] and all(h["part"] == 2 for h in j5["hits"]), "annex: filter")
    _, j6 = srv.json("/api/search?q=combatientes&sort=relevance")
    check(len(j6["hits"]) > 0, "sort=relevance is accepted")
    words = "combatientes terroristas extranjeros"
    _, best = srv.json("/api/search?q=" + q(words) + "&n=100")
    _, every = srv.json("/api/search?q=" + q(words) + "&n=100&all=1")
    _, zero = srv.json("/api/search?q=" + q(words) + "&n=100&all=0")
    check(0 < every["summary"]["total"] == best["summary"]["all_words"] < best["summary"]["total"]
          and zero["summary"]["total"] == best["summary"]["total"],
          "all=1 keeps only the paragraphs holding every word: %d of %d (all_words %d)"
          % (every["summary"]["total"], best["summary"]["total"], best["summary"]["all_words"]))
    held = True
    for h in every["hits"]:
        _, d = srv.json("/api/doc?doc=%s&part=%d&paragraph=%d" % (q(h["doc"]), h["part"], h["paragraph"]))
        text = fold(d["paragraphs"][0]["text"])
        held = held and all(w in text for w in ("combatiente", "terrorista", "extranjero"))
    check(every["hits"] and held, "every all=1 hit's paragraph holds every word")
    check([h["paragraph"] for h in every["hits"]]
          == [h["paragraph"] for h in best["hits"][:len(every["hits"])]],
          "best match ranks the all=1 paragraphs first")
    _, j7 = srv.json("/api/search?q=terrorizmo&n=3")
    s7 = j7["summary"]
    check(s7["suggestion"] == "terrorismo" and s7["corrected"] is True and j7["hits"]
          and all(h["highlights"] and all(fold(h["snippet"].encode("utf-8")[a:b].decode("utf-8")).startswith("terror")
                                          for a, b in h["highlights"]) for h in j7["hits"]),
          "a misspelled word: the summary suggests and the hits are the suggestion's")
    check(j["summary"]["suggestion"] is None and "corrected" not in j["summary"],
          "a query spelled right has no suggestion")


def test_doc(srv):
    st, j = srv.json("/api/doc?doc=carta_krasnodar_2017.txt")
    d = j["document"]
    check(st == 200 and d["doc"] == "carta_krasnodar_2017.txt" and d["meta"]["date"] == "2017-11-22",
          "doc answers the document with its metadata")
    check([p["label"] for p in d["parts"]] == [None, "Anexo I", "Anexo II"], "doc lists its parts")
    check(len(j["paragraphs"]) == d["paragraphs"] and all("text" in p and "label" in p for p in j["paragraphs"]),
          "doc gives every paragraph with label and text")
    st, j = srv.json("/api/doc?doc=carta_krasnodar_2017.txt&part=1&paragraph=24")
    ps = j["paragraphs"]
    check(st == 200 and len(ps) == 1 and ps[0]["part"] == 1 and ps[0]["paragraph"] == 24
          and ps[0]["label"] == "3." and "combatientes terroristas extranjeros" in ps[0]["text"],
          "doc with part and paragraph gives that paragraph")
    _, j = srv.json("/api/doc?doc=carta_krasnodar_2017.txt&part=1&paragraph=24&context=2")
    check([p["paragraph"] for p in j["paragraphs"]] == [22, 23, 24, 25, 26], "doc paragraph with context")
    _, j = srv.json("/api/doc?doc=carta_krasnodar_2017.txt&part=2")
    check(j["paragraphs"] and all(p["part"] == 2 for p in j["paragraphs"]), "doc with part gives that part")


def test_suggest(srv):
    st, j = srv.json("/api/suggest?q=" + q("combatientes terr"))
    check(st == 200 and "combatientes terroristas" in j["completions"] and "terroristas" in j["words"]
          and j["suggestion"] is None, "suggest completes the last word: %s" % j["completions"][:4])
    _, j = srv.json("/api/suggest?q=terrorizmo")
    check(j["suggestion"] == "terrorismo" and j["completions"] == [], "suggest corrects a misspelled word")
    _, j = srv.json("/api/suggest?q=" + q("terrorizmo extr"))
    check(j["suggestion"] == "terrorismo extr" and "terrorizmo extranjeros" in j["completions"],
          "suggest corrects the words before the one being typed, which it keeps: %r" % j["suggestion"])
    _, j = srv.json("/api/suggest?q=comb")
    check(j["suggestion"] is None and "combatientes" in j["words"],
          "a word being typed (it has completions) is not corrected")
    _, j = srv.json("/api/suggest?q=" + q("COMBATIÉN"))
    check(j["words"][:1] == ["combatientes"], "suggest ignores case and accents")
    _, j = srv.json("/api/suggest?q=" + q("combatientes "))
    check(j["completions"] == [], "no completion after a space")
    _, j = srv.json("/api/suggest?q=" + q("comb") + "&n=1")
    check(len(j["completions"]) == 1, "suggest n bounds the answer")
    _, j = srv.json("/api/suggest?q=" + q("-terr"))
    check(all(c.startswith("-terr") for c in j["completions"]) and j["completions"], "suggest keeps a leading -")


def test_stats(srv, index_dir):
    st, j = srv.json("/api/stats")
    import subprocess
    cli = json.loads(subprocess.run([INDAGA, "stats", "--index", index_dir, "--json"],
                                    stdout=subprocess.PIPE, text=True).stdout)
    del cli["type"]
    cli.pop("roots", None)
    check(st == 200 and j == cli, "stats equals `indaga stats --json` without type and roots")
    check("roots" not in j, "the server does not tell the paths the index was built from")
    st, j = srv.json("/healthz")
    check(st == 200 and j["ok"] is True and j["generation"] == 1, "healthz")


def expect_error(srv, path, status, word, what):
    st, hdr, body = srv.get(path)
    try:
        j = json.loads(body.decode("utf-8"))
        ok = st == status and j["error"]["status"] == status and word in j["error"]["message"]
    except (ValueError, KeyError):
        ok = False
    check(ok and hdr.get("Content-Type", "").startswith("application/json"),
          "%s: %d naming %r (%s)" % (what, status, word, body[:120]))


def test_errors(srv):
    kw = "/api/search?q=" + q("terroristas")
    expect_error(srv, "/api/search", 400, "'q'", "no q")
    expect_error(srv, kw + "&n=0", 400, "'n'", "n=0")
    expect_error(srv, kw + "&n=101", 400, "'n'", "n over the limit")
    expect_error(srv, kw + "&n=abc", 400, "'n'", "n not a number")
    expect_error(srv, kw + "&n=%2B5", 400, "'n'", "n with a sign")
    expect_error(srv, kw + "&offset=-1", 400, "'offset'", "negative offset")
    expect_error(srv, kw + "&offset=10001", 400, "'offset'", "offset over the limit")
    expect_error(srv, kw + "&context=11", 400, "'context'", "context over the limit")
    expect_error(srv, kw + "&sort=fecha", 400, "'sort'", "an unknown sort")
    expect_error(srv, kw + "&sort=", 400, "'sort'", "an empty sort")
    expect_error(srv, kw + "&facet=", 400, "'facet'", "an empty facet")
    expect_error(srv, kw + "&facet=" + "x" * 65, 400, "'facet'", "a facet name over 64 bytes")
    expect_error(srv, kw + "&facet=%FF", 400, "'facet'", "a facet name not UTF-8")
    expect_error(srv, kw + "&facet=year" * 9, 400, "'facet'", "more than 8 facets")
    expect_error(srv, kw + "&all=2", 400, "'all'", "all other than 0 or 1")
    expect_error(srv, "/api/search?q=" + "a" * 2049, 400, "'q'", "q longer than 2048 bytes")
    expect_error(srv, "/api/search?q=%FF%FE", 400, "'q'", "q not UTF-8")
    expect_error(srv, "/api/search?q=a%00b", 400, "'q'", "q holding a NUL")
    expect_error(srv, "/api/search?q=", 400, "empty query", "empty q")
    expect_error(srv, "/api/search?q=" + q("-solo"), 400, "empty query", "exclusions only")
    expect_error(srv, "/api/doc", 400, "'doc'", "no doc")
    expect_error(srv, "/api/doc?doc=nada.txt", 404, "nada.txt", "unknown document")
    expect_error(srv, "/api/doc?doc=carta_krasnodar_2017.txt&part=9", 404, "part 9", "unknown part")
    expect_error(srv, "/api/doc?doc=carta_krasnodar_2017.txt&part=1&paragraph=999", 404, "999", "unknown paragraph")
    expect_error(srv, "/api/doc?doc=carta_krasnodar_2017.txt&paragraph=2", 400, "'part'", "paragraph without part")
    expect_error(srv, "/api/suggest", 400, "'q'", "suggest without q")
    expect_error(srv, "/api/suggest?q=a&n=21", 400, "'n'", "suggest n over the limit")
    expect_error(srv, "/api/nada", 404, "no such page", "unknown path")


def test_escaping(srv):
    st, hdr, body = srv.get("/api/search?q=zarandajas")
    j = json.loads(body.decode("utf-8"))
    h = j["hits"][0]
    check(h["title"] == 'Nota <script>alert("x")</script> & "comillas"',
          "a title with <script>, quotes and & round-trips through JSON")
    check("<script>alert('pirata')</script>" in h["snippet"] and '"comillas" &' in h["snippet"],
          "a snippet with markup is text in JSON")
    check(b'\\"comillas\\"' in body, "quotes are escaped in the JSON text")
    check(hdr.get("X-Content-Type-Options") == "nosniff" and
          hdr.get("Content-Type") == "application/json; charset=utf-8", "JSON is never sniffed as HTML")
    hostile = '<script>alert("x")</script>&"\u202e'
    st, hdr, body = srv.get("/api/doc?doc=" + q(hostile))
    j = json.loads(body.decode("utf-8"))
    check(st == 404 and hostile in j["error"]["message"], "an echoed doc id is escaped JSON")
    st, j = srv.json("/api/search?q=" + q('"<script>" & zarandajas'))
    check(st == 200 and j["summary"]["query"] == '"<script>" & zarandajas', "an echoed query is escaped JSON")
    st, j = srv.json("/api/search?q=" + q("a\x01b\x1b[31m zarandajas"))
    check(st == 200 and j["summary"]["query"] == "a\x01b\x1b[31m zarandajas", "control characters are \\u escapes")


def test_page(srv):
    st, hdr, body = srv.get("/")
    csp = hdr.get("Content-Security-Policy", "")
    check(st == 200 and hdr.get("Content-Type", "").startswith("text/html"), "the page is served at /")
    check("script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp,
          "a Content-Security-Policy without inline script: " + csp)
    html = body.decode("utf-8")
    check('lang="es"' in html and "Buscar" in html, "the page is in Spanish")
    import re
    scripts = re.findall(r"<script\b[^>]*>", html)
    check(scripts and all("src=" in s for s in scripts) and " on" not in html.replace(" one", ""),
          "no inline script or event handler in the page")
    check("style=" not in html and "<style" not in html, "no inline style in the page")
    check("http://" not in html and "https://" not in html, "nothing loaded from elsewhere")
    for path, ctype in (("/assets/app.js", "text/javascript"), ("/assets/app.css", "text/css"),
                        ("/assets/icon.svg", "image/svg+xml")):
        st, hdr, _ = srv.get(path)
        check(st == 200 and hdr.get("Content-Type", "").startswith(ctype), "asset %s" % path)
    st, hdr, _ = srv.get("/assets/app.js")
    etag = hdr.get("ETag", "")
    r = raw(srv.port, ("GET /assets/app.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: %s\r\n"
                       "Connection: close\r\n\r\n" % etag).encode())
    check(etag.startswith('"') and r.startswith(b"HTTP/1.1 304"), "an asset has an ETag and revalidates with 304")
    # %00 ends the decoded path: the same embedded asset, never a file.
    st, _, body = srv.get("/assets/app.js%00.html")
    check(body == srv.get("/assets/app.js")[2] or st == 404, "a NUL in the path reaches no file")
    st, _, body = srv.get("/?q=" + q("<script>alert(1)</script>"))
    check(st == 200 and b"alert(1)" not in body, "the page never echoes its query string")
    for path in ("/assets/../server.h", "/assets/%2e%2e/%2e%2e/etc/passwd", "/../../../etc/passwd",
                 "/assets/", "/index.html", "/assets/app.js/", "/assets/app.js.map", "//etc/passwd"):
        sock = raw(srv.port, ("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
        check(sock.startswith(b"HTTP/1.1 404") or sock.startswith(b"HTTP/1.1 400"),
              "no file outside the assets: %s -> %r" % (path, sock[:20]))


def test_limits(srv):
    port = srv.port
    r = raw(port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n")
    check(r.startswith(b"HTTP/1.1 431") or r.startswith(b"HTTP/1.1 413") or r.startswith(b"HTTP/1.1 400"),
          "headers over 32 KiB are refused: %r" % r[:30])
    r = raw(port, b"GET /api/search?q=" + b"a" * 40000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    check(r.startswith(b"HTTP/1.1 414"), "a request line over 32 KiB is 414: %r" % r[:30])
    r = raw(port, b"POST /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
    check(r.startswith(b"HTTP/1.1 405") and b"\r\nAllow: GET, HEAD\r\n" in r, "POST is 405, Allow: GET, HEAD")
    r = raw(port, b"GET /api/search?q=a HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
    check(r.startswith(b"HTTP/1.1 413"), "a body is 413, unread: %r" % r[:30])
    # Connections from one address: 64 at most; the rest are closed unanswered.
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(72)]
    time.sleep(0.3)
    answered = 0
    for s in socks:
        s.settimeout(3)
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            answered += s.recv(12).startswith(b"HTTP/1.1 200")
        except OSError:
            pass
    for s in socks:
        s.close()
    # (a connection of an earlier check may still be closing and hold a place)
    check(56 <= answered <= 64, "64 connections from one address at most: %d of 72 answered" % answered)
    ok = servelib.wait_until(lambda: srv.get("/healthz")[0] == 200, 5)
    check(ok, "served again once the connections closed")


def test_malformed(srv):
    port = srv.port
    for req in (b"GARBAGE / x\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n", b"GET /\r\n\r\n",
                b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
                b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"):
        r = raw(port, req)
        check(r.startswith(b"HTTP/1.1 400"), "malformed %r is 400: %r" % (req[:30], r[:30]))
    for req in (b"GARBAGE\r\n\r\n", b"\x00\xff\xfe\xfd\r\n\r\n", b"\r\n" * 1000):
        r = raw(port, req, wait=2)
        check(r == b"" or r.startswith(b"HTTP/1.1 400"),
              "a request line that is not HTTP is refused (400 or closed): %r" % r[:30])
    check(srv.get("/healthz")[0] == 200, "the server lives on after malformed requests")
    # A client that never finishes its request is cut off after the idle timeout (10 s).
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    t0 = time.monotonic()
    try:
        got = s.recv(100)
    except OSError:
        got = b""
    took = time.monotonic() - t0
    s.close()
    check(not got.startswith(b"HTTP/1.1 200") and took < 15, "a slow client is cut off (%.1f s)" % took)


def test_refresh(srv, docs, index_dir):
    with open(os.path.join(docs, "nueva.txt"), "w", encoding="utf-8") as f:
        f.write("Una carta nueva sobre los ornitorrincos del consejo.\n")
    servelib.index(INDAGA, index_dir, docs)
    got = servelib.wait_until(lambda: srv.json("/api/search?q=ornitorrincos")[0] == 200, 5)
    st, j = srv.json("/api/search?q=ornitorrincos")
    check(got and j["summary"]["generation"] == 2 and j["hits"][0]["doc"] == "nueva.txt",
          "a commit by indaga index is served without a restart")
    st, j = srv.json("/healthz")
    check(j["generation"] == 2 and j["snapshots"] == 1, "the old generation is released: %s" % j)
    check(j["warning"] is None, "no warning while the newest manifest is whole")
    # The newest manifest gone: generation 1 is served, with the library's warning.
    m2 = os.path.join(index_dir, "manifest.2")
    os.rename(m2, m2 + ".aparte")
    got = servelib.wait_until(lambda: srv.json("/healthz")[1].get("generation") == 1, 5)
    st, j = srv.json("/healthz")
    check(got and j["warning"] and "generation" in j["warning"],
          "a missing newest manifest: the older generation, with a warning: %s" % j.get("warning"))
    os.rename(m2 + ".aparte", m2)
    got = servelib.wait_until(lambda: srv.json("/healthz")[1].get("generation") == 2, 5)
    check(got and srv.json("/healthz")[1]["warning"] is None, "the manifest back: generation 2 again")
    # The index removed and built again from scratch: generation 1 again, served.
    shutil.rmtree(index_dir)
    os.remove(os.path.join(docs, "nueva.txt"))
    st, _ = srv.json("/healthz")
    check(st == 200, "an index removed under the server: the last generation is still served")
    servelib.index(INDAGA, index_dir, docs)
    got = servelib.wait_until(lambda: srv.json("/healthz")[1].get("generation") == 1, 5)
    st, j = srv.json("/api/search?q=ornitorrincos")
    check(got and st == 200 and j["hits"] == [] and j["summary"]["generation"] == 1,
          "an index rebuilt from scratch (generation 1 again) is served")


def test_drain(index_dir):
    """SIGTERM while clients are busy: every answer that starts is whole."""
    import http.client
    import threading
    srv = servelib.Server(INDAGA, index_dir, threads=2)
    torn, whole, stop = [], [0], threading.Event()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        while not stop.is_set():
            try:
                conn.request("GET", "/api/search?n=20&context=2&q=" + q("terroristas"))
                r = conn.getresponse()
            except (ConnectionError, http.client.RemoteDisconnected, OSError):
                return   # refused or closed between requests: not an answer
            try:
                json.loads(r.read())
                whole[0] += 1
            except (http.client.IncompleteRead, ValueError) as e:
                torn.append(repr(e))
                return
    ts = [threading.Thread(target=client) for _ in range(8)]
    for t in ts:
        t.start()
    time.sleep(0.5)
    code, err = srv.stop()
    stop.set()
    for t in ts:
        t.join()
    check(code == 0 and not torn and whole[0] > 0,
          "SIGTERM under load: %d whole answers, %d torn, exit %d" % (whole[0], len(torn), code))


def test_usage(srv):
    """Bad --listen, --threads and operands are usage errors (64); a busy port is 2."""
    import subprocess

    def run(*args):
        r = subprocess.run([INDAGA, "serve"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=20)
        return r.returncode, r.stderr
    for args in (["--listen", "localhost:80"], ["--listen", "1.2.3:80"], ["--listen", "127.0.0.1:65536"],
                 ["--listen", "127.0.0.1"], ["--listen", "::1:80"], ["--threads", "0"], ["--threads", "65"],
                 ["extra"], ["--nada"]):
        code, err = run(*args)
        check(code == 64 and "indaga: serve:" in err, "serve %s: usage error 64" % " ".join(args))
    code, err = run("--listen", "127.0.0.1:%d" % srv.port)
    check(code == 2 and "cannot listen" in err, "a port in use: exit 2 naming it (%s)" % err.strip())
    code, _ = run("--help")
    check(code == 0, "serve --help")


def cli_json(index_dir, *args):
    """`indaga search --index DIR --json ARGS`: its JSON Lines, parsed."""
    import subprocess
    r = subprocess.run([INDAGA, "search", "--index", index_dir, "--json"] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    return [json.loads(line) for line in r.stdout.splitlines()]


def test_sort_facets(tmp):
    """sort= and facet= over documents of three years, against `indaga search --json`."""
    docs = os.path.join(tmp, "docs3")
    os.mkdir(docs)
    shutil.copy(os.path.join(SRCDIR, "corpus", "carta_krasnodar_2017.txt"), docs)
    un = os.path.join(SRCDIR, "corpus", "un2015")
    for name in sorted(os.listdir(un))[:30]:
        shutil.copy(os.path.join(un, name), docs)
    with open(os.path.join(docs, "hostil.txt"), "w", encoding="utf-8") as f:
        f.write(HOSTILE)
    index_dir = os.path.join(tmp, "idx3")
    servelib.index(INDAGA, index_dir, docs)
    srv = servelib.Server(INDAGA, index_dir, threads=1)
    try:
        query = "consejo texto"
        st, j = srv.json("/api/search?q=" + q(query) + "&n=5&facet=year&facet=symbol")
        years = [f for f in j["facets"] if f["field"] == "year"]
        check(st == 200 and {f["value"] for f in years} >= {"2015", "2017", "2099"},
              "facet=year counts the three years: %s" % [(f["value"], f["paragraphs"]) for f in years])
        check(all(set(f) == {"field", "value", "paragraphs", "documents"} for f in j["facets"]),
              "a facet object is the JSON Lines one without type and query_no")
        check(sum(f["paragraphs"] for f in years) == j["summary"]["total"] and j["summary"]["total_exact"],
              "the year counts sum to the summary's exact total (%d)" % j["summary"]["total"])
        check(any(f["field"] == "symbol" for f in j["facets"]), "a second facet= is counted too")
        lines = cli_json(index_dir, "-n", "5", "--facet", "year", "--facet", "symbol", "--", query)
        want = [{k: v for k, v in x.items() if k not in ("type", "query_no")}
                for x in lines if x["type"] == "facet"]
        check(want and j["facets"] == want, "the facets equal the CLI's --facet --json lines")
        for order in ("date", "-date", "doc"):
            _, js = srv.json("/api/search?q=" + q(query) + "&n=100&sort=" + q(order))
            cli = [(x["doc"], x["part"], x["paragraph"])
                   for x in cli_json(index_dir, "-n", "100", "--sort", order, "--", query) if x["type"] == "hit"]
            got = [(h["doc"], h["part"], h["paragraph"]) for h in js["hits"]]
            check(got and got == cli, "sort=%s gives the CLI's order (%d hits)" % (order, len(got)))
        _, jd = srv.json("/api/search?q=" + q(query) + "&n=100&sort=date")
        dated = [h["date"] for h in jd["hits"] if h["date"]]
        check(len(dated) >= 2 and dated == sorted(dated) and jd["hits"][-1]["date"] == "2099-01-02",
              "sort=date: the dated hits oldest first, 2099 last")
        _, jr = srv.json("/api/search?q=" + q(query) + "&n=100&sort=relevance")
        _, j0 = srv.json("/api/search?q=" + q(query) + "&n=100")
        check(jr["hits"] == j0["hits"] and jr["facets"] == [], "sort=relevance is the default order, no facets")
    finally:
        code, _ = srv.stop()
        check(code == 0, "the sort/facet server stops")


def test_no_index(tmp):
    missing = os.path.join(tmp, "aun-no")
    srv = servelib.Server(INDAGA, missing, threads=1)
    try:
        st, j = srv.json("/healthz")
        check(st == 503 and j["error"]["status"] == 503, "no index: healthz is 503")
        st, j = srv.json("/api/search?q=carta")
        check(st == 503 and "index unavailable" in j["error"]["message"], "no index: search is 503")
        st, _, _ = srv.get("/")
        check(st == 200, "no index: the page is still served")
        docs = os.path.join(tmp, "docs2")
        os.mkdir(docs)
        shutil.copy(os.path.join(SRCDIR, "corpus", "carta_krasnodar_2017.txt"), docs)
        servelib.index(INDAGA, missing, docs)
        ok = servelib.wait_until(lambda: srv.get("/healthz")[0] == 200, 5)
        check(ok, "an index made while serving is served without a restart")
    finally:
        code, err = srv.stop(signal.SIGINT)
        check(code == 0 and "stopping" in err, "SIGINT stops the server, exit 0")


def test_several(tmp):
    """serve --index A --index B: two indexes served as one, against the CLI over the same two
    (test_multi.sh compares that with one index of all the documents); each hit's "index"; /api/doc with index=;
    a commit to one of them served without a restart; the same index twice refused."""
    import subprocess
    un = os.path.join(SRCDIR, "corpus", "un2015")
    dirs = {"col-a": os.path.join(tmp, "src", "col-a"), "col-b": os.path.join(tmp, "src", "col-b")}
    for d in dirs.values():
        os.makedirs(d)
        with open(os.path.join(d, "dup.txt"), "w", encoding="utf-8") as f:
            f.write("Nota duplicada de %s sobre el consejo.\n" % os.path.basename(d))
    shutil.copy(os.path.join(SRCDIR, "corpus", "carta_krasnodar_2017.txt"), dirs["col-a"])
    for i, name in enumerate(sorted(os.listdir(un))):
        shutil.copy(os.path.join(un, name), dirs["col-a" if i % 2 else "col-b"])
    idx = {k: os.path.join(tmp, k) for k in dirs}
    for k in dirs:
        servelib.index(INDAGA, idx[k], dirs[k])
    both = [idx["col-a"], idx["col-b"]]
    srv = servelib.Server(INDAGA, both, threads=2)
    try:
        query = "consejo de seguridad terrorismo"
        st, j = srv.json("/api/search?q=" + q(query) + "&n=30")
        got = [(h["doc"], h["index"], h["part"], h["paragraph"], h["score"]) for h in j["hits"]]
        r = subprocess.run([INDAGA, "search", "--index", both[0], "--index", both[1], "--json", "-n", "30", "--", query],
                           stdout=subprocess.PIPE, text=True, timeout=60)
        cli = [(x["doc"], x["index"], x["part"], x["paragraph"], x["score"])
               for x in map(json.loads, r.stdout.splitlines()) if x["type"] == "hit"]
        check(st == 200 and len(got) == 30 and got == cli, "two indexes served as one: the CLI's hits with their index")
        check(all(os.path.isfile(os.path.join(dirs[i], d)) for d, i, _, _, _ in got),
              "each hit's index holds its document")
        check({i for _, i, _, _, _ in got} == {"col-a", "col-b"}, "hits from both indexes")
        check(j["summary"]["total"] == int(cli_json_summary(both, query)["total"]), "the summary's total is the CLI's")
        st, sg = srv.json("/api/suggest?q=" + q("combatientes terr"))
        check(st == 200 and "combatientes terroristas" in sg["completions"],
              "completions over the indexes served as one: %s" % sg.get("completions", [])[:3])
        st, d = srv.json("/api/doc?doc=carta_krasnodar_2017.txt")
        check(st == 200 and d["document"]["doc"] == "carta_krasnodar_2017.txt", "a document found in the index holding it")
        st, e = srv.json("/api/doc?doc=dup.txt")
        check(st == 400 and "col-a, col-b" in e["error"]["message"], "an id in both indexes needs index=: 400")
        st, d = srv.json("/api/doc?doc=dup.txt&index=col-b")
        check(st == 200 and "col-b" in d["paragraphs"][0]["text"], "index= picks the index")
        st, _ = srv.json("/api/doc?doc=dup.txt&index=col-z")
        check(st == 404, "an unknown index label: 404")
        _, h0 = srv.json("/healthz")
        with open(os.path.join(dirs["col-b"], "nuevo.txt"), "w", encoding="utf-8") as f:
            f.write("Un documento nuevo sobre la desalinizaci\u00f3n.\n")
        servelib.index(INDAGA, idx["col-b"], dirs["col-b"])
        ok = servelib.wait_until(lambda: srv.json("/api/search?q=desalinizacion")[1].get("hits"), 5)
        _, h1 = srv.json("/healthz")
        check(ok and h1["generation"] == h0["generation"] + 1,
              "a commit to one index is served without a restart (generation %s -> %s)" % (h0["generation"], h1["generation"]))
    finally:
        code, _ = srv.stop()
        check(code == 0, "the server of two indexes stops")
    r = subprocess.run([INDAGA, "serve", "--index", both[0], "--index", both[0] + "/", "--listen", "127.0.0.1:0"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
    check(r.returncode == 64 and "are the same index" in r.stderr, "serve refuses the same index twice: 64")


def cli_json_summary(indexes, query):
    """The summary of `indaga search --json` over @indexes."""
    import subprocess
    args = [INDAGA, "search", "--json"] + [a for d in indexes for a in ("--index", d)] + ["--", query]
    r = subprocess.run(args, stdout=subprocess.PIPE, text=True, timeout=60)
    return [x for x in map(json.loads, r.stdout.splitlines()) if x["type"] == "summary"][0]


def main():
    tmp = tempfile.mkdtemp(prefix="indaga-serve-")
    try:
        docs = os.path.join(tmp, "docs")
        os.mkdir(docs)
        shutil.copy(os.path.join(SRCDIR, "corpus", "carta_krasnodar_2017.txt"), docs)
        with open(os.path.join(docs, "hostil.txt"), "w", encoding="utf-8") as f:
            f.write(HOSTILE)
        index_dir = os.path.join(tmp, "idx")
        servelib.index(INDAGA, index_dir, docs)
        srv = servelib.Server(INDAGA, index_dir)
        try:
            test_search(srv)
            test_doc(srv)
            test_suggest(srv)
            test_stats(srv, index_dir)
            test_errors(srv)
            test_escaping(srv)
            test_page(srv)
            test_limits(srv)
            test_malformed(srv)
            test_refresh(srv, docs, index_dir)
            test_usage(srv)
        finally:
            code, err = srv.stop()
            check(code == 0 and "stopping" in err, "SIGTERM stops the server, exit 0 (%s)" % err.strip().splitlines()[-1:])
        test_drain(index_dir)
        test_sort_facets(tmp)
        test_no_index(tmp)
        test_several(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)


main()
