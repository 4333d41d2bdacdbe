"""Every D1 REST endpoint through the official `cloudflare` TypeScript SDK (tests/node/d1_ts_sdk.mjs)."""

from __future__ import annotations

import pytest

from tests.conftest import run_node
from tests.lumadb_server import LumaServer

pytestmark = pytest.mark.node


def test_typescript_sdk_covers_every_endpoint(server: LumaServer, unique_name: str) -> None:
    out = run_node("d1_ts_sdk.mjs", server.url, unique_name)
    assert isinstance(out, dict)
    assert out["created"] == {"name": f"{unique_name}-a", "version": "production", "num_tables": 0, "mode": "auto",
                              "region": "APAC"}
    assert out["listed"] == [f"{unique_name}-a", f"{unique_name}-b"]
    assert out["got"]["name"] == f"{unique_name}-a" and set(out["got"]) == {"uuid", "name"}
    assert out["got_uuid_matches"] is True
    assert (out["updated"], out["edited"]) == ({"mode": "auto"}, {"mode": "disabled"})
    assert out["query"] == [[], [], [{"id": 1, "v": "x"}]]
    assert out["query_meta"] == {"changes": 1, "last_row_id": 1}
    assert out["batch"] == [[{"one": 1}], [{"p": "2"}]]
    assert out["raw"] == {"columns": ["id", "v"], "rows": [[1, "x"]]}
    assert out["sql_error"] == {"status": 400, "errors": [{"code": 7500, "message": "no such table: nope: SQLITE_ERROR"}]}
    assert out["not_found"]["status"] == 404 and out["not_found"]["errors"][0]["code"] == 7404
    assert out["export_status"] == "complete"
    assert out["export_sql"].splitlines() == [
        "PRAGMA defer_foreign_keys=TRUE;", "CREATE TABLE t (id INTEGER PRIMARY KEY, v);", "INSERT INTO \"t\" VALUES(1,'x');"]
    assert out["upload_etag_ok"] is True
    assert out["import"] == {"status": "complete", "num_queries": 1, "polled": "complete"}
    assert out["restored"] is True
    assert out["after_restore"] == [{"v": "x"}, {"v": "imported"}]
    assert out["deleted"] is None
    assert out["gone"]["status"] == 404
