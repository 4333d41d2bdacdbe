"""Index definitions: the checks DynamoDB makes on GSI key schemas (up to four partition-key and
four sort-key attributes each) and projections, UpdateTable's Create and Delete of global
secondary indexes, and the live figures (IndexSizeBytes, ItemCount, statuses) DescribeTable shows."""

from __future__ import annotations

from typing import Any

from lumadb.dynamodb.errors import DynamoError

INVALID = "One or more parameter values were invalid: "
MAX_KEY_ATTRIBUTES = 4  # per key type, in a multi-attribute GSI key
MAX_GSIS = 20


def _fail(message: str) -> DynamoError:
    return DynamoError.validation(message)


def check_gsi_key_schema(schema: list[dict[str, Any]]) -> None:
    """A GSI key schema: HASH attributes first, then RANGE ones, at most four of each."""
    names = [element["AttributeName"] for element in schema]
    if len(schema) == 2 and names[0] == names[1]:
        raise _fail("Both the Hash Key and the Range Key element in the KeySchema have the same name")
    if len(set(names)) != len(names):
        raise _fail("The KeySchema contains multiple key attributes with the same name")
    if schema[0]["KeyType"] != "HASH":
        raise _fail("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    kinds = [element["KeyType"] for element in schema]
    first_range = kinds.index("RANGE") if "RANGE" in kinds else len(kinds)
    if "HASH" in kinds[first_range:]:
        raise _fail(INVALID + "All HASH key attributes must precede RANGE key attributes in the KeySchema")
    for kind in ("HASH", "RANGE"):
        if kinds.count(kind) > MAX_KEY_ATTRIBUTES:
            raise _fail(
                INVALID + f"The KeySchema exceeds the maximum allowed number of {kind} key attributes"
            )


def check_projections(body: dict[str, Any]) -> None:
    """INCLUDE needs NonKeyAttributes, without repeats, and at most 100 of them in all."""
    indexes = [index for kind in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes") for index in body.get(kind) or []]
    for index in indexes:
        _check_projection(index.get("Projection") or {})
    check_projected_total(indexes)


# The documented limit (Projection, CreateTable and the quotas page): NonKeyAttributes summed
# over all of a table's indexes. DynamoDB's wording is known from one second-hand quote only.
MAX_PROJECTED = 100


def check_projected_total(indexes: list[dict[str, Any]]) -> None:
    total = sum(len((index.get("Projection") or {}).get("NonKeyAttributes") or []) for index in indexes)
    if total > MAX_PROJECTED:
        raise _fail(INVALID + f"Number of projected attributes in all indexes exceeds limit of {MAX_PROJECTED}")


def _check_projection(projection: dict[str, Any]) -> None:
    projection_type = projection.get("ProjectionType")
    attributes = projection.get("NonKeyAttributes")
    if projection_type is None:  # an empty Projection (live probes of DynamoDB, 2026-10)
        raise _fail(INVALID + "Unknown ProjectionType: null")
    if projection_type == "INCLUDE" and not attributes:
        raise _fail(INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    seen: set[str] = set()
    for name in attributes or []:
        if name in seen:
            raise _fail(INVALID + f"Duplicate element in NonKeyAttributes: {name}")
        seen.add(name)


# -- UpdateTable ---------------------------------------------------------------------------


def _throughput(given: dict[str, Any] | None) -> dict[str, Any]:
    given = given or {}
    return {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": given.get("ReadCapacityUnits", 0),
        "WriteCapacityUnits": given.get("WriteCapacityUnits", 0),
    }


def check_updates(body: dict[str, Any]) -> None:
    """What UpdateTable's GSI creations and deletions must satisfy before the table is looked at."""
    updates = body.get("GlobalSecondaryIndexUpdates") or []
    for update in updates:
        if sum(1 for action in ("Create", "Update", "Delete") if update.get(action)) > 1:
            raise _fail(
                INVALID
                + "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object"
            )
    creates = [u["Create"] for u in updates if u.get("Create")]
    deletes = [u["Delete"] for u in updates if u.get("Delete")]
    if (creates or deletes) and body.get("StreamSpecification") is not None:
        raise _fail(INVALID + "You cannot create or delete index while changing stream status")
    if (creates or deletes) and body.get("ProvisionedThroughput") is not None:
        raise _fail(INVALID + "You cannot create or delete index while updating table IOPS")
    for create in creates:
        check_gsi_key_schema(create["KeySchema"])
        _check_projection(create.get("Projection") or {})
        if not body.get("AttributeDefinitions"):
            raise _fail(INVALID + f"AttributeDefinitions is not specified for index: {create['IndexName']}")


def unknown_index(name: str, table_name: str) -> DynamoError:
    """UpdateTable naming an index the table does not have (live probes of DynamoDB, 2026-10)."""
    return DynamoError.resource_not_found(f"Requested resource not found: Index {name} for table {table_name}")


def merged_definitions(meta: dict[str, Any], body: dict[str, Any]) -> dict[str, str]:
    """The table's attribute definitions with those an UpdateTable request adds (name: type). One
    the table has keeps its type, whatever the request says: AWS accepts the request and ignores
    the other type (eu-west-2, 2026-07: paritysuite/dynamodb-conformance#78)."""
    definitions = {d["AttributeName"]: d["AttributeType"] for d in meta["AttributeDefinitions"]}
    for given in body.get("AttributeDefinitions") or []:
        definitions.setdefault(given["AttributeName"], given["AttributeType"])
    return definitions


def apply_updates(body: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    """Create and delete GSIs in the stored metadata; the names of the indexes created."""
    updates = body.get("GlobalSecondaryIndexUpdates") or []
    creates = [u["Create"] for u in updates if u.get("Create")]
    deletes = [u["Delete"] for u in updates if u.get("Delete")]
    if not creates and not deletes:
        return []
    gsis: list[dict[str, Any]] = meta.get("GlobalSecondaryIndexes") or []
    lsis = {index["IndexName"] for index in meta.get("LocalSecondaryIndexes") or []}
    filling = {index["IndexName"] for index in gsis if index.get("IndexStatus") == "CREATING"}
    # the index being filled may itself be deleted (DynamoDB accepts it once it is backfilling:
    # live probes, 2026-10); nothing else may change meanwhile
    if filling and (creates or any(delete["IndexName"] not in filling for delete in deletes)):
        raise DynamoError.limit_exceeded(
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
        )
    for delete in deletes:
        name = delete["IndexName"]
        if name in lsis:
            raise _fail(f"Cannot delete an index that is not a GlobalSecondaryIndex: {name}")
        if not any(index["IndexName"] == name for index in gsis):
            raise unknown_index(name, meta["TableName"])
        gsis = [index for index in gsis if index["IndexName"] != name]
        (meta.get("ContributorInsights") or {}).pop(name, None)  # its insights go with it (DynamoDB)
    definitions = merged_definitions(meta, body)
    requested = {given["AttributeName"] for given in body.get("AttributeDefinitions") or []}
    billing = body.get("BillingMode") or meta["BillingModeSummary"]["BillingMode"]  # the one it switches to
    for create in creates:
        name = create["IndexName"]
        if name in lsis or any(index["IndexName"] == name for index in gsis):
            raise _fail("Attempting to create an index which already exists")
        keys = [element["AttributeName"] for element in create["KeySchema"]]
        missing = [key for key in keys if key not in definitions]
        if missing:
            raise _fail(
                INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
                f"Keys: [{', '.join(keys)}], AttributeDefinitions: [{', '.join(definitions)}]"
            )
        # the request itself must define the new index's keys, also those the table defines
        # (AWS, 2019 and eu-west-2 2026: alexdebrie/dynamodbguide.com#16, nubo-db/dynoxide#144)
        if any(key not in requested for key in keys):
            raise _fail("Invalid KeySchema: Some index key attribute have no definition")
        # UpdateTable's own texts, not CreateTable's (an ExAws user's report and live probes of
        # DynamoDB, 2026-10)
        if billing == "PROVISIONED" and not create.get("ProvisionedThroughput"):
            raise _fail(INVALID + f"Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: {name}")
        if billing == "PAY_PER_REQUEST" and create.get("ProvisionedThroughput"):
            raise _fail(
                INVALID + f"Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: {name} "
                "when BillingMode is PAY_PER_REQUEST"
            )
        if len(gsis) >= MAX_GSIS:
            raise DynamoError.limit_exceeded(  # (live probes of DynamoDB, 2026-10)
                f"Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of {MAX_GSIS}"
            )
        described: dict[str, Any] = {
            "IndexName": name,
            "KeySchema": create["KeySchema"],
            "Projection": create["Projection"],
            "IndexStatus": "CREATING",
            "Backfilling": True,
            "ProvisionedThroughput": _throughput(create.get("ProvisionedThroughput")),
            "IndexSizeBytes": 0,
            "ItemCount": 0,
            "IndexArn": f"{meta['TableArn']}/index/{name}",
        }
        for extra in ("OnDemandThroughput", "WarmThroughput"):
            if create.get(extra):
                described[extra] = create[extra]
        gsis.append(described)
    if creates:
        check_projected_total([*(meta.get("LocalSecondaryIndexes") or []), *gsis])
    if gsis:
        meta["GlobalSecondaryIndexes"] = gsis
    else:
        meta.pop("GlobalSecondaryIndexes", None)
    used = {e["AttributeName"] for e in meta["KeySchema"]}
    used |= {e["AttributeName"] for index in meta.get("VectorIndexes") or [] for e in index.get("SearchSchema") or []}
    for kind in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
        for index in meta.get(kind) or []:
            used |= {e["AttributeName"] for e in index["KeySchema"]}
    meta["AttributeDefinitions"] = [
        {"AttributeName": name, "AttributeType": type_name}
        for name, type_name in definitions.items()
        if name in used
    ]
    return [create["IndexName"] for create in creates]


def deleted_indexes(body: dict[str, Any], old_meta: dict[str, Any]) -> list[dict[str, Any]]:
    """The descriptions of the GSIs an UpdateTable deletes, as its response shows them (DELETING)."""
    names = {
        u["Delete"]["IndexName"] for u in body.get("GlobalSecondaryIndexUpdates") or [] if u.get("Delete")
    }
    return [
        {**index, "IndexStatus": "DELETING"}
        for index in old_meta.get("GlobalSecondaryIndexes") or []
        if index["IndexName"] in names
    ]


# -- DescribeTable -------------------------------------------------------------------------


def with_live_figures(description: dict[str, Any], counts: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """A TableDescription with each index's ItemCount and IndexSizeBytes, and UPDATING while a
    GSI is being created."""
    for kind in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
        indexes = description.get(kind)
        if not indexes:
            continue
        shown = []
        for index in indexes:
            count, size = counts.get(index["IndexName"], (0, 0))
            shown.append({**index, "IndexSizeBytes": size, "ItemCount": count})
        description[kind] = shown
    if any(
        index.get("IndexStatus") in ("CREATING", "DELETING")
        for index in description.get("GlobalSecondaryIndexes") or []
    ):
        description["TableStatus"] = "UPDATING"
    return description
