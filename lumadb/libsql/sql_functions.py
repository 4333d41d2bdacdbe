"""SQL that sqld's SQLite has and stock SQLite lacks, given to every libSQL connection (D1 has
none of it): SQLite's own `regexp`, `uuid` and `shathree` extensions (from the binaries apsw
ships, the same C as sqld builds in), `generate_series` (a port of SQLite 3.45's series.c,
sqld's version), `soundex` (sqld's SQLite is built with SQLITE_SOUNDEX), libSQL's vectors
(`vectors`, `vector_index`), and the extension and math functions of SQLite3 Multiple Ciphers
(`extension_functions`, `math_functions`); and sqld's SQLite version from `sqlite_version()`."""

from __future__ import annotations

import functools
import math
from typing import Any

import apsw
import apsw.sqlite_extra

from lumadb.libsql import extension_functions, math_functions, vector_distances, vector_index, vectors
from lumadb.libsql.sqlite_values import value_int64

# regexp(), regexpi() and the REGEXP operator; uuid(), uuid_str(), uuid_blob(); sha3(), sha3_query()
_EXTENSIONS = ("regexp", "uuid", "shathree")

_START, _STOP, _STEP = 1, 2, 3  # generate_series's hidden columns
_NO_START = 'first argument to "generate_series()" missing or unusable'


def install(conn: apsw.Connection) -> None:
    """Give a libSQL connection the functions and tables above."""
    # (loading through the C API is enabled only while they load: never SQL's load_extension())
    enabled = conn.config(apsw.SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, -1)
    conn.config(apsw.SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1)
    try:
        for name in _EXTENSIONS:
            conn.load_extension(_extension_path(name))
    finally:
        conn.config(apsw.SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, enabled)
    # (apsw's stubs ask for every optional method of a module: this one has the ones it needs)
    conn.create_module("generate_series", _SERIES, use_bestindex_object=True, eponymous_only=True,  # type: ignore[arg-type]
                       read_only=True)
    conn.create_scalar_function("soundex", _soundex, 1, deterministic=True)
    vectors.install(conn)
    vector_distances.install(conn)
    vector_index.install(conn)
    extension_functions.install(conn)
    math_functions.install(conn)
    conn.create_scalar_function("sqlite_version", _sqld_version, 0, deterministic=True)
    conn.create_scalar_function("sqlite_source_id", _sqld_source_id, 0, deterministic=True)


# What sqld's SQLite says it is. LumaDB refuses the SQL newer than that SQLite (older_sqlite.py,
# namespaces.NEWER_FUNCTIONS), so a tool that chooses features by version must be told so.
SQLD_SQLITE_VERSION = "3.45.1"
SQLD_SQLITE_SOURCE_ID = "2024-01-30 16:01:20 e876e51a0ed5c5b3126f52e532044363a014bc594cfefa87ffb5b82257ccalt1"


def _sqld_version(*_: Any) -> str:
    return SQLD_SQLITE_VERSION


def _sqld_source_id(*_: Any) -> str:
    return SQLD_SQLITE_SOURCE_ID


@functools.cache
def _extension_path(name: str) -> str:
    """Where apsw keeps the extension's binary. `apsw.sqlite_extra.load` finds it again on every
    call, reading and parsing its JSON index each time: ~60% of a libSQL connection's opening
    (~400-900 µs), which every batch and interactive stream pays."""
    return str(apsw.sqlite_extra.path(name))


# -- soundex (SQLite's func.c) -------------------------------------------------------------

# The code of each ASCII letter; every other byte (taken modulo 128, as SQLite does) is 0.
_CODES = bytearray(128)
for _letters, _code in (("BFPV", 1), ("CGJKQSXZ", 2), ("DT", 3), ("L", 4), ("MN", 5), ("R", 6)):
    for _letter in _letters:
        _CODES[ord(_letter)] = _CODES[ord(_letter.lower())] = _code


def _soundex(*arguments: Any) -> str:
    value = arguments[0]
    if value is None:
        return "?000"
    # (a real's text holds letters only in "e" and "Inf", the same in Python's repr)
    text = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")
    i = 0
    while i < len(text) and not (65 <= text[i] <= 90 or 97 <= text[i] <= 122):
        i += 1
    if i == len(text):
        return "?000"
    result = [chr(text[i]).upper()]
    previous = _CODES[text[i] & 0x7F]
    while len(result) < 4 and i < len(text):
        code = _CODES[text[i] & 0x7F]
        if code == 0:
            previous = 0
        elif code != previous:
            previous = code
            result.append(str(code))
        i += 1
    return "".join(result).ljust(4, "0")


# -- generate_series (SQLite 3.45's series.c) ----------------------------------------------


_VALUE_OPS = {
    apsw.SQLITE_INDEX_CONSTRAINT_EQ: "=",
    apsw.SQLITE_INDEX_CONSTRAINT_GE: "g",
    apsw.SQLITE_INDEX_CONSTRAINT_GT: ">",
    apsw.SQLITE_INDEX_CONSTRAINT_LE: "l",
    apsw.SQLITE_INDEX_CONSTRAINT_LT: "<",
}


