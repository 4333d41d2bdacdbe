"""Helpers for the D1 tests: the binding wire protocol and the REST API over plain HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.lumadb_server import LumaServer

ACCOUNT = "0123456789abcdef0123456789abcdef"


class D1Http:
    """Raw requests to one server: `binding(...)` speaks the Workers-binding protocol,
    `rest(...)` the v4 REST API under /client/v4/accounts/<account>/d1/database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(base_url=url, timeout=30)

    def binding(self, database: str, body: Any, *, path: str = "/query", fmt: str | None = "ROWS_AND_COLUMNS",
                headers: dict[str, str] | None = None) -> httpx.Response:
        query = f"?resultsFormat={fmt}" if fmt else ""
        return self.client.post(path + query, json=body, headers={"x-lumadb-database": database, **(headers or {})})

    def run(self, database: str, sql: str, *params: Any, fmt: str = "ROWS_AND_COLUMNS") -> Any:
        """One statement through the binding; the first result element or the error object."""
        reply = self.binding(database, {"sql": sql, "params": list(params)}, fmt=fmt)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        return body[0] if isinstance(body, list) else body

    def rest(self, method: str, path: str = "", body: Any = None, **kwargs: Any) -> httpx.Response:
        url = f"/client/v4/accounts/{ACCOUNT}/d1/database{path}"
        return self.client.request(method, url, json=body, **kwargs)


@pytest.fixture(scope="session")
def d1(server: LumaServer) -> D1Http:
    return D1Http(server.url)


@pytest.fixture
def db_name(unique_name: str) -> str:
    return "d1-" + unique_name
