"""UpdateContributorInsights: switch Contributor Insights on or off for a table or one of its
GSIs (lumadb/dynamodb/contributor_insights.py). The answer says ENABLING or DISABLING for a
change, as DynamoDB's does; the change has taken effect by then, so DescribeContributorInsights
already says ENABLED or DISABLED."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import contributor_insights
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    index_name = body.get("IndexName")
    table = contributor_insights.target(service, body["TableName"], index_name)
    enable = body["ContributorInsightsAction"] == "ENABLE"
    mode = body.get("ContributorInsightsMode")
    status, current_mode = await contributor_insights.update(service, table, index_name, enable, mode)
    out: dict[str, Any] = {"TableName": table.name}
    if index_name is not None:
        out["IndexName"] = index_name
    out["ContributorInsightsStatus"] = status
    if current_mode is not None:
        out["ContributorInsightsMode"] = current_mode
    return out
