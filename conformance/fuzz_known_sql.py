"""The known deviations of sqld and Miniflare, the references of `lumadb conformance fuzz
--protocol libsql|d1` (fuzz_known.py holds every reference's list): mostly where their SQLite
turns results into text or numbers otherwise than LumaDB's newer one (docs/compatibility.md),
and D1's internal tables Miniflare's database holds."""

from __future__ import annotations

import base64
import binascii
import math
import os
import re
from typing import Any

from conformance.fuzz_scenario_checks import error_on_skipped_step
from conformance.fuzz_websocket import DROPPED


def _lengths_of_reals(difference: dict[str, Any]) -> bool:
    """Every difference is a real turned into text by the two SQLites (15 significant digits,
    trailing zeros dropped, against 16 or 17), and some are its length(): one or two apart, or
    more where sqld's digits ended in zeros (10.842021724855 against 10.842021724855044, seed
    7429), at most _LENGTHS_APART, the longer 16 or more, in a step that asks for length(); or a
    number computed from such a length (`length(c0) % c0`: 2.0 against 4.0, seed 7427;
    `CAST(length(c0) AS REAL)`: 15.0 against 18.0), as far apart, in a step that holds reals."""
    request = str(difference["scenario"].steps[difference["step"]].request)
    asks_length = "length(" in request

    def explained(path: str) -> bool:
        theirs, ours = _at(difference["reference"], path), _at(difference["lumadb"], path)
        a, b = _integer(theirs), _integer(ours)
        if a is not None and b is not None:
            return asks_length and 0 < abs(a - b) <= _LENGTHS_APART and max(a, b) >= 16
        found = _cell(difference["lumadb"], path)
        if (found is not None and isinstance(found[1], str) and "length(" in found[1].lower()
                and type(theirs) is float and type(ours) is float and _HOLDS_REALS.search(request)):
            return 0 < abs(theirs - ours) <= _LENGTHS_APART
        return _same_real(theirs, ours)

    return bool(difference["paths"]) and all(explained(path) for path in difference["paths"])


# two digits more, and up to two zeros sqld dropped (a third: one such real in a thousand)
_LENGTHS_APART = 4


def _integer(value: Any) -> int | None:
    """A JSON integer, or Hrana's (its digits as a string, perhaps after a minus)."""
    if type(value) is int:
        return value
    digits = value.removeprefix("-") if isinstance(value, str) else ""
    return int(value) if digits.isascii() and digits.isdigit() else None


_LENGTHS_OF_REALS = ("(its SQLite) turns reals into text with other digits than LumaDB's newer SQLite, whose "
                     "length() then differs (docs/compatibility.md)", _lengths_of_reals)
# a real, or an integer of 16 digits or more, which conversions turn into a real
_HOLDS_REALS = re.compile(r"\b(?:REAL|NUMERIC|FLOAT|DOUBLE)\b|[0-9]\.[0-9]|[0-9][eE][+-]?[0-9]|[0-9]{16}",
                          re.IGNORECASE)
_CELL = re.compile(r"((.*\.)rows\[\d+\]\[(\d+)\])")


def _cell(record: Any, path: str) -> tuple[str, Any] | None:
    """(the path of the result cell `path` is in, the name of its column in `record`)."""
    match = _CELL.match(path.split(" ")[0])
    if match is None:
        return None
    return match.group(1), _at(record, f"{match.group(2)}cols[{match.group(3)}].name")


def _computed_from_quoted_reals(difference: dict[str, Any]) -> bool:
    """Every difference is a result cell whose expression quotes, in a step that holds reals:
    sqld's SQLite quotes a real with up to 20 digits (`-9.00719925474099199994e+15`), LumaDB's
    with the shortest exact form (`-9007199254740992.0`), and what is computed from that text
    (`quote(c1) % hex(c0)`: -9.0 against -1740628075242.0) differs with it."""
    if not _HOLDS_REALS.search(str(difference["scenario"].steps[difference["step"]].request)):
        return False

    def explained(path: str) -> bool:
        found = _cell(difference["lumadb"], path)
        return found is not None and isinstance(found[1], str) and "quote(" in found[1].lower()

    return bool(difference["paths"]) and all(explained(path) for path in difference["paths"])


_QUOTED_REALS = ("(its SQLite) quotes reals with other digits than LumaDB's newer SQLite, and what is computed "
                 "from the quoted text differs (docs/compatibility.md)", _computed_from_quoted_reals)

# text made from a value: a real's 15 or 17 digits then (seed 7459: `c0 <> trim(c0)`)
_TEXT_OF = re.compile(r"\b(?:l|r)?trim\(|\b(?:lower|upper|replace|substr|substring|printf|format)\(|\|\||"
                      r"\bAS\s+TEXT\b", re.IGNORECASE)


