"""Fixtures of the indaga Python tests.

The tests import the indaga package found first on sys.path (run.sh puts
the one it built there) and find:
  - the indaga tree: $SRCDIR, else two levels above this file;
  - the command: $INDAGA, else SRCDIR/build/indaga (tests comparing with the
    command skip, saying so, when there is none);
  - the UN documents: $INDAGA_SHARED_DATA/un, else SRCDIR/../shared/data/un
    (tests over them skip, saying so, when absent).
"""
import os
import subprocess

import pytest

import indaga

SRCDIR = os.path.abspath(os.environ.get("SRCDIR") or os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(SRCDIR, "corpus")


def _cli():
    path = os.environ.get("INDAGA") or os.path.join(SRCDIR, "build", "indaga")
    return path if os.access(path, os.X_OK) else None


def _un():
    data = os.environ.get("INDAGA_SHARED_DATA") or os.path.join(SRCDIR, "..", "shared", "data")
    un = os.path.join(data, "un")
    return un if os.path.isdir(un) else None


@pytest.fixture(scope="session")
def cli():
    path = _cli()
    if not path:
        pytest.skip("no indaga command (set INDAGA, or build SRCDIR/build/indaga)")
    return path


def cli_index(cli, index, *roots):
    """Index @roots into @index with the command."""
    r = subprocess.run([cli, "index", "--index", str(index), *roots], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, cli):
    """An index of corpus/ made by the command."""
    d = tmp_path_factory.mktemp("corpus") / "idx"
    cli_index(cli, d, CORPUS)
    return str(d)


@pytest.fixture(scope="session")
def un_index(tmp_path_factory, cli):
    """An index of the UN documents of the shared data, made by the command."""
    un = _un()
    if not un:
        pytest.skip("no UN documents (INDAGA_SHARED_DATA/un or ../shared/data/un beside the tree)")
    d = tmp_path_factory.mktemp("un") / "idx"
    cli_index(cli, d, un)
    return str(d)


@pytest.fixture
def ix(corpus_index):
    with indaga.open(corpus_index) as index:
        yield index
