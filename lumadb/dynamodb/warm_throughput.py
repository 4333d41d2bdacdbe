"""WarmThroughput, the read and write units a table (and each GSI) is ready for at once, and
OnDemandThroughput, the caps of an on-demand table.

DynamoDB describes it for every table and GSI (live probes, 2026-10): 12,000 reads and 4,000
writes a second on demand, the provisioned capacity otherwise, or what was asked for if more; it
never goes down (a table once on demand keeps 12,000/4,000 after a switch back, one once
provisioned at 3/3 keeps 3/3 after a decrease), and asking for less is refused. CreateTable's
answer shows it only when the request asked for it (then `UPDATING`). LumaDB warms and caps
nothing: the figures are kept and described.
"""

from __future__ import annotations

from typing import Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.schema import INVALID

READ, WRITE = "ReadUnitsPerSecond", "WriteUnitsPerSecond"
ON_DEMAND = {READ: 12_000, WRITE: 4_000}


def _floor(billing_mode: str, throughput: dict[str, Any] | None) -> dict[str, int]:
    if billing_mode == "PAY_PER_REQUEST":
        return ON_DEMAND
    throughput = throughput or {}
    return {READ: throughput.get("ReadCapacityUnits", 0), WRITE: throughput.get("WriteCapacityUnits", 0)}


def _raised(current: dict[str, Any] | None, *floors: dict[str, Any] | None) -> dict[str, Any]:
    out = {unit: (current or {}).get(unit, 0) for unit in (READ, WRITE)}
    for floor in floors:
        for unit in (READ, WRITE):
            out[unit] = max(out[unit], (floor or {}).get(unit, 0))
    return {**out, "Status": "ACTIVE"}


def follow(meta: dict[str, Any]) -> None:
    """Raise the table's and its GSIs' figures to what their billing mode and capacity give."""
    mode = meta["BillingModeSummary"]["BillingMode"]
    meta["WarmThroughput"] = _raised(meta.get("WarmThroughput"), _floor(mode, meta["ProvisionedThroughput"]))
    for index in meta.get("GlobalSecondaryIndexes") or []:
        index["WarmThroughput"] = _raised(index.get("WarmThroughput"), _floor(mode, index.get("ProvisionedThroughput")))


def ask(current: dict[str, Any] | None, wanted: dict[str, Any], index_name: str | None = None) -> dict[str, Any]:
    """UpdateTable's WarmThroughput for the table or one GSI: more, never less."""
    where = "table" if index_name is None else f"index {index_name}"
    for unit in (READ, WRITE):
        if unit in wanted and wanted[unit] < (current or {}).get(unit, 0):
            raise DynamoError.validation(
                INVALID + f"Requested {unit} for WarmThroughput for {where} is lower than current WarmThroughput, "
                "decreasing WarmThroughput is not supported"
            )
    return _raised(current, wanted)


def described(meta: dict[str, Any], description: dict[str, Any]) -> dict[str, Any]:
    """DescribeTable's figures: the kept ones, never below what the billing mode and capacity
    give (a table kept before LumaDB followed these figures gets them worked out here)."""
    mode = meta["BillingModeSummary"]["BillingMode"]
    out = {**description, "WarmThroughput": _raised(description.get("WarmThroughput"),
                                                    _floor(mode, meta["ProvisionedThroughput"]))}  # fmt: skip
    if "GlobalSecondaryIndexes" in out:
        out["GlobalSecondaryIndexes"] = [
            {**index, "WarmThroughput": _raised(index.get("WarmThroughput"), _floor(mode, index.get("ProvisionedThroughput")))}
            for index in out["GlobalSecondaryIndexes"]
        ]
    return out


def create_answer(body: dict[str, Any], description: dict[str, Any]) -> dict[str, Any]:
    """CreateTable's answer: the figures only where the request gave them, `UPDATING`."""
    out = dict(description)
    warm = out.pop("WarmThroughput", None)
    if body.get("WarmThroughput") and warm:
        out["WarmThroughput"] = {**warm, "Status": "UPDATING"}
    if "GlobalSecondaryIndexes" in out:
        given = {index["IndexName"] for index in body.get("GlobalSecondaryIndexes") or [] if index.get("WarmThroughput")}
        indexes = []
        for index in out["GlobalSecondaryIndexes"]:
            index = dict(index)
            index_warm = index.pop("WarmThroughput", None)
            if index["IndexName"] in given and index_warm:
                index["WarmThroughput"] = {**index_warm, "Status": "UPDATING"}
            indexes.append(index)
        out["GlobalSecondaryIndexes"] = indexes
    return out


# -- OnDemandThroughput: the caps of an on-demand table -------------------------------------------

CAPS = ("MaxReadRequestUnits", "MaxWriteRequestUnits")


def check_on_demand(
    given: dict[str, Any] | None, billing_mode: str, *, updating: bool, index_name: str | None = None
) -> None:
    """OnDemandThroughput of a table or a GSI: only on demand, each cap positive, or -1 on
    UpdateTable to take it off (texts, CreateTable's and UpdateTable's: live probes, 2026-10)."""
    for cap in CAPS:
        value = (given or {}).get(cap)
        if value is None:
            continue
        if billing_mode == "PROVISIONED":
            if index_name is not None:
                where = f"for index: {index_name} cannot be specified when table BillingMode is PROVISIONED."
            elif updating:
                where = "cannot be specified when the table BillingMode is PROVISIONED"
            else:
                where = "cannot be specified when table BillingMode is PROVISIONED."
            raise DynamoError.validation(INVALID + f"{cap} for OnDemandThroughput {where}")
        if value == 0 or value < -1 or (value == -1 and not updating):
            where = "table" if index_name is None else f"index : {index_name}"
            raise DynamoError.validation(
                INVALID + f"Requested {cap} for OnDemandThroughput for {where} is outside of valid range"
            )


def update_on_demand(
    target: dict[str, Any], given: dict[str, Any], billing_mode: str, index_name: str | None = None
) -> None:
    """UpdateTable's caps over a table's or a GSI's (`target`, its metadata): checked, then -1
    takes one off; none left, none described."""
    check_on_demand(given, billing_mode, updating=True, index_name=index_name)
    caps = dict(target.get("OnDemandThroughput") or {})
    for cap in CAPS:
        if cap in given:
            if given[cap] == -1:
                caps.pop(cap, None)
            else:
                caps[cap] = given[cap]
    if caps:
        target["OnDemandThroughput"] = caps
    else:
        target.pop("OnDemandThroughput", None)
