"""Vector indexes as CreateTable (`VectorIndexes`) and UpdateTable (`VectorIndexUpdates`) define
them: the checks, in DynamoDB's words where they were captured (docs/compatibility.md names the
texts that are LumaDB's), and the description stored in the table's metadata.

An index is ACTIVE as soon as the call returns; one added by UpdateTable has indexed the table's
items by then (DynamoDB: CREATING, then backfilling, for minutes)."""

from __future__ import annotations

from typing import Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.indexes import definitions as index_definitions

INVALID = "One or more parameter values were invalid: "

MAX_INDEXES = 5
MAX_DIMENSIONS = 4096
MAX_INLINE_FILTERS = 18
ONE_AT_A_TIME = "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
ON_DEMAND_ONLY = INVALID + "Vector indexes are only supported for PAY_PER_REQUEST tables"
NOT_DEFINED = INVALID + "One element in SearchSchema is not defined in attribute definitions"


def _fail(message: str) -> DynamoError:
    return DynamoError.validation(message)


def schema_attributes(index: dict[str, Any]) -> list[str]:
    return [element["AttributeName"] for element in index.get("SearchSchema") or []]


def hash_attribute(index: dict[str, Any]) -> str | None:
    for element in index.get("SearchSchema") or []:
        if element["SearchSchemaElementType"] == "HASH":
            return str(element["AttributeName"])
    return None


