"""serve_load.py: a load test of `indaga serve` on loopback, while the index
is reindexed underneath it.

    /usr/bin/python3 bench/serve_load.py --indaga BUILD/indaga \
        --bench-search BUILD/bench/bench_search [--seconds 60] [--clients 32]

What it does, bounded in time and in requests:
  1. copies the UN documents (INDAGA_SHARED_DATA/un, default ../shared/data/un
     beside the repository) to a scratch folder and indexes them
     (generation 1);
  2. runs bench_search latency over the same queries in process (the
     figures HTTP is set beside);
  3. starts `indaga serve --listen 127.0.0.1:0` (only 127.0.0.1, ever) and
     runs CLIENTS clients (processes x threads, each on one keep-alive
     connection) for SECONDS, each looping over /api/search with the
     queries of bench/queries.txt, two marker queries and /api/stats;
  4. meanwhile changes files and runs `indaga index` twice (at 1/4 and 1/2
     of the run): the first commit appends a paragraph holding "zorglubuno"
     to 20 documents, the second one holding "zorglubdos" to 20 others and
     adds 5 new documents;
  5. checks every answer: HTTP 200, valid JSON, a generation that was
     committed, and figures that are that generation's: the markers' totals
     and the document count are known per generation (taken with the CLI
     right after each commit), and every other query must give one total
     per generation (a mixed or torn snapshot would give two).
It prints a table (throughput, p50/p99 over HTTP and in process) and exits
1 when any request failed or any answer was not from a complete generation.
"""
import argparse
import http.client
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "serve"))
import servelib  # noqa: E402

MARKERS = ("zorglubuno", "zorglubdos")
MAX_REQUESTS_PER_CLIENT = 200000   # a bound besides the time


