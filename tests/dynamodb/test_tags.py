"""Table tags with boto3: TagResource, UntagResource, ListTagsOfResource and CreateTable's Tags,
with DynamoDB's checks on ARNs, tag characters, lengths and the 50-tag limit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of, table_name
from tests.dynamodb.test_protocol import call, target

HASH_S = {"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
          "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}  # fmt: skip
TOO_MANY = "Number of Tags exceed the current limit for the provided ResourceArn"


def numbered(first: int, last: int) -> list[dict[str, str]]:
    return [{"Key": str(i), "Value": str(i)} for i in range(first, last)]


@pytest.fixture
def arn(ddb: Any, make_table: Any) -> str:
    return str(ddb.describe_table(TableName=make_table())["Table"]["TableArn"])


def tag_keys(ddb: Any, arn: str) -> set[str]:
    return {tag["Key"] for tag in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}


def test_tags(ddb: Any, make_table: Any) -> None:
    name = make_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "3"}])
    tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}
    assert tags == {"a": "3", "b": "2"}
    ddb.untag_resource(ResourceArn=arn, TagKeys=["b"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "a", "Value": "3"}]
    missing = arn.replace(name, table_name())
    # DynamoDB's text for every tag API (live probes, 2026-10; older captures spelled `ResourcArn`)
    not_found = ("ResourceNotFoundException", f"Requested resource not found: ResourceArn: {missing} not found")
    assert error_of(ddb.list_tags_of_resource, ResourceArn=missing) == not_found
    assert error_of(ddb.tag_resource, ResourceArn=missing, Tags=[{"Key": "a", "Value": "b"}]) == not_found
    assert error_of(ddb.untag_resource, ResourceArn=missing, TagKeys=["a"]) == not_found
    assert (
        error_of(
            ddb.tag_resource,
            ResourceArn="arn:aws:dynamodb:us-east-1:000000000000:table",
            Tags=[{"Key": "a", "Value": "b"}],
        )[0]
        == "ValidationException"
    )


def test_arns_must_start_with_arn(ddb: Any) -> None:
    expected = ("ValidationException", "One or more parameter values were invalid: ARNs must start with 'arn:': x/y")
    assert error_of(ddb.tag_resource, ResourceArn="x/y", Tags=[{"Key": "a", "Value": "b"}]) == expected
    assert error_of(ddb.untag_resource, ResourceArn="x/y", TagKeys=["a"]) == expected
    assert error_of(ddb.list_tags_of_resource, ResourceArn="x/y") == expected


def test_at_most_50_tags_counted_after_merging_keys(ddb: Any, arn: str) -> None:
    ddb.tag_resource(ResourceArn=arn, Tags=numbered(0, 30))
    ddb.tag_resource(ResourceArn=arn, Tags=numbered(20, 40))  # 10 of them replace existing tags
    assert error_of(ddb.tag_resource, ResourceArn=arn, Tags=numbered(40, 51)) == ("ValidationException", TOO_MANY)
    assert len(tag_keys(ddb, arn)) == 40  # nothing of the refused request was applied
    ddb.tag_resource(ResourceArn=arn, Tags=numbered(35, 50))
    assert len(tag_keys(ddb, arn)) == 50
    assert error_of(ddb.tag_resource, ResourceArn=arn, Tags=numbered(50, 51)) == ("ValidationException", TOO_MANY)


def test_create_table_with_too_many_tags_creates_no_table(ddb: Any) -> None:
    name = table_name()
    code, message = error_of(
        ddb.create_table, TableName=name, BillingMode="PAY_PER_REQUEST", Tags=numbered(0, 51), **HASH_S
    )
    assert (code, message) == ("ValidationException", TOO_MANY)
    assert error_of(ddb.describe_table, TableName=name)[0] == "ResourceNotFoundException"


@pytest.mark.parametrize("text", ["hi!", "d%g", '"hello"', "a#b", "<>"])
def test_tag_keys_and_values_refuse_other_characters(ddb: Any, arn: str, text: str) -> None:
    assert error_of(ddb.tag_resource, ResourceArn=arn, Tags=[{"Key": text, "Value": "dog"}]) == (
        "ValidationException",
        f"The Tag Key provided is invalid, Key: {text}",
    )
    assert error_of(ddb.tag_resource, ResourceArn=arn, Tags=[{"Key": "dog", "Value": text}]) == (
        "ValidationException",
        f"The Tag Value provided is invalid, Value: {text}",
    )


def test_tags_take_unicode_letters_digits_spaces_and_some_signs(ddb: Any, arn: str) -> None:
    tags = [
        {"Key": "законные буквы", "Value": "ѮѮ Ѯ"},
        {"Key": "+-=._:/@", "Value": "+-=._:/@"},
        {"Key": " ", "Value": ""},
        {"Key": "k" * 128, "Value": "א" * 256},
        {"Key": "user:٣", "Value": "x y\u00a0z"},
    ]
    ddb.tag_resource(ResourceArn=arn, Tags=tags)
    assert tag_keys(ddb, arn) == {tag["Key"] for tag in tags}


def test_tag_lengths_and_missing_values(ddb_unchecked: Any, arn: str) -> None:
    cases = [
        ({"Key": "", "Value": "v"}, "The Tag Key provided is invalid, Key: "),
        ({"Key": "k" * 129, "Value": "v"}, f"The Tag Key provided is invalid, Key: {'k' * 129}"),
        ({"Key": "k", "Value": "v" * 257}, f"The Tag Value provided is invalid, Value: {'v' * 257}"),
        ({"Key": "k"}, "The Tag Value provided is invalid, Value: null"),
    ]
    for tag, message in cases:
        assert error_of(ddb_unchecked.tag_resource, ResourceArn=arn, Tags=[tag]) == ("ValidationException", message)
    assert error_of(ddb_unchecked.untag_resource, ResourceArn=arn, TagKeys=[""]) == (
        "ValidationException",
        "The Tag Key provided is invalid, Key: ",
    )


def test_duplicate_keys_and_the_aws_prefix(ddb: Any, arn: str) -> None:
    twice = [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]
    assert error_of(ddb.tag_resource, ResourceArn=arn, Tags=twice) == (
        "ValidationException",
        "Duplicate Tag Keys provided as input: Duplicate Tag Key found a",
    )
    # in any case, and on UntagResource too (live probes of DynamoDB, 2026-10)
    for key in ("aws:x", "AWS:x", "Aws:x"):
        reserved = ("ValidationException", f"Tag Key cannot be prefixed with aws:, Key: {key}")
        assert error_of(ddb.tag_resource, ResourceArn=arn, Tags=[{"Key": key, "Value": "1"}]) == reserved
        assert error_of(ddb.untag_resource, ResourceArn=arn, TagKeys=["a", key]) == reserved
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "myaws:x", "Value": "1"}])
    assert tag_keys(ddb, arn) == {"myaws:x"}


def test_untag_takes_at_most_50_keys(ddb: Any, arn: str) -> None:
    assert error_of(ddb.untag_resource, ResourceArn=arn, TagKeys=[f"k{i}" for i in range(51)]) == (
        "ValidationException",
        "Number of Tags exceed the current limit for the provided ResourceArn",
    )
    ddb.untag_resource(ResourceArn=arn, TagKeys=[f"k{i}" for i in range(50)])


def test_backup_and_index_arns_are_not_taggable(ddb: Any, make_table: Any) -> None:
    name = make_table()
    backup = ddb.create_backup(TableName=name, BackupName="bkp")["BackupDetails"]["BackupArn"]
    table_arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    invalid = "One or more parameter values were invalid: "
    assert error_of(ddb.list_tags_of_resource, ResourceArn=backup) == (
        "ValidationException", invalid + f"Provided Arn is not a DynamoDB resource arn: {backup}"
    )
    assert error_of(ddb.untag_resource, ResourceArn=table_arn + "/index/gsi", TagKeys=["a"]) == (
        "ValidationException",
        invalid + "Invalid resource arn provided, only table or stream is accepted. Provided resource arn: "
        + table_arn + "/index/gsi",
    )
    ddb.delete_backup(BackupArn=backup)


def test_create_table_checks_its_tags(ddb: Any) -> None:
    name = table_name()
    code, message = error_of(
        ddb.create_table,
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": "ok", "Value": "#!"}],
        **HASH_S,
    )
    assert (code, message) == ("ValidationException", "The Tag Value provided is invalid, Value: #!")
    assert error_of(ddb.describe_table, TableName=name)[0] == "ResourceNotFoundException"


def test_tag_and_untag_answer_an_empty_body(server: Any, arn: str) -> None:
    # as DynamoDB does (Alternator's test_tags_return_empty_body, run against DynamoDB)
    for operation, body in (("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "k", "Value": "v"}]}),
                            ("UntagResource", {"ResourceArn": arn, "TagKeys": ["k"]})):  # fmt: skip
        status, headers, raw = call(server.url, **target(operation, body))
        assert (status, raw, headers["content-length"]) == (200, b"", "0")
