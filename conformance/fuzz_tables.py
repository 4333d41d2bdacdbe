"""Random table definitions for `lumadb conformance fuzz` (DynamoDB): a CreateTable whose key
schema, attribute definitions, billing mode, throughput, secondary indexes, projections and
stream specification are drawn at random, now and then with one mistake that DynamoDB refuses
(a key attribute not defined, RANGE before HASH, a local index on another partition key, an
INCLUDE projection without attributes, throughput on an on-demand table, ...), then a
DescribeTable of the definition it kept, an UpdateTable and the DeleteTable. The table is named
`{{u}}`, the scenario's own. Drawn from a random stream of their own, as the batches."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from conformance.fuzz_scenario_checks import message as _message
from conformance.scenario import Step

if TYPE_CHECKING:
    from conformance.fuzz import Generator

SHARE = 0.1  # of the scenario numbers that get a table scenario besides
NAMES = ["pk", "sk", "g", "h", "t"]
# what a definition keeps: compared on success (CREATING vs ACTIVE and the newer fields differ)
DESCRIBED = ["TableName", "KeySchema", "AttributeDefinitions", "BillingModeSummary.BillingMode",
             "ProvisionedThroughput.ReadCapacityUnits", "ProvisionedThroughput.WriteCapacityUnits",
             "StreamSpecification"] + [f"{kind}SecondaryIndexes[{i}].{field}" for kind in ("Global", "Local")
                                       for i in (0, 1) for field in ("IndexName", "KeySchema", "Projection")]  # fmt: skip


def _throughput(rng: Any) -> dict[str, Any]:
    units = [rng.choice([1, 5, 10]), rng.choice([1, 5, 10])]
    if rng.random() < 0.1:
        units[rng.randrange(2)] = rng.choice([0, -1, 40001, 100000000000])
    out = {"ReadCapacityUnits": units[0], "WriteCapacityUnits": units[1]}
    if rng.random() < 0.05:
        del out[rng.choice(list(out))]
    return out


def _schema(rng: Any, hash_name: str, range_name: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_name, "KeyType": "HASH"}]
    if range_name is not None:
        schema.append({"AttributeName": range_name, "KeyType": "RANGE"})
    r = rng.random()
    if r < 0.03:
        schema.reverse()
    elif r < 0.05:
        schema[-1]["KeyType"] = rng.choice(["HASH", "RANGE", "hash", "PARTITION"])
    elif r < 0.06:
        schema.append({"AttributeName": rng.choice(NAMES), "KeyType": "RANGE"})
    return schema


def _projection(rng: Any) -> dict[str, Any]:
    kind = rng.choice(["ALL", "KEYS_ONLY", "INCLUDE", "INCLUDE"])
    out: dict[str, Any] = {"ProjectionType": kind}
    if kind == "INCLUDE" and rng.random() < 0.9 or rng.random() < 0.04:
        out["NonKeyAttributes"] = rng.sample(["a", "b", "c", "pk", "g"], rng.randint(0 if rng.random() < 0.1 else 1, 3))
    if rng.random() < 0.03:
        del out["ProjectionType"]
    return out


def _index(rng: Any, name: str, hash_name: str, range_name: str | None, provisioned: bool) -> dict[str, Any]:
    index: dict[str, Any] = {"IndexName": name, "KeySchema": _schema(rng, hash_name, range_name),
                             "Projection": _projection(rng)}  # fmt: skip
    if provisioned != (rng.random() < 0.05):
        index["ProvisionedThroughput"] = _throughput(rng)
    return index


def create_body(generator: Generator) -> dict[str, Any]:
    rng = generator.rng
    hash_name, second = rng.sample(NAMES, 2)
    range_name: str | None = None if rng.random() < 0.3 else second
    provisioned = rng.random() < 0.4
    body: dict[str, Any] = {"TableName": "{{u}}", "KeySchema": _schema(rng, hash_name, range_name)}
    if provisioned:
        if rng.random() < 0.5:
            body["BillingMode"] = "PROVISIONED"
        if rng.random() < 0.95:
            body["ProvisionedThroughput"] = _throughput(rng)
    else:
        body["BillingMode"] = "PAY_PER_REQUEST"
        if rng.random() < 0.05:
            body["ProvisionedThroughput"] = _throughput(rng)
    used = {hash_name} | ({range_name} if range_name else set())
    if rng.random() < 0.45:
        body["GlobalSecondaryIndexes"] = []
        for number in range(rng.choice([0, 1, 1, 2]) if rng.random() < 0.97 else 1):
            g_hash, g_second = rng.sample(NAMES, 2)
            g_range = g_second if rng.random() < 0.5 else None
            name = rng.choice(["gsi", "gsi", "g1", "ab", "x" * 256]) + (str(number) if rng.random() < 0.9 else "")
            body["GlobalSecondaryIndexes"].append(_index(rng, name, g_hash, g_range, provisioned))
            used |= {g_hash} | ({g_range} if g_range else set())
    if rng.random() < 0.3:
        body["LocalSecondaryIndexes"] = []
        for number in range(rng.choice([0, 1, 1, 2])):
            l_hash = hash_name if rng.random() < 0.93 else rng.choice(NAMES)
            l_range = rng.choice(NAMES) if rng.random() < 0.95 else None
            index = _index(rng, rng.choice(["lsi", "gsi", "l"]) + str(number), l_hash, l_range, False)
            index.pop("ProvisionedThroughput", None)
            body["LocalSecondaryIndexes"].append(index)
            used |= {l_hash} | ({l_range} if l_range else set())
    definitions = [{"AttributeName": name, "AttributeType": rng.choice("SSNB")} for name in sorted(used)]
    r = rng.random()
    if r < 0.05 and definitions:
        definitions.pop(rng.randrange(len(definitions)))  # a key attribute not defined
    elif r < 0.1:
        definitions.append({"AttributeName": rng.choice(["unused", "a"]), "AttributeType": "S"})
    elif r < 0.13 and definitions:
        definitions.append(dict(definitions[0]))
    elif r < 0.15 and definitions:
        definitions[0]["AttributeType"] = rng.choice(["BOOL", "SS", "s"])
    body["AttributeDefinitions"] = definitions
    if rng.random() < 0.25:
        stream: dict[str, Any] = {"StreamEnabled": rng.random() < 0.85}
        if stream["StreamEnabled"] != (rng.random() < 0.1):
            stream["StreamViewType"] = rng.choice(["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"])
        body["StreamSpecification"] = stream
    return body


def _update(generator: Generator, created: dict[str, Any]) -> dict[str, Any]:
    rng = generator.rng
    body: dict[str, Any] = {"TableName": "{{u}}"}
    on_demand = created.get("BillingMode") == "PAY_PER_REQUEST"
    r = rng.random()
    if r < 0.3:
        body["BillingMode"] = "PROVISIONED" if on_demand else "PAY_PER_REQUEST"
        if on_demand and rng.random() < 0.9:
            body["ProvisionedThroughput"] = _throughput(rng)
    elif r < 0.5:
        body["ProvisionedThroughput"] = _throughput(rng)
    elif r < 0.7:
        g_hash = rng.choice(NAMES)
        index = _index(rng, "new" + rng.choice(["", "1"]), g_hash, None, not on_demand)
        body["GlobalSecondaryIndexUpdates"] = [{"Create": index}]
        body["AttributeDefinitions"] = [{"AttributeName": g_hash, "AttributeType": rng.choice("SN")}]
    elif r < 0.85:
        body["StreamSpecification"] = {"StreamEnabled": rng.random() < 0.5}
        if body["StreamSpecification"]["StreamEnabled"]:
            body["StreamSpecification"]["StreamViewType"] = "KEYS_ONLY"
    else:
        name = rng.choice([index["IndexName"] for index in created.get("GlobalSecondaryIndexes") or []] + ["nope"])
        body["GlobalSecondaryIndexUpdates"] = [{"Delete": {"IndexName": name}}]
    return body


def steps(generator: Generator) -> list[Step]:
    created = create_body(generator)
    describe = {"op": "DescribeTable", "body": {"TableName": "{{u}}"}}
    wait = {"path": "Table.TableStatus", "equals": "ACTIVE", "or_status": 400}  # a refused CreateTable
    return [
        Step({"op": "CreateTable", "body": created}, select=["TableDescription." + path for path in DESCRIBED]),
        Step(describe, select=["Table." + path for path in DESCRIBED], wait=wait),
        Step({"op": "UpdateTable", "body": _update(generator, created)},
             select=["TableDescription." + path for path in ("TableName", "KeySchema")]),
        Step(describe, select=["Table." + path for path in DESCRIBED], wait=wait),
        Step({"op": "DeleteTable", "body": {"TableName": "{{u}}"}}, compare="status"),
    ]


# -- dynalite's deviations these scenarios meet (conformance/fuzz_known.py lists them) --------------
def _requests(difference: dict[str, Any]) -> list[dict[str, Any]]:
    return [step.request for step in difference["scenario"].steps]


def _has_no_streams(difference: dict[str, Any]) -> bool:
    """The table's requests name a stream; dynalite answered without one, or did not know
    UpdateTable's StreamSpecification."""
    requests = _requests(difference)
    if not any("StreamSpecification" in request.get("body", {}) for request in requests):
        return False
    asked = requests[difference["step"]].get("body", {})
    if "StreamSpecification" in asked and _message(difference["reference"]).startswith("At least one of"):
        return True
    if "stream" in _message(difference["lumadb"]) and difference["reference"].get("status") == 200:
        return True  # a StreamSpecification LumaDB refuses
    return all("StreamSpecification" in path for path in difference["paths"])


