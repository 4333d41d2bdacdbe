"""The known deviations of the references `lumadb conformance fuzz` replays against: what each
peer does that DynamoDB, Turso or D1 do not (conformance/README.md, docs/compatibility.md), and a
test that tells whether a difference is that. A difference one of them explains is counted, not
printed."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from conformance import fuzz_known_sql, fuzz_tables
from conformance.fuzz_filter_checks import equates_documents, filters_missing
from conformance.fuzz_scenario_checks import (
    compares_missing,
    counts_characters,
    deletes_only,
    exists_with_value_passes,
    expected_types_unchecked,
    in_list_missing,
    mixes_across_tables,
    not_contains_passes,
    orders_unorderable,
    reads_what_it_writes,
    refuses_not_not,
    stops_or_early,
)
from conformance.fuzz_scenario_checks import (
    message as _message,
)


def _refused_only_by_us(text: str) -> Any:
    """A test: LumaDB refused the request with `text` in its message, the reference did not."""
    return lambda ref, ours, paths: text in _message(ours) and text not in _message(ref)


_DIGITS = re.compile(r"[^0-9]")
_BAD_VALUE = re.compile(r"cannot be converted to a numeric value|Number (?:over|under)flow|38 significant digits|"
                        r"contains duplicates")
_LISTED = re.compile(r"(?<=Value ')\[[^']*\](?=' at)")
_ORDERING = re.compile(r"Incorrect operand type for operator or function; operator or function: (<=?|>=?|BETWEEN),")


def _ordering_refused_only_by_us(ref: dict[str, Any], ours: dict[str, Any], paths: list[str]) -> bool:
    """We refused an operand of <, <=, >, >= or BETWEEN; the reference did not refuse that one
    (it may have refused something else further on)."""
    refused = _ORDERING.search(_message(ours))
    return refused is not None and refused.group(0) not in _message(ref)


_ORDERS_ANY_TYPE = (
    "orders sets, lists, maps, booleans and nulls with <, <=, >, >= and BETWEEN instead of refusing the operand type",
    _ordering_refused_only_by_us,
)
_EQ_ANY_TYPE = re.compile(r"ComparisonOperator (?:EQ|NE) is not valid for (?:BOOL|NULL|L|M) AttributeValue type")
_EQUALITY_OF_ANY_TYPE = (
    "refuses a legacy EQ or NE with a boolean, null, list or map (DynamoDB takes every type: AWS's reference, "
    "nubo-db's captures, Alternator's tests)",
    lambda ref, ours, paths: bool(_EQ_ANY_TYPE.search(_message(ref))) and not _EQ_ANY_TYPE.search(_message(ours)),
)

_INDEX_KEY_TYPE = re.compile(r"SecondaryIndexes\.\d+\.member\.keySchema\.\d+\.member\.keyType' failed to satisfy "
                             r"constraint: Member must satisfy enum value set")


def _index_key_type_unchecked(ref: dict[str, Any], ours: dict[str, Any], paths: list[str]) -> bool:
    """We listed an index's KeyType outside [HASH, RANGE] (DynamoDB's model validation walks every
    member); dynalite checks that enum in the table's KeySchema only: its answer lists the rest
    of our violations, or, with none left, refuses the request another way."""
    text = _message(ours)
    if not _INDEX_KEY_TYPE.search(text) or "detected: " not in text:
        return False
    rest = [clause for clause in text.split("detected: ", 1)[1].split("; ") if not _INDEX_KEY_TYPE.search(clause)]
    theirs = _message(ref)
    if not rest:
        return ref.get("status") == 400 and not _INDEX_KEY_TYPE.search(theirs)
    return "detected: " in theirs and theirs.split("detected: ", 1)[1].split("; ") == rest


# dynalite's deviations from DynamoDB that random scenarios keep meeting (conformance/README.md):
# (what it does, whether a difference is that)
KNOWN: dict[str, list[tuple[str, Any]]] = {
    "dynalite": [
        _ORDERS_ANY_TYPE,
        _EQUALITY_OF_ANY_TYPE,
        ("answers Attributes: {} when UPDATED_OLD or UPDATED_NEW has nothing to return",
         lambda ref, ours, paths: ref.get("body") == {"Attributes": {}} and ours.get("body") == {}),
        ("filters an index on attributes the index does not project (DynamoDB refuses: Alternator's tests)",
         _refused_only_by_us("does not project the attributes used in the filter")),
        ("does not refuse a ConditionalOperator over one Expected or filter condition",
         _refused_only_by_us("ConditionalOperator can only be used when Filter or Expected has two or more elements")),
        ("does not refuse AttributesToGet with Select COUNT, nor SPECIFIC_ATTRIBUTES without them, on Query",
         _refused_only_by_us("when choosing to get")),
        ("keeps every digit of a sum or difference (DynamoDB refuses a result of more than 38 digits as an overflow)",
         lambda ref, ours, paths: "Number overflow" in _message(ours) and ref.get("status") == 200
         and any(len(_DIGITS.sub("", str(value.get("N", ""))).strip("0")) > 38
                 for value in (ref.get("body", {}).get("Attributes") or {}).values() if isinstance(value, dict))),
        ("leaves out of a local index's items the attributes it would fetch from the table for a projection",
         lambda ref, ours, paths: _supersets(ours, ref)),
        ("does not check the KeyType enum in an index's KeySchema (only in the table's)", _index_key_type_unchecked),
        ("accepts an attribute defined twice (DynamoDB refuses: Alternator's captures)",
         _refused_only_by_us("Attribute Name is duplicated")),
        ("accepts an INCLUDE projection without NonKeyAttributes (DynamoDB refuses: paritysuite's captures)",
         _refused_only_by_us("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")),
        ("accepts a provisioned table's GSI without ProvisionedThroughput",
         _refused_only_by_us("ProvisionedThroughput is not specified for index")),
        ("accepts an attribute definition no key uses when the table has indexes",
         _refused_only_by_us("Some AttributeDefinitions are not used")),
        ("words a bad number or a duplicate set member in the older value layer in every operation (DynamoDB: "
         "the current layer in PutItem, UpdateItem, DeleteItem, GetItem, BatchGetItem and Query; value_layers.py)",
         lambda ref, ours, paths: ref != ours and bool(_BAD_VALUE.search(_message(ref)))
         and bool(_BAD_VALUE.search(_message(ours)))),
        ("writes a list of structures in a validation message as JSON (DynamoDB: Java's "
         "`com.amazonaws.dynamodb.v20120810.KeySchemaElement@1a2b3c4d`; dynalite's own tests skip it)",
         lambda ref, ours, paths: '{"' in _message(ref) and "com.amazonaws.dynamodb.v20120810." in _message(ours)
         and _LISTED.sub("[...]", _message(ref)) == _LISTED.sub("[...]", _message(ours))),
    ],
}
# tests of the whole difference (the scenario, the step), not only of the two answers
_COMPARES_MISSING = ("compares two missing attributes as equal (DynamoDB: never equal, always unequal)",
                     lambda difference: compares_missing(difference) or filters_missing(difference))
_ORDERS_VALUES = (
    "orders two lists, maps, sets, booleans or nulls of an item in a condition (DynamoDB: the comparison is false)",
    lambda difference: orders_unorderable(difference),
)
_IN_LIST_MISSING = ("fails an IN whose list names an attribute missing from the item, though another member matches "
                    "(DynamoDB: IN is true when any member equals)", lambda difference: in_list_missing(difference))
_EQUATES_DOCUMENTS = ("never finds two maps or lists equal in a filter or condition (DynamoDB compares them by value)",
                      lambda difference: equates_documents(difference))
_NOT_NOT = ("refuses NOT NOT as a syntax error (DynamoDB's grammar nests NOT)",
            lambda difference: refuses_not_not(difference))
_MIXES_ACROSS_TABLES = (
    "accepts AttributesToGet for one table of a BatchGetItem and a ProjectionExpression for another "
    "(DynamoDB refuses: nubo-db's captures)",
    lambda difference: mixes_across_tables(difference),
)
_READS_WRITES = (
    "reads an attribute after another action of the same update changed it (DynamoDB reads every "
    "operand from the item as it was: Alternator's tests)",
    lambda difference: reads_what_it_writes(difference),
)
_COUNTS_CHARACTERS = (
    "counts the characters of strings and names in an item's size, not their UTF-8 bytes (capacity units)",
    lambda difference: counts_characters(difference),
)
_LEGACY = [
    ("stops a ConditionalOperator OR over Expected or a filter at its first false condition",
     lambda difference: stops_or_early(difference)),
    ("takes a legacy Expected `Exists: true` beside a `Value` as an existence check (DynamoDB: the value must "
     "match, as for a Value alone: AWS's reference of ExpectedAttributeValue)",
     lambda difference: exists_with_value_passes(difference)),
    ("lets a legacy NOT_CONTAINS pass on a missing attribute (DynamoDB fails it: Alternator's tests)",
     lambda difference: not_contains_passes(difference)),
    ("does not check the types of Expected's values as it does a filter's (DynamoDB's documentation gives both "
     "the same constraints; not captured)", lambda difference: expected_types_unchecked(difference)),
    ("creates the item for an UpdateItem that only removes or deletes (DynamoDB does not: its documentation of "
     "AttributeUpdates, Alternator's tests)",
     lambda difference: deletes_only(difference)),
]


CONTEXT_KNOWN: dict[str, list[tuple[str, Any]]] = {
    "dynalite": [_COMPARES_MISSING, _IN_LIST_MISSING, _EQUATES_DOCUMENTS, _NOT_NOT, _MIXES_ACROSS_TABLES, _ORDERS_VALUES, _READS_WRITES, _COUNTS_CHARACTERS,
                 *_LEGACY, *fuzz_tables.DYNALITE_KNOWN],
    "moto": [_COMPARES_MISSING],
    "sqld": fuzz_known_sql.SQLD_CONTEXT_KNOWN,
    "miniflare": fuzz_known_sql.MINIFLARE_CONTEXT_KNOWN,
}


def _supersets(ours: dict[str, Any], ref: dict[str, Any]) -> bool:
    """Each of our items holds every attribute of the reference's, and more in some."""
    mine, theirs = (record.get("body", {}).get("Items") if isinstance(record.get("body"), dict) else None
                    for record in (ours, ref))  # fmt: skip
    if not isinstance(mine, list) or not isinstance(theirs, list) or len(mine) != len(theirs) or mine == theirs:
        return False
    return all(a.items() >= b.items() for a, b in zip(mine, theirs, strict=True))


