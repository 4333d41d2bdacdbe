"""On-demand backups: CreateBackup, DescribeBackup, ListBackups, DeleteBackup and
RestoreTableFromBackup.

A backup is a catalog row (`ddb_backups`: its ARN, its name and the source table's metadata and
counters as they were) and a copy of the table's item rows (`ddb_backup_items_<id>`), taken in
one transaction, so it is the table exactly as of the request. Secondary indexes are not copied:
a restore rebuilds them from the items. A backup outlives its table, as DynamoDB's do.
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


_BACKUP_ARN = re.compile(r"arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+/backup/[^/]+\Z")


def check_arn(arn: str) -> None:
    """A backup ARN of the wrong shape is refused before any lookup (live probes, 2026-10)."""
    if not _BACKUP_ARN.match(arn):
        raise DynamoError.validation("Invalid Backup ARN")


def not_found(arn: str) -> DynamoError:
    return DynamoError(DYNAMODB + "BackupNotFoundException", f"Backup not found: {arn}")


def _items_table(backup_id: int) -> str:
    return f"ddb_backup_items_{backup_id}"


def _backup_id(created: float) -> str:
    """DynamoDB's backup id: the creation time in milliseconds (14 digits), a dash, 8 hex digits."""
    return f"{round(created * 1000):014d}-{secrets.token_hex(4)}"


# -- jobs run in a write transaction ----------------------------------------------------------


def create(conn: apsw.Connection, table_name: str, backup_name: str) -> dict[str, Any] | None:
    """Copy the table's items and remember its metadata; the stored backup, or None when the
    table is gone."""
    row = catalog.stored_row(conn, table_name)
    if row is None:
        return None
    table_id, meta_json, item_count, size_bytes = row
    meta = orjson.loads(meta_json)
    created = catalog.now()
    backup = {
        "BackupArn": f"{meta['TableArn']}/backup/{_backup_id(created)}",
        "BackupName": backup_name,
        "BackupCreationDateTime": created,
        "ItemCount": item_count,
        "TableSizeBytes": size_bytes,
        "Table": meta,
    }
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


def delete(conn: apsw.Connection, arn: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT id, backup FROM ddb_backups WHERE arn = ?", (arn,)).fetchone()
    if row is None:
        return None
    conn.execute("DELETE FROM ddb_backups WHERE id = ?", (row[0],))
    conn.execute(f"DROP TABLE IF EXISTS {_items_table(row[0])}")
    return dict(orjson.loads(row[1]))


def restore(
    conn: apsw.Connection, arn: str, name: str, meta: dict[str, Any]
) -> tuple[catalog.TableInfo, int] | None:
    """Create table `name` with `meta` and the backup's items, its indexes rebuilt from them;
    None when the name is taken."""
    row = conn.execute("SELECT id, backup FROM ddb_backups WHERE arn = ?", (arn,)).fetchone()
    if row is None:
        raise not_found(arn)
    created = catalog.insert_table(conn, name, meta)
    if created is None:
        return None
    table, version = created
    backup = orjson.loads(row[1])
    conn.execute(f"INSERT INTO {table.items} ({_ITEM_COLUMNS}) SELECT {_ITEM_COLUMNS} FROM {_items_table(row[0])}")
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


def find(conn: apsw.Connection, arn: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT backup FROM ddb_backups WHERE arn = ?", (arn,)).fetchone()
    return dict(orjson.loads(row[0])) if row else None


def listed(conn: apsw.Connection, table_name: str | None) -> list[dict[str, Any]]:
    """Every backup (of one table, when named) in the order they were made."""
    if table_name is None:
        rows = conn.execute("SELECT backup FROM ddb_backups ORDER BY id")
    else:
        rows = conn.execute("SELECT backup FROM ddb_backups WHERE table_name = ? ORDER BY id", (table_name,))
    return [orjson.loads(blob) for (blob,) in rows]


# -- response shapes --------------------------------------------------------------------------


def details(backup: dict[str, Any], status: str = "AVAILABLE") -> dict[str, Any]:
    return {
        "BackupArn": backup["BackupArn"],
        "BackupName": backup["BackupName"],
        "BackupSizeBytes": backup["TableSizeBytes"],
        "BackupStatus": status,
        "BackupType": "USER",
        "BackupCreationDateTime": backup["BackupCreationDateTime"],
    }


def summary(backup: dict[str, Any]) -> dict[str, Any]:
    table = backup["Table"]
    return {
        "TableName": table["TableName"],
        "TableId": table["TableId"],
        "TableArn": table["TableArn"],
        "BackupArn": backup["BackupArn"],
        "BackupName": backup["BackupName"],
        "BackupCreationDateTime": backup["BackupCreationDateTime"],
        "BackupStatus": "AVAILABLE",
        "BackupType": "USER",
        "BackupSizeBytes": backup["TableSizeBytes"],
    }


def description(backup: dict[str, Any], status: str = "AVAILABLE") -> dict[str, Any]:
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
    out: dict[str, Any] = {"BackupDetails": details(backup, status), "SourceTableDetails": source}
    out["SourceTableFeatureDetails"] = _features(table)  # `{}` for a plain table (live probes, 2026-10)
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
