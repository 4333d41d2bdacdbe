"""On-demand backups: CreateBackup, DescribeBackup, ListBackups, DeleteBackup and
RestoreTableFromBackup.

A backup is a catalog row (`ddb_backups`: its ARN, its name and the source table's metadata and
counters as they were) and a copy of the table's item rows (`ddb_backup_items_<id>`), taken in
one transaction, so it is the table exactly as of the request. Secondary indexes are not copied:
a restore rebuilds them from the items. A backup outlives its table, as DynamoDB's do. Deleting a
table with point-in-time recovery on leaves a SYSTEM backup of it, as DynamoDB does: kept 35
days, and not for users to delete.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb import catalog, ttl
from lumadb.dynamodb.errors import DYNAMODB, DynamoError
from lumadb.dynamodb.indexes.maintain import backfill_step
from lumadb.dynamodb.indexes.model import indexes_of
from lumadb.dynamodb.vectors import maintain as vector_maintenance

if TYPE_CHECKING:
    from lumadb.storage.sqlite import apsw

SCHEMA = """
CREATE TABLE IF NOT EXISTS ddb_backups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    table_name TEXT NOT NULL,
    created REAL NOT NULL,
    backup BLOB NOT NULL
);
"""
_ITEM_COLUMNS = "hash_prefix, pk, sk, size, item"


def setup(conn: apsw.Connection) -> None:
    conn.execute(SCHEMA)


INVALID_ARN = "Invalid Backup ARN"
_RESOURCE = re.compile(r"table/([^/]+)/backup/([^/]+)\Z")
SYSTEM_RETENTION = 35 * 24 * 60 * 60  # seconds a SYSTEM backup is kept (DynamoDB's documentation)


def parse_arn(arn: str) -> tuple[str, str]:
    """(table name, backup id) of a backup ARN, checked as DynamoDB checks it (live probes,
    2026-10): partition, service and region must be real ones, then the resource must name a
    backup. The region and the account are no part of a backup's identity: DynamoDB finds the
    backup whatever region the ARN names, and echoes the ARN as given."""
    parts = catalog.split_arn(arn)
    if parts is None:
        raise DynamoError.validation(INVALID_ARN)
    if parts.service != "dynamodb" or catalog.region_partition(parts.region) != parts.partition:
        raise DynamoError.validation("Invalid Request: BackupArn is not valid")
    match = _RESOURCE.match(parts.resource)
    if match is None:
        raise DynamoError.validation(INVALID_ARN)
    return match.group(1), match.group(2)


def not_found(arn: str) -> DynamoError:
    return DynamoError(DYNAMODB + "BackupNotFoundException", f"Backup not found: {arn}")


def _items_table(backup_id: int) -> str:
    return f"ddb_backup_items_{backup_id}"


def _backup_id(created: float, system: bool) -> str:
    """DynamoDB's backup id: the creation time in milliseconds (14 digits), a dash, 8 hex digits
    (zeros for a SYSTEM backup)."""
    return f"{round(created * 1000):014d}-{'00000000' if system else secrets.token_hex(4)}"


# -- jobs run in a write transaction ----------------------------------------------------------


def create(conn: apsw.Connection, table_name: str, backup_name: str, system: bool = False) -> dict[str, Any] | None:
    """Copy the table's items and remember its metadata; the stored backup, or None when the
    table is gone. A SYSTEM backup is the one DynamoDB makes of a table deleted with point-in-time
    recovery on: it expires after 35 days and cannot be deleted."""
    row = catalog.stored_row(conn, table_name)
    if row is None:
        return None
    table_id, meta_json, item_count, size_bytes = row
    meta = orjson.loads(meta_json)
    created = catalog.now()
    backup = {
        "BackupArn": f"{meta['TableArn']}/backup/{_backup_id(created, system)}",
        "BackupName": backup_name,
        "BackupCreationDateTime": created,
        "ItemCount": item_count,
        "TableSizeBytes": size_bytes,
        "Table": meta,
    }
    if system:
        backup["BackupType"] = "SYSTEM"
        backup["BackupExpiryDateTime"] = created + SYSTEM_RETENTION
    conn.execute(
        "INSERT INTO ddb_backups (arn, table_name, created, backup) VALUES (?, ?, ?, ?)",
        (backup["BackupArn"], table_name, created, orjson.dumps(backup)),
    )
    items = _items_table(conn.last_insert_rowid())
    conn.execute(
        f"CREATE TABLE {items} (hash_prefix INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL, "
        "size INTEGER NOT NULL, item BLOB NOT NULL, PRIMARY KEY (hash_prefix, pk, sk)) WITHOUT ROWID"
    )
    conn.execute(
        f"INSERT INTO {items} ({_ITEM_COLUMNS}) SELECT {_ITEM_COLUMNS} FROM {catalog.items_table_name(table_id)}"
    )
    return backup


def drop_table_keeping_backup(conn: apsw.Connection, name: str) -> tuple[dict[str, Any], int, int, int] | None:
    """DeleteTable of a table with point-in-time recovery on: its SYSTEM backup, then the drop.
    SYSTEM backups that have expired go now: nothing else removes them."""
    now = catalog.now()
    system_rows: list[tuple[int, bytes]] = conn.execute(
        "SELECT id, backup FROM ddb_backups WHERE arn LIKE '%-00000000'"
    ).fetchall()  # type: ignore[assignment]
    for row_id, blob in system_rows:
        if expired(orjson.loads(blob), now):
            _drop(conn, row_id)
    create(conn, name, f"{name}$DeletedTableBackup", system=True)
    return catalog.drop_table(conn, name)


def _row(conn: apsw.Connection, table_name: str, backup_id: str) -> tuple[int, dict[str, Any]] | None:
    """(row id, backup) of the live backup `backup_id` of table `table_name`."""
    suffix = f"/backup/{backup_id}"
    row = conn.execute(
        "SELECT id, backup FROM ddb_backups WHERE table_name = ? AND substr(arn, -?) = ?",
        (table_name, len(suffix), suffix),
    ).fetchone()
    if row is None:
        return None
    backup = orjson.loads(row[1])
    return (row[0], backup) if not expired(backup, catalog.now()) else None


def expired(backup: dict[str, Any], now: float) -> bool:
    return backup.get("BackupExpiryDateTime", now + 1) <= now


def delete(conn: apsw.Connection, table_name: str, backup_id: str) -> dict[str, Any] | None:
    """Drop a USER backup; the backup, or None when there is none. A SYSTEM backup is returned
    untouched: the caller refuses it."""
    found = _row(conn, table_name, backup_id)
    if found is None:
        return None
    row_id, backup = found
    if backup_type(backup) != "SYSTEM":
        _drop(conn, row_id)
    return dict(backup)


def _drop(conn: apsw.Connection, row_id: int) -> None:
    conn.execute("DELETE FROM ddb_backups WHERE id = ?", (row_id,))
    conn.execute(f"DROP TABLE IF EXISTS {_items_table(row_id)}")


def restore(
    conn: apsw.Connection, arn: str, name: str, meta: dict[str, Any]
) -> tuple[catalog.TableInfo, int] | None:
    """Create table `name` with `meta` and the items of the backup `arn` names, its indexes
    rebuilt from them; None when the name is taken."""
    found = _row(conn, *parse_arn(arn))
    if found is None:
        raise not_found(arn)  # deleted meanwhile
    created = catalog.insert_table(conn, name, meta)
    if created is None:
        return None
    table, version = created
    row_id, backup = found
    conn.execute(f"INSERT INTO {table.items} ({_ITEM_COLUMNS}) SELECT {_ITEM_COLUMNS} FROM {_items_table(row_id)}")
    conn.execute(
        "UPDATE ddb_tables SET item_count = ?, size_bytes = ? WHERE id = ?",
        (backup["ItemCount"], backup["TableSizeBytes"], table.id),
    )
    build_indexes(conn, table)
    return table, version


def build_indexes(conn: apsw.Connection, table: catalog.TableInfo) -> None:
    """Fill a restored table's indexes from its items, in the restore's transaction."""
    vector_maintenance.fill(conn, table)
    for index in indexes_of(table):
        after = backfill_step(conn, table, index, None)
        while after is not None:
            after = backfill_step(conn, table, index, after)


# -- reads ------------------------------------------------------------------------------------


def find(conn: apsw.Connection, table_name: str, backup_id: str) -> dict[str, Any] | None:
    found = _row(conn, table_name, backup_id)
    return found[1] if found is not None else None


def listed(conn: apsw.Connection, table_name: str | None) -> list[dict[str, Any]]:
    """Every live backup (of one table, when named) in the order they were made."""
    if table_name is None:
        rows = conn.execute("SELECT backup FROM ddb_backups ORDER BY id")
    else:
        rows = conn.execute("SELECT backup FROM ddb_backups WHERE table_name = ? ORDER BY id", (table_name,))
    now = catalog.now()
    return [backup for backup in (orjson.loads(blob) for (blob,) in rows) if not expired(backup, now)]


# -- response shapes --------------------------------------------------------------------------


def backup_type(backup: dict[str, Any]) -> str:
    return str(backup.get("BackupType", "USER"))


def details(backup: dict[str, Any], status: str = "AVAILABLE", arn: str | None = None) -> dict[str, Any]:
    """BackupDetails; `arn` is the ARN the request named, which DynamoDB echoes."""
    out = {
        "BackupArn": arn or backup["BackupArn"],
        "BackupName": backup["BackupName"],
        "BackupSizeBytes": backup["TableSizeBytes"],
        "BackupStatus": status,
        "BackupType": backup_type(backup),
        "BackupCreationDateTime": backup["BackupCreationDateTime"],
    }
    if "BackupExpiryDateTime" in backup:
        out["BackupExpiryDateTime"] = backup["BackupExpiryDateTime"]
    return out


def summary(backup: dict[str, Any]) -> dict[str, Any]:
    """A ListBackups entry: the backup's details with its table's name, id and ARN."""
    table = backup["Table"]
    return {"TableName": table["TableName"], "TableId": table["TableId"], "TableArn": table["TableArn"],
            **details(backup)}  # fmt: skip


def description(backup: dict[str, Any], status: str = "AVAILABLE", arn: str | None = None) -> dict[str, Any]:
    table = backup["Table"]
    throughput = table["ProvisionedThroughput"]
    source: dict[str, Any] = {
        "TableName": table["TableName"],
        "TableId": table["TableId"],
        "TableArn": table["TableArn"],
        "TableSizeBytes": backup["TableSizeBytes"],
        "KeySchema": table["KeySchema"],
        "TableCreationDateTime": table["CreationDateTime"],
        "ProvisionedThroughput": {
            "ReadCapacityUnits": throughput["ReadCapacityUnits"],
            "WriteCapacityUnits": throughput["WriteCapacityUnits"],
        },
        "ItemCount": backup["ItemCount"],
        "BillingMode": table["BillingModeSummary"]["BillingMode"],
    }
    if "OnDemandThroughput" in table:
        source["OnDemandThroughput"] = table["OnDemandThroughput"]
    out: dict[str, Any] = {"BackupDetails": details(backup, status, arn), "SourceTableDetails": source}
    # `{}` for a plain table, and for a SYSTEM backup whatever the table had (live probes, 2026-10)
    out["SourceTableFeatureDetails"] = _features(table) if backup_type(backup) == "USER" else {}
    return out


def _features(table: dict[str, Any]) -> dict[str, Any]:
    features: dict[str, Any] = {}
    if table.get("LocalSecondaryIndexes"):
        features["LocalSecondaryIndexes"] = [
            {key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
            for index in table["LocalSecondaryIndexes"]
        ]
    if table.get("GlobalSecondaryIndexes"):
        features["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index["IndexName"],
                "KeySchema": index["KeySchema"],
                "Projection": index["Projection"],
                "ProvisionedThroughput": {
                    "ReadCapacityUnits": index["ProvisionedThroughput"]["ReadCapacityUnits"],
                    "WriteCapacityUnits": index["ProvisionedThroughput"]["WriteCapacityUnits"],
                },
            }
            for index in table["GlobalSecondaryIndexes"]
        ]
    stream = table.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        features["StreamDescription"] = stream
    name = ttl.attribute_name(table)
    if name is not None:
        features["TimeToLiveDescription"] = {"TimeToLiveStatus": "ENABLED", "AttributeName": name}
    if "SSEDescription" in table:
        features["SSEDescription"] = table["SSEDescription"]
    return features
