"""Hrana over HTTP v1: `POST /v1/execute` and `/v1/batch` (what libsql-client for Python
uses); each request runs on a fresh stream that is closed at the end."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from lumadb.http import Request, Response
from lumadb.libsql import execution
from lumadb.libsql.batch import parse_batch, to_program
from lumadb.libsql.errors import CORS_HEADERS, HranaError, StmtError
from lumadb.libsql.pipeline import load_json, run_stream_batch
from lumadb.libsql.response_size import ResponseBudget, too_large
from lumadb.libsql.stmt import parse_stmt, required, to_query
from lumadb.libsql.streams import Stream
from lumadb.sql import ResultTooLarge

if TYPE_CHECKING:
    from lumadb.libsql.frontend import LibsqlFrontEnd

# sqld's HTTP statuses for statement errors on /v1/execute (and batch conversion errors)
_STATUS = {
    "SQL_PARSE_ERROR": 400, "SQL_NO_STATEMENT": 400, "SQL_MANY_STATEMENTS": 400, "ARGS_INVALID": 400,
    "SQL_INPUT_ERROR": 400, "PROXY_ERROR": 400, "RESPONSE_TOO_LARGE": 400, "BLOCKED": 400,
    "ARGS_BOTH_POSITIONAL_AND_NAMED": 501, "TRANSACTION_TIMEOUT": 503, "TRANSACTION_BUSY": 503,
}


def _statement_error(exc: StmtError) -> HranaError:
    return HranaError.statement(exc, _STATUS.get(exc.code, 500))


def _body(request: Request, field: str) -> object:
    body = load_json(request.body)
    if not isinstance(body, dict):
        raise HranaError.json("invalid type, expected struct ReqBody")
    return required(body, field)


async def handle_execute(front: LibsqlFrontEnd, request: Request) -> Response:
    context = await front.context(request)
    spec = parse_stmt(_body(request, "stmt"))
    stream = Stream(context.db, context.access.namespace)
    try:
        query = to_query(spec, {}, 1, ResponseBudget())
        result = await execution.execute(stream, query, context.access)
    except StmtError as exc:
        raise _statement_error(exc) from None
    except ResultTooLarge:
        raise _statement_error(too_large()) from None
    finally:
        await stream.close()
    return Response(200, orjson.dumps({"result": result}), b"application/json", list(CORS_HEADERS))


async def handle_batch(front: LibsqlFrontEnd, request: Request) -> Response:
    context = await front.context(request)
    specs = parse_batch(_body(request, "batch"))
    stream = Stream(context.db, context.access.namespace)
    try:
        program = to_program(specs, {}, 1, ResponseBudget())
        result = await run_stream_batch(stream, program, context.access, closes=True)
    except StmtError as exc:
        raise _statement_error(exc) from None
    except ResultTooLarge:
        raise HranaError.legacy("Internal Error: `Could not execute batch`", 500) from None  # (sqld's answer)
    finally:
        await stream.close()
    return Response(200, orjson.dumps({"result": result}), b"application/json", list(CORS_HEADERS))
