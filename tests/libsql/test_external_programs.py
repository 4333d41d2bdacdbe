"""Another program may open LumaDB's database files while the server runs (the `sqlite3` shell,
a backup tool, Python's sqlite3): when it closes, it must not take the files from under the
server. An SQLite that closes what it believes is the last connection to a file checkpoints
and deletes the `-wal` file; the server's POSIX locks tell it otherwise, as long as the server
never drops them (lumadb/storage/sqlite_files.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.libsql.conftest import execute, pipeline, results

ROWS_PER_INSERT = 50
# ~4 KB rows, a page each: past the 10,000 WAL pages that start a checkpoint
INSERTS = 240
EXTERNAL_COUNT = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                  "print(c.execute('SELECT count(*) FROM big').fetchone()[0]); c.close()")


def run(url: str, sql: str) -> dict[str, Any]:
    answer = results(pipeline(url, [execute(sql), {"type": "close"}]))[0]
    assert answer["type"] == "ok", answer
    return answer["response"]["result"]


def count(url: str) -> int:
    return int(run(url, "SELECT count(*) FROM big")["rows"][0][0]["value"])


def test_a_program_that_reads_the_file_after_a_checkpoint_takes_no_acknowledged_write(
    start_server: Any, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    first = start_server(data_dir=data_dir)
    run(first.url, "CREATE TABLE big (k INTEGER PRIMARY KEY, v BLOB)")
    insert = (f"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {ROWS_PER_INSERT}) "
              "INSERT INTO big(v) SELECT randomblob(4000) FROM c")
    for _ in range(INSERTS):
        run(first.url, insert)
    path = data_dir / "libsql" / "default.sqlite"
    # the checkpoint's first pass copies the WAL into the database file, then syncs that file
    deadline = time.monotonic() + 30
    while path.stat().st_size < 20_000_000:
        assert time.monotonic() < deadline, "no checkpoint"
        time.sleep(0.05)
    time.sleep(0.5)

    seen = subprocess.run([sys.executable, "-c", EXTERNAL_COUNT, str(path)], check=True,
                          capture_output=True, text=True).stdout
    assert int(seen) == ROWS_PER_INSERT * INSERTS
    assert Path(f"{path}-wal").exists()
    run(first.url, "INSERT INTO big(v) VALUES (x'00')")  # acknowledged
    first.kill9()

    second = start_server(data_dir=data_dir)
    assert count(second.url) == ROWS_PER_INSERT * INSERTS + 1
