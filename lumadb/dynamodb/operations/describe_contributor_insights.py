"""DescribeContributorInsights: the Contributor Insights setting of a table or one of its GSIs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import contributor_insights
from lumadb.http import Request

if TYPE_CHECKING:
    from lumadb.dynamodb.service import DynamoService


async def handle(service: DynamoService, body: dict, request: Request) -> dict:
    index_name = body.get("IndexName")
    table = contributor_insights.target(service, body["TableName"], index_name)
    return contributor_insights.described(table, index_name)
