"""`POST /v2/pipeline` and `/v3/pipeline`: a list of stream requests run in order on one
stream, every one answered (`results` has one entry per request) even when some fail."""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.http import Request, Response
from lumadb.libsql import execution, read_batch, write_batch, write_lock
from lumadb.libsql.batch import (
    Step,
    StepSpec,
    batch_result,
    evaluate,
    parse_batch,
    run_batch,
    run_sequence,
    sequence_statements,
    to_program,
)
from lumadb.libsql.describe import describe_result
from lumadb.libsql.errors import CORS_HEADERS, HranaError, StmtError, invalid_type
from lumadb.libsql.response_size import MustStream, ResponseBudget, too_large
from lumadb.libsql.stmt import (
    Access,
    StmtSpec,
    optional_int,
    optional_str,
    parse_stmt,
    required,
    resolve_sql,
    to_query,
)
from lumadb.libsql.streams import Stream, StreamElsewhere
from lumadb.sql import NotReadOnly, ResultTooLarge
from lumadb.storage.cache import MISSING
from lumadb.storage.executor import Database
from lumadb.storage.jobs import WriteLockElsewhere
from lumadb.storage.sqlite import apsw

if TYPE_CHECKING:
    from lumadb.libsql.frontend import Context, LibsqlFrontEnd
    from lumadb.storage.executor import Database

REQUEST_TYPES = "`close`, `execute`, `batch`, `sequence`, `describe`, `store_sql`, `close_sql`, `get_autocommit`"
MAX_SQL_COUNT = 50
MAX_STORED_SQL_BYTES = 5000  # sqld: ByteSize::kb(5)
MAX_CACHED_REQUEST = 4096  # larger pipeline requests are not looked up in the query cache


@dataclass(slots=True)
class StreamRequest:
    kind: str
    stmt: StmtSpec | None = None
    batch: list[StepSpec] | None = None
    sql: str | None = None
    sql_id: int | None = None


def load_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise HranaError.json(serde_syntax_error(str(exc))) from None


# orjson's syntax errors in serde_json's words (sqld parses with serde_json), without positions
_SERDE_SYNTAX = (
    ("unexpected character, expected a JSON value", "expected value"),
    ("unexpected end of data", "EOF while parsing a value"),
    ("no low surrogate in string", "unexpected end of hex escape"),
    ("invalid low surrogate in string", "lone leading surrogate in hex escape"),
    ("invalid high surrogate in string", "lone leading surrogate in hex escape"),
    ("unexpected character, expected ':' after key", "expected `:`"),
    ("unexpected character, expected ',' or ']'", "expected `,` or `]`"),
    ("unexpected character, expected ',' or '}'", "expected `,` or `}`"),
    ("unexpected character, expected a string key", "key must be a string"),
    ("trailing comma is not allowed", "trailing comma"),
    ("unexpected content after document", "trailing characters"),
    ("unexpected control character in string", "control character (\\u0000-\\u001F) found while parsing a string"),
    ("invalid escaped sequence in string", "invalid escape"),
    ("number is infinity when parsed as double", "number out of range"),
)


def serde_syntax_error(message: str) -> str:
    detail = message.split(":", 1)[0] if ": line " in message else message
    return next((serde for found, serde in _SERDE_SYNTAX if detail.startswith(found)), detail)


def parse_baton(body: dict) -> str | None:
    baton = body.get("baton")
    if baton is not None and not isinstance(baton, str):
        raise invalid_type(baton, "a string")
    return baton


def parse_request(value: Any) -> StreamRequest:
    if not isinstance(value, dict):
        raise invalid_type(value, "internally tagged enum StreamRequest")
    kind = value.get("type")
    if kind == "execute":
        return StreamRequest(kind, stmt=parse_stmt(required(value, "stmt")))
    if kind == "batch":
        return StreamRequest(kind, batch=parse_batch(required(value, "batch")))
    if kind in ("sequence", "describe"):
        return StreamRequest(kind, sql=optional_str(value, "sql"), sql_id=optional_int(value, "sql_id"))
    if kind == "store_sql":
        required(value, "sql_id")
        sql_id = optional_int(value, "sql_id")
        if sql_id is None:
            raise HranaError.json("invalid type: null, expected i32")
        sql = required(value, "sql")
        if not isinstance(sql, str):
            raise invalid_type(sql, "a string")
        return StreamRequest(kind, sql=sql, sql_id=sql_id)
    if kind == "close_sql":
        required(value, "sql_id")
        sql_id = optional_int(value, "sql_id")
        if sql_id is None:
            raise HranaError.json("invalid type: null, expected i32")
        return StreamRequest(kind, sql_id=sql_id)
    if kind in ("close", "get_autocommit"):
        return StreamRequest(kind)
    if kind is None:
        raise HranaError.json("missing field `type`")
    raise HranaError.json(f"unknown variant `{kind}`, expected one of {REQUEST_TYPES}")