def _computed_from_text_of_reals(difference: dict[str, Any]) -> bool:
    """Every difference is a number in a result cell computed from text made from a value, in a
    step that holds reals: the text of a real has 15 significant digits in sqld's SQLite, up to
    17 in LumaDB's, and what is computed from it differs with it. The REAL column
    9223372036854775807.0 equals its own trim() here and not in sqld (seed 7459), `c0 -
    trim(c0)` is 0.0 here and -4096.0 there (seed 7490), `CAST((c1 || c1) AS INTEGER)` of
    -9007199254740992.0 reads -9007199254740992 here and -9 from sqld's `-9.00719925474099e+15`
    (seed 7496)."""
    if not _HOLDS_REALS.search(str(difference["scenario"].steps[difference["step"]].request)):
        return False

    def explained(path: str) -> bool:
        theirs, ours = _at(difference["reference"], path), _at(difference["lumadb"], path)
        found = _cell(difference["lumadb"], path)
        if found is None or not isinstance(found[1], str) or not _TEXT_OF.search(found[1]):
            return False
        # (beside it, the text itself: `CAST(0.5 AS TEXT) || c0`, seed 7490)
        return (_number(theirs) is not None and _number(ours) is not None) or _same_real(theirs, ours)

    return bool(difference["paths"]) and all(explained(path) for path in difference["paths"])


def _number(value: Any) -> float | None:
    """A JSON number, or Hrana's integer (its digits as a string)."""
    if type(value) is float:
        return value
    integer = _integer(value)
    return float(integer) if integer is not None else None


_COMPUTED_FROM_REALS = ("(its SQLite) turns reals into text with other digits than LumaDB's newer SQLite, and what is "
                        "computed from that text differs (docs/compatibility.md)", _computed_from_text_of_reals)

_ZERO_BYTE_BLOB = re.compile(r"x'(?:[0-9a-f]{2})*?00", re.IGNORECASE)


def _numbers_of_text_ending_in_zero_byte(difference: dict[str, Any]) -> bool:
    """Every difference is a cell that sqld answers as an integer and LumaDB as the same number
    as a real, computed by an expression that glues a blob holding a zero byte to a value
    (`(c0 || x'00') - c0`): text that ends in a NUL reads as an integer in sqld's SQLite, as a
    real in LumaDB's newer one (`('5' || x'00') + 0`: 5 against 5.0)."""
    def explained(path: str) -> bool:
        found = _cell(difference["lumadb"], path)
        if found is None or not path.split(" ")[0].endswith((".type", ".value")):
            return False
        cell, name = found
        theirs, ours = _at(difference["reference"], cell), _at(difference["lumadb"], cell)
        return (isinstance(name, str) and _ZERO_BYTE_BLOB.search(name) is not None
                and isinstance(theirs, dict) and isinstance(ours, dict)
                and theirs.get("type") == "integer" and ours.get("type") == "float"
                and isinstance(ours.get("value"), float) and str(theirs.get("value")).lstrip("-").isdigit()
                and float(int(theirs["value"])) == ours["value"])

    return bool(difference["paths"]) and all(explained(path) for path in difference["paths"])


_ZERO_BYTE_TEXT = ("(its SQLite) reads text that ends in a zero byte as an integer where LumaDB's newer SQLite reads "
                   "a real (docs/compatibility.md)", _numbers_of_text_ending_in_zero_byte)

_ANALYZES = re.compile(r"^\s*(?:PRAGMA\s+(?:main\.)?optimize\b|ANALYZE\b)", re.IGNORECASE)
_META_OF = re.compile(r"body\[(\d+)\]\.meta\.\w+$")


def _analyzes_internal_table(difference: dict[str, Any]) -> bool:
    """Every difference is the meta of a statement at or after a `PRAGMA optimize` or ANALYZE:
    Miniflare's database holds D1's internal `_cf_METADATA` table, which they analyze (a row of
    sqlite_stat1 written: `changed_db` true, `last_row_id` 2); LumaDB's has no such table."""
    scenario = difference.get("scenario")
    if scenario is None:
        return False
    body = scenario.steps[difference["step"]].request.get("json")
    statements = [entry.get("sql", "") for entry in body] if isinstance(body, list) else \
        [body.get("sql", "")] if isinstance(body, dict) else []
    first = next((i for i, sql in enumerate(statements) if _ANALYZES.match(str(sql))), None)
    if first is None:
        return False
    metas = [_META_OF.match(path.split(" ")[0]) for path in difference["paths"]]
    return bool(metas) and all(meta is not None and int(meta.group(1)) >= first for meta in metas)


