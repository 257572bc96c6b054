"""Threads: readers during a writer's commits, many threads on one Index, close under them."""
import threading
import time

import pytest

import indaga


def test_writer_and_readers(tmp_path):
    """A writer commits one document at a time; readers refresh and search
    meanwhile. Every snapshot a reader sees is whole: the hits of a word every
    document holds are exactly the snapshot's documents."""
    d = str(tmp_path / "idx")
    with indaga.Writer(d) as w:
        w.add("doc0.txt", "marcador común del documento 0")
    commits = 40
    errors = []
    stop = threading.Event()
    seen = []

    def writer():
        try:
            with indaga.Writer(d, wait=True) as w:
                for i in range(1, commits + 1):
                    w.add("doc%d.txt" % i, "marcador común del documento %d" % i)
                    w.commit()
        except Exception as e:          # reported below
            errors.append(e)
        finally:
            stop.set()

    def reader():
        try:
            with indaga.open(d) as ix:
                while True:
                    done = stop.is_set()
                    ix.refresh()
                    res = ix.search("marcador", n=1000)
                    docs = ix.stats().documents
                    assert res.total == len(res) == docs, (res.total, len(res), docs)
                    assert sorted(h.doc for h in res) == sorted("doc%d.txt" % i for i in range(docs))
                    seen.append(docs)
                    if done:
                        break
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert max(seen) == commits + 1


def test_threads_share_one_index(corpus_index):
    queries = ["combatientes terroristas extranjeros", "seguridad", "informacion", "terroris*",
               '"Consejo de Seguridad"', "año", "derechos humanos", "financiacion del terrorismo"]
    ix = indaga.open(corpus_index)
    want = {q: [(h.doc, h.paragraph, h.snippet, h.highlights) for h in ix.search(q, n=20)] for q in queries}
    errors = []

    def run():
        try:
            for _ in range(30):
                for q in queries:
                    got = [(h.doc, h.paragraph, h.snippet, h.highlights) for h in ix.search(q, n=20)]
                    assert got == want[q], q
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ix.close()


def test_close_while_searching(corpus_index):
    """close() while other threads search: their searches in flight finish on
    the snapshot (kept alive by them), later ones raise ValueError, and every
    hit stays readable."""
    ix = indaga.open(corpus_index)
    started = threading.Barrier(5)
    results, errors = [], []

    def run():
        started.wait()
        try:
            while True:
                results.append(ix.search("seguridad", n=50, context=1))
        except ValueError as e:
            assert "closed index" in str(e)
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    started.wait()
    while len(results) < 20:
        time.sleep(0.001)
    ix.close()
    for t in threads:
        t.join()
    assert errors == [] and results
    first = [(h.doc, h.paragraph) for h in results[0]]
    for r in results:
        assert [(h.doc, h.paragraph) for h in r] == first
        for h in r:
            assert h.snippet and all(h.snippet[a:b] for a, b in h.highlights)


def test_writer_serves_one_thread_at_a_time(tmp_path):
    """A call while another thread's call is in the library raises RuntimeError
    (the C writer belongs to one thread at a time); the first call completes."""
    from conftest import CORPUS
    tried = threading.Event()
    outcome = []

    def progress(*args):
        if not tried.is_set():
            tried.wait(60)            # hold sync() in the library until the main thread tried

    w = indaga.Writer(str(tmp_path / "idx"), progress=progress)
    t = threading.Thread(target=lambda: outcome.append(w.sync(CORPUS)))
    t.start()
    while not outcome and not tried.is_set():
        try:
            assert w.commit() == 0    # sync() had not entered the library yet: nothing to commit
        except RuntimeError as e:
            assert "in use by another thread" in str(e)
            tried.set()
        else:
            time.sleep(0.001)
    t.join()
    assert tried.is_set() and outcome[0].added == 89
    assert w.commit() == 1
    w.close()


def test_gil_released_while_the_library_waits(tmp_path):
    """A thread waiting in the library (Writer(wait=True) for the lock another
    writer holds) leaves this thread running Python: were the GIL held, this
    thread could never close the first writer and both would hang."""
    d = str(tmp_path / "idx")
    first = indaga.Writer(d)
    second = []
    t = threading.Thread(target=lambda: second.append(indaga.Writer(d, wait=True)))
    t.start()
    time.sleep(0.2)                   # let the thread enter the library's wait
    assert not second                 # it waits for the lock...
    first.add("a.txt", "mientras el otro espera")
    assert first.commit() == 1        # ...while this thread works
    first.close()
    t.join(120)
    assert not t.is_alive() and second
    second[0].close()


def test_gil_released_inside_search(corpus_index):
    """With forced GIL switching off (a switch interval of 1000 s), another
    Python thread can run only when this one releases the GIL of its own
    accord: here, only inside the library's search. That thread runs, so
    search() releases the GIL; with the release taken out of index.c the
    thread never runs in the loop and the test fails."""
    import sys
    ix = indaga.open(corpus_index)
    go = threading.Event()
    ran = []
    t = threading.Thread(target=lambda: (go.wait(), ran.append(True)))
    t.start()                         # waits in go.wait(), the GIL free
    old = sys.getswitchinterval()
    sys.setswitchinterval(1000)
    try:
        go.set()                      # runnable now, but this thread keeps the GIL...
        for _ in range(20000):
            ix.search("combatientes terroristas extranjeros")   # ...except in here
            if ran:
                break
        seen = bool(ran)
    finally:
        sys.setswitchinterval(old)
    t.join()
    ix.close()
    assert seen
