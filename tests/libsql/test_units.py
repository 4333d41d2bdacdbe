"""Pure unit tests: routing decisions, batons, stream expiry, values, statement routes."""

from __future__ import annotations

import asyncio

import pytest

from lumadb.libsql.errors import HranaError
from lumadb.libsql.execution import Route, route_for
from lumadb.libsql.frontend import LibsqlFrontEnd
from lumadb.libsql.namespaces import host_label
from lumadb.libsql.streams import StreamRegistry
from lumadb.libsql.values import decode_value, encode_value


def test_resolve_claims_only_libsql_requests() -> None:
    front = LibsqlFrontEnd()
    assert front.resolve("POST", "/", {"x-amz-target": "DynamoDB_20120810.ListTables"}) is None
    assert front.resolve("POST", "/", {}) is not None
    assert front.resolve("GET", "/", {}) is None
    assert front.resolve("POST", "/dump", {"x-lumadb-database": "x"}) is None
    assert front.resolve("GET", "/dump", {}) is not None
    assert front.resolve("POST", "/query", {}) is None
    assert front.resolve("POST", "/client/v4/accounts/a/d1/database/b/query", {}) is None
    assert front.resolve("GET", "/tursoish", {}) is None
    for path in ("/v2/pipeline", "/turso/v2/pipeline", "/v3/cursor", "/turso/v3/cursor", "/v1/execute"):
        assert front.resolve("POST", path, {}) is not None
    assert front.resolve("GET", "/turso/anything", {}) is front.not_found


def test_batons_round_trip_and_detect_tampering() -> None:
    registry = StreamRegistry(b"k" * 32, 300)
    baton = registry.encode_baton(2**64 - 1, 12345)
    assert len(baton) == 64 and not baton.endswith("=")
    assert registry.decode_baton(baton) == (2**64 - 1, 12345)
    other = StreamRegistry(b"j" * 32, 300)
    with pytest.raises(HranaError, match="invalid baton"):
        other.decode_baton(baton)
    with pytest.raises(HranaError, match="invalid baton"):
        registry.decode_baton(baton[:-2] + ("AA" if baton[-2:] != "AA" else "BB"))


def test_idle_streams_expire_then_are_forgotten() -> None:
    from lumadb.libsql.streams import EXPIRED_MEMORY_SECONDS, Stream

    async def scenario() -> None:
        registry = StreamRegistry(b"k" * 32, 10)
        stream = Stream(None, "default")  # type: ignore[arg-type]
        baton = registry.release(stream)
        assert baton is not None
        await registry.sweep(now=stream.last_used + 5)
        again = registry.acquire(baton)
        baton = registry.release(again)
        assert baton is not None
        await registry.sweep(now=again.last_used + 11)
        with pytest.raises(HranaError) as caught:
            registry.acquire(baton)
        assert caught.value.code == "STREAM_EXPIRED"
        assert stream.closed
        await registry.sweep(now=again.last_used + 11 + EXPIRED_MEMORY_SECONDS + 1)
        with pytest.raises(HranaError, match="invalid baton"):
            registry.acquire(baton)
        await registry.close_all()

    asyncio.run(scenario())


@pytest.mark.parametrize(("sql", "route"), [
    ("SELECT 1", Route.READ), ("with x as (select 1) select * from x", Route.READ), ("VALUES (1)", Route.READ),
    ("INSERT INTO t VALUES (1)", Route.WRITE), ("update t set a = 1", Route.WRITE), ("CREATE TABLE t (a)", Route.WRITE),
    ("DROP TABLE t", Route.WRITE), ("CREATE TEMP TABLE t (a)", Route.PIN), ("BEGIN", Route.PIN),
    ("PRAGMA foreign_keys = ON", Route.PIN), ("SELECT last_insert_rowid()", Route.PIN),
    ("SELECT changes()", Route.PIN), ("SELECT * FROM temp.t", Route.PIN), ("ATTACH 'x' AS x", Route.PIN),
])
def test_statement_routes(sql: str, route: Route) -> None:
    assert route_for(sql) is route


def test_host_labels() -> None:
    assert host_label("mydb.localhost:8000") == ("mydb", True)
    assert host_label("mydb.example.com") == ("mydb", False)
    assert host_label("localhost:8000") is None
    assert host_label("127.0.0.1:8000") is None
    assert host_label("[::1]:8000") is None


def test_values() -> None:
    assert decode_value({"type": "blob", "base64": "AQI="}) == b"\x01\x02"
    assert decode_value({"type": "blob", "base64": "AQI"}) == b"\x01\x02"
    assert encode_value(b"\x01\x02") == {"type": "blob", "base64": "AQI"}
    assert encode_value(-(2**63)) == {"type": "integer", "value": "-9223372036854775808"}
    assert decode_value({"type": "integer", "value": "+5"}) == 5
    for bad in ({"type": "integer", "value": "1_000"}, {"type": "integer", "value": " 5"},
                {"type": "blob", "base64": "!!"}, {"type": "float", "value": True}, {"value": 1}, []):
        with pytest.raises(HranaError):
            decode_value(bad)
