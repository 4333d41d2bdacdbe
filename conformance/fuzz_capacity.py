"""Random capacity scenarios for `lumadb conformance fuzz` (DynamoDB): an item whose size lands near
a 1 KB or 4 KB boundary (a long string, numbers of many digits, nested maps, lists and sets,
long attribute names), written, read, updated, queried and deleted, each with
ReturnConsumedCapacity, so that every operation's capacity units, which follow from the item's
size, are compared. Drawn from a random stream of their own, as the batches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.scenario import Step

if TYPE_CHECKING:
    from conformance.fuzz import Generator

TABLE = "{{s}}r"
SHARE = 0.1  # of the scenario numbers that get a capacity scenario besides


def _item(generator: Generator, sk: int) -> dict[str, Any]:
    rng = generator.rng
    item: dict[str, Any] = {"pk": {"S": "{{u}}"}, "sk": {"N": str(sk)}}
    for position in range(rng.randint(0, 4)):
        name = rng.choice(["n", "ns", "m", "l", "x" * rng.randint(1, 60)]) + str(position)
        r = rng.random()
        if r < 0.3:
            digits = "".join(rng.choice("123456789") for _ in range(rng.randint(1, 38)))
            item[name] = {"N": digits if rng.random() < 0.5 else f"0.{digits}"}
        elif r < 0.5:
            item[name] = {"NS": sorted({str(rng.randint(-10**9, 10**9)) for _ in range(rng.randint(1, 4))})}
        else:
            item[name] = generator.value()
    # a string that puts the item near a boundary of 1 KB (writes) or 4 KB (reads)
    boundary = rng.choice([1024, 2048, 4096, 8192])
    item["s"] = {"S": "é" * rng.randint(0, 3) + "a" * max(0, boundary - 40 + rng.randint(-30, 30))}
    return item


def steps(generator: Generator) -> list[Step]:
    rng = generator.rng
    key = {"pk": {"S": "{{u}}"}, "sk": {"N": "1"}}

    def body(**fields: Any) -> dict[str, Any]:
        return {"TableName": TABLE, "ReturnConsumedCapacity": rng.choice(["TOTAL", "INDEXES"]), **fields}

    out = [Step({"op": "PutItem", "body": body(Item=_item(generator, sk))}) for sk in (1, 2)]
    out.append(Step({"op": "GetItem", "body": body(Key=key, ConsistentRead=rng.random() < 0.5)}))
    grow = {":v": {"S": "b" * rng.randint(0, 2000)}}
    out.append(Step({"op": "UpdateItem", "body": body(Key=key, UpdateExpression="SET t = :v", ExpressionAttributeValues=grow,
                                                       ReturnValues="NONE")}))  # fmt: skip
    query = body(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "{{u}}"}},
                 ConsistentRead=rng.random() < 0.5)  # fmt: skip
    if rng.random() < 0.3:
        query["Select"] = "COUNT"
    out.append(Step({"op": "Query", "body": query}))
    out.append(Step({"op": "DeleteItem", "body": body(Key=key, ReturnValues="ALL_OLD")}))
    return out
