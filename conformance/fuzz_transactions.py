"""Random transaction scenarios for `lumadb conformance fuzz` (DynamoDB; a reference that serves
transactions: moto, or AWS): a few items of `{{s}}r`, then a TransactWriteItems of Puts,
Updates, Deletes and ConditionChecks with random conditions (now and then two actions on one
item, which DynamoDB refuses), with ReturnValuesOnConditionCheckFailure now and then, then a
TransactGetItems of the keys and a GetItem of each. Drawn from a random stream of their own,
against any reference but dynalite, which has no transactions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.scenario import Step

if TYPE_CHECKING:
    from conformance.fuzz import Generator

TABLE = "{{s}}r"
SHARE = 0.25  # of the scenario numbers that get a transaction scenario besides


def _key(sk: int) -> dict[str, Any]:
    return {"pk": {"S": "{{u}}"}, "sk": {"N": str(sk)}}


def _action(generator: Generator, sk: int) -> dict[str, Any]:
    rng = generator.rng
    ctx: dict[str, Any] = {"names": {}, "values": {}}
    r = rng.random()
    if r < 0.3:
        kind, action = "Put", {"TableName": TABLE, "Item": generator.item("r", sk)}
    elif r < 0.6:
        kind, action = "Update", {"TableName": TABLE, "Key": _key(sk), "UpdateExpression": generator.update(ctx)}
    elif r < 0.8:
        kind, action = "Delete", {"TableName": TABLE, "Key": _key(sk)}
    else:
        kind, action = "ConditionCheck", {"TableName": TABLE, "Key": _key(sk)}
    if kind == "ConditionCheck" or rng.random() < 0.5:
        action["ConditionExpression"] = generator.condition(ctx)
        if rng.random() < 0.3:
            action["ReturnValuesOnConditionCheckFailure"] = rng.choice(["ALL_OLD", "NONE"])
    if ctx["names"]:
        action["ExpressionAttributeNames"] = ctx["names"]
    if ctx["values"]:
        action["ExpressionAttributeValues"] = ctx["values"]
    return {kind: action}


def steps(generator: Generator) -> list[Step]:
    rng = generator.rng
    out = [Step({"op": "PutItem", "body": {"TableName": TABLE, "Item": generator.item("r", sk)}})
           for sk in range(1, 4)]  # fmt: skip
    sort_keys = rng.sample(range(1, 6), rng.randint(1, 4))
    if rng.random() < 0.1:
        sort_keys.append(sort_keys[0])  # two actions on one item
    body: dict[str, Any] = {"TransactItems": [_action(generator, sk) for sk in sort_keys]}
    if rng.random() < 0.2:
        body["ReturnConsumedCapacity"] = "TOTAL"
    out.append(Step({"op": "TransactWriteItems", "body": body}))
    gets = [{"Get": {"TableName": TABLE, "Key": _key(sk)}} for sk in sorted(set(sort_keys))]
    out.append(Step({"op": "TransactGetItems", "body": {"TransactItems": gets}}))
    out += [Step({"op": "GetItem", "body": {"TableName": TABLE, "Key": _key(sk), "ConsistentRead": True}})
            for sk in range(1, 6)]  # fmt: skip
    return out