def queries():
    out = []
    with open(os.path.join(HERE, "queries.txt"), encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if not line.startswith("#") and len(cols) >= 4:
                out.append(cols[1])
    return out


def percentile(v, p):
    if not v:
        return 0.0
    v = sorted(v)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def client_thread(port, paths, deadline, out, lock):
    """One client: one keep-alive connection, requests until the deadline."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    lat, seen, errors = [], [], []
    i = hash(threading.current_thread().name) % len(paths)
    n = 0
    while time.monotonic() < deadline and n < MAX_REQUESTS_PER_CLIENT:
        kind, key, path = paths[i % len(paths)]
        i += 1
        n += 1
        t0 = time.perf_counter()
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read()
            dt = time.perf_counter() - t0
            if r.status != 200:
                errors.append("%s: HTTP %d %s" % (path, r.status, body[:200]))
                continue
            j = json.loads(body)
        except Exception as e:   # every failure is counted and shown
            errors.append("%s: %r" % (path, e))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        lat.append(dt)
        if kind == "stats":
            seen.append((kind, key, j["generation"], j["documents"]))
        else:
            s = j["summary"]
            seen.append((kind, key, s["generation"], s["total"]))
    conn.close()
    with lock:
        out.append((lat, seen, errors))


def client_process(port, paths, deadline, threads, q):
    out, lock = [], threading.Lock()
    ts = [threading.Thread(target=client_thread, args=(port, paths, deadline, out, lock))
          for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    lat, seen, errors = [], [], []
    for a, b, c in out:
        lat += a
        seen += b
        errors += c
    q.put((lat, seen, errors))


def cli_total(indaga, idx, q):
    r = subprocess.run([indaga, "search", "--index", idx, "--json", "-n", "1", "--", q],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in r.stdout.splitlines():
        o = json.loads(line)
        if o.get("type") == "summary":
            return o["total"]
    return 0


def cli_stats(indaga, idx):
    r = subprocess.run([indaga, "stats", "--index", idx, "--json"], stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(r.stdout)


def expected_now(indaga, idx):
    st = cli_stats(indaga, idx)
    return st["generation"], {"documents": st["documents"],
                              MARKERS[0]: cli_total(indaga, idx, MARKERS[0]),
                              MARKERS[1]: cli_total(indaga, idx, MARKERS[1])}


def reindex(indaga, idx, docs, names, marker, add):
    for name in names:
        with open(os.path.join(docs, name), "a", encoding="utf-8") as f:
            f.write("\n\nPárrafo añadido en la reindexación: %s.\n" % marker)
    for k in range(add):
        with open(os.path.join(docs, "nuevo_%s_%d.txt" % (marker, k)), "w", encoding="utf-8") as f:
            f.write("Documento nuevo %d de la reindexación %s.\n" % (k, marker))
    t0 = time.monotonic()
    servelib.index(indaga, idx, docs)
    return time.monotonic() - t0


def in_process(bench_search, idx, qfile, passes):
    r = subprocess.run([bench_search, "latency", idx, qfile, "1", str(passes)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError("bench_search failed: %s" % r.stderr)
    return dict(kv.split("=") for kv in r.stdout.split())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--indaga", required=True)
    ap.add_argument("--bench-search", required=True)
    ap.add_argument("--data", default=os.environ.get("INDAGA_SHARED_DATA",
                                                     os.path.join(HERE, "..", "..", "shared", "data")))
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--processes", type=int, default=4)
    ap.add_argument("--threads", type=int, default=4, help="server threads")
    ap.add_argument("--passes", type=int, default=20, help="in-process passes")
    a = ap.parse_args()
    un = os.path.join(a.data, "un")
    if not os.path.isdir(un):
        print("SKIP: no UN documents at %s (set INDAGA_SHARED_DATA)" % un)
        return 77
    qs = queries()
    tmp = tempfile.mkdtemp(prefix="indaga-load-")
    srv = None
    try:
        docs = os.path.join(tmp, "un")
        shutil.copytree(un, docs)
        idx = os.path.join(tmp, "idx")
        servelib.index(a.indaga, idx, docs)
        qfile = os.path.join(tmp, "queries.txt")
        with open(qfile, "w", encoding="utf-8") as f:
            f.write("\n".join(qs) + "\n")
        inproc = in_process(a.bench_search, idx, qfile, a.passes)

        expected = {}
        g, e = expected_now(a.indaga, idx)
        expected[g] = e
        paths = [("q", q, "/api/search?n=10&q=" + urllib.parse.quote(q)) for q in qs]
        paths += [("m", m, "/api/search?n=10&q=" + m) for m in MARKERS] * 4
        paths += [("stats", "documents", "/api/stats")] * 4

        srv = servelib.Server(a.indaga, idx, threads=a.threads)
        names = sorted(n for n in os.listdir(docs) if n.endswith(".txt"))
        t_start = time.monotonic()
        deadline = t_start + a.seconds
        q = multiprocessing.Queue()
        per = [a.clients // a.processes + (1 if i < a.clients % a.processes else 0) for i in range(a.processes)]
        procs = [multiprocessing.Process(target=client_process, args=(srv.port, paths, deadline, n, q))
                 for n in per if n]
        for p in procs:
            p.start()
        commits = []
        for frac, marker, chosen, add in ((0.25, MARKERS[0], names[0:20], 0), (0.5, MARKERS[1], names[20:40], 5)):
            time.sleep(max(0.0, t_start + frac * a.seconds - time.monotonic()))
            took = reindex(a.indaga, idx, docs, chosen, marker, add)
            g, e = expected_now(a.indaga, idx)
            expected[g] = e
            commits.append((g, took, time.monotonic() - t_start))
        results = [q.get() for _ in procs]
        for p in procs:
            p.join()
        elapsed = time.monotonic() - t_start
        code, _ = srv.stop()
        srv = None

        lat, seen, errors = [], [], []
        for l_, s_, e_ in results:
            lat += l_
            seen += s_
            errors += e_
        bad = []
        per_query = {}
        gens = {}
        for kind, key, gen, val in seen:
            gens[gen] = gens.get(gen, 0) + 1
            if gen not in expected:
                bad.append("generation %d was never committed (%s %s)" % (gen, kind, key))
            elif kind in ("m", "stats"):
                want = expected[gen][key]
                if val != want:
                    bad.append("generation %d: %s gave %d, the generation holds %d" % (gen, key, val, want))
            else:
                per_query.setdefault((key, gen), set()).add(val)
        for (key, gen), vals in per_query.items():
            if len(vals) > 1:
                bad.append("generation %d: %r gave totals %s" % (gen, key, sorted(vals)))
        n = len(lat) + len(errors)
        print("## indaga serve under load (bench/serve_load.py)\n")
        print("%d clients (%d processes) for %.1f s on 127.0.0.1, %d server threads; %d UN documents; "
              "%d queries of bench/queries.txt, 2 marker queries and /api/stats in turn.\n"
              % (a.clients, len(procs), elapsed, a.threads, len(names), len(qs)))
        for g, took, at in commits:
            print("- commit of generation %d at %.1f s (indaga index took %.1f s)" % (g, at, took))
        print("- answers per generation: %s" % ", ".join("%d: %d" % kv for kv in sorted(gens.items())))
        print("- failed requests: %d; answers not from a complete generation: %d; server exit %d\n"
              % (len(errors), len(bad), code))
        print("| | requests/s | p50 | p99 |")
        print("|---|---|---|---|")
        print("| HTTP, %d clients (end to end, client side) | %.0f | %.2f ms | %.2f ms |"
              % (a.clients, len(lat) / elapsed, percentile(lat, 50) * 1e3, percentile(lat, 99) * 1e3))
        print("| in process, 1 thread (bench_search latency, snippets on) | %s | %.2f ms | %.2f ms |"
              % (inproc["qps"], float(inproc["p50_us"]) / 1e3, float(inproc["p99_us"]) / 1e3))
        print(json.dumps({"requests": n, "failed": len(errors), "inconsistent": len(bad),
                          "http_rps": round(len(lat) / elapsed, 1),
                          "http_p50_ms": round(percentile(lat, 50) * 1e3, 3),
                          "http_p99_ms": round(percentile(lat, 99) * 1e3, 3),
                          "inproc": inproc, "generations": gens}))
        for m in (errors + bad)[:20]:
            print("  " + m)
        return 1 if errors or bad or code != 0 or len(gens) < 3 else 0
    finally:
        if srv:
            srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
