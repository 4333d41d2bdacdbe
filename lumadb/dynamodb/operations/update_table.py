"""UpdateTable: provisioned throughput, billing mode, deletion protection, table class and
encryption settings. Changes apply at once (the table stays ACTIVE)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import catalog, encryption, replicas, schema, warm_throughput
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.indexes import definitions as index_definitions
from lumadb.dynamodb.indexes import maintain as index_maintenance
from lumadb.dynamodb.operations.create_table import request_region
from lumadb.dynamodb.operations.describe_table import with_live_figures
from lumadb.dynamodb.streams import specification as stream_specification
from lumadb.dynamodb.vectors import definitions as vector_definitions
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService

INVALID = schema.INVALID
UPDATABLE = (
    "ProvisionedThroughput",
    "BillingMode",
    "StreamSpecification",
    "GlobalSecondaryIndexUpdates",
    "SSESpecification",
    "ReplicaUpdates",
    "TableClass",
    "DeletionProtectionEnabled",
    "OnDemandThroughput",
    "WarmThroughput",
    "MultiRegionConsistency",
    "GlobalTableWitnessUpdates",
    "VectorIndexUpdates",
    "GlobalTableSettingsReplicationMode",
)


# What a replica or witness change may come with: the group's consistency
REPLICA_CHANGES = ("ReplicaUpdates", "GlobalTableWitnessUpdates", "MultiRegionConsistency")


# Changes DynamoDB refuses to combine with any other in one UpdateTable, the first named winning
# (live probes of 33 pairs, 2026-10: only BillingMode goes with OnDemandThroughput, and with a
# stream change or a GSI change; an empty WarmThroughput or OnDemandThroughput is no change).
ALONE = (
    ("SSESpecification", "Server-Side Encryption modification"),
    ("TableClass", "TableClass modification"),
    ("DeletionProtectionEnabled", "DeletionProtection modification"),
)


# What UpdateTable's "At least one of ... is required" names, as DynamoDB words it (it leaves out
# a member the request has, which counted as no change: live probes, 2026-10).
REQUIRED_ONE_OF = (
    "ProvisionedThroughput", "BillingMode", "UpdateStreamEnabled", "GlobalSecondaryIndexUpdates", "SSESpecification",
    "ReplicaUpdates", "MultiAccountReplicaReady", "ReplicaTransitRoleArn", "MultiRegionConsistency",
    "DeletionProtectionEnabled", "OnDemandThroughput", "WarmThroughput", "TableClass",
)  # fmt: skip


def _check_alone(body: dict[str, Any], given: list[str]) -> None:
    """The changes that go alone in their request, in DynamoDB's order of naming them."""
    changing = [name for name in given if body[name] != {} or name == "SSESpecification"]
    for name, label in ALONE:
        if name in changing and len(changing) > 1:
            raise DynamoError.validation(INVALID + f"{label} must be the only operation in the request")
    if "OnDemandThroughput" in changing and set(changing) - {"OnDemandThroughput", "BillingMode"}:
        raise DynamoError.validation(
            INVALID + "OnDemandThroughput can only be combined with BillingMode in an UpdateTable request"
        )
    if "WarmThroughput" in changing and len(changing) > 1:
        if any(update.get("Create") for update in body.get("GlobalSecondaryIndexUpdates") or []):
            raise DynamoError.validation(
                INVALID + "Create global secondary index cannot be specified when updating WarmThroughput"
            )
        raise DynamoError.validation(INVALID + "WarmThroughput must be the only operation in the request")