def shares_connection_state(requests: list[StreamRequest]) -> bool:
    """Whether statements of more than one of these requests run, so that a later one may read
    what an earlier one left on the connection (`last_insert_rowid()` and the like). A batch
    of several steps or a sequence alone runs on the stream's connection anyway."""
    return sum(1 for req in requests if req.kind in ("execute", "batch", "sequence")) > 1


def ok(response: dict[str, Any]) -> dict[str, Any]:
    return {"type": "ok", "response": response}


async def handle_stream_request(
    stream: Stream, req: StreamRequest, version: int, access: Access, closes: bool = False
) -> dict:
    """One request's StreamResult; HranaError ends the whole HTTP request. `closes`: the
    stream is new and closes right after this request (see write_batch.py)."""
    kind = req.kind
    try:
        if kind == "close":
            await stream.close()
            return ok({"type": "close"})
        if kind == "store_sql":
            return ok(_store_sql(stream, req))
        if kind == "close_sql":
            assert req.sql_id is not None
            stream.sqls.pop(req.sql_id, None)
            return ok({"type": "close_sql"})
        if stream.closed:
            raise HranaError.stream_closed()
        if kind == "execute":
            assert req.stmt is not None
            query = to_query(req.stmt, stream.sqls, version, ResponseBudget())
            return ok({"type": "execute", "result": await execution.execute(stream, query, access)})
        if kind == "batch":
            assert req.batch is not None
            program = to_program(req.batch, stream.sqls, version, ResponseBudget())
            return ok({"type": "batch", "result": await run_stream_batch(stream, program, access, closes)})
        if kind == "describe":
            sql = resolve_sql(req.sql, req.sql_id, stream.sqls, version)
            if stream.pinned:
                result = await stream.on_connection(describe_result, sql)
            else:
                result = stream.db.read_now(describe_result, sql)
            return ok({"type": "describe", "result": result})
        if kind == "sequence":
            sql = resolve_sql(req.sql, req.sql_id, stream.sqls, version)
            statements = sequence_statements(sql)
            if write_lock.expired(stream):
                raise write_lock.timed_out()
            await stream.on_connection(run_sequence, statements, access)
            return ok({"type": "sequence"})
        # get_autocommit
        if version < 3:
            raise HranaError.not_supported("The `get_autocommit` request", 3)
        return ok({"type": "get_autocommit", "is_autocommit": stream.is_autocommit()})
    except StmtError as exc:
        return {"type": "error", "error": exc.as_dict()}
    except ResultTooLarge:
        return {"type": "error", "error": too_large().as_dict()}


def _store_sql(stream: Stream, req: StreamRequest) -> dict[str, Any]:
    assert req.sql_id is not None and req.sql is not None
    if req.sql_id in stream.sqls:
        raise HranaError.protocol(f"SQL text {req.sql_id} already exists")
    if len(stream.sqls) >= MAX_SQL_COUNT:
        raise StmtError(f"The server already stores {len(stream.sqls)} SQL texts, it cannot store more",
                        "SQL_STORE_TOO_MANY")
    size = len(req.sql.encode())
    if size > MAX_STORED_SQL_BYTES:
        raise StmtError(f"The statement is too large to be stored: {_bytesize(size)}/{_bytesize(MAX_STORED_SQL_BYTES)}",
                        "SQL_STORE_TOO_LARGE")
    stream.sqls[req.sql_id] = req.sql
    return {"type": "store_sql"}


def _bytesize(size: int) -> str:
    """The bytesize crate's display (decimal units), which sqld's message uses."""
    if size < 1000:
        return f"{size} B"
    value = float(size)
    units = "KMGTPE"
    index = 0
    while True:
        value /= 1000
        if value < 1000 or index == len(units) - 1:
            return f"{value:.1f} {units[index]}B"
        index += 1


