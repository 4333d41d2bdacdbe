"""Build specs/dynamodb.json from botocore's `dynamodb` and `dynamodbstreams` service models plus
the hand-written specs/dynamodb.overlay.yaml. OpenAPI 3.0.3, because Connexion 3.3 validates specs
against the 3.0 schema only; what 3.0's schema subset cannot say goes into `x-botocore`.

    python specs/generate.py           # write specs/dynamodb.json
    python specs/generate.py --check   # exit 1 when the committed file is not what this would write
"""

from __future__ import annotations

import copy
import difflib
import json
import re
import sys
from pathlib import Path
from typing import Any

import botocore
import yaml
from botocore.loaders import Loader

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "dynamodb.json"
OVERLAY = HERE / "dynamodb.overlay.yaml"
SERVICES = ("dynamodb", "dynamodbstreams")  # botocore service name == LumaDB protocol tag
REF = "#/components/schemas/"
ERROR_SCHEMA = "DynamoDBError"
CONTENT_TYPES = ("application/x-amz-json-1.0", "application/json")
# Regex features Python and ECMAScript do not share; such patterns stay out of JSON Schema.
NOT_PORTABLE = re.compile(r"\\[pPUAZz]|\(\?[<P]|\(\?[a-z]")


def snake_case(name: str) -> str:
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def first_sentence(html: str | None) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html or "")).strip()
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def strip_docs(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_docs(v) for k, v in value.items() if k != "documentation"}
    if isinstance(value, list):
        return [strip_docs(v) for v in value]
    return value


def load_models() -> list[tuple[str, dict[str, Any]]]:
    loader = Loader()
    return [(name, loader.load_service_model(name, "service-2")) for name in SERVICES]


def merge_shapes(models: list[tuple[str, dict[str, Any]]], overlay: dict[str, Any]) -> dict[str, Any]:
    """All shapes of both models (shared names must agree), with the overlay applied."""
    shapes: dict[str, Any] = {}
    for service, model in models:
        for name, shape in model["shapes"].items():
            clean = strip_docs(shape)
            if name in shapes and shapes[name] != clean:
                raise SystemExit(f"shape {name} differs between models ({service}); rename it in the overlay")
            shapes[name] = clean
    for name, shape in (overlay.get("shapes") or {}).items():
        shapes[name] = copy.deepcopy(shape)
    for target, shape_name in (overlay.get("members") or {}).items():
        struct, member = target.split(".")
        if shape_name not in shapes or member not in shapes[struct]["members"]:
            raise SystemExit(f"overlay members: {target} -> {shape_name} does not resolve")
        shapes[struct]["members"][member]["shape"] = shape_name
    return shapes


