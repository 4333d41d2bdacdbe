"""sqld's "extension functions" (extensionfunctions.c, compiled into its SQLite3 Multiple
Ciphers) that stock SQLite lacks: string functions (`leftstr`, `padl`, `charindex`...), `square`,
`difference`, and the aggregates `stdev`, `variance`, `mode`, `median`
(over SQLite's own) and the quartiles. Like the C, they read a value's text as bytes up to its
first NUL and keep its quirks (`mode` keeps an integer's low 32 bits): sqld's answers rule."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import apsw

from lumadb.libsql.sqlite_values import (
    value_bytes,
    value_double,
    value_int32,
    value_int64,
    value_numeric,
    value_text,
    wrap,
)
from lumadb.sql.text import InvalidText

_MAX_LENGTH = 1_000_000_000  # SQLITE_MAX_LENGTH: longer results are refused, as SQLite would
_MAX_ALLOCATION = 0x7FFFFF00  # sqlite3_malloc refuses more (and its int argument wraps past 2**31)
_CHAR = re.compile(rb"[\x00-\xff][\x80-\xbf]*")  # sqliteNextChar: a byte and the continuation bytes after it
_SQLITE_CHAR = re.compile(rb"[\xc0-\xff][\x80-\xbf]*|[\x00-\xbf]")  # SQLite's own count of characters (the pads')


def install(conn: apsw.Connection) -> None:
    """Give a libSQL connection the functions above. Not flagged deterministic: sqld registers
    them without the flag, so neither allows them in indexes or generated columns."""
    for name, function, narg in _SCALARS:
        conn.create_scalar_function(name, function, narg)
    for name, factory in _AGGREGATES:
        conn.create_aggregate_function(name, factory, 1)


def _result(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:  # (from a blob's bytes) sqld cannot send such text either
        raise apsw.SQLError(InvalidText(exc).message) from None


def _error(kind: type[apsw.Error], message: str, code: int) -> apsw.Error:
    """An error whose result code reaches the client (apsw re-raises a function's own exception)."""
    error = kind(message)
    error.result = error.extendedresult = code  # type: ignore[attr-defined]
    return error


def _check_size(buffer: int, size: int) -> None:
    """Refuse as sqld does a result C writes into `buffer` bytes and ends after `size`: past
    what sqlite3_malloc gives, out of memory; past SQLite's limit, too big."""
    if buffer + 1 > _MAX_ALLOCATION:
        raise _error(apsw.NoMemError, "out of memory", apsw.SQLITE_NOMEM)
    if size > _MAX_LENGTH:
        raise _error(apsw.TooBigError, "string or blob too big", apsw.SQLITE_TOOBIG)


# -- characters ------------------------------------------------------------------------------

_EXTRA = bytes([0] * 128 + [4] * 64 + [1] * 32 + [2] * 16 + [3] * 8 + [4] * 8)  # bytes after a lead byte
_OFFSET = (0, 0x3080, 0xE2080, 0x3C82080)  # the lead and continuation marks' share of the sum
_OVERLONG = (0, -0x80, -0x800, -0x10000)  # as C's int masks: no bit set means overlong
_AS_FFFD = {0xFFFE: 0xFFFD, 0xFFFF: 0xFFFD}


def _code(data: bytes, i: int) -> int:
    """The character value C reads at `data[i]` (0xFFFD for what it deems invalid): it takes
    the lead byte's count of following bytes whatever they are (bytes past the end read 0)."""
    code = data[i]
    extra = _EXTRA[code]
    if extra == 4:
        return 0xFFFD
    for k in range(1, extra + 1):
        code = (code << 6) + (data[i + k] if i + k < len(data) else 0)
    if extra:
        code -= _OFFSET[extra]
        if not _OVERLONG[extra] & code or code & 0xFFFFF800 == 0xD800 or code & 0xFFFFFFFE == 0xFFFE:
            return 0xFFFD
    return code


def _compared(*texts: bytes) -> list[str]:
    """Each text as one Python character per C character, equal where C finds the characters'
    values equal: in UTF-8, U+FFFE and U+FFFF read as U+FFFD; otherwise values get their own."""
    try:
        return [text.decode("utf-8").translate(_AS_FFFD) for text in texts]
    except UnicodeDecodeError:
        ids: dict[int, int] = {}
        return ["".join(chr(ids.setdefault(_code(text, m.start()), len(ids))) for m in _CHAR.finditer(text)) for text in texts]


# -- scalar functions ------------------------------------------------------------------------


def _square(value: Any) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, int):
        return wrap(value * value, 64)
    x = value_double(value)
    return x * x


