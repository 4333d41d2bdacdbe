"""SSESpecification: the key a request names is described by its ARN, the AWS-managed key of the
region when it names none, and UpdateTable's response shows the change under way (LocalStack's
test_dynamodb_create_table_with_partial_sse_specification, recorded against AWS)."""

from __future__ import annotations

import re
from typing import Any

from tests.dynamodb.helpers import error_of

KEY_ARN = re.compile(r"arn:aws:kms:us-east-1:000000000000:key/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z")
KEY_ID = "0b6e3c52-51b2-4f4c-a3f2-4b1a3e0e9d11"


def _sse(ddb: Any, name: str) -> Any:
    return ddb.describe_table(TableName=name)["Table"].get("SSEDescription")


def test_without_a_key_the_regions_aws_managed_key(ddb: Any, make_table: Any) -> None:
    first = _sse(ddb, make_table(SSESpecification={"Enabled": True}))
    assert first["Status"] == "ENABLED" and first["SSEType"] == "KMS"
    assert KEY_ARN.match(first["KMSMasterKeyArn"]), first
    # one AWS-managed key per account and region
    assert _sse(ddb, make_table(SSESpecification={"Enabled": True, "SSEType": "KMS"})) == first


def test_a_named_key_is_described_by_its_arn(ddb: Any, make_table: Any) -> None:
    by_id = _sse(ddb, make_table(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY_ID}))
    assert by_id["KMSMasterKeyArn"] == f"arn:aws:kms:us-east-1:000000000000:key/{KEY_ID}"
    arn = "arn:aws:kms:eu-west-1:123456789012:key/" + KEY_ID
    assert _sse(ddb, make_table(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": arn}))["KMSMasterKeyArn"] == arn
    alias = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/my-key"}
    by_alias = _sse(ddb, make_table(SSESpecification=alias))["KMSMasterKeyArn"]
    assert KEY_ARN.match(by_alias) and by_alias == _sse(ddb, make_table(SSESpecification=alias))["KMSMasterKeyArn"]
    alias_arn = "arn:aws:kms:us-east-1:000000000000:alias/my-key"
    by_alias_arn = _sse(ddb, make_table(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": alias_arn}))
    assert by_alias_arn["KMSMasterKeyArn"] == by_alias


def test_update_table_answers_the_change_as_updating(ddb: Any, make_table: Any) -> None:
    name = make_table(SSESpecification={"Enabled": True})
    before = _sse(ddb, name)
    answered = ddb.update_table(TableName=name, SSESpecification={"Enabled": False})["TableDescription"]
    assert answered["SSEDescription"] == {**before, "Status": "UPDATING"}
    assert _sse(ddb, name) is None
    answered = ddb.update_table(TableName=name, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY_ID})
    key = f"arn:aws:kms:us-east-1:000000000000:key/{KEY_ID}"
    assert answered["TableDescription"]["SSEDescription"] == {"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": key}
    assert _sse(ddb, name) == {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key}


def test_specifications_are_checked_as_dynamodb_checks_them(ddb: Any, make_table: Any) -> None:
    """Live probes of DynamoDB, 2026-10 (texts and what `SSEType` alone means)."""
    assert _sse(ddb, make_table(SSESpecification={"SSEType": "KMS"}))["Status"] == "ENABLED"
    invalid = "One or more parameter values were invalid: "
    for specification, message in (
        ({"Enabled": False, "SSEType": "KMS"}, "SSEType can not be specified if Enabled is false"),
        ({"Enabled": False, "KMSMasterKeyId": KEY_ID}, "KMSMasterKeyId can not be specified if Enabled is false"),
        ({"Enabled": True, "SSEType": "AES256"}, "SSEType AES256 is not supported"),
        ({"Enabled": True, "KMSMasterKeyId": KEY_ID}, "SSEType KMS is required if KMSMasterKeyId is specified"),
    ):
        assert error_of(make_table, SSESpecification=specification) == ("ValidationException", invalid + message)
    name = make_table()
    assert error_of(ddb.update_table, TableName=name, SSESpecification={"Enabled": False}) == (
        "ValidationException", invalid + "Table is already encrypted by default"
    )
    ddb.update_table(TableName=name, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY_ID})
    key = _sse(ddb, name)["KMSMasterKeyArn"]
    assert error_of(ddb.update_table, TableName=name, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}) == (
        "ValidationException",
        invalid + "Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you "
        "want to change Master Key",
    )
    # only the key ARN again is refused: another way of naming a key re-encrypts
    ddb.update_table(TableName=name, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY_ID})
    ddb.update_table(TableName=name, SSESpecification={"Enabled": True})
    assert _sse(ddb, name)["KMSMasterKeyArn"] != key
    ddb.update_table(TableName=name, SSESpecification={})  # nothing asked: back to the AWS-owned key
    assert _sse(ddb, name) is None
