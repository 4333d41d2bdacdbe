"""libSQL's vector indexes (`CREATE INDEX i ON t (libsql_vector_idx(column, 'metric=l2'...))`)
and `vector_top_k(index, query, k)`: the ids of the k rows nearest to `query`, nearest first,
as sqld answers them, with its errors.

sqld keeps a DiskANN graph in shadow tables and searches it approximately; here the index is
an ordinary expression index and the search is exact: every row's distance, in libSQL's own
float arithmetic (`vector_distances.measure`). Where sqld's approximate search finds the true nearest
rows, which it did in every comparison made, the answers are the same; among equal distances
sqld's order is random, here it is by id.

A write to an indexed column is checked as sqld checks it, by `libsql_vector_idx` itself,
which SQLite calls to compute the index entry: a value must be a vector of the index's type
and dimensions. SQLite does not say which index calls it, so a value passes when it fits any
vector index of the database with the same options (exact with one index, or several alike).
"""

from __future__ import annotations

import ctypes
import re
import weakref
from typing import Any, NamedTuple

import apsw
import numpy as np

from lumadb.libsql import vector_distances, vectors
from lumadb.sql.split import tokens, unquoted

_PREFIX = "vector index(search): "
_UNKNOWN_INDEX = _PREFIX + "failed to parse vector index parameters"
# a column's declared type as a vector index reads it: FLOAT32(3), F32_BLOB(3), ...
_COLUMN_TYPE = re.compile(r"\s*(FLOAT32|F32_BLOB|FLOAT64|F64_BLOB|FLOAT1BIT|F1BIT_BLOB|FLOAT8|F8_BLOB|FLOAT16|F16_BLOB"
                          r"|FLOATB16|FB16_BLOB)\s*\(\s*(\d+)\s*\)", re.IGNORECASE)  # fmt: skip
_TYPES = {"FLOAT32": vectors.F32, "F32_BLOB": vectors.F32, "FLOAT64": vectors.F64, "F64_BLOB": vectors.F64,
          "FLOAT1BIT": vectors.BIT, "F1BIT_BLOB": vectors.BIT, "FLOAT8": vectors.F8, "F8_BLOB": vectors.F8,
          "FLOAT16": vectors.F16, "F16_BLOB": vectors.F16, "FLOATB16": vectors.BF16, "FB16_BLOB": vectors.BF16}  # fmt: skip
_NAME = r'"(?:[^"]|"")*"|\[[^\]]*\]|`(?:[^`]|``)*`|[A-Za-z_\x80-\uffff][\w$\x80-\uffff]*'
_MARKER = re.compile(rf"libsql_vector_idx\s*\(\s*({_NAME})\s*((?:,\s*'(?:[^']|'')*'\s*)*)\)", re.IGNORECASE)
_OPTION = re.compile(r"'((?:[^']|'')*)'")


class _Index(NamedTuple):
    table: str
    column: str
    kind: int
    dims: int
    metric: str  # "cos" or "l2"
    options: tuple[str, ...]  # as libsql_vector_idx receives them


def install(conn: apsw.Connection) -> None:
    # (apsw's stubs ask for every optional method of a module: this one has the ones it needs)
    conn.create_module("vector_top_k", _Module(), use_bestindex_object=True, eponymous_only=True,  # type: ignore[arg-type]
                       read_only=True)
    conn.create_scalar_function("libsql_vector_idx", _marker(weakref.ref(conn)), -1, deterministic=True)


def _marker(connection: weakref.ref[apsw.Connection]) -> Any:
    def libsql_vector_idx(*arguments: Any) -> Any:
        """As a value, its first argument (sqld's answer); computing an index entry, the check of
        the value written."""
        if not arguments:
            raise apsw.SQLError("wrong number of arguments to function libsql_vector_idx()")
        value, options = arguments[0], arguments[1:]
        conn = connection()
        if value is None or conn is None or not all(isinstance(option, str) for option in options):
            return value
        candidates = _indexes(conn).get(options)
        if candidates:
            check_write(value, candidates)
        return value

    return libsql_vector_idx


def check_write(value: Any, candidates: list[_Index]) -> None:
    """sqld's refusal of a value written to a vector index's column."""
    vector = vectors.parse(value, strict=False)
    if any(vector.dims == index.dims and vector.type == index.kind for index in candidates):
        return
    index = candidates[0]
    if vector.dims != index.dims:
        raise apsw.SQLError(f"vector index(insert): dimensions are different: {vector.dims} != {index.dims}")
    raise apsw.SQLError(f"vector index(insert): vector type differs from column type: {vector.type} != {index.kind}")


