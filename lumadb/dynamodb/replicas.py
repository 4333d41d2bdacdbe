"""Global table replicas (version 2019.11.21), added and removed by UpdateTable's ReplicaUpdates.

LumaDB serves every region from the same tables, so a replica is the one table reached through
another region: nothing is copied and a change is complete when the call returns. The table
describes its replicas as DynamoDB does (live probes of UpdateTable and DescribeTable, 2026-10,
and AWS's "Determining the version" page): `Replicas` lists every member but the region asked
from, in the order they joined, beside `GlobalTableVersion`; both go when the last replica goes.
The stored list is the home region's view (every replica; the home region is the table ARN's).
A group made with MultiRegionConsistency STRONG (MRSC) has three members, two replicas and the
table or a replica and a witness (`GlobalTableWitnesses`: a region that holds no table), set up in
one request and taken down in one.
"""

from __future__ import annotations

from typing import Any

from lumadb.dynamodb import catalog, encryption
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.schema import INVALID
from lumadb.dynamodb.streams import specification as stream_specification

VERSION = "2019.11.21"
SETTINGS_MODE = "ENABLED_WITH_OVERRIDES"  # a 2019.11.21 group's GlobalTableSettingsReplicationMode
ACTIONS = ("Create", "Update", "Delete")
LOCAL_REGION = (
    "Cannot add or delete the local region through ReplicaUpdates. "
    "Use CreateTable, DeleteTable, or UpdateTable as required."
)


# Regions multi-Region strong consistency (MRSC) runs in: the US, EU and AP region sets of
# DynamoDB's API reference (a replica outside its table's set is accepted: live probes, 2026-10).
STRONG_REGIONS = frozenset({"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3",
                            "eu-central-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3"})  # fmt: skip
STRONG = "STRONG"
STRONG_COUNT = "Unsupported replica count for global tables with MultiRegionConsistency set to STRONG."
STRONG_ONE_DELETE = (
    "Deletion of only one table replica is not supported for global tables with MultiRegionConsistency set to STRONG."
)
MORE_THAN_ONE = "Update table operation with more than one create or delete replica actions not allowed"


def _regions(updates: list[dict[str, Any]], action: str) -> list[str]:
    """The regions `action` names in `updates`, each once, in order."""
    found: list[str] = []
    for update in updates:
        region = (update.get(action) or {}).get("RegionName")
        if region and region not in found:
            found.append(region)
    return found


def check_request(body: dict[str, Any], others: list[str]) -> None:
    """The checks that need no table (texts: live probes of DynamoDB, 2026-10). `others`: the other
    changes the request asks for (MultiRegionConsistency goes with replica and witness updates)."""
    updates = body.get("ReplicaUpdates") or []
    witnesses = body.get("GlobalTableWitnessUpdates") or []
    if not updates and not witnesses:
        return
    if others:
        raise DynamoError.validation(
            INVALID + ("Requests that modify replicas or witnesses must not also modify other fields" if witnesses
                       else "Replica modification must be the only operation in the request")
        )  # fmt: skip
    kinds = set()
    for update in updates:
        actions = [action for action in ACTIONS if update.get(action) is not None]
        if len(actions) > 1:
            raise DynamoError.validation("Update table operation with more than one type of replica actions not allowed.")
        if not actions or (actions == ["Update"] and set(update["Update"]) <= {"RegionName"}):
            raise DynamoError.validation("There are no actions specified in the Replica Update Action of the request.")
        kinds.add(actions[0])
    if len(kinds) > 1:
        raise DynamoError.validation("Update table operation with more than one type of replica actions not allowed.")
    consistency = body.get("MultiRegionConsistency")
    creates, witness_creates = _regions(updates, "Create"), _regions(witnesses, "Create")
    if witness_creates and consistency != STRONG:
        raise DynamoError.validation(
            "MultiRegionConsistency must be set as STRONG when GlobalTableWitnessUpdates parameter is present."
        )
    if consistency is not None and updates and kinds != {"Create"}:
        raise DynamoError.validation("Only Replica Create actions are supported when MultiRegionConsistency parameter is provided.")
    if consistency == STRONG and updates:
        if 1 + len(creates) + len(witness_creates) != 3:  # the table, and two replicas or a replica and a witness
            raise DynamoError.validation(STRONG_COUNT)
        if set(creates) & set(witness_creates):
            raise DynamoError.validation("Cannot target multiple regions with the same action")
        unsupported = [region for region in creates + witness_creates if region not in STRONG_REGIONS]
        if unsupported:
            raise DynamoError.validation(
                "Unsupported Region(s) specified for global tables with MultiRegionConsistency set to STRONG: "
                f"[{', '.join(unsupported)}]."
            )
    elif len(creates) > 1:
        raise DynamoError.validation(MORE_THAN_ONE)  # several deletes: a STRONG group's only (see apply)


