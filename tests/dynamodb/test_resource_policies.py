"""Resource-based policies with boto3: PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy
and CreateTable's ResourcePolicy, on a table and on its stream, with revision ids and
ExpectedRevisionId."""

from __future__ import annotations

import json
from typing import Any

from tests.dynamodb.helpers import error_of, table_name


def policy(action: str) -> str:
    """A policy in DynamoDB's canonical form: GetResourcePolicy gives it back as it is."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                       "Action": action, "Resource": "*"}],
    }, separators=(",", ":"))  # fmt: skip


def test_put_get_delete(ddb: Any, make_table: Any) -> None:
    name = make_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    assert error_of(ddb.get_resource_policy, ResourceArn=arn) == (
        "PolicyNotFoundException",
        f"Resource-based policy not found for the provided ResourceArn: {arn}",
    )
    first = ddb.put_resource_policy(ResourceArn=arn, Policy=policy("dynamodb:GetItem"))["RevisionId"]
    assert first.isdigit()
    assert ddb.get_resource_policy(ResourceArn=arn) | {"ResponseMetadata": None} == {
        "Policy": policy("dynamodb:GetItem"),
        "RevisionId": first,
        "ResponseMetadata": None,
    }
    # the same policy again is no change; another is a new revision
    assert ddb.put_resource_policy(ResourceArn=arn, Policy=policy("dynamodb:GetItem"))["RevisionId"] == first
    second = ddb.put_resource_policy(ResourceArn=arn, Policy=policy("dynamodb:Query"), ExpectedRevisionId=first)
    assert second["RevisionId"] != first
    assert ddb.get_resource_policy(ResourceArn=arn)["Policy"] == policy("dynamodb:Query")

    code, message = error_of(ddb.put_resource_policy, ResourceArn=arn, Policy=policy("a:b"), ExpectedRevisionId=first)
    assert code == "PolicyNotFoundException"
    assert message == (
        f"Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision "
        f"id {first}, but the policy associated to target table {name} has revision id {second['RevisionId']}."
    )
    code, message = error_of(ddb.put_resource_policy, ResourceArn=arn, Policy=policy("a:b"), ExpectedRevisionId="NO_POLICY")
    assert code == "PolicyNotFoundException" and "expecting none to be present" in message
    assert error_of(ddb.delete_resource_policy, ResourceArn=arn, ExpectedRevisionId=first)[0] == "PolicyNotFoundException"

    deleted = ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=second["RevisionId"])
    assert deleted["RevisionId"] == second["RevisionId"]
    assert error_of(ddb.get_resource_policy, ResourceArn=arn)[0] == "PolicyNotFoundException"
    # deleting nothing is no error: the answer names the deletion's own revision (live probes of
    # DynamoDB, 2026-10)
    tombstone = ddb.delete_resource_policy(ResourceArn=arn)["RevisionId"]
    assert tombstone.isdigit() and int(tombstone) > int(second["RevisionId"])
    assert ddb.delete_resource_policy(ResourceArn=arn)["RevisionId"] == tombstone
    # NO_POLICY attaches only where there is none
    assert ddb.put_resource_policy(ResourceArn=arn, Policy=policy("x:y"), ExpectedRevisionId="NO_POLICY")["RevisionId"]


def test_stream_policy_and_create_table(ddb: Any, make_table: Any) -> None:
    name = make_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
                      ResourcePolicy=policy("dynamodb:PutItem"))  # fmt: skip
    table = ddb.describe_table(TableName=name)["Table"]
    assert ddb.get_resource_policy(ResourceArn=table["TableArn"])["Policy"] == policy("dynamodb:PutItem")
    stream = table["LatestStreamArn"]
    assert error_of(ddb.get_resource_policy, ResourceArn=stream)[0] == "PolicyNotFoundException"
    ddb.put_resource_policy(ResourceArn=stream, Policy=policy("dynamodb:GetRecords"))
    assert ddb.get_resource_policy(ResourceArn=stream)["Policy"] == policy("dynamodb:GetRecords")
    assert ddb.get_resource_policy(ResourceArn=table["TableArn"])["Policy"] == policy("dynamodb:PutItem")


def test_missing_resources(ddb: Any, make_table: Any) -> None:
    arn = ddb.describe_table(TableName=make_table())["Table"]["TableArn"]
    name = arn.rsplit("/", 1)[1]
    ghost = table_name()
    # a missing table is named as a table, a missing stream of an existing table by its label
    # (live probes of DynamoDB, 2026-10)
    for missing, text in ((arn.rsplit("/", 1)[0] + "/" + ghost, f"Table: {ghost} not found"),
                          (arn + "/stream/2024-01-01T00:00:00.000",
                           f"Stream: 2024-01-01T00:00:00.000 not found for Table: {name}")):  # fmt: skip
        assert error_of(ddb.get_resource_policy, ResourceArn=missing) == (
            "ResourceNotFoundException",
            f"Requested resource not found: {text}",
        )
        assert error_of(ddb.delete_resource_policy, ResourceArn=missing)[0] == "ResourceNotFoundException"
    assert error_of(ddb.put_resource_policy, ResourceArn=arn.rsplit("/", 1)[0] + "/" + ghost, Policy=policy("a:b"))[
        0
    ] == "ResourceNotFoundException"


def test_never_a_policy_equivalent_documents_and_limits(ddb: Any, make_table: Any) -> None:
    """Live probes of DynamoDB, 2026-10."""
    arn = ddb.describe_table(TableName=make_table())["Table"]["TableArn"]
    assert ddb.delete_resource_policy(ResourceArn=arn).keys() == {"ResponseMetadata"}  # an empty answer
    first = ddb.put_resource_policy(ResourceArn=arn, Policy=policy("dynamodb:GetItem"))["RevisionId"]
    pretty = json.dumps(json.loads(policy("dynamodb:GetItem")), indent=2, sort_keys=True)
    assert ddb.put_resource_policy(ResourceArn=arn, Policy=pretty)["RevisionId"] == first
    invalid = "One or more parameter values were invalid: "
    assert error_of(ddb.put_resource_policy, ResourceArn=arn, Policy=policy("x" * 20_480)) == (
        "ValidationException", invalid + "Maximum policy size of 20480 bytes exceeded"
    )
    assert error_of(ddb.get_resource_policy, ResourceArn="my-table") == (
        "ValidationException", invalid + "ARNs must start with 'arn:': my-table"
    )
    assert error_of(ddb.get_resource_policy, ResourceArn=arn + "/index/gsi") == (
        "ValidationException",
        invalid + f"Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {arn}/index/gsi",
    )