def _has_no_online_indexing(difference: dict[str, Any]) -> bool:
    """The UpdateTable changes a GSI; dynalite checked it against the 2014 model (throughput
    required, an empty Projection let through), ignored a Delete, or left the table's indexes as
    they were."""
    requests = _requests(difference)
    updates = [i for i, r in enumerate(requests) if r.get("op") == "UpdateTable" and "GlobalSecondaryIndexUpdates" in r["body"]]
    if not updates:
        return False
    ref, ours = difference["reference"], difference["lumadb"]
    if "globalSecondaryIndexUpdates" in _message(ref) and "Member must not be null" in _message(ref):
        return True
    if ref.get("status") == 200 and _message(ours).startswith("Requested resource not found: Index "):
        return True
    if ref.get("status") == 200 and difference["step"] in updates and "Unknown ProjectionType: null" in _message(ours):
        return True  # an empty Projection: checked by its CreateTable, not by its UpdateTable (seed 9121)
    return difference["step"] > updates[0] and all(
        "GlobalSecondaryIndexes" in path or "AttributeDefinitions" in path for path in difference["paths"])


_KEY_SCHEMA_CAP = re.compile(r"at 'globalSecondaryIndexes\.\d+\.member\.keySchema' failed to satisfy constraint: "
                             r"Member must have length less than or equal to 2")


