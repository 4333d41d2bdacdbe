"""Random batch scenarios for `lumadb conformance fuzz` (DynamoDB): a few items of `{{s}}r`, then a
BatchWriteItem of puts and deletes (now and then two requests for one key, a key of the wrong
type or without its sort key: refusals of the whole batch), a BatchGetItem of some of the keys
(some twice, some absent, with a projection now and then), and a GetItem of each key, to compare
what the batch left. Each is drawn from a random stream of its own, so that a seed's other
scenarios stay what they were."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.scenario import Step

if TYPE_CHECKING:
    from conformance.fuzz import Generator

TABLE = "{{s}}r"
SHARE = 0.15  # of the scenario numbers that get a batch scenario besides


def _key(sk: int) -> dict[str, Any]:
    return {"pk": {"S": "{{u}}"}, "sk": {"N": str(sk)}}


def _writes(generator: Generator) -> list[dict[str, Any]]:
    rng = generator.rng
    requests: list[dict[str, Any]] = []
    sort_keys = rng.sample(range(1, 6), rng.randint(1, 4))
    for sk in sort_keys:
        if rng.random() < 0.6:
            requests.append({"PutRequest": {"Item": generator.item("r", sk)}})
        else:
            requests.append({"DeleteRequest": {"Key": _key(sk)}})
    r = rng.random()
    if r < 0.1:  # two requests for one key
        sk = sort_keys[0]
        requests.append({"DeleteRequest": {"Key": _key(sk)}} if rng.random() < 0.5 else
                        {"PutRequest": {"Item": generator.item("r", sk)}})  # fmt: skip
    elif r < 0.15:
        requests.append({"DeleteRequest": {"Key": {"pk": {"S": "{{u}}"}, "sk": {"S": "1"}}}})
    elif r < 0.2:
        requests.append({"PutRequest": {"Item": {"pk": {"S": "{{u}}"}, "a": generator.value()}}})
    rng.shuffle(requests)
    return requests


def steps(generator: Generator) -> list[Step]:
    rng = generator.rng
    out = [Step({"op": "PutItem", "body": {"TableName": TABLE, "Item": generator.item("r", sk)}})
           for sk in rng.sample(range(1, 6), rng.randint(1, 3))]  # fmt: skip
    write: dict[str, Any] = {"RequestItems": {TABLE: _writes(generator)}}
    if rng.random() < 0.3:
        write["ReturnConsumedCapacity"] = rng.choice(["TOTAL", "INDEXES", "NONE"])
    out.append(Step({"op": "BatchWriteItem", "body": write}))
    keys = [_key(rng.randint(1, 5)) for _ in range(rng.randint(1, 4))]
    read: dict[str, Any] = {"Keys": keys, "ConsistentRead": True}
    if rng.random() < 0.4:
        ctx: dict[str, Any] = {"names": {}, "values": {}}
        read["ProjectionExpression"] = ", ".join(generator.path(ctx) for _ in range(rng.randint(1, 3)))
        if ctx["names"]:
            read["ExpressionAttributeNames"] = ctx["names"]
    out.append(Step({"op": "BatchGetItem", "body": {"RequestItems": {TABLE: read}}}, unordered=[f"Responses.{TABLE}"]))
    out += [Step({"op": "GetItem", "body": {"TableName": TABLE, "Key": _key(sk), "ConsistentRead": True}})
            for sk in range(1, 6)]  # fmt: skip
    return out
