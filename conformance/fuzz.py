"""`lumadb conformance fuzz`: random DynamoDB scenarios (libSQL ones: fuzz_libsql.py), replayed
against LumaDB and a reference (a local peer such as dynalite or sqld, or the real service), every
step of every scenario compared.

The scenarios are the suites' own format (setup tables, then per scenario a few PutItems and one
operation with random expressions: conditions, updates, projections, key conditions and filters,
ReturnValues; a Scan filters on the scenario's own partition; index queries in fuzz_indexes.py,
batches in fuzz_batches.py, the legacy parameters in fuzz_legacy.py, numbers in fuzz_numbers.py, capacity units in
fuzz_capacity.py, table definitions in fuzz_tables.py, transactions in fuzz_transactions.py), so a difference worth keeping is pasted into `cases/dynamodb/*.yaml` as printed,
with the reference decided there. A seed reproduces a run. Peers have known deviations of their
own (conformance/README.md lists dynalite's): a difference is a place to look, not a verdict.
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection, Sequence
from typing import Any

from conformance import (
    fuzz_batches,
    fuzz_capacity,
    fuzz_indexes,
    fuzz_legacy,
    fuzz_numbers,
    fuzz_tables,
    fuzz_transactions,
)
from conformance.compare import compare_step
from conformance.scenario import Scenario, Step, Suite

NAMES = ["a", "b", "n", "l", "m", "ss", "ns", "s"]
STRINGS = ["", "a", "ab", "b", "z", "é", "a b"]
KEYS = {"h": [("pk", "S")], "r": [("pk", "S"), ("sk", "N")]}
ROUND = 25  # scenarios per round (per peer start)


class Generator:
    """Random requests over the two fuzz tables, `{{s}}h` (pk) and `{{s}}r` (pk, sk)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    # -- values ---------------------------------------------------------------------------
    def number(self) -> str:
        r = self.rng
        return r.choice([str(r.randint(-100, 100)), f"{r.randint(-99, 99)}.{r.randint(0, 99)}", "0", "1e3", "-0.50"])

    def value(self, depth: int = 0) -> dict[str, Any]:
        r = self.rng.random()
        if r < 0.25:
            return {"S": self.rng.choice(STRINGS[1:])}
        if r < 0.5:
            return {"N": self.number()}
        if r < 0.55:
            return {"BOOL": self.rng.random() < 0.5}
        if r < 0.58:
            return {"NULL": True}
        if r < 0.66:
            return {"SS": sorted({self.rng.choice(STRINGS[1:]) for _ in range(self.rng.randint(1, 3))})}
        if r < 0.72:
            return {"NS": sorted({str(self.rng.randint(-3, 3)) for _ in range(self.rng.randint(1, 3))})}
        if depth < 2 and r < 0.86:
            return {"L": [self.value(depth + 1) for _ in range(self.rng.randint(0, 3))]}
        if depth < 2:
            return {"M": {self.rng.choice(NAMES): self.value(depth + 1) for _ in range(self.rng.randint(0, 3))}}
        return {"S": "leaf"}

    def item(self, kind: str, sk: int) -> dict[str, Any]:
        item: dict[str, Any] = {"pk": {"S": "{{u}}"}}
        if kind == "r":
            item["sk"] = {"N": str(sk)}
        for name in self.rng.sample(NAMES, self.rng.randint(0, 5)):
            item[name] = self.value()
        return item

    # -- expressions ----------------------------------------------------------------------
    def path(self, ctx: dict[str, Any]) -> str:
        name = self.rng.choice(NAMES + ["pk"])
        if self.rng.random() < 0.15:
            ctx["names"]["#" + name] = name
            name = "#" + name
        r = self.rng.random()
        if r < 0.15:
            return f"{name}[{self.rng.randint(0, 2)}]"
        if r < 0.3:
            return f"{name}.{self.rng.choice(NAMES)}"
        return name

    def placeholder(self, ctx: dict[str, Any], value: dict[str, Any] | None = None) -> str:
        key = f":v{len(ctx['values'])}"
        ctx["values"][key] = value if value is not None else self.value()
        return key

    def operand(self, ctx: dict[str, Any]) -> str:
        r = self.rng.random()
        if r < 0.5:
            return self.placeholder(ctx)
        if r < 0.6:
            return f"size({self.path(ctx)})"
        return self.path(ctx)

    def condition(self, ctx: dict[str, Any], depth: int = 0) -> str:
        r = self.rng.random()
        if depth < 2 and r < 0.15:
            joiner = self.rng.choice(["AND", "OR"])
            return f"({self.condition(ctx, depth + 1)} {joiner} {self.condition(ctx, depth + 1)})"
        if depth < 2 and r < 0.2:
            return f"NOT {self.condition(ctx, depth + 1)}"
        if r < 0.35:
            function = self.rng.choice(["attribute_exists", "attribute_not_exists"])
            return f"{function}({self.path(ctx)})"
        if r < 0.42:
            kind = self.placeholder(ctx, {"S": self.rng.choice(["S", "N", "L", "M", "SS", "NS", "BOOL", "NULL"])})
            return f"attribute_type({self.path(ctx)}, {kind})"
        if r < 0.5:
            function = self.rng.choice(["begins_with", "contains"])
            return f"{function}({self.path(ctx)}, {self.operand(ctx)})"
        if r < 0.57:
            return f"{self.operand(ctx)} BETWEEN {self.operand(ctx)} AND {self.operand(ctx)}"
        if r < 0.64:
            members = ", ".join(self.operand(ctx) for _ in range(self.rng.randint(1, 3)))
            return f"{self.operand(ctx)} IN ({members})"
        comparator = self.rng.choice(["=", "<>", "<", "<=", ">", ">="])
        return f"{self.operand(ctx)} {comparator} {self.operand(ctx)}"

    def update(self, ctx: dict[str, Any]) -> str:
        sets, removes, adds, deletes = [], [], [], []
        for _ in range(self.rng.randint(1, 3)):
            r = self.rng.random()
            target = self.path(ctx)
            if r < 0.3:
                sets.append(f"{target} = {self.placeholder(ctx)}")
            elif r < 0.4:
                number = self.placeholder(ctx, {"N": self.number()})
                sets.append(f"{target} = {self.path(ctx)} {self.rng.choice('+-')} {number}")
            elif r < 0.5:
                sets.append(f"{target} = list_append({self.path(ctx)}, {self.placeholder(ctx, {'L': [self.value()]})})")
            elif r < 0.6:
                sets.append(f"{target} = if_not_exists({self.path(ctx)}, {self.placeholder(ctx)})")
            elif r < 0.75:
                removes.append(target)
            elif r < 0.9:
                adds.append(f"{target} {self.placeholder(ctx, self.rng.choice([{'N': self.number()}, self.value()]))}")
            else:
                deletes.append(f"{target} {self.placeholder(ctx, {'SS': ['a', 'b']})}")
        clauses = [(word, parts) for word, parts in
                   (("SET", sets), ("REMOVE", removes), ("ADD", adds), ("DELETE", deletes)) if parts]  # fmt: skip
        return " ".join(f"{word} {', '.join(parts)}" for word, parts in clauses)

    # -- requests -------------------------------------------------------------------------
    def request(self, kind: str) -> tuple[str, dict[str, Any]]:
        """One operation on the scenario's items (pk {{u}}, sk 1-3 in `{{s}}r`)."""
        table = "{{s}}" + kind
        key: dict[str, Any] = {"pk": {"S": "{{u}}"}}
        if kind == "r":
            key["sk"] = {"N": str(self.rng.randint(1, 3))}
        ctx: dict[str, Any] = {"names": {}, "values": {}}
        r = self.rng.random()
        body: dict[str, Any] = {"TableName": table}
        if r < 0.35:
            op = "UpdateItem"
            body.update(Key=key, UpdateExpression=self.update(ctx))
            if self.rng.random() < 0.4:
                body["ConditionExpression"] = self.condition(ctx)
            body["ReturnValues"] = self.rng.choice(["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"])
        elif r < 0.5:
            op = "PutItem"
            body.update(Item=self.item(kind, int(key.get("sk", {"N": "1"})["N"])), ConditionExpression=self.condition(ctx),
                        ReturnValues=self.rng.choice(["NONE", "ALL_OLD"]))  # fmt: skip
        elif r < 0.6:
            op = "DeleteItem"
            body.update(Key=key, ConditionExpression=self.condition(ctx), ReturnValues=self.rng.choice(["NONE", "ALL_OLD"]))
        elif r < 0.68:
            op = "Scan"  # of this scenario's items only: the tables hold every scenario's
            body["FilterExpression"] = f"pk = {self.placeholder(ctx, {'S': '{{u}}'})} AND ({self.condition(ctx)})"
            if self.rng.random() < 0.4:
                body["ProjectionExpression"] = ", ".join(self.path(ctx) for _ in range(self.rng.randint(1, 3)))
            body["ConsistentRead"] = True
        elif r < 0.8 or kind == "h":
            op = "GetItem"
            body.update(Key=key, ConsistentRead=True)
            if self.rng.random() < 0.7:
                body["ProjectionExpression"] = ", ".join(self.path(ctx) for _ in range(self.rng.randint(1, 3)))
        else:
            op = "Query"
            pk = self.placeholder(ctx, {"S": "{{u}}"})
            body["KeyConditionExpression"] = f"pk = {pk}"
            if self.rng.random() < 0.5:
                comparator = self.rng.choice(["=", "<", "<=", ">", ">="])
                body["KeyConditionExpression"] += f" AND sk {comparator} {self.placeholder(ctx, {'N': str(self.rng.randint(0, 4))})}"
            if self.rng.random() < 0.6:
                body["FilterExpression"] = self.condition(ctx)
            if self.rng.random() < 0.4:
                body["ProjectionExpression"] = ", ".join(self.path(ctx) for _ in range(self.rng.randint(1, 3)))
            body.update(ConsistentRead=True, ScanIndexForward=self.rng.random() < 0.5)
            if self.rng.random() < 0.3:
                body["Limit"] = self.rng.randint(1, 3)
        if ctx["names"]:
            body["ExpressionAttributeNames"] = ctx["names"]
        if ctx["values"]:
            body["ExpressionAttributeValues"] = ctx["values"]
        return op, body


