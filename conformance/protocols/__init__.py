"""One module per protocol; `get(name)` returns its Protocol."""

from __future__ import annotations

from conformance.protocols.base import Protocol

NAMES = ("dynamodb", "libsql", "d1")


def get(name: str) -> Protocol:
    if name == "dynamodb":
        from conformance.protocols.dynamodb import PROTOCOL as dynamodb

        return dynamodb
    if name == "libsql":
        from conformance.protocols.libsql import PROTOCOL as libsql

        return libsql
    if name == "d1":
        from conformance.protocols.d1 import PROTOCOL as d1

        return d1
    raise ValueError(f"unknown protocol {name!r}; expected one of {', '.join(NAMES)}")
