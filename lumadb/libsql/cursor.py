"""`POST /v3/cursor`: a batch whose results come back as JSON lines (Hrana 3).

Line 1 is `{"baton", "base_url"}`, then `step_begin` / `row` / `step_end` for each step
that ran, `step_error` for a step that failed, nothing for a skipped step, and `error`
when the batch could not run at all. Unlike sqld, `last_insert_rowid` is a string (as the
spec and @libsql/hrana-client expect) and there is no `replication_index` line.

A cursor has no size limit, so its rows cannot all be held: a batch runs the quick ways a
pipeline's does while its results stay under `HELD_CURSOR_BYTES` (answered whole), and past
that (MustStream: nothing of the attempt stayed) on the stream's own connection, on its thread,
its lines sent as they come (`run_streamed`), that thread waiting while the client reads
behind. Memory stays flat however many rows the statement makes, as on sqld.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
import time
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.http import Request, Response
from lumadb.libsql.batch import Step, StepSpec, batch_result, parse_batch, play, to_program
from lumadb.libsql.errors import CORS_HEADERS, HranaError, StmtError
from lumadb.libsql.pipeline import load_json, open_stream, parse_baton, run_stream_batch
from lumadb.libsql.response_size import HELD_CURSOR_BYTES, MustStream, ResponseBudget
from lumadb.libsql.stmt import Access, Query, required, run_query
from lumadb.libsql.streams import Stream, StreamElsewhere
from lumadb.libsql.values import encode_row
from lumadb.storage.sqlite import apsw

if TYPE_CHECKING:
    from lumadb.libsql.frontend import LibsqlFrontEnd

_CHUNK_BYTES = 64 * 1024  # lines handed to the event loop at a time
_CHUNKS_AHEAD = 4  # chunks handed over and not yet taken: the most a cursor holds


def cursor_entries(result: dict[str, Any]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for index, (step, error) in enumerate(zip(result["step_results"], result["step_errors"], strict=True)):
        if error is not None:
            entries.append({"type": "step_error", "step": index, "error": error})
        elif step is not None:
            entries.append({"type": "step_begin", "step": index, "cols": step["cols"]})
            entries.extend({"type": "row", "row": row} for row in step["rows"])
            entries.append(_step_end(step))
    return entries


def _step_end(result: dict[str, Any]) -> dict[str, Any]:
    return {"type": "step_end", "affected_row_count": result["affected_row_count"],
            "last_insert_rowid": result["last_insert_rowid"]}


async def handle_cursor(front: LibsqlFrontEnd, request: Request) -> Response:
    context = await front.context(request)
    body = load_json(request.body)
    if not isinstance(body, dict):
        raise HranaError.json("invalid type, expected struct CursorReqBody")
    baton = parse_baton(body)
    specs = parse_batch(required(body, "batch"))
    try:
        stream = open_stream(front, context, baton)
    except StreamElsewhere as elsewhere:
        return await front.pass_on(elsewhere, request)
    try:
        if stream.closed:
            raise HranaError.stream_closed()
        run = await start_cursor(stream, specs, stream.sqls, 3, context.access)
        if run.output is not None:
            head = {"baton": front.streams.next_baton(stream), "base_url": None}
            return Response(200, orjson.dumps(head) + b"\n", b"text/plain", list(CORS_HEADERS),
                            more=_rest(front, stream, run.output))
    except BaseException:
        await front.streams.discard(stream)
        raise
    stream.turn_over()
    head = {"baton": front.streams.release(stream), "base_url": None}
    lines = [orjson.dumps(head), *run.lines]
    return Response(200, b"\n".join(lines) + b"\n", b"text/plain", list(CORS_HEADERS))


async def _rest(front: LibsqlFrontEnd, stream: Stream, output: CursorOutput) -> AsyncGenerator[bytes, None]:
    """The lines after the first, as the stream's thread makes them; the stream goes back for
    its next request once they are all written, and is dropped if the client goes first."""
    finished = False
    try:
        while (lines := await output.next_lines()) is not None:
            yield b"\n".join(lines) + b"\n"
        finished = True
    finally:
        if finished:
            stream.turn_over()
            front.streams.release(stream)
        else:
            await output.stop()
            await front.streams.discard(stream)


@dataclasses.dataclass(slots=True)
class CursorRun:
    """A cursor's batch once it has started: its lines whole, or an `output` they come from."""

    lines: list[bytes]
    output: CursorOutput | None = None


async def start_cursor(stream: Stream, specs: list[StepSpec], sqls: dict[int, str], version: int,
                       access: Access) -> CursorRun:
    """Run the batch the quick ways while its results stay small, else on the stream's thread
    (its lines then come from `output`, which the caller reads to the end or stops)."""
    try:
        program = to_program(specs, sqls, version, ResponseBudget(HELD_CURSOR_BYTES, MustStream))
    except StmtError as exc:
        return CursorRun([orjson.dumps({"type": "error", "error": exc.as_dict()})])
    ran: list[CursorRun] = []  # what the stream's thread made of it, if it ran there

    async def on_thread(stream: Stream, program: list[Step], access: Access) -> dict[str, Any]:
        output = CursorOutput(asyncio.get_running_loop())
        batch = output.batch = stream.start_on_connection(run_streamed, program, access, stream, output)
        batch.add_done_callback(lambda _: _decide(output.decided, False))
        if await output.decided:
            ran.append(CursorRun([], output))
        else:  # over before its first chunk: answered whole
            await batch  # (its failure, if any)
            ran.append(CursorRun(output.lines))
        return batch_result([], [])

    try:
        result = await run_stream_batch(stream, program, access, on_thread=on_thread)
    except StmtError as exc:
        return CursorRun([orjson.dumps({"type": "error", "error": exc.as_dict()})])
    if ran:
        return ran[0]
    return CursorRun([orjson.dumps(entry) for entry in cursor_entries(result)])


