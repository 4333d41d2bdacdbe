"""Stream records: a write observer that appends one record per real change of an item to the
table's open stream, in the write's own transaction, with the images its StreamViewType asks for."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb import catalog
from lumadb.dynamodb.attributes import item_size
from lumadb.dynamodb.comparison import values_equal
from lumadb.dynamodb.indexes.model import json_of, size_of
from lumadb.dynamodb.streams import storage

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo, WriteObserver
    from lumadb.storage.sqlite import apsw

SERVICE_IDENTITY = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
_deleting = threading.local()  # set while the TTL sweeper deletes (on the writer thread)


@contextmanager
def service_deletes() -> Iterator[None]:
    """Mark the writes made inside as DynamoDB's own (TTL deletions carry a userIdentity)."""
    _deleting.active = True
    try:
        yield
    finally:
        _deleting.active = False


def stream_observers(table: TableInfo) -> list[WriteObserver]:
    """The observer factory: tables with an enabled stream get one record writer."""
    meta = table.meta
    spec = meta.get("StreamSpecification")
    if not spec or not spec.get("StreamEnabled") or "LatestStreamArn" not in meta:
        return []
    return [_record_writer(meta["LatestStreamArn"], spec["StreamViewType"], catalog.region_of(meta))]


def _record_writer(arn: str, view_type: str, region: str) -> WriteObserver:
    new_images = view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    old_images = view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
    stream_ids: list[int] = []  # looked up once, in the first write's transaction

    def write_record(conn: apsw.Connection, table: TableInfo, old: dict | None, new: dict | None) -> None:
        if old == new or (old is not None and new is not None and values_equal({"M": old}, {"M": new})):
            return  # DynamoDB writes no record for a write that changes nothing (sets are unordered)
        if not stream_ids:
            stream = storage.by_arn(conn, arn)
            if stream is None or not stream.enabled:
                return
            stream_ids.append(stream.id)
        source: Any = new if new is not None else old
        keys = {name: source[name] for name in table.key_names}
        body: dict[str, Any] = {"ApproximateCreationDateTime": int(time.time()), "Keys": keys}
        size = item_size(keys)  # SizeBytes counts the Keys and the images the record carries
        if new_images and new is not None:
            body["NewImage"] = orjson.Fragment(json_of(new))
            size += size_of(new)
        if old_images and old is not None:
            body["OldImage"] = orjson.Fragment(json_of(old))
            size += size_of(old)
        body["SequenceNumber"] = ""
        body["SizeBytes"] = size
        body["StreamViewType"] = view_type
        record: dict[str, Any] = {
            "eventID": "",
            "eventName": "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY"),
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": region,
            "dynamodb": body,
        }
        if new is None and getattr(_deleting, "active", False):
            record["userIdentity"] = SERVICE_IDENTITY
        conn.execute(storage.INSERT_RECORD, (stream_ids[0], time.time(), orjson.dumps(record)))

    return write_record


def rendered(stream_id: int, seq: int, blob: bytes) -> dict[str, Any]:
    """A stored record as GetRecords returns it (event id and sequence number filled in)."""
    record: dict[str, Any] = orjson.loads(blob)
    record["eventID"] = hashlib.md5(f"{stream_id}:{seq}".encode(), usedforsecurity=False).hexdigest()
    record["dynamodb"]["SequenceNumber"] = storage.format_sequence(seq)
    return record


def on_meta_change(
    conn: apsw.Connection, table_id: int, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> None:
    """The catalog hook: open a stream row when a stream is enabled, close it when it is
    disabled, replaced or its table is deleted."""
    old_arn = old.get("LatestStreamArn") if old and old.get("StreamSpecification") else None
    new_arn = new.get("LatestStreamArn") if new and new.get("StreamSpecification") else None
    if old_arn and old_arn != new_arn:
        storage.close_stream(conn, old_arn)
    if new and new_arn and new_arn != old_arn:
        storage.open_stream(conn, table_id, new)
