"""Numbers written with an exponent far outside DynamoDB's range, and zero with an exponent
(paritysuite numberExponent, captured in eu-west-2, 2026-10): an exponent within a 64-bit integer
is out of range, one past it is not a number, zero is range-checked by its exponent. Never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dynamodb.helpers import error_of

OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
UNCONVERTIBLE = "The parameter cannot be converted to a numeric value"


@pytest.mark.parametrize(("text", "message"), [
    ("1e9223372036854775808", UNCONVERTIBLE), ("1e9223372036854775807", OVERFLOW), ("1e1000000000000000000", OVERFLOW),
    ("-1e-9223372036854775808", UNDERFLOW), ("1e99999999999", OVERFLOW), ("0e126", OVERFLOW), ("0e-131", UNDERFLOW),
])  # fmt: skip
def test_far_exponents_are_refused_by_their_range(ddb: Any, make_table: Any, text: str, message: str) -> None:
    table = make_table(("pk", "S"))
    code, refused = error_of(ddb.put_item, TableName=table, Item={"pk": {"S": "a"}, "n": {"N": text}})
    assert code == "ValidationException" and message in refused
    numbers = make_table(("pk", "N"))
    code, refused = error_of(ddb.get_item, TableName=numbers, Key={"pk": {"N": text}})
    assert code == "ValidationException" and message in refused
    code, _ = error_of(ddb.execute_statement, Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'n': {text}}}")
    assert code == "ValidationException"


def test_zero_with_an_exponent_inside_the_range_is_zero(ddb: Any, make_table: Any) -> None:
    table = make_table(("pk", "S"))
    ddb.put_item(TableName=table, Item={"pk": {"S": "z"}, "n": {"N": "0e125"}})
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "z"}})["Item"]["n"] == {"N": "0"}
