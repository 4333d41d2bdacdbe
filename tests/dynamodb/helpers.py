"""Helpers shared by the DynamoDB tests."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

CLIENT_CONFIG = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=60)
CREDENTIALS = {
    "region_name": "us-east-1",
    "aws_access_key_id": "AKIDEXAMPLE",
    "aws_secret_access_key": "secret",
}


def client_for(url: str, service: str = "dynamodb", *, validate: bool = True) -> Any:
    config = CLIENT_CONFIG if validate else CLIENT_CONFIG.merge(Config(parameter_validation=False))
    return boto3.client(service, endpoint_url=url + "/dynamodb", config=config, **CREDENTIALS)


def resource_for(url: str) -> Any:
    return boto3.resource("dynamodb", endpoint_url=url + "/dynamodb", config=CLIENT_CONFIG, **CREDENTIALS)


def table_name() -> str:
    return "t" + uuid.uuid4().hex[:12]


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str]:
    """(code, message) of the ClientError a call raises."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    error = info.value.response["Error"]
    return error["Code"], error.get("Message", "")


def error_response(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return dict(info.value.response)


def delete_table(ddb: Any, name: str, *, seconds: float = 30) -> None:
    """DeleteTable once no index is still being filled (DynamoDB refuses it meanwhile)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            ddb.delete_table(TableName=name)
            return
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceInUseException" or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
