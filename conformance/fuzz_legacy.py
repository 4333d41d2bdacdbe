"""Random scenarios of DynamoDB's legacy parameters for `lumadb conformance fuzz`: a few items of
`{{s}}r`, then a PutItem or DeleteItem under `Expected`, an UpdateItem with `AttributeUpdates`
(and now and then `Expected`), a Query with `KeyConditions`, a `QueryFilter` and
`AttributesToGet`, or a GetItem with `AttributesToGet`; then a GetItem of the key. Conditions
take every ComparisonOperator with a random number of values, so that the refusals of a wrong
count or type are compared too. Drawn from a random stream of their own, as the batches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.scenario import Step

if TYPE_CHECKING:
    from conformance.fuzz import Generator

TABLE = "{{s}}r"
SHARE = 0.12  # of the scenario numbers that get a legacy scenario besides
OPERATORS = ["EQ", "NE", "LE", "LT", "GE", "GT", "NOT_NULL", "NULL", "CONTAINS", "NOT_CONTAINS",
             "BEGINS_WITH", "IN", "BETWEEN"]  # fmt: skip
# how many values each operator takes (IN: one or more)
ARITY = {"NOT_NULL": 0, "NULL": 0, "BETWEEN": 2, "IN": 1}
NAMES = ["a", "b", "n", "s", "l"]


def _key(sk: int) -> dict[str, Any]:
    return {"pk": {"S": "{{u}}"}, "sk": {"N": str(sk)}}


def _scalar(generator: Generator) -> dict[str, Any]:
    rng = generator.rng
    r = rng.random()
    if r < 0.4:
        return {"S": rng.choice(["a", "ab", "b", "z"])}
    if r < 0.8:
        return {"N": str(rng.randint(-3, 3))}
    return generator.value()


def _condition(generator: Generator, *, key_attribute: str | None = None) -> dict[str, Any]:
    """One entry of Expected, QueryFilter or KeyConditions."""
    rng = generator.rng
    r = rng.random()
    if key_attribute is None and r < 0.15:
        return {"Value": _scalar(generator)} if rng.random() < 0.7 else {"Exists": rng.random() < 0.3}
    if key_attribute is None and r < 0.2:
        return {"Exists": True, "Value": _scalar(generator)}
    operator = rng.choice(OPERATORS)
    count = ARITY.get(operator, 1)
    if operator == "IN":
        count = rng.randint(1, 3)
    if rng.random() < 0.1:
        count = rng.randint(0, 3)  # a wrong count now and then
    entry: dict[str, Any] = {"ComparisonOperator": operator}
    if count or rng.random() < 0.5:
        entry["AttributeValueList"] = [_scalar(generator) for _ in range(count)]
    return entry


def _conditions(generator: Generator, names: list[str], body: dict[str, Any], parameter: str) -> None:
    rng = generator.rng
    chosen = rng.sample(names, rng.randint(1, 2))
    body[parameter] = {name: _condition(generator) for name in chosen}
    if len(chosen) > 1 or rng.random() < 0.1:
        body["ConditionalOperator"] = rng.choice(["AND", "OR"])


def _updates(generator: Generator) -> dict[str, Any]:
    rng = generator.rng
    updates: dict[str, Any] = {}
    for name in rng.sample(NAMES, rng.randint(1, 3)):
        action = rng.choice(["PUT", "ADD", "DELETE"])
        update: dict[str, Any] = {"Action": action}
        if action != "DELETE" or rng.random() < 0.6:
            update["Value"] = generator.value() if rng.random() < 0.5 else _scalar(generator)
        updates[name] = update
    return updates


def steps(generator: Generator) -> list[Step]:
    rng = generator.rng
    out = [Step({"op": "PutItem", "body": {"TableName": TABLE, "Item": generator.item("r", sk)}})
           for sk in range(1, 4)]  # fmt: skip
    sk = rng.randint(1, 4)
    body: dict[str, Any] = {"TableName": TABLE}
    r = rng.random()
    if r < 0.25:
        op = "PutItem"
        body.update(Item=generator.item("r", sk), ReturnValues=rng.choice(["NONE", "ALL_OLD"]))
        _conditions(generator, NAMES, body, "Expected")
    elif r < 0.4:
        op = "DeleteItem"
        body.update(Key=_key(sk), ReturnValues=rng.choice(["NONE", "ALL_OLD"]))
        _conditions(generator, NAMES, body, "Expected")
    elif r < 0.7:
        op = "UpdateItem"
        body.update(Key=_key(sk), AttributeUpdates=_updates(generator),
                    ReturnValues=rng.choice(["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]))  # fmt: skip
        if rng.random() < 0.4:
            _conditions(generator, NAMES, body, "Expected")
    elif r < 0.9:
        op = "Query"
        conditions: dict[str, Any] = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "{{u}}"}]}}
        if rng.random() < 0.6:
            conditions["sk"] = _condition(generator, key_attribute="sk")
        body.update(KeyConditions=conditions, ConsistentRead=True, ScanIndexForward=rng.random() < 0.5)
        if rng.random() < 0.5:
            _conditions(generator, NAMES, body, "QueryFilter")
        if rng.random() < 0.4:
            body["AttributesToGet"] = rng.sample(["pk", "sk", *NAMES], rng.randint(1, 3))
        if rng.random() < 0.2:
            body["Select"] = rng.choice(["COUNT", "ALL_ATTRIBUTES", "SPECIFIC_ATTRIBUTES"])
    else:
        op = "GetItem"
        body.update(Key=_key(sk), ConsistentRead=True, AttributesToGet=rng.sample(["pk", "sk", *NAMES], rng.randint(1, 3)))
    out.append(Step({"op": op, "body": body}))
    if op in ("PutItem", "DeleteItem", "UpdateItem"):
        out.append(Step({"op": "GetItem", "body": {"TableName": TABLE, "Key": _key(sk), "ConsistentRead": True}}))
    return out
