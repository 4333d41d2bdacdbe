"""The checks of a write against the table's key schema and its secondary-index keys that
need only the request, made before the item is read: DynamoDB never evaluates the condition of
a write that fails them (a PutItem whose index key has the wrong type, an UpdateItem that
writes a key attribute answer a ValidationException, not ConditionalCheckFailed). The write
itself checks index keys again (indexes/model.py), for what only the stored item can tell.
Indexes are checked GSIs first, then LSIs (indexes_in_check_order)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.indexes.model import bad_key, indexes_in_check_order

if TYPE_CHECKING:
    from lumadb.dynamodb.catalog import TableInfo
    from lumadb.dynamodb.expressions.apply import Update

_INVALID = "One or more parameter values were invalid: "
_NOT_SCALAR = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "
UNSUPPORTED_INDEX_TYPE = "The update expression attempted to update the secondary index key to unsupported type"


def _index_keys(table: TableInfo) -> list[tuple[str, str, str]]:
    """(index name, attribute, type) of every secondary-index key attribute, in check order."""
    return [
        (index.name, name, type_name)
        for index in indexes_in_check_order(table)
        for name, type_name in index.hash_keys + index.range_keys
    ]


def check_read_paths(table: TableInfo, *expressions: Any) -> None:
    """A projection or filter may not look into a key attribute of the table (`Key: pk`) or of
    an index (`IndexKey: g`), as DynamoDB answers GetItem, Query and Scan (dynalite's checks;
    dynoxide's captures of Scan and Query filters)."""
    for expression in expressions:
        roots = expression.nested_roots if expression is not None else None
        if not roots:
            continue
        for name in table.key_names:
            if name in roots:
                raise DynamoError.validation(_NOT_SCALAR + f"Key: {name}")
        for _, name, _ in _index_keys(table):
            if name in roots:
                raise DynamoError.validation(_NOT_SCALAR + f"IndexKey: {name}")


def check_item(table: TableInfo, item: dict) -> None:
    """A whole item (PutItem): each index key attribute it has is of the key's type and not
    empty."""
    if not table.observers:  # no secondary index (nor stream): nothing to check
        return
    for index, name, type_name in _index_keys(table):
        value = item.get(name)
        if value is not None:
            text = value.get(type_name)
            if text is None or (text == "" and type_name != "N"):
                raise bad_key(index, name, type_name, value)


def check_update(table: TableInfo, update: Update) -> None:
    """An UpdateExpression or AttributeUpdates: no key attribute is written, an index key
    attribute gets a value of its type (when the request says which), and nothing is written
    inside a key attribute nor read from inside one (`SET a = pk[0]`). DynamoDB's order: table
    keys, index key types, nested paths (dynalite's)."""
    for key in table.key_names:
        if key in update.top_level_names:
            raise DynamoError.validation(
                _INVALID + f"Cannot update attribute {key}. This attribute is part of the key"
            )
    check_index_types(table, update)
    if update.nested_roots:
        check_read_paths(table, update)


def check_index_types(table: TableInfo, update: Update) -> None:
    """An index key attribute the update sets to a value of the request's is of the key's type."""
    index_keys = _index_keys(table) if table.observers else []
    for index, name, type_name in index_keys:
        actual = update.value_types.get(name)
        if actual is not None and actual != type_name:
            raise bad_key(index, name, type_name, {actual: ""})


def check_written(table: TableInfo, update: Update, new_item: dict, *, computed: bool = True) -> None:
    """The index key attributes an update wrote, once their values are known: an empty string
    or binary has the update's own wording (no index named; nubo-db/dynamodb-conformance,
    UpdateItem and TransactWriteItems), and with `computed` a value computed from the item
    (`SET k = other`) of another type answers "...unsupported type"."""
    if not table.observers:
        return
    written = update.top_level_names
    for _, name, type_name in _index_keys(table):
        if name not in written:
            continue
        value = new_item.get(name)
        if value is None:
            continue
        text = value.get(type_name)
        if text is None:
            if computed and name in update.computed:
                raise DynamoError.validation(UNSUPPORTED_INDEX_TYPE)
        elif text == "" and type_name != "N":
            raise DynamoError.validation(
                "One or more parameter values are not valid. The update expression attempted to "
                "update a secondary index key to a value that is not supported. The AttributeValue "
                f"for a key attribute cannot contain an empty {'string' if type_name == 'S' else 'binary'} value."
            )
