"""Random batch scenarios for `lumadb conformance fuzz` (DynamoDB): a few items of `{{s}}r`, then a
BatchWriteItem of puts and deletes (now and then on `{{s}}h` too) (now and then two requests for one key, a key of the wrong
type or without its sort key: refusals of the whole batch), a BatchGetItem of some of the keys
(some twice, some absent, with a projection or AttributesToGet now and then), and a GetItem of each key, to compare
what the batch left. Each is drawn from a random stream of its own, so that a seed's other
scenarios stay what they were."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.scenario import Step

if TYPE_CHECKING:
    from conformance.fuzz import Generator

TABLE = "{{s}}r"
HASH_TABLE = "{{s}}h"
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


def _reads(generator: Generator, keys: list[dict[str, Any]]) -> dict[str, Any]:
    rng = generator.rng
    read: dict[str, Any] = {"Keys": keys, "ConsistentRead": True}
    r = rng.random()
    if r < 0.4:
        ctx: dict[str, Any] = {"names": {}, "values": {}}
        read["ProjectionExpression"] = ", ".join(generator.path(ctx) for _ in range(rng.randint(1, 3)))
        if ctx["names"]:
            read["ExpressionAttributeNames"] = ctx["names"]
    elif r < 0.5:
        read["AttributesToGet"] = rng.sample(["pk", "sk", "a", "b", "n", "m"], rng.randint(1, 3))
    return read


def steps(generator: Generator) -> list[Step]:
    rng = generator.rng
    out = [Step({"op": "PutItem", "body": {"TableName": TABLE, "Item": generator.item("r", sk)}})
           for sk in rng.sample(range(1, 6), rng.randint(1, 3))]  # fmt: skip
    write: dict[str, Any] = {"RequestItems": {TABLE: _writes(generator)}}
    both = rng.random() < 0.3  # the hash-key table `{{s}}h` in the same batches
    if both:
        item = generator.item("h", 0)
        write["RequestItems"][HASH_TABLE] = [{"PutRequest": {"Item": item}} if rng.random() < 0.7 else
                                             {"DeleteRequest": {"Key": {"pk": {"S": "{{u}}"}}}}]  # fmt: skip
    if rng.random() < 0.3:
        write["ReturnConsumedCapacity"] = rng.choice(["TOTAL", "INDEXES", "NONE"])
    out.append(Step({"op": "BatchWriteItem", "body": write}))
    requested = {TABLE: _reads(generator, [_key(rng.randint(1, 5)) for _ in range(rng.randint(1, 4))])}
    unordered = [f"Responses.{TABLE}"]
    if both:
        requested[HASH_TABLE] = _reads(generator, [{"pk": {"S": "{{u}}"}}])
        unordered.append(f"Responses.{HASH_TABLE}")
    out.append(Step({"op": "BatchGetItem", "body": {"RequestItems": requested}}, unordered=unordered))
    out += [Step({"op": "GetItem", "body": {"TableName": TABLE, "Key": _key(sk), "ConsistentRead": True}})
            for sk in range(1, 6)]  # fmt: skip
    if both:
        out.append(Step({"op": "GetItem", "body": {"TableName": HASH_TABLE, "Key": {"pk": {"S": "{{u}}"}},
                                                   "ConsistentRead": True}}))  # fmt: skip
    return out
