"""ClientRequestToken of TransactWriteItems: a token seen in the last 10 minutes with the same
request is a replay (nothing is written again); with a different request it is refused. The
token is recorded in the same transaction as the writes it guards."""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING

import orjson

from lumadb.dynamodb.errors import DynamoError

if TYPE_CHECKING:
    from lumadb.storage.sqlite import apsw

WINDOW_SECONDS = 600
# parameters that may differ between a request and its retry
_NOT_COMPARED = ("ReturnConsumedCapacity", "ReturnItemCollectionMetrics", "ClientRequestToken")


def digest(body: dict) -> bytes:
    compared = {k: v for k, v in body.items() if k not in _NOT_COMPARED}
    return hashlib.sha256(orjson.dumps(compared, option=orjson.OPT_SORT_KEYS)).digest()


def seen(conn: apsw.Connection, token: str, request_digest: bytes) -> list[int] | None:
    """When this exact request already ran under `token` within the window: the item size each
    of its actions was charged for (a replay is charged as reads of those items); else None."""
    now = time.time()
    row = conn.execute("SELECT digest, created FROM ddb_client_tokens WHERE token = ?", (token,)).fetchone()
    if row is None or now - row[1] >= WINDOW_SECONDS:
        return None
    if row[0] != request_digest:
        raise DynamoError.idempotent_parameter_mismatch(
            "DynamoDB rejected the request because you retried a request with a different payload but with an "
            "idempotent token that was already used."
        )
    sizes = conn.execute("SELECT sizes FROM ddb_client_token_sizes WHERE token = ?", (token,)).fetchone()
    return list(orjson.loads(sizes[0])) if sizes is not None else []


def record(conn: apsw.Connection, token: str, request_digest: bytes, sizes: list[int]) -> None:
    now = time.time()
    conn.execute(
        "INSERT OR REPLACE INTO ddb_client_tokens (token, digest, created) VALUES (?, ?, ?)",
        (token, request_digest, now),
    )
    conn.execute(
        "INSERT OR REPLACE INTO ddb_client_token_sizes (token, sizes) VALUES (?, ?)", (token, orjson.dumps(sizes))
    )
    conn.execute(
        "DELETE FROM ddb_client_token_sizes WHERE token IN (SELECT token FROM ddb_client_tokens WHERE created < ?)",
        (now - WINDOW_SECONDS,),
    )
    conn.execute("DELETE FROM ddb_client_tokens WHERE created < ?", (now - WINDOW_SECONDS,))
