"""Every D1 REST endpoint through the official `cloudflare` Python SDK (base URL pointed at LumaDB)."""

from __future__ import annotations

import hashlib
from typing import Any

import cloudflare
import httpx
import pytest
from cloudflare import Cloudflare

from tests.d1.conftest import ACCOUNT
from tests.lumadb_server import LumaServer


@pytest.fixture(scope="module")
def cf(server: LumaServer) -> Cloudflare:
    return Cloudflare(api_token="local-token", base_url=server.url + "/client/v4", max_retries=0)


@pytest.fixture
def database(cf: Cloudflare, unique_name: str):
    db = cf.d1.database.create(account_id=ACCOUNT, name=unique_name)
    yield db
    try:
        cf.d1.database.delete(db.uuid, account_id=ACCOUNT)
    except cloudflare.NotFoundError:
        pass


def test_create_with_options_and_get_by_id_or_name(cf: Cloudflare, unique_name: str) -> None:
    db = cf.d1.database.create(account_id=ACCOUNT, name=unique_name, primary_location_hint="weur",
                               jurisdiction="eu", read_replication={"mode": "auto"})
    assert (db.name, db.jurisdiction, db.version, db.read_replication.mode) == (unique_name, "eu", "production", "auto")
    assert db.num_tables == 0 and db.created_at is not None
    by_name = cf.d1.database.get(unique_name, account_id=ACCOUNT)
    assert by_name.uuid == db.uuid
    only = cf.d1.database.get(db.uuid, account_id=ACCOUNT, fields=["uuid", "name"])
    assert (only.uuid, only.name, only.created_at, only.file_size) == (db.uuid, unique_name, None, None)
    with pytest.raises(cloudflare.BadRequestError) as taken:
        cf.d1.database.create(account_id=ACCOUNT, name=unique_name)
    assert taken.value.body["errors"] == [{"code": 7502, "message": "A database with that name already exists"}]
    cf.d1.database.delete(db.uuid, account_id=ACCOUNT)


def test_list_filters_by_name_and_pages_until_an_empty_page(cf: Cloudflare, unique_name: str) -> None:
    uuids = [cf.d1.database.create(account_id=ACCOUNT, name=f"{unique_name}-{i}").uuid for i in range(5)]
    page = cf.d1.database.list(account_id=ACCOUNT, name=unique_name, per_page=2)
    assert [d.name for d in page.result] == [f"{unique_name}-0", f"{unique_name}-1"]
    assert [d.name for d in page] == [f"{unique_name}-{i}" for i in range(5)]
    past_end = cf.d1.database.list(account_id=ACCOUNT, name=unique_name, per_page=2, page=4)
    assert past_end.result == []
    everything = {d.uuid for d in cf.d1.database.list(account_id=ACCOUNT)}
    assert set(uuids) <= everything
    for uuid in uuids:
        cf.d1.database.delete(uuid, account_id=ACCOUNT)


def test_update_edit_and_delete(cf: Cloudflare, database) -> None:
    assert cf.d1.database.update(database.uuid, account_id=ACCOUNT, read_replication={"mode": "auto"}) \
        .read_replication.mode == "auto"
    assert cf.d1.database.edit(database.uuid, account_id=ACCOUNT, read_replication={"mode": "disabled"}) \
        .read_replication.mode == "disabled"
    assert cf.d1.database.edit(database.uuid, account_id=ACCOUNT).read_replication.mode == "disabled"
    assert cf.d1.database.delete(database.uuid, account_id=ACCOUNT) is None
    with pytest.raises(cloudflare.NotFoundError) as gone:
        cf.d1.database.get(database.uuid, account_id=ACCOUNT)
    assert gone.value.body["errors"] == [{"code": 7404, "message": f"The database {database.uuid} could not be found"}]


def test_query_answers_one_result_per_statement_and_batches(cf: Cloudflare, database) -> None:
    results = list(cf.d1.database.query(
        database.uuid, account_id=ACCOUNT,
        sql="CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES (?), (?); SELECT * FROM t",
        params=["a", "b"]))
    assert [r.results for r in results] == [[], [], [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]]
    assert results[1].meta.changes == 2 and results[1].meta.last_row_id == 2 and results[1].meta.changed_db
    batch = list(cf.d1.database.query(database.uuid, account_id=ACCOUNT, batch=[
        {"sql": "SELECT count(*) AS n FROM t"}, {"sql": "SELECT v FROM t WHERE id = ?", "params": ["2"]}]))
    assert [r.results for r in batch] == [[{"n": 2}], [{"v": "b"}]]
    raw = list(cf.d1.database.raw(database.uuid, account_id=ACCOUNT, sql="SELECT 1 AS a, 'x' AS b, x'01' AS c"))
    assert (raw[0].results.columns, raw[0].results.rows) == (["a", "b", "c"], [[1.0, "x", [1]]])


