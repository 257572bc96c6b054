"""Writing: Writer and SyncReport."""
from __future__ import annotations

import os
from typing import Callable, NamedTuple, Optional, Union

from . import _indaga

__all__ = ["Writer", "SyncReport", "ProgressCallback", "WarningCallback", "ChangeCallback"]

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
#: progress(files_done, files_total, bytes_done, bytes_total)
ProgressCallback = Callable[[int, int, int, int], object]
#: on_warning(path, message): a file skipped or repaired
WarningCallback = Callable[[str, str], object]
#: on_change(change, doc): in a dry run, "add", "update" or "remove" for a document
ChangeCallback = Callable[[str, str], object]


class SyncReport(NamedTuple):
    """What :meth:`Writer.sync` did (``indaga index``'s summary)."""

    added: int
    updated: int
    removed: int
    unchanged: int
    skipped: int
    paragraphs: int  #: paragraphs indexed by this run
    bytes: int       #: bytes read by this run


class Writer(_indaga.Writer):
    """The single writer of the index in directory ``path`` (created if needed).

    ``Writer(path, *, wait=False, full=False, prune=False, add_roots=False,
    dry_run=False, threads=0, memory=0, progress=None, on_warning=None,
    on_change=None)``:

    - ``wait``: wait for another writer to finish instead of raising BusyError;
    - ``full``: start from an empty index (a rebuild, ``indaga index --full``);
    - ``prune``, ``add_roots``: the index records the roots it was synced
      from, and a :meth:`sync` with other roots raises RefusedError, changing
      nothing, unless ``prune`` (its roots replace the recorded ones; documents
      under none are removed) or ``add_roots`` (they join the recorded ones);
    - ``dry_run``: :meth:`sync` reports what it would change (and calls
      ``on_change(change, doc)`` with "add", "update" or "remove" for each
      document) and nothing is committed;
    - ``threads``: analysis threads (0: one per core, at most 8);
    - ``memory``: the memory budget in bytes (0: the library's 256 MiB);
    - ``progress(files_done, files_total, bytes_done, bytes_total)``: called
      during long work, possibly from the library's threads;
    - ``on_warning(path, message)``: called for each file skipped or repaired
      (they are also kept in ``writer.warnings``).

    An exception raised by a callback is raised when the library call
    returns (the library cannot be stopped mid-call). Changes become visible
    to readers only at :meth:`commit`. As a context manager it commits when
    the block ends normally and discards uncommitted changes when it raises
    (as sqlite3 does); either way it closes and releases the lock.

    Every call releases the GIL; one Writer serves one thread at a time (a
    call while another thread's is running raises RuntimeError).
    """

    __slots__ = ()

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None and not self.closed:
                self.commit()
        finally:
            self.close()

    def sync(self, *roots: PathLike) -> SyncReport:
        """Bring the index in line with the trees under ``roots`` (directories
        and files, as ``indaga index PATH...``): add new files, replace changed
        ones, delete documents under none of the roots. A document id is its
        path relative to its directory (a file's, its name); with several
        directories each id starts with its directory's name. Files that
        cannot be read are skipped with a warning."""
        return SyncReport(*self._sync(*roots))

    def __repr__(self) -> str:
        return "<indaga.Writer%s>" % (" closed" if self.closed else "")
