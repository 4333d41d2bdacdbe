"""Vector indexes and SearchVectors with boto3: index definitions (CreateTable, UpdateTable,
DescribeTable), the write path's checks, scores for each distance function, SearchSchema
filtering, projections, capacity, and DynamoDB's error texts (as captured from the service)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, table_name

UNIT = {"a": [1, 0, 0], "b": [0, 1, 0], "c": [-1, 0, 0], "d": [0.6, 0.8, 0]}
QUERY = [{"N": "1"}, {"N": "0"}, {"N": "0"}]


def _vector(values: list[float]) -> dict:
    return {"L": [{"N": str(v)} for v in values]}


def _index(name: str, distance: str = "COSINE", projection: str = "ALL", **extra: Any) -> dict:
    return {"IndexName": name, "VectorAttribute": {"AttributeName": "emb"}, "Dimensions": 3,
            "DistanceFunction": distance, "Projection": {"ProjectionType": projection}, **extra}  # fmt: skip


SCHEMA = [{"AttributeName": "tenant", "SearchSchemaElementType": "HASH"},
          {"AttributeName": "color", "SearchSchemaElementType": "INLINE_FILTER"}]  # fmt: skip
DEFINITIONS = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "tenant", "AttributeType": "S"},
               {"AttributeName": "color", "AttributeType": "S"}]  # fmt: skip


@pytest.fixture
def vectors(ddb: Any) -> Any:
    name = table_name()
    created = ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=DEFINITIONS,
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     VectorIndexes=[_index("by_tenant", SearchSchema=SCHEMA), _index("euclid", "EUCLIDEAN", "KEYS_ONLY"),
                                    _index("dot", "DOT_PRODUCT", "INCLUDE", Projection={
                                        "ProjectionType": "INCLUDE", "NonKeyAttributes": ["color"]})])  # fmt: skip
    first = created["TableDescription"]["VectorIndexes"][0]
    assert first == {"IndexName": "by_tenant", "SearchSchema": SCHEMA, "Projection": {"ProjectionType": "ALL"},
                     "VectorAttribute": {"AttributeName": "emb"}, "Dimensions": 3, "DistanceFunction": "COSINE",
                     "IndexStatus": "ACTIVE", "IndexSizeBytes": 0, "ItemCount": 0,
                     "IndexArn": created["TableDescription"]["TableArn"] + "/index/by_tenant"}  # fmt: skip
    for key, values in UNIT.items():
        ddb.put_item(TableName=name, Item={"pk": {"S": key}, "tenant": {"S": "t1"}, "label": {"S": key.upper()},
                                           "color": {"S": "red" if key in "ab" else "blue"}, "emb": _vector(values)})  # fmt: skip
    yield name
    ddb.delete_table(TableName=name)


def _search(ddb: Any, table: str, index: str, **extra: Any) -> list[tuple[str, float]]:
    out = ddb.search_vectors(TableName=table, IndexName=index, SearchVector=QUERY, TopK=extra.pop("TopK", 10), **extra)
    return [(r["Item"]["pk"]["S"], round(r["Score"], 6)) for r in out["SearchResults"]]


def test_scores_and_order_for_each_distance_function(ddb: Any, vectors: str) -> None:
    tenant = {"SearchConditionExpression": "tenant = :t", "ExpressionAttributeValues": {":t": {"S": "t1"}}}
    assert _search(ddb, vectors, "by_tenant", **tenant) == [("a", 0.0), ("d", 0.4), ("b", 1.0), ("c", 2.0)]
    assert _search(ddb, vectors, "euclid") == [("a", 0.0), ("d", 0.894427), ("b", 1.414214), ("c", 2.0)]
    assert _search(ddb, vectors, "dot") == [("a", 1.0), ("d", 0.6), ("b", 0.0), ("c", -1.0)]
    assert _search(ddb, vectors, "dot", TopK=2) == [("a", 1.0), ("d", 0.6)]
    # an inline filter narrows the candidates; the HASH value picks the partition
    assert _search(ddb, vectors, "by_tenant", SearchConditionExpression="tenant = :t AND #c = :c",
                   ExpressionAttributeNames={"#c": "color"},
                   ExpressionAttributeValues={":t": {"S": "t1"}, ":c": {"S": "blue"}}) == [("d", 0.4), ("c", 2.0)]  # fmt: skip
    assert _search(ddb, vectors, "by_tenant", SearchConditionExpression="tenant = :t",
                   ExpressionAttributeValues={":t": {"S": "t2"}}) == []  # fmt: skip


def test_projection_and_capacity(ddb: Any, vectors: str) -> None:
    out = ddb.search_vectors(TableName=vectors, IndexName="euclid", SearchVector=QUERY, TopK=1)
    assert out["SearchResults"] == [{"Item": {"pk": {"S": "a"}}, "Score": 0.0}] and "ConsumedCapacity" not in out
    out = ddb.search_vectors(TableName=vectors, IndexName="dot", SearchVector=QUERY, TopK=1)
    assert out["SearchResults"][0]["Item"] == {"pk": {"S": "a"}, "color": {"S": "red"}}  # INCLUDE, no vector
    out = ddb.search_vectors(TableName=vectors, IndexName="by_tenant", SearchVector=QUERY, TopK=2,
                             SearchConditionExpression="tenant = :t", ExpressionAttributeValues={":t": {"S": "t1"}},
                             ProjectionExpression="pk, emb, nothing", ReturnConsumedCapacity="TOTAL")  # fmt: skip
    items = [r["Item"] for r in out["SearchResults"]]
    # the index's own 32-bit copy, named by the shortest decimal
    assert items == [{"pk": {"S": "a"}, "emb": _vector(["1.0", "0.0", "0.0"])},
                     {"pk": {"S": "d"}, "emb": _vector(["0.6", "0.8", "0.0"])}]  # fmt: skip
    assert out["ConsumedCapacity"]["VectorSearchRequestBytes"] >= 1024


def test_writes_keep_the_indexes_current(ddb: Any, vectors: str) -> None:
    ddb.put_item(TableName=vectors, Item={"pk": {"S": "no-vector"}, "tenant": {"S": "t1"}})
    ddb.put_item(TableName=vectors, Item={"pk": {"S": "no-tenant"}, "emb": _vector([1, 0, 0])})
    counts = {i["IndexName"]: i["ItemCount"] for i in ddb.describe_table(TableName=vectors)["Table"]["VectorIndexes"]}
    assert counts == {"by_tenant": 4, "euclid": 5, "dot": 5}
    ddb.delete_item(TableName=vectors, Key={"pk": {"S": "a"}})
    ddb.update_item(TableName=vectors, Key={"pk": {"S": "b"}}, UpdateExpression="REMOVE emb")
    ddb.update_item(TableName=vectors, Key={"pk": {"S": "c"}}, UpdateExpression="SET emb = :v",
                    ExpressionAttributeValues={":v": _vector([1, 0, 0])})  # fmt: skip
    assert _search(ddb, vectors, "by_tenant", SearchConditionExpression="tenant = :t",
                   ExpressionAttributeValues={":t": {"S": "t1"}}) == [("c", 0.0), ("d", 0.4)]  # fmt: skip
    # another attribute changes: an ALL index shows it, a KEYS_ONLY one has nothing to change
    ddb.update_item(TableName=vectors, Key={"pk": {"S": "d"}}, UpdateExpression="SET label = :l, color = :c",
                    ExpressionAttributeValues={":l": {"S": "renamed"}, ":c": {"S": "red"}})  # fmt: skip
    found = ddb.search_vectors(TableName=vectors, IndexName="by_tenant", SearchVector=QUERY, TopK=2,
                               SearchConditionExpression="tenant = :t AND color = :c",
                               ExpressionAttributeValues={":t": {"S": "t1"}, ":c": {"S": "red"}})["SearchResults"]  # fmt: skip
    assert [(r["Item"]["pk"]["S"], r["Item"]["label"]["S"]) for r in found] == [("d", "renamed")]
    dot = ddb.search_vectors(TableName=vectors, IndexName="dot", SearchVector=QUERY, TopK=5)["SearchResults"]
    assert {r["Item"]["pk"]["S"]: r["Item"]["color"]["S"] for r in dot if "color" in r["Item"]} == {
        "c": "blue", "d": "red"}  # the INCLUDE index follows its attribute


def test_write_checks(ddb: Any, vectors: str) -> None:
    def put(**item: Any) -> tuple[str, str]:
        return error_of(ddb.put_item, TableName=vectors, Item={"pk": {"S": "x"}, **item})

    prefix = "One or more parameter values were invalid. "
    assert put(emb=_vector([1])) == ("ValidationException",
                                     prefix + "Invalid size for parameter emb, Expected: 3, Actual: 1 IndexName: by_tenant")  # fmt: skip
    assert put(emb={"L": [{"N": "1"}, {"S": "x"}, {"N": "1"}]}) == ("ValidationException", prefix + (
        "Invalid type for parameter emb[1], Expected: 32-bit floating point number, Actual: S. IndexName: by_tenant"))
    assert put(emb={"S": "x"}) == ("ValidationException", prefix + (
        "Invalid type for parameter emb, Expected: 32-bit floating point number list IndexName: by_tenant"))
    assert put(emb=_vector([1, 0, 0]), tenant={"S": ""}) == ("ValidationException", (
        "One or more parameter values are not valid. A value specified for a secondary index key is not supported. "
        "The AttributeValue for a key attribute cannot contain an empty string value. IndexName: by_tenant, "
        "IndexKey: tenant"))  # fmt: skip
    assert "Item" not in ddb.get_item(TableName=vectors, Key={"pk": {"S": "x"}})  # nothing was written


def test_search_errors(ddb: Any, vectors: str) -> None:
    def search(**extra: Any) -> tuple[str, str]:
        request = {"TableName": vectors, "IndexName": "by_tenant", "SearchVector": QUERY, "TopK": 3, **extra}
        return error_of(ddb.search_vectors, **request)

    value = {"ExpressionAttributeValues": {":t": {"S": "t1"}}}
    assert search() == ("ValidationException", "SearchConditionExpression must be provided when SearchSchema has a HASH key")
    assert search(SearchConditionExpression="color = :t", **value)[1] == (
        "SearchConditionExpression must be provided when SearchSchema has a HASH key")
    assert search(SearchConditionExpression="tenant = :t AND label = :t", **value)[1] == (
        "SearchConditionExpression must not contain any attributes that is not in SearchSchema. Invalid attribute: label")
    assert search(SearchConditionExpression="tenant = :t AND color.x = :t", **value)[1] == (
        "Invalid SearchConditionExpression: SearchConditionExpression cannot have conditions on nested attributes")
    # an ordering comparator on the HASH or a filter element (paritysuite searchVectors captures)
    for ordered in ("tenant < :t", "tenant = :t AND (NOT color >= :t)"):
        assert search(SearchConditionExpression=ordered, **value)[1] == (
            "Invalid SearchConditionExpression: Invalid comparator used in SearchConditionExpression")
    assert search(SearchConditionExpression="tenant = :n", ExpressionAttributeValues={":n": {"N": "1"}})[1] == (
        "Type of 'tenant' attribute in SearchConditionExpression (N) does not match type in search schema (S)")
    assert search(TopK=101)[1] == ("Provided TopK value '101' is out of valid range. The value must be between 1 and "
                                   "100 inclusive")  # fmt: skip
    assert search(SearchVector=QUERY[:2], SearchConditionExpression="tenant = :t", **value)[1] == (
        "Input search vector dimension 2 does not match vector index dimension 3")
    assert search(SearchVector=[{"N": "1"}, {"S": "x"}, {"N": "1"}])[1] == (
        "Search vector contains invalid values. All values in the search vector must be a 32-bit floating-point "
        "number attribute")  # fmt: skip
    assert search(IndexName="missing") == ("ValidationException", "The table does not have the specified index: missing")
    assert error_of(ddb.search_vectors, TableName=vectors + "x", IndexName="dot", SearchVector=QUERY, TopK=1)[0] == (
        "ResourceNotFoundException")
    assert error_of(ddb.query, TableName=vectors, IndexName="dot", KeyConditionExpression="pk = :t", **value) == (
        "ValidationException", "Query operation not supported on this index type.")
    assert error_of(ddb.scan, TableName=vectors, IndexName="dot")[1] == "Scan operation not supported on this index type."
    assert error_of(ddb.execute_statement, Statement=f'SELECT * FROM "{vectors}"."dot"')[1] == (
        "Scan operation not supported on this index type.")


def _create_error(ddb: Any, **changes: Any) -> tuple[str, str]:
    request = {"TableName": table_name(), "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": DEFINITIONS,
               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
               "VectorIndexes": [_index("vec", SearchSchema=SCHEMA)], **changes}  # fmt: skip
    return error_of(ddb.create_table, **request)


def test_create_table_checks(ddb: Any) -> None:
    invalid = "One or more parameter values were invalid: "
    assert _create_error(ddb, VectorIndexes=[_index(f"vec{i}") for i in range(6)], AttributeDefinitions=DEFINITIONS[:1]) == (
        "ValidationException", invalid + "VectorIndex count exceeds the per-table limit of 5")
    assert _create_error(ddb, BillingMode="PROVISIONED", ProvisionedThroughput={
        "ReadCapacityUnits": 1, "WriteCapacityUnits": 1})[1] == invalid + "Vector indexes are only supported for PAY_PER_REQUEST tables"  # fmt: skip
    assert _create_error(ddb, AttributeDefinitions=DEFINITIONS[:2])[1] == (
        invalid + "One element in SearchSchema is not defined in attribute definitions")
    assert _create_error(ddb, VectorIndexes=[_index("vec", Dimensions=4097)], AttributeDefinitions=DEFINITIONS[:1])[1] == (
        invalid + "Number of dimensions must be between 1 and 4096 inclusive.")
    assert _create_error(ddb, VectorIndexes=[_index("vec"), _index("wec", Dimensions=4)],
                         AttributeDefinitions=DEFINITIONS[:1])[1] == (
        invalid + "Conflicting attribute definition for 'emb'. All VectorIndexes on the same vector attribute must "
        "use the same dimensions.")  # fmt: skip
    assert _create_error(ddb, VectorIndexes=[_index("vec")],
                         AttributeDefinitions=[*DEFINITIONS[:1], {"AttributeName": "emb", "AttributeType": "S"}])[1] == (
        invalid + "Conflicting attribute definition for 'emb'. An attribute cannot be defined in AttributeDefinitions "
        "when used as a VectorAttribute.")  # fmt: skip


def test_update_table_adds_and_removes_indexes(ddb: Any, vectors: str) -> None:
    out = ddb.update_table(TableName=vectors, AttributeDefinitions=[{"AttributeName": "label", "AttributeType": "S"}],
                           VectorIndexUpdates=[{"Create": _index("by_label", SearchSchema=[
                               {"AttributeName": "label", "SearchSchemaElementType": "HASH"}])}])  # fmt: skip
    added = next(i for i in out["TableDescription"]["VectorIndexes"] if i["IndexName"] == "by_label")
    assert (added["IndexStatus"], added["ItemCount"]) == ("ACTIVE", 4)  # the existing items are in it
    assert _search(ddb, vectors, "by_label", SearchConditionExpression="label = :l",
                   ExpressionAttributeValues={":l": {"S": "D"}}) == [("d", 0.4)]  # fmt: skip
    assert error_of(ddb.update_table, TableName=vectors, VectorIndexUpdates=[
        {"Delete": {"IndexName": "dot"}}, {"Delete": {"IndexName": "euclid"}}]) == (
        "LimitExceededException",
        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")  # fmt: skip
    assert error_of(ddb.update_table, TableName=vectors, VectorIndexUpdates=[{"Create": _index("dot")}])[1] == (
        "Attempting to create an index which already exists")
    # an attribute the table defines keeps its type, as for a new GSI's keys (the fifth index)
    out = ddb.update_table(TableName=vectors, AttributeDefinitions=[{"AttributeName": "tenant", "AttributeType": "N"}],
                           VectorIndexUpdates=[{"Create": _index("by_number", SearchSchema=[
                               {"AttributeName": "tenant", "SearchSchemaElementType": "HASH"}])}])  # fmt: skip
    assert {"AttributeName": "tenant", "AttributeType": "S"} in out["TableDescription"]["AttributeDefinitions"]
    assert error_of(ddb.update_table, TableName=vectors, VectorIndexUpdates=[{"Create": _index("sixth")}]) == (
        "LimitExceededException",
        "Subscriber limit exceeded: Number of vector secondary indexes exceeds per-table limit of 5")  # fmt: skip
    out = ddb.update_table(TableName=vectors, VectorIndexUpdates=[{"Delete": {"IndexName": "by_label"}}])
    assert "by_label" not in {i["IndexName"] for i in out["TableDescription"]["VectorIndexes"]}
    assert "label" not in {d["AttributeName"] for d in out["TableDescription"]["AttributeDefinitions"]}


def test_restored_tables_have_their_vector_indexes(ddb: Any, vectors: str) -> None:
    arn = ddb.create_backup(TableName=vectors, BackupName="vectors")["BackupDetails"]["BackupArn"]
    ddb.update_continuous_backups(TableName=vectors,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})  # fmt: skip
    ddb.delete_item(TableName=vectors, Key={"pk": {"S": "a"}})
    from_backup, from_time = table_name(), table_name()
    ddb.restore_table_from_backup(TargetTableName=from_backup, BackupArn=arn)
    ddb.restore_table_to_point_in_time(SourceTableName=vectors, TargetTableName=from_time, UseLatestRestorableTime=True)
    try:
        assert _search(ddb, from_backup, "dot", TopK=2) == [("a", 1.0), ("d", 0.6)]
        assert _search(ddb, from_time, "dot", TopK=2) == [("d", 0.6), ("b", 0.0)]
    finally:
        ddb.delete_table(TableName=from_backup)
        ddb.delete_table(TableName=from_time)
        ddb.delete_backup(BackupArn=arn)


def test_write_capacity_reports_vector_bytes_with_indexes_only(ddb: Any, vectors: str) -> None:
    item = {"pk": {"S": "e"}, "tenant": {"S": "t1"}, "emb": _vector([0, 0, 1])}
    indexes = ddb.put_item(TableName=vectors, Item=item, ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert indexes["VectorIndexes"] == {name: {"VectorWriteRequestBytes": 1024.0} for name in ("by_tenant", "euclid", "dot")}
    assert indexes["CapacityUnits"] == indexes["Table"]["CapacityUnits"] == 1.0  # bytes are not units
    total = ddb.put_item(TableName=vectors, Item={**item, "label": {"S": "x"}}, ReturnConsumedCapacity="TOTAL")
    assert total["ConsumedCapacity"] == {"TableName": vectors, "CapacityUnits": 1.0}
    # only the indexes whose entry changed: KEYS_ONLY and INCLUDE ones are left alone by a label
    changed = ddb.put_item(TableName=vectors, Item={**item, "label": {"S": "y"}}, ReturnConsumedCapacity="INDEXES")
    assert set(changed["ConsumedCapacity"]["VectorIndexes"]) == {"by_tenant"}
