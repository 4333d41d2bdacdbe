"""The SQL sqld's SQLite has beyond stock SQLite's, replayed against a real sqld and LumaDB
(`lumadb/libsql/sql_functions.py`, `vectors.py`, `vector_search.py`): SQLite's regexp, uuid,
shathree and series extensions, soundex, and libSQL's vectors. Errors differ only in the code
sqld gives SQLite's plain errors (normalised as in test_sqld_conformance)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.libsql.test_sqld_conformance import CLOSE, SQLD, ex, luma, pipe, replay, sqld  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(SQLD is None, reason="sqld binary not found: run scripts/test, or set SQLD_BIN")

CASES: dict[str, list[dict[str, Any]]] = {
    "sqld's extensions": [pipe(*[ex(sql) for sql in [
        "SELECT regexp('a.c', 'abc'), 'abc' REGEXP '^b', regexp(NULL, 'x'), regexp('a', x'61'), regexpi('A', 'a')",
        "SELECT regexp('(', 'x')", "SELECT 'abc' REGEXP '(?i)ABC'", "SELECT regexp('a')",
        "SELECT uuid_str(x'00112233445566778899aabbccddeeff'), length(uuid()), "
        "hex(uuid_blob('00112233-4455-6677-8899-aabbccddeeff')), hex(sha3('abc', 384)), hex(sha3_query('SELECT 1'))",
        "SELECT soundex(''), soundex('Robert'), soundex('Tymczak'), soundex(NULL), soundex(123), soundex('Ünicode'), "
        "soundex(1e20), soundex(x'41'), soundex('nÜc'), soundex('Lloyd')",
        "SELECT * FROM generate_series(1, 10, 3)", "SELECT value FROM generate_series(5) LIMIT 3",
        "SELECT start, stop, step, value, rowid FROM generate_series(10, 1, -3)",
        "SELECT * FROM generate_series(1, 10, -3)", "SELECT * FROM generate_series(1, 3, 0)",
        "SELECT * FROM generate_series(NULL, 3)", "SELECT * FROM generate_series(' 12abc', 1.5e1)",
        "SELECT * FROM generate_series(9223372036854775800, 9223372036854775807, 5)",
        "SELECT value FROM generate_series(1, 20, 4) WHERE value > 4.5 ORDER BY value DESC",
        "SELECT value FROM generate_series(1, 3) WHERE start = 2", "SELECT * FROM generate_series",
        "SELECT value FROM generate_series WHERE value BETWEEN -5 AND -3", "SELECT * FROM generate_series(1, 2, 3, 4)",
        "SELECT (SELECT count(*) FROM generate_series(1, t.x)) FROM (SELECT 3 AS x) AS t",
        "CREATE VIRTUAL TABLE gs USING generate_series",
    ]], CLOSE)],
    # constructors, blob layouts, text parsing, vector_extract's %g and the float32 distances.
    # Left out where sqld reads memory it does not own: vector_extract of a blob whose size
    # does not match its dims, and the padding of a float8 blob (zeros here)
    "vector functions": [pipe(*[ex(sql) for sql in [
        "SELECT hex(vector32('[1,2]')), hex(vector('[]')), hex(vector64('[1,2]')), hex(vector64('[]')), hex(vector16('[1,2]')), hex(vector16('[]')), hex(vectorb16('[1,2]')), hex(vectorb16('[]'))",
        "SELECT hex(vector8('[]')), hex(vector8('[1,2,3,4]'))",
        "SELECT hex(vector1bit('[1,-2]')), hex(vector1bit('[0.1,0,-0.3,1,-1,0,0,0,1]')), hex(vector1bit('[]')), hex(vector1bit('[1,1,1,1,1,1,1,1]')), hex(vector1bit('[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]')), hex(vector1bit('[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]'))",
        'SELECT vector(NULL)',
        'SELECT vector(1)',
        'SELECT vector(1.5)',
        'SELECT vector_extract(NULL)',
        "SELECT vector_distance_cos(NULL, '[1]')",
        "SELECT hex(vector('  [ 1 , 2 ]  ')), hex(vector('[ ]')), hex(vector('[1 2]')), vector_extract('[1 000, - 2, 1e 3, 1 . 5]')",
        "SELECT hex(vector('[1e3,-0,1.5E-2,+4,.5,5.]')), hex(vector('[00012]')), hex(vector('[1e400]')), hex(vector('[-1e400]')), hex(vector('[1e39]'))",
        "SELECT vector('[1,2,]')",
        "SELECT vector('[,1]')",
        "SELECT vector('[1,,2]')",
        "SELECT vector('[nan]')",
        "SELECT vector('[0x10]')",
        "SELECT vector('[.]')",
        "SELECT vector('[1e+]')",
        "SELECT vector('[1,2,3x]')",
        "SELECT vector('[ 1 , a b ]')",
        "SELECT vector('[[1]]')",
        "SELECT vector('1,2]')",
        "SELECT vector('')",
        "SELECT vector('[1,2')",
        "SELECT vector('[1'||char(0)||'2]')",
        "SELECT vector('[1,2] x')",
        "SELECT vector('[1]]')",
        "SELECT vector_extract(x'0000803f01'), vector_extract(x'003c05'), vector_extract(x'803f06'), vector_extract(x'010e03'), vector_extract(x'00000004'), vector_extract(x'0000000000000000000004'), vector_extract(x''), vector_extract(x'01'), vector_extract(x'02'), vector_extract(x'0000')",
        "SELECT vector_extract(x'0000000000000000000002')",
        "SELECT vector_extract(x'00')",
        "SELECT vector_extract(x'000007')",
        "SELECT vector_extract(x'03')",
        "SELECT vector_extract(x'04')",
        "SELECT vector_extract(x'000005')",
        "SELECT vector_extract(x'000006')",
        "SELECT vector(x'0102')",
        "SELECT vector(x'0000803f0001')",
        "SELECT vector_extract(vector('[0.1,1e-7,1e20,123456789,100000,1000000,0.0001,0.00001,-0.5,3.14159265358979,1.5e-45,3.4028235e38,2.5,0.000123456789]'))",
        "SELECT vector_extract(vector64('[0.1,1e-7,1e20,123456789,100000,1000000,0.0001,0.00001,-0.5,3.14159265358979,1.5e-45,3.4028235e38,2.5,0.000123456789]'))",
        "SELECT vector_extract(vector64('[1e-300,5e-324,1.7976931348623157e308,-0,999999.5,9999995,0.1234565,1234565]'))",
        "SELECT vector_extract(vector('[999999.5,9999995,0.1234565,1234565,-1e-10, 65504, 7]'))",
        "SELECT vector_extract(vector('[1e400,-1e400,1e39]')), vector_extract(vector64('[1e400,-1e400,1e39]'))",
        "SELECT vector_extract(x'0000c07f'), vector_extract(x'0000c0ff'), vector_extract(x'000000000000f87f02')",
        "SELECT vector_extract(vector16('[0.1,1e-7,65504,70000,-2,1e-5,0.333]')), hex(vector16('[0.1,1e-7,65504,70000,-2,1e-5,0.333]'))",
        "SELECT vector_extract(vectorb16('[0.1,1e-7,65504,70000,-2,1e-5,0.333,1e38]')), hex(vectorb16('[0.1,1e-7,65504,70000,-2,1e-5,0.333,1e38]'))",
        "SELECT vector_extract(vector8('[0.1,0.2,0.3,1,-1]')), hex(substr(vector8('[0.1,0.2,0.3,1,-1]'), 1, 5)), "
        "hex(substr(vector8('[0.1,0.2,0.3,1,-1]'), 9))",
        "SELECT vector_extract(vector1bit('[0.1,0,-0.3,1,-1,0,0,0,1]')), vector_extract('[1.1, 2]'), vector_extract('  [1.1, 2]  ')",
        "SELECT hex(vector1bit(x'ff0e03')), hex(vector64(vector('[1.1,2]'))), hex(vector(vector64('[1.1,2]')))",
        "SELECT vector_distance_cos(vector32('[1,2,3]'), vector32('[1,2,4]')), vector_distance_cos(vector64('[1,2,3]'), vector64('[1,2,4]')), vector_distance_cos(vector16('[1,2,3]'), vector16('[1,2,4]')), vector_distance_cos(vectorb16('[1,2,3]'), vectorb16('[1,2,4]'))",
        "SELECT vector_distance_cos(vector8('[1,2,3]'), vector8('[1,2,4]')), vector_distance_l2(vector32('[1,2,3]'), vector32('[1,2,4]')), vector_distance_l2(vector32('[1,2,3]'), vector32('[1.5,2,4]'))",
        "SELECT vector_distance_l2(vector64('[0.1,0.2]'), vector64('[0.3,0.4]')), vector_distance_l2(vector32('[0.1,0.2]'), vector32('[0.3,0.4]')), vector_distance_cos('[0.1,0.2,0.3]','[0.1,0.2,0.3]')",
        "SELECT vector_distance_cos('[1,1]','[-1,-1]'), vector_distance_cos('[1,0]','[0,1]'), vector_distance_cos('[3,4]','[4,3]'), vector_distance_cos(vector64('[3,4]'),vector64('[4,3]'))",
        "SELECT vector_distance_l2(vector16('[1,2,3]'), vector16('[1,2,4.1]')), vector_distance_l2(vectorb16('[1,2,3]'), vectorb16('[1,2,4.1]')), vector_distance_l2(vector8('[1,2,3]'), vector8('[1,2,4.1]'))",
        "SELECT vector_distance_cos(vector1bit('[1,-1]'), vector1bit('[-1,1]')), vector_distance_cos(x'ff0e03', x'000e03')",
        "SELECT vector_distance_cos('[0,0]','[0,0]'), vector_distance_l2('[0,0]','[0,0]'), vector_distance_cos('[]','[]'), vector_distance_l2('[]','[]'), vector_distance_cos('[1e20,1e20]','[1e20,1e20]'), vector_distance_l2('[1e20]','[-1e20]')",
        "SELECT vector_distance_cos('[1,2]', vector64('[1,2]'))",
        "SELECT vector_distance_cos('[1,2]','[1,2,3]')",
        "SELECT vector_distance_cos('[1,2]','garbage,')",
        "SELECT vector_distance_cos('[1,x]','[1,2,3]')",
        "SELECT vector_distance_l2(vector1bit('[1]'), vector1bit('[1]'))",
        "SELECT vector_distance_cos('[1,2]','[1,x]')",
        "SELECT vector_distance_cos(vector8('[0.5,-3,2.25,7]'), vector8('[1,1,-2,0.125]')), vector_distance_l2(vector8('[0.5,-3,2.25,7]'), vector8('[1,1,-2,0.125]'))",
        "SELECT vector_distance_cos(vector32('[0.5,-3,2.25,7,1e-3,12345.678]'), vector32('[1,1,-2,0.125,9.5,-0.001]')), vector_distance_l2(vector64('[0.5,-3,2.25,7,1e-3,12345.678]'), vector64('[1,1,-2,0.125,9.5,-0.001]'))",
        # float8 norms that round below zero: NaN, so NULL
        "SELECT vector_distance_cos(vector8('[0.1,-153,65520,-0.0017222019149952805,0.0002711374065480133]'), "
        "vector8('[-6.722e18,0.00012752080358550486,-2.806431139980859,-2.0235041215608396,0.1]'))",
        "SELECT libsql_vector_idx(1,2,3), libsql_vector_idx('a','b')",
        'SELECT vector()',
        "SELECT vector_distance_cos('[1]')",
        'SELECT vector_extract(zeroblob(262148))',
        'SELECT length(vector_extract(zeroblob(262144)))',
        "SELECT typeof(vector('[1]')), typeof(vector_extract('[1]')), typeof(vector_distance_l2('[1]','[2]'))",
    ]], CLOSE)],
    # vector indexes and vector_top_k: the nearest rows, nearest first, and every error (no two
    # rows at the same distance: sqld orders those at random)
    "vector search": [pipe(*[ex(sql) for sql in [
        'CREATE TABLE vt1 (id INTEGER PRIMARY KEY, emb F32_BLOB(3), name TEXT)',
        "INSERT INTO vt1 VALUES (1, vector('[1,2,3]'), 'a'), (2, vector('[3,2,1]'), 'b'), (3, vector('[0.5,0.25,1000]'), 'c'), (4, NULL, 'd'), (5, vector('[-1,-2,-3]'), 'e'), (6, '[1,2,3.5]', 'f')",
        'CREATE INDEX vt1_idx ON vt1(libsql_vector_idx(emb))',
        "SELECT * FROM vector_top_k('vt1_idx', vector('[1,2,3]'), 3)",
        "SELECT id FROM vector_top_k('vt1_idx', '[1,2,3]', 10)",
        "SELECT v.id, t.name FROM vector_top_k('vt1_idx', vector32('[3,2,1]'), 2) AS v JOIN vt1 AS t ON t.rowid = v.id",
        "SELECT idx, vector, k, id, rowid FROM vector_top_k('vt1_idx', '[1,2,3]', 2)",
        "SELECT * FROM vector_top_k WHERE idx = 'vt1_idx' AND vector = '[1,0,0]' AND k = 2",
        "SELECT * FROM vector_top_k('vt1_idx', '[1,2,3]', 2.0)",
        "SELECT * FROM vector_top_k('vt1_idx', '[1,2,3]', 2.7)",
        "SELECT * FROM vector_top_k('vt1_idx', '[1,2,3]', -1)",
        "SELECT * FROM vector_top_k('vt1_idx', '[1,2,3]', '3')",
        "SELECT * FROM vector_top_k('vt1_idx', '[1,2,3]', NULL)",
        "SELECT * FROM vector_top_k('vt1_idx', '[1,2,3]', 4294967297)",
        "SELECT * FROM vector_top_k(NULL, '[1,2,3]', 2)",
        "SELECT * FROM vector_top_k(1, '[1,2,3]', 2)",
        "SELECT * FROM vector_top_k('foo.vt1_idx', '[1,2,3]', 2)",
        "SELECT * FROM vector_top_k('main.vt1_idx', '[1,2,3]', 2)",
        "SELECT * FROM vector_top_k('nope', '[1,2,3]', 2)",
        "SELECT * FROM vector_top_k('vt1', '[1,2,3]', 2)",
        "SELECT * FROM vector_top_k('VT1_IDX', '[1,2,3]', 2)",
        "SELECT * FROM vector_top_k('vt1_idx', '[1,2]', 2)",
        "SELECT * FROM vector_top_k('vt1_idx', vector64('[1,2,3]'), 2)",
        "SELECT * FROM vector_top_k('vt1_idx', NULL, 2)",
        "SELECT * FROM vector_top_k('vt1_idx', 'abc', 2)",
        "SELECT * FROM vector_top_k('vt1_idx', '[1,2,3]')",
        "SELECT * FROM vector_top_k('vt1_idx')",
        'SELECT * FROM vector_top_k',
        "SELECT * FROM vector_top_k('vt1_idx', '[1,2,3]', 2, 4)",
        'CREATE TABLE vt2 (id INTEGER PRIMARY KEY, e FLOAT64(2))',
        "CREATE INDEX vt2_idx ON vt2 (libsql_vector_idx(e, 'metric=l2'))",
        "SELECT * FROM vector_top_k('vt2_idx', vector64('[0,0]'), 5)",
        "INSERT INTO vt2 VALUES (10, vector64('[3,4]')), (11, vector64('[1,1]')), (12, vector64('[-5,1]')), (13, vector64('[0.5,0.5]'))",
        "SELECT * FROM vector_top_k('vt2_idx', vector64('[0,0]'), 5)",
        "SELECT * FROM vector_top_k('vt2_idx', vector64('[3,3]'), 2)",
        'DROP INDEX vt1_idx',
        "SELECT * FROM vector_top_k('vt1_idx', '[1,2,3]', 2)",
    ]], CLOSE),
        # a WITHOUT ROWID table's index: sqld's shadow table has rowids, so its INSERT reports
        # last_insert_rowid 3 (LumaDB keeps no shadow table): only the status is compared
        {**pipe(ex("CREATE TABLE w1 (k TEXT PRIMARY KEY, e F32_BLOB(2)) WITHOUT ROWID"),
                ex("CREATE INDEX w1_idx ON w1 (libsql_vector_idx(e, 'metric=cos'))"),
                ex("INSERT INTO w1 VALUES ('a', vector('[1,0]')), ('b', vector('[0,1]')), ('c', vector('[1,1]'))"), CLOSE),
         "compare": ("status",)},
        pipe(ex("SELECT id, typeof(id) FROM vector_top_k('w1_idx', '[1,0.1]', 3)"), CLOSE)],
}


@pytest.mark.parametrize("case", list(CASES))
def test_lumadb_answers_like_sqld(sqld: str, luma: str, case: str) -> None:  # noqa: F811 (fixtures)
    assert replay(luma, CASES[case]) == replay(sqld, CASES[case])