# connection -> (schema version, vector indexes by their options)
_known: weakref.WeakKeyDictionary[apsw.Connection, tuple[int, dict[tuple[str, ...], list[_Index]]]] = (
    weakref.WeakKeyDictionary()
)


def _indexes(conn: apsw.Connection) -> dict[tuple[str, ...], list[_Index]]:
    version = conn.execute("PRAGMA schema_version").fetchone()[0]  # type: ignore[index]
    known = _known.get(conn)
    if known is not None and known[0] == version:
        return known[1]
    found: dict[tuple[str, ...], list[_Index]] = {}
    names = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql LIKE '%libsql_vector_idx%' "
                         "ORDER BY name").fetchall()  # fmt: skip
    for (name,) in names:
        try:
            index = _index(conn, str(name))
        except apsw.Error:
            continue
        found.setdefault(index.options, []).append(index)
    _known[conn] = (version, found)
    return found


def _index(conn: apsw.Connection, name: str) -> _Index:
    schema, _, bare = name.rpartition(".")
    if schema and schema.lower() not in ("main", "temp"):
        raise apsw.SQLError(f"{_PREFIX}unknown schema '{schema}'")
    found = conn.execute(
        f"SELECT tbl_name, sql FROM {'temp' if schema.lower() == 'temp' else 'main'}.sqlite_schema "
        "WHERE type = 'index' AND name = ?", (bare,)).fetchone()  # fmt: skip
    marker = _MARKER.search(str(found[1] or "")) if found else None
    if found is None or marker is None:
        raise apsw.SQLError(_UNKNOWN_INDEX)
    table, column = str(found[0]), unquoted(next(tokens(marker.group(1))))
    declared = next((row[2] for row in conn.execute("SELECT cid, name, type FROM pragma_table_xinfo(?)", (table,))
                     if str(row[1]).lower() == column.lower()), None)  # fmt: skip
    typed = _COLUMN_TYPE.match(str(declared or ""))
    if typed is None:
        raise apsw.SQLError(_UNKNOWN_INDEX)
    metric = "cos"
    options = tuple(option.replace("''", "'") for option in _OPTION.findall(marker.group(2)))
    for option in options:
        key, _, value = option.partition("=")
        if key.lower() == "metric":  # a value names the first metric it is a prefix of
            metric = "l2" if value and "l2".startswith(value.lower()) else "cos"
    return _Index(table, column, _TYPES[typed.group(1).upper()], int(typed.group(2)), metric, options)


def quote_name(name: str) -> str:
    """`name` as a double-quoted SQL name."""
    return '"' + name.replace('"', '""') + '"'


def _row_key(conn: apsw.Connection, table: str) -> str:
    """What identifies a row: its rowid, or a WITHOUT ROWID table's primary key."""
    listed = conn.execute("SELECT wr FROM pragma_table_list WHERE name = ?", (table,)).fetchone()
    if not listed or not listed[0]:
        return "_rowid_"
    keys = [row[1] for row in conn.execute("SELECT pk, name FROM pragma_table_xinfo(?) WHERE pk > 0", (table,))]
    if len(keys) != 1:
        raise apsw.SQLError(_UNKNOWN_INDEX)
    return quote_name(str(keys[0]))


def index_of_column(conn: apsw.Connection, table: str, column: str) -> _Index | None:
    """What a vector index on `column` would hold, from its declared type (None: not a vector)."""
    for row in conn.execute("SELECT name, type FROM pragma_table_xinfo(?)", (table,)):
        if str(row[0]).lower() == column.lower():
            typed = _COLUMN_TYPE.match(str(row[1] or ""))
            if typed is not None:
                return _Index(table, column, _TYPES[typed.group(1).upper()], int(typed.group(2)), "cos", ())
    return None


def _k(value: Any) -> int:
    if isinstance(value, int):
        if value < 0:
            raise apsw.SQLError(f"{_PREFIX}third parameter (k) must be a non-negative integer, but negative value were provided")
        return ctypes.c_int32(value).value  # (libSQL keeps it in a C int)
    if isinstance(value, float):
        whole = int(value) if abs(value) < 2**31 else None
        if whole is None or whole != value:
            raise apsw.SQLError(f"{_PREFIX}third parameter (k) must be an integer, but float value were provided")
        return _k(whole)
    raise apsw.SQLError(f"{_PREFIX}third parameter (k) must be an integer, but unexpected type of value were provided")


