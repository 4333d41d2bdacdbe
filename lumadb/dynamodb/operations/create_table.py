"""CreateTable: validate the key schema and billing, store the table's metadata and create its
items table in one transaction. Tables are ACTIVE as soon as the call returns."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import (
    catalog,
    encryption,
    policy_documents,
    resource_policies,
    schema,
    tags,
    warm_throughput,
)
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.indexes import definitions as index_definitions
from lumadb.dynamodb.streams import specification as stream_specification
from lumadb.dynamodb.vectors import definitions as vector_definitions
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


def request_region(request: Request) -> str:
    """The region the client signed for (`Credential=<key>/<date>/<region>/dynamodb/...`)."""
    authorization = request.headers.get("authorization", "")
    _, found, rest = authorization.partition("Credential=")
    if found:
        parts = rest.split(",", 1)[0].split("/")
        if len(parts) >= 3 and parts[2]:
            return parts[2]
    return catalog.DEFAULT_REGION


def _throughput(given: dict[str, Any] | None) -> dict[str, Any]:
    given = given or {}
    return {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": given.get("ReadCapacityUnits", 0),
        "WriteCapacityUnits": given.get("WriteCapacityUnits", 0),
    }


def _describe_index(index: dict[str, Any], table_arn: str, is_global: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "IndexName": index["IndexName"],
        "KeySchema": index["KeySchema"],
        "Projection": index["Projection"],
    }
    if is_global:
        out["IndexStatus"] = "ACTIVE"
        out["ProvisionedThroughput"] = _throughput(index.get("ProvisionedThroughput"))
        for name in ("OnDemandThroughput", "WarmThroughput"):
            if name in index:
                out[name] = index[name]
    out["IndexSizeBytes"] = 0
    out["ItemCount"] = 0
    out["IndexArn"] = f"{table_arn}/index/{index['IndexName']}"
    return out


def build_meta(body: dict[str, Any], name: str, region: str, billing_mode: str) -> dict[str, Any]:
    created = catalog.now()
    arn = catalog.table_arn(region, name)
    meta: dict[str, Any] = {
        "TableName": name,
        "TableId": str(uuid.uuid4()),
        "TableArn": arn,
        "CreationDateTime": created,
        "AttributeDefinitions": body["AttributeDefinitions"],
        "KeySchema": body["KeySchema"],
        "ProvisionedThroughput": _throughput(body.get("ProvisionedThroughput")),
        "BillingModeSummary": {"BillingMode": billing_mode},
        "DeletionProtectionEnabled": bool(body.get("DeletionProtectionEnabled", False)),
        "Tags": [tag for tag in body.get("Tags") or [] if tag is not None],
        "PointInTimeRecovery": {"Enabled": False},
    }
    if billing_mode == "PAY_PER_REQUEST":
        meta["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"] = created
    for kind, is_global in (("LocalSecondaryIndexes", False), ("GlobalSecondaryIndexes", True)):
        if body.get(kind):
            meta[kind] = [_describe_index(index, arn, is_global) for index in body[kind]]
    if body.get("VectorIndexes"):
        meta["VectorIndexes"] = [vector_definitions.described(index, arn) for index in body["VectorIndexes"]]
    if body.get("TableClass"):
        meta["TableClassSummary"] = {"TableClass": body["TableClass"]}
    if encryption.enabled(body.get("SSESpecification")):
        meta["SSEDescription"] = encryption.description(region, body["SSESpecification"])
    stream = body.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        stream_specification.enable(meta, stream)
    for extra in ("OnDemandThroughput", "WarmThroughput"):
        if body.get(extra):
            meta[extra] = body[extra]
    warm_throughput.follow(meta)
    if body.get("ResourcePolicy"):
        resource_policies.policies(meta)[arn] = {
            "Policy": policy_documents.canonical(body["ResourcePolicy"], catalog.partition(region)),
            "RevisionId": resource_policies.revision_after(None),
        }
    return meta


def _check_required(body: dict[str, Any]) -> None:
    # The current service model made these optional; DynamoDB still requires them for a new table.
    missing = [
        member
        for member in ("attributeDefinitions", "keySchema")
        if body.get(member[0].upper() + member[1:]) is None
    ]
    if missing:
        problems = "; ".join(
            f"Value null at '{m}' failed to satisfy constraint: Member must not be null" for m in missing
        )
        plural = "s" if len(missing) > 1 else ""
        raise DynamoError.validation(f"{len(missing)} validation error{plural} detected: {problems}")


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    _check_required(body)
    name = body["TableName"]
    billing_mode = schema.check_billing(body)
    schema.check_key_schemas(body, billing_mode)
    warm_throughput.check_on_demand(body.get("OnDemandThroughput"), billing_mode, updating=False)
    for index in body.get("GlobalSecondaryIndexes") or []:
        warm_throughput.check_on_demand(
            index.get("OnDemandThroughput"), billing_mode, updating=False, index_name=index.get("IndexName")
        )
    index_definitions.check_projections(body)
    stream_specification.check_create(body.get("StreamSpecification"))
    schema.check_table_class(body.get("TableClass"))
    encryption.check_specification(body.get("SSESpecification"))
    if body.get("ResourcePolicy") is not None:
        policy_documents.check(body["ResourcePolicy"])
    tags.check_count(len(tags.check_tags(body.get("Tags") or [])))
    meta = build_meta(body, name, request_region(request), billing_mode)
    created = await service.write(catalog.insert_table, name, meta)
    if created is None:
        raise DynamoError.resource_in_use(f"Table already exists: {name}")
    table, version = created
    service.catalog.installed(table, name, version)
    description = warm_throughput.create_answer(body, table.describe(0, 0))
    if billing_mode == "PAY_PER_REQUEST":  # the date appears from the first DescribeTable on
        description["BillingModeSummary"] = {"BillingMode": billing_mode}
    return {"TableDescription": description}
