"""A single write statement runs on the event loop, in the loop's group commit, under a short
time budget; one that runs longer is interrupted, undone, and runs again on the writer thread.
Either way it takes effect exactly once, and an acknowledged write survives `kill -9`."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.libsql.conftest import execute, integer, pipeline, results
from tests.lumadb_server import LumaServer


def run(url: str, *requests: dict) -> list[dict]:
    return results(pipeline(url, [*requests, {"type": "close"}]))[:-1]


def rows(url: str, sql: str) -> list[list[Any]]:
    answer = run(url, execute(sql))[0]
    assert answer["type"] == "ok", answer
    return [[cell.get("value") for cell in row] for row in answer["response"]["result"]["rows"]]


def test_a_write_longer_than_the_budget_takes_effect_once(server: LumaServer, unique_name: str) -> None:
    """300,000 rows take far longer than the loop's budget: the first run is interrupted and
    undone, the writer thread's run counts."""
    table = unique_name
    run(server.url, execute(f"CREATE TABLE {table} (x INTEGER)"))
    insert = (f"INSERT INTO {table} WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
              "WHERE x < 300000) SELECT x FROM c")
    answer = run(server.url, execute(insert))[0]
    assert answer["type"] == "ok", answer
    assert answer["response"]["result"]["affected_row_count"] == 300000
    assert rows(server.url, f"SELECT count(*), sum(x) FROM {table}") == [["300000", "45000150000"]]


def test_concurrent_writes_share_commits_and_fail_alone(server: LumaServer, unique_name: str) -> None:
    """16 clients at once; every tenth insert repeats a unique key and fails alone: its
    neighbours in the same group commit are kept."""
    table = unique_name
    run(server.url, execute(f"CREATE TABLE {table} (k INTEGER UNIQUE, who INTEGER)"))

    def writer(n: int) -> list[str]:
        outcomes = []
        for i in range(20):
            key = n * 100 + (i - 1 if i % 10 == 9 else i)  # i = 9, 19 repeat the key before
            answer = run(server.url, execute(f"INSERT INTO {table} VALUES (?, ?)", integer(key), integer(n)))[0]
            outcomes.append(answer["type"] if answer["type"] == "ok" else answer["error"]["code"])
        return outcomes

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(writer, range(16)))
    for each in outcomes:
        assert each.count("ok") == 18, each
        assert [each[9], each[19]] == ["SQLITE_CONSTRAINT", "SQLITE_CONSTRAINT"], each
    assert rows(server.url, f"SELECT count(*), count(DISTINCT k) FROM {table}") == [["288", "288"]]


def test_acknowledged_inserts_survive_kill_9(start_server: Any, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = start_server(data_dir=data_dir)
    run(first.url, execute("CREATE TABLE kept (k INTEGER PRIMARY KEY, v TEXT)"))

    def writer(n: int) -> None:
        for i in range(10):
            answer = run(first.url, execute("INSERT INTO kept VALUES (?, 'v')", integer(n * 10 + i)))[0]
            assert answer["type"] == "ok", answer

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(writer, range(8)))
    first.kill9()

    second = start_server(data_dir=data_dir)
    assert rows(second.url, "SELECT count(*), max(k) FROM kept") == [["80", "79"]]
