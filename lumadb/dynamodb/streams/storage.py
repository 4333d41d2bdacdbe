"""Where DynamoDB Streams live: one row per stream (a table keeps its disabled streams listable
for 24 hours, even after it is deleted) and one row per stream record, numbered by a single
AUTOINCREMENT sequence so that sequence numbers only ever increase."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb.errors import DynamoError

if TYPE_CHECKING:
    from lumadb.storage.sqlite import apsw

RETENTION_SECONDS = 24 * 60 * 60
# Sequence numbers are shown as 21-digit strings (the SDKs require at least 21 characters).
SEQUENCE_BASE = 10**20

SCHEMA = """
CREATE TABLE IF NOT EXISTS ddb_streams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    arn TEXT NOT NULL UNIQUE,
    table_id INTEGER NOT NULL,
    table_name TEXT NOT NULL,
    label TEXT NOT NULL,
    view_type TEXT NOT NULL,
    key_schema BLOB NOT NULL,
    created REAL NOT NULL,
    shard_id TEXT NOT NULL,
    start_seq INTEGER NOT NULL,
    trimmed_seq INTEGER NOT NULL DEFAULT 0,
    closed REAL,
    end_seq INTEGER
);
CREATE TABLE IF NOT EXISTS ddb_stream_records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id INTEGER NOT NULL,
    created REAL NOT NULL,
    record BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS ddb_stream_records_by_stream ON ddb_stream_records (stream_id, seq);
"""

INSERT_RECORD = "INSERT INTO ddb_stream_records (stream_id, created, record) VALUES (?, ?, ?)"


def setup(conn: apsw.Connection) -> None:
    conn.execute(SCHEMA)


def format_sequence(seq: int) -> str:
    return str(SEQUENCE_BASE + seq)


def parse_sequence(text: str) -> int | None:
    if not text.isdigit() or len(text) > 40:
        return None
    seq = int(text) - SEQUENCE_BASE
    return seq if seq >= 0 else None


def new_label(when: float) -> str:
    """A stream label: the time the stream was enabled, as DynamoDB writes it."""
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(when * 1000) % 1000:03d}"


def last_sequence(conn: apsw.Connection) -> int:
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'ddb_stream_records'").fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True, slots=True)
class Stream:
    id: int
    arn: str
    table_id: int
    table_name: str
    label: str
    view_type: str
    key_schema: list[dict[str, Any]]
    created: float
    shard_id: str
    start_seq: int
    trimmed_seq: int
    closed: float | None
    end_seq: int | None

    @property
    def enabled(self) -> bool:
        return self.closed is None


_COLUMNS = (
    "id, arn, table_id, table_name, label, view_type, key_schema, created, shard_id, start_seq, "
    "trimmed_seq, closed, end_seq"
)


def _stream(row: Any) -> Stream:
    values = list(row)
    values[6] = orjson.loads(values[6])
    return Stream(*values)


_STREAM_ARN = re.compile(r"arn:[^:]+:dynamodb:[^:]*:[^:]*:table/[^/]+/stream/[^/]+\Z")


def check_arn(arn: str) -> None:
    """A StreamArn that is not shaped as one is a request error (a well-formed one of no
    stream: ResourceNotFoundException), as DynamoDB Streams answers."""
    if not _STREAM_ARN.match(arn):
        raise DynamoError.validation("Invalid StreamArn")


def by_arn(conn: apsw.Connection, arn: str) -> Stream | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM ddb_streams WHERE arn = ?", (arn,)).fetchone()
    return _stream(row) if row else None


def by_id(conn: apsw.Connection, stream_id: int) -> Stream | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM ddb_streams WHERE id = ?", (stream_id,)).fetchone()
    return _stream(row) if row else None


def listed(conn: apsw.Connection, table_name: str | None) -> list[Stream]:
    if table_name is None:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM ddb_streams ORDER BY id")
    else:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM ddb_streams WHERE table_name = ? ORDER BY id", (table_name,)
        )
    return [_stream(row) for row in rows]


def open_stream(conn: apsw.Connection, table_id: int, meta: dict[str, Any]) -> None:
    """Create the stream row for the table's LatestStreamArn."""
    created = time.time()
    shard_id = f"shardId-{int(created * 1000):020d}-{secrets.token_hex(4)}"
    conn.execute(
        "INSERT OR IGNORE INTO ddb_streams (arn, table_id, table_name, label, view_type, key_schema, created, "
        "shard_id, start_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            meta["LatestStreamArn"],
            table_id,
            meta["TableName"],
            meta["LatestStreamLabel"],
            meta["StreamSpecification"]["StreamViewType"],
            orjson.dumps(meta["KeySchema"]),
            created,
            shard_id,
            last_sequence(conn) + 1,
        ),
    )


def close_stream(conn: apsw.Connection, arn: str) -> None:
    """Close an open stream: its shard gets an ending sequence number, no record is added."""
    conn.execute(
        "UPDATE ddb_streams SET closed = ?, end_seq = ? WHERE arn = ? AND closed IS NULL",
        (time.time(), last_sequence(conn), arn),
    )


def trim(conn: apsw.Connection, now: float) -> None:
    """Drop records older than 24 hours and streams disabled more than 24 hours ago."""
    horizon = now - RETENTION_SECONDS
    # records are numbered in the order they were written: the expired ones come first
    trimmed: dict[int, int] = {}
    for seq, stream_id, created in conn.execute(
        "SELECT seq, stream_id, created FROM ddb_stream_records ORDER BY seq"
    ):
        if created >= horizon:
            break
        trimmed[stream_id] = seq
    if trimmed:
        conn.execute("DELETE FROM ddb_stream_records WHERE seq <= ?", (max(trimmed.values()),))
        for stream_id, last in trimmed.items():
            conn.execute("UPDATE ddb_streams SET trimmed_seq = ? WHERE id = ?", (last, stream_id))
    for (stream_id,) in conn.execute(
        "SELECT id FROM ddb_streams WHERE closed IS NOT NULL AND closed < ?", (horizon,)
    ).fetchall():
        conn.execute("DELETE FROM ddb_stream_records WHERE stream_id = ?", (stream_id,))
        conn.execute("DELETE FROM ddb_streams WHERE id = ?", (stream_id,))


def read_records(
    conn: apsw.Connection, stream_id: int, from_seq: int, limit: int, budget: int | None = None
) -> list[tuple[int, bytes]] | None:
    """Up to `limit` records from `from_seq` on; None once they pass `budget` bytes."""
    cursor: Any = conn.execute(
        "SELECT seq, record FROM ddb_stream_records WHERE stream_id = ? AND seq >= ? ORDER BY seq LIMIT ?",
        (stream_id, from_seq, limit),
    )
    if budget is None:
        return cursor.fetchall()
    rows = []
    read = 0
    for seq, record in cursor:
        rows.append((seq, record))
        read += len(record)
        if read > budget:
            cursor.close()  # (the read transaction ends next)
            return None
    return rows
