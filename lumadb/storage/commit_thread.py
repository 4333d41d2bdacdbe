"""The thread that runs the loop writer's COMMITs, fsync included, where the kernel cannot sync
the WAL asynchronously (wal_sync.py): the loop goes on serving requests meanwhile."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("lumadb.storage")

Commit = Callable[[], "BaseException | None"]


class CommitThread:
    """A queue and a loop. A ThreadPoolExecutor adds a Future, its locks and callbacks to every
    commit (PutItem at 16 connections: +2-4% without)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self.last_error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="lumadb-commit", daemon=True)
        self._thread.start()

    def commit(self, loop: asyncio.AbstractEventLoop, commit: Commit, done: Callable[..., None], group: Any) -> None:
        """`commit()` (its error, or None), then `done(loop, group, error)` on the loop."""
        self._jobs.put((loop, commit, done, group))

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            loop, commit, done, group = job
            try:
                error = commit()
            except BaseException as exc:  # a bug: fail the group, but keep committing the next
                log.exception("commit failed")
                error = exc
            self.last_error = error
            try:
                loop.call_soon_threadsafe(done, loop, group, error)
            except RuntimeError:  # the loop is closed: the loop writer's close() finishes the group
                pass

    def shutdown(self) -> None:
        self._jobs.put(None)
        self._thread.join()
