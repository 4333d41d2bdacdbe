"""The small templating language of scenario steps: `{{name}}` placeholders filled from
variables (values saved from earlier responses, unique names), and the reverse operation
that puts the placeholders back into responses so that recordings do not depend on them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
MISSING = object()


class TemplateError(ValueError):
    pass


def fill(value: Any, variables: Mapping[str, Any], depth: int = 0) -> Any:
    """Substitute placeholders everywhere in a JSON-like value.

    A string that is exactly one placeholder takes the variable's own value (which may be a
    map or a number: `"{{lek}}"` → a LastEvaluatedKey); otherwise placeholders are formatted
    into the string. `{"$repeat": [text, n]}` builds long strings without writing them out, and
    `{"$list": [n, item]}` a list of n items in which `{{i}}` counts from 0.
    """
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole:
            found = _lookup(whole.group(1), variables)
            # a scenario variable may itself hold placeholders (`values: {":p": {S: "{{u}}"}}`)
            return fill(found, variables, depth + 1) if depth < 3 else found
        return PLACEHOLDER.sub(lambda m: _as_text(_lookup(m.group(1), variables)), value)
    if isinstance(value, list):
        return [fill(item, variables, depth) for item in value]
    if isinstance(value, dict):
        if len(value) == 1 and "$repeat" in value:
            text, count = fill(value["$repeat"], variables, depth)
            return str(text) * int(count)
        if len(value) == 1 and "$list" in value:
            count, item = value["$list"]
            return [fill(item, {**variables, "i": index}, depth) for index in range(int(count))]
        return {fill(key, variables, depth): fill(item, variables, depth) for key, item in value.items()}
    return value


def _lookup(name: str, variables: Mapping[str, Any]) -> Any:
    if name not in variables:
        raise TemplateError(f"undefined variable {{{{{name}}}}}")
    return variables[name]


def _as_text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else str(value)


def extract(document: Any, path: str) -> Any:
    """The value at a dotted path (`result.uuid`, `results[0].response.result`), or MISSING."""
    current = document
    for part in split_path(path):
        if isinstance(part, int):
            if not isinstance(current, list) or not -len(current) <= part < len(current):
                return MISSING
            current = current[part]
        else:
            if not isinstance(current, dict) or part not in current:
                return MISSING
            current = current[part]
    return current


def split_path(path: str) -> list[str | int]:
    """`a.b[2].c` → ["a", "b", 2, "c"]; `*` stays a string and matches any key or index."""
    parts: list[str | int] = []
    for piece in path.split("."):
        name, _, rest = piece.partition("[")
        if name:
            parts.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            parts.append("*" if index == "*" else int(index))
            rest = rest[1:] if rest.startswith("[") else rest
    return parts


def unfill(value: Any, replacements: list[tuple[str, str]]) -> Any:
    """Replace concrete variable values by their placeholders in every string and map key.

    `replacements` holds (concrete text, placeholder) pairs, longest first, so that a run's
    unique table name in an error message reads `{{u}}` in every recording.
    """
    if isinstance(value, str):
        for concrete, placeholder in replacements:
            if concrete in value:
                value = value.replace(concrete, placeholder)
        return value
    if isinstance(value, list):
        return [unfill(item, replacements) for item in value]
    if isinstance(value, dict):
        return {unfill(key, replacements): unfill(item, replacements) for key, item in value.items()}
    return value


def replacements_for(variables: Mapping[str, Any], names: list[str]) -> list[tuple[str, str]]:
    """The (value, placeholder) pairs worth putting back: strings long enough to be unique."""
    pairs = [
        (variables[name], "{{" + name + "}}")
        for name in names
        if isinstance(variables.get(name), str) and len(variables[name]) >= 6
    ]
    return sorted(pairs, key=lambda pair: -len(pair[0]))