class _IndexWrites:
    """Index maintenance scenarios (fuzz_indexes.maintenance_steps), about one in ten."""

    SHARE = 0.1
    steps = staticmethod(fuzz_indexes.maintenance_steps)


def _table_steps(kind: str) -> list[Step]:
    definitions = [{"AttributeName": name, "AttributeType": t} for name, t in KEYS[kind]]
    schema = [{"AttributeName": name, "KeyType": "HASH" if i == 0 else "RANGE"} for i, (name, _) in enumerate(KEYS[kind])]
    create = {"op": "CreateTable", "body": {"TableName": "{{s}}" + kind, "BillingMode": "PAY_PER_REQUEST",
                                              "AttributeDefinitions": definitions, "KeySchema": schema}}  # fmt: skip
    wait = {"path": "Table.TableStatus", "equals": "ACTIVE"}
    describe = {"op": "DescribeTable", "body": {"TableName": "{{s}}" + kind}}
    return [Step(create, compare="status"), Step(describe, compare="status", wait=wait)]


def suite(seed: int, count: int, first: int = 0, *, transactions: bool = False) -> Suite:
    """Random scenarios `first` to `first + count - 1` of a seed (the same seed gives the same ones);
    with `transactions`, transaction scenarios besides (a reference that serves them)."""
    generator = Generator(seed)
    scenarios = []
    for number in range(first + count):  # (the scenarios before `first` drawn and dropped)
        kind = generator.rng.choice(["h", "r", "r", "i"])
        name = f"case-{seed}-{number}"
        if kind == "i":
            if number >= first:
                scenarios.append(Scenario(id=f"fuzz/{name}", name=name, area="fuzz", doc="",
                                          steps=fuzz_indexes.steps(generator)))  # fmt: skip
            else:
                fuzz_indexes.steps(generator)
            continue
        steps = [Step({"op": "PutItem", "body": {"TableName": "{{s}}" + kind, "Item": generator.item(kind, sk)}})
                 for sk in range(1, (4 if kind == "r" else 2))]  # fmt: skip
        op, body = generator.request(kind)
        # ScannedCount counts every scenario's items: any earlier difference would show in it
        steps.append(Step({"op": op, "body": body}, ignore=["ScannedCount"] if op == "Scan" else []))
        if op in ("UpdateItem", "PutItem", "DeleteItem"):
            key = {"pk": {"S": "{{u}}"}, **({"sk": body["Key"]["sk"]} if "Key" in body and "sk" in body["Key"] else {})}
            if op == "PutItem" and kind == "r":
                key["sk"] = body["Item"]["sk"]
            steps.append(Step({"op": "GetItem", "body": {"TableName": "{{s}}" + kind, "Key": key, "ConsistentRead": True}}))
        if number >= first:
            scenarios.append(Scenario(id=f"fuzz/{name}", name=name, area="fuzz", doc="", steps=steps))
            # streams of their own: the scenarios above stay as they were
            extras: list[tuple[str, Any, int]] = [("b", fuzz_batches, 1_000_003), ("l", fuzz_legacy, 1_000_033),
                                                  ("n", fuzz_numbers, 1_000_037), ("x", _IndexWrites, 1_000_081),
                                                  ("c", fuzz_capacity, 1_000_099), ("d", fuzz_tables, 1_000_117)]  # fmt: skip
            if transactions:
                extras.append(("t", fuzz_transactions, 1_000_039))
            for suffix, module, stream in extras:
                extra = Generator(seed * stream + number)
                if extra.rng.random() < module.SHARE:
                    scenarios.append(Scenario(id=f"fuzz/{name}{suffix}", name=f"{name}{suffix}", area="fuzz", doc="",
                                              steps=module.steps(extra)))  # fmt: skip
    teardown = [Step({"op": "DeleteTable", "body": {"TableName": "{{s}}" + kind}}, compare="none")
                for kind in (*KEYS, "i")]  # fmt: skip
    setup = _table_steps("h") + _table_steps("r") + fuzz_indexes.table_steps()
    return Suite("dynamodb", "fuzz", "fuzz", "random scenarios", setup, teardown, scenarios)


