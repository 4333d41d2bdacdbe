"""A projection or a filter may not look into a key attribute (`pk.x`, `pk[0]`): GetItem, Query,
Scan, BatchGetItem and TransactGetItems refuse it, naming the table's key (`Key: pk`) or an index's (`IndexKey: g`). Conditions
of writes may (found by `lumadb conformance fuzz` against dynalite)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.dynamodb.helpers import error_of

NOT_SCALAR = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "


def test_reads_refuse_paths_into_key_attributes(ddb: Any, make_table: Callable[..., str]) -> None:
    table = make_table(("pk", "S"), ("sk", "N"))
    ddb.update_table(TableName=table, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "by_g", "KeySchema": [
                         {"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}])  # fmt: skip
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    ddb.put_item(TableName=table, Item={**key, "m": {"M": {"x": {"S": "1"}}}})
    partition = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}
    assert error_of(ddb.get_item, TableName=table, Key=key, ProjectionExpression="m, pk[2]") == (
        "ValidationException", NOT_SCALAR + "Key: pk")
    assert error_of(ddb.get_item, TableName=table, Key=key, ProjectionExpression="#s.x",
                    ExpressionAttributeNames={"#s": "sk"})[1] == NOT_SCALAR + "Key: sk"  # fmt: skip
    assert error_of(ddb.query, TableName=table, ProjectionExpression="pk.x", **partition)[1] == NOT_SCALAR + "Key: pk"
    assert error_of(ddb.query, TableName=table, FilterExpression="g.x = :p", **partition)[1] == NOT_SCALAR + "IndexKey: g"
    assert error_of(ddb.scan, TableName=table, FilterExpression="attribute_exists(pk[0])")[1] == NOT_SCALAR + "Key: pk"
    assert error_of(ddb.scan, TableName=table, ProjectionExpression="g[0]")[1] == NOT_SCALAR + "IndexKey: g"
    assert error_of(ddb.scan, TableName=table, IndexName="by_g", ProjectionExpression="sk.x")[1] == NOT_SCALAR + "Key: sk"
    # a Query's projection is checked before its filter names a key attribute (dynalite's order)
    both = {"ProjectionExpression": "pk[1]", "FilterExpression": "sk > :p", **partition}
    assert error_of(ddb.query, TableName=table, **both)[1] == NOT_SCALAR + "Key: pk"
    on_index = {"IndexName": "by_g", "KeyConditionExpression": "g = :p", "ProjectionExpression": "sk.x",
                "FilterExpression": "g > :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}  # fmt: skip
    assert error_of(ddb.query, TableName=table, **on_index)[1] == NOT_SCALAR + "Key: sk"
    # the batch and transactional reads as GetItem (BatchGetItem: found by the fuzzer's batches)
    wanted = {"Keys": [key], "ProjectionExpression": "#p.a", "ExpressionAttributeNames": {"#p": "pk"}}
    assert error_of(ddb.batch_get_item, RequestItems={table: wanted})[1] == NOT_SCALAR + "Key: pk"
    get = {"TableName": table, "Key": key, "ProjectionExpression": "g.x"}
    assert error_of(ddb.transact_get_items, TransactItems=[{"Get": get}])[1] == NOT_SCALAR + "IndexKey: g"
    # the top-level key attributes themselves, and write conditions, are fine
    assert ddb.get_item(TableName=table, Key=key, ProjectionExpression="pk, m.x")["Item"] == {
        "pk": {"S": "a"}, "m": {"M": {"x": {"S": "1"}}}}
    ddb.put_item(TableName=table, Item=key, ConditionExpression="attribute_not_exists(pk.x)")


def test_updates_may_not_read_from_inside_a_key_attribute(ddb: Any, make_table: Callable[..., str]) -> None:
    table = make_table(("pk", "S"))
    key = {"pk": {"S": "a"}}
    ddb.put_item(TableName=table, Item={**key, "n": {"N": "1"}})
    assert error_of(ddb.update_item, TableName=table, Key=key, UpdateExpression="SET n = pk[2] + :one",
                    ExpressionAttributeValues={":one": {"N": "1"}}) == ("ValidationException", NOT_SCALAR + "Key: pk")  # fmt: skip
    assert error_of(ddb.update_item, TableName=table, Key=key, UpdateExpression="SET l = list_append(pk.x, :l)",
                    ExpressionAttributeValues={":l": {"L": []}})[1] == NOT_SCALAR + "Key: pk"  # fmt: skip
    # writing the key itself keeps its own message
    assert error_of(ddb.update_item, TableName=table, Key=key, UpdateExpression="SET pk = :v",
                    ExpressionAttributeValues={":v": {"S": "b"}})[1] == (
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")  # fmt: skip
