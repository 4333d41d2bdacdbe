"""Applying a compiled update to an item without mutating it.

Every SET value is computed from the original item before anything is written, list
indexes always mean positions in the original list (removals and appends past the end are
applied last), and an error raises before a new item exists, so an update is all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lumadb.dynamodb.attributes import MAX_NESTING, NESTING, add_numbers
from lumadb.dynamodb.comparison import attribute_type
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.expressions.resolve import ResolvedPath

INVALID_PATH = "The document path provided in the update expression is invalid for update"
WRONG_TYPE = "An operand in the update expression has an incorrect data type"
MISSING = "The provided expression refers to an attribute that does not exist in the item"


class _Lists:
    """List changes that shift positions, applied after everything addressed by index."""

    def __init__(self) -> None:
        self.pending: dict[int, tuple[list, set[int], list[tuple[int, dict]]]] = {}

    def _entry(self, members: list) -> tuple[list, set[int], list[tuple[int, dict]]]:
        entry = self.pending.get(id(members))
        if entry is None:
            entry = self.pending[id(members)] = (members, set(), [])
        return entry

    def remove(self, members: list, index: int) -> None:
        self._entry(members)[1].add(index)

    def append(self, members: list, index: int, value: dict) -> None:
        self._entry(members)[2].append((index, value))

    def finish(self) -> None:
        for members, removed, appended in self.pending.values():
            kept = [v for i, v in enumerate(members) if i not in removed] if removed else members[:]
            appended.sort(key=lambda pair: pair[0])
            members[:] = kept + [value for _, value in appended]


def _parent(root: dict, path: ResolvedPath, copied: set[int]) -> Any:
    """The writable container (dict or list) that holds path's last step, copying the
    containers on the way so the original item is never changed; None if it is missing."""
    container: Any = root
    for i in range(len(path) - 1):
        step = path[i]
        if type(container) is dict:
            child = container.get(step)
        else:
            child = container[step] if step < len(container) else None
        if child is None:
            return None
        want = "L" if type(path[i + 1]) is int else "M"
        inner = child.get(want)
        if inner is None:
            return None
        if id(inner) not in copied:
            inner = list(inner) if want == "L" else dict(inner)
            copied.add(id(inner))
            container[step] = {want: inner}
        container = inner
    return container




def _containers(value: dict, limit: int) -> int:
    """How many map/list levels `value` has, counting no further than `limit`."""
    if limit <= 0:
        return 0
    members = value.get("M")
    members = members.values() if members is not None else value.get("L")
    if members is None:
        return 0
    return 1 + max((_containers(m, limit - 1) for m in members), default=0)


def _check_depth(value: dict, level: int) -> None:
    """A value written at `level` (1 = top level) may hold containers down to level 31."""
    allowed = MAX_NESTING - level
    if _containers(value, allowed + 1) > allowed:
        raise DynamoError.validation(NESTING)


def _add(existing: dict | None, value: dict) -> dict:
    type_name = attribute_type(value)
    if existing is None:
        return value
    if type_name not in existing:
        raise DynamoError.validation(WRONG_TYPE)
    if type_name == "N":
        return {"N": add_numbers(existing["N"], value["N"])}
    members = existing[type_name]
    present = set(members)
    return {type_name: members + [m for m in value[type_name] if m not in present]}


def _delete(existing: dict | None, value: dict) -> dict | None:
    type_name = attribute_type(value)
    if existing is None:
        return None
    if type_name not in existing:
        raise DynamoError.validation(WRONG_TYPE)
    drop = set(value[type_name])
    return {type_name: [m for m in existing[type_name] if m not in drop]}


class Update:
    """A compiled UpdateExpression (or AttributeUpdates)."""

    __slots__ = ("actions", "computed", "nested_roots", "paths", "top_level_names", "value_types", "values")

    def __init__(
        self,
        actions: list[tuple[str, ResolvedPath, Any]],
        values: tuple = (),
        paths: list[ResolvedPath] | None = None,
        top_level_names: frozenset[str] | None = None,
        value_types: dict[str, str] | None = None,
        computed: frozenset[str] = frozenset(),
        read_into: frozenset[str] = frozenset(),
    ) -> None:
        # ("set", path, value_fn) | ("remove", path, None) | ("add"|"delete", path, value slot)
        self.actions = actions
        self.values = values
        # the paths written: Projection(update.paths).apply(item) gives ReturnValues UPDATED_OLD/NEW
        self.paths = paths if paths is not None else [path for _, path, _ in actions]
        self.top_level_names = (
            top_level_names if top_level_names is not None else frozenset(p[0] for p in self.paths)
        )
        # What the table's key checks need before the item is read (key_checks.py): the type
        # of the value each top-level attribute gets when the request alone says it, the
        # top-level attributes set to a value computed from the item, and the attributes
        # written or read inside (a.b, a[1]).
        self.value_types = value_types if value_types is not None else {}
        self.computed = computed
        self.nested_roots = frozenset(p[0] for p in self.paths if len(p) > 1) | read_into

    @property
    def only_removes(self) -> bool:
        """REMOVE and DELETE actions only: on a missing item DynamoDB creates nothing."""
        return bool(self.actions) and all(kind in ("remove", "delete", "DELETE") for kind, _, _ in self.actions)

    def apply(self, item: dict | None, key_names: Iterable[str]) -> tuple[dict, set[str]]:
        for key in key_names:
            if key in self.top_level_names:
                raise DynamoError.validation(
                    f"One or more parameter values were invalid: Cannot update attribute {key}. "
                    "This attribute is part of the key"
                )
        original = item if item is not None else {}
        # every value from the original item first: reads never see this update's writes
        values = self.values
        computed: list[Any] = [
            value(original, values) if kind == "set" else values[value] if value is not None else None
            for kind, _, value in self.actions
        ]
        new = dict(original)
        copied: set[int] = set()
        lists: _Lists | None = None
        for (kind, path, _), value in zip(self.actions, computed, strict=True):
            if len(path) == 1:
                name = path[0]
                if kind == "set":
                    if "M" in value or "L" in value:
                        _check_depth(value, 1)
                    new[name] = value
                elif kind == "remove":
                    new.pop(name, None)
                elif kind == "add":
                    new[name] = _add(new.get(name), value)
                else:
                    remaining = _delete(new.get(name), value)
                    if remaining is not None:
                        if remaining[attribute_type(remaining)]:
                            new[name] = remaining
                        else:
                            del new[name]
                continue
            if kind == "set" and ("M" in value or "L" in value):
                _check_depth(value, len(path))
            container = _parent(new, path, copied)
            if container is None:
                if kind == "remove" and item is None:
                    continue  # DynamoDB ignores REMOVE of a nested path on a missing item
                raise DynamoError.validation(INVALID_PATH)
            if lists is None:
                lists = _Lists()
            self._apply_nested(kind, container, path[-1], value, lists)
        if lists is not None:
            lists.finish()
        return new, set(self.top_level_names)

    @staticmethod
    def _apply_nested(kind: str, container: Any, step: Any, value: Any, lists: _Lists) -> None:
        if type(container) is dict:
            if kind == "set":
                container[step] = value
            elif kind == "remove":
                container.pop(step, None)
            elif kind == "add":
                container[step] = _add(container.get(step), value)
            else:
                remaining = _delete(container.get(step), value)
                if remaining is not None:
                    if remaining[attribute_type(remaining)]:
                        container[step] = remaining
                    else:
                        del container[step]
            return
        present = step < len(container)
        if kind == "set":
            if present:
                container[step] = value
            else:
                lists.append(container, step, value)
        elif kind == "remove":
            if present:
                lists.remove(container, step)
        elif kind == "add":
            if present:
                container[step] = _add(container[step], value)
            else:
                lists.append(container, step, value)
        elif present:
            remaining = _delete(container[step], value)
            if remaining is not None:
                if remaining[attribute_type(remaining)]:
                    container[step] = remaining
                else:
                    lists.remove(container, step)
