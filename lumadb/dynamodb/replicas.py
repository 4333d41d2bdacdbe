"""Global table replicas (version 2019.11.21), added and removed by UpdateTable's ReplicaUpdates.

LumaDB serves every region from the same tables, so a replica is the one table reached through
another region: nothing is copied and a change is complete when the call returns. The table
describes its replicas as DynamoDB does (live probes of UpdateTable and DescribeTable, 2026-10,
and AWS's "Determining the version" page): `Replicas` lists every member but the region asked
from, in the order they joined, beside `GlobalTableVersion`; both go when the last replica goes.
The stored list is the home region's view (every replica; the home region is the table ARN's).
"""

from __future__ import annotations

from typing import Any

from lumadb.dynamodb import encryption
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.schema import INVALID
from lumadb.dynamodb.streams import specification as stream_specification

VERSION = "2019.11.21"
ACTIONS = ("Create", "Update", "Delete")
LOCAL_REGION = (
    "Cannot add or delete the local region through ReplicaUpdates. "
    "Use CreateTable, DeleteTable, or UpdateTable as required."
)


def check_request(body: dict[str, Any], others: list[str]) -> None:
    """The checks that need no table. `others`: the other changes the request asks for."""
    updates = body.get("ReplicaUpdates")
    if not updates:
        return
    if others:
        raise DynamoError.validation(INVALID + "Replica modification must be the only operation in the request")
    kinds = set()
    changes = set()
    for update in updates:
        actions = [action for action in ACTIONS if update.get(action) is not None]
        if len(actions) > 1:
            raise DynamoError.validation("Update table operation with more than one type of replica actions not allowed.")
        if not actions or (actions == ["Update"] and set(update["Update"]) <= {"RegionName"}):
            raise DynamoError.validation("There are no actions specified in the Replica Update Action of the request.")
        kinds.add(actions[0])
        if actions[0] != "Update":
            changes.add((actions[0], update[actions[0]]["RegionName"]))  # the same Create twice is one
    if len(kinds) > 1:
        raise DynamoError.validation("Update table operation with more than one type of replica actions not allowed.")
    if len(changes) > 1:
        raise DynamoError.validation("Update table operation with more than one create or delete replica actions not allowed")


def apply(body: dict[str, Any], meta: dict[str, Any]) -> None:
    """Change the stored replicas as ReplicaUpdates asks (raises before changing anything invalid)."""
    home = home_region(meta)
    replicas: list[dict[str, Any]] = list(meta.get("Replicas") or [])
    done: set[tuple[str, str]] = set()
    for update in body["ReplicaUpdates"]:
        action = next(action for action in ACTIONS if update.get(action) is not None)
        spec = update[action]
        region = spec["RegionName"]
        if action != "Update" and (action, region) in done:  # the same Create twice is one (DynamoDB)
            continue
        done.add((action, region))
        if region == home:
            raise DynamoError.validation(LOCAL_REGION)
        current = next((replica for replica in replicas if replica["RegionName"] == region), None)
        if action == "Create":
            if current is not None:
                raise DynamoError.validation(
                    f"Failed to create a the new replica of table with name: \u2018{meta['TableName']}\u2019 "
                    "because one or more replicas already existed as tables."
                )
            if meta["BillingModeSummary"]["BillingMode"] != "PAY_PER_REQUEST":  # LumaDB has no auto scaling
                raise DynamoError.validation("Table write capacity should either be Pay-Per-Request or AutoScaled.")
            replicas.append(_described(meta, {"RegionName": region, "ReplicaStatus": "ACTIVE"}, spec))
            continue
        if current is None:
            raise DynamoError.validation(
                "Update global table operation failed because one or more replicas were not part of the global "
                f"table. Please retry the request without these replicas: [{region}]."
            )
        if action == "Delete":
            replicas.remove(current)
        else:
            replicas[replicas.index(current)] = _described(meta, current, spec)
    if replicas:
        # replication runs on the stream: a table without one gets NEW_AND_OLD_IMAGES, another
        # view type is kept
        if not (meta.get("StreamSpecification") or {}).get("StreamEnabled"):
            stream_specification.enable(meta, {"StreamViewType": "NEW_AND_OLD_IMAGES"})
        meta["Replicas"] = replicas
        meta["GlobalTableVersion"] = VERSION
    else:
        meta.pop("Replicas", None)
        meta.pop("GlobalTableVersion", None)


def _described(meta: dict[str, Any], current: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """A replica's description with what a Create or Update sets."""
    out = dict(current)
    if spec.get("KMSMasterKeyId"):
        out["KMSMasterKeyId"] = encryption.key_arn(spec["RegionName"], spec["KMSMasterKeyId"])
    for name in ("ProvisionedThroughputOverride", "OnDemandThroughputOverride"):
        if spec.get(name):
            out[name] = spec[name]
    if spec.get("TableClassOverride"):
        out["ReplicaTableClassSummary"] = {"TableClass": spec["TableClassOverride"]}
    indexes = meta.get("GlobalSecondaryIndexes")
    if indexes:
        given = {index["IndexName"]: index for index in spec.get("GlobalSecondaryIndexes") or []}
        before = {index["IndexName"]: index for index in current.get("GlobalSecondaryIndexes") or []}
        out["GlobalSecondaryIndexes"] = [
            {**before.get(index["IndexName"], {"IndexName": index["IndexName"]}),
             **{k: v for k, v in given.get(index["IndexName"], {}).items() if k != "IndexName"}}
            for index in indexes
        ]  # fmt: skip
    return out


def home_region(meta: dict[str, Any]) -> str:
    return str(meta["TableArn"].split(":")[3])


def viewed_from(description: dict[str, Any], region: str) -> dict[str, Any]:
    """A table description as seen from `region`: every member of the global table but that one."""
    replicas = description.get("Replicas")
    if not replicas:
        return description
    home = home_region(description)
    if region == home:
        return description
    members = [{"RegionName": home, "ReplicaStatus": "ACTIVE"}, *replicas]
    return {**description, "Replicas": [member for member in members if member["RegionName"] != region]}
