"""Query and Scan with IndexName: DynamoDB's index rules (no consistent reads on a GSI, no
reads while it backfills, Select ALL_ATTRIBUTES fetched from the table for an LSI and refused
for a GSI without an ALL projection, filters only on non-key attributes), multi-attribute key
conditions, and LastEvaluatedKey with the index and table keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from lumadb.dynamodb import capacity, items, key_checks, reads, start_keys
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.indexes.model import IndexInfo
from lumadb.dynamodb.indexes.sources import Source, TypeMismatch, source_for
from lumadb.dynamodb.keys import key_of_key, segment_bounds
from lumadb.dynamodb.request_expressions import Compiled

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.service import DynamoService
    from lumadb.storage.sqlite import apsw

INVALID = "One or more parameter values were invalid: "
TYPE_MISMATCH = INVALID + "Condition parameter type does not match schema type"
_OPERATORS = {"EQ": "=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "BETWEEN": "BETWEEN",
              "BEGINS_WITH": "begins_with"}  # fmt: skip


def _index_source(table: TableInfo, body: dict, operation: str) -> Source:
    source = source_for(table, body["IndexName"], partiql=False, operation=operation)
    if source.is_global and body.get("ConsistentRead"):
        raise DynamoError.validation("Consistent reads are not supported on global secondary indexes")
    source.check_readable()
    return source


def _fetches_from_table(index: IndexInfo, body: dict, compiled: Compiled) -> bool:
    """Whether the request needs attributes the index does not hold (an LSI reads them from the
    table; a GSI cannot)."""
    if index.projection_type == "ALL":
        return False
    if body.get("Select") == "ALL_ATTRIBUTES":
        if index.is_global:
            raise DynamoError.validation(
                INVALID
                + f"Select type ALL_ATTRIBUTES is not supported for global secondary index {index.name} "
                "because its projection type is not ALL"
            )
        return True
    if index.is_global:
        return False
    wanted: set[str] = set()
    if compiled.projection is not None:
        wanted |= compiled.projection.top_level_names
    if compiled.filter is not None:
        wanted |= set(compiled.filter.attributes)
    return not wanted <= index.projected_names


def _check_filter(compiled: Compiled, body: dict, index: IndexInfo) -> None:
    if compiled.filter is None:
        return
    kind = "Filter Expression" if body.get("FilterExpression") is not None else "QueryFilter"
    for name in index.key_names:
        if name in compiled.filter.attributes:
            raise DynamoError.validation(
                f"{kind} can only contain non-primary key attributes: Primary key attribute: {name}"
            )
    _check_filter_projected(compiled, index)


def _check_filter_projected(compiled: Compiled, index: IndexInfo) -> None:
    if compiled.filter is None:
        return
    # DynamoDB filters before it fetches from the table: only projected attributes (also with
    # Select ALL_ATTRIBUTES on a local index; Alternator's tests against DynamoDB)
    missing = sorted(compiled.filter.attributes - index.projected_names) if index.projection_type != "ALL" else []
    if missing:
        raise DynamoError.validation(
            f"One or more parameter values were invalid: {'Global' if index.is_global else 'Local'} secondary index "
            f"{index.name} does not project the attributes used in the filter expression: {', '.join(missing)}"
        )


# -- Query ---------------------------------------------------------------------------------


def _multi_key_ranges(
    conditions: dict[str, tuple[str, list[dict]]], index: IndexInfo
) -> tuple[list[dict], list[dict], tuple[str, list[dict]] | None]:
    """(partition-key values, equalities on the first sort-key attributes, the condition on the
    next one) with DynamoDB's rules: every partition-key attribute with =, then a gapless run of
    sort-key attributes of which only the last may have a range condition."""
    known = set(index.key_names)
    for name, (operator, _) in conditions.items():
        if name not in known:
            raise DynamoError.validation("Query key condition not supported")
        if operator not in _OPERATORS:
            raise DynamoError.validation("Attempted conditional constraint is not an indexable operation")
    hashes = []
    for name, _ in index.hash_keys:
        condition = conditions.get(name)
        if condition is None:
            raise DynamoError.validation(f"Query condition missed key schema element: {name}")
        if condition[0] != "EQ":
            raise DynamoError.validation("Query key condition not supported")
        hashes.append(condition[1][0])
    range_names = [name for name, _ in index.range_keys]
    named = [position for position, name in enumerate(range_names) if name in conditions]
    if not named:
        return hashes, [], None
    last = named[-1]
    lacking = [n for n in range_names[:last] if conditions.get(n, ("",))[0] != "EQ"]
    if lacking:
        raise DynamoError.validation(
            f"RANGE key attributes {', '.join(lacking)} must have equality conditions specified in the query "
            f"because a condition is present on key attribute {range_names[last]}"
        )
    equal = [conditions[name][1][0] for name in range_names[:last]]
    operator, values = conditions[range_names[last]]
    return hashes, equal, (_OPERATORS[operator], values)


async def query(service: DynamoService, table: TableInfo, body: dict, compiled: Compiled) -> dict:
    """Query with IndexName; `compiled` holds the request's expressions, checked without the
    key schema (their errors come before a missing table)."""
    source = _index_source(table, body, "Query")
    index = source.index
    assert index is not None and compiled.key_conditions is not None
    compiled.key_conditions.check_count(len(index.key_names))
    start_key = body.get("ExclusiveStartKey")
    # the start key's size, then each index key's presence and type before its key condition
    key_types = dict(index.hash_keys + index.range_keys)
    checks = start_keys.piece_checks(start_key, len(set(table.key_names) | set(key_types)), key_types)
    range_condition = None  # the one sort-key condition a start key must meet
    if len(index.hash_keys) == 1 and len(index.range_keys) <= 1:
        range_name = index.range_keys[0][0] if index.range_keys else None
        key = compiled.key_conditions.for_schema(index.hash_keys[0][0], range_name, checks, key_types)
        hashes, equal = [key.hash_value], list[dict]()
        sort = (key.range_op, key.range_values) if key.range_op is not None else None
        range_condition = key if key.range_op is not None else None
    else:
        hashes, equal, sort = _multi_key_ranges(compiled.key_conditions.conditions, index)
    key_checks.check_read_paths(table, compiled.projection)  # before the filter's checks (dynalite's order)
    _check_filter(compiled, body, index)
    key_checks.check_read_paths(table, compiled.filter)
    count_only = reads.check_select(body, compiled.projection is not None)
    fetch = _fetches_from_table(index, body, compiled)
    try:
        hp, pk = source.partition(hashes)
        lower, upper = source.sort_range(equal, sort)
    except TypeMismatch:
        raise DynamoError.validation(TYPE_MISMATCH) from None
    forward = body.get("ScanIndexForward", True) is not False
    statement = source.range_statement(hp, pk, lower, upper, forward)
    position = None
    if start_key is not None:  # an empty one is invalid, not absent
        position = source.position(start_key)
        if range_condition is not None and not range_condition.range_matches(start_key.get(range_condition.range_name)):
            raise DynamoError.validation("The provided starting key does not match the range key predicate")
        if position[1] != pk:
            raise DynamoError.validation(
                "The provided starting key is outside query boundaries based on provided conditions"
            )
    return await _read(service, source, body, statement, compiled, count_only, fetch, position)


# -- Scan ----------------------------------------------------------------------------------


async def scan(
    service: DynamoService, table: TableInfo, body: dict, compiled: Compiled, segment: int, total: int
) -> dict:
    source = _index_source(table, body, "Scan")
    index = source.index
    assert index is not None
    count_only = reads.check_select(body, compiled.projection is not None, scan=True)
    _check_filter_projected(compiled, index)  # (a Scan may filter on key attributes)
    fetch = _fetches_from_table(index, body, compiled)
    position = None
    start_key = body.get("ExclusiveStartKey")
    if start_key is not None:  # an empty one is invalid, not absent
        position = source.position(start_key)
        if total > 1:
            start, end = segment_bounds(segment, total)
            if not start <= position[0] < end:
                raise DynamoError.validation(
                    "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey "
                    f"with correct Segment. TotalSegments: {total} Segment: {segment}"
                )
    key_checks.check_read_paths(table, compiled.projection, compiled.filter)  # after the start key (dynalite)
    statement = source.scan_statement(segment, total)
    return await _read(service, source, body, statement, compiled, count_only, fetch, position)


# -- one page ------------------------------------------------------------------------------


class _WholeRow:
    """A projection that keeps the whole index row (decoded, to look its item up in the table)."""

    def apply(self, item: dict) -> dict:
        return item


WHOLE_ROW = _WholeRow()


async def _read(
    service: DynamoService,
    source: Source,
    body: dict,
    statement: Any,
    compiled: Compiled,
    count_only: bool,
    fetch: bool,
    position: Any,
) -> dict:
    index = source.index
    assert index is not None
    if fetch:  # read the index rows, then the items from the table, then filter and project
        plan = reads.ReadPlan(source.table, statement, body.get("Limit"), None, WHOLE_ROW, False)  # type: ignore[arg-type]
    else:
        plan = reads.ReadPlan(
            source.table, statement, body.get("Limit"), compiled.filter, compiled.projection, count_only
        )
    plan.last = position
    await reads.read_page(service, plan)
    out = plan.result(body)
    fetched_units = 0.0
    if fetch:
        consistent = bool(body.get("ConsistentRead"))
        if len(plan.items) <= reads.INLINE_ROWS:  # a short page's items read inline, as the page was
            full, fetched_units = await service.read_bounded(table_items, source.table, plan.items, consistent, None,
                                                             point=True)
        else:
            full, fetched_units = await service.read(table_items, source.table, plan.items, consistent)  # type: ignore[misc]
        if compiled.filter is not None:
            full = [item for item in full if compiled.filter.evaluate(item)]
        out["Count"] = len(full)
        if count_only:
            out.pop("Items", None)
        else:
            projection = compiled.projection
            out["Items"] = [projection.apply(item) for item in full] if projection else full
    if "LastEvaluatedKey" in out and plan.last_blob is not None:
        out["LastEvaluatedKey"] = source.last_key(orjson.loads(plan.last_blob))
    if "ConsumedCapacity" in out:
        out["ConsumedCapacity"] = index_capacity(out["ConsumedCapacity"], index, fetched_units)
    return out


def table_items(
    conn: apsw.Connection, table: TableInfo, rows: list[Any], consistent: bool, keep: Any = None,
    budget: int | None = None,
) -> tuple[list[dict], float] | None:
    """The table's items for these index rows (those `keep(row)` is true for, if given), and
    the read units DynamoDB charges the table for fetching them: each whole item, rounded up
    to 4 KB on its own, kept or not. None once more than `budget` bytes were read (on the
    event loop: the caller fetches them again on the reader pool, whose thread hop costs more
    CPU than a short page's point reads)."""
    found = []
    units = 0.0
    read = 0
    for row in rows:
        stored = items.read_row(conn, table, key_of_key(table, {n: row[n] for n in table.key_names}))
        if stored is not None:
            if budget is not None:
                read += stored[0]
                if read > budget:
                    return None
            units += capacity.read_units(stored[0], consistent)
            if keep is None or keep(row):
                found.append(orjson.loads(stored[1]))
    return found, units


def index_capacity(consumed: dict, index: IndexInfo, fetched_units: float) -> dict:
    """The read units counted on the index rows, charged to the index; the items an LSI query
    fetched, to the table."""
    units = consumed["CapacityUnits"]
    total = {**consumed, "CapacityUnits": units + fetched_units}
    if "Table" not in consumed:
        return total
    kind = "GlobalSecondaryIndexes" if index.is_global else "LocalSecondaryIndexes"
    return {**total, "Table": {"CapacityUnits": fetched_units}, kind: {index.name: {"CapacityUnits": units}}}