_SOUNDEX = bytearray(128)
for _letters, _digit in (("BFPV", b"1"), ("CGJKQSXZ", b"2"), ("DT", b"3"), ("L", b"4"), ("MN", b"5"), ("R", b"6")):
    for _letter in _letters + _letters.lower():
        _SOUNDEX[ord(_letter)] = _digit[0]


def _soundex(data: bytes) -> bytes:
    """This file's soundex, unlike SQLite's: it codes the first letter too and keeps repeats."""
    start = next((i for i, byte in enumerate(data) if 65 <= byte <= 90 or 97 <= byte <= 122), None)
    if start is None:
        return b"?000"
    codes = (_SOUNDEX[byte & 0x7F] for byte in data[start:])
    return (bytes([data[start] & ~0x20]) + bytes(code for code in codes if code)[:3]).ljust(4, b"0")


def _difference(a: Any, b: Any) -> int | None:
    if a is None or b is None:
        return None
    return sum(x == y for x, y in zip(_soundex(value_text(a)), _soundex(value_text(b)), strict=True))


def _replicate(value: Any, count: Any) -> str | None:
    if value is None:
        return None
    times = value_int64(count)
    if times < 0:
        raise apsw.SQLError("domain error")
    whole = value_bytes(value)
    text, nul, _ = whole.partition(b"\0")
    # (C copies the whole value each time, and its result ends at the first copy's NUL)
    _check_size(len(whole) * times, len(text) if nul and times else len(text) * times)
    return _result(text if nul and times else text * times)


def _proper(value: Any) -> str | None:
    if value is None:
        return None
    out = bytearray(value_text(value))
    word_start = True
    for i, byte in enumerate(out):
        if byte in b" \t":  # isblank
            word_start = True
            continue
        if word_start and 97 <= byte <= 122:
            out[i] = byte - 32
        elif not word_start and 65 <= byte <= 90:
            out[i] = byte + 32
        word_start = False
    return _result(bytes(out))


def _pad(where: str) -> Callable[[Any, Any], str | None]:
    def pad(value: Any, length: Any) -> str | None:
        if value is None:
            return None
        text, width = value_text(value), value_int64(length)
        if width < 0:
            raise apsw.SQLError("domain error")
        missing = width - len(_SQLITE_CHAR.findall(text))
        if missing <= 0:
            return _result(text)
        _check_size(len(text) + missing, len(text) + missing)
        left = 0 if where == "r" else missing if where == "l" else missing // 2
        return _result(b" " * left + text + b" " * (missing - left))

    return pad


def _strfilter(value: Any, keep: Any) -> str | None:
    if value is None or keep is None:
        return None
    text, wanted = value_text(value), value_text(keep)
    text_keys, wanted_keys = _compared(text, wanted)
    kept: dict[str, bytes] = {}  # C copies the first matching character of `keep`
    for key, char in zip(wanted_keys, _CHAR.findall(wanted), strict=True):
        kept.setdefault(key, char)
    return _result(b"".join(kept[key] for key in text_keys if key in kept))


def _charindex(needle: Any, haystack: Any, start: Any = 1) -> int | None:
    """1 + the character index of `needle` in `haystack` at or after character `start`, or 0."""
    if needle is None or haystack is None:
        return None
    wanted, text = _compared(value_text(needle), value_text(haystack))
    if not wanted:
        return 0
    return text.find(wanted, max(0, wrap(value_int32(start) - 1, 32))) + 1


def _leftstr(value: Any, length: Any) -> str | None:
    if value is None or length is None:
        return None
    return _result(b"".join(_CHAR.findall(value_text(value))[: max(0, value_int32(length))]))


