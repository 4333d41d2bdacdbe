"""sqld's math functions. Its SQLite is built without SQLite's own (SQLITE_ENABLE_MATH_FUNCTIONS):
they come from the extension functions of SQLite3 Multiple Ciphers, which answer otherwise
than SQLite's: `log(x)` is the natural logarithm and takes one argument, `ceil` and `floor`
give integers, and a result the C library flags (`errno`) is an error, `Numerical argument out
of domain` for `sqrt(-1)` or `acos(2)`, `Numerical result out of range` for `log(0)` or
`exp(1000)`, where SQLite answers NULL or infinity. They call the C library here too (through
ctypes, which keeps `errno`), so the values and the errors are the same to the bit.

The names stock SQLite has replace its functions on libSQL connections, flagged deterministic
as SQLite's are (a database may use them in an index or a generated column); the others (`cot`,
`coth`, `atn2`) are not, as on sqld."""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import os
from collections.abc import Callable
from typing import Any

import apsw

from lumadb.libsql.sqlite_values import value_double

_libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6", use_errno=True)
_INT64_MIN = -(2**63)


def _c(name: str, arguments: int = 1) -> Callable[..., float]:
    function = getattr(_libm, name)
    function.restype = ctypes.c_double
    function.argtypes = [ctypes.c_double] * arguments
    return function


def _checked(compute: Callable[[float], float], errno: bool = True) -> Callable[..., float | None]:
    """A function of one number: NULL for NULL, the C library's errno an error (`errno` False:
    sqld's sin, cos and tan of an infinity answer NULL, not glibc's domain error)."""

    def call(*arguments: Any) -> float | None:
        value = arguments[0]
        if value is None:
            return None
        ctypes.set_errno(0)
        result = compute(value_double(value))
        failed = ctypes.get_errno() if errno else 0
        if failed:
            raise apsw.SQLError(os.strerror(failed))
        return None if result != result else result  # (SQLite stores NaN as NULL)

    return call


_tan, _tanh, _log = _c("tan"), _c("tanh"), _c("log")
_M_PI = 3.14159265358979323846


def _cot(x: float) -> float:
    t = _tan(x)
    return math.copysign(math.inf, t) if t == 0 else 1.0 / t


def _coth(x: float) -> float:
    t = _tanh(x)
    return math.copysign(math.inf, t) if t == 0 else 1.0 / t


def _power(*arguments: Any) -> float | None:
    if arguments[0] is None or arguments[1] is None:
        return None
    ctypes.set_errno(0)
    result = _pow(value_double(arguments[0]), value_double(arguments[1]))
    failed = ctypes.get_errno()
    if failed:
        raise apsw.SQLError(os.strerror(failed))
    return None if result != result else result


def _atan2(*arguments: Any) -> float | None:
    """atn2 and atan2: no errno check (the C does none)."""
    if arguments[0] is None or arguments[1] is None:
        return None
    result = _atan2_c(value_double(arguments[0]), value_double(arguments[1]))
    return None if result != result else result


def _rounded(direction: Callable[[float], float]) -> Callable[..., int | None]:
    """ceil/floor: an integer stays itself, anything else the C cast of the rounded double (which
    gives INT64_MIN on x86-64 for what int64 cannot hold)."""

    def call(*arguments: Any) -> int | None:
        value = arguments[0]
        if value is None or isinstance(value, int):
            return value
        rounded = direction(value_double(value))
        return int(rounded) if math.isfinite(rounded) and -(2.0**63) <= rounded < 2.0**63 else _INT64_MIN

    return call


def _pi(*_: Any) -> float:
    return _M_PI


_pow, _atan2_c, _ceil, _floor = _c("pow", 2), _c("atan2", 2), _c("ceil"), _c("floor")

# (name, function, arguments, deterministic): stock SQLite's names first
_FUNCTIONS: list[tuple[str, Callable[..., Any], int, bool]] = [
    *((name, _checked(_c(name)), 1, True) for name in
      ("acos", "asin", "atan", "acosh", "asinh", "atanh", "cosh", "sinh", "tanh", "exp", "log10", "sqrt")),
    *((name, _checked(_c(name), errno=False), 1, True) for name in ("cos", "sin", "tan")),
    ("log", _checked(_log), 1, True),
    ("ln", _checked(_log), 1, True),
    ("degrees", _checked(lambda x: 180.0 * x / _M_PI), 1, True),
    ("radians", _checked(lambda x: x * _M_PI / 180.0), 1, True),
    ("power", _power, 2, True),
    ("atan2", _atan2, 2, True),
    ("ceil", _rounded(_ceil), 1, True),
    ("ceiling", _rounded(_ceil), 1, True),
    ("floor", _rounded(_floor), 1, True),
    ("pi", _pi, 0, True),
    ("cot", _checked(_cot, errno=False), 1, False),
    ("coth", _checked(_coth), 1, False),
    ("atn2", _atan2, 2, False),
]  # fmt: skip


def install(conn: apsw.Connection) -> None:
    for name, function, arguments, deterministic in _FUNCTIONS:
        conn.create_scalar_function(name, function, arguments, deterministic=deterministic)