def _check_request(body: dict[str, Any]) -> None:
    given = [name for name in UPDATABLE if body.get(name) not in (None, [])]
    # MultiRegionConsistency and witness updates alone are no change (live probes, 2026-10)
    if not [name for name in given if name not in ("MultiRegionConsistency", "GlobalTableWitnessUpdates")]:
        named = [name for name in REQUIRED_ONE_OF if name not in given]
        raise DynamoError.validation(f"At least one of {', '.join(named[:-1])} or {named[-1]} is required")
    for update in body.get("GlobalSecondaryIndexUpdates") or []:
        warm = (update.get("Update") or {}).get("WarmThroughput")
        if warm is not None and not (warm.get("ReadUnitsPerSecond") or warm.get("WriteUnitsPerSecond")):
            raise DynamoError.validation(  # before any other check (live probes, 2026-10)
                INVALID + "WarmThroughput must have at least one of ReadUnitsPerSecond or WriteUnitsPerSecond "
                f"specified for index: {update['Update']['IndexName']}"
            )
    if body.get("GlobalSecondaryIndexUpdates") == []:  # beside another change (alone: no change at all)
        raise DynamoError.validation(INVALID + "List of GlobalSecondaryIndexUpdates is empty")
    schema.check_table_class(body.get("TableClass"))
    replicas.check_request(body, [name for name in given if name not in REPLICA_CHANGES])
    _check_alone(body, given)
    encryption.check_specification(body.get("SSESpecification"))
    if body.get("BillingMode") == "PROVISIONED" and not body.get("ProvisionedThroughput"):
        raise DynamoError.validation(
            INVALID + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED"
        )
    schema.check_throughput(body.get("ProvisionedThroughput"))
    if body.get("StreamSpecification") is not None:
        stream_specification.check_update(body["StreamSpecification"])
        if body.get("ProvisionedThroughput") or body.get("BillingMode") == "PROVISIONED":
            raise DynamoError.validation(INVALID + "You cannot modify stream status while updating table IOPS")
    seen: set[str] = set()
    for update in body.get("GlobalSecondaryIndexUpdates") or []:
        if not (update.get("Update") or update.get("Create") or update.get("Delete")):
            raise DynamoError.validation(
                INVALID + "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                "GlobalSecondaryIndexUpdate.Delete must not be null"
            )
        action = update.get("Update") or update.get("Create") or update.get("Delete")
        name = action["IndexName"]
        if name in seen:
            raise DynamoError.validation(
                INVALID
                + f"Only one global secondary index update per index is allowed simultaneously. Index: {name}"
            )
        seen.add(name)
    changes = [u for u in body.get("GlobalSecondaryIndexUpdates") or [] if u.get("Create") or u.get("Delete")]
    if len(changes) > 1:  # before looking for the indexes (Alternator's tests against DynamoDB)
        raise DynamoError.limit_exceeded(
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
        )
    index_definitions.check_updates(body)
    vector_definitions.check_updates(body)


def _set_throughput(current: dict[str, Any], wanted: dict[str, Any], when: float) -> None:
    read, write = wanted["ReadCapacityUnits"], wanted["WriteCapacityUnits"]
    if read > current["ReadCapacityUnits"] or write > current["WriteCapacityUnits"]:
        current["LastIncreaseDateTime"] = when
    if read < current["ReadCapacityUnits"] or write < current["WriteCapacityUnits"]:
        current["LastDecreaseDateTime"] = when
        current["NumberOfDecreasesToday"] = current.get("NumberOfDecreasesToday", 0) + 1
    current["ReadCapacityUnits"], current["WriteCapacityUnits"] = read, write


def _check_changes(current: dict[str, Any], wanted: dict[str, Any], index_name: str | None = None) -> None:
    """The same throughput again is refused, the table's and a GSI's alike."""
    units = ("ReadCapacityUnits", "WriteCapacityUnits")
    if all(wanted[unit] == current[unit] for unit in units):
        raise _unchanged(current, wanted, index_name)


def _unchanged(current: dict[str, Any], wanted: dict[str, Any], index_name: str | None = None) -> DynamoError:
    # the index's text is the table's (live probes of DynamoDB, 2026-10: "for the index gsi1",
    # "provisioned for index gsi1")
    subject, what = ("the table", "the table") if index_name is None else (f"the index {index_name}", f"index {index_name}")
    return DynamoError.validation(
        f"The provisioned throughput for {subject} will not change. The requested value equals the current value. "
        f"Current ReadCapacityUnits provisioned for {what}: {current['ReadCapacityUnits']}. "
        f"Requested ReadCapacityUnits: {wanted['ReadCapacityUnits']}. "
        f"Current WriteCapacityUnits provisioned for {what}: {current['WriteCapacityUnits']}. "
        f"Requested WriteCapacityUnits: {wanted['WriteCapacityUnits']}. "
        "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits."
    )


