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
    return item_steps(generator) + query_steps(generator)


def item_steps(generator: Generator) -> list[Step]:
    """PutItems of 2 to 5 items, some without the index keys."""
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
    return out


def query_steps(generator: Generator, *, selects: bool = False) -> list[Step]:
    """A Query of one index, then its second page; with `selects`, every Select, AttributesToGet
    and a consistent read now and then (the index maintenance scenarios)."""
    rng = generator.rng
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
    if selects:
        r = rng.random()
        if r < 0.5 and "Select" not in body:
            body["Select"] = rng.choice(["ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES"])
        if r > 0.8 and "ProjectionExpression" not in body and "FilterExpression" not in body:
            body["AttributesToGet"] = rng.sample(["pk", "sk", "g", "r", "l", "a", "b"], rng.randint(1, 3))
        if rng.random() < 0.15:
            body["ConsistentRead"] = True
    if ctx["names"]:
        body["ExpressionAttributeNames"] = ctx["names"]
    body["ExpressionAttributeValues"] = ctx["values"]
    return [Step({"op": "Query", "body": body}, save={"page": "LastEvaluatedKey"}),
            Step({"op": "Query", "body": {**body, "ExclusiveStartKey": "{{page}}"}})]  # fmt: skip


def maintenance_steps(generator: Generator) -> list[Step]:
    """Index maintenance: the items, then writes that move, drop or add their index keys (an
    UpdateItem that SETs or REMOVEs g, r or l, a DeleteItem, a PutItem over an item), then a
    Query of an index and its second page, and a GetItem of each item. A scenario kind of its
    own (fuzz.py), so that the plain index scenarios of a seed stay what they were."""
    rng = generator.rng
    out = item_steps(generator)
    count = len(out)
    used: dict[str, set[str]] = {"r": set(), "l": set()}  # index sort keys stay distinct (see item_steps)
    for step in out:
        item = step.request["body"]["Item"]
        for name in ("r", "l"):
            if name in item:
                used[name].add(item[name]["N"])
    for _ in range(rng.randint(1, 3)):
        sk = rng.randint(1, count + 1)
        key = {"pk": {"S": "{{u}}"}, "sk": {"N": str(sk)}}
        r = rng.random()
        if r < 0.6:
            sets, removes, values = [], [], {}
            for name in rng.sample(["g", "r", "l", "a"], rng.randint(1, 2)):
                if rng.random() < 0.3:
                    removes.append(name)
                    continue
                if name == "g":
                    value = {"S": "{{u}}" + rng.choice("ab")}
                elif name == "a":
                    value = generator.value()
                else:
                    free = [str(n) for n in range(8, 16) if str(n) not in used[name]]
                    value = {"N": free[0]}
                    used[name].add(free[0])
                values[f":{name}"] = value
                sets.append(f"{name} = :{name}")
            expression = " ".join(f"{word} {', '.join(parts)}" for word, parts in (("SET", sets), ("REMOVE", removes)) if parts)
            body: dict[str, Any] = {"TableName": TABLE, "Key": key, "UpdateExpression": expression,
                                    "ReturnValues": rng.choice(["NONE", "ALL_OLD", "ALL_NEW"])}  # fmt: skip
            if values:
                body["ExpressionAttributeValues"] = values
            out.append(Step({"op": "UpdateItem", "body": body}))
        elif r < 0.8:
            out.append(Step({"op": "DeleteItem", "body": {"TableName": TABLE, "Key": key}}))
        else:
            item = {**key, "g": {"S": "{{u}}" + rng.choice("ab")}, "b": generator.value()}
            out.append(Step({"op": "PutItem", "body": {"TableName": TABLE, "Item": item}}))
    out += query_steps(generator, selects=True)
    out += [Step({"op": "GetItem", "body": {"TableName": TABLE, "Key": {"pk": {"S": "{{u}}"}, "sk": {"N": str(sk)}},
                                            "ConsistentRead": True}}) for sk in range(1, count + 2)]  # fmt: skip
    return out