_REAL_TEXT = re.compile(r"-?\d+(\.\d+)?[eE][+-]\d+|-?\d+\.\d+")
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _at(record: Any, path: str) -> Any:
    for name, index in _PATH_PART.findall(path.split(" ")[0]):
        try:
            record = record[int(index)] if index else record[name]
        except (KeyError, IndexError, TypeError):
            return None
    return record


def _reals_as_text(ref: dict[str, Any], ours: dict[str, Any], paths: list[str]) -> bool:
    """Every difference is a real number turned into text with 15 significant digits by one
    SQLite and the shortest exact form (up to 17) by the other: the texts themselves, their
    hex() or bytes, or the number read back from such a text."""
    return bool(paths) and all(_same_real(_blob_text(_at(ref, p), p), _blob_text(_at(ours, p), p)) for p in paths)


def _blob_text(value: Any, path: str) -> Any:
    """A blob's bytes as text (Hrana's base64, unpadded): a real cast to a blob is its text."""
    if not isinstance(value, str) or not path.split(" ")[0].endswith(".base64"):
        return value
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4)).decode("latin-1")
    except (binascii.Error, ValueError):
        return value


_HEX = re.compile(r"(?:[0-9A-F]{2})+")
_HEX_DIGITS = re.compile(r"[0-9A-F]+")


def _hex_glued_to_same(a: str, b: str) -> bool:
    """hex() of reals with a value glued on either side (`hex(c0) || (c1 = c0)`: an odd count of
    hex digits, seed 7478): the same text before or after, and hex of the same real otherwise."""
    for cut in range(1, len(os.path.commonprefix([a[::-1], b[::-1]])) + 1):
        if (len(a) - cut) % 2 == 0 and (len(b) - cut) % 2 == 0 and _same_real(a[:-cut], b[:-cut]):
            return True
    for cut in range(1, len(os.path.commonprefix([a, b])) + 1):
        if (len(a) - cut) % 2 == 0 and (len(b) - cut) % 2 == 0 and _same_real(a[cut:], b[cut:]):
            return True
    return False


def _same_real(a: Any, b: Any) -> bool:
    if type(a) in (int, float) and type(b) in (int, float):  # read back as numbers: two doubles
        return float(a) != float(b) and _close(float(a), float(b))
    if isinstance(a, str) and isinstance(b, str) and _HEX_DIGITS.fullmatch(a) and _HEX_DIGITS.fullmatch(b):
        if _HEX.fullmatch(a) and _HEX.fullmatch(b):
            # (hex of hex, seed 7531: `hex(hex(c0))`, decoded as often as it was encoded)
            if _same_real(bytes.fromhex(a).decode("latin-1"), bytes.fromhex(b).decode("latin-1")):
                return True
        elif _hex_glued_to_same(a, b):
            return True
    if not isinstance(a, str) or not isinstance(b, str) or a == b:
        return False
    if _REAL_TEXT.fullmatch(a) and _REAL_TEXT.fullmatch(b) and _close(float(a), float(b)):
        return True  # (1e+15 as "1.0e+15" or "1000000000000000.0")
    return _same_but_digits(a, b)  # (a real, then digits: "2.1e+37" "46" reads as one number)


def _close(x: float, y: float) -> bool:
    return math.isfinite(x) and math.isfinite(y) and math.isclose(x, y, rel_tol=1e-14)


def _same_but_digits(a: str, b: str) -> bool:
    """Texts (a concatenation, say) that differ only in how reals are written, each pair the
    same real to 1e-14. A concatenation glues what follows to a real ("e+15" then "1.5" reads
    "e+151.5", "12.0" then "9.2" reads "12.09.2"), so at each difference every reading of a real
    on each side is tried: from any digit of the number run the difference is in, to any end."""
    return _reals_from(a, b, 0, 0, 0)


_NUMBER_RUN = re.compile(r"[0-9.eE+-]*")


def _reals_from(a: str, b: str, i: int, j: int, depth: int) -> bool:
    common = len(os.path.commonprefix([a[i:], b[j:]]))
    i, j = i + common, j + common
    if i == len(a) and j == len(b):
        return True
    if depth > 8:
        return False
    # a reading covers the first difference; where one text has ended there, it reaches its end
    # (a real whose 15 digits stop where the other's 17 go on: "...0.1905" against "...0.190521")
    past_a, past_b = min(i, len(a) - 1), min(j, len(b) - 1)
    first = i  # where the run of digits and points that holds the difference starts
    while first > 0 and (a[first - 1].isdigit() or a[first - 1] == "."):
        first -= 1
    for start_a in range(first, past_a + 1):
        if not a[start_a].isdigit():
            continue
        start_b = j - (i - start_a)  # (the text before the difference is the same in both)
        ends_b = [(end, float(b[start_b:end])) for end in _real_ends(b, start_b, past_b)]
        for end_a in _real_ends(a, start_a, past_a):
            x = float(a[start_a:end_a])
            for end_b, y in ends_b:
                if _close(x, y) and _reals_from(a, b, end_a, end_b, depth + 1):
                    return True
    return False