def test_sql_errors_are_400_with_code_7500_and_roll_back(cf: Cloudflare, database) -> None:
    cf.d1.database.query(database.uuid, account_id=ACCOUNT, sql="CREATE TABLE t (x UNIQUE)")
    with pytest.raises(cloudflare.BadRequestError) as failed:
        cf.d1.database.query(database.uuid, account_id=ACCOUNT, sql="INSERT INTO t VALUES (1); INSERT INTO t VALUES (1)")
    assert failed.value.status_code == 400
    assert failed.value.body == {"result": [], "success": False, "messages": [], "errors": [
        {"code": 7500, "message": "UNIQUE constraint failed: t.x: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)"}]}
    assert failed.value.response.headers["cf-d1"] == "err=7500"
    count = list(cf.d1.database.query(database.uuid, account_id=ACCOUNT, sql="SELECT count(*) AS n FROM t"))
    assert count[0].results == [{"n": 0}]
    with pytest.raises(cloudflare.BadRequestError) as syntax:
        cf.d1.database.raw(database.uuid, account_id=ACCOUNT, sql="SELEC 1")
    assert syntax.value.body["errors"][0]["message"] == 'near "SELEC": syntax error at offset 0: SQLITE_ERROR'


def test_params_of_any_json_type_bind_like_the_binding(cf: Cloudflare, database) -> None:
    result = list(cf.d1.database.raw(database.uuid, account_id=ACCOUNT,
                                     sql="SELECT typeof(?), typeof(?), typeof(?), ?", params=[1, "1", None, True]))
    assert result[0].results.rows == [["real", "text", "null", 1.0]]


def test_unknown_database_is_7404(cf: Cloudflare) -> None:
    with pytest.raises(cloudflare.NotFoundError) as missing:
        cf.d1.database.query("no-such-database", account_id=ACCOUNT, sql="SELECT 1")
    assert missing.value.body["errors"][0]["code"] == 7404


def test_export_polls_to_a_signed_url_lumadb_serves(cf: Cloudflare, database) -> None:
    cf.d1.database.query(database.uuid, account_id=ACCOUNT,
                         sql="CREATE TABLE t (a, b); INSERT INTO t VALUES ('it''s', x'00ff'), (1.5, NULL); "
                             "CREATE TABLE u (z); CREATE INDEX ta ON t (a)")
    export = cf.d1.database.export(database.uuid, account_id=ACCOUNT, output_format="polling",
                                   dump_options={"no_data": False, "tables": ["t"]})
    assert (export.success, export.status, export.type) == (True, "complete", "export")
    sql = httpx.get(export.result.signed_url).text
    assert sql.splitlines() == [
        "PRAGMA defer_foreign_keys=TRUE;",
        "CREATE TABLE t (a, b);",
        "INSERT INTO \"t\" VALUES('it''s',X'00ff');",
        "INSERT INTO \"t\" VALUES(1.5,NULL);",
    ]
    again = cf.d1.database.export(database.uuid, account_id=ACCOUNT, output_format="polling",
                                  current_bookmark=export.at_bookmark, dump_options={"no_schema": True})
    assert httpx.get(again.result.signed_url).text.count("INSERT") == 2
    forged = export.result.signed_url.replace("sig=", "sig=0")
    assert httpx.get(forged).status_code == 403


def test_import_flow_init_upload_ingest_poll(cf: Cloudflare, database) -> None:
    sql = b"PRAGMA defer_foreign_keys=TRUE;\nCREATE TABLE t (x);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\n"
    etag = hashlib.md5(sql).hexdigest()
    init = cf.d1.database.import_(database.uuid, account_id=ACCOUNT, action="init", etag=etag)
    assert init.upload_url and init.filename
    uploaded = httpx.put(init.upload_url, content=sql)
    assert uploaded.status_code == 200 and uploaded.headers["etag"] == f'"{etag}"'
    ingest = cf.d1.database.import_(database.uuid, account_id=ACCOUNT, action="ingest", etag=etag,
                                    filename=init.filename)
    assert (ingest.success, ingest.status, ingest.result.num_queries) == (True, "complete", 4)
    assert ingest.result.meta.changes == 2 and ingest.result.final_bookmark
    poll = cf.d1.database.import_(database.uuid, account_id=ACCOUNT, action="poll", current_bookmark=ingest.at_bookmark)
    assert poll.status == "complete" and poll.result.num_queries == 4
    rows = list(cf.d1.database.query(database.uuid, account_id=ACCOUNT, sql="SELECT sum(x) AS s FROM t"))
    assert rows[0].results == [{"s": 3}]


def test_import_errors_roll_back_and_report(cf: Cloudflare, database) -> None:
    sql = b"CREATE TABLE t (x);\nBEGIN TRANSACTION;\nINSERT INTO t VALUES (1);\n"
    etag = hashlib.md5(sql).hexdigest()
    init = cf.d1.database.import_(database.uuid, account_id=ACCOUNT, action="init", etag=etag)
    httpx.put(init.upload_url, content=sql)
    failed = cf.d1.database.import_(database.uuid, account_id=ACCOUNT, action="ingest", etag=etag,
                                    filename=init.filename)
    assert (failed.success, failed.status) == (False, "error")
    assert failed.error.startswith("To execute a transaction, please use")
    with pytest.raises(cloudflare.BadRequestError):
        cf.d1.database.query(database.uuid, account_id=ACCOUNT, sql="SELECT * FROM t")


