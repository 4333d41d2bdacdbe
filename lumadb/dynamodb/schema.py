"""CreateTable's semantic checks on billing, key schemas and secondary-index definitions, in
DynamoDB's order and with its messages (the spec validator has already checked types,
enums and lengths)."""

from __future__ import annotations

from typing import Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.indexes.definitions import check_gsi_key_schema
from lumadb.dynamodb.vectors import definitions as vector_definitions

INVALID = "One or more parameter values were invalid: "
MAX_THROUGHPUT = 1_000_000_000_000
MAX_LSIS = 5
MAX_GSIS = 20
TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")


def _fail(message: str) -> DynamoError:
    return DynamoError.validation(message)


def check_throughput(throughput: dict[str, Any] | None) -> None:
    if not throughput:
        return
    for name in ("ReadCapacityUnits", "WriteCapacityUnits"):
        value = throughput.get(name)
        if value is not None and value > MAX_THROUGHPUT:
            raise _fail(f"Given value {value} for {name} is out of bounds")


def check_table_class(table_class: str | None) -> None:
    """CreateTable's and UpdateTable's TableClass (the spec leaves it a plain string: DynamoDB
    refuses an unknown class with this text, not as an enum violation)."""
    if table_class is not None and table_class not in TABLE_CLASSES:
        raise _fail(
            "Invalid table-class parameter provided. Please try again with a valid table-class value: "
            f"[{', '.join(TABLE_CLASSES)}]."
        )


def check_billing(body: dict[str, Any]) -> str:
    """The table's billing mode, after DynamoDB's throughput checks."""
    mode = body.get("BillingMode") or "PROVISIONED"
    throughput = body.get("ProvisionedThroughput")
    if mode == "PAY_PER_REQUEST":
        if throughput:
            raise _fail(
                INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
                "when BillingMode is PAY_PER_REQUEST"
            )
        return mode
    if not throughput or not throughput.get("ReadCapacityUnits") or not throughput.get("WriteCapacityUnits"):
        raise _fail(
            INVALID
            + "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
        )
    check_throughput(throughput)
    return mode


def _names(elements: list[dict[str, Any]]) -> list[str]:
    return [e["AttributeName"] for e in elements]


def _check_key_schema(key_schema: list[dict[str, Any]]) -> None:
    if len(key_schema) > 1 and key_schema[0]["AttributeName"] == key_schema[1]["AttributeName"]:
        raise _fail("Both the Hash Key and the Range Key element in the KeySchema have the same name")
    if key_schema[0]["KeyType"] != "HASH":
        raise _fail("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if len(key_schema) > 1 and key_schema[1]["KeyType"] != "RANGE":
        raise _fail("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")


def _undefined(keys: list[str], definitions: list[str]) -> DynamoError:
    return _fail(
        INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
        f"Keys: [{', '.join(keys)}], AttributeDefinitions: [{', '.join(definitions)}]"
    )


def _check_projection(index: dict[str, Any]) -> None:
    projection = index.get("Projection") or {}
    projection_type = projection.get("ProjectionType")
    if projection_type is None:
        raise _fail(INVALID + "Unknown ProjectionType: null")
    if projection.get("NonKeyAttributes") and projection_type != "INCLUDE":
        raise _fail(INVALID + f"ProjectionType is {projection_type}, but NonKeyAttributes is specified")


def check_key_schemas(body: dict[str, Any], billing_mode: str) -> None:
    definitions = _names(body["AttributeDefinitions"])
    key_schema = body["KeySchema"]
    keys = _names(key_schema)
    lsis = body.get("LocalSecondaryIndexes")
    gsis = body.get("GlobalSecondaryIndexes")
    seen_definitions: set[str] = set()
    for name in definitions:
        if name in seen_definitions:
            raise _fail(f"Attribute Name is duplicated: {name}")
        seen_definitions.add(name)
    if len(keys) > len(definitions):
        raise _fail("Invalid KeySchema: Some index key attribute have no definition")
    if any(k not in definitions for k in keys):
        raise _undefined(keys, definitions)
    _check_key_schema(key_schema)
    if lsis is None and gsis is None and not body.get("VectorIndexes") and len(keys) != len(definitions):
        raise _fail(
            INVALID + "Number of attributes in KeySchema does not exactly match number of attributes "
            "defined in AttributeDefinitions"
        )

    seen_indexes: set[str] = set()
    used = list(keys)
    if lsis is not None:
        if not lsis:
            raise _fail(INVALID + "List of LocalSecondaryIndexes is empty")
        if len(key_schema) != 2:
            raise _fail(
                INVALID + "Table KeySchema does not have a range key, which is required when specifying a "
                "LocalSecondaryIndex"
            )
        for index in lsis:
            name, index_schema = index["IndexName"], index["KeySchema"]
            index_keys = _names(index_schema)
            if any(k not in definitions for k in index_keys):
                raise _undefined(index_keys, definitions)
            _check_key_schema(index_schema)
            if len(index_schema) != 2:
                raise _fail(INVALID + f"Index KeySchema does not have a range key for index: {name}")
            if index_keys[0] != keys[0]:
                raise _fail(
                    INVALID
                    + "Index KeySchema does not have the same leading hash key as table KeySchema for "
                    f"index: {name}. index hash key: {index_keys[0]}, table hash key: {keys[0]}"
                )
            _check_projection(index)
            if name in seen_indexes:
                raise _fail(INVALID + f"Duplicate index name: {name}")
            seen_indexes.add(name)
            used.extend(k for k in index_keys if k not in used)
        if len(lsis) > MAX_LSIS:
            raise _fail(INVALID + f"Number of LocalSecondaryIndexes exceeds per-table limit of {MAX_LSIS}")
    if gsis is not None:
        if not gsis:
            raise _fail(INVALID + "List of GlobalSecondaryIndexes is empty")
        for index in gsis:
            name, index_schema = index["IndexName"], index["KeySchema"]
            index_keys = _names(index_schema)
            if any(k not in definitions for k in index_keys):
                raise _undefined(index_keys, definitions)
            check_gsi_key_schema(index_schema)  # up to 4 HASH and 4 RANGE attributes
            _check_projection(index)
            throughput = index.get("ProvisionedThroughput")
            if billing_mode == "PAY_PER_REQUEST" and throughput:
                raise _fail(
                    INVALID + f"ProvisionedThroughput should not be specified for index: {name} "
                    "when BillingMode is PAY_PER_REQUEST"
                )
            if billing_mode == "PROVISIONED" and not throughput:
                # UpdateTable's GSI Create says "must be specified" (indexes/definitions.py)
                raise _fail(INVALID + f"ProvisionedThroughput is not specified for index: {name}")
            check_throughput(throughput)
            if name in seen_indexes:
                raise _fail(INVALID + f"Duplicate index name: {name}")
            seen_indexes.add(name)
            used.extend(k for k in index_keys if k not in used)
        if len(gsis) > MAX_GSIS:
            raise _fail(INVALID + f"GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GSIS}")
    used.extend(name for name in vector_definitions.check_create(body, billing_mode) if name not in used)
    if len(used) < len(definitions):
        raise _fail(
            INVALID
            # the definitions as sent, the keys as the key schemas use them (a CloudFormation log of
            # 2020 and live probes of DynamoDB, 2026-10)
            + f"Some AttributeDefinitions are not used. AttributeDefinitions: [{', '.join(definitions)}], "
            f"keys used: [{', '.join(used)}]"
        )
