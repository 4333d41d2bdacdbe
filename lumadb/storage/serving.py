"""Whether a server is serving a data directory, and that only one server does (`claim`).

Each server process holds a shared `flock` on `<data>/.serving` while it runs; `lumadb db
delete`, which removes files from under it, takes it exclusively and refuses while a server
holds it. (A database deleted under a running server went on taking writes into the deleted
file, and its next request made it again, empty: the server's `DELETE /v1/namespaces/:ns` is
the way then.) `flock` locks belong to the open file, so no other descriptor of this file
closing can drop them, unlike SQLite's POSIX locks."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".serving"
SERVER_LOCK_NAME = ".server"


def _open(root: Path, name: str) -> int:
    return os.open(root / name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)


class DirectoryServed(Exception):
    """Another `lumadb serve` serves the directory; the message names its process."""


def claim(root: Path) -> int:
    """Make this `lumadb serve` (the supervising process with `--workers N`) the one server of
    `root`, for as long as the process lives. A second server on the same directory would keep
    its own view of what the first changes (a DynamoDB table the other made is not found until
    a restart) and neither would take turns with the other's writers: it is refused. The lock
    goes with the process, `kill -9` included."""
    root.mkdir(parents=True, exist_ok=True)
    fd = _open(root, SERVER_LOCK_NAME)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        raise DirectoryServed(f"{root} is served by another lumadb server (process {holder}); run one server "
                              "per data directory, with --workers N for more processes") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def hold(root: Path) -> int:
    """Mark `root` as served for as long as the returned descriptor stays open (`let_go`)."""
    fd = _open(root, LOCK_NAME)
    fcntl.flock(fd, fcntl.LOCK_SH)  # waits out a `lumadb db` change under way
    return fd


def let_go(fd: int) -> None:
    os.close(fd)


@contextmanager
def unserved(root: Path) -> Iterator[bool]:
    """True, for the duration, when no server is serving `root` (none can start meanwhile)."""
    root.mkdir(parents=True, exist_ok=True)
    fd = _open(root, LOCK_NAME)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
