"""Random secondary-index scenarios for `lumadb conformance fuzz` (DynamoDB): items of a table
with a GSI (`by_g`: g, r; ALL) and an LSI (`by_l`: pk, l; KEYS_ONLY), some without the index
keys (sparse), then a Query of one index with a random key condition, direction, Limit, Select,
filter and projection, and, when it stopped at a LastEvaluatedKey, its second page. Index
paging is where local stand-ins go wrong most often. Each scenario's GSI partitions are its own
(`{{u}}a`, `{{u}}b`), so no scenario reads another's items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.scenario import Step

if TYPE_CHECKING:
    from conformance.fuzz import Generator

TABLE = "{{s}}i"


def table_steps() -> list[Step]:
    def key(name: str, kind: str) -> dict[str, str]:
        return {"AttributeName": name, "KeyType": kind}

    create = {"op": "CreateTable", "body": {
        "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": kind}
                                 for name, kind in (("pk", "S"), ("sk", "N"), ("g", "S"), ("r", "N"), ("l", "N"))],
        "KeySchema": [key("pk", "HASH"), key("sk", "RANGE")],
        "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [key("g", "HASH"), key("r", "RANGE")],
                                    "Projection": {"ProjectionType": "ALL"}}],
        "LocalSecondaryIndexes": [{"IndexName": "by_l", "KeySchema": [key("pk", "HASH"), key("l", "RANGE")],
                                   "Projection": {"ProjectionType": "KEYS_ONLY"}}],
    }}  # fmt: skip
    wait = {"path": "Table.TableStatus", "equals": "ACTIVE"}
    return [Step(create, compare="status"), Step({"op": "DescribeTable", "body": {"TableName": TABLE}},
                                                  compare="status", wait=wait)]  # fmt: skip


def steps(generator: Generator) -> list[Step]:
    rng = generator.rng
    out = []
    # index sort keys distinct: the order of equal ones is not documented (dynalite's varies)
    r_values, l_values = rng.sample(range(8), 5), rng.sample(range(8), 5)
    for sk in range(1, rng.randint(3, 6)):
        item: dict[str, Any] = {"pk": {"S": "{{u}}"}, "sk": {"N": str(sk)}}
        if rng.random() < 0.85:
            item["g"] = {"S": "{{u}}" + rng.choice("ab")}
        if rng.random() < 0.85:
            item["r"] = {"N": str(r_values[sk - 1])}
        if rng.random() < 0.7:
            item["l"] = {"N": str(l_values[sk - 1])}
        for name in rng.sample(["a", "b", "n"], rng.randint(0, 2)):
            item[name] = generator.value()
        out.append(Step({"op": "PutItem", "body": {"TableName": TABLE, "Item": item}}))
    ctx: dict[str, Any] = {"names": {}, "values": {}}
    body: dict[str, Any] = {"TableName": TABLE, "ScanIndexForward": rng.random() < 0.5}
    comparator = rng.choice(["=", "<", "<=", ">", ">=", "BETWEEN", None])
    if rng.random() < 0.6:
        body["IndexName"] = "by_g"
        condition, sort_key = f"g = {generator.placeholder(ctx, {'S': '{{u}}' + rng.choice('ab')})}", "r"
    else:
        body["IndexName"] = "by_l"
        condition, sort_key = f"pk = {generator.placeholder(ctx, {'S': '{{u}}'})}", "l"
    if comparator == "BETWEEN":
        low, high = sorted(rng.randint(0, 7) for _ in range(2))
        condition += (f" AND {sort_key} BETWEEN {generator.placeholder(ctx, {'N': str(low)})} AND "
                      f"{generator.placeholder(ctx, {'N': str(high)})}")  # fmt: skip
    elif comparator is not None:
        condition += f" AND {sort_key} {comparator} {generator.placeholder(ctx, {'N': str(rng.randint(0, 7))})}"
    body["KeyConditionExpression"] = condition
    if rng.random() < 0.5:
        body["Limit"] = rng.randint(1, 3)
    if rng.random() < 0.3:
        body["FilterExpression"] = generator.condition(ctx)
    r = rng.random()
    if r < 0.2:
        body["Select"] = "COUNT"
    elif r < 0.4:
        body["ProjectionExpression"] = ", ".join(generator.path(ctx) for _ in range(rng.randint(1, 2)))
    if ctx["names"]:
        body["ExpressionAttributeNames"] = ctx["names"]
    body["ExpressionAttributeValues"] = ctx["values"]
    out.append(Step({"op": "Query", "body": body}, save={"page": "LastEvaluatedKey"}))
    out.append(Step({"op": "Query", "body": {**body, "ExclusiveStartKey": "{{page}}"}}))
    return out
