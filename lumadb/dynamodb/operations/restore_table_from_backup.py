"""RestoreTableFromBackup: a new table with the backup's key schema, indexes, billing, throughput,
table class and encryption (each index list, the billing mode, the throughput and the encryption
can be overridden), and the backup's items; its indexes are rebuilt from them.

As DynamoDB does, the restored table gets no stream, TTL, tags, point-in-time recovery or
deletion protection: those are set again on the new table. CreateTable's checks apply to the
table being made. The restore is complete when the call returns: the table is ACTIVE and its
RestoreSummary says RestoreInProgress false (DynamoDB: CREATING, then ACTIVE)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import backups, schema
from lumadb.dynamodb.errors import DYNAMODB, DynamoError
from lumadb.dynamodb.indexes import definitions as index_definitions
from lumadb.dynamodb.operations.create_table import build_meta, request_region
from lumadb.dynamodb.operations.describe_table import live_description
from lumadb.dynamodb.validation import TABLE_NAME_LENGTH
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


def already_exists(name: str) -> DynamoError:
    return DynamoError(DYNAMODB + "TableAlreadyExistsException", f"Table already exists: {name}")


def _throughput(described: dict[str, Any]) -> dict[str, Any]:
    return {key: described[key] for key in ("ReadCapacityUnits", "WriteCapacityUnits")}


def _index_definitions(described: list[dict[str, Any]], is_global: bool, mode: str) -> list[dict[str, Any]]:
    """CreateTable's index definitions back from a stored table's described indexes."""
    out = []
    for index in described:
        definition = {key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
        if is_global and mode == "PROVISIONED" and "ProvisionedThroughput" in index:
            definition["ProvisionedThroughput"] = _throughput(index["ProvisionedThroughput"])
        if is_global and "OnDemandThroughput" in index:
            definition["OnDemandThroughput"] = index["OnDemandThroughput"]
        out.append(definition)
    return out


def _check_overrides(source: dict[str, Any], body: dict[str, Any], mode: str) -> None:
    """The overrides against the source and the billing mode they make (live probes of
    DynamoDB, 2026-10): throughput goes with PROVISIONED, caps with PAY_PER_REQUEST, and a restore
    brings back indexes the source had, never new ones."""
    invalid = "Invalid Request: "
    if body.get("ProvisionedThroughputOverride") and mode != "PROVISIONED":
        raise DynamoError.validation(invalid + "Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED")
    if body.get("BillingModeOverride") == "PROVISIONED" and not body.get("ProvisionedThroughputOverride"):
        raise DynamoError.validation(
            invalid + "Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED"
        )
    for cap in ("MaxReadRequestUnits", "MaxWriteRequestUnits"):
        if (body.get("OnDemandThroughputOverride") or {}).get(cap) is not None and mode != "PAY_PER_REQUEST":
            raise DynamoError.validation(
                invalid + f"Cannot override {cap} for OnDemandThroughput unless BillingModeOverride is PAY_PER_REQUEST"
            )
    for kind, override in (("GlobalSecondaryIndexes", "GlobalSecondaryIndexOverride"),
                           ("LocalSecondaryIndexes", "LocalSecondaryIndexOverride")):  # fmt: skip
        had = {index["IndexName"]: (index["KeySchema"], index["Projection"]) for index in source.get(kind) or []}
        for index in body.get(override) or []:
            name = index.get("IndexName")
            if had.get(name) != (index.get("KeySchema"), index.get("Projection")):
                raise DynamoError.validation(
                    invalid + f"Index {name} does not match a secondary index that existed in "
                    "the source table and cannot be created during the restore operation"
                )
            if kind == "GlobalSecondaryIndexes" and mode == "PROVISIONED" and not index.get("ProvisionedThroughput"):
                raise DynamoError.validation(invalid + f"Must specify provisioned throughput for index {name}")
            if kind == "GlobalSecondaryIndexes" and mode == "PAY_PER_REQUEST" and index.get("ProvisionedThroughput"):
                raise DynamoError.validation(
                    invalid + "Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST "
                    f"for index {name}"
                )


def _create_body(source: dict[str, Any], body: dict[str, Any], name: str) -> dict[str, Any]:
    """The CreateTable request the restore amounts to."""
    mode = body.get("BillingModeOverride") or source["BillingModeSummary"]["BillingMode"]
    _check_overrides(source, body, mode)
    create: dict[str, Any] = {"TableName": name, "KeySchema": source["KeySchema"], "BillingMode": mode}
    if mode == "PROVISIONED":
        create["ProvisionedThroughput"] = body.get("ProvisionedThroughputOverride") or _throughput(
            source["ProvisionedThroughput"]
        )
    for kind, override, is_global in (
        ("LocalSecondaryIndexes", "LocalSecondaryIndexOverride", False),
        ("GlobalSecondaryIndexes", "GlobalSecondaryIndexOverride", True),
    ):
        indexes = body.get(override)
        if indexes is None:
            indexes = _index_definitions(source.get(kind) or [], is_global, mode)
        if indexes:
            create[kind] = indexes
    vectors = [
        {key: index[key] for key in ("IndexName", "VectorAttribute", "Dimensions", "DistanceFunction", "Projection",
                                     "SearchSchema") if key in index}
        for index in source.get("VectorIndexes") or []
    ]  # fmt: skip
    if vectors:
        create["VectorIndexes"] = vectors
    # only the attributes some key still uses: CreateTable refuses any other
    used = {element["AttributeName"] for element in source["KeySchema"]}
    for kind in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
        for index in create.get(kind) or []:
            used.update(element["AttributeName"] for element in index["KeySchema"])
    for index in vectors:
        used.update(element["AttributeName"] for element in index.get("SearchSchema") or [])
    create["AttributeDefinitions"] = [d for d in source["AttributeDefinitions"] if d["AttributeName"] in used]
    on_demand = body.get("OnDemandThroughputOverride") or source.get("OnDemandThroughput")
    if on_demand:
        create["OnDemandThroughput"] = on_demand
    if body.get("SSESpecificationOverride") is not None:
        create["SSESpecification"] = body["SSESpecificationOverride"]
    return create


def restored_meta(source: dict[str, Any], body: dict[str, Any], name: str, request: Request) -> dict[str, Any]:
    """The new table's metadata: the source table's (a backup's, or a live table's), with the
    request's overrides, checked as CreateTable checks its request."""
    create = _create_body(source, body, name)
    billing_mode = schema.check_billing(create)
    schema.check_key_schemas(create, billing_mode)
    index_definitions.check_projections(create)
    meta = build_meta(create, name, request_region(request), billing_mode)
    if "SSESpecification" not in create and "SSEDescription" in source:
        meta["SSEDescription"] = source["SSEDescription"]
    return meta  # the table class is not restored (live probes of DynamoDB, 2026-10)