# runs a whole batch on the stream's own connection, on its thread: its result (sqld's BatchResult)
ThreadRunner = Callable[[Stream, list[Step], Access], Awaitable[dict]]


async def on_stream_thread(stream: Stream, program: list[Step], access: Access) -> dict:
    return await stream.on_connection(run_batch, program, access)


async def run_stream_batch(stream: Stream, program: list[Step], access: Access, closes: bool = False,
                           on_thread: ThreadRunner = on_stream_thread) -> dict:
    """`closes`: the stream is new and closes right after the batch (write_batch.py).
    `on_thread` runs the batch on the stream's own connection when no quicker way does; a
    cursor's starts it there sending its rows as they come, and also takes the batches whose
    quicker way raised MustStream (nothing of them stayed)."""
    if write_lock.expired(stream):
        error = write_lock.timed_out().as_dict()  # (every statement of it, as sqld answers)
        return batch_result([None] * len(program), [error] * len(program))
    if len(program) == 1 and not stream.pinned:
        # a single statement can take the shared-connection path
        step = program[0]
        if step.condition is not None and not evaluate(step.condition, [], lambda: True):
            return batch_result([None], [None])
        try:
            return batch_result([await execution.execute(stream, step.query, access)], [None])
        except StmtError as exc:
            return batch_result([None], [exc.as_dict()])
        except MustStream:
            return await on_thread(stream, program, access)  # (nothing of it stayed)
    if not program:
        return batch_result([], [])
    if closes and not stream.pinned and read_batch.suits(program):
        try:  # (reads only: no write lock, no group commit)
            return read_batch.run(stream.db, program, access)
        except read_batch.Unsuited:
            pass  # nothing of it stays: as a write batch, or on the stream's own connection
    if closes and not stream.pinned and write_batch.suits(program, access):
        try:
            written = await stream.db.write_inline(execution.INLINE_BUDGET_MS, write_batch.run, program, access)
            if isinstance(written, ResultTooLarge):
                raise written
            return written
        except (write_batch.Unsuited, WriteLockElsewhere, apsw.BusyError):
            # not run, or undone: on the stream's own connection, as any other batch, once the
            # group it was undone in has let go of the write lock (seed 7429: BEGIN DEFERRED, a
            # failing SELECT, then an INSERT answered "database is locked")
            await stream.db.writes_settled()
        except (apsw.Error, ValueError, OverflowError) as exc:  # the group's COMMIT failed
            raise StmtError.from_sqlite(exc) from None
    if stream.pinned and all(execution.route_for(step.query.sql) is execution.Route.READ for step in program):
        try:  # (a transaction's reads: @libsql/client's transaction() between its BEGIN and COMMIT)
            return execution.on_stream_here(stream, run_batch, program, access, True)
        except (execution.TooSlow, NotReadOnly, MustStream):
            pass  # reads changed nothing: on the stream's thread, from the start
    elif not stream.pinned and read_batch.opens(program) and stream.pin_idle():
        # (the first request of transaction("read"): its BEGIN and first reads, here when a
        # connection is idle; opening one is left to the stream's thread)
        try:
            return execution.on_stream_here(stream, run_batch, program, access, True)
        except (execution.TooSlow, NotReadOnly, MustStream):
            assert stream.conn is not None
            if stream.conn.in_transaction:
                stream.conn.execute("ROLLBACK")  # the request's own BEGIN: all of it again, on the thread
    if not _BEGINS_WRITING.match(program[0].query.sql) or not stream.is_autocommit():
        return await on_thread(stream, program, access)
    # Batches that open a write transaction (@libsql/client's batch(..., "write"), and the first
    # request of its transaction("write")) take their turns here, in order, rather than in
    # SQLite's busy handler, whose sleeps (up to 100 ms each) starve some of them. A stream
    # whose transaction stays open keeps its turn until the transaction ends (Stream.turn).
    # A turn is waited for no longer than the busy timeout: a client that left its transaction
    # open keeps the turn until its stream expires, and the batches behind it then wait for
    # SQLite's lock as before.
    gate = _write_gates.get(stream.db)
    if gate is None:
        gate = _write_gates[stream.db] = asyncio.Lock()
    try:  # (wait_for: a handler here runs without a Task of its own, which asyncio.timeout needs)
        await asyncio.wait_for(gate.acquire(), stream.db.busy_timeout_ms / 1000)
    except TimeoutError:
        return await on_thread(stream, program, access)
    stream.turn = gate  # passed on when the request ends outside a transaction (Stream.turn_over)
    return await on_thread(stream, program, access)