def apply_changes(body: dict[str, Any], meta: dict[str, Any]) -> None:
    """Change the stored metadata as UpdateTable asks (raises before changing anything invalid)."""
    if body.get("ReplicaUpdates") or body.get("GlobalTableWitnessUpdates"):  # alone in its request
        replicas.apply(body, meta)
        return
    settings = body.get("GlobalTableSettingsReplicationMode")
    if settings == "ENABLED_WITH_OVERRIDES" and not meta.get("Replicas"):  # (live probes, 2026-10)
        raise DynamoError.validation(
            "Value 'ENABLED_WITH_OVERRIDES' at 'GlobalTableSettingsReplicationMode' failed to satisfy constraint: "
            "Only ENABLED and DISABLED settings replication are supported for a Regional Table."
        )  # ENABLED and DISABLED change nothing LumaDB models: one table serves every region
    when = catalog.now()
    current_mode = meta["BillingModeSummary"]["BillingMode"]
    mode = body.get("BillingMode") or current_mode
    throughput = body.get("ProvisionedThroughput")
    if throughput and mode == "PAY_PER_REQUEST":
        if body.get("BillingMode") == "PAY_PER_REQUEST" and current_mode == "PROVISIONED":
            raise DynamoError.validation(
                INVALID + "ProvisionedThroughput cannot be specified when BillingMode is PAY_PER_REQUEST"
            )
        raise DynamoError.validation(
            INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
            "PAY_PER_REQUEST"
        )
    index_definitions.apply_updates(body, meta)  # GSI Create and Delete
    warm_throughput.follow(meta)  # (a table described before LumaDB kept the figures gets them)
    indexes = {index["IndexName"]: index for index in meta.get("GlobalSecondaryIndexes") or []}
    gsi_updates = [update for update in body.get("GlobalSecondaryIndexUpdates") or [] if update.get("Update")]
    for update in gsi_updates:
        name = update["Update"]["IndexName"]
        if name not in indexes:
            raise index_definitions.unknown_index(name, meta["TableName"])
        if mode == "PAY_PER_REQUEST" and (update["Update"].get("ProvisionedThroughput") or not any(
                update["Update"].get(member) for member in ("OnDemandThroughput", "WarmThroughput"))):  # fmt: skip
            raise DynamoError.validation(
                INVALID + f"The only Updates for index: {name} when TableThroughputMode is PAY_PER_REQUEST can be "
                "to OnDemandThroughput, WarmThroughput"
            )
    if mode == "PROVISIONED" and current_mode == "PAY_PER_REQUEST":
        # every GSI gets its throughput in the same request (AWS, 2026-08: go-to-k/cdkd#1611)
        given = {action["IndexName"] for update in body.get("GlobalSecondaryIndexUpdates") or []
                 for action in (update.get("Update"), update.get("Create")) if action and action.get("ProvisionedThroughput")}  # fmt: skip
        for name in indexes:
            if name not in given:
                raise DynamoError.validation(INVALID + f"ProvisionedThroughput must be specified for index: {name}")
    if throughput and mode == current_mode:
        _check_changes(meta["ProvisionedThroughput"], throughput)
    if mode != current_mode:
        summary = meta["BillingModeSummary"]  # keeps the last switch to PAY_PER_REQUEST
        summary["BillingMode"] = mode
        if mode == "PAY_PER_REQUEST":
            summary["LastUpdateToPayPerRequestDateTime"] = when
            meta["ProvisionedThroughput"].update(ReadCapacityUnits=0, WriteCapacityUnits=0)
            for index in indexes.values():
                index["ProvisionedThroughput"].update(ReadCapacityUnits=0, WriteCapacityUnits=0)
    if throughput:
        _set_throughput(meta["ProvisionedThroughput"], throughput, when)
    for update in gsi_updates:
        index = indexes[update["Update"]["IndexName"]]
        wanted = update["Update"].get("ProvisionedThroughput")
        if wanted:
            _check_changes(index["ProvisionedThroughput"], wanted, index["IndexName"])
            _set_throughput(index["ProvisionedThroughput"], wanted, when)
        if update["Update"].get("OnDemandThroughput"):
            warm_throughput.update_on_demand(index, update["Update"]["OnDemandThroughput"], mode, index["IndexName"])
        if update["Update"].get("WarmThroughput"):
            index["WarmThroughput"] = warm_throughput.ask(
                index.get("WarmThroughput"), update["Update"]["WarmThroughput"], index["IndexName"]
            )
    if body.get("StreamSpecification") is not None:
        if meta.get("Replicas") and not body["StreamSpecification"].get("StreamEnabled"):
            raise DynamoError.validation(INVALID + "Disabling Stream is not allowed for a Global Table replica.")
        stream_specification.apply_update(meta, body["StreamSpecification"])
    if body.get("DeletionProtectionEnabled") is not None:
        meta["DeletionProtectionEnabled"] = bool(body["DeletionProtectionEnabled"])
    current_class = (meta.get("TableClassSummary") or {}).get("TableClass", "STANDARD")
    if body.get("TableClass") and body["TableClass"] != current_class:  # the same class is no change
        meta["TableClassSummary"] = {"TableClass": body["TableClass"], "LastUpdateDateTime": when}
    sse = body.get("SSESpecification")
    if sse is not None:
        _change_encryption(meta, sse)
    if body.get("OnDemandThroughput"):
        warm_throughput.update_on_demand(meta, body["OnDemandThroughput"], mode)
    if body.get("WarmThroughput"):
        meta["WarmThroughput"] = warm_throughput.ask(meta.get("WarmThroughput"), body["WarmThroughput"])
    warm_throughput.follow(meta)  # never below what the billing mode and capacity give
    vector_definitions.apply_updates(body, meta)  # after the billing mode: vector indexes need on-demand


