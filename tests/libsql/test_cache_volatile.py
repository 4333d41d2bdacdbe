"""The query cache never serves a read whose answer changes without a commit: randomness or
the clock called through a view, where the statement's text does not show it, and sqld's
`uuid()`."""

from __future__ import annotations

import time
import uuid

from tests.libsql.conftest import execute, ok_result, pipeline, results
from tests.lumadb_server import LumaServer


def read_value(base: str, sql: str) -> str:
    first = results(pipeline(base, [execute(sql), {"type": "close"}]))[0]
    return str(ok_result(first)["rows"][0][0]["value"])


def test_views_over_randomness_and_the_clock_are_not_cached(server: LumaServer) -> None:
    base, name = server.url + "/turso", f"v_{uuid.uuid4().hex}"
    setup = [f"CREATE VIEW {name}_r AS SELECT random() AS r", f"CREATE VIEW {name}_c AS SELECT 1000 * unixepoch('subsec') AS c",
             f"CREATE VIEW {name}_s AS SELECT 42 AS s"]  # fmt: skip
    assert results(pipeline(base, [*(execute(sql) for sql in setup), {"type": "close"}]))
    randoms = {read_value(base, f"SELECT r FROM {name}_r") for _ in range(5)}
    assert len(randoms) == 5
    clocks = []
    for _ in range(4):
        clocks.append(float(read_value(base, f"SELECT c FROM {name}_c")))
        time.sleep(0.01)
    assert clocks == sorted(clocks) and len(set(clocks)) == 4
    assert {read_value(base, f"SELECT s FROM {name}_s") for _ in range(3)} == {"42"}
    stamps = []
    for _ in range(3):
        stamps.append(read_value(base, "SELECT unixepoch('subsec') * 1000"))
        time.sleep(0.01)
    assert len(set(stamps)) == 3


def test_uuid_is_not_cached(server: LumaServer) -> None:
    base, name = server.url + "/turso", f"u_{uuid.uuid4().hex}"
    assert results(pipeline(base, [execute(f"CREATE VIEW {name} AS SELECT uuid() AS u"), {"type": "close"}]))
    for sql in ("SELECT uuid()", f"SELECT u FROM {name}"):
        assert len({read_value(base, sql) for _ in range(4)}) == 4, sql