def search(conn: apsw.Connection, arguments: tuple) -> list[Any]:
    """The ids of the nearest rows, nearest first."""
    if len(arguments) != 3:
        raise apsw.SQLError(f"{_PREFIX}got {len(arguments)} parameters, expected 3")
    name, value, k_value = arguments
    query = vectors.parse(value)
    k = _k(k_value)
    if not isinstance(name, str):
        raise apsw.SQLError(f"{_PREFIX}first parameter (index) must be a string")
    index = _index(conn, name)
    if query.dims != index.dims:
        raise apsw.SQLError(f"{_PREFIX}dimensions are different: {query.dims} != {index.dims}")
    if query.type != index.kind:
        raise apsw.SQLError(f"{_PREFIX}vector type differs from column type: {query.type} != {index.kind}")
    if k <= 0:
        return []
    ids, stored = [], []
    key, column = _row_key(conn, index.table), quote_name(index.column)
    for row_id, item in conn.execute(f"SELECT {key}, {column} FROM {quote_name(index.table)} WHERE {column} IS NOT NULL"):
        try:
            vector = vectors.parse(item)
        except apsw.Error:
            continue  # (sqld refuses such a value when it is written)
        if isinstance(item, str):  # text is indexed as its numbers
            vector = vectors.convert(vector, index.kind)
        if vector.dims == index.dims and vector.type == index.kind:
            ids.append(row_id)
            stored.append(vector)
    distances = _distances(query, stored, index.metric)
    order = sorted(range(len(ids)), key=lambda i: (distances[i] is None, distances[i] or 0.0, ids[i]))
    return [ids[i] for i in order[:k]]


def _distances(query: vectors.Vector, stored: list[vectors.Vector], metric: str) -> list[float | None]:
    """Each stored vector's distance to the query: float32 rows at once (numpy's accumulate adds
    along each row one element at a time, as libSQL's loop does), others one by one."""
    if not stored:
        return []
    if query.type not in (vectors.F32, vectors.F16, vectors.BF16):
        return [vector_distances.measure(vector, query, metric) for vector in stored]
    rows = np.stack([vectors.floats(vector) for vector in stored]).astype(np.float32)
    q = vectors.floats(query).astype(np.float32)
    with np.errstate(all="ignore"):
        if metric == "cos":
            dot = _row_sums(rows * q)
            norms = (_row_sums(rows * rows) * _row_sums(q[np.newaxis, :] * q[np.newaxis, :])[0]).astype(np.float64)
            result = 1.0 - dot.astype(np.float64) / np.sqrt(norms)  # (as vectors._cos_tail)
        else:
            d = rows - q
            result = np.sqrt(_row_sums(d * d).astype(np.float64))
        rounded = result.astype(np.float32).astype(np.float64)
    return [None if x != x else float(x) for x in rounded]


def _row_sums(matrix: Any) -> Any:
    if matrix.shape[1] == 0:
        return np.zeros(matrix.shape[0], dtype=np.float32)
    return np.add.accumulate(matrix, axis=1, dtype=np.float32)[:, -1]


class _Module:
    def Connect(self, conn: apsw.Connection, *_args: Any) -> tuple[str, _Table]:
        return "CREATE TABLE x(idx hidden, vector hidden, k hidden, id)", _Table(conn)

    Create = Connect


class _Table:
    def __init__(self, conn: apsw.Connection) -> None:
        self.conn = conn

    def BestIndexObject(self, info: apsw.IndexInfo) -> bool:
        found: dict[int, int] = {}
        for i in range(info.nConstraint):
            column = info.get_aConstraint_iColumn(i)
            if 0 <= column <= 2 and info.get_aConstraint_op(i) == apsw.SQLITE_INDEX_CONSTRAINT_EQ:
                if not info.get_aConstraint_usable(i):
                    raise apsw.ConstraintError("vector_top_k: plan unusable")
                found[column] = i
        for argument, column in enumerate(sorted(found), start=1):
            info.set_aConstraintUsage_argvIndex(found[column], argument)
            info.set_aConstraintUsage_omit(found[column], True)
        info.idxNum = len(found)
        info.estimatedCost = 1.0 if len(found) == 3 else 1e12
        return True

    def Open(self) -> _Cursor:
        return _Cursor(self.conn)

    def Disconnect(self) -> None:
        pass

    Destroy = Disconnect


class _Cursor:
    def __init__(self, conn: apsw.Connection) -> None:
        self.conn = conn
        self.ids: list[Any] = []
        self.position = 0

    def Filter(self, _count: int, _name: str | None, arguments: tuple) -> None:
        self.ids, self.position = search(self.conn, arguments), 0

    def Eof(self) -> bool:
        return self.position >= len(self.ids)

    def Next(self) -> None:
        self.position += 1

    def Rowid(self) -> int:
        found = self.ids[self.position]
        return found if isinstance(found, int) else self.position + 1

    def Column(self, _number: int) -> Any:
        return self.ids[self.position]  # every column, the hidden ones too, answers the id (as sqld)

    def Close(self) -> None:
        pass
