"""ListContributorInsights: the tables and GSIs whose Contributor Insights are on, of one table or
of all, in table then index order, paged by NextToken."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb import contributor_insights
from lumadb.dynamodb.errors import DynamoError
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService

DEFAULT_LIMIT = 10


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    if body.get("TableName") is not None:
        tables = [contributor_insights.target(service, body["TableName"], None)]
    else:
        tables = [t for t in (service.catalog.get(name) for name in service.catalog.names()) if t is not None]
    summaries: list[dict[str, Any]] = []
    for table in tables:
        kept = table.meta.get("ContributorInsights") or {}
        for key in sorted(kept):
            if kept[key]["Status"] == "DISABLED":  # not listed (live probes of DynamoDB, 2026-10)
                continue
            summary: dict[str, Any] = {"TableName": table.name}
            if key != contributor_insights.TABLE:
                summary["IndexName"] = key
            summary["ContributorInsightsStatus"] = kept[key]["Status"]
            if "Mode" in kept[key]:
                summary["ContributorInsightsMode"] = kept[key]["Mode"]
            summaries.append(summary)
    start = 0
    token = body.get("NextToken")
    if token is not None:
        if not token.isdigit() or int(token) > len(summaries):
            raise DynamoError.validation(f"Invalid NextToken: {token}")
        start = int(token)
    limit = body.get("MaxResults") or DEFAULT_LIMIT
    out: dict[str, Any] = {"ContributorInsightsSummaries": summaries[start : start + limit]}
    if start + limit < len(summaries):
        out["NextToken"] = str(start + limit)
    return out