def apply(body: dict[str, Any], meta: dict[str, Any]) -> None:
    """Change the stored replicas and witnesses as the request asks (raises before changing
    anything invalid)."""
    home = catalog.region_of(meta)
    replicas: list[dict[str, Any]] = list(meta.get("Replicas") or [])
    updates = body.get("ReplicaUpdates") or []
    strong = meta.get("MultiRegionConsistency") == STRONG
    _check_consistency(body, meta, replicas, strong)
    done: set[tuple[str, str]] = set()
    for update in updates:
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
    witnesses = _witnesses_after(body, meta, replicas)
    if replicas:
        # replication runs on the stream: a table without one gets NEW_AND_OLD_IMAGES, another
        # view type is kept
        if not (meta.get("StreamSpecification") or {}).get("StreamEnabled"):
            stream_specification.enable(meta, {"StreamViewType": "NEW_AND_OLD_IMAGES"})
        meta["Replicas"] = replicas
        meta["GlobalTableVersion"] = VERSION
        if body.get("MultiRegionConsistency") == STRONG:
            meta["MultiRegionConsistency"] = STRONG
        if witnesses:
            meta["GlobalTableWitnesses"] = witnesses
    else:
        for name in ("Replicas", "GlobalTableVersion", "MultiRegionConsistency", "GlobalTableWitnesses"):
            meta.pop(name, None)


def _check_consistency(body: dict[str, Any], meta: dict[str, Any], replicas: list[dict[str, Any]], strong: bool) -> None:
    """What MultiRegionConsistency allows given the table's group (live probes of DynamoDB, 2026-10): a
    STRONG group is made whole in one request and changes only when it is taken down whole."""
    updates = body.get("ReplicaUpdates") or []
    creates, deletes = _regions(updates, "Create"), _regions(updates, "Delete")
    witnesses = {witness["RegionName"] for witness in meta.get("GlobalTableWitnesses") or []}
    witness_deletes = _regions(body.get("GlobalTableWitnessUpdates") or [], "Delete")
    stray = [region for region in witness_deletes if region not in witnesses]
    if stray:
        raise DynamoError.validation(
            "Update global table operation failed because one or more witnesses were not part of the global "
            f"table. Please retry the request without these witnesses: [{', '.join(stray)}]."
        )
    if body.get("MultiRegionConsistency") is not None and creates and replicas:
        raise DynamoError.validation("MultiRegionConsistency parameter is unsupported on existing global table")
    if body.get("MultiRegionConsistency") == STRONG and catalog.region_of(meta) in _regions(
        body.get("GlobalTableWitnessUpdates") or [], "Create"
    ):
        raise DynamoError.validation(
            "Cannot add a witness in the same region as an existing replica when creating a global table with "
            "MultiRegionConsistency set to STRONG."
        )
    if not strong:
        if len(deletes) > 1:
            raise DynamoError.validation(MORE_THAN_ONE)
        return
    if creates:
        raise DynamoError.validation("Cannot add replicas to a global table with strong MultiRegionConsistency")
    if deletes and len(deletes) < len(replicas):
        raise DynamoError.validation(STRONG_ONE_DELETE)
    if deletes and witnesses - set(witness_deletes):
        raise DynamoError.validation("Update table delete operation does not include all witnesses.")


def _witnesses_after(body: dict[str, Any], meta: dict[str, Any], replicas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The group's witnesses once the request is applied."""
    witnesses = list(meta.get("GlobalTableWitnesses") or [])
    updates = body.get("GlobalTableWitnessUpdates") or []
    deleted = set(_regions(updates, "Delete"))
    witnesses = [w for w in witnesses if w["RegionName"] not in deleted]
    witnesses += [{"RegionName": region, "WitnessStatus": "ACTIVE"} for region in _regions(updates, "Create")]
    return witnesses if replicas else []


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


def viewed_from(description: dict[str, Any], region: str) -> dict[str, Any]:
    """A table description as seen from `region`: every member of the global table but that one,
    each with the settings replication mode and warm throughput DynamoDB shows (live probes,
    2026-10: ENABLED_WITH_OVERRIDES, at the table's level too, and the table's warm throughput)."""
    replicas = description.get("Replicas")
    if not replicas:
        return description
    home = catalog.region_of(description)
    if region != home:
        members = [{"RegionName": home, "ReplicaStatus": "ACTIVE"}, *replicas]
        replicas = [member for member in members if member["RegionName"] != region]
    warm = description.get("WarmThroughput")
    extra: dict[str, Any] = {"GlobalTableSettingsReplicationMode": SETTINGS_MODE}
    if warm:
        extra["WarmThroughput"] = {**warm, "Status": "ACTIVE"}
    return {**description, "GlobalTableSettingsReplicationMode": SETTINGS_MODE,
            "Replicas": [{**member, **extra} for member in replicas]}  # fmt: skip
