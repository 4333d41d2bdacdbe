"""Helpers for the libSQL tests: raw Hrana requests over HTTP and the four URL shapes
clients are configured with."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest

URL_SHAPES = ["", "/", "/turso", "/turso/"]


@dataclass
class Reply:
    status: int
    content_type: str | None
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


def call(base: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
    """One HTTP request; `body` is sent as JSON unless it is bytes or str."""
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else body.encode() if isinstance(body, str) else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as exc:
        response = exc
    with response:
        payload = response.read()
        return Reply(response.status, response.headers.get("content-type"), payload,
                     {k.lower(): v for k, v in response.headers.items()})


def pipeline(base: str, requests: list[dict], baton: str | None = None, version: int = 2,
             headers: dict[str, str] | None = None) -> Reply:
    body: dict[str, Any] = {"requests": requests}
    if baton is not None:
        body["baton"] = baton
    return call(base, "POST", f"/v{version}/pipeline", body, headers)


def execute(sql: str, *args: dict, named: list[dict] | None = None) -> dict:
    stmt: dict[str, Any] = {"sql": sql, "args": list(args)}
    if named is not None:
        stmt["named_args"] = named
    return {"type": "execute", "stmt": stmt}


def integer(value: int) -> dict:
    return {"type": "integer", "value": str(value)}


def results(reply: Reply) -> list[dict]:
    assert reply.status == 200, reply.body
    return reply.json["results"]


def ok_result(entry: dict) -> dict:
    assert entry["type"] == "ok", entry
    return entry["response"]["result"]


@pytest.fixture(params=URL_SHAPES, ids=["root", "root-slash", "turso", "turso-slash"])
def url_shape(request: pytest.FixtureRequest) -> str:
    return request.param
