"""With --workers 2 the writers of both processes take turns at each database
(lumadb/storage/process_lock.py): concurrent writes through both workers all succeed, every
acknowledged one is there, and deleting a database removes its turn files too."""

from __future__ import annotations

import threading

from tests.lumadb_server import LumaServer
from tests.test_workers_cache import Connection, _one_per_worker

WRITERS_PER_WORKER = 3
WRITES = 60


def _concurrently(server: LumaServer, work) -> None:
    """Run `work(connection, writer number)` on WRITERS_PER_WORKER connections per worker at once."""
    conns = [c for _ in range(WRITERS_PER_WORKER) for c in _one_per_worker(server)]
    errors: list[BaseException] = []

    def run(conn: Connection, n: int) -> None:
        try:
            work(conn, n)
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c, n)) for n, c in enumerate(conns)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for c in conns:
            c.close()
    assert not errors, errors[:3]


def test_libsql_inserts_from_both_workers_all_land(start_server) -> None:
    srv = start_server("--workers", "2")
    setup = Connection(srv)
    setup.sql("CREATE TABLE t (writer INTEGER, n INTEGER, PRIMARY KEY (writer, n))")
    setup.close()
    _concurrently(srv, lambda conn, w: [conn.sql("INSERT INTO t VALUES (?, ?)", w, i) for i in range(WRITES)])
    check = Connection(srv)
    writers = 2 * WRITERS_PER_WORKER
    assert check.sql("SELECT count(*), count(DISTINCT writer) FROM t") == [[str(writers * WRITES), str(writers)]]
    check.close()
    assert list(srv.data_dir.glob("libsql/*-wlock")), "the workers took turns through a lock file"


def test_dynamodb_puts_from_both_workers_all_land(start_server) -> None:
    srv = start_server("--workers", "2")
    setup = Connection(srv)
    setup.dynamodb("CreateTable", {"TableName": "writes", "BillingMode": "PAY_PER_REQUEST",
                                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    setup.close()

    def put(conn: Connection, w: int) -> None:
        for i in range(WRITES):
            conn.dynamodb("PutItem", {"TableName": "writes", "Item": {"pk": {"S": f"{w}-{i}"}}})

    _concurrently(srv, put)
    check = Connection(srv)
    got = check.dynamodb("Scan", {"TableName": "writes", "Select": "COUNT"})
    assert got["Count"] == 2 * WRITERS_PER_WORKER * WRITES
    assert check.dynamodb("DescribeTable", {"TableName": "writes"})["Table"]["ItemCount"] == got["Count"]
    check.close()
