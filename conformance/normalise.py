"""Generic pieces of normalisation: body parsing, masking by key and by pattern, ignored
and unordered paths. Each protocol module combines them into its own normaliser."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from conformance.template import MISSING, extract, split_path

LONG_STRING = 5000  # longer strings are recorded as their length and a digest


def parse_body(content_type: str, data: bytes) -> tuple[str, Any]:
    """("empty" | "json" | "jsonl" | "text" | "bytes", value) for a response body."""
    if not data:
        return "empty", None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "bytes", f"<{len(data)} bytes sha1={hashlib.sha1(data).hexdigest()[:12]}>"
    stripped = text.strip()
    if stripped[:1] in ("{", "[", '"') or "json" in content_type:
        try:
            return "json", json.loads(text)
        except ValueError:
            pass
        lines = [line for line in text.splitlines() if line.strip()]
        try:
            return "jsonl", [json.loads(line) for line in lines]
        except ValueError:
            pass
    return "text", text


KeyMask = str | Callable[[Any], Any]


def mask_keys(value: Any, masks: Mapping[str, KeyMask], drop: frozenset[str] = frozenset(),
              always: frozenset[str] = frozenset()) -> Any:
    """Replace the value of every key named in `masks` (at any depth) by a placeholder.

    A null value stays null, so "absent", "null" and "present" still differ; a callable mask
    computes the replacement from the value. Keys in `drop` are removed; keys in `always` are
    masked even when null (a value whose presence is all that counts).
    """
    if isinstance(value, list):
        return [mask_keys(item, masks, drop, always) for item in value]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in drop:
                continue
            mask = masks.get(key)
            if mask is not None and item is None and key in always:
                out[key] = mask if isinstance(mask, str) else mask("")
            elif mask is None or item is None:
                out[key] = mask_keys(item, masks, drop, always)
            elif callable(mask):
                out[key] = mask(item)
            else:
                out[key] = mask
        return out
    return value


def mask_patterns(value: Any, patterns: list[tuple[re.Pattern[str], str]]) -> Any:
    """Apply regex substitutions to every string (and map key)."""
    if isinstance(value, str):
        for pattern, replacement in patterns:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [mask_patterns(item, patterns) for item in value]
    if isinstance(value, dict):
        return {mask_patterns(k, patterns): mask_patterns(v, patterns) for k, v in value.items()}
    return value


def _apply_at(value: Any, parts: list[str | int], action: Callable[[Any], Any]) -> Any:
    if not parts:
        return action(value)
    head, rest = parts[0], parts[1:]
    if head == "*":
        if isinstance(value, list):
            return [_apply_at(item, rest, action) for item in value]
        if isinstance(value, dict):
            return {k: _apply_at(v, rest, action) for k, v in value.items()}
        return value
    if isinstance(head, int):
        if isinstance(value, list) and -len(value) <= head < len(value):
            value = list(value)
            value[head] = _apply_at(value[head], rest, action)
        return value
    if isinstance(value, dict) and head in value:
        value = dict(value)
        value[head] = _apply_at(value[head], rest, action)
    return value


def ignore_paths(body: Any, paths: list[str]) -> Any:
    """Mask what a step says must not count (the value is replaced, presence still counts)."""
    for path in paths:
        body = _apply_at(body, split_path(path), lambda _v: "<ignored>")
    return body


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sort_paths(body: Any, paths: list[str]) -> Any:
    """Sort the lists at the given paths, for results whose order the service leaves open."""
    for path in paths:
        body = _apply_at(
            body, split_path(path), lambda v: sorted(v, key=canonical) if isinstance(v, list) else v
        )
    return body


def shorten(value: Any, limit: int = LONG_STRING) -> Any:
    """Very long strings (a 400 KB attribute) become their length and a digest."""
    if isinstance(value, str) and len(value) > limit:
        digest = hashlib.sha1(value.encode()).hexdigest()[:12]
        return f"<{len(value)} chars sha1={digest}>"
    if isinstance(value, list):
        return [shorten(item, limit) for item in value]
    if isinstance(value, dict):
        return {k: shorten(v, limit) for k, v in value.items()}
    return value


def placeholder_for(kind: str) -> Callable[[Any], Any]:
    """A mask keeping the JSON type visible: `<number>`, `<string>`."""

    def mask(value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return f"<{kind}:number>"
        if isinstance(value, str):
            return f"<{kind}>"
        return f"<{kind}:{type(value).__name__}>"

    return mask


def select_paths(body: Any, paths: list[str]) -> dict[str, Any]:
    """Only the named paths of a body (for answers whose other fields the service leaves open)."""
    out = {}
    for path in paths:
        value = extract(body, path)
        out[path] = "<absent>" if value is MISSING else value
    return out
