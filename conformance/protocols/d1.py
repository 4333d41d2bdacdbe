"""Cloudflare D1: steps whose path starts with `/accounts/` go to the REST API (bearer
token added), the others to the Workers-binding wire protocol (`/query`, `/execute`,
`/dump`, database chosen by `X-LumaDB-Database`). The normaliser drops where and how fast a
query ran (served_by*, timings, duration) and masks sizes, uuids and bookmarks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from conformance.normalise import placeholder_for
from conformance.protocols.base import HttpRequest, Protocol

UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
REST_PATH = re.compile(r"^/accounts/[^/]+/d1/database(?:/([^/?]+)(/[^?]*)?)?")
REST_NAMES = {
    ("POST", False): "create",
    ("GET", False): "list",
    ("GET", True): "get",
    ("DELETE", True): "delete",
    ("PUT", True): "update",
    ("PATCH", True): "edit",
}


def _uuid(value: Any) -> Any:
    return value if isinstance(value, str) and value.startswith("{{") else "<uuid>"


def _bookmark(value: Any) -> Any:
    return "<bookmark>" if isinstance(value, str) else value


class D1(Protocol):
    name = "d1"
    peers = ("miniflare",)
    real_service = "cloudflare"
    recorded_headers: Mapping[str, str | None] = {
        "content-type": None,
        "x-cf-d1-session-commit-token": "<bookmark>",
    }
    key_masks = {
        "duration": placeholder_for("ms"),
        "sql_duration_ms": placeholder_for("ms"),
        "size_after": placeholder_for("bytes"),
        "file_size": placeholder_for("bytes"),
        "created_at": placeholder_for("time"),
        "uuid": _uuid,
        "bookmark": _bookmark,
        "at_bookmark": _bookmark,
        "final_bookmark": _bookmark,
        "previous_bookmark": _bookmark,
        "current_bookmark": _bookmark,
        "signed_url": "<url>",
        "upload_url": "<url>",
        "filename": "<filename>",
    }
    dropped_keys = frozenset(
        {"served_by", "served_by_region", "served_by_colo", "served_by_primary", "timings", "total_attempts",
         "running_in_region"}
    )
    patterns = [(UUID, "<uuid>")]
    field_rules = {
        "rows_read": "rows_read",
        "rows_written": "rows_written",
        "last_row_id": "last_row_id",
    }

    def build(self, request: dict[str, Any], variables: Mapping[str, Any], target: Any) -> HttpRequest:
        built = super().build(request, variables, target)
        lower = {k.lower() for k in built.headers}
        if built.path.startswith("/accounts/"):
            built.api = "rest"
            token = getattr(target, "token", None) or "conformance"
            if "authorization" not in lower:
                built.headers["Authorization"] = f"Bearer {token}"
        else:
            built.api = "binding"
            database = request.get("database", variables.get("u"))
            if database is not None and "x-lumadb-database" not in lower:
                built.headers["X-LumaDB-Database"] = str(database)
        built.labels = [self.label(built.method, built.path)]
        return built

    @staticmethod
    def label(method: str, path: str) -> str:
        match = REST_PATH.match(path)
        if match:
            has_id, rest = match.group(1) is not None, match.group(2)
            if rest:
                return f"REST {method} /{{id}}{rest}"
            return f"REST {REST_NAMES.get((method, has_id), method)}"
        bare, _, query = path.partition("?")
        formats = re.findall(r"resultsFormat=([A-Z_]+)", query)
        return f"binding {method} {bare}" + (f" ({formats[0]})" if formats else "")

    def probes(self) -> list[tuple[str, dict[str, Any]]]:
        base = "/accounts/{{account}}/d1/database"
        missing = base + "/00000000-0000-4000-8000-000000000000"
        select = {"sql": "SELECT 1"}
        return [
            ("REST list", {"get": base}),
            ("REST create", {"post": base, "json": {}}),
            ("REST get", {"get": missing}),
            ("REST delete", {"delete": missing}),
            ("REST update", {"put": missing, "json": {"read_replication": {"mode": "auto"}}}),
            ("REST edit", {"patch": missing, "json": {}}),
            ("REST query", {"post": missing + "/query", "json": select}),
            ("REST raw", {"post": missing + "/raw", "json": select}),
            ("REST export", {"post": missing + "/export", "json": {"output_format": "polling"}}),
            ("REST import", {"post": missing + "/import", "json": {"action": "poll", "current_bookmark": "x"}}),
            ("REST time_travel bookmark", {"get": missing + "/time_travel/bookmark"}),
            ("binding /query", {"post": "/query?resultsFormat=ROWS_AND_COLUMNS", "json": select}),
            ("binding /execute", {"post": "/execute?resultsFormat=NONE", "json": select}),
            ("binding /dump", {"post": "/dump"}),
        ]

    def supported(self, record: dict[str, Any]) -> bool:
        status = record.get("status", 0)
        if not status or status >= 500 or status == 405:
            return False
        body = record.get("body")
        # a bare 404 means no such route (a D1 "not found" carries the envelope)
        return not (status == 404 and not (isinstance(body, dict) and "errors" in body))


PROTOCOL = D1()
