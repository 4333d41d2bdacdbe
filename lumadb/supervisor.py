"""With `--workers N`, uvicorn's supervising process starts the workers, and nothing ended them
when it died without its own shutdown (`kill -9`, the OOM killer): they went on serving the
port and holding the data files, so a restart on that port failed ("address already in use")
and `lumadb db delete` found a server running. Each worker now asks the kernel for a SIGTERM
when its parent exits, which uvicorn takes as a graceful shutdown (requests in flight are
answered, the databases closed)."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys

log = logging.getLogger("lumadb")

SUPERVISOR_PID_VARIABLE = "LUMADB_SUPERVISOR_PID"  # set by `lumadb serve` for its workers
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def end_with_supervisor() -> None:
    """In a worker process: end when the supervisor does (Linux), and at once if it already has."""
    text = os.environ.get(SUPERVISOR_PID_VARIABLE)
    if not text:
        return
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            log.warning("cannot ask to end with the supervising process: %s", os.strerror(ctypes.get_errno()))
    if os.getppid() != int(text):  # it died before the request above: no signal will come
        log.warning("the supervising process %s is gone; this worker ends", text)
        os.kill(os.getpid(), signal.SIGTERM)