def _refuses_multi_attribute_keys(difference: dict[str, Any]) -> bool:
    """A GSI's key schema of two HASH (or two RANGE) elements, which DynamoDB has taken since its
    multi-attribute keys; dynalite refuses it."""
    asked = _requests(difference)[difference["step"]].get("body", {})
    kinds = [[element.get("KeyType") for element in index.get("KeySchema", [])]
             for index in asked.get("GlobalSecondaryIndexes") or []]  # fmt: skip
    if "KeySchemaElement is not a" in _message(difference["reference"]) and any(
            len(types) != len(set(types)) for types in kinds):
        return True
    # more than two elements: dynalite's model caps the list at 2 (DynamoDB's now at 8), and
    # its answer lists that beside the violations both find
    theirs, ours = (_message(difference[side]) for side in ("reference", "lumadb"))
    if "detected: " not in theirs or not any(len(types) > 2 for types in kinds):
        return False
    rest = [clause for clause in theirs.split("detected: ", 1)[1].split("; ") if not _KEY_SCHEMA_CAP.search(clause)]
    if len(rest) == len(theirs.split("detected: ", 1)[1].split("; ")):
        return False
    return ours.split("detected: ", 1)[-1].split("; ") == rest if rest else difference["lumadb"].get("status") != 500


def _keeps_projection_order(difference: dict[str, Any]) -> bool:
    """Every difference is an index's NonKeyAttributes, which dynalite lists as they were given
    and DynamoDB sorted by name, or (where the table asked for one) the stream dynalite lacks."""
    streams = any("StreamSpecification" in request.get("body", {}) for request in _requests(difference))
    projections = set()
    for path in difference["paths"]:
        head = path.split(" ")[0].removeprefix("body.")
        if streams and "StreamSpecification" in head:
            continue
        if ".Projection.NonKeyAttributes[" not in head:
            return False
        projections.add(head.split(".NonKeyAttributes[")[0])

    def listed(record: dict[str, Any], key: str) -> Any:
        body = record.get("body")
        projection = body.get(key) if isinstance(body, dict) else None
        return projection.get("NonKeyAttributes") if isinstance(projection, dict) else None

    ref, ours = difference["reference"], difference["lumadb"]
    return bool(projections) and all(
        isinstance(listed(ref, key), list) and sorted(listed(ref, key)) == listed(ours, key) for key in projections)


