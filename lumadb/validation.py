"""Request-body validation for hand-written OpenAPI specs: a schema and the spec's
`components.schemas`, compiled once into a function that lists what is wrong with a body.

OpenAPI 3.0 schemas (what Connexion 3.3 accepts) are read as JSON Schema 2020-12 after two
translations: `nullable: true` becomes a `"null"` type, and boolean `exclusiveMinimum`/`Maximum`
become numeric bounds. `jsonschema_rs` compiles it when installed, else `jsonschema`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

BodyValidator = Callable[[object], list[str]]


def compile_body_validator(schema: dict[str, Any], components: dict[str, Any]) -> BodyValidator:
    """A function returning human-readable errors ("body.items[0].sql: ...") for a body,
    an empty list when it is valid. `components` is the spec's `components.schemas`."""
    document = _to_json_schema(copy.deepcopy(schema))
    document["components"] = {"schemas": _to_json_schema(copy.deepcopy(components), is_map=True)}
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - jsonschema_rs is a dependency; this is the fallback
        return _with_jsonschema(document)
    validator = jsonschema_rs.Draft202012Validator(document)

    def validate(body: object) -> list[str]:
        return [f"{_location(e.instance_path)}: {e.message}" for e in validator.iter_errors(body)]

    return validate


def _with_jsonschema(document: dict[str, Any]) -> BodyValidator:
    import jsonschema

    validator = jsonschema.Draft202012Validator(document)

    def validate(body: object) -> list[str]:
        errors = sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.path)))
        return [f"{_location(list(e.path))}: {e.message}" for e in errors]

    return validate


def _location(path: list[str | int] | Any) -> str:
    return "body" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _to_json_schema(node: Any, is_map: bool = False) -> Any:
    """OpenAPI 3.0 keywords that JSON Schema 2020-12 reads differently, rewritten in place."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    for key, value in node.items():
        # `properties` and friends map names to schemas; their keys are not keywords
        node[key] = _to_json_schema(value, is_map=key in ("properties", "patternProperties", "$defs"))
    if is_map:
        return node
    if node.pop("nullable", False):
        kind = node.get("type")
        if kind is not None:
            node["type"] = [*(kind if isinstance(kind, list) else [kind]), "null"]
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if isinstance(node.get(exclusive), bool) and node.pop(exclusive) and bound in node:
            node[exclusive] = node.pop(bound)
    return node
