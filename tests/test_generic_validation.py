"""lumadb.validation: OpenAPI request-body schemas compiled into readable error lists."""

from __future__ import annotations

import sys

import pytest

from lumadb import validation

COMPONENTS = {
    "Statement": {
        "type": "object",
        "required": ["sql"],
        "properties": {
            "sql": {"type": "string", "minLength": 1},
            "params": {"type": "array", "items": {"$ref": "#/components/schemas/Value"}},
            "mode": {"type": "string", "enum": ["read", "write"], "nullable": True},
        },
    },
    "Value": {"type": "string", "nullable": True},
    # a component named like a keyword must stay a component
    "nullable": {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
}
BODY = {
    "type": "object",
    "required": ["statements"],
    "properties": {
        "statements": {"type": "array", "items": {"$ref": "#/components/schemas/Statement"}},
        "timeout": {"$ref": "#/components/schemas/nullable"},
    },
}


@pytest.fixture(params=["jsonschema_rs", "jsonschema"])
def check(request, monkeypatch):
    if request.param == "jsonschema":  # the fallback when jsonschema_rs is not installed
        monkeypatch.setitem(sys.modules, "jsonschema_rs", None)
    return validation.compile_body_validator(BODY, COMPONENTS)


def test_valid_body_has_no_errors(check):
    assert check({"statements": [{"sql": "SELECT 1", "params": ["a", None], "mode": None}], "timeout": 5}) == []


def test_errors_name_the_path_and_the_reason(check):
    errors = check({"statements": [{"sql": "", "params": [1]}, {"params": []}]})
    by_path = {e.split(": ", 1)[0]: e.split(": ", 1)[1] for e in errors}
    assert set(by_path) == {"body.statements[0].sql", "body.statements[0].params[0]", "body.statements[1]"}
    assert "1 is not of type" in by_path["body.statements[0].params[0]"]
    assert "sql" in by_path["body.statements[1]"] and "required" in by_path["body.statements[1]"]


def test_missing_member_and_wrong_root_type(check):
    assert check({}) and check({})[0].startswith("body: ")
    assert check([])[0].startswith("body: ")


def test_openapi_30_nullable_enum_and_exclusive_minimum(check):
    assert check({"statements": [{"sql": "x", "mode": "other"}]})[0].startswith("body.statements[0].mode: ")
    assert check({"statements": [], "timeout": 0})[0].startswith("body.timeout: ")
    assert check({"statements": [], "timeout": 1}) == []
