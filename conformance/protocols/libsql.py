"""libSQL Hrana over HTTP: steps are raw requests under the target URL (`/v2/pipeline`,
`/v3/cursor`, `/v1/execute`, ...); the normaliser masks batons and durations, and the sqld
reference gets two documented fix-ups where sqld deviates from the Hrana specification."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from conformance.normalise import mask_keys, mask_patterns, placeholder_for
from conformance.protocols.base import WEBSOCKET, Fixup, HttpRequest, Protocol


def _baton(value: Any) -> Any:
    return "<baton>" if isinstance(value, str) else value


def _sqlite_unknown_is_error(record: dict[str, Any], _request: dict[str, Any]) -> dict[str, Any]:
    def fix(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: ("SQLITE_ERROR" if k == "code" and v == "SQLITE_UNKNOWN" else fix(v)) for k, v in value.items()
            }
        if isinstance(value, list):
            return [fix(item) for item in value]
        return value

    return {**record, "body": fix(record.get("body"))}


def _cursor_as_specified(record: dict[str, Any], _request: dict[str, Any]) -> dict[str, Any]:
    if record.get("status") == 101 and isinstance(record.get("body"), list):  # fetch_cursor over WebSocket
        return {**record, "body": [_fetched_as_specified(reply) for reply in record["body"]]}
    if record.get("format") != "jsonl" or not isinstance(record.get("body"), list):
        return record
    return {**record, "body": _entries_as_specified(record["body"])}


def _fetched_as_specified(reply: Any) -> Any:
    response = reply.get("response") if isinstance(reply, dict) else None
    if not isinstance(response, dict) or response.get("type") != "fetch_cursor":
        return reply
    return {**reply, "response": {**response, "entries": _entries_as_specified(response.get("entries") or [])}}


def _entries_as_specified(entries: list[Any]) -> list[Any]:
    lines = []
    for entry in entries:
        if isinstance(entry, dict) and entry.get("type") == "replication_index":
            continue
        if isinstance(entry, dict) and entry.get("type") == "step_end":
            rowid = entry.get("last_insert_rowid")
            if isinstance(rowid, int):
                entry = {**entry, "last_insert_rowid": str(rowid)}
        lines.append(entry)
    return lines


class LibSQL(Protocol):
    name = "libsql"
    peers = ("sqld",)
    real_service = "turso"
    recorded_headers: Mapping[str, str | None] = {"content-type": None}
    key_masks = {
        "baton": _baton,
        "query_duration_ms": placeholder_for("ms"),
        "replication_index": "<index>",
    }
    # serde's positions depend on how the request JSON was laid out, not on the server
    patterns = [(re.compile(r" at line \d+ column \d+$"), "")]
    field_rules = {"rows_read": "rows_read", "rows_written": "rows_written"}
    fixups = {
        "sqld": [
            Fixup(
                "sqld reports SQLite's generic error (SQLITE_ERROR) as SQLITE_UNKNOWN (rusqlite's mapping); "
                "the Hrana spec's codes are SQLite's, so the reference reads SQLITE_ERROR",
                _sqlite_unknown_is_error,
            ),
            Fixup(
                "sqld's cursor writes step_end.last_insert_rowid as a JSON number and adds a replication_index "
                "line, both against the Hrana 3 spec (hrana-client-ts rejects them); the reference follows the spec",
                _cursor_as_specified,
            ),
        ]
    }

    def build(self, request: dict[str, Any], variables: Mapping[str, Any], target: Any) -> HttpRequest:
        token = getattr(target, "token", None)
        if "websocket" in request:
            return self._websocket(request["websocket"], token)
        built = super().build(request, variables, target)
        if token and not any(k.lower() == "authorization" for k in built.headers):
            built.headers["Authorization"] = f"Bearer {token}"
        built.labels = self._labels(built, request)
        return built

    @staticmethod
    def _websocket(spec: dict[str, Any], token: str | None) -> HttpRequest:
        """Hrana over WebSocket at the target's URL (sqld: `GET /`); a target's token goes in the
        hello messages that carry none."""
        messages = [{**m, "jwt": token} if token and isinstance(m, dict) and m.get("type") == "hello"
                    and not m.get("jwt") else m for m in spec.get("messages") or []]
        labels = ["WS /"] + [f"ws {m['request'].get('type')}" for m in messages
                             if isinstance(m, dict) and m.get("type") == "request" and isinstance(m.get("request"), dict)]
        body = json.dumps({**spec, "messages": messages}).encode()
        return HttpRequest(WEBSOCKET, spec.get("path", "/"), {}, body, labels=labels)

    @staticmethod
    def _labels(built: HttpRequest, request: dict[str, Any]) -> list[str]:
        path = built.path.split("?")[0]
        labels = [f"{built.method} {path}"]
        body = request.get("json")
        version = path.strip("/").split("/")[0]
        if isinstance(body, dict):
            for item in body.get("requests") or []:
                if isinstance(item, dict) and isinstance(item.get("type"), str):
                    labels.append(f"{version} {item['type']}")
            if "batch" in body and path.endswith("cursor"):
                labels.append(f"{version} cursor")
        return labels

    def normalise(self, response: Any, step: Any, replacements: list[tuple[str, str]],
                  labels: list[str]) -> dict[str, Any]:
        record = super().normalise(response, step, replacements, labels)
        # a cursor body is JSON lines even when it holds only the baton line
        if record.get("format") == "json" and record["headers"].get("content-type", "").startswith("text/plain") \
                and isinstance(record.get("body"), dict) and "baton" in record["body"]:
            record["format"], record["body"] = "jsonl", [record["body"]]
        return record

    def normalise_body(self, body: Any, kind: str) -> Any:
        # replication_index is a log position (null on a server that does not replicate)
        body = mask_patterns(mask_keys(body, self.key_masks, always=frozenset({"replication_index"})), self.patterns)
        if kind == "text" and isinstance(body, str) and body.startswith("{"):
            try:
                return json.loads(body)
            except ValueError:
                return body
        return body

    def probes(self) -> list[tuple[str, dict[str, Any]]]:
        close = {"requests": [{"type": "close"}]}
        return [
            ("GET /health", {"get": "/health"}),
            ("GET /version", {"get": "/version"}),
            ("GET /v1", {"get": "/v1"}),
            ("GET /v2", {"get": "/v2"}),
            ("GET /v3", {"get": "/v3"}),
            ("POST /v1/execute", {"post": "/v1/execute", "json": {"stmt": {"sql": "SELECT 1"}}}),
            ("POST /v1/batch", {"post": "/v1/batch", "json": {"batch": {"steps": [{"stmt": {"sql": "SELECT 1"}}]}}}),
            ("POST /v2/pipeline", {"post": "/v2/pipeline", "json": close}),
            ("POST /v3/pipeline", {"post": "/v3/pipeline", "json": close}),
            ("POST /v3/cursor", {"post": "/v3/cursor", "json": {"baton": None, "batch": {"steps": []}}}),
            ("POST / (legacy)", {"post": "/", "json": {"statements": ["SELECT 1"]}}),
            ("GET /dump", {"get": "/dump"}),
        ]


PROTOCOL = LibSQL()
