"""Whether a server is serving a data directory. Each server process holds a shared `flock` on
`<data>/.serving` while it runs; `lumadb db delete`, which removes files from under it, takes
it exclusively and refuses while a server holds it. (A database deleted under a running server
went on taking writes into the deleted file, and its next request made it again, empty: the
server's `DELETE /v1/namespaces/:ns` is the way then.) `flock` locks belong to the open file,
so no other descriptor of this file closing can drop them, unlike SQLite's POSIX locks."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".serving"


def hold(root: Path) -> int:
    """Mark `root` as served for as long as the returned descriptor stays open (`let_go`)."""
    fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    fcntl.flock(fd, fcntl.LOCK_SH)  # waits out a `lumadb db` change under way
    return fd


def let_go(fd: int) -> None:
    os.close(fd)


@contextmanager
def unserved(root: Path) -> Iterator[bool]:
    """True, for the duration, when no server is serving `root` (none can start meanwhile)."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