def string_schema(name: str, shape: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if "min" in shape:
        schema["minLength"] = shape["min"]
    if "max" in shape:
        schema["maxLength"] = shape["max"]
    if "enum" in shape:
        schema["enum"] = list(shape["enum"])
        aws_order = (overlay.get("enum_order") or {}).get(name)
        if aws_order:
            if sorted(aws_order) != sorted(shape["enum"]):
                raise SystemExit(f"overlay enum_order.{name} no longer matches the model's {shape['enum']}")
            schema["enum"] = list(aws_order)
    if "pattern" in shape:
        aws_text = shape["pattern"]
        regex = (overlay.get("patterns") or {}).get(aws_text, aws_text)
        try:
            re.compile(regex)
        except re.error as exc:
            raise SystemExit(f"pattern {aws_text!r} is not a Python regex ({exc}); translate it in the overlay") from None
        if not NOT_PORTABLE.search(regex):
            schema["pattern"] = f"^(?:{regex})$"
        if regex != aws_text or "pattern" not in schema:
            schema["x-lumadb-regex"] = regex
    if "x-lumadb-name-or-arn" in shape:
        schema["x-lumadb-name-or-arn"] = REF + shape["x-lumadb-name-or-arn"]
    return schema


def shape_schema(name: str, shape: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    kind = shape["type"]
    botocore_ext: dict[str, Any] = {"shape": name, "type": kind}
    schema: dict[str, Any]
    if kind == "structure":
        members = list(shape.get("members", {}))
        aws_members = (overlay.get("member_order") or {}).get(name)
        if aws_members:
            if sorted(aws_members) != sorted(members):
                raise SystemExit(f"overlay member_order.{name} no longer matches the model's {members}")
            members = list(aws_members)
        schema = {
            "type": "object",
            "properties": {m: {"$ref": REF + shape["members"][m]["shape"]} for m in members},
        }
        if shape.get("required"):
            schema["required"] = list(shape["required"])
        botocore_ext["members"] = members
        for flag in ("exception", "fault"):
            if shape.get(flag):
                botocore_ext[flag] = True
        tokens = [m for m in members if shape["members"][m].get("idempotencyToken")]
        if tokens:
            botocore_ext["idempotencyTokens"] = tokens
    elif kind == "list":
        schema = {"type": "array", "items": {"$ref": REF + shape["member"]["shape"]}}
        if "min" in shape:
            schema["minItems"] = shape["min"]
        if "max" in shape:
            schema["maxItems"] = shape["max"]
    elif kind == "map":
        schema = {"type": "object", "additionalProperties": {"$ref": REF + shape["value"]["shape"]}}
        botocore_ext["key"] = shape["key"]["shape"]  # OpenAPI 3.0 has no propertyNames
        if "min" in shape:
            schema["minProperties"] = shape["min"]
        if "max" in shape:
            schema["maxProperties"] = shape["max"]
    elif kind == "string":
        schema = string_schema(name, shape, overlay)
        if "pattern" in shape:
            botocore_ext["pattern"] = shape["pattern"]
    elif kind in ("integer", "long"):
        schema = {"type": "integer", "format": "int32" if kind == "integer" else "int64"}
        if "min" in shape:
            schema["minimum"] = shape["min"]
        if "max" in shape:
            schema["maximum"] = shape["max"]
    elif kind in ("double", "float"):
        schema = {"type": "number", "format": kind}
        if "min" in shape:
            schema["minimum"] = shape["min"]
        if "max" in shape:
            schema["maximum"] = shape["max"]
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "timestamp":  # JSON 1.0 sends epoch seconds
        schema = {"type": "number"}
    elif kind == "blob":
        schema = {"type": "string", "format": "byte"}
    else:
        raise SystemExit(f"shape {name}: unknown botocore type {kind}")
    for bound in ("min", "max"):  # as botocore states them, for the validator's messages
        if bound in shape:
            botocore_ext[bound] = shape[bound]
    schema["x-botocore"] = botocore_ext
    return schema


def error_types(shapes: dict[str, Any], overlay: dict[str, Any]) -> dict[str, str]:
    prefixes = overlay["error_prefixes"]
    names = {n for n, s in shapes.items() if s.get("exception")} | set(overlay.get("common_errors") or [])
    names |= {n for n in prefixes if n != "default"}
    return {n: prefixes.get(n, prefixes["default"]) + n for n in sorted(names)}


def error_schema(shapes: dict[str, Any]) -> dict[str, Any]:
    """One envelope for every error: `__type`, `message` (`Message` for some), plus the extra
    members AWS error shapes carry (Item, CancellationReasons...)."""
    properties: dict[str, Any] = {
        "__type": {"type": "string"},
        "message": {"type": "string"},
        "Message": {"type": "string"},
    }
    for shape in shapes.values():
        if shape.get("exception"):
            for member, ref in shape.get("members", {}).items():
                if member.lower() != "message":
                    properties[member] = {"$ref": REF + ref["shape"]}
    return {"type": "object", "required": ["__type"], "properties": properties}


def json_content(ref: str) -> dict[str, Any]:
    return {ct: {"schema": {"$ref": REF + ref}} for ct in CONTENT_TYPES}


def operation(service: str, model: dict[str, Any], name: str, overlay: dict[str, Any]) -> dict[str, Any]:
    op = model["operations"][name]
    target = f"{model['metadata']['targetPrefix']}.{name}"
    errors = sorted({e["shape"] for e in op.get("errors", [])} | set(overlay.get("common_errors") or []))
    error_response = {"description": "An error in DynamoDB's envelope", "content": json_content(ERROR_SCHEMA)}
    ext: dict[str, Any] = {"name": name, "input": op["input"]["shape"], "errors": errors}
    if "output" in op:
        ext["output"] = op["output"]["shape"]
    spec_op: dict[str, Any] = {
        "operationId": f"lumadb.dynamodb.operations.{snake_case(name)}.handle",
        "summary": first_sentence(op.get("documentation")) or name,
        "tags": [service],
        "parameters": [
            {
                "name": "X-Amz-Target",
                "in": "header",
                "required": True,
                "schema": {"type": "string", "enum": [target]},
            }
        ],
        "requestBody": {"required": True, "content": json_content(op["input"]["shape"])},
        "responses": {
            "200": {
                "description": "Success",
                "content": json_content(op["output"]["shape"]) if "output" in op else {},
            },
            "400": error_response,
            "500": error_response,
        },
        "x-botocore": ext,
    }
    if name in (overlay.get("table_name_first") or []):
        spec_op["x-lumadb-table-name-first"] = True
    elif name in (overlay.get("table_name_required_first") or []):
        spec_op["x-lumadb-table-name-first"] = "required"
    return spec_op


def build() -> dict[str, Any]:
    overlay = yaml.safe_load(OVERLAY.read_text())
    models = load_models()
    shapes = merge_shapes(models, overlay)
    schemas = {name: shape_schema(name, shape, overlay) for name, shape in shapes.items()}
    if ERROR_SCHEMA in schemas:
        raise SystemExit(f"{ERROR_SCHEMA} clashes with a botocore shape name")
    schemas[ERROR_SCHEMA] = error_schema(shapes)
    paths = {}
    for service, model in models:
        for name in model["operations"]:
            paths[f"/dynamodb/{name}"] = {"post": operation(service, model, name, overlay)}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "LumaDB DynamoDB API",
            "version": models[0][1]["metadata"]["apiVersion"],
            "description": "DynamoDB and DynamoDB Streams (JSON 1.0). Generated by specs/generate.py "
            "from botocore's service models and specs/dynamodb.overlay.yaml; do not edit by hand.",
            "x-botocore-version": botocore.__version__,
        },
        "tags": [{"name": service, "description": model["metadata"]["serviceFullName"]} for service, model in models],
        "paths": paths,
        "components": {"schemas": schemas},
        "x-lumadb-protocol": "dynamodb",
        "x-lumadb-target-prefixes": {model["metadata"]["targetPrefix"]: service for service, model in models},
        "x-lumadb-error-types": error_types(shapes, overlay),
    }


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def check(text: str) -> int:
    current = OUTPUT.read_text() if OUTPUT.exists() else ""
    if current == text:
        return 0
    diff = list(difflib.unified_diff(current.splitlines(), text.splitlines(), "committed", "generated", n=0, lineterm=""))
    changed = sum(1 for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---"))
    print(f"{OUTPUT.name} is out of date ({changed} lines differ, botocore {botocore.__version__}); "
          f"run: python specs/generate.py", file=sys.stderr)
    for line in diff[:20]:
        print(line[:160], file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    text = render(build())
    if "--check" in argv:
        return check(text)
    OUTPUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
