"""CloudWatch Contributor Insights settings of tables and their global secondary indexes
(UpdateContributorInsights, DescribeContributorInsights, ListContributorInsights). LumaDB has no
CloudWatch: the setting is kept in the table's metadata and reported back, with the names of the
rules DynamoDB would create, so that tools which manage it (Terraform, CDK) work unchanged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import catalog
from lumadb.dynamodb.errors import DynamoError

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.service import DynamoService

TABLE = ""  # the key of the table's own setting, beside its indexes' names


def target(service: DynamoService, table_name: str, index_name: str | None) -> TableInfo:
    """The table, after checking that `index_name`, when given, is one of its GSIs."""
    if index_name is not None and not 3 <= len(index_name) <= 255:
        raise DynamoError.validation("IndexName must be at least 3 characters long and at most 255 characters long")
    table = service.catalog.get(table_name)
    if table is None:
        raise DynamoError.resource_not_found(
            f"Requested resource not found: Table: {catalog.table_name_from(table_name)} not found"
        )
    if index_name is not None and index_name not in {
        index["IndexName"] for index in table.meta.get("GlobalSecondaryIndexes") or []
    }:
        raise DynamoError.resource_not_found(
            f"Requested resource not found: Index: {index_name} not found for table: {table.name}"
        )
    return table


def settings(meta: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return meta.setdefault("ContributorInsights", {})


DEFAULT_MODE = "ACCESSED_AND_THROTTLED_KEYS"


def rules(table: TableInfo, index_name: str | None, enabled_at: float, mode: str = DEFAULT_MODE) -> list[str]:
    """The rule names: partition keys accessed (in the default mode) and throttled, and sort keys
    where there is one."""
    kinds = ["PKC", "PKT"] if mode == DEFAULT_MODE else ["PKT"]
    schema = table.meta["KeySchema"]
    if index_name is not None:
        schema = next(i["KeySchema"] for i in table.meta["GlobalSecondaryIndexes"] if i["IndexName"] == index_name)
    if len(schema) > 1:
        kinds += ["SKC", "SKT"] if mode == DEFAULT_MODE else ["SKT"]
    name = table.name if index_name is None else f"{table.name}-{index_name}"
    return [f"DynamoDBContributorInsights-{kind}-{name}-{round(enabled_at * 1000)}" for kind in kinds]


def described(table: TableInfo, index_name: str | None) -> dict[str, Any]:
    setting = (table.meta.get("ContributorInsights") or {}).get(index_name or TABLE)
    out: dict[str, Any] = {"TableName": table.name}
    if index_name is not None:
        out["IndexName"] = index_name
    if setting is None:
        out["ContributorInsightsStatus"] = "DISABLED"
        return out
    if setting["Status"] == "ENABLED":
        out["ContributorInsightsRuleList"] = rules(
            table, index_name, setting.get("RulesSince", setting["LastUpdateDateTime"]), setting.get("Mode", DEFAULT_MODE)
        )
    out["ContributorInsightsStatus"] = setting["Status"]
    out["LastUpdateDateTime"] = setting["LastUpdateDateTime"]
    if "Mode" in setting:
        out["ContributorInsightsMode"] = setting["Mode"]
    return out


async def update(
    service: DynamoService, table: TableInfo, index_name: str | None, enable: bool, mode: str | None
) -> tuple[str, str | None]:
    """Switch the setting; returns the status UpdateContributorInsights answers and the mode. A
    change answers ENABLING or DISABLING; asking for what is set changes nothing and answers it,
    ENABLED or DISABLED; ENABLE without a mode means the default one; DISABLE keeps the mode
    (live probes of DynamoDB, 2026-10)."""
    answer: list[tuple[str, str | None]] = []

    def change(meta: dict[str, Any]) -> None:
        kept = settings(meta)
        current = kept.get(index_name or TABLE)
        status = current["Status"] if current else "DISABLED"
        wanted = mode or DEFAULT_MODE
        if enable and status == "ENABLED" and current and current.get("Mode") == wanted:
            answer.append(("ENABLED", wanted))
        elif not enable and status == "DISABLED":
            answer.append(("DISABLED", current.get("Mode") if current else None))
        elif enable:
            now = catalog.now()
            # a mode change keeps the rules' names (their time suffix): live probes, 2026-10
            since = current.get("RulesSince", current["LastUpdateDateTime"]) if status == "ENABLED" and current else now
            kept[index_name or TABLE] = {"Status": "ENABLED", "LastUpdateDateTime": now, "Mode": wanted, "RulesSince": since}
            answer.append(("ENABLING", wanted))
        else:
            kept[index_name or TABLE] = {**(current or {}), "Status": "DISABLED", "LastUpdateDateTime": catalog.now()}
            answer.append(("DISABLING", (current or {}).get("Mode")))

    await service.change_table(table.name, change, DynamoError.resource_not_found())
    return answer[-1]