_LOCAL_MEMBER = re.compile(r"'localSecondaryIndexes\.(\d+)\.member\.(\w+)")
_LOCAL_MEMBERS = {"projection": 0, "indexName": 1, "keySchema": 2}  # DynamoDB's order (the overlay's)


def _index_clause_order(clause: str) -> tuple[int, ...]:
    """Where DynamoDB lists an index's violation: the global indexes' first, then each local
    index's, its projection before its name and key schema (sorted stably: the rest keep theirs)."""
    local = _LOCAL_MEMBER.search(clause)
    if local is None:
        return (0,)
    return (1, int(local.group(1)), _LOCAL_MEMBERS.get(local.group(2), 3))


def _lists_local_indexes_first(difference: dict[str, Any]) -> bool:
    """The same validation errors, but dynalite lists a CreateTable's local secondary indexes'
    before the global ones', and a local index's name and key schema before its projection
    (DynamoDB: global first, then projection, paritysuite's captures; the overlay's
    member_order)."""
    texts = [_message(difference[side]) for side in ("reference", "lumadb")]
    if not all(text.endswith("detected: " + text.split("detected: ", 1)[-1]) and "detected: " in text for text in texts):
        return False
    theirs, ours = (text.split("detected: ", 1)[1].split("; ") for text in texts)
    places = [i for i, clause in enumerate(theirs) if "SecondaryIndexes." in clause]
    regrouped = sorted((theirs[i] for i in places), key=_index_clause_order)
    reordered = list(theirs)
    for place, clause in zip(places, regrouped, strict=True):
        reordered[place] = clause
    return theirs != ours and reordered == ours


DYNALITE_KNOWN = [
    ("lists a CreateTable's local secondary indexes' validation errors before the global ones' (DynamoDB: "
     "global first, paritysuite's captures)", _lists_local_indexes_first),
    ("keeps an index's NonKeyAttributes in the order given (DynamoDB lists them sorted by name: live probes)",
     _keeps_projection_order),
    ("refuses a GSI key of several HASH or RANGE attributes, or more than two (DynamoDB's multi-attribute keys)",
     _refuses_multi_attribute_keys),
    ("has no streams: CreateTable and DescribeTable leave out StreamSpecification, UpdateTable does not know it",
     _has_no_streams),
    ("has no online indexing: UpdateTable's GSI Create wants ProvisionedThroughput as in 2014, a Delete is "
     "ignored, the indexes stay as they were", _has_no_online_indexing),
]