def _check_index(index: dict[str, Any], definitions: dict[str, str], dimensions: dict[str, int]) -> None:
    """One definition against the attribute definitions in force and the dimensions already
    given to each vector attribute (updated)."""
    attribute = index["VectorAttribute"]["AttributeName"]
    count = index["Dimensions"]
    if not 1 <= count <= MAX_DIMENSIONS:
        raise _fail(INVALID + f"Number of dimensions must be between 1 and {MAX_DIMENSIONS} inclusive.")
    if attribute in definitions:
        raise _fail(
            INVALID + f"Conflicting attribute definition for '{attribute}'. "
            "An attribute cannot be defined in AttributeDefinitions when used as a VectorAttribute."
        )
    if dimensions.setdefault(attribute, count) != count:
        raise _fail(
            INVALID + f"Conflicting attribute definition for '{attribute}'. "
            "All VectorIndexes on the same vector attribute must use the same dimensions."
        )
    schema = index.get("SearchSchema")
    if schema is not None:
        kinds = [element["SearchSchemaElementType"] for element in schema]
        if kinds.count("HASH") > 1:
            raise _fail(INVALID + "SearchSchema must not contain more than one HASH element")
        if kinds.count("INLINE_FILTER") > MAX_INLINE_FILTERS:
            raise _fail(INVALID + f"SearchSchema must not contain more than {MAX_INLINE_FILTERS} INLINE_FILTER elements")
        names = schema_attributes(index)
        if len(set(names)) != len(names):
            raise _fail(INVALID + "Duplicate attribute in SearchSchema")
        if any(name not in definitions for name in names):
            raise _fail(NOT_DEFINED)
    projection = index["Projection"]
    if projection.get("ProjectionType") == "INCLUDE" and not projection.get("NonKeyAttributes"):
        raise _fail(INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    if projection.get("ProjectionType") != "INCLUDE" and projection.get("NonKeyAttributes"):
        raise _fail(INVALID + f"ProjectionType is {projection.get('ProjectionType')}, but NonKeyAttributes is specified")


def check_create(body: dict[str, Any], billing_mode: str) -> list[str]:
    """CreateTable's vector indexes; the attributes their SearchSchemas use (defined ones)."""
    indexes = body.get("VectorIndexes")
    if indexes is None:
        return []
    if len(indexes) > MAX_INDEXES:
        raise _fail(INVALID + f"VectorIndex count exceeds the per-table limit of {MAX_INDEXES}")
    if billing_mode != "PAY_PER_REQUEST":
        raise _fail(ON_DEMAND_ONLY)
    definitions = {d["AttributeName"]: d["AttributeType"] for d in body["AttributeDefinitions"]}
    taken = {index["IndexName"] for kind in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes")
             for index in body.get(kind) or []}  # fmt: skip
    dimensions: dict[str, int] = {}
    used: list[str] = []
    for index in indexes:
        if index["IndexName"] in taken:
            raise _fail(INVALID + f"Duplicate index name: {index['IndexName']}")
        taken.add(index["IndexName"])
        _check_index(index, definitions, dimensions)
        used.extend(name for name in schema_attributes(index) if name not in used)
    return used


def described(index: dict[str, Any], table_arn: str) -> dict[str, Any]:
    """The stored description (DescribeTable adds the live ItemCount and IndexSizeBytes)."""
    out: dict[str, Any] = {"IndexName": index["IndexName"]}
    if index.get("SearchSchema"):
        out["SearchSchema"] = index["SearchSchema"]
    out.update(
        Projection=index["Projection"],
        VectorAttribute={"AttributeName": index["VectorAttribute"]["AttributeName"]},
        Dimensions=index["Dimensions"],
        DistanceFunction=index["DistanceFunction"],
        IndexStatus="ACTIVE",
        IndexSizeBytes=0,
        ItemCount=0,
        IndexArn=f"{table_arn}/index/{index['IndexName']}",
    )
    return out


def with_live_figures(description: dict[str, Any], counts: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """`VectorIndexes` with each index's (item count, size in bytes)."""
    figures = []
    for index in description.get("VectorIndexes") or []:
        count, size = counts.get(index["IndexName"], (0, 0))
        figures.append({**index, "IndexSizeBytes": size, "ItemCount": count})
    return {**description, "VectorIndexes": figures}


# -- UpdateTable -----------------------------------------------------------------------------


def check_updates(body: dict[str, Any]) -> None:
    """What can be refused before the table is read."""
    updates = body.get("VectorIndexUpdates")
    if not updates:
        return
    for update in updates:
        if not (update.get("Create") or update.get("Delete")):
            raise _fail(INVALID + "One of VectorIndexUpdate.Create, VectorIndexUpdate.Delete must not be null")
    index_changes = [u for u in body.get("GlobalSecondaryIndexUpdates") or [] if u.get("Create") or u.get("Delete")]
    if len(updates) + len(index_changes) > 1:
        raise DynamoError.limit_exceeded(ONE_AT_A_TIME)


def apply_updates(body: dict[str, Any], meta: dict[str, Any]) -> None:
    """Create or delete a vector index in the stored metadata (AttributeDefinitions included); the
    catalog hook makes or drops its storage in the same transaction."""
    vectors: list[dict[str, Any]] = list(meta.get("VectorIndexes") or [])
    mode = meta["BillingModeSummary"]["BillingMode"]
    if vectors and mode != "PAY_PER_REQUEST":
        raise _fail(ON_DEMAND_ONLY)
    for update in body.get("VectorIndexUpdates") or []:
        if update.get("Delete"):
            name = update["Delete"]["IndexName"]
            if not any(index["IndexName"] == name for index in vectors):
                raise DynamoError.resource_not_found(f"Requested resource not found: Index: {name} not found")
            vectors = [index for index in vectors if index["IndexName"] != name]
            continue
        create = update["Create"]
        name = create["IndexName"]
        if mode != "PAY_PER_REQUEST":
            raise _fail(ON_DEMAND_ONLY)
        taken = {index["IndexName"] for kind in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes", "VectorIndexes")
                 for index in meta.get(kind) or []}  # fmt: skip
        if name in taken:
            raise _fail("Attempting to create an index which already exists")
        if len(vectors) >= MAX_INDEXES:
            raise DynamoError.limit_exceeded(
                f"Subscriber limit exceeded: Number of vector secondary indexes exceeds per-table limit of {MAX_INDEXES}"
            )
        attribute = create["VectorAttribute"]["AttributeName"]
        for key in meta["KeySchema"]:
            if key["AttributeName"] == attribute:
                key_type = next(d["AttributeType"] for d in meta["AttributeDefinitions"] if d["AttributeName"] == attribute)
                raise _fail(
                    INVALID + "Attributes cannot be redefined. Please check that your attribute has the same type as "
                    f"previously defined. Existing schema: Schema:[SchemaElement: key{{{attribute}:{key_type}:"
                    f"{key['KeyType']}}}] New schema: VectorIndexSchema:[VectorAttribute: "
                    f"key{{{attribute}:L:{create['Dimensions']}}}]"
                )
        # the SearchSchema's attributes must be defined in this request, as a new GSI's keys
        requested = {d["AttributeName"]: d["AttributeType"] for d in body.get("AttributeDefinitions") or []}
        dimensions = {index["VectorAttribute"]["AttributeName"]: index["Dimensions"] for index in vectors}
        _check_index(create, requested, dimensions)
        meta["AttributeDefinitions"] = [
            {"AttributeName": name, "AttributeType": type_name}
            for name, type_name in index_definitions.merged_definitions(meta, body).items()
        ]
        vectors.append(described(create, meta["TableArn"]))
    if vectors:
        meta["VectorIndexes"] = vectors
    else:
        meta.pop("VectorIndexes", None)
    if any(update.get("Delete") for update in body.get("VectorIndexUpdates") or []):
        used = {e["AttributeName"] for e in meta["KeySchema"]} | attributes_in_use(meta)
        for kind in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
            used |= {e["AttributeName"] for index in meta.get(kind) or [] for e in index["KeySchema"]}
        meta["AttributeDefinitions"] = [d for d in meta["AttributeDefinitions"] if d["AttributeName"] in used]


def attributes_in_use(meta: dict[str, Any]) -> set[str]:
    """The attributes the vector indexes' SearchSchemas keep in AttributeDefinitions."""
    return {name for index in meta.get("VectorIndexes") or [] for name in schema_attributes(index)}