def test_time_travel_restores_bookmarks_lumadb_issued(cf: Cloudflare, database) -> None:
    cf.d1.database.query(database.uuid, account_id=ACCOUNT, sql="CREATE TABLE t (x); INSERT INTO t VALUES (1)")
    mark = cf.d1.database.time_travel.get_bookmark(database.uuid, account_id=ACCOUNT).bookmark
    assert cf.d1.database.time_travel.get_bookmark(database.uuid, account_id=ACCOUNT).bookmark == mark
    cf.d1.database.query(database.uuid, account_id=ACCOUNT, sql="INSERT INTO t VALUES (2); CREATE TABLE later (y)")
    restored = cf.d1.database.time_travel.restore(database.uuid, account_id=ACCOUNT, bookmark=mark)
    assert restored.previous_bookmark > mark and restored.bookmark > restored.previous_bookmark
    rows = list(cf.d1.database.query(database.uuid, account_id=ACCOUNT, sql="SELECT group_concat(x) AS xs FROM t"))
    assert rows[0].results == [{"xs": "1"}]
    with pytest.raises(cloudflare.BadRequestError):
        cf.d1.database.query(database.uuid, account_id=ACCOUNT, sql="SELECT * FROM later")
    undo = cf.d1.database.time_travel.restore(database.uuid, account_id=ACCOUNT, bookmark=restored.previous_bookmark)
    assert undo.bookmark
    rows = list(cf.d1.database.query(database.uuid, account_id=ACCOUNT, sql="SELECT group_concat(x) AS xs FROM t"))
    assert rows[0].results == [{"xs": "1,2"}]
    by_time = cf.d1.database.time_travel.get_bookmark(database.uuid, account_id=ACCOUNT, timestamp="2099-01-01T00:00:00Z")
    assert by_time.bookmark


def test_time_travel_refuses_bookmarks_it_never_issued(cf: Cloudflare, database) -> None:
    with pytest.raises(cloudflare.BadRequestError) as unknown:
        cf.d1.database.time_travel.restore(database.uuid, account_id=ACCOUNT,
                                           bookmark="00000001-00000002-00000003-" + "0" * 32)
    assert unknown.value.body["errors"][0]["code"] == 7400
    with pytest.raises(cloudflare.BadRequestError):
        cf.d1.database.time_travel.get_bookmark(database.uuid, account_id=ACCOUNT, timestamp="2001-01-01T00:00:00Z")


def test_graphql_answers_wrangler_info(server: LumaServer) -> None:
    reply = httpx.post(server.url + "/client/v4/graphql", json={"query": "query { viewer { accounts } }"})
    assert reply.json() == {"data": {"viewer": {"accounts": [{"d1AnalyticsAdaptiveGroups": []}]}}, "errors": None}


def test_a_server_with_api_tokens_takes_requests_with_one(start_server: Any, unique_name: str) -> None:
    """`lumadb serve --d1-api-token T`: the SDK's Bearer token (or the legacy X-Auth-Key) is
    checked; a missing or unknown one gets Cloudflare's 403 `Authentication error` (10000)."""
    srv: LumaServer = start_server("--d1-api-token", "first-token,second-token")
    good = Cloudflare(api_token="second-token", base_url=srv.url + "/client/v4", max_retries=0)
    db = good.d1.database.create(account_id=ACCOUNT, name=unique_name)
    assert [r.results for r in good.d1.database.query(db.uuid, account_id=ACCOUNT, sql="SELECT 1 AS one")] == [
        [{"one": 1}]]
    legacy = Cloudflare(api_key="first-token", api_email="me@example.com", base_url=srv.url + "/client/v4",
                        max_retries=0)
    assert legacy.d1.database.get(db.uuid, account_id=ACCOUNT).name == unique_name
    bad = Cloudflare(api_token="wrong-token", base_url=srv.url + "/client/v4", max_retries=0)
    with pytest.raises(cloudflare.PermissionDeniedError) as refused:
        bad.d1.database.list(account_id=ACCOUNT)
    assert refused.value.status_code == 403
    assert refused.value.body == {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}],
                                  "messages": [], "result": None}
    bare = httpx.get(f"{srv.url}/client/v4/accounts/{ACCOUNT}/d1/database", timeout=30)
    assert (bare.status_code, bare.json()["errors"]) == (403, [{"code": 10000, "message": "Authentication error"}])


def test_a_base_url_without_client_v4_works(server: LumaServer, unique_name: str) -> None:
    """A base URL pasted as the server's root (no `/client/v4`) reaches the same API."""
    root = Cloudflare(api_token="local-token", base_url=server.url, max_retries=0)
    db = root.d1.database.create(account_id=ACCOUNT, name=unique_name)
    assert unique_name in [d.name for d in root.d1.database.list(account_id=ACCOUNT)]
    assert [r.results for r in root.d1.database.query(db.uuid, account_id=ACCOUNT, sql="SELECT 2 AS two")] == [
        [{"two": 2}]]
    root.d1.database.delete(db.uuid, account_id=ACCOUNT)
