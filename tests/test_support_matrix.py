"""Every operation of every spec is implemented or listed as unsupported with a reason, and
the published support table says the same."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from lumadb.dynamodb import support, target, validation
from lumadb.specs import load_spec

ROOT = Path(__file__).resolve().parent.parent


def test_each_dynamodb_operation_is_implemented_or_listed_unsupported() -> None:
    operations = validation.operations()
    implemented = {name for name in operations if target.handler_for(name) is not None}
    listed = set(support.UNSUPPORTED)
    assert implemented & listed == set(), "listed as unsupported but implemented"
    assert set(operations) - implemented - listed == set(), "neither implemented nor listed"
    assert listed <= set(operations), "listed operations the spec does not have"


def test_the_dynamodb_support_table_in_docs_is_current() -> None:
    assert (ROOT / "docs" / "dynamodb-operations.md").read_text() == support.current_table()


@pytest.mark.parametrize("protocol", ["d1", "libsql"])
def test_every_operation_id_of_the_hand_written_specs_resolves_to_a_handler(protocol: str) -> None:
    spec = load_spec(protocol)
    missing = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            module, _, name = operation["operationId"].rpartition(".")
            try:
                handler = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError):
                handler = None
            if not callable(handler):
                missing.append(f"{method.upper()} {path}: {operation['operationId']}")
    assert missing == []