TABLE_NAME = re.compile(r"[a-zA-Z0-9_.-]+")


def _check_target_name(name: str) -> None:
    """The length in the service's own words (live probes of DynamoDB, 2026-10), then the pattern."""
    if not 3 <= len(name) <= 255:
        raise DynamoError.validation(TABLE_NAME_LENGTH)
    if not TABLE_NAME.fullmatch(name):
        raise DynamoError.validation(
            f"1 validation error detected: Value '{name}' at 'targetTableName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        )


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    name, arn = body["TargetTableName"], body["BackupArn"]
    _check_target_name(name)
    key = backups.parse_arn(arn)
    for cap in ("MaxReadRequestUnits", "MaxWriteRequestUnits"):  # (live probes of DynamoDB, 2026-10)
        if (body.get("OnDemandThroughputOverride") or {}).get(cap, 1) < 1:
            raise DynamoError.validation(f"Invalid Request: Requested {cap} for OnDemandThroughput is outside of valid range")
    backup = service.read_now(backups.find, *key)
    if backup is None:
        raise backups.not_found(arn)
    if service.catalog.get(name) is not None:
        raise already_exists(name)
    source = backup["Table"]
    meta = restored_meta(source, body, name, request)
    summary = {
        "SourceBackupArn": arn,
        "SourceTableArn": source["TableArn"],
        "RestoreDateTime": meta["CreationDateTime"],
        "RestoreInProgress": False,
    }
    # the writer thread: copying a large backup must not hold up the event loop
    restored = await service.write_in_background(backups.restore, arn, name, meta)
    if restored is None:
        raise already_exists(name)
    table, version = restored
    service.catalog.installed(table, name, version)
    # the restore's answer says where the table came from; DescribeTable does not (live probes
    # of DynamoDB, 2026-10: RestoreSummary goes once the table is ACTIVE)
    return {"TableDescription": {**live_description(service, table), "RestoreSummary": summary}}
