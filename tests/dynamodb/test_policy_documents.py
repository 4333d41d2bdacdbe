"""Resource-based policy documents and ARNs as DynamoDB takes them (live probes of DynamoDB,
2026-10): GetResourcePolicy gives the canonical form back, a put of an equivalent document keeps
the revision, and the faults and ARN forms DynamoDB refuses are refused in its texts."""

from __future__ import annotations

import json
from typing import Any

from tests.dynamodb.helpers import error_of

ROOT = "arn:aws:iam::000000000000:root"
INVALID = "One or more parameter values were invalid: "


def _statement(**members: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "dynamodb:GetItem", "Resource": "*", **members}


def _put(ddb: Any, arn: str, document: Any) -> str:
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    return str(ddb.put_resource_policy(ResourceArn=arn, Policy=text)["RevisionId"])


def _got(ddb: Any, arn: str) -> str:
    return str(ddb.get_resource_policy(ResourceArn=arn)["Policy"])


def test_the_canonical_form(ddb: Any, make_table: Any) -> None:
    arn = ddb.describe_table(TableName=make_table())["Table"]["TableArn"]
    sent = {
        "Statement": {  # a lone statement, keys out of IAM's order, white space
            "Condition": {"StringEquals": {"aws:PrincipalAccount": ["000000000000"]}},
            "Resource": [arn + "/index/*", arn, arn],
            "Action": ["dynamodb:GetItem"],
            "Principal": {"AWS": ["000000000000", ROOT]},
            "Effect": "allow",
            "Sid": "V\u0031Esc",
        },
    }
    _put(ddb, arn, sent)
    assert _got(ddb, arn) == (
        '{"Version":"2008-10-17","Statement":[{"Sid":"V1Esc","Effect":"Allow","Principal":{"AWS":"' + ROOT + '"},'
        '"Action":"dynamodb:GetItem","Resource":["' + arn + '/index/*","' + arn + '","' + arn + '"],'
        '"Condition":{"StringEquals":{"aws:PrincipalAccount":"000000000000"}}}]}'
    )
    listed = {"Version": "2012-10-17", "Statement": [_statement(Action=["dynamodb:Query", "dynamodb:GetItem"]),
                                                      {"Effect": "Deny", "Principal": {"AWS": "000000000000"},
                                                       "NotAction": "dynamodb:DeleteTable", "Resource": arn}]}  # fmt: skip
    _put(ddb, arn, listed)
    assert json.loads(_got(ddb, arn)) == {
        "Version": "2012-10-17",
        "Statement": [
            _statement(Action=["dynamodb:Query", "dynamodb:GetItem"]),  # kept in the order sent, no Sid made up
            {"Effect": "Deny", "Principal": {"AWS": ROOT}, "NotAction": "dynamodb:DeleteTable", "Resource": arn},
        ],
    }


def test_an_equivalent_document_keeps_its_revision(ddb: Any, make_table: Any) -> None:
    arn = ddb.describe_table(TableName=make_table())["Table"]["TableArn"]
    first = _put(ddb, arn, {"Version": "2012-10-17", "Statement": [_statement(Action=["dynamodb:GetItem"])]})
    assert _put(ddb, arn, {"Version": "2012-10-17", "Statement": [_statement()]}) == first
    same_principal = _statement(Principal={"AWS": "000000000000"})
    assert _put(ddb, arn, {"Version": "2012-10-17", "Statement": same_principal}) == first
    assert _put(ddb, arn, _got(ddb, arn)) == first
    conditions = [{"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:PrincipalAccount": "000000000000"}},
                  {"StringEquals": {"aws:PrincipalAccount": "000000000000"}, "Bool": {"aws:SecureTransport": "true"}}]  # fmt: skip
    guarded = _put(ddb, arn, {"Version": "2012-10-17", "Statement": [_statement(Condition=conditions[0])]})
    assert guarded != first
    assert _put(ddb, arn, {"Version": "2012-10-17", "Statement": [_statement(Condition=conditions[1])]}) == guarded
    # no Version is another document than IAM's default one, though GetResourcePolicy shows that
    bare = _put(ddb, arn, {"Statement": [_statement()]})
    assert bare != first and _put(ddb, arn, {"Statement": [_statement()]}) == bare
    assert json.loads(_got(ddb, arn))["Version"] == "2008-10-17"
    assert _put(ddb, arn, _got(ddb, arn)) != bare


def test_faults_dynamodb_refuses(ddb: Any, make_table: Any) -> None:
    arn = ddb.describe_table(TableName=make_table())["Table"]["TableArn"]
    document = "Invalid policy document: "
    cases = [
        ([_statement(Sid="a"), _statement(Sid="a", Effect="Deny")], INVALID + document + "The Statement Ids in the policy are not unique"),
        ([{"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "dynamodb:GetItem"}], INVALID + document + "Missing required field Resource"),
        ([_statement(Principal="*")], "Resource-based policy grants unbounded access in one or more elements. "
                                      "Please revise the policy to ensure least-privilege form of access"),
        ([_statement(Principal={"AWS": "*"})], "Resource-based policy grants unbounded access in one or more elements. "
                                               "Please revise the policy to ensure least-privilege form of access"),
    ]  # fmt: skip
    for statements, message in cases:
        assert error_of(ddb.put_resource_policy, ResourceArn=arn, Policy=json.dumps({"Statement": statements})) == (
            "ValidationException", message), statements  # fmt: skip
    assert error_of(ddb.get_resource_policy, ResourceArn=arn)[0] == "PolicyNotFoundException"  # nothing was kept
    _put(ddb, arn, {"Statement": [_statement(Principal="*", Effect="Deny")]})  # a Deny to everyone is fine


def test_arn_forms(ddb: Any, make_table: Any) -> None:
    name = make_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    table = ddb.describe_table(TableName=name)["Table"]
    arn, stream = table["TableArn"], table["LatestStreamArn"]
    parts = arn.split(":")
    other_region = ":".join(parts[:3] + ["us-west-2" if parts[3] != "us-west-2" else "eu-west-1"] + parts[4:])
    other_partition = ":".join(parts[:1] + ["aws-cn"] + parts[2:])
    for wrong in (other_region, other_partition):
        for call in (ddb.get_resource_policy, ddb.delete_resource_policy):
            assert error_of(call, ResourceArn=wrong) == ("ValidationException", INVALID + f"Invalid resource Arn: {wrong}")
    other_account = ":".join(parts[:4] + ["111122223333"] + parts[5:])
    assert error_of(ddb.get_resource_policy, ResourceArn=other_account) == (
        "ValidationException", "This action is only supported by accounts that match the resource owner\u2019s account."
    )  # fmt: skip
    backup = arn + "/backup/01700000000000-0123abcd"
    assert error_of(ddb.get_resource_policy, ResourceArn=backup) == (
        "ValidationException", INVALID + f"Provided Arn is not a DynamoDB resource arn: {backup}"
    )  # fmt: skip
    # a deleted table's stream is still there: it has no policy
    ddb.delete_table(TableName=name)
    assert error_of(ddb.get_resource_policy, ResourceArn=stream) == (
        "PolicyNotFoundException", f"Resource-based policy not found for the provided ResourceArn: {stream}"
    )  # fmt: skip
    assert error_of(ddb.get_resource_policy, ResourceArn=arn) == (
        "ResourceNotFoundException", f"Requested resource not found: Table: {name} not found"
    )  # fmt: skip