def _rightstr(value: Any, length: Any) -> str | None:
    if value is None or length is None:
        return None
    chars = _CHAR.findall(value_text(value))
    skip = max(0, wrap(len(chars) - value_int32(length), 32))
    if skip > len(chars):  # C steps past the end of the text and asks for a negative size
        raise _error(apsw.NoMemError, "out of memory", apsw.SQLITE_NOMEM)
    return _result(b"".join(chars[skip:]))


def _reverse(value: Any) -> str | None:
    return None if value is None else _result(b"".join(reversed(_CHAR.findall(value_text(value)))))


_SCALARS: list[tuple[str, Callable[..., Any], int]] = [
    ("charindex", _charindex, 2), ("charindex", _charindex, 3), ("difference", _difference, 2), ("leftstr", _leftstr, 2), ("padc", _pad("c"), 2),
    ("padl", _pad("l"), 2), ("padr", _pad("r"), 2), ("proper", _proper, 1), ("replicate", _replicate, 2),
    ("reverse", _reverse, 1), ("rightstr", _rightstr, 2), ("square", _square, 1), ("strfilter", _strfilter, 2),
]


# -- aggregates ------------------------------------------------------------------------------


class _Variance:
    """Welford's running mean and sum of squares; NULLs skipped, text read as its number."""

    def __init__(self) -> None:
        self.count, self.mean, self.squares = 0, 0.0, 0.0

    def step(self, value: Any) -> None:
        if value is None:
            return
        x = value_double(value)
        self.count += 1
        delta = x - self.mean
        self.mean += delta / self.count
        self.squares += delta * (x - self.mean)

    def final(self) -> float:
        return self.squares / (self.count - 1) if self.count > 1 else 0.0


class _Stdev(_Variance):
    def final(self) -> float:
        variance = super().final()
        return math.sqrt(variance) if variance >= 0 else math.nan  # (C's sqrt: NaN, where Python raises)


class _Counts:
    """How often each value occurs: integers if the first non-NULL value is one (later values
    truncated), else reals (text that is no number reads 0)."""

    def __init__(self) -> None:
        self.counts: dict[int | float, int] = {}
        self.reals: bool | None = None
        self.total = 0

    def step(self, value: Any) -> None:
        value = value_numeric(value)
        if value is None:
            return
        if self.reals is None:
            self.reals = not isinstance(value, int)
        key = value_double(value) if self.reals else value_int64(value)
        self.counts[key] = self.counts.get(key, 0) + 1  # (0.0 and -0.0: the first one seen stays)
        self.total += 1

    def value(self, key: int | float) -> int | float:
        """A value as C reads it back: an integer through an `int *`, its low 32 bits."""
        return key if self.reals else wrap(int(key), 32)


class _Mode(_Counts):
    def final(self) -> int | float | None:
        best, ties, mode = 0, 0, None
        for key, count in sorted(self.counts.items()):
            if count == best:
                ties += 1
            elif count > best:
                best, ties, mode = count, 1, self.value(key)
        return mode if ties == 1 else None


class _Percentile(_Counts):
    """The value with `fraction` of the values below it and the rest above, or the mean of the
    values on the boundary: an integer if there is one, else a real."""

    fraction = 0.5

    def final(self) -> int | float | None:
        if not self.counts:
            return None
        below = self.total * self.fraction
        seen, taken = 0, 0
        total: int | float = 0.0 if self.reals else 0
        for key, count in sorted(self.counts.items()):
            if seen + count >= below:
                if self.total - seen < self.total - below:
                    break
                taken += 1
                total += self.value(key)
            seen += count
        return total if taken == 1 and not self.reals else float(total) / taken


class _LowerQuartile(_Percentile):
    fraction = 0.25


class _UpperQuartile(_Percentile):
    fraction = 0.75


_AGGREGATES: list[tuple[str, type]] = [
    ("stdev", _Stdev), ("variance", _Variance), ("mode", _Mode), ("median", _Percentile),
    ("lower_quartile", _LowerQuartile), ("upper_quartile", _UpperQuartile),
]
