"""fdatasync of a WAL file by the kernel (Linux AIO, `IOCB_CMD_FDSYNC`), its completion an
event on the asyncio loop.

Why not a thread: the COMMIT's fsync ran on a thread of ours, and every group paid for its
wake-ups, GIL hand-offs and the context switches they bring (0.8 per PutItem on one core).
An AIO fsync runs on a kernel worker and signals an eventfd the loop already polls: no Python
thread takes part. PutItem at 16 connections +4-7%, measured side by side (bench/README.md).

Plain system calls through ctypes (no libaio): x86-64 and arm64 only; elsewhere, or when the
kernel refuses (AIO disabled, a sandbox without it), `open` returns None and the caller keeps
its thread.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import platform
import queue
import struct
import sys
import threading
import time
from collections.abc import Callable

from lumadb import idle_poll

log = logging.getLogger("lumadb.storage")

# io_setup, io_destroy, io_getevents, io_submit
_SYSCALLS = {"x86_64": (206, 207, 208, 209), "aarch64": (0, 1, 4, 2), "arm64": (0, 1, 4, 2)}
_IOCB = struct.Struct("<QIIHhIQQqQII")  # struct iocb (little-endian), 64 bytes
_EVENT = struct.Struct("<QQqq")  # struct io_event: data, obj, res, res2
_IOCB_CMD_FDSYNC = 3
_IOCB_FLAG_RESFD = 1  # signal aio_resfd (an eventfd) on completion

_ONE = ctypes.c_long(1)
_SPIN_LONGEST = 0.002  # seconds of polling for one sync, then a plain wait
_clock = time.perf_counter

Done = Callable[[OSError | None], None]


# `io_destroy` waits for the kernel (an RCU grace period: ~30 ms each on this machine's kernel),
# and closing the eventfd and the file takes ~0.7 ms more: a server letting go of a few hundred
# idle databases stalled its event loop for seconds. With nothing in flight and the loop no
# longer reading the eventfd, that is done on daemon threads instead (up to 4, so that the
# waits overlap; each ends after a second without work); at exit the kernel frees the rest.
_RETIRING_THREADS = 4
_Retired = tuple[Callable[..., int], ctypes.c_long, int, tuple[int, ...]]
_retiring: queue.SimpleQueue[_Retired] = queue.SimpleQueue()
_retiring_lock = threading.Lock()
_retiring_running = 0


def _retire(syscall: Callable[..., int], destroy: ctypes.c_long, ctx: int, fds: tuple[int, ...]) -> None:
    global _retiring_running
    _retiring.put((syscall, destroy, ctx, fds))
    with _retiring_lock:
        if _retiring_running < _RETIRING_THREADS:
            _retiring_running += 1
            threading.Thread(target=_destroy_retired, name="lumadb-aio-destroy", daemon=True).start()


def _destroy_retired() -> None:
    global _retiring_running
    while True:
        try:
            syscall, destroy, ctx, fds = _retiring.get(timeout=1.0)
        except queue.Empty:
            with _retiring_lock:  # (a context queued before this check is seen by it)
                if _retiring.empty():
                    _retiring_running -= 1
                    return
            continue
        for fd in fds:
            os.close(fd)
        if ctx:
            syscall(destroy, ctypes.c_ulong(ctx))


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


_NO_WAIT = _Timespec(0, 0)


class WalSync:
    """One fdatasync in flight at a time; `done(error)` runs on the loop when it completes."""

    @classmethod
    def open(cls, loop: asyncio.AbstractEventLoop, path: str) -> WalSync | None:
        """A WalSync for the file, or None where the kernel cannot sync it asynchronously."""
        numbers = _SYSCALLS.get(platform.machine())
        if not sys.platform.startswith("linux") or numbers is None:
            return None
        try:
            sync = cls(loop, path, numbers)
        except OSError as exc:
            log.info("asynchronous fsync unavailable (%s): commits sync on a thread", exc)
            return None
        try:
            sync._probe()  # EINVAL here on kernels before 4.18 (no AIO fsync)
        except OSError as exc:
            log.info("asynchronous fsync unavailable (%s): commits sync on a thread", exc)
            sync.close()
            return None
        return sync

    def __init__(self, loop: asyncio.AbstractEventLoop, path: str, numbers: tuple[int, int, int, int]) -> None:
        self._syscall = ctypes.CDLL(None, use_errno=True).syscall
        self._syscall.restype = ctypes.c_long
        # syscall() is variadic: every integer goes as a C long (register width), not an int
        self._setup, self._destroy, self._getevents, self._submit = (ctypes.c_long(n) for n in numbers)
        self.loop = loop
        self._loop_thread = threading.get_ident()  # opened by the loop's writer, on the loop
        self._ctx = ctypes.c_ulong(0)
        self._fd = self._efd = -1
        self._reading = False
        self._done: Done | None = None  # set while a sync is in flight
        self._events = ctypes.create_string_buffer(_EVENT.size)
        try:
            self._call(self._setup, ctypes.c_long(4), ctypes.byref(self._ctx))
            self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)  # fdatasync needs no write access
            self._efd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        except OSError:
            self.close()
            raise
        self._iocb = ctypes.create_string_buffer(_IOCB.size)
        _IOCB.pack_into(self._iocb, 0, 0, 0, 0, _IOCB_CMD_FDSYNC, 0, self._fd, 0, 0, 0, 0, _IOCB_FLAG_RESFD, self._efd)
        self._iocbs = (ctypes.c_void_p * 1)(ctypes.addressof(self._iocb))

    def _call(self, number: ctypes.c_long, *args: object) -> int:
        result = self._syscall(number, *args)
        if result < 0:
            errno = ctypes.get_errno()
            raise OSError(errno, os.strerror(errno))
        return int(result)

    def _probe(self) -> None:
        self._call(self._submit, self._ctx, _ONE, self._iocbs)
        error = self._reap(timeout=10.0)
        if error is not None:
            raise error
        os.eventfd_read(self._efd)  # the probe's signal, so that the first wake-up is real

    def start(self, done: Done) -> None:
        """Sync the file; `done(None)`, or `done(error)`, on the loop once the disk has it."""
        assert self._done is None, "one sync at a time"
        if not self._reading:
            self.loop.add_reader(self._efd, self._completed)
            self._reading = True
        try:
            self._call(self._submit, self._ctx, _ONE, self._iocbs)
        except OSError as exc:  # the kernel would not queue it: sync here rather than fail writes
            log.warning("asynchronous fsync refused (%s): synced in place", exc)  # already committed
            done(self.sync_now())
            return
        self._done = done

    def sync_now(self) -> OSError | None:
        """Sync right here (no sync may be in flight); the error, if it fails.

        The kernel's worker runs the sync while this thread polls for its completion, yielding
        the core at each poll (to that worker, on the same core): blocked in `fdatasync`, the
        vCPU halted and the disk's interrupt had to wake it, ~20 µs of every lone write on this
        machine's virtual machine (p50 183 -> 163 µs per sync; PutItem at 1 connection +17%,
        UpdateItem +11%, side by side). Not while a thread of ours works (a checkpoint: the GIL
        would go back and forth at each poll), nor with idle polling turned off."""
        if idle_poll.may_poll(self.loop):
            try:
                self._call(self._submit, self._ctx, _ONE, self._iocbs)
            except OSError:
                pass  # synced in place below
            else:
                return self._spin()
        try:
            os.fdatasync(self._fd)
        except OSError as exc:
            return exc
        return None

    def _spin(self) -> OSError | None:
        started = _clock()
        try:
            while _clock() - started < _SPIN_LONGEST:
                if self._call(self._getevents, self._ctx, _ONE, _ONE, self._events, ctypes.byref(_NO_WAIT)) == 1:
                    break
                idle_poll.yield_core()
            else:
                return self._reap(timeout=60.0)  # a slow disk: wait without polling
            return self._outcome()
        except OSError as exc:
            return exc
        finally:
            try:
                os.eventfd_read(self._efd)  # its signal: the loop's reader should not wake for it
            except BlockingIOError:
                pass

    def _completed(self) -> None:
        try:
            os.eventfd_read(self._efd)
        except BlockingIOError:  # woken without a completion: nothing to do
            return
        try:
            error = self._reap(timeout=0.0)
        except TimeoutError:
            return
        except OSError as exc:
            error = exc
        done, self._done = self._done, None
        if done is not None:
            done(error)

    def _reap(self, timeout: float) -> OSError | None:
        """The completed sync's outcome, waiting up to `timeout` seconds for it."""
        wait = _Timespec(int(timeout), int(timeout % 1 * 1e9))
        if self._call(self._getevents, self._ctx, _ONE, _ONE, self._events, ctypes.byref(wait)) != 1:
            raise TimeoutError("fdatasync did not complete")
        return self._outcome()

    def _outcome(self) -> OSError | None:
        """The reaped sync's result: None, or the error it failed with."""
        result = _EVENT.unpack_from(self._events)[2]
        return OSError(-result, f"fdatasync: {os.strerror(-result)}") if result < 0 else None

    def close(self) -> OSError | None:
        """Wait for the sync in flight, if any, and return its outcome; release everything.
        Its `done` does not run: the loop may be gone."""
        outcome = None
        if self._done is not None:
            self._done = None
            try:
                outcome = self._reap(timeout=60.0)
            except OSError as exc:
                outcome = exc
        efd, fds, ctx = self._efd, tuple(fd for fd in (self._fd, self._efd) if fd >= 0), self._ctx.value
        reading, self._reading = self._reading, False
        self._fd = self._efd = -1
        self._ctx.value = 0
        if reading and threading.get_ident() != self._loop_thread:
            # closed on another thread (a database deleted on a worker thread): the loop's readers
            # are the loop's to change (libuv's are not thread-safe); it lets go, then retires
            try:
                self.loop.call_soon_threadsafe(self._stop_reading, efd, fds, ctx)
                return outcome
            except RuntimeError:  # the loop is closed: nothing reads the eventfd any more
                reading = False
        if reading:
            self._stop_reading(efd, fds, ctx)
        elif fds or ctx:
            _retire(self._syscall, self._destroy, ctx, fds)
        return outcome

    def _stop_reading(self, efd: int, fds: tuple[int, ...], ctx: int) -> None:
        """Take the eventfd off the loop, then retire what `close` left (on the loop)."""
        try:
            self.loop.remove_reader(efd)
        except RuntimeError:  # the loop is closed
            pass
        if fds or ctx:
            _retire(self._syscall, self._destroy, ctx, fds)
