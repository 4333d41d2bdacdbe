"""Random number scenarios for `lumadb conformance fuzz` (DynamoDB): items of `{{s}}r` whose sort
keys and attributes are numbers of every shape DynamoDB takes (up to 38 digits, exponents near
the limits, negative, with leading or trailing zeros, and now and then one too long, too large
or too small), then a Query over a random range of them, either way, or an UpdateItem that adds
to or subtracts from a number (SET n = n + :v, ADD), or a PutItem of such numbers; then a
GetItem. Number order and arithmetic are where an encoding of numbers goes wrong. Drawn from a
random stream of their own, as the batches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.scenario import Step

if TYPE_CHECKING:
    from conformance.fuzz import Generator

TABLE = "{{s}}r"
SHARE = 0.1  # of the scenario numbers that get a number scenario besides


def number(generator: Generator) -> str:
    rng = generator.rng
    r = rng.random()
    sign = "-" if rng.random() < 0.4 else ""
    if r < 0.15:
        return rng.choice(["0", "-0", "0.0", "1", "-1", "10", "0.1", "100.00", "007", "1e0", "1E2"])
    if r < 0.2:  # out of range or too precise
        return rng.choice(["1e126", "-1e126", "1e-131", "9.9999999999999999999999999999999999999E+125",
                           "1" * 39, "0." + "1" * 39, "1e-130", "1.00000000000000000000000000000000000001"])
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 38))).lstrip("0") or "0"
    if r < 0.5:
        return sign + digits
    point = rng.randint(0, len(digits))
    text = digits[:point] + "." + digits[point:] if point < len(digits) else digits
    if text.startswith("."):
        text = "0" + text
    exponent = rng.randint(-125, 120)
    return sign + (f"{text}e{exponent}" if r < 0.8 else text)


def steps(generator: Generator) -> list[Step]:
    rng = generator.rng
    out = []
    keys = []
    for _ in range(rng.randint(3, 6)):
        sk = number(generator)
        keys.append(sk)
        item: dict[str, Any] = {"pk": {"S": "{{u}}"}, "sk": {"N": sk}, "n": {"N": number(generator)}}
        out.append(Step({"op": "PutItem", "body": {"TableName": TABLE, "Item": item}}))
    r = rng.random()
    if r < 0.5:
        values = {":p": {"S": "{{u}}"}, ":a": {"N": number(generator)}}
        operator = rng.choice(["=", "<", "<=", ">", ">=", "BETWEEN"])
        if operator == "BETWEEN":
            values[":b"] = {"N": number(generator)}
            condition = "pk = :p AND sk BETWEEN :a AND :b"
        else:
            condition = f"pk = :p AND sk {operator} :a"
        body: dict[str, Any] = {"TableName": TABLE, "KeyConditionExpression": condition, "ExpressionAttributeValues": values,
                                "ScanIndexForward": rng.random() < 0.5, "ConsistentRead": True}  # fmt: skip
        if rng.random() < 0.3:
            body["Limit"] = rng.randint(1, 3)
            # the next page starts after a LastEvaluatedKey holding a number sort key
            out.append(Step({"op": "Query", "body": body}, save={"page": "LastEvaluatedKey"}))
            out.append(Step({"op": "Query", "body": {**body, "ExclusiveStartKey": "{{page}}"}}))
            return out
        out.append(Step({"op": "Query", "body": body}))
        return out
    key = {"pk": {"S": "{{u}}"}, "sk": {"N": rng.choice(keys)}}
    if r < 0.85:
        update = rng.choice(["SET n = n + :v", "SET n = n - :v", "ADD n :v", "SET n = :v - n", "SET m = :v + :v"])
        body = {"TableName": TABLE, "Key": key, "UpdateExpression": update, "ReturnValues": "UPDATED_NEW",
                "ExpressionAttributeValues": {":v": {"N": number(generator)}}}  # fmt: skip
        out.append(Step({"op": "UpdateItem", "body": body}))
    else:
        item = {**key, "n": {"N": number(generator)}}
        item["ns"] = {"NS": sorted({number(generator) for _ in range(rng.randint(1, 3))})}
        out.append(Step({"op": "PutItem", "body": {"TableName": TABLE, "Item": item}}))
    out.append(Step({"op": "GetItem", "body": {"TableName": TABLE, "Key": key, "ConsistentRead": True}}))
    return out