def _real_ends(text: str, start: int, past: int) -> list[int]:
    """The ends of the reals written in `text` from `start` that reach past index `past`."""
    run_end = _NUMBER_RUN.match(text, start).end()  # type: ignore[union-attr]
    return [end for end in range(past + 1, run_end + 1) if _REAL_TEXT.fullmatch(text, start, end)]


SQLD_KNOWN: list[tuple[str, Any]] = [
    ("fails the whole pipeline with a 500 when a result's text is not valid UTF-8 (LumaDB: that statement's "
     "error; over WebSocket sqld drops the connection)", lambda ref, ours, paths: ref.get("status") == 500 and (
         "utf-8" in str(ref.get("body")) or (ref.get("body") == DROPPED and "utf-8" in str(ours.get("body"))))),
    ("(its SQLite) turns reals into text with other digits than LumaDB's newer SQLite (docs/compatibility.md)",
     lambda ref, ours, paths: _reals_as_text(ref, ours, paths)),
    ("words SQL_PARSE_ERROR with its own parser (LumaDB: SQLite's words; docs/compatibility.md)",
     lambda ref, ours, paths: _parse_messages_only(ref, ours, paths)),
]


_NAMES_INTERNAL = re.compile(r'_cf_|ANALYZE "main"\."_cf_')


def _without_internal_tables(ref: dict[str, Any], ours: dict[str, Any], paths: list[str]) -> bool:
    """The reference's rows differ from ours only by rows naming D1's internal `_cf_` tables
    (a table list, or the statement `PRAGMA optimize(-1)` would run: `ANALYZE "main"."_cf_METADATA"`,
    seed 8629)."""
    def rows_of(record: dict[str, Any]) -> list[Any]:
        body = record.get("body")
        return [entry.get("results", {}).get("rows") for entry in body if isinstance(entry, dict)] \
            if isinstance(body, list) else []

    def visible(rows: Any) -> Any:
        return [row for row in rows if not any(_NAMES_INTERNAL.match(str(value)) for value in row)] \
            if isinstance(rows, list) else rows

    return (bool(paths) and all(".results.rows" in path for path in paths)
            and [visible(rows) for rows in rows_of(ref)] == rows_of(ours))


MINIFLARE_KNOWN: list[tuple[str, Any]] = [
    ("resets the whole Durable Object when a request leaves deferred foreign-key violations (LumaDB fails that "
     "request alone; docs/compatibility.md)",
     lambda ref, ours, paths: ref.get("status") == 500 and "Durable Object was reset" in str(ref.get("body"))
     and "FOREIGN KEY constraint failed" in str(ours.get("body"))),
    ("lists D1's internal _cf_METADATA table, which LumaDB has not (docs/compatibility.md)", _without_internal_tables),
]
def _parse_messages_only(ref: dict[str, Any], ours: dict[str, Any], paths: list[str]) -> bool:
    """Every difference is the message of an error both answers give as SQL_PARSE_ERROR."""
    def parse_error(record: dict[str, Any], path: str) -> bool:
        error = _at(record, path.split(" ")[0].rsplit(".", 1)[0])
        return isinstance(error, dict) and error.get("code") == "SQL_PARSE_ERROR"

    return bool(paths) and all(p.split(" ")[0].endswith(".error.message") and parse_error(ref, p) and parse_error(ours, p)
                               for p in paths)  # fmt: skip


SQLD_CONTEXT_KNOWN: list[tuple[str, Any]] = [
    ("counts an `error` batch condition on a skipped step as true (LumaDB follows the Hrana spec: "
     "false; docs/compatibility.md)", lambda difference: error_on_skipped_step(difference)),
    _LENGTHS_OF_REALS, _QUOTED_REALS, _ZERO_BYTE_TEXT, _COMPUTED_FROM_REALS,
]
MINIFLARE_CONTEXT_KNOWN: list[tuple[str, Any]] = [
    ("analyzes D1's internal _cf_METADATA table in PRAGMA optimize or ANALYZE, which LumaDB has not "
     "(docs/compatibility.md)", _analyzes_internal_table),
]
