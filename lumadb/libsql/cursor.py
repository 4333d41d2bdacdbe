"""`POST /v3/cursor`: a batch whose results come back as JSON lines (Hrana 3).

Line 1 is `{"baton", "base_url"}`, then `step_begin` / `row` / `step_end` for each step
that ran, `step_error` for a step that failed, nothing for a skipped step, and `error`
when the batch could not run at all. Unlike sqld, `last_insert_rowid` is a string (as the
spec and @libsql/hrana-client expect) and there is no `replication_index` line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from lumadb.http import Request, Response
from lumadb.libsql.batch import parse_batch, to_program
from lumadb.libsql.errors import CORS_HEADERS, HranaError, StmtError
from lumadb.libsql.pipeline import load_json, open_stream, parse_baton, run_stream_batch
from lumadb.libsql.stmt import required
from lumadb.libsql.streams import StreamElsewhere

if TYPE_CHECKING:
    from lumadb.libsql.frontend import LibsqlFrontEnd


def cursor_entries(result: dict[str, Any]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for index, (step, error) in enumerate(zip(result["step_results"], result["step_errors"], strict=True)):
        if error is not None:
            entries.append({"type": "step_error", "step": index, "error": error})
        elif step is not None:
            entries.append({"type": "step_begin", "step": index, "cols": step["cols"]})
            entries.extend({"type": "row", "row": row} for row in step["rows"])
            entries.append({"type": "step_end", "affected_row_count": step["affected_row_count"],
                            "last_insert_rowid": step["last_insert_rowid"]})
    return entries


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
        try:
            program = to_program(specs, stream.sqls, 3, cursor=True)
            entries = cursor_entries(await run_stream_batch(stream, program, context.access))
        except StmtError as exc:
            entries = [{"type": "error", "error": exc.as_dict()}]
    except BaseException:
        await front.streams.discard(stream)
        raise
    stream.turn_over()
    head = {"baton": front.streams.release(stream), "base_url": None}
    lines = [orjson.dumps(head), *(orjson.dumps(entry) for entry in entries)]
    return Response(200, b"\n".join(lines) + b"\n", b"text/plain", list(CORS_HEADERS))