def _change_encryption(meta: dict[str, Any], sse: dict[str, Any]) -> None:
    """SSESpecification on UpdateTable: a KMS key, or (`Enabled` false, or nothing asked) back to
    the AWS-owned key; naming again the key ARN the table has is refused (live probes, 2026-10)."""
    current = meta.get("SSEDescription")
    if not encryption.enabled(sse):
        if current is None:
            raise DynamoError.validation(INVALID + "Table is already encrypted by default")
        del meta["SSEDescription"]
        return
    wanted = encryption.description(catalog.region_of(meta), sse)
    if current is not None and sse.get("KMSMasterKeyId") == current["KMSMasterKeyArn"]:  # only its ARN again
        raise DynamoError.validation(
            INVALID + "Table is already encrypted with given KMSMasterKeyId. "
            "Use KMSMasterKeyId parameter if you want to change Master Key"
        )
    meta["SSEDescription"] = wanted


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    _check_request(body)
    table = service.catalog.require_described(body["TableName"])
    missing = DynamoError.resource_not_found(f"Requested resource not found: Table: {table.name} not found")
    changed = await service.change_table(table.name, lambda meta: apply_changes(body, meta), missing)
    assert changed is not None
    new_table, item_count, size_bytes = changed
    for update in body.get("GlobalSecondaryIndexUpdates") or []:
        if update.get("Create"):  # existing items are indexed in the background
            index_maintenance.start_backfill(service, table.name, update["Create"]["IndexName"])
    description = _answered(body, table.meta, new_table.describe(item_count, size_bytes), request_region(request))
    return {"TableDescription": with_live_figures(service, new_table.id, description)}


def _answered(body: dict, before: dict[str, Any], description: dict[str, Any], region: str) -> dict[str, Any]:
    """The description as UpdateTable answers it: DynamoDB shows the changes under way
    (`before`: the table's metadata before them; live probes, 2026-10)."""
    for update in body.get("GlobalSecondaryIndexUpdates") or []:
        if update.get("Create"):  # a new index, without WarmThroughput yet
            created = update["Create"]["IndexName"]
            description["GlobalSecondaryIndexes"] = [
                {k: v for k, v in index.items() if k != "WarmThroughput"} if index["IndexName"] == created else index
                for index in description.get("GlobalSecondaryIndexes") or []
            ]
    deleted = index_definitions.deleted_indexes(body, before)  # shown DELETING
    if deleted:
        description["GlobalSecondaryIndexes"] = description.get("GlobalSecondaryIndexes", []) + deleted
    cleared = {cap: -1 for cap, value in (body.get("OnDemandThroughput") or {}).items() if value == -1}
    if cleared:  # caps taken off, as -1
        description["OnDemandThroughput"] = {**description.get("OnDemandThroughput", {}), **cleared}
    if body.get("BillingMode") and body["BillingMode"] != before["BillingModeSummary"]["BillingMode"]:
        description["BillingModeSummary"] = {"BillingMode": body["BillingMode"]}  # the date comes later
    if body.get("WarmThroughput") and "WarmThroughput" in description:
        description["WarmThroughput"] = {**description["WarmThroughput"], "Status": "UPDATING"}
    sse = body.get("SSESpecification")
    if sse is not None:  # the key being given up, or the one coming
        changing = (description if encryption.enabled(sse) else before).get("SSEDescription")
        if changing:
            description["SSEDescription"] = {**changing, "Status": "UPDATING"}
    if body.get("ReplicaUpdates"):  # the replicas and witnesses as they were, the table UPDATING
        description["TableStatus"] = "UPDATING"
        for name in ("Replicas", "GlobalTableWitnesses"):
            description.pop(name, None)
            if before.get(name):
                description[name] = before[name]
        if before.get("MultiRegionConsistency"):
            description["MultiRegionConsistency"] = before["MultiRegionConsistency"]
        description["GlobalTableVersion"] = replicas.VERSION
        description = replicas.viewed_from(description, region)
    return description