_BEGINS_WRITING = re.compile(r"\s*BEGIN\s+(IMMEDIATE|EXCLUSIVE)\b", re.IGNORECASE)
_write_gates: weakref.WeakKeyDictionary[Database, asyncio.Lock] = weakref.WeakKeyDictionary()


def open_stream(front: LibsqlFrontEnd, context: Context, baton: str | None) -> Stream:
    if baton is None:
        return Stream(context.db, context.access.namespace)
    return front.streams.acquire(baton)


async def handle_pipeline_v2(front: LibsqlFrontEnd, request: Request) -> Response:
    return await handle_pipeline(front, request, 2)


async def handle_pipeline_v3(front: LibsqlFrontEnd, request: Request) -> Response:
    return await handle_pipeline(front, request, 3)


async def handle_pipeline(front: LibsqlFrontEnd, request: Request, version: int) -> Response:
    context = await front.context(request)  # auth and database first, as sqld
    cache = context.db.cache
    key: tuple | None = None
    if cache is not None and cache.enabled and len(request.body) <= MAX_CACHED_REQUEST:
        # The same stateless read request gets the same answer until something commits.
        key = ("hrana-pipeline", version, request.body)
        cached, cache_version = cache.lookup(context.db, key)
        if cached is not MISSING:
            return Response(200, cached, b"application/json", list(CORS_HEADERS))
    body = load_json(request.body)
    if not isinstance(body, dict):
        raise invalid_type(body, "struct PipelineReqBody", fields=2)
    baton = parse_baton(body)
    requests_raw = required(body, "requests")
    if not isinstance(requests_raw, list):
        raise invalid_type(requests_raw, "a sequence")
    requests = [parse_request(r) for r in requests_raw]
    try:
        stream = open_stream(front, context, baton)
    except StreamElsewhere as elsewhere:
        return await front.pass_on(elsewhere, request)
    access = context.access
    closes = baton is None and _one_batch_then_close(requests)
    try:
        if not stream.pinned and shares_connection_state(requests):
            await stream.pin()  # (a thread hop of its own: not for one batch)
        results = [await handle_stream_request(stream, req, version, access, closes) for req in requests]
    except BaseException:
        await front.streams.discard(stream)
        raise
    stream.turn_over()
    new_baton = front.streams.release(stream)
    payload = orjson.dumps({"baton": new_baton, "base_url": None, "results": results})
    if key is not None and baton is None and new_baton is None and _cacheable(context.db, requests, results):
        cache.store(context.db, key, cache_version, payload)
    return Response(200, payload, b"application/json", list(CORS_HEADERS))


def _one_batch_then_close(requests: list[StreamRequest]) -> bool:
    """A new stream's one batch, then close: perhaps a whole write transaction (write_batch.py).
    @libsql/client's `batch()` stores its statements' texts first (`store_sql`)."""
    if len(requests) < 2 or requests[-1].kind != "close" or requests[-2].kind != "batch":
        return False
    return all(req.kind == "store_sql" for req in requests[:-2])


def _cacheable(db: Database, requests: list[StreamRequest], results: list[dict]) -> bool:
    """`[execute, close]` of one read whose answer only a commit can change (what
    @libsql/client sends for `client.execute()`), answered without error."""
    if len(requests) != 2 or requests[0].kind != "execute" or requests[1].kind != "close":
        return False
    stmt = requests[0].stmt
    if stmt is None or stmt.sql is None or stmt.sql_id is not None:
        return False
    if execution.route_for(stmt.sql) is not execution.Route.READ or not execution.cacheable(stmt.sql):
        return False
    first = results[0]
    if first["type"] != "ok":
        return False
    result = first["response"]["result"]
    return bool(result["rows_written"] == 0 and result["affected_row_count"] == 0
                and len(result["rows"]) <= execution.CACHED_ROWS and execution.cacheable_in(db, stmt.sql))
