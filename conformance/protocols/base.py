"""What every protocol module provides: turning a step into an HTTP request, normalising a
response into what is recorded and compared, the reference peers and their fix-ups, and the
probes behind the support matrix."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from conformance.normalise import (
    KeyMask,
    ignore_paths,
    mask_keys,
    mask_patterns,
    parse_body,
    select_paths,
    shorten,
    sort_paths,
)
from conformance.scenario import Step
from conformance.template import unfill

WEBSOCKET = "WEBSOCKET"  # HttpRequest.method of a conversation over WebSocket (websocket_exchange.py)


@dataclass
class HttpRequest:
    method: str
    path: str  # appended to the target's base URL for `api`
    headers: dict[str, str]
    body: bytes = b""
    api: str = "default"  # which base URL of the target (D1: rest or binding; DynamoDB: streams)
    sign: bool = False  # AWS SigV4 (DynamoDB)
    labels: list[str] = field(default_factory=list)  # operations, for the support matrix


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    error: str | None = None  # the request could not be sent


@dataclass
class Fixup:
    """A documented correction of a reference peer where it is known to deviate from the
    real service, applied to its recording before LumaDB is compared with it."""

    description: str
    apply: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]  # (record, step request) -> record


def _header_text(value: str) -> str:
    return value.replace(" ", "").lower()


class Protocol:
    name = ""
    peers: tuple[str, ...] = ()  # recordings that can serve as the reference, in preference order
    real_service = ""  # the recording name of the real service, preferred when present
    # header name -> None (keep, lower-cased without spaces) or a placeholder for its value
    recorded_headers: Mapping[str, str | None] = {"content-type": None}
    key_masks: Mapping[str, KeyMask] = {}
    dropped_keys: frozenset[str] = frozenset()
    patterns: list[tuple[re.Pattern[str], str]] = []
    # fields whose differences alone are explained by a docs/compatibility.md phrase
    field_rules: Mapping[str, str] = {}
    fixups: Mapping[str, list[Fixup]] = {}

    # -- requests -------------------------------------------------------------------------
    def build(self, request: dict[str, Any], variables: Mapping[str, Any], target: Any) -> HttpRequest:
        method, path = self._method_path(request)
        headers = {str(k): str(v) for k, v in (request.get("headers") or {}).items()}
        body = self._body(request, headers)
        query = request.get("query")
        if query:
            path += ("&" if "?" in path else "?") + urlencode(query, doseq=True)
        return HttpRequest(method, path, headers, body, labels=[f"{method} {path.split('?')[0]}"])

    @staticmethod
    def _method_path(request: dict[str, Any]) -> tuple[str, str]:
        for verb in ("get", "post", "put", "patch", "delete"):
            if verb in request:
                return verb.upper(), str(request[verb])
        return str(request.get("method", "POST")).upper(), str(request.get("path", ""))

    @staticmethod
    def _body(request: dict[str, Any], headers: dict[str, str]) -> bytes:
        lower = {k.lower() for k in headers}
        if "json" in request:
            if "content-type" not in lower:
                headers["Content-Type"] = "application/json"
            return json.dumps(request["json"], separators=(",", ":"), ensure_ascii=False).encode()
        if "text" in request:
            return str(request["text"]).encode()
        if "raw" in request:
            return str(request["raw"]).encode("latin-1")
        return b""

    # -- responses ------------------------------------------------------------------------
    def normalise(
        self, response: HttpResponse, step: Step, replacements: list[tuple[str, str]], labels: list[str]
    ) -> dict[str, Any]:
        record: dict[str, Any] = {"op": labels[0] if labels else ""}
        if response.error is not None:
            record.update(status=0, error=response.error)
            return record
        content_type = response.headers.get("content-type", "")
        kind, body = parse_body(content_type, response.body)
        body = unfill(body, replacements)
        body = self.normalise_body(body, kind)
        body = ignore_paths(body, step.ignore)
        body = sort_paths(body, step.unordered)
        if step.select and 200 <= response.status < 300:
            body = select_paths(body, step.select)
        record["status"] = response.status
        record["headers"] = self.normalise_headers(response.headers)
        record["format"] = kind
        record["body"] = shorten(body)
        return record

    def normalise_body(self, body: Any, kind: str) -> Any:
        body = mask_keys(body, self.key_masks, self.dropped_keys)
        return mask_patterns(body, self.patterns)

    def normalise_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, mask in self.recorded_headers.items():
            if name in headers:
                out[name] = _header_text(headers[name]) if mask is None else mask
        return out

    # -- support matrix -------------------------------------------------------------------
    def probes(self) -> list[tuple[str, dict[str, Any]]]:
        """(operation, request) pairs sent once per run to see what a target implements."""
        return []

    def supported(self, record: dict[str, Any]) -> bool:
        status = record.get("status", 0)
        return bool(status) and status != 404 and status < 500

    def operations(self) -> list[str]:
        return [label for label, _ in self.probes()]