def differences(
    generated: Suite, reference: dict[str, Any], subject: dict[str, Any], fixups: Sequence[Any] = (),
    approximated: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The scenarios whose steps answered differently: the scenario, the step and both answers
    (the reference's with its documented fix-ups, protocols/*.py). Fields docs/compatibility.md
    names as approximated (libSQL's rows_read, ...) do not count."""
    found = []
    for scenario in generated.scenarios:
        ours = subject["scenarios"].get(scenario.id, {}).get("steps") or []
        theirs = reference["scenarios"].get(scenario.id, {}).get("steps") or []
        requests = [step.request for step in scenario.steps]
        for fixup in fixups:
            theirs = [fixup.apply(record, requests[i] if i < len(requests) else {}) for i, record in enumerate(theirs)]
        for index, (step, expected, actual) in enumerate(zip(scenario.steps, theirs, ours, strict=False)):
            if expected.get("status", 0) == 0:  # the reference did not answer (a peer that crashed)
                break
            paths = [path for path in compare_step(expected, actual, step.compare, partial=False)
                     if path.rsplit(".", 1)[-1].split(" ")[0] not in approximated]  # fmt: skip
            if paths:
                found.append({"scenario": scenario, "step": index, "paths": paths, "reference": expected,
                              "lumadb": actual})  # fmt: skip
                break  # later steps follow from this one
    return found


def as_yaml(difference: dict[str, Any]) -> str:
    """The scenario as a `cases/` entry (JSON is YAML), with both answers as comments."""
    scenario: Scenario = difference["scenario"]
    lines = [f"  - name: {scenario.name}", "    steps:"]
    for step in scenario.steps:
        lines.append(f"      - {json.dumps(step.request, ensure_ascii=False)}")
    lines.append(f"    # step {difference['step']} differs at {', '.join(difference['paths'])}")
    lines.append(f"    # reference: {json.dumps(difference['reference'], ensure_ascii=False)}")
    lines.append(f"    # lumadb:    {json.dumps(difference['lumadb'], ensure_ascii=False)}")
    return "\n".join(lines)
