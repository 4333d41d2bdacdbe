"""Copy DynamoDB tables (AWS, or any endpoint speaking DynamoDB) into LumaDB with boto3.

Per table: its definition as DescribeTable reports it (keys, billing, throughput, local and
global secondary indexes, stream, table class, deletion protection), its tags and its TTL
setting, then every item: a parallel Scan of the source (one thread per segment) written to
LumaDB with BatchWriteItem. Tables that already exist in LumaDB are refused, not merged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lumadb.migrate.web import MigrationError

BATCH = 25  # BatchWriteItem's limit
NEEDS_BOTO3 = "lumadb migrate dynamodb needs boto3: pip install 'lumadb[migrate]'"


def clients(source_endpoint: str | None, region: str | None, profile: str | None,
            target_endpoint: str, target_credentials: str | None = None) -> tuple[Any, Any]:
    try:
        import boto3
        from botocore.config import Config as BotoConfig
    except ImportError:
        raise MigrationError(NEEDS_BOTO3) from None
    retries = BotoConfig(retries={"max_attempts": 10, "mode": "adaptive"}, max_pool_connections=32)
    session = boto3.session.Session(profile_name=profile, region_name=region)
    if session.region_name is None:
        session = boto3.session.Session(profile_name=profile, region_name="us-east-1")
    source = session.client("dynamodb", endpoint_url=source_endpoint, config=retries)
    # LumaDB ignores credentials unless it is given some (--dynamodb-credentials): then one of them
    key_id, _, rest = (target_credentials or "lumadb:lumadb").partition(":")
    secret, _, token = rest.partition(":")
    target = boto3.session.Session(aws_access_key_id=key_id, aws_secret_access_key=secret,
                                   aws_session_token=token or None, region_name=session.region_name).client(
        "dynamodb", endpoint_url=target_endpoint, config=retries)
    return source, target


def definition(table: dict[str, Any]) -> dict[str, Any]:
    """CreateTable's arguments for a table as DescribeTable describes it."""
    billing = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    create: dict[str, Any] = {
        "TableName": table["TableName"], "KeySchema": table["KeySchema"],
        "AttributeDefinitions": table["AttributeDefinitions"], "BillingMode": billing,
    }

    def throughput(described: dict[str, Any] | None) -> dict[str, int]:
        described = described or {}
        return {"ReadCapacityUnits": max(1, described.get("ReadCapacityUnits", 1)),
                "WriteCapacityUnits": max(1, described.get("WriteCapacityUnits", 1))}

    if billing == "PROVISIONED":
        create["ProvisionedThroughput"] = throughput(table.get("ProvisionedThroughput"))
    if table.get("LocalSecondaryIndexes"):
        create["LocalSecondaryIndexes"] = [
            {"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": i["Projection"]}
            for i in table["LocalSecondaryIndexes"]
        ]
    if table.get("GlobalSecondaryIndexes"):
        indexes = []
        for i in table["GlobalSecondaryIndexes"]:
            index = {"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": i["Projection"]}
            if billing == "PROVISIONED":
                index["ProvisionedThroughput"] = throughput(i.get("ProvisionedThroughput"))
            indexes.append(index)
        create["GlobalSecondaryIndexes"] = indexes
    if table.get("VectorIndexes"):
        create["VectorIndexes"] = [
            {key: i[key] for key in ("IndexName", "VectorAttribute", "Dimensions", "DistanceFunction", "Projection",
                                     "SearchSchema") if key in i}
            for i in table["VectorIndexes"]
        ]  # fmt: skip
    stream = table.get("StreamSpecification") or {}
    if stream.get("StreamEnabled"):
        create["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    table_class = (table.get("TableClassSummary") or {}).get("TableClass")
    if table_class:
        create["TableClass"] = table_class
    if table.get("DeletionProtectionEnabled"):
        create["DeletionProtectionEnabled"] = True
    return create


def _tables(source: Any) -> list[str]:
    names: list[str] = []
    for page in source.get_paginator("list_tables").paginate():
        names.extend(page["TableNames"])
    return names


def _exists(target: Any, name: str) -> bool:
    try:
        target.describe_table(TableName=name)
        return True
    except target.exceptions.ResourceNotFoundException:
        return False


def _copy_segment(source: Any, target: Any, name: str, segment: int, segments: int, consistent: bool,
                  counted: Callable[[int], None]) -> None:
    scan: dict[str, Any] = {"TableName": name, "ConsistentRead": consistent}
    if segments > 1:
        scan.update(Segment=segment, TotalSegments=segments)
    for page in source.get_paginator("scan").paginate(**scan):
        items = page["Items"]
        for start in range(0, len(items), BATCH):
            pending = {name: [{"PutRequest": {"Item": item}} for item in items[start:start + BATCH]]}
            while pending:
                pending = target.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        counted(len(items))


def copy_table(source: Any, target: Any, name: str, segments: int, consistent: bool,
               say: Callable[[str], None]) -> int:
    """Create table `name` in LumaDB as the source defines it, then copy its items."""
    described = source.describe_table(TableName=name)["Table"]
    if _exists(target, name):
        raise MigrationError(f"table {name!r} already exists in LumaDB: delete it first, or leave it out (--tables)")
    target.create_table(**definition(described))
    tags = source.list_tags_of_resource(ResourceArn=described["TableArn"]).get("Tags")
    if tags:
        arn = target.describe_table(TableName=name)["Table"]["TableArn"]
        target.tag_resource(ResourceArn=arn, Tags=tags)
    ttl = source.describe_time_to_live(TableName=name).get("TimeToLiveDescription") or {}
    if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        target.update_time_to_live(TableName=name, TimeToLiveSpecification={
            "AttributeName": ttl["AttributeName"], "Enabled": True})
    lock = threading.Lock()
    total = [0]

    def counted(n: int) -> None:
        with lock:
            total[0] += n

    with ThreadPoolExecutor(max_workers=segments) as pool:
        futures = [pool.submit(_copy_segment, source, target, name, segment, segments, consistent, counted)
                   for segment in range(segments)]
        for future in futures:
            future.result()
    say(f"{name}: {total[0]:,} items")
    return total[0]


def migrate(tables: list[str] | None, source_endpoint: str | None, region: str | None, profile: str | None,
            target_endpoint: str, segments: int = 4, consistent: bool = False,
            say: Callable[[str], None] = print, target_credentials: str | None = None) -> dict[str, int]:
    """Copy `tables` (every table when None); the number of items copied per table."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        raise MigrationError(NEEDS_BOTO3) from None
    try:
        source, target = clients(source_endpoint, region, profile, target_endpoint, target_credentials)
        names = tables or _tables(source)
        if not names:
            raise MigrationError("the source has no tables")
        return {name: copy_table(source, target, name, segments, consistent, say) for name in names}
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise MigrationError(f"{exc.operation_name}: {error.get('Code')}: {error.get('Message')}") from None
    except BotoCoreError as exc:
        raise MigrationError(str(exc)) from None
