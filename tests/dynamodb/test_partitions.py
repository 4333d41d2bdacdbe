"""ARNs name the partition of the region the client signed for: a table created through
cn-north-1 is `arn:aws-cn:dynamodb:cn-north-1:...` (LocalStack's
test_dynamodb_stream_in_different_partitions, recorded against AWS), and each ARN LumaDB
gave out is accepted back."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.dynamodb.helpers import CLIENT_CONFIG, table_name


def _client(server: Any, service: str, region: str) -> Any:
    return boto3.client(
        service, endpoint_url=server.url + "/dynamodb", config=CLIENT_CONFIG, region_name=region,
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
    )


@pytest.mark.parametrize(
    ("region", "partition"),
    [("us-east-2", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-east-1", "aws-us-gov"),
     ("us-isob-east-1", "aws-iso-b"), ("eusc-de-east-1", "aws-eusc")],
)
def test_arns_carry_the_regions_partition(server: Any, region: str, partition: str) -> None:
    ddb = _client(server, "dynamodb", region)
    name = table_name()
    table = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        SSESpecification={"Enabled": True, "SSEType": "KMS"},
    )["TableDescription"]
    try:
        prefix = f"arn:{partition}:dynamodb:{region}:000000000000:table/{name}"
        assert table["TableArn"] == prefix
        assert table["LatestStreamArn"].startswith(prefix + "/stream/")
        assert table["SSEDescription"]["KMSMasterKeyArn"].startswith(f"arn:{partition}:kms:{region}:000000000000:key/")
        ddb.tag_resource(ResourceArn=prefix, Tags=[{"Key": "k", "Value": "v"}])
        assert ddb.list_tags_of_resource(ResourceArn=prefix)["Tags"] == [{"Key": "k", "Value": "v"}]
        assert ddb.describe_table(TableName=prefix)["Table"]["TableName"] == name
        streams = _client(server, "dynamodbstreams", region)
        stream = streams.describe_stream(StreamArn=table["LatestStreamArn"])["StreamDescription"]
        assert stream["TableName"] == name
        backup = ddb.create_backup(TableName=name, BackupName="bkp")["BackupDetails"]
        assert backup["BackupArn"].startswith(prefix + "/backup/")
        ddb.delete_backup(BackupArn=backup["BackupArn"])
    finally:
        ddb.delete_table(TableName=name)
