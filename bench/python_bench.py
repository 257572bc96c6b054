#!/usr/bin/env python3
"""bench/python_bench.py: what the Python package costs over the C API, and
whether threads searching one index from Python run in parallel.

    python3 bench/python_bench.py --build BUILD [--corpus DIR] [--index DIR]
                                  [--queries FILE] [--passes N] [--rounds N]

BUILD is a CMake build with -DINDAGA_BUILD_BENCH=ON and the targets
indaga_static, bench_search and bench_threads built (bench/README.md). The script builds
the Python package against BUILD's static library into BUILD/python/lib and
imports it from there, so Python and C use the very same library. CORPUS
(default: the UN documents of ../shared/data/un, or $INDAGA_SHARED_DATA/un)
is indexed once into INDEX (default BUILD/python-bench-<corpus name>)
through indaga.Writer when INDEX holds no index yet.

1. Overhead. The queries of bench/queries.txt (column 2, 64 queries), top 10
   with snippets, through the C API (BUILD/bench/bench_search latency: one
   warm-up pass, then PASSES timed passes, each query timed from
   indaga_search() through reading every hit and its snippet to
   indaga_results_free()) and through Python (the same passes, each
   query timed around ix.search(q, n=10), which copies every hit into Python
   objects: strings, code point offsets). The sides alternate ROUNDS times; the figure is the median over rounds of
   each side's p50 (nearest rank), and the ratio Python / C.
2. Threads. One job is PASSES passes over the queries. One Python thread
   runs 4 jobs in turn; then 4 Python threads sharing one Index run one job
   each at once. Each alternates ROUNDS times; the figure is the median
   wall time of each and the ratio (one thread / four threads): 1.0 would
   mean the GIL serialises the searches; the machine's cores bound it.

Prints one block of results (and the machine: cores, load average).
"""
import argparse
import os
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail(msg):
    sys.stderr.write("python_bench.py: %s\n" % msg)
    sys.exit(2)


