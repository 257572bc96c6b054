"""servelib.py: start and stop `indaga serve` for the tests and the load bench.

The server listens on 127.0.0.1 port 0 (a free port the kernel picks) and
prints "indaga serve: listening on http://127.0.0.1:PORT/"; the tests read
that line. Only 127.0.0.1 is ever used.
"""
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request


class Server:
    """A running `indaga serve --index INDEX` on a free loopback port (INDEX a
    list: `--index A --index B ...`, several indexes served as one)."""

    def __init__(self, indaga, index, threads=4, env=None):
        indexes = [index] if isinstance(index, str) else list(index)
        self.proc = subprocess.Popen(
            [indaga, "serve"] + [a for d in indexes for a in ("--index", d)] +
            ["--listen", "127.0.0.1:0", "--threads", str(threads)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = self.proc.stdout.readline()
        m = re.match(r"indaga serve: listening on http://127\.0\.0\.1:(\d+)/$", line.strip())
        if not m:
            self.proc.kill()
            raise RuntimeError("indaga serve did not start: %r %s" % (line, self.proc.stderr.read()))
        self.port = int(m.group(1))
        self.base = "http://127.0.0.1:%d" % self.port

    def get(self, path, timeout=30):
        """(status, headers, body bytes) of GET path; HTTP errors are answers too."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def json(self, path):
        """(status, decoded JSON) of GET path."""
        status, _, body = self.get(path)
        return status, json.loads(body.decode("utf-8"))

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Signal the server, wait for it; returns (exit status, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("indaga serve did not stop within %d s of the signal" % timeout)
        return self.proc.returncode, self.proc.stderr.read()


def index(indaga, index_dir, *paths):
    """Run `indaga index --index DIR PATH...`; raises unless it exits 0 or 5."""
    r = subprocess.run([indaga, "index", "--index", index_dir] + list(paths),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode not in (0, 5):
        raise RuntimeError("indaga index failed (%d): %s" % (r.returncode, r.stderr))
    return r


def wait_until(pred, seconds=10.0, step=0.05):
    """Poll pred() until it is true or seconds pass; returns its last value.
    A connection error (the server still busy closing connections) is a false."""
    end = time.monotonic() + seconds
    while True:
        try:
            v = pred()
        except OSError:
            v = False
        if v or time.monotonic() > end:
            return v
        time.sleep(step)


def env_or_skip(name):
    v = os.environ.get(name)
    if not v:
        raise SystemExit("SKIP: %s is not set (run through ctest)" % name)
    return v
