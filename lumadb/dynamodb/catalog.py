"""Table metadata: one catalog row per DynamoDB table (its description as JSON plus the
ItemCount/TableSizeBytes counters), cached in memory and reloaded when another process changes it.

Every DynamoDB table has its own items table, named by the catalog row id (never by the
DynamoDB name, so a table deleted and re-created never shares storage with its predecessor).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from lumadb.dynamodb.errors import DynamoError

if TYPE_CHECKING:
    from lumadb.storage.executor import Database
    from lumadb.storage.sqlite import apsw

ACCOUNT_ID = "000000000000"
DEFAULT_REGION = "us-east-1"

# A write observer runs inside the write's transaction after the item row changed:
# observer(conn, table, old_item, new_item), either item None for an insert or a delete. The
# index maintainer returns what the write cost on each index (capacity.IndexWrites); others None.
WriteObserver = Callable[["apsw.Connection", "TableInfo", "dict | None", "dict | None"], Any]
# Builds the observers a table needs from its metadata (secondary indexes, streams, ...).
ObserverFactory = Callable[["TableInfo"], "list[WriteObserver]"]
observer_factories: list[ObserverFactory] = []
# Runs in the transaction that creates, changes or drops a table, after its catalog row changed
# (index tables, stream rows): hook(conn, table_id, old_meta, new_meta), None on create/drop.
MetaHook = Callable[["apsw.Connection", int, "dict[str, Any] | None", "dict[str, Any] | None"], None]
meta_hooks: list[MetaHook] = []

SCHEMA = """
CREATE TABLE IF NOT EXISTS ddb_tables (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    meta BLOB NOT NULL,
    item_count INTEGER NOT NULL DEFAULT 0,
    size_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS ddb_catalog_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT OR IGNORE INTO ddb_catalog_version (id, version) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS ddb_client_tokens (
    token TEXT PRIMARY KEY,
    digest BLOB NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS ddb_client_token_sizes (
    token TEXT PRIMARY KEY,
    sizes BLOB NOT NULL
);
"""

BUMP_VERSION = "UPDATE ddb_catalog_version SET version = version + 1 WHERE id = 1 RETURNING version"


def items_table_name(table_id: int) -> str:
    return f"ddb_items_{table_id}"


def create_items_table_sql(table_id: int) -> str:
    # hash_prefix leads the primary key so that Scan order and parallel-scan segments
    # follow the partition-key hash; Query and point reads give all three columns.
    return (
        f"CREATE TABLE {items_table_name(table_id)} ("
        "hash_prefix INTEGER NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL, "
        "size INTEGER NOT NULL, item BLOB NOT NULL, "
        "PRIMARY KEY (hash_prefix, pk, sk)) WITHOUT ROWID"
    )


@dataclass(eq=False)
class TableInfo:
    """A DynamoDB table as the data plane needs it; `meta` is the stored description."""

    id: int
    name: str
    meta: dict[str, Any]
    hash_name: str = ""
    hash_type: str = ""
    range_name: str | None = None
    range_type: str | None = None
    attribute_types: dict[str, str] = field(default_factory=dict)
    observers: list[WriteObserver] = field(default_factory=list)
    sql: dict[str, str] = field(default_factory=dict)  # statement texts, built once

    def __post_init__(self) -> None:
        self.attribute_types = {
            d["AttributeName"]: d["AttributeType"] for d in self.meta["AttributeDefinitions"]
        }
        for element in self.meta["KeySchema"]:
            name = element["AttributeName"]
            if element["KeyType"] == "HASH":
                self.hash_name, self.hash_type = name, self.attribute_types[name]
            else:
                self.range_name, self.range_type = name, self.attribute_types[name]
        self.items = items_table_name(self.id)
        self.key_names = (self.hash_name,) if self.range_name is None else (self.hash_name, self.range_name)
        for factory in observer_factories:
            self.observers.extend(factory(self))

    @property
    def arn(self) -> str:
        return str(self.meta["TableArn"])

    def describe(self, item_count: int, size_bytes: int, status: str = "ACTIVE") -> dict[str, Any]:
        return describe(self.meta, item_count, size_bytes, status)


def describe(
    meta: dict[str, Any], item_count: int, size_bytes: int, status: str = "ACTIVE"
) -> dict[str, Any]:
    """The TableDescription DynamoDB returns for the stored metadata."""
    out: dict[str, Any] = {
        # sorted by name, as NonKeyAttributes below (live probes of DynamoDB, 2026-10)
        "AttributeDefinitions": sorted(meta["AttributeDefinitions"], key=_attribute_name),
        "TableName": meta["TableName"],
        "KeySchema": meta["KeySchema"],
        "TableStatus": status,
        "CreationDateTime": meta["CreationDateTime"],
        "ProvisionedThroughput": meta["ProvisionedThroughput"],
        "TableSizeBytes": size_bytes,
        "ItemCount": item_count,
        "TableArn": meta["TableArn"],
        "TableId": meta["TableId"],
    }
    # The stored summary always names the mode; DynamoDB shows it only once the table has been
    # PAY_PER_REQUEST (and keeps it, with that date, after a switch back to PROVISIONED).
    if "LastUpdateToPayPerRequestDateTime" in meta["BillingModeSummary"]:
        out["BillingModeSummary"] = meta["BillingModeSummary"]
    for name in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes", "VectorIndexes"):
        indexes = meta.get(name)
        if indexes:
            out[name] = [_sorted_projection(index) for index in indexes]
    for name in (
        "StreamSpecification",
        "LatestStreamLabel",
        "LatestStreamArn",
        "GlobalTableVersion",
        "Replicas",
        "MultiRegionConsistency",
        "GlobalTableWitnesses",
        "SSEDescription",
        "TableClassSummary",
        "OnDemandThroughput",
        "WarmThroughput",
        "RestoreSummary",
    ):
        if name in meta:
            out[name] = meta[name]
    out["DeletionProtectionEnabled"] = bool(meta.get("DeletionProtectionEnabled", False))
    return out


def _attribute_name(definition: dict[str, Any]) -> str:
    return str(definition["AttributeName"])


def _sorted_projection(index: dict[str, Any]) -> dict[str, Any]:
    attributes = (index.get("Projection") or {}).get("NonKeyAttributes")
    if not attributes or attributes == sorted(attributes):
        return index
    return {**index, "Projection": {**index["Projection"], "NonKeyAttributes": sorted(attributes)}}


# AWS's partitions other than `aws`, by the start of their region names (botocore's
# partitions.json): a table in cn-north-1 is `arn:aws-cn:dynamodb:cn-north-1:...`.
_PARTITIONS = (
    ("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-iso-", "aws-iso"), ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"), ("eu-isoe-", "aws-iso-e"), ("eusc-", "aws-eusc"),
)  # fmt: skip


def partition(region: str) -> str:
    for prefix, name in _PARTITIONS:
        if region.startswith(prefix):
            return name
    return "aws"


# The region names of each partition (botocore's partitions.json `regionRegex`).
_REGIONS = (
    ("aws", re.compile(r"(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+\Z")), ("aws-cn", re.compile(r"cn-\w+-\d+\Z")),
    ("aws-eusc", re.compile(r"eusc-de-\w+-\d+\Z")), ("aws-iso", re.compile(r"us-iso-\w+-\d+\Z")),
    ("aws-iso-b", re.compile(r"us-isob-\w+-\d+\Z")), ("aws-iso-e", re.compile(r"eu-isoe-\w+-\d+\Z")),
    ("aws-iso-f", re.compile(r"us-isof-\w+-\d+\Z")), ("aws-us-gov", re.compile(r"us-gov-\w+-\d+\Z")),
)  # fmt: skip


def region_partition(region: str) -> str | None:
    """The partition a region name belongs to; None for a name no partition has."""
    for name, pattern in _REGIONS:
        if pattern.match(region):
            return name
    return None


def arn(service: str, region: str, resource: str) -> str:
    return f"arn:{partition(region)}:{service}:{region}:{ACCOUNT_ID}:{resource}"


def table_arn(region: str, name: str) -> str:
    return arn("dynamodb", region, f"table/{name}")


class Arn(NamedTuple):
    partition: str
    service: str
    region: str
    account: str
    resource: str


def split_arn(text: str) -> Arn | None:
    """The fields of `arn:<partition>:<service>:<region>:<account>:<resource>`; None for a text
    that is not shaped so. What each field may hold, and the error, is each API's own."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(*parts[1:])


def region_of(meta: dict[str, Any]) -> str:
    """The region of a table, as its ARN names it."""
    return str(meta["TableArn"].split(":", 4)[3])


def table_name_from(name_or_arn: str) -> str:
    """TableName may also be the table's ARN (`arn:<partition>:dynamodb:<region>:<account>:table/<name>`)."""
    if name_or_arn.startswith("arn:"):
        _, found, rest = name_or_arn.partition(":table/")
        name = rest.split("/", 1)[0]
        if found and name:
            return name
    return name_or_arn  # not a table ARN: errors name what was given


class Catalog:
    """The tables of this server. Reads are served from memory; the cache is checked against
    the catalog version row whenever another connection (or process) has committed."""

    def __init__(self, db: Database, *, shared: bool = False) -> None:
        self.db = db
        self.tables: dict[str, TableInfo] = {}
        self.version = -1
        # With several worker processes another process may change the catalog: check the
        # version row (~3 µs) before each lookup. A single process sees every change itself.
        self.shared = shared

    # -- loading ----------------------------------------------------------------------
    def setup(self, conn: apsw.Connection) -> None:
        conn.execute(SCHEMA)

    def load(self) -> None:
        conn = self.db.inline_connection()[0]
        self._load(conn, self._stored_version(conn))

    def refresh(self) -> None:
        """Reload when another process bumped the catalog version."""
        if self.shared:
            conn = self.db.inline_connection()[0]
            version = self._stored_version(conn)
            if version != self.version:
                self._load(conn, version)

    @staticmethod
    def _stored_version(conn: apsw.Connection) -> int:
        row = conn.execute("SELECT version FROM ddb_catalog_version WHERE id = 1").fetchone()
        return int(row[0]) if row else 0

    def _load(self, conn: apsw.Connection, version: int) -> None:
        tables: dict[str, TableInfo] = {}
        for table_id, name, meta in conn.execute("SELECT id, name, meta FROM ddb_tables"):
            previous = self.tables.get(name)
            if previous is not None and previous.id == table_id and previous.meta == orjson.loads(meta):
                tables[name] = previous  # keep prepared state and observers
            else:
                tables[name] = TableInfo(table_id, name, orjson.loads(meta))
        self.tables = tables
        self.version = version

    def installed(self, table: TableInfo | None, name: str, version: int) -> None:
        """Record a change this process committed (the cache is then current without a reload)."""
        if table is None:
            self.tables.pop(name, None)
        else:
            self.tables[name] = table
        if version == self.version + 1 or not self.shared:
            self.version = version

    # -- lookups ----------------------------------------------------------------------
    def get(self, name: str) -> TableInfo | None:
        self.refresh()
        table = self.tables.get(name)
        if table is None and name.startswith("arn:"):
            table = self.tables.get(table_name_from(name))
        return table

    def require(self, name: str) -> TableInfo:
        """The table, or DynamoDB's error for data-plane operations on a missing table."""
        table = self.get(name)
        if table is None:
            raise DynamoError.resource_not_found()
        return table

    def require_described(self, name: str) -> TableInfo:
        """As `require`, with the longer message DescribeTable and DeleteTable give."""
        table = self.get(name)
        if table is None:
            raise DynamoError.resource_not_found(
                f"Requested resource not found: Table: {table_name_from(name)} not found"
            )
        return table

    def names(self) -> list[str]:
        self.refresh()
        return sorted(self.tables)

    def counters(self, conn: apsw.Connection, table: TableInfo) -> tuple[int, int]:
        row = conn.execute(
            "SELECT item_count, size_bytes FROM ddb_tables WHERE id = ?", (table.id,)
        ).fetchone()
        return (row[0], row[1]) if row else (0, 0)


# -- jobs run on the writer thread ----------------------------------------------------------


def insert_table(conn: apsw.Connection, name: str, meta: dict[str, Any]) -> tuple[TableInfo, int] | None:
    """Create the catalog row and the items table; None when the name is taken."""
    if conn.execute("SELECT 1 FROM ddb_tables WHERE name = ?", (name,)).fetchone():
        return None
    conn.execute("INSERT INTO ddb_tables (name, meta) VALUES (?, ?)", (name, orjson.dumps(meta)))
    table_id = conn.last_insert_rowid()
    conn.execute(create_items_table_sql(table_id))
    for hook in meta_hooks:
        hook(conn, table_id, None, meta)
    version = _bump_version(conn)
    return TableInfo(table_id, name, meta), version


def stored_row(conn: apsw.Connection, name: str) -> tuple[int, bytes, int, int] | None:
    """(id, metadata JSON, item count, size in bytes) of a table as stored, or None."""
    row: Any = conn.execute(
        "SELECT id, meta, item_count, size_bytes FROM ddb_tables WHERE name = ?", (name,)
    ).fetchone()
    return row


def drop_table(conn: apsw.Connection, name: str) -> tuple[dict[str, Any], int, int, int] | None:
    """Remove a table with its items; its last metadata and counters, or None when missing."""
    row = stored_row(conn, name)
    if row is None:
        return None
    table_id, meta, item_count, size_bytes = row
    conn.execute("DELETE FROM ddb_tables WHERE id = ?", (table_id,))
    conn.execute(f"DROP TABLE IF EXISTS {items_table_name(table_id)}")
    old_meta = orjson.loads(meta)
    for hook in meta_hooks:
        hook(conn, table_id, old_meta, None)
    version = _bump_version(conn)
    return old_meta, item_count, size_bytes, version


def update_meta(
    conn: apsw.Connection, name: str, change: Callable[[dict[str, Any]], None]
) -> tuple[TableInfo, int, int, int] | None:
    """Apply `change` to a table's stored metadata (it may raise to refuse the change)."""
    row = stored_row(conn, name)
    if row is None:
        return None
    table_id, meta_json, item_count, size_bytes = row
    meta = orjson.loads(meta_json)
    change(meta)
    conn.execute("UPDATE ddb_tables SET meta = ? WHERE id = ?", (orjson.dumps(meta), table_id))
    if meta_hooks:
        old_meta = orjson.loads(meta_json)
        for hook in meta_hooks:
            hook(conn, table_id, old_meta, meta)
    version = _bump_version(conn)
    return TableInfo(table_id, name, meta), item_count, size_bytes, version


def _bump_version(conn: apsw.Connection) -> int:
    row = conn.execute(BUMP_VERSION).fetchone()
    assert row is not None
    return int(row[0])


def now() -> float:
    """DynamoDB's timestamps: epoch seconds with millisecond precision."""
    return round(time.time(), 3)
