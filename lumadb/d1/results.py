"""D1's response shapes: result elements, meta in D1's key order, the v4 envelope, bookmarks."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from lumadb.d1.runner import DatabaseState, Outcome
from lumadb.d1.values import js_number, json_rows

SERVED_BY = "lumadb"
REGIONS = {"wnam": "WNAM", "enam": "ENAM", "weur": "WEUR", "eeur": "EEUR", "apac": "APAC", "oc": "OC"}


def meta(outcome: Outcome, region: str = "WNAM") -> dict[str, Any]:
    duration = round(outcome.duration_ms, 4)
    return {
        "served_by": SERVED_BY,
        "served_by_region": region,
        "served_by_primary": True,
        "timings": {"sql_duration_ms": duration},
        "duration": duration,
        "changes": outcome.changes,
        "last_row_id": js_number(outcome.last_row_id),
        "changed_db": outcome.changed_db,
        "size_after": outcome.size_after,
        "rows_read": outcome.rows_read,
        "rows_written": outcome.rows_written,
    }


def objects(outcome: Outcome) -> list[dict[str, Any]]:
    # dict() keeps the last of duplicate column names, like the binding's Object.fromEntries
    columns = outcome.columns
    return [dict(zip(columns, row, strict=False)) for row in json_rows(outcome.rows)]


def raw(outcome: Outcome) -> dict[str, Any]:
    return {"columns": outcome.columns, "rows": json_rows(outcome.rows)}


def binding_element(outcome: Outcome, results_format: str, region: str) -> dict[str, Any]:
    results = raw(outcome) if results_format == "ROWS_AND_COLUMNS" else objects(outcome)
    return {"success": True, "results": results, "meta": meta(outcome, region)}


def rest_element(outcome: Outcome, as_raw: bool, region: str) -> dict[str, Any]:
    return {"results": raw(outcome) if as_raw else objects(outcome), "success": True, "meta": meta(outcome, region)}


def envelope(result: Any, **extra: Any) -> bytes:
    body = {"result": result, "success": True, "errors": [], "messages": []}
    body.update(extra)
    return orjson.dumps(body)


def bookmark(uuid: str, state: DatabaseState) -> str:
    """D1-shaped bookmark (`xxxxxxxx-xxxxxxxx-xxxxxxxx-<32 hex>`); later commits sort later."""
    counter = state.bookmark_counter
    cached_counter, text = state.bookmark
    if cached_counter == counter:
        return text
    digest = hashlib.blake2b(f"{uuid}/{counter}".encode(), digest_size=16).hexdigest()
    text = f"{counter >> 32 & 0xFFFFFFFF:08x}-{counter & 0xFFFFFFFF:08x}-00000000-{digest}"
    state.bookmark = (counter, text)
    return text
