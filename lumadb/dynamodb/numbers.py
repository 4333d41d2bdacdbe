"""DynamoDB numbers: 38 significant digits, magnitudes 1E-130 to under 1E+126, canonical text
(no exponent, no trailing zeros, `-0` -> `0`) and exact decimal arithmetic, with AWS's messages."""

from __future__ import annotations

import re
from decimal import Context, Decimal, InvalidOperation

from lumadb.dynamodb.errors import DynamoError

NUMBER_OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
NUMBER_UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)
NUMBER_PRECISION = "Attempting to store more than 38 significant digits in a Number"
NUMBER_UNCONVERTIBLE = "The parameter cannot be converted to a numeric value"

# Java BigDecimal's syntax: no spaces, no NaN/Infinity, no underscores (Python's Decimal allows them).
_NUMBER_SYNTAX = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
# Already canonical and short enough that precision and magnitude cannot be out of range.
_CANONICAL = re.compile(r"-?(?:[1-9][0-9]*(?:\.[0-9]*[1-9])?|0\.[0-9]*[1-9])\Z|0\Z")
# Exact for any sum or difference of two in-range numbers (exponents span -130..125, 38 digits).
_EXACT = Context(prec=400, Emax=999999, Emin=-999999)


def normalize_number(text: str) -> str:
    """DynamoDB's canonical text for a number: no exponent, no trailing zeros, `-0` -> `0`."""
    if len(text) <= 38 and _CANONICAL.match(text):
        return text
    if not _NUMBER_SYNTAX.match(text):
        # the older layer leaves the colon out when there is nothing to show
        raise DynamoError.bad_value(f"{NUMBER_UNCONVERTIBLE}: {text}" if text else NUMBER_UNCONVERTIBLE,
                                    f"{NUMBER_UNCONVERTIBLE}: {text}")  # fmt: skip
    try:
        value = Decimal(text)
    except InvalidOperation:  # an exponent past what Decimal holds (about 1e18)
        raise _far_exponent(text) from None
    try:
        return format_decimal(value)
    except DynamoError as error:
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        if len(value.as_tuple().digits) + exponent > 2**31 - 1:
            # the older layer's Java int (precision - scale) wraps around: an "underflow"
            raise DynamoError.bad_value(NUMBER_UNDERFLOW, NUMBER_OVERFLOW) from None
        raise DynamoError.bad_value(error.message) from None


def _far_exponent(text: str) -> DynamoError:
    """DynamoDB reads an exponent in full: within a 64-bit integer it is out of range, past one
    the text is not a number (paritysuite numberExponent, eu-west-2 2026-10)."""
    parts = re.split("[eE]", text)
    unconvertible = f"{NUMBER_UNCONVERTIBLE}: {text}"
    exponent = int(parts[1]) if len(parts) == 2 else 2**63  # (no exponent: not reached, Decimal reads any digits)
    if not -(2**63) <= exponent < 2**63:
        return DynamoError.bad_value(unconvertible)
    return DynamoError.bad_value(unconvertible, NUMBER_OVERFLOW if exponent > 0 else NUMBER_UNDERFLOW)


def format_decimal(value: Decimal, *, arithmetic: bool = False) -> str:
    """Canonical text of a Decimal, raising AWS's range errors (results of + and - that need
    more than 38 digits are reported as an overflow, as DynamoDB does)."""
    sign, digit_tuple, exponent = value.as_tuple()
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    assert isinstance(exponent, int)
    if not digits:  # zero is range-checked by the exponent it is written with (0e126 overflows)
        if exponent > 125:
            raise DynamoError.validation(NUMBER_OVERFLOW)
        if exponent < -130:
            raise DynamoError.validation(NUMBER_UNDERFLOW)
        return "0"
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits = stripped
    magnitude = exponent + len(digits) - 1
    if magnitude > 125:
        raise DynamoError.validation(NUMBER_OVERFLOW)
    if magnitude < -130:
        raise DynamoError.validation(NUMBER_UNDERFLOW)
    if len(digits) > 38:
        raise DynamoError.validation(NUMBER_OVERFLOW if arithmetic else NUMBER_PRECISION)
    if exponent >= 0:
        text = digits + "0" * exponent
    else:
        point = len(digits) + exponent
        text = digits[:point] + "." + digits[point:] if point > 0 else "0." + "0" * -point + digits
    return "-" + text if sign else text


def _small_int(text: str) -> bool:
    digits = text[1:] if text[:1] == "-" else text
    return len(digits) < 19 and digits.isdigit() and digits.isascii()


def add_numbers(a: str, b: str, subtract: bool = False) -> str:
    """a + b (or a - b) with DynamoDB's 38-digit decimal semantics."""
    if _small_int(a) and _small_int(b):  # counters: exact in int arithmetic, far from any limit
        return str(int(a) - int(b) if subtract else int(a) + int(b))
    x, y = Decimal(a), Decimal(b)
    result = _EXACT.subtract(x, y) if subtract else _EXACT.add(x, y)
    return format_decimal(result, arithmetic=True)


def number_key(text: str) -> Decimal:
    return Decimal(text)