def build_package(build):
    """Build the package against BUILD's library into BUILD/python/lib; import it."""
    out = os.path.join(build, "python")
    env = dict(os.environ, INDAGA_SOURCE_DIR=REPO, INDAGA_BUILD_DIR=build)
    r = subprocess.run([sys.executable, "setup.py", "-q", "build", "--build-base", os.path.join(out, "build"),
                        "--build-lib", os.path.join(out, "lib")], cwd=os.path.join(REPO, "python"), env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail("building the package failed:\n" + r.stdout + r.stderr)
    sys.path.insert(0, os.path.join(out, "lib"))
    import indaga
    return indaga


def queries(path):
    qs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 4:
                qs.append(cols[1])
    if not qs:
        fail("no queries in %s" % path)
    return qs


def p(sorted_values, q):
    """Nearest-rank percentile q (0-100) of sorted values."""
    k = max(1, -(-len(sorted_values) * q // 100))
    return sorted_values[int(k) - 1]


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def c_latency(bench_search, index, qfile, passes):
    r = subprocess.run([bench_search, "latency", index, qfile, "1", str(passes)], capture_output=True, text=True)
    if r.returncode != 0:
        fail("bench_search failed: " + r.stderr)
    fields = dict(kv.split("=") for kv in r.stdout.split())
    if fields["errors"] != "0":
        fail("bench_search: %s queries failed" % fields["errors"])
    return float(fields["p50_us"]), float(fields["p95_us"])


def py_latency(ix, qs, passes):
    for q in qs:                                    # warm-up pass, untimed
        ix.search(q, n=10)
    lat = []
    clock = time.perf_counter
    for _ in range(passes):
        for q in qs:
            t0 = clock()
            ix.search(q, n=10)
            lat.append((clock() - t0) * 1e6)
    lat.sort()
    return p(lat, 50), p(lat, 95)


def gil_share(ix, qs, passes):
    """An upper bound of the share of ix.search()'s wall time with the GIL
    held: 1 - sum(took_us) / sum(wall). took_us counts only part of the
    library's work (not the snippets, for one), all of it without the GIL."""
    wall = took = 0.0
    clock = time.perf_counter
    for _ in range(passes):
        for q in qs:
            t0 = clock()
            r = ix.search(q, n=10)
            wall += clock() - t0
            took += r.took_us / 1e6
    return max(0.0, 1.0 - took / wall)


def c_threads(bench_threads, index, qfile, passes, nthreads):
    """bench_threads: the same jobs through the C API (one thread, then nthreads)."""
    r = subprocess.run([bench_threads, index, qfile, str(passes), str(nthreads)], capture_output=True, text=True)
    if r.returncode != 0:
        fail("bench_threads failed: " + r.stdout + r.stderr)
    fields = dict(kv.split("=") for kv in r.stdout.split())
    return float(fields["one_s"]), float(fields["threads_s"])


def job(ix, qs, passes, out):
    n = 0
    for _ in range(passes):
        for q in qs:
            n += len(ix.search(q, n=10))
    out.append(n)


def threads_run(ix, qs, passes, nthreads):
    """Wall and CPU time of nthreads threads each running one job at once."""
    out = []
    ts = [threading.Thread(target=job, args=(ix, qs, passes, out)) for _ in range(nthreads)]
    t0, c0 = time.perf_counter(), time.process_time()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.perf_counter() - t0, time.process_time() - c0, out


def one_thread(ix, qs, passes, jobs):
    out = []
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(jobs):
        job(ix, qs, passes, out)
    return time.perf_counter() - t0, time.process_time() - c0, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True, help="a CMake build with -DINDAGA_BUILD_BENCH=ON")
    data = os.environ.get("INDAGA_SHARED_DATA") or os.path.join(os.path.dirname(REPO), "shared", "data")
    ap.add_argument("--corpus", default=os.path.join(data, "un"))
    ap.add_argument("--index")
    ap.add_argument("--queries", default=os.path.join(REPO, "bench", "queries.txt"))
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=4)
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    bench_search = os.path.join(build, "bench", "bench_search")
    bench_threads = os.path.join(build, "bench", "bench_threads")
    for prog in (bench_search, bench_threads):
        if not os.access(prog, os.X_OK):
            fail("no %s: configure with -DINDAGA_BUILD_BENCH=ON and build the targets bench_search and "
                 "bench_threads" % prog)
    corpus = os.path.abspath(a.corpus)
    if not os.path.isdir(corpus):
        fail("no corpus at %s" % corpus)
    index = os.path.abspath(a.index or os.path.join(build, "python-bench-" + os.path.basename(corpus)))
    indaga = build_package(build)

    qs = queries(a.queries)
    qfile = os.path.join(build, "python-bench-queries.txt")
    with open(qfile, "w", encoding="utf-8") as f:
        f.write("".join(q + "\n" for q in qs))

    built = ""
    try:
        indaga.open(index).close()
    except indaga.NoIndexError:
        t0 = time.perf_counter()
        with indaga.Writer(index, full=True) as w:
            rep = w.sync(corpus)
        built = "indexed by indaga.Writer in %.2f s: %d documents, %d paragraphs, %.1f MB" % (
            time.perf_counter() - t0, rep.added, rep.paragraphs, rep.bytes / 1e6)

    with indaga.open(index) as ix:
        st = ix.stats()
        c50, c95, y50, y95 = [], [], [], []
        for _ in range(a.rounds):
            c = c_latency(bench_search, index, qfile, a.passes)
            y = py_latency(ix, qs, a.passes)
            c50.append(c[0]); c95.append(c[1]); y50.append(y[0]); y95.append(y[1])

        held = gil_share(ix, qs, a.passes)
        t1s, t4s, c1s, c4s, r1s, r4s = [], [], [], [], [], []
        for _ in range(a.rounds):
            t1, c1, o1 = one_thread(ix, qs, a.passes, a.threads)
            t4, c4, o4 = threads_run(ix, qs, a.passes, a.threads)
            if sorted(o1) != sorted(o4):
                fail("threads found other hits than one thread: %s vs %s" % (o1, o4))
            t1s.append(t1); t4s.append(t4); c1s.append(c1); c4s.append(c4)
            r1, r4 = c_threads(bench_threads, index, qfile, a.passes, a.threads)
            r1s.append(r1); r4s.append(r4)

    nq = len(qs)
    print("## Python over the C API (bench/python_bench.py)\n")
    print("- machine: %d cores, load average %s at the end; Python %s; libindaga %s (%s)" % (
        os.cpu_count() or 0, " ".join(open("/proc/loadavg").read().split()[:3]) if os.path.exists("/proc/loadavg") else "?",
        sys.version.split()[0], indaga.libversion(), build))
    print("- index: %s (%d documents, %d paragraphs, generation %d)%s" % (
        corpus, st.documents, st.paragraphs, st.generation, "; " + built if built else ""))
    print("- queries: %d of %s, top 10 with snippets, %d timed passes after a warm-up pass, %d rounds" % (
        nq, os.path.relpath(a.queries, REPO), a.passes, a.rounds))
    print()
    print("| per query, us | C API (bench_search) | Python (ix.search) | Python / C |")
    print("|---|---|---|---|")
    print("| p50, median of rounds | %.1f | %.1f | %.2f |" % (median(c50), median(y50), median(y50) / median(c50)))
    print("| p95, median of rounds | %.1f | %.1f | %.2f |" % (median(c95), median(y95), median(y95) / median(c95)))
    print("| p50, each round | %s | %s | |" % (" ".join("%.1f" % v for v in c50), " ".join("%.1f" % v for v in y50)))
    print()
    print("| %d jobs of %d queries (%d passes) | wall s, median | CPU s / wall s | each round (wall) |" % (
        a.threads, nq * a.passes, a.passes))
    print("|---|---|---|---|")
    print("| 1 Python thread, jobs in turn | %.3f | %.2f | %s |" % (
        median(t1s), median(c / t for c, t in zip(c1s, t1s)), " ".join("%.3f" % v for v in t1s)))
    print("| %d Python threads, one Index | %.3f | %.2f | %s |" % (
        a.threads, median(t4s), median(c / t for c, t in zip(c4s, t4s)), " ".join("%.3f" % v for v in t4s)))
    print("| speed-up (1 thread / %d threads) | %.2fx | | each round: %s |" % (
        a.threads, median(t1s) / median(t4s), " ".join("%.2fx" % (x / y) for x, y in zip(t1s, t4s))))
    print("| C API, bench_threads: 1 thread, jobs in turn | %.3f | | %s |" % (
        median(r1s), " ".join("%.3f" % v for v in r1s)))
    print("| C API, bench_threads: %d threads, one index | %.3f | | %s |" % (
        a.threads, median(r4s), " ".join("%.3f" % v for v in r4s)))
    print("| C API speed-up, the reference (same rounds) | %.2fx | | each round: %s |" % (
        median(r1s) / median(r4s), " ".join("%.2fx" % (x / y) for x, y in zip(r1s, r4s))))
    print()
    cores = os.cpu_count() or 1
    print("GIL held per ix.search(): at most %.1f%% of its wall time (the time outside took_us); "
          "Amdahl's bound for %d threads on %d cores with that share: %.2fx." % (
              100 * held, a.threads, cores, 1 / (held + (1 - held) / min(cores, a.threads))))


if __name__ == "__main__":
    main()
