"""A write request runs in the event loop's group commit under a short time budget; one that
runs longer is interrupted, undone, and runs again on the writer thread. Either way it takes
effect exactly once, with D1's meta, and an acknowledged write survives `kill -9`."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.d1.conftest import D1Http


def test_a_write_longer_than_the_budget_takes_effect_once(d1: D1Http, db_name: str) -> None:
    d1.run(db_name, "CREATE TABLE t (x INTEGER)")
    d1.run(db_name, "INSERT INTO t VALUES (0)")
    insert = ("INSERT INTO t WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) "
              "SELECT x FROM c")
    answer = d1.run(db_name, insert)
    assert answer["success"] is True, answer
    assert answer["meta"]["changes"] == 300000
    assert answer["meta"]["last_row_id"] == 300001
    assert d1.run(db_name, "SELECT count(*) AS n, sum(x) AS s FROM t")["results"]["rows"] == [[300001, 45000150000]]


def test_last_row_id_carries_over_whichever_connection_writes(d1: D1Http, db_name: str) -> None:
    """D1's one connection keeps its last rowid from request to request: an UPDATE answers the
    last INSERT's, also when it runs long enough to move to the writer thread's connection."""
    d1.run(db_name, "CREATE TABLE r (x INTEGER)")
    d1.run(db_name, "INSERT INTO r WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) "
                    "SELECT x FROM c")
    assert d1.run(db_name, "INSERT INTO r VALUES (-1)")["meta"]["last_row_id"] == 200001
    quick = d1.run(db_name, "UPDATE r SET x = x WHERE x = -1")
    slow = d1.run(db_name, "UPDATE r SET x = x + 1 WHERE x > 0")  # 200,000 rows: past the budget
    assert [quick["meta"]["last_row_id"], slow["meta"]["last_row_id"]] == [200001, 200001]
    assert slow["meta"]["changes"] == 200000


def test_last_row_id_keeps_the_rowid_of_a_request_that_failed(d1: D1Http, db_name: str) -> None:
    """A rollback does not take back the connection's last rowid (Miniflare's D1, side by side:
    42 after the failed request below, 1 after a failed foreign key check)."""
    d1.run(db_name, "CREATE TABLE q (id INTEGER PRIMARY KEY)")
    d1.run(db_name, "CREATE TABLE p (id INTEGER PRIMARY KEY, q INT REFERENCES q(id))")
    assert d1.run(db_name, "INSERT INTO q VALUES (1)")["meta"]["last_row_id"] == 1
    assert d1.binding(db_name, {"sql": "INSERT INTO p VALUES (7, 999)", "params": []}).json()["success"] is False
    assert d1.run(db_name, "UPDATE q SET id = id")["meta"]["last_row_id"] == 1
    failed = d1.binding(db_name, [{"sql": "INSERT INTO q VALUES (42)", "params": []},
                                  {"sql": "INSERT INTO q VALUES (1)", "params": []}]).json()
    assert failed["success"] is False and "UNIQUE constraint failed" in failed["error"]
    assert d1.run(db_name, "UPDATE q SET id = id")["meta"]["last_row_id"] == 42
    assert d1.run(db_name, "SELECT count(*) FROM q")["results"]["rows"] == [[1]]


def test_concurrent_requests_fail_alone(d1: D1Http, db_name: str) -> None:
    """16 clients at once, in shared group commits; a request whose second statement fails is
    undone whole (D1: one transaction per request), its neighbours are kept."""
    d1.run(db_name, "CREATE TABLE u (k INTEGER UNIQUE)")

    def writer(n: int) -> list[bool]:
        client = D1Http(d1.url)
        outcomes = []
        for i in range(10):
            key = n * 100 + i
            statements = [{"sql": "INSERT INTO u VALUES (?)", "params": [key]},
                          {"sql": "INSERT INTO u VALUES (?)", "params": [key if i == 5 else key + 50]}]
            reply = client.binding(db_name, statements)
            assert reply.status_code == 200, reply.text
            body = reply.json()  # a result per statement, or one error object for the request
            outcomes.append(isinstance(body, list) and [part["success"] for part in body] == [True, True])
            if not isinstance(body, list):
                assert body["success"] is False and "UNIQUE constraint failed" in body["error"], body
        return outcomes

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(writer, range(16)))
    assert all(each == [i != 5 for i in range(10)] for each in outcomes), outcomes
    assert d1.run(db_name, "SELECT count(*) FROM u")["results"]["rows"] == [[16 * 9 * 2]]


def test_acknowledged_writes_survive_kill_9(start_server: Any, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = start_server(data_dir=data_dir)
    first = D1Http(server.url)
    first.run("kept", "CREATE TABLE kept (k INTEGER PRIMARY KEY)")

    def writer(n: int) -> None:
        client = D1Http(first.url)
        for i in range(10):
            assert client.run("kept", "INSERT INTO kept VALUES (?)", n * 10 + i)["success"] is True

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(writer, range(8)))
    server.kill9()

    second = D1Http(start_server(data_dir=data_dir).url)
    assert second.run("kept", "SELECT count(*), max(k) FROM kept")["results"]["rows"] == [[80, 79]]