def _index_range(operator: str, bound: Any, start: int, step: int) -> tuple[int, int]:
    """The indexes i whose member start + i*step can meet `value <operator> bound`: a range
    that may be too wide (SQLite tests every row), never too narrow."""
    everything = (0, 2**64)
    if isinstance(bound, bool) or not isinstance(bound, (int, float)) or bound != bound:
        return everything  # text, blobs and NULL compare by SQLite's rules: let it test them
    if bound == math.inf:
        return (1, 0) if operator in "=g>" else everything
    if bound == -math.inf:
        return (1, 0) if operator in "=l<" else everything
    # the least and greatest integer members may take
    least = math.ceil(bound) if operator in "=g" else math.floor(bound) + 1 if operator == ">" else None
    most = math.floor(bound) if operator in "=l" else math.ceil(bound) - 1 if operator == "<" else None
    low, high = 0, 2**64
    if step > 0:  # members rise: least bounds the first index, most the last
        if least is not None:
            low = -((start - least) // step)
        if most is not None:
            high = (most - start) // step
    else:  # members fall: most bounds the first index, least the last
        if most is not None:
            low = -((most - start) // -step)
        if least is not None:
            high = (start - least) // -step
    return max(low, 0), high


class _Series:
    """The module: one eponymous table, `generate_series(value, start HIDDEN, stop HIDDEN, step HIDDEN)`."""

    def Connect(self, _conn: apsw.Connection, _module: str, _db: str, _table: str, *_args: Any) -> tuple[str, _SeriesTable]:
        return "CREATE TABLE x(value,start hidden,stop hidden,step hidden)", _SeriesTable()

    Create = Connect


class _SeriesTable:
    def BestIndexObject(self, info: apsw.IndexInfo) -> bool:
        found: dict[int, int] = {}  # hidden column -> constraint
        bounds: list[tuple[int, str]] = []  # (constraint, operator) on the value column
        unusable = 0
        start_seen = False
        for i in range(info.nConstraint):
            column, op = info.get_aConstraint_iColumn(i), info.get_aConstraint_op(i)
            if column < _START:
                if column == 0 and op in _VALUE_OPS and info.get_aConstraint_usable(i):
                    bounds.append((i, _VALUE_OPS[op]))
                continue
            equal = op == apsw.SQLITE_INDEX_CONSTRAINT_EQ
            if column == _START and equal:
                start_seen = True
            if not info.get_aConstraint_usable(i):
                unusable |= 1 << (column - _START)
            elif equal:
                found[column] = i
        arguments = 0
        mask = 0
        for column in (_START, _STOP, _STEP):
            if column in found:
                arguments += 1
                mask |= 1 << (column - _START)
                info.set_aConstraintUsage_argvIndex(found[column], arguments)
                info.set_aConstraintUsage_omit(found[column], True)
        if not start_seen:
            raise apsw.SQLError(_NO_START)
        if unusable & ~mask:
            raise apsw.ConstraintError("generate_series: plan unusable")
        # Bounds on the value only shorten the walk (SQLite still tests them on every row):
        # sqld's series.c ignores them, and `generate_series(10) WHERE value < 13` would
        # otherwise count to 4294967295 here.
        for i, _ in bounds:
            arguments += 1
            info.set_aConstraintUsage_argvIndex(i, arguments)
        info.idxStr = "".join(operator for _, operator in bounds)
        if mask & 3 == 3:
            info.estimatedCost = 2.0 - (1 if mask & 4 else 0)
            info.estimatedRows = 1000
        else:
            info.estimatedRows = 2147483647
        info.idxNum = mask
        return True

    def Open(self) -> _SeriesCursor:
        return _SeriesCursor()

    def Disconnect(self) -> None:
        pass

    Destroy = Disconnect


class _SeriesCursor:
    __slots__ = ("index", "last", "start", "step", "stop", "value")

    def Filter(self, mask: int, operators: str | None, arguments: tuple) -> None:
        given = iter(arguments)
        start = value_int64(next(given)) if mask & 1 else 0
        stop = value_int64(next(given)) if mask & 2 else 0xFFFFFFFF
        step = value_int64(next(given)) if mask & 4 else 1
        if step == 0:
            step = 1
        self.start, self.stop, self.step = start, stop, step
        if any(argument is None for argument in arguments[: mask.bit_count()]):
            last = -1  # a NULL argument: no rows
        elif step > 0:
            last = (stop - start) // step if stop >= start else -1
        else:
            last = (start - stop) // -step if start >= stop else -1
        first = 0
        for operator, bound in zip(operators or "", given, strict=True):
            low, high = _index_range(operator, bound, start, step)
            first, last = max(first, low), min(last, high)
        self.index, self.last = first, last
        self.value = start + first * step

    def Eof(self) -> bool:
        return self.index > self.last

    def Next(self) -> None:
        self.index += 1
        self.value += self.step

    def Rowid(self) -> int:
        return self.index + 1

    def Column(self, number: int) -> int:
        if number == _START:
            return self.start
        if number == _STOP:
            return self.stop
        if number == _STEP:
            return self.step
        return self.value  # the value, or the rowid (-1)

    def Close(self) -> None:
        pass


_SERIES = _Series()
