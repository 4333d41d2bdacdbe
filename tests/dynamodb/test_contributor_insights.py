"""Contributor Insights settings with boto3: UpdateContributorInsights,
DescribeContributorInsights and ListContributorInsights on a table and its GSI."""

from __future__ import annotations

import re
from typing import Any

from tests.dynamodb.helpers import error_of, table_name

GSI = {
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
    "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
}  # fmt: skip


def test_enable_describe_disable(ddb: Any) -> None:
    name = table_name()
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     BillingMode="PAY_PER_REQUEST", **GSI)  # fmt: skip
    try:
        assert ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"] == "DISABLED"
        assert ddb.list_contributor_insights(TableName=name)["ContributorInsightsSummaries"] == []
        answer = ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="ENABLE")
        assert answer["ContributorInsightsStatus"] == "ENABLING" and answer["TableName"] == name
        table = ddb.describe_contributor_insights(TableName=name)
        assert table["ContributorInsightsStatus"] == "ENABLED"
        assert table["ContributorInsightsMode"] == "ACCESSED_AND_THROTTLED_KEYS"
        assert [rule.split("-")[1] for rule in table["ContributorInsightsRuleList"]] == ["PKC", "PKT"]
        for rule in table["ContributorInsightsRuleList"]:
            assert re.fullmatch(rf"DynamoDBContributorInsights-PK[CT]-{name}-\d{{13}}", rule)
        index = ddb.update_contributor_insights(TableName=name, IndexName="by_g", ContributorInsightsAction="ENABLE",
                                                ContributorInsightsMode="THROTTLED_KEYS")  # fmt: skip
        assert index["IndexName"] == "by_g" and index["ContributorInsightsMode"] == "THROTTLED_KEYS"
        described = ddb.describe_contributor_insights(TableName=name, IndexName="by_g")
        assert described["IndexName"] == "by_g" and described["ContributorInsightsStatus"] == "ENABLED"
        summaries = ddb.list_contributor_insights(TableName=name)["ContributorInsightsSummaries"]
        assert [(s.get("IndexName"), s["ContributorInsightsStatus"]) for s in summaries] == [
            (None, "ENABLED"),
            ("by_g", "ENABLED"),
        ]
        page = ddb.list_contributor_insights(TableName=name, MaxResults=1)
        assert len(page["ContributorInsightsSummaries"]) == 1
        rest = ddb.list_contributor_insights(TableName=name, MaxResults=1, NextToken=page["NextToken"])
        assert rest["ContributorInsightsSummaries"][0]["IndexName"] == "by_g" and "NextToken" not in rest
        off = ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="DISABLE")
        assert off["ContributorInsightsStatus"] == "DISABLING"
        after = ddb.describe_contributor_insights(TableName=name)
        assert after["ContributorInsightsStatus"] == "DISABLED" and "ContributorInsightsRuleList" not in after
        assert error_of(ddb.describe_contributor_insights, TableName=name, IndexName="nope") == (
            "ResourceNotFoundException",
            f"Requested resource not found: Index: nope not found for table: {name}",  # live probes, 2026-10
        )
    finally:
        ddb.delete_table(TableName=name)
    assert error_of(ddb.describe_contributor_insights, TableName=name) == (
        "ResourceNotFoundException",
        f"Requested resource not found: Table: {name} not found",
    )


def test_asking_for_what_is_set_changes_nothing(ddb: Any) -> None:
    """Live probes of DynamoDB, 2026-10: a no-op answers the settled status, a mode change goes
    through ENABLING, THROTTLED_KEYS keeps only the throttled rules, DISABLE keeps the mode, and
    ListContributorInsights leaves out what is off."""
    name = table_name()
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     BillingMode="PAY_PER_REQUEST", **GSI)  # fmt: skip
    try:
        def update(action: str, **mode: str) -> str:
            answer = ddb.update_contributor_insights(TableName=name, ContributorInsightsAction=action, **mode)
            return str(answer["ContributorInsightsStatus"])

        assert update("DISABLE") == "DISABLED"
        assert update("ENABLE") == "ENABLING"
        rules = ddb.describe_contributor_insights(TableName=name)["ContributorInsightsRuleList"]
        assert update("ENABLE") == "ENABLED"
        assert update("ENABLE", ContributorInsightsMode="ACCESSED_AND_THROTTLED_KEYS") == "ENABLED"
        assert ddb.describe_contributor_insights(TableName=name)["ContributorInsightsRuleList"] == rules
        assert update("ENABLE", ContributorInsightsMode="THROTTLED_KEYS") == "ENABLING"
        throttled = ddb.describe_contributor_insights(TableName=name)["ContributorInsightsRuleList"]
        assert [rule.split("-")[1] for rule in throttled] == ["PKT"]
        assert throttled[0] == rules[1]  # the rule keeps its name
        assert update("DISABLE") == "DISABLING"
        assert update("DISABLE") == "DISABLED"
        described = ddb.describe_contributor_insights(TableName=name)
        assert described["ContributorInsightsStatus"] == "DISABLED"
        assert described["ContributorInsightsMode"] == "THROTTLED_KEYS"
        assert ddb.list_contributor_insights(TableName=name)["ContributorInsightsSummaries"] == []
    finally:
        ddb.delete_table(TableName=name)


def test_a_deleted_index_takes_its_insights_along(ddb: Any) -> None:
    """Live probes of DynamoDB, 2026-10: nothing of the index is listed once it is deleted."""
    name = table_name()
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     BillingMode="PAY_PER_REQUEST", **GSI)  # fmt: skip
    try:
        ddb.update_contributor_insights(TableName=name, IndexName="by_g", ContributorInsightsAction="ENABLE")
        ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_g"}}])
        assert ddb.list_contributor_insights(TableName=name)["ContributorInsightsSummaries"] == []
    finally:
        ddb.delete_table(TableName=name)