class _Abandoned(Exception):
    """The client went away: the statement stops where it is."""


class CursorOutput:
    """The lines of a cursor, from the stream's thread to the event loop, a chunk at a time;
    the thread waits while `_CHUNKS_AHEAD` chunks are not yet taken."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.batch: asyncio.Future | None = None  # the batch under way on the stream's thread
        # whether its answer is sent as it comes (True, at its first chunk) or whole (False, at
        # its end: a batch on the stream's thread whose lines never reached _CHUNK_BYTES)
        self.decided: asyncio.Future[bool] = loop.create_future()
        self.ready: asyncio.Queue[list[bytes] | None] = asyncio.Queue()
        self.room: threading.Semaphore | None = None  # (made with the first chunk)
        self.lines: list[bytes] = []
        self.size = 0
        self.abandoned = False

    # -- on the stream's thread ------------------------------------------------------
    def put(self, entry: dict[str, Any], clock: Any) -> None:
        line = orjson.dumps(entry)
        self.lines.append(line)
        self.size += len(line) + 1
        if self.size >= _CHUNK_BYTES:
            self.flush(clock)

    def flush(self, clock: Any) -> None:
        if not self.lines:
            return
        if self.room is None:  # the first chunk: the answer is sent as it comes
            self.room = threading.Semaphore(_CHUNKS_AHEAD)
            self.loop.call_soon_threadsafe(_decide, self.decided, True)
        chunk, self.lines = self.lines, []
        self.size = 0
        if not self.room.acquire(blocking=False):
            # the client reads behind: wait, the statement's time limit standing still meanwhile
            left = clock.deadline - time.monotonic()
            clock.stop()
            self.room.acquire()
            clock.deadline = time.monotonic() + left
        if self.abandoned:
            raise _Abandoned
        self.loop.call_soon_threadsafe(self.ready.put_nowait, chunk)

    def finish(self, clock: Any) -> None:
        """The batch is over (or failed): the last lines, if its answer is sent as it comes;
        else they are all in `lines`, to be answered whole (told by the batch's end)."""
        if self.room is None:
            return
        try:
            self.flush(clock)
        finally:
            self.loop.call_soon_threadsafe(self.ready.put_nowait, None)

    # -- on the event loop -----------------------------------------------------------
    async def next_lines(self) -> list[bytes] | None:
        """The next chunk of lines; None once the batch is over (its steps' errors are lines of
        their own; anything else it raised is raised here)."""
        if self.abandoned:
            return None
        lines = await self.ready.get()
        if lines is not None:
            assert self.room is not None
            self.room.release()
            return lines
        self.abandoned = True  # (nothing more comes)
        assert self.batch is not None
        await self.batch
        return None

    async def stop(self) -> None:
        """Stop the statement where it is (the client has gone, or closed the cursor) and wait
        for the stream's thread to let go of its connection."""
        if self.batch is None or self.batch.done():
            return
        self.abandoned = True
        if self.room is not None:
            for _ in range(_CHUNKS_AHEAD):
                self.room.release()
        with contextlib.suppress(BaseException):  # (the statement stopped where it was)
            await self.batch


def _decide(future: asyncio.Future[bool], streaming: bool) -> None:
    if not future.done():
        future.set_result(streaming)


class _StepRows:
    """A step's columns and rows as cursor lines, sent as the statement makes them (in place of
    a size limit: sql/execute.py's ResultBudget)."""

    __slots__ = ("begun", "clock", "index", "output", "want_rows")

    def __init__(self, output: CursorOutput, index: int, want_rows: bool, clock: Any) -> None:
        self.output = output
        self.index = index
        self.want_rows = want_rows
        self.clock = clock
        self.begun = False

    def columns(self, description: tuple[tuple[str, str | None], ...]) -> int:
        self.begun = True
        cols = [{"name": name, "decltype": decltype} for name, decltype in description]
        self.output.put({"type": "step_begin", "step": self.index, "cols": cols}, self.clock)
        return 0

    def rows(self, rows: list[tuple[Any, ...]]) -> int:
        if self.want_rows:
            for row in rows:
                self.output.put({"type": "row", "row": encode_row(row)}, self.clock)
        return 0

    def refund(self, size: int) -> None:
        pass  # (what was sent stays sent: its step_error follows, as on sqld)


def run_streamed(conn: apsw.Connection, program: list[Step], access: Access, stream: Stream,
                 output: CursorOutput) -> None:
    """The batch on the stream's own connection, on its thread, its lines handed to `output` as
    they come; nothing of it is held."""
    clock = stream.clock
    try:
        steps = [Step(Query(step.query.sql, step.query.args, step.query.named, False,
                            _StepRows(output, index, step.query.want_rows, clock)), step.condition)
                 for index, step in enumerate(program)]

        def run_step(index: int, step: Step) -> tuple[dict | None, dict | None]:
            rows = step.query.budget
            assert isinstance(rows, _StepRows)
            try:
                result = run_query(conn, step.query, access)
            except StmtError as exc:
                output.put({"type": "step_error", "step": index, "error": exc.as_dict()}, clock)
                return None, exc.as_dict()
            if not rows.begun:  # (ALTER TABLE ... ALTER COLUMN runs no statement of its own)
                output.put({"type": "step_begin", "step": index, "cols": result["cols"]}, clock)
            output.put(_step_end(result), clock)
            return result, None

        play(steps, lambda: not conn.in_transaction, run_step)
    finally:
        output.finish(clock)