def _canonical_numbers(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"N"} and isinstance(value["N"], str):
            try:
                return {"N": str(Decimal(value["N"]).normalize())}
            except InvalidOperation:
                return value
        return {key: _canonical_numbers(member) for key, member in value.items()}
    if isinstance(value, list):
        return [_canonical_numbers(member) for member in value]
    return value


KNOWN["sqld"] = fuzz_known_sql.SQLD_KNOWN
KNOWN["miniflare"] = fuzz_known_sql.MINIFLARE_KNOWN
_MOTO_PREFIX = "1 validation error detected: "
KNOWN["moto"] = [
    ("fails with a 500 (an exception inside moto)", lambda ref, ours, paths: ref.get("status", 0) >= 500),
    ("keeps numbers as they were written (DynamoDB answers them canonical: 1e3 -> 1000, -0.50 -> -0.5)",
     lambda ref, ours, paths: ref != ours and _canonical_numbers(ref) == _canonical_numbers(ours)),
    _ORDERS_ANY_TYPE,
    ("does not refuse two document paths that overlap", _refused_only_by_us("Two document paths overlap")),
    ("does not refuse a path into a key attribute", _refused_only_by_us("Key attributes must be scalars")),
    ("starts some texts with '1 validation error detected: ' and names overlapping paths by their placeholders",
     lambda ref, ours, paths: _message(ref).startswith(_MOTO_PREFIX)
     and _message(ref)[len(_MOTO_PREFIX):].split("; path one")[0] == _message(ours).split("; path one")[0]),
    ("filters an index on attributes the index does not project (DynamoDB refuses: Alternator's tests)",
     _refused_only_by_us("does not project the attributes used in the filter")),
    ("lets a Query's filter name a key attribute", _refused_only_by_us("Filter Expression can only contain non-primary key")),
    ("evaluates an update's condition before refusing its change of a key attribute",
     _refused_only_by_us("This attribute is part of the key")),
    ("reports an invalid document path before an operand missing from the item (dynalite and LumaDB: the operand)",
     lambda ref, ours, paths: "document path provided in the update expression is invalid" in _message(ref)
     and "refers to an attribute that does not exist" in _message(ours)),
    ("calls a FilterExpression a ConditionExpression in its errors",
     lambda ref, ours, paths: _message(ours) != _message(ref)
     and _message(ref).replace("Invalid ConditionExpression", "Invalid FilterExpression") == _message(ours)),
]


def known_deviation(reference_name: str, difference: dict[str, Any]) -> str | None:
    """What known deviation of the reference explains the difference, if one does."""
    for description, test in KNOWN.get(reference_name, []):
        if test(difference["reference"], difference["lumadb"], difference["paths"]):
            return description
    for description, context_test in CONTEXT_KNOWN.get(reference_name, []):
        if context_test(difference):
            return description
    return None
