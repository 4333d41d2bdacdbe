"""Text that is not valid UTF-8, through the binding protocol: reads give U+FFFD for each
invalid sequence, as workerd's D1 does (Miniflare: `["\ufffd"]`), instead of failing; a
parameter holding a lone UTF-16 surrogate (a JavaScript string cut inside an emoji) is bound."""

from __future__ import annotations

from tests.d1.conftest import D1Http


def test_invalid_text_reads_with_replacement_characters(d1: D1Http, db_name: str) -> None:
    assert d1.run(db_name, "SELECT CAST(x'FF' AS TEXT) AS a, 1 AS b")["results"] == {
        "columns": ["a", "b"],
        "rows": [["\ufffd", 1]],
    }
    d1.run(db_name, "CREATE TABLE t (v)")
    d1.run(db_name, "INSERT INTO t VALUES (CAST(x'ff61' AS TEXT)), ('ok'), (char(55296))")
    read = d1.run(db_name, "SELECT v, hex(v) AS h FROM t ORDER BY rowid")
    assert read["results"]["rows"] == [["\ufffda", "FF61"], ["ok", "6F6B"], ["\ufffd\ufffd\ufffd", "EDA080"]]
    assert read["meta"]["rows_read"] == 3
    # a write whose RETURNING cannot be read is refused as a whole; nothing is left behind
    refused = d1.run(db_name, "INSERT INTO t VALUES (CAST(x'ff62' AS TEXT)) RETURNING v")
    assert refused["success"] is False and "invalid utf-8 sequence" in refused["error"]
    assert d1.run(db_name, "SELECT count(*) AS n FROM t")["results"]["rows"] == [[3]]


def test_a_lone_surrogate_parameter_is_bound(d1: D1Http, db_name: str) -> None:
    body = b'{"sql": "SELECT ? AS a, length(?1) AS n", "params": ["x\\ud800y"]}'
    reply = d1.client.post("/query?resultsFormat=ROWS_AND_COLUMNS", content=body,
                           headers={"x-lumadb-database": db_name})  # fmt: skip
    assert reply.status_code == 200, reply.text
    assert reply.json()[0]["results"]["rows"] == [["x\ufffdy", 3]]
