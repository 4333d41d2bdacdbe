"""Shard iterators: `<stream arn>|1|<token>`, where the token names the stream, the next
sequence number to read and when the iterator was issued, signed with the server's secret so
that a client cannot forge a position. Iterators expire after 15 minutes, as DynamoDB's do."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from lumadb.dynamodb.errors import DynamoError

LIFETIME_SECONDS = 15 * 60
_LAYOUT = struct.Struct(">QQQ")  # stream id, next sequence number, issued (ms)
_MAC_BYTES = 16
_SEPARATOR = "|1|"


@dataclass(frozen=True, slots=True)
class Position:
    stream_id: int
    next_seq: int
    issued_ms: int


def encode(secret: bytes, arn: str, stream_id: int, next_seq: int, issued_ms: int | None = None) -> str:
    issued_ms = int(time.time() * 1000) if issued_ms is None else issued_ms
    payload = _LAYOUT.pack(stream_id, next_seq, issued_ms)
    mac = hmac.new(secret, arn.encode() + payload, hashlib.sha256).digest()[:_MAC_BYTES]
    return arn + _SEPARATOR + base64.urlsafe_b64encode(payload + mac).decode()


def decode(secret: bytes, iterator: str) -> tuple[str, Position]:
    """The stream ARN and position of an iterator; AWS's errors for a bad or expired one."""
    arn, found, token = iterator.rpartition(_SEPARATOR)
    try:
        if not found:
            raise ValueError
        raw = base64.urlsafe_b64decode(token.encode())
        if len(raw) != _LAYOUT.size + _MAC_BYTES:
            raise ValueError
    except ValueError:
        raise DynamoError.validation("Invalid ShardIterator") from None
    payload, mac = raw[: _LAYOUT.size], raw[_LAYOUT.size :]
    expected = hmac.new(secret, arn.encode() + payload, hashlib.sha256).digest()[:_MAC_BYTES]
    if not hmac.compare_digest(mac, expected):
        raise DynamoError.validation("Invalid ShardIterator")
    position = Position(*_LAYOUT.unpack(payload))
    now_ms = int(time.time() * 1000)
    if now_ms - position.issued_ms > LIFETIME_SECONDS * 1000:
        raise DynamoError.expired_iterator(
            f"Iterator expired. The iterator was created at time {_java_date(position.issued_ms)} while right now "
            f"it is {_java_date(now_ms)} which is further in the future than the tolerated delay of "
            f"{LIFETIME_SECONDS * 1000} milliseconds."
        )
    return arn, position


def _java_date(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
