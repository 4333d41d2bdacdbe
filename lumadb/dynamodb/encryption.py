"""Server-side encryption settings (SSESpecification) as DynamoDB describes them.

LumaDB has no KMS: it encrypts nothing itself and keeps what was asked, described with the key
ARNs DynamoDB reports. DynamoDB resolves the key a request names (key id, key ARN, alias name or
alias ARN) to the key's ARN, `arn:<partition>:kms:<region>:<account>:key/<uuid>`, and without
one uses the account's AWS-managed key (alias aws/dynamodb) of the region (LocalStack's
test_dynamodb_create_table_with_partial_sse_specification, recorded against AWS). Here an alias
stands for a key whose id is derived from the alias, the same for every request that names it.
"""

from __future__ import annotations

import uuid
from typing import Any

from lumadb.dynamodb import catalog
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.schema import INVALID

_KEY_IDS = uuid.UUID("cb103777-fd46-4d47-bd44-a443bb22de05")  # namespace of the derived key ids
AWS_MANAGED_ALIAS = "alias/aws/dynamodb"


def _derived_key_id(name: str) -> uuid.UUID:
    """A key id for `name`, the same every time, shaped as KMS's random (version 4) key ids."""
    return uuid.UUID(bytes=uuid.uuid5(_KEY_IDS, name).bytes, version=4)


def key_arn(region: str, key: str | None) -> str:
    """The ARN of the key `key` names, or of the AWS-managed key when it names none."""
    if not key:
        key = AWS_MANAGED_ALIAS
    if key.startswith("arn:"):
        head, _, resource = key.rpartition(":")
        if resource.startswith("alias/"):
            return f"{head}:key/{_derived_key_id(key)}"
        return key
    if key.startswith("alias/"):
        return catalog.arn("kms", region, f"key/{_derived_key_id(catalog.arn('kms', region, key))}")
    return catalog.arn("kms", region, f"key/{key}")


def check_specification(specification: dict[str, Any] | None) -> None:
    """CreateTable's and UpdateTable's checks of an SSESpecification, before the table's
    (texts: live probes of DynamoDB, 2026-10)."""
    if not specification:
        return
    if specification.get("Enabled") is False:
        for name in ("SSEType", "KMSMasterKeyId"):
            if specification.get(name):
                raise DynamoError.validation(INVALID + f"{name} can not be specified if Enabled is false")
        return
    if specification.get("SSEType") == "AES256":
        raise DynamoError.validation(INVALID + "SSEType AES256 is not supported")
    if specification.get("KMSMasterKeyId") and specification.get("SSEType") != "KMS":
        raise DynamoError.validation(INVALID + "SSEType KMS is required if KMSMasterKeyId is specified")


def enabled(specification: dict[str, Any] | None) -> bool:
    """Whether the specification asks for a KMS key: `Enabled` true, or `SSEType` KMS alone."""
    if not specification:
        return False
    flag = specification.get("Enabled")
    return bool(flag) or (flag is None and specification.get("SSEType") == "KMS")


def description(region: str, specification: dict[str, Any]) -> dict[str, Any]:
    """The SSEDescription of an enabled SSESpecification."""
    return {
        "Status": "ENABLED",
        "SSEType": specification.get("SSEType") or "KMS",
        "KMSMasterKeyArn": key_arn(region, specification.get("KMSMasterKeyId")),
    }
