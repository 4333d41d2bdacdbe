"""sqld's legacy HTTP API: `POST /turso` (and `POST /` without X-Amz-Target) with
`{"statements": ["SQL" | {"q": "SQL", "params": [...] | {...}}]}`.

Values are plain JSON (blobs as `{"base64": ...}`). Statements run in order, each in
autocommit; the first failing one gets `{"error": ...}` and the rest `null`. Interactive
transaction statements are refused before anything runs.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.http import Request, Response
from lumadb.libsql import execution, unsupported
from lumadb.libsql.errors import CORS_HEADERS, HranaError, StmtError
from lumadb.libsql.stmt import Query
from lumadb.libsql.streams import Stream
from lumadb.libsql.values import SqlValue, decode_base64
from lumadb.sql import StatementResult, split_statements
from lumadb.sql.split import leading_keywords, until_nul
from lumadb.sql.syntax import syntax_error

if TYPE_CHECKING:
    from lumadb.libsql.frontend import LibsqlFrontEnd

_TRANSACTION_WORDS = {"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"}
_TEXT = b"text/plain; charset=utf-8"


class _Malformed(Exception):
    pass


def _param(value: Any, where: str) -> SqlValue:
    if value is None or isinstance(value, str | float):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, dict) and isinstance(value.get("base64"), str) and len(value) == 1:
        try:
            return decode_base64(value["base64"])
        except HranaError:
            pass
    kind = "sequence" if isinstance(value, list) else "map"
    raise _Malformed(f"{where}: invalid type: {kind}, expected a valid SQLite value")


def _parse(body: Any) -> list[Query]:
    if not isinstance(body, dict):
        raise _Malformed("invalid type, expected struct QueriesObject")
    if "statements" not in body:
        raise _Malformed("missing field `statements`")
    statements = body["statements"]
    if not isinstance(statements, list):
        raise _Malformed("statements: invalid type, expected a sequence")
    queries = []
    for index, item in enumerate(statements):
        if isinstance(item, str):
            queries.append(Query(until_nul(item), [], None))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise _Malformed(f"statements[{index}]: expected a string or an object with `q`")
        item = {**item, "q": until_nul(item["q"])}
        params = item.get("params")
        where = f"statements[{index}].params"
        if params is None:
            queries.append(Query(item["q"], [], None))
        elif isinstance(params, list):
            queries.append(Query(item["q"], [_param(v, f"{where}[{i}]") for i, v in enumerate(params)], None))
        elif isinstance(params, dict):
            queries.append(Query(item["q"], None, {k: _param(v, f"{where}.{k}") for k, v in params.items()}))
        else:
            raise _Malformed(f"{where}: invalid type, expected a sequence or a map")
    return queries


def _check(query: Query) -> None:
    statements = split_statements(query.sql)
    if len(statements) > 1:
        raise HranaError.legacy("Failed to parse query: `found more than one command in a single statement "
                                "string. It is allowed to issue only one command per string.`")
    if statements:
        problem = syntax_error(statements[0])
        if problem is not None:
            raise HranaError.legacy(f"Failed to parse query: `{problem.message}`")
        if unsupported.refused(statements[0]):  # (sqld's words and status for it here)
            raise HranaError.legacy(f"Internal Error: `unsupported statement: {query.sql}`", 500)
        words = leading_keywords(statements[0], 1)
        if words and words[0] in _TRANSACTION_WORDS:
            raise HranaError.legacy("Query error: `interactive transaction not allowed in HTTP queries`")


def _plain(value: SqlValue) -> Any:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode().rstrip("=")}
    return value


def legacy_result(result: StatementResult) -> dict[str, Any]:
    return {"results": {
        "columns": result.columns,
        "rows": [[_plain(v) for v in row] for row in result.rows],
        "rows_read": result.rows_read,
        "rows_written": result.rows_written,
        "query_duration_ms": round(result.duration_ms, 3),
    }}


def _error_text(exc: StmtError, sql: str) -> str:
    if exc.code == "ARGS_INVALID":
        return f"LibSQL failed to bind provided query parameters: `{exc.detail}`"
    if exc.offset is not None:  # rusqlite's SqlInputError, as sqld words it here
        return f"{exc.detail} in {sql} at offset {exc.offset}"
    return exc.detail


async def handle_legacy(front: LibsqlFrontEnd, request: Request) -> Response:
    context = await front.context(request)
    try:
        body = orjson.loads(request.body)
    except orjson.JSONDecodeError as exc:
        return Response(400, f"Failed to parse the request body as JSON: {exc}".encode(), _TEXT, list(CORS_HEADERS))
    try:
        queries = _parse(body)
    except _Malformed as exc:
        message = f"Failed to deserialize the JSON body into the target type: {exc}"
        return Response(422, message.encode(), _TEXT, list(CORS_HEADERS))
    for query in queries:
        _check(query)
    stream = Stream(context.db, context.access.namespace)
    results: list[Any] = []
    failed = False
    try:
        if len(queries) > 1:
            await stream.pin()  # one connection for all, as sqld: last_insert_rowid() and friends
        for query in queries:
            if failed:
                results.append(None)  # statements after an error do not run
            elif not split_statements(query.sql):
                results.append({"error": "not an error"})  # sqld reports SQLITE_OK's text
                failed = True
            else:
                try:
                    results.append(await execution.execute(stream, query, context.access, legacy_result))
                except StmtError as exc:
                    results.append({"error": _error_text(exc, query.sql)})
                    failed = True
    finally:
        await stream.close()
    return Response(200, orjson.dumps(results), b"application/json", list(CORS_HEADERS))
